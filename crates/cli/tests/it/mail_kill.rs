//! Issue 12: "the outbox survives `kill -9` with no mail lost or doubled". `verzuim serve` on
//! SQLite makes a melding through the API (its mail to leerplicht is written in the same
//! transaction) and is killed with SIGKILL twice before the mail is delivered: first while the
//! SMTP server never answers (the mail was claimed, nothing was handed over), then while the SMTP
//! server holds back its "250" after receiving the message (handed over, not known to be
//! accepted). After each restart the mail is sent again with the same Message-ID; in the end it
//! is marked sent, and every SMTP server together has seen exactly one Message-ID for it: one
//! mail from the receiver's view. The SMTP servers are real ones (aiosmtpd,
//! `tests/smtp/server.py`).
//!
//! And: "with several `serve` processes on one PostgreSQL, each row is delivered by one of
//! them": two `verzuim serve` processes on one PostgreSQL database deliver one outbox to one
//! real SMTP server, which counts every message: each arrives exactly once.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::civil::date;
use serde_json::{Value, json};
use verzuim_engine::model::Pupil;
use verzuim_server::auth::tokens;
use verzuim_store::outbox::{MailKind, MailStatus, NewMail, OutboxMail};
use verzuim_store::{
    Actor, Membership, NewApiToken, NewUser, Page, PupilData, Role, Store, hash_token,
};

const SCHOOL: &str = "00ML00";
const LPA: &str = "lpa@gemeente.example";

/// A real SMTP server process; killed when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    out: PathBuf,
}

impl SmtpServer {
    fn start(dir: &Path, mode: &str, extra: &[&str]) -> SmtpServer {
        let root = crate::workspace_root();
        let python = root.join("tests/smtp/.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run tests/smtp/setup.sh (.ci/run does)",
            python.display()
        );
        let out = dir.join(format!("{mode}.jsonl"));
        let mut child = Command::new(python)
            .arg(root.join("tests/smtp/server.py"))
            .args(["--mode", mode, "--out"])
            .arg(&out)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"));
        SmtpServer { child, port, out }
    }

    fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn seed(url: &str) -> String {
    let store = super::kill::seed_school(url, SCHOOL).await;
    let mut data = PupilData::new(Pupil {
        id: "1000".to_owned(),
        birth_date: date(2016, 3, 1),
        group: "5".to_owned(),
        municipality: "GM0153".to_owned(),
        enrolled_from: date(2022, 8, 22),
        enrolled_until: None,
        next_school: None,
    });
    data.bsn = Some("400276872".to_owned());
    store.insert_pupil(SCHOOL, &data).await.unwrap();
    for (email, org, role) in [
        (
            "coordinator@school.example",
            SCHOOL,
            Role::Verzuimcoordinator,
        ),
        (LPA, "GM0153", Role::Leerplichtambtenaar),
    ] {
        let user = store
            .create_user(&NewUser {
                email: email.to_owned(),
                display_name: email.to_owned(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                    .to_owned(),
            })
            .await
            .unwrap();
        store
            .add_membership(&Membership {
                user_id: user,
                organisation_id: org.to_owned(),
                role,
                groups: Vec::new(),
            })
            .await
            .unwrap();
    }
    let raw = tokens::generate();
    store
        .create_api_token(
            &NewApiToken {
                organisation_id: SCHOOL.to_owned(),
                name: "mail kill test".to_owned(),
                token_hash: hash_token(&raw),
                permissions: vec![
                    "registrations:write".to_owned(),
                    "cases:read".to_owned(),
                    "cases:write".to_owned(),
                ],
            },
            Actor::System,
        )
        .await
        .unwrap();
    store.close().await;
    raw
}

fn serve(url: &str, port: u16, smtp: &SmtpServer) -> Child {
    Command::new(env!("CARGO_BIN_EXE_verzuim"))
        .args(["serve", "--database", url, "--retention", "uit", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--smtp")
        .arg(format!("smtp+plain://127.0.0.1:{}", smtp.port))
        .args(["--mail-from", "Verzuim <verzuim@gemeente.example>"])
        .env("VERZUIM_MAIL_POLL", "0.2")
        .env("VERZUIM_MAIL_LEASE", "3")
        .env("VERZUIM_MAIL_RETRY", "1")
        // Longer than the test waits: a silent server keeps the worker in the conversation.
        .env("VERZUIM_MAIL_TIMEOUT", "120")
        // No daily job during the test (its deadline mail would add mails).
        .env("VERZUIM_MAIL_FIRST_RUN", "3600")
        .env_remove("VERZUIM_SMTP_USER")
        .env_remove("VERZUIM_SMTP_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/health")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("verzuim serve did not come up");
}

/// The outbox row of the mail to leerplicht, read from the database beside the server.
async fn lpa_mail(url: &str) -> Option<OutboxMail> {
    let store = Store::connect(url).await.unwrap();
    let rows = store.outbox(Some(LPA), Page::default()).await.unwrap();
    store.close().await;
    assert!(rows.len() <= 1, "one mail to leerplicht: {rows:?}");
    rows.into_iter().next()
}

async fn wait_for<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 60 s for: {what}");
}

fn kill(mut child: Child) {
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

#[test]
fn a_mail_survives_two_kills_and_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let token = rt.block_on(seed(&url));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let auth = format!("Bearer {token}");
    let http = reqwest::Client::new();

    // 1. A server that never answers: the worker claims the mail and waits in the conversation.
    let silent = SmtpServer::start(dir.path(), "hang", &[]);
    let child = serve(&url, port, &silent);
    rt.block_on(async {
        wait_up(&http, &base).await;
        for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
            let res = http
                .post(format!(
                    "{base}/api/schools/{SCHOOL}/pupils/1000/registrations"
                ))
                .header(reqwest::header::AUTHORIZATION, &auth)
                .json(&json!({"code": "ongeoorloofd", "start": day}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        }
        let tasks: Value = http
            .get(format!("{base}/api/tasks?status=open"))
            .header(reqwest::header::AUTHORIZATION, &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let task = tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["melding"] == json!(true))
            .unwrap_or_else(|| panic!("a melding task: {tasks}"))
            .clone();
        let res = http
            .post(format!("{base}/api/tasks/{}/complete", task["id"]))
            .header(reqwest::header::AUTHORIZATION, &auth)
            .json(&json!({"melding": {
                "suspected_reason": "Spijbelen",
                "school_actions": "Gesprek met de ouders"
            }}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        // Committed with the melding: the mail is in the outbox; then the worker claims it.
        assert!(lpa_mail(&url).await.is_some(), "written with the melding");
        wait_for("the worker claims the mail", || async {
            lpa_mail(&url).await.is_some_and(|m| m.attempts >= 1)
        })
        .await;
    });
    kill(child);
    let m = rt.block_on(lpa_mail(&url)).unwrap();
    assert_eq!(m.status, MailStatus::Pending, "{m:?}");
    assert!(silent.received().is_empty());

    // 2. A server that receives the message and holds back its "250": killed in between.
    let slow = SmtpServer::start(dir.path(), "slow-ack", &["--delay", "60"]);
    let child = serve(&url, port, &slow);
    rt.block_on(wait_for("the slow server received the message", || async {
        !slow.received().is_empty()
    }));
    kill(child);
    let m = rt.block_on(lpa_mail(&url)).unwrap();
    assert_eq!(
        m.status,
        MailStatus::Pending,
        "not known to be accepted: {m:?}"
    );

    // 3. A server that accepts: the mail is sent once more, with the same Message-ID, and marked
    //    sent.
    let good = SmtpServer::start(dir.path(), "accept", &[]);
    let child = serve(&url, port, &good);
    rt.block_on(wait_for("the mail is marked sent", || async {
        lpa_mail(&url)
            .await
            .is_some_and(|m| m.status == MailStatus::Sent)
    }));
    // A few more rounds of the worker: nothing more is sent.
    std::thread::sleep(Duration::from_millis(1500));
    kill(child);
    let m = rt.block_on(lpa_mail(&url)).unwrap();
    let expected_id = format!("<{}@gemeente.example>", m.message_id);
    let accepted = good.received();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let handed_over: Vec<Value> = slow.received().into_iter().chain(accepted).collect();
    let ids: std::collections::BTreeSet<String> = handed_over
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), vec![expected_id]);
    for got in &handed_over {
        assert_eq!(got["rcpt_tos"], json!([LPA]));
        let body = got["body"].as_str().unwrap();
        assert!(body.contains("/meldingen/"), "{body}");
        assert!(
            !body.contains("400276872") && !body.contains("Spijbelen"),
            "{body}"
        );
    }
    assert!(m.attempts >= 3, "{m:?}");
}

#[test]
fn two_serve_processes_on_one_postgres_deliver_each_mail_once() {
    const MAILS: usize = 40;
    let Some(admin_url) = verzuim_store::test_support::postgres_url() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("verzuim_mail_two_{}", std::process::id());
    let url = crate::two_processes::with_database(&admin_url, &name);
    let database = |sql: String| {
        let admin_url = admin_url.clone();
        async move {
            use sqlx::Connection;
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            sqlx::query(&sql).execute(&mut admin).await.unwrap();
        }
    };
    rt.block_on(async {
        database(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        database(format!("CREATE DATABASE {name}")).await;
        seed(&url).await;
        let store = Store::connect(&url).await.unwrap();
        for i in 0..MAILS {
            store
                .enqueue_mail(&NewMail {
                    kind: MailKind::Melding,
                    recipient: format!("lpa{i}@gemeente.example"),
                    user_id: None,
                    subject: "Nieuwe melding van schoolverzuim".into(),
                    body: "Een school heeft een melding gedaan.".into(),
                    link: Some(format!("/meldingen/{i}")),
                    dedup_key: None,
                    held: false,
                })
                .await
                .unwrap();
        }
        store.close().await;
    });
    let dir = tempfile::tempdir().unwrap();
    // The server holds each message back a little: both processes deliver at the same time.
    let smtp = SmtpServer::start(dir.path(), "slow-ack", &["--delay", "0.1"]);
    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let a = serve(&url, port(), &smtp);
    let b = serve(&url, port(), &smtp);
    let rows = |url: String| async move {
        let store = Store::connect(&url).await.unwrap();
        let rows = store.outbox(None, Page::first(200)).await.unwrap();
        store.close().await;
        rows
    };
    rt.block_on(wait_for("every mail is marked sent", || {
        let url = url.clone();
        async move { rows(url).await.iter().all(|m| m.status == MailStatus::Sent) }
    }));
    // A few more rounds of both workers: nothing more is sent.
    std::thread::sleep(Duration::from_millis(1500));
    kill(a);
    kill(b);
    let rows = rt.block_on(rows(url.clone()));
    assert_eq!(rows.len(), MAILS);
    let expected: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|m| format!("<{}@gemeente.example>", m.message_id))
        .collect();
    let got = smtp.received();
    assert_eq!(got.len(), MAILS, "each mail handed over exactly once");
    let received: std::collections::BTreeSet<String> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(received, expected);
    assert!(rows.iter().all(|m| m.attempts == 1), "claimed once each");
    rt.block_on(database(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )));
}
