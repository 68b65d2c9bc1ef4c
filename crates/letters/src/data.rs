//! The data of a letter: what the caller fills in from the case, and what a template reads.
//!
//! The template receives this structure as JSON (`json("/data.json")`), with two changes made by
//! [`crate::Letters::render`] before the template sees it: the persoonsgebonden nummer of an
//! [`OverzichtMelding`] is masked except its last three characters, and `sender.logo` becomes the
//! virtual path of the logo image (or `none`). Dates are ISO strings (`2025-03-12`), times
//! `14:30:00`; `brief.typ` has helpers that write them the Dutch way.

use std::path::PathBuf;

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

/// One letter: the common parts (letterhead, addressee, pupil, reference, signatory) and the
/// body of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterData {
    /// The organisation that sends the letter (its letterhead).
    pub sender: Sender,
    /// The addressee: the pupil's parents or carers.
    pub recipient: Recipient,
    /// "Kopie aan": the name of the reporting school (melder) that receives a copy, if any.
    #[serde(default)]
    pub copy_to: Option<String>,
    pub pupil: Pupil,
    /// The date of the letter. Also typst's "today", so rendering the same data twice gives the
    /// same PDF.
    pub date: Date,
    /// The place written before the date ("Enschede, 12 maart 2025").
    pub place: String,
    /// The case or melding number ("Ons kenmerk").
    pub reference: String,
    /// The subject line ("Onderwerp").
    pub subject: String,
    /// The kind of letter and its own fields: `kind` and `body` in JSON.
    #[serde(flatten)]
    pub body: LetterBody,
    /// Who signs the letter.
    pub signatory: Signatory,
}

impl LetterData {
    /// The kind of letter.
    pub fn kind(&self) -> LetterKind {
        self.body.kind()
    }
}

/// The letterhead of the sending organisation (a school, a municipality, a GGD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// The organisation's name ("OBS De Esch", "Gemeente Enschede, team Leerplicht").
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    #[serde(default)]
    pub website: Option<String>,
    /// A logo image (PNG, JPEG, GIF, SVG or WebP), read from disk at every render. A relative
    /// path is taken relative to the template directory when there is one, else to the working
    /// directory.
    #[serde(default)]
    pub logo: Option<PathBuf>,
}

/// The addressee: the parents or carers and their address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// As it goes on the envelope ("Familie Jansen", "Dhr. P. Jansen en mevr. A. de Vries").
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// The pupil the letter is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pupil {
    /// First name and surname ("Sem Jansen").
    pub name: String,
    pub birth_date: Date,
    /// The group ("groep 6", "6B").
    pub group: String,
    /// The pupil's school.
    pub school: String,
}

/// Who signs the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    /// The function ("directeur", "leerplichtambtenaar", "intern begeleider").
    pub function: String,
}

/// The four kinds of letter; each has its template `<kind>.typ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// Uitnodiging voor een gesprek (school or leerplicht invites the parents).
    UitnodigingGesprek,
    /// Waarschuwingsbrief aan ouders (leerplicht; copy to the reporting school).
    Waarschuwingsbrief,
    /// Verwijzing naar GGD-JGZ (the school tells the parents it referred the pupil).
    VerwijzingGgdJgz,
    /// Overzicht van een melding aan leerplicht (the school informs the parents).
    OverzichtMelding,
    /// GGD-JGZ invites the parents (and the pupil) of a referred pupil for a conversation (kaart
    /// Twente PO, "** ZIEKTE": "GGD-JGZ neemt contact op met ouders/leerling en nodigt deze
    /// eventueel uit voor een gesprek").
    UitnodigingGgdJgz,
    /// The leerplichtambtenaar summons the parents (and the pupil from 12) for a conversation or
    /// a proces-verbaal (kaart Twente PO, "Luxe verzuim": "Roept ouders op voor een
    /// gesprek/proces-verbaal"; "* TE LAAT KOMEN": "Roept de ouders (en leerling vanaf 12 jaar)
    /// op voor een gesprek (kopie aan melder)").
    OproepLeerplicht,
    /// Besluit op een verlofaanvraag (the director or the leerplichtambtenaar decides,
    /// Leerplichtwet 1969 art. 13a and art. 14).
    BesluitVerlof,
}

impl LetterKind {
    pub const ALL: [LetterKind; 7] = [
        LetterKind::UitnodigingGesprek,
        LetterKind::Waarschuwingsbrief,
        LetterKind::VerwijzingGgdJgz,
        LetterKind::OverzichtMelding,
        LetterKind::UitnodigingGgdJgz,
        LetterKind::OproepLeerplicht,
        LetterKind::BesluitVerlof,
    ];

    /// The stable identifier, as in JSON (`uitnodiging_gesprek`).
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::UitnodigingGesprek => "uitnodiging_gesprek",
            LetterKind::Waarschuwingsbrief => "waarschuwingsbrief",
            LetterKind::VerwijzingGgdJgz => "verwijzing_ggd_jgz",
            LetterKind::OverzichtMelding => "overzicht_melding",
            LetterKind::UitnodigingGgdJgz => "uitnodiging_ggd_jgz",
            LetterKind::OproepLeerplicht => "oproep_leerplicht",
            LetterKind::BesluitVerlof => "besluit_verlof",
        }
    }

    /// The file name of the kind's template (`uitnodiging_gesprek.typ`).
    pub fn template_name(self) -> &'static str {
        match self {
            LetterKind::UitnodigingGesprek => "uitnodiging_gesprek.typ",
            LetterKind::Waarschuwingsbrief => "waarschuwingsbrief.typ",
            LetterKind::VerwijzingGgdJgz => "verwijzing_ggd_jgz.typ",
            LetterKind::OverzichtMelding => "overzicht_melding.typ",
            LetterKind::UitnodigingGgdJgz => "uitnodiging_ggd_jgz.typ",
            LetterKind::OproepLeerplicht => "oproep_leerplicht.typ",
            LetterKind::BesluitVerlof => "besluit_verlof.typ",
        }
    }

    /// A Dutch name for people ("waarschuwingsbrief aan ouders").
    pub fn label(self) -> &'static str {
        match self {
            LetterKind::UitnodigingGesprek => "uitnodiging voor een gesprek",
            LetterKind::Waarschuwingsbrief => "waarschuwingsbrief aan ouders",
            LetterKind::VerwijzingGgdJgz => "verwijzing naar de GGD-JGZ",
            LetterKind::OverzichtMelding => "overzicht van de melding aan leerplicht",
            LetterKind::UitnodigingGgdJgz => "uitnodiging van de GGD-JGZ",
            LetterKind::OproepLeerplicht => "oproep van leerplicht",
            LetterKind::BesluitVerlof => "besluit op de verlofaanvraag",
        }
    }
}

/// The fields of each kind of letter. In JSON: `"kind": "<kind>", "body": { ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum LetterBody {
    UitnodigingGesprek(UitnodigingGesprek),
    Waarschuwingsbrief(Waarschuwingsbrief),
    VerwijzingGgdJgz(VerwijzingGgdJgz),
    OverzichtMelding(OverzichtMelding),
    UitnodigingGgdJgz(UitnodigingGgdJgz),
    OproepLeerplicht(OproepLeerplicht),
    BesluitVerlof(BesluitVerlof),
}

impl LetterBody {
    pub fn kind(&self) -> LetterKind {
        match self {
            LetterBody::UitnodigingGesprek(_) => LetterKind::UitnodigingGesprek,
            LetterBody::Waarschuwingsbrief(_) => LetterKind::Waarschuwingsbrief,
            LetterBody::VerwijzingGgdJgz(_) => LetterKind::VerwijzingGgdJgz,
            LetterBody::OverzichtMelding(_) => LetterKind::OverzichtMelding,
            LetterBody::UitnodigingGgdJgz(_) => LetterKind::UitnodigingGgdJgz,
            LetterBody::OproepLeerplicht(_) => LetterKind::OproepLeerplicht,
            LetterBody::BesluitVerlof(_) => LetterKind::BesluitVerlof,
        }
    }
}

/// Besluit op een verlofaanvraag (Leerplichtwet 1969): granted or refused, with the legal
/// ground and the bezwaar clause (Algemene wet bestuursrecht art. 6:7: six weeks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BesluitVerlof {
    pub granted: bool,
    /// The kind of leave in words ("vakantieverlof", "verlof wegens gewichtige omstandigheden").
    pub leave_kind: String,
    pub first_day: Date,
    pub last_day: Date,
    /// The lesson days in the period.
    pub lesson_days: u32,
    /// The day the parent asked.
    pub requested_on: Date,
    /// The legal ground and the motivation, in whole sentences.
    pub ground: String,
    /// To whom a bezwaar goes ("de directeur van OBS De Esch", "het college van burgemeester en
    /// wethouders van Enschede"), at the sender's address.
    pub bezwaar_to: String,
}

/// Uitnodiging gesprek: when, where, with whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UitnodigingGesprek {
    /// The day of the conversation.
    pub date: Date,
    pub start_time: Time,
    #[serde(default)]
    pub end_time: Option<Time>,
    /// Where ("OBS De Esch, kamer van de intern begeleider, Esstraat 12, Enschede").
    pub location: String,
    /// With whom ("mevrouw J. de Vries, leerplichtambtenaar").
    pub with: String,
    /// Why: one or more whole sentences ("Sem was in de afgelopen vier weken 17 uur ongeoorloofd
    /// afwezig."). A blank line starts a new paragraph.
    pub reason: String,
    /// Whether the pupil is invited too (the card: "en leerling vanaf 12 jaar").
    #[serde(default)]
    pub invite_pupil: bool,
}

/// Waarschuwingsbrief aan ouders: the verzuim facts and what follows if it goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waarschuwingsbrief {
    /// The kind of verzuim in words ("relatief verzuim", "te laat komen").
    pub verzuim_kind: String,
    pub period_start: Date,
    pub period_end: Date,
    /// The absence time in minutes; the letter says hours and minutes.
    pub minutes: u32,
    /// For lateness: how many times the pupil was late.
    #[serde(default)]
    pub times_late: Option<u32>,
    /// What happens if the verzuim goes on; [`Waarschuwingsbrief::STANDARD_CONSEQUENCE`] is a
    /// sound default.
    pub consequence: String,
}

impl Waarschuwingsbrief {
    /// The usual consequence text of a warning letter.
    pub const STANDARD_CONSEQUENCE: &'static str = "Als het verzuim niet stopt of zich herhaalt, \
        kan de leerplichtambtenaar een proces-verbaal opmaken. De officier van justitie beslist \
        dan over de verdere afhandeling; dat kan leiden tot een geldboete of een taakstraf.";
}

/// Why the school referred the pupil to GGD-JGZ: a category of the card, never a diagnosis.
///
/// There is deliberately no free text here: the nature of an illness is never written down
/// (docs/spec/rules.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralReason {
    /// Ziek langer dan 2 weken.
    #[serde(rename = "ziek_langer_dan_2_weken")]
    ZiekLangerDan2Weken,
    /// 3e ziekmelding in 3 maanden.
    #[serde(rename = "ziek_3e_melding_in_3_maanden")]
    Ziek3eMeldingIn3Maanden,
    /// The sick reports give reason for concern without meeting the criteria above.
    ZorgZiekte,
    /// Verzuim that is (probably) related to underlying problems.
    OverigVerzuim,
}

/// Verwijzing naar GGD-JGZ: the referral as the parents are told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerwijzingGgdJgz {
    pub reason: ReferralReason,
    /// The day the school referred the pupil.
    pub referral_date: Date,
    /// The GGD-JGZ organisation ("GGD Twente, Jeugdgezondheidszorg").
    pub ggd_name: String,
    /// What the school already did, in whole sentences. No medical details.
    pub school_actions: String,
    /// Whom the parents can ask about the referral.
    pub contact: Contact,
    /// The card's principles that hold for this referral, shown as principles (never as
    /// something the school did): "Ouders dienen van alle acties op de hoogte te zijn".
    #[serde(default)]
    pub principles: Vec<String>,
}

/// A contact person.
/// GGD-JGZ's invitation to the parents of a referred pupil: the appointment it chose and with
/// whom (the jeugdarts or jeugdverpleegkundige). No health detail: the reason is the card's
/// category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UitnodigingGgdJgz {
    pub reason: ReferralReason,
    /// The school that referred.
    pub school: String,
    pub referral_date: Date,
    pub date: Date,
    pub start_time: Time,
    pub location: String,
    /// "mevrouw J. Smit, jeugdarts".
    pub with: String,
    /// The card's "(en leerling vanaf 12 jaar)" and GGD-JGZ's own practice: the pupil comes too.
    #[serde(default)]
    pub invite_pupil: bool,
}

/// What the leerplichtambtenaar summons the parents for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OproepPurpose {
    /// A conversation.
    Gesprek,
    /// A hearing for a proces-verbaal (Leerplichtwet 1969 art. 22).
    ProcesVerbaal,
}

/// The leerplichtambtenaar's oproep: date, time and place it chose, about the melding's verzuim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OproepLeerplicht {
    pub purpose: OproepPurpose,
    /// The kind of verzuim in words ("luxe verzuim").
    pub verzuim_kind: String,
    pub period_start: Date,
    pub period_end: Date,
    pub date: Date,
    pub start_time: Time,
    pub location: String,
    pub with: String,
    /// The card's "(en leerling vanaf 12 jaar)".
    #[serde(default)]
    pub invite_pupil: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub function: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Whether the persoonsgebonden nummer is a BSN or an onderwijsnummer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonNumberKind {
    Bsn,
    Onderwijsnummer,
}

/// Overzicht melding: the legal content of a melding (docs/spec/rules.md §7) and its status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverzichtMelding {
    /// The pupil's BSN or onderwijsnummer, in full: the letter shows only its last 3
    /// characters (the template never sees the rest).
    pub person_number: String,
    pub person_number_kind: PersonNumberKind,
    /// The kind of verzuim in words ("relatief verzuim").
    pub verzuim_kind: String,
    pub start_date: Date,
    pub end_date: Date,
    /// The absence time in minutes; the letter says hours and minutes.
    pub minutes: u32,
    pub suspected_reason: String,
    /// What the school already did.
    pub school_actions: String,
    /// The day the school made the melding.
    pub reported_on: Date,
    /// The home municipality (woongemeente) that received the melding ("Enschede").
    pub municipality: String,
    /// The melding's statuses, oldest first.
    #[serde(default)]
    pub status_history: Vec<StatusEntry>,
    /// The day the school submitted the melding to DUO's verzuimregister and DUO's
    /// meldingsnummer; `None` while it has not (the letter then does not say "via het
    /// verzuimregister van DUO", docs/duo-export.md).
    #[serde(default)]
    pub duo_submission: Option<DuoSubmitted>,
}

/// A melding's submission to DUO's verzuimregister.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuoSubmitted {
    pub on: Date,
    pub meldingsnummer: String,
}

/// One status of a melding, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub date: Date,
    /// The status in words ("geregistreerd", "in behandeling bij leerplicht").
    pub status: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `123456789` -> `******789`: all but the last three characters masked (spaces dropped).
pub fn mask_person_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).collect();
    let keep = chars.len().saturating_sub(3);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < keep { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_last_three() {
        assert_eq!(mask_person_number("123456782"), "******782");
        assert_eq!(mask_person_number("1234 5678 2"), "******782");
        assert_eq!(mask_person_number("12"), "12");
        assert_eq!(mask_person_number(""), "");
    }
}
