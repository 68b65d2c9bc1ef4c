//! issue 4, the coordinator's pages: the pupil dossier (`/leerlingen/{school}/{pupil}`) with its
//! year calendar, totals, evidence, task forms and timeline; the letters of a case
//! (made with `POST /zaken/{case}/brieven`, read with `GET /zaken/{case}/brieven/{letter}`); who
//! may open a dossier.

use reqwest::Method;
use serde_json::Value;

use crate::harness::{Env, TestServer, get_page, make_letter, post_form};
use crate::region::{
    COORDINATOR, JGZ, LEERPLICHT, LEERPLICHT_OLDENZAAL, TEACHER, call, enrol, ok, open_tasks,
    pupil, region, register, task_starting,
};

crate::http_tests!(
    dossier_shows_the_calendar_totals_and_evidence,
    the_melding_task_is_completed_from_the_page,
    another_school_cannot_open_the_dossier,
    a_letter_is_a_pdf_on_the_timeline,
    leerplicht_opens_a_dossier_only_with_a_melding,
    the_inbox_and_pupil_list_link_to_the_dossier,
    referral_and_judgement_from_the_page,
    an_event_in_the_evidence_is_named_with_its_date,
    the_early_warnings_show_a_pupil_close_to_the_16_hours,
);

const DOSSIER: &str = "/leerlingen/99XX00/1001";
const TALK: &str = "Gaat in gesprek met ouders";
const MELD: &str = "Meldt bij de leerplichtambtenaar";

/// The pupil 1001 with 21 hours ongeoorloofd (Mon-Thu 21-24 September 2026: the 16-hour
/// signal) and a sick day on 5 October.
async fn with_signal(s: &TestServer) -> (reqwest::Client, reqwest::Client) {
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    enrol(s, &ib, pupil("1001", "enschede")).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, &juf, "1001", "ongeoorloofd", day, day).await;
    }
    register(s, &juf, "1001", "ziek", "2026-10-05", "2026-10-05").await;
    (ib, juf)
}

/// The SVG element of a day (`<g …>` or `<rect …>` with `data-date`), up to its end.
fn day_cell<'a>(html: &'a str, date: &str) -> &'a str {
    let at = html
        .find(&format!("data-date=\"{date}\""))
        .unwrap_or_else(|| panic!("a calendar cell for {date}"));
    let rest = &html[at..];
    let end = rest
        .find("</g>")
        .into_iter()
        .chain(rest.find("</rect>"))
        .min()
        .unwrap();
    &rest[..end]
}

/// The pupil's open tasks with the text prefix (through the API).
async fn task_id(s: &TestServer, c: &reqwest::Client, prefix: &str) -> String {
    let tasks = open_tasks(s, c, "1001").await;
    task_starting(&tasks, prefix)["id"]
        .as_i64()
        .unwrap()
        .to_string()
}

/// Completes the talk and the melding from the dossier; returns the melding.
async fn melding_from_page(s: &TestServer, ib: &reqwest::Client) -> Value {
    let talk = task_id(s, ib, TALK).await;
    let (status, _) = post_form(
        s,
        ib,
        DOSSIER,
        &[
            ("actie", "taak_afronden"),
            ("taak", &talk),
            ("datum", "2026-09-25"),
            ("hoe", "gesprek"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let meld = task_id(s, ib, MELD).await;
    let (status, html) = post_form(
        s,
        ib,
        DOSSIER,
        &[
            ("actie", "taak_afronden"),
            ("taak", &meld),
            ("datum", "2026-09-28"),
            ("hoe", "brief"),
            ("reden", "Ouders houden de leerling thuis"),
            ("acties", "Gesprek met ouders op 25-09-2026"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("De melding is gedaan"), "{html}");
    let list = ok(s, ib, Method::GET, "/api/meldingen", None, 200).await;
    list["items"][0].clone()
}

async fn dossier_shows_the_calendar_totals_and_evidence(env: Env) {
    let s = region(&env).await;
    let (ib, _) = with_signal(&s).await;
    let (status, html) = get_page(&s, &ib, DOSSIER).await;
    assert_eq!(status, 200, "{html}");
    // The pupil, with the persoonsgebonden nummer masked.
    assert!(html.contains("Leerling 1001"));
    assert!(html.contains("******872"), "masked BSN");
    assert!(!html.contains("400276872"), "the full BSN is never shown");
    // The calendar: an accessible picture of the school year of the clock (30 June 2027).
    assert!(html.contains("<svg"), "an SVG");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<title id=\"kal-titel\">Jaarkalender 2026-2027 van Leerling 1001"));
    assert!(html.contains("<desc id=\"kal-desc\">"));
    for day in ["2026-09-21", "2026-09-24"] {
        let cell = day_cell(&html, day);
        assert!(cell.contains("data-code=\"ongeoorloofd\""), "{cell}");
        assert!(
            cell.contains("fill=\"#b3261e\""),
            "ongeoorloofd red: {cell}"
        );
    }
    let sick = day_cell(&html, "2026-10-05");
    assert!(
        sick.contains("data-code=\"ziek\"") && sick.contains("fill=\"#1f5fa8\""),
        "{sick}"
    );
    // A plain lesson day, a weekend day and a studiedag (closed).
    assert!(day_cell(&html, "2026-09-25").contains("fill=\"#ffffff\""));
    assert!(day_cell(&html, "2026-09-26").contains("fill=\"#e3e3e3\""));
    assert!(day_cell(&html, "2026-10-09").contains("fill=\"#c4c4c4\""));
    // Wednesday has a short day (08:30-12:15): 225 minutes.
    assert!(day_cell(&html, "2026-09-23").contains("3 uur en 45 minuten"));
    // The totals per code, as text: 345 + 345 + 225 + 345 = 1260 minutes on 4 days.
    let totals = &html[html.find("<caption>Totalen per code").unwrap()..];
    let row = &totals[totals.find("ongeoorloofd afwezig").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>ongeoorloofd</td>"), "{row}");
    assert!(
        row.contains("21 uur") && row.contains("<td>4</td>"),
        "{row}"
    );
    assert!(totals.contains("Ongeoorloofd afwezig</th><td colspan=\"4\">21 uur"));
    assert!(totals.contains("Geoorloofd afwezig</th><td colspan=\"4\">5 uur en 45 minuten"));
    // The signal with its evidence and the card's actions per party.
    assert!(html.contains("Relatief verzuim"));
    assert!(html.contains("21 uur van 21-09-2026 t/m 24-09-2026"));
    let relatief = &html[html.find(">Relatief verzuim <span").unwrap()..];
    let evidence = &relatief[relatief.find("Bewijs: registraties").unwrap()..];
    let evidence = &evidence[..evidence.find("</table>").unwrap()];
    for d in ["21-09-2026", "22-09-2026", "23-09-2026", "24-09-2026"] {
        assert!(evidence.contains(d), "{d} in the evidence");
    }
    assert!(evidence.contains("3 uur en 45 minuten"));
    assert!(html.contains("<h5>Leerplicht</h5>"), "leerplicht's actions");
    assert!(html.contains("<h5>School</h5>"));
    // The open tasks with their forms; the melding task pre-filled with the legal content.
    assert!(html.contains("Wat naar leerplicht gaat"));
    assert!(html.contains("21 uur") && html.contains("Enschede"));
    assert!(
        html.contains("Afwezig zonder geldige reden"),
        "suggested reason"
    );
    assert!(html.contains("value=\"taak_afronden\""));
    // The timeline.
    assert!(html.contains("Dossier geopend") || html.contains("Signaal"));
    // Reading the dossier is audited.
    let rows = s
        .raw_texts("SELECT object FROM audit_log WHERE object LIKE 'dossier:%'")
        .await;
    assert!(rows.iter().any(|o| o == "dossier:99XX00:1001"), "{rows:?}");
    // Another school year: no registrations.
    let (status, other) = get_page(&s, &ib, &format!("{DOSSIER}?jaar=2025")).await;
    assert_eq!(status, 200);
    assert!(other.contains("Schooljaar 2025-2026"));
    assert!(other.contains("Geen registraties in dit schooljaar."));
}

async fn the_melding_task_is_completed_from_the_page(env: Env) {
    let s = region(&env).await;
    let (ib, _) = with_signal(&s).await;
    // The talk needs the parents' information: refused, in Dutch, nothing stored.
    let talk = task_id(&s, &ib, TALK).await;
    let (status, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[("actie", "taak_afronden"), ("taak", &talk)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Vul in wanneer en hoe de ouders zijn geïnformeerd"),
        "{html}"
    );
    assert!(html.contains("Er is niets opgeslagen"));
    assert_eq!(task_id(&s, &ib, TALK).await, talk, "still open");
    let stored = s
        .raw_texts("SELECT CAST(COUNT(*) AS TEXT) FROM parent_information")
        .await;
    assert_eq!(stored, vec!["0"]);
    // A date in the future: the service refuses it, the entered values stay in the form.
    let (_, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "taak_afronden"),
            ("taak", &talk),
            ("datum", "2027-08-01"),
            ("hoe", "telefoon"),
        ],
    )
    .await;
    assert!(html.contains("ligt na vandaag"), "{html}");
    assert!(html.contains("value=\"2027-08-01\""));
    assert_eq!(task_id(&s, &ib, TALK).await, talk, "still open");
    // The melding without a reason: refused.
    let meld = task_id(&s, &ib, MELD).await;
    let (_, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "taak_afronden"),
            ("taak", &meld),
            ("datum", "2026-09-28"),
            ("hoe", "brief"),
            ("reden", " "),
            ("acties", "Gesprek"),
        ],
    )
    .await;
    assert!(html.contains("Vul de vermoedelijke reden van het verzuim in."));
    let list = ok(&s, &ib, Method::GET, "/api/meldingen", None, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Now properly: the melding with the entered content.
    let m = melding_from_page(&s, &ib).await;
    assert_eq!(m["suspected_reason"], "Ouders houden de leerling thuis");
    assert_eq!(m["school_actions"], "Gesprek met ouders op 25-09-2026");
    assert_eq!(m["verzuim_kind"], "relatief_verzuim");
    assert_eq!(m["status"], "geregistreerd");
    let (_, html) = get_page(&s, &ib, DOSSIER).await;
    assert!(html.contains("Ouders geïnformeerd op 25-09-2026 (gesprek)"));
    assert!(html.contains("Melding gedaan"));
    // Recording a parent contact outside a task.
    let case = m["case_id"].to_string();
    let (_, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "ouders"),
            ("zaak", &case),
            ("datum", "2026-10-02"),
            ("hoe", "telefoon"),
            ("toelichting", "Gebeld over de melding"),
        ],
    )
    .await;
    assert!(
        html.contains("Vastgelegd dat de ouders zijn geïnformeerd"),
        "{html}"
    );
    assert!(html.contains("Ouders geïnformeerd op 02-10-2026 (telefoon): Gebeld over de melding"));
    // Withdrawing the melding needs a reason.
    let id = m["id"].to_string();
    let (_, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "melding_intrekken"),
            ("melding", &id),
            ("reden", ""),
        ],
    )
    .await;
    assert!(html.contains("De reden ontbreekt."), "{html}");
    let (_, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "melding_intrekken"),
            ("melding", &id),
            ("reden", "Afwezigheid bleek geoorloofd"),
        ],
    )
    .await;
    assert!(html.contains("De melding is ingetrokken."));
    let detail = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["status"], "ingetrokken", "{detail}");
}

async fn another_school_cannot_open_the_dossier(env: Env) {
    let s = region(&env).await;
    let _ = with_signal(&s).await;
    let other = s.logged_in("ib@wilg.nl").await;
    let (status, html) = get_page(&s, &other, DOSSIER).await;
    assert!(status == 404 || status == 403, "{status}");
    assert!(!html.contains("Leerling 1001"));
    let (status, _) = post_form(
        &s,
        &other,
        DOSSIER,
        &[
            ("actie", "ouders"),
            ("zaak", "1"),
            ("datum", "2026-10-01"),
            ("hoe", "brief"),
        ],
    )
    .await;
    assert!(status == 404 || status == 403, "{status}");
    // The leerkracht and GGD-JGZ without a referral: no dossier either.
    let juf = s.logged_in(TEACHER).await;
    assert_eq!(get_page(&s, &juf, DOSSIER).await.0, 403);
    let jgz = s.logged_in(JGZ).await;
    assert_eq!(get_page(&s, &jgz, DOSSIER).await.0, 404);
    // Nor its letters: making one, or reading the school's.
    let ib = s.logged_in(COORDINATOR).await;
    let tasks = open_tasks(&s, &ib, "1001").await;
    let case = tasks[0]["case_id"].as_i64().unwrap();
    let invite = [
        ("soort", "uitnodiging_gesprek"),
        ("datum", "2027-07-05"),
        ("tijd", "08:45"),
    ];
    let (path, _) = make_letter(&s, &ib, case, &invite).await.unwrap();
    let made = make_letter(&s, &other, case, &invite).await;
    assert_eq!(made.unwrap_err().0, 404);
    assert_eq!(get_page(&s, &other, &path).await.0, 404);
}

async fn a_letter_is_a_pdf_on_the_timeline(env: Env) {
    let s = region(&env).await;
    let (ib, _) = with_signal(&s).await;
    let m = melding_from_page(&s, &ib).await;
    let case = m["case_id"].as_i64().unwrap();
    let id = m["id"].as_i64().unwrap();
    let melding = id.to_string();
    // The dossier offers the letters as forms (a POST makes one), not as links.
    let (_, html) = get_page(&s, &ib, DOSSIER).await;
    assert!(
        html.contains(&format!(
            "<form method=\"post\" action=\"/zaken/{case}/brieven\""
        )) && html.contains("value=\"overzicht_melding\""),
        "{html}"
    );
    assert!(!html.contains(&format!("href=\"/zaken/{case}/brieven/overzicht_melding")));
    // The melding overview as PDF: made by the form, then read (303 to the letter).
    let res = ib
        .post(s.url(&format!("/zaken/{case}/brieven")))
        .form(&[("soort", "overzicht_melding"), ("melding", &melding)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let letter = res.url().path().to_owned();
    assert!(
        letter.starts_with(&format!("/zaken/{case}/brieven/")),
        "{letter}"
    );
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cd.contains("filename=\"overzicht-melding-leerling-1001-2027-06-30.pdf\""),
        "{cd}"
    );
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    // Reading it again gives the same letter and writes nothing but the audit row of the read.
    let timeline = "SELECT CAST(COUNT(*) AS TEXT) FROM case_timeline WHERE entry = 'brief'";
    let before = s.raw_texts(timeline).await;
    let again = ib.get(s.url(&letter)).send().await.unwrap();
    assert_eq!(again.bytes().await.unwrap(), pdf);
    assert_eq!(s.raw_texts(timeline).await, before);
    // Its text: the pupil, the masked number, the content the school entered.
    let (status, text) = get_page(&s, &ib, &format!("{letter}?formaat=tekst")).await;
    assert_eq!(status, 200);
    assert!(text.contains("Leerling 1001"), "{text}");
    assert!(
        text.contains("******872") && !text.contains("400276872"),
        "{text}"
    );
    assert!(text.contains("Ouders houden de leerling thuis"), "{text}");
    assert!(text.contains("Verzuimde lestijd"), "{text}");
    // Leerplicht closes it: a new overview's history says the closing reason in words; the
    // letter made before stays as it was.
    let lpa = s.logged_in(LEERPLICHT).await;
    let status_path = format!("/api/meldingen/{id}/status");
    for body in [
        serde_json::json!({"status": "in_behandeling"}),
        serde_json::json!({
            "status": "afgesloten",
            "reason": "verzuim_beeindigd",
            "afspraken": "Leerling gaat weer naar school",
        }),
    ] {
        ok(&s, &lpa, Method::POST, &status_path, Some(body), 200).await;
    }
    let (_, text) = make_letter(
        &s,
        &ib,
        case,
        &[("soort", "overzicht_melding"), ("melding", &melding)],
    )
    .await
    .unwrap();
    assert!(text.contains("verzuim beëindigd"), "{text}");
    assert!(!text.contains("verzuim_beeindigd"), "{text}");
    let (_, first) = get_page(&s, &ib, &format!("{letter}?formaat=tekst")).await;
    assert!(!first.contains("verzuim beëindigd"), "{first}");
    // The invitation, signed by the coordinator.
    let (_, text) = make_letter(
        &s,
        &ib,
        case,
        &[
            ("soort", "uitnodiging_gesprek"),
            ("datum", "2027-07-05"),
            ("tijd", "09:30"),
        ],
    )
    .await
    .unwrap();
    assert!(
        text.contains("Leerling 1001") && text.contains("Gebruiker ib@esch.nl"),
        "{text}"
    );
    assert!(text.contains("9.30 tot 10.15 uur"), "{text}");
    assert!(text.contains("maandag 5 juli 2027"), "{text}");
    assert!(
        text.contains("21 uur afwezig zonder geldige reden"),
        "the reason: {text}"
    );
    // A wrong date: a Dutch message, and nothing made.
    let before = s.raw_texts(timeline).await;
    let (status, body) = make_letter(
        &s,
        &ib,
        case,
        &[("soort", "uitnodiging_gesprek"), ("datum", "morgen")],
    )
    .await
    .unwrap_err();
    assert_eq!(status, 422);
    assert!(body.contains("geen geldige datum"), "{body}");
    assert_eq!(s.raw_texts(timeline).await, before);
    // Issue 11: the coordinator chooses the day, and it is a lesson day of the school: never in
    // the summer holiday (the old fixed "vrijdag 16 juli 2027"), never on a weekend, never
    // without a date or a time.
    for (form, says) in [
        (
            vec![("datum", "2027-07-16"), ("tijd", "08:45")],
            "valt in Zomervakantie",
        ),
        (
            vec![("datum", "2027-07-03"), ("tijd", "08:45")],
            "valt op een zaterdag en dat is geen lesdag",
        ),
        (vec![("tijd", "08:45")], "Kies de datum van het gesprek"),
        (
            vec![("datum", "2027-07-05")],
            "Kies de tijd van het gesprek",
        ),
        (
            vec![("datum", "2027-06-01"), ("tijd", "08:45")],
            "ligt voor vandaag",
        ),
    ] {
        let mut form = form;
        form.push(("soort", "uitnodiging_gesprek"));
        let (status, body) = make_letter(&s, &ib, case, &form).await.unwrap_err();
        assert_eq!(status, 422, "{form:?}: {body}");
        assert!(body.contains(says), "{form:?}: {body}");
    }
    assert_eq!(s.raw_texts(timeline).await, before);
    // The school does not write leerplicht's warning letter; leerplicht does, with a copy to
    // the school.
    let refused = make_letter(&s, &ib, case, &[("soort", "waarschuwingsbrief")]).await;
    assert_eq!(refused.unwrap_err().0, 403);
    let lpa = s.logged_in(LEERPLICHT).await;
    let (warning, text) = make_letter(
        &s,
        &lpa,
        case,
        &[("soort", "waarschuwingsbrief"), ("melding", &melding)],
    )
    .await
    .unwrap();
    assert!(
        text.contains("Leerling 1001") && text.contains("OBS De Esch"),
        "{text}"
    );
    // A letter is its organisation's: the school does not read leerplicht's.
    assert_eq!(get_page(&s, &ib, &warning).await.0, 404);
    // An unknown kind; the old GET address of a kind makes nothing.
    let unknown = make_letter(&s, &ib, case, &[("soort", "liefdesbrief")]).await;
    assert_eq!(unknown.unwrap_err().0, 422);
    let before = s.raw_texts(timeline).await;
    assert_eq!(
        get_page(
            &s,
            &ib,
            &format!("/zaken/{case}/brieven/uitnodiging_gesprek")
        )
        .await
        .0,
        404
    );
    assert_eq!(s.raw_texts(timeline).await, before);
    // The timeline shows the letters and the dossier links to those made; the audit log has
    // them.
    let (_, html) = get_page(&s, &ib, DOSSIER).await;
    assert!(
        html.contains("Brief: overzicht van de melding aan leerplicht (Melding"),
        "{html}"
    );
    assert!(html.contains("Brief: waarschuwingsbrief aan ouders"));
    assert!(html.contains(&format!("href=\"{letter}\"")), "{html}");
    let rows = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'letter'")
        .await;
    let made = letter.rsplit('/').next().unwrap();
    assert!(
        rows.iter()
            .any(|o| *o == format!("case:{case}:brief:overzicht_melding:{made}")),
        "{rows:?}"
    );
    let reads = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'pupil_read'")
        .await;
    assert!(
        reads
            .iter()
            .any(|o| *o == format!("case:{case}:brief:overzicht_melding:{made}")),
        "{reads:?}"
    );
}

async fn leerplicht_opens_a_dossier_only_with_a_melding(env: Env) {
    let s = region(&env).await;
    let (ib, _) = with_signal(&s).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    assert_eq!(get_page(&s, &lpa, DOSSIER).await.0, 404, "no melding yet");
    let _ = melding_from_page(&s, &ib).await;
    let (status, html) = get_page(&s, &lpa, DOSSIER).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Leerling 1001") && html.contains("<svg"));
    assert!(html.contains("Relatief verzuim"));
    assert!(html.contains("binnen de perioden van de meldingen"));
    // Leerplicht sees the registrations within the melding's period.
    assert!(day_cell(&html, "2026-09-22").contains("fill=\"#b3261e\""));
    // Read-only for the school's part: no school forms, no withdrawing.
    assert!(!html.contains("value=\"melding_intrekken\""));
    assert!(!html.contains("value=\"ouders\""));
    // Oldenzaal sees nothing.
    let other = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    assert_eq!(get_page(&s, &other, DOSSIER).await.0, 404);
    // And the school's forms refuse leerplicht.
    let (status, _) = call(&s, &lpa, Method::GET, "/leerlingen", None).await;
    assert_eq!(status, 403);
}

async fn the_inbox_and_pupil_list_link_to_the_dossier(env: Env) {
    let s = region(&env).await;
    let (ib, _) = with_signal(&s).await;
    let (status, html) = get_page(&s, &ib, "/taken").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/leerlingen/99XX00/1001\""), "{html}");
    assert!(html.contains(">Leerling 1001<"), "the pupil's name: {html}");
    assert!(html.contains(MELD));
    assert!(html.contains("Verlopen"), "the melding task is overdue");
    // Due 1 October 2026, the clock on 30 June 2027: 272 days.
    assert!(html.contains("272 dagen te laat"), "{html}");
    let first_overdue = html.find("Verlopen").unwrap();
    let talk_at = html.find(TALK).unwrap();
    let meld_at = html.find(MELD).unwrap();
    assert!(meld_at < talk_at || first_overdue < talk_at);
    let (status, html) = get_page(&s, &ib, "/leerlingen?q=leerling&groep=5").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/leerlingen/99XX00/1001\""));
    // The open cases, one per chain of the card: the relatief verzuim and the sick day apart.
    assert!(
        html.contains(": Relatief verzuim</a>") && html.contains(": Ziekmelding</a>"),
        "{html}"
    );
    let (_, html) = get_page(&s, &ib, "/leerlingen?q=niemand").await;
    assert!(html.contains("Geen leerlingen gevonden."));
    assert!(html.contains("aria-current=\"page\""));
}

async fn referral_and_judgement_from_the_page(env: Env) {
    const PAGE: &str = "/leerlingen/99XX00/1002";
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1002", "Oldenzaal")).await;
    register(&s, &ib, "1002", "ziek", "2026-09-07", "2026-09-25").await;
    let (_, html) = get_page(&s, &ib, PAGE).await;
    assert!(html.contains("Verwijzen naar de GGD-JGZ"), "{html}");
    let refer = open_tasks(&s, &ib, "1002").await;
    let refer = task_starting(&refer, "Gaat in gesprek met ouders en verwijst")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let (_, html) = post_form(
        &s,
        &ib,
        PAGE,
        &[
            ("actie", "taak_afronden"),
            ("taak", &refer),
            ("datum", "2026-09-22"),
            ("hoe", "telefoon"),
        ],
    )
    .await;
    // Without the aanmeldingsformulier nothing is referred (issue 11).
    assert!(
        html.contains("Vul de vraag van de school aan de GGD-JGZ in."),
        "{html}"
    );
    let (_, html) = post_form(
        &s,
        &ib,
        PAGE,
        &[
            ("actie", "taak_afronden"),
            ("taak", &refer),
            ("datum", "2026-09-22"),
            ("hoe", "telefoon"),
            ("vraag", "Wat is er nodig om weer naar school te gaan?"),
            ("acties", "Twee gesprekken met de ouders"),
            ("toestemming", "ja"),
        ],
    )
    .await;
    assert!(
        html.contains("De verwijzing naar de GGD-JGZ is gedaan."),
        "{html}"
    );
    // GGD-JGZ now opens the dossier, and may make an invitation.
    let jgz = s.logged_in(JGZ).await;
    let (status, html) = get_page(&s, &jgz, PAGE).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"soort\" value=\"uitnodiging_ggd_jgz\""));
    assert!(html.contains("GGD-JGZ ziet geen registraties"));
    let referral = ok(&s, &jgz, Method::GET, "/api/referrals", None, 200).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    for status in ["in_behandeling", "niet_verschenen_zonder_tegenbericht"] {
        ok(
            &s,
            &jgz,
            Method::POST,
            &format!("/api/referrals/{referral}/status"),
            Some(serde_json::json!({"status": status})),
            200,
        )
        .await;
    }
    // The school judges the no-show on the page: a choice is required.
    let judge = open_tasks(&s, &ib, "1002").await;
    let judge = task_starting(&judge, "Beoordeelt of de leerling zonder goede reden")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let (_, html) = get_page(&s, &ib, PAGE).await;
    assert!(html.contains("value=\"zonder_goede_reden\""));
    let (_, html) = post_form(
        &s,
        &ib,
        PAGE,
        &[("actie", "taak_afronden"), ("taak", &judge)],
    )
    .await;
    assert!(
        html.contains("Kies of de leerling met of zonder goede reden"),
        "{html}"
    );
    let (_, html) = post_form(
        &s,
        &ib,
        PAGE,
        &[
            ("actie", "taak_afronden"),
            ("taak", &judge),
            ("oordeel", "zonder_goede_reden"),
        ],
    )
    .await;
    assert!(html.contains("De taak is afgerond."), "{html}");
    assert!(html.contains("zonder goede reden niet verschenen bij de GGD-JGZ"));
    let tasks = open_tasks(&s, &ib, "1002").await;
    let meld = task_starting(
        &tasks,
        "Bij niet verschijnen bij de GGD-JGZ zonder goede reden",
    );
    assert_eq!(meld["melding"], true);
    // The referral letter for the parents.
    let case = meld["case_id"].as_i64().unwrap();
    let referral = referral.to_string();
    let (_, text) = make_letter(
        &s,
        &ib,
        case,
        &[("soort", "verwijzing_ggd_jgz"), ("verwijzing", &referral)],
    )
    .await
    .unwrap();
    assert!(
        text.contains("Leerling 1002") && text.contains("GGD Twente"),
        "{text}"
    );
}

/// A signal raised by a recorded event (overig verzuim) names the event, with its date, in its
/// evidence: what the school recorded, not a number.
async fn an_event_in_the_evidence_is_named_with_its_date(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    ok(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/pupils/1001/events",
        Some(serde_json::json!({
            "event": "overig_verzuim",
            "date": "2026-10-07",
            "note": "zorgen over de thuissituatie"
        })),
        201,
    )
    .await;
    let (status, html) = get_page(&s, &ib, DOSSIER).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Overig verzuim"), "{html}");
    assert!(
        html.contains("07-10-2026"),
        "the event's date in the evidence"
    );
    assert!(
        !html.contains("Gebeurtenis "),
        "no bare event number: {html}"
    );
}

/// Vroegsignalering: three days of unauthorized absence (915 of 960 minutes in the window) put a
/// pupil on the coordinator's early warnings, before the signal; a pupil without absence is not
/// there; a leerkracht cannot open the page.
async fn the_early_warnings_show_a_pupil_close_to_the_16_hours(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    enrol(&s, &ib, pupil("1002", "enschede")).await;
    // The clock stands at 30 June 2027: Monday to Wednesday of that week.
    for day in ["2027-06-28", "2027-06-29", "2027-06-30"] {
        register(&s, &juf, "1001", "ongeoorloofd", day, day).await;
    }
    assert!(
        open_tasks(&s, &ib, "1001").await.is_empty(),
        "no signal yet"
    );
    let (status, html) = get_page(&s, &ib, "/vroegsignalering").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("href=\"/vroegsignalering\""), "in the nav");
    assert!(html.contains("/leerlingen/99XX00/1001"), "{html}");
    assert!(html.contains("Relatief verzuim"), "{html}");
    assert!(
        html.contains("15 uur en 15 minuten van 16 uur (95%)"),
        "{html}"
    );
    assert!(
        html.contains("Meldt bij de leerplichtambtenaar"),
        "the school's action: {html}"
    );
    assert!(!html.contains("/leerlingen/99XX00/1002"), "{html}");
    assert_eq!(get_page(&s, &juf, "/vroegsignalering").await.0, 403);
}
