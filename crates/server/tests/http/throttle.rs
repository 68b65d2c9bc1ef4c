//! security.md, Identity: "Throttling: after 5 failed logins for one account or one address,
//! each further attempt waits longer (exponential, capped); a successful login resets it.
//! Throttling never locks out for good."

use jiff::SignedDuration;

use crate::harness::{Env, PASSWORD, TestServer, error_code};

crate::http_tests!(
    the_sixth_attempt_waits_even_with_the_right_password,
    waits_grow_exponentially_and_are_capped,
    a_successful_login_resets_the_count,
    one_address_trying_many_accounts_is_throttled,
    parallel_wrong_passwords_for_one_account_reach_the_check_at_most_five_times,
    parallel_wrong_passwords_from_one_address_reach_the_check_at_most_five_times,
    parallel_web_logins_for_one_account_reach_the_check_at_most_five_times,
);

async fn fail(s: &TestServer, email: &str) -> reqwest::Response {
    s.login(&s.bare(), email, "fout-wachtwoord-123").await
}

fn retry_after(res: &reqwest::Response) -> i64 {
    res.headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn the_sixth_attempt_waits_even_with_the_right_password(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    for i in 1..=5 {
        let res = fail(&s, "juf@school.nl").await;
        assert_eq!(res.status(), 401, "failure {i} is an ordinary failure");
    }
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert_eq!(retry_after(&res), 1);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(error_code(res).await, "te_veel_pogingen");

    // Waiting long enough lets the right password through.
    s.advance(SignedDuration::from_secs(1));
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

async fn waits_grow_exponentially_and_are_capped(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    for _ in 0..5 {
        fail(&s, "juf@school.nl").await;
    }
    let mut waits = Vec::new();
    for _ in 0..12 {
        let res = fail(&s, "juf@school.nl").await;
        assert_eq!(res.status(), 429);
        let wait = retry_after(&res);
        waits.push(wait);
        s.advance(SignedDuration::from_secs(wait));
        // Now the attempt is allowed, and (wrong) counts as one more failure.
        assert_eq!(fail(&s, "juf@school.nl").await.status(), 401);
    }
    assert_eq!(
        waits,
        vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900],
        "exponential, capped at 15 minutes"
    );
    // Never for good: after the cap, the right password gets in.
    s.advance(SignedDuration::from_mins(15));
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", PASSWORD).await.status(),
        200
    );
}

async fn a_successful_login_resets_the_count(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    for _ in 0..4 {
        fail(&s, "juf@school.nl").await;
    }
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", PASSWORD).await.status(),
        200
    );
    // Five fresh failures are ordinary again; the sixth attempt waits.
    for i in 1..=5 {
        assert_eq!(fail(&s, "juf@school.nl").await.status(), 401, "failure {i}");
    }
    assert_eq!(fail(&s, "juf@school.nl").await.status(), 429);
}

async fn one_address_trying_many_accounts_is_throttled(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    for i in 0..5 {
        let res = fail(&s, &format!("onbekend{i}@school.nl")).await;
        assert_eq!(res.status(), 401);
    }
    // A sixth account, never tried before, from the same address.
    let res = s.login(&s.bare(), "beheer@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 429);
    s.advance(SignedDuration::from_secs(1));
    assert_eq!(
        s.login(&s.bare(), "beheer@school.nl", PASSWORD)
            .await
            .status(),
        200
    );
}

/// The failed-login audit rows: one per attempt whose password was checked (a throttled attempt
/// is refused before the check and writes none).
async fn checked_attempts(s: &TestServer) -> usize {
    s.raw_texts("SELECT object FROM audit_log WHERE action = 'login' AND outcome = 'failed'")
        .await
        .len()
}

/// Requests at once, each on its own task; their answers in order.
async fn at_once<T, Fut>(requests: impl Iterator<Item = Fut>) -> Vec<T>
where
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    futures_util::future::join_all(requests.map(tokio::spawn))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// A wrong password for `email` at the API login `url`: the status.
async fn wrong_api_login(url: String, email: String) -> u16 {
    reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({"email": email, "password": "fout-wachtwoord-123"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Of 40 answers, at most 5 checked the password (`checked`) and the others were refused
/// without a check (`refused`); the audit log holds exactly one failed login per check.
async fn at_most_five_checked(s: &TestServer, checked: usize, refused: usize, shown: &str) {
    assert!(checked <= 5, "{checked} passwords checked: {shown}");
    assert_eq!(checked + refused, 40, "{shown}");
    assert_eq!(checked_attempts(s).await, checked);
}

/// 40 attempts at once, as the attacker sent them, to two servers on one database (as
/// several `verzuim serve` processes on one PostgreSQL): the attempt is counted in the database
/// before the password is checked, so no more than 5 are checked (the clock stands still, so
/// the 6th and later must wait).
async fn parallel_wrong_passwords_for_one_account_reach_the_check_at_most_five_times(env: Env) {
    let s = env.server().await;
    let other = env.server().await;
    s.two_schools().await;
    let statuses = at_once((0..40).map(|i| {
        let server = if i % 2 == 0 { &s } else { &other };
        wrong_api_login(server.url("/api/auth/login"), "juf@school.nl".into())
    }))
    .await;
    let count = |c: u16| statuses.iter().filter(|&&x| x == c).count();
    at_most_five_checked(&s, count(401), count(429), &format!("{statuses:?}")).await;
    // Never for good: after the wait, the right password gets in and resets the count.
    s.advance(SignedDuration::from_mins(15));
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", PASSWORD).await.status(),
        200
    );
    for i in 1..=5 {
        assert_eq!(fail(&s, "juf@school.nl").await.status(), 401, "failure {i}");
    }
}

async fn parallel_wrong_passwords_from_one_address_reach_the_check_at_most_five_times(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let statuses = at_once(
        (0..40).map(|i| wrong_api_login(s.url("/api/auth/login"), format!("iemand{i}@school.nl"))),
    )
    .await;
    let count = |c: u16| statuses.iter().filter(|&&x| x == c).count();
    at_most_five_checked(&s, count(401), count(429), &format!("{statuses:?}")).await;
}

async fn parallel_web_logins_for_one_account_reach_the_check_at_most_five_times(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let pages = at_once((0..40).map(|_| {
        let request = s.browser().post(s.url("/inloggen")).form(&[
            ("email", "juf@school.nl"),
            ("wachtwoord", "fout-wachtwoord-123"),
        ]);
        async move { request.send().await.unwrap().text().await.unwrap() }
    }))
    .await;
    let count = |text: &str| pages.iter().filter(|p| p.contains(text)).count();
    at_most_five_checked(
        &s,
        count("Onbekende gebruiker of onjuist wachtwoord"),
        count("Te veel mislukte pogingen"),
        "web pages",
    )
    .await;
}
