//! Letters of a case as PDF. Making one is a POST (a form of the dossier or the melding page,
//! under the CSRF check): `POST /zaken/{case_id}/brieven` with `soort` (the kind) and optionally
//! `melding`, `verwijzing`; an invitation also takes `datum`, `tijd`, `plaats`. Filled from the
//! case as the caller may see it (the pupil, the parents, the signal, the melding, the referral),
//! with the letterhead of the caller's organisation, signed by the logged-in user; rendered on a
//! blocking thread; stored as made, recorded on the case's timeline (entry `brief`) and in the
//! audit log; then 303 to the letter. Reading a letter already made is a GET that changes
//! nothing but the audit row of the read: `GET /zaken/{case_id}/brieven/{letter_id}`
//! (`?formaat=tekst` gives its text instead of the PDF), for the organisation that made it.
//!
//! Which letters a role makes: the school's coordinator an invitation, the referral letter and
//! the melding overview; leerplicht an invitation, the warning letter (copy to the school that
//! reported) and the melding overview; GGD-JGZ an invitation.
//!
//! Templates: [`LetterTemplates`] keeps one renderer per template directory: `DIR/<organisation
//! id>/` when it exists, else `DIR` itself, else the built-in templates (docs/letters.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::{Date, Time};
use serde::Deserialize;
use verzuim_engine::model::SignalKind;
use verzuim_letters::{
    Contact, LetterBody, LetterData, LetterError, LetterKind, Letters, OproepLeerplicht,
    OproepPurpose, OverzichtMelding, PersonNumberKind, Pupil, Recipient, ReferralReason, Sender,
    Signatory, StatusEntry, UitnodigingGesprek, UitnodigingGgdJgz, VerwijzingGgdJgz,
    Waarschuwingsbrief,
};
use verzuim_service::model::AuditEntry;
use verzuim_service::model::NewLetter;
use verzuim_service::model::{MeldingStatus, OrgKind, Role, StoredPupil, StoredSignal, TaskStatus};
use verzuim_service::visibility::{self, CaseView};
use verzuim_service::{dossier, meldingen};

use super::{WebUser, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path as UrlPath, Query};
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

mod content;
pub use content::*;

/// The letter renderers, one per template directory, made when first needed.
pub struct LetterTemplates {
    dir: Option<PathBuf>,
    cache: Mutex<HashMap<Option<PathBuf>, Arc<Letters>>>,
}

impl std::fmt::Debug for LetterTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterTemplates")
            .field("dir", &self.dir)
            .finish()
    }
}

impl LetterTemplates {
    /// Templates under `dir` (`dir/<organisation id>/<kind>.typ` for one organisation,
    /// `dir/<kind>.typ` for all); `None`: the built-in templates only.
    pub fn new(dir: Option<PathBuf>) -> LetterTemplates {
        LetterTemplates {
            dir,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The template directory of an organisation: its own when there is one, else the shared
    /// one, else none (built-in).
    pub fn dir_for(&self, organisation: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let safe = !organisation.is_empty()
            && organisation
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if safe {
            let own = dir.join(organisation);
            if own.is_dir() {
                return Some(own);
            }
        }
        dir.is_dir().then(|| dir.clone())
    }

    /// The renderer of an organisation's letters.
    pub fn for_organisation(&self, organisation: &str) -> Result<Arc<Letters>, LetterError> {
        let dir = self.dir_for(organisation);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(l) = cache.get(&dir) {
            return Ok(l.clone());
        }
        let letters = Arc::new(Letters::new(dir.clone())?);
        cache.insert(dir, letters.clone());
        Ok(letters)
    }
}

/// The letters a role may make.
pub fn allowed_kinds(role: Role) -> &'static [LetterKind] {
    match role {
        Role::Verzuimcoordinator => &[
            LetterKind::UitnodigingGesprek,
            LetterKind::VerwijzingGgdJgz,
            LetterKind::OverzichtMelding,
        ],
        Role::Leerplichtambtenaar => &[
            LetterKind::OproepLeerplicht,
            LetterKind::Waarschuwingsbrief,
            LetterKind::OverzichtMelding,
        ],
        Role::Jgz => &[LetterKind::UitnodigingGgdJgz],
        Role::Leerkracht | Role::Beheerder | Role::Directeur => &[],
    }
}

/// A letter kind from its URL name.
pub fn parse_kind(s: &str) -> Option<LetterKind> {
    LetterKind::ALL.into_iter().find(|k| k.as_str() == s)
}

/// The function under the signature.
fn function(role: Role) -> &'static str {
    match role {
        Role::Verzuimcoordinator => "verzuimcoördinator",
        Role::Leerplichtambtenaar => "leerplichtambtenaar",
        Role::Jgz => "jeugdverpleegkundige, GGD-JGZ",
        Role::Leerkracht => "leerkracht",
        Role::Beheerder => "beheerder",
        Role::Directeur => "directeur",
    }
}

/// The form that makes a letter.
#[derive(Debug, Default, Deserialize)]
pub struct LetterForm {
    /// The kind: `uitnodiging_gesprek`, `waarschuwingsbrief`, `verwijzing_ggd_jgz`,
    /// `overzicht_melding`.
    #[serde(default)]
    soort: String,
    melding: Option<String>,
    verwijzing: Option<String>,
    /// Invitation: the day (`jjjj-mm-dd`).
    datum: Option<String>,
    /// Invitation: the time (`uu:mm`).
    tijd: Option<String>,
    /// Invitation: the place.
    plaats: Option<String>,
    /// Leerplicht's oproep: `gesprek` (default) or `proces_verbaal`.
    doel: Option<String>,
}

/// How to show a letter already made.
#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// `tekst`: the letter's text as plain text (a copy to read or paste) instead of the PDF.
    formaat: Option<String>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::unprocessable("ongeldig", message.into())
}

fn id_param(v: Option<&str>, what: &str) -> ApiResult<Option<i64>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad(format!("{what} moet een nummer zijn (gekregen: {s})."))),
    }
}

/// `POST /zaken/{case_id}/brieven`: makes the letter, stores it, records it on the case's
/// timeline and in the audit log, and answers 303 to the letter made.
pub async fn make(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath(case_id): UrlPath<i64>,
    Form(form): Form<LetterForm>,
) -> ApiResult<Response> {
    let kind = parse_kind(&form.soort).ok_or_else(|| {
        bad(format!(
            "Onbekende soort brief: {}. Kies uitnodiging_gesprek, waarschuwingsbrief, \
             verwijzing_ggd_jgz, overzicht_melding, uitnodiging_ggd_jgz of oproep_leerplicht.",
            form.soort
        ))
    })?;
    if !allowed_kinds(web.role()).contains(&kind) {
        return Err(ApiError::forbidden());
    }
    let caller = web.caller();
    let case = visibility::case(&state.store, &caller, case_id)
        .await
        .map_err(service_error)?;
    let filled = fill(&state, &web, &case, kind, &form).await?;
    let templates = state.letters.clone();
    let org = web.org_id().to_owned();
    let data = filled.data.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        templates
            .for_organisation(&org)
            .and_then(|l| l.render_letter(&data))
    })
    .await
    .map_err(ApiError::internal)?;
    let letter = rendered.map_err(|e| letter_failed(&e, "De brief kon niet worden gemaakt."))?;
    let detail = format!(
        "Brief: {} ({}), gemaakt door {} ({})",
        kind.label(),
        filled.data.reference,
        web.user.display_name,
        web.org.name
    );
    // The audit row commits with the letter (its id is known only then).
    let event = audit
        .event(&web.actor, action::LETTER)
        .organisation(web.org_id())
        .pupil(&case.case.school_id, &case.case.pupil_id);
    let row = |id: i64| AuditEntry {
        object: format!("case:{case_id}:brief:{}:{id}", kind.as_str()),
        ..event.entry().clone()
    };
    let id = dossier::record_letter_audited(
        &state.store,
        &caller,
        &NewLetter {
            case_id,
            organisation_id: web.org_id().to_owned(),
            kind: kind.as_str().to_owned(),
            reference: filled.data.reference.clone(),
            file_name: file_name(kind, &filled.pupil_name, filled.data.date),
            pdf: letter.pdf,
            text: letter.text,
        },
        &detail,
        Some(&row),
    )
    .await
    .map_err(service_error)?;
    Ok(Redirect::to(&format!("/zaken/{case_id}/brieven/{id}")).into_response())
}

/// `GET /zaken/{case_id}/brieven/{letter_id}`: a letter the caller's organisation made, as it
/// was made (PDF, or its text with `?formaat=tekst`). Writes only the audit row of the read.
pub async fn show(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    UrlPath((case_id, letter)): UrlPath<(i64, String)>,
    Query(q): Query<ShowQuery>,
) -> ApiResult<Response> {
    let letter_id: i64 = letter.parse().map_err(|_| ApiError::not_found())?;
    let caller = web.caller();
    let (meta, pdf, text) = dossier::letter(&state.store, &caller, case_id, letter_id)
        .await
        .map_err(service_error)?;
    let case = visibility::case(&state.store, &caller, case_id)
        .await
        .map_err(service_error)?;
    audit
        .event(&web.actor, action::PUPIL_READ)
        .organisation(web.org_id())
        .object(AuditObject::Letter {
            case: case_id,
            kind: meta.kind.to_string(),
            id: letter_id,
        })
        .pupil(&case.case.school_id, &case.case.pupil_id)
        .write()
        .await?;
    if q.formaat.as_deref() == Some("tekst") {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            text,
        )
            .into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", meta.file_name),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_letters_says_so_with_501() {
        let e = letter_failed(&LetterError::NotBuilt, "De brief kon niet worden gemaakt.");
        assert_eq!(e.status, StatusCode::NOT_IMPLEMENTED);
        assert_eq!(e.code, "brieven_niet_gebouwd");
        assert!(
            e.message.contains("gebouwd zonder brieven"),
            "{}",
            e.message
        );
    }

    #[cfg(feature = "letters")]
    #[test]
    fn an_organisation_s_own_template_replaces_the_shared_and_built_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("99XX00");
        std::fs::create_dir(&own).unwrap();
        let template = |marker: &str| {
            format!("#import \"brief.typ\": *\n#show: brief\n{marker} voor #data.pupil.name.\n")
        };
        std::fs::write(
            own.join("uitnodiging_gesprek.typ"),
            template("Eigen uitnodiging van de school"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("uitnodiging_gesprek.typ"),
            template("Gedeelde uitnodiging"),
        )
        .unwrap();
        let templates = LetterTemplates::new(Some(dir.path().to_path_buf()));
        assert_eq!(templates.dir_for("99XX00"), Some(own));
        assert_eq!(templates.dir_for("GM0153").as_deref(), Some(dir.path()));
        // No escaping the directory through an organisation id.
        assert_eq!(templates.dir_for("../etc").as_deref(), Some(dir.path()));
        let data = verzuim_letters::samples::sample(LetterKind::UitnodigingGesprek);
        let text = |org: &str| {
            templates
                .for_organisation(org)
                .unwrap()
                .render_letter(&data)
                .unwrap()
                .text
        };
        let school = text("99XX00");
        assert!(
            school.contains("Eigen uitnodiging van de school"),
            "{school}"
        );
        assert!(school.contains(&data.pupil.name));
        assert!(text("GM0153").contains("Gedeelde uitnodiging"));
        // Other kinds stay built in.
        let warning = verzuim_letters::samples::sample(LetterKind::Waarschuwingsbrief);
        let built_in = templates
            .for_organisation("99XX00")
            .unwrap()
            .render_letter(&warning)
            .unwrap();
        assert!(built_in.pdf.starts_with(b"%PDF"));
        // Without a directory: the built-in templates.
        let none = LetterTemplates::new(None);
        assert_eq!(none.dir_for("99XX00"), None);
        assert!(
            !none
                .for_organisation("99XX00")
                .unwrap()
                .render_letter(&data)
                .unwrap()
                .text
                .contains("Eigen uitnodiging")
        );
    }

    #[test]
    fn file_names_and_reasons() {
        let d = Date::new(2027, 7, 9).unwrap();
        assert_eq!(
            file_name(LetterKind::OverzichtMelding, "Lotte Hendriks-Ünal", d),
            "overzicht-melding-lotte-hendriks-unal-2027-07-09.pdf"
        );
        assert_eq!(nl::hours_nl(1260), "21 uur");
        assert_eq!(nl::hours_nl(1245), "20 uur en 45 minuten");
        assert_eq!(nl::hours_nl(30), "30 minuten");
        assert!(allowed_kinds(Role::Leerkracht).is_empty());
        assert!(!allowed_kinds(Role::Verzuimcoordinator).contains(&LetterKind::Waarschuwingsbrief));
    }
}
