//! Issue 10 through the API and the pages: a lateness on a day absent the whole day is refused
//! (10.4); corrections after a melding are guarded and leave a trace (10.3), for registrations
//! and events, and so does an addition on a day of the period a melding reported; the lists of
//! meldingen (API and leerplicht's page) show "gewijzigd na melding".

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Env, TestServer, get_page, page_client, post_form, post_form_located};
use crate::region::*;

crate::http_tests!(
    a_lateness_on_a_day_absent_all_day_is_refused_by_api_import_and_register,
    a_correction_after_a_melding_through_the_api,
    a_correction_after_a_melding_through_the_pages,
    an_event_correction_and_an_addition_after_a_melding_through_the_api,
    events_are_recorded_corrected_and_deleted_in_the_pages,
    a_card_change_through_the_api_applies_from_its_date,
);

/// An htmx POST from the register page.
async fn hx_post(s: &TestServer, c: &reqwest::Client, form: &[(&str, &str)]) -> (u16, String) {
    let res = c
        .post(s.url("/registreren"))
        .header("hx-request", "true")
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn registrations(pupil: &str) -> String {
    format!("/api/schools/{SCHOOL}/pupils/{pupil}/registrations")
}

async fn a_lateness_on_a_day_absent_all_day_is_refused_by_api_import_and_register(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1201", ENSCHEDE)).await;
    // API: ziek the whole day, then te laat that day.
    register(&s, &ib, "1201", "ziek", "2026-09-21", "2026-09-21").await;
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &registrations("1201"),
        Some(json!({"code": "te_laat", "start": "2026-09-21T08:45", "minutes": 15})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Te laat komen kan niet op 21-09-2026: de leerling is die dag de hele dag afwezig (ziek); een leerling die de hele dag afwezig is, komt niet te laat."
    );
    // The other order: te laat, then ongeoorloofd the whole day.
    ok(
        &s,
        &ib,
        Method::POST,
        &registrations("1201"),
        Some(json!({"code": "te_laat", "start": "2026-09-22T08:45", "minutes": 15})),
        201,
    )
    .await;
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &registrations("1201"),
        Some(json!({"code": "ongeoorloofd", "start": "2026-09-22"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("als te laat geregistreerd"),
        "{body}"
    );
    // No lateness counted on the absent day: the pupil's registrations are the ziek day and
    // one lateness.
    let list = ok(&s, &ib, Method::GET, &registrations("1201"), None, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

    // Import: the line of the lateness.
    let pupils = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
                  2001;Sara Bakker;2016-05-04;5;Enschede;2022-08-22;400276872\n";
    let regs = "pupil_id,code,start,end,minutes\n\
                2001,ongeoorloofd,2026-09-21,2026-09-21,\n\
                2001,te_laat,2026-09-21T08:50,,20\n";
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/import"),
        Some(json!({"pupils_csv": pupils, "registrations_csv": regs})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let errors = body["error"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["file"], "registrations.csv");
    assert_eq!(errors[0]["line"], 3);
    assert!(
        errors[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("registrations.csv:3: te laat komen kan niet"),
        "{body}"
    );

    // The register page: the teacher's te laat on a ziek day comes back with the message.
    let juf = page_client(&s, TEACHER).await;
    register(&s, &ib, "1201", "ziek", "2027-06-29", "2027-06-29").await;
    let (status, row) = hx_post(
        &s,
        &juf,
        &[
            ("groep", "5"),
            ("datum", "2027-06-29"),
            ("leerling", "1201"),
            ("actie", "te_laat"),
            ("minuten", "10"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{row}");
    assert!(
        row.contains("Te laat komen kan niet op 29-06-2027: de leerling is die dag de hele dag afwezig (ziek)"),
        "{row}"
    );
    let list = ok(&s, &ib, Method::GET, &registrations("1201"), None, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3, "{list}");
}

/// A relatief melding of 21 t/m 24 September 2026, made through the API.
/// Completes the pupil's open melding task (the parents informed by letter on `informed`):
/// the melding's id.
async fn make_melding(s: &TestServer, c: &reqwest::Client, pupil_id: &str, informed: &str) -> i64 {
    let tasks = open_tasks(s, c, pupil_id).await;
    let meld = tasks
        .iter()
        .find(|t| t["melding"] == true)
        .expect("the melding task");
    let outcome = complete(
        s,
        c,
        meld["id"].as_i64().unwrap(),
        json!({
            "parents_informed": parents(informed, "brief"),
            "melding": melding_content(),
        }),
    )
    .await;
    outcome["melding_id"].as_i64().expect("a melding")
}

async fn melding_of(s: &TestServer, ib: &reqwest::Client, pupil_id: &str) -> (i64, Vec<i64>) {
    enrol(s, ib, pupil(pupil_id, ENSCHEDE)).await;
    let mut ids = Vec::new();
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        let change = register(s, ib, pupil_id, "ongeoorloofd", day, day).await;
        ids.push(change["id"].as_i64().expect("the registration's id"));
    }
    (make_melding(s, ib, pupil_id, "2026-09-28").await, ids)
}

async fn a_correction_after_a_melding_through_the_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    let (melding, ids) = melding_of(&s, &ib, "1202").await;
    let path = format!("/api/schools/{SCHOOL}/registrations/{}", ids[3]);
    let geoorloofd = json!({"code": "geoorloofd", "start": "2026-09-24"});

    // The teacher: not the current or previous lesweek.
    let (status, body) = call(&s, &juf, Method::PUT, &path, Some(geoorloofd.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Een leerkracht corrigeert alleen registraties van deze en de vorige lesweek (vanaf 21-06-2027)"),
        "{body}"
    );
    // The coordinator: only with a reason.
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(geoorloofd.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("geef een reden")
            || body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Geef een reden"),
        "{body}"
    );
    assert_eq!(changes_after(&s, &lpa, melding).await, 0);
    let mut with_reason = geoorloofd.clone();
    with_reason["reason"] = json!("Tandarts, achteraf gemeld");
    ok(&s, &ib, Method::PUT, &path, Some(with_reason), 200).await;
    // The lists of meldingen say so (leerplicht's and the school's).
    assert_eq!(changes_after(&s, &lpa, melding).await, 1);
    assert_eq!(changes_after(&s, &ib, melding).await, 1);

    // Leerplicht: the melding as sent, marked, and a task to take note.
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["minutes"], 1260, "{detail}");
    assert_eq!(
        detail["melding"]["period"],
        json!({"from": "2026-09-21", "to": "2026-09-24"})
    );
    let changes = detail["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{detail}");
    assert_eq!(
        changes[0]["what"],
        "Registratie ongeoorloofd afwezig 24-09-2026 gecorrigeerd naar geoorloofd afwezig 24-09-2026"
    );
    assert_eq!(changes[0]["reason"], "Tandarts, achteraf gemeld");
    let lpa_tasks = open_tasks(&s, &lpa, "1202").await;
    let note = task_starting(&lpa_tasks, "Neemt kennis van een wijziging na de melding");
    let note = task_detail(&s, &lpa, &note["id"]).await;
    assert!(
        note.to_string()
            .contains("gecorrigeerd naar geoorloofd afwezig"),
        "{note}"
    );
    let school_tasks = open_tasks(&s, &ib, "1202").await;
    task_starting(
        &school_tasks,
        "Geeft de wijziging na de melding door aan DUO",
    );
    // The history of the registration keeps both versions and the reason.
    let history = ok(&s, &ib, Method::GET, &format!("{path}/history"), None, 200).await;
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["reason"], Value::Null);
    assert_eq!(versions[1]["reason"], "Tandarts, achteraf gemeld");

    // A deletion with a reason through the query.
    let del = format!("/api/schools/{SCHOOL}/registrations/{}", ids[0]);
    let (status, _) = call(&s, &ib, Method::DELETE, &del, None).await;
    assert_eq!(status, 422);
    ok(
        &s,
        &ib,
        Method::DELETE,
        &format!("{del}?reason=Dubbel%20ingevoerd"),
        None,
        200,
    )
    .await;
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["changes"].as_array().unwrap().len(), 2, "{detail}");
    assert_eq!(detail["changes"][1]["reason"], "Dubbel ingevoerd");
    assert_eq!(detail["melding"]["changes_after"], 2, "{detail}");
    assert_eq!(changes_after(&s, &lpa, melding).await, 2);
}

/// `changes_after` of a melding in `GET /api/meldingen`.
async fn changes_after(s: &TestServer, c: &reqwest::Client, melding: i64) -> i64 {
    let list = ok(s, c, Method::GET, "/api/meldingen?limit=200", None, 200).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == melding)
        .unwrap_or_else(|| panic!("melding {melding} in {list}"))["changes_after"]
        .as_i64()
        .expect("changes_after")
}

/// An overig_verzuim event of 7 October 2026, reported in a melding: the teacher may not correct
/// it, the coordinator only with a reason (PUT `reason`, DELETE `?reason=`); each change marks the
/// melding and shows in the event's history. A registration added on a day of a relatief
/// melding's period marks that melding too.
async fn an_event_correction_and_an_addition_after_a_melding_through_the_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    enrol(&s, &ib, pupil("1204", ENSCHEDE)).await;
    let added = ok(
        &s,
        &ib,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/pupils/1204/events"),
        Some(json!({"event": "overig_verzuim", "date": "2026-10-07", "note": "Zorgen thuis"})),
        201,
    )
    .await;
    let id = added["id"].as_i64().expect("the event's id");
    let melding = make_melding(&s, &ib, "1204", "2026-10-08").await;
    let path = format!("/api/schools/{SCHOOL}/events/{id}");
    let moved = json!({"event": "overig_verzuim", "date": "2026-10-06", "note": "Zorgen thuis"});

    let (status, body) = call(&s, &juf, Method::PUT, &path, Some(moved.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Een leerkracht corrigeert alleen gebeurtenissen van deze en de vorige lesweek (vanaf 21-06-2027); een oudere gebeurtenis (06-10-2026) corrigeert de verzuimcoördinator, met een reden."
    );
    let (status, body) = call(&s, &ib, Method::PUT, &path, Some(moved.clone())).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Geef een reden voor deze correctie: de gebeurtenis van 06-10-2026"),
        "{body}"
    );
    let (status, body) = call(&s, &ib, Method::DELETE, &path, None).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(changes_after(&s, &lpa, melding).await, 0);

    let mut with_reason = moved.clone();
    with_reason["reason"] = json!("Verkeerde datum");
    ok(&s, &ib, Method::PUT, &path, Some(with_reason), 200).await;
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding}"),
        None,
        200,
    )
    .await;
    assert_eq!(
        detail["changes"][0]["what"],
        "Gebeurtenis \"Overig verzuim\" van 07-10-2026 gecorrigeerd naar \"Overig verzuim\" van 06-10-2026",
        "{detail}"
    );
    assert_eq!(detail["changes"][0]["reason"], "Verkeerde datum");
    assert_eq!(detail["melding"]["period"]["from"], "2026-10-07", "as sent");
    task_starting(
        &open_tasks(&s, &lpa, "1204").await,
        "Neemt kennis van een wijziging na de melding",
    );
    let history = ok(&s, &ib, Method::GET, &format!("{path}/history"), None, 200).await;
    assert_eq!(history[0]["reason"], Value::Null, "{history}");
    assert_eq!(history[1]["reason"], "Verkeerde datum", "{history}");
    ok(
        &s,
        &ib,
        Method::DELETE,
        &format!("{path}?reason=Dubbel%20vastgelegd"),
        None,
        200,
    )
    .await;
    assert_eq!(changes_after(&s, &lpa, melding).await, 2);

    // A registration added later on a day of a relatief melding's period (21 t/m 24
    // September): the melding is marked; one after the period is not.
    let (relatief, _) = melding_of(&s, &ib, "1205").await;
    register(&s, &ib, "1205", "ziek", "2026-10-05", "2026-10-05").await;
    assert_eq!(changes_after(&s, &lpa, relatief).await, 0);
    let (status, body) = call(
        &s,
        &juf,
        Method::POST,
        &registrations("1205"),
        Some(json!({"code": "te_laat", "start": "2026-09-25T08:45", "minutes": 15})),
    )
    .await;
    assert_eq!(status, 201, "a day after the period: {body}");
    assert_eq!(changes_after(&s, &lpa, relatief).await, 0);
    ok(
        &s,
        &ib,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/pupils/1205/events"),
        Some(json!({"event": "zorg_ziekte", "date": "2026-09-23"})),
        201,
    )
    .await;
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{relatief}"),
        None,
        200,
    )
    .await;
    assert_eq!(
        detail["changes"][0]["what"],
        "Gebeurtenis \"Ziekte die reden tot zorg geeft\" van 23-09-2026 toegevoegd na de melding",
        "{detail}"
    );
    assert_eq!(detail["melding"]["changes_after"], 1);
}

/// Issue 10.3 in the pages: the coordinator records an overig_verzuim event on the pupil's
/// events page (a zorg_ziekte with a note is refused, nothing stored); after the melding that
/// reports it, a correction without a reason is refused at the event's own form, one with a
/// reason keeps the old version and the reason on the page and marks the melding; a deletion
/// with a reason marks it again. A teacher and leerplicht do not reach the page.
async fn events_are_recorded_corrected_and_deleted_in_the_pages(env: Env) {
    let s = region(&env).await;
    let ib_api = s.logged_in(COORDINATOR).await;
    let lpa_api = s.logged_in(LEERPLICHT).await;
    enrol(&s, &ib_api, pupil("1206", ENSCHEDE)).await;
    enrol(&s, &ib_api, pupil("1207", ENSCHEDE)).await;
    let ib = page_client(&s, COORDINATOR).await;
    let path = format!("/leerlingen/{SCHOOL}/1206/gebeurtenissen");

    // The dossier links the page; others do not reach it.
    let (status, dossier) = get_page(&s, &ib, &format!("/leerlingen/{SCHOOL}/1206")).await;
    assert_eq!(status, 200);
    assert!(dossier.contains(&format!("href=\"{path}\"")), "{dossier}");
    for who in [TEACHER, LEERPLICHT] {
        let c = page_client(&s, who).await;
        assert_eq!(get_page(&s, &c, &path).await.0, 403, "{who}");
        let (status, _) = post_form(&s, &c, &path, &[("actie", "toevoegen")]).await;
        assert_eq!(status, 403, "{who}");
    }
    let (status, page) = get_page(&s, &ib, &path).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Er zijn geen gebeurtenissen vastgelegd."),
        "{page}"
    );

    // Refused: the nature of an illness, a missing date; nothing stored.
    let (status, page) = post_form(
        &s,
        &ib,
        &path,
        &[
            ("actie", "toevoegen"),
            ("soort", "zorg_ziekte"),
            ("datum", "2026-10-07"),
            ("toelichting", "astma"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("krijgt geen toelichting"), "{page}");
    assert!(page.contains("Er is niets opgeslagen."), "{page}");
    assert!(
        page.contains(">astma</textarea>"),
        "what was entered: {page}"
    );
    let (_, page) = post_form(
        &s,
        &ib,
        &path,
        &[("actie", "toevoegen"), ("soort", "overig_verzuim")],
    )
    .await;
    assert!(
        page.contains("Vul de datum van de gebeurtenis in."),
        "{page}"
    );
    let events = format!("/api/schools/{SCHOOL}/pupils/1206/events");
    let list = ok(&s, &ib_api, Method::GET, &events, None, 200).await;
    assert_eq!(list["items"], json!([]), "{list}");

    // Recorded.
    let (status, to, _) = post_form_located(
        &s,
        &ib,
        &path,
        &[
            ("actie", "toevoegen"),
            ("soort", "overig_verzuim"),
            ("datum", "07-10-2026"),
            ("toelichting", "Zorgen thuis"),
        ],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{path}?gedaan=toegevoegd").as_str())
    );
    let (_, page) = get_page(&s, &ib, &to).await;
    assert!(page.contains("De gebeurtenis is vastgelegd."), "{page}");
    assert!(page.contains("Overig verzuim op 07-10-2026"), "{page}");
    assert!(page.contains("Zorgen thuis"), "{page}");
    assert!(page.contains("Vastgelegd door "), "{page}");
    assert!(
        !page.contains("door user:"),
        "a name, not an actor id: {page}"
    );
    let list = ok(&s, &ib_api, Method::GET, &events, None, 200).await;
    let id = list["items"][0]["id"].as_i64().expect("the event");
    let id_s = id.to_string();

    // The melding that reports it.
    let melding = make_melding(&s, &ib_api, "1206", "2026-10-08").await;

    // A correction without a reason: refused at the event's form, kept as entered.
    let moved = [
        ("actie", "corrigeren"),
        ("id", id_s.as_str()),
        ("soort", "overig_verzuim"),
        ("datum", "2026-10-06"),
        ("toelichting", "Zorgen thuis"),
    ];
    let (status, page) = post_form(&s, &ib, &path, &moved).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Geef een reden voor deze correctie"),
        "{page}"
    );
    assert!(
        page.contains("<details open>"),
        "the form stays open: {page}"
    );
    assert!(page.contains("value=\"2026-10-06\""), "{page}");
    assert_eq!(changes_after(&s, &lpa_api, melding).await, 0);

    // With a reason: a new version, the old one and the reason on the page, the melding marked.
    let mut with_reason = moved.to_vec();
    with_reason.push(("reden", "Verkeerde datum"));
    let (status, to, _) = post_form_located(&s, &ib, &path, &with_reason).await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{path}?gedaan=gecorrigeerd").as_str())
    );
    let (_, page) = get_page(&s, &ib, &to).await;
    assert!(page.contains("Overig verzuim op 06-10-2026"), "{page}");
    assert!(page.contains("Eerdere versies"), "{page}");
    assert!(
        page.contains("Overig verzuim op 07-10-2026 (Zorgen thuis)"),
        "{page}"
    );
    assert!(page.contains("reden: Verkeerde datum"), "{page}");
    assert_eq!(changes_after(&s, &lpa_api, melding).await, 1);

    // Another pupil's event is not found through this pupil's page.
    let (status, _) = post_form(
        &s,
        &ib,
        &format!("/leerlingen/{SCHOOL}/1207/gebeurtenissen"),
        &[
            ("actie", "verwijderen"),
            ("id", id_s.as_str()),
            ("reden", "x"),
        ],
    )
    .await;
    assert_eq!(status, 404);

    // Deleted with a reason: gone from the page, kept in the history, the melding marked again.
    let (status, to, _) = post_form_located(
        &s,
        &ib,
        &path,
        &[
            ("actie", "verwijderen"),
            ("id", id_s.as_str()),
            ("reden", "Dubbel vastgelegd"),
        ],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, format!("{path}?gedaan=verwijderd").as_str())
    );
    let (_, page) = get_page(&s, &ib, &to).await;
    assert!(
        page.contains("Er zijn geen gebeurtenissen vastgelegd."),
        "{page}"
    );
    assert_eq!(changes_after(&s, &lpa_api, melding).await, 2);
    let history = ok(
        &s,
        &ib_api,
        Method::GET,
        &format!("/api/schools/{SCHOOL}/events/{id}/history"),
        None,
        200,
    )
    .await;
    assert_eq!(history.as_array().unwrap().len(), 3, "{history}");
    assert_eq!(history[2]["deleted"], true);
    assert_eq!(history[2]["reason"], "Dubbel vastgelegd");
}

async fn a_correction_after_a_melding_through_the_pages(env: Env) {
    let s = region(&env).await;
    let ib_api = s.logged_in(COORDINATOR).await;
    let (melding, _) = melding_of(&s, &ib_api, "1203").await;
    let juf = page_client(&s, TEACHER).await;
    let ib = page_client(&s, COORDINATOR).await;
    let lpa = page_client(&s, LEERPLICHT).await;
    // Before any change, leerplicht's list shows the melding without the mark.
    let (status, list) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains(&format!("/meldingen/{melding}\"")), "{list}");
    assert!(!list.contains("Gewijzigd na melding"), "{list}");
    let day = [
        ("groep", "5"),
        ("datum", "2026-09-24"),
        ("leerling", "1203"),
        ("actie", "geoorloofd"),
    ];

    // The teacher's register for that day says who corrects it; her correction is refused.
    let (status, page) = get_page(&s, &juf, "/registreren?groep=5&datum=2026-09-24").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(
            "een leerkracht corrigeert alleen registraties van deze en de vorige lesweek"
        ),
        "{page}"
    );
    let (status, row) = hx_post(&s, &juf, &day).await;
    assert_eq!(status, 200, "{row}");
    assert!(row.contains("Een leerkracht corrigeert alleen"), "{row}");
    // The coordinator's register asks for a reason.
    let (status, page) = get_page(&s, &ib, "/registreren?groep=5&datum=2026-09-24").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("geef bij elke correctie een reden op"),
        "{page}"
    );
    assert!(page.contains("Reden van de correctie"), "{page}");
    let (status, row) = hx_post(&s, &ib, &day).await;
    assert_eq!(status, 200);
    assert!(row.contains("Geef een reden voor deze correctie"), "{row}");
    let mut with_reason = day.to_vec();
    with_reason.push(("reden", "Tandarts, achteraf gemeld"));
    let (status, row) = hx_post(&s, &ib, &with_reason).await;
    assert_eq!(status, 200);
    assert!(!row.contains("alert"), "{row}");

    // Leerplicht's list of meldingen marks it.
    let (status, list) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(status, 200, "{list}");
    let row = list
        .split("<tr")
        .find(|r| r.contains(&format!("/meldingen/{melding}\"")))
        .unwrap_or_else(|| panic!("the melding's row in {list}"));
    assert!(row.contains("Gewijzigd na melding"), "{row}");

    // Leerplicht's page: the melding as sent, and what changed after it.
    let (status, page) = get_page(&s, &lpa, &format!("/meldingen/{melding}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("gewijzigd na melding"), "{page}");
    assert!(page.contains("21-09-2026 t/m 24-09-2026"), "{page}");
    assert!(page.contains("21 uur"), "{page}");
    assert!(
        page.contains(
            "Registratie ongeoorloofd afwezig 24-09-2026 gecorrigeerd naar geoorloofd afwezig 24-09-2026"
        ),
        "{page}"
    );
    assert!(page.contains("Tandarts, achteraf gemeld"), "{page}");
    assert!(
        page.contains("Neemt kennis van een wijziging na de melding"),
        "leerplicht's task on the page: {page}"
    );
}

/// The active te_laat signals: "date stage".
async fn lateness_signals(s: &TestServer) -> Vec<String> {
    s.raw_texts(
        "SELECT date || ' ' || stage FROM signals WHERE status = 'active' AND kind = 'te_laat' \
         ORDER BY date",
    )
    .await
}

/// Issue 10.2 for cards: the school switches from the Twente card (a lateness signal at 5) to
/// the M@ZL example card (at 3, 6, …) from 2 November 2026 (`lesson_times_valid_from`, the
/// request's date). Three latenesses in October keep the Twente card: no signal; three more in
/// November make the M@ZL card's "6x" signal. The answer and a later GET keep the card history.
async fn a_card_change_through_the_api_applies_from_its_date(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    enrol(&s, &ib, pupil("1206", ENSCHEDE)).await;
    let late =
        |day: &str| json!({"code": "te_laat", "start": format!("{day}T08:45"), "minutes": 10});
    for day in ["2026-10-05", "2026-10-06", "2026-10-07"] {
        ok(
            &s,
            &ib,
            Method::POST,
            &registrations("1206"),
            Some(late(day)),
            201,
        )
        .await;
    }
    let mut body = demo_settings();
    body["card_id"] = json!("voorbeeld-mazl");
    body["lesson_times_valid_from"] = json!("2026-11-02");
    ok(
        &s,
        &admin,
        Method::PUT,
        &format!("/api/schools/{SCHOOL}/settings"),
        Some(body),
        200,
    )
    .await;
    assert_eq!(
        s.raw_texts(&format!(
            "SELECT earlier_cards_json FROM school_settings WHERE organisation_id = '{SCHOOL}'"
        ))
        .await,
        [r#"[{"until":"2026-11-02","card_id":"twente-po"}]"#]
    );
    assert!(
        lateness_signals(&s).await.is_empty(),
        "October keeps the Twente card"
    );
    for day in ["2026-11-03", "2026-11-04", "2026-11-05"] {
        ok(
            &s,
            &ib,
            Method::POST,
            &registrations("1206"),
            Some(late(day)),
            201,
        )
        .await;
    }
    assert_eq!(lateness_signals(&s).await, ["2026-11-05 6x"]);
}
