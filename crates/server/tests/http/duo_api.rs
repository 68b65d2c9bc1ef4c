//! Issue 11, the melding to DUO through the API: what the school adds for the verzuimregister,
//! its contact person, DUO's meldingsnummer and the later update are writable by the API as by
//! the page (400 for what the schema forbids, 422 in Dutch for a rule of the register, audited);
//! and DUO's status, recorded by the school, moves the melding's own status and history by one
//! mapping, which leerplicht sees, never rewriting a final status leerplicht set.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Env, TestServer, get_page, page_client, post_form_located};
use crate::region::*;

crate::http_tests!(
    duo_details_submission_and_contact_through_the_api,
    duos_status_moves_the_melding_forward_only,
);

/// Enrols `id` for Enschede and makes its relatief melding (four days in June 2027).
async fn melding_for(s: &TestServer, ib: &reqwest::Client, id: &str, bsn: &str) -> i64 {
    let mut p = pupil(id, ENSCHEDE);
    p["bsn"] = json!(bsn);
    enrol(s, ib, p).await;
    register(s, ib, id, "ongeoorloofd", "2027-06-21", "2027-06-24").await;
    let tasks = open_tasks(s, ib, id).await;
    let meld = tasks
        .iter()
        .find(|t| t["melding"] == true)
        .unwrap_or_else(|| panic!("a melding task in {tasks:#?}"));
    let out = complete(
        s,
        ib,
        meld["id"].as_i64().unwrap(),
        json!({
            "parents_informed": parents("2027-06-25", "brief"),
            "melding": melding_content(),
        }),
    )
    .await;
    out["melding_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{out}"))
}

fn details() -> Value {
    json!({
        "verblijfadres": null,
        "telefoonnummer": "06 12345678",
        "telefoonnummer_van": "ouder",
        "alle_lessen_gemist": true,
        "actie_door_gemeente_gewenst": true,
        "locatie": "OBS De Esch, Enschede",
    })
}

const CONTACT: &str = "/api/schools/99XX00/contactpersoon";

fn contact() -> Value {
    json!({
        "naam": "Anna de Vries",
        "functie": "Intern begeleider",
        "telefoon": "053-7654321",
        "email": "a.devries@esch.example",
    })
}

/// The error's code and message.
fn error(body: &Value) -> (&str, &str) {
    (
        body["error"]["code"].as_str().unwrap_or(""),
        body["error"]["message"].as_str().unwrap_or(""),
    )
}

/// Contact person, details and submission: the melding is ready in DUO's register.
async fn submitted(s: &TestServer, ib: &reqwest::Client, id: i64, nummer: &str) -> Value {
    let (status, _) = call(s, ib, Method::PUT, CONTACT, Some(contact())).await;
    assert_eq!(status, 200);
    let path = format!("/api/meldingen/{id}/duo-verzuimregister");
    ok(s, ib, Method::PUT, &path, Some(details()), 200).await;
    ok(
        s,
        ib,
        Method::POST,
        &format!("{path}/indiening"),
        Some(json!({"meldingsnummer": nummer, "ingediend_op": "2027-06-30"})),
        200,
    )
    .await
}

async fn duo_details_submission_and_contact_through_the_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let id = melding_for(&s, &ib, "5001", "400276872").await;
    let path = format!("/api/meldingen/{id}/duo-verzuimregister");

    // The contact person: none yet; a broken one refused in Dutch; then stored and read back.
    let (status, _) = call(&s, &ib, Method::GET, CONTACT, None).await;
    assert_eq!(status, 404);
    let mut bad = contact();
    bad["email"] = json!("geen-adres");
    let (status, body) = call(&s, &ib, Method::PUT, CONTACT, Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        error(&body),
        (
            "ongeldig",
            "Contactpersoon, e-mailadres: \"geen-adres\" is geen e-mailadres."
        )
    );
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    assert_eq!(
        ok(&s, &admin, Method::PUT, CONTACT, Some(contact()), 200).await,
        contact()
    );
    assert_eq!(
        ok(&s, &ib, Method::GET, CONTACT, None, 200).await,
        contact()
    );

    // What the schema forbids is 400; what the register's rules forbid is 422, nothing stored.
    let mut wrong = details();
    wrong["telefoonnummer_van"] = json!("buurman");
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(wrong)).await;
    assert_eq!(
        (status, error(&body).0),
        (400, "ongeldige_waarde"),
        "{body}"
    );
    let mut wrong = details();
    wrong["einddatum"] = json!("30-06-2027");
    let (status, _) = call(&s, &ib, Method::PUT, &path, Some(wrong)).await;
    assert_eq!(status, 400);
    let mut no_reason = details();
    no_reason["actie_door_gemeente_gewenst"] = json!(false);
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(no_reason)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        error(&body),
        (
            "ongeldig",
            "Actie door gemeente gewenst: vul bij \"nee\" de reden in."
        )
    );
    let mut half = details();
    half["verblijfadres"] =
        json!({"straat_huisnummer": "Markt 1", "postcode": "1234", "plaats": "Enschede"});
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(half)).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error(&body).1.starts_with("Verblijfadres, postcode"),
        "{body}"
    );
    let mut end = details();
    end["einddatum"] = json!("2027-06-29");
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(end)).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error(&body)
            .1
            .starts_with("Einddatum: alleen bij langdurig"),
        "{body}"
    );
    let doc = ok(&s, &ib, Method::GET, &path, None, 200).await;
    assert_eq!(doc["leerling"]["verblijfadres"], Value::Null, "{doc}");
    assert_eq!(doc["indiening"], Value::Null);

    // Stored: the document shows it.
    let mut good = details();
    good["verblijfadres"] =
        json!({"straat_huisnummer": "Markt 1", "postcode": "7511 ab", "plaats": "Enschede"});
    good["telefoonnummer"] = json!("06 87654321");
    let doc = ok(&s, &ib, Method::PUT, &path, Some(good), 200).await;
    assert_eq!(doc["leerling"]["telefoonnummer"], "06 87654321");
    assert_eq!(doc["leerling"]["verblijfadres"]["postcode"], "7511 AB");
    assert_eq!(doc["contactpersoon"]["naam"], "Anna de Vries");

    // The submission: a broken number, a day before the melding: 422; then recorded, once.
    let sub = format!("{path}/indiening");
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &sub,
        Some(json!({"meldingsnummer": "VR 1!", "ingediend_op": "2027-06-30"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error(&body).1.starts_with("Meldingsnummer: \"VR 1!\""),
        "{body}"
    );
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &sub,
        Some(json!({"meldingsnummer": "VR-1", "ingediend_op": "2027-06-29"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let doc = ok(
        &s,
        &ib,
        Method::POST,
        &sub,
        Some(json!({"meldingsnummer": "VR-2027-0815", "ingediend_op": "2027-06-30"})),
        200,
    )
    .await;
    assert_eq!(doc["indiening"]["meldingsnummer"], "VR-2027-0815");
    assert_eq!(doc["indiening"]["ingediend_op"], "2027-06-30");
    assert_eq!(
        doc["status_duo"],
        json!({"code": "geregistreerd", "sinds": "2027-06-30", "reden_duo": null})
    );
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &sub,
        Some(json!({"meldingsnummer": "VR-2", "ingediend_op": "2027-06-30"})),
    )
    .await;
    assert_eq!((status, error(&body).0), (409, "conflict"), "{body}");
    // No update for a relatief verzuim (only langdurig relatief verzuim has an einddatum later).
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &format!("{path}/wijziging"),
        Some(json!({"ingediend_op": "2027-06-30"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error(&body).1.starts_with("Er is geen wijziging voor DUO"),
        "{body}"
    );

    // Leerplicht reads the same document, and may not write it.
    let lpa = s.logged_in(LEERPLICHT).await;
    let seen = ok(&s, &lpa, Method::GET, &path, None, 200).await;
    assert_eq!(seen["indiening"]["meldingsnummer"], "VR-2027-0815");
    let (status, _) = call(&s, &lpa, Method::PUT, &path, Some(details())).await;
    assert_eq!(status, 403);

    // Every write has its audit row, with the pupil; a refused one none.
    let objects = audit_objects(&s, &admin, SCHOOL, "99XX00/5001").await;
    let count = |o: &str| objects.iter().filter(|x| x.as_str() == o).count();
    assert_eq!(
        count(&format!("melding:{id}:duo_gegevens")),
        1,
        "{objects:?}"
    );
    assert_eq!(
        count(&format!("melding:{id}:duo_ingediend")),
        1,
        "{objects:?}"
    );
}

async fn duos_status_moves_the_melding_forward_only(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    let id = melding_for(&s, &ib, "5001", "400276872").await;
    let path = format!("/api/meldingen/{id}/duo-verzuimregister");
    let status_path = format!("{path}/status");

    // Before the submission there is no status at DUO to record.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling", "sinds": "2027-06-29"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error(&body)
            .1
            .contains("leg eerst de indiening bij DUO vast"),
        "{body}"
    );
    submitted(&s, &ib, id, "VR-2027-0815").await;

    // 400 for a status outside DUO's list; 422 for a rule: not forward, reason missing or
    // misplaced, a day before the submission.
    for (body, code, starts) in [
        (
            json!({"status": "ontvangen", "sinds": "2027-06-29"}),
            400,
            "",
        ),
        (
            json!({"status": "geregistreerd", "sinds": "2027-06-29"}),
            422,
            "Status bij DUO: na \"geregistreerd\" kan niet \"geregistreerd\" volgen",
        ),
        (
            json!({"status": "afgesloten", "sinds": "2027-06-29"}),
            422,
            "Reden afsluiten (DUO): kies bij afgesloten",
        ),
        (
            json!({"status": "in_behandeling", "sinds": "2027-06-29", "reden_duo": "terug_naar_school"}),
            422,
            "Reden afsluiten (DUO): hoort alleen bij",
        ),
        (
            json!({"status": "in_behandeling", "sinds": "2027-06-29"}),
            422,
            "Status bij DUO, datum",
        ),
    ] {
        let (status, answer) = call(&s, &ib, Method::POST, &status_path, Some(body.clone())).await;
        assert_eq!(status, code, "{body} → {answer}");
        assert!(error(&answer).1.starts_with(starts), "{body} → {answer}");
    }
    let melding = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(melding["melding"]["status"], "geregistreerd");

    // DUO: in behandeling bij de gemeente. The melding follows; leerplicht sees it in the history.
    let out = ok(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling", "sinds": "2027-06-30"})),
        200,
    )
    .await;
    assert_eq!(out["melding_status"], "in_behandeling");
    assert_eq!(out["document"]["status"], "in_behandeling");
    assert_eq!(out["document"]["status_duo"]["code"], "in_behandeling");
    let melding = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(melding["melding"]["status"], "in_behandeling");
    let history = melding["history"].as_array().unwrap();
    assert_eq!(
        history.last().unwrap()["status"],
        "in_behandeling",
        "{history:?}"
    );

    // Leerplicht's open card tasks of the melding before DUO closes it.
    let lp_open = open_tasks(&s, &lpa, "5001").await;
    // DUO: afgesloten, terug naar school. The melding is afgesloten (verzuim beëindigd), the
    // card tasks close as when leerplicht closes it.
    let out = ok(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "afgesloten", "sinds": "2027-06-30", "reden_duo": "terug_naar_school"})),
        200,
    )
    .await;
    assert_eq!(out["melding_status"], "afgesloten");
    assert_eq!(
        out["document"]["afsluiting"]["reden_duo"],
        "terug_naar_school"
    );
    assert_eq!(
        out["document"]["afsluiting"]["reden_verzuim"],
        "verzuim_beeindigd"
    );
    let codes: Vec<&str> = out["document"]["status_duo_geschiedenis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["geregistreerd", "in_behandeling", "afgesloten"]);
    let melding = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(melding["melding"]["status"], "afgesloten");
    assert_eq!(melding["melding"]["status_reason"], "verzuim_beeindigd");
    let closed: Vec<i64> = out["tasks_closed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    let still_open: Vec<i64> = open_tasks(&s, &lpa, "5001")
        .await
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(
        closed.iter().all(|t| !still_open.contains(t)),
        "{closed:?} {still_open:?}"
    );
    assert!(
        lp_open.is_empty() || !closed.is_empty(),
        "leerplicht's open tasks {lp_open:#?} and none closed"
    );
    // Final at DUO: no status after it.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "ingetrokken", "sinds": "2027-06-30"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(error(&body).1.contains("al afgesloten"), "{body}");
    // Leerplicht's page for DUO shows DUO's statuses.
    let (status, page) = get_page(&s, &lpa, &format!("/meldingen/{id}/duo")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Status bij DUO"), "{page}");
    assert!(page.contains("Terug naar school"), "{page}");

    // A second melding that leerplicht itself took note of: DUO's afgesloten does not rewrite
    // it; the difference is shown. Recorded on the school's page.
    let other = melding_for(&s, &ib, "5002", "111222333").await;
    let mpath = format!("/api/meldingen/{other}/status");
    ok(
        &s,
        &lpa,
        Method::POST,
        &mpath,
        Some(json!({"status": "in_behandeling"})),
        200,
    )
    .await;
    ok(
        &s,
        &lpa,
        Method::POST,
        &mpath,
        Some(json!({"status": "ter_kennisgeving_aangenomen"})),
        200,
    )
    .await;
    submitted(&s, &ib, other, "VR-2027-0816").await;
    let ibp = page_client(&s, COORDINATOR).await;
    let page = format!("/meldingen/{other}/duo");
    let (status, loc, _) = post_form_located(
        &s,
        &ibp,
        &page,
        &[
            ("actie", "status"),
            ("duo_status", "afgesloten"),
            ("datum", "2027-06-30"),
            ("reden_duo", "geen_verzuim_legitiem_afwezig"),
        ],
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, format!("{page}?gedaan=status").as_str())
    );
    let melding = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{other}"),
        None,
        200,
    )
    .await;
    assert_eq!(melding["melding"]["status"], "ter_kennisgeving_aangenomen");
    let doc = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{other}/duo-verzuimregister"),
        None,
        200,
    )
    .await;
    assert_eq!(doc["status"], "ter_kennisgeving_aangenomen");
    assert_eq!(doc["status_duo"]["code"], "afgesloten");
    let (_, body) = get_page(&s, &lpa, &page).await;
    assert!(body.contains("wijkt af van de status in verzuim"), "{body}");
}
