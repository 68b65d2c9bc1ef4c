//! Card files (`cards/*.toml`, schema in docs/cards.md) as input: a built-in card by its id, or a
//! file read from disk, with every problem as an [`InputError`] naming the file, the line and the
//! column. The card's meaning is checked by the engine's parser (`Card::from_toml`).

use std::path::Path;

use verzuim_engine::Card;
use verzuim_engine::card::{BUILTIN, builtin};

use crate::error::{InputError, line_column};

/// A card by built-in id (`twente-po`, `voorbeeld-mazl`) or, otherwise, from the file at `spec`.
pub fn load_card(spec: &str) -> Result<Card, Vec<InputError>> {
    if let Some(card) = builtin(spec) {
        return Ok(card);
    }
    read_card_file(Path::new(spec))
}

/// Reads and checks the card file at `path`; errors name the file as given.
pub fn read_card_file(path: &Path) -> Result<Card, Vec<InputError>> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => parse_card(&name, &bytes),
        Err(e) => {
            let known = BUILTIN
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", ");
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!("het kaartbestand bestaat niet (ingebouwde kaarten: {known})")
                }
                _ => format!("kan het kaartbestand niet lezen: {e}"),
            };
            Err(vec![InputError::file(&name, why)])
        }
    }
}

/// Parses the contents of a card file called `name` (for the errors). `bytes` may start with a
/// BOM. Never panics, whatever the bytes.
pub fn parse_card(name: &str, bytes: &[u8]) -> Result<Card, Vec<InputError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        vec![InputError::at(
            name,
            line,
            Some(column),
            "het kaartbestand bevat tekens die geen UTF-8 zijn; sla het op als UTF-8",
        )]
    })?;
    Card::from_toml(text).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| InputError::at(name, e.line as u64, Some(e.column as u64), e.message))
            .collect()
    })
}
