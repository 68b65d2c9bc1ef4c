//! security.md, Identity (issue 8): a second factor (TOTP, RFC 6238) for the accounts that see
//! children's data: set up with a QR code and recovery codes; the login asks for the code after
//! the password (API and web); codes are throttled like passwords; a beheerder removes a lost
//! one (audited) and requires one of the organisation's users (the default for new
//! organisations); a new user chooses their own password at the first login.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use verzuim_server::auth::totp;
use verzuim_store::OrgKind;

use crate::harness::{
    Env, PASSWORD, TestServer, error_code, get_page, no_redirects, page_client, post_form,
    post_form_located,
};

crate::http_tests!(
    a_second_factor_is_set_up_and_then_asked_after_the_password,
    a_code_is_accepted_once,
    a_recovery_code_signs_in_once,
    codes_are_throttled_like_passwords,
    the_web_login_asks_for_the_code,
    new_organisations_require_a_second_factor,
    a_required_second_factor_is_set_up_at_login,
    a_beheerder_removes_a_lost_second_factor,
    a_new_user_chooses_a_password_at_the_first_login,
);

/// The time on the test's "phone": the harness's one manual clock.
fn now(s: &TestServer) -> Timestamp {
    s.clock.clock().now()
}

fn code(secret: &str, at: Timestamp) -> String {
    totp::code_at(secret, at).expect("a code")
}

/// A 6-digit code that is none of the codes of the steps around `at` (so surely wrong).
fn wrong(secret: &str, at: Timestamp) -> String {
    let around: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|d| {
            code(
                secret,
                at.saturating_add(SignedDuration::from_secs(*d)).unwrap(),
            )
        })
        .collect();
    (0..10)
        .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
        .find(|c| !around.contains(c))
        .unwrap()
}

/// Moves the clock to the next 30-second step (a new code).
fn next_step(s: &TestServer) {
    s.advance(SignedDuration::from_secs(30));
}

async fn post(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = c.post(s.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

/// Sets up a second factor through the API for a logged-in client; returns the secret and the
/// recovery codes.
async fn enrol(s: &TestServer, c: &reqwest::Client) -> (String, Vec<String>) {
    let res = post(s, c, "/api/auth/second-factor/enrolment", None).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let secret: String = body["secret"].as_str().unwrap().replace(' ', "");
    assert!(
        body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/verzuim:"),
        "{body}"
    );
    assert!(body["qr_svg"].as_str().unwrap().starts_with("<svg"));
    // A wrong code confirms nothing.
    let res = post(
        s,
        c,
        "/api/auth/second-factor/enrolment/confirm",
        Some(json!({"code": "12345"})),
    )
    .await;
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "onjuiste_code");
    let res = post(
        s,
        c,
        "/api/auth/second-factor/enrolment/confirm",
        Some(json!({"code": code(&secret, now(s))})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(body["next_step"], Value::Null);
    (secret, codes)
}

/// Logs in with the password through the API: the client (keeping cookies) and the answer.
async fn password_step(s: &TestServer, email: &str) -> (reqwest::Client, Value) {
    let c = s.browser();
    let res = s.login(&c, email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    let body = res.json().await.unwrap();
    (c, body)
}

async fn me(s: &TestServer, c: &reqwest::Client) -> u16 {
    c.get(s.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The web login's password step in a new browser (no redirects followed): the browser, and the
/// status and `Location` of the answer.
async fn web_password(
    s: &TestServer,
    email: &str,
    password: &str,
) -> (reqwest::Client, u16, String) {
    let web = no_redirects(s);
    let (status, location, _) = post_form_located(
        s,
        &web,
        "/inloggen",
        &[("email", email), ("wachtwoord", password)],
    )
    .await;
    (web, status, location)
}

async fn send_code(s: &TestServer, c: &reqwest::Client, code: &str) -> reqwest::Response {
    post(s, c, "/api/auth/second-factor", Some(json!({"code": code}))).await
}

async fn a_second_factor_is_set_up_and_then_asked_after_the_password(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let c = s.logged_in("juf@school.nl").await;
    let (secret, _) = enrol(&s, &c).await;
    let stored = s
        .raw_texts("SELECT secret FROM second_factors WHERE confirmed_at IS NOT NULL")
        .await;
    assert_eq!(stored, std::slice::from_ref(&secret));
    // A second set-up is refused while one exists (the beheerder removes a lost one).
    let res = post(&s, &c, "/api/auth/second-factor/enrolment", None).await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "tweede_factor_bestaat");

    // The next login: the password alone gives a session that opens nothing yet.
    next_step(&s);
    let (c, body) = password_step(&s, "juf@school.nl").await;
    assert_eq!(body["next_step"], "tweede_factor_code", "{body}");
    assert_eq!(me(&s, &c).await, 401);
    let probe = c
        .get(s.url("/api/probe/99XX00/pupils"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 401);
    // A wrong code: 401 onjuiste_code, audited as a failure.
    let res = send_code(&s, &c, &wrong(&secret, now(&s))).await;
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "onjuiste_code");
    assert_eq!(me(&s, &c).await, 401);
    // The right code opens the session.
    let res = send_code(&s, &c, &code(&secret, now(&s))).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
    assert_eq!(body["recovery_codes_left"], Value::Null);
    assert_eq!(me(&s, &c).await, 200);
    let outcomes = s
        .raw_texts("SELECT outcome FROM audit_log WHERE action = 'second_factor' ORDER BY id")
        .await;
    assert_eq!(outcomes, ["failed", "ok"]);
    // Once logged in, the step is not asked again.
    let res = send_code(&s, &c, &code(&secret, now(&s))).await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "niet_nodig");
}

async fn a_code_is_accepted_once(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let c = s.logged_in("juf@school.nl").await;
    let (secret, _) = enrol(&s, &c).await;
    next_step(&s);
    let used = code(&secret, now(&s));
    let (first, _) = password_step(&s, "juf@school.nl").await;
    assert_eq!(send_code(&s, &first, &used).await.status(), 200);
    // Someone who saw the code (and knows the password) cannot use it in the same 30 seconds.
    let (second, _) = password_step(&s, "juf@school.nl").await;
    let res = send_code(&s, &second, &used).await;
    assert_eq!(res.status(), 401);
    assert_eq!(me(&s, &second).await, 401);
    // Nor a code of an earlier step; the next step's code works.
    let earlier = code(
        &secret,
        now(&s)
            .saturating_sub(SignedDuration::from_secs(30))
            .unwrap(),
    );
    assert_eq!(send_code(&s, &second, &earlier).await.status(), 401);
    next_step(&s);
    assert_eq!(
        send_code(&s, &second, &code(&secret, now(&s)))
            .await
            .status(),
        200
    );
    // A code two steps early or late is refused.
    next_step(&s);
    let (third, _) = password_step(&s, "juf@school.nl").await;
    let late = code(
        &secret,
        now(&s)
            .saturating_add(SignedDuration::from_secs(60))
            .unwrap(),
    );
    assert_eq!(send_code(&s, &third, &late).await.status(), 401);
}

async fn a_recovery_code_signs_in_once(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let c = s.logged_in("juf@school.nl").await;
    let (_, codes) = enrol(&s, &c).await;
    // Stored hashed: no recovery code is in the database.
    let stored = s.raw_texts("SELECT code_hash FROM recovery_codes").await;
    assert_eq!(stored.len(), 10);
    for c in &codes {
        assert!(!stored.iter().any(|h| h.contains(&c.replace('-', ""))));
    }
    let (c, _) = password_step(&s, "juf@school.nl").await;
    let res = send_code(&s, &c, &codes[3].to_uppercase()).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["recovery_codes_left"], 9);
    assert_eq!(me(&s, &c).await, 200);
    // Once only.
    let (c, _) = password_step(&s, "juf@school.nl").await;
    assert_eq!(send_code(&s, &c, &codes[3]).await.status(), 401);
    assert_eq!(me(&s, &c).await, 401);
    let objects = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'second_factor' AND outcome = 'ok'")
        .await;
    assert!(
        objects.iter().any(|o| o.ends_with(":herstelcode")),
        "{objects:?}"
    );
}

async fn codes_are_throttled_like_passwords(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let c = s.logged_in("juf@school.nl").await;
    let (secret, _) = enrol(&s, &c).await;
    next_step(&s);
    let (c, _) = password_step(&s, "juf@school.nl").await;
    // The right password counted as an attempt (a code was still due): four wrong codes fill
    // the five free attempts; the next attempt waits, even with the right code.
    for i in 1..=4 {
        assert_eq!(
            send_code(&s, &c, &wrong(&secret, now(&s))).await.status(),
            401,
            "code {i}"
        );
    }
    let res = send_code(&s, &c, &code(&secret, now(&s))).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(error_code(res).await, "te_veel_pogingen");
    // A right password again does not give fresh guesses at the code.
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 429);
    // After the wait the right code gets in, and resets the count.
    s.advance(SignedDuration::from_secs(1));
    assert_eq!(
        send_code(&s, &c, &code(&secret, now(&s))).await.status(),
        200
    );
    next_step(&s);
    let (c, _) = password_step(&s, "juf@school.nl").await;
    assert_eq!(
        send_code(&s, &c, &wrong(&secret, now(&s))).await.status(),
        401
    );
}

async fn the_web_login_asks_for_the_code(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let api = s.logged_in("juf@school.nl").await;
    let (secret, codes) = enrol(&s, &api).await;
    next_step(&s);
    let (web, status, location) = web_password(&s, "juf@school.nl", PASSWORD).await;
    assert_eq!((status, location.as_str()), (303, "/inloggen/code"));
    // Every page sends the half-done login back to its step.
    let res = web.get(s.url("/registreren")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/inloggen");
    let res = web.get(s.url("/inloggen")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/inloggen/code");
    let (status, html) = get_page(&s, &web, "/inloggen/code").await;
    assert_eq!(status, 200);
    assert!(html.contains("autocomplete=\"one-time-code\""), "{html}");
    // A wrong code: the form again, in Dutch.
    let (status, html) = post_form(
        &s,
        &web,
        "/inloggen/code",
        &[("code", &wrong(&secret, now(&s)))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("De code is onjuist of al gebruikt."),
        "{html}"
    );
    let (status, location, _) = post_form_located(
        &s,
        &web,
        "/inloggen/code",
        &[("code", &code(&secret, now(&s)))],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/registreren"));
    assert_eq!(get_page(&s, &web, "/registreren").await.0, 200);
    // With a recovery code: a page that says how many are left.
    let (web, _, _) = web_password(&s, "juf@school.nl", PASSWORD).await;
    let (status, html) = post_form(&s, &web, "/inloggen/code", &[("code", &codes[0])]).await;
    assert_eq!(status, 200);
    assert!(html.contains("u hebt er nog 9"), "{html}");
    assert_eq!(get_page(&s, &web, "/registreren").await.0, 200);
    // The own page says it is set up, and makes new recovery codes (the old ones stop).
    let (_, html) = get_page(&s, &web, "/tweede-factor").await;
    assert!(html.contains("nog 9 ongebruikte herstelcodes"), "{html}");
    let (status, html) = post_form(&s, &web, "/tweede-factor/herstelcodes", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<li><code>").count(), 10, "{html}");
    let (web, _, _) = web_password(&s, "juf@school.nl", PASSWORD).await;
    let (_, html) = post_form(&s, &web, "/inloggen/code", &[("code", &codes[1])]).await;
    assert!(html.contains("De code is onjuist"), "{html}");
}

async fn new_organisations_require_a_second_factor(env: Env) {
    let s = env.server().await;
    // An organisation as `verzuim users add` or a migration makes it (the harness's fixtures
    // turn it off, like the demo): required.
    s.store
        .put_organisation(&verzuim_store::Organisation {
            id: "77AA00".into(),
            kind: OrgKind::School,
            name: "Nieuwe school".into(),
            letterhead: Default::default(),
        })
        .await
        .unwrap();
    let mut tx = s.store.begin().await.unwrap();
    assert_eq!(
        tx.second_factor_required("77AA00").await.unwrap(),
        Some(true)
    );
    tx.commit().await.unwrap();
}

async fn a_required_second_factor_is_set_up_at_login(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    // The beheerder requires it (a page of its own, audited).
    let admin = page_client(&s, "beheer@school.nl").await;
    let (status, html) = get_page(&s, &admin, "/beheer/tweede-factor").await;
    assert_eq!(status, 200);
    assert!(html.contains("niet verplicht"), "{html}");
    let (status, html) = post_form(
        &s,
        &admin,
        "/beheer/tweede-factor/verplicht",
        &[("verplicht", "ja")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("De tweede factor is nu verplicht"), "{html}");
    let policy = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'second_factor_policy'")
        .await;
    assert_eq!(policy, ["organisation:99XX00:verplicht"]);
    // Another school's beheerder cannot, for this one: its own page shows its own organisation.
    let other = page_client(&s, "beheer@andere.nl").await;
    let (_, html) = get_page(&s, &other, "/beheer/tweede-factor").await;
    assert!(html.contains("beheer@andere.nl") && !html.contains("juf@school.nl"));

    // The teacher: the password, then setting up a second factor, before any page.
    let (web, status, location) = web_password(&s, "juf@school.nl", PASSWORD).await;
    assert_eq!((status, location.as_str()), (303, "/tweede-factor"));
    let res = web.get(s.url("/registreren")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/inloggen");
    assert_eq!(
        web.get(s.url("/api/auth/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (status, html) = get_page(&s, &web, "/tweede-factor").await;
    assert_eq!(status, 200);
    assert!(html.contains("Uw organisatie vraagt bij het inloggen een tweede factor"));
    // A GET makes no secret; the button does, and the page then shows the QR code (SVG).
    assert!(
        s.raw_texts("SELECT secret FROM second_factors")
            .await
            .is_empty()
    );
    let (status, location, _) = post_form_located(&s, &web, "/tweede-factor/nieuw", &[]).await;
    assert_eq!((status, location.as_str()), (303, "/tweede-factor"));
    let (_, html) = get_page(&s, &web, "/tweede-factor").await;
    assert!(
        html.contains("<svg role=\"img\" aria-label=\"QR-code voor uw authenticator-app\""),
        "{html}"
    );
    let secret = s.raw_texts("SELECT secret FROM second_factors").await[0].clone();
    assert!(html.contains(&totp::grouped(&secret)), "the secret as text");
    let (status, html) = post_form(
        &s,
        &web,
        "/tweede-factor/bevestigen",
        &[("code", &wrong(&secret, now(&s)))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("De code is onjuist"), "{html}");
    let (status, html) = post_form(
        &s,
        &web,
        "/tweede-factor/bevestigen",
        &[("code", &code(&secret, now(&s)))],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<li><code>").count(), 10, "{html}");
    assert!(html.contains("href=\"/registreren\""), "{html}");
    assert_eq!(get_page(&s, &web, "/registreren").await.0, 200);
    let confirmed = s
        .raw_texts("SELECT secret FROM second_factors WHERE confirmed_at IS NOT NULL")
        .await;
    assert_eq!(confirmed, [secret]);
    // The beheerder, without one too, sets one up at the next request.
    let res = admin
        .get(s.url("/beheer/tweede-factor"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/inloggen");
    let res = admin.get(s.url("/inloggen")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/tweede-factor");
}

async fn a_beheerder_removes_a_lost_second_factor(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let c = s.logged_in("juf@school.nl").await;
    enrol(&s, &c).await;
    let juf = s.user_id("juf@school.nl").await;
    let admin = page_client(&s, "beheer@school.nl").await;
    // Another school's beheerder: not their user.
    let other = page_client(&s, "beheer@andere.nl").await;
    let (status, _) = post_form(
        &s,
        &other,
        "/beheer/tweede-factor/opnieuw",
        &[("gebruiker", &juf.to_string())],
    )
    .await;
    assert_eq!(status, 404);
    let (status, html) = post_form(
        &s,
        &admin,
        "/beheer/tweede-factor/opnieuw",
        &[("gebruiker", &juf.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("De tweede factor van juf@school.nl is verwijderd"),
        "{html}"
    );
    assert!(
        s.raw_texts("SELECT secret FROM second_factors")
            .await
            .is_empty()
    );
    assert!(
        s.raw_texts("SELECT code_hash FROM recovery_codes")
            .await
            .is_empty()
    );
    // Audited, in the organisation's log; the user's sessions ended.
    let rows = s
        .raw_texts(
            "SELECT organisation_id || ' ' || object FROM audit_log \
             WHERE action = 'second_factor_reset'",
        )
        .await;
    assert_eq!(rows, [format!("99XX00 user:{juf}")]);
    assert_eq!(me(&s, &c).await, 401);
    // Not required here: the password alone signs in again.
    let (_, body) = password_step(&s, "juf@school.nl").await;
    assert_eq!(body["next_step"], Value::Null);
    // One's own: refused, with the reason.
    let me_id = s.user_id("beheer@school.nl").await;
    let (status, html) = post_form(
        &s,
        &admin,
        "/beheer/tweede-factor/opnieuw",
        &[("gebruiker", &me_id.to_string())],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("andere beheerder"), "{html}");
}

async fn a_new_user_chooses_a_password_at_the_first_login(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = page_client(&s, "beheer@school.nl").await;
    let first = "eerste-wachtwoord-van-beheer";
    let (status, _) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[
            ("email", "nieuw@school.nl"),
            ("naam", "Nieuwe Collega"),
            ("wachtwoord", first),
            ("rol", "verzuimcoordinator"),
            ("groepen", ""),
        ],
    )
    .await;
    assert_eq!(status, 200);
    // The API login says what comes next, and the session opens nothing yet.
    let c = s.browser();
    let res = s.login(&c, "nieuw@school.nl", first).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], "nieuw_wachtwoord");
    assert_eq!(me(&s, &c).await, 401);
    // The web login goes to the page that asks for it.
    let (web, status, location) = web_password(&s, "nieuw@school.nl", first).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/inloggen/nieuw-wachtwoord")
    );
    let form = |new: &'static str, again: &'static str| {
        [("huidig", first), ("nieuw", new), ("herhaling", again)]
    };
    let (_, html) = post_form(
        &s,
        &web,
        "/inloggen/nieuw-wachtwoord",
        &form("mijn-eigen-wachtwoord-1", "mijn-eigen-wachtwoord-2"),
    )
    .await;
    assert!(html.contains("niet gelijk"), "{html}");
    let (_, html) = post_form(
        &s,
        &web,
        "/inloggen/nieuw-wachtwoord",
        &[("huidig", first), ("nieuw", first), ("herhaling", first)],
    )
    .await;
    assert!(html.contains("anders zijn dan het huidige"), "{html}");
    let (status, location, _) = post_form_located(
        &s,
        &web,
        "/inloggen/nieuw-wachtwoord",
        &form("mijn-eigen-wachtwoord-1", "mijn-eigen-wachtwoord-1"),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/taken"));
    assert_eq!(get_page(&s, &web, "/taken").await.0, 200);
    // The API session of before ended with the change; the new password signs in directly.
    assert_eq!(me(&s, &c).await, 401);
    let res = s
        .login(&s.bare(), "nieuw@school.nl", "mijn-eigen-wachtwoord-1")
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
    // The fixtures' users (made directly in the store) choose nothing: existing users keep
    // their password.
    let (_, body) = password_step(&s, "juf@school.nl").await;
    assert_eq!(body["next_step"], Value::Null);
}
