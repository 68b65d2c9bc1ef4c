//! Issue 11, "every action on the card has its place", through the API and the pages:
//!
//! - GGD-JGZ: the referral carries the school's aanmeldingsformulier and shows the parents'
//!   contact data and the pupil's age; GGD-JGZ feeds afspraken back (the school sees exactly that
//!   text, with a task; never GGD-JGZ's notes; leerplicht nothing of it); GGD-JGZ's invitation
//!   letter to the parents (PDF, its own letterhead).
//! - Leerplicht: "verwijzing zorg" with the organisation; "ouders en leerling" together; actions
//!   that together do a card task complete it; the oproep letter with date, time and place.
//! - School: the report to the Onderwijsinspectie and the consultation with the
//!   samenwerkingsverband recorded with the task; the dossier's print stylesheet; the
//!   beheerder's link to the inzage export.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ggd_api::{NOTE, referral_form, referred_pupil};
use crate::harness::{Env, TestServer, get_page, make_letter, page_client, post_form};
use crate::region::*;

crate::http_tests!(
    ggd_jgz_referral_form_contact_afspraken_and_letter,
    leerplicht_care_referral_together_and_oproep,
    school_reports_to_inspectie_and_samenwerkingsverband,
    printable_dossier_and_inzage_link,
);

const AFSPRAKEN: &str = "Leerling komt de ochtenden naar school; gym voorlopig niet";

async fn ggd_jgz_referral_form_contact_afspraken_and_letter(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let jgz = s.logged_in(JGZ).await;
    let referral = referred_pupil(&s, &ib).await;
    let path = format!("/api/referrals/{referral}");

    // The referral: the form, the contact data, the age (born 1 March 2016: 11 on 30 June 2027).
    let r = ok(&s, &jgz, Method::GET, &path, None, 200).await;
    assert_eq!(r["form"], {
        let mut f = referral_form();
        f["parents_informed_on"] = json!("2026-09-22");
        f["parents_informed_how"] = json!("telefoon");
        f
    });
    assert_eq!(r["contact"]["parent_name"], "Ouder");
    assert_eq!(r["contact"]["parent_email"], "ouder@example.nl");
    assert_eq!(r["contact"]["age"], 11);
    assert_eq!(r["contact"]["birth_date"], "2016-03-01");
    assert_eq!(r["afspraken"], json!([]));

    // GGD-JGZ's page shows them; its note stays its own.
    ok(
        &s,
        &jgz,
        Method::POST,
        &format!("{path}/notes"),
        Some(json!({"text": NOTE})),
        201,
    )
    .await;
    let jgz_pages = s.logged_in(JGZ).await;
    let page = format!("/verwijzingen/{referral}");
    let (status, html) = get_page(&s, &jgz_pages, &page).await;
    assert_eq!(status, 200);
    for shown in [
        "Contact met ouders en leerling",
        "ouder@example.nl",
        "(11 jaar)",
        "Digitaal aanmeldingsformulier van de school",
        "Kan de GGD-JGZ met de ouders kijken naar de lange ziekte?",
        "Gesprek met moeder op 22 september",
        "ja, de ouders geven toestemming",
        "Uitgangspunt van de verzuimkaart (geen actie)",
        "name=\"soort\" value=\"uitnodiging_ggd_jgz\"",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }

    // Afspraken: refused when empty, for the school, and for another GGD-JGZ.
    let afspraken = format!("{path}/afspraken");
    let (status, _) = call(
        &s,
        &jgz,
        Method::POST,
        &afspraken,
        Some(json!({"text": " "})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &s,
        &ib,
        Method::POST,
        &afspraken,
        Some(json!({"text": "x"})),
    )
    .await;
    assert_eq!(status, 403);
    let other = s.logged_in(OTHER_JGZ).await;
    let (status, _) = call(
        &s,
        &other,
        Method::POST,
        &afspraken,
        Some(json!({"text": "x"})),
    )
    .await;
    assert_eq!(status, 404);
    // Through the page form.
    let (status, _) = post_form(
        &s,
        &jgz_pages,
        &page,
        &[("actie", "afspraken"), ("tekst", AFSPRAKEN)],
    )
    .await;
    assert!(status == 200 || status == 303, "{status}");

    // The school: exactly the text and a task to take note with it; never the note.
    let seen = ok(&s, &ib, Method::GET, &path, None, 200).await;
    assert_eq!(seen["afspraken"][0]["text"], AFSPRAKEN);
    assert!(!seen.to_string().contains(NOTE));
    let tasks = open_tasks(&s, &ib, "1002").await;
    let take_note = task_starting(&tasks, "Kennisnemen van de afspraken van de GGD-JGZ");
    let detail = task_detail(&s, &ib, &take_note["id"]).await;
    assert_eq!(detail["link"]["detail"], AFSPRAKEN, "{detail}");
    let ib_pages = s.logged_in(COORDINATOR).await;
    let (_, html) = get_page(&s, &ib_pages, &page).await;
    assert!(html.contains(AFSPRAKEN), "{html}");
    assert!(!html.contains(NOTE), "{html}");
    let (_, dossier) = get_page(&s, &ib_pages, "/leerlingen/99XX00/1002").await;
    assert!(
        dossier.contains("GGD-JGZ heeft afspraken teruggekoppeld aan de school"),
        "{dossier}"
    );
    complete(&s, &ib, take_note["id"].as_i64().unwrap(), json!({})).await;

    // GGD-JGZ's invitation letter: date, time and place it chose, its own letterhead.
    let case = seen["referral"]["case_id"].as_i64().unwrap();
    let referral_text = referral.to_string();
    let (_, text) = make_letter(
        &s,
        &jgz_pages,
        case,
        &[
            ("soort", "uitnodiging_ggd_jgz"),
            ("verwijzing", &referral_text),
            ("datum", "2027-07-07"),
            ("tijd", "10:15"),
            ("plaats", "GGD Twente, Nijverheidstraat 30, Enschede"),
        ],
    )
    .await
    .unwrap();
    for field in [
        "GGD Twente",
        "Ouder",
        "Leerling 1002",
        "bij ons aangemeld",
        "langer dan twee weken ziek",
        "woensdag 7 juli 2027",
        "10.15 uur",
        "GGD Twente, Nijverheidstraat 30, Enschede",
        "vertrouwelijk",
    ] {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(field), "{field}: {text}");
    }
    // The school does not write GGD-JGZ's letter.
    let refused = make_letter(
        &s,
        &ib_pages,
        case,
        &[
            ("soort", "uitnodiging_ggd_jgz"),
            ("datum", "2027-07-07"),
            ("tijd", "10:15"),
        ],
    )
    .await;
    assert_eq!(refused.unwrap_err().0, 403);
    // The school's referral letter: what it wrote on the form, and the principle as a principle.
    let (_, text) = make_letter(
        &s,
        &ib_pages,
        case,
        &[
            ("soort", "verwijzing_ggd_jgz"),
            ("verwijzing", &referral_text),
        ],
    )
    .await
    .unwrap();
    assert!(
        text.contains("Gesprek met moeder op 22 september"),
        "{text}"
    );
    assert!(
        !text.contains("De school heeft al het volgende gedaan: Ouders dienen"),
        "{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "Uitgangspunt van de verzuimkaart Ouders dienen van alle acties op de hoogte te zijn."
        ),
        "{flat}"
    );
}

/// A pupil (born `birth`) with 21 hours ongeoorloofd, reported to Enschede, taken up by
/// leerplicht. Returns the melding's id.
async fn melding_taken_up(
    s: &TestServer,
    ib: &reqwest::Client,
    lpa: &reqwest::Client,
    id: &str,
    birth: &str,
) -> i64 {
    let mut p = pupil(id, "Enschede");
    p["birth_date"] = json!(birth);
    enrol(s, ib, p).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, ib, id, "ongeoorloofd", day, day).await;
    }
    let tasks = open_tasks(s, ib, id).await;
    complete(
        s,
        ib,
        task_starting(&tasks, "Gaat in gesprek met ouders en stelt hen")["id"]
            .as_i64()
            .unwrap(),
        json!({"parents_informed": parents("2026-09-25", "gesprek")}),
    )
    .await;
    let melding = complete(
        s,
        ib,
        task_starting(&tasks, "Meldt bij de leerplichtambtenaar")["id"]
            .as_i64()
            .unwrap(),
        json!({"parents_informed": parents("2026-09-28", "brief"), "melding": melding_content()}),
    )
    .await["melding_id"]
        .as_i64()
        .unwrap();
    ok(
        s,
        lpa,
        Method::POST,
        &format!("/api/meldingen/{melding}/status"),
        Some(json!({"status": "in_behandeling"})),
        200,
    )
    .await;
    melding
}

fn card_task(tasks: &[Value]) -> Option<Value> {
    tasks
        .iter()
        .find(|t| {
            t["text"]
                .as_str()
                .unwrap()
                .starts_with("Gaat in gesprek met ouders")
        })
        .cloned()
}

async fn leerplicht_care_referral_together_and_oproep(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    // 14 years old: the card's "(en leerling vanaf 12 jaar)" asks for parents and pupil.
    let older = melding_taken_up(&s, &ib, &lpa, "1003", "2013-01-01").await;
    let acties = format!("/api/meldingen/{older}/acties");
    let talk = |with: &str| json!({"kind": "gesprek", "date": "2026-10-01", "with": with, "summary": "Besproken"});
    ok(&s, &lpa, Method::POST, &acties, Some(talk("ouders")), 201).await;
    let open = open_tasks(&s, &lpa, "1003").await;
    let task = card_task(&open).expect("one talk is not enough at 14");
    assert!(
        task["text"]
            .as_str()
            .unwrap()
            .contains("ouders en leerling"),
        "{task}"
    );
    // The conversation with the pupil: together the two do the card's task.
    ok(&s, &lpa, Method::POST, &acties, Some(talk("leerling")), 201).await;
    assert!(card_task(&open_tasks(&s, &lpa, "1003").await).is_none());
    let done = task_detail(&s, &lpa, &task["id"]).await;
    assert_eq!(done["status"], "done");
    assert_eq!(
        done["status_reason"],
        "Gedaan met de vastgelegde acties van leerplicht"
    );

    // Parents and pupil together, in one conversation.
    let together = melding_taken_up(&s, &ib, &lpa, "1004", "2013-02-01").await;
    ok(
        &s,
        &lpa,
        Method::POST,
        &format!("/api/meldingen/{together}/acties"),
        Some(talk("ouders_en_leerling")),
        201,
    )
    .await;
    assert!(card_task(&open_tasks(&s, &lpa, "1004").await).is_none());

    // Verwijzing zorg: the organisation is required; the school sees that it happened, not to
    // whom.
    let (status, body) = call(
        &s,
        &lpa,
        Method::POST,
        &acties,
        Some(json!({"kind": "verwijzing_zorg", "date": "2026-10-02", "parents_informed": "telefoon"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string()
            .contains("De organisatie waarnaar is verwezen"),
        "{body}"
    );
    let a = ok(
        &s,
        &lpa,
        Method::POST,
        &acties,
        Some(json!({"kind": "verwijzing_zorg", "date": "2026-10-02", "parents_informed": "telefoon", "referred_to": "Wijkteam Enschede-Noord"})),
        201,
    )
    .await;
    assert_eq!(a["referred_to"], "Wijkteam Enschede-Noord");
    let (_, dossier) = get_page(
        &s,
        &page_client(&s, COORDINATOR).await,
        "/leerlingen/99XX00/1003",
    )
    .await;
    assert!(
        dossier.contains("Leerplicht: verwijzing zorg gegeven op"),
        "{dossier}"
    );
    assert!(!dossier.contains("Wijkteam"), "{dossier}");

    // The melding page offers the new action and the oproep; the oproep letter has the date,
    // time and place leerplicht chose, and a copy to the school.
    let lpa_pages = s.logged_in(LEERPLICHT).await;
    let (_, html) = get_page(&s, &lpa_pages, &format!("/meldingen/{older}")).await;
    for shown in [
        "value=\"verwijzing_zorg\"",
        "value=\"ouders_en_leerling\"",
        "value=\"oproep_leerplicht\"",
        "Verwijzing zorg naar Wijkteam Enschede-Noord",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }
    let melding = older.to_string();
    let m = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{older}"),
        None,
        200,
    )
    .await;
    let case = m["melding"]["case_id"]
        .as_i64()
        .or(m["case_id"].as_i64())
        .unwrap();
    let (_, text) = make_letter(
        &s,
        &lpa_pages,
        case,
        &[
            ("soort", "oproep_leerplicht"),
            ("melding", &melding),
            ("doel", "proces_verbaal"),
            ("datum", "2027-07-12"),
            ("tijd", "14:00"),
            ("plaats", "Stadhuis Enschede, kamer 2.14"),
        ],
    )
    .await
    .unwrap();
    for field in [
        "relatief verzuim gemeld",
        "verschijnen voor een verhoor",
        "maandag 12 juli 2027",
        "14.00 uur",
        "Stadhuis Enschede, kamer 2.14",
        "Omdat Leerling 1003 12 jaar of ouder is",
        "Kopie aan: OBS De Esch",
    ] {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(field), "{field}: {text}");
    }
    // Without a time: a Dutch error, nothing made.
    let (status, body) = make_letter(
        &s,
        &lpa_pages,
        case,
        &[
            ("soort", "oproep_leerplicht"),
            ("melding", &melding),
            ("datum", "2027-07-12"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(status, 422);
    assert!(body.contains("Kies de tijd van het gesprek"), "{body}");
}

async fn school_reports_to_inspectie_and_samenwerkingsverband(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    // Verwijdering: the school records its report to the inspectie with the task.
    enrol(&s, &ib, pupil("1005", "Enschede")).await;
    ok(
        &s,
        &ib,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/pupils/1005/events"),
        Some(json!({"event": "verwijdering", "date": "2027-06-01", "note": "CBS De Wilg"})),
        201,
    )
    .await;
    let tasks = open_tasks(&s, &ib, "1005").await;
    let inspectie = task_starting(&tasks, "Meldt bij de Onderwijsinspectie")["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{inspectie}/complete");
    let (status, body) = call(&s, &ib, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("Onderwijsinspectie"), "{body}");
    let report = |decision: &str, reported: &str| {
        json!({"school_report": {"kind": "inspectie", "decision_date": decision,
            "accepting_school": "CBS De Wilg", "reason": "Ernstig grensoverschrijdend gedrag",
            "report_date": reported}})
    };
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &path,
        Some(report("2027-06-03", "2027-06-02")),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("ligt voor het besluit"), "{body}");
    complete(&s, &ib, inspectie, report("2027-06-01", "2027-06-02")).await;
    let ib_pages = s.logged_in(COORDINATOR).await;
    let (_, html) = get_page(&s, &ib_pages, "/leerlingen/99XX00/1005").await;
    assert!(
        html.contains("Gemeld bij de Onderwijsinspectie op 02-06-2027: besluit tot verwijderen van 01-06-2027, toelatende school CBS De Wilg"),
        "{html}"
    );

    // Langdurig relatief verzuim: the consultation with the samenwerkingsverband, on the page.
    enrol(&s, &ib, pupil("1006", "Enschede")).await;
    register(&s, &ib, "1006", "ongeoorloofd", "2026-09-07", "2026-10-09").await;
    let tasks = open_tasks(&s, &ib, "1006").await;
    let swv = task_starting(&tasks, "Meldt/gaat in overleg met het samenwerkingsverband")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let page = "/leerlingen/99XX00/1006";
    let (_, html) = get_page(&s, &ib_pages, page).await;
    assert!(
        html.contains("Overleg met het samenwerkingsverband"),
        "{html}"
    );
    let (_, html) = post_form(
        &s,
        &ib_pages,
        page,
        &[
            ("actie", "taak_afronden"),
            ("taak", &swv),
            ("swv_met", "M. Post, consulent SWV 2301"),
            ("swv_datum", "2026-10-12"),
            (
                "swv_uitkomst",
                "Arrangement op school; evaluatie na 6 weken",
            ),
        ],
    )
    .await;
    assert!(
        html.contains("Overleg met het samenwerkingsverband op 12-10-2026 met M. Post, consulent SWV 2301: Arrangement op school"),
        "{html}"
    );
    // Leerplicht never reads the school's report (no melding here, and none of its content).
    let done = task_detail(&s, &ib, &json!(swv.parse::<i64>().unwrap())).await;
    assert_eq!(done["status"], "done");
}

async fn printable_dossier_and_inzage_link(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1007", "Enschede")).await;
    // The stylesheet prints without navigation and forms.
    let (_, html) = get_page(
        &s,
        &page_client(&s, COORDINATOR).await,
        "/leerlingen/99XX00/1007",
    )
    .await;
    let css_href = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .expect("the stylesheet")
        .to_owned();
    let (status, css) = get_page(&s, &ib, &css_href).await;
    assert_eq!(status, 200);
    let print = css
        .split("@media print")
        .nth(1)
        .expect("a print stylesheet");
    for hidden in ["header.top", "nav", "form"] {
        assert!(print.contains(hidden), "{hidden}: {print}");
    }
    let (_, html) = get_page(
        &s,
        &page_client(&s, COORDINATOR).await,
        "/leerlingen/99XX00/1007",
    )
    .await;
    assert!(html.contains("Afdrukken of als PDF bewaren"), "{html}");
    // The beheerder reaches the inzage export from the pupil's data page, and it works.
    let admin = page_client(&s, SCHOOL_ADMIN).await;
    let (status, html) = get_page(&s, &admin, "/leerlingen/99XX00/1007/gegevens").await;
    assert_eq!(status, 200, "{html}");
    let href = html
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .find(|h| h.contains("/inzage"))
        .expect("a link to the inzage export")
        .replace("&amp;", "&");
    let res = admin.get(s.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc.to_string().contains("1007"), "{doc}");
    // The coordinator's data page has no such link.
    let (_, html) = get_page(
        &s,
        &page_client(&s, COORDINATOR).await,
        "/leerlingen/99XX00/1007/gegevens",
    )
    .await;
    assert!(!html.contains("/inzage"), "{html}");
}
