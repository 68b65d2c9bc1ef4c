//! `verzuim load --database URL DIR`: a region or the country of `verzuim generate --schools`
//! into a database, school by school (issue 13.3).
//!
//! The municipalities of `municipalities.csv` and the schools of `schools.csv` become
//! organisations; then `--jobs` schools at a time are loaded, each in one transaction with
//! [`verzuim_service::load::load_school`]: the import's checks, the pupils, registrations and
//! events with PostgreSQL `COPY`, and every pupil evaluated, so signals, cases and tasks are
//! those the import through the service makes (`--via-import` loads through that import itself,
//! for comparison; the test `crates/cli/tests/it/load.rs` checks that both give the same). Only
//! one school's files are in memory per job. A school that already has pupils is skipped, so an
//! interrupted load continues where it stopped.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::civil::Date;
use verzuim_exchange::Source;
use verzuim_server::ManualClock;
use verzuim_service::load::{Municipalities, load_school};
use verzuim_service::{Caller, ImportReport, ServiceError, Sources};
use verzuim_store::{
    Actor, AuditEntry, Letterhead, OrgKind, Organisation, Page, Role, Scope, Store,
};

use crate::bench_api::at_noon;
use crate::migrate;

/// The default "today" of a load: the last lesson day of the school year `verzuim generate`
/// makes by default (2026-2027), the demo's day.
pub const DEFAULT_TODAY: &str = "2027-07-09";

#[derive(clap::Args)]
pub struct Args {
    /// De database: `postgres://…` (of `sqlite://pad`). Ook via de omgevingsvariabele
    /// VERZUIM_DATABASE.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// De map van `verzuim generate --schools`: schools.csv, municipalities.csv en een map per
    /// school.
    #[arg(value_name = "MAP")]
    pub dir: PathBuf,
    /// De datum van vandaag voor het laden: registraties erna worden geweigerd, en alles wordt
    /// op deze dag vastgelegd (standaard de laatste lesdag van schooljaar 2026-2027).
    #[arg(long, default_value = DEFAULT_TODAY)]
    pub today: Date,
    /// Zoveel scholen tegelijk laden (elk in een eigen transactie).
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    /// Laad elke school met de gewone import van de service (rij voor rij): langzamer, ter
    /// vergelijking.
    #[arg(long)]
    pub via_import: bool,
}

/// One row of schools.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRow {
    pub id: String,
    pub name: String,
    pub municipality: String,
    pub municipality_name: String,
    pub pupils: u64,
    pub folder: String,
}

/// One row of municipalities.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityRow {
    pub code: String,
    pub name: String,
    pub schools: u64,
    pub pupils: u64,
}

fn read_index(dir: &Path, name: &str, fields: usize) -> anyhow::Result<Vec<Vec<String>>> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "kan {} niet lezen (is {} een map van `verzuim generate --schools`?)",
            path.display(),
            dir.display()
        )
    })?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let row: Vec<String> = line.split(',').map(str::to_owned).collect();
        if row.len() != fields {
            bail!(
                "{}:{}: {} velden verwacht, {} gevonden",
                path.display(),
                i + 1,
                fields,
                row.len()
            );
        }
        rows.push(row);
    }
    Ok(rows)
}

fn number(value: &str, path: &str) -> anyhow::Result<u64> {
    value
        .trim()
        .parse()
        .with_context(|| format!("{path}: \"{value}\" is geen aantal"))
}

/// schools.csv of a generated region.
pub fn read_schools(dir: &Path) -> anyhow::Result<Vec<SchoolRow>> {
    read_index(dir, "schools.csv", 8)?
        .into_iter()
        .map(|r| {
            Ok(SchoolRow {
                pupils: number(&r[4], "schools.csv")?,
                id: r[0].clone(),
                name: r[1].clone(),
                municipality: r[2].clone(),
                municipality_name: r[3].clone(),
                folder: r[7].clone(),
            })
        })
        .collect()
}

/// municipalities.csv of a generated region.
pub fn read_municipalities(dir: &Path) -> anyhow::Result<Vec<MunicipalityRow>> {
    read_index(dir, "municipalities.csv", 4)?
        .into_iter()
        .map(|r| {
            Ok(MunicipalityRow {
                schools: number(&r[2], "municipalities.csv")?,
                pupils: number(&r[3], "municipalities.csv")?,
                code: r[0].clone(),
                name: r[1].clone(),
            })
        })
        .collect()
}

/// What the load did, counted by all jobs together.
#[derive(Default)]
struct Totals {
    schools: AtomicUsize,
    skipped: AtomicUsize,
    pupils: AtomicU64,
    registrations: AtomicU64,
    events: AtomicU64,
    signals: AtomicU64,
    cases: AtomicU64,
    tasks: AtomicU64,
}

impl Totals {
    /// Counts a loaded school; returns how many are loaded now.
    fn add(&self, r: &ImportReport) -> usize {
        let schools = self.schools.fetch_add(1, Ordering::Relaxed) + 1;
        self.pupils.fetch_add(
            (r.pupils_created + r.pupils_updated) as u64,
            Ordering::Relaxed,
        );
        self.registrations
            .fetch_add(r.registrations as u64, Ordering::Relaxed);
        self.events.fetch_add(r.events as u64, Ordering::Relaxed);
        self.signals.fetch_add(
            (r.sync.inserted.len() + r.sync.extended.len()) as u64,
            Ordering::Relaxed,
        );
        self.cases
            .fetch_add(r.sync.cases_opened.len() as u64, Ordering::Relaxed);
        self.tasks
            .fetch_add(r.sync.tasks_created.len() as u64, Ordering::Relaxed);
        schools
    }

    fn rows(&self) -> u64 {
        self.pupils.load(Ordering::Relaxed)
            + self.registrations.load(Ordering::Relaxed)
            + self.events.load(Ordering::Relaxed)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.jobs == 0 {
        bail!("--jobs moet minstens 1 zijn");
    }
    let url = migrate::database_url(args.database.clone());
    let schools = read_schools(&args.dir)?;
    let places = read_municipalities(&args.dir)?;
    migrate::runtime()?.block_on(async {
        let clock = ManualClock::new(at_noon(args.today));
        let store = migrate::open(&url).await?.with_clock(clock.clock());
        let outcome = load(&store, &args, &schools, &places).await;
        store.close().await;
        outcome
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn load(
    store: &Store,
    args: &Args,
    schools: &[SchoolRow],
    places: &[MunicipalityRow],
) -> anyhow::Result<()> {
    let pupils: u64 = schools.iter().map(|s| s.pupils).sum();
    println!(
        "verzuim load: {} scholen, {} gemeenten, {} leerlingen uit {} naar {}{}",
        schools.len(),
        places.len(),
        pupils,
        args.dir.display(),
        migrate::redact(&migrate::database_url(args.database.clone())),
        if args.via_import {
            " (via de import)"
        } else {
            ""
        }
    );
    let start = Instant::now();
    let mut tx = store.begin().await?;
    for m in places {
        tx.put_organisation(&Organisation {
            id: m.code.clone(),
            kind: OrgKind::Gemeente,
            name: m.name.clone(),
            letterhead: Letterhead::default(),
        })
        .await?;
    }
    for s in schools {
        if tx.organisation_kind(&s.id).await?.is_none() {
            tx.put_organisation(&Organisation {
                id: s.id.clone(),
                kind: OrgKind::School,
                name: s.name.clone(),
                letterhead: Letterhead::default(),
            })
            .await?;
        }
    }
    tx.commit().await?;
    let municipalities = Arc::new(Municipalities::read(store).await?);

    let totals = Arc::new(Totals::default());
    let next = Arc::new(AtomicUsize::new(0));
    let schools: Arc<Vec<SchoolRow>> = Arc::new(schools.to_vec());
    let mut jobs = tokio::task::JoinSet::new();
    for _ in 0..args.jobs.min(schools.len().max(1)) {
        let (store, totals, next, schools, municipalities) = (
            store.clone(),
            totals.clone(),
            next.clone(),
            schools.clone(),
            municipalities.clone(),
        );
        let (dir, today, via_import) = (args.dir.clone(), args.today, args.via_import);
        jobs.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(school) = schools.get(i) else {
                    return anyhow::Ok(());
                };
                let job = Job {
                    store: &store,
                    dir: &dir,
                    today,
                    via_import,
                    municipalities: &municipalities,
                };
                let loaded = job.school(school).await?;
                // Up to 2,048 schools' calendars and evaluators (about 1 MB each) would stay
                // in the store's cache; a loaded school is not evaluated again.
                store.school_cache().remove(&school.id);
                match loaded {
                    Some(report) => {
                        // The planner's statistics refreshed whenever the loaded schools have
                        // doubled (1, 2, 4, …): see `Store::analyze`.
                        if totals.add(&report).is_power_of_two() {
                            store.analyze().await?;
                        }
                    }
                    None => {
                        totals.skipped.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    let progress = {
        let (totals, total) = (totals.clone(), schools.len());
        tokio::spawn(async move {
            let start = Instant::now();
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            tick.tick().await;
            loop {
                tick.tick().await;
                let secs = start.elapsed().as_secs_f64();
                let done =
                    totals.schools.load(Ordering::Relaxed) + totals.skipped.load(Ordering::Relaxed);
                println!(
                    "  {done}/{total} scholen, {} leerlingen, {} registraties ({:.0} rijen/s), {:.0} s",
                    totals.pupils.load(Ordering::Relaxed),
                    totals.registrations.load(Ordering::Relaxed),
                    totals.rows() as f64 / secs,
                    secs
                );
            }
        })
    };
    let mut failed = None;
    while let Some(joined) = jobs.join_next().await {
        let outcome = joined.context("een laadtaak is afgebroken")?;
        if let Err(e) = outcome {
            failed.get_or_insert(e);
            // The other jobs stop after their current school.
            next.store(usize::MAX / 2, Ordering::Relaxed);
        }
    }
    progress.abort();
    if let Some(e) = failed {
        return Err(e);
    }
    // The statistics of the whole load, for the queries that follow.
    store.analyze().await?;
    let secs = start.elapsed().as_secs_f64();
    let t = &totals;
    println!(
        "Geladen: {} scholen ({} overgeslagen: hadden al leerlingen), {} leerlingen, {} registraties, \
         {} gebeurtenissen in {:.1} s: {:.0} rijen/s ({:.0} leerlingen/s); {} signalen, {} dossiers, {} taken",
        t.schools.load(Ordering::Relaxed),
        t.skipped.load(Ordering::Relaxed),
        t.pupils.load(Ordering::Relaxed),
        t.registrations.load(Ordering::Relaxed),
        t.events.load(Ordering::Relaxed),
        secs,
        t.rows() as f64 / secs,
        t.pupils.load(Ordering::Relaxed) as f64 / secs,
        t.signals.load(Ordering::Relaxed),
        t.cases.load(Ordering::Relaxed),
        t.tasks.load(Ordering::Relaxed),
    );
    Ok(())
}

/// What every school of one load shares.
struct Job<'a> {
    store: &'a Store,
    dir: &'a Path,
    today: Date,
    via_import: bool,
    municipalities: &'a Municipalities,
}

impl Job<'_> {
    /// Loads one school; `None` when it already has pupils.
    async fn school(&self, school: &SchoolRow) -> anyhow::Result<Option<ImportReport>> {
        if !self
            .store
            .list_pupils(Scope::School(&school.id), Page::first(1))
            .await?
            .is_empty()
        {
            return Ok(None);
        }
        let folder = self.dir.join(&school.folder);
        let read = |name: &str| {
            let path = folder.join(name);
            std::fs::read(&path).with_context(|| format!("kan {} niet lezen", path.display()))
        };
        let (toml, pupils, registrations) = (
            read("school.toml")?,
            read("pupils.csv")?,
            read("registrations.csv")?,
        );
        let events = match std::fs::read(folder.join("events.csv")) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e).context(format!("kan events.csv van {} niet lezen", school.id));
            }
        };
        let sources = Sources {
            school: Some(Source {
                name: "school.toml",
                bytes: &toml,
            }),
            pupils: Source {
                name: "pupils.csv",
                bytes: &pupils,
            },
            registrations: Source {
                name: "registrations.csv",
                bytes: &registrations,
            },
            events: events.as_deref().map(|bytes| Source {
                name: "events.csv",
                bytes,
            }),
        };
        // The audit row an import through the beheer page writes (the service adds the counts).
        let caller = Caller::system(&school.id, Role::Beheerder).audited(&AuditEntry {
            actor: Actor::System,
            organisation_id: Some(school.id.clone()),
            action: "pupil_write".to_owned(),
            object: format!("import:{}", school.id),
            pupil: None,
            address: None,
            outcome: "ok".to_owned(),
        });
        let outcome = if self.via_import {
            verzuim_service::import(self.store, &caller, self.today, &school.id, sources).await
        } else {
            load_school(
                self.store,
                &caller,
                self.today,
                &school.id,
                sources,
                self.municipalities,
            )
            .await
        };
        match outcome {
            Ok(report) => Ok(Some(report)),
            Err(ServiceError::Input(errors)) => {
                let mut text = format!(
                    "school {} ({}): de bestanden kloppen niet:",
                    school.id,
                    folder.display()
                );
                for e in errors.iter().take(20) {
                    text.push_str(&format!("\n  {e}"));
                }
                if errors.len() > 20 {
                    text.push_str(&format!("\n  … en nog {}", errors.len() - 20));
                }
                bail!(text)
            }
            Err(e) => Err(e).with_context(|| format!("school {} laden mislukt", school.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("schools.csv"),
            "school_id,name,municipality,municipality_name,pupils,registrations,events,folder\n\
             10AA00,OBS A,GM0153,Enschede,210,900,3,10AA00\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("municipalities.csv"),
            "municipality,name,schools,pupils\nGM0153,Enschede,1,210\n",
        )
        .unwrap();
        let schools = read_schools(dir.path()).unwrap();
        assert_eq!(schools[0].id, "10AA00");
        assert_eq!(schools[0].pupils, 210);
        assert_eq!(schools[0].folder, "10AA00");
        let places = read_municipalities(dir.path()).unwrap();
        assert_eq!(places[0].name, "Enschede");
        assert_eq!(places[0].pupils, 210);
        std::fs::write(dir.path().join("schools.csv"), "h\n1,2\n").unwrap();
        let e = read_schools(dir.path()).unwrap_err().to_string();
        assert!(e.contains("schools.csv:2"), "{e}");
    }
}
