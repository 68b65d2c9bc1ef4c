//! Reading and validating a card file (`cards/*.toml`, schema in `docs/cards.md`).
//!
//! The text is parsed with toml's spanned document API and walked by hand, so that every problem
//! is reported with its line and column, and all problems at once: a coordinator who edits a card
//! sees every mistake in one run of `verzuim card check`. Messages are in Dutch.
//!
//! When the text is not valid TOML, only the syntax errors are reported (all of them): checking
//! the meaning of a half-read document would add confusing follow-up errors.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{
    Card, CardAction, Duration, LangdurigRule, LateStage, MogelijkLuxeRule, PupilPhrase,
    RelatiefRule, Row, Rules, TeLaatRule, Unit, ZiekCountRule, ZiekDurationRule,
};
use crate::model::{ClosedKind, Code, Party, SignalKind, Trigger};

/// One problem in a card file, with its place (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    pub line: usize,
    pub column: usize,
    /// What is wrong, in Dutch.
    pub message: String,
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "regel {}, kolom {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CardError {}

impl Card {
    /// Reads and validates a card file. On failure, returns every problem found, in the order
    /// of the file.
    pub fn from_toml(text: &str) -> Result<Card, Vec<CardError>> {
        let mut cx = Checker::new(text);
        let (doc, syntax) = DeTable::parse_recoverable(text);
        if !syntax.is_empty() {
            for error in syntax {
                let span = error.span().unwrap_or(0..0);
                cx.error(span, format!("TOML-syntaxfout: {}", error.message()));
            }
            return Err(cx.finish());
        }
        let span = doc.span();
        let card = cx.card(doc.get_ref(), span);
        let errors = cx.finish();
        match card {
            Some(card) if errors.is_empty() => Ok(card),
            _ => Err(errors),
        }
    }
}

/// Collapses every run of white space to one space and trims both ends.
pub(crate) fn normalize_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

type Value<'i> = Spanned<DeValue<'i>>;

/// A table being read, with where it is and how to name it in messages.
#[derive(Clone, Copy)]
struct Tbl<'a, 'i> {
    table: &'a DeTable<'i>,
    /// Where the table starts (its header, its inline braces, or 0 for the document).
    at: usize,
    /// How to name the table in a message, for example `[signals.relatief_verzuim]`.
    name: &'a str,
}

impl<'a, 'i> Tbl<'a, 'i> {
    fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table.get(key)
    }
}

struct Checker<'t> {
    text: &'t str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// (span start, error), sorted into file order at the end.
    errors: Vec<(usize, CardError)>,
}

const CARD_KEYS: &[&str] = &[
    "id",
    "version",
    "valid_from",
    "name",
    "motto",
    "absence",
    "leerplicht",
    "pupil_phrase",
    "signals",
];
const ABSENCE_KEYS: &[&str] = &["unauthorized_codes", "late_counts_as_absence"];
const LEERPLICHT_KEYS: &[&str] = &["start_age", "end_age"];
const PUPIL_PHRASE_KEYS: &[&str] = &["text", "from_age", "replacement"];
const ROW_KEYS: &[&str] = &["title", "description", "actions"];
const ACTION_KEYS: &[&str] = &[
    "party",
    "text",
    "melding",
    "within_working_days",
    "referral",
    "only_from_age",
    "trigger",
];
const DURATION_KEYS: &[&str] = &["count", "unit"];
const STAGE_KEYS: &[&str] = &["at", "name", "title", "description", "actions"];

/// The years a card's `valid_from` may name (a typo such as 20226 is an error).
const FIRST_YEAR: i16 = 1990;
const LAST_YEAR: i16 = 2100;

/// The highest age a card may name (ages are checked to catch typos such as 120).
const MAX_AGE: i128 = 25;

impl<'t> Checker<'t> {
    fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Checker {
            text,
            line_starts,
            errors: Vec::new(),
        }
    }

    /// Line and column (1-based; the column counts characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.position(span.start);
        self.errors.push((
            span.start,
            CardError {
                line,
                column,
                message: message.into(),
            },
        ));
    }

    fn finish(mut self) -> Vec<CardError> {
        self.errors.sort_by_key(|(start, _)| *start);
        let mut out: Vec<CardError> = Vec::with_capacity(self.errors.len());
        for (_, error) in self.errors {
            if !out.contains(&error) {
                out.push(error);
            }
        }
        out
    }

    // ---- generic readers -------------------------------------------------------------------

    /// Reports every key of `t` that is not in `allowed`, with a suggestion for a near miss.
    fn unknown_keys(&mut self, t: Tbl<'_, '_>, allowed: &[&str]) {
        for key in t.table.keys() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let hint = suggestion(name, allowed.iter().copied());
                self.error(
                    key.span(),
                    format!(
                        "onbekende sleutel `{name}` in {}{hint}; toegestaan: {}",
                        t.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn missing(&mut self, t: Tbl<'_, '_>, key: &str) {
        self.error(
            t.at..t.at,
            format!("ontbrekende sleutel `{key}` in {}", t.name),
        );
    }

    fn wrong_type(&mut self, value: &Value<'_>, key: &str, expected: &str) {
        self.error(
            value.span(),
            format!(
                "`{key}` moet {expected} zijn, maar is {}",
                type_name(value.get_ref())
            ),
        );
    }

    /// A string, white space normalised; `None` (with an error) when missing or not a string.
    /// An empty text is an error unless `allow_empty`.
    fn string(
        &mut self,
        t: Tbl<'_, '_>,
        key: &str,
        required: bool,
        allow_empty: bool,
    ) -> Option<String> {
        let Some(value) = t.get(key) else {
            if required {
                self.missing(t, key);
            }
            return None;
        };
        let Some(s) = value.get_ref().as_str() else {
            self.wrong_type(value, key, "een tekst");
            return None;
        };
        let s = normalize_whitespace(s);
        if s.is_empty() && !allow_empty {
            self.error(value.span(), format!("`{key}` mag niet leeg zijn"));
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, t: Tbl<'_, '_>, key: &str, default: bool) -> Option<bool> {
        let Some(value) = t.get(key) else {
            return Some(default);
        };
        match value.get_ref().as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(value, key, "true of false");
                None
            }
        }
    }

    /// An integer in `min..=max`; `Ok(None)` when absent and not required.
    fn integer(
        &mut self,
        t: Tbl<'_, '_>,
        key: &str,
        required: bool,
        min: i128,
        max: i128,
    ) -> Result<Option<i128>, ()> {
        let Some(value) = t.get(key) else {
            if required {
                self.missing(t, key);
                return Err(());
            }
            return Ok(None);
        };
        let Some(int) = value.get_ref().as_integer() else {
            self.wrong_type(value, key, "een geheel getal");
            return Err(());
        };
        let digits = int.as_str().replace('_', "");
        let Ok(n) = i128::from_str_radix(&digits, int.radix()) else {
            self.error(value.span(), format!("`{key}` is te groot"));
            return Err(());
        };
        if n < min {
            let msg = if min == 1 {
                format!("`{key}` moet groter dan 0 zijn, maar is {n}")
            } else {
                format!("`{key}` moet minstens {min} zijn, maar is {n}")
            };
            self.error(value.span(), msg);
            return Err(());
        }
        if n > max {
            self.error(
                value.span(),
                format!("`{key}` mag hoogstens {max} zijn, maar is {n}"),
            );
            return Err(());
        }
        Ok(Some(n))
    }

    fn count(&mut self, t: Tbl<'_, '_>, key: &str, required: bool) -> Result<Option<u32>, ()> {
        self.integer(t, key, required, 1, i128::from(u32::MAX))
            .map(|n| n.map(|n| n as u32))
    }

    fn age(&mut self, t: Tbl<'_, '_>, key: &str, required: bool) -> Result<Option<u8>, ()> {
        self.integer(t, key, required, 0, MAX_AGE)
            .map(|n| n.map(|n| n as u8))
    }

    /// A required TOML local date (`2026-08-01`) in the years [`FIRST_YEAR`]–[`LAST_YEAR`].
    fn date(&mut self, t: Tbl<'_, '_>, key: &str) -> Option<jiff::civil::Date> {
        let Some(value) = t.get(key) else {
            self.missing(t, key);
            return None;
        };
        let DeValue::Datetime(dt) = value.get_ref() else {
            self.wrong_type(
                value,
                key,
                "een datum zoals 2026-08-01 (zonder aanhalingstekens)",
            );
            return None;
        };
        let date = match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => d,
            _ => {
                let message = format!("`{key}` moet een datum zonder tijd zijn, zoals 2026-08-01");
                self.error(value.span(), message);
                return None;
            }
        };
        let year = i16::try_from(date.year).unwrap_or(i16::MAX);
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            let message =
                format!("`{key}`: het jaar moet tussen {FIRST_YEAR} en {LAST_YEAR} liggen");
            self.error(value.span(), message);
            return None;
        }
        match jiff::civil::Date::new(year, date.month as i8, date.day as i8) {
            Ok(date) => Some(date),
            Err(_) => {
                self.error(value.span(), format!("`{key}`: de datum {dt} bestaat niet"));
                None
            }
        }
    }

    /// A sub-table (a `[header]` table or an inline table).
    fn table<'a, 'i>(
        &mut self,
        t: Tbl<'a, 'i>,
        key: &str,
        required: bool,
    ) -> Option<(&'a DeTable<'i>, usize)> {
        let Some(value) = t.get(key) else {
            if required {
                self.missing(t, key);
            }
            return None;
        };
        match value.get_ref() {
            DeValue::Table(table) => Some((table, start_of(value))),
            _ => {
                self.wrong_type(value, key, "een tabel");
                None
            }
        }
    }

    /// A list of names parsed with `parse`, each checked, duplicates reported.
    fn name_list<T: Copy + PartialEq>(
        &mut self,
        t: Tbl<'_, '_>,
        key: &str,
        what: &str,
        all: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Some(value) = t.get(key) else {
            self.missing(t, key);
            return None;
        };
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(value, key, "een lijst");
            return None;
        };
        if items.is_empty() {
            self.error(
                value.span(),
                format!("`{key}` mag niet leeg zijn; mogelijk: {}", all.join(", ")),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            let Some(s) = item.get_ref().as_str() else {
                self.error(
                    item.span(),
                    format!(
                        "elk element van `{key}` moet een tekst zijn, maar dit is {}",
                        type_name(item.get_ref())
                    ),
                );
                ok = false;
                continue;
            };
            match parse(s) {
                Some(v) if out.contains(&v) => {
                    self.error(item.span(), format!("{what} `{s}` staat dubbel in `{key}`"));
                    ok = false;
                }
                Some(v) => out.push(v),
                None => {
                    let hint = suggestion(s, all.iter().copied());
                    self.error(
                        item.span(),
                        format!("onbekende {what} `{s}`{hint}; mogelijk: {}", all.join(", ")),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// One name parsed with `parse`.
    fn name<T>(
        &mut self,
        t: Tbl<'_, '_>,
        key: &str,
        required: bool,
        what: &str,
        all: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ()> {
        let Some(value) = t.get(key) else {
            if required {
                self.missing(t, key);
                return Err(());
            }
            return Ok(None);
        };
        let Some(s) = value.get_ref().as_str() else {
            self.wrong_type(value, key, "een tekst");
            return Err(());
        };
        match parse(s) {
            Some(v) => Ok(Some(v)),
            None => {
                let hint = suggestion(s, all.iter().copied());
                self.error(
                    value.span(),
                    format!("onbekende {what} `{s}`{hint}; mogelijk: {}", all.join(", ")),
                );
                Err(())
            }
        }
    }

    /// A duration `{ count = N, unit = "..." }` whose unit must be one of `allowed`.
    fn duration(&mut self, t: Tbl<'_, '_>, key: &str, allowed: &[Unit]) -> Option<Duration> {
        let (table, at) = self.table(t, key, true)?;
        let name = format!("`{key}` van {}", t.name);
        let d = Tbl {
            table,
            at,
            name: &name,
        };
        self.unknown_keys(d, DURATION_KEYS);
        let count = self.count(d, "count", true);
        let all_units: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
        let unit = self.name(d, "unit", true, "eenheid", &all_units, Unit::parse);
        let allowed_names: Vec<&str> = allowed.iter().map(|u| u.as_str()).collect();
        let unit = match unit {
            Ok(Some(unit)) if !allowed.contains(&unit) => {
                let value = d.get("unit").expect("unit was read");
                self.error(
                    value.span(),
                    format!(
                        "eenheid `{}` is niet toegestaan voor `{key}`; toegestaan: {}",
                        unit.as_str(),
                        allowed_names.join(", ")
                    ),
                );
                None
            }
            Ok(unit) => unit,
            Err(()) => None,
        };
        match (count, unit) {
            (Ok(Some(count)), Some(unit)) => Some(Duration { count, unit }),
            _ => None,
        }
    }

    // ---- the card ----------------------------------------------------------------------------

    fn card(&mut self, doc: &DeTable<'_>, span: Range<usize>) -> Option<Card> {
        let root = Tbl {
            table: doc,
            at: span.start,
            name: "de kaart",
        };
        self.unknown_keys(root, CARD_KEYS);

        let id = self.string(root, "id", true, false);
        if let (Some(id), Some(value)) = (&id, root.get("id")) {
            let valid = id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-')
                && !id.ends_with('-');
            if !valid {
                self.error(
                    value.span(),
                    format!(
                        "`id` `{id}` mag alleen kleine letters, cijfers en '-' bevatten \
                         (bijvoorbeeld `twente-po`)"
                    ),
                );
            }
        }
        let version = self.count(root, "version", true);
        let valid_from = self.date(root, "valid_from");
        let name = self.string(root, "name", true, false);
        let motto = self.string(root, "motto", false, false);

        // [absence]
        let mut unauthorized_codes = None;
        let mut late_counts_as_absence = None;
        if let Some((table, at)) = self.table(root, "absence", true) {
            let t = Tbl {
                table,
                at,
                name: "[absence]",
            };
            self.unknown_keys(t, ABSENCE_KEYS);
            // `te_laat` is parsed (to explain below why it does not belong here) but not offered.
            let codes: Vec<&str> = Code::ALL
                .iter()
                .filter(|c| !c.is_lateness())
                .map(|c| c.as_str())
                .collect();
            unauthorized_codes =
                self.name_list(t, "unauthorized_codes", "code", &codes, Code::parse);
            let has_late = unauthorized_codes
                .as_ref()
                .is_some_and(|list| list.contains(&Code::TeLaat));
            if let (true, Some(value)) = (has_late, t.get("unauthorized_codes")) {
                self.error(
                    value.span(),
                    "`te_laat` is geen afwezigheidscode; gebruik `late_counts_as_absence = true` \
                     om te laat komen als ongeoorloofde afwezigheid te tellen",
                );
                unauthorized_codes = None;
            }
            late_counts_as_absence = self.boolean(t, "late_counts_as_absence", false);
        }

        // [leerplicht]
        let mut start_age = Some(5u8);
        let mut end_age = Some(16u8);
        if let Some((table, at)) = self.table(root, "leerplicht", false) {
            let t = Tbl {
                table,
                at,
                name: "[leerplicht]",
            };
            self.unknown_keys(t, LEERPLICHT_KEYS);
            start_age = self.age(t, "start_age", false).ok().map(|a| a.unwrap_or(5));
            end_age = self.age(t, "end_age", false).ok().map(|a| a.unwrap_or(16));
            let inverted = match (start_age, end_age) {
                (Some(start), Some(end)) if start >= end => Some((start, end)),
                _ => None,
            };
            if let Some((start, end)) = inverted {
                let at = t
                    .get("end_age")
                    .or(t.get("start_age"))
                    .map_or(at..at, |v| v.span());
                self.error(
                    at,
                    format!("`end_age` ({end}) moet groter zijn dan `start_age` ({start})"),
                );
                end_age = None;
            }
        }

        // [pupil_phrase]
        let mut pupil_phrase = Some(None);
        if let Some((table, at)) = self.table(root, "pupil_phrase", false) {
            let t = Tbl {
                table,
                at,
                name: "[pupil_phrase]",
            };
            self.unknown_keys(t, PUPIL_PHRASE_KEYS);
            let text = self.string(t, "text", true, false);
            let from_age = self.age(t, "from_age", true);
            let replacement = self.string(t, "replacement", true, true);
            pupil_phrase = match (text, from_age, replacement) {
                (Some(text), Ok(Some(from_age)), Some(replacement)) => Some(Some(PupilPhrase {
                    text,
                    from_age,
                    replacement,
                })),
                _ => None,
            };
        } else if root.get("pupil_phrase").is_some() {
            pupil_phrase = None;
        }

        // [signals]
        let rules = match self.table(root, "signals", true) {
            Some((table, at)) => self.signals(table, at),
            None => None,
        };

        Some(Card {
            id: id?,
            version: version.ok()??,
            valid_from: valid_from?,
            name: name?,
            motto,
            unauthorized_codes: unauthorized_codes?,
            late_counts_as_absence: late_counts_as_absence?,
            leerplicht_start_age: start_age?,
            leerplicht_end_age: end_age?,
            pupil_phrase: pupil_phrase?,
            rules: rules?,
        })
    }

    fn signals(&mut self, table: &DeTable<'_>, at: usize) -> Option<Rules> {
        let mut rules = Rules::default();
        let mut ok = true;
        let kinds: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            let Some(kind) = SignalKind::parse(name) else {
                let hint = suggestion(name, kinds.iter().copied());
                self.error(
                    key.span(),
                    format!(
                        "onbekende signaalsoort `{name}` in [signals]{hint}; mogelijk: {}",
                        kinds.join(", ")
                    ),
                );
                ok = false;
                continue;
            };
            let DeValue::Table(sub) = value.get_ref() else {
                self.error(
                    value.span(),
                    format!(
                        "`signals.{name}` moet een tabel zijn ([signals.{name}]), maar is {}",
                        type_name(value.get_ref())
                    ),
                );
                ok = false;
                continue;
            };
            let title = format!("[signals.{name}]");
            let t = Tbl {
                table: sub,
                at: start_of(value),
                name: &title,
            };
            ok &= self.signal(kind, t, &mut rules);
        }
        if table.is_empty() {
            self.error(
                at..at,
                format!(
                    "[signals] bevat geen enkele signaalsoort; mogelijk: {}",
                    kinds.join(", ")
                ),
            );
            ok = false;
        }
        ok.then_some(rules)
    }

    /// Reads one signal table into `rules`; false when it had errors.
    fn signal(&mut self, kind: SignalKind, t: Tbl<'_, '_>, rules: &mut Rules) -> bool {
        let before = self.errors.len();
        let mut keys: Vec<&str> = ROW_KEYS.to_vec();
        match kind {
            SignalKind::RelatiefVerzuim => {
                keys.extend(["threshold_minutes", "window", "restart_after_signal"])
            }
            SignalKind::LangdurigRelatiefVerzuim => keys.push("span"),
            SignalKind::MogelijkLuxeVerzuim => keys.extend(["around", "codes"]),
            SignalKind::TeLaat => {
                keys.retain(|k| *k != "actions");
                keys.extend(["repeat_every", "stages"]);
            }
            SignalKind::ZiekLangerDan2Weken => keys.push("after"),
            SignalKind::Ziek3eMeldingIn3Maanden => {
                keys.extend(["reports", "within", "restart_after_signal"])
            }
            _ => {}
        }
        self.unknown_keys(t, &keys);

        let with_actions = kind != SignalKind::TeLaat;
        let row = self.row(t, true, with_actions);
        match kind {
            SignalKind::AbsoluutVerzuim => rules.absoluut_verzuim = row,
            SignalKind::LuxeVerzuim => rules.luxe_verzuim = row,
            SignalKind::Ziekmelding => rules.ziekmelding = row,
            SignalKind::ZorgZiekte => rules.zorg_ziekte = row,
            SignalKind::OverigVerzuim => rules.overig_verzuim = row,
            SignalKind::Verwijdering => rules.verwijdering = row,
            SignalKind::RelatiefVerzuim => {
                let threshold = self.count(t, "threshold_minutes", true);
                let window = self.duration(t, "window", &[Unit::Lesweken]);
                let restart = self.boolean(t, "restart_after_signal", true);
                if let (Some(row), Ok(Some(threshold_minutes)), Some(window), Some(restart)) =
                    (row, threshold, window, restart)
                {
                    rules.relatief_verzuim = Some(RelatiefRule {
                        row,
                        threshold_minutes,
                        window_lesweken: window.count,
                        restart_after_signal: restart,
                    });
                }
            }
            SignalKind::LangdurigRelatiefVerzuim => {
                let span = self.duration(t, "span", &[Unit::LessonCalendarDays, Unit::LessonDays]);
                if let (Some(row), Some(span)) = (row, span) {
                    rules.langdurig_relatief_verzuim = Some(LangdurigRule { row, span });
                }
            }
            SignalKind::MogelijkLuxeVerzuim => {
                let kinds = ["vakantie", "vrije_dag", "studiedag"];
                let around = self.name_list(
                    t,
                    "around",
                    "soort gesloten periode",
                    &kinds,
                    ClosedKind::parse,
                );
                let absence_codes: Vec<&str> = Code::ALL
                    .iter()
                    .filter(|c| !c.is_lateness())
                    .map(|c| c.as_str())
                    .collect();
                let codes = self.name_list(t, "codes", "code", &absence_codes, |s| {
                    Code::parse(s).filter(|c| !c.is_lateness())
                });
                if let (Some(row), Some(around), Some(codes)) = (row, around, codes) {
                    rules.mogelijk_luxe_verzuim = Some(MogelijkLuxeRule { row, around, codes });
                }
            }
            SignalKind::TeLaat => {
                let repeat_every = self.count(t, "repeat_every", false);
                let stages = self.stages(t);
                if let (Some(row), Ok(repeat_every), Some(stages)) = (row, repeat_every, stages) {
                    rules.te_laat = Some(TeLaatRule {
                        row,
                        stages,
                        repeat_every,
                    });
                }
            }
            SignalKind::ZiekLangerDan2Weken => {
                let after =
                    self.duration(t, "after", &[Unit::LessonCalendarDays, Unit::LessonDays]);
                if let (Some(row), Some(after)) = (row, after) {
                    rules.ziek_langer_dan_2_weken = Some(ZiekDurationRule { row, after });
                }
            }
            SignalKind::Ziek3eMeldingIn3Maanden => {
                let reports = self.count(t, "reports", true);
                let within = self.duration(t, "within", &[Unit::CalendarMonths, Unit::Lesweken]);
                let restart = self.boolean(t, "restart_after_signal", true);
                if let (Some(row), Ok(Some(reports)), Some(within), Some(restart)) =
                    (row, reports, within, restart)
                {
                    rules.ziek_3e_melding_in_3_maanden = Some(ZiekCountRule {
                        row,
                        reports,
                        within,
                        restart_after_signal: restart,
                    });
                }
            }
        }
        self.errors.len() == before
    }

    /// Title, description and (when `with_actions`) the actions of a row.
    fn row(
        &mut self,
        t: Tbl<'_, '_>,
        description_required: bool,
        with_actions: bool,
    ) -> Option<Row> {
        let title = self.string(t, "title", true, false);
        let description = if description_required {
            self.string(t, "description", true, false)
        } else {
            match t.get("description") {
                Some(_) => self.string(t, "description", false, false),
                None => Some(String::new()),
            }
        };
        let actions = if with_actions {
            self.actions(t)
        } else {
            Some(Vec::new())
        };
        Some(Row {
            title: title?,
            description: description?,
            actions: actions?,
        })
    }

    fn actions(&mut self, t: Tbl<'_, '_>) -> Option<Vec<CardAction>> {
        let Some(value) = t.get("actions") else {
            self.missing(t, "actions");
            return None;
        };
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(value, "actions", "een lijst van acties ([[...actions]])");
            return None;
        };
        if items.is_empty() {
            self.error(
                value.span(),
                format!(
                    "{} heeft geen acties; een rij heeft minstens één actie",
                    t.name
                ),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let DeValue::Table(table) = item.get_ref() else {
                self.error(
                    item.span(),
                    format!(
                        "elke actie in `actions` moet een tabel zijn, maar deze is {}",
                        type_name(item.get_ref())
                    ),
                );
                ok = false;
                continue;
            };
            let name = format!("actie {} van {}", i + 1, t.name);
            let a = Tbl {
                table,
                at: start_of(item),
                name: &name,
            };
            match self.action(a) {
                Some(action) => out.push(action),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn action(&mut self, a: Tbl<'_, '_>) -> Option<CardAction> {
        let before = self.errors.len();
        self.unknown_keys(a, ACTION_KEYS);
        let parties: Vec<&str> = Party::ALL.iter().map(|p| p.as_str()).collect();
        let party = self.name(a, "party", true, "partij", &parties, Party::parse);
        let text = self.string(a, "text", true, false);
        let melding = self.boolean(a, "melding", false);
        let within = self.count(a, "within_working_days", false);
        let referral = self.boolean(a, "referral", false);
        let only_from_age = self.age(a, "only_from_age", false);
        let triggers: Vec<&str> = Trigger::ALL.iter().map(|t| t.as_str()).collect();
        let trigger = self.name(a, "trigger", false, "trigger", &triggers, Trigger::parse);

        if let (Some(false), Ok(Some(_))) = (melding, &within) {
            let value = a.get("within_working_days").expect("was read");
            self.error(
                value.span(),
                "`within_working_days` mag alleen bij een actie met `melding = true`",
            );
        }
        if let (Some(true), Some(true)) = (melding, referral) {
            let value = a.get("referral").expect("was read");
            self.error(
                value.span(),
                "een actie kan niet tegelijk een melding (`melding = true`) en een verwijzing \
                 (`referral = true`) zijn; maak er twee acties van",
            );
        }
        if self.errors.len() != before {
            return None;
        }
        Some(CardAction {
            party: party.ok()??,
            text: text?,
            melding: melding?,
            within_working_days: within.ok()?,
            referral: referral?,
            only_from_age: only_from_age.ok()?,
            trigger: trigger.ok()?,
        })
    }

    fn stages(&mut self, t: Tbl<'_, '_>) -> Option<Vec<LateStage>> {
        let Some(value) = t.get("stages") else {
            self.missing(t, "stages");
            return None;
        };
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(
                value,
                "stages",
                "een lijst van stappen ([[signals.te_laat.stages]])",
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                value.span(),
                "`stages` mag niet leeg zijn: minstens één stap",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        let mut last_at: Option<u32> = None;
        let mut names = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            let DeValue::Table(table) = item.get_ref() else {
                self.error(
                    item.span(),
                    format!(
                        "elke stap in `stages` moet een tabel zijn, maar deze is {}",
                        type_name(item.get_ref())
                    ),
                );
                ok = false;
                continue;
            };
            let label = format!("stap {} van [signals.te_laat]", i + 1);
            let s = Tbl {
                table,
                at: start_of(item),
                name: &label,
            };
            self.unknown_keys(s, STAGE_KEYS);
            let at = self.count(s, "at", true);
            let not_increasing = match (&at, last_at) {
                (Ok(Some(at)), Some(previous)) => (*at <= previous).then_some((*at, previous)),
                _ => None,
            };
            if let Some((at, previous)) = not_increasing {
                let v = s.get("at").expect("was read");
                self.error(
                    v.span(),
                    format!(
                        "de stappen moeten oplopen: `at = {at}` komt na een stap met `at = {previous}`"
                    ),
                );
                ok = false;
            }
            if let Ok(Some(at)) = at {
                last_at = Some(at);
            }
            let name = self.string(s, "name", true, false);
            let duplicate = name.as_ref().filter(|n| names.contains(*n)).cloned();
            if let Some(name) = &name {
                names.insert(name.clone());
            }
            if let Some(name) = duplicate {
                let v = s.get("name").expect("was read");
                self.error(
                    v.span(),
                    format!("de naam van de stap `{name}` staat dubbel"),
                );
                ok = false;
            }
            let row = self.row(s, false, true);
            match (at, name, row) {
                (Ok(Some(at)), Some(name), Some(row)) => out.push(LateStage { at, name, row }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// Where a value starts (its header line for a `[table]`).
fn start_of(value: &Value<'_>) -> usize {
    value.span().start
}

/// The Dutch name of a TOML value's type, for messages.
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "een tekst",
        DeValue::Integer(_) => "een geheel getal",
        DeValue::Float(_) => "een kommagetal",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "een datum/tijd",
        DeValue::Array(_) => "een lijst",
        DeValue::Table(_) => "een tabel",
    }
}

/// " (bedoelt u `x`?)" when `word` is close to one of `candidates` (a typo), else "".
fn suggestion<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> String {
    let best = candidates
        .map(|c| (edit_distance(word, c), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d > 0 && d <= (c.chars().count() / 3).max(2) => {
            format!(" (bedoelt u `{c}`?)")
        }
        _ => String::new(),
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{TWENTE_PO, VOORBEELD_MAZL};

    fn parse(text: &str) -> Card {
        match Card::from_toml(text) {
            Ok(card) => card,
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!("card does not parse:\n{}", list.join("\n"));
            }
        }
    }

    fn errors_of(text: &str) -> Vec<CardError> {
        Card::from_toml(text).expect_err("card should not parse")
    }

    /// A minimal valid card, to break in tests.
    const SMALL: &str = r#"
id = "klein"
version = 3
valid_from = 2027-08-01
name = "Kleine kaart"

[absence]
unauthorized_codes = ["ongeoorloofd"]

[signals.relatief_verzuim]
title = "Relatief verzuim"
description = "16 uur in 4 weken"
threshold_minutes = 960
window = { count = 4, unit = "lesweken" }

[[signals.relatief_verzuim.actions]]
party = "school"
text = "Meldt bij de leerplichtambtenaar"
melding = true
within_working_days = 5
"#;

    #[test]
    fn builtin_cards_parse() {
        let twente = parse(TWENTE_PO);
        assert_eq!(twente.id, "twente-po");
        assert_eq!(
            twente.name,
            "Regionale verzuimkaart Twente, primair onderwijs"
        );
        assert_eq!(
            twente.motto.as_deref(),
            Some("Vroegtijdig signaleren voorkomt erger!")
        );
        assert_eq!(
            twente.unauthorized_codes,
            vec![Code::Ongeoorloofd, Code::Luxe]
        );
        assert!(!twente.late_counts_as_absence);
        assert_eq!(
            (twente.leerplicht_start_age, twente.leerplicht_end_age),
            (5, 16)
        );
        let phrase = twente.pupil_phrase.as_ref().expect("pupil phrase");
        assert_eq!(phrase.text, "(en leerling vanaf 12 jaar)");
        assert_eq!(phrase.from_age, 12);
        assert_eq!(phrase.replacement, "en leerling");

        assert_eq!(twente.version, 1);
        assert_eq!(twente.valid_from, jiff::civil::date(2026, 8, 1));

        let mazl = parse(VOORBEELD_MAZL);
        assert_eq!(mazl.id, "voorbeeld-mazl");
        let te_laat = mazl.rules.te_laat.as_ref().expect("te_laat");
        let ats: Vec<u32> = te_laat.stages.iter().map(|s| s.at).collect();
        assert_eq!(ats, vec![3, 6, 9, 12]);
        assert_eq!(te_laat.repeat_every, Some(3));
        for stage in &te_laat.stages {
            let melds = stage.row.actions.iter().any(|a| a.melding);
            assert_eq!(
                melds,
                stage.at == 12,
                "melding only at 12, stage {}",
                stage.name
            );
        }
        assert_eq!(te_laat.stage_at(15).map(|s| s.name.as_str()), Some("12x"));
        let count = mazl
            .rules
            .ziek_3e_melding_in_3_maanden
            .as_ref()
            .expect("count");
        assert_eq!(count.reports, 4);
        assert_eq!(
            count.within,
            Duration {
                count: 12,
                unit: Unit::Lesweken
            }
        );
        let long = mazl
            .rules
            .ziek_langer_dan_2_weken
            .as_ref()
            .expect("duration");
        assert_eq!(
            long.after,
            Duration {
                count: 6,
                unit: Unit::LessonDays
            }
        );

        for (id, text) in crate::card::BUILTIN {
            assert_eq!(parse(text).id, *id);
            assert!(crate::card::builtin(id).is_some());
        }
    }

    #[test]
    fn twente_has_every_kind() {
        let card = parse(TWENTE_PO);
        for kind in SignalKind::ALL {
            let row = card
                .rules
                .row(kind)
                .unwrap_or_else(|| panic!("twente-po lacks {kind}"));
            assert!(
                !row.title.is_empty() && !row.description.is_empty(),
                "{kind}"
            );
            if kind != SignalKind::TeLaat {
                assert!(!row.actions.is_empty(), "{kind} has no actions");
            }
        }
    }

    #[test]
    fn twente_parameters() {
        let card = parse(TWENTE_PO);
        let r = &card.rules;
        let relatief = r.relatief_verzuim.as_ref().expect("relatief");
        assert_eq!(relatief.threshold_minutes, 960);
        assert_eq!(relatief.window_lesweken, 4);
        assert!(relatief.restart_after_signal);
        let melding: Vec<&CardAction> = relatief.row.actions.iter().filter(|a| a.melding).collect();
        assert_eq!(melding.len(), 1);
        assert_eq!(melding[0].within_working_days, Some(5));
        assert_eq!(melding[0].party, Party::School);
        assert_eq!(
            melding[0].text,
            "Meldt bij de leerplichtambtenaar van de woongemeente leerling via DUO/verzuimregister"
        );
        assert_eq!(
            r.langdurig_relatief_verzuim.as_ref().expect("lrv").span,
            Duration {
                count: 28,
                unit: Unit::LessonCalendarDays
            }
        );
        let luxe = r.mogelijk_luxe_verzuim.as_ref().expect("mogelijk luxe");
        assert_eq!(luxe.around, vec![ClosedKind::Vakantie]);
        assert_eq!(luxe.codes, vec![Code::Ongeoorloofd]);
        assert!(luxe.row.actions.iter().all(|a| !a.melding));
        assert_eq!(
            r.ziek_langer_dan_2_weken.as_ref().expect("ziek lang").after,
            Duration {
                count: 14,
                unit: Unit::LessonCalendarDays
            }
        );
        let count = r.ziek_3e_melding_in_3_maanden.as_ref().expect("ziek count");
        assert_eq!(count.reports, 3);
        assert_eq!(
            count.within,
            Duration {
                count: 3,
                unit: Unit::CalendarMonths
            }
        );
        assert!(count.restart_after_signal);

        // Only relatief verzuim has a deadline; every melding is the school's.
        for kind in SignalKind::ALL {
            let row = r.row(kind).expect("row");
            let stages = r
                .te_laat
                .as_ref()
                .expect("te laat")
                .stages
                .iter()
                .map(|s| &s.row);
            let rows: Vec<&Row> = if kind == SignalKind::TeLaat {
                stages.collect()
            } else {
                vec![row]
            };
            for row in rows {
                for a in &row.actions {
                    if a.melding {
                        assert_eq!(a.party, Party::School, "{kind}: {}", a.text);
                    }
                    if kind != SignalKind::RelatiefVerzuim {
                        assert_eq!(a.within_working_days, None, "{kind}: {}", a.text);
                    }
                    assert!(!a.text.contains("  ") && !a.text.contains('\n'));
                }
            }
        }

        // The sickness follow-ups.
        let lang = &r.ziek_langer_dan_2_weken.as_ref().expect("ziek lang").row;
        let referral = lang.actions.iter().find(|a| a.referral).expect("referral");
        assert_eq!(referral.party, Party::School);
        let goede_reden = lang
            .actions
            .iter()
            .find(|a| a.trigger == Some(Trigger::NietVerschenenZonderGoedeReden))
            .expect("goede reden");
        assert!(goede_reden.melding);
        assert_eq!(goede_reden.party, Party::School);
        let tegenbericht = lang
            .actions
            .iter()
            .find(|a| a.trigger == Some(Trigger::NietVerschenenZonderTegenbericht))
            .expect("tegenbericht");
        assert_eq!(tegenbericht.party, Party::GgdJgz);
        assert!(!tegenbericht.melding);
        let leerplicht: Vec<&CardAction> = lang
            .actions
            .iter()
            .filter(|a| a.party == Party::Leerplicht)
            .collect();
        assert_eq!(leerplicht.len(), 1);
        assert!(
            leerplicht[0]
                .text
                .starts_with("Indien nodig oproepen voor een gesprek")
        );

        let verwijdering = r.verwijdering.as_ref().expect("verwijdering");
        let texts: Vec<&str> = verwijdering
            .actions
            .iter()
            .map(|a| a.text.as_str())
            .collect();
        assert_eq!(
            texts,
            vec![
                "Gaat in gesprek met ouders",
                "Meldt bij de Onderwijsinspectie",
                "Meldt bij de leerplichtambtenaar van de woongemeente leerling via DUO/verzuimregister",
                "Registreert verwijdering in het leerlingendossier",
            ]
        );
    }

    #[test]
    fn te_laat_stages() {
        let card = parse(TWENTE_PO);
        let rule = card.rules.te_laat.as_ref().expect("te_laat");
        let name = |n: u32| rule.stage_at(n).map(|s| s.name.as_str());
        assert_eq!(name(5), Some("5x"));
        assert_eq!(name(10), Some("10x"));
        assert_eq!(name(11), Some("meer_dan_10x"));
        assert_eq!(name(12), Some("herhaling"));
        assert_eq!(name(17), Some("herhaling"));
        assert_eq!(name(22), Some("herhaling"));
        assert_eq!(name(13), None);
        assert_eq!(name(4), None);
        assert_eq!(name(6), None);
        assert_eq!(rule.repeat_every, Some(5));

        let herhaling = rule.stage_at(12).expect("herhaling");
        let halt = herhaling
            .row
            .actions
            .iter()
            .find(|a| a.only_from_age == Some(12))
            .expect("halt");
        assert_eq!(halt.text, "Eventueel verwijzing HALT (vanaf 12 jaar)");
        assert_eq!(halt.party, Party::Leerplicht);
        assert!(herhaling.row.actions.iter().any(
            |a| a.text == "Geeft een verwijzing zorg, of maakt eventueel een proces-verbaal op"
        ));
        let five = rule.stage_at(5).expect("5x");
        assert_eq!(five.row.actions.len(), 1);
        assert_eq!(five.row.actions[0].party, Party::School);
        assert_eq!(five.row.actions[0].text, "Gaat in gesprek met ouders");
    }

    #[test]
    fn small_card_parses_with_defaults() {
        let card = parse(SMALL);
        assert!(!card.late_counts_as_absence);
        assert_eq!(
            (card.leerplicht_start_age, card.leerplicht_end_age),
            (5, 16)
        );
        assert_eq!(card.pupil_phrase, None);
        assert_eq!(card.motto, None);
        let relatief = card.rules.relatief_verzuim.as_ref().expect("relatief");
        assert!(relatief.restart_after_signal);
        let action = &relatief.row.actions[0];
        assert!(!action.referral);
        assert_eq!(action.only_from_age, None);
        assert_eq!(action.trigger, None);
        assert!(card.rules.te_laat.is_none());
    }

    #[test]
    fn three_problems_three_errors() {
        let broken = SMALL
            .replace("threshold_minutes = 960", "treshold_minutes = 960") // line 13
            .replace(r#"unit = "lesweken""#, r#"unit = "lesson_days""#) // line 14
            .replace(r#"party = "school""#, r#"party = "gemeente""#); // line 17
        let errors = errors_of(&broken);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        // The misspelled key is reported as unknown, and the real key as missing (the table's
        // header, line 10).
        assert_eq!(lines, vec![10, 13, 14, 17], "{errors:#?}");
        assert!(
            errors[0]
                .message
                .contains("ontbrekende sleutel `threshold_minutes`")
        );
        assert!(
            errors[1]
                .message
                .contains("onbekende sleutel `treshold_minutes`")
        );
        assert!(errors[1].message.contains("bedoelt u `threshold_minutes`?"));
        assert!(
            errors[2]
                .message
                .contains("eenheid `lesson_days` is niet toegestaan")
        );
        assert!(errors[3].message.contains("onbekende partij `gemeente`"));
        assert_eq!(errors[3].column, 9);
        assert_eq!(
            errors[3].to_string(),
            format!("regel 17, kolom 9: {}", errors[3].message)
        );
    }

    #[test]
    fn three_different_problems() {
        let broken = SMALL
            .replace(r#"name = "Kleine kaart""#, "name = 3") // line 5: wrong type
            .replace("count = 4", "count = 0") // line 14: zero count
            .replace("melding = true\n", ""); // line 19: deadline without melding
        let errors = errors_of(&broken);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![5, 14, 19], "{errors:#?}");
        assert!(errors[0].message.contains("`name` moet een tekst zijn"));
        assert!(errors[1].message.contains("`count` moet groter dan 0 zijn"));
        assert!(
            errors[2]
                .message
                .contains("`within_working_days` mag alleen")
        );
    }

    #[test]
    fn syntax_error_reports_its_line() {
        let broken = SMALL.replace("threshold_minutes = 960", "threshold_minutes = = 960");
        let errors = errors_of(&broken);
        assert!(!errors.is_empty());
        assert_eq!(errors[0].line, 13, "{errors:#?}");
        assert!(errors[0].message.starts_with("TOML-syntaxfout"));

        let unterminated = "id = \"x\nname = \"y\"\n";
        let errors = errors_of(unterminated);
        assert_eq!(errors[0].line, 1, "{errors:#?}");
    }

    #[test]
    fn more_problems() {
        let text = r#"
id = "Twente PO"
name = "  "
kleur = "blauw"

[absence]
unauthorized_codes = ["ongeoorloofd", "spijbelen", "ongeoorloofd"]

[pupil_phrase]
text = "(en leerling vanaf 12 jaar)"

[signals.relatif_verzuim]
title = "x"

[signals.te_laat]
title = "Te laat komen"
description = "Te laat"
repeat_every = 0

[[signals.te_laat.stages]]
at = 5
name = "5x"
title = "5 x"
[[signals.te_laat.stages.actions]]
party = "school"
text = "   "

[[signals.te_laat.stages]]
at = 5
name = "5x"
title = "nog eens"
[[signals.te_laat.stages.actions]]
party = "school"
text = "Gesprek"
trigger = "altijd"
referral = true
melding = true

[signals.ziek_3e_melding_in_3_maanden]
title = "t"
description = "d"
reports = 3
within = { count = 3, unit = "lesson_days" }
[[signals.ziek_3e_melding_in_3_maanden.actions]]
party = "ggd_jgz"
text = "x"

[signals.langdurig_relatief_verzuim]
title = "t"
description = "d"
span = { count = 28, unit = "weken" }
actions = []
"#;
        let errors = errors_of(text);
        let got: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        let expect = [
            (1, "ontbrekende sleutel `version`"),
            (1, "ontbrekende sleutel `valid_from`"),
            (2, "`id` `Twente PO` mag alleen"),
            (3, "`name` mag niet leeg zijn"),
            (4, "onbekende sleutel `kleur`"),
            (7, "onbekende code `spijbelen`"),
            (7, "code `ongeoorloofd` staat dubbel"),
            (9, "ontbrekende sleutel `from_age`"),
            (9, "ontbrekende sleutel `replacement`"),
            (12, "onbekende signaalsoort `relatif_verzuim`"),
            (18, "`repeat_every` moet groter dan 0 zijn"),
            (26, "`text` mag niet leeg zijn"),
            (29, "de stappen moeten oplopen"),
            (30, "de naam van de stap `5x` staat dubbel"),
            (35, "onbekende trigger `altijd`"),
            (36, "een actie kan niet tegelijk"),
            (43, "eenheid `lesson_days` is niet toegestaan voor `within`"),
            (51, "onbekende eenheid `weken`"),
            (52, "heeft geen acties"),
        ];
        for (line, start) in expect {
            assert!(
                got.iter().any(|(l, m)| *l == line && m.contains(start)),
                "missing error on line {line}: {start}\n{got:#?}"
            );
        }
        assert_eq!(got.len(), expect.len(), "{got:#?}");
        let mut sorted = got.clone();
        sorted.sort_by_key(|(l, _)| *l);
        assert_eq!(sorted, got, "errors come in file order");
    }

    #[test]
    fn missing_everything() {
        let errors = errors_of("");
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        for key in ["id", "name", "absence", "signals"] {
            assert!(
                messages
                    .iter()
                    .any(|m| m.contains(&format!("ontbrekende sleutel `{key}`"))),
                "{messages:#?}"
            );
        }
        assert!(errors.iter().all(|e| e.line == 1 && e.column == 1));
    }

    #[test]
    fn whitespace_is_normalised() {
        assert_eq!(normalize_whitespace("  a\n  b\t c  "), "a b c");
        let card = parse(TWENTE_PO);
        let relatief = card.rules.relatief_verzuim.expect("relatief");
        assert_eq!(
            relatief.row.actions[2].text,
            "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of verstuurt een \
             waarschuwingsbrief aan ouders (kopie aan melder)"
        );
    }

    /// docs/cards.md: every card names its `version` (a count from 1) and `valid_from` (a date
    /// without a time); both are required and checked.
    #[test]
    fn version_and_valid_from() {
        let card = parse(SMALL);
        assert_eq!(
            (card.version, card.valid_from),
            (3, jiff::civil::date(2027, 8, 1))
        );
        let cases: [(&str, &str, &str); 8] = [
            ("version = 3\n", "", "ontbrekende sleutel `version`"),
            (
                "valid_from = 2027-08-01\n",
                "",
                "ontbrekende sleutel `valid_from`",
            ),
            (
                "version = 3",
                "version = 0",
                "`version` moet groter dan 0 zijn",
            ),
            (
                "version = 3",
                "version = \"3\"",
                "`version` moet een geheel getal zijn",
            ),
            (
                "2027-08-01",
                "\"2027-08-01\"",
                "`valid_from` moet een datum zoals 2026-08-01",
            ),
            ("2027-08-01", "2027-08-01T08:00:00", "datum zonder tijd"),
            ("2027-08-01", "2027-02-30", "TOML"),
            (
                "2027-08-01",
                "9999-08-01",
                "het jaar moet tussen 1990 en 2100 liggen",
            ),
        ];
        for (from, to, wanted) in cases {
            let text = SMALL.replacen(from, to, 1);
            let errors = errors_of(&text);
            assert!(
                errors.iter().any(|e| e.message.contains(wanted)),
                "{from} -> {to}: {errors:?}"
            );
        }
        // The place of a wrong value: the line of `version` in SMALL is 3.
        let errors = errors_of(&SMALL.replacen("version = 3", "version = -1", 1));
        assert_eq!((errors[0].line, errors[0].column), (3, 11), "{errors:?}");
    }
}
