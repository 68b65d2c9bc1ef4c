//! Migrations, organisations, school settings, users, memberships, sessions, throttling, tokens.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use verzuim_engine::model::{ClosedKind, ClosedPeriod, GroupTimes, School, TimeRange, WeekTimes};
use verzuim_store::{
    Actor, Letterhead, Membership, NewApiToken, NewUser, OrgKind, Organisation, Page, Role,
    SchoolSettings, Session, StoreError, ThrottleKey, hash_token,
};

use crate::Ctx;
use crate::fixtures::{d, org};

crate::stories!(
    migrations_run_twice,
    organisations_round_trip,
    school_settings_round_trip,
    users_and_memberships_round_trip,
    email_is_unique,
    sessions_expire_and_end_at_password_change,
    login_throttling_counts_before_the_check_and_resets,
    api_tokens_are_hashed_scoped_and_revocable,
);

async fn migrations_run_twice(ctx: Ctx) {
    ctx.store.migrate().await.expect("second run");
    ctx.store.migrate().await.expect("third run");
    assert_eq!(ctx.store.count_users().await.unwrap(), 0);
}

async fn organisations_round_trip(ctx: Ctx) {
    let s = &ctx.store;
    let school = Organisation {
        id: "99XX00".into(),
        kind: OrgKind::School,
        name: "OBS De Esch".into(),
        letterhead: Letterhead {
            street: Some("Eschweg 1".into()),
            postcode: Some("7500 AA".into()),
            city: Some("Enschede".into()),
            phone: Some("053-0000000".into()),
            email: Some("info@esch.example".into()),
        },
    };
    s.put_organisation(&school).await.unwrap();
    org(s, "GM0153", OrgKind::Gemeente).await;
    org(s, "GGDTW", OrgKind::GgdJgz).await;
    assert_eq!(
        s.organisation("99XX00").await.unwrap(),
        Some(school.clone())
    );
    assert_eq!(s.organisation("nope").await.unwrap(), None);

    let renamed = Organisation {
        name: "OBS De Esch (nieuw)".into(),
        ..school
    };
    s.put_organisation(&renamed).await.unwrap();
    assert_eq!(s.organisation("99XX00").await.unwrap(), Some(renamed));

    let all = s.list_organisations(None, Page::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    let gemeenten = s
        .list_organisations(Some(OrgKind::Gemeente), Page::default())
        .await
        .unwrap();
    assert_eq!(gemeenten.len(), 1);
    assert_eq!(gemeenten[0].id, "GM0153");
}

async fn school_settings_round_trip(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    let day = vec![TimeRange::new(510, 720), TimeRange::new(765, 900)];
    let mut groups = BTreeMap::new();
    let mut g12 = GroupTimes::default();
    g12.0[4] = Some(vec![]);
    groups.insert("1-2".to_owned(), g12);
    let settings = SchoolSettings {
        card_id: "twente-po".into(),
        school: School {
            earlier_times: Vec::new(),
            id: "99XX00".into(),
            name: "Organisatie 99XX00".into(),
            holiday_region: Some("noord".into()),
            lesson_times: WeekTimes([
                day.clone(),
                day.clone(),
                vec![TimeRange::new(510, 735)],
                day.clone(),
                day,
                vec![],
                vec![],
            ]),
            groups,
            closed: vec![ClosedPeriod {
                name: "Kerstvakantie".into(),
                kind: ClosedKind::Vakantie,
                from: d("2026-12-19"),
                until: d("2027-01-03"),
            }],
        },
    };
    assert_eq!(s.school_settings("99XX00").await.unwrap(), None);
    s.put_school_settings("99XX00", &settings).await.unwrap();
    assert_eq!(
        s.school_settings("99XX00").await.unwrap(),
        Some(settings.clone())
    );
    // Only schools have settings.
    assert!(matches!(
        s.put_school_settings("GM0153", &settings).await,
        Err(StoreError::NotFound)
    ));
    // A second put replaces.
    let mut other = settings.clone();
    other.card_id = "other-card".into();
    s.put_school_settings("99XX00", &other).await.unwrap();
    assert_eq!(
        s.school_settings("99XX00").await.unwrap().unwrap().card_id,
        "other-card"
    );
    // Issue 10.2: the lesson times' history is stored with them.
    let mut changed = other.clone();
    let mut week = changed.school.lesson_times.clone();
    week.0[4] = vec![TimeRange::new(510, 720)];
    changed
        .school
        .set_times_from(d("2027-01-04"), week, BTreeMap::new());
    assert_eq!(changed.school.earlier_times.len(), 1);
    s.put_school_settings("99XX00", &changed).await.unwrap();
    let stored = s.school_settings("99XX00").await.unwrap().unwrap();
    assert_eq!(stored, changed);
    assert_eq!(stored.school.earlier_times[0].until, d("2027-01-04"));
    assert_eq!(
        stored.school.week_times_on("1-2", d("2026-12-18")).0[4],
        Vec::<TimeRange>::new()
    );
    assert_eq!(
        stored.school.week_times_on("1-2", d("2027-01-08")).0[4].len(),
        1
    );
}

async fn users_and_memberships_round_trip(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "GM0153", OrgKind::Gemeente).await;
    let id = s
        .create_user(&NewUser {
            email: " Juf.Anna@School.example ".into(),
            display_name: "Juf Anna".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$abc$def".into(),
        })
        .await
        .unwrap();
    let user = s.user(id).await.unwrap().unwrap();
    assert_eq!(user.email, "juf.anna@school.example");
    assert_eq!(user.display_name, "Juf Anna");
    assert_eq!(user.password_hash, "$argon2id$v=19$m=19456,t=2,p=1$abc$def");
    assert_eq!(
        s.user_by_email("JUF.ANNA@school.example").await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(s.count_users().await.unwrap(), 1);

    let teacher = Membership {
        user_id: id,
        organisation_id: "99XX00".into(),
        role: Role::Leerkracht,
        groups: vec!["5".into(), "6".into()],
    };
    let admin = Membership {
        user_id: id,
        organisation_id: "99XX00".into(),
        role: Role::Beheerder,
        groups: vec![],
    };
    s.add_membership(&teacher).await.unwrap();
    s.add_membership(&admin).await.unwrap();
    assert_eq!(
        s.memberships_of_user(id).await.unwrap(),
        vec![admin.clone(), teacher.clone()]
    );
    // Again: the groups change, no duplicate.
    let teacher7 = Membership {
        groups: vec!["7".into()],
        ..teacher.clone()
    };
    s.add_membership(&teacher7).await.unwrap();
    let members = s
        .members_of_organisation("99XX00", Page::default())
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    assert!(members.iter().any(|(u, m)| u.id == id && *m == teacher7));
    assert!(
        s.members_of_organisation("GM0153", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.remove_membership(id, "99XX00", Role::Beheerder)
            .await
            .unwrap()
    );
    assert!(
        !s.remove_membership(id, "99XX00", Role::Beheerder)
            .await
            .unwrap()
    );
    assert_eq!(s.memberships_of_user(id).await.unwrap(), vec![teacher7]);
    // A membership of an unknown organisation is refused.
    assert!(matches!(
        s.add_membership(&Membership {
            organisation_id: "XX".into(),
            ..admin
        })
        .await,
        Err(StoreError::Invalid(_))
    ));
}

async fn email_is_unique(ctx: Ctx) {
    let s = &ctx.store;
    let new = |email: &str| NewUser {
        email: email.into(),
        display_name: "X".into(),
        password_hash: "h".into(),
    };
    s.create_user(&new("a@example.nl")).await.unwrap();
    assert!(matches!(
        s.create_user(&new("A@Example.nl")).await,
        Err(StoreError::Conflict(_))
    ));
    s.create_user(&new("b@example.nl")).await.unwrap();
    assert_eq!(s.count_users().await.unwrap(), 2);
}

async fn sessions_expire_and_end_at_password_change(ctx: Ctx) {
    let s = &ctx.store;
    let user = s
        .create_user(&NewUser {
            email: "u@example.nl".into(),
            display_name: "U".into(),
            password_hash: "h1".into(),
        })
        .await
        .unwrap();
    let t0: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
    let idle = SignedDuration::from_mins(30);
    let session = |token: &str| Session {
        id: hash_token(token),
        user_id: user,
        created_at: t0,
        last_seen_at: t0,
        expires_at: t0 + idle,
    };
    s.create_session(&session("token-a")).await.unwrap();
    s.create_session(&session("token-b")).await.unwrap();
    let id = hash_token("token-a");
    assert_eq!(id.len(), 64);
    assert_eq!(s.session(&id, t0).await.unwrap(), Some(session("token-a")));
    // Activity extends it; past its expiry it is gone.
    let t1 = t0 + SignedDuration::from_mins(20);
    assert!(s.touch_session(&id, t1, t1 + idle).await.unwrap());
    assert!(
        s.session(&id, t0 + SignedDuration::from_mins(45))
            .await
            .unwrap()
            .is_some()
    );
    assert!(s.session(&id, t1 + idle).await.unwrap().is_none());
    assert!(
        !s.touch_session(&id, t1 + idle, t1 + idle + idle)
            .await
            .unwrap()
    );
    assert_eq!(s.delete_expired_sessions(t1 + idle).await.unwrap(), 2);

    s.create_session(&session("token-c")).await.unwrap();
    s.create_session(&session("token-d")).await.unwrap();
    assert!(s.delete_session(&hash_token("token-c")).await.unwrap());
    assert!(
        s.session(&hash_token("token-c"), t0)
            .await
            .unwrap()
            .is_none()
    );
    // A password change ends every session of the user.
    s.set_password_hash(user, "h2").await.unwrap();
    assert!(
        s.session(&hash_token("token-d"), t0)
            .await
            .unwrap()
            .is_none()
    );
    let u = s.user(user).await.unwrap().unwrap();
    assert_eq!(u.password_hash, "h2");
    assert!(u.password_changed_at >= u.created_at);
    assert_eq!(s.delete_sessions_of_user(user).await.unwrap(), 0);
}

/// A policy for the test: two free attempts, then 10 seconds after the last one.
fn ten_seconds_after_two(attempts: u32) -> SignedDuration {
    if attempts < 2 {
        SignedDuration::ZERO
    } else {
        SignedDuration::from_secs(10)
    }
}

async fn login_throttling_counts_before_the_check_and_resets(ctx: Ctx) {
    let s = &ctx.store;
    let t0: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
    let account = ThrottleKey::Account("Juf@School.example");
    let address = ThrottleKey::Address("192.0.2.7");
    let both = [account, address];
    assert_eq!(s.login_throttle(account).await.unwrap(), None);
    // Two attempts are counted under both keys before anything is checked.
    for _ in 0..2 {
        let wait = s.count_login_attempt(&both, t0, ten_seconds_after_two);
        assert_eq!(wait.await.unwrap(), None);
    }
    // The third must wait: refused with the moment it may come, and not counted.
    let until = t0 + SignedDuration::from_secs(10);
    let refused = s.count_login_attempt(&both, t0, ten_seconds_after_two);
    assert_eq!(refused.await.unwrap(), Some(until));
    // The account key is case-insensitive, like e-mail addresses.
    let th = s
        .login_throttle(ThrottleKey::Account("juf@school.example"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((th.failures, th.last_failure), (2, t0));
    // The address alone holds back another account.
    let other = [ThrottleKey::Account("ander@school.example"), address];
    let refused = s.count_login_attempt(&other, t0, ten_seconds_after_two);
    assert_eq!(refused.await.unwrap(), Some(until));
    assert_eq!(
        s.login_throttle(ThrottleKey::Account("ander@school.example"))
            .await
            .unwrap(),
        None
    );
    // After the wait the attempt is counted.
    let counted = s.count_login_attempt(&both, until, ten_seconds_after_two);
    assert_eq!(counted.await.unwrap(), None);
    assert_eq!(
        s.login_throttle(account).await.unwrap().unwrap().failures,
        3
    );
    // A success resets the account; the address keeps its count.
    s.reset_login_failures(account).await.unwrap();
    assert_eq!(s.login_throttle(account).await.unwrap(), None);
    assert_eq!(
        s.login_throttle(address).await.unwrap().unwrap().failures,
        3
    );
}

async fn api_tokens_are_hashed_scoped_and_revocable(ctx: Ctx) {
    let s = &ctx.store;
    org(s, "99XX00", OrgKind::School).await;
    org(s, "88YY00", OrgKind::School).await;
    let raw = "vz_0123456789abcdef0123456789abcdef";
    let id = s
        .create_api_token(
            &NewApiToken {
                organisation_id: "99XX00".into(),
                name: "ParnasSys".into(),
                token_hash: hash_token(raw),
                permissions: vec!["registrations:write".into()],
            },
            Actor::User(1),
        )
        .await
        .unwrap();
    let t = s
        .api_token_by_hash(&hash_token(raw))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.id, id);
    assert_eq!(t.organisation_id, "99XX00");
    assert_eq!(t.permissions, vec!["registrations:write".to_owned()]);
    assert_eq!(t.created_by, "user:1");
    assert_eq!(t.last_used_at, None);
    assert!(s.api_token_by_hash(raw).await.unwrap().is_none());
    // With the kind of its organisation, in one statement.
    let (same, kind) = s
        .api_token_with_kind_by_hash(&hash_token(raw))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((same, kind), (t.clone(), OrgKind::School));
    assert!(s.api_token_with_kind_by_hash(raw).await.unwrap().is_none());

    let used: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
    s.touch_api_token(id, used).await.unwrap();
    assert_eq!(
        s.api_token_by_hash(&hash_token(raw))
            .await
            .unwrap()
            .unwrap()
            .last_used_at,
        Some(used)
    );
    assert_eq!(
        s.list_api_tokens("99XX00", Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.list_api_tokens("88YY00", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    // Another organisation cannot revoke it.
    assert!(!s.revoke_api_token("88YY00", id).await.unwrap());
    assert!(s.revoke_api_token("99XX00", id).await.unwrap());
    assert!(
        s.api_token_by_hash(&hash_token(raw))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.api_token_with_kind_by_hash(&hash_token(raw))
            .await
            .unwrap()
            .is_none()
    );
    let listed = s.list_api_tokens("99XX00", Page::default()).await.unwrap();
    assert!(listed[0].revoked_at.is_some());
}
