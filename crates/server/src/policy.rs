//! Who may call a route, declared once, on the route.
//!
//! A [`Policy`] says who may call a route: anyone, a login session, any logged-in caller, a
//! person, or one of a list of roles (the service's lists in [`verzuim_service::caller`], in
//! order of preference) and perhaps an API token with a [`Permission`]; for which kinds of
//! organisation; and how the organisation acted for is chosen ([`OrgFrom`]). Routes are
//! registered with their policy:
//!
//! ```ignore
//! // The JSON API (utoipa): the policy also writes the operation's `security`, `x-rollen`,
//! // `x-permissie` and `x-organisatie` into the OpenAPI document.
//! OpenApiRouter::new()
//!     .routes_with(routes!(list_pupils), &policy::PUPILS_READ)
//!     .routes_with(routes!(create_pupil), &policy::PUPILS_WRITE)
//! // The pages (see `crate::web::routes`):
//! PageRoutes::new().get("/leerlingen", dossier::list, &policy::PAGE_SCHOOL_PUPILS)
//! ```
//!
//! A route layer puts the policy into the request's extensions and enforces it before the
//! handler (401, 403 with a `denied` audit row, 400 `organisatie_kiezen`, see
//! [`crate::acting`]); for role policies it leaves the [`Acting`](crate::acting::Acting) for
//! the handler's extractor. There is no way to register an API route or a page without a
//! policy through these routers, and the role-matrix tests read the declarations back (the
//! OpenAPI document's extensions, [`crate::web::route_policies`]).

use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::security::SecurityRequirement;
use verzuim_service::caller::{
    ADMIN_ROLES, JGZ_ROLES, LEAVE_ROLES, LEERPLICHT_ROLES, MELDING_ROLES, PUPIL_READ_ONE_ROLES,
    PUPIL_READ_ROLES, PUPIL_ROLES, REFERRAL_ROLES, REGISTER_ROLES, REGISTRATION_READ_ROLES,
    SCHOOL_WORKFLOW_ROLES, SETTINGS_READ_ROLES, SIGNAL_READ_ROLES, TASK_ROLES,
};
use verzuim_service::model::{OrgKind, Role};

use crate::authz::Permission;

mod routes;

pub use routes::{PageRoute, PageRoutes, PolicyRoutes, RoutePolicy};

/// Who may call a route (see the module documentation).
#[derive(Debug, PartialEq, Eq)]
pub struct Policy {
    /// A short name, for tests and logs (`PUPILS_READ`).
    pub name: &'static str,
    pub access: Access,
    /// With [`Access::Roles`]: the roles, in order of preference (the first the user has in the
    /// organisation becomes the service caller's role).
    pub roles: &'static [Role],
    /// With [`Access::Roles`]: the permission an API token of the organisation needs (`None`:
    /// users only).
    pub permission: Option<Permission>,
    /// The kinds of organisation acted for (empty: any kind the roles fit).
    pub kinds: &'static [OrgKind],
    /// How the organisation acted for is chosen.
    pub org: OrgFrom,
    /// Also admitted: whoever this other policy admits (a page for two kinds of organisation,
    /// each with its own roles).
    pub or: Option<&'static Policy>,
}

/// Who gets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials (health, login, logout, static files, an invitation).
    Anyone,
    /// A login session, also one with a step to do (the second factor, a new password): the
    /// handler resolves it ([`crate::auth::login::SessionUser`]); a token is refused there.
    Session,
    /// Any logged-in person or API token (401 otherwise).
    Authenticated,
    /// A logged-in person (401 without; 403 for an API token), whatever their roles.
    Person,
    /// One of [`Policy::roles`] in the organisation acted for, or an API token of it with
    /// [`Policy::permission`] (401 without credentials, 403 otherwise).
    Roles,
}

/// How the organisation a request acts for is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgFrom {
    /// The route acts for no organisation (or the handler picks it).
    None,
    /// The school in the path (`{school}`) when the route has one and the user has one of the
    /// roles there; else `?org=`, the token's own, or the user's one organisation with one of the
    /// roles (400 `organisatie_kiezen` with several). A refusal writes a `denied` audit row.
    Acting,
    /// The organisation in the path (`{org}`): the user must have one of the roles there (a
    /// token never).
    PathOrg,
    /// A page's: the membership the user acts in (the switcher's choice).
    Membership,
}

impl Policy {
    const fn open(name: &'static str, access: Access) -> Policy {
        Policy {
            name,
            access,
            roles: &[],
            permission: None,
            kinds: &[],
            org: OrgFrom::None,
            or: None,
        }
    }

    /// Anyone, no credentials needed.
    pub const fn anyone(name: &'static str) -> Policy {
        Policy::open(name, Access::Anyone)
    }

    /// A login session in any step; the handler resolves it.
    pub const fn session(name: &'static str) -> Policy {
        Policy::open(name, Access::Session)
    }

    /// Any logged-in person or API token.
    pub const fn authenticated(name: &'static str) -> Policy {
        Policy::open(name, Access::Authenticated)
    }

    /// A logged-in person.
    pub const fn person(name: &'static str) -> Policy {
        Policy::open(name, Access::Person)
    }

    /// One of `roles` (in order of preference) in the organisation acted for, chosen by
    /// [`OrgFrom::Acting`].
    pub const fn roles(name: &'static str, roles: &'static [Role]) -> Policy {
        Policy {
            name,
            access: Access::Roles,
            roles,
            permission: None,
            kinds: &[],
            org: OrgFrom::Acting,
            or: None,
        }
    }

    /// A page for one of `roles` (the membership the user acts in).
    pub const fn page(name: &'static str, roles: &'static [Role]) -> Policy {
        Policy::roles(name, roles).org(OrgFrom::Membership)
    }

    /// Also whoever `other` admits.
    pub const fn or(mut self, other: &'static Policy) -> Policy {
        self.or = Some(other);
        self
    }

    /// Also an API token of the organisation with `permission`.
    pub const fn token(mut self, permission: Permission) -> Policy {
        self.permission = Some(permission);
        self
    }

    /// The organisation chosen another way.
    pub const fn org(mut self, org: OrgFrom) -> Policy {
        self.org = org;
        self
    }

    /// Only for organisations of these kinds.
    pub const fn kinds(mut self, kinds: &'static [OrgKind]) -> Policy {
        self.kinds = kinds;
        self
    }

    /// Whether a user acting in `role` for an organisation of `kind` passes (role policies; the
    /// others pass any role).
    pub fn admits(&self, role: Role, kind: OrgKind) -> bool {
        match self.access {
            Access::Roles => {
                self.roles.contains(&role) && (self.kinds.is_empty() || self.kinds.contains(&kind))
                    || self.or.is_some_and(|o| o.admits(role, kind))
            }
            _ => true,
        }
    }

    /// The operation's OpenAPI `security`: none for [`Access::Anyone`]; the session cookie; and
    /// a token (with the permission) where one may call.
    pub fn security(&self) -> Option<Vec<SecurityRequirement>> {
        let sessie = || SecurityRequirement::new::<_, _, &str>("sessie", []);
        match self.access {
            Access::Anyone => None,
            Access::Session | Access::Person => Some(vec![sessie()]),
            Access::Authenticated => Some(vec![
                sessie(),
                SecurityRequirement::new::<_, _, &str>("token", []),
            ]),
            Access::Roles => {
                let mut s = vec![sessie()];
                if let Some(p) = self.permission {
                    s.push(SecurityRequirement::new("token", [p.as_str()]));
                }
                Some(s)
            }
        }
    }

    /// The OpenAPI extension that states the policy, `x-toegang` (one extension: the keys of an
    /// operation's extensions are written in no fixed order, the keys of one value are):
    /// `{"wie": "iedereen" | "sessie" | "ingelogd" | "persoon" | "rollen", "rollen": [...],
    /// "permissie": "...", "organisatiesoorten": [...], "organisatie": "..."}`.
    pub fn extensions(&self) -> utoipa::openapi::extensions::Extensions {
        let who = match self.access {
            Access::Anyone => "iedereen",
            Access::Session => "sessie",
            Access::Authenticated => "ingelogd",
            Access::Person => "persoon",
            Access::Roles => "rollen",
        };
        let mut v = serde_json::Map::new();
        v.insert("wie".into(), who.into());
        if self.access == Access::Roles {
            let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
            v.insert("rollen".into(), roles.into());
            if let Some(p) = self.permission {
                v.insert("permissie".into(), p.as_str().into());
            }
            if !self.kinds.is_empty() {
                let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
                v.insert("organisatiesoorten".into(), kinds.into());
            }
            let org = match self.org {
                OrgFrom::None => "geen",
                OrgFrom::Acting => "school_in_pad_of_org",
                OrgFrom::PathOrg => "org_in_pad",
                OrgFrom::Membership => "gekozen_rol",
            };
            v.insert("organisatie".into(), org.into());
        }
        ExtensionsBuilder::new()
            .add("x-toegang", serde_json::Value::Object(v))
            .build()
    }
}

/// The pages' policies.
mod page_policies {
    use super::*;

    /// Anyone: the login, the start page, a parent's invitation, the demo mailbox.
    pub static PAGE_PUBLIC: Policy = Policy::anyone("PAGE_PUBLIC");
    /// The login's steps and one's own second factor: a session in any step.
    pub static PAGE_LOGIN_STEP: Policy = Policy::session("PAGE_LOGIN_STEP");
    /// One's own pages (password, e-mail choices, switching roles, a letter in one's scope), and
    /// the parents' portal: a logged-in person.
    pub static PAGE_OWN: Policy = Policy::person("PAGE_OWN");
    /// The register: a school's teachers and coordinator.
    pub static PAGE_REGISTER: Policy =
        Policy::page("PAGE_REGISTER", REGISTER_ROLES).kinds(&[OrgKind::School]);
    /// The coordinator's tasks.
    pub static PAGE_TASKS: Policy = Policy::page("PAGE_TASKS", SCHOOL_WORKFLOW_ROLES);
    /// Early signals: the school's coordinator.
    pub static PAGE_EARLY: Policy =
        Policy::page("PAGE_EARLY", SCHOOL_WORKFLOW_ROLES).kinds(&[OrgKind::School]);
    /// Leerplicht's meldingen, prikactie and year figures.
    pub static PAGE_LEERPLICHT: Policy =
        Policy::page("PAGE_LEERPLICHT", LEERPLICHT_ROLES).kinds(&[OrgKind::Gemeente]);
    /// One melding, its DUO view: leerplicht and the school's coordinator.
    pub static PAGE_MELDING: Policy = Policy::page("PAGE_MELDING", MELDING_ROLES);
    /// The school's DUO submission: its coordinator.
    pub static PAGE_SCHOOL_WORKFLOW: Policy =
        Policy::page("PAGE_SCHOOL_WORKFLOW", SCHOOL_WORKFLOW_ROLES).kinds(&[OrgKind::School]);
    /// GGD-JGZ's referrals.
    pub static PAGE_JGZ: Policy = Policy::page("PAGE_JGZ", JGZ_ROLES).kinds(&[OrgKind::GgdJgz]);
    /// One referral: GGD-JGZ and the school's coordinator.
    pub static PAGE_REFERRAL: Policy = Policy::page("PAGE_REFERRAL", REFERRAL_ROLES);
    /// The beheerder's pages of any organisation (users, audit log, second factor).
    pub static PAGE_ADMIN: Policy = Policy::page("PAGE_ADMIN", ADMIN_ROLES);
    /// A school beheerder's pages (lesson times, days off, groups, import).
    pub static PAGE_SCHOOL_ADMIN: Policy =
        Policy::page("PAGE_SCHOOL_ADMIN", ADMIN_ROLES).kinds(&[OrgKind::School]);
    /// The pupil list, a pupil's data, the parents' invitations, the DUO contact: the school's
    /// coordinator and beheerder.
    pub static PAGE_SCHOOL_PUPILS: Policy =
        Policy::page("PAGE_SCHOOL_PUPILS", PUPIL_ROLES).kinds(&[OrgKind::School]);
    /// The overviews: a school's coordinator and beheerder, or leerplicht.
    pub static PAGE_OVERVIEW: Policy = Policy::page("PAGE_OVERVIEW", PUPIL_ROLES)
        .kinds(&[OrgKind::School])
        .or(&PAGE_LEERPLICHT);
    /// A pupil's dossier: the parties of its cases.
    pub static PAGE_DOSSIER: Policy = Policy::page("PAGE_DOSSIER", TASK_ROLES);
    /// A case's new letter: the parties that write letters.
    pub static PAGE_LETTERS: Policy = Policy::page("PAGE_LETTERS", TASK_ROLES);
    /// Leave requests: the director, the coordinator, leerplicht.
    pub static PAGE_LEAVE: Policy = Policy::page("PAGE_LEAVE", LEAVE_ROLES);
}

pub use page_policies::*;

/// The JSON API's policies.
mod api_policies {
    use super::*;

    pub static HEALTH: Policy = Policy::anyone("HEALTH");
    /// Login, logout: anyone.
    pub static LOGIN: Policy = Policy::anyone("LOGIN");
    /// The login's steps (second factor, enrolment): a session in any step.
    pub static LOGIN_STEP: Policy = Policy::session("LOGIN_STEP");
    /// Who one is: any person or token.
    pub static ME: Policy = Policy::authenticated("ME");
    /// One's own things (password, e-mail choices, the parents' portal): a person.
    pub static OWN: Policy = Policy::person("OWN");
    /// Lists of municipalities and GGD-JGZ organisations: anyone logged in.
    pub static DIRECTORY: Policy = Policy::authenticated("DIRECTORY");
    /// An organisation's tokens, users, second-factor rule and audit log: its beheerder.
    pub static ORG_ADMIN: Policy = Policy::roles("ORG_ADMIN", ADMIN_ROLES).org(OrgFrom::PathOrg);
    /// A school's settings.
    pub static SETTINGS_READ: Policy = Policy::roles("SETTINGS_READ", SETTINGS_READ_ROLES);
    pub static SETTINGS_WRITE: Policy = Policy::roles("SETTINGS_WRITE", ADMIN_ROLES);
    /// A school's pupil list.
    pub static PUPILS_READ: Policy =
        Policy::roles("PUPILS_READ", PUPIL_READ_ROLES).token(Permission::PupilsRead);
    /// One pupil.
    pub static PUPIL_READ: Policy =
        Policy::roles("PUPIL_READ", PUPIL_READ_ONE_ROLES).token(Permission::PupilsRead);
    /// Enrol, change, deregister, import.
    pub static PUPILS_WRITE: Policy =
        Policy::roles("PUPILS_WRITE", PUPIL_ROLES).token(Permission::PupilsWrite);
    /// A pupil's registrations.
    pub static REGISTRATIONS_READ: Policy =
        Policy::roles("REGISTRATIONS_READ", REGISTRATION_READ_ROLES)
            .token(Permission::RegistrationsRead);
    /// A pupil's events, the history of a registration or event.
    pub static RECORDS_READ: Policy =
        Policy::roles("RECORDS_READ", PUPIL_READ_ROLES).token(Permission::RegistrationsRead);
    /// Register, correct, delete registrations and events.
    pub static REGISTRATIONS_WRITE: Policy =
        Policy::roles("REGISTRATIONS_WRITE", REGISTER_ROLES).token(Permission::RegistrationsWrite);
    /// A school's signals.
    pub static SIGNALS_READ: Policy =
        Policy::roles("SIGNALS_READ", SIGNAL_READ_ROLES).token(Permission::SignalsRead);
    /// Cases and tasks, each organisation its own.
    pub static CASES_READ: Policy =
        Policy::roles("CASES_READ", TASK_ROLES).token(Permission::CasesRead);
    /// Complete a task, mark it not needed.
    pub static TASKS_WRITE: Policy =
        Policy::roles("TASKS_WRITE", TASK_ROLES).token(Permission::CasesWrite);
    /// Close, reopen a case: the school.
    pub static CASES_WRITE: Policy =
        Policy::roles("CASES_WRITE", SCHOOL_WORKFLOW_ROLES).token(Permission::CasesWrite);
    /// Meldingen: leerplicht and the school.
    pub static MELDINGEN_READ: Policy =
        Policy::roles("MELDINGEN_READ", MELDING_ROLES).token(Permission::MeldingenRead);
    pub static MELDINGEN_WRITE: Policy =
        Policy::roles("MELDINGEN_WRITE", MELDING_ROLES).token(Permission::MeldingenWrite);
    /// Leerplicht's afspraken on a melding.
    pub static MELDING_AFSPRAKEN: Policy =
        Policy::roles("MELDING_AFSPRAKEN", LEERPLICHT_ROLES).token(Permission::MeldingenWrite);
    /// The school's additions to a melding for DUO's verzuimregister, its submission and DUO's
    /// status: the coordinator of the school that made it.
    pub static DUO_WRITE: Policy = Policy::roles("DUO_WRITE", SCHOOL_WORKFLOW_ROLES)
        .kinds(&[OrgKind::School])
        .token(Permission::MeldingenWrite);
    /// The school's contact person in DUO's verzuimregister: its coordinator and beheerder.
    pub static SCHOOL_CONTACT: Policy =
        Policy::roles("SCHOOL_CONTACT", verzuim_service::duo::CONTACT_ROLES)
            .kinds(&[OrgKind::School]);
    /// Leerplicht's own actions, prikactie, year figures.
    pub static LEERPLICHT: Policy = Policy::roles("LEERPLICHT", LEERPLICHT_ROLES);
    /// Referrals: GGD-JGZ and the school.
    pub static REFERRALS: Policy = Policy::roles("REFERRALS", REFERRAL_ROLES);
    /// GGD-JGZ's own notes and afspraken.
    pub static JGZ: Policy = Policy::roles("JGZ", JGZ_ROLES);
    /// Inzage export, retention: the beheerder.
    pub static ADMIN: Policy = Policy::roles("ADMIN", ADMIN_ROLES);
}

pub use api_policies::*;
