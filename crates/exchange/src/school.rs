//! `school.toml` (formats.md): the school, its weekly lesson times (per group where a group has
//! its own) and its closed periods.
//!
//! Every problem is reported with its line and column. Unknown keys are refused (a typing error in
//! `[lesson_times]` would silently remove a school day), except extra top-level keys with a plain
//! value (text, number, boolean, date), which are information for people and are ignored.

use std::ops::Range;

use jiff::civil::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use verzuim_engine::model::{ClosedKind, ClosedPeriod, GroupTimes, School, TimeRange};

use crate::error::{InputError, line_column};
use crate::values::{FIRST_YEAR, LAST_YEAR, date_nl, parse_date, parse_time_range};

/// Weekday keys, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

const REGIONS: [&str; 3] = ["noord", "midden", "zuid"];
const CLOSED_KEYS: [&str; 4] = ["name", "kind", "from", "until"];

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<InputError>,
}

impl Ctx<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text.as_bytes(), span.start);
        self.errors
            .push(InputError::at(self.file, line, Some(column), message));
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "tekst",
        DeValue::Integer(_) => "een getal",
        DeValue::Float(_) => "een getal",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "een datum of tijd",
        DeValue::Array(_) => "een lijst",
        DeValue::Table(_) => "een tabel",
    }
}

/// Parses `school.toml`. `bytes` may start with a BOM.
pub fn parse_school(file: &str, bytes: &[u8]) -> Result<School, Vec<InputError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let (line, column) = line_column(bytes, e.valid_up_to());
            return Err(vec![InputError::at(
                file,
                line,
                Some(column),
                "het bestand bevat tekens die geen UTF-8 zijn; sla het op als UTF-8",
            )]);
        }
    };
    let (doc, parse_errors) = DeTable::parse_recoverable(text);
    if !parse_errors.is_empty() {
        let mut errors: Vec<InputError> = parse_errors
            .iter()
            .map(|e| {
                let (line, column) = line_column(bytes, e.span().map_or(0, |s| s.start));
                InputError::at(
                    file,
                    line,
                    Some(column),
                    format!("geen geldige TOML: {}", e.message().trim()),
                )
            })
            .collect();
        errors.sort_by_key(|e| (e.line, e.column));
        errors.dedup_by_key(|e| e.line);
        return Err(errors);
    }
    let mut ctx = Ctx {
        file,
        text,
        errors: Vec::new(),
    };
    let school = read_school(&mut ctx, doc.get_ref());
    let mut errors = ctx.errors;
    if errors.is_empty() {
        Ok(school)
    } else {
        errors.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

fn read_school(ctx: &mut Ctx<'_>, doc: &DeTable<'_>) -> School {
    let mut school = School::default();
    let mut seen_lesson_times = false;
    for (key, value) in doc.iter() {
        let name: &str = key.get_ref();
        match name {
            "id" => {
                if let Some(s) = text_value(ctx, "id", value) {
                    school.id = s;
                }
            }
            "name" => {
                if let Some(s) = text_value(ctx, "name", value) {
                    school.name = s;
                }
            }
            "holiday_region" => {
                if let Some(s) = text_value(ctx, "holiday_region", value) {
                    if REGIONS.contains(&s.as_str()) {
                        school.holiday_region = Some(s);
                    } else {
                        ctx.error(
                            value.span(),
                            format!(
                                "onbekende holiday_region \"{s}\"; geldig zijn: {}",
                                REGIONS.join(", ")
                            ),
                        );
                    }
                }
            }
            "lesson_times" => {
                seen_lesson_times = true;
                match value.get_ref() {
                    DeValue::Table(table) => read_lesson_times(ctx, table, &mut school),
                    other => ctx.error(
                        value.span(),
                        format!(
                            "\"lesson_times\" moet een tabel zijn ([lesson_times]), niet {}",
                            type_name(other)
                        ),
                    ),
                }
            }
            "closed" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(period) = read_closed(ctx, item) {
                            school.closed.push(period);
                        }
                    }
                }
                other => ctx.error(
                    value.span(),
                    format!(
                        "\"closed\" moet een lijst van tabellen zijn ([[closed]]), niet {}",
                        type_name(other)
                    ),
                ),
            },
            _ => match value.get_ref() {
                // Extra information for people (address, phone, ...): ignored.
                DeValue::String(_)
                | DeValue::Integer(_)
                | DeValue::Float(_)
                | DeValue::Boolean(_)
                | DeValue::Datetime(_) => {}
                _ => ctx.error(
                    key.span(),
                    format!(
                        "onbekende sleutel \"{name}\"; geldig zijn: id, name, holiday_region, [lesson_times], [[closed]]"
                    ),
                ),
            },
        }
    }
    for required in ["id", "name"] {
        if doc.get(required).is_none() {
            ctx.error(0..0, format!("verplichte sleutel \"{required}\" ontbreekt"));
        }
    }
    if !seen_lesson_times {
        ctx.error(
            0..0,
            "de tabel [lesson_times] ontbreekt: zonder lestijden is er geen enkele lesdag",
        );
    }
    school
}

/// A non-empty text value.
fn text_value(ctx: &mut Ctx<'_>, key: &str, value: &Spanned<DeValue<'_>>) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) if s.trim().is_empty() => {
            ctx.error(value.span(), format!("\"{key}\" is leeg"));
            None
        }
        DeValue::String(s) => Some(s.trim().to_string()),
        other => {
            ctx.error(
                value.span(),
                format!(
                    "\"{key}\" moet tekst zijn (tussen aanhalingstekens), niet {}",
                    type_name(other)
                ),
            );
            None
        }
    }
}

fn read_lesson_times(ctx: &mut Ctx<'_>, table: &DeTable<'_>, school: &mut School) {
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        if let Some(day) = WEEKDAYS.iter().position(|d| *d == name) {
            if let Some(times) = read_day(ctx, name, value) {
                school.lesson_times.0[day] = times;
            }
        } else if name == "groups" {
            match value.get_ref() {
                DeValue::Table(groups) => {
                    for (group, times) in groups.iter() {
                        let group_name: &str = group.get_ref();
                        if let Some(own) = read_group(ctx, group_name, times) {
                            school.groups.insert(group_name.to_string(), own);
                        }
                    }
                }
                other => ctx.error(
                    value.span(),
                    format!(
                        "\"lesson_times.groups\" moet een tabel zijn, niet {}",
                        type_name(other)
                    ),
                ),
            }
        } else {
            ctx.error(
                key.span(),
                format!(
                    "onbekende sleutel \"{name}\" in [lesson_times]; geldig zijn: {}, groups",
                    WEEKDAYS.join(", ")
                ),
            );
        }
    }
}

fn read_group(ctx: &mut Ctx<'_>, group: &str, value: &Spanned<DeValue<'_>>) -> Option<GroupTimes> {
    let DeValue::Table(table) = value.get_ref() else {
        ctx.error(
            value.span(),
            format!(
                "groep \"{group}\" in [lesson_times.groups] moet een tabel zijn ([lesson_times.groups.\"{group}\"]), niet {}",
                type_name(value.get_ref())
            ),
        );
        return None;
    };
    let mut own = GroupTimes::default();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        if let Some(day) = WEEKDAYS.iter().position(|d| *d == name) {
            if let Some(times) = read_day(ctx, name, value) {
                own.0[day] = Some(times);
            }
        } else {
            ctx.error(
                key.span(),
                format!(
                    "onbekende sleutel \"{name}\" bij groep \"{group}\"; geldig zijn: {}",
                    WEEKDAYS.join(", ")
                ),
            );
        }
    }
    Some(own)
}

/// A weekday's list of lesson time ranges, sorted; reports bad and overlapping ranges.
fn read_day(ctx: &mut Ctx<'_>, day: &str, value: &Spanned<DeValue<'_>>) -> Option<Vec<TimeRange>> {
    let DeValue::Array(items) = value.get_ref() else {
        ctx.error(
            value.span(),
            format!(
                "\"{day}\" moet een lijst van lestijden zijn, bijvoorbeeld [\"08:30-12:00\", \"12:45-15:00\"], niet {}",
                type_name(value.get_ref())
            ),
        );
        return None;
    };
    let mut ok = true;
    let mut ranges: Vec<(TimeRange, Range<usize>, String)> = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => match parse_time_range(s.trim()) {
                Ok(range) => ranges.push((range, item.span(), s.to_string())),
                Err(message) => {
                    ctx.error(item.span(), format!("{day}: {message}"));
                    ok = false;
                }
            },
            other => {
                ctx.error(
                    item.span(),
                    format!(
                        "{day}: een lestijd moet tekst zijn zoals \"08:30-12:00\", niet {}",
                        type_name(other)
                    ),
                );
                ok = false;
            }
        }
    }
    // Overlaps: compare each range with every earlier one (a day has only a few ranges).
    for (i, (range, span, text)) in ranges.iter().enumerate() {
        if let Some((_, _, other)) = ranges[..i]
            .iter()
            .find(|(r, _, _)| r.start < range.end && range.start < r.end)
        {
            ctx.error(
                span.clone(),
                format!("{day}: lestijd \"{text}\" overlapt met \"{other}\""),
            );
            ok = false;
        }
    }
    let mut times: Vec<TimeRange> = ranges.into_iter().map(|(r, _, _)| r).collect();
    times.sort();
    ok.then_some(times)
}

fn read_closed(ctx: &mut Ctx<'_>, item: &Spanned<DeValue<'_>>) -> Option<ClosedPeriod> {
    let DeValue::Table(table) = item.get_ref() else {
        ctx.error(
            item.span(),
            format!(
                "elk element van \"closed\" moet een tabel zijn ([[closed]]), niet {}",
                type_name(item.get_ref())
            ),
        );
        return None;
    };
    let mut ok = true;
    for (key, _) in table.iter() {
        let name: &str = key.get_ref();
        if !CLOSED_KEYS.contains(&name) {
            ctx.error(
                key.span(),
                format!(
                    "onbekende sleutel \"{name}\" in [[closed]]; geldig zijn: {}",
                    CLOSED_KEYS.join(", ")
                ),
            );
            ok = false;
        }
    }
    for key in CLOSED_KEYS {
        if table.get(key).is_none() {
            ctx.error(
                item.span(),
                format!("[[closed]]: verplichte sleutel \"{key}\" ontbreekt"),
            );
            ok = false;
        }
    }
    let name = table.get("name").and_then(|v| text_value(ctx, "name", v));
    let kind = table.get("kind").and_then(|v| {
        let s = text_value(ctx, "kind", v)?;
        let kind = ClosedKind::parse(&s);
        if kind.is_none() {
            ctx.error(
                v.span(),
                format!("onbekende kind \"{s}\"; geldig zijn: vakantie, vrije_dag, studiedag"),
            );
        }
        kind
    });
    let from = table.get("from").and_then(|v| date_value(ctx, "from", v));
    let until = table.get("until").and_then(|v| date_value(ctx, "until", v));
    if let (Some(f), Some(u), Some(v)) = (from, until, table.get("until"))
        && u < f
    {
        ctx.error(
            v.span(),
            format!(
                "[[closed]]: until ({}) ligt vóór from ({})",
                date_nl(u),
                date_nl(f)
            ),
        );
        ok = false;
    }
    match (ok, name, kind, from, until) {
        (true, Some(name), Some(kind), Some(from), Some(until)) => Some(ClosedPeriod {
            name,
            kind,
            from,
            until,
        }),
        _ => None,
    }
}

/// A date: a TOML local date (`2026-12-19`) or text in either date form.
fn date_value(ctx: &mut Ctx<'_>, key: &str, value: &Spanned<DeValue<'_>>) -> Option<Date> {
    let result = match value.get_ref() {
        DeValue::String(s) => parse_date(s.trim()),
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                let year = i16::try_from(d.year).unwrap_or(i16::MAX);
                if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
                    Err(format!(
                        "ongeldige datum \"{dt}\": het jaar moet tussen {FIRST_YEAR} en {LAST_YEAR} liggen"
                    ))
                } else {
                    Date::new(year, d.month as i8, d.day as i8)
                        .map_err(|_| format!("ongeldige datum \"{dt}\": die datum bestaat niet"))
                }
            }
            _ => Err(format!(
                "\"{dt}\" is geen datum zonder tijd; schrijf bijvoorbeeld 2026-12-19"
            )),
        },
        other => Err(format!(
            "moet een datum zijn zoals 2026-12-19, niet {}",
            type_name(other)
        )),
    };
    match result {
        Ok(date) => Some(date),
        Err(message) => {
            ctx.error(value.span(), format!("[[closed]] {key}: {message}"));
            None
        }
    }
}
