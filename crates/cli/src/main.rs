//! `verzuim`: school absence by the regional verzuimkaart. One module per subcommand.

mod bench;
mod bench_api;
mod bench_pages;
mod bench_region;
mod card_cmd;
mod evaluate;
mod generate;
mod holidays_cmd;
mod load;
mod migrate;
mod region;
mod serve;
mod users;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for invalid input (formats.md): every problem is on standard error.
pub const EXIT_INVALID: u8 = 2;

#[derive(Parser)]
#[command(
    name = "verzuim",
    version,
    about = "Schoolverzuim volgens de regionale verzuimkaart: signaleren, melden en opvolgen.",
    long_about = "Schoolverzuim volgens de regionale verzuimkaart (standaard: Twente, primair \
                  onderwijs). `verzuim evaluate` leest de registraties van een school en geeft de \
                  signalen van de kaart met de acties per partij (school, leerplicht, GGD-JGZ)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Beoordeel de registraties van een school volgens de kaart en toon de signalen.
    Evaluate(evaluate::Args),
    /// Toon of controleer een verzuimkaart.
    Card {
        #[command(subcommand)]
        command: card_cmd::CardCommand,
    },
    /// Maak een verzonnen school (of met --schools een hele regio) met leerlingen en
    /// registraties, om te testen en te meten.
    Generate(GenerateArgs),
    /// Metingen: `bench evaluate` (hoe snel `evaluate` gegenereerde schooljaren beoordeelt) en
    /// `bench api` (de JSON-API onder belasting).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Zet de schoolvakanties van de Rijksoverheid (open data, JSON) om in [[closed]]-blokken
    /// voor school.toml.
    Holidays(holidays_cmd::Args),
    /// Start de webservice (JSON-API) voor school, leerplicht en GGD-JGZ.
    Serve(serve::Args),
    /// Werk de database bij naar het huidige schema.
    Migrate(migrate::Args),
    /// Laad een gegenereerde regio of het hele land (`verzuim generate --schools`) school voor
    /// school in de database: organisaties, leerlingen, registraties, en de beoordeling (signalen,
    /// dossiers, taken) zoals de import die maakt.
    Load(load::Args),
    /// Beheer gebruikers en hun rollen.
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// Aantal leerlingen (met --schools: van alle scholen samen).
    #[arg(long)]
    pupils: usize,
    /// Maak een hele regio of het hele land: zoveel scholen, elk in een eigen map
    /// (MAP/<schoolcode>/), met schools.csv en municipalities.csv als overzicht.
    #[arg(long)]
    schools: Option<usize>,
    /// Aantal gemeenten van de regio (alleen met --schools; standaard één per 18 scholen).
    #[arg(long, requires = "schools")]
    municipalities: Option<usize>,
    /// Startwaarde van de toevalsgenerator: dezelfde waarde geeft dezelfde bestanden.
    #[arg(long)]
    seed: u64,
    /// Map waarin school.toml, pupils.csv, registrations.csv en events.csv komen.
    #[arg(long, value_name = "MAP")]
    out: PathBuf,
    /// Het schooljaar, genoemd naar het jaar waarin het begint (2026 = 2026-2027).
    #[arg(long, default_value_t = 2026)]
    school_year: i16,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Evaluate(args) => evaluate::run(args),
        Command::Card { command } => card_cmd::run(command),
        Command::Generate(args) => run_generate(args),
        Command::Bench { command } => bench::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Load(args) => load::run(args),
        Command::Users { command } => users::run(command),
        Command::Holidays(args) => holidays_cmd::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr().lock(), "verzuim: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_generate(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    if let Some(schools) = args.schools {
        let summary = region::generate_region(&region::RegionOptions {
            pupils: args.pupils,
            schools,
            municipalities: args
                .municipalities
                .unwrap_or_else(|| region::default_municipalities(schools)),
            seed: args.seed,
            out: args.out,
            school_year: args.school_year,
        })?;
        eprintln!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    let summary = generate::generate(&generate::GenerateOptions {
        pupils: args.pupils,
        seed: args.seed,
        out: args.out,
        school_year: args.school_year,
    })?;
    eprintln!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// Whether the error is a write to a closed pipe (`verzuim evaluate ... | head`): not a failure.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints input errors, one per line, to standard error; returns exit code 2.
pub fn invalid_input(lines: impl IntoIterator<Item = String>) -> ExitCode {
    let stderr = io::stderr();
    let mut err = io::BufWriter::new(stderr.lock());
    for line in lines {
        let _ = writeln!(err, "{line}");
    }
    let _ = err.flush();
    ExitCode::from(EXIT_INVALID)
}
