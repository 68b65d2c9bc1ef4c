//! `verzuim bench`: figures. `verzuim bench evaluate`: how fast `verzuim evaluate` is on
//! generated school years; `verzuim bench api`: the JSON API under load ([`crate::bench_api`]).
//!
//! `evaluate`: for each size it generates a school year (`verzuim generate`, kept in the work folder for the
//! next run), then times what `verzuim evaluate --format json` does, in this process: read and
//! check the four files, evaluate every pupil, write the JSON (to a sink). It prints wall time,
//! registrations per second and the peak memory (VmHWM, reset before each size).

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use jiff::civil::date;
use verzuim_engine::card::builtin;
use verzuim_exchange::{InputFiles, evaluate_input, write_json};

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
}

pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Evaluate(args) => run_evaluate(args),
        BenchCommand::Api(args) => crate::bench_api::run(args),
        BenchCommand::Pages(args) => crate::bench_pages::run(args),
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
    writeln!(
        out,
        "{:>10} {:>13} {:>10} {:>10} {:>16} {:>12}   inlezen / beoordelen / schrijven (s)",
        "leerlingen", "registraties", "signalen", "tijd (s)", "registraties/s", "piek (MiB)",
    )?;
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
        }) {
            Ok(input) => input,
            Err(errors) => bail!("gegenereerde invoer is ongeldig: {}", errors[0]),
        };
        let loaded = start.elapsed().as_secs_f64();
        let (signals, _) = evaluate_input(&card, &input, as_of, None);
        let evaluated = start.elapsed().as_secs_f64();
        write_json(io::sink(), &card, as_of, &input, &signals, None)?;
        let seconds = start.elapsed().as_secs_f64();
        let registrations: usize = input
            .pupils
            .iter()
            .map(|p| p.record.registrations.len())
            .sum();
        writeln!(
            out,
            "{:>10} {:>13} {:>10} {:>10.2} {:>16.0} {:>12}   {:.2} / {:.2} / {:.2}",
            pupils,
            registrations,
            signals.len(),
            seconds,
            registrations as f64 / seconds,
            peak_memory_mib().map_or("?".to_string(), |m| m.to_string()),
            loaded,
            evaluated - loaded,
            seconds - evaluated,
        )?;
    }
    Ok(ExitCode::SUCCESS)
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
