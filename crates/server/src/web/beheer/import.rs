//! The import of formats.md files into the school, `/beheer/importeren`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use verzuim_exchange::Source;
use verzuim_service::{ServiceError, Sources};

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
        if self.settings {
            out.push("Lestijden en vrije dagen vervangen door school.toml".into());
        }
        out.push(nl::plural(
            n(self.signals),
            "nieuw signaal",
            "nieuwe signalen",
        ));
        out
    }
}

/// `GET /beheer/importeren`: the upload form.
pub async fn import_page(web: WebUser) -> ApiResult<Response> {
    Ok(render(&ImportPage {
        meta: web.meta("Importeren", "/beheer/importeren"),
        errors: Vec::new(),
        message: None,
        report: None,
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
    for (name, _, bytes) in parts(&headers, body).await? {
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
    let page = |errors: Vec<ImportProblem>, message: Option<String>, report| {
        render(&ImportPage {
            meta: web.meta("Importeren", "/beheer/importeren"),
            errors,
            message,
            report,
        })
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
    match verzuim_service::import(
        &state.store,
        &web.caller().audited(row.entry()),
        today(&state),
        web.org_id(),
        sources,
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
