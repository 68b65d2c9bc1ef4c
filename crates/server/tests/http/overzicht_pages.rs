//! issue 4, item 7: `/overzicht`: a school's absence percentage per month and code (absent
//! lesson minutes / planned lesson minutes from the school's calendar), signals per kind, and
//! leerplicht's meldingen; charts as accessible SVG with the numbers in tables.

use std::time::Instant;

use crate::harness::{Env, get_page};
use crate::region::*;

crate::http_tests!(
    the_percentages_are_right_for_a_known_school,
    leerplicht_sees_its_meldingen_overview,
    others_get_no_overview_of_the_school,
);

/// The table row of a month in the first (school) block.
fn month_row<'a>(body: &'a str, month: &str) -> &'a str {
    let start = body
        .find(&format!("<th scope=\"row\">{month}</th>"))
        .unwrap_or_else(|| panic!("{month} in {body}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

async fn the_percentages_are_right_for_a_known_school(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("4001", ENSCHEDE)).await;
    // Monday and Tuesday unauthorized (2 × 345 minutes), the next Monday ill (345).
    register(&s, &ib, "4001", "ongeoorloofd", "2027-06-21", "2027-06-22").await;
    register(&s, &ib, "4001", "ziek", "2027-06-28", "2027-06-28").await;
    let started = Instant::now();
    let (status, body) = get_page(&s, &ib, "/overzicht").await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200, "{body}");
    eprintln!("/overzicht: {elapsed:?}");
    // June 2027 for one pupil with the demo school's times (345 minutes a day, Wednesday 225,
    // closed Monday 14 June, up to today 30 June): 6645 planned minutes = 110,75 hours.
    // Absent 1035 = 15,6%: ongeoorloofd 690 = 10,4%, ziek 345 = 5,2%.
    let june = month_row(&body, "jun 27");
    assert!(
        june.starts_with(
            "<th scope=\"row\">jun 27</th><td>110 uur en 45 minuten</td><td>17 uur en 15 minuten</td><td>15,6%</td><td>10,4%</td><td>0,0%</td><td>5,2%</td>"
        ),
        "{june}"
    );
    // May: no absence.
    let may = month_row(&body, "mei 27");
    assert!(may.contains("<td>0,0%</td>"), "{may}");
    // The chart: an accessible image with title and a bar per code present.
    assert!(body.contains("role=\"img\""));
    assert!(body.contains("<title id=\"grafiek-"));
    assert!(body.contains("jun 27: 15,6%"), "text alternative");
    assert!(body.contains("class=\"chart-s0\"") && body.contains("class=\"chart-s2\""));
    // Per group: group 5 has the same numbers.
    assert!(body.contains("Groep 5 (1 leerling)"), "{body}");
    assert!(!body.contains("1 leerlingen"), "plural right");
    assert_eq!(
        body.matches("<td>110 uur en 45 minuten</td><td>17 uur en 15 minuten</td><td>15,6%</td>")
            .count(),
        2
    );
    // The beheerder sees it too.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    assert_eq!(get_page(&s, &admin, "/overzicht").await.0, 200);
}

async fn leerplicht_sees_its_meldingen_overview(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    // Two pupils of Enschede with four days of unauthorized absence (1260 minutes): relatief
    // verzuim; the school makes the meldingen.
    for id in ["4001", "4002"] {
        enrol(&s, &ib, pupil(id, ENSCHEDE)).await;
        register(&s, &ib, id, "ongeoorloofd", "2027-06-21", "2027-06-24").await;
        let tasks = open_tasks(&s, &ib, id).await;
        let meld = tasks
            .iter()
            .find(|t| t["melding"] == true)
            .unwrap_or_else(|| panic!("a melding task in {tasks:#?}"));
        complete(
            &s,
            &ib,
            meld["id"].as_i64().unwrap(),
            serde_json::json!({
                "parents_informed": parents("2027-06-25", "brief"),
                "melding": melding_content(),
            }),
        )
        .await;
    }
    let lpa = s.logged_in(LEERPLICHT).await;
    let (status, body) = get_page(&s, &lpa, "/overzicht").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Overzicht meldingen"));
    assert!(body.contains("2 meldingen ontvangen."), "{body}");
    assert!(
        body.contains(
            "<tr class=\"school-row\"><th scope=\"row\">OBS De Esch</th><td>2</td><td>0</td>"
        ),
        "per school and status: {body}"
    );
    // Per month of receipt (the meldingen's own timestamp).
    let created = s.raw_texts("SELECT created_at FROM meldingen").await;
    let month: usize = created[0][5..7].parse().unwrap();
    let label = format!(
        "{} {}",
        [
            "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"
        ][month - 1],
        &created[0][2..4]
    );
    assert!(
        body.contains(&format!(
            "<th scope=\"row\">{label}</th><td>2</td><td>2</td>"
        )),
        "per month ({label}): {body}"
    );
    assert!(body.contains("role=\"img\"") && body.contains("Meldingen per status"));
    // Another municipality sees none of them.
    let other = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    let (status, body) = get_page(&s, &other, "/overzicht").await;
    assert_eq!(status, 200);
    assert!(body.contains("0 meldingen ontvangen."), "{body}");
}

async fn others_get_no_overview_of_the_school(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("4001", ENSCHEDE)).await;
    register(&s, &ib, "4001", "ongeoorloofd", "2027-06-21", "2027-06-22").await;
    for who in [TEACHER, JGZ, GGD_ADMIN, MUNICIPALITY_ADMIN] {
        let c = s.logged_in(who).await;
        assert_eq!(get_page(&s, &c, "/overzicht").await.0, 403, "{who}");
    }
    // The other school's coordinator sees its own (empty) school, not this one's absence.
    let other = s.logged_in("ib@wilg.nl").await;
    let (status, body) = get_page(&s, &other, "/overzicht").await;
    assert_eq!(status, 200);
    assert!(body.contains("(0 leerlingen)"), "{body}");
    assert!(!body.contains("15,6%") && !body.contains("Groep 5"));
}
