//! Input errors: what is wrong, where (file, line, column), in Dutch for the person who fixes the
//! file.

use std::fmt;

/// One problem in the input files.
///
/// Displayed as `file:line:column: message`, leaving out the parts that are absent. For CSV files
/// the column is the 1-based number of the field in its row (the column of the spreadsheet); for
/// TOML files it is the 1-based character position in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl InputError {
    /// An error about a file as a whole.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// An error on a line, and a column where one applies.
    pub fn at(file: &str, line: u64, column: Option<u64>, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            line: Some(line),
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// The 1-based line and column (in characters) of byte `offset` in `bytes`. Never panics: an
/// offset beyond the end counts as the end.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let end = offset.min(bytes.len());
    let mut line = 1u64;
    let mut column = 1u64;
    for &b in bytes.iter().take(end) {
        if b == b'\n' {
            line += 1;
            column = 1;
        } else if b & 0xC0 != 0x80 {
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            column += 1;
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_absent_parts() {
        assert_eq!(InputError::file("a.csv", "weg").to_string(), "a.csv: weg");
        assert_eq!(
            InputError::at("a.csv", 3, None, "fout").to_string(),
            "a.csv:3: fout"
        );
        assert_eq!(
            InputError::at("a.csv", 3, Some(2), "fout").to_string(),
            "a.csv:3:2: fout"
        );
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\ncé d".as_bytes();
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // 'é' is two bytes; the space after it is character 3 of line 2.
        assert_eq!(line_column(text, 6), (2, 3));
        assert_eq!(line_column(text, 999), (2, 5));
    }
}
