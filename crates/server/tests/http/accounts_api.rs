//! security.md, Identity (issue 8): what the beheerder's pages do with the organisation's
//! accounts, through the API (`/api/organisations/{org}/users`, `…/second-factor`): add a user
//! with a first password (who must then choose their own, also at an API login), remove a role,
//! remove a lost second factor, require a second factor. Only the beheerder of the organisation
//! itself; every change audited; errors in Dutch naming the field.

use serde_json::{Value, json};
use verzuim_server::auth::totp;
use verzuim_store::Role;

use crate::harness::{Env, PASSWORD, TestServer, error_code};

crate::http_tests!(
    a_beheerder_adds_a_user_who_chooses_a_password_at_the_first_login,
    adding_a_user_checks_the_request_in_dutch,
    only_the_beheerder_of_the_organisation_manages_its_accounts,
    a_beheerder_removes_a_role_but_not_the_last_beheerder,
    a_beheerder_removes_a_lost_second_factor_through_the_api,
    a_beheerder_requires_a_second_factor_through_the_api,
);

const FIRST: &str = "eerste-wachtwoord-van-beheer";

fn users(org: &str) -> String {
    format!("/api/organisations/{org}/users")
}

async fn add(s: &TestServer, c: &reqwest::Client, org: &str, body: Value) -> reqwest::Response {
    c.post(s.url(&users(org))).json(&body).send().await.unwrap()
}

async fn me(s: &TestServer, c: &reqwest::Client) -> u16 {
    c.get(s.url("/api/auth/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn audit_rows(s: &TestServer, action: &str) -> Vec<String> {
    s.raw_texts(&format!(
        "SELECT organisation_id || ' ' || actor || ' ' || object FROM audit_log \
         WHERE action = '{action}' ORDER BY id"
    ))
    .await
}

/// A JSON error's code, message and field.
async fn error(res: reqwest::Response) -> (u16, String, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn a_beheerder_adds_a_user_who_chooses_a_password_at_the_first_login(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let admin_id = s.user_id("beheer@school.nl").await;
    let res = add(
        &s,
        &admin,
        "99XX00",
        json!({
            "email": "Nieuw@School.nl",
            "display_name": "Nieuwe Collega",
            "password": FIRST,
            "role": "leerkracht",
            "groups": ["7", " 8 ", ""]
        }),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["created"], true);
    assert_eq!(body["must_choose_password"], true);
    let id = body["user_id"].as_i64().unwrap();
    assert_eq!(s.user_id("nieuw@school.nl").await, id);
    assert_eq!(
        audit_rows(&s, "membership_add").await,
        [format!("99XX00 user:{admin_id} user:{id}:leerkracht")]
    );
    // Listed with the role and the groups (blank ones left out), and without a second factor.
    let res = admin.get(s.url(&users("99XX00"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    let emails: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["beheer@school.nl", "juf@school.nl", "nieuw@school.nl"]
    );
    let new = &list["items"][2];
    assert_eq!(
        new["roles"],
        json!([{"role": "leerkracht", "groups": ["7", "8"]}])
    );
    assert_eq!(new["second_factor"]["confirmed_at"], Value::Null);
    // The other school's users are not in this list.
    assert!(!list.to_string().contains("andere.nl"));

    // The API login: the first password opens nothing until the user chose their own.
    let c = s.browser();
    let res = s.login(&c, "nieuw@school.nl", FIRST).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], "nieuw_wachtwoord");
    assert_eq!(me(&s, &c).await, 401);
    let res = c
        .get(s.url("/api/schools/99XX00/pupils"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "nieuw_wachtwoord");
    let res = c
        .post(s.url("/api/auth/password"))
        .json(&json!({"current_password": FIRST, "new_password": "mijn-eigen-wachtwoord-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(me(&s, &c).await, 200);
    let res = s
        .login(&s.bare(), "nieuw@school.nl", "mijn-eigen-wachtwoord-1")
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);

    // An existing user (by e-mail address) gets a role and keeps their own password.
    let res = add(
        &s,
        &admin,
        "99XX00",
        json!({"email": "juf@school.nl", "role": "verzuimcoordinator"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (
            body["created"].clone(),
            body["must_choose_password"].clone()
        ),
        (json!(false), json!(false))
    );
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
    // The same role again: a conflict.
    let res = add(
        &s,
        &admin,
        "99XX00",
        json!({"email": "juf@school.nl", "role": "verzuimcoordinator"}),
    )
    .await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "conflict");
}

async fn adding_a_user_checks_the_request_in_dutch(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        // A new user needs a name and a first password.
        (
            json!({"email": "a@school.nl", "password": FIRST, "role": "leerkracht"}),
            422,
            "ongeldig",
            "display_name",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "role": "leerkracht"}),
            422,
            "ongeldig",
            "password",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": "kort", "role": "leerkracht"}),
            400,
            "wachtwoord_te_kort",
            "password",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": "password1234", "role": "leerkracht"}),
            422,
            "wachtwoord_te_bekend",
            "password",
        ),
        // An existing user keeps their own password: none may be set for them here.
        (
            json!({"email": "juf@school.nl", "password": FIRST, "role": "verzuimcoordinator"}),
            422,
            "ongeldig",
            "password",
        ),
        (
            json!({"email": "geen-adres", "display_name": "A", "password": FIRST, "role": "leerkracht"}),
            422,
            "ongeldig",
            "email",
        ),
        // A role of another kind of organisation, and an unknown role.
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": FIRST, "role": "jgz"}),
            422,
            "ongeldig",
            "",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": FIRST, "role": "rector"}),
            400,
            "ongeldige_json",
            "role",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": FIRST}),
            400,
            "ongeldige_json",
            "role",
        ),
        (
            json!({"email": "a@school.nl", "display_name": "A", "password": FIRST, "role": "leerkracht", "groups": ["groep-met-een-veel-te-lange-naam"]}),
            400,
            "te_lang",
            "groups[0]",
        ),
    ];
    for (body, status, code, field) in cases {
        let res = add(&s, &admin, "99XX00", body.clone()).await;
        let (got_status, got_code, message, got_field) = error(res).await;
        assert_eq!(
            (got_status, got_code.as_str(), got_field.as_str()),
            (status, code, field),
            "{body}: {message}"
        );
        // Dutch, never serde's English.
        assert!(
            !message.contains("expected") && !message.contains("missing"),
            "{message}"
        );
    }
    // Nothing was made.
    assert!(
        s.store
            .user_by_email("a@school.nl")
            .await
            .unwrap()
            .is_none()
    );
    assert!(audit_rows(&s, "membership_add").await.is_empty());
}

async fn only_the_beheerder_of_the_organisation_manages_its_accounts(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let juf = s.user_id("juf@school.nl").await;
    let other = s.logged_in("beheer@andere.nl").await;
    let teacher = s.logged_in("juf@school.nl").await;
    let (_, token) = s.token(&["pupils:read", "pupils:write"]).await;
    let new_user = json!({"email": "x@school.nl", "display_name": "X", "password": FIRST, "role": "leerkracht"});
    let paths = [
        ("GET", users("99XX00"), None),
        ("POST", users("99XX00"), Some(new_user.clone())),
        (
            "DELETE",
            format!("/api/organisations/99XX00/users/{juf}/roles/leerkracht"),
            None,
        ),
        (
            "DELETE",
            format!("/api/organisations/99XX00/users/{juf}/second-factor"),
            None,
        ),
        (
            "GET",
            "/api/organisations/99XX00/second-factor".into(),
            None,
        ),
        (
            "PUT",
            "/api/organisations/99XX00/second-factor".into(),
            Some(json!({"required": true})),
        ),
    ];
    for (method, path, body) in &paths {
        let request = |c: &reqwest::Client| {
            let mut r = c.request(method.parse().unwrap(), s.url(path));
            if let Some(b) = body {
                r = r.json(b);
            }
            r
        };
        // Another school's beheerder, a leerkracht of this school, an API token of this
        // school: 403.
        for c in [&other, &teacher] {
            let res = request(c).send().await.unwrap();
            assert_eq!(res.status(), 403, "{method} {path}");
            assert_eq!(error_code(res).await, "geen_toegang");
        }
        let res = request(&s.bare())
            .bearer_auth(&token)
            .header("origin", s.origin())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method} {path} with a token");
        // Nobody: 401.
        let res = request(&s.bare())
            .header("origin", s.origin())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path} without a session");
    }
    // Nothing changed.
    assert!(
        s.store
            .user_by_email("x@school.nl")
            .await
            .unwrap()
            .is_none()
    );
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    assert_eq!(res.status(), 200);
    // A user of another organisation is not found through this one.
    let admin = s.logged_in("beheer@school.nl").await;
    let andere = s.user_id("beheer@andere.nl").await;
    for path in [
        format!("/api/organisations/99XX00/users/{andere}/second-factor"),
        format!("/api/organisations/99XX00/users/{andere}/roles/beheerder"),
    ] {
        let res = admin.delete(s.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
}

async fn a_beheerder_removes_a_role_but_not_the_last_beheerder(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let admin_id = s.user_id("beheer@school.nl").await;
    let juf = s.user_id("juf@school.nl").await;
    let res = admin
        .delete(s.url(&format!(
            "/api/organisations/99XX00/users/{juf}/roles/leerkracht"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        audit_rows(&s, "membership_remove").await,
        [format!("99XX00 user:{admin_id} user:{juf}:leerkracht")]
    );
    let memberships = s.store.memberships_of_user(juf).await.unwrap();
    assert!(memberships.is_empty(), "{memberships:?}");
    // Again: that role is gone.
    let res = admin
        .delete(s.url(&format!(
            "/api/organisations/99XX00/users/{juf}/roles/leerkracht"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // An unknown role: 400 naming it.
    let res = admin
        .delete(s.url(&format!(
            "/api/organisations/99XX00/users/{juf}/roles/rector"
        )))
        .send()
        .await
        .unwrap();
    let (status, code, message, field) = error(res).await;
    assert_eq!(
        (status, code.as_str(), field.as_str()),
        (400, "ongeldig_pad", "role")
    );
    assert!(message.contains("Onbekende rol"), "{message}");
    // One's own beheerder role, as the last beheerder: refused.
    let res = admin
        .delete(s.url(&format!(
            "/api/organisations/99XX00/users/{admin_id}/roles/beheerder"
        )))
        .send()
        .await
        .unwrap();
    let (status, code, message, _) = error(res).await;
    assert_eq!((status, code.as_str()), (409, "conflict"));
    assert!(message.contains("laatste beheerder"), "{message}");
    assert_eq!(
        s.store.memberships_of_user(admin_id).await.unwrap()[0].role,
        Role::Beheerder
    );
}

async fn a_beheerder_removes_a_lost_second_factor_through_the_api(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    // The leerkracht sets up a second factor.
    let (c, _) = with_second_factor(&s, "juf@school.nl").await;
    let juf = s.user_id("juf@school.nl").await;
    let admin = s.logged_in("beheer@school.nl").await;
    let admin_id = s.user_id("beheer@school.nl").await;
    let list: Value = admin
        .get(s.url(&users("99XX00")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = &list["items"][1];
    assert_eq!(listed["email"], "juf@school.nl");
    assert!(
        listed["second_factor"]["confirmed_at"].is_string(),
        "{list}"
    );
    assert_eq!(listed["second_factor"]["recovery_codes_left"], 10);
    // Another school's beheerder cannot; this one can.
    let other = s.logged_in("beheer@andere.nl").await;
    let path = format!("/api/organisations/99XX00/users/{juf}/second-factor");
    let res = other.delete(s.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = admin.delete(s.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["removed"], true);
    assert!(
        s.raw_texts("SELECT secret FROM second_factors")
            .await
            .is_empty()
    );
    assert_eq!(
        audit_rows(&s, "second_factor_reset").await,
        [format!("99XX00 user:{admin_id} user:{juf}")]
    );
    // The user's sessions ended; the password alone signs in again (not required here).
    assert_eq!(me(&s, &c).await, 401);
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
    // Again: there was none to remove.
    let res = admin.delete(s.url(&path)).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["removed"], false);
    // One's own: refused with the reason.
    let res = admin
        .delete(s.url(&format!(
            "/api/organisations/99XX00/users/{admin_id}/second-factor"
        )))
        .send()
        .await
        .unwrap();
    let (status, code, message, _) = error(res).await;
    assert_eq!((status, code.as_str()), (422, "ongeldig"));
    assert!(message.contains("andere beheerder"), "{message}");
}

async fn a_beheerder_requires_a_second_factor_through_the_api(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let admin_id = s.user_id("beheer@school.nl").await;
    s.user("beheer2@school.nl", &[("99XX00", Role::Beheerder)])
        .await;
    let (second, _) = with_second_factor(&s, "beheer2@school.nl").await;
    let policy = "/api/organisations/99XX00/second-factor";
    let res = admin.get(s.url(policy)).send().await.unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"required": false})
    );
    // A malformed body: Dutch, naming the field.
    let res = admin
        .put(s.url(policy))
        .json(&json!({"required": "ja"}))
        .send()
        .await
        .unwrap();
    let (status, code, message, field) = error(res).await;
    assert_eq!(
        (status, code.as_str(), field.as_str()),
        (400, "ongeldige_json", "required")
    );
    assert!(message.contains("true of false"), "{message}");
    let res = admin
        .put(s.url(policy))
        .json(&json!({"required": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"required": true})
    );
    assert_eq!(
        audit_rows(&s, "second_factor_policy").await,
        [format!(
            "99XX00 user:{admin_id} organisation:99XX00:verplicht"
        )]
    );
    // Every user without one sets it up first: the leerkracht's next login, and the
    // beheerder's own session too.
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], "tweede_factor_instellen");
    let res = admin.get(s.url(policy)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "tweede_factor_instellen");
    // The other school is not touched.
    let res = s.login(&s.bare(), "beheer@andere.nl", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
    // A second beheerder who has a second factor keeps working, and makes it optional again.
    let res = second
        .put(s.url(policy))
        .json(&json!({"required": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = s.login(&s.bare(), "juf@school.nl", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["next_step"], Value::Null);
}

/// Logs `email` in through the API and sets up a second factor for them: the client (logged in,
/// with the factor) and the secret.
async fn with_second_factor(s: &TestServer, email: &str) -> (reqwest::Client, String) {
    let c = s.logged_in(email).await;
    let res = c
        .post(s.url("/api/auth/second-factor/enrolment"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let secret = body["secret"].as_str().unwrap().replace(' ', "");
    let code = totp::code_at(&secret, s.clock.clock().now()).unwrap();
    let res = c
        .post(s.url("/api/auth/second-factor/enrolment/confirm"))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    (c, secret)
}
