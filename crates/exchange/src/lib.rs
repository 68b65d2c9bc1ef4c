//! `verzuim-exchange`: the exchange formats of `docs/spec/formats.md`.
//!
//! In: `school.toml`, `pupils.csv`, `registrations.csv` and `events.csv`, checked row by row and
//! across files, with every problem reported as an [`InputError`] naming the file, the line and
//! (where one applies) the column, in Dutch. Out: the JSON of `verzuim evaluate`
//! ([`output::json`]) and a table for people ([`output::table`]). Also in: the Rijksoverheid's
//! open-data answer of school holidays ([`holidays`]), read with Dutch JSON errors.
//!
//! Parsing never panics, whatever the bytes: see the property tests in `tests/`.

pub mod card;
mod csvfile;
mod error;
pub mod evaluate;
mod events;
pub mod holidays;
mod input;
mod json;
pub mod output;
mod pupils;
mod registrations;
pub mod school;
pub mod values;
pub mod write;

#[cfg(test)]
mod tests;

pub use card::{load_card, parse_card, read_card_file};
pub use error::InputError;
pub use evaluate::{
    Evaluated, SignalTable, evaluate_approaching, evaluate_compact, evaluate_input,
};
pub use input::{Input, InputFiles, PupilDetails, PupilInput, Source, load, parse, read_file};
pub use output::json::{write_json, write_json_table};
pub use output::table::write_table;
