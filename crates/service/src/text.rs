//! Fixed Dutch texts of the workflow and small text helpers.

use jiff::civil::Date;
use verzuim_engine::model::SignalKind;

use crate::error::{Result, ServiceError};

/// The longest free text the service stores (a note, a reason, afspraken).
pub const MAX_TEXT: usize = 2000;

/// The reason a withdrawn signal and its open tasks get (rules: a correction removed the ground).
pub const WITHDRAWN_REASON: &str =
    "Signaal ingetrokken: de registraties die het veroorzaakten zijn gewijzigd";

/// The fixed reasons the workflow gives a task it completes or closes by itself. Unlike a
/// reason a person types, these are facts of the workflow that every party seeing the task may
/// read (see [`crate::visibility::rules::task`]).
pub mod reasons {
    pub const MELDING_GEDAAN: &str = "Melding gedaan";
    pub const VERWEZEN: &str = "Verwezen naar de GGD-JGZ";
    pub const ZONDER_GOEDE_REDEN: &str = "Zonder goede reden niet verschenen";
    pub const MET_GOEDE_REDEN: &str = "Met goede reden niet verschenen";
    pub const VERWIJZING_INGETROKKEN: &str = "Verwijzing ingetrokken door de school";
    pub const AFSPRAKEN_TERUGGEKOPPELD: &str = "Afspraken teruggekoppeld";
    /// Leerplicht's recorded actions together did what the card task says (issue 11).
    pub const DONE_BY_ACTIONS: &str = "Gedaan met de vastgelegde acties van leerplicht";
    pub const MELDING_AFGESLOTEN: &str = "Melding afgesloten";
    pub const MELDING_TER_KENNISGEVING: &str = "Melding ter kennisgeving aangenomen";
    pub const MELDING_INGETROKKEN: &str = "Melding ingetrokken door de school";
}

/// Every fixed task reason: [`WITHDRAWN_REASON`] and [`reasons`].
pub const FIXED_TASK_REASONS: &[&str] = &[
    WITHDRAWN_REASON,
    reasons::MELDING_GEDAAN,
    reasons::VERWEZEN,
    reasons::ZONDER_GOEDE_REDEN,
    reasons::MET_GOEDE_REDEN,
    reasons::VERWIJZING_INGETROKKEN,
    reasons::AFSPRAKEN_TERUGGEKOPPELD,
    reasons::DONE_BY_ACTIONS,
    reasons::MELDING_AFGESLOTEN,
    reasons::MELDING_TER_KENNISGEVING,
    reasons::MELDING_INGETROKKEN,
];

/// The school's task after GGD-JGZ reports "niet verschenen zonder tegenbericht".
pub const JUDGE_NO_SHOW_TEXT: &str =
    "Beoordeelt of de leerling zonder goede reden niet verscheen bij de GGD-JGZ";

/// The school's task after leerplicht records its afspraken.
pub const FEEDBACK_TEXT: &str =
    "Kennisnemen van de afspraken van leerplicht (koppelt afspraken terug aan melder)";

/// GGD-JGZ's task after leerplicht records its afspraken on a melding of a ziekte row.
pub const GGD_FEEDBACK_TEXT: &str =
    "Kennisnemen van de afspraken van leerplicht (koppelt afspraken terug aan GGD-JGZ)";

/// The school's task after GGD-JGZ feeds its afspraken back (kaart Twente PO, "** ZIEKTE":
/// "GGD-JGZ neemt contact op met ouders/leerling … (koppelt afspraken terug aan school)").
pub const GGD_AFSPRAKEN_TEXT: &str =
    "Kennisnemen van de afspraken van de GGD-JGZ (koppelt afspraken terug aan school)";

/// The school's task when a signal with a running melding is withdrawn.
pub const REVIEW_MELDING_TEXT: &str = "Beoordeelt of de melding aan leerplicht wordt ingetrokken: \
     het signaal is ingetrokken omdat de registraties die het veroorzaakten zijn gewijzigd";

/// Leerplicht's task when a correction or a later addition touched what a melding to it
/// reported (issue 10.3); the task's detail says what changed.
pub const MELDING_CHANGED_TEXT: &str = "Neemt kennis van een wijziging na de melding: de \
     school heeft een registratie of gebeurtenis in de gemelde periode gecorrigeerd of \
     toegevoegd (de melding blijft zoals die is verstuurd)";

/// The school's task when a correction or a later addition touched what one of its meldingen
/// reported; the task's detail says what changed.
pub const TELL_DUO_TEXT: &str = "Geeft de wijziging na de melding door aan DUO \
     (verzuimregister): een registratie of gebeurtenis in de gemelde periode is gecorrigeerd of \
     toegevoegd";

/// A signal kind for people.
pub fn kind_label(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::AbsoluutVerzuim => "absoluut verzuim",
        SignalKind::RelatiefVerzuim => "relatief verzuim",
        SignalKind::LangdurigRelatiefVerzuim => "langdurig relatief verzuim",
        SignalKind::LuxeVerzuim => "luxe verzuim",
        SignalKind::MogelijkLuxeVerzuim => "mogelijk luxe verzuim",
        SignalKind::TeLaat => "te laat komen",
        SignalKind::Ziekmelding => "ziekmelding",
        SignalKind::ZiekLangerDan2Weken => "ziekte langer dan 2 weken",
        SignalKind::Ziek3eMeldingIn3Maanden => "3e ziekmelding in 3 maanden",
        SignalKind::ZorgZiekte => "ziekte, reden tot zorg",
        SignalKind::OverigVerzuim => "overig verzuim",
        SignalKind::Verwijdering => "verwijdering",
    }
}

/// The card rows about sickness: leerplicht's afspraken on their meldingen also go to GGD-JGZ.
pub fn is_ziekte(kind: SignalKind) -> bool {
    matches!(
        kind,
        SignalKind::Ziekmelding
            | SignalKind::ZiekLangerDan2Weken
            | SignalKind::Ziek3eMeldingIn3Maanden
            | SignalKind::ZorgZiekte
    )
}

/// The date in the Netherlands (Europe/Amsterdam) of a moment: the day a melding, a referral or a
/// request was made, as its parties name it (UTC should the zone ever be unknown). The one such
/// conversion of the service and the server: a day taken in UTC is the day before between
/// midnight and 01:00 (02:00 in summer).
pub fn local_date(at: jiff::Timestamp) -> Date {
    at.in_tz("Europe/Amsterdam")
        .map(|z| z.date())
        .unwrap_or_else(|_| at.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// `dd-mm-jjjj`.
pub fn date_nl(date: Date) -> String {
    verzuim_exchange::values::date_nl(date)
}

/// A required free text: trimmed, not empty, at most [`MAX_TEXT`] characters.
pub fn required(value: &str, what: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ServiceError::invalid(format!("{what} ontbreekt")));
    }
    limited(v, what)
}

/// An optional free text: trimmed (empty counts as absent), at most [`MAX_TEXT`] characters.
pub fn optional(value: Option<&str>, what: &str) -> Result<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => limited(v, what).map(Some),
    }
}

fn limited(v: &str, what: &str) -> Result<String> {
    if v.chars().count() > MAX_TEXT {
        return Err(ServiceError::invalid(format!(
            "{what} is te lang (hoogstens {MAX_TEXT} tekens)"
        )));
    }
    Ok(v.to_owned())
}

/// The days of the week in Dutch, Monday first (pages, letters and messages name days so).
pub const DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
