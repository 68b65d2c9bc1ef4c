//! The dossier's year calendar: minutes per day and code over a school year (1 August to 31
//! July), the totals per code, and the picture as server-rendered SVG (coloured by registration
//! code, weekends and closed days grey, with a legend; `role="img"` with a title and a
//! description, the totals table being its text alternative). Pure: no I/O.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::civil::Date;
use verzuim_engine::SchoolCalendar;
use verzuim_engine::calendar::day_number;
use verzuim_engine::model::{Code, Span};
use verzuim_service::model::StoredRegistration;

use crate::nl::{self, MONTHS};

/// The calendar colour of a code (each at least 4.5:1 against white).
pub fn code_colour(code: Code) -> &'static str {
    match code {
        Code::Ongeoorloofd => "#b3261e",
        Code::Luxe => "#7b1fa2",
        Code::Ziek => "#1f5fa8",
        Code::TeLaat => "#a65200",
        Code::Verlof => "#00796b",
        Code::Geoorloofd => "#2e7d32",
        Code::Schorsing => "#37474f",
    }
}

const WEEKEND: &str = "#e3e3e3";
const CLOSED: &str = "#c4c4c4";
const LESSON: &str = "#ffffff";
const OUTSIDE: &str = "#f4f4f4";
const STROKE: &str = "#767676";

const WEEKDAYS: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];

fn escape(s: &str) -> String {
    crate::error::escape_html(s)
}

/// What happened on one day: minutes per code (lateness: minutes late).
#[derive(Debug, Default, Clone)]
pub(super) struct DayCodes(pub BTreeMap<Code, u32>);

/// The school year `start` (1 August) to 31 July: per day the codes, and the totals.
pub(super) struct Year {
    pub start: Date,
    pub end: Date,
    pub days: BTreeMap<Date, DayCodes>,
    /// Per code: (minutes, lesson days, registrations).
    pub totals: BTreeMap<Code, (u32, u32, u32)>,
}

pub(super) fn year_of(
    school: Option<&verzuim_engine::model::School>,
    group: &str,
    start: Date,
    registrations: &[StoredRegistration],
) -> (Year, Option<SchoolCalendar>) {
    let end = Date::new(start.year() + 1, 7, 31).unwrap_or(start);
    let cal = school.map(|s| SchoolCalendar::new(s, start, end));
    let mut days: BTreeMap<Date, DayCodes> = BTreeMap::new();
    let mut totals: BTreeMap<Code, (u32, u32, u32)> = BTreeMap::new();
    for r in registrations.iter().filter(|r| !r.deleted) {
        let reg = &r.registration;
        let (first, last) = (reg.span.first_date(), reg.span.last_date());
        if last < start || first > end {
            continue;
        }
        let mut counted = false;
        let mut d = first.max(start);
        while d <= last.min(end) {
            let times: Vec<verzuim_engine::model::TimeRange> = cal
                .as_ref()
                .map(|c| c.group(group).lesson_times(day_number(d)).to_vec())
                .unwrap_or_default();
            let minutes = if reg.code == Code::TeLaat {
                (!times.is_empty()).then(|| reg.minutes_late.unwrap_or(0))
            } else {
                let m: u32 = match reg.span {
                    Span::Days { .. } => times.iter().map(|t| t.minutes()).sum(),
                    Span::Times { from, until, .. } => {
                        let cut =
                            verzuim_engine::model::TimeRange::new(from, until.unwrap_or(u16::MAX));
                        times.iter().map(|t| t.overlap(&cut)).sum()
                    }
                };
                (m > 0).then_some(m)
            };
            if let Some(m) = minutes {
                *days.entry(d).or_default().0.entry(reg.code).or_default() += m;
                let t = totals.entry(reg.code).or_default();
                t.0 += m;
                t.1 += 1;
                counted = true;
            }
            d = match d.tomorrow() {
                Ok(n) => n,
                Err(_) => break,
            };
        }
        if counted {
            totals.entry(reg.code).or_default().2 += 1;
        }
    }
    (
        Year {
            start,
            end,
            days,
            totals,
        },
        cal,
    )
}

/// The calendar as SVG: 12 month blocks (August to July) of day cells, lesson days coloured by
/// code, weekends and closed days grey, with a legend. `role="img"` with `<title>` and `<desc>`.
pub(super) fn calendar_svg(
    year: &Year,
    cal: Option<&SchoolCalendar>,
    group: &str,
    enrolled: (Date, Option<Date>),
    pupil_name: &str,
) -> String {
    const CELL: i32 = 14;
    const STEP: i32 = 16;
    const MONTH_W: i32 = 7 * STEP;
    const MONTH_H: i32 = 18 + 14 + 6 * STEP;
    const GAP_X: i32 = 18;
    const GAP_Y: i32 = 12;
    let legend_y = 3 * (MONTH_H + GAP_Y) + 4;
    let width = 4 * (MONTH_W + GAP_X) - GAP_X;
    let height = legend_y + 3 * 22 + 6;
    let title = format!(
        "Jaarkalender {}-{} van {}",
        year.start.year(),
        year.end.year(),
        pupil_name
    );
    let absent_days = year.days.len();
    let desc = format!(
        "Per lesdag een vakje, gekleurd naar de registratiecode; weekenden en vrije dagen grijs. \
         {absent_days} dag(en) met een registratie. De tabel Totalen per code hieronder geeft \
         dezelfde gegevens als tekst."
    );
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"year-cal\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-labelledby=\"kal-titel kal-desc\" focusable=\"false\" font-family=\"sans-serif\">\
         <title id=\"kal-titel\">{}</title><desc id=\"kal-desc\">{}</desc>",
        escape(&title),
        escape(&desc)
    );
    for i in 0..12i32 {
        let (y, m) = if i < 5 {
            (year.start.year(), (8 + i) as i8)
        } else {
            (year.start.year() + 1, (i - 4) as i8)
        };
        let ox = (i % 4) * (MONTH_W + GAP_X);
        let oy = (i / 4) * (MONTH_H + GAP_Y);
        let _ = write!(
            s,
            "<g class=\"month\"><text x=\"{ox}\" y=\"{}\" class=\"cal-month\" font-size=\"11\" font-weight=\"700\" fill=\"#1f2933\">{} {y}</text>",
            oy + 12,
            MONTHS[(m - 1) as usize]
        );
        for (wd, label) in WEEKDAYS.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" class=\"cal-wd\" text-anchor=\"middle\" font-size=\"8\" fill=\"#4a5560\">{label}</text>",
                ox + wd as i32 * STEP + CELL / 2,
                oy + 28
            );
        }
        let Ok(first) = Date::new(y, m, 1) else {
            continue;
        };
        let offset = i32::from(first.weekday().to_monday_zero_offset());
        for day in 1..=first.days_in_month() {
            let Ok(d) = Date::new(y, m, day) else {
                continue;
            };
            let idx = offset + i32::from(day) - 1;
            let (col, row) = (idx % 7, idx / 7);
            let x = ox + col * STEP;
            let yy = oy + 32 + row * STEP;
            let weekend = col >= 5;
            let enrolled_on = d >= enrolled.0 && enrolled.1.is_none_or(|u| d <= u);
            let lesson = cal
                .map(|c| c.group(group).lesson_minutes(day_number(d)) > 0)
                .unwrap_or(!weekend);
            let closed = cal.is_some_and(|c| c.is_closed(d));
            let label = nl::date_long_nl(d);
            match year.days.get(&d) {
                Some(codes) => {
                    let names: Vec<&str> = codes.0.keys().map(|c| c.as_str()).collect();
                    let what: Vec<String> = codes
                        .0
                        .iter()
                        .map(|(c, m)| {
                            if *c == Code::TeLaat {
                                format!("{} ({m} min.)", c.label())
                            } else {
                                format!("{} {}", c.label(), nl::hours_nl(*m))
                            }
                        })
                        .collect();
                    let _ = write!(
                        s,
                        "<g data-date=\"{d}\" data-code=\"{}\"><title>{}: {}</title>",
                        names.join(" "),
                        escape(&label),
                        escape(&what.join(", "))
                    );
                    let n = codes.0.len() as i32;
                    for (k, code) in codes.0.keys().enumerate() {
                        let k = k as i32;
                        let x0 = x + k * CELL / n;
                        let x1 = x + (k + 1) * CELL / n;
                        let _ = write!(
                            s,
                            "<rect x=\"{x0}\" y=\"{yy}\" width=\"{}\" height=\"{CELL}\" fill=\"{}\"/>",
                            x1 - x0,
                            code_colour(*code)
                        );
                    }
                    s.push_str("</g>");
                }
                None => {
                    let (fill, what) = if closed {
                        (CLOSED, "vrij (vakantie of studiedag)")
                    } else if weekend {
                        (WEEKEND, "weekend")
                    } else if !enrolled_on {
                        (OUTSIDE, "niet ingeschreven")
                    } else if lesson {
                        (LESSON, "lesdag, geen registratie")
                    } else {
                        (WEEKEND, "geen lesdag")
                    };
                    let stroke = if fill == LESSON {
                        format!(" stroke=\"{STROKE}\" stroke-width=\"1\"")
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        s,
                        "<rect data-date=\"{d}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                         rx=\"2\" fill=\"{fill}\"{stroke}><title>{}: {what}</title></rect>",
                        if stroke.is_empty() { x } else { x + 1 },
                        if stroke.is_empty() { yy } else { yy + 1 },
                        if stroke.is_empty() { CELL } else { CELL - 2 },
                        if stroke.is_empty() { CELL } else { CELL - 2 },
                        escape(&label)
                    );
                }
            }
        }
        s.push_str("</g>");
    }
    // The legend: the codes, then the day kinds.
    let mut items: Vec<(String, &str, bool)> = Code::ALL
        .iter()
        .map(|c| (c.label().to_owned(), code_colour(*c), false))
        .collect();
    items.push(("lesdag".into(), LESSON, true));
    items.push(("weekend".into(), WEEKEND, false));
    items.push(("vrij".into(), CLOSED, false));
    s.push_str("<g class=\"legend\">");
    for (i, (label, fill, stroke)) in items.iter().enumerate() {
        let (col, row) = (i as i32 % 4, i as i32 / 4);
        let x = col * (width / 4);
        let y = legend_y + row * 22;
        let st = if *stroke {
            format!(" stroke=\"{STROKE}\"")
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"2\" fill=\"{fill}\"{st}/>\
             <text x=\"{}\" y=\"{}\" class=\"cal-legend\" font-size=\"10\" fill=\"#1f2933\">{}</text>",
            x + CELL + 5,
            y + 11,
            escape(label)
        );
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    use verzuim_engine::model::Registration;

    use super::*;

    fn registration(id: i64, code: Code, from: Date, until: Date) -> StoredRegistration {
        StoredRegistration {
            id,
            version: 1,
            registration: Registration {
                code,
                span: Span::Days { from, until },
                minutes_late: None,
            },
            note: None,
            deleted: false,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            created_by: "system".into(),
        }
    }

    #[test]
    fn without_a_school_calendar_nothing_counts_but_the_picture_has_every_day() {
        let start = Date::new(2026, 8, 1).unwrap();
        let d = Date::new(2026, 9, 14).unwrap();
        let regs = [registration(1, Code::Ziek, d, d)];
        let (year, cal) = year_of(None, "5", start, &regs);
        assert!(cal.is_none());
        assert_eq!(year.end, Date::new(2027, 7, 31).unwrap());
        // No lesson times without a school: no minutes, no days with a registration.
        assert!(year.days.is_empty());
        assert!(year.totals.is_empty());
        let svg = calendar_svg(&year, None, "5", (start, None), "Lotte <de Vries>");
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</g></svg>"));
        assert!(svg.contains("Jaarkalender 2026-2027 van Lotte &lt;de Vries&gt;"));
        assert!(svg.contains("augustus 2026"));
        assert!(svg.contains("juli 2027"));
        assert!(svg.contains("<title>maandag 14 september 2026: lesdag, geen registratie</title>"));
        assert!(svg.contains("<title>zaterdag 1 augustus 2026: weekend</title>"));
        // 365 days, each once.
        assert_eq!(svg.matches("data-date=").count(), 365);
    }

    #[test]
    fn a_day_with_registrations_shows_each_code() {
        let start = Date::new(2026, 8, 1).unwrap();
        let d = Date::new(2026, 9, 14).unwrap();
        let mut year = Year {
            start,
            end: Date::new(2027, 7, 31).unwrap(),
            days: BTreeMap::new(),
            totals: BTreeMap::new(),
        };
        let mut codes = DayCodes::default();
        codes.0.insert(Code::Ziek, 120);
        codes.0.insert(Code::TeLaat, 10);
        year.days.insert(d, codes);
        let svg = calendar_svg(&year, None, "5", (start, None), "Lotte");
        assert!(svg.contains(
            "<g data-date=\"2026-09-14\" data-code=\"ziek te_laat\"><title>maandag 14 september \
             2026: ziek 2 uur, te laat (10 min.)</title>"
        ));
        assert!(svg.contains("1 dag(en) met een registratie"));
    }
}
