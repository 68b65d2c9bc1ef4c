//! The register's view: the page and row templates, a pupil's row of the day (codes, badges,
//! the lesson times and the correction window), the links between school days. Pure: no data
//! access, the handlers in `register.rs` read through the service.

use super::*;

/// The codes of the absence buttons, in their order on the page.
pub(crate) const ABSENCE_CODES: [Code; 6] = [
    Code::Ongeoorloofd,
    Code::Ziek,
    Code::Geoorloofd,
    Code::Verlof,
    Code::Luxe,
    Code::Schorsing,
];

/// The short word on a code's button.
pub(crate) fn code_word(code: Code) -> &'static str {
    match code {
        Code::Ongeoorloofd => "ongeoorloofd",
        Code::Luxe => "luxe",
        Code::Ziek => "ziek",
        Code::TeLaat => "te laat",
        Code::Verlof => "verlof",
        Code::Geoorloofd => "geoorloofd",
        Code::Schorsing => "schorsing",
    }
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    pub(crate) groep: Option<String>,
    pub(crate) datum: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
pub(crate) struct RegisterPage {
    pub(crate) meta: PageMeta,
    pub(crate) group: String,
    pub(crate) groups: Vec<GroupOption>,
    pub(crate) date_iso: String,
    pub(crate) date_long: String,
    pub(crate) lesson_times: String,
    pub(crate) closed: Option<String>,
    /// The day lies before the previous lesweek: who may still correct it, and how.
    pub(crate) window: Option<String>,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) today_link: Option<String>,
    pub(crate) rows: Vec<Row>,
}

pub(crate) struct GroupOption {
    pub(crate) name: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "register_row.html")]
pub(crate) struct RowFragment {
    pub(crate) row: Row,
}

/// One pupil's line on the register.
pub struct Row {
    /// The element id (`leerling-<hex of the pupil id>`).
    pub(crate) key: String,
    pub(crate) pupil_id: String,
    pub(crate) name: String,
    pub(crate) group: String,
    pub(crate) date_iso: String,
    pub(crate) status: String,
    pub(crate) status_class: String,
    pub(crate) registrations: Vec<RegView>,
    pub(crate) codes: Vec<CodeButton>,
    pub(crate) badges: Vec<String>,
    pub(crate) error: Option<String>,
    pub(crate) default_from: String,
    pub(crate) default_until: String,
    /// The day lies before the previous lesweek and the user is the verzuimcoördinator: a
    /// correction asks for a reason.
    pub(crate) needs_reason: bool,
}

pub(crate) struct RegView {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) class: String,
}

pub(crate) struct CodeButton {
    pub(crate) value: &'static str,
    pub(crate) word: &'static str,
    pub(crate) class: String,
    pub(crate) pressed: bool,
}

pub(crate) fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_date(s: &str) -> ApiResult<Date> {
    s.trim().parse::<Date>().map_err(|_| {
        ApiError::bad_request(
            "ongeldige_datum",
            "De datum is ongeldig: gebruik de vorm JJJJ-MM-DD.",
        )
    })
}

/// What the register knows of the school for a group and a day.
pub(crate) struct Day {
    pub(crate) settings: Option<SchoolSettings>,
    pub(crate) card: Option<std::sync::Arc<Card>>,
    pub(crate) times: Vec<TimeRange>,
    /// The first day of the previous lesweek when `date` lies before it: a leerkracht changes
    /// nothing there, a verzuimcoördinator corrects with a reason
    /// ([`records::teacher_window_start`]).
    pub(crate) window_start: Option<Date>,
}

impl Day {
    pub(crate) fn new(
        settings: Option<SchoolSettings>,
        group: &str,
        date: Date,
        today: Date,
    ) -> Day {
        let window_start = settings
            .as_ref()
            .map(|s| records::teacher_window_start(&s.school, group, today))
            .filter(|start| date < *start);
        let card = settings
            .as_ref()
            .and_then(|s| verzuim_service::cards::card(&s.card_id).ok());
        let times = settings
            .as_ref()
            .map(|s| lesson_times(s, group, date))
            .unwrap_or_default();
        Day {
            settings,
            card,
            times,
            window_start,
        }
    }
}

pub(crate) fn lesson_times(s: &SchoolSettings, group: &str, date: Date) -> Vec<TimeRange> {
    let i = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
    s.school.week_times_on(group, date).0[i % 7].clone()
}

pub(crate) fn closed_name(s: &SchoolSettings, date: Date) -> Option<String> {
    s.school
        .closed
        .iter()
        .find(|c| c.from <= date && date <= c.until)
        .map(|c| c.name.clone())
}

pub(crate) fn is_school_day(s: Option<&SchoolSettings>, group: &str, date: Date) -> bool {
    match s {
        Some(s) => !lesson_times(s, group, date).is_empty() && closed_name(s, date).is_none(),
        None => date.weekday().to_monday_zero_offset() < 5,
    }
}

/// The nearest school day before (`step` −1) or after (+1), within five weeks.
pub(crate) fn step_school_day(
    s: Option<&SchoolSettings>,
    group: &str,
    date: Date,
    step: i64,
) -> Option<Date> {
    let mut d = date;
    for _ in 0..35 {
        d = d.checked_add(jiff::Span::new().days(step)).ok()?;
        if is_school_day(s, group, d) {
            return Some(d);
        }
    }
    None
}

pub(crate) fn reg_label(r: &Registration) -> String {
    let word = code_word(r.code);
    match (r.code, r.span) {
        (Code::TeLaat, _) => match r.minutes_late {
            Some(m) => format!("te laat ({m} min.)"),
            None => "te laat".to_owned(),
        },
        (_, Span::Days { from, until }) if from == until => format!("{word} (hele dag)"),
        (_, Span::Days { from, until }) => {
            format!("{word} ({} t/m {})", date_nl(from), date_nl(until))
        }
        (_, Span::Times { from, until, .. }) => match until {
            Some(u) => format!("{word} {}–{}", hhmm(from), hhmm(u)),
            None => format!("{word} vanaf {}", hhmm(from)),
        },
    }
}

/// A signal's badge: "Signaal: Te laat komen (5x)" (the card's row title).
pub(crate) fn badge(card: Option<&Card>, s: &StoredSignal) -> String {
    let title = card.and_then(|c| c.rules.row(s.kind)).map_or_else(
        || crate::web::kind_label(s.kind).to_owned(),
        |r| r.title.clone(),
    );
    match (s.count, s.minutes) {
        (Some(n), _) => format!("Signaal: {title} ({n}x)"),
        (None, Some(m)) if m >= 60 => format!("Signaal: {title} ({} uur)", m / 60),
        _ => format!("Signaal: {title}"),
    }
}

/// A pupil's row from the day's registrations and the pupil's active signals.
#[allow(clippy::too_many_arguments)]
pub(crate) fn row_of(
    pupil: &StoredPupil,
    group: &str,
    date: Date,
    day: &Day,
    raised: &[i64],
    error: Option<String>,
    regs: Vec<StoredRegistration>,
    signals: &[&StoredSignal],
    coordinator: bool,
) -> Row {
    let id = &pupil.data.pupil.id;
    let badges: Vec<String> = signals
        .iter()
        .filter(|s| s.date == date || raised.contains(&s.id))
        .map(|s| badge(day.card.as_deref(), s))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let name = pupil.data.name.clone().unwrap_or_else(|| id.clone());
    let whole_day = regs.iter().find(|r| {
        r.registration.code != Code::TeLaat
            && matches!(r.registration.span, Span::Days { from, until } if from == until)
    });
    let (status, status_class) = match regs.first() {
        None => ("aanwezig".to_owned(), "code-aanwezig".to_owned()),
        Some(first) => (
            regs.iter()
                .map(|r| reg_label(&r.registration))
                .collect::<Vec<_>>()
                .join(", "),
            format!("code-{}", first.registration.code.as_str()),
        ),
    };
    let first_time = day.times.first().map_or(8 * 60 + 30, |t| t.start);
    let last_time = day.times.last().map_or(15 * 60, |t| t.end);
    Row {
        key: format!("leerling-{}", hex(id)),
        pupil_id: id.clone(),
        name,
        group: group.to_owned(),
        date_iso: date.to_string(),
        status,
        status_class,
        registrations: regs
            .iter()
            .map(|r| RegView {
                id: r.id,
                label: reg_label(&r.registration),
                class: format!("code-{}", r.registration.code.as_str()),
            })
            .collect(),
        codes: ABSENCE_CODES
            .iter()
            .map(|c| CodeButton {
                value: c.as_str(),
                word: code_word(*c),
                class: format!("code-{}", c.as_str()),
                pressed: whole_day.is_some_and(|r| r.registration.code == *c),
            })
            .collect(),
        badges,
        error,
        default_from: hhmm(first_time),
        default_until: hhmm(last_time),
        needs_reason: coordinator && day.window_start.is_some(),
    }
}

pub(crate) fn enrolled_on(p: &StoredPupil, date: Date) -> bool {
    let p = &p.data.pupil;
    p.enrolled_from <= date && p.enrolled_until.is_none_or(|u| date <= u)
}

pub(crate) fn link(group: &str, date: Date) -> String {
    format!(
        "/registreren?groep={}&datum={date}",
        group
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            })
            .collect::<String>()
    )
}
