//! issue 10.7 and 10.8 in the pages: the coordinator's inbox per pupil with its filters, the
//! card's "zo nodig" tasks apart and never overdue; the pupil list with this school year's
//! unauthorised hours, open signals and open cases, sortable; the audit log in Dutch, newest
//! first; one way to write hours; plurals.

use reqwest::Method;

use crate::harness::{Env, TestServer, get_page, unescape};
use crate::region::{COORDINATOR, SCHOOL_ADMIN, TEACHER, enrol, ok, pupil, region, register};

crate::http_tests!(
    the_inbox_groups_per_pupil_and_folds_the_as_needed_tasks,
    the_inbox_shows_fifty_pupils_a_page,
    the_pupil_list_shows_hours_signals_and_cases_sortable,
    the_audit_log_reads_in_dutch_newest_first,
);

const AS_NEEDED: &str = "Neemt zo nodig contact op met de ouders";

/// 1001: 21 hours ongeoorloofd (21-24 September 2026: relatief verzuim, its melding due
/// 01-10-2026, overdue on the clock's 30 June 2027) and a sick day; 1002 in group 6: a sick day.
async fn school(s: &TestServer) -> reqwest::Client {
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    enrol(s, &ib, pupil("1001", "enschede")).await;
    let mut p = pupil("1002", "enschede");
    p["group"] = "6".into();
    enrol(s, &ib, p).await;
    register(s, &juf, "1001", "ongeoorloofd", "2026-09-21", "2026-09-24").await;
    register(s, &juf, "1001", "ziek", "2026-10-05", "2026-10-05").await;
    register(s, &ib, "1002", "ziek", "2026-10-05", "2026-10-05").await;
    ib
}

/// The inbox section of one pupil.
fn section<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!(">{name}</a>"))
        .unwrap_or_else(|| panic!("a section for {name}: {html}"));
    let start = html[..at].rfind("<section").unwrap();
    let end = at + html[at..].find("</section>").unwrap();
    &html[start..end]
}

async fn the_inbox_groups_per_pupil_and_folds_the_as_needed_tasks(env: Env) {
    let s = region(&env).await;
    let ib = school(&s).await;
    let (status, html) = get_page(&s, &ib, "/taken").await;
    assert_eq!(status, 200, "{html}");
    // 1001 first (an overdue task), with the signal and its date on each row.
    let first = html.find(">Leerling 1001</a>").unwrap();
    let second = html.find(">Leerling 1002</a>").unwrap();
    assert!(first < second);
    let s1 = section(&html, "Leerling 1001");
    assert!(s1.contains("1 verlopen"), "{s1}");
    assert!(s1.contains("Relatief verzuim van 24-09-2026"), "{s1}");
    assert!(s1.contains("Meldt bij de leerplichtambtenaar"));
    // The "zo nodig" contact is folded apart, never overdue.
    let folded = &s1[s1
        .find("<details class=\"deel as-needed\"")
        .expect("folded")..];
    assert!(
        folded.contains("1 actie &#34;zo nodig&#34;")
            || folded.contains("1 actie &quot;zo nodig&quot;"),
        "{folded}"
    );
    assert!(folded.contains(AS_NEEDED));
    assert!(folded.contains("Ziekmelding van 05-10-2026"), "{folded}");
    let s2 = section(&html, "Leerling 1002");
    assert!(
        !s2.contains("<table"),
        "1002 has only a zo nodig task: {s2}"
    );
    assert!(!s2.contains("Verlopen"));
    // The counts, in the right number.
    assert!(
        html.contains("2 taken, waarvan <strong>1 verlopen</strong>; daarnaast 2 acties"),
        "{html}"
    );

    // Filters: the kind, the group, the due date.
    let (_, html) = get_page(&s, &ib, "/taken?soort=ziekmelding").await;
    assert!(!html.contains("Meldt bij de leerplichtambtenaar"), "{html}");
    assert!(html.contains(AS_NEEDED));
    let (_, html) = get_page(&s, &ib, "/taken?groep=6").await;
    assert!(
        !html.contains("Leerling 1001") && html.contains("Leerling 1002"),
        "{html}"
    );
    let (_, html) = get_page(&s, &ib, "/taken?termijn=verlopen").await;
    assert!(html.contains("Meldt bij de leerplichtambtenaar"));
    assert!(
        !html.contains("Gaat in gesprek met ouders") && !html.contains(AS_NEEDED),
        "{html}"
    );
    assert!(!html.contains("Leerling 1002"));

    // The API says the same: "zo nodig" and never overdue.
    let tasks = ok(&s, &ib, Method::GET, "/api/tasks?status=open", None, 200).await;
    let items = tasks["items"].as_array().unwrap();
    let zo = items
        .iter()
        .find(|t| t["text"].as_str().unwrap().starts_with(AS_NEEDED))
        .unwrap();
    assert_eq!(zo["as_needed"], true);
    assert_eq!(zo["overdue"], false);
    let meld = items.iter().find(|t| t["melding"] == true).unwrap();
    assert_eq!(meld["as_needed"], false);
    assert_eq!(meld["overdue"], true);
}

async fn the_pupil_list_shows_hours_signals_and_cases_sortable(env: Env) {
    let s = region(&env).await;
    let ib = school(&s).await;
    let (status, html) = get_page(&s, &ib, "/leerlingen").await;
    assert_eq!(status, 200, "{html}");
    let row = |html: &str, name: &str| {
        let at = html.find(&format!(">{name}</a>")).unwrap();
        let start = html[..at].rfind("<tr>").unwrap();
        html[start..at + html[at..].find("</tr>").unwrap()].to_owned()
    };
    let r1 = row(&html, "Leerling 1001");
    // 1260 minutes ongeoorloofd this school year, 2 open signals in 2 cases (two chains).
    assert!(r1.contains("<td>21 uur</td>"), "{r1}");
    assert!(r1.contains("<td>2</td>"), "{r1}");
    assert!(
        r1.contains(": Relatief verzuim") && r1.contains(": Ziekmelding"),
        "{r1}"
    );
    let r2 = row(&html, "Leerling 1002");
    assert!(r2.contains("<td>–</td>"), "{r2}");
    // Sorted by hours, most first, and back.
    let (_, html) = get_page(&s, &ib, "/leerlingen?sorteer=-uren").await;
    assert!(html.find("Leerling 1001").unwrap() < html.find("Leerling 1002").unwrap());
    assert!(html.contains("aria-sort=\"descending\""));
    let (_, html) = get_page(&s, &ib, "/leerlingen?sorteer=uren").await;
    assert!(html.find("Leerling 1002").unwrap() < html.find("Leerling 1001").unwrap());
    assert!(html.contains("aria-sort=\"ascending\""));
    assert!(html.contains("2 leerlingen"));
    // The beheerder sees the list too, its rows leading to the pupils' data.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, html) = get_page(&s, &admin, "/leerlingen").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("href=\"/leerlingen/99XX00/1001/gegevens\">Leerling 1001</a>"),
        "{html}"
    );
}

async fn the_audit_log_reads_in_dutch_newest_first(env: Env) {
    let s = region(&env).await;
    let ib = school(&s).await;
    let _ = get_page(&s, &ib, "/leerlingen/99XX00/1002").await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, html) = get_page(&s, &admin, "/beheer/auditlog").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("nieuwste eerst"));
    let rows: Vec<&str> = html.split("<tr class=\"audit-row\">").skip(1).collect();
    assert!(!rows.is_empty());
    // The newest row about pupil data: the coordinator opening 1002's dossier (after it only the
    // beheerder's own login).
    let newest = rows
        .iter()
        .find(|r| r.contains("Leerlinggegevens"))
        .unwrap();
    assert!(newest.contains("Leerlinggegevens bekeken"), "{newest}");
    assert!(newest.contains("1002"), "{newest}");
    // Registrations read as Dutch, never as codes.
    assert!(
        html.contains("Leerlinggegevens vastgelegd: registratie"),
        "{html}"
    );
    let table = rows.join("");
    assert!(
        !table.contains("registration:") && !table.contains("pupil_read"),
        "{table}"
    );
    // The filter by pupil and by user still work.
    let (_, html) = get_page(&s, &admin, "/beheer/auditlog?leerling=1002").await;
    assert!(!html.contains(">1001<"), "{html}");
}

/// 53 pupils with open tasks: the inbox shows 50 pupils a page (each with all its tasks), the
/// counts over all of them on every page, the next and previous pages keep the filters, a page
/// beyond the last shows the last, and a page that is no number is refused in Dutch (issue
/// 13.3: a school of 900 pupils has 700+ open tasks).
async fn the_inbox_shows_fifty_pupils_a_page(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    for n in 0..53 {
        let id = format!("{}", 2001 + n);
        enrol(&s, &ib, pupil(&id, "enschede")).await;
        register(&s, &ib, &id, "ziek", "2026-10-05", "2026-10-05").await;
    }
    let sections = |html: &str| html.matches("<section class=\"panel inbox-pupil\"").count();
    let (status, one) = get_page(&s, &ib, "/taken").await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(sections(&one), 50);
    assert!(
        one.contains("Pagina 1 van 2 (leerlingen 1-50 van 53)"),
        "{one}"
    );
    // The counts are of all pages.
    assert!(one.contains("daarnaast 53 acties"), "{one}");
    assert!(
        one.contains(r#"href="/taken?pagina=2" rel="next""#),
        "{one}"
    );
    let (_, two) = get_page(&s, &ib, "/taken?pagina=2").await;
    assert_eq!(sections(&two), 3);
    assert!(two.contains("daarnaast 53 acties"), "{two}");
    assert!(two.contains(r#"href="/taken" rel="prev""#), "{two}");
    // Every pupil on exactly one page.
    for n in 0..53 {
        let name = format!(">Leerling {}</a>", 2001 + n);
        assert_eq!(
            one.matches(&name).count() + two.matches(&name).count(),
            1,
            "{name}"
        );
    }
    let (status, far) = get_page(&s, &ib, "/taken?pagina=9").await;
    assert_eq!(status, 200);
    assert_eq!(sections(&far), 3);
    // The filters stay on the pages.
    let (_, filtered) = get_page(&s, &ib, "/taken?soort=ziekmelding&groep=5").await;
    assert!(
        unescape(&filtered).contains(r#"href="/taken?soort=ziekmelding&groep=5&pagina=2""#),
        "{filtered}"
    );
    let (status, bad) = get_page(&s, &ib, "/taken?pagina=-1").await;
    assert_eq!(status, 400, "{bad}");
    assert!(bad.contains("pagina"), "{bad}");
    // The audit log (over 100 rows now) pages the same way, its filters kept.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (_, log) = get_page(&s, &admin, "/beheer/auditlog?actie=pupil_write").await;
    assert!(log.contains("(pagina 1)"), "{log}");
    assert!(
        unescape(&log).contains(r#"href="/beheer/auditlog?actie=pupil_write&pagina=2" rel="next""#),
        "{log}"
    );
    let (_, log) = get_page(&s, &admin, "/beheer/auditlog?actie=pupil_write&pagina=2").await;
    assert!(
        log.contains(r#"href="/beheer/auditlog?actie=pupil_write" rel="prev""#),
        "{log}"
    );
}
