//! E-mail (issue 12, docs/email.md): the actions write their mails to the outbox in their own
//! transaction, to the right people by their choices, and a mail never names the child, the BSN
//! or the reason; the daily job sends a task's deadline mail two working days ahead and when it
//! is overdue, once, and runs once per day over several processes.

use verzuim_engine::model::Code;
use verzuim_service::dossier;
use verzuim_service::mail::{self, Preference};
use verzuim_service::meldingen::{self, MeldingAction};
use verzuim_service::tasks::{self, Completion, MeldingContent, ParentsInformed};
use verzuim_store::outbox::{MailKind, MailMode, MailStatus, OutboxMail};
use verzuim_store::{
    Actor, AuditEntry, InformedHow, Membership, NewUser, Page, Role, Store, UserId,
};

use crate::Ctx;
use crate::fixtures::*;

crate::stories!(
    actions_write_their_mails_and_name_no_child,
    deadline_mail_comes_twice_and_once_each
);

async fn user(s: &Store, email: &str, org: &str, role: Role) -> UserId {
    let id = s
        .create_user(&NewUser {
            email: email.into(),
            display_name: email.into(),
            password_hash: "$argon2id$x".into(),
        })
        .await
        .unwrap();
    s.add_membership(&Membership {
        user_id: id,
        organisation_id: org.into(),
        role,
        groups: Vec::new(),
    })
    .await
    .unwrap();
    id
}

/// The audit row of a user's change of their mail choices (committed with it).
fn choice_audited(user: UserId) -> AuditEntry {
    AuditEntry {
        actor: Actor::User(user),
        organisation_id: None,
        action: "mail_preferences".into(),
        object: format!("user:{user}"),
        pupil: None,
        address: None,
        outcome: "ok".into(),
    }
}

async fn outbox(s: &Store) -> Vec<OutboxMail> {
    let mut all = s.outbox(None, Page::first(200)).await.unwrap();
    all.reverse();
    all
}

fn to<'a>(mails: &'a [OutboxMail], address: &str) -> Vec<&'a OutboxMail> {
    mails.iter().filter(|m| m.recipient == address).collect()
}

/// What a mail may never hold: the pupil's name, BSN, the reason, the parents' name.
fn names_nothing(m: &OutboxMail) {
    let text = format!(
        "{} {}",
        m.subject,
        mail::render(m, "https://verzuim.example.nl")
    );
    for secret in [
        "Leerling 1001",
        "400276872",
        "Spijbelen",
        "Ouder Geheim",
        "1001",
    ] {
        assert!(!text.contains(secret), "{secret} in mail: {text}");
    }
}

async fn actions_write_their_mails_and_name_no_child(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let coordinator = user(s, "coordinator@esch.nl", SCHOOL, Role::Verzuimcoordinator).await;
    user(s, "lpa@enschede.nl", ENSCHEDE, Role::Leerplichtambtenaar).await;
    let quiet = user(s, "stil@enschede.nl", ENSCHEDE, Role::Leerplichtambtenaar).await;
    let daily = user(
        s,
        "dagelijks@enschede.nl",
        ENSCHEDE,
        Role::Leerplichtambtenaar,
    )
    .await;
    user(s, "lpa@oldenzaal.nl", OLDENZAAL, Role::Leerplichtambtenaar).await;
    mail::set_preferences(
        s,
        quiet,
        &[Preference {
            kind: MailKind::Melding,
            mode: MailMode::Uit,
        }],
        mail::STAFF_KINDS,
        &choice_audited(quiet),
    )
    .await
    .unwrap();
    mail::set_preferences(
        s,
        daily,
        &[Preference {
            kind: MailKind::Melding,
            mode: MailMode::Dagelijks,
        }],
        mail::STAFF_KINDS,
        &choice_audited(daily),
    )
    .await
    .unwrap();
    // Deadline mail cannot be turned off.
    let refused = mail::set_preferences(
        s,
        quiet,
        &[Preference {
            kind: MailKind::Termijn,
            mode: MailMode::Uit,
        }],
        mail::STAFF_KINDS,
        &choice_audited(quiet),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");

    let mut data = pupil("1001", ENSCHEDE);
    data.parent_name = Some("Ouder Geheim".into());
    data.parent_email = Some("ouder@example.nl; Tweede@Example.nl".into());
    enrol(s, SCHOOL, &data).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, "1001", &days(Code::Ongeoorloofd, day, day)).await;
    }
    assert!(outbox(s).await.is_empty(), "registrations send no mail");

    // The melding: to Enschede's leerplicht, by their choices; not to Oldenzaal.
    let task = open_tasks(s, &school_caller(), "1001")
        .await
        .into_iter()
        .find(|t| t.melding)
        .expect("melding task");
    let melding_id = tasks::complete_task(
        s,
        &school_caller(),
        today(),
        task.id,
        &Completion {
            melding: Some(MeldingContent {
                suspected_reason: "Spijbelen met vrienden".into(),
                school_actions: "Twee gesprekken".into(),
            }),
            ..Completion::default()
        },
    )
    .await
    .unwrap()
    .melding
    .unwrap();
    let mails = outbox(s).await;
    let lpa = to(&mails, "lpa@enschede.nl");
    assert_eq!(lpa.len(), 1);
    assert_eq!(lpa[0].kind, MailKind::Melding);
    assert_eq!(lpa[0].status, MailStatus::Pending);
    let link = format!("/meldingen/{melding_id}");
    assert_eq!(lpa[0].link.as_deref(), Some(link.as_str()));
    assert!(
        to(&mails, "stil@enschede.nl").is_empty(),
        "chose no melding mail"
    );
    assert_eq!(
        to(&mails, "dagelijks@enschede.nl")[0].status,
        MailStatus::Held
    );
    assert!(to(&mails, "lpa@oldenzaal.nl").is_empty());
    assert!(to(&mails, "coordinator@esch.nl").is_empty());

    // Leerplicht's afspraken: the school's coordinator hears of it.
    let lp = leerplicht(ENSCHEDE);
    meldingen::melding_action(s, &lp, melding_id, &MeldingAction::InBehandeling)
        .await
        .unwrap();
    meldingen::record_afspraken(s, &lp, melding_id, "Spijbelen: ouders bellen elke ochtend")
        .await
        .unwrap();
    let mails = outbox(s).await;
    let fb = to(&mails, "coordinator@esch.nl");
    assert_eq!(fb.len(), 1);
    assert_eq!(fb[0].kind, MailKind::Terugkoppeling);
    assert_eq!(fb[0].user_id, Some(coordinator));
    assert_eq!(fb[0].link.as_deref(), Some("/taken"));

    // The school records that it informed the parents: both parents' addresses, to /ouders.
    let before = outbox(s).await.len();
    let future = dossier::record_parents_informed(
        s,
        &school_caller(),
        today(),
        task.case_id,
        ParentsInformed {
            date: today().tomorrow().unwrap(),
            how: InformedHow::Telefoon,
        },
        None,
    )
    .await;
    assert!(future.is_err());
    assert_eq!(
        outbox(s).await.len(),
        before,
        "a refused action writes no mail"
    );
    dossier::record_parents_informed(
        s,
        &school_caller(),
        today(),
        task.case_id,
        ParentsInformed {
            date: today(),
            how: InformedHow::Telefoon,
        },
        Some("Spijbelen besproken"),
    )
    .await
    .unwrap();
    let mails = outbox(s).await;
    for parent in ["ouder@example.nl", "tweede@example.nl"] {
        let m = to(&mails, parent);
        assert_eq!(m.len(), 1, "{parent}");
        assert_eq!(
            (m[0].kind, m[0].link.as_deref()),
            (MailKind::Ouders, Some("/ouders"))
        );
        assert_eq!(m[0].user_id, None);
    }
    for m in &mails {
        names_nothing(m);
    }

    // The daily job puts the held mail into one summary.
    let report = mail::daily_mail(s, today(), "a:1").await.unwrap().unwrap();
    assert_eq!(report.summaries, 1);
    let mails = outbox(s).await;
    let d: Vec<&OutboxMail> = to(&mails, "dagelijks@enschede.nl")
        .into_iter()
        .filter(|m| m.kind != MailKind::Termijn)
        .collect();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].status, MailStatus::Summarised);
    assert_eq!(
        (d[1].kind, d[1].status),
        (MailKind::Samenvatting, MailStatus::Pending)
    );
    assert!(
        d[1].body.contains("Nieuwe melding van schoolverzuim: 1"),
        "{}",
        d[1].body
    );
}

/// How many deadline mails runs on `days` must have written for tasks due on `dues` (one user
/// each): per task one "two working days ahead" when a run falls between that day and the
/// deadline, and one "overdue" when a run falls in the 14 days after it.
fn expected(dues: &[jiff::civil::Date], days: &[jiff::civil::Date]) -> usize {
    dues.iter()
        .map(|&due| {
            let soon = days
                .iter()
                .any(|&r| mail::working_days_before(due, 2) <= r && r <= due);
            let late = days
                .iter()
                .any(|&r| r > due && r <= due.checked_add(jiff::Span::new().days(14)).unwrap());
            usize::from(soon) + usize::from(late)
        })
        .sum()
}

async fn deadline_mail_comes_twice_and_once_each(ctx: Ctx) {
    let s = &ctx.store;
    region(s).await;
    let coordinator = user(s, "coordinator@esch.nl", SCHOOL, Role::Verzuimcoordinator).await;
    user(s, "juf@esch.nl", SCHOOL, Role::Leerkracht).await;
    enrol(s, SCHOOL, &pupil("1001", ENSCHEDE)).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, "1001", &days(Code::Ongeoorloofd, day, day)).await;
    }
    let open = open_tasks(s, &school_caller(), "1001").await;
    let dues: Vec<jiff::civil::Date> = open.iter().filter_map(|t| t.due).collect();
    let due = *dues
        .iter()
        .min()
        .expect("a school task with a deadline (the card's working days)");
    let termijn = |mails: Vec<OutboxMail>| -> Vec<OutboxMail> {
        mails
            .into_iter()
            .filter(|m| m.kind == MailKind::Termijn)
            .collect()
    };
    let mut runs = Vec::new();
    // Three working days ahead: nothing for this task yet.
    let early = mail::working_days_before(due, 3);
    mail::daily_mail(s, early, "a:1").await.unwrap().unwrap();
    runs.push(early);
    assert_eq!(termijn(outbox(s).await).len(), expected(&dues, &runs));
    // Two working days ahead: to the coordinator, not the teacher.
    let ahead = mail::working_days_before(due, 2);
    mail::daily_mail(s, ahead, "a:1").await.unwrap().unwrap();
    runs.push(ahead);
    // Another process the same day: the day is taken.
    assert!(mail::daily_mail(s, ahead, "b:2").await.unwrap().is_none());
    let t = termijn(outbox(s).await);
    assert!(!t.is_empty());
    assert_eq!(t.len(), expected(&dues, &runs));
    for m in &t {
        assert_eq!(m.recipient, "coordinator@esch.nl");
        assert_eq!(m.user_id, Some(coordinator));
        assert_eq!(m.link.as_deref(), Some("/taken"));
        assert!(m.subject.contains("twee werkdagen"), "{}", m.subject);
    }
    // The deadline day itself, then overdue on two days, then weeks later: each mail once.
    let after = due.tomorrow().unwrap();
    let later = due.checked_add(jiff::Span::new().days(30)).unwrap();
    for (day, who) in [
        (due, "a:1"),
        (after, "a:1"),
        (after.tomorrow().unwrap(), "b:2"),
        (later, "a:1"),
    ] {
        mail::daily_mail(s, day, who).await.unwrap().unwrap();
        runs.push(day);
        assert_eq!(
            termijn(outbox(s).await).len(),
            expected(&dues, &runs),
            "{day}"
        );
    }
    let t = termijn(outbox(s).await);
    assert!(t.iter().any(|m| m.subject.contains("over de termijn")));
}
