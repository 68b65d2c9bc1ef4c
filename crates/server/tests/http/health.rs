//! issue 3, item 7: `/health` for monitoring.

use serde_json::{Value, json};

use crate::harness::Env;

crate::http_tests!(
    health_says_ok_after_a_query,
    health_says_503_without_a_database
);

async fn health_says_ok_after_a_query(env: Env) {
    let s = env.server().await;
    let res = s.bare().get(s.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok", "database": "ok"}));
}

async fn health_says_503_without_a_database(env: Env) {
    let s = env.server().await;
    s.store.close().await;
    let res = s.bare().get(s.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"status": "error", "database": "error"}));
}
