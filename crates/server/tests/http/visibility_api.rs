//! security.md, Authorization: GGD-JGZ's free text is GGD-JGZ's alone. A jeugdarts marks
//! GGD-JGZ's task "niet nodig" with a reason; the school sees that the task is not needed, but
//! not the reason — not in `GET /api/cases/{id}`, not on the dossier page, not in the school's
//! inzage export. GGD-JGZ itself still reads its reason. The other way: leerplicht sees only
//! what its meldingen hold, not the school's ziekmelding signal and sick-report tasks outside
//! the melding's period — in the API and on its dossier page alike.

use reqwest::Method;
use serde_json::{Value, json};

use crate::ggd_api::referred_pupil;
use crate::harness::{Env, get_page};
use crate::region::*;

crate::http_tests!(
    ggd_reason_for_not_needed_stays_with_ggd,
    leerplicht_sees_no_sick_report_outside_its_melding
);

const REASON: &str = "Vertrouwelijk: vader belde over een diagnose in het ziekenhuis";

async fn ggd_reason_for_not_needed_stays_with_ggd(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let jgz = s.logged_in(JGZ).await;
    referred_pupil(&s, &ib).await;
    let ggd_tasks = open_tasks(&s, &jgz, "1002").await;
    assert_eq!(ggd_tasks.len(), 1, "GGD-JGZ's task after the referral");
    let task = ggd_tasks[0]["id"].as_i64().unwrap();
    let case = ggd_tasks[0]["case_id"].as_i64().unwrap();
    ok(
        &s,
        &jgz,
        Method::POST,
        &format!("/api/tasks/{task}/not-needed"),
        Some(json!({"reason": REASON})),
        204,
    )
    .await;

    // GGD-JGZ reads its own reason.
    let own = ok(
        &s,
        &jgz,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    let own_task = task_in(&own, task);
    assert_eq!(own_task["status"], "not_needed");
    assert_eq!(own_task["status_reason"], REASON);

    // The school sees the status, not the reason.
    let seen = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    let school_task = task_in(&seen, task);
    assert_eq!(school_task["status"], "not_needed");
    assert_eq!(school_task["status_reason"], Value::Null);
    assert!(!seen.to_string().contains("diagnose"), "case: {seen}");
    let one = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/tasks/{task}"),
        None,
        200,
    )
    .await;
    assert!(!one.to_string().contains("diagnose"), "task: {one}");
    let list = ok(
        &s,
        &ib,
        Method::GET,
        "/api/tasks?status=not_needed",
        None,
        200,
    )
    .await;
    assert!(!list.to_string().contains("diagnose"), "tasks: {list}");

    // Nor on the dossier page…
    let (status, html) = get_page(&s, &ib, "/leerlingen/99XX00/1002").await;
    assert_eq!(status, 200);
    assert!(html.contains("Taak niet nodig"), "the status shows");
    assert!(
        !html.contains("diagnose"),
        "dossier page shows GGD-JGZ's reason"
    );

    // …nor in the school's inzage export.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let res = admin
        .get(s.url("/api/schools/99XX00/pupils/1002/inzage"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("diagnose"), "inzage: {text}");
    assert!(text.contains("not_needed"), "the status is in the export");
}

fn task_in(case: &Value, id: i64) -> Value {
    case["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("task {id} in {case}"))
}

/// Pupil 1001: relatief verzuim 21–24 September, the melding to Enschede; then a sick day on
/// 2 November, in the same (open) case: the school sees the ziekmelding, leerplicht does not.
async fn leerplicht_sees_no_sick_report_outside_its_melding(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let lpa = s.logged_in(LEERPLICHT).await;
    enrol(&s, &ib, pupil("1001", "Enschede")).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(&s, &ib, "1001", "ongeoorloofd", day, day).await;
    }
    let tasks = open_tasks(&s, &ib, "1001").await;
    let meld = tasks
        .iter()
        .find(|t| t["melding"] == true)
        .expect("the melding task");
    complete(
        &s,
        &ib,
        meld["id"].as_i64().unwrap(),
        json!({
            "parents_informed": parents("2026-09-28", "brief"),
            "melding": melding_content(),
        }),
    )
    .await;
    let change = register(&s, &ib, "1001", "ziek", "2026-11-02", "2026-11-02").await;
    assert!(
        !change["sync"]["signals_new"].as_array().unwrap().is_empty(),
        "a ziekmelding: {change}"
    );

    let case = meld["case_id"].as_i64().unwrap();
    let school = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    // The ziekmelding is in the school's dossier of its own chain (docs/workflow.md, "Cases and
    // their chains"), not in the melding's; leerplicht sees neither that dossier nor its signal.
    let sick: Vec<i64> = change["sync"]["signals_new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect();
    let school_kinds: Vec<&str> = school["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(school_kinds.contains(&"relatief_verzuim"));
    let signals = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/signals",
        None,
        200,
    )
    .await;
    let sick_case = signals["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| sick.contains(&x["id"].as_i64().unwrap()))
        .and_then(|x| x["case_id"].as_i64())
        .expect("the ziekmelding's case");
    assert_ne!(sick_case, case);
    let res = lpa
        .get(s.url(&format!("/api/cases/{sick_case}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "leerplicht and the ziekmelding's case");

    let seen = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    let seen_kinds: Vec<&str> = seen["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(seen_kinds, ["relatief_verzuim"], "leerplicht: {seen}");
    for t in seen["tasks"].as_array().unwrap() {
        assert!(
            !sick.contains(&t["signal_id"].as_i64().unwrap_or(-1)),
            "a sick-report task reaches leerplicht: {t}"
        );
    }
    for e in seen["timeline"].as_array().unwrap() {
        assert!(
            !sick.contains(&e["signal_id"].as_i64().unwrap_or(-1)),
            "a sick-report entry reaches leerplicht: {e}"
        );
    }
    let list = ok(&s, &lpa, Method::GET, "/api/tasks", None, 200).await;
    for t in list["items"].as_array().unwrap() {
        assert!(
            !sick.contains(&t["signal_id"].as_i64().unwrap_or(-1)),
            "{t}"
        );
    }
    let (status, html) = get_page(&s, &lpa, "/leerlingen/99XX00/1001").await;
    assert_eq!(status, 200);

    assert!(
        !html.to_lowercase().contains("ziekmelding"),
        "leerplicht's dossier page"
    );
}
