//! `verzuim card show` and `verzuim card check`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use verzuim_engine::Card;
use verzuim_engine::model::SignalKind;

use crate::invalid_input;

#[derive(Subcommand)]
pub enum CardCommand {
    /// Toon een kaart: per signaal de drempels en de acties per partij.
    Show {
        /// Een ingebouwde kaart (twente-po, voorbeeld-mazl) of het pad van een kaartbestand.
        #[arg(long, default_value = "twente-po", value_name = "ID|PAD")]
        card: String,
    },
    /// Controleer een kaartbestand en meld elke fout met regel en kolom.
    Check {
        /// Het kaartbestand (.toml).
        #[arg(value_name = "PAD")]
        path: PathBuf,
    },
}

pub fn run(command: CardCommand) -> anyhow::Result<ExitCode> {
    match command {
        CardCommand::Show { card } => match load_card(&card) {
            Ok(card) => {
                let mut out = io::stdout().lock();
                out.write_all(card.show().as_bytes())
                    .and_then(|()| out.flush())
                    .context("kan de kaart niet schrijven")?;
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => Ok(invalid_input(errors)),
        },
        CardCommand::Check { path } => match read_card_file(&path) {
            Ok(card) => {
                let kinds = SignalKind::ALL
                    .iter()
                    .filter(|k| card.rules.row(**k).is_some())
                    .count();
                let mut out = io::stdout().lock();
                writeln!(
                    out,
                    "{}: kaart is geldig ({kinds} signaalsoorten)",
                    path.display()
                )
                .context("kan niet naar standaarduitvoer schrijven")?;
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => Ok(invalid_input(errors)),
        },
    }
}

/// A card by built-in id or, otherwise, from a file; on failure every problem as
/// `PATH:line:column: message`.
pub fn load_card(spec: &str) -> Result<Card, Vec<String>> {
    verzuim_exchange::load_card(spec).map_err(strings)
}

fn read_card_file(path: &Path) -> Result<Card, Vec<String>> {
    verzuim_exchange::read_card_file(path).map_err(strings)
}

fn strings(errors: Vec<verzuim_exchange::InputError>) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}
