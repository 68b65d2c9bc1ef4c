//! Who acts: a user (or an API token, or the system) on behalf of one organisation in one role.
//! The server maps its own session or token to a [`Caller`]; the service checks the role and the
//! organisation against what is asked (deny by default) and writes the actor into every history
//! row.

use verzuim_store::{Actor, AuditEntry, OrgKind, Role, Scope, TokenId, Tx, UserId};

use crate::error::{Result, ServiceError};

/// The acting party of a service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The logged-in user, if any.
    pub user: Option<UserId>,
    /// The API token, for systems (a school's administration package); `None` for users.
    pub token: Option<TokenId>,
    /// The organisation acted for: a school id (BRIN), a municipality's CBS code (`GM0153`) or a
    /// GGD-JGZ organisation's id.
    pub organisation: String,
    pub role: Role,
    /// The request's audit row (security.md, Audit log): a write of the service commits it in
    /// the transaction of its change (see [`Caller::audited`]). `None`: the caller audits
    /// otherwise (the pages, for now) or not at all (the system).
    pub audit: Option<AuditEntry>,
}

// The role lists of the service, each once: the service checks them, and the server's route
// policies (`verzuim_server::policy`) declare them on the routes. Listed in order of preference:
// a user with several of a list's roles in one organisation acts in the first.

/// Roles that register absence and events (a leerkracht only for own groups: the server checks
/// the groups). A coordinator who also teaches acts as coordinator.
pub const REGISTER_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Leerkracht];
/// Roles that enrol, change and deregister pupils and import files.
pub const PUPIL_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Beheerder];
/// Roles that read a school's pupils, their events and the history of registrations (a
/// leerkracht those of own groups).
pub const PUPIL_READ_ROLES: &[Role] =
    &[Role::Verzuimcoordinator, Role::Beheerder, Role::Leerkracht];
/// Roles that read one pupil: the school's, and leerplicht and GGD-JGZ within their scope.
pub const PUPIL_READ_ONE_ROLES: &[Role] = &[
    Role::Verzuimcoordinator,
    Role::Beheerder,
    Role::Leerkracht,
    Role::Leerplichtambtenaar,
    Role::Jgz,
];
/// Roles that read a pupil's registrations: the school's, and leerplicht within its scope.
pub const REGISTRATION_READ_ROLES: &[Role] = &[
    Role::Verzuimcoordinator,
    Role::Beheerder,
    Role::Leerkracht,
    Role::Leerplichtambtenaar,
];
/// Roles that read a school's signals.
pub const SIGNAL_READ_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Beheerder];
/// Roles that read a school's settings.
pub const SETTINGS_READ_ROLES: &[Role] = &[Role::Beheerder, Role::Verzuimcoordinator];
/// Roles that act on a school's tasks, meldingen and referrals.
pub const SCHOOL_WORKFLOW_ROLES: &[Role] = &[Role::Verzuimcoordinator];
/// Roles that read cases and act on tasks, each on its own organisation's.
pub const TASK_ROLES: &[Role] = &[
    Role::Verzuimcoordinator,
    Role::Leerplichtambtenaar,
    Role::Jgz,
];
/// Roles that read meldingen: leerplicht (to its municipality) and the school (its own).
pub const MELDING_ROLES: &[Role] = &[Role::Leerplichtambtenaar, Role::Verzuimcoordinator];
/// Roles that read referrals: GGD-JGZ (to it) and the school (its own).
pub const REFERRAL_ROLES: &[Role] = &[Role::Jgz, Role::Verzuimcoordinator];
/// Roles that act on leerplicht's tasks and on meldingen to the municipality.
pub const LEERPLICHT_ROLES: &[Role] = &[Role::Leerplichtambtenaar];
/// Roles that act on GGD-JGZ's tasks and referrals, and read and write its own notes.
pub const JGZ_ROLES: &[Role] = &[Role::Jgz];
/// Roles that handle leave requests: the school's director (decides) and coordinator (advises),
/// and leerplicht (decides beyond 10 days; Leerplichtwet 1969 art. 13a, art. 14).
pub const LEAVE_ROLES: &[Role] = &[
    Role::Directeur,
    Role::Verzuimcoordinator,
    Role::Leerplichtambtenaar,
];
/// Roles that change an organisation's settings and export inzage.
pub const ADMIN_ROLES: &[Role] = &[Role::Beheerder];

impl Caller {
    /// A user acting for `organisation` in `role`.
    pub fn user(user: UserId, organisation: impl Into<String>, role: Role) -> Caller {
        Caller {
            user: Some(user),
            token: None,
            organisation: organisation.into(),
            role,
            audit: None,
        }
    }

    /// An API token acting for `organisation` with the permissions of `role`.
    pub fn token(token: TokenId, organisation: impl Into<String>, role: Role) -> Caller {
        Caller {
            user: None,
            token: Some(token),
            organisation: organisation.into(),
            role,
            audit: None,
        }
    }

    /// The system acting for `organisation` (the demo seeder, scheduled jobs).
    pub fn system(organisation: impl Into<String>, role: Role) -> Caller {
        Caller {
            user: None,
            token: None,
            organisation: organisation.into(),
            role,
            audit: None,
        }
    }

    /// The same caller with the request's audit row, which the service's writes commit with
    /// their change (one transaction: no change without its row, no row without its change).
    pub fn audited(&self, row: &AuditEntry) -> Caller {
        Caller {
            audit: Some(row.clone()),
            ..self.clone()
        }
    }

    /// Appends the request's audit row, if any, in the change's transaction (just before its
    /// commit).
    pub(crate) async fn write_audit(&self, tx: &mut Tx) -> Result<()> {
        if let Some(row) = &self.audit {
            tx.audit(row).await?;
        }
        Ok(())
    }

    /// How history rows name this caller.
    pub fn actor(&self) -> Actor {
        match (self.user, self.token) {
            (Some(user), _) => Actor::User(user),
            (None, Some(token)) => Actor::Token(token),
            (None, None) => Actor::System,
        }
    }

    /// Refuses unless the caller's role is one of `roles`.
    pub(crate) fn require_role(&self, roles: &[Role], what: &str) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!(
                "de rol {} mag niet {what}",
                self.role.as_str()
            )))
        }
    }

    /// Refuses unless the caller acts for the school `school_id` in one of `roles`.
    pub(crate) fn require_school(&self, school_id: &str, roles: &[Role], what: &str) -> Result<()> {
        if self.organisation != school_id {
            return Err(ServiceError::forbidden(format!(
                "alleen de school zelf mag {what}"
            )));
        }
        self.require_role(roles, what)
    }

    /// The caller's read scope, from the kind of its organisation: a school sees its own
    /// pupils, a municipality the pupils with a melding to it, GGD-JGZ the pupils referred to it.
    pub async fn scope(&self, tx: &mut Tx) -> Result<Scope<'_>> {
        match tx.organisation_kind(&self.organisation).await? {
            Some(OrgKind::School) => Ok(Scope::School(&self.organisation)),
            Some(OrgKind::Gemeente) => Ok(Scope::Municipality(&self.organisation)),
            Some(OrgKind::GgdJgz) => Ok(Scope::Ggd(&self.organisation)),
            None => Err(ServiceError::forbidden("onbekende organisatie")),
        }
    }
}
