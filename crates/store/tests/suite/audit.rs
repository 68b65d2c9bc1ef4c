//! The audit log is append-only.

use verzuim_store::{Actor, AuditEntry, OrgKind, Page, pupil_ref};

use crate::Ctx;
use crate::fixtures::org;

crate::stories!(
    audit_rows_cannot_be_changed_or_deleted,
    audit_reads_are_scoped,
    the_service_role_cannot_alter_the_audit_log
);

fn entry(org: &str, action: &str) -> AuditEntry {
    AuditEntry {
        actor: Actor::User(4),
        organisation_id: Some(org.into()),
        action: action.into(),
        object: "pupil".into(),
        pupil: Some(pupil_ref(org, "1001")),
        address: Some("192.0.2.7".into()),
        outcome: "ok".into(),
    }
}

async fn audit_rows_cannot_be_changed_or_deleted(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    let id = s.audit(&entry("99XX00", "read")).await.unwrap();
    for sql in [
        format!("UPDATE audit_log SET outcome = 'changed' WHERE id = {id}"),
        "UPDATE audit_log SET actor = 'nobody'".to_owned(),
        format!("DELETE FROM audit_log WHERE id = {id}"),
        "DELETE FROM audit_log".to_owned(),
    ] {
        let mut tx = s.begin().await.unwrap();
        let res = tx.execute_raw(&sql).await;
        assert!(res.is_err(), "{sql} must fail, got {res:?}");
        let msg = res.unwrap_err().to_string();
        assert!(msg.contains("append-only"), "{msg}");
    }
    let rows = s.audit_log("99XX00", Page::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "ok");
    assert_eq!(rows[0].user_id, Some(4));
    assert_eq!(rows[0].actor, "user:4");
    assert_eq!(rows[0].address.as_deref(), Some("192.0.2.7"));
    assert_eq!(rows[0].pupil.as_deref(), Some("99XX00/1001"));
}

async fn audit_reads_are_scoped(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "88YY00", OrgKind::School).await;
    s.audit(&entry("99XX00", "read")).await.unwrap();
    s.audit(&entry("99XX00", "write")).await.unwrap();
    s.audit(&entry("88YY00", "read")).await.unwrap();
    let mine = s.audit_log("99XX00", Page::default()).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        vec!["read", "write"]
    );
    assert!(
        mine.iter()
            .all(|r| r.organisation_id.as_deref() == Some("99XX00"))
    );
    assert_eq!(
        s.audit_log_of_pupil("99XX00", &pupil_ref("99XX00", "1001"), Page::default())
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        s.audit_log_of_pupil("99XX00", &pupil_ref("88YY00", "1001"), Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.audit_log("88YY00", Page::default()).await.unwrap().len(),
        1
    );
}

static ROLES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// PostgreSQL: `sql/postgres_service_role.sql` makes a role that works (writes pupil data, appends
/// audit rows, runs retention) but can neither change nor remove audit rows, nor switch off or
/// drop the triggers that guard them. (SQLite has no roles: its triggers are the guard, see
/// above.)
async fn the_service_role_cannot_alter_the_audit_log(ctx: Ctx) {
    let s = &ctx.store;
    if s.backend() != verzuim_store::Backend::Postgres {
        return;
    }
    org(s, "99XX00", OrgKind::School).await;
    let id = s.audit(&entry("99XX00", "read")).await.unwrap();
    let role = format!(
        "verzuim_service_t{}_{}",
        std::process::id(),
        ROLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let script =
        include_str!("../../sql/postgres_service_role.sql").replace("verzuim_service", &role);
    let mut admin = s.begin().await.unwrap();
    for stmt in script
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
        .split(';')
        .filter(|t| !t.trim().is_empty())
    {
        admin.execute_raw(stmt).await.unwrap();
    }
    admin.commit().await.unwrap();

    // `postgres://postgres@host/db` -> `postgres://ROLE@host/db` (trust authentication).
    let (scheme, rest) = ctx.url.split_once("://").unwrap();
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    let url = format!("{scheme}://{role}@{host}");
    let service = verzuim_store::Store::connect(&url).await.unwrap();
    // Everything applied: migrate runs nothing (the role may not create tables).
    service.migrate().await.unwrap();
    org(&service, "88YY00", OrgKind::School).await;
    service.audit(&entry("88YY00", "read")).await.unwrap();
    service
        .apply_retention(jiff::civil::date(2030, 1, 1), 5)
        .await
        .unwrap();
    for sql in [
        format!("UPDATE audit_log SET outcome = 'changed' WHERE id = {id}"),
        format!("DELETE FROM audit_log WHERE id = {id}"),
        "TRUNCATE audit_log".to_owned(),
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete".to_owned(),
        "DROP TRIGGER audit_log_no_update_delete ON audit_log".to_owned(),
        "ALTER TABLE audit_log OWNER TO CURRENT_USER".to_owned(),
    ] {
        let mut tx = service.begin().await.unwrap();
        let res = tx.execute_raw(&sql).await;
        assert!(
            res.is_err(),
            "{sql} must fail for the service role, got {res:?}"
        );
        let msg = res.unwrap_err().to_string();
        assert!(
            msg.contains("permission denied") || msg.contains("must be owner"),
            "{sql}: {msg}"
        );
    }
    service.close().await;
    let rows = s.audit_log("99XX00", Page::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "ok");

    let mut admin = s.begin().await.unwrap();
    admin
        .execute_raw(&format!("DROP OWNED BY {role}"))
        .await
        .unwrap();
    admin
        .execute_raw(&format!("DROP ROLE {role}"))
        .await
        .unwrap();
    admin.commit().await.unwrap();
}
