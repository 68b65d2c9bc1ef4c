//! `verzuim bench api`: the JSON API under load, as figures (issue 3, "Speed").
//!
//! In one process: a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL
//! database made on the server `--database` names and dropped afterwards), a school with N pupils,
//! an API token with `registrations:write` and a verzuimcoordinator; the real server on
//! 127.0.0.1:0; then C concurrent clients (tokio tasks sharing one keep-alive HTTP client) that
//! post registrations for `--seconds`. Each client owns a disjoint set of pupils (pupil i belongs
//! to client i mod C) and walks their lesson days, one registration per pupil per lesson day, so
//! every registration is valid and none overlaps; every one re-evaluates its pupil (that is what
//! the server does). Then the school's open-task list, as the coordinator would open it.
//!
//! Printed: registrations per second (overall and the slowest and fastest whole second),
//! latency p50/p90/p99/max, and the open-task list's median and p99.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::net::TcpListener;
use verzuim_engine::model::{Pupil, School};
use verzuim_server::auth::{password, tokens};
use verzuim_server::{AppState, Config, ManualClock};
use verzuim_store::{
    Actor, Letterhead, MAX_PAGE_SIZE, Membership, NewApiToken, NewUser, OrgKind, Organisation,
    Page, PupilData, Role, SchoolSettings, Store, TaskStatus, hash_token,
};

use crate::migrate;

/// The school of the benchmark.
const SCHOOL: &str = "00BN00";
/// The school's lesson times and closed periods: those of the demo school (regio noord,
/// 2026-2027).
const SCHOOL_TOML: &str = include_str!("../../../examples/demo/school.toml");
/// The coordinator's password (only in the benchmark's own, temporary database).
const PASSWORD: &str = "bench-wachtwoord-2026";
/// The open-task list, as the school's pages ask for it.
const TASKS_PATH: &str = "/api/tasks?status=open";

#[derive(clap::Args)]
pub struct Args {
    /// Een PostgreSQL-server (`postgres://…`): daarop wordt een nieuwe database gemaakt en na
    /// afloop verwijderd. Zonder: SQLite in een tijdelijke map.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Aantal gelijktijdige clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Hoe lang de clients registraties sturen, in seconden.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Aantal leerlingen van de school.
    #[arg(long, default_value_t = 500)]
    pupils: usize,
    /// Hoe vaak de lijst met open taken wordt opgevraagd.
    #[arg(long, default_value_t = 50)]
    task_calls: usize,
    /// Startwaarde van de toevalsgenerator (welke leerling, welke code).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// PostgreSQL: sla de statistieken van de gevulde leerlingen over (ANALYZE) en meet zoals
    /// vóór 4 december 2026, met de plannen voor een nooit geanalyseerde tabel.
    #[arg(long)]
    no_analyze: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.clients == 0 || args.pupils < args.clients {
        bail!("--pupils moet minstens --clients zijn (elke client heeft eigen leerlingen)");
    }
    let args = &args;
    on_bench_database(args.database.as_deref(), |url, backend| async move {
        bench(args, &url, backend).await
    })
}

/// Runs `bench` on a fresh database: a new PostgreSQL database on the server `database` names
/// (dropped afterwards, also when `bench` fails), or without one SQLite in a temporary folder.
/// `bench` gets the database's URL and the backend's name.
pub(crate) fn on_bench_database<F, Fut>(
    database: Option<&str>,
    bench: F,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce(String, &'static str) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    migrate::runtime()?.block_on(async {
        match database {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let db = PgDatabase::create(url).await?;
                let outcome = bench(db.url.clone(), "PostgreSQL").await;
                db.drop_database().await?;
                outcome?;
            }
            Some(url) => bail!(
                "--database neemt een PostgreSQL-server (postgres://…); zonder --database meet \
                 de bench SQLite in een tijdelijke map (gekregen: {})",
                migrate::redact(url)
            ),
            None => {
                let dir = TempDir::new()?;
                let url = format!("sqlite://{}", dir.0.join("bench.db").display());
                bench(url, "SQLite").await?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn bench(args: &Args, url: &str, backend: &str) -> anyhow::Result<()> {
    let mut out = String::new();
    println!(
        "verzuim bench api: {backend}, {} leerlingen, {} clients, {} s",
        args.pupils, args.clients, args.seconds
    );
    let store = migrate::open(url).await?;
    let start = Instant::now();
    let school = seed(&store, args.pupils).await?;
    let token = token(&store).await?;
    // PostgreSQL: the planner's statistics of the school's pupils, as autovacuum keeps them on
    // any database that has run for a minute: without them PostgreSQL looks a pupil up by
    // scanning the school's 500 (the index on school and group) instead of by its unique key.
    // The tables the run fills (registrations, signals, cases, tasks) start empty and without
    // statistics, as on a new database: analysed empty, PostgreSQL would plan them as empty
    // while they grow. SQLite gathers no statistics by itself (and `verzuim` asks for none), so
    // neither does the benchmark there.
    if !args.no_analyze && store.backend() == verzuim_store::Backend::Postgres {
        store
            .analyze_tables(&["organisations", "school_settings", "pupils"])
            .await?;
    }
    println!(
        "Gevuld: school {SCHOOL} met {} leerlingen, API-token met registrations:write ({:.1} s)",
        args.pupils,
        start.elapsed().as_secs_f64()
    );

    // The server, on a clock standing at the end of the school year: every lesson day is past.
    let clock = ManualClock::new(at_noon(date(2027, 7, 31)));
    let state = AppState::new(store.clone(), Config::default()).with_clock(clock.clock());
    let server = BenchServer::start(state).await?;
    let base = server.base.clone();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .timeout(Duration::from_secs(30))
        .build()?;
    let statements_before = verzuim_store::statements_run();
    let load = load(args, &client, &base, &token, &school).await?;
    let statements = verzuim_store::statements_run() - statements_before;
    writeln!(
        out,
        "Registraties: {} in {:.1} s = {:.0} registraties/s (langzaamste seconde {}, snelste {}); \
         fouten: {}",
        load.ok,
        load.elapsed.as_secs_f64(),
        load.ok as f64 / load.elapsed.as_secs_f64(),
        load.per_second.iter().min().copied().unwrap_or(0),
        load.per_second.iter().max().copied().unwrap_or(0),
        load.failed
    )?;
    writeln!(
        out,
        "Latentie per registratie: {}",
        percentiles(&load.latencies)
    )?;
    writeln!(
        out,
        "SQL-opdrachten per registratie: {:.1} (BEGIN en COMMIT meegeteld; {} in totaal)",
        statements as f64 / (load.ok + load.failed).max(1) as f64,
        statements
    )?;
    if let Some(e) = &load.first_error {
        writeln!(out, "Eerste fout: {e}")?;
    }
    if load.exhausted > 0 {
        writeln!(
            out,
            "Let op: {} client(s) hadden alle lesdagen van hun leerlingen gehad; meer leerlingen \
             of minder seconden geeft een eerlijker beeld.",
            load.exhausted
        )?;
    }

    // The open-task list.
    let open = count_open_tasks(&store).await?;
    let coordinator = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()?;
    let login = coordinator
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": coordinator_email(), "password": PASSWORD }))
        .send()
        .await?;
    if !login.status().is_success() {
        bail!(
            "inloggen als verzuimcoördinator mislukt: {}",
            login.status()
        );
    }
    for path in [
        TASKS_PATH.to_owned(),
        format!("{TASKS_PATH}&limit={MAX_PAGE_SIZE}"),
    ] {
        let probe = coordinator.get(format!("{base}{path}")).send().await?;
        if !probe.status().is_success() {
            writeln!(
                out,
                "GET {path} gaf {}: alleen de opslagvraag hieronder gemeten.",
                probe.status()
            )?;
            break;
        }
        let mut times = Vec::with_capacity(args.task_calls);
        let mut shown = 0;
        for _ in 0..args.task_calls {
            let t = Instant::now();
            let res = coordinator.get(format!("{base}{path}")).send().await?;
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            times.push(t.elapsed());
            if !status.is_success() {
                bail!("{path} gaf {status}: {body}");
            }
            shown = body
                .get("items")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
        }
        writeln!(
            out,
            "Open taken (GET {path} als verzuimcoördinator: {shown} van {open}, {} keer): {}",
            args.task_calls,
            percentiles(&times)
        )?;
    }
    // The store query behind the list (visibility::my_tasks), without HTTP.
    let mut times = Vec::with_capacity(args.task_calls);
    for _ in 0..args.task_calls {
        let t = Instant::now();
        store
            .list_tasks(SCHOOL, Some(TaskStatus::Open), Page::default())
            .await?;
        times.push(t.elapsed());
    }
    writeln!(
        out,
        "Open taken, alleen de opslag (list_tasks, eerste pagina van {}): {}",
        Page::default().limit(),
        percentiles(&times)
    )?;
    print!("{out}");

    server.stop().await?;
    store.close().await;
    Ok(())
}

/// What the load phase measured.
struct Load {
    ok: u64,
    failed: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
    per_second: Vec<u64>,
    first_error: Option<String>,
    exhausted: usize,
}

/// One client's result.
#[derive(Default)]
struct ClientResult {
    ok: u64,
    failed: u64,
    /// (when, relative to the start; how long)
    samples: Vec<(Duration, Duration)>,
    first_error: Option<String>,
    exhausted: bool,
}

async fn load(
    args: &Args,
    client: &reqwest::Client,
    base: &str,
    token: &str,
    school: &School,
) -> anyhow::Result<Load> {
    let days = Arc::new(lesson_days(school));
    let stop = Arc::new(AtomicBool::new(false));
    let begin = Instant::now();
    let mut handles = Vec::with_capacity(args.clients);
    for c in 0..args.clients {
        let pupils: Vec<usize> = (c..args.pupils).step_by(args.clients).collect();
        let client = client.clone();
        let base = base.to_owned();
        let auth = format!("Bearer {token}");
        let days = Arc::clone(&days);
        let stop = Arc::clone(&stop);
        let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(c as u64);
        handles.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut next_day = vec![0usize; pupils.len()];
            let mut result = ClientResult::default();
            while !stop.load(Ordering::Relaxed) {
                // A random own pupil that still has lesson days left.
                let mut pick = rng.random_range(0..pupils.len());
                let mut tries = 0;
                while next_day[pick] >= days.len() && tries < pupils.len() {
                    pick = (pick + 1) % pupils.len();
                    tries += 1;
                }
                if next_day[pick] >= days.len() {
                    result.exhausted = true;
                    break;
                }
                let day = days[next_day[pick]];
                next_day[pick] += 1;
                let body = registration(&mut rng, day);
                let url = format!(
                    "{base}/api/schools/{SCHOOL}/pupils/{}/registrations",
                    pupil_id(pupils[pick])
                );
                let sent = Instant::now();
                let res = client
                    .post(&url)
                    .header(reqwest::header::AUTHORIZATION, &auth)
                    .json(&body)
                    .send()
                    .await;
                let outcome = match res {
                    Ok(r) => {
                        let status = r.status();
                        let text = r.text().await.unwrap_or_default();
                        if status.is_success() {
                            Ok(())
                        } else {
                            Err(format!("{status} {text}"))
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                let took = sent.elapsed();
                match outcome {
                    Ok(()) => {
                        result.ok += 1;
                        result.samples.push((sent - begin, took));
                    }
                    Err(e) => {
                        result.failed += 1;
                        result.first_error.get_or_insert(e);
                    }
                }
            }
            result
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut results = Vec::with_capacity(handles.len());
    for h in handles {
        results.push(h.await.context("een client liep vast")?);
    }
    let elapsed = begin.elapsed();
    let seconds = args.seconds.max(1) as usize;
    let mut per_second = vec![0u64; seconds];
    let mut latencies = Vec::new();
    let mut load = Load {
        ok: 0,
        failed: 0,
        elapsed,
        latencies: Vec::new(),
        per_second: Vec::new(),
        first_error: None,
        exhausted: 0,
    };
    for r in results {
        load.ok += r.ok;
        load.failed += r.failed;
        if load.first_error.is_none() {
            load.first_error = r.first_error;
        }
        load.exhausted += usize::from(r.exhausted);
        for (when, took) in r.samples {
            latencies.push(took);
            // Completed within the measured whole seconds only.
            let done = (when + took).as_secs() as usize;
            if done < seconds {
                per_second[done] += 1;
            }
        }
    }
    load.latencies = latencies;
    load.per_second = per_second;
    Ok(load)
}

/// A registration on a lesson day: mostly lateness and part-day absence, some whole sick days
/// and unauthorized mornings (so signals, cases and tasks are made along the way).
fn registration(rng: &mut ChaCha8Rng, day: Date) -> Value {
    match rng.random_range(0..100) {
        0..35 => json!({
            "code": "te_laat",
            "start": day.to_string(),
            "minutes": rng.random_range(5..=25),
        }),
        35..65 => json!({ "code": "ziek", "start": day.to_string() }),
        65..85 => json!({
            "code": "geoorloofd",
            "start": format!("{day}T13:00"),
            "end": format!("{day}T14:30"),
            "note": "Tandarts",
        }),
        _ => json!({
            "code": "ongeoorloofd",
            "start": format!("{day}T08:30"),
            "end": format!("{day}T10:00"),
        }),
    }
}

/// The school's lesson days of 2026-2027 (Monday to Friday outside its closed periods).
fn lesson_days(school: &School) -> Vec<Date> {
    let mut days = Vec::new();
    let mut d = date(2026, 8, 17);
    while d <= date(2027, 7, 9) {
        let weekday = d.weekday().to_monday_one_offset();
        let closed = school.closed.iter().any(|c| c.from <= d && d <= c.until);
        // Wednesday afternoon has no lessons: the registrations' afternoon times avoid it.
        if weekday <= 5 && weekday != 3 && !closed {
            days.push(d);
        }
        d = d.tomorrow().expect("a date in 2027");
    }
    days
}

fn pupil_id(i: usize) -> String {
    format!("{}", 100_000 + i)
}

fn coordinator_email() -> String {
    format!("coordinator@{}.bench.example", SCHOOL.to_lowercase())
}

/// A school with `pupils` pupils (ages 6 to 11, all leerplichtig, enrolled since 2024), a
/// municipality for them and a verzuimcoordinator. Returns the school's settings.
async fn seed(store: &Store, pupils: usize) -> anyhow::Result<School> {
    let mut school = verzuim_exchange::school::parse_school("school.toml", SCHOOL_TOML.as_bytes())
        .map_err(|e| anyhow::anyhow!("school.toml van de demo: {}", e[0]))?;
    school.id = SCHOOL.to_owned();
    school.name = "Benchmarkschool".to_owned();
    for (id, kind, name) in [
        (SCHOOL, OrgKind::School, "Benchmarkschool"),
        ("GM0153", OrgKind::Gemeente, "Enschede"),
    ] {
        store
            .put_organisation(&Organisation {
                id: id.to_owned(),
                kind,
                name: name.to_owned(),
                letterhead: Letterhead::default(),
            })
            .await?;
        // The benchmark's client signs in with a password only (its own, temporary database).
        store.set_second_factor_required(id, false).await?;
    }
    store
        .put_school_settings(
            SCHOOL,
            &SchoolSettings {
                card_id: "twente-po".to_owned(),
                school: school.clone(),
            },
        )
        .await?;
    let mut tx = store.begin().await?;
    for i in 0..pupils {
        let age = 6 + (i % 6) as i16;
        let birth = date(2026 - age, 1 + (i % 12) as i8, 1 + (i % 28) as i8);
        let group = format!("{}", (age - 3).clamp(3, 8));
        let mut data = PupilData::new(Pupil {
            id: pupil_id(i),
            birth_date: birth,
            group,
            municipality: "GM0153".to_owned(),
            enrolled_from: date(2024, 8, 19),
            enrolled_until: None,
            next_school: None,
        });
        data.name = Some(format!("Leerling {}", i + 1));
        tx.insert_pupil(SCHOOL, &data).await?;
    }
    tx.commit().await?;
    let hash = password::hash_blocking(PASSWORD.to_owned()).await?;
    let user = store
        .create_user(&NewUser {
            email: coordinator_email(),
            display_name: "Verzuimcoördinator (bench)".to_owned(),
            password_hash: hash,
        })
        .await?;
    store
        .add_membership(&Membership {
            user_id: user,
            organisation_id: SCHOOL.to_owned(),
            role: Role::Verzuimcoordinator,
            groups: Vec::new(),
        })
        .await?;
    Ok(school)
}

/// A new API token of the school with `registrations:write`.
async fn token(store: &Store) -> anyhow::Result<String> {
    let raw = tokens::generate();
    store
        .create_api_token(
            &NewApiToken {
                organisation_id: SCHOOL.to_owned(),
                name: "verzuim bench api".to_owned(),
                token_hash: hash_token(&raw),
                permissions: vec!["registrations:write".to_owned()],
            },
            Actor::System,
        )
        .await?;
    Ok(raw)
}

async fn count_open_tasks(store: &Store) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = store
            .list_tasks(SCHOOL, Some(TaskStatus::Open), page)
            .await?;
        n += batch.len();
        if batch.len() < page.limit() as usize {
            return Ok(n);
        }
        page = page.next();
    }
}

pub(crate) fn at_noon(day: Date) -> jiff::Timestamp {
    day.at(12, 0, 0, 0)
        .to_zoned(TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC))
        .map_or(jiff::Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// `p50 … ms  p90 …  p99 …  max …` of a set of durations.
pub(crate) fn percentiles(times: &[Duration]) -> String {
    if times.is_empty() {
        return "geen metingen".to_owned();
    }
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| {
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1000.0
    };
    format!(
        "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(0.50),
        at(0.90),
        at(0.99),
        sorted[sorted.len() - 1].as_secs_f64() * 1000.0
    )
}

/// The real server on 127.0.0.1:0 for a benchmark's clients (`bench api`, `bench pages`,
/// `bench region`), stopped gracefully by [`BenchServer::stop`].
pub(crate) struct BenchServer {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), verzuim_server::ServeError>>,
}

impl BenchServer {
    pub(crate) async fn start(state: AppState) -> anyhow::Result<BenchServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(verzuim_server::serve_on(listener, state, async {
            let _ = stop_rx.await;
        }));
        Ok(BenchServer { base, stop, task })
    }

    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await??;
        Ok(())
    }
}

/// A temporary folder, removed when dropped.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> anyhow::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("verzuim-bench-{}", unique()));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("kan {} niet maken", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

/// A database of its own on a PostgreSQL server, dropped afterwards.
pub(crate) struct PgDatabase {
    admin_url: String,
    name: String,
    pub(crate) url: String,
}

impl PgDatabase {
    pub(crate) async fn create(admin_url: &str) -> anyhow::Result<PgDatabase> {
        let name = format!("verzuim_bench_{}", unique());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("kan {} niet openen", migrate::redact(admin_url)))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .context("kan de benchmarkdatabase niet maken")?;
        admin.close().await?;
        Ok(PgDatabase {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        })
    }

    pub(crate) async fn drop_database(&self) -> anyhow::Result<()> {
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .context("kan de benchmarkdatabase niet verwijderen")?;
        admin.close().await?;
        Ok(())
    }
}

/// `postgres://u@h:p/postgres?x` -> `postgres://u@h:p/<name>?x`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_replace_the_maintenance_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b1"),
            "postgres://postgres@127.0.0.1:5432/b1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "b1"),
            "postgres://u:p@h/b1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "b1"), "postgres://h/b1");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(
            percentiles(&times),
            "p50 50.0 ms, p90 90.0 ms, p99 99.0 ms, max 100.0 ms"
        );
    }

    #[test]
    fn lesson_days_skip_weekends_wednesdays_and_holidays() {
        let school = verzuim_exchange::school::parse_school("s", SCHOOL_TOML.as_bytes()).unwrap();
        let days = lesson_days(&school);
        assert_eq!(days[0], date(2026, 8, 17));
        assert!(!days.contains(&date(2026, 10, 16)), "studiedag");
        assert!(!days.contains(&date(2026, 12, 24)), "kerstvakantie");
        assert!(days.iter().all(|d| d.weekday().to_monday_one_offset() != 3));
        assert!(days.len() > 140, "{}", days.len());
    }
}
