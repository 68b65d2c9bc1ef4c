//! security.md, Privacy by design: the inzage export of a school holds the referral's status and
//! never GGD-JGZ's notes (GGD-JGZ's own export holds them); no endpoint accepts a note on `ziek`
//! or `zorg_ziekte`; the retention run. Issue 8: the school's export lists, per organisation,
//! when it received or read the pupil's data (AVG art. 15: the recipients).

use reqwest::Method;
use serde_json::{Value, json};

use crate::ggd_api::{NOTE, referred_pupil};
use crate::harness::Env;
use crate::region::*;

crate::http_tests!(
    a_schools_inzage_export_holds_the_referral_status_and_no_ggd_notes,
    a_schools_inzage_export_lists_who_received_and_read_the_pupils_data,
    no_endpoint_accepts_a_note_on_an_illness,
    retention_is_run_by_a_beheerder,
);

async fn a_schools_inzage_export_holds_the_referral_status_and_no_ggd_notes(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let jgz = s.logged_in(JGZ).await;
    let referral = referred_pupil(&s, &ib).await;
    ok(
        &s,
        &jgz,
        Method::POST,
        &format!("/api/referrals/{referral}/notes"),
        Some(json!({"text": NOTE})),
        201,
    )
    .await;
    ok(
        &s,
        &jgz,
        Method::POST,
        &format!("/api/referrals/{referral}/status"),
        Some(json!({"status": "in_behandeling"})),
        200,
    )
    .await;

    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let path = "/api/schools/99XX00/pupils/1002/inzage";
    let res = admin.get(s.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("inzage-99XX00-1002.json")
    );
    let text = res.text().await.unwrap();
    assert!(!text.contains("slaapproblemen"), "no GGD-JGZ note: {text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], "verzuim-inzage/1");
    assert_eq!(doc["organisation"], SCHOOL);
    assert_eq!(doc["pupil"]["data"]["pupil"]["id"], "1002");
    assert_eq!(doc["referrals"][0]["referral"]["status"], "in_behandeling");
    assert!(doc["referrals"][0].get("jgz_notes").is_none());
    assert!(!doc["registrations"].as_array().unwrap().is_empty());
    assert!(!doc["signals"].as_array().unwrap().is_empty());
    assert!(!doc["parent_information"].as_array().unwrap().is_empty());
    assert!(!doc["audit_log"].as_array().unwrap().is_empty());

    // GGD-JGZ's beheerder exports what GGD-JGZ holds: with its notes.
    let ggd_admin = s.logged_in(GGD_ADMIN).await;
    let doc = ok(&s, &ggd_admin, Method::GET, path, None, 200).await;
    assert_eq!(doc["organisation"], GGD);
    assert_eq!(doc["referrals"][0]["jgz_notes"][0]["text"], NOTE);

    // Only a beheerder; only of an organisation that holds the pupil.
    for who in [COORDINATOR, TEACHER, JGZ] {
        let c = s.logged_in(who).await;
        ok(&s, &c, Method::GET, path, None, 403).await;
    }
    let other = s.logged_in("beheer@wilg.nl").await;
    ok(&s, &other, Method::GET, path, None, 403).await;
    let gm = s.logged_in(MUNICIPALITY_ADMIN).await;
    ok(&s, &gm, Method::GET, path, None, 404).await;
    // The export itself is audited.
    let objects = audit_objects(&s, &admin, "99XX00", "99XX00/1002").await;
    assert!(objects.iter().any(|o| o == "pupil:1002:inzage"));
}

async fn no_endpoint_accepts_a_note_on_an_illness(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;
    let token = token(&s, SCHOOL, &["registrations:write"]).await;
    let refused = |status: u16, body: &Value| {
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            body["error"]["code"], "geen_toelichting_bij_ziekte",
            "{body}"
        );
        assert_eq!(body["error"]["field"], "note");
    };

    // Registrations: new and corrected, by a user and by a token.
    let regs = "/api/schools/99XX00/pupils/1001/registrations";
    let sick = json!({"code": "ziek", "start": "2026-09-21", "note": "griep"});
    let (status, body) = call(&s, &ib, Method::POST, regs, Some(sick.clone())).await;
    refused(status, &body);
    let (status, body) = call_token(&s, &token, Method::POST, regs, Some(sick.clone())).await;
    refused(status, &body);
    let plain = register(&s, &ib, "1001", "geoorloofd", "2026-09-21", "2026-09-21").await;
    let id = plain["id"].as_i64().unwrap();
    let (status, body) = call(
        &s,
        &ib,
        Method::PUT,
        &format!("/api/schools/99XX00/registrations/{id}"),
        Some(sick.clone()),
    )
    .await;
    refused(status, &body);
    // A note on another code is fine; on ziek a blank note is no note.
    ok(
        &s,
        &ib,
        Method::POST,
        regs,
        Some(json!({"code": "geoorloofd", "start": "2026-09-22", "note": "tandarts"})),
        201,
    )
    .await;
    ok(
        &s,
        &ib,
        Method::POST,
        regs,
        Some(json!({"code": "ziek", "start": "2026-09-23", "note": "  "})),
        201,
    )
    .await;

    // Events: zorg_ziekte never carries a note.
    let events = "/api/schools/99XX00/pupils/1001/events";
    let zorg = json!({"event": "zorg_ziekte", "date": "2026-09-24", "note": "astma"});
    let (status, body) = call(&s, &ib, Method::POST, events, Some(zorg.clone())).await;
    refused(status, &body);
    let (status, body) = call_token(&s, &token, Method::POST, events, Some(zorg.clone())).await;
    refused(status, &body);
    let e = ok(
        &s,
        &ib,
        Method::POST,
        events,
        Some(json!({"event": "overig_verzuim", "date": "2026-09-24", "note": "schoolangst"})),
        201,
    )
    .await;
    let (status, body) = call(
        &s,
        &ib,
        Method::PUT,
        &format!("/api/schools/99XX00/events/{}", e["id"]),
        Some(zorg),
    )
    .await;
    refused(status, &body);

    // Import: a line error, nothing stored.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({
            "pupils_csv": "pupil_id,birth_date,group,municipality,enrolled_from\n1001,2016-03-01,5,Enschede,2022-08-22\n",
            "registrations_csv": "pupil_id,code,start,note\n1001,ziek,2026-09-28,koorts\n",
            "events_csv": "pupil_id,date,event,note\n1001,2026-09-29,zorg_ziekte,astma\n",
        })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let mut files: Vec<&str> = body["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    files.sort_unstable();
    assert_eq!(files, ["events.csv", "registrations.csv"]);

    // Nothing of it reached the database.
    for word in ["griep", "astma", "koorts"] {
        let rows = s
            .raw_texts(&format!(
                "SELECT CAST(registration_id AS TEXT) FROM registration_versions WHERE note LIKE '%{word}%'"
            ))
            .await;
        assert!(rows.is_empty(), "{word}");
    }

    // Every request body of the API that has a free-text `note` is one of those tested here.
    let doc: Value = serde_json::from_str(verzuim_server::api::OPENAPI_JSON).unwrap();
    let mut with_note: Vec<&str> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, schema)| name.ends_with("In") && schema["properties"].get("note").is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    with_note.sort_unstable();
    // `DecisionIn` (issue 10.9): how the school handled a signal from a mid-year import outside
    // verzuim; refused with a sickness signal (tested in `import_review::*`).
    assert_eq!(with_note, ["DecisionIn", "EventIn", "RegistrationIn"]);
}

async fn retention_is_run_by_a_beheerder(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    expired_and_current_pupil(&s, &ib).await;

    ok(&s, &ib, Method::POST, "/api/admin/retention", None, 403).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let report = ok(&s, &admin, Method::POST, "/api/admin/retention", None, 200).await;
    assert_eq!(report["cutoff"], "2022-06-30");
    assert_eq!(report["removed"]["total"]["pupils"], 1, "{report}");
    only_the_current_pupil_is_left(&s, &ib).await;
}

/// A pupil who left in 2020 (more than 5 years before today: `0999`) and one who is still here
/// (`1001`), for the retention runs.
pub async fn expired_and_current_pupil(s: &crate::harness::TestServer, ib: &reqwest::Client) {
    let mut gone = pupil("0999", "Enschede");
    gone["enrolled_from"] = json!("2018-08-20");
    gone["birth_date"] = json!("2012-03-01");
    enrol(s, ib, gone).await;
    ok(
        s,
        ib,
        Method::POST,
        "/api/schools/99XX00/pupils/0999/deregister",
        Some(json!({"enrolled_until": "2020-07-10", "next_school": "Het Stedelijk Lyceum"})),
        200,
    )
    .await;
    enrol(s, ib, pupil("1001", "Enschede")).await;
}

/// After a retention run: `0999` is gone, `1001` is not.
pub async fn only_the_current_pupil_is_left(s: &crate::harness::TestServer, ib: &reqwest::Client) {
    ok(
        s,
        ib,
        Method::GET,
        "/api/schools/99XX00/pupils/0999",
        None,
        404,
    )
    .await;
    ok(
        s,
        ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
}

/// Issue 8, item 4: reads of a school's pupil by leerplicht and GGD-JGZ were only in their own
/// audit logs. The school's inzage export now lists them per organisation, with when each
/// received the data (the melding, the referral) and when it read them: organisation and time,
/// not the person.
async fn a_schools_inzage_export_lists_who_received_and_read_the_pupils_data(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    // Pupil 1002: referred to GGD Twente, which reads the referral and the dossier.
    let referral = referred_pupil(&s, &ib).await;
    let jgz = s.logged_in(JGZ).await;
    ok(
        &s,
        &jgz,
        Method::GET,
        &format!("/api/referrals/{referral}"),
        None,
        200,
    )
    .await;
    let (status, _) = crate::harness::get_page(&s, &jgz, "/leerlingen/99XX00/1002").await;
    assert_eq!(status, 200);
    // Pupil 1001: a melding to Enschede, whose leerplichtambtenaar reads it.
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(&s, &juf, "1001", "ongeoorloofd", day, day).await;
    }
    let tasks = open_tasks(&s, &ib, "1001").await;
    let talk = task_starting(&tasks, "Gaat in gesprek met ouders")["id"]
        .as_i64()
        .unwrap();
    complete(
        &s,
        &ib,
        talk,
        json!({"parents_informed": parents("2026-09-25", "gesprek")}),
    )
    .await;
    let meld = task_starting(&tasks, "Meldt bij de leerplichtambtenaar")["id"]
        .as_i64()
        .unwrap();
    complete(
        &s,
        &ib,
        meld,
        json!({"parents_informed": parents("2026-09-28", "brief"), "melding": melding_content()}),
    )
    .await;
    let lpa = s.logged_in(LEERPLICHT).await;
    let list = ok(&s, &lpa, Method::GET, "/api/meldingen", None, 200).await;
    let melding = list["items"][0]["id"].as_i64().unwrap();
    ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding}"),
        None,
        200,
    )
    .await;

    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let inzage = |pupil: &'static str| {
        let admin = admin.clone();
        let url = s.url(&format!("/api/schools/99XX00/pupils/{pupil}/inzage"));
        async move {
            let res = admin.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let doc = inzage("1002").await;
    let recipients = doc["recipients"].as_array().expect("recipients");
    assert_eq!(recipients.len(), 1, "only GGD Twente: {recipients:?}");
    let ggd = &recipients[0];
    assert_eq!(ggd["organisation"]["id"], GGD);
    assert_eq!(ggd["organisation"]["name"], "GGD Twente");
    assert_eq!(ggd["organisation"]["kind"], "ggd_jgz");
    let events = ggd["events"].as_array().unwrap();
    assert_eq!(events[0]["what"], "verwijzing_ontvangen");
    assert_eq!(
        events[0]["description"],
        "ontving een verwijzing van de leerling"
    );
    assert!(
        events.iter().filter(|e| e["what"] == "pupil_read").count() >= 2,
        "the referral and the dossier read: {events:?}"
    );
    assert!(events.iter().all(|e| e["at"].as_str().is_some()));
    // Organisation and time, not the person.
    let text = serde_json::to_string(&doc["recipients"]).unwrap();
    assert!(
        !text.contains("jgz@ggdtwente.nl") && !text.contains("user"),
        "{text}"
    );

    let doc = inzage("1001").await;
    let recipients = doc["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 1, "only Enschede: {recipients:?}");
    assert_eq!(recipients[0]["organisation"]["id"], ENSCHEDE);
    let events = recipients[0]["events"].as_array().unwrap();
    assert_eq!(events[0]["what"], "melding_ontvangen");
    assert!(
        events.iter().any(|e| e["what"] == "pupil_read"),
        "{events:?}"
    );
    // The school's own reads are not recipients; GGD-JGZ's export has no such list.
    let ggd_admin = s.logged_in(GGD_ADMIN).await;
    let res = ggd_admin
        .get(s.url("/api/schools/99XX00/pupils/1002/inzage?org=GGDTW"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc.get("recipients").is_none(), "{doc}");
}
