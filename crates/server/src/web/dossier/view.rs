//! The dossier page as a pure function of the service's read model
//! ([`verzuim_service::dossier_view::Dossier`]) and who looks at it ([`Viewer`]): the template
//! structs of `dossier.html`, the pupil's facts, the year with its totals, and per case the
//! block of [`super::case`]. No I/O: unit tests render a constructed read model.

use askama::Template;
use jiff::civil::Date;
use verzuim_engine::calendar::school_year_start;
use verzuim_engine::model::Code;
use verzuim_service::dossier_view::Dossier;
use verzuim_service::model::{InformedHow, OrgKind, Role};

use super::calendar::{calendar_svg, code_colour, year_of};
use super::form::{Failure, TaskValues};
use super::labels::{how_label, masked_number};
use crate::nl::{self, date_nl};
use crate::web::session::PageMeta;
use crate::web::url_part;

/// Who looks at the dossier: what the view needs of the logged-in user.
pub(super) struct Viewer<'a> {
    pub org_kind: OrgKind,
    pub org_id: &'a str,
    pub role: Role,
    /// The default place of an appointment letter: the organisation's name and address.
    pub place: String,
    pub today: Date,
}

impl Viewer<'_> {
    /// The school's own coordinator: the one who acts on the school's cases.
    pub(super) fn school_coordinator(&self) -> bool {
        self.org_kind == OrgKind::School && self.role == Role::Verzuimcoordinator
    }
}

pub(super) struct PupilView {
    pub name: String,
    pub group: String,
    pub birth: String,
    pub number: String,
    pub municipality: String,
    pub enrolled: String,
    pub parents: Option<String>,
}

pub(super) struct TotalRow {
    pub label: &'static str,
    pub colour: &'static str,
    pub unauthorised: bool,
    pub time: String,
    pub days: u32,
    pub registrations: u32,
}

pub(super) struct EvidenceRow {
    pub date: String,
    pub what: String,
    pub minutes: String,
}

pub(super) struct PartyActions {
    pub party: &'static str,
    pub items: Vec<String>,
}

pub(super) struct SignalBlock {
    pub id: i64,
    pub kind: &'static str,
    pub date: String,
    pub active: bool,
    pub withdrawn: Option<String>,
    pub summary: String,
    pub evidence: Vec<EvidenceRow>,
    pub actions: Vec<PartyActions>,
    /// Beside a luxe verzuim signal: the pupil's refused leave requests of the same period
    /// (issue 12: the coordinator sees the refusal beside the signal).
    pub refused_leave: Vec<(String, String)>,
}

pub(super) struct MeldingPreview {
    pub kind: &'static str,
    pub period: String,
    pub hours: String,
    pub number: String,
    pub municipality: String,
    /// What keeps the melding from being made (no BSN or onderwijsnummer, an unknown
    /// woongemeente), shown with a link to the pupil's data page.
    pub missing: Option<String>,
}

pub(super) struct TaskForm {
    pub id: i64,
    pub text: String,
    /// What goes with the task: leerplicht's or GGD-JGZ's afspraken for the school's feedback
    /// task, what changed after a melding.
    pub detail: Option<String>,
    /// The label of `detail`.
    pub detail_label: &'static str,
    pub party: &'static str,
    pub due: String,
    pub overdue: bool,
    pub can_act: bool,
    pub needs_parents: bool,
    pub is_melding: bool,
    pub is_referral: bool,
    pub is_judge: bool,
    /// `inspectie` or `swv`: the task records a report (issue 11).
    pub report: &'static str,
    pub preview: Option<MeldingPreview>,
    pub values: TaskValues,
    pub error: Option<String>,
    /// The pupil's data page, where what blocks a melding is filled in (issue 10.5: a melding is
    /// never blocked without a link to where it can be fixed).
    pub fix_href: Option<String>,
}

pub(super) struct TimelineRow {
    pub at: String,
    pub what: String,
    pub detail: String,
    pub who: String,
}

pub(super) struct MeldingRow {
    pub id: i64,
    pub kind: &'static str,
    pub period: String,
    pub hours: String,
    pub status: &'static str,
    pub running: bool,
    pub municipality: String,
    pub error: Option<String>,
    pub reason: String,
}

pub(super) struct ReferralRow {
    pub id: i64,
    pub ggd: String,
    pub status: &'static str,
    pub date: String,
}

/// A letter the role may make for the case (a POST form: making one writes to the dossier).
pub(super) struct LetterLink {
    pub kind: &'static str,
    pub melding: Option<i64>,
    pub verwijzing: Option<i64>,
    pub label: String,
    /// The letter invites for an appointment: the form asks date, time and place.
    pub appointment: bool,
    /// The default place (the organisation's address).
    pub place: String,
    /// Leerplicht's oproep: for a talk or a proces-verbaal.
    pub purpose: bool,
}

/// A letter the organisation made for the case (a GET link: reading changes nothing).
pub(super) struct MadeLetter {
    pub href: String,
    pub label: String,
    pub date: String,
}

pub(super) struct CaseBlock {
    pub id: i64,
    pub opened: String,
    pub closed: Option<String>,
    pub kinds: String,
    pub signals: Vec<SignalBlock>,
    pub tasks: Vec<TaskForm>,
    pub timeline: Vec<TimelineRow>,
    pub meldingen: Vec<MeldingRow>,
    pub referrals: Vec<ReferralRow>,
    pub letters: Vec<LetterLink>,
    pub made_letters: Vec<MadeLetter>,
    /// The school's reports to the inspectie and consultations with the samenwerkingsverband.
    pub reports: Vec<String>,
    pub parents_form: bool,
    pub parents_values: TaskValues,
    pub parents_error: Option<String>,
    /// The coordinator may close this open case (`dossier_sluiten`) or reopen this closed one
    /// (`dossier_heropenen`), with a reason.
    pub can_close: bool,
    pub can_reopen: bool,
    /// A refused close or reopen: the message and the reason entered.
    pub case_error: Option<String>,
    pub case_reason: String,
}

#[derive(Template)]
#[template(path = "dossier.html")]
pub(super) struct DossierPage {
    pub meta: PageMeta,
    pub action: String,
    pub pupil: PupilView,
    pub year_label: String,
    pub prev_year: String,
    pub next_year: String,
    pub svg: String,
    pub totals: Vec<TotalRow>,
    pub total_unauthorised: String,
    pub total_authorised: String,
    pub visibility_note: Option<String>,
    pub cases: Vec<CaseBlock>,
    /// The pupil's data page, for the school's coordinator.
    pub edit_href: Option<String>,
    /// The pupil's events page (record and correct events), for the school's coordinator.
    pub events_href: Option<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub how_options: Vec<(&'static str, &'static str)>,
    pub today: String,
    /// Signals an import held for review, with the decision (issue 10.9): the school's.
    pub import_history: Vec<crate::web::import_review::Row>,
}

/// The pupil's name as the page shows it (the id when the name is unknown).
pub(super) fn pupil_name(d: &Dossier) -> String {
    d.pupil
        .data
        .name
        .clone()
        .unwrap_or_else(|| d.pupil.data.pupil.id.clone())
}

/// The page: the pupil, the school year `jaar` (default: this one) and every case, with the
/// message of a refused form at its form and `notice` after a successful one.
pub(super) fn page(
    d: &Dossier,
    v: &Viewer<'_>,
    meta: PageMeta,
    jaar: Option<&str>,
    failure: &Failure,
    notice: Option<String>,
) -> DossierPage {
    let today = v.today;
    let school_id = d.pupil.school_id.as_str();
    let pupil_id = d.pupil.data.pupil.id.as_str();
    let p = &d.pupil.data.pupil;
    let name = pupil_name(d);
    let age = verzuim_engine::evaluation::age_on(p.birth_date, today);
    let is_school = v.org_kind == OrgKind::School;
    let coordinator = is_school && v.role == Role::Verzuimcoordinator;
    let pupil_view = PupilView {
        name: name.clone(),
        group: p.group.clone(),
        birth: format!("{} ({age} jaar)", date_nl(p.birth_date)),
        number: masked_number(&d.pupil),
        municipality: d
            .municipality
            .as_ref()
            .map_or_else(|| p.municipality.clone(), |o| o.name.clone()),
        enrolled: match p.enrolled_until {
            Some(u) => format!("{} t/m {}", date_nl(p.enrolled_from), date_nl(u)),
            None => format!("sinds {}", date_nl(p.enrolled_from)),
        },
        parents: if is_school {
            let parts: Vec<String> = [
                d.pupil.data.parent_name.as_deref(),
                d.pupil.data.parent_phone.as_deref(),
                d.pupil.data.parent_email.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        } else {
            None
        },
    };

    // The year.
    let this_year = school_year_start(today).year();
    let year = jaar
        .and_then(|j| j.trim().parse::<i16>().ok())
        .filter(|y| (1990..=2200).contains(y))
        .unwrap_or(this_year);
    let start = Date::new(year, 8, 1).unwrap_or_else(|_| school_year_start(today));
    let (yr, cal) = year_of(
        d.settings.as_ref().map(|s| &s.school),
        &p.group,
        start,
        &d.registrations,
    );
    let svg = calendar_svg(
        &yr,
        cal.as_ref(),
        &p.group,
        (p.enrolled_from, p.enrolled_until),
        &name,
    );
    let unauthorised = |c: Code| {
        d.unauthorised_codes
            .as_ref()
            .map_or(matches!(c, Code::Ongeoorloofd | Code::Luxe), |k| {
                k.contains(&c)
            })
    };
    let (mut un, mut au) = (0u32, 0u32);
    let totals: Vec<TotalRow> = yr
        .totals
        .iter()
        .map(|(code, (minutes, days, regs))| {
            if *code != Code::TeLaat {
                if unauthorised(*code) {
                    un += minutes;
                } else {
                    au += minutes;
                }
            }
            TotalRow {
                label: code.label(),
                colour: code_colour(*code),
                unauthorised: unauthorised(*code),
                time: if *code == Code::TeLaat {
                    format!("{minutes} minuten te laat")
                } else {
                    nl::hours_nl(*minutes)
                },
                days: *days,
                registrations: *regs,
            }
        })
        .collect();
    let visibility_note = match v.org_kind {
        OrgKind::School => None,
        OrgKind::Gemeente => Some(
            "U ziet alleen de registraties binnen de perioden van de meldingen aan uw gemeente."
                .to_owned(),
        ),
        OrgKind::GgdJgz => Some(
            "De GGD-JGZ ziet geen registraties; de kalender toont alleen het rooster.".to_owned(),
        ),
    };

    let cases = d
        .cases
        .iter()
        .map(|c| super::case::case_block(d, c, v, failure))
        .collect();
    let error = match failure {
        Failure::Page(m) => Some(m.clone()),
        Failure::None => None,
        _ => Some("Er is niets opgeslagen: zie de melding bij het formulier hieronder.".to_owned()),
    };
    let base = format!("/leerlingen/{}/{}", url_part(school_id), url_part(pupil_id));
    DossierPage {
        meta,
        action: if year != this_year {
            format!("{base}?jaar={year}")
        } else {
            base.clone()
        },
        pupil: pupil_view,
        edit_href: coordinator.then(|| crate::web::gegevens::href(school_id, pupil_id)),
        events_href: coordinator.then(|| crate::web::gebeurtenissen::href(school_id, pupil_id)),
        year_label: format!("{}-{}", year, year + 1),
        prev_year: format!("{base}?jaar={}", year - 1),
        next_year: format!("{base}?jaar={}", year + 1),
        svg,
        totals,
        total_unauthorised: nl::hours_nl(un),
        total_authorised: nl::hours_nl(au),
        visibility_note,
        cases,
        notice,
        error,
        how_options: InformedHow::ALL
            .iter()
            .map(|h| (h.as_str(), how_label(*h)))
            .collect(),
        today: today.to_string(),
        import_history: Vec::new(),
    }
}

/// An actor (`user:12`, `token:3`, `system`) for people: the user's name.
pub(super) fn actor_name(d: &Dossier, actor: &str) -> String {
    match actor.split_once(':') {
        Some(("user", id)) => match id.parse::<i64>() {
            Ok(id) => d
                .users
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "onbekende gebruiker".to_owned()),
            Err(_) => actor.to_owned(),
        },
        Some(("token", _)) => "administratiepakket".to_owned(),
        _ if actor == "system" => "verzuim (automatisch)".to_owned(),
        _ => actor.to_owned(),
    }
}

/// An organisation's name (the id when unknown).
pub(super) fn org_name(d: &Dossier, id: &str) -> String {
    d.organisations
        .get(id)
        .cloned()
        .unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use jiff::Timestamp;
    use verzuim_engine::model::{Pupil, SignalKind};
    use verzuim_service::dossier_view::DossierCase;
    use verzuim_service::model::{Case, Melding, MeldingStatus, PupilData, StoredPupil};
    use verzuim_service::visibility::CaseView;

    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// A pupil of school 99XX00 without a BSN, and what the caller sees of it.
    fn dossier(cases: Vec<DossierCase>) -> Dossier {
        let mut data = PupilData::new(Pupil {
            id: "1001".into(),
            birth_date: date("2015-03-02"),
            group: "5".into(),
            municipality: "GM0153".into(),
            enrolled_from: date("2021-08-16"),
            enrolled_until: None,
            next_school: None,
        });
        data.name = Some("Lotte de Vries".into());
        data.parent_phone = Some("06-12345678".into());
        Dossier {
            pupil: StoredPupil {
                school_id: "99XX00".into(),
                data,
                created_at: Timestamp::UNIX_EPOCH,
                updated_at: Timestamp::UNIX_EPOCH,
            },
            municipality: None,
            settings: None,
            unauthorised_codes: None,
            registrations: Vec::new(),
            events: Vec::new(),
            parent_information: Vec::new(),
            leave_requests: Vec::new(),
            cases,
            users: HashMap::from([(12, "Jan Jansen".to_owned())]),
            organisations: HashMap::from([("GM0153".to_owned(), "Enschede".to_owned())]),
        }
    }

    fn viewer(org_kind: OrgKind, role: Role) -> Viewer<'static> {
        Viewer {
            org_kind,
            org_id: if org_kind == OrgKind::School {
                "99XX00"
            } else {
                "GM0153"
            },
            role,
            place: "De Esch, Schoolstraat 1, Enschede".into(),
            today: date("2026-09-14"),
        }
    }

    fn render(d: &Dossier, v: &Viewer<'_>, jaar: Option<&str>) -> String {
        page(d, v, PageMeta::bare("Dossier"), jaar, &Failure::None, None)
            .render()
            .unwrap()
    }

    #[test]
    fn a_pupil_without_cases() {
        let d = dossier(Vec::new());
        let v = viewer(OrgKind::School, Role::Verzuimcoordinator);
        let p = page(
            &d,
            &v,
            PageMeta::bare("Dossier"),
            None,
            &Failure::None,
            None,
        );
        assert_eq!(p.pupil.birth, "02-03-2015 (11 jaar)");
        assert_eq!(p.pupil.number, "geen BSN of onderwijsnummer bekend");
        assert_eq!(p.pupil.municipality, "GM0153");
        assert_eq!(p.pupil.enrolled, "sinds 16-08-2021");
        assert_eq!(p.pupil.parents.as_deref(), Some("06-12345678"));
        assert_eq!(p.year_label, "2026-2027");
        assert_eq!(p.action, "/leerlingen/99XX00/1001");
        assert_eq!(p.prev_year, "/leerlingen/99XX00/1001?jaar=2025");
        assert_eq!(p.total_unauthorised, "0 uur");
        assert!(p.visibility_note.is_none());
        assert!(p.edit_href.is_some() && p.events_href.is_some());
        let html = render(&d, &v, None);
        assert!(html.contains("Lotte de Vries"));
        assert!(html.contains("Er is (nog) geen dossier voor deze leerling"));
        assert!(html.contains("Geen registraties in dit schooljaar."));
    }

    #[test]
    fn leerplicht_sees_no_parents_and_a_note_and_another_year() {
        let d = dossier(Vec::new());
        let v = viewer(OrgKind::Gemeente, Role::Leerplichtambtenaar);
        let p = page(
            &d,
            &v,
            PageMeta::bare("Dossier"),
            Some("2025"),
            &Failure::Page("Onbekende actie.".into()),
            None,
        );
        assert!(p.pupil.parents.is_none());
        assert!(p.edit_href.is_none() && p.events_href.is_none());
        assert_eq!(p.action, "/leerlingen/99XX00/1001?jaar=2025");
        assert_eq!(p.year_label, "2025-2026");
        assert_eq!(p.error.as_deref(), Some("Onbekende actie."));
        assert!(
            p.visibility_note
                .unwrap()
                .starts_with("U ziet alleen de registraties")
        );
    }

    #[test]
    fn a_case_with_a_melding() {
        let case = Case {
            id: 7,
            school_id: "99XX00".into(),
            pupil_id: "1001".into(),
            kinds: vec![SignalKind::RelatiefVerzuim, SignalKind::RelatiefVerzuim],
            opened_on: date("2026-09-01"),
            opened_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
            closed_reason: None,
        };
        let melding = Melding {
            id: 3,
            case_id: 7,
            school_id: "99XX00".into(),
            pupil_id: "1001".into(),
            municipality: "GM0153".into(),
            verzuim_kind: SignalKind::RelatiefVerzuim,
            period: verzuim_engine::model::Period {
                from: date("2026-09-01"),
                to: date("2026-09-11"),
            },
            minutes: 1245,
            suspected_reason: String::new(),
            school_actions: String::new(),
            status: MeldingStatus::Geregistreerd,
            status_reason: None,
            created_at: Timestamp::UNIX_EPOCH,
            created_by: "user:12".into(),
            updated_at: Timestamp::UNIX_EPOCH,
            changes_after: 0,
        };
        let d = dossier(vec![DossierCase {
            view: CaseView {
                case,
                signals: Vec::new(),
                tasks: Vec::new(),
                timeline: Vec::new(),
                meldingen: vec![melding],
                referrals: Vec::new(),
            },
            letters: Vec::new(),
            reports: Vec::new(),
            previews: HashMap::new(),
            closed_by: HashMap::new(),
        }]);
        let v = viewer(OrgKind::School, Role::Verzuimcoordinator);
        let p = page(
            &d,
            &v,
            PageMeta::bare("Dossier"),
            None,
            &Failure::None,
            None,
        );
        let c = &p.cases[0];
        assert_eq!(c.kinds, "Relatief verzuim");
        assert_eq!(c.opened, "01-09-2026");
        assert!(c.can_close && !c.can_reopen && c.parents_form);
        let m = &c.meldingen[0];
        assert_eq!(m.period, "01-09-2026 t/m 11-09-2026");
        assert_eq!(m.hours, "20 uur en 45 minuten");
        assert_eq!(m.municipality, "Enschede");
        assert!(m.running);
        assert_eq!(actor_name(&d, "user:12"), "Jan Jansen");
        assert_eq!(actor_name(&d, "user:13"), "onbekende gebruiker");
        assert_eq!(actor_name(&d, "token:3"), "administratiepakket");
        assert_eq!(actor_name(&d, "system"), "verzuim (automatisch)");
        let html = render(&d, &v, None);
        assert!(html.contains("Dossier 7: Relatief verzuim"));
    }
}
