//! Issue 13.3: `verzuim load` puts a generated region into PostgreSQL in bulk (COPY) and must
//! leave the same stored state as importing each school through the service's import. A small
//! region (3 schools, 2 municipalities, 300 pupils) is loaded twice into fresh databases, once
//! with `load` and once with `load --via-import` (every school through
//! `verzuim_service::import`), and per pupil everything the evaluation stored is compared: the
//! pupil, its registrations and events, its signals (evidence included, with registration and
//! event ids as their place among the pupil's), cases, tasks and the cases' timelines.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::{Connection, Row};

use crate::two_processes::fresh;
use crate::{TempDir, run_in};

/// Every table's rows per pupil (`school/pupil`), as text, ids replaced by their place among
/// the pupil's rows of that table.
type State = BTreeMap<String, Vec<String>>;

async fn drop_database(admin_url: &str, name: &str) {
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
}

/// `concat_ws('|', …)` of the columns, NULL shown as `-`.
fn joined(columns: &[&str]) -> String {
    let parts: Vec<String> = columns
        .iter()
        .map(|c| format!("coalesce(({c})::text, '-')"))
        .collect();
    format!("concat_ws('|', {})", parts.join(", "))
}

/// Evidence with the ids of registrations and events replaced by their place in the pupil's.
fn renumber(value: &mut Value, regs: &BTreeMap<i64, usize>, events: &BTreeMap<i64, usize>) {
    match value {
        Value::Object(map) => {
            let table = if map.contains_key("minutes") {
                Some(regs)
            } else if map.contains_key("version") {
                Some(events)
            } else {
                None
            };
            if let (Some(table), Some(id)) = (table, map.get("id").and_then(Value::as_i64)) {
                map.insert(
                    "id".into(),
                    Value::from(table.get(&id).copied().unwrap_or(9999)),
                );
            }
            for v in map.values_mut() {
                renumber(v, regs, events);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| renumber(v, regs, events)),
        _ => {}
    }
}

async fn state(url: &str) -> State {
    let mut db = sqlx::PgConnection::connect(url).await.unwrap();
    let pupils: BTreeMap<i64, String> =
        sqlx::query("SELECT id, school_id || '/' || pupil_id AS name FROM pupils ORDER BY id")
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("id"), r.get("name")))
            .collect();
    // (table, pupil expression, id expression, the row's columns), in order of id.
    let tables: [(&str, &str, &str, String); 7] = [
        (
            "pupils p",
            "p.id",
            "p.id",
            joined(&[
                "p.birth_date",
                "p.group_name",
                "p.municipality",
                "p.enrolled_from",
                "p.enrolled_until",
                "p.next_school",
                "p.name",
                "p.bsn",
                "p.onderwijsnummer",
                "p.parent_name",
                "p.parent_email",
                "p.parent_phone",
                "p.street",
                "p.postcode",
                "p.city",
                "p.created_at",
            ]),
        ),
        (
            "registrations r JOIN registration_versions v ON v.registration_id = r.id",
            "r.pupil",
            "r.id",
            joined(&[
                "r.current_version",
                "v.version",
                "v.code",
                "v.span_kind",
                "v.date_from",
                "v.date_until",
                "v.time_from",
                "v.time_until",
                "v.minutes_late",
                "v.note",
                "v.deleted",
                "v.created_by",
            ]),
        ),
        (
            "events e JOIN event_versions v ON v.event_id = e.id",
            "e.pupil",
            "e.id",
            joined(&["v.version", "v.kind", "v.date", "v.note", "v.deleted"]),
        ),
        (
            "cases c",
            "c.pupil",
            "c.id",
            joined(&[
                "c.kinds_json",
                "c.opened_on",
                "c.closed_at",
                "c.closed_reason",
            ]),
        ),
        (
            "signals s",
            "s.pupil",
            "s.id",
            joined(&[
                "(SELECT count(*) FROM cases c2 WHERE c2.pupil = s.pupil AND c2.id <= s.case_id)",
                "s.kind",
                "s.date",
                "s.count",
                "s.stage",
                "s.minutes",
                "s.period_from",
                "s.period_to",
                "s.actions_json",
                "s.pupil_participates",
                "s.status",
                "s.withdrawn_reason",
            ]),
        ),
        (
            "tasks t JOIN cases c ON c.id = t.case_id",
            "c.pupil",
            "t.id",
            joined(&[
                "(SELECT count(*) FROM cases c2 WHERE c2.pupil = c.pupil AND c2.id <= t.case_id)",
                "(SELECT count(*) FROM signals s2 WHERE s2.pupil = c.pupil AND s2.id <= t.signal_id)",
                "t.party",
                "t.organisation_id",
                "t.text",
                "t.melding",
                "t.referral",
                "t.trigger_kind",
                "t.due",
                "t.status",
                "t.status_reason",
            ]),
        ),
        (
            "case_timeline l JOIN cases c ON c.id = l.case_id",
            "c.pupil",
            "l.id",
            joined(&[
                "(SELECT count(*) FROM cases c2 WHERE c2.pupil = c.pupil AND c2.id <= l.case_id)",
                "(SELECT count(*) FROM signals s2 WHERE s2.pupil = c.pupil AND s2.id <= l.signal_id)",
                "l.actor",
                "l.entry",
                "l.detail",
            ]),
        ),
    ];
    let mut out = State::new();
    for (table, pupil, id, columns) in &tables {
        let name = table.split_whitespace().next().unwrap_or(table);
        let rows = sqlx::query(&format!(
            "SELECT {pupil} AS pupil, {columns} AS line FROM {table} ORDER BY {id}"
        ))
        .fetch_all(&mut db)
        .await
        .unwrap();
        for r in rows {
            let key = &pupils[&r.get::<i64, _>("pupil")];
            out.entry(key.clone())
                .or_default()
                .push(format!("{name}: {}", r.get::<String, _>("line")));
        }
    }
    // Evidence, renumbered per pupil.
    let ids = |sql: &'static str| sqlx::query(sql);
    let mut regs: BTreeMap<i64, BTreeMap<i64, usize>> = BTreeMap::new();
    for r in ids("SELECT pupil, id FROM registrations ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let m = regs.entry(r.get("pupil")).or_default();
        let n = m.len();
        m.insert(r.get("id"), n);
    }
    let mut events: BTreeMap<i64, BTreeMap<i64, usize>> = BTreeMap::new();
    for r in ids("SELECT pupil, id FROM events ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let m = events.entry(r.get("pupil")).or_default();
        let n = m.len();
        m.insert(r.get("id"), n);
    }
    let empty = BTreeMap::new();
    for r in ids("SELECT pupil, evidence_json FROM signals ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let pupil: i64 = r.get("pupil");
        let mut evidence: Value = serde_json::from_str(r.get("evidence_json")).unwrap();
        renumber(
            &mut evidence,
            regs.get(&pupil).unwrap_or(&empty),
            events.get(&pupil).unwrap_or(&empty),
        );
        out.entry(pupils[&pupil].clone())
            .or_default()
            .push(format!("evidence: {evidence}"));
    }
    out
}

#[test]
fn load_stores_what_the_import_stores() {
    let Some(admin_url) = verzuim_store::test_support::postgres_url() else {
        return;
    };
    let dir = TempDir::new("load");
    let region = dir.path().join("regio");
    let region_arg = region.to_str().unwrap();
    let run = run_in(
        dir.path(),
        &[
            "generate",
            "--pupils",
            "300",
            "--schools",
            "3",
            "--municipalities",
            "2",
            "--seed",
            "5",
            "--out",
            region_arg,
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let pid = std::process::id();
    let (bulk_name, import_name) = (
        format!("verzuim_load_{pid}"),
        format!("verzuim_import_{pid}"),
    );
    let bulk = rt.block_on(fresh(&admin_url, &bulk_name));
    let import = rt.block_on(fresh(&admin_url, &import_name));

    let run = run_in(dir.path(), &["load", "--database", &bulk, region_arg]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("rijen/s"), "{}", run.describe());
    assert!(run.stdout.contains("300 leerlingen"), "{}", run.describe());
    let run = run_in(
        dir.path(),
        &["load", "--database", &import, "--via-import", region_arg],
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());

    // A second load skips the schools that have pupils.
    let again = run_in(dir.path(), &["load", "--database", &bulk, region_arg]);
    assert_eq!(again.code, Some(0), "{}", again.describe());
    assert!(
        again.stdout.contains("0 scholen (3 overgeslagen"),
        "{}",
        again.describe()
    );

    let (loaded, imported) = rt.block_on(async { (state(&bulk).await, state(&import).await) });
    rt.block_on(async {
        drop_database(&admin_url, &bulk_name).await;
        drop_database(&admin_url, &import_name).await;
    });
    assert_eq!(loaded.len(), 300, "every pupil is stored");
    let with = |what: &str| {
        loaded
            .values()
            .flatten()
            .filter(|l| l.starts_with(what))
            .count()
    };
    assert!(with("signals:") > 50, "{} signals", with("signals:"));
    assert!(with("tasks:") > 50, "{} tasks", with("tasks:"));
    assert!(with("cases:") > 20, "{} cases", with("cases:"));
    let keys: Vec<&String> = loaded.keys().collect();
    assert_eq!(keys, imported.keys().collect::<Vec<_>>());
    for (pupil, rows) in &loaded {
        assert_eq!(
            rows, &imported[pupil],
            "pupil {pupil}: load (left) and import (right) differ"
        );
    }
}
