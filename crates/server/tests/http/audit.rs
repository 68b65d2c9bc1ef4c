//! security.md, Audit: "An append-only audit log: time, user, organisation, action, object,
//! pupil, address, outcome … A beheerder reads and exports their organisation's part."
//! (What the foundation writes: logins, logouts, password changes, tokens.)

use serde_json::Value;
use verzuim_store::{Actor, AuditEntry, pupil_ref};

use crate::harness::{Env, PASSWORD, error_code};

crate::http_tests!(
    logins_and_token_creation_are_audited,
    only_a_beheerder_of_the_organisation_reads_its_audit_log,
    the_audit_log_is_filtered_and_paginated,
    the_audit_log_is_exported_whole_as_json,
);

async fn audit_rows(admin: &reqwest::Client, url: &str) -> Vec<Value> {
    let res = admin.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

async fn logins_and_token_creation_are_audited(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let juf_id = s
        .raw_texts("SELECT CAST(id AS TEXT) FROM users WHERE email = 'juf@school.nl'")
        .await[0]
        .clone();
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", "fout-wachtwoord-1")
            .await
            .status(),
        401
    );
    assert_eq!(
        s.login(&s.bare(), "juf@school.nl", PASSWORD).await.status(),
        200
    );
    let (token_id, _) = s.token(&["pupils:read"]).await;

    let admin = s.logged_in("beheer@school.nl").await;
    let rows = audit_rows(&admin, &s.url("/api/organisations/99XX00/audit?limit=200")).await;
    let summary: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["actor"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
                r["object"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let juf = format!("user:{juf_id}");
    assert!(
        summary.contains(&(juf.clone(), "login".into(), juf.clone(), "failed".into())),
        "{summary:?}"
    );
    assert!(
        summary.contains(&(juf.clone(), "login".into(), juf.clone(), "ok".into())),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|(_, a, o, out)| a == "token_create"
            && *o == format!("token:{token_id}")
            && out == "ok"),
        "{summary:?}"
    );
    for r in &rows {
        assert_eq!(r["organisation_id"], "99XX00");
        assert_eq!(r["address"], "127.0.0.1", "{r}");
        assert!(r["at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    }
    // An unknown address is audited, in no organisation's part.
    s.login(&s.bare(), "niemand@school.nl", "fout-wachtwoord-1")
        .await;
    let unowned = s
        .raw_texts(
            "SELECT object FROM audit_log WHERE organisation_id IS NULL AND action = 'login'",
        )
        .await;
    assert_eq!(unowned, vec!["email:niemand@school.nl".to_owned()]);
}

async fn only_a_beheerder_of_the_organisation_reads_its_audit_log(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let url = s.url("/api/organisations/99XX00/audit");
    let res = s.bare().get(&url).send().await.unwrap();
    assert_eq!(res.status(), 401);
    for who in ["juf@school.nl", "beheer@andere.nl"] {
        let res = s.logged_in(who).await.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 403, "{who}");
        assert_eq!(error_code(res).await, "geen_toegang");
        let res = s
            .logged_in(who)
            .await
            .get(format!("{url}?format=json"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{who} exports");
    }
    let (_, token) = s.token(&["pupils:read"]).await;
    let res = s.bare().get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 403, "a token");
    // The other school's beheerder sees only their own part.
    let other = s.logged_in("beheer@andere.nl").await;
    let rows = audit_rows(&other, &s.url("/api/organisations/98YY00/audit")).await;
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["organisation_id"] == "98YY00"));
}

async fn the_audit_log_is_filtered_and_paginated(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    let entry = |action: &str, pupil: Option<&str>, user: i64| AuditEntry {
        actor: Actor::User(user),
        organisation_id: Some("99XX00".into()),
        action: action.into(),
        object: "pupil".into(),
        pupil: pupil.map(|p| pupil_ref("99XX00", p)),
        address: Some("192.0.2.7".into()),
        outcome: "ok".into(),
    };
    for e in [
        entry("pupil_read", Some("1001"), 41),
        entry("pupil_read", Some("1002"), 41),
        entry("pupil_write", Some("1001"), 42),
    ] {
        s.store.audit(&e).await.unwrap();
    }
    let admin = s.logged_in("beheer@school.nl").await;
    let base = s.url("/api/organisations/99XX00/audit");
    let rows = audit_rows(&admin, &format!("{base}?pupil=99XX00/1001")).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["pupil"] == "99XX00/1001"));
    let rows = audit_rows(&admin, &format!("{base}?action=pupil_read")).await;
    assert_eq!(rows.len(), 2);
    let rows = audit_rows(&admin, &format!("{base}?user=42")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["action"], "pupil_write");
    let rows = audit_rows(
        &admin,
        &format!("{base}?action=pupil_read&pupil=99XX00/1002&user=41"),
    )
    .await;
    assert_eq!(rows.len(), 1);

    // Time: today (Dutch time) holds everything, tomorrow nothing; a moment in the future too.
    let today = jiff::Zoned::now().in_tz("Europe/Amsterdam").unwrap().date();
    let tomorrow = today.tomorrow().unwrap();
    let all = audit_rows(&admin, &format!("{base}?limit=200")).await.len();
    assert_eq!(
        audit_rows(&admin, &format!("{base}?from={today}&to={today}"))
            .await
            .len(),
        all
    );
    assert_eq!(
        audit_rows(&admin, &format!("{base}?from={tomorrow}"))
            .await
            .len(),
        0
    );
    let yesterday = today.yesterday().unwrap();
    assert_eq!(
        audit_rows(&admin, &format!("{base}?to={yesterday}"))
            .await
            .len(),
        0
    );
    let res = admin
        .get(format!("{base}?from=gisteren"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(error_code(res).await, "ongeldige_parameter");

    // Pages.
    let page: Value = admin
        .get(format!("{base}?limit=2&offset=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["offset"], 1);
    assert_eq!(page["next_offset"], 3);
}

async fn the_audit_log_is_exported_whole_as_json(env: Env) {
    let s = env.server().await;
    s.two_schools().await;
    for i in 0..450 {
        s.store
            .audit(&AuditEntry {
                actor: Actor::User(41),
                organisation_id: Some("99XX00".into()),
                action: "pupil_read".into(),
                object: format!("pupil:{i}"),
                pupil: Some(pupil_ref("99XX00", &i.to_string())),
                address: None,
                outcome: "ok".into(),
            })
            .await
            .unwrap();
    }
    let admin = s.logged_in("beheer@school.nl").await;
    let res = admin
        .get(s.url("/api/organisations/99XX00/audit?format=json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, "attachment; filename=\"auditlog-99XX00.json\"");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let rows: Vec<Value> = res.json().await.unwrap();
    let reads = rows.iter().filter(|r| r["action"] == "pupil_read").count();
    assert_eq!(reads, 450, "every row, past the page size");
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "oldest first, no repeats"
    );
    assert!(rows.iter().all(|r| r["organisation_id"] == "99XX00"));

    // Filtered export; an empty one is an empty array.
    let rows: Vec<Value> = admin
        .get(s.url("/api/organisations/99XX00/audit?format=json&pupil=99XX00/7"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let rows: Vec<Value> = admin
        .get(s.url("/api/organisations/99XX00/audit?format=json&action=niets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows, Vec::<Value>::new());

    // The export itself is audited.
    let rows: Vec<Value> = admin
        .get(s.url("/api/organisations/99XX00/audit?format=json&action=audit_export"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows.len(), 4, "three earlier exports and this one");
    let res = admin
        .get(s.url("/api/organisations/99XX00/audit?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}
