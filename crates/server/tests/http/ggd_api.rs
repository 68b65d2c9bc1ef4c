//! The GGD-JGZ path through the API (rules.md §7): ziek > 2 weken -> the school's referral ->
//! GGD-JGZ records "niet verschenen zonder tegenbericht" -> the school judges "zonder goede
//! reden" -> the school's melding task -> the melding to the home municipality. GGD-JGZ's own
//! notes are invisible to the school and to leerplicht (security.md, Authorization).

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Env, TestServer};
use crate::region::*;

crate::http_tests!(ggd_no_show_leads_to_a_melding_and_notes_stay_with_ggd);

pub const REFER: &str = "Gaat in gesprek met ouders en verwijst de (chronisch) zieke leerling";
const JUDGE: &str = "Beoordeelt of de leerling zonder goede reden niet verscheen bij de GGD-JGZ";
const TRIGGERED: &str = "Bij niet verschijnen bij de GGD-JGZ zonder goede reden, melden";
pub const NOTE: &str = "Moeder vertelt over slaapproblemen; afspraak 6 oktober";

/// Pupil 1002 (Oldenzaal, an onderwijsnummer, no BSN), three weeks sick, referred to GGD Twente
/// by the school. Returns the referral's id.
pub async fn referred_pupil(s: &TestServer, ib: &reqwest::Client) -> i64 {
    let mut p = pupil("1002", "Oldenzaal");
    p["bsn"] = Value::Null;
    p["onderwijsnummer"] = json!("101234567");
    enrol(s, ib, p).await;
    let change = register(s, ib, "1002", "ziek", "2026-09-07", "2026-09-25").await;
    assert_eq!(
        change["sync"]["signals_new"].as_array().unwrap().len(),
        2,
        "ziekmelding and ziek > 2 weken: {change}"
    );
    let tasks = open_tasks(s, ib, "1002").await;
    assert!(
        tasks
            .iter()
            .all(|t| !t["text"].as_str().unwrap().starts_with(TRIGGERED)),
        "the conditional melding is not created up front"
    );
    let refer = task_starting(&tasks, REFER);
    assert_eq!(refer["referral"], true);
    let outcome = complete(
        s,
        ib,
        refer["id"].as_i64().unwrap(),
        json!({"parents_informed": parents("2026-09-22", "telefoon"), "referral_form": referral_form()}),
    )
    .await;
    outcome["referral_id"].as_i64().expect("a referral")
}

/// The school's digitaal aanmeldingsformulier (issue 11).
pub fn referral_form() -> Value {
    json!({
        "question": "Kan de GGD-JGZ met de ouders kijken naar de lange ziekte?",
        "school_actions": "Gesprek met moeder op 22 september",
        "parents_consent": true
    })
}

async fn ggd_no_show_leads_to_a_melding_and_notes_stay_with_ggd(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let jgz = s.logged_in(JGZ).await;
    let other_jgz = s.logged_in(OTHER_JGZ).await;
    let lpa = s.logged_in(LEERPLICHT_OLDENZAAL).await;

    // GGD-JGZ sees nobody before a referral.
    let list = ok(&s, &jgz, Method::GET, "/api/referrals", None, 200).await;
    assert_eq!(list["items"], json!([]));
    let referral = referred_pupil(&s, &ib).await;

    // GGD-JGZ sees the referral, the pupil and its task; another GGD-JGZ nothing.
    let list = ok(&s, &jgz, Method::GET, "/api/referrals", None, 200).await;
    assert_eq!(list["items"][0]["id"], referral);
    assert_eq!(list["items"][0]["status"], "aangemeld");
    ok(
        &s,
        &jgz,
        Method::GET,
        "/api/schools/99XX00/pupils/1002",
        None,
        200,
    )
    .await;
    let ggd_tasks = open_tasks(&s, &jgz, "1002").await;
    assert_eq!(ggd_tasks.len(), 1);
    assert_eq!(ggd_tasks[0]["party"], "ggd_jgz");
    let other = ok(&s, &other_jgz, Method::GET, "/api/referrals", None, 200).await;
    assert_eq!(other["items"], json!([]));
    ok(
        &s,
        &other_jgz,
        Method::GET,
        "/api/schools/99XX00/pupils/1002",
        None,
        404,
    )
    .await;

    // GGD-JGZ's own note: written and read by GGD-JGZ only.
    let notes = format!("/api/referrals/{referral}/notes");
    let status_path = format!("/api/referrals/{referral}/status");
    ok(
        &s,
        &jgz,
        Method::POST,
        &status_path,
        Some(json!({"status": "in_behandeling"})),
        200,
    )
    .await;
    let note = ok(
        &s,
        &jgz,
        Method::POST,
        &notes,
        Some(json!({"text": NOTE})),
        201,
    )
    .await;
    assert_eq!(note["text"], NOTE);
    let read = ok(&s, &jgz, Method::GET, &notes, None, 200).await;
    assert_eq!(read["items"][0]["text"], NOTE);
    ok(&s, &ib, Method::GET, &notes, None, 403).await;
    ok(
        &s,
        &ib,
        Method::POST,
        &notes,
        Some(json!({"text": "x"})),
        403,
    )
    .await;
    ok(&s, &lpa, Method::GET, &notes, None, 403).await;
    ok(&s, &other_jgz, Method::GET, &notes, None, 404).await;
    // A school may not set GGD-JGZ's statuses; GGD-JGZ may not withdraw the school's referral.
    ok(
        &s,
        &ib,
        Method::POST,
        &status_path,
        Some(json!({"status": "afgerond"})),
        403,
    )
    .await;
    ok(
        &s,
        &jgz,
        Method::POST,
        &status_path,
        Some(json!({"status": "ingetrokken"})),
        403,
    )
    .await;

    // "Niet verschenen zonder tegenbericht": the school gets the task to judge it.
    let changed = ok(
        &s,
        &jgz,
        Method::POST,
        &status_path,
        Some(json!({"status": "niet_verschenen_zonder_tegenbericht"})),
        200,
    )
    .await;
    assert_eq!(changed["tasks_created"].as_array().unwrap().len(), 1);
    // The school sees the status and its history, never the notes.
    let seen = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/referrals/{referral}"),
        None,
        200,
    )
    .await;
    assert_eq!(
        seen["referral"]["status"],
        "niet_verschenen_zonder_tegenbericht"
    );
    assert_eq!(seen["history"].as_array().unwrap().len(), 3);
    assert!(!seen.to_string().contains("slaapproblemen"));

    let tasks = open_tasks(&s, &ib, "1002").await;
    let judge = task_detail(&s, &ib, &task_starting(&tasks, JUDGE)["id"]).await;
    assert_eq!(judge["trigger"], "niet_verschenen_zonder_tegenbericht");
    assert_eq!(judge["link"]["kind"], "judge_no_show");
    let judge_id = judge["id"].as_i64().unwrap();
    // Judging is required, with a known judgement.
    let path = format!("/api/tasks/{judge_id}/complete");
    ok(&s, &ib, Method::POST, &path, Some(json!({})), 422).await;
    ok(
        &s,
        &ib,
        Method::POST,
        &path,
        Some(json!({"judgement": "misschien"})),
        400,
    )
    .await;
    let outcome = complete(
        &s,
        &ib,
        judge_id,
        json!({"judgement": "zonder_goede_reden"}),
    )
    .await;
    assert_eq!(outcome["tasks_created"].as_array().unwrap().len(), 1);

    // The card's conditional melding is now the school's task; completing it melds to
    // Oldenzaal with the onderwijsnummer.
    let tasks = open_tasks(&s, &ib, "1002").await;
    let meld = task_starting(&tasks, TRIGGERED);
    assert_eq!(meld["melding"], true);
    assert_eq!(meld["trigger"], "niet_verschenen_zonder_goede_reden");
    let outcome = complete(
        &s,
        &ib,
        meld["id"].as_i64().unwrap(),
        json!({
            "parents_informed": parents("2026-10-07", "brief"),
            "melding": {
                "suspected_reason": "Niet verschenen bij de GGD-JGZ zonder goede reden",
                "school_actions": "Verwezen naar de GGD-JGZ; ouders gebeld en schriftelijk geïnformeerd",
            },
        }),
    )
    .await;
    let melding = outcome["melding_id"].as_i64().unwrap();
    let m = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{melding}"),
        None,
        200,
    )
    .await;
    assert_eq!(m["melding"]["municipality"], OLDENZAAL);
    assert_eq!(m["number_kind"], "onderwijsnummer");
    assert_eq!(m["number"], "101234567");

    // Neither the school's nor leerplicht's view of the case holds the note.
    let case_id = m["melding"]["case_id"].as_i64().unwrap();
    for client in [&ib, &lpa] {
        let case = ok(
            &s,
            client,
            Method::GET,
            &format!("/api/cases/{case_id}"),
            None,
            200,
        )
        .await;
        assert!(!case.to_string().contains("slaapproblemen"), "{case}");
        assert_eq!(
            case["referrals"][0]["status"],
            "niet_verschenen_zonder_tegenbericht"
        );
    }
    // Nor anything else the school can read about the pupil.
    for path in [
        "/api/schools/99XX00/pupils/1002",
        "/api/schools/99XX00/pupils/1002/signals",
        "/api/referrals",
        "/api/tasks",
    ] {
        let body = ok(&s, &ib, Method::GET, path, None, 200).await;
        assert!(!body.to_string().contains("slaapproblemen"), "{path}");
    }
}
