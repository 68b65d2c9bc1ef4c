//! The melding as DUO's verzuimregister asks it (issue 11, "The melding to DUO";
//! docs/duo-export.md). Kaart Twente PO, column School: "Meldt bij de leerplichtambtenaar van de
//! woongemeente leerling via DUO/verzuimregister" (Leerplichtwet 1969 art. 21 and 21a; Besluit
//! verzuimmelding, bijlage). `verzuim` cannot submit to the register (DUO offers no public
//! interface), so it prepares exactly the register's fields for the school to copy or download,
//! and records DUO's meldingsnummer and the day the school submitted it.
//!
//! - [`register_view`]: the register's fields of one melding ([`DuoMelding`]), for the school
//!   that made it and the municipality it went to.
//! - [`save_details`]: what the school adds (stay address, phone, "alle lessen gemist", "actie
//!   door gemeente gewenst", location, the einddatum of a langdurig relatief verzuim, DUO's
//!   closing reason).
//! - [`record_submission`] / [`record_update`]: DUO's meldingsnummer and the dates of the
//!   submission and of the later update (the einddatum).
//! - [`school_contact`] / [`set_school_contact`]: the school's contact person in the register.
//! - [`record_duo_status`]: DUO's status of the melding as the school reads it in the register;
//!   the melding's own status and history follow it by one mapping, [`follow`].

use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::day_number;
use verzuim_engine::model::{Code, SignalKind, Span, TimeRange};
pub use verzuim_store::region_queries::{
    DuoClosingReason, DuoDetails, DuoStatus, DuoStatusEntry, DuoSubmission, PhoneOf, SchoolContact,
};
use verzuim_store::{MeldingId, MeldingStatus, Role, Scope, Store, TaskId};
use verzuim_store::{NewTimelineEntry, NumberKind};

use crate::caller::{Caller, SCHOOL_WORKFLOW_ROLES};
use crate::error::{Result, ServiceError};
use crate::meldingen::{ClosingReason, hours, melding_view};
use crate::text::kind_label;

/// Who keeps the school's contact person: its coordinator and beheerder.
pub const CONTACT_ROLES: &[Role] = &[Role::Verzuimcoordinator, Role::Beheerder];

/// DUO's kinds of verzuim in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuoKind {
    /// "16 uur in 4 weken" (Leerplichtwet art. 21).
    ZestienUurIn4Weken,
    /// "Langdurig relatief verzuim" (4 weeks or longer, art. 21a).
    LangdurigRelatiefVerzuim,
    /// "Luxe verzuim".
    LuxeVerzuim,
    /// "Overig verzuim": lateness, sickness and concern (card "Overig verzuim").
    OverigVerzuim,
}

impl DuoKind {
    /// DUO's kind of a melding's verzuim kind; `None` for what is no school's melding in the
    /// register: absoluut verzuim (the pupil is not enrolled: the register learns it from the
    /// enrolment, card row "Absoluut verzuim"), verwijdering (reported to the inspectie and
    /// leerplicht, card row "Verwijdering") and a possible luxe verzuim (a suspicion).
    pub fn of(kind: SignalKind) -> Option<DuoKind> {
        Some(match kind {
            SignalKind::RelatiefVerzuim => DuoKind::ZestienUurIn4Weken,
            SignalKind::LangdurigRelatiefVerzuim => DuoKind::LangdurigRelatiefVerzuim,
            SignalKind::LuxeVerzuim => DuoKind::LuxeVerzuim,
            SignalKind::TeLaat
            | SignalKind::Ziekmelding
            | SignalKind::ZiekLangerDan2Weken
            | SignalKind::Ziek3eMeldingIn3Maanden
            | SignalKind::ZorgZiekte
            | SignalKind::OverigVerzuim => DuoKind::OverigVerzuim,
            SignalKind::AbsoluutVerzuim
            | SignalKind::Verwijdering
            | SignalKind::MogelijkLuxeVerzuim => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DuoKind::ZestienUurIn4Weken => "16_uur_in_4_weken",
            DuoKind::LangdurigRelatiefVerzuim => "langdurig_relatief_verzuim",
            DuoKind::LuxeVerzuim => "luxe_verzuim",
            DuoKind::OverigVerzuim => "overig_verzuim",
        }
    }

    /// As DUO's form names it.
    pub fn label(self) -> &'static str {
        match self {
            DuoKind::ZestienUurIn4Weken => "16 uur in 4 weken",
            DuoKind::LangdurigRelatiefVerzuim => "Langdurig relatief verzuim",
            DuoKind::LuxeVerzuim => "Luxe verzuim",
            DuoKind::OverigVerzuim => "Overig verzuim",
        }
    }
}

/// DUO's closing reason in Dutch.
pub fn closing_label(r: DuoClosingReason) -> &'static str {
    match r {
        DuoClosingReason::TerugNaarSchool => "Terug naar school",
        DuoClosingReason::AndereOpleiding => "Inschrijving beëindigd: andere opleiding",
        DuoClosingReason::Werk => "Inschrijving beëindigd: werk",
        DuoClosingReason::OverigeRedenen => "Inschrijving beëindigd: overige redenen",
        DuoClosingReason::Overleden => "Inschrijving beëindigd: overleden",
        DuoClosingReason::LangdurigZiek => "Geen verzuim: langdurig ziek",
        DuoClosingReason::LegitiemAfwezig => "Geen verzuim: legitiem afwezig",
    }
}

/// One day of the verzuim: the whole day, or which lesson hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuoDay {
    pub date: Date,
    pub whole_day: bool,
    /// Lesson time missed, `HH:MM-HH:MM` (empty for a whole day).
    pub hours: Vec<String>,
    pub minutes: u32,
}

/// A stay address (only where it differs from the BRP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayAddress {
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// The register's fields of one melding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuoMelding {
    pub melding_id: MeldingId,
    pub school_id: String,
    pub school_name: String,
    pub municipality: String,
    pub number_kind: NumberKind,
    pub number: String,
    pub stay_address: Option<StayAddress>,
    pub phone: Option<String>,
    pub phone_of: Option<PhoneOf>,
    /// `None`: not a melding the register takes from a school (see [`DuoKind::of`]).
    pub kind: Option<DuoKind>,
    pub our_kind: SignalKind,
    pub begindatum: Date,
    /// Langdurig relatief verzuim: empty while the absence lasts.
    pub einddatum: Option<Date>,
    pub days: Vec<DuoDay>,
    pub hours: f64,
    pub all_lessons_missed: bool,
    pub suspected_reason: String,
    pub school_actions: String,
    pub action_wanted: bool,
    pub no_action_reason: Option<String>,
    pub location: Option<String>,
    pub contact: Option<SchoolContact>,
    pub status: MeldingStatus,
    pub our_closing_reason: Option<String>,
    pub duo_closing_reason: Option<DuoClosingReason>,
    /// Whether the school stored its additions (else the defaults above are proposals).
    pub details_saved: bool,
    pub submission: Option<DuoSubmission>,
    /// DUO's statuses the school recorded, oldest first (the first: `geregistreerd` on the day
    /// of submission).
    pub duo_statuses: Vec<DuoStatusEntry>,
    /// What still keeps the melding from being submitted, in Dutch.
    pub missing: Vec<String>,
}

impl DuoMelding {
    /// Whether the school has submitted it to the register.
    pub fn submitted(&self) -> bool {
        self.submission.is_some()
    }

    /// DUO's current status of the melding, as the school last recorded it.
    pub fn duo_status(&self) -> Option<&DuoStatusEntry> {
        self.duo_statuses.last()
    }

    /// Where DUO's final status and the melding's own final status differ (each party closed
    /// it its own way): both stay as recorded, the pages show the difference.
    pub fn status_differs(&self) -> bool {
        self.duo_status().is_some_and(|d| {
            duo_final(d.status) && is_final(self.status) && our_status(d.status) != self.status
        })
    }

    /// Langdurig relatief verzuim that has ended but whose update is not yet submitted.
    pub fn update_due(&self) -> bool {
        self.kind == Some(DuoKind::LangdurigRelatiefVerzuim)
            && self.einddatum.is_some()
            && self
                .submission
                .as_ref()
                .is_some_and(|s| s.update_submitted_on.is_none())
    }
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The register's fields of a melding (the school that made it, the municipality it went to).
pub async fn register_view(store: &Store, caller: &Caller, id: MeldingId) -> Result<DuoMelding> {
    let mut tx = store.connection().await?;
    let scope = caller.scope(&mut tx).await?;
    if matches!(scope, Scope::Ggd(_)) {
        return Err(ServiceError::NotFound);
    }
    let view = melding_view(&mut tx, scope, id).await?;
    let m = &view.melding;
    let record = tx.duo_record(id).await?;
    let pupil = tx
        .pupil(scope, &m.school_id, &m.pupil_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let school = tx.organisation(&m.school_id).await?;
    let settings = tx.school_settings(&m.school_id).await?;
    let contact = tx.school_contact(&m.school_id).await?;
    let spans = tx.melding_evidence_spans(id).await?;
    let duo_statuses = tx.duo_status_history(id).await?;
    drop(tx);

    // Days missed, from what the melding reported, per lesson day of the pupil's group.
    let mut days: Vec<DuoDay> = Vec::new();
    if let Some(settings) = &settings {
        let calendar = SchoolCalendar::new(&settings.school, m.period.from, m.period.to);
        let cal = calendar.group(&pupil.data.pupil.group);
        for s in &spans {
            match s.span {
                Span::Days { from, until } => {
                    let mut d = from;
                    while d <= until {
                        let minutes = cal.lesson_minutes(day_number(d));
                        if minutes > 0 {
                            days.push(DuoDay {
                                date: d,
                                whole_day: true,
                                hours: Vec::new(),
                                minutes,
                            });
                        }
                        d = d
                            .tomorrow()
                            .map_err(|_| ServiceError::Invalid("datum".into()))?;
                    }
                }
                Span::Times { date, from, until } => {
                    let part = TimeRange::new(from, until.unwrap_or(u16::MAX));
                    let mut hours = Vec::new();
                    let mut minutes = 0;
                    for t in cal.lesson_times(day_number(date)) {
                        let o = t.overlap(&part);
                        if o > 0 {
                            let a = t.start.max(part.start);
                            let b = t.end.min(part.end);
                            hours.push(format!("{}-{}", hhmm(a), hhmm(b)));
                            minutes += o;
                        }
                    }
                    if s.code == Code::TeLaat {
                        // Lateness: the lesson time missed at the start of the day.
                        minutes = s.minutes;
                    }
                    let whole = minutes >= cal.lesson_minutes(day_number(date));
                    days.push(DuoDay {
                        date,
                        whole_day: whole && s.code != Code::TeLaat,
                        hours,
                        minutes,
                    });
                }
            }
        }
    }
    days.sort_by_key(|d| d.date);
    let kind = DuoKind::of(m.verzuim_kind);
    let d = record
        .as_ref()
        .map(|r| r.details.clone())
        .unwrap_or_else(|| DuoDetails {
            phone: pupil.data.parent_phone.clone(),
            phone_of: pupil.data.parent_phone.as_ref().map(|_| PhoneOf::Ouder),
            all_lessons_missed: !days.is_empty() && days.iter().all(|d| d.whole_day),
            action_wanted: true,
            location: school.as_ref().map(|o| match &o.letterhead.city {
                Some(city) => format!("{}, {city}", o.name),
                None => o.name.clone(),
            }),
            ..DuoDetails::default()
        });
    let stay_address = match (&d.stay_street, &d.stay_postcode, &d.stay_city) {
        (Some(s), Some(p), Some(c)) => Some(StayAddress {
            street: s.clone(),
            postcode: p.clone(),
            city: c.clone(),
        }),
        _ => None,
    };
    let einddatum = match kind {
        Some(DuoKind::LangdurigRelatiefVerzuim) => d.end_date,
        _ => Some(m.period.to),
    };
    let mut missing = Vec::new();
    if kind.is_none() {
        missing.push(
            "dit soort verzuim meldt een school niet in het verzuimregister van DUO".to_owned(),
        );
    }
    if view.number.trim().is_empty() {
        missing.push("het BSN of onderwijsnummer van de leerling".to_owned());
    }
    if d.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
        missing.push("een telefoonnummer van een ouder of de leerling".to_owned());
    }
    if contact.is_none() {
        missing.push(
            "de contactpersoon van de school (Beheer, contactpersoon verzuimregister)".to_owned(),
        );
    }
    if record.is_none() {
        missing.push("de aanvullende gegevens voor DUO zijn nog niet opgeslagen".to_owned());
    }
    Ok(DuoMelding {
        melding_id: id,
        school_id: m.school_id.clone(),
        school_name: school.map_or_else(|| m.school_id.clone(), |o| o.name),
        municipality: m.municipality.clone(),
        number_kind: view.number_kind,
        number: view.number.clone(),
        stay_address,
        phone: d.phone.clone(),
        phone_of: d.phone_of,
        kind,
        our_kind: m.verzuim_kind,
        begindatum: m.period.from,
        einddatum,
        hours: hours(m.minutes),
        days,
        all_lessons_missed: d.all_lessons_missed,
        suspected_reason: m.suspected_reason.clone(),
        school_actions: m.school_actions.clone(),
        action_wanted: d.action_wanted,
        no_action_reason: d.no_action_reason.clone(),
        location: d.location.clone(),
        contact,
        status: m.status,
        our_closing_reason: match m.status {
            MeldingStatus::Afgesloten => m.status_reason.clone(),
            _ => None,
        },
        // DUO's closing reason: the one of DUO's `afgesloten` the school recorded, else the
        // one it entered with the details.
        duo_closing_reason: duo_statuses
            .iter()
            .rev()
            .find_map(|s| s.duo_closing_reason)
            .or(d.duo_closing_reason),
        details_saved: record.is_some(),
        submission: record.and_then(|r| r.submission),
        duo_statuses,
        missing,
    })
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A Dutch or international phone number: digits, spaces, `-`, `+`, `(`, `)`; 10 to 15 digits.
fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (10..=15).contains(&digits) && p.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c))
}

/// A Dutch postcode `1234 AB` (the space optional).
fn valid_postcode(p: &str) -> bool {
    let s: String = p.chars().filter(|c| !c.is_whitespace()).collect();
    s.len() == 6
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && !s.starts_with('0')
        && s[4..].chars().all(|c| c.is_ascii_alphabetic())
}

/// Stores what the school adds for the register (the coordinator of the school that made the
/// melding). Checks: a stay address complete or absent, with a valid postcode; a valid phone
/// number with whose it is; a reason when no action by the municipality is wanted; an einddatum
/// only for langdurig relatief verzuim, not before its begindatum nor after `today`.
pub async fn save_details(
    store: &Store,
    caller: &Caller,
    today: Date,
    id: MeldingId,
    input: &DuoDetails,
) -> Result<DuoMelding> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "de gegevens voor DUO aanvullen")?;
    // First the melding, in the caller's scope (another school's: not found).
    let current = register_view(store, caller, id).await?;
    if caller.organisation != current.school_id {
        return Err(ServiceError::forbidden(
            "alleen de school die meldde mag de gegevens voor DUO aanvullen",
        ));
    }
    let mut d = input.clone();
    d.stay_street = trimmed(&d.stay_street);
    d.stay_postcode = trimmed(&d.stay_postcode).map(|p| p.to_uppercase());
    d.stay_city = trimmed(&d.stay_city);
    d.phone = trimmed(&d.phone);
    d.no_action_reason = trimmed(&d.no_action_reason);
    d.location = trimmed(&d.location);
    let address = [&d.stay_street, &d.stay_postcode, &d.stay_city];
    let filled = address.iter().filter(|a| a.is_some()).count();
    if filled != 0 && filled != 3 {
        return Err(ServiceError::Invalid(
            "verblijfadres: vul straat en huisnummer, postcode en plaats alle drie in, of geen \
             (alleen als het afwijkt van het adres in de BRP)"
                .into(),
        ));
    }
    if let Some(p) = &d.stay_postcode
        && !valid_postcode(p)
    {
        return Err(ServiceError::Invalid(format!(
            "verblijfadres, postcode: \"{p}\" is geen postcode (1234 AB)"
        )));
    }
    match (&d.phone, d.phone_of) {
        (Some(p), _) if !valid_phone(p) => {
            return Err(ServiceError::Invalid(format!(
                "telefoonnummer: \"{p}\" is geen telefoonnummer (10 tot 15 cijfers)"
            )));
        }
        (Some(_), None) => {
            return Err(ServiceError::Invalid(
                "telefoonnummer: kies of het nummer van een ouder of van de leerling is".into(),
            ));
        }
        (None, _) => d.phone_of = None,
        _ => {}
    }
    if !d.action_wanted && d.no_action_reason.is_none() {
        return Err(ServiceError::Invalid(
            "actie door gemeente gewenst: vul bij \"nee\" de reden in".into(),
        ));
    }
    if d.action_wanted {
        d.no_action_reason = None;
    }
    for (field, v, max) in [
        ("reden geen actie", &d.no_action_reason, 2000),
        ("locatie", &d.location, 200),
        ("verblijfadres, straat", &d.stay_street, 200),
        ("verblijfadres, plaats", &d.stay_city, 100),
    ] {
        if v.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(ServiceError::Invalid(format!(
                "{field}: ten hoogste {max} tekens"
            )));
        }
    }
    if let Some(end) = d.end_date {
        if current.kind != Some(DuoKind::LangdurigRelatiefVerzuim) {
            return Err(ServiceError::Invalid(
                "einddatum: alleen bij langdurig relatief verzuim vult de school die later in"
                    .into(),
            ));
        }
        if end < current.begindatum || end > today {
            return Err(ServiceError::Invalid(format!(
                "einddatum: {end} ligt niet tussen de begindatum ({}) en vandaag",
                current.begindatum
            )));
        }
    }
    let by = caller.actor();
    store
        .transaction(|tx| {
            let d = d.clone();
            let caller = caller.clone();
            Box::pin(async move {
                tx.put_duo_details(id, &d, by).await?;
                caller.write_audit(tx).await
            })
        })
        .await?;
    register_view(store, caller, id).await
}

/// Records that the school submitted the melding to the register: DUO's meldingsnummer and the
/// day (not before the melding was made, not after `today`). Refused while something the
/// register asks is missing, and a second time.
pub async fn record_submission(
    store: &Store,
    caller: &Caller,
    today: Date,
    id: MeldingId,
    meldingsnummer: &str,
    on: Date,
) -> Result<DuoMelding> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "de indiening bij DUO vastleggen")?;
    let current = register_view(store, caller, id).await?;
    if caller.organisation != current.school_id {
        return Err(ServiceError::forbidden(
            "alleen de school die meldde legt de indiening bij DUO vast",
        ));
    }
    if current.submitted() {
        return Err(ServiceError::Conflict(
            "de melding is al ingediend bij DUO".into(),
        ));
    }
    if let Some(first) = current.missing.first() {
        return Err(ServiceError::Invalid(format!(
            "de melding is nog niet compleet voor DUO: {first}"
        )));
    }
    let nummer = meldingsnummer.trim();
    if nummer.is_empty()
        || nummer.len() > 40
        || !nummer
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ServiceError::Invalid(format!(
            "meldingsnummer: \"{nummer}\" is geen meldingsnummer van DUO (letters, cijfers en \
             streepjes, ten hoogste 40)"
        )));
    }
    let made = current_made(store, caller, id).await?;
    if on < made || on > today {
        return Err(ServiceError::Invalid(format!(
            "ingediend op: {on} ligt niet tussen de dag van de melding ({made}) en vandaag"
        )));
    }
    let by = caller.actor();
    let nummer = nummer.to_owned();
    store
        .transaction(|tx| {
            let caller = caller.clone();
            Box::pin(async move {
                tx.record_duo_submission(id, &nummer, on, by).await?;
                caller.write_audit(tx).await
            })
        })
        .await?;
    register_view(store, caller, id).await
}

async fn current_made(store: &Store, caller: &Caller, id: MeldingId) -> Result<Date> {
    let view = crate::meldingen::melding(store, caller, id).await?;
    Ok(crate::text::local_date(view.melding.created_at))
}

/// Records that the school submitted the update of a langdurig relatief verzuim (its
/// einddatum) to the register, on `on`.
pub async fn record_update(
    store: &Store,
    caller: &Caller,
    today: Date,
    id: MeldingId,
    on: Date,
) -> Result<DuoMelding> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "de wijziging bij DUO vastleggen")?;
    let current = register_view(store, caller, id).await?;
    if caller.organisation != current.school_id {
        return Err(ServiceError::forbidden(
            "alleen de school die meldde legt de wijziging bij DUO vast",
        ));
    }
    if !current.update_due() {
        return Err(ServiceError::Invalid(
            "er is geen wijziging voor DUO: alleen een ingediende melding van langdurig \
             relatief verzuim met een einddatum krijgt een wijziging"
                .into(),
        ));
    }
    let submitted = current.submission.as_ref().map(|s| s.submitted_on);
    if submitted.is_some_and(|s| on < s) || on > today {
        return Err(ServiceError::Invalid(format!(
            "wijziging ingediend op: {on} ligt niet tussen de indiening en vandaag"
        )));
    }
    let by = caller.actor();
    store
        .transaction(|tx| {
            let caller = caller.clone();
            Box::pin(async move {
                tx.record_duo_update(id, on, by).await?;
                caller.write_audit(tx).await
            })
        })
        .await?;
    register_view(store, caller, id).await
}

// ---------------------------------------------------------------------------------------------
// DUO's status, and the melding's status that follows it.

/// The text of the melding's status reason when it follows DUO's `ingetrokken`.
pub const WITHDRAWN_AT_DUO: &str = "ingetrokken in het verzuimregister van DUO";

/// DUO's status in Dutch, as the register names it.
pub fn duo_status_label(s: DuoStatus) -> &'static str {
    match s {
        DuoStatus::Geregistreerd => "geregistreerd",
        DuoStatus::InBehandeling => "in behandeling bij de gemeente",
        DuoStatus::Afgesloten => "afgesloten",
        DuoStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen",
        DuoStatus::Ingetrokken => "ingetrokken",
    }
}

/// Whether DUO's status is final (afgesloten, ter kennisgeving aangenomen, ingetrokken).
pub fn duo_final(s: DuoStatus) -> bool {
    duo_rank(s) == 2
}

/// Statuses only go forward: geregistreerd (0), in behandeling (1), a final one (2).
fn duo_rank(s: DuoStatus) -> u8 {
    match s {
        DuoStatus::Geregistreerd => 0,
        DuoStatus::InBehandeling => 1,
        DuoStatus::Afgesloten | DuoStatus::TerKennisgevingAangenomen | DuoStatus::Ingetrokken => 2,
    }
}

fn is_final(s: MeldingStatus) -> bool {
    matches!(
        s,
        MeldingStatus::Afgesloten
            | MeldingStatus::TerKennisgevingAangenomen
            | MeldingStatus::Ingetrokken
    )
}

/// The melding status that has the same meaning as DUO's status: since 2020 the product's
/// statuses are DUO's five (DUO, "Wijzigingen in verzuimregister vanaf 3 augustus 2020").
pub fn our_status(s: DuoStatus) -> MeldingStatus {
    match s {
        DuoStatus::Geregistreerd => MeldingStatus::Geregistreerd,
        DuoStatus::InBehandeling => MeldingStatus::InBehandeling,
        DuoStatus::Afgesloten => MeldingStatus::Afgesloten,
        DuoStatus::TerKennisgevingAangenomen => MeldingStatus::TerKennisgevingAangenomen,
        DuoStatus::Ingetrokken => MeldingStatus::Ingetrokken,
    }
}

/// The one mapping from DUO's status to the melding's own (docs/duo-export.md, "DUO's status";
/// docs/workflow.md §3b): the melding moves to DUO's status when that lies ahead of its own,
/// and never back or from a final status (a final status another party set, such as
/// leerplicht's `afgesloten` with its afspraken, is never rewritten: the difference is shown).
///
/// | melding \ DUO       | geregistreerd | in behandeling | afgesloten, t.k.a., ingetrokken |
/// |---------------------|---------------|----------------|---------------------------------|
/// | geregistreerd       | —             | in behandeling | the same final status           |
/// | in behandeling      | —             | —              | the same final status           |
/// | a final status      | —             | —              | — (a difference is shown)       |
pub fn follow(ours: MeldingStatus, duo: DuoStatus) -> Option<MeldingStatus> {
    let target = our_status(duo);
    match ours {
        MeldingStatus::Geregistreerd if target != MeldingStatus::Geregistreerd => Some(target),
        MeldingStatus::InBehandeling if is_final(target) => Some(target),
        _ => None,
    }
}

/// The product's closing reason for DUO's (stored as the melding's status reason; DUO's own
/// stays beside it): back at school is "verzuim beëindigd"; DUO's other reasons (enrolment
/// ended, no verzuim) have no own code here and are "overig".
pub fn closing_reason_of(r: DuoClosingReason) -> ClosingReason {
    match r {
        DuoClosingReason::TerugNaarSchool => ClosingReason::VerzuimBeeindigd,
        DuoClosingReason::AndereOpleiding
        | DuoClosingReason::Werk
        | DuoClosingReason::OverigeRedenen
        | DuoClosingReason::Overleden
        | DuoClosingReason::LangdurigZiek
        | DuoClosingReason::LegitiemAfwezig => ClosingReason::Overig,
    }
}

/// What recording DUO's status did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuoStatusOutcome {
    pub melding: DuoMelding,
    /// The melding's own new status, where it followed DUO's ([`follow`]).
    pub status_followed: Option<MeldingStatus>,
    /// Tasks closed because the melding became final (as when leerplicht closes it).
    pub tasks_closed: Vec<TaskId>,
}

/// Records DUO's status of a submitted melding as the school reads it in the register, on the
/// day DUO gave it (not before the previous one or the submission, not after `today`); with
/// `afgesloten` DUO's closing reason. DUO's statuses only go forward. The melding's own status
/// follows by [`follow`] in the same transaction: a history row, a timeline line, and for a
/// final status its open tasks closed as leerplicht's own closing does. Kaart Twente PO, column
/// School: "Meldt … via DUO/verzuimregister"; Leerplichtwet 1969 art. 21.
pub async fn record_duo_status(
    store: &Store,
    caller: &Caller,
    today: Date,
    id: MeldingId,
    status: DuoStatus,
    on: Date,
    reason: Option<DuoClosingReason>,
) -> Result<DuoStatusOutcome> {
    caller.require_role(SCHOOL_WORKFLOW_ROLES, "de status bij DUO vastleggen")?;
    let current = register_view(store, caller, id).await?;
    if caller.organisation != current.school_id {
        return Err(ServiceError::forbidden(
            "alleen de school die meldde legt de status bij DUO vast",
        ));
    }
    let Some(submission) = &current.submission else {
        return Err(ServiceError::Invalid(
            "status bij DUO: leg eerst de indiening bij DUO vast (meldingsnummer en datum)".into(),
        ));
    };
    match (status, reason) {
        (DuoStatus::Afgesloten, None) => {
            return Err(ServiceError::Invalid(
                "reden afsluiten (DUO): kies bij afgesloten de reden die DUO noemt".into(),
            ));
        }
        (s, Some(_)) if s != DuoStatus::Afgesloten => {
            return Err(ServiceError::Invalid(
                "reden afsluiten (DUO): hoort alleen bij de status afgesloten".into(),
            ));
        }
        _ => {}
    }
    let mut earliest = submission.submitted_on;
    if let Some(last) = current.duo_status() {
        if duo_final(last.status) {
            return Err(ServiceError::Invalid(format!(
                "status bij DUO: de melding is bij DUO al {} (sinds {}); daarna verandert de \
                 status niet meer",
                duo_status_label(last.status),
                last.on
            )));
        }
        if duo_rank(status) <= duo_rank(last.status) {
            return Err(ServiceError::Invalid(format!(
                "status bij DUO: na \"{}\" kan niet \"{}\" volgen (de statussen van DUO gaan \
                 alleen vooruit)",
                duo_status_label(last.status),
                duo_status_label(status)
            )));
        }
        earliest = earliest.max(last.on);
    }
    if on < earliest || on > today {
        return Err(ServiceError::Invalid(format!(
            "status bij DUO, datum: {on} ligt niet tussen de vorige status of de indiening \
             ({earliest}) en vandaag"
        )));
    }
    let by = caller.actor();
    let scope = Scope::School(&caller.organisation);
    let mut tx = store.begin().await?;
    let melding = tx.melding(scope, id).await?.ok_or(ServiceError::NotFound)?;
    tx.add_duo_status(id, status, on, reason, by).await?;
    let followed = follow(melding.status, status);
    let mut tasks_closed = Vec::new();
    if let Some(target) = followed {
        let status_reason = match target {
            MeldingStatus::Afgesloten => reason.map(|r| closing_reason_of(r).as_str().to_owned()),
            MeldingStatus::Ingetrokken => Some(WITHDRAWN_AT_DUO.to_owned()),
            _ => None,
        };
        if !tx
            .set_melding_status_if(
                scope,
                id,
                &[melding.status],
                target,
                status_reason.as_deref(),
                by,
            )
            .await?
        {
            return Err(ServiceError::Conflict(
                "de melding is intussen gewijzigd".into(),
            ));
        }
        let why = reason.map_or_else(String::new, |r| format!(", {}", closing_label(r)));
        tx.add_timeline(
            &NewTimelineEntry {
                case_id: melding.case_id,
                entry: format!("melding_{}", target.as_str()),
                signal_id: None,
                detail: Some(format!(
                    "Melding {}: {} volgens het verzuimregister van DUO (meldingsnummer {}{why})",
                    kind_label(melding.verzuim_kind),
                    duo_status_label(status),
                    submission.meldingsnummer,
                )),
            },
            by,
        )
        .await?;
        tasks_closed = crate::meldingen::close_open_tasks(&mut tx, by, &melding, target).await?;
    }
    caller.write_audit(&mut tx).await?;
    tx.commit().await?;
    Ok(DuoStatusOutcome {
        melding: register_view(store, caller, id).await?,
        status_followed: followed,
        tasks_closed,
    })
}

/// The school's contact person for the register (its coordinator and beheerder).
pub async fn school_contact(
    store: &Store,
    caller: &Caller,
    school_id: &str,
) -> Result<Option<SchoolContact>> {
    caller.require_school(school_id, CONTACT_ROLES, "de contactpersoon bekijken")?;
    let mut tx = store.connection().await?;
    Ok(tx.school_contact(school_id).await?)
}

/// Stores the school's contact person for the register: name, function, phone and e-mail all
/// required.
pub async fn set_school_contact(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    contact: &SchoolContact,
) -> Result<SchoolContact> {
    caller.require_school(school_id, CONTACT_ROLES, "de contactpersoon vastleggen")?;
    let c = SchoolContact {
        name: contact.name.trim().to_owned(),
        function: contact.function.trim().to_owned(),
        phone: contact.phone.trim().to_owned(),
        email: contact.email.trim().to_owned(),
    };
    for (field, v) in [
        ("naam", &c.name),
        ("functie", &c.function),
        ("telefoonnummer", &c.phone),
        ("e-mailadres", &c.email),
    ] {
        if v.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "contactpersoon, {field}: vul dit in"
            )));
        }
        if v.chars().count() > 200 {
            return Err(ServiceError::Invalid(format!(
                "contactpersoon, {field}: ten hoogste 200 tekens"
            )));
        }
    }
    if !valid_phone(&c.phone) {
        return Err(ServiceError::Invalid(format!(
            "contactpersoon, telefoonnummer: \"{}\" is geen telefoonnummer",
            c.phone
        )));
    }
    let at = c.email.find('@');
    if at.is_none_or(|i| i == 0 || !c.email[i + 1..].contains('.')) || c.email.contains(' ') {
        return Err(ServiceError::Invalid(format!(
            "contactpersoon, e-mailadres: \"{}\" is geen e-mailadres",
            c.email
        )));
    }
    let school = school_id.to_owned();
    let stored = c.clone();
    store
        .transaction(|tx| {
            let caller = caller.clone();
            Box::pin(async move {
                tx.put_school_contact(&school, &stored).await?;
                caller.write_audit(tx).await
            })
        })
        .await?;
    Ok(c)
}

/// The register's fields as labelled rows (Dutch labels, as DUO's form asks them), for the page
/// to copy and the CSV of the administration package.
pub fn rows(m: &DuoMelding) -> Vec<(&'static str, String)> {
    let yes_no = |b: bool| if b { "ja" } else { "nee" }.to_owned();
    let date = |d: Date| d.strftime("%d-%m-%Y").to_string();
    let days = m
        .days
        .iter()
        .map(|d| {
            if d.whole_day {
                format!("{} hele dag", date(d.date))
            } else if d.hours.is_empty() {
                format!("{} {} minuten", date(d.date), d.minutes)
            } else {
                format!("{} {}", date(d.date), d.hours.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let contact = m.contact.as_ref();
    vec![
        (
            match m.number_kind {
                NumberKind::Bsn => "BSN",
                NumberKind::Onderwijsnummer => "Onderwijsnummer",
            },
            m.number.clone(),
        ),
        (
            "Verblijfadres (afwijkend van BRP)",
            m.stay_address.as_ref().map_or_else(String::new, |a| {
                format!("{}, {} {}", a.street, a.postcode, a.city)
            }),
        ),
        ("Telefoonnummer", m.phone.clone().unwrap_or_default()),
        (
            "Telefoonnummer van",
            match m.phone_of {
                Some(PhoneOf::Ouder) => "ouder/verzorger".into(),
                Some(PhoneOf::Leerling) => "leerling".into(),
                None => String::new(),
            },
        ),
        (
            "Soort verzuim",
            m.kind.map_or_else(String::new, |k| k.label().to_owned()),
        ),
        ("Begindatum", date(m.begindatum)),
        ("Einddatum", m.einddatum.map_or_else(String::new, date)),
        ("Verzuimde dagen en uren", days),
        (
            "Verzuimde lestijd (uren)",
            format!("{:.2}", m.hours).replace('.', ","),
        ),
        ("Alle lessen gemist", yes_no(m.all_lessons_missed)),
        ("Vermoedelijke reden", m.suspected_reason.clone()),
        ("Ondernomen acties school", m.school_actions.clone()),
        ("Actie door gemeente gewenst", yes_no(m.action_wanted)),
        (
            "Reden geen actie gewenst",
            m.no_action_reason.clone().unwrap_or_default(),
        ),
        ("Locatie", m.location.clone().unwrap_or_default()),
        (
            "Contactpersoon",
            contact.map_or_else(String::new, |c| c.name.clone()),
        ),
        (
            "Functie contactpersoon",
            contact.map_or_else(String::new, |c| c.function.clone()),
        ),
        (
            "Telefoon contactpersoon",
            contact.map_or_else(String::new, |c| c.phone.clone()),
        ),
        (
            "E-mail contactpersoon",
            contact.map_or_else(String::new, |c| c.email.clone()),
        ),
        (
            "Status bij DUO",
            m.duo_status().map_or_else(String::new, |d| {
                format!("{} sinds {}", duo_status_label(d.status), date(d.on))
            }),
        ),
        (
            "Reden afsluiten (DUO)",
            m.duo_closing_reason
                .map_or_else(String::new, |r| closing_label(r).to_owned()),
        ),
    ]
}

/// The register's fields as a JSON document (`verzuim-duo-verzuimregister/1`,
/// docs/duo-export.md).
pub fn json(m: &DuoMelding) -> Value {
    json!({
        "schema": "verzuim-duo-verzuimregister/1",
        "melding_id": m.melding_id,
        "school": m.school_id,
        "woongemeente": m.municipality,
        "leerling": {
            "persoonsgebonden_nummer": m.number,
            "soort_nummer": m.number_kind.as_str(),
            "verblijfadres": m.stay_address.as_ref().map(|a| json!({
                "straat_huisnummer": a.street, "postcode": a.postcode, "plaats": a.city,
            })),
            "telefoonnummer": m.phone,
            "telefoonnummer_van": m.phone_of.map(|p| p.as_str()),
        },
        "verzuim": {
            "soort": m.kind.map(DuoKind::as_str),
            "begindatum": m.begindatum.to_string(),
            "einddatum": m.einddatum.map(|d| d.to_string()),
            "uren": m.hours,
            "dagen": m.days.iter().map(|d| json!({
                "datum": d.date.to_string(),
                "hele_dag": d.whole_day,
                "uren": d.hours,
                "minuten": d.minutes,
            })).collect::<Vec<_>>(),
            "alle_lessen_gemist": m.all_lessons_missed,
        },
        "vermoedelijke_reden": m.suspected_reason,
        "ondernomen_acties_school": m.school_actions,
        "actie_door_gemeente_gewenst": m.action_wanted,
        "reden_geen_actie": m.no_action_reason,
        "locatie": m.location,
        "contactpersoon": m.contact.as_ref().map(|c| json!({
            "naam": c.name, "functie": c.function, "telefoon": c.phone, "email": c.email,
        })),
        "afsluiting": {
            "reden_duo": m.duo_closing_reason.map(|r| r.as_str()),
            "reden_verzuim": m.our_closing_reason,
        },
        "status": m.status.as_str(),
        "status_duo": m.duo_status().map(|d| json!({
            "code": d.status.as_str(),
            "sinds": d.on.to_string(),
            "reden_duo": d.duo_closing_reason.map(|r| r.as_str()),
        })),
        "status_duo_geschiedenis": m.duo_statuses.iter().map(|d| json!({
            "code": d.status.as_str(),
            "sinds": d.on.to_string(),
            "reden_duo": d.duo_closing_reason.map(|r| r.as_str()),
            "vastgelegd_door": d.recorded_by,
        })).collect::<Vec<_>>(),
        "indiening": m.submission.as_ref().map(|s| json!({
            "meldingsnummer": s.meldingsnummer,
            "ingediend_op": s.submitted_on.to_string(),
            "wijziging_ingediend_op": s.update_submitted_on.map(|d| d.to_string()),
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one mapping of DUO's status to the melding's (docs/duo-export.md, "DUO's status"):
    /// every pair of statuses.
    #[test]
    fn the_melding_follows_duos_status_forward_only() {
        use DuoStatus as D;
        use MeldingStatus as M;
        let finals = [M::Afgesloten, M::TerKennisgevingAangenomen, M::Ingetrokken];
        for ours in M::ALL.iter().copied() {
            assert_eq!(follow(ours, D::Geregistreerd), None, "{ours:?}");
        }
        assert_eq!(
            follow(M::Geregistreerd, D::InBehandeling),
            Some(M::InBehandeling)
        );
        assert_eq!(follow(M::InBehandeling, D::InBehandeling), None);
        for duo in [D::Afgesloten, D::TerKennisgevingAangenomen, D::Ingetrokken] {
            let target = our_status(duo);
            assert!(finals.contains(&target));
            assert_eq!(follow(M::Geregistreerd, duo), Some(target), "{duo:?}");
            assert_eq!(follow(M::InBehandeling, duo), Some(target), "{duo:?}");
            for ours in finals {
                // A final status another party set is never rewritten.
                assert_eq!(follow(ours, duo), None, "{ours:?} {duo:?}");
            }
        }
        for ours in finals {
            assert_eq!(follow(ours, D::InBehandeling), None);
        }
        // Every DUO status names one of ours, each a different one.
        let mapped: std::collections::BTreeSet<_> =
            D::ALL.iter().map(|d| our_status(*d).as_str()).collect();
        assert_eq!(mapped.len(), D::ALL.len());
        assert!(D::ALL.iter().all(|d| d.as_str() == our_status(*d).as_str()));
    }

    #[test]
    fn duos_closing_reasons_map_to_ours() {
        assert_eq!(
            closing_reason_of(DuoClosingReason::TerugNaarSchool),
            ClosingReason::VerzuimBeeindigd
        );
        for r in DuoClosingReason::ALL
            .iter()
            .filter(|r| **r != DuoClosingReason::TerugNaarSchool)
        {
            assert_eq!(closing_reason_of(*r), ClosingReason::Overig, "{r:?}");
        }
    }
}
