//! `verzuim holidays`: the official school holidays of a region (Rijksoverheid open data, JSON)
//! as `[[closed]]` blocks for a school.toml.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use verzuim_exchange::holidays::{REGIONS, closed_periods, parse_rijksoverheid};
use verzuim_exchange::values::date_iso;

use crate::invalid_input;

#[derive(clap::Args)]
pub struct Args {
    /// Het JSON-bestand met de schoolvakanties van de Rijksoverheid (open data).
    file: PathBuf,
    /// De vakantieregio van de school.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(REGIONS))]
    region: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Ok(invalid_input([format!(
                "{name}: kan het bestand niet lezen: {e}"
            )]));
        }
    };
    let holidays = match parse_rijksoverheid(&name, &bytes) {
        Ok(holidays) => holidays,
        Err(errors) => return Ok(invalid_input(errors.iter().map(ToString::to_string))),
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "# Schoolvakanties regio {} (uit {name}); plak dit in school.toml.",
        args.region
    )?;
    for period in closed_periods(&holidays, &args.region) {
        writeln!(out)?;
        writeln!(out, "[[closed]]")?;
        writeln!(out, "name = {}", toml_string(&period.name))?;
        writeln!(out, "kind = \"{}\"", period.kind.as_str())?;
        writeln!(out, "from = {}", date_iso(period.from))?;
        writeln!(out, "until = {}", date_iso(period.until))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "'")))
}
