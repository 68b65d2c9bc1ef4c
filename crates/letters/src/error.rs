//! Errors of rendering a letter, in Dutch for the person who fixes the template or the data.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a letter could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The template directory given to [`crate::Letters::new`] is not a directory.
    #[error("De sjabloonmap {} bestaat niet of is geen map.", path.display())]
    TemplateDir { path: PathBuf },
    /// A file in the template directory's `fonts/` folder could not be read as a font.
    #[error("Het lettertype {} kan niet worden gelezen: {reason}", path.display())]
    Font { path: PathBuf, reason: String },
    /// The sender's logo could not be read.
    #[error("Het logo {} kan niet worden gelezen: {source}", path.display())]
    Logo {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The letter's data could not be turned into JSON for the template.
    #[error("De gegevens van de brief kunnen niet worden omgezet naar JSON: {0}")]
    Data(#[from] serde_json::Error),
    /// A template (or the data it reads) has an error: the first problem is in the message,
    /// all of them in the list.
    #[error("{}", problems_message(.0))]
    Template(Vec<TemplateProblem>),
    /// typst compiled the letter but could not write it as PDF.
    #[error("De brief kan niet als PDF worden opgeslagen: {}", problems_message(.0))]
    Pdf(Vec<TemplateProblem>),
    /// This build has no letters: it was built without the feature `letters` (typst).
    #[error(
        "Deze versie van verzuim is gebouwd zonder brieven (zonder de feature `letters`): \
         brieven kunnen hier niet worden gemaakt."
    )]
    NotBuilt,
}

impl LetterError {
    /// The template problems of a [`LetterError::Template`] or [`LetterError::Pdf`] error.
    pub fn problems(&self) -> &[TemplateProblem] {
        match self {
            LetterError::Template(problems) | LetterError::Pdf(problems) => problems,
            _ => &[],
        }
    }
}

fn problems_message(problems: &[TemplateProblem]) -> String {
    match problems {
        [] => "Onbekende fout in het sjabloon.".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (en nog {} fout(en))", rest.len()),
    }
}

/// One error in a template, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// The template's file name (`waarschuwingsbrief.typ`, `brief.typ`), or `data.json`.
    pub template: String,
    /// The file in the template directory, when the template came from there.
    pub path: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// What is wrong: typst's message, in Dutch where the common ones are known.
    pub message: String,
    /// typst's hints on how to fix it.
    pub hints: Vec<String>,
}

impl TemplateProblem {
    /// Where the problem is, in Dutch: "het sjabloon x.typ (/pad/x.typ) op regel 3, kolom 7".
    pub fn location(&self) -> String {
        let mut location = match &self.path {
            Some(path) => format!("het sjabloon {} ({})", self.template, path.display()),
            None => format!("het ingebouwde sjabloon {}", self.template),
        };
        if let Some(line) = self.line {
            location.push_str(&format!(" op regel {line}"));
            if let Some(column) = self.column {
                location.push_str(&format!(", kolom {column}"));
            }
        }
        location
    }

    fn message_with_hints(&self) -> String {
        let mut message = self.message.clone();
        for hint in &self.hints {
            message.push_str(&format!(" (tip: {hint})"));
        }
        message
    }

    /// The problem as a warning ("Waarschuwing bij het sjabloon …: …").
    pub fn as_warning(&self) -> String {
        format!(
            "Waarschuwing bij {}: {}",
            self.location(),
            self.message_with_hints()
        )
    }
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fout in {}: {}",
            self.location(),
            self.message_with_hints()
        )
    }
}

/// typst's most common messages in Dutch; others stay as typst writes them.
#[cfg_attr(not(feature = "render"), allow(dead_code))]
pub(crate) fn dutch_message(message: &str) -> String {
    const PREFIXES: &[(&str, &str)] = &[
        ("unknown variable: ", "onbekende naam: "),
        ("expected expression", "hier wordt een waarde verwacht"),
        (
            "unclosed delimiter",
            "haakje of aanhalingsteken niet gesloten",
        ),
        (
            "unclosed string",
            "tekst tussen aanhalingstekens niet gesloten",
        ),
        (
            "unexpected closing delimiter",
            "sluithaakje zonder openingshaakje",
        ),
        ("expected comma", "hier wordt een komma verwacht"),
        (
            "expected semicolon or line break",
            "hier wordt een puntkomma of nieuwe regel verwacht",
        ),
        (
            "file not found (searched at ",
            "bestand niet gevonden (gezocht op ",
        ),
        ("unexpected argument", "onverwacht argument"),
        ("missing argument: ", "argument ontbreekt: "),
        ("expected ", "verwacht: "),
    ];
    if let Some(rest) = message.strip_prefix("dictionary does not contain key ") {
        let key = rest.trim_end_matches(" and no default value was specified");
        return format!("het veld {key} ontbreekt");
    }
    for (english, dutch) in PREFIXES {
        if let Some(rest) = message.strip_prefix(english) {
            return format!("{dutch}{rest}");
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_template_line_and_column() {
        let problem = TemplateProblem {
            template: "brief.typ".into(),
            path: None,
            line: Some(3),
            column: Some(7),
            message: dutch_message("unknown variable: foo"),
            hints: vec![],
        };
        assert_eq!(
            problem.to_string(),
            "Fout in het ingebouwde sjabloon brief.typ op regel 3, kolom 7: onbekende naam: foo"
        );
    }
}
