//! An organisation's users and roles, for its beheerder: list the memberships, add a user (or a
//! role to an existing user), remove a membership. A beheerder cannot remove the organisation's
//! last beheerder role of their own (they would lock themselves out). The server hashes
//! passwords: the service only ever sees a hash. A new user chooses their own password at the
//! first login (the beheerder only set the first one).

use verzuim_store::{
    AuditEntry, MAX_PAGE_SIZE, Membership, NewUser, OrgKind, Page, Role, Store, User, UserId,
};

use crate::caller::{ADMIN_ROLES, Caller};
use crate::error::{Result, ServiceError};

/// Which kinds of organisation a role belongs to.
pub fn role_fits(role: Role, kind: OrgKind) -> bool {
    match role {
        Role::Leerkracht | Role::Verzuimcoordinator | Role::Directeur => kind == OrgKind::School,
        Role::Leerplichtambtenaar => kind == OrgKind::Gemeente,
        Role::Jgz => kind == OrgKind::GgdJgz,
        Role::Beheerder => true,
    }
}

pub(crate) fn require_admin(caller: &Caller, organisation: &str, what: &str) -> Result<()> {
    if caller.organisation != organisation {
        return Err(ServiceError::forbidden(format!(
            "alleen de organisatie zelf mag {what}"
        )));
    }
    caller.require_role(ADMIN_ROLES, what)
}

/// Every membership of the organisation with its user, by e-mail address and role.
pub async fn members(
    store: &Store,
    caller: &Caller,
    organisation: &str,
) -> Result<Vec<(User, Membership)>> {
    require_admin(caller, organisation, "de gebruikers bekijken")?;
    let mut tx = store.connection().await?;
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = tx.members_of_organisation(organisation, page).await?;
        let done = batch.len() < page.limit() as usize;
        out.extend(batch);
        if done {
            return Ok(out);
        }
        page = page.next();
    }
}

/// What [`add_member`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub user_id: UserId,
    /// A new user was made (else the role was added to an existing one).
    pub created: bool,
}

/// Gives the user with `email` the role in the organisation; a new user is made with `name`
/// and `password_hash` (which must then be given). `audit` gives the row of the user's id,
/// which commits with the membership: one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn add_member(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    role: Role,
    groups: &[String],
    audit: impl FnOnce(UserId) -> AuditEntry,
) -> Result<Added> {
    require_admin(caller, organisation, "gebruikers toevoegen")?;
    let mut tx = store.begin().await?;
    let kind = tx
        .organisation_kind(organisation)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !role_fits(role, kind) {
        return Err(ServiceError::Invalid(format!(
            "de rol {} past niet bij een organisatie van deze soort",
            role.as_str()
        )));
    }
    let (user_id, created) = match tx.user_by_email(email).await? {
        Some(u) => (u.id, false),
        None => {
            let Some(hash) = password_hash else {
                return Err(ServiceError::Invalid(
                    "een nieuwe gebruiker heeft een eerste wachtwoord nodig".into(),
                ));
            };
            let id = tx
                .create_user(&NewUser {
                    email: email.to_owned(),
                    display_name: name.to_owned(),
                    password_hash: hash.to_owned(),
                })
                .await?;
            // The beheerder chose the first password: the user chooses their own at the first
            // login (security.md, Identity).
            tx.set_must_change_password(id, true).await?;
            (id, true)
        }
    };
    if !created
        && tx
            .memberships_of_user(user_id)
            .await?
            .iter()
            .any(|m| m.organisation_id == organisation && m.role == role)
    {
        return Err(ServiceError::Conflict(format!(
            "{email} heeft de rol {} al",
            role.as_str()
        )));
    }
    tx.add_membership(&Membership {
        user_id,
        organisation_id: organisation.to_owned(),
        role,
        groups: if role == Role::Leerkracht {
            groups.to_vec()
        } else {
            Vec::new()
        },
    })
    .await?;
    tx.audit(&audit(user_id)).await?;
    tx.commit().await?;
    Ok(Added { user_id, created })
}

/// Removes one role of a user in the organisation. Refuses to remove the caller's own
/// beheerder role when no other beheerder is left.
pub async fn remove_member(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    user_id: UserId,
    role: Role,
) -> Result<()> {
    require_admin(caller, organisation, "rollen intrekken")?;
    let mut tx = store.begin().await?;
    if role == Role::Beheerder && caller.user == Some(user_id) {
        let mut others = 0;
        let mut page = Page::first(MAX_PAGE_SIZE);
        loop {
            let batch = tx.members_of_organisation(organisation, page).await?;
            let done = batch.len() < page.limit() as usize;
            others += batch
                .iter()
                .filter(|(u, m)| m.role == Role::Beheerder && u.id != user_id)
                .count();
            if done {
                break;
            }
            page = page.next();
        }
        if others == 0 {
            return Err(ServiceError::Conflict(
                "u bent de laatste beheerder: voeg eerst een andere beheerder toe".into(),
            ));
        }
    }
    if !tx.remove_membership(user_id, organisation, role).await? {
        return Err(ServiceError::NotFound);
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The user with this e-mail address, if there is one (the beheerder adding a role learns
/// whether a new account, with a first password, is needed).
pub async fn by_email(
    store: &Store,
    caller: &Caller,
    organisation: &str,
    email: &str,
) -> Result<Option<User>> {
    require_admin(caller, organisation, "gebruikers toevoegen")?;
    let mut tx = store.connection().await?;
    Ok(tx.user_by_email(email).await?)
}

/// Every role of a user (their own, for the login's answer and its audit rows).
pub async fn memberships(store: &Store, user: UserId) -> Result<Vec<Membership>> {
    let mut tx = store.connection().await?;
    Ok(tx.memberships_of_user(user).await?)
}
