//! A committed write is there after reopening the database; an uncommitted one is not.

use verzuim_engine::model::Code;
use verzuim_store::{Actor, OrgKind, Page, Scope, Store};

use crate::Ctx;
use crate::fixtures::{days, org, pupil};

crate::stories!(committed_write_survives_reopening);

async fn committed_write_survives_reopening(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    pupil(s, "99XX00", "1001").await;
    let v = s
        .add_registration(
            "99XX00",
            "1001",
            &days(Code::Ongeoorloofd, "2026-09-21", "2026-09-21"),
            None,
            Actor::User(1),
        )
        .await
        .unwrap();
    // Left open, never committed.
    let mut open = s.begin().await.unwrap();
    open.add_registration(
        "99XX00",
        "1001",
        &days(Code::Luxe, "2026-10-16", "2026-10-16"),
        None,
        Actor::User(1),
    )
    .await
    .unwrap();
    drop(open);
    s.close().await;

    let reopened = Store::connect(&ctx.url).await.unwrap();
    reopened.migrate().await.unwrap();
    let regs = reopened
        .list_registrations(Scope::School("99XX00"), "99XX00", "1001", Page::default())
        .await
        .unwrap();
    assert_eq!(regs.iter().map(|r| r.id).collect::<Vec<_>>(), vec![v.id]);
    reopened.close().await;
}

crate::stories!(concurrent_writers_all_succeed);

/// 32 clients writing at once (each a registration and a signal in one transaction): every
/// write lands, none fails on a lock.
async fn concurrent_writers_all_succeed(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    for i in 0..32 {
        pupil(s, "99XX00", &format!("p{i}")).await;
    }
    let started = std::time::Instant::now();
    let mut handles = Vec::new();
    for i in 0..32 {
        let store = s.clone();
        handles.push(tokio::spawn(async move {
            let pupil = format!("p{i}");
            for k in 0..10u32 {
                let day = format!("2026-09-{:02}", 7 + k);
                let pupil = pupil.clone();
                store
                    .transaction(|tx| {
                        Box::pin(async move {
                            tx.add_registration(
                                "99XX00",
                                &pupil,
                                &days(Code::Ongeoorloofd, &day, &day),
                                None,
                                Actor::User(1),
                            )
                            .await?;
                            let mut signal = crate::fixtures::relatief_signal();
                            signal.date = crate::fixtures::d(&day);
                            tx.insert_signal("99XX00", &pupil, &signal, &[], None)
                                .await?;
                            Ok::<_, verzuim_store::StoreError>(())
                        })
                    })
                    .await
                    .expect("concurrent write");
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    eprintln!(
        "{:?}: 320 registration+signal transactions from 32 clients in {:?}",
        s.backend(),
        started.elapsed()
    );
    let total: usize = {
        let mut n = 0;
        for i in 0..32 {
            n += s
                .list_registrations(
                    Scope::School("99XX00"),
                    "99XX00",
                    &format!("p{i}"),
                    Page::default(),
                )
                .await
                .unwrap()
                .len();
        }
        n
    };
    assert_eq!(total, 320);
}

/// The SQLite file is in WAL mode (a property of the file, seen by any connection).
#[tokio::test]
async fn sqlite_file_uses_wal() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let store = Store::connect(path.to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}
