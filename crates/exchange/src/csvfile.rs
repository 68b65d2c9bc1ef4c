//! The common ground of the CSV files (formats.md, "All CSV files"): a required header row,
//! columns in any order, unknown columns ignored, `,` or `;` as separator (taken from the header),
//! UTF-8 with or without BOM, empty lines ignored, fields trimmed.

use csv::{ByteRecord, ReaderBuilder};
use rayon::prelude::*;

use crate::error::InputError;
use crate::input::Source;

/// Longest text in any field, in characters.
pub const MAX_FIELD_CHARS: usize = 1000;

/// A field of a row, after trimming.
#[derive(Debug, Clone, Copy)]
enum Field<'r> {
    Empty,
    Text(&'r str),
    /// Invalid (not UTF-8, too long); the error has been reported.
    Bad,
}

/// One row of a CSV file, its known columns only.
pub(crate) struct Row<'r> {
    file: &'r str,
    pub line: u64,
    columns: &'r [&'static str],
    /// Per known column: the 1-based field number in the header, if present.
    positions: &'r [Option<u64>],
    fields: Vec<Field<'r>>,
}

impl<'r> Row<'r> {
    /// The column number of known column `i` (for errors).
    pub fn col(&self, i: usize) -> Option<u64> {
        self.positions.get(i).copied().flatten()
    }

    /// The value of known column `i`; `None` when empty, absent or invalid.
    pub fn get(&self, i: usize) -> Option<&'r str> {
        match self.fields.get(i) {
            Some(Field::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The value of required column `i`; reports an error when it is empty.
    pub fn required(&self, i: usize, errors: &mut Vec<InputError>) -> Option<&'r str> {
        match self.fields.get(i) {
            Some(Field::Text(s)) => Some(s),
            Some(Field::Bad) => None,
            _ => {
                let name = self.columns.get(i).copied().unwrap_or("?");
                errors.push(self.error(i, format!("veld \"{name}\" is leeg; het is verplicht")));
                None
            }
        }
    }

    /// Whether known column `i` holds something (also something invalid).
    pub fn is_set(&self, i: usize) -> bool {
        !matches!(self.fields.get(i), Some(Field::Empty) | None)
    }

    /// An error about known column `i` of this row.
    pub fn error(&self, i: usize, message: impl Into<String>) -> InputError {
        InputError::at(self.file, self.line, self.col(i), message)
    }
}

/// The separator of a file: `;` when the header line holds more semicolons than commas (outside
/// quotes), else `,`.
fn detect_separator(bytes: &[u8]) -> u8 {
    let header = bytes
        .split(|&b| b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or(&[]);
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// The trimmed text of a field, or `None` when it is not UTF-8.
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok().map(str::trim)
}

/// Line numbers of records. The csv crate's own line count is taken before it skips the line
/// ends (and empty lines) that precede a record, so it runs behind after `\r\n` or an empty
/// line; this counts from the record's byte offset instead, in one pass over the file.
struct Lines<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line on which the record at byte `offset` starts.
    fn at(&mut self, offset: u64) -> u64 {
        let target = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if target >= self.offset {
            let skipped = self.bytes.get(self.offset..target).unwrap_or(&[]);
            self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = target;
        }
        // The record's first byte: past the line ends before it.
        while let Some(&b) = self.bytes.get(self.offset) {
            match b {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.offset += 1;
        }
        self.line
    }
}

fn all_empty(record: &ByteRecord) -> bool {
    record
        .iter()
        .all(|f| f.iter().all(|b| b.is_ascii_whitespace()) || text(f).is_some_and(str::is_empty))
}

/// The header of a file: where each known column is, and where the rows begin.
struct Header<'b> {
    /// The file's name, for errors.
    file: &'b str,
    /// The known columns.
    columns: &'b [&'static str],
    /// The file after a BOM.
    bytes: &'b [u8],
    separator: u8,
    /// Per known column: the 1-based field number in the header, if present.
    positions: Vec<Option<u64>>,
    header_len: usize,
    /// The byte offset and the line at which the rows begin.
    rows_at: usize,
    rows_line: u64,
}

/// Reads the header of `source`; reports its problems. `None` when the rows cannot be read.
fn header<'b>(
    source: &Source<'b>,
    columns: &'b [&'static str],
    required: &[&'static str],
    errors: &mut Vec<InputError>,
) -> Option<Header<'b>> {
    let file = source.name;
    let mut bytes = source.bytes;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        errors.push(InputError::file(
            file,
            "het bestand is opgeslagen als UTF-16; sla het op als UTF-8 (CSV UTF-8)",
        ));
        return None;
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
    }
    let separator = detect_separator(bytes);
    let mut reader = reader(bytes, separator);
    let mut record = ByteRecord::new();
    let mut lines = Lines {
        bytes,
        offset: 0,
        line: 1,
    };

    // The header: the first row that is not empty.
    let header_line;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if all_empty(&record) => continue,
            Ok(true) => {
                header_line = record.position().map_or(0, |p| lines.at(p.byte()));
                break;
            }
            Ok(false) => {
                errors.push(InputError::file(
                    file,
                    format!(
                        "het bestand is leeg; de eerste regel moet de kop zijn met de kolommen {}",
                        required.join(", ")
                    ),
                ));
                return None;
            }
            Err(e) => {
                errors.push(InputError::file(
                    file,
                    format!("kan het bestand niet lezen: {e}"),
                ));
                return None;
            }
        }
    }
    let header_len = record.len();
    let mut positions = vec![None; columns.len()];
    let mut header_ok = true;
    for (n, name) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(name);
        let name = name
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .to_ascii_lowercase();
        if let Some(i) = columns.iter().position(|c| *c == name) {
            let column = n as u64 + 1;
            match positions[i] {
                None => positions[i] = Some(column),
                Some(first) => {
                    errors.push(InputError::at(
                        file,
                        header_line,
                        Some(column),
                        format!(
                            "kolom \"{name}\" staat twee keer in de kop (ook in kolom {first})"
                        ),
                    ));
                    header_ok = false;
                }
            }
        }
    }
    for name in required {
        let i = columns.iter().position(|c| c == name);
        if i.is_none_or(|i| positions[i].is_none()) {
            errors.push(InputError::at(
                file,
                header_line,
                None,
                format!(
                    "verplichte kolom \"{name}\" ontbreekt in de kop (verplicht: {}; scheidingsteken \"{}\")",
                    required.join(", "),
                    separator as char
                ),
            ));
            header_ok = false;
        }
    }
    if !header_ok {
        return None;
    }
    let rows_at = usize::try_from(reader.position().byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let rows_line = lines.line
        + bytes[lines.offset.min(rows_at)..rows_at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
    Some(Header {
        file,
        columns,
        bytes,
        separator,
        positions,
        header_len,
        rows_at,
        rows_line,
    })
}

fn reader(bytes: &[u8], separator: u8) -> csv::Reader<&[u8]> {
    ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// Reads the rows in `bytes` (which begin on line `first_line`) and calls `row` for each
/// non-empty one.
fn rows<S>(
    header: &Header<'_>,
    bytes: &[u8],
    first_line: u64,
    state: &mut S,
    errors: &mut Vec<InputError>,
    row: &impl Fn(&Row<'_>, &mut S, &mut Vec<InputError>),
) {
    let (file, columns) = (header.file, header.columns);
    let separator = header.separator;
    let header_len = header.header_len;
    let positions = &header.positions;
    let mut reader = reader(bytes, separator);
    let mut record = ByteRecord::new();
    let mut lines = Lines {
        bytes,
        offset: 0,
        line: first_line,
    };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| first_line + p.line() - 1);
                errors.push(InputError {
                    file: file.to_string(),
                    line,
                    column: None,
                    message: format!("kan het bestand niet verder lezen: {e}"),
                });
                break;
            }
        }
        if all_empty(&record) {
            continue;
        }
        let line = record.position().map_or(first_line, |p| lines.at(p.byte()));
        let mut fields = Vec::with_capacity(columns.len());
        for (i, name) in columns.iter().enumerate() {
            let field = match positions[i].and_then(|p| record.get(p as usize - 1)) {
                None => Field::Empty,
                Some(raw) => match text(raw) {
                    None => {
                        errors.push(InputError::at(
                            file,
                            line,
                            positions[i],
                            format!(
                                "veld \"{name}\" bevat tekens die geen UTF-8 zijn; sla het bestand op als UTF-8"
                            ),
                        ));
                        Field::Bad
                    }
                    Some("") => Field::Empty,
                    Some(s) => {
                        let chars = if s.len() > MAX_FIELD_CHARS {
                            s.chars().count()
                        } else {
                            s.len()
                        };
                        if chars > MAX_FIELD_CHARS {
                            errors.push(InputError::at(
                                file,
                                line,
                                positions[i],
                                format!(
                                    "veld \"{name}\" is te lang: {chars} tekens, hoogstens {MAX_FIELD_CHARS}"
                                ),
                            ));
                            Field::Bad
                        } else {
                            Field::Text(s)
                        }
                    }
                },
            };
            fields.push(field);
        }
        if record.len() > header_len {
            let extra = record
                .iter()
                .skip(header_len)
                .position(|f| !f.iter().all(u8::is_ascii_whitespace));
            if let Some(k) = extra {
                errors.push(InputError::at(
                    file,
                    line,
                    Some((header_len + k + 1) as u64),
                    format!(
                        "de regel heeft {} velden, de kop maar {header_len}; staat er een scheidingsteken \"{}\" in een veld zonder aanhalingstekens?",
                        record.len(),
                        separator as char
                    ),
                ));
            }
        }
        let view = Row {
            file,
            line,
            columns,
            positions,
            fields,
        };
        row(&view, state, errors);
    }
}

/// Reads `source` as CSV with the known `columns`, of which `required` must be in the header, and
/// calls `row` for each non-empty row. Reports header problems and field problems (not UTF-8, too
/// long, more fields than the header) to `errors`. Returns whether the header was usable (the
/// rows were read).
pub(crate) fn read(
    source: &Source<'_>,
    columns: &[&'static str],
    required: &[&'static str],
    errors: &mut Vec<InputError>,
    mut row: impl FnMut(&Row<'_>, &mut Vec<InputError>),
) -> bool {
    let Some(header) = header(source, columns, required, errors) else {
        return false;
    };
    let row = std::cell::RefCell::new(&mut row);
    let bytes = &header.bytes[header.rows_at..];
    let call =
        |view: &Row<'_>, _: &mut (), errors: &mut Vec<InputError>| (row.borrow_mut())(view, errors);
    rows(&header, bytes, header.rows_line, &mut (), errors, &call);
    true
}

/// Rows per chunk at least, for [`read_parallel`].
const MIN_CHUNK_BYTES: usize = 1 << 20;

/// As [`read`], but the rows are read in chunks on all threads, each chunk with its own `S`:
/// returns the states in file order (`None` when the header was not usable). Errors are in file
/// order too. A file with a quote in its rows is read in one chunk (a quoted field may hold a
/// line end, so lines are no safe place to cut it).
pub(crate) fn read_parallel<S: Default + Send>(
    source: &Source<'_>,
    columns: &[&'static str],
    required: &[&'static str],
    errors: &mut Vec<InputError>,
    row: impl Fn(&Row<'_>, &mut S, &mut Vec<InputError>) + Sync,
) -> Option<Vec<S>> {
    let header = header(source, columns, required, errors)?;
    let bytes = &header.bytes[header.rows_at..];
    let parts = if bytes.contains(&b'"') {
        1
    } else {
        (bytes.len() / MIN_CHUNK_BYTES).clamp(1, 4 * rayon::current_num_threads())
    };
    // Cut after a line end near each 1/parts of the rows.
    let mut cuts = vec![0];
    for k in 1..parts {
        let at = bytes.len() * k / parts;
        let at = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| at + n + 1);
        if at > *cuts.last().unwrap_or(&0) && at < bytes.len() {
            cuts.push(at);
        }
    }
    cuts.push(bytes.len());
    let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
    let newlines: Vec<u64> = chunks
        .par_iter()
        .map(|c| c.iter().filter(|&&b| b == b'\n').count() as u64)
        .collect();
    let mut first_lines = Vec::with_capacity(chunks.len());
    let mut line = header.rows_line;
    for n in &newlines {
        first_lines.push(line);
        line += n;
    }
    let done: Vec<(S, Vec<InputError>)> = chunks
        .par_iter()
        .zip(first_lines)
        .map(|(chunk, first_line)| {
            let mut state = S::default();
            let mut chunk_errors = Vec::new();
            rows(
                &header,
                chunk,
                first_line,
                &mut state,
                &mut chunk_errors,
                &row,
            );
            (state, chunk_errors)
        })
        .collect();
    let mut states = Vec::with_capacity(done.len());
    for (state, chunk_errors) in done {
        states.push(state);
        errors.extend(chunk_errors);
    }
    Some(states)
}
