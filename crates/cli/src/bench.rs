//! `verzuim bench`: figures. `verzuim bench evaluate`: how fast `verzuim evaluate` is on
//! generated school years; `verzuim bench api`: the JSON API under load ([`crate::bench_api`]).
//!
//! `evaluate`: for each size it generates a school year (`verzuim generate`, kept in the work folder for the
//! next run), then times what `verzuim evaluate --format json` does, in this process: read and
//! check the four files, evaluate every pupil, write the JSON (to a sink). It prints wall time,
//! registrations per second and the peak memory (VmHWM, reset before each size). When `python3`
//! can import duckdb, it prints beside each size how long DuckDB takes to read the same
//! pupils.csv and registrations.csv into tables (`bench/duckdb_read.py`, best of three), and the
//! ratio; at the end, how the time grows from one size to the next.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use jiff::civil::date;
use verzuim_engine::card::builtin;
use verzuim_exchange::{InputFiles, evaluate_compact, write_json_table};

use crate::generate::{GenerateOptions, generate};

/// The measurements of `verzuim bench`.
#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Meet hoe snel `evaluate` gegenereerde schooljaren beoordeelt (tijd, registraties per
    /// seconde, piekgeheugen).
    Evaluate(Args),
    /// Meet de JSON-API onder belasting: registraties per seconde met gelijktijdige clients,
    /// latentie (p50/p90/p99/max) en de lijst met open taken van een school.
    Api(crate::bench_api::Args),
    /// Meet hoe lang elke webpagina duurt voor een school met 500 leerlingen, per rol (mediaan,
    /// p95, maximum).
    Pages(crate::bench_pages::Args),
    /// Meet de pagina's van leerplicht, coördinator en beheerder met 32 gelijktijdige clients op
    /// een database die `verzuim load` vulde (mediaan, p95, p99, maximum).
    Region(crate::bench_region::Args),
}

pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Evaluate(args) => run_evaluate(args),
        BenchCommand::Api(args) => crate::bench_api::run(args),
        BenchCommand::Pages(args) => crate::bench_pages::run(args),
        BenchCommand::Region(args) => crate::bench_region::run(args),
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Aantallen leerlingen, gescheiden door komma's.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pupils: Vec<usize>,
    /// Startwaarde van de generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Werkmap voor de gegenereerde bestanden (blijft staan voor een volgende meting).
    #[arg(long, value_name = "MAP", default_value = "target/bench-data")]
    dir: PathBuf,
}

fn run_evaluate(args: Args) -> anyhow::Result<ExitCode> {
    let card = builtin("twente-po").context("ingebouwde kaart ontbreekt")?;
    let as_of = date(2027, 7, 31);
    let mut out = io::stdout().lock();
    let duckdb = duckdb_available();
    writeln!(
        out,
        "{:>10} {:>13} {:>10} {:>10} {:>16} {:>12}   inlezen / beoordelen / schrijven (s){}",
        "leerlingen",
        "registraties",
        "signalen",
        "tijd (s)",
        "registraties/s",
        "piek (MiB)",
        if duckdb {
            "   DuckDB (s)   tijd / DuckDB"
        } else {
            ""
        },
    )?;
    let mut times: Vec<(usize, f64)> = Vec::new();
    for &pupils in &args.pupils {
        let dir = args.dir.join(format!("{pupils}-{}", args.seed));
        if !dir.join("events.csv").exists() {
            fs::create_dir_all(&dir)?;
            generate(&GenerateOptions {
                pupils,
                seed: args.seed,
                out: dir.clone(),
                school_year: 2026,
            })?;
        }
        reset_peak_memory();
        let start = Instant::now();
        let input = match verzuim_exchange::load(&InputFiles {
            school: dir.join("school.toml"),
            pupils: dir.join("pupils.csv"),
            registrations: dir.join("registrations.csv"),
            events: Some(dir.join("events.csv")),
            details: false,
        }) {
            Ok(input) => input,
            Err(errors) => bail!("gegenereerde invoer is ongeldig: {}", errors[0]),
        };
        let loaded = start.elapsed().as_secs_f64();
        let signals = evaluate_compact(&card, &input, as_of);
        let signal_count = signals.len();
        let evaluated = start.elapsed().as_secs_f64();
        write_json_table(io::sink(), &card, as_of, &input, &signals, None)?;
        let seconds = start.elapsed().as_secs_f64();
        let registrations: usize = input
            .pupils
            .iter()
            .map(|p| p.record.registrations.len())
            .sum();
        let peak = peak_memory_mib().map_or("?".to_string(), |m| m.to_string());
        drop(signals);
        drop(input);
        let reference = if duckdb {
            let duck = duckdb_seconds(&dir)?;
            format!("   {duck:>10.2}   {:>13.1}", seconds / duck)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:>10} {:>13} {:>10} {:>10.2} {:>16.0} {:>12}   {:.2} / {:.2} / {:.2}{reference}",
            pupils,
            registrations,
            signal_count,
            seconds,
            registrations as f64 / seconds,
            peak,
            loaded,
            evaluated - loaded,
            seconds - evaluated,
        )?;
        times.push((pupils, seconds));
    }
    for pair in times.windows(2) {
        let ((small, a), (large, b)) = (pair[0], pair[1]);
        writeln!(
            out,
            "{large} leerlingen: {:.1} x de tijd van {small} ({:.1} x zoveel leerlingen)",
            b / a,
            large as f64 / small as f64
        )?;
    }
    if !duckdb {
        writeln!(
            out,
            "(DuckDB ontbreekt: `pip install duckdb` zet de tijd van DuckDB ernaast)"
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The script that times DuckDB reading the same pupils.csv and registrations.csv into tables.
const DUCKDB_SCRIPT: &str = include_str!("../bench/duckdb_read.py");

/// Whether `python3` can import duckdb.
fn duckdb_available() -> bool {
    Command::new("python3")
        .args(["-c", "import duckdb"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Seconds DuckDB takes to read `dir`'s pupils.csv and registrations.csv into tables (best of
/// three runs, each in a fresh in-memory database).
fn duckdb_seconds(dir: &Path) -> anyhow::Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let output = Command::new("python3")
            .args(["-c", DUCKDB_SCRIPT, &dir.display().to_string()])
            .output()
            .context("python3 met duckdb starten")?;
        if !output.status.success() {
            bail!(
                "DuckDB-meting mislukt: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let text = String::from_utf8_lossy(&output.stdout);
        // The last line: anything DuckDB itself printed comes before it.
        let seconds: f64 = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .context("DuckDB-meting gaf geen getal")?;
        best = best.min(seconds);
    }
    Ok(best)
}

/// Resets the peak resident set size of this process (Linux: `/proc/self/clear_refs`).
fn reset_peak_memory() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size in MiB since the last reset (Linux: VmHWM).
fn peak_memory_mib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
