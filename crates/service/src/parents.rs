//! The parents' portal (docs/parents.md): a school invites a pupil's parent, the parent reports
//! the child sick and better, asks for leave, and sees what the school and leerplicht do.
//!
//! A parent is a user without a membership, linked to their children (any school of the
//! region). Every read names the parent's user id, and the store's SQL joins `parent_links`: a
//! child that is not theirs does not exist for them ([`ServiceError::NotFound`]). What of a
//! child's file reaches them is decided by [`crate::visibility::rules`] with
//! [`Sight::parent`].
//!
//! Card Twente PO: "Ouders dienen van alle acties op de hoogte te zijn".

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::{date_of, day_number, school_year_end, school_year_start};
use verzuim_engine::model::{Code, Registration, Span};
use verzuim_store::CasesOf;
use verzuim_store::letters::StoredLetter;
use verzuim_store::parents::{
    LeaveDecider, LeaveDecision, LeaveDocument, LeaveKind, LeaveRequest, LeaveStatus,
    NewLeaveRequest, ParentInvitation, SickReport, SickReportEnd,
};
use verzuim_store::{
    Actor, AuditEntry, Melding, MeldingStatus, ParentInformation, Referral, ReferralStatus, Role,
    Scope, Store, StoredPupil, StoredRegistration, Task, TaskStatus, Tx, UserId,
};

use crate::caller::Caller;
use crate::error::{Result, ServiceError};
use crate::records::{add_registration_in, change_registration_in};
use crate::sync::settings;
use crate::text::{date_nl, optional};
use crate::visibility::rules::{self, Sight};

/// How long an invitation link is valid (issue 12: 7 days).
pub const INVITATION_VALID: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Roles of a school that invite parents: the coordinator and the beheerder.
pub const INVITE_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Beheerder];

/// The school invites the parent of one of its pupils at the parent e-mail address of the
/// pupil's data: a one-time link (the caller made the token; the store keeps its SHA-256),
/// valid for [`INVITATION_VALID`]. The invitation mail ([`invitation_mail`], the link as
/// `link_path`) goes into the outbox in the same transaction (docs/email.md), and so does the
/// request's audit row (made from the invitation's id).
pub async fn invite(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
    token_hash: &str,
    link_path: &str,
    audit: crate::dossier::AuditRowOf<'_>,
) -> Result<ParentInvitation> {
    caller.require_school(school_id, INVITE_ROLES, "ouders uitnodigen")?;
    let mut tx = store.begin().await?;
    let pupil = tx
        .pupil(Scope::School(school_id), school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some(email) = pupil
        .data
        .parent_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Err(ServiceError::invalid(
            "de leerling heeft geen e-mailadres van een ouder; vul het in bij de gegevens van de leerling",
        ));
    };
    if !email.contains('@') {
        return Err(ServiceError::invalid(
            "het e-mailadres van de ouder is ongeldig; verbeter het bij de gegevens van de leerling",
        ));
    }
    let expires = store.now() + INVITATION_VALID;
    let id = tx
        .create_parent_invitation(
            school_id,
            pupil_id,
            email,
            token_hash,
            expires,
            caller.actor(),
        )
        .await?;
    let invitation = tx
        .pupil_invitations(school_id, pupil_id)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(ServiceError::NotFound)?;
    let school_name = tx
        .organisation(school_id)
        .await?
        .map_or_else(|| school_id.to_owned(), |o| o.name);
    let (subject, body) = invitation_mail(&school_name, expires);
    crate::mail::to_address(
        &mut tx,
        verzuim_store::outbox::MailKind::Uitnodiging,
        email,
        &subject,
        &body,
        Some(link_path),
        Some(&format!("uitnodiging:{id}")),
    )
    .await?;
    tx.audit(&audit(id)).await?;
    tx.commit().await?;
    Ok(invitation)
}

/// A pupil's invitations and the parent accounts linked to it, for the school.
pub async fn invitations(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<(Vec<ParentInvitation>, Vec<(UserId, String, String)>)> {
    caller.require_school(school_id, INVITE_ROLES, "uitnodigingen van ouders zien")?;
    let mut tx = store.connection().await?;
    tx.pupil(Scope::School(school_id), school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((
        tx.pupil_invitations(school_id, pupil_id).await?,
        tx.pupil_parents(school_id, pupil_id).await?,
    ))
}

/// The invitation mail's subject and body (Dutch). E-mail is not a safe channel: it names no
/// child, no BSN and no reason; it says what waits and links to it. The one-time link follows
/// the body (the outbox row's link); `school` is the inviting school's name.
pub fn invitation_mail(school: &str, expires_at: Timestamp) -> (String, String) {
    let until = date_nl(crate::text::local_date(expires_at));
    let subject = format!("Uitnodiging voor het ouderportaal van {school}");
    let body = format!(
        "Beste ouder of verzorger,\n\n\
         {school} nodigt u uit voor het ouderportaal. Daar meldt u uw kind ziek en weer beter,\n\
         vraagt u verlof aan en ziet u wat de school en leerplicht doen.\n\n\
         Kies uw wachtwoord via de link onder aan deze e-mail (eenmalig te gebruiken, geldig tot\n\
         en met {until}).\n\n\
         Hebt u deze uitnodiging niet verwacht? Neem dan contact op met de school.\n\n\
         Met vriendelijke groet,\n{school}\n"
    );
    (subject, body)
}

/// What an invitation link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    /// Valid: the parent sets a password, or (`account`) an account with the address exists and
    /// the child is added to it.
    Open {
        invitation: ParentInvitation,
        school_name: String,
        account: bool,
    },
    Used,
    Expired,
}

/// The state of the invitation with this token hash; `NotFound` for an unknown one.
pub async fn invitation(store: &Store, token_hash: &str) -> Result<InvitationState> {
    let mut tx = store.connection().await?;
    let inv = tx
        .parent_invitation(token_hash)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if inv.used_at.is_some() {
        return Ok(InvitationState::Used);
    }
    if inv.expires_at <= store.now() {
        return Ok(InvitationState::Expired);
    }
    let school_name = tx
        .organisation(&inv.school_id)
        .await?
        .map_or_else(|| inv.school_id.clone(), |o| o.name);
    let account = tx.user_by_email(&inv.email).await?.is_some();
    Ok(InvitationState::Open {
        invitation: inv,
        school_name,
        account,
    })
}

/// The parent accepts an invitation: a new account with `password_hash` (argon2id, made by the
/// caller after the password policy) when none has the address, else the existing account; the
/// child is linked and the invitation used up, in one transaction. `audit` makes the audit row
/// of the acceptance for the (possibly new) user; it is written in that transaction, once per
/// organisation the parent now belongs to (the schools of the children, and the organisations
/// of any roles). Returns the user id and whether the account is new.
pub async fn accept_invitation(
    store: &Store,
    token_hash: &str,
    display_name: &str,
    password_hash: Option<&str>,
    audit: &(dyn Fn(UserId) -> AuditEntry + Sync),
) -> Result<(UserId, bool)> {
    let mut tx = store.begin().await?;
    let inv = tx
        .parent_invitation(token_hash)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if inv.used_at.is_some() {
        return Err(ServiceError::Conflict(
            "deze uitnodiging is al gebruikt; log in met uw e-mailadres en wachtwoord".into(),
        ));
    }
    if inv.expires_at <= store.now() {
        return Err(ServiceError::invalid(
            "deze uitnodiging is verlopen; vraag de school om een nieuwe",
        ));
    }
    let (user, new) = match tx.user_by_email(&inv.email).await? {
        Some(u) => (u.id, false),
        None => {
            let Some(hash) = password_hash else {
                return Err(ServiceError::invalid("kies een wachtwoord"));
            };
            let name = display_name.trim();
            let id = tx
                .create_user(&verzuim_store::NewUser {
                    email: inv.email.clone(),
                    display_name: if name.is_empty() {
                        "Ouder".into()
                    } else {
                        name.into()
                    },
                    password_hash: hash.to_owned(),
                })
                .await?;
            (id, true)
        }
    };
    if !tx.use_parent_invitation(inv.id, user).await? {
        return Err(ServiceError::Conflict(
            "deze uitnodiging is al gebruikt".into(),
        ));
    }
    tx.link_parent(user, &inv.school_id, &inv.pupil_id, Actor::User(user))
        .await?;
    let mut orgs: Vec<String> = tx
        .memberships_of_user(user)
        .await?
        .into_iter()
        .map(|m| m.organisation_id)
        .chain(
            tx.parent_children(user)
                .await?
                .into_iter()
                .map(|c| c.school_id),
        )
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    let row = audit(user);
    for org in orgs {
        tx.audit(&AuditEntry {
            organisation_id: Some(org),
            ..row.clone()
        })
        .await?;
    }
    tx.commit().await?;
    Ok((user, new))
}

/// A child as the parent sees it in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Child {
    pub school_id: String,
    pub school_name: String,
    pub pupil_id: String,
    /// The pupil's name, or the pupil id when the school keeps no name.
    pub name: String,
    pub group: String,
    /// The open sick report, if any.
    pub sick: Option<SickReport>,
}

fn child_of(p: &StoredPupil, school_name: String, sick: Option<SickReport>) -> Child {
    Child {
        school_id: p.school_id.clone(),
        school_name,
        pupil_id: p.data.pupil.id.clone(),
        name: p
            .data
            .name
            .clone()
            .unwrap_or_else(|| format!("Leerling {}", p.data.pupil.id)),
        group: p.data.pupil.group.clone(),
        sick,
    }
}

/// The parent's children, at any school.
pub async fn children(store: &Store, parent: UserId) -> Result<Vec<Child>> {
    let mut tx = store.connection().await?;
    let mut out = Vec::new();
    for p in tx.parent_children(parent).await? {
        let name = tx
            .organisation(&p.school_id)
            .await?
            .map_or_else(|| p.school_id.clone(), |o| o.name);
        let sick = tx.open_sick_report(&p.school_id, &p.data.pupil.id).await?;
        out.push(child_of(&p, name, sick));
    }
    Ok(out)
}

/// Whether the user is a parent (linked to a child).
pub async fn is_parent(store: &Store, user: UserId) -> Result<bool> {
    Ok(store.connection().await?.is_parent(user).await?)
}

async fn own_child(tx: &mut Tx, parent: UserId, school: &str, pupil: &str) -> Result<StoredPupil> {
    tx.parent_child(parent, school, pupil)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A melding as the parent sees it: its status, never its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeldingStatusView {
    pub id: i64,
    pub reported_on: Date,
    pub municipality: String,
    pub status: MeldingStatus,
}

/// A referral as the parent sees it: its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralStatusView {
    pub id: i64,
    pub referred_on: Date,
    pub status: ReferralStatus,
}

/// "Ouders geïnformeerd", with the action it was about when it belongs to a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InformedView {
    pub info: ParentInformation,
    pub action: Option<String>,
}

/// Everything a parent sees of one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildView {
    pub child: Child,
    /// The current registrations of this school year, newest first.
    pub registrations: Vec<StoredRegistration>,
    pub informed: Vec<InformedView>,
    pub letters: Vec<StoredLetter>,
    pub meldingen: Vec<MeldingStatusView>,
    pub referrals: Vec<ReferralStatusView>,
    /// Open school tasks to talk with the parents: the school will contact them.
    pub school_will_contact: Vec<Task>,
    pub sick_reports: Vec<SickReport>,
    pub leave_requests: Vec<LeaveRequest>,
}

/// One child of the parent with what the parent may see of it (issue 12, "Wat de school en
/// leerplicht doen"). A read: it writes nothing (the daily job keeps reports and leave up to
/// date, [`keep_up_to_date`]).
pub async fn child(
    store: &Store,
    parent: UserId,
    today: Date,
    school_id: &str,
    pupil_id: &str,
) -> Result<ChildView> {
    let mut tx = store.connection().await?;
    let p = own_child(&mut tx, parent, school_id, pupil_id).await?;
    let sight = Sight::parent(school_id);
    let scope = Scope::School(school_id);
    let school_name = tx
        .organisation(school_id)
        .await?
        .map_or_else(|| school_id.to_owned(), |o| o.name);
    let sick = tx.open_sick_report(school_id, pupil_id).await?;
    let year_from = school_year_start(today);
    let mut registrations = Vec::new();
    let mut page = verzuim_store::Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx
            .visible_registrations(scope, school_id, pupil_id, page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        registrations.extend(batch.into_iter().filter(|r| {
            rules::registration(&sight, r) && r.registration.span.last_date() >= year_from
        }));
        if done {
            break;
        }
        page = page.next();
    }
    registrations.sort_by_key(|r| std::cmp::Reverse(r.registration.span.first_date()));
    let mut informed = Vec::new();
    for info in tx
        .visible_parent_information(scope, school_id, pupil_id)
        .await?
    {
        let action = match info.task_id {
            Some(t) => tx.visible_task(scope, t).await?.map(|t| t.text),
            None => None,
        };
        informed.push(InformedView {
            info: rules::parent_information(&sight, info),
            action,
        });
    }
    let letters = tx.parent_letters(parent, school_id, pupil_id).await?;
    let meldingen = tx
        .case_meldingen(
            scope,
            CasesOf::Pupil {
                school_id,
                pupil_id,
            },
        )
        .await?
        .into_iter()
        .filter(|m: &Melding| rules::melding(&sight, m))
        .map(|m| MeldingStatusView {
            id: m.id,
            reported_on: crate::text::local_date(m.created_at),
            municipality: m.municipality,
            status: m.status,
        })
        .collect();
    let referrals = tx
        .pupil_referrals(scope, school_id, pupil_id)
        .await?
        .into_iter()
        .filter(|r: &Referral| rules::referral(&sight, r))
        .map(|r| ReferralStatusView {
            id: r.id,
            referred_on: crate::text::local_date(r.created_at),
            status: r.status,
        })
        .collect();
    let mut school_will_contact = Vec::new();
    let cases = tx
        .visible_cases(
            scope,
            Some((school_id, pupil_id)),
            true,
            verzuim_store::Page::first(verzuim_store::MAX_PAGE_SIZE),
        )
        .await?;
    for c in cases {
        let tasks = tx.case_tasks(scope, CasesOf::One(c.id), None).await?;
        school_will_contact.extend(
            tasks
                .into_iter()
                .filter(|t| t.status == TaskStatus::Open)
                .filter_map(|t| rules::task(&sight, &[], t)),
        );
    }
    Ok(ChildView {
        child: child_of(&p, school_name, sick),
        registrations,
        informed,
        letters,
        meldingen,
        referrals,
        school_will_contact,
        sick_reports: tx.sick_reports(school_id, pupil_id).await?,
        leave_requests: tx.pupil_leave_requests(school_id, pupil_id).await?,
    })
}

/// One letter of a parent's child: `(file name, pdf)`.
pub async fn letter(store: &Store, parent: UserId, letter_id: i64) -> Result<(String, Vec<u8>)> {
    store
        .connection()
        .await?
        .parent_letter_file(parent, letter_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The lesson days of `group` from `from` to `until` (inclusive).
fn lesson_days(
    school: &verzuim_engine::model::School,
    group: &str,
    from: Date,
    until: Date,
) -> Vec<Date> {
    if until < from {
        return Vec::new();
    }
    let cal = SchoolCalendar::new(school, from, until);
    let g = cal.group(group);
    (day_number(from)..=day_number(until))
        .filter(|&d| g.is_lesson_day(d))
        .map(date_of)
        .collect()
}

/// Ziekmelding (issue 12): the parent reports the child sick from today or tomorrow "until
/// further notice". The report writes a `ziek` registration exactly as the school would (no
/// note: the nature of an illness is never stored, docs/spec/rules.md §8) covering the lesson
/// days from its start up to today, and keeps it up to date every day until the parent reports
/// the child better ([`keep_up_to_date`]); the rules engine evaluates it as usual (card row
/// "Ziekmelding"). The request's audit row (made from the report's id) commits in the same
/// transaction as the report (both commit, or neither does).
pub async fn report_sick(
    store: &Store,
    parent: UserId,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    from: Date,
    audit: crate::dossier::AuditRowOf<'_>,
) -> Result<SickReport> {
    let tomorrow = today
        .tomorrow()
        .map_err(|_| ServiceError::invalid("ongeldige datum"))?;
    if from != today && from != tomorrow {
        return Err(ServiceError::invalid(format!(
            "een ziekmelding gaat in vandaag ({}) of morgen ({})",
            date_nl(today),
            date_nl(tomorrow)
        )));
    }
    let mut tx = store.begin().await?;
    let p = own_child(&mut tx, parent, school_id, pupil_id).await?;
    tx.lock_pupil(school_id, pupil_id).await?;
    if tx.open_sick_report(school_id, pupil_id).await?.is_some() {
        return Err(ServiceError::Conflict(
            "uw kind is al ziek gemeld; meld het beter als het weer naar school gaat".into(),
        ));
    }
    if p.data.pupil.enrolled_until.is_some_and(|u| u < from) {
        return Err(ServiceError::invalid(
            "uw kind staat op die dag niet meer ingeschreven bij deze school",
        ));
    }
    let id = tx
        .add_sick_report(school_id, pupil_id, from, Actor::User(parent))
        .await?;
    let report = tx
        .open_sick_report(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    debug_assert_eq!(report.id, id);
    update_sick_report(&mut tx, today, &report).await?;
    let report = tx
        .open_sick_report(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    tx.audit(&audit(report.id)).await?;
    tx.commit().await?;
    Ok(report)
}

/// The days a report's registration should cover today: its lesson days from its start up to
/// `last` (today, or the day before the child is back).
fn sick_span(
    school: &verzuim_engine::model::School,
    group: &str,
    from: Date,
    last: Date,
) -> Option<(Date, Date)> {
    let days = lesson_days(school, group, from, last);
    Some((*days.first()?, *days.last()?))
}

/// Brings one open sick report's registration up to `today`: writes it when its first lesson
/// day has come, extends it, or ends the report when the school corrected or deleted the
/// registration (the school's correction wins).
async fn update_sick_report(tx: &mut Tx, today: Date, report: &SickReport) -> Result<()> {
    let (school_id, pupil_id) = (report.school_id.as_str(), report.pupil_id.as_str());
    let settings = settings(tx, school_id).await?;
    let current = tx
        .current_record(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let group = current.record.pupil.group.clone();
    let mut last = today;
    if let Some(u) = current.record.pupil.enrolled_until {
        last = last.min(u);
    }
    let by = actor_of(&report.created_by);
    let Some((from, until)) = sick_span(&settings.school, &group, report.from, last) else {
        return Ok(());
    };
    let wanted = Registration {
        code: Code::Ziek,
        span: Span::Days { from, until },
        minutes_late: None,
    };
    match report.registration_id {
        None => {
            let v = add_registration_in(tx, by, today, school_id, pupil_id, &wanted).await?;
            tx.set_sick_report_coverage(report.id, v.id, until).await?;
        }
        Some(id) => {
            let now = current
                .registrations
                .iter()
                .position(|v| v.id == id)
                .map(|i| &current.record.registrations[i]);
            let untouched = now.is_some_and(|r| {
                r.code == Code::Ziek
                    && matches!(r.span, Span::Days { until: u, .. } if Some(u) == report.covered_until)
            });
            if !untouched {
                tx.close_sick_report(report.id, SickReportEnd::Gecorrigeerd, None)
                    .await?;
                return Ok(());
            }
            if report.covered_until.is_some_and(|c| c < until) {
                change_registration_in(tx, by, today, school_id, pupil_id, id, Some(&wanted))
                    .await?;
                tx.set_sick_report_coverage(report.id, id, until).await?;
            }
        }
    }
    Ok(())
}

/// `user:12` back to an actor (the parent who made a report).
fn actor_of(text: &str) -> Actor {
    text.strip_prefix("user:")
        .and_then(|n| n.parse().ok())
        .map_or(Actor::System, Actor::User)
}

/// "Beter melden": the child is back at school on `back_on` (today or tomorrow). The report's
/// registration ends on the last lesson day before it (and is deleted when no day remains);
/// the report is closed. The audit row (made from the report's id) commits with the change.
pub async fn report_better(
    store: &Store,
    parent: UserId,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    back_on: Date,
    audit: crate::dossier::AuditRowOf<'_>,
) -> Result<SickReport> {
    let tomorrow = today
        .tomorrow()
        .map_err(|_| ServiceError::invalid("ongeldige datum"))?;
    if back_on != today && back_on != tomorrow {
        return Err(ServiceError::invalid(format!(
            "uw kind is weer op school vandaag ({}) of morgen ({})",
            date_nl(today),
            date_nl(tomorrow)
        )));
    }
    let mut tx = store.begin().await?;
    own_child(&mut tx, parent, school_id, pupil_id).await?;
    tx.lock_pupil(school_id, pupil_id).await?;
    let Some(report) = tx.open_sick_report(school_id, pupil_id).await? else {
        return Err(ServiceError::Conflict("uw kind is niet ziek gemeld".into()));
    };
    update_sick_report(&mut tx, today, &report).await?;
    let Some(report) = tx.open_sick_report(school_id, pupil_id).await? else {
        // The school corrected the registration: the report ended by that.
        return Err(ServiceError::Conflict(
            "de school heeft de ziekmelding al aangepast; neem contact op met de school".into(),
        ));
    };
    if let Some(id) = report.registration_id {
        let settings = settings(&mut tx, school_id).await?;
        let group = tx
            .current_record(school_id, pupil_id)
            .await?
            .ok_or(ServiceError::NotFound)?
            .record
            .pupil
            .group;
        let last = back_on
            .yesterday()
            .map_err(|_| ServiceError::invalid("ongeldige datum"))?;
        let by = Actor::User(parent);
        match sick_span(&settings.school, &group, report.from, last.min(today)) {
            Some((from, until)) if Some(until) != report.covered_until => {
                let r = Registration {
                    code: Code::Ziek,
                    span: Span::Days { from, until },
                    minutes_late: None,
                };
                change_registration_in(&mut tx, by, today, school_id, pupil_id, id, Some(&r))
                    .await?;
            }
            Some(_) => {}
            None => {
                change_registration_in(&mut tx, by, today, school_id, pupil_id, id, None).await?;
            }
        }
    }
    tx.close_sick_report(report.id, SickReportEnd::Beter, Some(back_on))
        .await?;
    let closed = tx
        .sick_reports(school_id, pupil_id)
        .await?
        .into_iter()
        .find(|r| r.id == report.id)
        .ok_or(ServiceError::NotFound)?;
    tx.audit(&audit(closed.id)).await?;
    tx.commit().await?;
    Ok(closed)
}

/// Keeps every open sick report and every granted leave up to `today` (or only one pupil's):
/// registrations may not lie after today, so a report "until further notice" and leave granted
/// for later days are written day by day. `verzuim serve` runs it with the daily job (before
/// school starts) and the portal before it shows a child. Returns how many it brought up to
/// date.
pub async fn keep_up_to_date(
    store: &Store,
    today: Date,
    only: Option<(&str, &str)>,
) -> Result<usize> {
    let reports = {
        let mut tx = store.connection().await?;
        match only {
            Some((s, p)) => tx.open_sick_report(s, p).await?.into_iter().collect(),
            None => tx.open_sick_reports().await?,
        }
    };
    let mut n = 0;
    for r in reports {
        let mut tx = store.begin().await?;
        tx.lock_pupil(&r.school_id, &r.pupil_id).await?;
        if let Some(fresh) = tx.open_sick_report(&r.school_id, &r.pupil_id).await? {
            update_sick_report(&mut tx, today, &fresh).await?;
            n += 1;
        }
        tx.commit().await?;
    }
    let leaves = {
        let mut tx = store.connection().await?;
        match only {
            Some((s, p)) => tx.pupil_leave_requests(s, p).await?,
            None => tx.granted_leave_to_write(today).await?,
        }
    };
    for l in leaves {
        if l.status != LeaveStatus::Toegekend || l.from > today {
            continue;
        }
        let mut tx = store.begin().await?;
        tx.lock_pupil(&l.school_id, &l.pupil_id).await?;
        if let Some(fresh) = tx.leave_request(l.id).await? {
            write_leave(&mut tx, today, &fresh).await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// Writes (or extends) the `verlof` registration of granted leave up to today.
async fn write_leave(tx: &mut Tx, today: Date, l: &LeaveRequest) -> Result<()> {
    let settings = settings(tx, &l.school_id).await?;
    let current = tx
        .current_record(&l.school_id, &l.pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let Some((from, until)) = sick_span(
        &settings.school,
        &current.record.pupil.group,
        l.from,
        l.until.min(today),
    ) else {
        return Ok(());
    };
    let wanted = Registration {
        code: Code::Verlof,
        span: Span::Days { from, until },
        minutes_late: None,
    };
    let by = actor_of(l.decided_by.as_deref().unwrap_or("system"));
    match l.registration_id {
        None => {
            let v = add_registration_in(tx, by, today, &l.school_id, &l.pupil_id, &wanted).await?;
            tx.set_leave_registration(l.id, v.id).await?;
        }
        Some(id) => {
            let now = current
                .registrations
                .iter()
                .position(|v| v.id == id)
                .map(|i| &current.record.registrations[i]);
            // Only while the registration is still the leave's (the school may correct it).
            if let Some(r) = now
                && r.code == Code::Verlof
                && r.span.last_date() < until
                && r.span.first_date() == from
            {
                change_registration_in(tx, by, today, &l.school_id, &l.pupil_id, id, Some(&wanted))
                    .await?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Verlofaanvraag (Leerplichtwet 1969)
// ---------------------------------------------------------------------------------------------

/// The longest leave the school's director grants (art. 13a lid 1 and art. 14 lid 1: "ten
/// hoogste tien schooldagen").
pub const DIRECTOR_MAX_DAYS: u32 = 10;

/// What the law's checks of a leave request need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveFacts {
    pub kind: LeaveKind,
    pub from: Date,
    pub until: Date,
    /// The lesson days of the child's group in the period.
    pub lesson_days: u32,
    /// The first day after the first two lesweken of the school year of `from`.
    pub after_first_two_lesweken: Date,
    /// Another vakantieverlof of this child in the same school year, asked or granted (not
    /// refused).
    pub other_vakantieverlof: bool,
    pub employer_statement: bool,
}

/// One check of the law on a leave request, passed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LawCheck {
    /// The article ("Leerplichtwet 1969, art. 13a lid 1").
    pub article: &'static str,
    /// What it requires, in Dutch.
    pub rule: &'static str,
    pub passed: bool,
}

/// Art. 13a lid 1 Leerplichtwet 1969.
pub const ART_13A: &str = "Leerplichtwet 1969, art. 13a lid 1";
/// Art. 14 lid 1 Leerplichtwet 1969.
pub const ART_14_1: &str = "Leerplichtwet 1969, art. 14 lid 1";
/// Art. 14 lid 3 Leerplichtwet 1969.
pub const ART_14_3: &str = "Leerplichtwet 1969, art. 14 lid 3";

/// The law's checks of a leave request (Leerplichtwet 1969):
///
/// - vakantieverlof, art. 13a lid 1: only when the specific nature of a parent's work makes a
///   holiday in the school holidays impossible (shown by an employer's statement); at most once
///   per school year; at most ten school days; not in the first two lesweken of the school year;
/// - verlof wegens gewichtige omstandigheden, art. 11 sub g and art. 14: no limit of days in the
///   law, but who decides depends on it ([`decider`]).
pub fn check_leave(f: &LeaveFacts) -> Vec<LawCheck> {
    match f.kind {
        LeaveKind::Vakantieverlof => vec![
            LawCheck {
                article: ART_13A,
                rule: "Vakantieverlof kan alleen als het werk van een ouder een vakantie in de \
                       schoolvakanties onmogelijk maakt; daarvoor is een werkgeversverklaring nodig.",
                passed: f.employer_statement,
            },
            LawCheck {
                article: ART_13A,
                rule: "Vakantieverlof is ten hoogste tien schooldagen.",
                passed: f.lesson_days <= DIRECTOR_MAX_DAYS,
            },
            LawCheck {
                article: ART_13A,
                rule: "Vakantieverlof wordt ten hoogste één keer per schooljaar verleend.",
                passed: !f.other_vakantieverlof,
            },
            LawCheck {
                article: ART_13A,
                rule: "Vakantieverlof valt niet in de eerste twee lesweken van het schooljaar.",
                passed: f.from >= f.after_first_two_lesweken,
            },
        ],
        LeaveKind::GewichtigeOmstandigheden => Vec::new(),
    }
}

/// Who decides (Leerplichtwet 1969): vakantieverlof the director (art. 13a lid 1); gewichtige
/// omstandigheden up to ten school days the director (art. 14 lid 1), more than ten the
/// leerplichtambtenaar of the home municipality, after the director's advice (art. 14 lid 3).
pub fn decider(kind: LeaveKind, lesson_days: u32) -> (LeaveDecider, &'static str) {
    match kind {
        LeaveKind::Vakantieverlof => (LeaveDecider::Directeur, ART_13A),
        LeaveKind::GewichtigeOmstandigheden if lesson_days <= DIRECTOR_MAX_DAYS => {
            (LeaveDecider::Directeur, ART_14_1)
        }
        LeaveKind::GewichtigeOmstandigheden => (LeaveDecider::Leerplichtambtenaar, ART_14_3),
    }
}

/// The circumstances a parent chooses for verlof wegens gewichtige omstandigheden (the
/// landelijke uitvoeringspraktijk of art. 11 sub g and art. 14); `anders` needs an explanation.
pub const CIRCUMSTANCES: &[(&str, &str)] = &[
    ("verhuizing", "Verhuizing van het gezin"),
    (
        "huwelijk",
        "Huwelijk van een bloed- of aanverwant (tot en met de derde graad)",
    ),
    (
        "jubileum",
        "Huwelijks- of ambtsjubileum (12½, 25, 40, 50 of 60 jaar)",
    ),
    (
        "ernstige_ziekte",
        "Ernstige ziekte van een ouder of bloed- of aanverwant",
    ),
    ("overlijden", "Overlijden van een bloed- of aanverwant"),
    ("anders", "Een andere gewichtige omstandigheid (licht toe)"),
];

/// The Dutch label of a circumstance code.
pub fn circumstance_label(code: &str) -> &str {
    CIRCUMSTANCES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A parent's leave request as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveInput {
    pub kind: LeaveKind,
    pub from: Date,
    pub until: Date,
    /// Gewichtige omstandigheden: a code of [`CIRCUMSTANCES`]; vakantieverlof: ignored.
    pub circumstance: String,
    pub explanation: Option<String>,
    /// Vakantieverlof: the employer's statement (name of the employer and what it declares).
    pub employer_statement: Option<String>,
    /// Vakantieverlof: the employer's statement as a file (a PDF, or a photo or scan as JPEG or
    /// PNG), checked by [`check_document`].
    pub employer_document: Option<Upload>,
}

/// A file as the parent uploaded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The name the parent's device gave it (shown, never trusted for the type).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The largest employer's statement file (a phone's photo or a scanned page fits).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The content type of an uploaded employer's statement, from its first bytes (the file's name
/// and the browser's type are not trusted): a PDF (`%PDF-`), a JPEG (`FF D8 FF`) or a PNG (its
/// eight-byte signature). Empty, too large ([`MAX_DOCUMENT_BYTES`]) or another kind of file:
/// refused with a Dutch message naming the file.
pub fn check_document(upload: &Upload) -> Result<&'static str> {
    let name = display_name_of(&upload.file_name);
    if upload.bytes.is_empty() {
        return Err(ServiceError::invalid(format!(
            "het bestand met de werkgeversverklaring ({name}) is leeg"
        )));
    }
    if upload.bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ServiceError::invalid(format!(
            "het bestand met de werkgeversverklaring ({name}) is te groot: {:.1} MB, ten hoogste \
             {} MB",
            upload.bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        )));
    }
    let b = upload.bytes.as_slice();
    if b.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else {
        Err(ServiceError::invalid(format!(
            "het bestand met de werkgeversverklaring ({name}) is geen pdf, jpeg of png"
        )))
    }
}

/// A file name to show and to download under: the last part of the path, without control
/// characters or quotes, at most 120 characters (`werkgeversverklaring` when nothing is left).
fn display_name_of(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(120)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "werkgeversverklaring".to_owned()
    } else {
        clean.to_owned()
    }
}

/// A stored leave request with the law's checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveView {
    pub request: LeaveRequest,
    pub checks: Vec<LawCheck>,
    /// The article that routes it to its decider.
    pub decider_article: &'static str,
}

async fn facts_of(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
    input: &LeaveInput,
    except: Option<i64>,
    has_document: bool,
) -> Result<(LeaveFacts, String)> {
    let settings = settings(tx, school_id).await?;
    let current = tx
        .current_record(school_id, pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let group = current.record.pupil.group.clone();
    let days = lesson_days(&settings.school, &group, input.from, input.until);
    let year = school_year_start(input.from);
    let year_days = lesson_days(&settings.school, &group, year, school_year_end(input.from));
    // The first two lesweken: the weeks of the school year's first lesson days.
    let cal = SchoolCalendar::new(&settings.school, year, school_year_end(input.from));
    let g = cal.group(&group);
    let after = year_days
        .first()
        .and_then(|d| g.lesweek_monday(g.lesweek(day_number(*d)) + 2))
        .map_or(year, date_of);
    let other = tx
        .pupil_leave_requests(school_id, pupil_id)
        .await?
        .into_iter()
        .any(|r| {
            Some(r.id) != except
                && r.kind == LeaveKind::Vakantieverlof
                && r.status != LeaveStatus::Afgewezen
                && school_year_start(r.from) == year
        });
    Ok((
        LeaveFacts {
            kind: input.kind,
            from: input.from,
            until: input.until,
            lesson_days: u32::try_from(days.len()).unwrap_or(u32::MAX),
            after_first_two_lesweken: after,
            other_vakantieverlof: other,
            employer_statement: has_document
                || input
                    .employer_statement
                    .as_deref()
                    .is_some_and(|s| !s.trim().is_empty()),
        },
        current.record.pupil.municipality,
    ))
}

/// A parent asks leave for their child. Checks the input (Dutch messages), counts the lesson
/// days, runs the law's checks ([`check_leave`], shown to the decider; a request the law rules
/// out is still taken, so that the parent gets a decision they can object to) and routes it
/// ([`decider`]). The audit row (made from the request's id) commits with the request.
pub async fn request_leave(
    store: &Store,
    parent: UserId,
    today: Date,
    school_id: &str,
    pupil_id: &str,
    input: &LeaveInput,
    audit: crate::dossier::AuditRowOf<'_>,
) -> Result<LeaveView> {
    if input.until < input.from {
        return Err(ServiceError::invalid(
            "de laatste dag van het verlof ligt vóór de eerste",
        ));
    }
    if input.from < today {
        return Err(ServiceError::invalid(format!(
            "verlof vraagt u vooraf aan: de eerste dag ligt vóór vandaag ({})",
            date_nl(today)
        )));
    }
    if school_year_start(input.from) != school_year_start(input.until) {
        return Err(ServiceError::invalid(
            "het verlof ligt in twee schooljaren; vraag het per schooljaar aan",
        ));
    }
    let explanation = optional(input.explanation.as_deref(), "De toelichting")?;
    let employer = optional(
        input.employer_statement.as_deref(),
        "De werkgeversverklaring",
    )?;
    let circumstance = match input.kind {
        LeaveKind::Vakantieverlof => "vakantie".to_owned(),
        LeaveKind::GewichtigeOmstandigheden => {
            if !CIRCUMSTANCES.iter().any(|(c, _)| *c == input.circumstance) {
                return Err(ServiceError::invalid(
                    "kies de gewichtige omstandigheid uit de lijst",
                ));
            }
            if input.circumstance == "anders" && explanation.is_none() {
                return Err(ServiceError::invalid(
                    "licht de andere gewichtige omstandigheid toe",
                ));
            }
            input.circumstance.clone()
        }
    };
    let document = match (&input.employer_document, input.kind) {
        (None, _) => None,
        (Some(u), LeaveKind::Vakantieverlof) => Some(LeaveDocument {
            content_type: check_document(u)?.to_owned(),
            file_name: display_name_of(&u.file_name),
            bytes: u.bytes.clone(),
        }),
        (Some(u), LeaveKind::GewichtigeOmstandigheden) => {
            return Err(ServiceError::invalid(format!(
                "een werkgeversverklaring ({}) hoort alleen bij vakantieverlof; laat het bestand weg",
                display_name_of(&u.file_name)
            )));
        }
    };
    let mut tx = store.begin().await?;
    own_child(&mut tx, parent, school_id, pupil_id).await?;
    tx.lock_pupil(school_id, pupil_id).await?;
    let (facts, municipality) = facts_of(
        &mut tx,
        school_id,
        pupil_id,
        input,
        None,
        document.is_some(),
    )
    .await?;
    if facts.lesson_days == 0 {
        return Err(ServiceError::invalid(
            "in deze periode heeft uw kind geen lesdagen; verlof is niet nodig",
        ));
    }
    let (who, _) = decider(input.kind, facts.lesson_days);
    let municipality = match tx.find_municipality(&municipality).await? {
        Some(m) => m.id,
        None if who == LeaveDecider::Leerplichtambtenaar => {
            return Err(ServiceError::invalid(
                "de woongemeente van uw kind is niet bekend bij de leerplicht in de regio; neem contact op met de school",
            ));
        }
        None => municipality,
    };
    let id = tx
        .add_leave_request(
            school_id,
            pupil_id,
            &NewLeaveRequest {
                kind: input.kind,
                from: input.from,
                until: input.until,
                lesson_days: facts.lesson_days,
                circumstance,
                explanation,
                employer_statement: employer,
                decider: who,
                municipality,
            },
            Actor::User(parent),
        )
        .await?;
    if let Some(d) = &document {
        tx.add_leave_document(id, d, Actor::User(parent)).await?;
    }
    let view = leave_view(&mut tx, id).await?;
    tx.audit(&audit(id)).await?;
    tx.commit().await?;
    Ok(view)
}

async fn leave_view(tx: &mut Tx, id: i64) -> Result<LeaveView> {
    let request = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    let input = LeaveInput {
        kind: request.kind,
        from: request.from,
        until: request.until,
        circumstance: request.circumstance.clone(),
        explanation: request.explanation.clone(),
        employer_statement: request.employer_statement.clone(),
        employer_document: None,
    };
    let (facts, _) = facts_of(
        tx,
        &request.school_id.clone(),
        &request.pupil_id.clone(),
        &input,
        Some(id),
        request.document_type.is_some(),
    )
    .await?;
    let facts = LeaveFacts {
        lesson_days: request.lesson_days,
        ..facts
    };
    Ok(LeaveView {
        checks: check_leave(&facts),
        decider_article: decider(request.kind, request.lesson_days).1,
        request,
    })
}

/// Who may read a leave request: the parent of the child, the school's director and
/// coordinator, and the leerplichtambtenaar of the municipality that decides it.
pub async fn leave_for_parent(store: &Store, parent: UserId, id: i64) -> Result<LeaveView> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    own_child(&mut tx, parent, &r.school_id, &r.pupil_id).await?;
    leave_view(&mut tx, id).await
}

fn staff_may_read(caller: &Caller, r: &LeaveRequest) -> bool {
    (caller.organisation == r.school_id
        && matches!(caller.role, Role::Directeur | Role::Verzuimcoordinator))
        || (caller.role == Role::Leerplichtambtenaar
            && r.decider == LeaveDecider::Leerplichtambtenaar
            && caller.organisation == r.municipality)
}

/// One leave request for the school's director or coordinator, or the deciding
/// leerplichtambtenaar.
pub async fn leave_for_staff(store: &Store, caller: &Caller, id: i64) -> Result<LeaveView> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    if !staff_may_read(caller, &r) {
        return Err(ServiceError::NotFound);
    }
    leave_view(&mut tx, id).await
}

/// The leave requests the caller deals with: a school's director and coordinator all of the
/// school's, a leerplichtambtenaar those its municipality decides.
pub async fn leave_requests(store: &Store, caller: &Caller) -> Result<Vec<LeaveRequest>> {
    let mut tx = store.connection().await?;
    match caller.role {
        Role::Directeur | Role::Verzuimcoordinator => {
            Ok(tx.school_leave_requests(&caller.organisation).await?)
        }
        Role::Leerplichtambtenaar => {
            Ok(tx.municipality_leave_requests(&caller.organisation).await?)
        }
        _ => Err(ServiceError::forbidden(
            "alleen de directeur, de verzuimcoördinator en de leerplichtambtenaar zien verlofaanvragen",
        )),
    }
}

/// A pupil's leave requests for its school (the coordinator sees a refusal beside a luxe
/// verzuim signal in the dossier).
pub async fn pupil_leave_requests(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    pupil_id: &str,
) -> Result<Vec<LeaveRequest>> {
    caller.require_school(
        school_id,
        &[Role::Verzuimcoordinator, Role::Directeur, Role::Beheerder],
        "verlofaanvragen zien",
    )?;
    Ok(store
        .connection()
        .await?
        .pupil_leave_requests(school_id, pupil_id)
        .await?)
}

/// The director's advice on a request that leerplicht decides (art. 14 lid 3: "gehoord het
/// hoofd van de school").
pub async fn advise_leave(store: &Store, caller: &Caller, id: i64, advice: &str) -> Result<()> {
    let advice = crate::text::required(advice, "Het advies")?;
    let mut tx = store.begin().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    caller.require_school(&r.school_id, &[Role::Directeur], "advies geven over verlof")?;
    if r.decider != LeaveDecider::Leerplichtambtenaar {
        return Err(ServiceError::invalid(
            "over dit verzoek beslist de directeur zelf (art. 13a lid 1 of art. 14 lid 1); advies is niet nodig",
        ));
    }
    if !tx.set_leave_advice(id, &advice, caller.actor()).await? {
        return Err(ServiceError::Conflict(
            "over dit verzoek is al beslist".into(),
        ));
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A decision as the decider enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub granted: bool,
    /// The motivation (for a refusal: required unless a check of the law fails, whose article
    /// is then the ground).
    pub motivation: Option<String>,
    pub decider_name: String,
}

/// What the decision letter needs, made by [`prepare_decision`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreparedDecision {
    pub view: LeaveView,
    pub granted: bool,
    /// The legal ground with the motivation, in Dutch.
    pub ground: String,
    /// To whom a bezwaar goes: the director's school board or the municipality's college.
    pub bezwaar_to: String,
    pub decider_name: String,
}

/// Checks that the caller decides this request and that the decision may be taken (granting
/// against a failed check of the law is refused, naming its article), and makes the ground.
pub async fn prepare_decision(
    store: &Store,
    caller: &Caller,
    id: i64,
    input: &DecisionInput,
) -> Result<PreparedDecision> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    match r.decider {
        LeaveDecider::Directeur => {
            caller.require_school(&r.school_id, &[Role::Directeur], "over verlof beslissen")?
        }
        LeaveDecider::Leerplichtambtenaar => {
            if caller.role != Role::Leerplichtambtenaar || caller.organisation != r.municipality {
                return Err(ServiceError::forbidden(
                    "over meer dan tien schooldagen beslist de leerplichtambtenaar van de woongemeente (art. 14 lid 3)",
                ));
            }
            if r.status != LeaveStatus::AdviesGegeven {
                return Err(ServiceError::invalid(
                    "de leerplichtambtenaar beslist na het advies van de directeur (art. 14 lid 3); dat advies is er nog niet",
                ));
            }
        }
    }
    if !matches!(
        r.status,
        LeaveStatus::Ingediend | LeaveStatus::AdviesGegeven
    ) {
        return Err(ServiceError::Conflict(
            "over dit verzoek is al beslist".into(),
        ));
    }
    let view = leave_view(&mut tx, id).await?;
    let failed: Vec<&LawCheck> = view.checks.iter().filter(|c| !c.passed).collect();
    let motivation = optional(input.motivation.as_deref(), "De motivering")?;
    let name = crate::text::required(&input.decider_name, "De naam van wie beslist")?;
    let ground = if input.granted {
        if let Some(c) = failed.first() {
            return Err(ServiceError::invalid(format!(
                "toekennen kan niet: {} — {}",
                c.article, c.rule
            )));
        }
        let base = match r.kind {
            LeaveKind::Vakantieverlof => format!(
                "Het verlof is verleend op grond van {ART_13A}: het werk van een ouder maakt een \
                 vakantie in de schoolvakanties onmogelijk."
            ),
            LeaveKind::GewichtigeOmstandigheden => format!(
                "Het verlof is verleend wegens gewichtige omstandigheden ({}), op grond van \
                 artikel 11 onder g en {}.",
                circumstance_label(&r.circumstance),
                view.decider_article
                    .trim_start_matches("Leerplichtwet 1969, ")
            ),
        };
        match motivation {
            Some(m) => format!("{base} {m}"),
            None => base,
        }
    } else {
        let law: Vec<String> = failed
            .iter()
            .map(|c| format!("{}: {}", c.article, c.rule))
            .collect();
        match (law.is_empty(), motivation) {
            (true, None) => {
                return Err(ServiceError::invalid(
                    "geef bij een afwijzing de motivering: waarom is er geen grond voor verlof",
                ));
            }
            (_, m) => {
                let mut parts = law;
                if let Some(m) = m {
                    parts.push(m);
                }
                format!("Het verlof is afgewezen. {}", parts.join(" "))
            }
        }
    };
    let bezwaar_to = match r.decider {
        LeaveDecider::Directeur => format!(
            "de directeur van {}",
            tx.organisation(&r.school_id)
                .await?
                .map_or_else(|| r.school_id.clone(), |o| o.name)
        ),
        LeaveDecider::Leerplichtambtenaar => format!(
            "het college van burgemeester en wethouders van {}",
            tx.organisation(&r.municipality)
                .await?
                .map_or_else(|| r.municipality.clone(), |o| o.name)
        ),
    };
    Ok(PreparedDecision {
        view,
        granted: input.granted,
        ground,
        bezwaar_to,
        decider_name: name,
    })
}

/// Stores the decision with its letter (PDF and text, made from [`prepare_decision`]'s
/// outcome); granted leave whose first day has come becomes a `verlof` registration at once,
/// later days day by day ([`keep_up_to_date`]).
pub async fn decide_leave(
    store: &Store,
    caller: &Caller,
    today: Date,
    prepared: &PreparedDecision,
    letter_pdf: Vec<u8>,
    letter_text: String,
) -> Result<LeaveRequest> {
    let id = prepared.view.request.id;
    let mut tx = store.begin().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    tx.lock_pupil(&r.school_id, &r.pupil_id).await?;
    let decided = tx
        .decide_leave(
            id,
            &LeaveDecision {
                granted: prepared.granted,
                ground: prepared.ground.clone(),
                decider_name: prepared.decider_name.clone(),
                letter_pdf,
                letter_text,
                registration_id: None,
            },
            caller.actor(),
        )
        .await?;
    if !decided {
        return Err(ServiceError::Conflict(
            "over dit verzoek is al beslist".into(),
        ));
    }
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    if r.status == LeaveStatus::Toegekend && r.from <= today {
        write_leave(&mut tx, today, &r).await?;
    }
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    // The parents hear of the decision at once (their six weeks for a bezwaar start with it).
    crate::mail::to_parents(
        &mut tx,
        &r.school_id,
        &r.pupil_id,
        crate::mail::ParentNews::LeaveDecision(id),
    )
    .await?;
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(r)
}

/// The employer's statement file of a leave request, for its parent.
pub async fn leave_document_for_parent(
    store: &Store,
    parent: UserId,
    id: i64,
) -> Result<LeaveDocument> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    own_child(&mut tx, parent, &r.school_id, &r.pupil_id).await?;
    tx.leave_document(id).await?.ok_or(ServiceError::NotFound)
}

/// The employer's statement file of a leave request, for the staff who may read the request
/// (the school's director and coordinator, the deciding leerplichtambtenaar).
pub async fn leave_document_for_staff(
    store: &Store,
    caller: &Caller,
    id: i64,
) -> Result<LeaveDocument> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    if !staff_may_read(caller, &r) {
        return Err(ServiceError::NotFound);
    }
    tx.leave_document(id).await?.ok_or(ServiceError::NotFound)
}

/// The decision letter of a leave request for its parent: the PDF.
pub async fn leave_letter_for_parent(store: &Store, parent: UserId, id: i64) -> Result<Vec<u8>> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    own_child(&mut tx, parent, &r.school_id, &r.pupil_id).await?;
    Ok(tx.leave_letter(id).await?.ok_or(ServiceError::NotFound)?.0)
}

/// The decision letter of a leave request for the staff who may read the request.
pub async fn leave_letter_for_staff(store: &Store, caller: &Caller, id: i64) -> Result<Vec<u8>> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    if !staff_may_read(caller, &r) {
        return Err(ServiceError::NotFound);
    }
    Ok(tx.leave_letter(id).await?.ok_or(ServiceError::NotFound)?.0)
}

/// The pupil of a leave request, for those who may read the request (the decision letter is
/// addressed to its parents; leerplicht reads no other pupil data through this).
pub async fn leave_pupil(store: &Store, caller: &Caller, id: i64) -> Result<StoredPupil> {
    let mut tx = store.connection().await?;
    let r = tx.leave_request(id).await?.ok_or(ServiceError::NotFound)?;
    if !staff_may_read(caller, &r) {
        return Err(ServiceError::NotFound);
    }
    tx.pupil(Scope::School(&r.school_id), &r.school_id, &r.pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

#[cfg(test)]
mod tests {
    //! The law's checks of a leave request, table-driven; each row cites the article.

    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn facts(kind: LeaveKind) -> LeaveFacts {
        LeaveFacts {
            kind,
            from: d("2027-02-01"),
            until: d("2027-02-05"),
            lesson_days: 5,
            after_first_two_lesweken: d("2026-09-07"),
            other_vakantieverlof: false,
            employer_statement: true,
        }
    }

    #[test]
    fn vakantieverlof_checks_of_art_13a() {
        // (article, case, change, the rule that refuses it or None)
        type Change = fn(&mut LeaveFacts);
        let rows: &[(&str, &str, Change, Option<&str>)] = &[
            (ART_13A, "all conditions met", |_| {}, None),
            (
                ART_13A,
                "no employer's statement",
                |f| f.employer_statement = false,
                Some("werkgeversverklaring"),
            ),
            (
                ART_13A,
                "eleven lesson days",
                |f| f.lesson_days = 11,
                Some("ten hoogste tien schooldagen"),
            ),
            (
                ART_13A,
                "exactly ten lesson days",
                |f| f.lesson_days = 10,
                None,
            ),
            (
                ART_13A,
                "a second vakantieverlof this school year",
                |f| f.other_vakantieverlof = true,
                Some("één keer per schooljaar"),
            ),
            (
                ART_13A,
                "in the second lesweek",
                |f| f.from = d("2026-09-04"),
                Some("eerste twee lesweken"),
            ),
            (
                ART_13A,
                "on the first day after the first two lesweken",
                |f| f.from = d("2026-09-07"),
                None,
            ),
        ];
        for (article, case, change, refused_by) in rows {
            let mut f = facts(LeaveKind::Vakantieverlof);
            change(&mut f);
            let failed: Vec<LawCheck> = check_leave(&f).into_iter().filter(|c| !c.passed).collect();
            match refused_by {
                None => assert!(failed.is_empty(), "{case}: {failed:?}"),
                Some(words) => {
                    assert_eq!(failed.len(), 1, "{case}: {failed:?}");
                    assert_eq!(failed[0].article, *article, "{case}");
                    assert!(failed[0].rule.contains(words), "{case}: {}", failed[0].rule);
                }
            }
        }
    }

    #[test]
    fn gewichtige_omstandigheden_route_by_days_art_14() {
        // (lesson days, decider, article)
        let rows = [
            (1, LeaveDecider::Directeur, ART_14_1),
            (10, LeaveDecider::Directeur, ART_14_1),
            (11, LeaveDecider::Leerplichtambtenaar, ART_14_3),
            (30, LeaveDecider::Leerplichtambtenaar, ART_14_3),
        ];
        for (days, who, article) in rows {
            assert_eq!(
                decider(LeaveKind::GewichtigeOmstandigheden, days),
                (who, article),
                "{days} dagen"
            );
            let mut f = facts(LeaveKind::GewichtigeOmstandigheden);
            f.lesson_days = days;
            f.employer_statement = false;
            f.other_vakantieverlof = true;
            f.from = d("2026-09-01");
            assert!(check_leave(&f).iter().all(|c| c.passed), "{days} dagen");
        }
        assert_eq!(
            decider(LeaveKind::Vakantieverlof, 10),
            (LeaveDecider::Directeur, ART_13A)
        );
    }

    #[test]
    fn an_employer_statement_file_is_known_by_its_contents() {
        let up = |name: &str, bytes: &[u8]| Upload {
            file_name: name.to_owned(),
            bytes: bytes.to_vec(),
        };
        // (file, its type or the words of the refusal)
        let rows: &[(Upload, Result<&str, &str>)] = &[
            (
                up("verklaring.pdf", b"%PDF-1.7\n..."),
                Ok("application/pdf"),
            ),
            (
                up("foto.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
                Ok("image/jpeg"),
            ),
            (
                up(
                    "scan.png",
                    &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0],
                ),
                Ok("image/png"),
            ),
            // The name does not make a file a PDF.
            (
                up("verklaring.pdf", b"<html>geen pdf</html>"),
                Err("geen pdf, jpeg of png"),
            ),
            (up("leeg.pdf", b""), Err("is leeg")),
            (
                up(
                    "groot.pdf",
                    &[b"%PDF-".as_slice(), &vec![b'x'; MAX_DOCUMENT_BYTES]].concat(),
                ),
                Err("te groot"),
            ),
        ];
        for (u, want) in rows {
            match (check_document(u), want) {
                (Ok(t), Ok(w)) => assert_eq!(t, *w, "{}", u.file_name),
                (Err(ServiceError::Invalid(m)), Err(w)) => {
                    assert!(m.contains(w) && m.contains(&u.file_name), "{m}")
                }
                (got, _) => panic!("{}: {got:?}", u.file_name),
            }
        }
        assert_eq!(display_name_of("C:\\Users\\x\\ver\"kl.pdf"), "verkl.pdf");
        assert_eq!(display_name_of("\u{7}"), "werkgeversverklaring");
    }

    #[test]
    fn invitation_mail_names_no_child() {
        let at: Timestamp = "2026-09-21T10:00:00Z".parse().unwrap();
        let (subject, body) = invitation_mail("OBS De Esch", at);
        assert_eq!(subject, "Uitnodiging voor het ouderportaal van OBS De Esch");
        assert!(body.contains("de link onder aan deze e-mail"));
        assert!(body.contains("21-09-2026"));
        for forbidden in ["BSN", "ziek gemeld", "verzuim"] {
            assert!(!body.contains(forbidden), "{forbidden}");
        }
    }
}
