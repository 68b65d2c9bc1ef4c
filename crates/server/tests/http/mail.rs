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
use verzuim_server::mail::{Delivery, DeliverySettings, Mailer, SmtpCa, SmtpUrl, deliver_due};
use verzuim_store::outbox::{MailKind, MailStatus, NewMail};
use verzuim_store::{OrgKind, Page, Role, Store};

use crate::harness::{Env, TestServer, get_page, page_client, post_form};

crate::http_tests!(
    an_accepting_server_gets_each_mail_with_its_message_id,
    a_refusing_server_fails_the_mail_at_once,
    a_temporary_refusal_is_retried_after_the_backoff,
    a_silent_or_dropping_server_is_retried_until_the_attempts_are_used,
    a_user_chooses_per_kind_on_the_page_and_in_the_api,
    the_demo_mailbox_exists_only_in_the_demo,
    starttls_and_implicit_tls_with_the_servers_own_ca,
    two_workers_on_one_database_deliver_each_mail_once,
    an_invitations_link_is_not_kept_after_delivery_or_expiry
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
        self.url_with("smtp+plain")
    }

    /// The server's address with another scheme (`smtp` for STARTTLS, `smtps` for TLS).
    pub fn url_with(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn delivery(smtp: &SmtpServer, settings: DeliverySettings) -> Delivery {
    delivery_to(&smtp.url(), None, settings, "test:1")
}

fn delivery_to(
    url: &str,
    ca: Option<&SmtpCa>,
    settings: DeliverySettings,
    process: &str,
) -> Delivery {
    Delivery {
        mailer: Mailer::smtp(
            &SmtpUrl::parse(url).unwrap(),
            "Verzuim <verzuim@gemeente.example>",
            None,
            settings.timeout,
            ca,
        )
        .unwrap(),
        settings,
        base_url: "https://verzuim.example.nl".into(),
        process: process.into(),
    }
}

/// A test CA and a certificate for 127.0.0.1 signed by it, made with the openssl command (as
/// an organisation's own CA would sign its mail server's): `(dir, ca.pem, server.pem,
/// server.key)`.
fn test_certificates() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("the openssl command (Debian's openssl) makes the test's certificates");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=verzuim test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req", "-new"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        p("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let (ca, cert, key) = (p("ca.pem"), p("server.pem"), p("server.key"));
    (dir, ca, cert, key)
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

/// STARTTLS (`smtp://`, required) and TLS from the first byte (`smtps://`) against a real SMTP
/// server process with a certificate of the test's own CA: with that CA trusted
/// (`VERZUIM_SMTP_CA`'s `SmtpCa`) the mail arrives over TLS; without it the certificate is not
/// trusted and nothing is handed over (retried later); a server without STARTTLS gets nothing
/// from `smtp://`.
async fn starttls_and_implicit_tls_with_the_servers_own_ca(env: Env) {
    let s = env.server().await;
    let store = s.store.with_clock(s.clock.clock());
    let (_dir, ca_pem, cert, key) = test_certificates();
    let ca = SmtpCa::read(&ca_pem).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    for (mode, scheme) in [("starttls", "smtp"), ("implicit", "smtps")] {
        let smtp = SmtpServer::start("accept", &["--tls", mode, "--cert", cert, "--key", key]);
        let url = smtp.url_with(scheme);
        // Not trusted (only the Mozilla roots): not sent, tried again later.
        let id = enqueue(&store, &format!("{mode}@enschede.nl"), "/meldingen/7").await;
        let d = delivery_to(&url, None, quick(), "test:1");
        let r = deliver_due(&store, &d, 100).await.unwrap();
        assert_eq!(
            (r.sent, r.retried),
            (0, 1),
            "{mode}: an untrusted certificate"
        );
        let row = store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(row.status, MailStatus::Pending, "{mode}");
        assert!(smtp.received().is_empty(), "{mode}");
        // With the CA: delivered, over TLS.
        s.advance(SignedDuration::from_secs(60));
        let d = delivery_to(&url, Some(&ca), quick(), "test:1");
        let r = deliver_due(&store, &d, 100).await.unwrap();
        assert_eq!(
            r.sent,
            1,
            "{mode}: {:?}",
            store.outbox_mail(id).await.unwrap()
        );
        let got = smtp.received();
        assert_eq!(got.len(), 1, "{mode}");
        assert_eq!(got[0]["tls"], json!(true), "{mode}: {got:?}");
        assert_eq!(got[0]["rcpt_tos"], json!([format!("{mode}@enschede.nl")]));
        let row = store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(
            got[0]["message_id"],
            json!(format!("<{}@gemeente.example>", row.message_id))
        );
    }
    // smtp:// requires STARTTLS: a server that does not offer it gets nothing.
    let plain = SmtpServer::start("accept", &[]);
    let id = enqueue(&store, "geen-tls@enschede.nl", "/meldingen/7").await;
    let d = delivery_to(&plain.url_with("smtp"), Some(&ca), quick(), "test:1");
    let r = deliver_due(&store, &d, 100).await.unwrap();
    assert_eq!((r.sent, r.retried), (0, 1));
    assert!(plain.received().is_empty());
    assert_eq!(
        store.outbox_mail(id).await.unwrap().unwrap().status,
        MailStatus::Pending
    );
}

/// Two processes (two stores on one database, each with its own delivery worker) deliver the
/// outbox at the same time to one real SMTP server, which holds each message back a little so
/// that both work at once: every mail arrives exactly once (one Message-ID each, none twice).
async fn two_workers_on_one_database_deliver_each_mail_once(env: Env) {
    const MAILS: usize = 30;
    let s = env.server().await;
    let mut ids = Vec::new();
    for i in 0..MAILS {
        ids.push(enqueue(&s.store, &format!("lpa{i}@enschede.nl"), "/meldingen/7").await);
    }
    let smtp = SmtpServer::start("slow-ack", &["--delay", "0.05"]);
    let other = Store::connect(&s.url).await.unwrap();
    let mut workers = Vec::new();
    for (n, store) in [s.store.clone(), other.clone()].into_iter().enumerate() {
        let d = delivery_to(&smtp.url(), None, quick(), &format!("proces-{n}"));
        workers.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let r = deliver_due(&store, &d, 1).await.unwrap();
                if r.claimed() == 0 {
                    break sent;
                }
                sent += r.sent;
            }
        }));
    }
    let mut sent = Vec::new();
    for w in workers {
        sent.push(w.await.unwrap());
    }
    assert_eq!(sent.iter().sum::<u32>() as usize, MAILS, "{sent:?}");
    let got = smtp.received();
    assert_eq!(got.len(), MAILS, "each mail handed over once");
    let mut expected = std::collections::BTreeSet::new();
    for id in ids {
        let row = s.store.outbox_mail(id).await.unwrap().unwrap();
        assert_eq!(row.status, MailStatus::Sent);
        expected.insert(format!("<{}@gemeente.example>", row.message_id));
    }
    let received: std::collections::BTreeSet<String> = got
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(received, expected);
    other.close().await;
}

/// The invitation's one-time link (issue 12): the SMTP server receives it, and once the mail is
/// delivered the outbox row keeps no usable link (the token is not in the database: the
/// invitation stores only its hash). A mail that could not be delivered before the link expired
/// (7 days) loses its link too and is not sent any more.
async fn an_invitations_link_is_not_kept_after_delivery_or_expiry(env: Env) {
    use verzuim_service::mail as service_mail;
    let s = env.server().await;
    let store = s.store.with_clock(s.clock.clock());
    let token = "ab".repeat(32);
    let link = format!("/ouders/uitnodiging/{token}");
    let invite = |to: &'static str| {
        let (store, link) = (store.clone(), link.clone());
        async move {
            let mut tx = store.begin().await.unwrap();
            let id = service_mail::to_address(
                &mut tx,
                MailKind::Uitnodiging,
                to,
                "Uitnodiging voor het ouderportaal van OBS De Esch",
                "Kies uw wachtwoord via de link onder aan deze e-mail.",
                Some(&link),
                None,
            )
            .await
            .unwrap()
            .unwrap();
            tx.commit().await.unwrap();
            id
        }
    };
    let delivered = invite("ouder@example.nl").await;
    let smtp = SmtpServer::start("accept", &[]);
    let d = delivery(&smtp, quick());
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().sent, 1);
    let got = smtp.received();
    assert!(
        got[0]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("https://verzuim.example.nl{link}")),
        "{got:?}"
    );
    let row = store.outbox_mail(delivered).await.unwrap().unwrap();
    assert_eq!((row.status, row.link.as_deref()), (MailStatus::Sent, None));
    let texts = s
        .raw_texts("SELECT COALESCE(link, '') || ' ' || body || ' ' || subject FROM mail_outbox")
        .await;
    assert!(texts.iter().all(|t| !t.contains(&token)), "{texts:?}");
    // What the demo mailbox shows of it: that the link is no longer kept.
    assert!(service_mail::render(&row, "https://x.nl").contains("(niet meer bewaard)"));

    // Not delivered (no mail server) for 7 days: the daily job removes the link and gives up.
    let waiting = invite("andere-ouder@example.nl").await;
    let melding = enqueue(&store, "lpa@enschede.nl", "/meldingen/7").await;
    s.advance(SignedDuration::from_hours(7 * 24 - 1));
    let today = s.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let r = service_mail::daily_mail(&store, today, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.expired_links, 0, "valid for 7 days");
    s.advance(SignedDuration::from_hours(2));
    let tomorrow = today.tomorrow().unwrap();
    let r = service_mail::daily_mail(&store, tomorrow, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.expired_links, 1);
    let row = store.outbox_mail(waiting).await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.link.as_deref()),
        (MailStatus::Failed, None)
    );
    assert!(row.last_error.unwrap().contains("verlopen"));
    // Other mail keeps its link, and is still sent.
    let row = store.outbox_mail(melding).await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.link.as_deref()),
        (MailStatus::Pending, Some("/meldingen/7"))
    );
    let texts = s
        .raw_texts("SELECT COALESCE(link, '') FROM mail_outbox")
        .await;
    assert!(texts.iter().all(|t| !t.contains(&token)), "{texts:?}");
    assert_eq!(deliver_due(&store, &d, 100).await.unwrap().sent, 1);
    assert_eq!(smtp.received().len(), 2);
}
