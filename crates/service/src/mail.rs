//! E-mail (issue 12, docs/email.md): what is sent when, to whom, and with which words.
//!
//! Every mail is written to the outbox ([`verzuim_store::outbox`]) in the transaction of the
//! action that causes it, through the functions here, which take that transaction (`&mut Tx`):
//!
//! - [`new_melding`]: a melding to the leerplichtambtenaren of the municipality;
//! - [`new_referral`]: a referral to GGD-JGZ's users;
//! - [`feedback`]: leerplicht's afspraken to the school (and, for ziekte rows, to GGD-JGZ);
//! - [`to_parents`]: an action recorded with "ouders geïnformeerd", or a letter, to the pupil's
//!   parents' stored e-mail addresses (kaart Twente PO: "Ouders dienen van alle acties op de
//!   hoogte te zijn");
//! - [`to_address`]: any other mail to one address (the parents' portal's invitation);
//! - [`daily_mail`]: the daily job: a task's deadline two working days ahead and on the day it is
//!   overdue (always, whatever the user chose), the daily summaries, and clearing old rows.
//!
//! E-mail is not a safe channel: a mail names no child, no BSN and no reason. It says what kind
//! of thing waits and links to the page where the recipient reads it after logging in.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use verzuim_engine::model::Party;
use verzuim_store::outbox::{MailKind, MailMode, NewMail, OutboxMail};
use verzuim_store::{MeldingId, ReferralId, Role, Scope, Store, Task, Tx, UserId};

use crate::caller::{JGZ_ROLES, LEERPLICHT_ROLES, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};

/// The kinds a member of an organisation chooses for (the page `/e-mail`).
pub const STAFF_KINDS: &[MailKind] = &[
    MailKind::Melding,
    MailKind::Verwijzing,
    MailKind::Terugkoppeling,
    MailKind::Termijn,
];

/// The kinds a parent chooses for (the portal's page `/ouders/e-mail`): news about their child,
/// a letter, and the decision on a leave request.
pub const PARENT_KINDS: &[MailKind] = &[MailKind::Ouders, MailKind::Brief, MailKind::Verlof];

/// The kinds a user chooses for: at once, in the daily summary, or not at all (see
/// [`ALWAYS_DIRECT`]). The invitation goes to an address, not a user: no choice.
pub const CHOOSABLE: &[MailKind] = &[
    MailKind::Melding,
    MailKind::Verwijzing,
    MailKind::Terugkoppeling,
    MailKind::Termijn,
    MailKind::Ouders,
    MailKind::Brief,
    MailKind::Verlof,
];

/// The kinds that always come at once, whatever the user chose: a task's deadline, and the
/// decision on a leave request (its six weeks for a bezwaar start with it, Awb art. 6:7).
pub const ALWAYS_DIRECT: &[MailKind] = &[MailKind::Termijn, MailKind::Verlof];

/// How long sent, summarised and failed mails stay in the outbox.
pub const KEEP_DAYS: i64 = 30;

/// Overdue mail is sent for deadlines at most this many days ago.
pub const OVERDUE_WINDOW_DAYS: i64 = 14;

/// The name of the daily job in `job_runs`.
pub const DAILY_JOB: &str = "mail";

/// The Dutch name of a kind (the settings page, the demo mailbox).
pub fn kind_label(kind: MailKind) -> &'static str {
    match kind {
        MailKind::Melding => "Nieuwe melding van schoolverzuim",
        MailKind::Verwijzing => "Nieuwe verwijzing naar GGD-JGZ",
        MailKind::Terugkoppeling => "Terugkoppeling en afspraken van leerplicht",
        MailKind::Termijn => "Termijn van een taak (twee werkdagen vooraf en als hij verlopen is)",
        MailKind::Ouders => "Bericht van school of leerplicht over uw kind",
        MailKind::Brief => "Een brief over uw kind",
        MailKind::Verlof => {
            "Besluit op een verlofaanvraag (komt altijd meteen: de termijn voor bezwaar begint)"
        }
        MailKind::Uitnodiging => "Uitnodiging",
        MailKind::Samenvatting => "Dagelijkse samenvatting",
    }
}

/// The Dutch name of a choice.
pub fn mode_label(mode: MailMode) -> &'static str {
    match mode {
        MailMode::Direct => "Meteen",
        MailMode::Dagelijks => "In de dagelijkse samenvatting",
        MailMode::Uit => "Niet",
    }
}

const NO_DETAILS: &str = "Om uw privacy en die van de leerling te beschermen staat in deze e-mail \
     geen naam, geen burgerservicenummer en geen reden van verzuim. U leest alles na het \
     inloggen.";

/// One mail's text: subject and body (without the link; see [`render`]).
struct Text {
    subject: &'static str,
    body: String,
}

/// Writes a mail to one address (not a user: no choice applies). For mails the other functions
/// do not cover, such as the parents' portal's invitation. `link` is a path of the service
/// (`/ouders/...`); the delivery puts the service's address before it. Returns the outbox id
/// (`None` when `dedup_key` was used before).
pub async fn to_address(
    tx: &mut Tx,
    kind: MailKind,
    address: &str,
    subject: &str,
    body: &str,
    link: Option<&str>,
    dedup_key: Option<&str>,
) -> Result<Option<i64>> {
    let address = address.trim();
    if !plausible_address(address) {
        return Err(ServiceError::invalid(format!(
            "het e-mailadres \"{address}\" is ongeldig"
        )));
    }
    Ok(tx
        .enqueue_mail(&NewMail {
            kind,
            recipient: address.to_owned(),
            user_id: None,
            subject: subject.to_owned(),
            body: body.to_owned(),
            link: link.map(str::to_owned),
            dedup_key: dedup_key.map(str::to_owned),
            held: false,
        })
        .await?)
}

/// An address with one `@`, something on both sides, a dot in the domain and no spaces.
pub fn plausible_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

/// Writes one mail per user, by each user's choice for `kind` (deadline mail: always at once).
async fn to_users(
    tx: &mut Tx,
    kind: MailKind,
    users: &[(UserId, String)],
    text: &Text,
    link: &str,
    dedup: Option<&str>,
) -> Result<u32> {
    let mut n = 0;
    for (user_id, email) in users {
        let mode = mode_of(tx, *user_id, kind).await?;
        if mode == MailMode::Uit {
            continue;
        }
        let written = tx
            .enqueue_mail(&NewMail {
                kind,
                recipient: email.clone(),
                user_id: Some(*user_id),
                subject: text.subject.to_owned(),
                body: text.body.clone(),
                link: Some(link.to_owned()),
                dedup_key: dedup.map(|d| format!("{d}:user:{user_id}")),
                held: mode == MailMode::Dagelijks,
            })
            .await?;
        n += u32::from(written.is_some());
    }
    Ok(n)
}

/// A user's choice for `kind` when a mail is written (the kinds of [`ALWAYS_DIRECT`]: at once).
async fn mode_of(tx: &mut Tx, user_id: UserId, kind: MailKind) -> Result<MailMode> {
    if ALWAYS_DIRECT.contains(&kind) {
        return Ok(MailMode::Direct);
    }
    Ok(tx.mail_mode(user_id, kind).await?)
}

fn roles_of(party: Party) -> &'static [Role] {
    match party {
        Party::School => SCHOOL_WORKFLOW_ROLES,
        Party::Leerplicht => LEERPLICHT_ROLES,
        Party::GgdJgz => JGZ_ROLES,
    }
}

fn tasks_page(party: Party) -> &'static str {
    match party {
        Party::School => "/taken",
        Party::Leerplicht => "/meldingen",
        Party::GgdJgz => "/verwijzingen",
    }
}

/// A new melding: to the leerplichtambtenaren of `municipality` (kaart Twente PO: "Meldt bij
/// leerplicht").
pub async fn new_melding(tx: &mut Tx, municipality: &str, melding_id: MeldingId) -> Result<u32> {
    let users = tx
        .members_with_roles(municipality, LEERPLICHT_ROLES)
        .await?;
    let text = Text {
        subject: "Nieuwe melding van schoolverzuim",
        body: format!(
            "Een school heeft een melding van schoolverzuim gedaan bij uw gemeente. De melding \
             wacht op behandeling in verzuim.\n\n{NO_DETAILS}"
        ),
    };
    to_users(
        tx,
        MailKind::Melding,
        &users,
        &text,
        &format!("/meldingen/{melding_id}"),
        None,
    )
    .await
}

/// A new referral: to GGD-JGZ's users of `ggd_id` (kaart Twente PO: "Verwijst naar
/// jeugdarts").
pub async fn new_referral(tx: &mut Tx, ggd_id: &str, referral_id: ReferralId) -> Result<u32> {
    let users = tx.members_with_roles(ggd_id, JGZ_ROLES).await?;
    let text = Text {
        subject: "Nieuwe verwijzing naar GGD-JGZ",
        body: format!(
            "Een school heeft een leerling naar uw organisatie verwezen. De verwijzing wacht op \
             behandeling in verzuim.\n\n{NO_DETAILS}"
        ),
    };
    to_users(
        tx,
        MailKind::Verwijzing,
        &users,
        &text,
        &format!("/verwijzingen/{referral_id}"),
        None,
    )
    .await
}

/// Leerplicht's afspraken on a melding, as a task for `organisation_id` (the school, or GGD-JGZ
/// for ziekte rows; kaart Twente PO: "koppelt afspraken terug aan melder").
pub async fn feedback(tx: &mut Tx, party: Party, organisation_id: &str) -> Result<u32> {
    let users = tx
        .members_with_roles(organisation_id, roles_of(party))
        .await?;
    let text = Text {
        subject: "Terugkoppeling van leerplicht",
        body: format!(
            "Leerplicht heeft afspraken teruggekoppeld over een melding van schoolverzuim. Er \
             staat een taak voor u klaar in verzuim.\n\n{NO_DETAILS}"
        ),
    };
    to_users(
        tx,
        MailKind::Terugkoppeling,
        &users,
        &text,
        tasks_page(party),
        None,
    )
    .await
}

/// What the parents hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentNews {
    /// The school recorded an action and that it informed the parents.
    SchoolAction,
    /// Leerplicht recorded an action and how the parents were informed.
    LeerplichtAction,
    /// A letter was made.
    Letter,
    /// A leave request (this id) was decided: the decision and its letter wait in the portal.
    LeaveDecision(i64),
}

impl ParentNews {
    /// The kind of mail the parents choose for.
    pub fn kind(self) -> MailKind {
        match self {
            ParentNews::SchoolAction | ParentNews::LeerplichtAction => MailKind::Ouders,
            ParentNews::Letter => MailKind::Brief,
            ParentNews::LeaveDecision(_) => MailKind::Verlof,
        }
    }
}

/// The addresses in a pupil's stored parent e-mail field (several may be separated by `;`,
/// `,` or spaces); the implausible ones are left out.
pub fn parent_addresses(field: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = field
        .unwrap_or_default()
        .split([';', ',', ' ', '\n', '\t'])
        .map(|a| a.trim().to_lowercase())
        .filter(|a| plausible_address(a))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// To the parents of a school's pupil, at each address stored with the pupil (none stored:
/// nothing is sent). The mail points to the parents' portal (`/ouders`, a decision to its
/// request). Where an address is the login of a parent account linked to the child, that
/// parent's choice for the kind applies (at once, in the daily summary, or not at all;
/// [`ALWAYS_DIRECT`] kinds at once); an address without an account gets it at once.
pub async fn to_parents(
    tx: &mut Tx,
    school_id: &str,
    pupil_id: &str,
    news: ParentNews,
) -> Result<u32> {
    let Some(pupil) = tx
        .pupil(Scope::School(school_id), school_id, pupil_id)
        .await?
    else {
        return Ok(0);
    };
    let (subject, what) = match news {
        ParentNews::SchoolAction => (
            "Bericht van school over uw kind",
            "De school heeft iets vastgelegd over de aanwezigheid van uw kind op school.",
        ),
        ParentNews::LeerplichtAction => (
            "Bericht van leerplicht over uw kind",
            "De leerplichtambtenaar van uw gemeente heeft iets vastgelegd over de \
             aanwezigheid van uw kind op school.",
        ),
        ParentNews::Letter => (
            "Er is een brief over uw kind",
            "Er is een brief voor u gemaakt over de aanwezigheid van uw kind op school.",
        ),
        ParentNews::LeaveDecision(_) => (
            "Besluit op uw verlofaanvraag",
            "Er is besloten op uw verlofaanvraag. Het besluit en de brief staan klaar. Bent u \
             het er niet mee eens, dan kunt u binnen zes weken bezwaar maken; hoe, staat in de \
             brief.",
        ),
    };
    let link = match news {
        ParentNews::LeaveDecision(id) => format!("/ouders/verlof/{id}"),
        _ => "/ouders".to_owned(),
    };
    let body = format!(
        "Beste ouder of verzorger,\n\n{what} U leest het in het ouderportaal.\n\nOm uw privacy \
         en die van uw kind te beschermen staat in deze e-mail geen naam en geen reden. U leest \
         alles na het inloggen."
    );
    let kind = news.kind();
    let accounts = tx.pupil_parents(school_id, pupil_id).await?;
    let mut n = 0;
    for address in parent_addresses(pupil.data.parent_email.as_deref()) {
        let user = accounts
            .iter()
            .find(|(_, email, _)| email.eq_ignore_ascii_case(&address))
            .map(|(id, _, _)| *id);
        let mode = match user {
            Some(u) => mode_of(tx, u, kind).await?,
            None => MailMode::Direct,
        };
        if mode == MailMode::Uit {
            continue;
        }
        let written = tx
            .enqueue_mail(&NewMail {
                kind,
                recipient: address,
                user_id: user,
                subject: subject.to_owned(),
                body: body.clone(),
                link: Some(link.clone()),
                dedup_key: None,
                held: mode == MailMode::Dagelijks,
            })
            .await?;
        n += u32::from(written.is_some());
    }
    Ok(n)
}

/// Where the recipient of `mail` chooses which mail they get: a parent in the portal, anyone
/// else on `/e-mail`.
pub fn settings_path(mail: &OutboxMail) -> &'static str {
    let parents = PARENT_KINDS.contains(&mail.kind)
        || (mail.kind == MailKind::Samenvatting && mail.link.as_deref() == Some(PARENTS_HOME));
    if parents { "/ouders/e-mail" } else { "/e-mail" }
}

/// The parents' portal's first page (the link of a parent's summary).
const PARENTS_HOME: &str = "/ouders";

/// The full text of a mail as sent: the body, the link with the service's address before it
/// (`base_url` without a trailing slash), and the footer.
pub fn render(mail: &OutboxMail, base_url: &str) -> String {
    let mut text = mail.body.clone();
    if mail.kind == MailKind::Uitnodiging && mail.link.is_none() {
        // Delivered, failed or expired: the one-time link is no longer kept (docs/email.md).
        text.push_str("\n\nUw persoonlijke link: (niet meer bewaard)");
    }
    if let Some(link) = &mail.link {
        let caption = if mail.kind == MailKind::Uitnodiging {
            "Uw persoonlijke link:"
        } else {
            "Bekijk het in verzuim:"
        };
        text.push_str(&format!(
            "\n\n{caption}\n{}{}",
            base_url.trim_end_matches('/'),
            link
        ));
    }
    text.push_str("\n\n-- \nDeze e-mail is automatisch verstuurd door verzuim; antwoorden wordt niet gelezen.");
    if mail.user_id.is_some() {
        text.push_str(&format!(
            "\nWelke e-mail u krijgt, stelt u in op {}{}.",
            base_url.trim_end_matches('/'),
            settings_path(mail)
        ));
    }
    text.push('\n');
    text
}

/// The date `n` working days (Monday to Friday) before `date`.
pub fn working_days_before(date: Date, n: u32) -> Date {
    let mut d = date;
    let mut left = n;
    while left > 0 {
        d = d.yesterday().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    d
}

/// What one run of the daily job did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DailyMailReport {
    /// Deadline mails written (two working days ahead, and overdue).
    pub deadline_mails: u32,
    /// Summaries written.
    pub summaries: u32,
    /// Invitations whose one-time link expired (7 days) and was removed from the outbox.
    pub expired_links: u64,
    /// Old rows removed from the outbox.
    pub purged: u64,
}

/// The daily job for `today`, unless another process ran it today (`None`): claims the day in
/// `job_runs` and does its work in the same transaction (see `verzuim_store`'s jobs): deadline
/// mail, summaries, the expired invitations' links removed from the outbox, and old rows purged.
pub async fn daily_mail(
    store: &Store,
    today: Date,
    process: &str,
) -> Result<Option<DailyMailReport>> {
    let mut tx = store.begin().await?;
    if !tx
        .claim_job_run(DAILY_JOB, &today.to_string(), process)
        .await?
    {
        tx.rollback().await?;
        return Ok(None);
    }
    let report = DailyMailReport {
        deadline_mails: deadline_mails(&mut tx, today).await?,
        summaries: summaries(&mut tx).await?,
        expired_links: tx
            .expire_invitation_links(tx.now() - crate::parents::INVITATION_VALID)
            .await?,
        purged: tx
            .purge_mail(tx.now() - jiff::SignedDuration::from_hours(24 * KEEP_DAYS))
            .await?,
    };
    tx.commit().await?;
    Ok(Some(report))
}

/// A task's deadline (docs/workflow.md, the card's terms): a mail two working days before it,
/// and one on the first day it is overdue, to the users of the task's party in its organisation.
/// Each at most once per task (a key per task and moment), also when a day's run was missed.
pub async fn deadline_mails(tx: &mut Tx, today: Date) -> Result<u32> {
    // Every open task due within the coming week: the two working days lie within it.
    let horizon = today
        .checked_add(jiff::Span::new().days(7))
        .unwrap_or(today);
    let tasks: Vec<Task> = tx.open_tasks_due_by(horizon).await?;
    // Overdue mail for deadlines of the last two weeks: a run that was missed still sends it,
    // and turning mail on for an old database does not mail every task ever overdue.
    let overdue_since = today
        .checked_sub(jiff::Span::new().days(OVERDUE_WINDOW_DAYS))
        .unwrap_or(today);
    let mut n = 0;
    for task in tasks {
        let Some(due) = task.due else { continue };
        let (moment, subject, body) = if due < today && due >= overdue_since {
            (
                "verlopen",
                "Een taak is over de termijn",
                "De termijn van een taak in verzuim is verlopen. De taak staat nog open.",
            )
        } else if due >= today && working_days_before(due, 2) <= today {
            (
                "binnenkort",
                "Een taak verloopt over twee werkdagen",
                "Over twee werkdagen verloopt de termijn van een taak in verzuim.",
            )
        } else {
            continue;
        };
        let users = tx
            .members_with_roles(&task.organisation_id, roles_of(task.party))
            .await?;
        let text = Text {
            subject,
            body: format!("{body}\n\n{NO_DETAILS}"),
        };
        n += to_users(
            tx,
            MailKind::Termijn,
            &users,
            &text,
            tasks_page(task.party),
            Some(&format!("termijn:{moment}:task:{}", task.id)),
        )
        .await?;
    }
    Ok(n)
}

/// One summary per recipient of the mails held for it; the held mails are marked summarised.
pub async fn summaries(tx: &mut Tx) -> Result<u32> {
    let held = tx.held_mail().await?;
    let mut n = 0;
    let mut i = 0;
    while i < held.len() {
        let recipient = held[i].recipient.clone();
        let group: Vec<&OutboxMail> = held[i..]
            .iter()
            .take_while(|m| m.recipient == recipient)
            .collect();
        i += group.len();
        // A parent's summary (only parents' kinds) greets a parent and links to the portal.
        let parent = group.iter().all(|m| PARENT_KINDS.contains(&m.kind));
        let mut lines = format!(
            "Beste {},\n\nDit is uw dagelijkse samenvatting van verzuim. Sinds de vorige \
             samenvatting:\n",
            if parent {
                "ouder of verzorger"
            } else {
                "gebruiker"
            }
        );
        let mut kinds: Vec<(MailKind, u32)> = Vec::new();
        for m in &group {
            match kinds.iter_mut().find(|(k, _)| *k == m.kind) {
                Some((_, c)) => *c += 1,
                None => kinds.push((m.kind, 1)),
            }
        }
        for (kind, count) in &kinds {
            lines.push_str(&format!("\n- {}: {count}", kind_label(*kind)));
        }
        lines.push_str(&format!("\n\n{NO_DETAILS}"));
        let ids: Vec<i64> = group.iter().map(|m| m.id).collect();
        tx.enqueue_mail(&NewMail {
            kind: MailKind::Samenvatting,
            recipient: recipient.clone(),
            user_id: group[0].user_id,
            subject: "Uw dagelijkse samenvatting van verzuim".to_owned(),
            body: lines,
            link: Some(if parent { PARENTS_HOME } else { "/" }.to_owned()),
            dedup_key: None,
            held: false,
        })
        .await?;
        tx.mail_summarised(&ids).await?;
        n += 1;
    }
    Ok(n)
}

/// One choice of the settings page and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub kind: MailKind,
    pub mode: MailMode,
}

/// A user's choice for each of `kinds` (of [`STAFF_KINDS`] or [`PARENT_KINDS`]; `direct`
/// where none is stored, and always for [`ALWAYS_DIRECT`]). Each user chooses for themselves:
/// the server passes the logged-in user.
pub async fn preferences(
    store: &Store,
    user: UserId,
    kinds: &[MailKind],
) -> Result<Vec<Preference>> {
    let stored = store.mail_preferences(user).await?;
    Ok(kinds
        .iter()
        .map(|&kind| Preference {
            kind,
            mode: if ALWAYS_DIRECT.contains(&kind) {
                MailMode::Direct
            } else {
                stored
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(MailMode::Direct, |(_, m)| *m)
            },
        })
        .collect())
}

/// The kinds a user chooses for: a member of an organisation [`STAFF_KINDS`], a parent
/// [`PARENT_KINDS`] (a teacher who is also a parent: both).
pub async fn kinds_for(store: &Store, user: UserId) -> Result<Vec<MailKind>> {
    let mut c = store.connection().await?;
    let mut kinds = Vec::new();
    if !c.memberships_of_user(user).await?.is_empty() {
        kinds.extend_from_slice(STAFF_KINDS);
    }
    if c.is_parent(user).await? {
        kinds.extend_from_slice(PARENT_KINDS);
    }
    Ok(kinds)
}

/// Stores a user's choices, all or none, with the request's audit row in the same transaction.
/// The kinds of [`ALWAYS_DIRECT`] cannot be put off or delayed. Returns the choices of `kinds`.
pub async fn set_preferences(
    store: &Store,
    user: UserId,
    choices: &[Preference],
    kinds: &[MailKind],
    audit: &verzuim_store::AuditEntry,
) -> Result<Vec<Preference>> {
    for c in choices {
        if !CHOOSABLE.contains(&c.kind) {
            return Err(ServiceError::invalid(format!(
                "voor e-mail van de soort \"{}\" valt niets te kiezen",
                c.kind
            )));
        }
        if c.kind == MailKind::Termijn && c.mode != MailMode::Direct {
            return Err(ServiceError::invalid(
                "e-mail over de termijn van een taak komt altijd meteen; die kunt u niet \
                 uitzetten of uitstellen",
            ));
        }
        if c.kind == MailKind::Verlof && c.mode != MailMode::Direct {
            return Err(ServiceError::invalid(
                "e-mail over een besluit op een verlofaanvraag komt altijd meteen: met het \
                 besluit begint de termijn van zes weken voor bezwaar",
            ));
        }
    }
    let mut tx = store.begin().await?;
    for c in choices {
        tx.set_mail_preference(user, c.kind, c.mode).await?;
    }
    tx.audit(audit).await?;
    tx.commit().await?;
    preferences(store, user, kinds).await
}

/// Backoff after `attempts` failed attempts: 1 minute, doubling each time, at most 4 hours
/// (`base` replaces the minute in tests).
pub fn backoff(attempts: u32, base: std::time::Duration) -> std::time::Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(12);
    (base * factor).min(std::time::Duration::from_secs(4 * 3600))
}

/// When the next attempt of a mail that failed `attempts` times may start.
pub fn next_attempt(now: Timestamp, attempts: u32, base: std::time::Duration) -> Timestamp {
    let wait = jiff::SignedDuration::try_from(backoff(attempts, base))
        .unwrap_or(jiff::SignedDuration::from_hours(4));
    now + wait
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::time::Duration;

    #[test]
    fn two_working_days_skip_the_weekend() {
        // Wednesday -> Monday; Monday -> the Thursday before; Tuesday -> the Friday before.
        assert_eq!(working_days_before(date(2026, 9, 16), 2), date(2026, 9, 14));
        assert_eq!(working_days_before(date(2026, 9, 14), 2), date(2026, 9, 10));
        assert_eq!(working_days_before(date(2026, 9, 15), 2), date(2026, 9, 11));
    }

    #[test]
    fn parent_addresses_are_split_and_checked() {
        assert_eq!(
            parent_addresses(Some("A@Ouder.nl; b@ouder.nl,geen-adres  a@ouder.nl")),
            vec!["a@ouder.nl".to_owned(), "b@ouder.nl".to_owned()]
        );
        assert!(parent_addresses(None).is_empty());
        assert!(!plausible_address("x@localhost"));
        assert!(!plausible_address("a b@c.nl"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let m = Duration::from_secs(60);
        assert_eq!(backoff(1, m), m);
        assert_eq!(backoff(2, m), 2 * m);
        assert_eq!(backoff(4, m), 8 * m);
        assert_eq!(backoff(30, m), Duration::from_secs(4 * 3600));
    }
}
