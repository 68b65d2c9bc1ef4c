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
use verzuim_service::visibility::{self, CaseView};
use verzuim_service::{dossier, meldingen};
use verzuim_store::AuditEntry;
use verzuim_store::letters::NewLetter;
use verzuim_store::{MeldingStatus, OrgKind, Role, StoredPupil, StoredSignal, TaskStatus};

use super::{WebUser, service_error, today};
use crate::audit::{Audit, AuditObject, action};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Path as UrlPath, Query};
use crate::nl;
use crate::nl::date_nl;
use crate::state::AppState;

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
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ongeldig", message.into())
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

/// `uitnodiging-gesprek-lotte-de-vries-2027-07-09.pdf`.
pub fn file_name(kind: LetterKind, pupil: &str, date: Date) -> String {
    let mut slug = String::new();
    for c in pupil.to_lowercase().chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("{}-{slug}-{date}.pdf", kind.as_str().replace('_', "-"))
}

/// The signal a letter is about: the given one, else the case's newest active one.
fn case_signal(case: &CaseView, id: Option<i64>) -> Option<&StoredSignal> {
    if let Some(id) = id
        && let Some(s) = case.signals.iter().find(|s| s.id == id)
    {
        return Some(s);
    }
    // The weightiest: active before withdrawn, leerplicht's kinds (hours of verzuim) before a
    // sick report, then the newest.
    case.signals.iter().max_by_key(|s| {
        (
            s.status == verzuim_store::SignalStatus::Active,
            s.kind.requires_leerplicht(),
            s.date,
            s.id,
        )
    })
}

/// Why the letter is sent, in whole sentences, without any health detail.
pub fn reason_sentence(first_name: &str, signal: Option<&StoredSignal>) -> String {
    let Some(s) = signal else {
        return format!(
            "Wij willen graag met u spreken over de aanwezigheid van {first_name} op school."
        );
    };
    match s.kind {
        SignalKind::TeLaat => match s.count {
            Some(n) => {
                format!("{first_name} is dit schooljaar {n} keer te laat op school gekomen.")
            }
            None => format!("{first_name} komt regelmatig te laat op school."),
        },
        SignalKind::Ziekmelding
        | SignalKind::ZiekLangerDan2Weken
        | SignalKind::Ziek3eMeldingIn3Maanden
        | SignalKind::ZorgZiekte => format!(
            "{first_name} is de laatste tijd vaak of lang ziek gemeld. Wij willen graag met u \
             bespreken hoe het met {first_name} gaat en hoe wij kunnen helpen."
        ),
        kind => match (s.minutes, s.period) {
            (Some(m), Some(p)) => format!(
                "{first_name} was van {} tot en met {} in totaal {} afwezig zonder geldige reden \
                 ({}).",
                date_nl(p.from),
                date_nl(p.to),
                nl::hours_nl(m),
                verzuim_service::text::kind_label(kind)
            ),
            _ => format!(
                "Het gaat om {} (gesignaleerd op {}).",
                verzuim_service::text::kind_label(kind),
                date_nl(s.date)
            ),
        },
    }
}

fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

struct Filled {
    data: LetterData,
    pupil_name: String,
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
    let letter = match rendered {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, kind = kind.as_str(), "letter failed");
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "brief_mislukt",
                format!("De brief kon niet worden gemaakt. {e}"),
            ));
        }
    };
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

/// The letter's data from the case.
async fn fill(
    state: &AppState,
    web: &WebUser,
    case: &CaseView,
    kind: LetterKind,
    q: &LetterForm,
) -> ApiResult<Filled> {
    let caller = web.caller();
    let c = &case.case;
    let pupil: StoredPupil = visibility::pupil(&state.store, &caller, &c.school_id, &c.pupil_id)
        .await
        .map_err(service_error)?;
    let school = verzuim_service::organisations::organisation(&state.store, &c.school_id)
        .await
        .map_err(service_error)?
        .map_or_else(|| c.school_id.clone(), |o| o.name);
    let d = &pupil.data;
    let name = d.name.clone().unwrap_or_else(|| c.pupil_id.clone());
    let first = first_name(&name).to_owned();
    let today = today(state);
    let lh = &web.org.letterhead;
    let sender = Sender {
        name: web.org.name.clone(),
        street: lh.street.clone().unwrap_or_default(),
        postcode: lh.postcode.clone().unwrap_or_default(),
        city: lh.city.clone().unwrap_or_default(),
        phone: lh.phone.clone().unwrap_or_default(),
        email: lh.email.clone().unwrap_or_default(),
        website: None,
        logo: None,
    };
    let recipient = Recipient {
        name: d
            .parent_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("De ouders/verzorgers van {name}")),
        street: d.street.clone().unwrap_or_default(),
        postcode: d.postcode.clone().unwrap_or_default(),
        city: d.city.clone().unwrap_or_default(),
    };
    let signatory = Signatory {
        name: web.user.display_name.clone(),
        function: function(web.role()).to_owned(),
    };
    let melding_id = id_param(q.melding.as_deref(), "De melding")?;
    let referral_id = id_param(q.verwijzing.as_deref(), "De verwijzing")?;
    let mut reference = format!("Zaak {}", c.id);
    let mut copy_to = None;
    let default_place = [
        web.org.name.as_str(),
        sender.street.as_str(),
        sender.city.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
    let (subject, body) = match kind {
        LetterKind::UitnodigingGesprek => {
            let (date, start, location) = appointment(q, today, &default_place)?;
            if web.org.kind == OrgKind::School {
                // Issue 11: the school's talk is on a lesson day of the pupil's group, never in
                // a holiday or on a closed day.
                verzuim_service::school::check_lesson_day(
                    &state.store,
                    &c.school_id,
                    &d.pupil.group,
                    date,
                    "De datum van het gesprek",
                )
                .await
                .map_err(service_error)?;
            }
            let signal = case_signal(case, None);
            let invite_pupil = verzuim_engine::evaluation::age_on(d.pupil.birth_date, date) >= 12;
            (
                format!("Uitnodiging voor een gesprek over {name}"),
                LetterBody::UitnodigingGesprek(UitnodigingGesprek {
                    date,
                    start_time: start,
                    end_time: start.checked_add(jiff::Span::new().minutes(45)).ok(),
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    reason: reason_sentence(&first, signal),
                    invite_pupil,
                }),
            )
        }
        LetterKind::UitnodigingGgdJgz => {
            let r = case_referral(case, referral_id)?;
            reference = format!("Verwijzing {}", r.id);
            let (date, start, location) = appointment(q, today, &default_place)?;
            (
                format!("Uitnodiging voor een gesprek bij de jeugdgezondheidszorg over {name}"),
                LetterBody::UitnodigingGgdJgz(UitnodigingGgdJgz {
                    reason: referral_reason(case),
                    school: school.clone(),
                    referral_date: nl::local_date(r.created_at),
                    date,
                    start_time: start,
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    invite_pupil: true,
                }),
            )
        }
        LetterKind::OproepLeerplicht => {
            let m = case_melding(case, melding_id)?;
            reference = format!("Melding {}", m.id);
            copy_to = Some(school.clone());
            let (date, start, location) = appointment(q, today, &default_place)?;
            let purpose = match q.doel.as_deref().map(str::trim) {
                None | Some("") | Some("gesprek") => OproepPurpose::Gesprek,
                Some("proces_verbaal") => OproepPurpose::ProcesVerbaal,
                Some(other) => {
                    return Err(bad(format!(
                        "Het doel van de oproep is gesprek of proces_verbaal (gekregen: {other})."
                    )));
                }
            };
            let invite_pupil = verzuim_engine::evaluation::age_on(d.pupil.birth_date, date) >= 12;
            let kind_words = verzuim_service::text::kind_label(m.verzuim_kind).to_owned();
            (
                format!("Oproep: {kind_words} van {name}"),
                LetterBody::OproepLeerplicht(OproepLeerplicht {
                    purpose,
                    verzuim_kind: kind_words,
                    period_start: m.period.from,
                    period_end: m.period.to,
                    date,
                    start_time: start,
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    invite_pupil,
                }),
            )
        }
        LetterKind::BesluitVerlof => {
            return Err(bad(
                "Een besluit op een verlofaanvraag maakt u bij de verlofaanvraag (/verlof)."
                    .to_owned(),
            ));
        }
        LetterKind::Waarschuwingsbrief | LetterKind::OverzichtMelding => {
            let m = case_melding(case, melding_id)?;
            reference = format!("Melding {}", m.id);
            let view = meldingen::melding(&state.store, &caller, m.id)
                .await
                .map_err(service_error)?;
            let kind_words = verzuim_service::text::kind_label(m.verzuim_kind).to_owned();
            if kind == LetterKind::Waarschuwingsbrief {
                copy_to = Some(school.clone());
                let signal = case_signal(case, view.signal_id);
                (
                    format!("Waarschuwing: {kind_words} van {name}"),
                    LetterBody::Waarschuwingsbrief(Waarschuwingsbrief {
                        verzuim_kind: kind_words,
                        period_start: m.period.from,
                        period_end: m.period.to,
                        minutes: m.minutes,
                        times_late: signal
                            .filter(|s| s.kind == SignalKind::TeLaat)
                            .and_then(|s| s.count),
                        consequence: Waarschuwingsbrief::STANDARD_CONSEQUENCE.to_owned(),
                    }),
                )
            } else {
                let municipality =
                    verzuim_service::organisations::organisation(&state.store, &m.municipality)
                        .await
                        .map_err(service_error)?
                        .map_or_else(|| m.municipality.clone(), |o| o.name);
                // "Via het verzuimregister van DUO" only once the school submitted it.
                let duo_submission =
                    verzuim_service::duo::register_view(&state.store, &caller, m.id)
                        .await
                        .map_err(service_error)?
                        .submission
                        .map(|s| verzuim_letters::DuoSubmitted {
                            on: s.submitted_on,
                            meldingsnummer: s.meldingsnummer,
                        });
                let status_history = view
                    .history
                    .iter()
                    .map(|h| StatusEntry {
                        date: nl::local_date(h.at),
                        status: MeldingStatus::parse(&h.status)
                            .map_or_else(|| h.status.clone(), |s| melding_status_nl(s).to_owned()),
                        note: h
                            .reason
                            .as_deref()
                            .filter(|r| !r.trim().is_empty())
                            .map(super::leerplicht::reason_nl),
                    })
                    .collect();
                (
                    format!("Melding aan leerplicht over {name}"),
                    LetterBody::OverzichtMelding(OverzichtMelding {
                        person_number: view.number.clone(),
                        person_number_kind: match view.number_kind.as_str() {
                            "onderwijsnummer" => PersonNumberKind::Onderwijsnummer,
                            _ => PersonNumberKind::Bsn,
                        },
                        verzuim_kind: kind_words,
                        start_date: m.period.from,
                        end_date: m.period.to,
                        minutes: m.minutes,
                        suspected_reason: m.suspected_reason.clone(),
                        school_actions: m.school_actions.clone(),
                        reported_on: nl::local_date(m.created_at),
                        municipality,
                        status_history,
                        duo_submission,
                    }),
                )
            }
        }
        LetterKind::VerwijzingGgdJgz => {
            let r = case_referral(case, referral_id)?;
            reference = format!("Verwijzing {}", r.id);
            let ggd_name = verzuim_service::organisations::organisation(&state.store, &r.ggd_id)
                .await
                .map_err(service_error)?
                .map_or_else(|| r.ggd_id.clone(), |o| o.name);
            let reason = referral_reason(case);
            // What the school wrote on the aanmeldingsformulier, else its completed tasks.
            let view = verzuim_service::referrals::referral(&state.store, &caller, r.id)
                .await
                .map_err(service_error)?;
            let actions = match &view.form {
                Some(f) => f.school_actions.clone(),
                None => school_actions(case, &first),
            };
            let principles = verzuim_service::principles::case_principles(
                case.signals
                    .iter()
                    .flat_map(|s| s.actions.iter().map(|a| &*a.text)),
            );
            (
                format!("Verwijzing van {name} naar de jeugdgezondheidszorg"),
                LetterBody::VerwijzingGgdJgz(VerwijzingGgdJgz {
                    reason,
                    referral_date: nl::local_date(r.created_at),
                    ggd_name,
                    school_actions: actions,
                    principles,
                    contact: Contact {
                        name: web.user.display_name.clone(),
                        function: function(web.role()).to_owned(),
                        phone: lh.phone.clone(),
                        email: lh.email.clone(),
                    },
                }),
            )
        }
    };
    Ok(Filled {
        data: LetterData {
            place: sender.city.clone(),
            sender,
            recipient,
            copy_to,
            pupil: Pupil {
                name: name.clone(),
                birth_date: d.pupil.birth_date,
                group: format!("groep {}", d.pupil.group),
                school,
            },
            date: today,
            reference,
            subject,
            body,
            signatory,
        },
        pupil_name: name,
    })
}

/// The melding `id` of the case, or its newest.
fn case_melding(case: &CaseView, id: Option<i64>) -> ApiResult<&verzuim_store::Melding> {
    let c = &case.case;
    match id {
        Some(id) => case
            .meldingen
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| bad(format!("Melding {id} hoort niet bij zaak {}.", c.id))),
        None => case
            .meldingen
            .iter()
            .max_by_key(|m| (m.created_at, m.id))
            .ok_or_else(|| {
                bad(format!(
                    "Bij zaak {} is nog geen melding gedaan; deze brief gaat over een melding.",
                    c.id
                ))
            }),
    }
}

/// The referral `id` of the case, or its newest.
fn case_referral(case: &CaseView, id: Option<i64>) -> ApiResult<&verzuim_store::Referral> {
    let c = &case.case;
    match id {
        Some(id) => case
            .referrals
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| bad(format!("Verwijzing {id} hoort niet bij zaak {}.", c.id))),
        None => case
            .referrals
            .iter()
            .max_by_key(|r| (r.created_at, r.id))
            .ok_or_else(|| {
                bad(format!(
                    "Bij zaak {} is nog niet verwezen naar de GGD-JGZ; deze brief gaat over een \
                     verwijzing.",
                    c.id
                ))
            }),
    }
}

/// The card's category of a referral (never a diagnosis), from the case's newest sick signal.
fn referral_reason(case: &CaseView) -> ReferralReason {
    // The weightiest sick signal of the case: a referral row of the card before a sick report.
    let rank = |k: SignalKind| match k {
        SignalKind::ZiekLangerDan2Weken => Some((0, ReferralReason::ZiekLangerDan2Weken)),
        SignalKind::Ziek3eMeldingIn3Maanden => Some((1, ReferralReason::Ziek3eMeldingIn3Maanden)),
        SignalKind::ZorgZiekte => Some((2, ReferralReason::ZorgZiekte)),
        SignalKind::Ziekmelding => Some((3, ReferralReason::ZorgZiekte)),
        _ => None,
    };
    case.signals
        .iter()
        .filter_map(|s| rank(s.kind))
        .min_by_key(|(r, _)| *r)
        .map_or(ReferralReason::OverigVerzuim, |(_, reason)| reason)
}

/// The date, time and place of an appointment that the person making the letter chose (issue
/// 11: never fixed by the program): `datum` (jjjj-mm-dd, today or later) and `tijd` (uu:mm) are
/// required, `plaats` defaults to the organisation's address.
fn appointment(
    q: &LetterForm,
    today: Date,
    default_place: &str,
) -> ApiResult<(Date, Time, String)> {
    let date = match q.datum.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(bad("Kies de datum van het gesprek (jjjj-mm-dd).")),
        Some(s) => s.parse::<Date>().map_err(|_| {
            bad(format!(
                "De datum van het gesprek is geen geldige datum (jjjj-mm-dd): {s}."
            ))
        })?,
    };
    if date < today {
        return Err(bad(format!(
            "De datum van het gesprek ({}) ligt voor vandaag: kies een datum vanaf vandaag.",
            date_nl(date)
        )));
    }
    let start = match q.tijd.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(bad("Kies de tijd van het gesprek (uu:mm).")),
        Some(s) => {
            let m = nl::parse_hhmm(s).ok_or_else(|| {
                bad(format!(
                    "De tijd van het gesprek is geen geldige tijd (uu:mm): {s}."
                ))
            })?;
            Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).map_err(ApiError::internal)?
        }
    };
    let location = q
        .plaats
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| default_place.to_owned(), str::to_owned);
    if location.chars().count() > 200 {
        return Err(bad(
            "De plaats van het gesprek is te lang (hoogstens 200 tekens).",
        ));
    }
    Ok((date, start, location))
}

/// What the school already did, from its completed tasks of the case (the card's own texts, no
/// health details).
pub fn school_actions(case: &CaseView, first: &str) -> String {
    let done: Vec<String> = case
        .tasks
        .iter()
        .map(|t| &t.task)
        .filter(|t| {
            t.party == verzuim_engine::model::Party::School
                && t.status == TaskStatus::Done
                && !t.melding
                && !t.referral
                // A principle of the card is never something the school did (issue 11).
                && !verzuim_service::principles::is_principle(&t.text)
        })
        .map(|t| {
            format!(
                "{} (afgerond op {})",
                t.text.trim_end_matches('.'),
                date_nl(nl::local_date(t.updated_at))
            )
        })
        .collect();
    if done.is_empty() {
        format!("De school heeft de afwezigheid van {first} bijgehouden en met u besproken.")
    } else {
        format!(
            "De school heeft al het volgende gedaan: {}.",
            done.join("; ")
        )
    }
}

/// Whether a case is the school's to act on (its own kind of organisation).
pub fn is_school(web: &WebUser) -> bool {
    web.org.kind == OrgKind::School
}

/// A melding's status for people.
pub fn melding_status_nl(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "geregistreerd",
        MeldingStatus::InBehandeling => "in behandeling bij leerplicht",
        MeldingStatus::Afgesloten => "afgesloten",
        MeldingStatus::Ingetrokken => "ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
