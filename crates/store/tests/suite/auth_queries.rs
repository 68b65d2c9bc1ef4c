//! The server's auth and audit queries: the health probe and the filtered audit log.

use jiff::{SignedDuration, Timestamp};
use verzuim_store::auth_queries::AuditFilter;
use verzuim_store::{Actor, AuditEntry, OrgKind, Page, pupil_ref};

use crate::Ctx;
use crate::fixtures::org;

crate::stories!(
    the_database_answers_a_ping,
    audit_search_filters_within_one_organisation,
    audit_search_pages_by_keyset
);

async fn the_database_answers_a_ping(ctx: Ctx) {
    ctx.store.ping().await.unwrap();
    ctx.store.close().await;
    assert!(ctx.store.ping().await.is_err());
}

fn entry(org: &str, action: &str, user: i64, pupil: Option<&str>) -> AuditEntry {
    AuditEntry {
        actor: Actor::User(user),
        organisation_id: Some(org.into()),
        action: action.into(),
        object: "pupil".into(),
        pupil: pupil.map(|p| pupil_ref(org, p)),
        address: Some("192.0.2.7".into()),
        outcome: "ok".into(),
    }
}

async fn audit_search_filters_within_one_organisation(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "98YY00", OrgKind::School).await;
    let before = Timestamp::now() - SignedDuration::from_secs(1);
    for e in [
        entry("99XX00", "pupil_read", 1, Some("1001")),
        entry("99XX00", "pupil_read", 2, Some("1002")),
        entry("99XX00", "pupil_write", 1, Some("1001")),
        entry("99XX00", "login", 1, None),
        entry("98YY00", "pupil_read", 1, Some("1001")),
    ] {
        s.audit(&e).await.unwrap();
    }
    let after = Timestamp::now() + SignedDuration::from_secs(1);
    let page = Page::default();
    let search =
        |f: AuditFilter| async move { s.search_audit_log("99XX00", &f, page).await.unwrap() };

    assert_eq!(search(AuditFilter::default()).await.len(), 4);
    let rows = search(AuditFilter {
        pupil: Some(pupil_ref("99XX00", "1001")),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.organisation_id.as_deref() == Some("99XX00"))
    );
    let rows = search(AuditFilter {
        user_id: Some(1),
        action: Some("pupil_read".into()),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pupil.as_deref(), Some("99XX00/1001"));
    let rows = search(AuditFilter {
        from: Some(before),
        until: Some(after),
        ..AuditFilter::default()
    })
    .await;
    assert_eq!(rows.len(), 4);
    assert!(
        search(AuditFilter {
            from: Some(after),
            ..AuditFilter::default()
        })
        .await
        .is_empty()
    );
    assert!(
        search(AuditFilter {
            until: Some(before),
            ..AuditFilter::default()
        })
        .await
        .is_empty()
    );
    // Another organisation's rows never come back, whatever the filter.
    assert!(
        s.search_audit_log("97ZZ00", &AuditFilter::default(), page)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn audit_search_pages_by_keyset(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    for i in 0..7 {
        s.audit(&entry("99XX00", "pupil_read", i, None))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut filter = AuditFilter::default();
    loop {
        let rows = s
            .search_audit_log("99XX00", &filter, Page::first(3))
            .await
            .unwrap();
        seen.extend(rows.iter().map(|r| r.user_id.unwrap()));
        match rows.last() {
            Some(last) if rows.len() == 3 => filter.after_id = Some(last.id),
            _ => break,
        }
    }
    assert_eq!(seen, (0..7).collect::<Vec<i64>>());
    // Offsets page too.
    let rows = s
        .search_audit_log("99XX00", &AuditFilter::default(), Page::new(2, 5))
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.user_id.unwrap()).collect::<Vec<_>>(),
        vec![5, 6]
    );
}
