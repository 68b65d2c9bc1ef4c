//! Dutch letters as PDF, rendered with typst: uitnodiging gesprek, waarschuwingsbrief aan
//! ouders, verwijzing naar GGD-JGZ and overzicht melding.
//!
//! Each kind of letter is a typst template (`templates/<kind>.typ`, sharing the layout of
//! `templates/brief.typ`), embedded in the binary. An organisation adapts a letter without
//! recompiling by putting a file with the same name in its template directory (see
//! docs/letters.md). The template reads the letter's [`LetterData`] as JSON from `/data.json`.
//!
//! Rendering is synchronous and takes tens of milliseconds of CPU: async callers must run it
//! on a blocking thread, e.g. `tokio::task::spawn_blocking(move || letters.render(&data))`
//! with the [`Letters`] in an `Arc`.
//!
//! Rendering needs the default feature `render` (typst and its fonts). Without it the crate
//! keeps its data types, kinds and templates, and [`Letters::render_letter`] answers
//! [`LetterError::NotBuilt`]: a lean build of the server (feature `letters` off) has no typst.
//!
//! ```no_run
//! # fn example(data: verzuim_letters::LetterData) -> Result<(), verzuim_letters::LetterError> {
//! let letters = verzuim_letters::Letters::new(None)?;
//! let pdf: Vec<u8> = letters.render(&data)?;
//! # Ok(()) }
//! ```

mod data;
mod error;
pub mod samples;
mod templates;
#[cfg(feature = "render")]
mod world;

use std::fs;
use std::path::{Path, PathBuf};

#[cfg(feature = "render")]
use typst::diag::{SourceDiagnostic, Warned};
#[cfg(feature = "render")]
use typst::foundations::{Datetime, Smart};
#[cfg(feature = "render")]
use typst::layout::{Frame, FrameItem, PagedDocument, Point};
#[cfg(feature = "render")]
use typst::{World, WorldExt};
#[cfg(feature = "render")]
use typst_pdf::{PdfOptions, Timestamp};

pub use data::{
    BesluitVerlof, Contact, DuoSubmitted, LetterBody, LetterData, LetterKind, OproepLeerplicht,
    OproepPurpose, OverzichtMelding, PersonNumberKind, Pupil, Recipient, ReferralReason, Sender,
    Signatory, StatusEntry, UitnodigingGesprek, UitnodigingGgdJgz, VerwijzingGgdJgz,
    Waarschuwingsbrief, mask_person_number,
};
pub use error::{LetterError, TemplateProblem};
pub use templates::TEMPLATES;

#[cfg(feature = "render")]
use world::{FontSet, LetterWorld};

/// Whether this build renders letters (the feature `render`, on by default).
pub const RENDERS: bool = cfg!(feature = "render");

/// The virtual path under which the template finds the sender's logo (its extension is the
/// logo file's).
#[cfg(feature = "render")]
const LOGO_STEM: &str = "/afzender-logo";

/// The letter renderer: the fonts and, optionally, a directory of templates that replace the
/// built-in ones. Cheap to share between threads (`Arc<Letters>`).
pub struct Letters {
    template_dir: Option<PathBuf>,
    #[cfg(feature = "render")]
    fonts: FontSet,
}

impl std::fmt::Debug for Letters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("Letters");
        debug.field("template_dir", &self.template_dir);
        #[cfg(feature = "render")]
        debug.field("fonts", &self.fonts.fonts.len());
        debug.finish()
    }
}

/// A rendered letter.
#[derive(Debug, Clone)]
pub struct Letter {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// The number of pages.
    pub pages: usize,
    /// The letter's text as laid out, one line per text line and a form feed between pages
    /// (for tests, search and a plain-text copy in the dossier).
    pub text: String,
    /// typst's warnings about the template (an unknown font, for example).
    pub warnings: Vec<String>,
}

impl Letters {
    /// A renderer with the built-in templates, where a file with the same name in
    /// `template_dir` replaces a built-in one. Template files are read at every render, so a
    /// changed template applies to the next letter. Fonts in `template_dir/fonts/` (TTF, OTF)
    /// are loaded here, besides the embedded Liberation Sans.
    pub fn new(template_dir: Option<PathBuf>) -> Result<Self, LetterError> {
        let mut extra_fonts = Vec::new();
        if let Some(dir) = &template_dir {
            if !dir.is_dir() {
                return Err(LetterError::TemplateDir { path: dir.clone() });
            }
            extra_fonts = read_fonts(&dir.join("fonts"))?;
        }
        Self::with_fonts(template_dir, &extra_fonts)
    }

    #[cfg(feature = "render")]
    fn with_fonts(
        template_dir: Option<PathBuf>,
        extra_fonts: &[(PathBuf, Vec<u8>)],
    ) -> Result<Self, LetterError> {
        let (fonts, unreadable) = FontSet::load(extra_fonts);
        if let Some(path) = unreadable.into_iter().next() {
            return Err(LetterError::Font {
                path,
                reason: "het bestand bevat geen lettertype dat typst kan lezen".to_string(),
            });
        }
        Ok(Letters {
            template_dir,
            fonts,
        })
    }

    /// Without typst the font files are only read (a missing or unreadable file is still an
    /// error), not loaded.
    #[cfg(not(feature = "render"))]
    fn with_fonts(
        template_dir: Option<PathBuf>,
        _extra_fonts: &[(PathBuf, Vec<u8>)],
    ) -> Result<Self, LetterError> {
        Ok(Letters { template_dir })
    }

    /// The template directory, if any.
    pub fn template_dir(&self) -> Option<&Path> {
        self.template_dir.as_deref()
    }

    /// Renders a letter to PDF. Synchronous: call it from `spawn_blocking` in async code.
    pub fn render(&self, data: &LetterData) -> Result<Vec<u8>, LetterError> {
        Ok(self.render_letter(data)?.pdf)
    }

    /// Without the feature `render` (no typst in this build): always
    /// [`LetterError::NotBuilt`].
    #[cfg(not(feature = "render"))]
    pub fn render_letter(&self, data: &LetterData) -> Result<Letter, LetterError> {
        let _ = data;
        Err(LetterError::NotBuilt)
    }

    /// Renders a letter to PDF and also returns its text, page count and typst's warnings.
    #[cfg(feature = "render")]
    pub fn render_letter(&self, data: &LetterData) -> Result<Letter, LetterError> {
        let (json, logo) = self.template_data(data)?;
        let date = data.date;
        let today =
            Datetime::from_ymd(i32::from(date.year()), date.month() as u8, date.day() as u8)
                .expect("a jiff date is a valid date");
        let world = LetterWorld::new(
            &self.fonts,
            self.template_dir.as_deref(),
            data.kind().template_name(),
            json,
            logo,
            today,
        );

        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let warnings = warnings
            .iter()
            .map(|w| problem(&world, data.kind(), w).as_warning())
            .collect();
        let document = output.map_err(|errors| {
            LetterError::Template(
                errors
                    .iter()
                    .map(|e| problem(&world, data.kind(), e))
                    .collect(),
            )
        })?;

        let ident = format!("verzuim-brief:{}:{}", data.kind().as_str(), data.reference);
        let options = PdfOptions {
            ident: Smart::Custom(&ident),
            timestamp: Some(Timestamp::new_utc(today)),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
            LetterError::Pdf(
                errors
                    .iter()
                    .map(|e| problem(&world, data.kind(), e))
                    .collect(),
            )
        })?;

        let text = document_text(&document);
        let pages = document.pages.len();
        // typst memoizes across compilations; drop what the last renders did not use, so a
        // long-running server does not grow.
        typst::comemo::evict(10);
        Ok(Letter {
            pdf,
            pages,
            text,
            warnings,
        })
    }

    /// The JSON the template reads (number masked, logo as a virtual path) and the logo file.
    #[cfg(feature = "render")]
    fn template_data(&self, data: &LetterData) -> Result<(Vec<u8>, Option<Logo>), LetterError> {
        let mut value = serde_json::to_value(data)?;
        if let LetterBody::OverzichtMelding(melding) = &data.body {
            value["body"]["person_number"] = mask_person_number(&melding.person_number).into();
        }
        let mut logo = None;
        value["sender"]["logo"] = serde_json::Value::Null;
        if let Some(path) = &data.sender.logo {
            let path = match &self.template_dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.clone(),
            };
            let bytes = fs::read(&path).map_err(|source| LetterError::Logo {
                path: path.clone(),
                source,
            })?;
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("png")
                .to_ascii_lowercase();
            let virtual_path = format!("{LOGO_STEM}.{extension}");
            value["sender"]["logo"] = virtual_path.clone().into();
            logo = Some((virtual_path, bytes));
        }
        Ok((serde_json::to_vec_pretty(&value)?, logo))
    }
}

/// The logo file: its virtual path for the template and its bytes.
#[cfg(feature = "render")]
type Logo = (String, Vec<u8>);

/// The font files in `dir` (none when it does not exist).
fn read_fonts(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, LetterError> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str())
            })
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| match fs::read(&path) {
            Ok(bytes) => Ok((path, bytes)),
            Err(err) => Err(LetterError::Font {
                path,
                reason: err.to_string(),
            }),
        })
        .collect()
}

/// A typst diagnostic as a problem in a named template, with line and column.
#[cfg(feature = "render")]
fn problem(
    world: &LetterWorld<'_>,
    kind: LetterKind,
    diagnostic: &SourceDiagnostic,
) -> TemplateProblem {
    let span = diagnostic.span;
    let id = span.id();
    let template = match id {
        Some(id) => id.vpath().as_rootless_path().to_string_lossy().into_owned(),
        None => kind.template_name().to_string(),
    };
    let (line, column) = id
        .and_then(|id| {
            let source = world.source(id).ok()?;
            let range = world.range(span)?;
            source.lines().byte_to_line_column(range.start)
        })
        .map_or((None, None), |(line, column)| {
            (Some(line + 1), Some(column + 1))
        });
    TemplateProblem {
        path: world.override_path(&template),
        template,
        line,
        column,
        message: error::dutch_message(&diagnostic.message),
        hints: diagnostic.hints.iter().map(|h| h.to_string()).collect(),
    }
}

/// The text of a laid-out document: text runs on the same baseline joined by spaces, lines by
/// newlines, pages by form feeds.
#[cfg(feature = "render")]
fn document_text(document: &PagedDocument) -> String {
    let mut pages = Vec::new();
    for page in &document.pages {
        let mut runs = Vec::new();
        collect_text(&page.frame, Point::zero(), &mut runs);
        runs.sort_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
        });
        let mut text = String::new();
        let mut last_y: Option<f64> = None;
        for (y, _, run) in runs {
            match last_y {
                Some(last) if (y - last).abs() < 1.0 => text.push(' '),
                Some(_) => text.push('\n'),
                None => {}
            }
            text.push_str(&run);
            last_y = Some(y);
        }
        pages.push(text);
    }
    pages.join("\n\u{c}\n")
}

/// Text runs of a frame as (y, x, text) in points from the page's top left.
#[cfg(feature = "render")]
fn collect_text(frame: &Frame, offset: Point, runs: &mut Vec<(f64, f64, String)>) {
    for (pos, item) in frame.items() {
        let at = offset + *pos;
        match item {
            FrameItem::Group(group) => {
                let moved = at + Point::new(group.transform.tx, group.transform.ty);
                collect_text(&group.frame, moved, runs);
            }
            FrameItem::Text(text) => {
                runs.push((at.y.to_pt(), at.x.to_pt(), text.text.to_string()));
            }
            _ => {}
        }
    }
}

/// A build without the feature `render` (no typst) keeps the renderer's interface and says, in
/// Dutch, that it makes no letters.
#[cfg(all(test, not(feature = "render")))]
mod without_render {
    use super::*;

    #[test]
    fn rendering_says_that_this_build_makes_no_letters() {
        let letters = Letters::new(None).expect("a renderer without typst");
        let data = samples::sample(LetterKind::Waarschuwingsbrief);
        let error = letters.render_letter(&data).unwrap_err();
        assert!(matches!(error, LetterError::NotBuilt), "{error:?}");
        assert!(error.to_string().contains("zonder brieven"), "{error}");
    }
}
