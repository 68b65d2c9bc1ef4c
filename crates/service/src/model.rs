//! The words of the service's API: the data its calls take and give (roles, kinds of
//! organisation, pages, ids, the stored records of pupils, cases, tasks, meldingen, referrals,
//! parents' requests, mails), as the store defines them. Callers of the service (the server, the
//! demo's pages) name these, never the store crate itself: only the builder of the application
//! opens a [`crate::Store`].

pub use verzuim_store::auth_queries::AuditFilter;
pub use verzuim_store::leerplicht_queries::{
    ConversationWith, Invitation, LeerplichtAction, LeerplichtActionKind, NewLeerplichtAction,
};
pub use verzuim_store::letters::{NewLetter, StoredLetter};
pub use verzuim_store::outbox::{MailKind, MailMode, MailStatus, OutboxMail};
pub use verzuim_store::parents::{
    LeaveDecider, LeaveDecision, LeaveDocument, LeaveKind, LeaveRequest, LeaveStatus,
    NewLeaveRequest, ParentInvitation, SickReport, SickReportEnd,
};
pub use verzuim_store::region_queries::{
    DuoClosingReason, DuoDetails, DuoRecord, DuoStatusEntry, DuoSubmission, EvidenceSpan, PhoneOf,
    ResidentPupil, SchoolContact, YearAction, YearMelding,
};
pub use verzuim_store::{
    Actor, ApiToken, AuditEntry, AuditRecord, Case, CaseId, CurrentRecord, DEFAULT_PAGE_SIZE,
    EventId, HistoryEntry, InformedHow, JgzNote, Letterhead, LoginState, MAX_PAGE_SIZE, Melding,
    MeldingId, MeldingStatus, MemberSecondFactor, Membership, NewApiToken, NewUser, OrgKind,
    Organisation, Page, ParentInformation, PupilData, Referral, ReferralId, ReferralStatus,
    RegistrationId, RetentionReport, Role, SchoolSettings, Scope, SecondFactor, Session, SignalId,
    SignalStatus, StoredEvent, StoredEvidence, StoredPupil, StoredRegistration, StoredSignal, Task,
    TaskId, TaskStatus, ThrottleKey, TokenId, User, UserId, VersionRef, hash_token, pupil_ref,
};
pub use verzuim_store::{
    InboxTask, MeldingLink, NumberKind, ReferralLink, TaskLink, TaskLinkKind, TimelineEntry,
};
