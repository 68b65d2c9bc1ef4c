//! The one place that knows there are two backends: argument binding, placeholder rewriting,
//! row decoding and error mapping. Everything above it writes one SQL string per operation with
//! `?` placeholders and reads columns through [`Row`].

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, PgConnection, Postgres, Sqlite, SqliteConnection, Type};

use crate::error::{Result, StoreError};

/// A borrowed connection of either backend (a pool connection or a transaction's).
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

/// One bound value. Dates and timestamps travel as text (see `date_text`, `ts_text`).
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    /// A BLOB (SQLite) or BYTEA (PostgreSQL): a stored file.
    Bytes(Vec<u8>),
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::db::Arg::from($a)),*] };
}
pub(crate) use args;

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}
impl From<Option<u32>> for Arg {
    fn from(v: Option<u32>) -> Self {
        Arg::Int(v.map(i64::from))
    }
}
impl From<Option<u16>> for Arg {
    fn from(v: Option<u16>) -> Self {
        Arg::Int(v.map(i64::from))
    }
}
impl From<u16> for Arg {
    fn from(v: u16) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<&[u8]> for Arg {
    fn from(v: &[u8]) -> Self {
        Arg::Bytes(v.to_vec())
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<Date> for Arg {
    fn from(v: Date) -> Self {
        Arg::Text(Some(date_text(v)))
    }
}
impl From<Option<Date>> for Arg {
    fn from(v: Option<Date>) -> Self {
        Arg::Text(v.map(date_text))
    }
}
impl From<Timestamp> for Arg {
    fn from(v: Timestamp) -> Self {
        Arg::Text(Some(ts_text(v)))
    }
}
impl From<Option<Timestamp>> for Arg {
    fn from(v: Option<Timestamp>) -> Self {
        Arg::Text(v.map(ts_text))
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn date_text(d: Date) -> String {
    d.to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC: fixed width, so text order is time order.
pub(crate) fn ts_text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A JSON column's text.
pub(crate) fn json_text<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("json: {e}")))
}

/// Rewrites `?` placeholders to PostgreSQL's `$1, $2, …` (outside quoted literals).
pub(crate) fn pg_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quoted = false;
    for ch in sql.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(ch),
        }
    }
    out
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Statements run through [`Conn`] by this process (every backend, every store): what `verzuim
/// bench api` divides by the registrations to print the statements per registration. One
/// relaxed atomic add per statement, next to a round trip to the database.
static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The number of SQL statements this process has run through the store so far, `BEGIN` and
/// `COMMIT` included (not the pool's own checks of a connection).
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

pub(crate) fn count_statement() {
    STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

impl Conn<'_> {
    /// Runs a statement; returns the number of rows it affected.
    pub(crate) async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64> {
        count_statement();
        match self {
            Conn::Sqlite(c) => Ok(bind_all!(sqlx::query(sql), args)
                .execute(&mut **c)
                .await?
                .rows_affected()),
            Conn::Pg(c) => {
                let sql = pg_placeholders(sql);
                Ok(bind_all!(sqlx::query(&sql), args)
                    .execute(&mut **c)
                    .await?
                    .rows_affected())
            }
        }
    }

    pub(crate) async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> Result<Vec<Row>> {
        count_statement();
        match self {
            Conn::Sqlite(c) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect()),
            Conn::Pg(c) => {
                let sql = pg_placeholders(sql);
                Ok(bind_all!(sqlx::query(&sql), args)
                    .fetch_all(&mut **c)
                    .await?
                    .into_iter()
                    .map(Row::Pg)
                    .collect())
            }
        }
    }

    pub(crate) async fn fetch_optional(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<Row>> {
        count_statement();
        match self {
            Conn::Sqlite(c) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_optional(&mut **c)
                .await?
                .map(Row::Sqlite)),
            Conn::Pg(c) => {
                let sql = pg_placeholders(sql);
                Ok(bind_all!(sqlx::query(&sql), args)
                    .fetch_optional(&mut **c)
                    .await?
                    .map(Row::Pg))
            }
        }
    }

    /// One row, or [`StoreError::NotFound`].
    pub(crate) async fn fetch_one(&mut self, sql: &str, args: Vec<Arg>) -> Result<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Decodes every row with `f`.
    pub(crate) async fn fetch_map<T>(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
        f: impl Fn(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.fetch_all(sql, args).await?.iter().map(f).collect()
    }
}

/// A result row of either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

impl Row {
    fn get<T>(&self, col: &str) -> Result<T>
    where
        T: for<'r> Decode<'r, Sqlite>
            + Type<Sqlite>
            + for<'r> Decode<'r, Postgres>
            + Type<Postgres>,
    {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(r) => Ok(r.try_get(col)?),
            Row::Pg(r) => Ok(r.try_get(col)?),
        }
    }

    pub(crate) fn i64(&self, col: &str) -> Result<i64> {
        self.get(col)
    }

    pub(crate) fn opt_i64(&self, col: &str) -> Result<Option<i64>> {
        self.get(col)
    }

    pub(crate) fn u32(&self, col: &str) -> Result<u32> {
        let v = self.i64(col)?;
        u32::try_from(v).map_err(|_| corrupt(col, &v.to_string()))
    }

    pub(crate) fn opt_u32(&self, col: &str) -> Result<Option<u32>> {
        self.opt_i64(col)?
            .map(|v| u32::try_from(v).map_err(|_| corrupt(col, &v.to_string())))
            .transpose()
    }

    pub(crate) fn opt_u16(&self, col: &str) -> Result<Option<u16>> {
        self.opt_i64(col)?
            .map(|v| u16::try_from(v).map_err(|_| corrupt(col, &v.to_string())))
            .transpose()
    }

    pub(crate) fn u64(&self, col: &str) -> Result<u64> {
        let v = self.i64(col)?;
        u64::try_from(v).map_err(|_| corrupt(col, &v.to_string()))
    }

    pub(crate) fn text(&self, col: &str) -> Result<String> {
        self.get(col)
    }

    pub(crate) fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.get(col)
    }

    pub(crate) fn bool(&self, col: &str) -> Result<bool> {
        self.get(col)
    }

    pub(crate) fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        self.get(col)
    }

    pub(crate) fn date(&self, col: &str) -> Result<Date> {
        let s = self.text(col)?;
        s.parse().map_err(|_| corrupt(col, &s))
    }

    pub(crate) fn opt_date(&self, col: &str) -> Result<Option<Date>> {
        self.opt_text(col)?
            .map(|s| s.parse().map_err(|_| corrupt(col, &s)))
            .transpose()
    }

    pub(crate) fn ts(&self, col: &str) -> Result<Timestamp> {
        let s = self.text(col)?;
        s.parse().map_err(|_| corrupt(col, &s))
    }

    pub(crate) fn opt_ts(&self, col: &str) -> Result<Option<Timestamp>> {
        self.opt_text(col)?
            .map(|s| s.parse().map_err(|_| corrupt(col, &s)))
            .transpose()
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, col: &str) -> Result<T> {
        let s = self.text(col)?;
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }

    /// A text column holding one of a closed set of names.
    pub(crate) fn parsed<T>(&self, col: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| corrupt(col, &s))
    }

    pub(crate) fn opt_parsed<T>(
        &self,
        col: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        self.opt_text(col)?
            .map(|s| parse(&s).ok_or_else(|| corrupt(col, &s)))
            .transpose()
    }
}

fn corrupt(col: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("column {col}: unexpected value {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_literals() {
        assert_eq!(
            pg_placeholders("SELECT ? , '?' FROM t WHERE a = ? AND b = ?"),
            "SELECT $1 , '?' FROM t WHERE a = $2 AND b = $3"
        );
    }

    #[test]
    fn timestamps_are_fixed_width_and_round_trip() {
        let t: Timestamp = "2026-09-01T08:30:00Z".parse().unwrap();
        assert_eq!(ts_text(t), "2026-09-01T08:30:00.000000Z");
        let t2: Timestamp = "2026-09-01T08:30:00.5Z".parse().unwrap();
        assert_eq!(ts_text(t2), "2026-09-01T08:30:00.500000Z");
        assert!(ts_text(t) < ts_text(t2));
        assert_eq!(ts_text(t2).parse::<Timestamp>().unwrap(), t2);
    }
}
