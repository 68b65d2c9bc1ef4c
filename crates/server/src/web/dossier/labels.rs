//! The dossier's fixed Dutch labels: how the parents were informed, a referral's status, a
//! timeline entry, the masked persoonsgebonden nummer, the suggested reason of a melding, and the
//! message after a successful form.

use verzuim_engine::model::SignalKind;
use verzuim_letters::mask_person_number;
use verzuim_service::model::{InformedHow, ReferralStatus, StoredPupil};

use crate::nl;

pub(super) fn how_label(how: InformedHow) -> &'static str {
    match how {
        InformedHow::Gesprek => "gesprek",
        InformedHow::Telefoon => "telefoon",
        InformedHow::Brief => "brief",
        InformedHow::Email => "e-mail",
        InformedHow::Anders => "anders",
    }
}

pub(super) fn referral_status_nl(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "aangemeld",
        ReferralStatus::InBehandeling => "in behandeling",
        ReferralStatus::NietVerschenenZonderTegenbericht => "niet verschenen zonder tegenbericht",
        ReferralStatus::Afgerond => "afgerond",
        ReferralStatus::Ingetrokken => "ingetrokken",
    }
}

pub(super) fn timeline_label(entry: &str) -> String {
    match entry {
        "geopend" => "Dossier geopend".into(),
        "signaal" => "Signaal".into(),
        "uitgebreid" => "Dossier uitgebreid".into(),
        "signaal_bijgewerkt" => "Signaal bijgewerkt".into(),
        "signaal_ingetrokken" => "Signaal ingetrokken".into(),
        "melding" => "Melding".into(),
        "verwijzing" => "Verwijzing".into(),
        "brief" => "Brief".into(),
        "afspraken" => "Afspraken leerplicht".into(),
        "gesloten" => "Dossier gesloten".into(),
        "heropend" => "Dossier heropend".into(),
        "oordeel_niet_verschenen" => "Oordeel niet verschenen".into(),
        e if e.starts_with("melding_") => "Melding".into(),
        e if e.starts_with("verwijzing_") => "Verwijzing".into(),
        e => nl::capitalise(&e.replace('_', " ")),
    }
}

/// The persoonsgebonden nummer, masked, with its kind.
pub(super) fn masked_number(p: &StoredPupil) -> String {
    match (
        p.data.bsn.as_deref().filter(|s| !s.trim().is_empty()),
        p.data
            .onderwijsnummer
            .as_deref()
            .filter(|s| !s.trim().is_empty()),
    ) {
        (Some(bsn), _) => format!("BSN {}", mask_person_number(bsn)),
        (None, Some(on)) => format!("onderwijsnummer {}", mask_person_number(on)),
        (None, None) => "geen BSN of onderwijsnummer bekend".into(),
    }
}

/// The suspected reason a melding form starts with, from the signal.
pub(super) fn suggested_reason(kind: SignalKind) -> String {
    match kind {
        SignalKind::TeLaat => "Structureel te laat komen; de ouders zorgen er niet voor dat de \
                               leerling op tijd op school is."
            .into(),
        SignalKind::LuxeVerzuim | SignalKind::MogelijkLuxeVerzuim => {
            "Vermoedelijk extra vakantie buiten de schoolvakanties zonder toestemming (luxe \
             verzuim)."
                .into()
        }
        SignalKind::AbsoluutVerzuim => {
            "De leerling staat niet (meer) ingeschreven of komt niet op school.".into()
        }
        SignalKind::LangdurigRelatiefVerzuim => {
            "De leerling is langdurig afwezig zonder geldige reden (thuiszitter).".into()
        }
        SignalKind::Ziekmelding
        | SignalKind::ZiekLangerDan2Weken
        | SignalKind::Ziek3eMeldingIn3Maanden
        | SignalKind::ZorgZiekte => {
            "Veelvuldig of langdurig ziek gemeld; de school maakt zich zorgen.".into()
        }
        _ => "Afwezig zonder geldige reden; de ouders hebben de leerling niet afgemeld.".into(),
    }
}

pub(super) fn done_message(key: &str) -> Option<&'static str> {
    Some(match key {
        "taak" => "De taak is afgerond.",
        "melding" => "De melding is gedaan en staat bij leerplicht.",
        "verwijzing" => "De verwijzing naar de GGD-JGZ is gedaan.",
        "niet_nodig" => "De taak is als niet nodig afgesloten.",
        "ouders" => "Vastgelegd dat de ouders zijn geïnformeerd.",
        "ingetrokken" => "De melding is ingetrokken.",
        "gesloten" => "Het dossier is gesloten.",
        "heropend" => "Het dossier is heropend.",
        _ => return None,
    })
}
