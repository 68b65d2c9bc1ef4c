//! The JSON output of `verzuim evaluate --format json` (formats.md, "Output").
//!
//! Written as a stream: each signal is serialized straight to the writer, so a region of 100,000
//! pupils never becomes one big value in memory.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use rayon::prelude::*;

use jiff::civil::Date;
use serde::ser::{Serialize, SerializeMap, Serializer};
use verzuim_engine::Card;
use verzuim_engine::model::{Evidence, Registration, Signal, SignalAction, Span, TimeOfDay};
use verzuim_engine::progress::Progress;

use crate::evaluate::{SignalTable, SignalView};
use crate::input::{Input, PupilInput};
use crate::output::{pupil_id, signal_order, sorted_progress, unit_id};
use crate::values::{date_iso, time_hm};

/// Writes the JSON document: `{"card", "as_of", "signals", "approaching"}`, the last key only
/// when `approaching` is given. Signals are sorted by date, then pupil id, then kind; approaching
/// entries by pupil id, then kind. The pupil index of each entry is its index in `input.pupils`.
pub fn write_json<W: Write>(
    w: W,
    card: &Card,
    as_of: Date,
    input: &Input,
    signals: &[(usize, Signal)],
    approaching: Option<&[(usize, Progress)]>,
) -> io::Result<()> {
    write_document(
        w,
        card,
        as_of,
        input,
        signals.len(),
        |i| SignalView::of(signals[i].0, &signals[i].1),
        approaching,
    )
}

/// [`write_json`] for the signals of [`crate::evaluate_compact`]: the same bytes.
pub fn write_json_table<W: Write>(
    w: W,
    card: &Card,
    as_of: Date,
    input: &Input,
    signals: &SignalTable,
    approaching: Option<&[(usize, Progress)]>,
) -> io::Result<()> {
    write_document(
        w,
        card,
        as_of,
        input,
        signals.len(),
        |i| signals.get(i),
        approaching,
    )
}

/// The JSON document of `count` signals, signal `i` being `signal(i)`.
fn write_document<'s, W: Write>(
    w: W,
    card: &Card,
    as_of: Date,
    input: &Input,
    count: usize,
    signal: impl Fn(usize) -> SignalView<'s> + Sync,
    approaching: Option<&[(usize, Progress)]>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, w);
    out.write_all(b"{\n  \"card\": ")?;
    serde_json::to_writer(&mut out, &card.id)?;
    write!(
        out,
        ",\n  \"as_of\": \"{}\",\n  \"signals\": [",
        date_iso(as_of)
    )?;
    let sorted = signal_order(input, count, |i| {
        let s = signal(i);
        (s.pupil, s.date, s.kind)
    });
    let actions = ActionTexts::of((0..count).map(|i| signal(i).actions))?;
    write_items(&mut out, &sorted, |buf, &i| {
        let s = signal(i as usize);
        write_signal(
            buf,
            pupil_id(input, s.pupil),
            input.pupils.get(s.pupil),
            &s,
            &actions,
        )
    })?;
    drop(sorted);
    out.write_all(b"]")?;
    if let Some(entries) = approaching {
        out.write_all(b",\n  \"approaching\": [")?;
        let sorted = sorted_progress(input, entries);
        write_items(&mut out, &sorted, |buf, (id, (_, progress))| {
            serde_json::to_writer(buf, &ProgressOut(id, progress))
        })?;
        out.write_all(b"]")?;
    }
    out.write_all(b"\n}\n")?;
    out.flush()
}

/// Writes the items of a JSON array, one compact item per line. The items are serialized in
/// parallel, in batches, and written in order: output is the bottleneck for a large region.
fn write_items<T: Sync, W: Write>(
    out: &mut W,
    items: &[T],
    serialize: impl Fn(&mut Vec<u8>, &T) -> serde_json::Result<()> + Sync,
) -> io::Result<()> {
    const BATCH: usize = 1 << 14;
    const CHUNK: usize = 512;
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let buffers: Vec<serde_json::Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * 1024);
                for (i, item) in chunk.iter().enumerate() {
                    if b + c + i > 0 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(b"\n    ");
                    serialize(&mut buf, item)?;
                }
                Ok(buf)
            })
            .collect();
        for buf in buffers {
            out.write_all(&buf?)?;
        }
    }
    if !items.is_empty() {
        out.write_all(b"\n  ")?;
    }
    Ok(())
}

/// The JSON of each distinct action list (signals share their lists, see
/// `verzuim_engine::model::Signal::actions`): serialized once, copied into every signal.
struct ActionTexts(HashMap<usize, Vec<u8>>);

impl ActionTexts {
    fn of<'s>(
        lists: impl Iterator<Item = &'s Arc<[SignalAction]>>,
    ) -> serde_json::Result<ActionTexts> {
        let mut texts = HashMap::new();
        for actions in lists {
            if let Entry::Vacant(entry) = texts.entry(list_key(actions)) {
                entry.insert(serde_json::to_vec(&Actions(actions))?);
            }
        }
        Ok(ActionTexts(texts))
    }

    fn write(&self, buf: &mut Vec<u8>, actions: &Arc<[SignalAction]>) -> serde_json::Result<()> {
        match self.0.get(&list_key(actions)) {
            Some(text) => buf.extend_from_slice(text),
            None => serde_json::to_writer(buf, &Actions(actions))?,
        }
        Ok(())
    }
}

fn list_key(actions: &Arc<[SignalAction]>) -> usize {
    Arc::as_ptr(actions) as *const SignalAction as usize
}

/// `"YYYY-MM-DD"`, quoted.
fn push_date(buf: &mut Vec<u8>, date: Date) {
    if !(0..=9999).contains(&date.year()) {
        buf.push(b'"');
        buf.extend_from_slice(date_iso(date).as_bytes());
        buf.push(b'"');
        return;
    }
    let (y, m, d) = (date.year() as u16, date.month() as u8, date.day() as u8);
    buf.extend_from_slice(&[
        b'"',
        b'0' + (y / 1000 % 10) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + m / 10,
        b'0' + m % 10,
        b'-',
        b'0' + d / 10,
        b'0' + d % 10,
        b'"',
    ]);
}

fn push_number(buf: &mut Vec<u8>, n: Option<u32>) {
    match n {
        Some(n) => buf.extend_from_slice(n.to_string().as_bytes()),
        None => buf.extend_from_slice(b"null"),
    }
}

/// One signal as a compact JSON object, keys in the order of formats.md: what serde_json writes
/// for the same object, with the action lists copied from [`ActionTexts`].
fn write_signal(
    buf: &mut Vec<u8>,
    pupil_id: &str,
    pupil: Option<&PupilInput>,
    sig: &SignalView<'_>,
    actions: &ActionTexts,
) -> serde_json::Result<()> {
    buf.extend_from_slice(b"{\"pupil_id\":");
    serde_json::to_writer(&mut *buf, pupil_id)?;
    buf.extend_from_slice(b",\"kind\":\"");
    buf.extend_from_slice(sig.kind.as_str().as_bytes());
    buf.extend_from_slice(b"\",\"date\":");
    push_date(buf, sig.date);
    buf.extend_from_slice(b",\"count\":");
    push_number(buf, sig.count);
    if let Some(stage) = sig.stage {
        buf.extend_from_slice(b",\"stage\":");
        serde_json::to_writer(&mut *buf, stage)?;
    }
    buf.extend_from_slice(b",\"minutes\":");
    push_number(buf, sig.minutes);
    buf.extend_from_slice(b",\"period\":");
    match sig.period {
        Some(p) => {
            buf.extend_from_slice(b"{\"from\":");
            push_date(buf, p.from);
            buf.extend_from_slice(b",\"to\":");
            push_date(buf, p.to);
            buf.push(b'}');
        }
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b",\"evidence\":");
    write_evidence(buf, pupil, sig.evidence, sig.date)?;
    buf.extend_from_slice(b",\"pupil_participates\":");
    buf.extend_from_slice(if sig.pupil_participates {
        b"true"
    } else {
        b"false"
    });
    buf.extend_from_slice(b",\"actions\":");
    actions.write(buf, sig.actions)?;
    buf.push(b'}');
    Ok(())
}

/// The evidence of a signal on `signal_date` as a compact JSON list: what serde_json writes for
/// a map per item with the keys in this order, written as bytes (a region has millions).
fn write_evidence(
    buf: &mut Vec<u8>,
    pupil: Option<&PupilInput>,
    evidence: &[Evidence],
    signal_date: Date,
) -> serde_json::Result<()> {
    let record = pupil.map(|p| &p.record);
    buf.push(b'[');
    for (k, item) in evidence.iter().enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        match *item {
            Evidence::Registration { index, minutes } => {
                match record.and_then(|r| r.registrations.get(index)) {
                    Some(reg) => {
                        buf.extend_from_slice(b"{\"code\":\"");
                        buf.extend_from_slice(reg.code.as_str().as_bytes());
                        buf.extend_from_slice(b"\",\"start\":");
                        push_span(buf, reg, signal_date);
                    }
                    None => {
                        buf.extend_from_slice(b"{\"registration\":");
                        buf.extend_from_slice(index.to_string().as_bytes());
                    }
                }
                buf.extend_from_slice(b",\"minutes\":");
                push_number(buf, Some(minutes));
            }
            Evidence::Event { index } => match record.and_then(|r| r.events.get(index)) {
                Some(event) => {
                    buf.extend_from_slice(b"{\"event\":\"");
                    buf.extend_from_slice(event.kind.as_str().as_bytes());
                    buf.extend_from_slice(b"\",\"date\":");
                    push_date(buf, event.date);
                    buf.extend_from_slice(b",\"note\":");
                    serde_json::to_writer(&mut *buf, &event.note)?;
                }
                None => {
                    buf.extend_from_slice(b"{\"event_index\":");
                    buf.extend_from_slice(index.to_string().as_bytes());
                }
            },
            Evidence::Deregistration { enrolled_until } => {
                buf.extend_from_slice(b"{\"event\":\"uitschrijving\",\"date\":");
                push_date(buf, enrolled_until);
                buf.extend_from_slice(b",\"next_school\":");
                serde_json::to_writer(
                    &mut *buf,
                    &record.and_then(|r| r.pupil.next_school.as_deref()),
                )?;
            }
        }
        buf.push(b'}');
    }
    buf.push(b']');
    Ok(())
}

/// `"start":…,"end":…` after `"start":` of a registration as evidence of a signal on
/// `signal_date`: dates for whole days, `end` the inclusive last day but never after the
/// signal's date (the part that contributed; a signal does not change when later registrations
/// are removed, docs/spec/rules.md §2); date-times for a time span (a lateness: its arrival
/// time).
fn push_span(buf: &mut Vec<u8>, registration: &Registration, signal_date: Date) {
    match registration.span {
        Span::Days { from, until } => {
            push_date(buf, from);
            buf.extend_from_slice(b",\"end\":");
            push_date(buf, until.min(signal_date).max(from));
        }
        Span::Times { date, from, until } => {
            push_date_time(buf, date, from);
            buf.extend_from_slice(b",\"end\":");
            push_date_time(buf, date, until.unwrap_or(from));
        }
    }
}

/// `"YYYY-MM-DDTHH:MM"`, quoted.
fn push_date_time(buf: &mut Vec<u8>, date: Date, time: TimeOfDay) {
    push_date(buf, date);
    buf.pop();
    buf.push(b'T');
    let (h, m) = (time / 60, time % 60);
    if h < 100 {
        let digit = |n: u16| b'0' + (n % 10) as u8;
        buf.extend_from_slice(&[digit(h / 10), digit(h), b':', digit(m / 10), digit(m)]);
    } else {
        buf.extend_from_slice(time_hm(time).as_bytes());
    }
    buf.push(b'"');
}

struct Actions<'a>(&'a [SignalAction]);

impl Serialize for Actions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ActionOut))
    }
}

struct ActionOut<'a>(&'a SignalAction);

impl Serialize for ActionOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("party", a.party.as_str())?;
        map.serialize_entry("text", &a.text)?;
        if a.melding {
            map.serialize_entry("melding", &true)?;
        }
        if a.referral {
            map.serialize_entry("referral", &true)?;
        }
        if let Some(due) = a.due {
            map.serialize_entry("due", &date_iso(due))?;
        }
        if let Some(trigger) = a.trigger {
            map.serialize_entry("when", trigger.as_str())?;
        }
        map.end()
    }
}

struct ProgressOut<'a>(&'a str, &'a Progress);

/// A fraction rounded to 3 decimals.
pub(crate) fn round3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

impl Serialize for ProgressOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.1;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("pupil_id", self.0)?;
        map.serialize_entry("kind", p.kind.as_str())?;
        map.serialize_entry("progress", &p.progress)?;
        map.serialize_entry("threshold", &p.threshold)?;
        map.serialize_entry("unit", unit_id(p.unit))?;
        map.serialize_entry("fraction", &round3(p.fraction))?;
        map.serialize_entry("since", &p.since.map(date_iso))?;
        map.serialize_entry("lesweken_left", &p.lesweken_left)?;
        map.serialize_entry("stage", &p.stage)?;
        map.serialize_entry("actions", &Actions(&p.actions))?;
        map.end()
    }
}
