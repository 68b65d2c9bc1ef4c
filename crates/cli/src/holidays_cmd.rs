//! `verzuim holidays`: the official school holidays of a region (Rijksoverheid open data, JSON)
//! as `[[closed]]` blocks for a school.toml.
//!
//! The dates are the date parts of the answer's timestamps (`exchange::holidays`). Anything in
//! the file that cannot be read is an error (exit 2, every problem with its JSON path): a
//! school.toml must not silently lack a holiday. A holiday that does not run from a Saturday to
//! a Sunday is printed as read, with a note on standard error.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use verzuim_exchange::holidays::{
    closed_periods, parse_region, parse_school_year, read_rijksoverheid,
};
use verzuim_exchange::read_file;
use verzuim_exchange::values::date_iso;

use crate::invalid_input;

#[derive(clap::Args)]
pub struct Args {
    /// Het JSON-bestand met de schoolvakanties van de Rijksoverheid (open data): één schooljaar
    /// of een lijst van schooljaren.
    file: PathBuf,
    /// De vakantieregio van de school: noord, midden of zuid (hoofdletters mogen).
    #[arg(long)]
    region: String,
    /// Alleen dit schooljaar, zoals 2026-2027; zonder: alle schooljaren in het bestand.
    #[arg(long)]
    schooljaar: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let region = parse_region(&args.region).map_err(|m| format!("--region: {m}"));
    let school_year = (args.schooljaar.as_deref())
        .map(parse_school_year)
        .transpose()
        .map_err(|m| format!("--schooljaar: {m}"));
    let bytes = read_file(&args.file).map_err(|e| e.to_string());
    let (region, school_year, bytes) = match (region, school_year, bytes) {
        (Ok(region), Ok(school_year), Ok(bytes)) => (region, school_year, bytes),
        (region, school_year, bytes) => {
            return Ok(invalid_input(
                [region.err(), school_year.err(), bytes.err()]
                    .into_iter()
                    .flatten(),
            ));
        }
    };
    let file = match read_rijksoverheid(&name, &bytes) {
        Ok(file) if file.problems.is_empty() => file,
        Ok(file) => return Ok(invalid_input(file.problems.iter().map(ToString::to_string))),
        Err(errors) => return Ok(invalid_input(errors.iter().map(ToString::to_string))),
    };
    let holidays = match file.of_school_year(school_year.as_deref()) {
        Ok(holidays) => holidays,
        Err(m) => return Ok(invalid_input([format!("{name}: {m}")])),
    };
    let periods = closed_periods(holidays, region);
    if periods.is_empty() {
        return Ok(invalid_input([format!(
            "{name}: het bestand bevat geen vakanties voor regio {region}"
        )]));
    }
    let mut err = io::stderr().lock();
    for note in &file.notes {
        writeln!(err, "let op: {note}")?;
    }
    let years = match &school_year {
        Some(year) => year.clone(),
        None => file.school_years().join(", "),
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "# Schoolvakanties regio {region}, schooljaar {years} (uit {name}); plak dit in school.toml."
    )?;
    for period in periods {
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
