//! The service's error: what a handler turns into a response, with a stable code and a Dutch
//! message for people. Store failures that are not the caller's doing carry no SQL text in their
//! message.

use verzuim_exchange::InputError;
use verzuim_store::StoreError;

/// Everything a service call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The object does not exist, or the caller's organisation may not see it (not told apart).
    #[error("niet gevonden")]
    NotFound,
    /// The caller's role or organisation may not do this.
    #[error("geen toegang: {0}")]
    Forbidden(String),
    /// The request breaks a rule (a future registration, a note on `ziek`, a melding without a
    /// persoonsgebonden nummer, an invalid status transition). The message is Dutch, for people.
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed the object first (a task completed twice, a melding moved on).
    #[error("{0}")]
    Conflict(String),
    /// Import files with line-numbered problems (formats.md); nothing was stored.
    #[error("de bestanden bevatten {} fout(en)", .0.len())]
    Input(Vec<InputError>),
    /// The database failed.
    #[error("de opslag is niet beschikbaar")]
    Store(#[source] StoreError),
}

impl ServiceError {
    /// A stable code for APIs: `not_found`, `forbidden`, `invalid`, `conflict`,
    /// `invalid_input`, `storage`.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NotFound => "not_found",
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::Invalid(_) => "invalid",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Input(_) => "invalid_input",
            ServiceError::Store(_) => "storage",
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ServiceError::Invalid(message.into())
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        ServiceError::Forbidden(message.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::Invalid(m) => ServiceError::Invalid(m),
            other => ServiceError::Store(other),
        }
    }
}

/// The service's result.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
