//! security.md, Identity: "Passwords: argon2id; at least 12 characters; refused when on a
//! bundled list of common passwords; never logged. A failed login says only 'Onbekende
//! gebruiker of onjuist wachtwoord'."

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{Value, json};
use verzuim_store::Role;

use crate::harness::{Env, PASSWORD, error_code};

crate::http_tests!(
    passwords_are_stored_as_argon2id,
    new_passwords_follow_the_policy,
    a_failed_login_says_only_unknown_user_or_wrong_password,
    passwords_appear_nowhere_in_the_database,
    login_returns_the_user_and_memberships,
    passwords_are_never_logged,
);

async fn change(
    s: &crate::harness::TestServer,
    client: &reqwest::Client,
    current: &str,
    new: &str,
) -> reqwest::Response {
    client
        .post(s.url("/api/auth/password"))
        .json(&json!({"current_password": current, "new_password": new}))
        .send()
        .await
        .unwrap()
}

async fn passwords_are_stored_as_argon2id(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let client = s.logged_in("juf@school.nl").await;
    let res = change(&s, &client, PASSWORD, "een-nieuw-lang-wachtwoord").await;
    assert_eq!(res.status(), 204);
    let hashes = s
        .raw_texts("SELECT password_hash FROM users WHERE email = 'juf@school.nl'")
        .await;
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$v=19$"), "{}", hashes[0]);
    assert!(!hashes[0].contains("een-nieuw-lang-wachtwoord"));
    // And the new password works, the old one not.
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", "een-nieuw-lang-wachtwoord")
            .await
            .status(),
        200
    );
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", PASSWORD).await.status(),
        401
    );
}

async fn new_passwords_follow_the_policy(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let client = s.logged_in("juf@school.nl").await;

    let res = change(&s, &client, PASSWORD, "elf-tekens!").await; // 11 characters
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "wachtwoord_te_kort");

    for common in [
        "Password1234",
        "qwertyuiop123",
        "WACHTWOORD1234",
        "welkom123456",
    ] {
        let res = change(&s, &client, PASSWORD, common).await;
        assert_eq!(res.status(), 400, "{common}");
        assert_eq!(error_code(res).await, "wachtwoord_te_bekend", "{common}");
    }

    let res = change(&s, &client, "niet-het-huidige", "fiets-molen-12").await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "onjuist_wachtwoord");

    let res = change(&s, &client, PASSWORD, "fiets-molen-").await; // 12 characters
    assert_eq!(res.status(), 204);
}

async fn a_failed_login_says_only_unknown_user_or_wrong_password(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let wrong = s
        .login(&s.bare(), "juf@school.nl", "fout-wachtwoord-1")
        .await;
    let unknown = s
        .login(&s.bare(), "niemand@school.nl", "fout-wachtwoord-1")
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown, "the two failures must look alike");
    assert_eq!(
        wrong["error"]["message"],
        "Onbekende gebruiker of onjuist wachtwoord"
    );
    assert_eq!(wrong["error"]["code"], "onjuiste_inlog");
}

async fn passwords_appear_nowhere_in_the_database(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let tried = "mijn-geheime-poging-42";
    s.login(&s.bare(), "juf@school.nl", tried).await;
    s.login(&s.bare(), "niemand@school.nl", tried).await;
    s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    let audit = s
        .raw_texts(
            "SELECT actor || '|' || action || '|' || object || '|' || outcome || '|' || \
             COALESCE(address, '') FROM audit_log",
        )
        .await;
    assert!(!audit.is_empty());
    for row in audit {
        assert!(!row.contains(tried), "{row}");
        assert!(!row.contains(PASSWORD), "{row}");
    }
    for row in s.raw_texts("SELECT key FROM login_throttle").await {
        assert!(!row.contains(tried), "{row}");
    }
}

async fn login_returns_the_user_and_memberships(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    s.user(
        "twee@rollen.nl",
        &[
            ("99XX00", Role::Verzuimcoordinator),
            ("98YY00", Role::Beheerder),
        ],
    )
    .await;
    let res = s.login(&s.bare(), "  Twee@Rollen.NL ", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], "twee@rollen.nl");
    assert!(body["user"].get("password_hash").is_none());
    let roles: Vec<(String, String)> = body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organisation_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            ("98YY00".to_owned(), "beheerder".to_owned()),
            ("99XX00".to_owned(), "verzuimcoordinator".to_owned())
        ]
    );
    assert_eq!(body["memberships"][0]["organisation_kind"], "school");
}

/// Everything the service logs in this test process, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

fn captured_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        log
    })
}

async fn passwords_are_never_logged(env: Env) {
    let log = captured_log();
    let s = env.server().await;
    s.two_schools().await;
    let secret = |what: &str| format!("{what}-{}-zeer-geheim", s.base.replace(['.', ':', '/'], ""));
    let (wrong, new) = (secret("fout"), secret("nieuw"));
    let refused = "kOrT-9!q7x"; // too short: refused by the policy
    s.login(&s.bare(), "juf@school.nl", &wrong).await;
    s.login(&s.bare(), "niemand@school.nl", &wrong).await;
    let client = s.logged_in("juf@school.nl").await;
    change(&s, &client, &wrong, &new).await;
    assert_eq!(change(&s, &client, PASSWORD, refused).await.status(), 400);
    assert_eq!(change(&s, &client, PASSWORD, &new).await.status(), 204);
    let text = log.text();
    assert!(
        text.contains("/api/auth/login") || text.contains("request"),
        "the log was captured"
    );
    for secret in [PASSWORD, wrong.as_str(), new.as_str(), refused] {
        assert!(!text.contains(secret), "{secret} was logged");
    }
}
