//! issue 3, Tests: "the workflow end to end through the API: registrations -> 16-hour signal ->
//! melding -> leerplicht takes it up -> closes it -> the school sees the feedback"; and a
//! correction that removes a signal's ground withdraws the signal and its open tasks.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::Env;
use crate::region::*;

crate::http_tests!(
    relatief_verzuim_end_to_end_through_the_api,
    a_correction_that_removes_the_ground_withdraws_the_signal,
    an_administration_package_pushes_registrations_with_a_token,
    a_leerkracht_registers_for_own_groups_only,
);

const TALK: &str = "Gaat in gesprek met ouders en stelt hen op de hoogte van de melding";
const MELD: &str = "Meldt bij de leerplichtambtenaar van de woongemeente leerling";
const FEEDBACK: &str = "Kennisnemen van de afspraken van leerplicht";

async fn relatief_verzuim_end_to_end_through_the_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    let other_lpa = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    // The municipality by name: stored as its CBS code.
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    let p = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
    assert_eq!(p["municipality"], ENSCHEDE);

    // The leerkracht registers Mon–Wed (345 + 345 + 225 = 915 minutes): no signal yet.
    for day in ["2026-09-21", "2026-09-22", "2026-09-23"] {
        let change = register(&s, &juf, "1001", "ongeoorloofd", day, day).await;
        assert_eq!(change["sync"]["signals_new"], json!([]), "{change}");
    }
    assert!(open_tasks(&s, &ib, "1001").await.is_empty());
    // Leerplicht sees nothing of the pupil before a melding.
    let list = ok(&s, &lpa, Method::GET, "/api/meldingen", None, 200).await;
    assert_eq!(list["items"], json!([]));
    ok(
        &s,
        &lpa,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        404,
    )
    .await;
    ok(
        &s,
        &lpa,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/registrations",
        None,
        404,
    )
    .await;

    // Thursday: 1260 minutes: the 16-hour signal, a case, the school's two tasks.
    let change = register(&s, &juf, "1001", "ongeoorloofd", "2026-09-24", "2026-09-24").await;
    let sync = &change["sync"];
    assert_eq!(sync["signals_new"].as_array().unwrap().len(), 1, "{change}");
    assert_eq!(sync["cases_opened"].as_array().unwrap().len(), 1);
    assert_eq!(sync["tasks_created"].as_array().unwrap().len(), 2);
    let signals = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/signals",
        None,
        200,
    )
    .await;
    let signal = &signals["items"][0];
    assert_eq!(signal["kind"], "relatief_verzuim");
    assert_eq!(signal["date"], "2026-09-24");
    assert_eq!(signal["minutes"], 1260);
    assert_eq!(signal["status"], "active");
    assert_eq!(signal["evidence"].as_array().unwrap().len(), 4);
    assert_eq!(signal["evidence"][0]["type"], "registration");
    assert!(
        signal["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["party"] == "leerplicht")
    );

    // The school's inbox: the melding task with its due date (5 working days), overdue now.
    let tasks = open_tasks(&s, &ib, "1001").await;
    assert_eq!(tasks.len(), 2);
    let talk = task_starting(&tasks, TALK);
    let meld = task_starting(&tasks, MELD);
    assert_eq!(meld["due"], "2026-10-01");
    assert_eq!(meld["melding"], true);
    assert_eq!(meld["overdue"], true);
    assert_eq!(talk["parents_informed_required"], true);
    let inbox = ok(&s, &ib, Method::GET, "/api/tasks?status=open", None, 200).await;
    assert_eq!(inbox["items"][0]["id"], meld["id"], "overdue first");
    // A leerkracht has no inbox.
    ok(&s, &juf, Method::GET, "/api/tasks", None, 403).await;

    // The talk needs the parents' information.
    let talk_id = talk["id"].as_i64().unwrap();
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        &format!("/api/tasks/{talk_id}/complete"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ouders")
    );
    complete(
        &s,
        &ib,
        talk_id,
        json!({"parents_informed": parents("2026-09-25", "gesprek")}),
    )
    .await;
    // Twice: a conflict.
    let (status, _) = call(
        &s,
        &ib,
        Method::POST,
        &format!("/api/tasks/{talk_id}/complete"),
        Some(json!({"parents_informed": parents("2026-09-25", "gesprek")})),
    )
    .await;
    assert_eq!(status, 409);

    // The melding task needs the melding's content.
    let meld_id = meld["id"].as_i64().unwrap();
    let (status, _) = call(
        &s,
        &ib,
        Method::POST,
        &format!("/api/tasks/{meld_id}/complete"),
        Some(json!({"parents_informed": parents("2026-09-28", "brief")})),
    )
    .await;
    assert_eq!(status, 422);
    let outcome = complete(
        &s,
        &ib,
        meld_id,
        json!({
            "parents_informed": parents("2026-09-28", "brief"),
            "melding": melding_content(),
        }),
    )
    .await;
    let melding_id = outcome["melding_id"].as_i64().expect("a melding");
    assert_eq!(outcome["tasks_created"].as_array().unwrap().len(), 1);

    // Leerplicht of Enschede now sees the melding, its legal content and the pupil; Oldenzaal
    // does not.
    let list = ok(&s, &lpa, Method::GET, "/api/meldingen", None, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let m = &list["items"][0];
    assert_eq!(m["id"], melding_id);
    assert_eq!(m["municipality"], ENSCHEDE);
    assert_eq!(m["status"], "geregistreerd");
    assert_eq!(m["verzuim_kind"], "relatief_verzuim");
    assert_eq!(
        m["period"],
        json!({"from": "2026-09-21", "to": "2026-09-24"})
    );
    assert_eq!(m["hours"], 21.0);
    assert_eq!(m["suspected_reason"], "Ouders melden de leerling niet af");
    let other = ok(&s, &other_lpa, Method::GET, "/api/meldingen", None, 200).await;
    assert_eq!(other["items"], json!([]));
    ok(
        &s,
        &other_lpa,
        Method::GET,
        &format!("/api/meldingen/{melding_id}"),
        None,
        404,
    )
    .await;
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding_id}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["number"], "400276872");
    assert_eq!(detail["number_kind"], "bsn");
    ok(
        &s,
        &lpa,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
    let regs = ok(
        &s,
        &lpa,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/registrations",
        None,
        200,
    )
    .await;
    assert_eq!(regs["items"].as_array().unwrap().len(), 4);
    let lp_tasks = open_tasks(&s, &lpa, "1001").await;
    assert_eq!(lp_tasks.len(), 1);
    assert_eq!(lp_tasks[0]["party"], "leerplicht");

    // The municipality's beheerder reads no pupil data through the school's routes (its
    // leerplichtambtenaar does); it may export what the municipality holds (inzage).
    let gm_admin = s.logged_in(MUNICIPALITY_ADMIN).await;
    for path in [
        "/api/schools/99XX00/pupils",
        "/api/schools/99XX00/pupils/1001",
        "/api/schools/99XX00/pupils/1001/registrations",
        "/api/schools/99XX00/signals",
    ] {
        ok(&s, &gm_admin, Method::GET, path, None, 403).await;
    }
    let inzage = ok(
        &s,
        &gm_admin,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/inzage",
        None,
        200,
    )
    .await;
    assert_eq!(inzage["organisation"], ENSCHEDE);
    assert_eq!(inzage["meldingen"][0]["melding"]["id"], melding_id);

    // The DUO export: exactly the legal content.
    let export = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding_id}/duo-export"),
        None,
        200,
    )
    .await;
    assert_eq!(export["schema"], "verzuim-duo-melding/1");
    assert_eq!(export["leerling"]["persoonsgebonden_nummer"], "400276872");
    assert_eq!(export["verzuim"]["uren"], 21.0);
    assert!(!export.to_string().contains("Leerling 1001"), "no name");

    // A school cannot take it up; leerplicht takes it in behandeling and closes it.
    let status_path = format!("/api/meldingen/{melding_id}/status");
    ok(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling"})),
        403,
    )
    .await;
    let changed = ok(
        &s,
        &lpa,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling"})),
        200,
    )
    .await;
    assert_eq!(changed["melding"]["melding"]["status"], "in_behandeling");
    // Closing needs a known reason and the afspraken.
    ok(
        &s,
        &lpa,
        Method::POST,
        &status_path,
        Some(json!({"status": "afgesloten", "reason": "zomaar", "afspraken": "x"})),
        422,
    )
    .await;
    ok(
        &s,
        &lpa,
        Method::POST,
        &status_path,
        Some(json!({"status": "afgesloten", "reason": "verzuim_beeindigd"})),
        422,
    )
    .await;
    let afspraken = "Leerling gaat weer naar school; ouders melden voortaan 's ochtends af";
    let closed = ok(
        &s,
        &lpa,
        Method::POST,
        &status_path,
        Some(json!({
            "status": "afgesloten",
            "reason": "verzuim_beeindigd",
            "afspraken": afspraken,
        })),
        200,
    )
    .await;
    let melding = &closed["melding"];
    assert_eq!(melding["melding"]["status"], "afgesloten");
    assert_eq!(melding["melding"]["status_reason"], "verzuim_beeindigd");
    assert_eq!(melding["afspraken"], afspraken);
    let history: Vec<&str> = melding["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        ["geregistreerd", "in_behandeling", "afgesloten"],
        "{melding}"
    );
    // A final status: no way back.
    ok(
        &s,
        &lpa,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling"})),
        422,
    )
    .await;

    // The school sees the feedback: a task with leerplicht's afspraken.
    let tasks = open_tasks(&s, &ib, "1001").await;
    let feedback = task_detail(&s, &ib, &task_starting(&tasks, FEEDBACK)["id"]).await;
    assert_eq!(feedback["link"]["kind"], "feedback");
    assert_eq!(feedback["link"]["detail"], afspraken);
    assert_eq!(feedback["link"]["melding_id"], melding_id);
    let school_view = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/meldingen/{melding_id}"),
        None,
        200,
    )
    .await;
    assert_eq!(school_view["melding"]["status"], "afgesloten");

    // The case's timeline tells the story, to leerplicht too.
    let case_id = feedback["case_id"].as_i64().unwrap();
    let case = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/cases/{case_id}"),
        None,
        200,
    )
    .await;
    let entries: Vec<&str> = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"].as_str().unwrap())
        .collect();
    assert!(entries.contains(&"melding"), "{entries:?}");
    assert!(entries.contains(&"afspraken"), "{entries:?}");
    assert_eq!(case["meldingen"][0]["status"], "afgesloten");
    ok(
        &s,
        &other_lpa,
        Method::GET,
        &format!("/api/cases/{case_id}"),
        None,
        404,
    )
    .await;

    // Every read and write of the pupil's data is in the school's audit log.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let objects = audit_objects(&s, &admin, "99XX00", "99XX00/1001").await;
    for expected in ["pupil:1001:enrol", "pupil:1001", "signals:1001"] {
        assert!(
            objects.iter().any(|o| o == expected),
            "{expected} in {objects:?}"
        );
    }
    assert!(
        objects
            .iter()
            .filter(|o| o.starts_with("registration:") && o.ends_with(":add"))
            .count()
            == 4
    );
    assert!(objects.contains(&format!("task:{meld_id}:complete")));
    // Leerplicht's reads are in its own organisation's log.
    let objects = audit_objects(&s, &gm_admin, "GM0153", "99XX00/1001").await;
    assert!(
        objects.contains(&format!("melding:{melding_id}")),
        "{objects:?}"
    );
    assert!(objects.contains(&format!("melding:{melding_id}:status:afgesloten")));
}

async fn a_correction_that_removes_the_ground_withdraws_the_signal(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;
    let mut ids = Vec::new();
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        let change = register(&s, &ib, "1001", "ongeoorloofd", day, day).await;
        ids.push(change["id"].as_i64().unwrap());
    }
    let tasks = open_tasks(&s, &ib, "1001").await;
    assert_eq!(tasks.len(), 2);

    // Thursday was a granted leave after all: the 16 hours are no longer reached.
    let thursday = ids[3];
    let change = ok(
        &s,
        &ib,
        Method::PUT,
        &format!("/api/schools/99XX00/registrations/{thursday}"),
        Some(json!({"code": "verlof", "start": "2026-09-24", "reason": "Verlof achteraf getoond"})),
        200,
    )
    .await;
    assert_eq!(change["version"], 2);
    assert_eq!(
        change["sync"]["signals_withdrawn"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        change["sync"]["tasks_not_needed"].as_array().unwrap().len(),
        2
    );
    assert!(open_tasks(&s, &ib, "1001").await.is_empty());

    let signals = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/signals",
        None,
        200,
    )
    .await;
    let signal = &signals["items"][0];
    assert_eq!(signal["status"], "withdrawn");
    assert!(
        signal["withdrawn_reason"]
            .as_str()
            .unwrap()
            .contains("ingetrokken")
    );
    let active = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/signals?status=active",
        None,
        200,
    )
    .await;
    assert_eq!(active["items"], json!([]));
    // The tasks are kept, not needed, with the reason.
    let done = ok(
        &s,
        &ib,
        Method::GET,
        "/api/tasks?status=not_needed",
        None,
        200,
    )
    .await;
    assert_eq!(done["items"].as_array().unwrap().len(), 2);
    assert!(
        done["items"][0]["status_reason"]
            .as_str()
            .unwrap()
            .contains("Signaal ingetrokken")
    );

    // The history keeps both versions; a deletion is one more.
    let history = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/schools/99XX00/registrations/{thursday}/history"),
        None,
        200,
    )
    .await;
    let codes: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["code"])
        .collect();
    assert_eq!(codes, [&json!("ongeoorloofd"), &json!("verlof")]);
    let deleted = ok(
        &s,
        &ib,
        Method::DELETE,
        &format!("/api/schools/99XX00/registrations/{}?reason=Dubbel", ids[0]),
        None,
        200,
    )
    .await;
    assert_eq!(deleted["version"], 2);
    let history = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/schools/99XX00/registrations/{}/history", ids[0]),
        None,
        200,
    )
    .await;
    assert_eq!(history[1]["deleted"], true);
    let list = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/registrations",
        None,
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    // Deleting it again: nothing to delete.
    let (status, _) = call(
        &s,
        &ib,
        Method::DELETE,
        &format!("/api/schools/99XX00/registrations/{}?reason=Dubbel", ids[0]),
        None,
    )
    .await;
    assert!(status == 404 || status == 422 || status == 409, "{status}");

    // Registering the Thursday back as ongeoorloofd (a correction) raises the signal again.
    let change = ok(
        &s,
        &ib,
        Method::PUT,
        &format!("/api/schools/99XX00/registrations/{thursday}"),
        Some(json!({"code": "ongeoorloofd", "start": "2026-09-24", "end": "2026-09-24", "reason": "Toch geen verlof"})),
        200,
    )
    .await;
    assert_eq!(change["version"], 3);

    // Each correction and the deletion has its audit row, written with the change; the failed
    // second deletion wrote none.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let objects = audit_objects(&s, &admin, "99XX00", "99XX00/1001").await;
    let count = |o: String| objects.iter().filter(|x| **x == o).count();
    assert_eq!(
        count(format!("registration:{thursday}:correct")),
        2,
        "{objects:?}"
    );
    assert_eq!(
        count(format!("registration:{}:delete", ids[0])),
        1,
        "{objects:?}"
    );
}

async fn an_administration_package_pushes_registrations_with_a_token(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;
    let push = token(&s, SCHOOL, &["registrations:write"]).await;
    let regs = "/api/schools/99XX00/pupils/1001/registrations";
    let mut last = Value::Null;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        let (status, body) = call_token(
            &s,
            &push,
            Method::POST,
            regs,
            Some(json!({"code": "ongeoorloofd", "start": day})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        last = body;
    }
    // The pushed registrations re-evaluate the pupil like any other.
    assert_eq!(last["sync"]["signals_new"].as_array().unwrap().len(), 1);
    let list = ok(&s, &ib, Method::GET, regs, None, 200).await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert!(
        list["items"][0]["created_by"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );
    // A correction by the package is a new version too.
    let (status, body) = call_token(
        &s,
        &push,
        Method::PUT,
        &format!("/api/schools/99XX00/registrations/{id}"),
        Some(
            json!({"code": "ongeoorloofd", "start": "2026-09-21T08:30", "end": "2026-09-21T12:00", "reason": "Correctie uit de administratie"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);

    // Only what the token may do, only for its school.
    let (status, _) = call_token(&s, &push, Method::GET, regs, None).await;
    assert_eq!(status, 403, "no registrations:read");
    let (status, _) = call_token(&s, &push, Method::GET, "/api/tasks", None).await;
    assert_eq!(status, 403, "no cases:read");
    let other = token(&s, OTHER_SCHOOL, &["registrations:write"]).await;
    let (status, _) = call_token(
        &s,
        &other,
        Method::POST,
        regs,
        Some(json!({"code": "ongeoorloofd", "start": "2026-09-25"})),
    )
    .await;
    assert_eq!(status, 403, "another school's token");
    // Bad input is refused with a field and a Dutch message.
    let (status, body) = call_token(
        &s,
        &push,
        Method::POST,
        regs,
        Some(json!({"code": "spijbelen", "start": "2026-09-25"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "ongeldige_waarde");
    assert_eq!(body["error"]["field"], "code");
    let (status, body) = call_token(
        &s,
        &push,
        Method::POST,
        regs,
        Some(json!({"code": "ongeoorloofd", "start": "31-02-2026"})),
    )
    .await;
    // The schema says "a string"; a date that does not exist is a rule it cannot state: 422.
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "ongeldige_datum");
    let (status, body) = call_token(
        &s,
        &push,
        Method::POST,
        regs,
        Some(json!({"code": "geoorloofd", "start": "2026-09-25", "note": "x".repeat(2001)})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "te_lang");

    // The school's audit log names the token for the writes.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let log = ok(
        &s,
        &admin,
        Method::GET,
        "/api/organisations/99XX00/audit?action=pupil_write&limit=200",
        None,
        200,
    )
    .await;
    assert!(
        log["items"].as_array().unwrap().iter().any(|r| r["actor"]
            .as_str()
            .unwrap()
            .starts_with("token:")
            && r["object"].as_str().unwrap().ends_with(":add"))
    );
}

async fn a_leerkracht_registers_for_own_groups_only(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;
    let mut other = pupil("1003", "Enschede");
    other["group"] = json!("4");
    enrol(&s, &ib, other).await;

    // The leerkracht of group 5 sees and registers group 5's pupils only.
    let list = ok(
        &s,
        &juf,
        Method::GET,
        "/api/schools/99XX00/pupils",
        None,
        200,
    )
    .await;
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["pupil_id"])
        .collect();
    assert_eq!(ids, [&json!("1001")]);
    let all = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils",
        None,
        200,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    ok(
        &s,
        &juf,
        Method::GET,
        "/api/schools/99XX00/pupils/1003",
        None,
        404,
    )
    .await;
    let body = json!({"code": "ongeoorloofd", "start": "2026-09-21"});
    ok(
        &s,
        &juf,
        Method::POST,
        "/api/schools/99XX00/pupils/1003/registrations",
        Some(body.clone()),
        404,
    )
    .await;
    register(&s, &juf, "1001", "ongeoorloofd", "2026-09-21", "2026-09-21").await;
    let theirs = register(&s, &ib, "1003", "ongeoorloofd", "2026-09-21", "2026-09-21").await;
    ok(
        &s,
        &juf,
        Method::PUT,
        &format!("/api/schools/99XX00/registrations/{}", theirs["id"]),
        Some(json!({"code": "geoorloofd", "start": "2026-09-21"})),
        404,
    )
    .await;
    ok(
        &s,
        &juf,
        Method::DELETE,
        &format!("/api/schools/99XX00/registrations/{}", theirs["id"]),
        None,
        404,
    )
    .await;
    // No enrolment, signals, tasks or meldingen for a leerkracht.
    ok(
        &s,
        &juf,
        Method::POST,
        "/api/schools/99XX00/pupils",
        Some(pupil("1004", "Enschede")),
        403,
    )
    .await;
    for path in [
        "/api/schools/99XX00/signals",
        "/api/tasks",
        "/api/cases",
        "/api/meldingen",
    ] {
        ok(&s, &juf, Method::GET, path, None, 403).await;
    }
    // Pagination counts the leerkracht's own pupils.
    let page = ok(
        &s,
        &juf,
        Method::GET,
        "/api/schools/99XX00/pupils?limit=1&offset=1",
        None,
        200,
    )
    .await;
    assert_eq!(page["items"], json!([]));
}
