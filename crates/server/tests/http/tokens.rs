//! security.md, Identity: "API tokens for systems: created by a beheerder, scoped to one
//! organisation and to named permissions (for example registrations:write), shown once,
//! revocable, with the time of last use. Tokens are long random strings, stored as a SHA-256
//! hash."

use jiff::SignedDuration;
use serde_json::{Value, json};
use verzuim_store::hash_token;

use crate::harness::{Env, error_code};

crate::http_tests!(
    only_a_beheerder_of_the_organisation_creates_tokens,
    a_token_is_shown_once_and_stored_as_a_hash,
    a_revoked_token_is_refused,
    the_last_use_is_recorded,
    a_token_acts_only_in_its_organisation_and_with_its_permissions,
    unknown_permissions_are_refused,
);

async fn only_a_beheerder_of_the_organisation_creates_tokens(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let body = json!({"name": "Pakket", "permissions": ["registrations:write"]});
    let post = |client: reqwest::Client| {
        client
            .post(s.url("/api/organisations/99XX00/tokens"))
            .json(&body)
            .send()
    };
    let res = post(s.browser()).await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "niet_ingelogd");
    let res = post(s.logged_in("juf@school.nl").await).await.unwrap();
    assert_eq!(res.status(), 403, "a leerkracht");
    assert_eq!(error_code(res).await, "geen_toegang");
    let res = post(s.logged_in("beheer@andere.nl").await).await.unwrap();
    assert_eq!(res.status(), 403, "a beheerder of another organisation");
    let (_, token) = s.token(&["registrations:write"]).await;
    // A token cannot make tokens.
    let res = s
        .bare()
        .post(s.url("/api/organisations/99XX00/tokens"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a token");
    // Listing and revoking: the beheerder only, too.
    for client in [
        s.logged_in("juf@school.nl").await,
        s.logged_in("beheer@andere.nl").await,
    ] {
        let res = client
            .get(s.url("/api/organisations/99XX00/tokens"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = client
            .delete(s.url("/api/organisations/99XX00/tokens/1"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let res = s
        .logged_in("beheer@school.nl")
        .await
        .post(s.url("/api/organisations/99XX00/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

async fn a_token_is_shown_once_and_stored_as_a_hash(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    let res = admin
        .post(s.url("/api/organisations/99XX00/tokens"))
        .json(&json!({"name": "Pakket", "permissions": ["registrations:write", "pupils:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("vzm_"), "{token}");
    assert_eq!(token.len(), 4 + 64, "256 random bits");
    assert_eq!(created["organisation_id"], "99XX00");
    assert_eq!(
        created["permissions"],
        json!(["pupils:read", "registrations:write"])
    );

    let list = admin
        .get(s.url("/api/organisations/99XX00/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !list.contains(&token),
        "listed tokens never show the secret"
    );
    assert!(!list.contains(&token[4..]));
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["items"][0]["name"], "Pakket");
    assert!(list["items"][0].get("token").is_none());

    let rows = s
        .raw_texts(
            "SELECT token_hash || '|' || name || '|' || permissions_json || '|' || created_by \
             FROM api_tokens",
        )
        .await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with(&format!("{}|", hash_token(&token))));
    assert!(
        !rows[0].contains(&token[4..]),
        "no plaintext in the database"
    );
}

async fn a_revoked_token_is_refused(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let (id, token) = s.token(&["pupils:read"]).await;
    let me = || {
        s.bare()
            .get(s.url("/api/auth/me"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), 200);
    let admin = s.logged_in("beheer@school.nl").await;
    // Another organisation's beheerder cannot revoke it (not theirs: 403).
    let res = s
        .logged_in("beheer@andere.nl")
        .await
        .delete(s.url(&format!("/api/organisations/98YY00/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "not a token of 98YY00");
    assert_eq!(me().await.unwrap().status(), 200);

    let res = admin
        .delete(s.url(&format!("/api/organisations/99XX00/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = me().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(error_code(res).await, "ongeldig_token");
    // Revoking again: nothing to revoke.
    let res = admin
        .delete(s.url(&format!("/api/organisations/99XX00/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let list: Value = admin
        .get(s.url("/api/organisations/99XX00/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["items"][0]["revoked_at"].is_string());
}

async fn the_last_use_is_recorded(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let (_, token) = s.token(&["pupils:read"]).await;
    let admin = s.logged_in("beheer@school.nl").await;
    let last_used = || async {
        let list: Value = admin
            .get(s.url("/api/organisations/99XX00/tokens"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["items"][0]["last_used_at"].clone()
    };
    assert_eq!(last_used().await, Value::Null);
    let res = s
        .bare()
        .get(s.url("/api/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let first = last_used().await;
    let first_at: jiff::Timestamp = first.as_str().expect("last_used_at set").parse().unwrap();
    assert_eq!(first_at, s.clock.now());

    s.advance(SignedDuration::from_mins(5));
    s.bare()
        .get(s.url("/api/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let second: jiff::Timestamp = last_used().await.as_str().unwrap().parse().unwrap();
    assert_eq!(second, s.clock.now());
}

async fn a_token_acts_only_in_its_organisation_and_with_its_permissions(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let (_, writer) = s.token(&["registrations:write"]).await;
    let call = |method: reqwest::Method, path: &str, token: &str| {
        s.bare()
            .request(method, s.url(path))
            .bearer_auth(token)
            .send()
    };
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    let res = call(post.clone(), "/api/probe/99XX00/registrations", &writer)
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "own organisation, with the permission");
    let res = call(post.clone(), "/api/probe/98YY00/registrations", &writer)
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "another organisation");
    assert_eq!(error_code(res).await, "geen_toegang");
    let res = call(get.clone(), "/api/probe/99XX00/pupils", &writer)
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "without pupils:read");
    let res = call(get.clone(), "/api/organisations/99XX00/audit", &writer)
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "tokens have no roles");

    let (_, reader) = s.token(&["pupils:read"]).await;
    let res = call(get.clone(), "/api/probe/99XX00/pupils", &reader)
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = call(post.clone(), "/api/probe/99XX00/registrations", &reader)
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "without registrations:write");

    // What the token says about itself.
    let me: Value = call(get, "/api/auth/me", &reader)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["kind"], "token");
    assert_eq!(me["token"]["organisation_id"], "99XX00");
    assert_eq!(me["token"]["permissions"], json!(["pupils:read"]));
}

async fn unknown_permissions_are_refused(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let admin = s.logged_in("beheer@school.nl").await;
    for permissions in [json!(["alles:mag"]), json!([])] {
        let res = admin
            .post(s.url("/api/organisations/99XX00/tokens"))
            .json(&json!({"name": "Pakket", "permissions": permissions}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{permissions}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["field"], "permissions");
    }
    let res = admin
        .post(s.url("/api/organisations/99XX00/tokens"))
        .json(&json!({"name": "  ", "permissions": ["pupils:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "verplicht");
}
