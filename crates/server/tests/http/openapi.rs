//! issue 3, item 7: the OpenAPI 3.1 document is committed and served, and stays in step with
//! the code. `UPDATE_OPENAPI=1 cargo test -p verzuim-server openapi` rewrites it.

use serde_json::Value;

use crate::harness::Env;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[test]
fn openapi_document_is_up_to_date() {
    let generated = verzuim_server::api::openapi()
        .to_pretty_json()
        .expect("serialise the document")
        + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/server/openapi.json is out of date with the routes. Update it with:\n\n    \
         UPDATE_OPENAPI=1 cargo test -p verzuim-server openapi\n\nand commit the file."
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/health",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/password",
        "/api/auth/me",
        "/api/organisations/{org}/tokens",
        "/api/organisations/{org}/tokens/{id}",
        "/api/organisations/{org}/audit",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
}

crate::http_tests!(the_document_is_served);

async fn the_document_is_served(env: Env) {
    let s = env.server().await;
    let res = s
        .bare()
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let served = res.text().await.unwrap();
    assert_eq!(served, verzuim_server::api::OPENAPI_JSON);
    let doc: Value = serde_json::from_str(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}
