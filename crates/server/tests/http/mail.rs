//! E-mail (issue 12, docs/email.md): the delivery worker talks SMTP over TCP to a real SMTP
//! server process (aiosmtpd, `tests/smtp/server.py`, installed by `tests/smtp/setup.sh`): a server
//! that accepts, one that refuses (5xx: failed at once), one that refuses for now (4xx: retried
//! after the backoff), one that never answers (timeout) and one that drops the connection; each
//! mail carries its outbox row's Message-ID. The user's choices page and API; the demo mailbox
//! exists only in the demo.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::SignedDuration;
use serde_json::{Value, json};
use verzuim_server::Config;
use verzuim_server::mail::{Delivery, DeliverySettings, Mailer, SmtpUrl, deliver_due};
use verzuim_store::outbox::{MailKind, MailStatus, NewMail};
use verzuim_store::{OrgKind, Page, Role, Store};

use crate::harness::{Env, TestServer, get_page, page_client, post_form};

crate::http_tests!(
    an_accepting_server_gets_each_mail_with_its_message_id,
    a_refusing_server_fails_the_mail_at_once,
    a_temporary_refusal_is_retried_after_the_backoff,
    a_silent_or_dropping_server_is_retried_until_the_attempts_are_used,
    a_user_chooses_per_kind_on_the_page_and_in_the_api,
    the_demo_mailbox_exists_only_in_the_demo
);

/// A real SMTP server process (see the module); killed when dropped.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start(mode: &str, extra: &[&str]) -> SmtpServer {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("tests/smtp/.venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run tests/smtp/setup.sh (.ci/run does) to install the test SMTP \
             server (aiosmtpd)",
            python.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("received.jsonl");
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
        SmtpServer {
            child,
            port,
            out,
            _dir: dir,
        }
    }

    /// The messages it accepted, in order.
    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn url(&self) -> String {
        format!("smtp+plain://127.0.0.1:{}", self.port)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn delivery(smtp: &SmtpServer, settings: DeliverySettings) -> Delivery {
    Delivery {
        mailer: Mailer::smtp(
            &SmtpUrl::parse(&smtp.url()).unwrap(),
            "Verzuim <verzuim@gemeente.example>",
            None,
            settings.timeout,
        )
        .unwrap(),
        settings,
        base_url: "https://verzuim.example.nl".into(),
        process: "test:1".into(),
    }
}

fn quick() -> DeliverySettings {
    DeliverySettings {
        poll: Duration::from_millis(100),
        lease: Duration::from_secs(60),
        retry_base: Duration::from_secs(60),
        max_attempts: 3,
        timeout: Duration::from_secs(2),
    }
}

async fn enqueue(store: &Store, to: &str, link: &str) -> i64 {
    store
        .enqueue_mail(&NewMail {
            kind: MailKind::Melding,
            recipient: to.into(),
            user_id: None,
            subject: "Nieuwe melding van schoolverzuim".into(),
            body: "Een school heeft een melding gedaan.".into(),
            link: Some(link.into()),
            dedup_key: None,
            held: false,
        })
        .await
        .unwrap()
        .unwrap()
}

async fn an_accepting_server_gets_each_mail_with_its_message_id(env: Env) {
    let s = env.server().await;
    let smtp = SmtpServer::start("accept", &[]);
    let a = enqueue(&s.store, "lpa@enschede.nl", "/meldingen/7").await;
    let b = enqueue(&s.store, "lpa@hengelo.nl", "/meldingen/8").await;
    let d = delivery(&smtp, quick());
    let report = deliver_due(&s.store, &d, 100).await.unwrap();
    assert_eq!((report.sent, report.retried, report.failed), (2, 0, 0));
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    for (id, to, link) in [
        (a, "lpa@enschede.nl", "/meldingen/7"),
        (b, "lpa@hengelo.nl", "/meldingen/8"),
    ] {
        let row = s.store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(row.status, MailStatus::Sent);
        let m = got
            .iter()
            .find(|m| m["rcpt_tos"] == json!([to]))
            .expect("received");
        assert_eq!(
            m["message_id"],
            json!(format!("<{}@gemeente.example>", row.message_id))
        );
        assert_eq!(m["mail_from"], "verzuim@gemeente.example");
        assert_eq!(m["subject"], "Nieuwe melding van schoolverzuim");
        let body = m["body"].as_str().unwrap();
        assert!(
            body.contains(&format!("https://verzuim.example.nl{link}")),
            "{body}"
        );
    }
    // Nothing is sent twice.
    let again = deliver_due(&s.store, &d, 100).await.unwrap();
    assert_eq!(again.claimed(), 0);
    assert_eq!(smtp.received().len(), 2);
}

async fn a_refusing_server_fails_the_mail_at_once(env: Env) {
    let s = env.server().await;
    let smtp = SmtpServer::start("refuse", &[]);
    let id = enqueue(&s.store, "lpa@enschede.nl", "/meldingen/7").await;
    let d = delivery(&smtp, quick());
    let report = deliver_due(&s.store, &d, 100).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    let row = s.store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!(row.status, MailStatus::Failed);
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("554"),
        "{row:?}"
    );
    s.advance(SignedDuration::from_hours(24));
    assert_eq!(deliver_due(&s.store, &d, 100).await.unwrap().claimed(), 0);
    assert!(smtp.received().is_empty());
}

async fn a_temporary_refusal_is_retried_after_the_backoff(env: Env) {
    let s = env.server().await;
    // The worker and the test read the one manual clock that `s.advance` moves.
    let store = s.store.with_clock(s.clock.clock());
    let smtp = SmtpServer::start("tempfail", &["--fail-first", "2"]);
    let id = enqueue(&store, "lpa@enschede.nl", "/meldingen/7").await;
    let d = delivery(&smtp, quick());
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().retried, 1);
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (MailStatus::Pending, 1));
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451"),
        "{row:?}"
    );
    // Not before the backoff (1 minute), then 2 minutes after the second failure.
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().claimed(), 0);
    s.advance(SignedDuration::from_secs(59));
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().claimed(), 0);
    s.advance(SignedDuration::from_secs(1));
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().retried, 1);
    s.advance(SignedDuration::from_secs(119));
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().claimed(), 0);
    s.advance(SignedDuration::from_secs(1));
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().sent, 1);
    let row = store.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!((row.status, row.attempts), (MailStatus::Sent, 3));
    assert_eq!(smtp.received().len(), 1);
}

async fn a_silent_or_dropping_server_is_retried_until_the_attempts_are_used(env: Env) {
    let s = env.server().await;
    // The worker and the test read the one manual clock that `s.advance` moves.
    let store = s.store.with_clock(s.clock.clock());
    for mode in ["hang", "drop"] {
        let smtp = SmtpServer::start(mode, &[]);
        let id = enqueue(&store, &format!("{mode}@enschede.nl"), "/meldingen/7").await;
        let settings = DeliverySettings {
            timeout: Duration::from_millis(700),
            ..quick()
        };
        let d = delivery(&smtp, settings);
        let started = std::time::Instant::now();
        assert_eq!(
            deliver_due(&store, &d, 100).await.unwrap().retried,
            1,
            "{mode}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{mode}: the timeout holds"
        );
        let row = store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(row.status, MailStatus::Pending, "{mode}");
        assert!(row.last_error.is_some(), "{mode}");
        s.advance(SignedDuration::from_secs(60));
        assert_eq!(deliver_due(&store, &d, 100).await.unwrap().retried, 1);
        s.advance(SignedDuration::from_secs(120));
        // The third attempt is the last (max_attempts 3): failed.
        assert_eq!(
            deliver_due(&store, &d, 100).await.unwrap().failed,
            1,
            "{mode}"
        );
        let row = store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(
            (row.status, row.attempts),
            (MailStatus::Failed, 3),
            "{mode}"
        );
    }
}

async fn user_server(env: &Env) -> TestServer {
    let s = env.server().await;
    s.org("GM0153", OrgKind::Gemeente).await;
    s.user("lpa@enschede.nl", &[("GM0153", Role::Leerplichtambtenaar)])
        .await;
    s
}

async fn a_user_chooses_per_kind_on_the_page_and_in_the_api(env: Env) {
    let s = user_server(&env).await;
    let c = page_client(&s, "lpa@enschede.nl").await;
    let (status, page) = get_page(&s, &c, "/e-mail").await;
    assert_eq!(status, 200);
    assert!(page.contains("lpa@enschede.nl"), "{page}");
    assert!(
        page.contains(r#"name="melding" value="direct" checked"#),
        "{page}"
    );
    assert!(
        !page.contains(r#"name="termijn""#),
        "deadline mail has no choice"
    );
    let (status, page) = post_form(
        &s,
        &c,
        "/e-mail",
        &[("melding", "dagelijks"), ("verwijzing", "uit")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("opgeslagen"), "{page}");
    assert!(
        page.contains(r#"name="melding" value="dagelijks" checked"#),
        "{page}"
    );
    assert!(
        page.contains(r#"name="verwijzing" value="uit" checked"#),
        "{page}"
    );
    // A made-up value: the page says so, nothing changes.
    let (status, page) = post_form(&s, &c, "/e-mail", &[("melding", "soms")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Onbekende keuze"), "{page}");
    assert!(page.contains(r#"name="melding" value="dagelijks" checked"#));

    // The API: the same choices.
    let api = s.logged_in("lpa@enschede.nl").await;
    let got: Value = api
        .get(s.url("/api/me/mail"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["email"], "lpa@enschede.nl");
    let mode = |v: &Value, kind: &str| {
        v["preferences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .map(|p| p["mode"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(mode(&got, "melding"), "dagelijks");
    assert_eq!(mode(&got, "termijn"), "direct");
    let res = api
        .put(s.url("/api/me/mail"))
        .json(&json!({"preferences": [{"kind": "melding", "mode": "direct"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(mode(&res.json().await.unwrap(), "melding"), "direct");
    let res = api
        .put(s.url("/api/me/mail"))
        .json(&json!({"preferences": [{"kind": "melding", "mode": "soms"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "preferences[0].mode", "{body}");
    let res = api
        .put(s.url("/api/me/mail"))
        .json(&json!({"preferences": [{"kind": "termijn", "mode": "uit"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Without a login: 401.
    let res = s.bare().get(s.url("/api/me/mail")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn the_demo_mailbox_exists_only_in_the_demo(env: Env) {
    let plain = env.server().await;
    enqueue(&plain.store, "lpa@enschede.nl", "/meldingen/7").await;
    let res = plain
        .bare()
        .get(plain.url("/demo/mail"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let demo = env
        .server_with(Config {
            demo_mailbox: true,
            mail_base_url: Some("http://127.0.0.1:8080".into()),
            ..Config::default()
        })
        .await;
    let res = demo
        .bare()
        .get(demo.url("/demo/mail"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("Demo-mailbox"), "{page}");
    assert!(page.contains("lpa@enschede.nl"), "{page}");
    assert!(page.contains("http://127.0.0.1:8080/meldingen/7"), "{page}");
    let res = demo
        .bare()
        .get(demo.url("/demo/mail?aan=iemand%40anders.nl"))
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Geen e-mail aan dit adres")
    );
    let rows = demo.store.outbox(None, Page::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
}
