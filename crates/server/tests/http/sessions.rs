//! security.md, Identity: "Sessions: a random id of at least 128 bits, stored server-side;
//! cookie HttpOnly, SameSite=Lax, Secure whenever the service is reached over HTTPS (or
//! configured so); a new id at login; gone at logout and at a password change; idle timeout 30
//! minutes, absolute 12 hours."

use jiff::SignedDuration;
use serde_json::json;
use verzuim_server::Config;
use verzuim_store::hash_token;

use crate::harness::{Env, PASSWORD, session_cookie, set_cookie_header};

crate::http_tests!(
    the_cookie_is_httponly_samesite_lax_and_random,
    the_cookie_is_secure_when_configured_or_over_https,
    sessions_are_stored_as_a_hash,
    every_login_makes_a_new_session_id,
    logout_ends_the_session,
    a_password_change_ends_every_session_of_the_user,
    an_idle_session_ends_after_30_minutes,
    a_session_ends_12_hours_after_login,
    a_session_made_by_one_process_holds_on_another,
);

async fn the_cookie_is_httponly_samesite_lax_and_random(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = set_cookie_header(res.headers());
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attrs.contains(&"HttpOnly"), "{cookie}");
    assert!(attrs.contains(&"SameSite=Lax"), "{cookie}");
    assert!(attrs.contains(&"Path=/"), "{cookie}");
    assert!(
        !attrs.contains(&"Secure"),
        "plain http, not configured: {cookie}"
    );
    let token = session_cookie(res.headers()).unwrap();
    assert_eq!(token.len(), 64, "256 bits in hex");
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
}

async fn the_cookie_is_secure_when_configured_or_over_https(env: Env) {
    let configured = env
        .server_with(Config {
            secure_cookies: true,
            ..Config::default()
        })
        .await;
    configured.two_schools().await;
    let res = configured
        .login(&configured.bare(), "juf@school.nl", PASSWORD)
        .await;
    assert!(set_cookie_header(res.headers()).contains("; Secure"));

    let https_url = env
        .server_with(Config {
            public_url: Some("https://verzuim.example.nl".into()),
            ..Config::default()
        })
        .await;
    let res = https_url
        .bare()
        .post(https_url.url("/api/auth/login"))
        .header("origin", "https://verzuim.example.nl")
        .json(&json!({"email": "juf@school.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(set_cookie_header(res.headers()).contains("; Secure"));

    let proxied = env
        .server_with(Config {
            trust_proxy: true,
            ..Config::default()
        })
        .await;
    let login = |proto: &'static str| {
        proxied
            .bare()
            .post(proxied.url("/api/auth/login"))
            .header("x-forwarded-proto", proto)
            .json(&json!({"email": "juf@school.nl", "password": PASSWORD}))
            .send()
    };
    let res = login("https").await.unwrap();
    assert!(set_cookie_header(res.headers()).contains("; Secure"));
    let res = login("http").await.unwrap();
    assert!(!set_cookie_header(res.headers()).contains("Secure"));

    // Without trust_proxy the header is not believed.
    let direct = env.server().await;
    let res = direct
        .bare()
        .post(direct.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "juf@school.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(!set_cookie_header(res.headers()).contains("Secure"));
}

async fn sessions_are_stored_as_a_hash(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let token = s.session("juf@school.nl").await;
    let ids = s.raw_texts("SELECT id FROM sessions").await;
    assert_eq!(ids, vec![hash_token(&token)]);
}

async fn every_login_makes_a_new_session_id(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let first = s.session("juf@school.nl").await;
    // A second login from the browser that holds the first cookie (fixation): a new id, and
    // the old one is ended.
    let res = s
        .bare()
        .post(s.url("/api/auth/login"))
        .header("cookie", format!("verzuim_sessie={first}"))
        .header("origin", s.origin())
        .json(&json!({"email": "juf@school.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second = session_cookie(res.headers()).unwrap();
    assert_ne!(first, second);
    assert_eq!(s.me_with_cookie(&first).await, 401);
    assert_eq!(s.me_with_cookie(&second).await, 200);
    // A login elsewhere does not end other sessions.
    let third = s.session("juf@school.nl").await;
    assert_ne!(third, second);
    assert_eq!(s.me_with_cookie(&second).await, 200);
}

async fn logout_ends_the_session(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let token = s.session("juf@school.nl").await;
    assert_eq!(s.me_with_cookie(&token).await, 200);
    let res = s
        .bare()
        .post(s.url("/api/auth/logout"))
        .header("cookie", format!("verzuim_sessie={token}"))
        .header("origin", s.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(set_cookie_header(res.headers()).contains("Max-Age=0"));
    assert_eq!(s.me_with_cookie(&token).await, 401);
    assert!(s.raw_texts("SELECT id FROM sessions").await.is_empty());
}

async fn a_password_change_ends_every_session_of_the_user(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let laptop = s.session("juf@school.nl").await;
    let phone = s.session("juf@school.nl").await;
    let colleague = s.session("beheer@school.nl").await;
    let res = s
        .bare()
        .post(s.url("/api/auth/password"))
        .header("cookie", format!("verzuim_sessie={laptop}"))
        .header("origin", s.origin())
        .json(&json!({"current_password": PASSWORD, "new_password": "een-nieuw-lang-wachtwoord"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let renewed = session_cookie(res.headers()).expect("a new session for this browser");
    assert_eq!(s.me_with_cookie(&laptop).await, 401);
    assert_eq!(s.me_with_cookie(&phone).await, 401);
    assert_eq!(s.me_with_cookie(&renewed).await, 200);
    assert_eq!(
        s.me_with_cookie(&colleague).await,
        200,
        "other users keep theirs"
    );
}

async fn an_idle_session_ends_after_30_minutes(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let token = s.session("juf@school.nl").await;
    s.advance(SignedDuration::from_mins(29));
    assert_eq!(
        s.me_with_cookie(&token).await,
        200,
        "activity at 29 minutes"
    );
    s.advance(SignedDuration::from_mins(29));
    assert_eq!(s.me_with_cookie(&token).await, 200, "29 minutes after that");
    s.advance(SignedDuration::from_mins(30) + SignedDuration::from_secs(1));
    assert_eq!(s.me_with_cookie(&token).await, 401, "30 idle minutes");
}

async fn a_session_ends_12_hours_after_login(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let token = s.session("juf@school.nl").await;
    // Active every 20 minutes for just under 12 hours.
    for _ in 0..35 {
        s.advance(SignedDuration::from_mins(20));
        assert_eq!(s.me_with_cookie(&token).await, 200);
    }
    s.advance(SignedDuration::from_mins(19)); // 11 h 59 min after login
    assert_eq!(s.me_with_cookie(&token).await, 200);
    s.advance(SignedDuration::from_mins(1)); // 12 h
    assert_eq!(s.me_with_cookie(&token).await, 401);
}

/// Issue 13: with several `verzuim serve` processes on one database behind a proxy, a session
/// made by one is valid on the other, and a logout on the other ends it on both.
async fn a_session_made_by_one_process_holds_on_another(env: Env) {
    let s = env.server().await;
    let other = env.server().await;
    s.two_schools().await;
    let token = s.session("juf@school.nl").await;
    assert_eq!(other.me_with_cookie(&token).await, 200);
    let res = other
        .bare()
        .post(other.url("/api/auth/logout"))
        .header("cookie", format!("verzuim_sessie={token}"))
        .header("origin", other.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(s.me_with_cookie(&token).await, 401);
    assert_eq!(other.me_with_cookie(&token).await, 401);
}
