//! The store's error: what callers can act on (not found, conflict, invalid), never SQL text in
//! a message meant for users.

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist, or not within the caller's organisation scope.
    #[error("niet gevonden")]
    NotFound,
    /// A uniqueness rule was hit (an e-mail address in use, a pupil id taken, a concurrent edit).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The data break a rule of the store (a note on `ziek`, a reference to nothing, a check).
    #[error("ongeldig: {0}")]
    Invalid(String),
    /// A value in the database could not be read back (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database URL names no backend this store supports.
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    /// Running the migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database failure (connection, I/O, a trigger that refused).
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        if let Some(db) = e.as_database_error() {
            if db.is_unique_violation() {
                return StoreError::Conflict(db.message().to_owned());
            }
            if db.is_foreign_key_violation() || db.is_check_violation() {
                return StoreError::Invalid(db.message().to_owned());
            }
        }
        StoreError::Database(e)
    }
}

/// The store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
