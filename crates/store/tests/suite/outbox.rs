//! The e-mail outbox (issue 12, docs/email.md): a mail exists exactly when the transaction of its
//! action committed; each due mail is claimed by one process (two stores on one database claim
//! at once); a failed attempt waits for its backoff; a lease keeps a claimed mail from a second
//! claimer until it runs out; the users' choices.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use verzuim_store::outbox::{MailKind, MailMode, MailStatus, NewMail};
use verzuim_store::{ManualClock, Membership, NewUser, Page, Role, Store};

use crate::Ctx;

crate::stories!(
    a_mail_exists_only_when_its_transaction_commits,
    two_stores_claim_every_mail_once,
    a_failed_attempt_waits_for_its_backoff_and_a_lease,
    held_mail_and_choices
);

fn mail(to: &str, dedup: Option<&str>) -> NewMail {
    NewMail {
        kind: MailKind::Melding,
        recipient: to.to_owned(),
        user_id: None,
        subject: "Nieuwe melding van schoolverzuim".to_owned(),
        body: "Er wacht een melding.".to_owned(),
        link: Some("/meldingen/1".to_owned()),
        dedup_key: dedup.map(str::to_owned),
        held: false,
    }
}

async fn a_mail_exists_only_when_its_transaction_commits(ctx: Ctx) {
    let s = &ctx.store;
    let mut tx = s.begin().await.unwrap();
    tx.enqueue_mail(&mail("lpa@gemeente.nl", None))
        .await
        .unwrap()
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(s.outbox(None, Page::default()).await.unwrap().is_empty());

    let mut tx = s.begin().await.unwrap();
    let id = tx
        .enqueue_mail(&mail(" LPA@Gemeente.nl ", Some("k:1")))
        .await
        .unwrap()
        .unwrap();
    // The same key again: ignored.
    assert_eq!(
        tx.enqueue_mail(&mail("lpa@gemeente.nl", Some("k:1")))
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
    let rows = s.outbox(None, Page::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let m = &rows[0];
    assert_eq!(m.id, id);
    assert_eq!(m.recipient, "lpa@gemeente.nl");
    assert_eq!(m.status, MailStatus::Pending);
    assert_eq!(m.attempts, 0);
    assert!(m.message_id.starts_with("verzuim.") && m.message_id.len() == 40);
    // Two mails never share a Message-ID.
    let other = s
        .enqueue_mail(&mail("x@gemeente.nl", None))
        .await
        .unwrap()
        .unwrap();
    let other = s.outbox_mail(other).await.unwrap().unwrap();
    assert_ne!(other.message_id, m.message_id);
    assert_eq!(
        s.outbox(Some("LPA@gemeente.nl"), Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Two processes (two stores on one database), each with workers claiming at the same time:
/// every mail is claimed by exactly one of them.
async fn two_stores_claim_every_mail_once(ctx: Ctx) {
    const MAILS: usize = 60;
    let s = &ctx.store;
    for i in 0..MAILS {
        s.enqueue_mail(&mail(&format!("u{i}@gemeente.nl"), None))
            .await
            .unwrap();
    }
    let other = Store::connect(&ctx.url).await.unwrap();
    let mut workers = Vec::new();
    for (n, store) in [s.clone(), other.clone(), s.clone(), other.clone()]
        .into_iter()
        .enumerate()
    {
        workers.push(tokio::spawn(async move {
            let me = format!("proces-{n}");
            let mut mine = Vec::new();
            loop {
                let lease = store.now() + SignedDuration::from_secs(300);
                let got = store.claim_mail(&me, lease, 2).await.unwrap();
                if got.is_empty() {
                    break;
                }
                for m in got {
                    assert_eq!(m.claimed_by.as_deref(), Some(me.as_str()));
                    assert_eq!(m.attempts, 1, "claimed once before");
                    assert!(store.mail_sent(m.id).await.unwrap());
                    mine.push(m.id);
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), MAILS, "every mail claimed exactly once");
    assert_eq!(distinct.len(), MAILS);
    let rows = s.outbox(None, Page::first(200)).await.unwrap();
    assert!(
        rows.iter()
            .all(|m| m.status == MailStatus::Sent && m.sent_at.is_some())
    );
    other.close().await;
}

async fn a_failed_attempt_waits_for_its_backoff_and_a_lease(ctx: Ctx) {
    let clock = ManualClock::new("2026-12-02T08:00:00Z".parse::<Timestamp>().unwrap());
    let s = ctx.store.with_clock(clock.clock());
    let id = s
        .enqueue_mail(&mail("lpa@gemeente.nl", None))
        .await
        .unwrap()
        .unwrap();
    let lease = |s: &Store| s.now() + SignedDuration::from_secs(300);

    // Claimed by a; while a's lease runs, b gets nothing (a may be in the middle of sending).
    let got = s.claim_mail("a", lease(&s), 5).await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(s.claim_mail("b", lease(&s), 5).await.unwrap().is_empty());
    // a fails; the next attempt in a minute.
    let next = s.now() + SignedDuration::from_secs(60);
    assert!(s.mail_retry(id, "a", "451 later", next).await.unwrap());
    // b may not change a row it does not hold.
    assert!(!s.mail_retry(id, "b", "x", next).await.unwrap());
    assert!(s.claim_mail("b", lease(&s), 5).await.unwrap().is_empty());
    clock.advance(SignedDuration::from_secs(59));
    assert!(s.claim_mail("b", lease(&s), 5).await.unwrap().is_empty());
    clock.advance(SignedDuration::from_secs(1));
    let got = s.claim_mail("b", lease(&s), 5).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attempts, 2);
    assert_eq!(got[0].last_error.as_deref(), Some("451 later"));
    // b dies while sending (no retry, no sent): after the lease c takes it over.
    clock.advance(SignedDuration::from_secs(299));
    assert!(s.claim_mail("c", lease(&s), 5).await.unwrap().is_empty());
    clock.advance(SignedDuration::from_secs(1));
    let got = s.claim_mail("c", lease(&s), 5).await.unwrap();
    assert_eq!((got.len(), got[0].attempts), (1, 3));
    // The server refuses: failed, and never claimed again.
    assert!(s.mail_failed(id, "c", "554 geweigerd").await.unwrap());
    clock.advance(SignedDuration::from_hours(48));
    assert!(s.claim_mail("d", lease(&s), 5).await.unwrap().is_empty());
    let row = s.outbox_mail(id).await.unwrap().unwrap();
    assert_eq!(row.status, MailStatus::Failed);
    assert_eq!(row.last_error.as_deref(), Some("554 geweigerd"));
    assert!(
        !s.mail_sent(id).await.unwrap(),
        "a failed mail is not sent later"
    );
    // Old finished rows are cleared; pending ones never.
    let pending = s
        .enqueue_mail(&mail("x@gemeente.nl", None))
        .await
        .unwrap()
        .unwrap();
    clock.advance(SignedDuration::from_hours(24 * 40));
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        tx.purge_mail(s.now() - SignedDuration::from_hours(24 * 30))
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
    assert!(s.outbox_mail(id).await.unwrap().is_none());
    assert!(s.outbox_mail(pending).await.unwrap().is_some());
}

async fn held_mail_and_choices(ctx: Ctx) {
    let s = &ctx.store;
    crate::fixtures::org(s, "GM0153", verzuim_store::OrgKind::Gemeente).await;
    let user = s
        .create_user(&NewUser {
            email: "lpa@gemeente.nl".into(),
            display_name: "Lpa".into(),
            password_hash: "$argon2id$x".into(),
        })
        .await
        .unwrap();
    for role in [Role::Leerplichtambtenaar, Role::Beheerder] {
        s.add_membership(&Membership {
            user_id: user,
            organisation_id: "GM0153".into(),
            role,
            groups: Vec::new(),
        })
        .await
        .unwrap();
    }
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        tx.members_with_roles("GM0153", &[Role::Leerplichtambtenaar, Role::Beheerder])
            .await
            .unwrap(),
        vec![(user, "lpa@gemeente.nl".to_owned())],
        "a user with two roles once"
    );
    assert!(
        tx.members_with_roles("GM0153", &[Role::Jgz])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tx.mail_mode(user, MailKind::Melding).await.unwrap(),
        MailMode::Direct
    );
    tx.set_mail_preference(user, MailKind::Melding, MailMode::Uit)
        .await
        .unwrap();
    tx.set_mail_preference(user, MailKind::Melding, MailMode::Dagelijks)
        .await
        .unwrap();
    assert_eq!(
        tx.mail_mode(user, MailKind::Melding).await.unwrap(),
        MailMode::Dagelijks
    );
    let mut held = mail("lpa@gemeente.nl", None);
    held.held = true;
    let h = tx.enqueue_mail(&held).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        s.mail_preferences(user).await.unwrap(),
        vec![(MailKind::Melding, MailMode::Dagelijks)]
    );
    // A held mail is not sent on its own.
    let lease = s.now() + SignedDuration::from_secs(300);
    assert!(s.claim_mail("a", lease, 5).await.unwrap().is_empty());
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.held_mail().await.unwrap().len(), 1);
    assert_eq!(tx.mail_summarised(&[h]).await.unwrap(), 1);
    assert!(tx.held_mail().await.unwrap().is_empty());
    tx.commit().await.unwrap();
}
