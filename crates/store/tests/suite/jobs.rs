//! Scheduled jobs over several processes: one run per job and period (issue 13).

use crate::Ctx;

crate::stories!(
    a_period_is_claimed_once,
    a_failed_run_leaves_the_period_free,
    two_connections_claim_at_once_and_one_wins
);

async fn a_period_is_claimed_once(ctx: Ctx) {
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    assert!(
        tx.claim_job_run("bewaartermijn", "2026-12-02", "a:1")
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(
        !tx.claim_job_run("bewaartermijn", "2026-12-02", "b:2")
            .await
            .unwrap()
    );
    // Another period, another job: free.
    assert!(
        tx.claim_job_run("bewaartermijn", "2026-12-03", "b:2")
            .await
            .unwrap()
    );
    assert!(
        tx.claim_job_run("iets anders", "2026-12-02", "b:2")
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let who = s.job_run("bewaartermijn", "2026-12-02").await.unwrap();
    assert_eq!(who.as_deref(), Some("a:1"));
    assert_eq!(
        s.job_run("bewaartermijn", "2026-12-04").await.unwrap(),
        None
    );
}

async fn a_failed_run_leaves_the_period_free(ctx: Ctx) {
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    assert!(
        tx.claim_job_run("bewaartermijn", "2026-12-02", "a:1")
            .await
            .unwrap()
    );
    tx.rollback().await.unwrap();
    assert_eq!(
        s.job_run("bewaartermijn", "2026-12-02").await.unwrap(),
        None
    );
    let mut tx = s.begin().await.unwrap();
    assert!(
        tx.claim_job_run("bewaartermijn", "2026-12-02", "b:2")
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

/// Two stores on one database (two processes): the second claim waits for the first
/// transaction and then finds the period taken.
async fn two_connections_claim_at_once_and_one_wins(ctx: Ctx) {
    let other = verzuim_store::Store::connect(&ctx.url).await.unwrap();
    let claim = |store: verzuim_store::Store, who: &'static str| async move {
        let mut tx = store.begin().await.unwrap();
        let won = tx
            .claim_job_run("bewaartermijn", "2026-12-02", who)
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        tx.commit().await.unwrap();
        won
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim(ctx.store.clone(), "a:1")),
        tokio::spawn(claim(other, "b:2"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a ^ b, "exactly one wins: {a} {b}");
    let who = ctx
        .store
        .job_run("bewaartermijn", "2026-12-02")
        .await
        .unwrap();
    assert_eq!(who.as_deref(), Some(if a { "a:1" } else { "b:2" }));
}
