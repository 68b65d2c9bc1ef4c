//! Issue 10.9, starting mid-year: an import lists the signals it found before its cut-off
//! (default: today), which wait without tasks; the coordinator decides per signal, through the
//! API (`/api/schools/{school}/import-review`) and the page `/import-beoordelen` (linked from the
//! import's result and the inbox), and the dossier keeps what was decided.

use reqwest::Method;
use serde_json::{Value, json};

use crate::beheer_pages::post_multipart;
use crate::harness::{Env, get_page, post_form};
use crate::region::*;

crate::http_tests!(
    the_api_lists_held_signals_and_the_coordinator_decides,
    the_review_page_walks_from_the_import_to_the_inbox,
);

const PUPILS: &str = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
                      2001;Sara Bakker;2016-05-04;5;Enschede;2022-08-22;400276872\n\
                      2002;Daan Smit;12-01-2017;5;Enschede;2022-08-22;400276872\n";

/// Sara: relatief verzuim in September; Daan: a sick report in October.
const REGISTRATIONS: &str = "pupil_id,code,start,end,minutes,note\n\
                             2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
                             2002,ziek,2026-10-05,2026-10-06,,\n";

fn open_tasks_of(tasks: &Value, pupil: &str) -> Vec<Value> {
    tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["pupil_id"] == pupil && t["status"] == "open")
        .cloned()
        .collect()
}

async fn the_api_lists_held_signals_and_the_coordinator_decides(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    // A cut-off after today is refused (422), nothing stored.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS, "review_before": "2027-07-01"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "ongeldig");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("grensdatum"),
        "{body}"
    );

    let report = ok(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS})),
        200,
    )
    .await;
    let found: Vec<(&str, &str, &str)> = report["to_review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["pupil_id"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("2002", "ziekmelding", "te_beoordelen"),
            ("2001", "relatief_verzuim", "te_beoordelen"),
        ],
        "by pupil name: {report}"
    );
    assert_eq!(report["sync"]["tasks_created"], json!([]), "{report}");
    let tasks = ok(&s, &ib, Method::GET, "/api/tasks?limit=200", None, 200).await;
    assert!(open_tasks_of(&tasks, "2001").is_empty(), "{tasks}");
    assert!(open_tasks_of(&tasks, "2002").is_empty(), "{tasks}");

    let list = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/import-review?status=te_beoordelen",
        None,
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let id = |kind: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()["signal_id"]
            .as_i64()
            .unwrap()
    };
    let (relatief, ziek) = (id("relatief_verzuim"), id("ziekmelding"));

    // Who may: the beheerder reads but does not decide; the teacher neither.
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    ok(
        &s,
        &admin,
        Method::GET,
        "/api/schools/99XX00/import-review",
        None,
        200,
    )
    .await;
    let decide = |id: i64| format!("/api/schools/99XX00/import-review/{id}");
    let handled = json!({"decision": "buiten_verzuim_afgehandeld", "handled_on": "2026-10-06", "note": "Gesprek met vader,\nafgesproken: beter melden"});
    ok(
        &s,
        &admin,
        Method::POST,
        &decide(ziek),
        Some(handled.clone()),
        403,
    )
    .await;
    let teacher = s.logged_in(TEACHER).await;
    ok(
        &s,
        &teacher,
        Method::GET,
        "/api/schools/99XX00/import-review",
        None,
        403,
    )
    .await;
    // Without the date: 400; a date before the signal: 422.
    ok(
        &s,
        &ib,
        Method::POST,
        &decide(ziek),
        Some(json!({"decision": "buiten_verzuim_afgehandeld"})),
        400,
    )
    .await;
    let early = ok(
        &s,
        &ib,
        Method::POST,
        &decide(ziek),
        Some(json!({"decision": "buiten_verzuim_afgehandeld", "handled_on": "2026-10-01"})),
        422,
    )
    .await;
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("vóór het signaal"),
        "{early}"
    );

    // A note with a signal about illness: 422, nothing decided (rules.md §8).
    let refused = ok(&s, &ib, Method::POST, &decide(ziek), Some(handled), 422).await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("geen toelichting"),
        "{refused}"
    );
    let handled = json!({"decision": "buiten_verzuim_afgehandeld", "handled_on": "2026-10-06"});
    let out = ok(&s, &ib, Method::POST, &decide(ziek), Some(handled), 200).await;
    assert_eq!(out["review"]["status"], "buiten_verzuim_afgehandeld");
    assert_eq!(out["review"]["handled_on"], "2026-10-06");
    assert_eq!(out["review"]["decided_on"], "2027-06-30");
    assert_eq!(out["tasks_created"], json!([]));
    ok(
        &s,
        &ib,
        Method::POST,
        &decide(ziek),
        Some(json!({"decision": "actie_nodig"})),
        409,
    )
    .await;

    let out = ok(
        &s,
        &ib,
        Method::POST,
        &decide(relatief),
        Some(json!({"decision": "actie_nodig"})),
        200,
    )
    .await;
    assert_eq!(out["review"]["status"], "actie_nodig");
    assert_eq!(out["case_opened"], true);
    assert_eq!(out["tasks_created"].as_array().unwrap().len(), 2, "{out}");
    let tasks = ok(&s, &ib, Method::GET, "/api/tasks?limit=200", None, 200).await;
    let sara = open_tasks_of(&tasks, "2001");
    let melding = sara
        .iter()
        .find(|t| t["melding"] == true)
        .expect("melding task");
    // Wednesday 30 June 2027 + 5 working days; not overdue.
    assert_eq!(melding["due"], "2027-07-07", "{melding}");
    assert_eq!(melding["overdue"], false, "{melding}");
    assert!(open_tasks_of(&tasks, "2002").is_empty(), "{tasks}");

    // The audit log has both decisions.
    let texts = s
        .raw_texts("SELECT object FROM audit_log WHERE object LIKE 'signals:99XX00:%:import:%' ORDER BY id")
        .await;
    assert_eq!(
        texts,
        [
            format!("signals:99XX00:{ziek}:import:buiten_verzuim_afgehandeld"),
            format!("signals:99XX00:{relatief}:import:actie_nodig"),
        ]
    );
}

async fn the_review_page_walks_from_the_import_to_the_inbox(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = post_multipart(
        &s,
        &admin,
        "/beheer/importeren",
        &[
            ("pupils", Some("pupils.csv"), PUPILS.as_bytes()),
            (
                "registrations",
                Some("registrations.csv"),
                REGISTRATIONS.as_bytes(),
            ),
            ("review_before", None, "2027-06-30".as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Geïmporteerd"), "{body}");
    assert!(
        body.contains("2 signalen van vóór 30-06-2027 te beoordelen na import (zonder taken)"),
        "{body}"
    );
    assert!(
        body.contains("Gevonden signalen van vóór 30-06-2027"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">Sara Bakker</th><td>5</td><td>Relatief verzuim</td>"),
        "{body}"
    );
    assert!(body.contains("href=\"/import-beoordelen\""), "{body}");
    // The beheerder reads the review page, without the decision forms.
    let (status, body) = get_page(&s, &admin, "/import-beoordelen").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Alleen de verzuimcoördinator beslist"),
        "{body}"
    );
    assert!(!body.contains("name=\"besluit\""), "{body}");
    let (status, _) = post_form(
        &s,
        &admin,
        "/import-beoordelen",
        &[("signaal", "1"), ("besluit", "actie_nodig")],
    )
    .await;
    assert_eq!(status, 403);

    // The coordinator's inbox links the review.
    let ib = s.logged_in(COORDINATOR).await;
    let (_, inbox) = get_page(&s, &ib, "/taken").await;
    assert!(
        inbox.contains("2 signalen uit de import wachten op uw beoordeling"),
        "{inbox}"
    );
    assert!(inbox.contains("href=\"/import-beoordelen\""), "{inbox}");
    let (status, page) = get_page(&s, &ib, "/import-beoordelen").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Te beoordelen na import (2 signalen)"),
        "{page}"
    );
    let list = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/import-review",
        None,
        200,
    )
    .await;
    let id = |kind: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()["signal_id"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let (relatief, ziek) = (id("relatief_verzuim"), id("ziekmelding"));
    assert!(page.contains(&format!("id=\"datum-{ziek}\"")), "{page}");

    // Handled outside without a date: refused in Dutch, nothing stored.
    let (_, page) = post_form(
        &s,
        &ib,
        "/import-beoordelen",
        &[
            ("signaal", &ziek),
            ("besluit", "buiten_verzuim_afgehandeld"),
        ],
    )
    .await;
    assert!(
        page.contains("Vul de datum waarop het signaal buiten verzuim is afgehandeld in."),
        "{page}"
    );
    assert!(page.contains("Er is niets opgeslagen."), "{page}");

    // A sick report's decision has no note field; a note sent anyway is refused (rules.md §8).
    assert!(
        !page.contains(&format!("id=\"toelichting-{ziek}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("id=\"toelichting-{relatief}\"")),
        "{page}"
    );
    assert!(
        page.contains("Bij een signaal over ziekte wordt geen toelichting vastgelegd"),
        "{page}"
    );
    let (_, refused) = post_form(
        &s,
        &ib,
        "/import-beoordelen",
        &[
            ("signaal", &ziek),
            ("besluit", "buiten_verzuim_afgehandeld"),
            ("datum", "2026-10-06"),
            ("toelichting", "Gebeld met vader"),
        ],
    )
    .await;
    assert!(refused.contains("krijgt geen toelichting"), "{refused}");
    assert!(refused.contains("Er is niets opgeslagen."), "{refused}");

    let (status, page) = post_form(
        &s,
        &ib,
        "/import-beoordelen",
        &[
            ("signaal", &ziek),
            ("besluit", "buiten_verzuim_afgehandeld"),
            ("datum", "2026-10-06"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("vastgelegd als buiten verzuim afgehandeld"),
        "{page}"
    );
    assert!(
        page.contains("Buiten verzuim afgehandeld op 06-10-2026 (beoordeeld op 30-06-2027)"),
        "{page}"
    );
    let (_, page) = post_form(
        &s,
        &ib,
        "/import-beoordelen",
        &[("signaal", &relatief), ("besluit", "actie_nodig")],
    )
    .await;
    assert!(
        page.contains("actie nodig. 2 taken aangemaakt in dossier"),
        "{page}"
    );
    assert!(
        page.contains("Er wachten geen signalen uit een import op beoordeling."),
        "{page}"
    );

    // The inbox: Sara's tasks, none of Daan's; no more waiting signals.
    let (_, inbox) = get_page(&s, &ib, "/taken").await;
    assert!(inbox.contains("Sara Bakker"), "{inbox}");
    assert!(!inbox.contains("Daan Smit"), "{inbox}");
    assert!(!inbox.contains("uit de import wacht"), "{inbox}");
    // Daan's dossier keeps the decision as history.
    let (status, dossier) = get_page(&s, &ib, "/leerlingen/99XX00/2002").await;
    assert_eq!(status, 200);
    assert!(dossier.contains("Signalen uit de import"), "{dossier}");
    assert!(
        dossier.contains("Buiten verzuim afgehandeld op 06-10-2026"),
        "{dossier}"
    );
    assert!(!dossier.contains("Gebeld met vader"), "{dossier}");
    // The audit log reads it in Dutch.
    let (_, log) = get_page(&s, &admin, "/beheer/auditlog").await;
    assert!(
        log.contains(&format!(
            "signaal {ziek} na import beoordeeld: buiten verzuim afgehandeld"
        )),
        "{log}"
    );
}
