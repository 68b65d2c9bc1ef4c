//! The dossier's forms: what `POST /leerlingen/{school_id}/{pupil_id}` takes (`actie` and the
//! fields of each form), what a refused form keeps to show again, and the checks that turn a form
//! into the service's input (with the Dutch message at the form when something is missing).

use jiff::civil::Date;
use serde::Deserialize;
use verzuim_service::model::InformedHow;
use verzuim_service::visibility::TaskView;
use verzuim_service::{
    Completion, Judgement, MeldingContent, ParentsInformed, ReferralFormInput, ServiceError, tasks,
    tasks::SchoolReportContent,
};

use super::super::{sentence, service_error};
use crate::error::ApiError;
use crate::nl;

/// What was entered in a task's form (shown again when the form is refused).
#[derive(Default, Clone)]
pub(super) struct TaskValues {
    pub datum: String,
    pub hoe: String,
    pub reden: String,
    pub acties: String,
    pub oordeel: String,
    pub niet_nodig: String,
    pub vraag: String,
    pub toestemming: String,
    pub besluit: String,
    pub toelating: String,
    pub reden_verwijdering: String,
    pub gemeld: String,
    pub swv_met: String,
    pub swv_datum: String,
    pub swv_uitkomst: String,
}

/// A refused form: which form, the message, and what was entered.
pub(super) enum Failure {
    None,
    Task(i64, String, TaskValues),
    Parents(i64, String, TaskValues),
    Melding(i64, String, String),
    Case(i64, String, String),
    Page(String),
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    pub(super) actie: String,
    pub(super) taak: Option<String>,
    pub(super) zaak: Option<String>,
    pub(super) melding: Option<String>,
    #[serde(default)]
    pub(super) datum: String,
    #[serde(default)]
    pub(super) hoe: String,
    #[serde(default)]
    pub(super) reden: String,
    #[serde(default)]
    pub(super) acties: String,
    #[serde(default)]
    pub(super) oordeel: String,
    #[serde(default)]
    pub(super) niet_nodig: String,
    #[serde(default)]
    pub(super) toelichting: String,
    /// The referral form: the school's question to GGD-JGZ.
    #[serde(default)]
    pub(super) vraag: String,
    /// The referral form: `ja` or `nee` (the parents' consent).
    #[serde(default)]
    pub(super) toestemming: String,
    /// The report to the inspectie: the date of the decision to remove the pupil.
    #[serde(default)]
    pub(super) besluit: String,
    /// The report to the inspectie: the school that accepts the pupil.
    #[serde(default)]
    pub(super) toelating: String,
    /// The report to the inspectie: the reason of the removal.
    #[serde(default)]
    pub(super) reden_verwijdering: String,
    /// The report to the inspectie: the date of the report.
    #[serde(default)]
    pub(super) gemeld: String,
    /// The consultation with the samenwerkingsverband: with whom.
    #[serde(default)]
    pub(super) swv_met: String,
    /// … when.
    #[serde(default)]
    pub(super) swv_datum: String,
    /// … the outcome.
    #[serde(default)]
    pub(super) swv_uitkomst: String,
}

impl ActionForm {
    pub(super) fn values(&self) -> TaskValues {
        TaskValues {
            datum: self.datum.clone(),
            hoe: self.hoe.clone(),
            reden: self.reden.clone(),
            acties: self.acties.clone(),
            oordeel: self.oordeel.clone(),
            niet_nodig: self.niet_nodig.clone(),
            vraag: self.vraag.clone(),
            toestemming: self.toestemming.clone(),
            besluit: self.besluit.clone(),
            toelating: self.toelating.clone(),
            reden_verwijdering: self.reden_verwijdering.clone(),
            gemeld: self.gemeld.clone(),
            swv_met: self.swv_met.clone(),
            swv_datum: self.swv_datum.clone(),
            swv_uitkomst: self.swv_uitkomst.clone(),
        }
    }
}

pub(super) fn parse_id(v: Option<&str>) -> Option<i64> {
    v.and_then(|s| s.trim().parse().ok())
}

/// The parents' information of a form, if any was entered; an error when half or wrong.
pub(super) fn parents_of(
    f: &ActionForm,
    required: bool,
) -> Result<Option<ParentsInformed>, String> {
    let date = f.datum.trim();
    let how = f.hoe.trim();
    if date.is_empty() && how.is_empty() {
        return if required {
            Err("Vul in wanneer en hoe de ouders zijn geïnformeerd: deze actie vraagt dat.".into())
        } else {
            Ok(None)
        };
    }
    let date = if date.is_empty() {
        return Err("Vul de datum in waarop de ouders zijn geïnformeerd.".into());
    } else {
        nl::parse_date_nl(date).ok_or_else(|| {
            format!("De datum waarop de ouders zijn geïnformeerd is geen geldige datum: {date}.")
        })?
    };
    let how = InformedHow::parse(how).ok_or_else(|| {
        "Kies hoe de ouders zijn geïnformeerd (gesprek, telefoon, brief, e-mail of anders)."
            .to_owned()
    })?;
    Ok(Some(ParentsInformed { date, how }))
}

pub(super) fn service_message(e: ServiceError) -> Result<String, ApiError> {
    match e {
        ServiceError::Invalid(m) | ServiceError::Conflict(m) => Ok(sentence(&m)),
        ServiceError::Forbidden(_) => Ok("U mag deze actie niet uitvoeren.".into()),
        ServiceError::NotFound => Ok("Dit bestaat niet (meer) of u mag het niet zien.".into()),
        other => Err(service_error(other)),
    }
}

/// The completion a task's form asks for: the parents' information, the melding's content, the
/// judgement, the referral form or the school's report, each only where the task asks for it.
pub(super) fn completion(f: &ActionForm, view: &TaskView) -> Result<Completion, String> {
    let t = &view.task;
    let judge = view
        .link
        .as_ref()
        .is_some_and(|l| l.kind == verzuim_service::model::TaskLinkKind::JudgeNoShow);
    let parents = parents_of(f, tasks::requires_parents_informed(&t.text))?;
    let melding = if t.melding {
        Some(MeldingContent {
            suspected_reason: f.reden.trim().to_owned(),
            school_actions: f.acties.trim().to_owned(),
        })
    } else {
        None
    };
    if t.melding {
        if f.reden.trim().is_empty() {
            return Err("Vul de vermoedelijke reden van het verzuim in.".into());
        }
        if f.acties.trim().is_empty() {
            return Err("Vul in wat de school al heeft gedaan.".into());
        }
    }
    let judgement = if judge {
        match f.oordeel.as_str() {
            "zonder_goede_reden" => Some(Judgement::ZonderGoedeReden),
            "met_goede_reden" => Some(Judgement::MetGoedeReden),
            _ => {
                return Err("Kies of de leerling met of zonder goede reden niet \
                            verscheen."
                    .into());
            }
        }
    } else {
        None
    };
    let referral_form = if t.referral {
        if f.vraag.trim().is_empty() {
            return Err("Vul de vraag van de school aan de GGD-JGZ in.".into());
        }
        if f.acties.trim().is_empty() {
            return Err("Vul in wat de school al heeft gedaan.".into());
        }
        let consent = match f.toestemming.as_str() {
            "ja" => true,
            "nee" => false,
            _ => {
                return Err("Kies of de ouders toestemming geven voor de \
                            verwijzing."
                    .into());
            }
        };
        Some(ReferralFormInput {
            question: f.vraag.trim().to_owned(),
            school_actions: f.acties.trim().to_owned(),
            parents_consent: consent,
        })
    } else {
        None
    };
    let day = |v: &str, what: &str| -> Result<Date, String> {
        v.trim()
            .parse::<Date>()
            .map_err(|_| format!("Vul {what} in als datum (jjjj-mm-dd)."))
    };
    let school_report = match tasks::report_kind(&t.text) {
        Some(tasks::ReportKind::Inspectie) => Some(SchoolReportContent::Inspectie {
            decision_date: day(&f.besluit, "de datum van het besluit")?,
            accepting_school: f.toelating.trim().to_owned(),
            reason: f.reden_verwijdering.trim().to_owned(),
            report_date: day(&f.gemeld, "de datum van de melding")?,
        }),
        Some(tasks::ReportKind::SwvOverleg) => Some(SchoolReportContent::SwvOverleg {
            with_whom: f.swv_met.trim().to_owned(),
            date: day(&f.swv_datum, "de datum van het overleg")?,
            outcome: f.swv_uitkomst.trim().to_owned(),
        }),
        None => None,
    };
    Ok(Completion {
        parents_informed: parents,
        melding,
        judgement,
        referral_form,
        school_report,
    })
}
