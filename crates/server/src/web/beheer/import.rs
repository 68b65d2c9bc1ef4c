//! The import of formats.md files into the school, `/beheer/importeren`.
//!
//! Starting mid-year (issue 10.9): the form's cut-off (`review_before`, default today) holds the
//! signals the import raises before it for the coordinator's review; the result lists them
//! (pupil, signal, date) and links the review page `/import-beoordelen`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use verzuim_exchange::Source;
use verzuim_service::{ImportOptions, ServiceError, Sources};

use crate::audit::{Audit, action};
use crate::error::ApiResult;
use crate::nl;
use crate::state::AppState;
use crate::web::session::{PageMeta, WebUser};
use crate::web::{render, sentence, service_error, today};

use super::holiday_upload::parts;

#[derive(Template)]
#[template(path = "beheer_importeren.html")]
pub(super) struct ImportPage {
    meta: PageMeta,
    errors: Vec<ImportProblem>,
    message: Option<String>,
    report: Option<ImportDone>,
    /// The cut-off field's value (`JJJJ-MM-DD`) and its maximum (today).
    review_before: String,
    today: String,
}

pub(super) struct ImportProblem {
    file: String,
    line: String,
    column: String,
    message: String,
}

pub(super) struct ImportDone {
    created: usize,
    updated: usize,
    registrations: usize,
    events: usize,
    settings: bool,
    signals: usize,
    /// Registrations and events identical to stored ones, skipped.
    skipped: usize,
    /// The cut-off, in Dutch.
    review_before: String,
    /// The signals held for review.
    to_review: Vec<crate::web::import_review::Row>,
}

impl ImportDone {
    /// The report's lines with the nouns in the right number ("1 nieuwe leerling").
    fn lines(&self) -> Vec<String> {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        let mut out = vec![
            format!(
                "{}, {} bijgewerkt",
                nl::plural(n(self.created), "nieuwe leerling", "nieuwe leerlingen"),
                self.updated
            ),
            format!(
                "{}, {}",
                nl::plural(n(self.registrations), "registratie", "registraties"),
                nl::plural(n(self.events), "gebeurtenis", "gebeurtenissen")
            ),
        ];
        if self.skipped > 0 {
            out.push(format!(
                "{} al opgeslagen en overgeslagen",
                nl::plural(
                    n(self.skipped),
                    "registratie of gebeurtenis",
                    "registraties en gebeurtenissen"
                )
            ));
        }
        if self.settings {
            out.push("Lestijden en vrije dagen vervangen door school.toml".into());
        }
        out.push(format!(
            "{} op of na {} (met taken)",
            nl::plural(n(self.signals), "nieuw signaal", "nieuwe signalen"),
            self.review_before
        ));
        out.push(format!(
            "{} van vóór {} te beoordelen na import (zonder taken)",
            nl::plural(n(self.to_review.len()), "signaal", "signalen"),
            self.review_before
        ));
        out
    }
}

/// `GET /beheer/importeren`: the upload form.
pub async fn import_page(State(state): State<AppState>, web: WebUser) -> ApiResult<Response> {
    let day = today(&state).to_string();
    Ok(render(&ImportPage {
        meta: web.meta("Importeren", "/beheer/importeren"),
        errors: Vec::new(),
        message: None,
        report: None,
        review_before: day.clone(),
        today: day,
    }))
}

/// `POST /beheer/importeren` (multipart: `pupils`, `registrations`, `events`, `school`): all or
/// nothing; every problem with file, line and column.
pub async fn import_submit(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let mut files: [Option<Vec<u8>>; 4] = Default::default();
    let mut cutoff = String::new();
    for (name, _, bytes) in parts(&headers, body).await? {
        if name == "review_before" {
            cutoff = String::from_utf8_lossy(&bytes).trim().to_owned();
            continue;
        }
        let slot = match name.as_str() {
            "school" => 0,
            "pupils" => 1,
            "registrations" => 2,
            "events" => 3,
            _ => continue,
        };
        if !bytes.is_empty() {
            files[slot] = Some(bytes);
        }
    }
    let day = today(&state);
    let page = |errors: Vec<ImportProblem>, message: Option<String>, report| {
        render(&ImportPage {
            meta: web.meta("Importeren", "/beheer/importeren"),
            errors,
            message,
            report,
            review_before: if cutoff.is_empty() {
                day.to_string()
            } else {
                cutoff.clone()
            },
            today: day.to_string(),
        })
    };
    let review_before = if cutoff.is_empty() {
        day
    } else {
        match cutoff.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                return Ok(page(
                    Vec::new(),
                    Some(format!(
                        "\"{cutoff}\" is geen datum voor \"Signalen beoordelen van vóór\" (jjjj-mm-dd). Er is niets opgeslagen."
                    )),
                    None,
                ));
            }
        }
    };
    let mut missing = Vec::new();
    if files[1].is_none() {
        missing.push("pupils.csv");
    }
    if files[2].is_none() {
        missing.push("registrations.csv");
    }
    if !missing.is_empty() {
        return Ok(page(
            Vec::new(),
            Some(format!(
                "Kies {}: {} verplicht. Er is niets opgeslagen.",
                missing.join(" en "),
                if missing.len() == 1 {
                    "dit bestand is"
                } else {
                    "deze bestanden zijn"
                }
            )),
            None,
        ));
    }
    let sources = Sources {
        school: files[0].as_deref().map(|bytes| Source {
            name: "school.toml",
            bytes,
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: files[1].as_deref().unwrap_or_default(),
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: files[2].as_deref().unwrap_or_default(),
        },
        events: files[3].as_deref().map(|bytes| Source {
            name: "events.csv",
            bytes,
        }),
    };
    // The audit row commits with the import (the service adds the counts to its object).
    let row = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .object(crate::audit::AuditObject::Import(web.org_id().to_owned()));
    match verzuim_service::import_with(
        &state.store,
        &web.caller().audited(row.entry()),
        day,
        web.org_id(),
        sources,
        ImportOptions {
            review_before: Some(review_before),
        },
    )
    .await
    {
        Ok(r) => Ok(page(
            Vec::new(),
            None,
            Some(ImportDone {
                created: r.pupils_created,
                updated: r.pupils_updated,
                registrations: r.registrations,
                events: r.events,
                settings: r.settings_replaced,
                signals: r.sync.inserted.len() + r.sync.extended.len(),
                skipped: r.registrations_skipped + r.events_skipped,
                review_before: nl::date_nl(review_before),
                to_review: crate::web::import_review::rows(&r.to_review),
            }),
        )),
        Err(ServiceError::Input(errors)) => {
            let n = errors.len();
            Ok(page(
                errors
                    .into_iter()
                    .map(|e| ImportProblem {
                        line: e.line.map(|l| l.to_string()).unwrap_or_default(),
                        column: e.column.map(|c| c.to_string()).unwrap_or_default(),
                        file: e.file,
                        message: e.message,
                    })
                    .collect(),
                Some(format!(
                    "De bestanden bevatten {n} {}; er is niets opgeslagen.",
                    if n == 1 { "fout" } else { "fouten" }
                )),
                None,
            ))
        }
        Err(ServiceError::Invalid(m)) => Ok(page(
            Vec::new(),
            Some(format!("{} Er is niets opgeslagen.", sentence(&m))),
            None,
        )),
        Err(e) => Err(service_error(e)),
    }
}
