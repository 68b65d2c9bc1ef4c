//! Issue 13: "two or more `serve` processes on one PostgreSQL are correct: … writes to one
//! pupil from both never lose an update or produce duplicate signals, cases or tasks. An
//! integration test runs two processes against one database under concurrent load and checks
//! the state afterwards against a batch evaluation."
//!
//! Two `verzuim serve` processes on one PostgreSQL database take registrations from 16
//! concurrent clients; every pupil gets its days from two clients at once, one through each
//! process. Afterwards every registration is stored once, no signal, open case or task exists
//! twice, and the active signals are exactly those `verzuim evaluate` finds in the same
//! registrations as formats.md files.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::civil::Date;
use serde_json::{Value, json};
use sqlx::{Connection, Row};

use crate::kill::{PUPILS, SCHOOL, lesson_days, seed};
use crate::{TempDir, run_in, workspace_root};

const CLIENTS: usize = 16;

/// What pupil `p` has on lesson day `i`: unauthorized absence, a lateness, sickness, luxury
/// absence or nothing, spread so that every kind of signal of these codes arises.
fn registration(p: usize, i: usize, day: Date) -> Option<Value> {
    let day = day.to_string();
    match (p * 31 + i * 17 + p * i) % 10 {
        0..=2 => Some(json!({"code": "ongeoorloofd", "start": day})),
        3 => Some(json!({"code": "te_laat", "start": day, "minutes": 10})),
        4 => Some(json!({"code": "ziek", "start": day})),
        5 if p.is_multiple_of(3) => Some(json!({"code": "luxe", "start": day})),
        _ => None,
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(url: &str) -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_verzuim"))
        .args(["serve", "--database", url, "--retention", "uit", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Server(child), format!("http://127.0.0.1:{port}"))
}

async fn wait_until_up(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/health")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("verzuim serve at {base} did not come up");
}

/// A new, empty database `name` on the server of `admin_url` (dropped first if it exists); its
/// URL.
pub(crate) async fn fresh(admin_url: &str, name: &str) -> String {
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    with_database(admin_url, name)
}

/// `postgres://u@h:p/postgres?x` -> `postgres://u@h:p/<name>?x`.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    }
}

#[test]
fn two_processes_on_one_postgres_agree_with_a_batch_evaluation() {
    let Some(admin_url) = verzuim_store::test_support::postgres_url() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("verzuim_two_processes_{}", std::process::id());
    let url = rt.block_on(fresh(&admin_url, &name));
    let token = rt.block_on(seed(&url));
    let (_a, base_a) = serve(&url);
    let (_b, base_b) = serve(&url);
    let days = lesson_days();
    let sent = rt.block_on(async {
        let http = reqwest::Client::new();
        wait_until_up(&http, &base_a).await;
        wait_until_up(&http, &base_b).await;
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            // Client c: the pupils p ≡ c (mod 8), the days of one parity, through one process:
            // each pupil gets writes from two clients at once, one through each process.
            let half = c / (CLIENTS / 2);
            let base = if half == 0 { &base_a } else { &base_b }.clone();
            let (http, auth, days) = (http.clone(), format!("Bearer {token}"), days.clone());
            clients.push(tokio::spawn(async move {
                let mut sent = Vec::new();
                for (i, day) in days.iter().enumerate().filter(|(i, _)| i % 2 == half) {
                    for p in (c % (CLIENTS / 2)..PUPILS).step_by(CLIENTS / 2) {
                        let Some(body) = registration(p, i, *day) else {
                            continue;
                        };
                        let pupil = format!("{}", 1000 + p);
                        let res = http
                            .post(format!(
                                "{base}/api/schools/{SCHOOL}/pupils/{pupil}/registrations"
                            ))
                            .header(reqwest::header::AUTHORIZATION, &auth)
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        let status = res.status();
                        let text = res.text().await.unwrap();
                        assert_eq!(
                            status,
                            reqwest::StatusCode::CREATED,
                            "{pupil} {body}: {text}"
                        );
                        sent.push((pupil, body));
                    }
                }
                sent
            }));
        }
        let mut sent = Vec::new();
        for c in clients {
            sent.extend(c.await.unwrap());
        }
        sent
    });
    assert!(sent.len() > 300, "{} registrations", sent.len());

    // The state afterwards, read from the database.
    let (stored, duplicates, signals) = rt.block_on(async {
        let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let stored = count("SELECT count(*) FROM registrations")
            .fetch_one(&mut db)
            .await
            .unwrap();
        let mut duplicates = Vec::new();
        for (what, sql) in [
            (
                "signalen",
                "SELECT count(*) FROM (SELECT 1 FROM signals WHERE status = 'active' \
                 GROUP BY pupil, kind, date, stage HAVING count(*) > 1) d",
            ),
            (
                "open dossiers",
                "SELECT count(*) FROM (SELECT 1 FROM cases WHERE closed_at IS NULL \
                 GROUP BY pupil, kinds_json HAVING count(*) > 1) d",
            ),
            (
                "taken",
                "SELECT count(*) FROM (SELECT 1 FROM tasks WHERE signal_id IS NOT NULL \
                 GROUP BY signal_id, party, text HAVING count(*) > 1) d",
            ),
        ] {
            let n = count(sql).fetch_one(&mut db).await.unwrap();
            if n > 0 {
                duplicates.push(format!("{n} × {what}"));
            }
        }
        let signals: BTreeSet<(String, String, String, Option<i64>)> = sqlx::query(
            "SELECT p.pupil_id, s.kind, s.date, s.minutes FROM signals s \
             JOIN pupils p ON p.id = s.pupil WHERE s.status = 'active'",
        )
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
        db.close().await.unwrap();
        (stored, duplicates, signals)
    });
    assert_eq!(
        stored as usize,
        sent.len(),
        "every acknowledged registration, once"
    );
    assert!(duplicates.is_empty(), "twice: {duplicates:?}");

    // The same registrations as formats.md files, evaluated in one batch.
    let dir = TempDir::new("two-processes");
    let school =
        std::fs::read_to_string(workspace_root().join("examples/demo/school.toml")).unwrap();
    dir.write("school.toml", &school);
    let mut pupils = String::from("pupil_id,birth_date,group,municipality,enrolled_from\n");
    for i in 0..PUPILS {
        pupils += &format!(
            "{},2018-{:02}-01,4,GM0153,2024-08-19\n",
            1000 + i,
            1 + i % 12
        );
    }
    dir.write("pupils.csv", &pupils);
    let mut regs = String::from("pupil_id,code,start,minutes\n");
    for (pupil, body) in &sent {
        let minutes = body
            .get("minutes")
            .map(Value::to_string)
            .unwrap_or_default();
        regs += &format!(
            "{pupil},{},{},{minutes}\n",
            body["code"].as_str().unwrap(),
            body["start"].as_str().unwrap()
        );
    }
    dir.write("registrations.csv", &regs);
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date();
    let run = run_in(
        dir.path(),
        &[
            "evaluate",
            "--school",
            "school.toml",
            "--pupils",
            "pupils.csv",
            "--registrations",
            "registrations.csv",
            "--format",
            "json",
            "--as-of",
            &today.to_string(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let batch: BTreeSet<(String, String, String, Option<i64>)> = out["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["pupil_id"].as_str().unwrap().to_owned(),
                s["kind"].as_str().unwrap().to_owned(),
                s["date"].as_str().unwrap().to_owned(),
                s["minutes"].as_i64(),
            )
        })
        .collect();
    let kinds: BTreeSet<&str> = batch.iter().map(|s| s.1.as_str()).collect();
    eprintln!(
        "{} registrations through two processes, {} signals stored, {} in the batch: {kinds:?}",
        sent.len(),
        signals.len(),
        batch.len()
    );
    assert!(
        kinds.len() >= 3,
        "too few kinds of signal to mean much: {kinds:?}"
    );
    assert_eq!(
        signals.difference(&batch).collect::<Vec<_>>(),
        Vec::<&(String, String, String, Option<i64>)>::new(),
        "stored but not in the batch evaluation"
    );
    assert_eq!(
        batch.difference(&signals).collect::<Vec<_>>(),
        Vec::<&(String, String, String, Option<i64>)>::new(),
        "in the batch evaluation but not stored"
    );
    rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
    });
}
