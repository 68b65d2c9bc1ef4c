//! security.md, Requests: CSRF, headers on every page, limits, errors.

use serde_json::{Value, json};
use verzuim_store::Role;

use crate::harness::{Env, PASSWORD, TestServer, error_code};

crate::http_tests!(
    a_cookie_request_from_another_site_is_refused,
    a_cookie_request_from_the_service_itself_passes,
    token_requests_are_not_cookie_based_and_need_no_origin,
    a_login_from_another_site_is_refused,
    the_configured_public_url_is_the_only_origin,
    every_response_has_the_security_headers,
    request_bodies_have_a_maximum_size,
    lists_have_a_maximum_page_size,
    text_fields_have_a_maximum_length,
    errors_are_json_with_a_code_and_never_sql,
    json_errors_are_dutch_and_name_the_field,
    pages_outside_the_api_get_a_dutch_error_page,
);

/// `POST /api/probe/99XX00/registrations` (a school role or `registrations:write` may) with a
/// session cookie and extra headers.
async fn probe_post(s: &TestServer, token: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = s
        .bare()
        .post(s.url("/api/probe/99XX00/registrations"))
        .header("cookie", format!("verzuim_sessie={token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn a_cookie_request_from_another_site_is_refused(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let juf = s.session("juf@school.nl").await;
    for headers in [
        vec![("origin", "https://kwaadaardig.example")],
        vec![("origin", "null")],
        vec![("origin", "http://127.0.0.1:1")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://kwaadaardig.example"),
        ],
        vec![], // a cookie without any sign of where the request came from
    ] {
        let res = probe_post(&s, &juf, &headers).await;
        assert_eq!(res.status(), 403, "{headers:?}");
        assert_eq!(error_code(res).await, "csrf", "{headers:?}");
    }
    // Every state-changing method.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ] {
        let res = s
            .bare()
            .request(method.clone(), s.url("/api/organisations/99XX00/tokens/1"))
            .header("cookie", format!("verzuim_sessie={juf}"))
            .header("origin", "https://kwaadaardig.example")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method}");
        assert_eq!(error_code(res).await, "csrf", "{method}");
    }
    // Reading is not state-changing.
    let res = s
        .bare()
        .get(s.url("/api/auth/me"))
        .header("cookie", format!("verzuim_sessie={juf}"))
        .header("origin", "https://kwaadaardig.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn a_cookie_request_from_the_service_itself_passes(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let juf = s.session("juf@school.nl").await;
    let origin = s.origin();
    let res = probe_post(&s, &juf, &[("origin", &origin)]).await;
    assert_eq!(res.status(), 204);
    let res = probe_post(&s, &juf, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(res.status(), 204);
    let res = probe_post(
        &s,
        &juf,
        &[("sec-fetch-site", "same-origin"), ("origin", &origin)],
    )
    .await;
    assert_eq!(res.status(), 204);
}

async fn token_requests_are_not_cookie_based_and_need_no_origin(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let (_, token) = s.token(&["registrations:write"]).await;
    let res = s
        .bare()
        .post(s.url("/api/probe/99XX00/registrations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // Nor with a foreign Origin (a browser cannot send Authorization across sites).
    let res = s
        .bare()
        .post(s.url("/api/probe/99XX00/registrations"))
        .bearer_auth(&token)
        .header("origin", "https://pakket.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

async fn a_login_from_another_site_is_refused(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let res = s
        .bare()
        .post(s.url("/api/auth/login"))
        .header("origin", "https://kwaadaardig.example")
        .json(&json!({"email": "juf@school.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(error_code(res).await, "csrf");
}

async fn the_configured_public_url_is_the_only_origin(env: Env) {
    let s = env
        .server_with(verzuim_server::Config {
            public_url: Some("https://verzuim.example.nl/".into()),
            ..Default::default()
        })
        .await;
    s.two_schools().await;
    let juf = s.session("juf@school.nl").await;
    let res = probe_post(&s, &juf, &[("origin", "https://verzuim.example.nl")]).await;
    assert_eq!(res.status(), 204);
    // The Host-derived origin is not the service's when a public URL is configured.
    let origin = s.origin();
    let res = probe_post(&s, &juf, &[("origin", &origin)]).await;
    assert_eq!(res.status(), 403);
}

fn assert_security_headers(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_owned()
    };
    let csp = get("content-security-policy");
    assert!(csp.starts_with("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    let script = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or("script-src (default-src)");
    assert_eq!(script, "script-src 'self'", "{what}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    assert_eq!(get("cache-control"), "no-store", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
}

async fn every_response_has_the_security_headers(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let browser = s.logged_in("beheer@school.nl").await;
    let juf = s.session("juf@school.nl").await;
    let responses = [
        (
            "health",
            s.bare().get(s.url("/health")).send().await.unwrap(),
        ),
        (
            "me",
            browser.get(s.url("/api/auth/me")).send().await.unwrap(),
        ),
        (
            "list",
            browser
                .get(s.url("/api/organisations/99XX00/tokens"))
                .send()
                .await
                .unwrap(),
        ),
        (
            "401",
            s.bare().get(s.url("/api/auth/me")).send().await.unwrap(),
        ),
        (
            "403",
            s.bare()
                .get(s.url("/api/organisations/99XX00/audit"))
                .header("cookie", format!("verzuim_sessie={juf}"))
                .send()
                .await
                .unwrap(),
        ),
        ("csrf", probe_post(&s, &juf, &[]).await),
        (
            "api 404",
            s.bare().get(s.url("/api/nergens")).send().await.unwrap(),
        ),
        (
            "page 404",
            s.bare().get(s.url("/nergens")).send().await.unwrap(),
        ),
        (
            "openapi",
            s.bare()
                .get(s.url("/api/openapi.json"))
                .send()
                .await
                .unwrap(),
        ),
        ("login", s.login(&s.bare(), "juf@school.nl", PASSWORD).await),
        (
            "failed login",
            s.login(&s.bare(), "juf@school.nl", "fout-wachtwoord").await,
        ),
    ];
    for (what, res) in &responses {
        assert_security_headers(res, what);
    }
}

async fn request_bodies_have_a_maximum_size(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let big = "x".repeat(3 * 1024 * 1024);
    let res = s
        .bare()
        .post(s.url("/api/auth/login"))
        .json(&json!({"email": "juf@school.nl", "password": big}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(error_code(res).await, "te_groot");
    // Just under the limit is read (and then refused for its content, not its size).
    let fits = "x".repeat(1024 * 1024);
    let res = s
        .bare()
        .post(s.url("/api/auth/login"))
        .json(&json!({"email": "juf@school.nl", "password": fits}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "te_lang");
}

async fn lists_have_a_maximum_page_size(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    for _ in 0..3 {
        let res = admin
            .post(s.url("/api/organisations/99XX00/tokens"))
            .json(&json!({"name": "t", "permissions": ["pupils:read"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    // The maximum is enforced, not silently applied (the OpenAPI document declares 1–200).
    let res = admin
        .get(s.url("/api/organisations/99XX00/tokens?limit=100000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "limit", "{body}");
    let page: Value = admin
        .get(s.url("/api/organisations/99XX00/tokens?limit=200"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["limit"], 200);
    let page: Value = admin
        .get(s.url("/api/organisations/99XX00/tokens?limit=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["next_offset"], 2);
    let page: Value = admin
        .get(s.url("/api/organisations/99XX00/tokens?limit=2&offset=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_offset"], Value::Null);
    let res = admin
        .get(s.url("/api/organisations/99XX00/tokens?limit=veel"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "ongeldige_parameter");
}

async fn text_fields_have_a_maximum_length(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let res = admin
        .post(s.url("/api/organisations/99XX00/tokens"))
        .json(&json!({"name": "n".repeat(201), "permissions": ["pupils:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "te_lang");
    assert_eq!(body["error"]["field"], "name");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'name'")
    );

    let res = s
        .login(
            &s.bare(),
            &format!("{}@school.nl", "a".repeat(300)),
            PASSWORD,
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "te_lang");
}

async fn errors_are_json_with_a_code_and_never_sql(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    s.user("twee@school.nl", &[("99XX00", Role::Verzuimcoordinator)])
        .await;
    let coordinator = s.session("twee@school.nl").await;
    let mut cases: Vec<(&str, reqwest::Response, u16, &str)> = vec![
        (
            "unknown route",
            s.bare()
                .get(s.url("/api/bestaat-niet"))
                .send()
                .await
                .unwrap(),
            404,
            "niet_gevonden",
        ),
        (
            "wrong method",
            s.bare().get(s.url("/api/auth/login")).send().await.unwrap(),
            405,
            "methode_niet_toegestaan",
        ),
        (
            "malformed json",
            s.bare()
                .post(s.url("/api/auth/login"))
                .header("content-type", "application/json")
                .body("{\"email\": ")
                .send()
                .await
                .unwrap(),
            400,
            "ongeldige_json",
        ),
        (
            "missing field",
            s.bare()
                .post(s.url("/api/auth/login"))
                .json(&json!({"email": "juf@school.nl"}))
                .send()
                .await
                .unwrap(),
            400,
            "ongeldige_json",
        ),
        (
            "not json",
            s.bare()
                .post(s.url("/api/auth/login"))
                .body("email=a")
                .send()
                .await
                .unwrap(),
            415,
            "geen_json",
        ),
        (
            "bad path",
            s.bare()
                .delete(s.url("/api/organisations/99XX00/tokens/abc"))
                .header("cookie", format!("verzuim_sessie={coordinator}"))
                .header("origin", s.origin())
                .send()
                .await
                .unwrap(),
            400,
            "ongeldig_pad",
        ),
        (
            "not logged in",
            s.bare().get(s.url("/api/auth/me")).send().await.unwrap(),
            401,
            "niet_ingelogd",
        ),
        (
            "bad token",
            s.bare()
                .get(s.url("/api/auth/me"))
                .bearer_auth("vzm_0000")
                .send()
                .await
                .unwrap(),
            401,
            "ongeldig_token",
        ),
        (
            "no role",
            s.bare()
                .get(s.url("/api/organisations/99XX00/tokens"))
                .header("cookie", format!("verzuim_sessie={coordinator}"))
                .send()
                .await
                .unwrap(),
            403,
            "geen_toegang",
        ),
    ];
    // With the database gone, a request that needs it fails without saying why.
    s.store.close().await;
    cases.push((
        "database gone",
        s.bare()
            .get(s.url("/api/auth/me"))
            .header("cookie", format!("verzuim_sessie={coordinator}"))
            .send()
            .await
            .unwrap(),
        500,
        "interne_fout",
    ));
    for (what, res, status, code) in cases {
        assert_eq!(res.status(), status, "{what}");
        let text = res.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
        assert_eq!(body["error"]["code"], code, "{what}: {text}");
        let lower = text.to_lowercase();
        for leak in [
            "select ",
            "insert ",
            "sqlx",
            "sqlite",
            "postgres",
            "constraint",
            "panicked",
            "src/",
            ".rs:",
            "pool",
        ] {
            assert!(!lower.contains(leak), "{what} leaks {leak:?}: {text}");
        }
    }
}

async fn pages_outside_the_api_get_a_dutch_error_page(env: Env) {
    let s = env.server().await;
    let res = s
        .bare()
        .get(s.url("/leerlingen/1001"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"nl\">"), "{page}");
    assert!(page.contains("Pagina niet gevonden"), "{page}");
    assert!(page.contains("niet_gevonden"), "{page}");
    assert!(!page.contains("<script"), "{page}");
}

/// A body or query that does not match the OpenAPI document: 400 with a Dutch message that names
/// the field (its path) and what is expected, never serde's English text.
async fn json_errors_are_dutch_and_name_the_field(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let tokens = s.url("/api/organisations/99XX00/tokens");
    let cases: &[(Value, &str, &str)] = &[
        (
            json!({"name": 5, "permissions": ["pupils:read"]}),
            "name",
            "tekst",
        ),
        (
            json!({"name": "t", "permissions": "pupils:read"}),
            "permissions",
            "lijst",
        ),
        (json!({"permissions": ["pupils:read"]}), "name", "ontbreekt"),
        (
            json!({"name": "t", "permissions": [true]}),
            "permissions[0]",
            "tekst",
        ),
    ];
    for (body, field, expected) in cases {
        let res = admin.post(tokens.clone()).json(body).send().await.unwrap();
        assert_eq!(res.status(), 400, "{body}");
        let answer: Value = res.json().await.unwrap();
        let e = &answer["error"];
        assert_eq!(e["code"], "ongeldige_json", "{answer}");
        assert_eq!(e["field"], *field, "{answer}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(field) && message.contains(expected),
            "{message}"
        );
        for english in ["Failed", "invalid type", "expected", "missing field"] {
            assert!(!message.contains(english), "{message}");
        }
    }
    let res = admin
        .post(tokens.clone())
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let answer: Value = res.json().await.unwrap();
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("regel 1"),
        "{answer}"
    );
    for (query, field, expected) in [
        ("limit=veel", "limit", "geheel getal"),
        ("offset=2000000", "offset", "1000000"),
        ("limit=0", "limit", "tussen 1 en 200"),
    ] {
        let res = admin
            .get(s.url(&format!("/api/organisations/99XX00/tokens?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
        let answer: Value = res.json().await.unwrap();
        let e = &answer["error"];
        assert_eq!(e["code"], "ongeldige_parameter", "{answer}");
        assert_eq!(e["field"], field, "{answer}");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(field) && message.contains(expected),
            "{message}"
        );
        assert!(
            !message.contains("Failed") && !message.contains("invalid"),
            "{message}"
        );
    }
}
