//! `verzuim bench region --database URL DIR`: the pages of leerplicht, a school's coordinator
//! and its beheerder timed with many concurrent clients on a database that `verzuim load`
//! filled with a region or the country (issue 13.3: every page p95 < 200 ms, p99 < 500 ms).
//!
//! On the loaded database (it is changed: users, and meldingen the first time):
//!
//! 1. from DIR's `municipalities.csv` and `schools.csv`: the municipality with the most pupils
//!    and its largest school;
//! 2. a leerplichtambtenaar of that municipality and a verzuimcoordinator and beheerder of that
//!    school (password only; made as `bench pages` makes its users, or reused);
//! 3. the first time (the municipality has no meldingen yet): in every school of the
//!    municipality a coordinator walks the school tasks of up to `--walk` signals (meldingen,
//!    referrals), as `bench pages` does, so leerplicht has meldingen to list;
//! 4. the real server on 127.0.0.1:0, its clock at `--today`; `--clients` clients (tokio tasks,
//!    each with its own keep-alive `reqwest` client and its own session per user) ask each page
//!    `--rounds` times, page after page. Printed per page: count, median, p95, p99, max.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::civil::Date;
use verzuim_server::auth::password;
use verzuim_server::{AppState, Config, ManualClock};
use verzuim_service::Caller;
use verzuim_store::{
    MAX_PAGE_SIZE, Membership, NewUser, Page, Role, Scope, SignalStatus, Store, ThrottleKey, UserId,
};

use crate::bench_api::{BenchServer, at_noon};
use crate::bench_pages::{PASSWORD, login, walk};
use crate::load::{DEFAULT_TODAY, SchoolRow, read_municipalities, read_schools};
use crate::migrate;

#[derive(clap::Args)]
pub struct Args {
    /// De database die `verzuim load` vulde (`postgres://…`).
    #[arg(long, value_name = "URL")]
    database: String,
    /// De map van `verzuim generate --schools` die geladen is (voor schools.csv en
    /// municipalities.csv).
    #[arg(value_name = "MAP")]
    dir: PathBuf,
    /// Aantal gelijktijdige clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Hoe vaak elke client elke pagina opvraagt.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Van hoeveel signalen per school van de gemeente de coördinator de taken afhandelt
    /// (alleen de eerste keer, als de gemeente nog geen meldingen heeft).
    #[arg(long, default_value_t = 10)]
    walk: usize,
    /// De datum van vandaag voor de server (zoals bij `verzuim load`).
    #[arg(long, default_value = DEFAULT_TODAY)]
    today: Date,
}

/// The benchmark's users: (e-mail, role).
fn people(municipality: &str, school: &str) -> [(String, Role, String); 3] {
    [
        (
            format!("leerplicht-{}@bench.example", municipality.to_lowercase()),
            Role::Leerplichtambtenaar,
            municipality.to_owned(),
        ),
        (
            format!("coordinator-{}@bench.example", school.to_lowercase()),
            Role::Verzuimcoordinator,
            school.to_owned(),
        ),
        (
            format!("beheer-{}@bench.example", school.to_lowercase()),
            Role::Beheerder,
            school.to_owned(),
        ),
    ]
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.clients == 0 || args.rounds == 0 {
        bail!("--clients en --rounds moeten minstens 1 zijn");
    }
    if !(args.database.starts_with("postgres://") || args.database.starts_with("postgresql://")) {
        bail!(
            "--database neemt de PostgreSQL-database die `verzuim load` vulde (postgres://…); gekregen: {}",
            migrate::redact(&args.database)
        );
    }
    let places = read_municipalities(&args.dir)?;
    let schools = read_schools(&args.dir)?;
    let Some(place) = places
        .iter()
        .max_by_key(|m| (m.pupils, std::cmp::Reverse(&m.code)))
    else {
        bail!("municipalities.csv noemt geen gemeenten");
    };
    let in_place: Vec<SchoolRow> = schools
        .into_iter()
        .filter(|s| s.municipality == place.code)
        .collect();
    let Some(school) = in_place
        .iter()
        .max_by_key(|s| (s.pupils, std::cmp::Reverse(&s.id)))
        .cloned()
    else {
        bail!("gemeente {} heeft geen scholen in schools.csv", place.code);
    };
    migrate::runtime()?.block_on(async {
        let clock = ManualClock::new(at_noon(args.today));
        let store = migrate::open(&args.database).await?.with_clock(clock.clock());
        println!(
            "verzuim bench region: gemeente {} ({}, {} scholen, {} leerlingen), school {} ({}, {} leerlingen); {} clients, elke pagina {} keer per client",
            place.name,
            place.code,
            place.schools,
            place.pupils,
            school.name,
            school.id,
            school.pupils,
            args.clients,
            args.rounds
        );
        let outcome = bench(&args, &store, clock, &place.code, &school, &in_place).await;
        store.close().await;
        outcome
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The user with `email`, made (with the benchmark's password) if missing, with `role` in `org`.
async fn user(
    store: &Store,
    email: &str,
    role: Role,
    org: &str,
    hash: &str,
) -> anyhow::Result<UserId> {
    let id = match store.user_by_email(email).await? {
        Some(user) => {
            store.set_password_hash(user.id, hash).await?;
            user.id
        }
        None => {
            store
                .create_user(&NewUser {
                    email: email.to_owned(),
                    display_name: format!("{} (bench)", role.as_str()),
                    password_hash: hash.to_owned(),
                })
                .await?
        }
    };
    let has = store
        .memberships_of_user(id)
        .await?
        .iter()
        .any(|m| m.organisation_id == org && m.role == role);
    if !has {
        store
            .add_membership(&Membership {
                user_id: id,
                organisation_id: org.to_owned(),
                role,
                groups: Vec::new(),
            })
            .await?;
    }
    // The benchmark's clients sign in with a password only, not held back by the failures a
    // stopped earlier run left.
    store.set_second_factor_required(org, false).await?;
    store
        .reset_login_failures(ThrottleKey::Account(email))
        .await?;
    store
        .reset_login_failures(ThrottleKey::Address("127.0.0.1"))
        .await?;
    Ok(id)
}

async fn bench(
    args: &Args,
    store: &Store,
    clock: ManualClock,
    municipality: &str,
    school: &SchoolRow,
    schools: &[SchoolRow],
) -> anyhow::Result<()> {
    let start = Instant::now();
    let hash = password::hash_blocking(PASSWORD.to_owned()).await?;
    let people = people(municipality, &school.id);
    for (email, role, org) in &people {
        user(store, email, *role, org, &hash).await?;
    }
    let existing = store
        .list_meldingen(Scope::Municipality(municipality), Page::first(1))
        .await?;
    if existing.is_empty() {
        let (mut meldingen, mut referrals) = (0, 0);
        for s in schools {
            let coordinator = Caller::system(&s.id, Role::Verzuimcoordinator);
            let (m, r) = walk(store, &coordinator, &s.id, args.walk).await?;
            meldingen += m;
            referrals += r;
        }
        println!(
            "Taken afgehandeld in {} scholen van de gemeente: {meldingen} meldingen, {referrals} verwijzingen ({:.1} s)",
            schools.len(),
            start.elapsed().as_secs_f64()
        );
    }
    let dossier = dossier_pupil(store, &school.id).await?;
    println!(
        "Gebruikers klaar, dossier: leerling {dossier} ({:.1} s)",
        start.elapsed().as_secs_f64()
    );

    let state = AppState::new(store.clone(), Config::default()).with_clock(clock.clock());
    let server = BenchServer::start(state).await?;
    let base = server.base.clone();
    let outcome = measure(args, &base, &people, &school.id, &dossier).await;
    server.stop().await?;
    outcome
}

/// A pupil of the school with a melding if there is one, else with the most active signals.
async fn dossier_pupil(store: &Store, school: &str) -> anyhow::Result<String> {
    let meldingen = store
        .list_meldingen(Scope::School(school), Page::first(1))
        .await?;
    if let Some(m) = meldingen.first() {
        return Ok(m.pupil_id.clone());
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = store
            .list_signals(Scope::School(school), Some(SignalStatus::Active), page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        for s in batch {
            *counts.entry(s.pupil_id).or_default() += 1;
        }
        if done {
            break;
        }
        page = page.next();
    }
    counts
        .into_iter()
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(id.clone())))
        .map(|(id, _)| id)
        .with_context(|| format!("school {school} heeft geen signalen: is de regio geladen?"))
}

/// The clients' sessions: per client one `reqwest` client per user (own cookies). One login
/// after another: the login throttle counts parallel attempts as failures until one succeeds.
async fn sessions(
    args: &Args,
    base: &str,
    people: &[(String, Role, String); 3],
) -> anyhow::Result<Vec<Vec<reqwest::Client>>> {
    let mut all = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let mut clients = Vec::new();
        for (email, ..) in people {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::limited(5))
                .timeout(Duration::from_secs(120))
                .build()?;
            login(&client, base, email, PASSWORD).await?;
            clients.push(client);
        }
        all.push(clients);
    }
    Ok(all)
}

async fn measure(
    args: &Args,
    base: &str,
    people: &[(String, Role, String); 3],
    school: &str,
    dossier: &str,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let clients = sessions(args, base, people).await?;
    println!(
        "{} clients ingelogd als {} gebruikers ({:.1} s)\n",
        args.clients,
        people.len(),
        t.elapsed().as_secs_f64()
    );
    // (who: index into `people`, what, path)
    let pages: Vec<(usize, &str, String)> = vec![
        (0, "leerplicht: meldingen", "/meldingen".to_owned()),
        (0, "leerplicht: overzicht", "/overzicht".to_owned()),
        (1, "coördinator: taken (inbox)", "/taken".to_owned()),
        (1, "coördinator: registreren", "/registreren".to_owned()),
        (
            1,
            "coördinator: dossier",
            format!("/leerlingen/{school}/{dossier}"),
        ),
        (2, "beheerder: auditlog", "/beheer/auditlog".to_owned()),
    ];
    println!(
        "{:<30} {:<36} {:>6} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "pagina", "pad", "aantal", "mediaan", "p95", "p99", "max", "kB"
    );
    let mut worst: Option<(f64, f64, String)> = None;
    for (who, what, path) in &pages {
        let mut tasks = tokio::task::JoinSet::new();
        for client in &clients {
            let client = client[*who].clone();
            let url = format!("{base}{path}");
            let rounds = args.rounds;
            tasks.spawn(async move {
                let mut times = Vec::with_capacity(rounds);
                let mut size = 0;
                for _ in 0..rounds {
                    let t = Instant::now();
                    let res = client.get(&url).send().await?;
                    let status = res.status();
                    let final_path = res.url().path().to_owned();
                    let body = res.bytes().await?;
                    times.push(t.elapsed());
                    if !status.is_success() || final_path == "/inloggen" {
                        bail!("GET {url} gaf {status} ({final_path})");
                    }
                    size = body.len();
                }
                anyhow::Ok((times, size))
            });
        }
        let mut times = Vec::new();
        let mut size = 0;
        while let Some(joined) = tasks.join_next().await {
            let (t, s) = joined??;
            times.extend(t);
            size = s;
        }
        let q = quantiles(&mut times);
        println!(
            "{what:<30} {path:<36} {:>6} {:>6.1} ms {:>6.1} ms {:>6.1} ms {:>6.1} ms {:>7}",
            times.len(),
            q.median,
            q.p95,
            q.p99,
            q.max,
            size / 1024
        );
        if worst.as_ref().is_none_or(|(p95, ..)| q.p95 > *p95) {
            worst = Some((q.p95, q.p99, what.to_string()));
        }
    }
    if let Some((p95, p99, what)) = worst {
        println!(
            "\nHoogste p95: {p95:.1} ms ({what}, p99 {p99:.1} ms); doel: p95 < 200 ms, p99 < 500 ms"
        );
    }
    Ok(())
}

/// Nearest-rank quantiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Quantiles {
    median: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

fn quantiles(times: &mut [Duration]) -> Quantiles {
    if times.is_empty() {
        return Quantiles {
            median: 0.0,
            p95: 0.0,
            p99: 0.0,
            max: 0.0,
        };
    }
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1000.0
    };
    Quantiles {
        median: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: times[times.len() - 1].as_secs_f64() * 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let mut times: Vec<Duration> = (1..=200).rev().map(Duration::from_millis).collect();
        let q = quantiles(&mut times);
        assert_eq!(q.median, 100.0);
        assert_eq!(q.p95, 190.0);
        assert_eq!(q.p99, 198.0);
        assert_eq!(q.max, 200.0);
    }
}
