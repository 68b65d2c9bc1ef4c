//! The store's own record types. Engine types (`School`, `Pupil`, `Registration`, `Event`,
//! `Signal`, …) are reused where they fit; these add what storage adds: ids, versions, statuses,
//! timestamps and who did it.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use verzuim_engine::model::{
    Event, Evidence, Party, Period, Pupil, Registration, SignalAction, SignalKind, Trigger,
};
use verzuim_engine::model::{PupilRecord, School};

pub type UserId = i64;
pub type TokenId = i64;
pub type RegistrationId = i64;
pub type EventId = i64;
pub type SignalId = i64;
pub type CaseId = i64;
pub type TaskId = i64;
pub type MeldingId = i64;
pub type ReferralId = i64;

macro_rules! names {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use names;

names! {
    /// The kind of an organisation.
    OrgKind { School = "school", Gemeente = "gemeente", GgdJgz = "ggd_jgz" }
}

names! {
    /// A user's role within one organisation.
    Role {
        Leerkracht = "leerkracht",
        Verzuimcoordinator = "verzuimcoordinator",
        Leerplichtambtenaar = "leerplichtambtenaar",
        Jgz = "jgz",
        Beheerder = "beheerder",
        Directeur = "directeur",
    }
}

names! {
    /// Whether a stored signal still stands.
    SignalStatus { Active = "active", Withdrawn = "withdrawn" }
}

names! {
    /// A task's status.
    TaskStatus { Open = "open", Done = "done", NotNeeded = "not_needed" }
}

names! {
    /// DUO's statuses of a melding in the verzuimregister.
    MeldingStatus {
        Geregistreerd = "geregistreerd",
        InBehandeling = "in_behandeling",
        Afgesloten = "afgesloten",
        Ingetrokken = "ingetrokken",
        TerKennisgevingAangenomen = "ter_kennisgeving_aangenomen",
    }
}

names! {
    /// A referral's status: all that a school sees of GGD-JGZ's work.
    ReferralStatus {
        Aangemeld = "aangemeld",
        InBehandeling = "in_behandeling",
        NietVerschenenZonderTegenbericht = "niet_verschenen_zonder_tegenbericht",
        Afgerond = "afgerond",
        Ingetrokken = "ingetrokken",
    }
}

names! {
    /// How the parents were informed.
    InformedHow {
        Gesprek = "gesprek",
        Telefoon = "telefoon",
        Brief = "brief",
        Email = "email",
        Anders = "anders",
    }
}

/// Who did something: stored as text (`user:12`, `token:3`, `system`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    User(UserId),
    Token(TokenId),
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Token(id) => write!(f, "token:{id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

impl Actor {
    pub fn user_id(self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(id),
            _ => None,
        }
    }
}

/// The fixed at most [`MAX_PAGE_SIZE`] rows of a list, from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u32,
    offset: u32,
}

/// No list returns more rows than this at once.
pub const MAX_PAGE_SIZE: u32 = 200;
/// The page size when the caller names none.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

impl Page {
    /// A page of `limit` rows (capped at [`MAX_PAGE_SIZE`], at least 1) after `offset` rows.
    pub fn new(limit: u32, offset: u32) -> Page {
        Page {
            limit: limit.clamp(1, MAX_PAGE_SIZE),
            offset,
        }
    }

    pub fn first(limit: u32) -> Page {
        Page::new(limit, 0)
    }

    pub fn limit(self) -> u32 {
        self.limit
    }

    pub fn offset(self) -> u32 {
        self.offset
    }

    /// The page after this one.
    pub fn next(self) -> Page {
        Page::new(self.limit, self.offset.saturating_add(self.limit))
    }
}

impl Default for Page {
    fn default() -> Page {
        Page::new(DEFAULT_PAGE_SIZE, 0)
    }
}

/// The organisation on whose behalf a pupil-bound read runs. It becomes part of the query:
/// a school sees its own pupils; a municipality (leerplicht) sees pupils with a melding to it;
/// a GGD-JGZ organisation sees pupils referred to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    School(&'a str),
    Municipality(&'a str),
    Ggd(&'a str),
}

/// Letterhead fields of an organisation (for letters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letterhead {
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A school (BRIN), a municipality (CBS code like `GM0153`) or a GGD-JGZ organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    pub letterhead: Letterhead,
}

/// A school's settings: the engine's `School` (its `id` and `name` are the organisation's) and
/// the card it uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSettings {
    pub card_id: String,
    pub school: School,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Stored lower-cased and trimmed; unique.
    pub email: String,
    pub display_name: String,
    /// An argon2id PHC string; the store never sees a password.
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub user_id: UserId,
    pub organisation_id: String,
    pub role: Role,
    /// For `leerkracht`: the groups the teacher registers for.
    pub groups: Vec<String>,
}

/// A server-side session. `id` is the SHA-256 (hex) of the cookie's random token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Whose failed logins are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleKey<'a> {
    Account(&'a str),
    Address(&'a str),
}

/// A throttle counter: the attempts counted since the last success (each counted before it was
/// checked, so a success in flight counts until it resets them), and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub last_failure: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub organisation_id: String,
    pub name: String,
    /// SHA-256 (hex) of the token; see [`crate::hash_token`].
    pub token_hash: String,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub organisation_id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// Everything pupils.csv says about a pupil: the engine's `Pupil` and the optional columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilData {
    pub pupil: Pupil,
    pub name: Option<String>,
    pub bsn: Option<String>,
    pub onderwijsnummer: Option<String>,
    pub parent_name: Option<String>,
    pub parent_email: Option<String>,
    pub parent_phone: Option<String>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

impl PupilData {
    /// A pupil with only the engine's fields.
    pub fn new(pupil: Pupil) -> PupilData {
        PupilData {
            pupil,
            name: None,
            bsn: None,
            onderwijsnummer: None,
            parent_name: None,
            parent_email: None,
            parent_phone: None,
            street: None,
            postcode: None,
            city: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPupil {
    pub school_id: String,
    pub data: PupilData,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A version of a registration or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionRef {
    pub id: i64,
    pub version: i64,
}

/// One version of a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRegistration {
    pub id: RegistrationId,
    pub version: i64,
    pub registration: Registration,
    pub note: Option<String>,
    /// This version deletes the registration.
    pub deleted: bool,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// One version of a manual event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub id: EventId,
    pub version: i64,
    pub event: Event,
    pub deleted: bool,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A pupil's current data as the engine takes it, with the stored version behind each
/// registration and event (same order), so evidence can name stable ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentRecord {
    pub school_id: String,
    pub record: PupilRecord,
    pub registrations: Vec<VersionRef>,
    pub events: Vec<VersionRef>,
}

impl CurrentRecord {
    /// The engine's index-based evidence, as stable references to stored versions.
    pub fn stored_evidence(&self, evidence: &[Evidence]) -> Vec<StoredEvidence> {
        evidence
            .iter()
            .filter_map(|e| match *e {
                Evidence::Registration { index, minutes } => {
                    self.registrations
                        .get(index)
                        .map(|r| StoredEvidence::Registration {
                            id: r.id,
                            version: r.version,
                            minutes,
                        })
                }
                Evidence::Event { index } => {
                    self.events.get(index).map(|r| StoredEvidence::Event {
                        id: r.id,
                        version: r.version,
                    })
                }
                Evidence::Deregistration { enrolled_until } => {
                    Some(StoredEvidence::Deregistration { enrolled_until })
                }
            })
            .collect()
    }
}

/// What made a stored signal: versions that stay valid after later changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StoredEvidence {
    Registration {
        id: RegistrationId,
        version: i64,
        minutes: u32,
    },
    Event {
        id: EventId,
        version: i64,
    },
    Deregistration {
        enrolled_until: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignal {
    pub id: SignalId,
    pub school_id: String,
    pub pupil_id: String,
    pub case_id: Option<CaseId>,
    pub kind: SignalKind,
    pub date: Date,
    pub count: Option<u32>,
    pub stage: Option<String>,
    pub minutes: Option<u32>,
    pub period: Option<Period>,
    pub evidence: Vec<StoredEvidence>,
    pub pupil_participates: bool,
    pub actions: Vec<SignalAction>,
    pub status: SignalStatus,
    pub created_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub withdrawn_reason: Option<String>,
}

/// A pupil's dossier: opened by a signal, extended by later ones, closed by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub school_id: String,
    pub pupil_id: String,
    pub kinds: Vec<SignalKind>,
    pub opened_on: Date,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub closed_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub case_id: CaseId,
    pub signal_id: Option<SignalId>,
    pub party: Party,
    /// The organisation that must do it.
    pub organisation_id: String,
    pub text: String,
    pub melding: bool,
    pub referral: bool,
    pub trigger: Option<Trigger>,
    pub due: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub case_id: CaseId,
    pub signal_id: Option<SignalId>,
    pub school_id: String,
    pub pupil_id: String,
    pub party: Party,
    pub organisation_id: String,
    pub text: String,
    pub melding: bool,
    pub referral: bool,
    pub trigger: Option<Trigger>,
    pub due: Option<Date>,
    pub status: TaskStatus,
    pub status_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One status change of a task, melding or referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub actor: String,
    pub status: String,
    pub reason: Option<String>,
}

/// The legal content of a melding (docs/spec/rules.md §7); the persoonsgebonden nummer is the pupil's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMelding {
    pub case_id: CaseId,
    /// The home municipality's CBS code (`GM0153`).
    pub municipality: String,
    pub verzuim_kind: SignalKind,
    pub period: Period,
    /// The absence time, in minutes (the export states hours).
    pub minutes: u32,
    pub suspected_reason: String,
    pub school_actions: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Melding {
    pub id: MeldingId,
    pub case_id: CaseId,
    pub school_id: String,
    pub pupil_id: String,
    pub municipality: String,
    pub verzuim_kind: SignalKind,
    pub period: Period,
    pub minutes: u32,
    pub suspected_reason: String,
    pub school_actions: String,
    pub status: MeldingStatus,
    pub status_reason: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub updated_at: Timestamp,
    /// How many changes after the melding mark it "gewijzigd na melding" (issue 10.3;
    /// `melding_changes`): the melding itself stays as sent.
    #[serde(default)]
    pub changes_after: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: ReferralId,
    pub case_id: CaseId,
    pub school_id: String,
    pub pupil_id: String,
    pub ggd_id: String,
    pub status: ReferralStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// GGD-JGZ's own note on a referral. Never shown to a school or leerplicht.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JgzNote {
    pub id: i64,
    pub referral_id: ReferralId,
    pub text: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParentInformation {
    pub case_id: Option<CaseId>,
    pub task_id: Option<TaskId>,
    pub informed_on: Date,
    pub how: InformedHow,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentInformation {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub case_id: Option<CaseId>,
    pub task_id: Option<TaskId>,
    pub informed_on: Date,
    pub how: InformedHow,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// An audit entry to append. `pupil` names a pupil as `school_id/pupil_id`
/// (see [`crate::pupil_ref`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: Actor,
    pub organisation_id: Option<String>,
    pub action: String,
    pub object: String,
    pub pupil: Option<String>,
    pub address: Option<String>,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: Timestamp,
    pub user_id: Option<UserId>,
    pub actor: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub object: String,
    pub pupil: Option<String>,
    pub address: Option<String>,
    pub outcome: String,
}

/// What retention removed, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCounts {
    pub pupils: u64,
    pub registrations: u64,
    pub registration_versions: u64,
    pub events: u64,
    pub event_versions: u64,
    pub signals: u64,
    pub cases: u64,
    pub tasks: u64,
    pub task_history: u64,
    pub meldingen: u64,
    pub melding_history: u64,
    pub referrals: u64,
    pub referral_history: u64,
    pub jgz_notes: u64,
    pub parent_information: u64,
}

impl RetentionCounts {
    pub(crate) fn add(&mut self, o: &RetentionCounts) {
        self.pupils += o.pupils;
        self.registrations += o.registrations;
        self.registration_versions += o.registration_versions;
        self.events += o.events;
        self.event_versions += o.event_versions;
        self.signals += o.signals;
        self.cases += o.cases;
        self.tasks += o.tasks;
        self.task_history += o.task_history;
        self.meldingen += o.meldingen;
        self.melding_history += o.melding_history;
        self.referrals += o.referrals;
        self.referral_history += o.referral_history;
        self.jgz_notes += o.jgz_notes;
        self.parent_information += o.parent_information;
    }
}

/// The outcome of [`crate::Store::apply_retention`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    /// Pupils whose enrolment ended before this date were removed.
    pub cutoff: Date,
    /// Per school (each also has its own audit row).
    pub schools: Vec<(String, RetentionCounts)>,
    pub total: RetentionCounts,
}
