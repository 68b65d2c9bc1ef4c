//! The table of `verzuim evaluate --format table`: what a school's administrator reads, in Dutch.
//!
//! ```text
//! Regionale verzuimkaart Twente, primair onderwijs: peildatum 31-07-2027, 1 signaal
//!
//! Leerling         Datum       Signaal            Uren/aantal
//! ---------------  ----------  -----------------  -----------
//! 1001 Sanne Bos   08-10-2026  Relatief verzuim   16:15 uur
//!     School: Gaat in gesprek met ouders en stelt hen op de hoogte van de melding; Meldt bij de
//!         leerplichtambtenaar ... (uiterlijk 15-10-2026)
//!     Leerplicht: ...
//! ```

use std::io::{self, BufWriter, Write};

use jiff::civil::Date;
use verzuim_engine::Card;
use verzuim_engine::card::Unit;
use verzuim_engine::model::{Party, Signal, SignalAction, SignalKind};
use verzuim_engine::progress::{Progress, ProgressUnit};

use crate::input::Input;
use crate::output::{sorted_progress, sorted_signals};
use crate::values::date_nl;

/// Width to which action lines are wrapped.
const WIDTH: usize = 100;
/// Widest pupil and signal columns; longer text is shortened with "…".
const MAX_PUPIL: usize = 32;
const MAX_TITLE: usize = 50;

/// Writes the table; see the module documentation for its layout.
pub fn write_table<W: Write>(
    w: W,
    card: &Card,
    as_of: Date,
    input: &Input,
    signals: &[(usize, Signal)],
    approaching: Option<&[(usize, Progress)]>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, w);
    let n = signals.len();
    writeln!(
        out,
        "{}: peildatum {}, {} {}",
        card.name,
        date_nl(as_of),
        n,
        if n == 1 { "signaal" } else { "signalen" }
    )?;
    writeln!(out)?;
    if signals.is_empty() {
        writeln!(out, "Geen signalen.")?;
    } else {
        let sorted = sorted_signals(input, signals);
        let rows: Vec<[String; 4]> = sorted
            .iter()
            .map(|(_, (index, signal))| {
                [
                    fit(&pupil_label(input, *index), MAX_PUPIL),
                    date_nl(signal.date),
                    fit(&signal_title(card, signal.kind, signal.count), MAX_TITLE),
                    amount(signal),
                ]
            })
            .collect();
        let header = ["Leerling", "Datum", "Signaal", "Uren/aantal"];
        let widths = widths(&header, &rows);
        write_row(&mut out, &widths, &header.map(String::from))?;
        write_row(&mut out, &widths, &widths.map(|w| "-".repeat(w)))?;
        for (i, (row, (_, (_, signal)))) in rows.iter().zip(&sorted).enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write_row(&mut out, &widths, row)?;
            write_actions(&mut out, &signal.actions)?;
        }
    }
    if let Some(entries) = approaching {
        writeln!(out)?;
        writeln!(out, "Bijna aan de drempel")?;
        writeln!(out)?;
        if entries.is_empty() {
            writeln!(out, "Geen leerlingen dicht bij een drempel.")?;
        } else {
            let rows: Vec<[String; 3]> = sorted_progress(input, entries)
                .iter()
                .map(|(_, (index, p))| {
                    [
                        fit(&pupil_label(input, *index), MAX_PUPIL),
                        fit(&signal_title(card, p.kind, Some(p.threshold)), MAX_TITLE),
                        progress_text(p),
                    ]
                })
                .collect();
            let header = ["Leerling", "Bij de drempel", "Voortgang"];
            let widths = widths(&header, &rows);
            write_row(&mut out, &widths, &header.map(String::from))?;
            write_row(&mut out, &widths, &widths.map(|w| "-".repeat(w)))?;
            for row in &rows {
                write_row(&mut out, &widths, row)?;
            }
        }
    }
    out.flush()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `s` shortened to `max` characters.
fn fit(s: &str, max: usize) -> String {
    if chars(s) <= max {
        s.to_string()
    } else {
        let mut short: String = s.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

fn widths<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> [usize; N] {
    let mut widths = header.map(chars);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(chars(cell));
        }
    }
    widths
}

fn write_row<W: Write, const N: usize>(
    out: &mut W,
    widths: &[usize; N],
    cells: &[String; N],
) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        line.push_str(cell);
        if i + 1 < N {
            line.extend(std::iter::repeat_n(
                ' ',
                width.saturating_sub(chars(cell)) + 2,
            ));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

/// "1001 Sanne Bos", or the id alone when there is no name.
fn pupil_label(input: &Input, index: usize) -> String {
    match input.pupils.get(index) {
        Some(p) => match &p.details.name {
            Some(name) => format!("{} {}", p.record.pupil.id, name),
            None => p.record.pupil.id.clone(),
        },
        None => String::new(),
    }
}

/// The card row's title, with the lateness count for te laat: "Te laat komen (10x)".
pub fn signal_title(card: &Card, kind: SignalKind, count: Option<u32>) -> String {
    let title = card
        .rules
        .row(kind)
        .map_or_else(|| kind.as_str().to_string(), |row| row.title.clone());
    match count {
        Some(count) if kind == SignalKind::TeLaat => format!("{title} ({count}x)"),
        _ => title,
    }
}

/// Minutes as hours: "16:15".
pub fn hours(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn amount(signal: &Signal) -> String {
    let mut parts = Vec::new();
    if let Some(count) = signal.count {
        parts.push(match signal.kind {
            SignalKind::TeLaat => format!("{count} keer"),
            _ => format!("{count} ziekmeldingen"),
        });
    }
    if let Some(minutes) = signal.minutes {
        parts.push(format!("{} uur", hours(minutes)));
    }
    parts.join(", ")
}

fn action_text(a: &SignalAction) -> String {
    // Actions are joined with "; ": a card text's own closing full stop goes.
    let mut text = a.text.trim_end_matches('.').to_string();
    if let Some(due) = a.due {
        text.push_str(&format!(" (uiterlijk {})", date_nl(due)));
    }
    if let Some(trigger) = a.trigger {
        text.push_str(&format!(" (alleen {})", trigger.label()));
    }
    text
}

/// The actions per party, one wrapped line per party: "School: ...; ...".
fn write_actions<W: Write>(out: &mut W, actions: &[SignalAction]) -> io::Result<()> {
    let mut parties: Vec<Party> = Vec::new();
    for a in actions {
        if !parties.contains(&a.party) {
            parties.push(a.party);
        }
    }
    for party in parties {
        let texts: Vec<String> = actions
            .iter()
            .filter(|a| a.party == party)
            .map(action_text)
            .collect();
        let line = format!("{}: {}", party.label(), texts.join("; "));
        for l in wrap(&line, WIDTH, "    ", "        ") {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// Wraps `text` at `width` characters, the first line indented with `first`, the rest with `rest`.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && chars(&line) + 1 + chars(word) > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

fn unit_words(unit: ProgressUnit) -> &'static str {
    match unit {
        ProgressUnit::Minutes => "uur",
        ProgressUnit::Latenesses => "keer te laat",
        ProgressUnit::Reports => "ziekmeldingen",
        ProgressUnit::Days(Unit::LessonCalendarDays) => "dagen",
        ProgressUnit::Days(Unit::LessonDays) => "lesdagen",
        ProgressUnit::Days(Unit::Lesweken) => "lesweken",
        ProgressUnit::Days(Unit::CalendarMonths) => "maanden",
    }
}

/// "12:30 van 16:00 uur (78%), sinds 21-09-2026", "4 van 5 keer te laat (80%)".
pub fn progress_text(p: &Progress) -> String {
    let (progress, threshold) = match p.unit {
        ProgressUnit::Minutes => (hours(p.progress), hours(p.threshold)),
        _ => (p.progress.to_string(), p.threshold.to_string()),
    };
    let percent = if p.fraction.is_finite() {
        (p.fraction * 100.0).floor().max(0.0) as u64
    } else {
        0
    };
    let mut text = format!(
        "{progress} van {threshold} {} ({percent}%)",
        unit_words(p.unit)
    );
    if let Some(since) = p.since {
        text.push_str(&format!(", sinds {}", date_nl(since)));
    }
    if let Some(left) = p.lesweken_left {
        text.push_str(&format!(
            ", nog {left} {} in het venster",
            if left == 1 { "lesweek" } else { "lesweken" }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_hanging_indent() {
        let lines = wrap("aaa bbb ccc ddd", 11, "  ", "    ");
        assert_eq!(lines, ["  aaa bbb", "    ccc ddd"]);
        assert_eq!(wrap("", 10, "  ", "    "), ["  "]);
    }

    #[test]
    fn shortens_long_cells() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(hours(975), "16:15");
        assert_eq!(hours(5), "0:05");
    }
}
