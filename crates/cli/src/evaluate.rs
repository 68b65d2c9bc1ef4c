//! `verzuim evaluate`: the contract of formats.md. Reads the input files, evaluates every pupil
//! in parallel against the card and writes the signals (and, on request, the pupils approaching
//! a threshold) as JSON or as a table.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use verzuim_exchange::{
    InputFiles, evaluate_approaching, evaluate_compact, evaluate_input, write_json_table,
    write_table,
};

use crate::card_cmd::load_card;
use crate::invalid_input;

#[derive(clap::Args)]
pub struct Args {
    /// De school: lestijden en vrije dagen (school.toml).
    #[arg(long, value_name = "PAD")]
    school: PathBuf,
    /// De leerlingen (pupils.csv).
    #[arg(long, value_name = "PAD")]
    pupils: PathBuf,
    /// De registraties van afwezigheid en te laat komen (registrations.csv).
    #[arg(long, value_name = "PAD")]
    registrations: PathBuf,
    /// Gebeurtenissen: verwijdering, zorg_ziekte, overig_verzuim (events.csv).
    #[arg(long, value_name = "PAD")]
    events: Option<PathBuf>,
    /// Een ingebouwde kaart (twente-po, voorbeeld-mazl) of het pad van een kaartbestand.
    #[arg(long, default_value = "twente-po", value_name = "ID|PAD")]
    card: String,
    /// Peildatum: alleen signalen op of vóór deze datum (standaard: vandaag, Europe/Amsterdam).
    #[arg(long = "as-of", value_name = "JJJJ-MM-DD", value_parser = parse_as_of)]
    as_of: Option<Date>,
    /// Uitvoer: json, of table voor mensen (standaard: table op een terminal, anders json).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Toon ook leerlingen die op de peildatum minstens deze fractie van een drempel bereikt
    /// hebben (standaard 0.75).
    #[arg(
        long,
        value_name = "FRACTIE",
        num_args = 0..=1,
        default_missing_value = "0.75",
        value_parser = parse_fraction
    )]
    approaching: Option<f64>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
}

fn parse_as_of(s: &str) -> Result<Date, String> {
    verzuim_exchange::values::parse_date(s.trim())
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let value: f64 = s
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("\"{s}\" is geen getal; gebruik bijvoorbeeld 0.75"))?;
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(format!(
            "{s} moet groter dan 0 en hoogstens 1 zijn, bijvoorbeeld 0.75"
        ))
    }
}

/// Today in Europe/Amsterdam (the system's time zone when the time zone database lacks it).
fn today() -> Date {
    let tz = TimeZone::get("Europe/Amsterdam").unwrap_or_else(|_| TimeZone::system());
    jiff::Timestamp::now().to_zoned(tz).date()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let card = load_card(&args.card);
    let input = verzuim_exchange::load(&InputFiles {
        school: args.school,
        pupils: args.pupils,
        registrations: args.registrations,
        events: args.events,
        // The table shows pupils' names; the JSON shows no details.
        details: format == Format::Table,
    });
    let (card, input) = match (card, input) {
        (Ok(card), Ok(input)) => (card, input),
        (card, input) => {
            let card_errors = card.err().unwrap_or_default();
            let input_errors = input.err().unwrap_or_default();
            return Ok(invalid_input(
                card_errors
                    .into_iter()
                    .chain(input_errors.iter().map(ToString::to_string)),
            ));
        }
    };
    let as_of = args.as_of.unwrap_or_else(today);

    let stdout = io::stdout().lock();
    let written = match format {
        // The signals in compact form: a region's JSON in a fraction of the memory.
        Format::Json => {
            let signals = evaluate_compact(&card, &input, as_of);
            let approaching = args
                .approaching
                .map(|fraction| evaluate_approaching(&card, &input, as_of, fraction));
            write_json_table(
                stdout,
                &card,
                as_of,
                &input,
                &signals,
                approaching.as_deref(),
            )
        }
        Format::Table => {
            let (signals, approaching) = evaluate_input(&card, &input, as_of, args.approaching);
            write_table(
                stdout,
                &card,
                as_of,
                &input,
                &signals,
                approaching.as_deref(),
            )
        }
    };
    written.context("kan de uitvoer niet schrijven")?;
    Ok(ExitCode::SUCCESS)
}
