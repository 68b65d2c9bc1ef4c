//! For the test suites of the store, the service and the server: which PostgreSQL server their
//! PostgreSQL half runs on.
//!
//! The suites run every story on SQLite and on PostgreSQL. The PostgreSQL half needs
//! `DATABASE_URL` (a maintenance database such as `postgres://postgres@127.0.0.1:5432/postgres`;
//! each test makes and drops its own database there). Without it the PostgreSQL tests **fail**,
//! so that a run without PostgreSQL cannot pass for a run with it, unless
//! `VERZUIM_TEST_SKIP_POSTGRES=1` says explicitly that this run leaves PostgreSQL out.

/// The variable that names the PostgreSQL server of the test suites.
pub const DATABASE_URL: &str = "DATABASE_URL";
/// The explicit opt-out: `VERZUIM_TEST_SKIP_POSTGRES=1`.
pub const SKIP_POSTGRES: &str = "VERZUIM_TEST_SKIP_POSTGRES";

/// The PostgreSQL server of the test suites (`DATABASE_URL`), or `None` when the run opted out
/// with `VERZUIM_TEST_SKIP_POSTGRES=1`.
///
/// # Panics
///
/// When neither is set: a PostgreSQL test must not pass without running.
pub fn postgres_url() -> Option<String> {
    decide(
        std::env::var(DATABASE_URL).ok(),
        std::env::var(SKIP_POSTGRES).ok(),
    )
    .unwrap_or_else(|message| panic!("{message}"))
}

fn decide(url: Option<String>, skip: Option<String>) -> Result<Option<String>, String> {
    let skip = skip.is_some_and(|s| s.trim() == "1");
    match url.filter(|u| !u.trim().is_empty()) {
        Some(_) if skip => {
            eprintln!("skipped: {SKIP_POSTGRES}=1 (PostgreSQL tests do not run)");
            Ok(None)
        }
        Some(url) => Ok(Some(url)),
        None if skip => {
            eprintln!("skipped: {SKIP_POSTGRES}=1 (PostgreSQL tests do not run)");
            Ok(None)
        }
        None => Err(format!(
            "{DATABASE_URL} is not set: the PostgreSQL half of this test cannot run. Set \
             {DATABASE_URL}=postgres://postgres@127.0.0.1:5432/postgres (a server where the tests \
             may create databases), or {SKIP_POSTGRES}=1 to leave PostgreSQL out on purpose"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::decide;

    #[test]
    fn without_a_server_only_the_explicit_opt_out_passes() {
        let url = || Some("postgres://h/p".to_string());
        assert_eq!(decide(url(), None), Ok(url()));
        assert_eq!(decide(None, Some("1".into())), Ok(None));
        assert_eq!(decide(url(), Some("1".into())), Ok(None));
        assert!(decide(None, None).is_err());
        assert!(decide(Some(" ".into()), None).is_err());
        assert!(decide(None, Some("0".into())).is_err());
    }
}
