//! Property: the parsers of the files a person or another system hands us never panic, and every
//! error they report names its file, its line and, where a column applies, its column:
//! `school.toml`, `pupils.csv`, `registrations.csv`, `events.csv` (through `parse`, which also
//! checks across the files) and card files (through `parse_card`).
//!
//! Inputs: arbitrary bytes and text; plausible files built from the tokens real files hold; and
//! **mutations of valid files** (the demo school, the scenario school, the built-in cards): bytes
//! deleted, inserted, replaced by separators, quotes, line ends, a BOM, odd dates and characters;
//! lines duplicated, swapped or cut. When an input is accepted, evaluation runs on it too.
//!
//! Each property runs `VERZUIM_PARSER_CASES` cases (default 256) and prints how many it ran and
//! how long it took; docs/testing.md has the command of the long run (a million cases and more).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use verzuim_engine::Evaluator;
use verzuim_engine::card::{TWENTE_PO, VOORBEELD_MAZL, builtin};
use verzuim_exchange::{Input, InputError, Source, parse, parse_card};

const SCHOOL: &str = "id = \"x\"\nname = \"y\"\n[lesson_times]\nmonday = [\"08:30-12:00\", \"12:45-15:00\"]\nwednesday = [\"08:30-12:15\"]\n[[closed]]\nname = \"h\"\nkind = \"vakantie\"\nfrom = 2026-10-17\nuntil = 2026-10-25\n";
const PUPILS: &str = "pupil_id,birth_date,group,municipality,enrolled_from,enrolled_until\n1,2015-03-12,7-8,E,2019-03-12,\n2,2021-06-03,1-2,E,2025-06-03,2027-03-31\n";
const REGS: &str = "pupil_id,code,start,end,minutes,note\n1,ziek,2026-09-21,,,\n";
const EVENTS: &str = "pupil_id,date,event,note\n1,2026-09-21,overig_verzuim,\n";

const DEMO_SCHOOL: &str = include_str!("../../../examples/demo/school.toml");
const DEMO_PUPILS: &str = include_str!("../../../examples/demo/pupils.csv");
const DEMO_REGS: &str = include_str!("../../../examples/demo/registrations.csv");
const DEMO_EVENTS: &str = include_str!("../../../examples/demo/events.csv");
const SCENARIO_SCHOOL: &str = include_str!("../../../tests/scenarios/school.toml");

const NAMES: [&str; 4] = [
    "school.toml",
    "pupils.csv",
    "registrations.csv",
    "events.csv",
];
const CARD: &str = "kaart.toml";

/// Errors about a whole file: there is no line to name.
const WHOLE_FILE: [&str; 4] = [
    "het bestand is leeg",
    "het bestand is opgeslagen als UTF-16",
    "kan het bestand niet lezen",
    "kan het bestand niet verder lezen",
];

/// Every error names a file of the input, a line (unless it is about the whole file) and a
/// column (TOML: always; CSV: unless it is about a column missing from the header or a line the
/// CSV reader cannot read past).
fn check_place(e: &InputError) {
    assert!(
        NAMES.contains(&e.file.as_str()) || e.file == CARD,
        "unknown file: {e}"
    );
    assert!(!e.message.trim().is_empty(), "empty message: {e:?}");
    let Some(line) = e.line else {
        assert!(
            WHOLE_FILE.iter().any(|m| e.message.starts_with(m)),
            "no line: {e}"
        );
        return;
    };
    assert!(line >= 1, "{e}");
    let no_column = ["verplichte kolom", "kan het bestand niet verder lezen"];
    let whole_line = no_column.iter().any(|m| e.message.starts_with(m));
    if e.file.ends_with(".toml") || !whole_line {
        assert!(e.column.is_some_and(|c| c >= 1), "no column: {e}");
    }
}

fn run(school: &[u8], pupils: &[u8], regs: &[u8], events: &[u8]) {
    let source = |i: usize, bytes| Source {
        name: NAMES[i],
        bytes,
    };
    let result = parse(
        source(0, school),
        source(1, pupils),
        source(2, regs),
        Some(source(3, events)),
    );
    check(result);
}

fn check(result: Result<Input, Vec<InputError>>) {
    match result {
        Ok(input) => {
            assert!(input.first_date <= input.last_date);
            let card = builtin("twente-po").expect("built-in card");
            let ev = Evaluator::new(&card, &input.school, input.first_date, input.last_date);
            for p in &input.pupils {
                assert_eq!(p.registration_lines.len(), p.record.registrations.len());
                assert_eq!(p.event_lines.len(), p.record.events.len());
                let _ = ev.evaluate(&p.record);
                let _ = ev.progress(&p.record, input.last_date);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            errors.iter().for_each(check_place);
        }
    }
}

fn check_card(bytes: &[u8]) {
    match parse_card(CARD, bytes) {
        Ok(card) => assert!(!card.id.is_empty()),
        Err(errors) => {
            assert!(!errors.is_empty());
            errors.iter().for_each(check_place);
        }
    }
}

// ---- strategies -----------------------------------------------------------------------------

/// Tokens that files hold, good and bad.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("1".to_string()),
        Just("2".to_string()),
        Just("ziek".to_string()),
        Just("te_laat".to_string()),
        Just("ongeoorloofd".to_string()),
        Just("luxe".to_string()),
        Just("verlof".to_string()),
        Just("verwijdering".to_string()),
        Just("zorg_ziekte".to_string()),
        Just("overig_verzuim".to_string()),
        Just("7-8".to_string()),
        Just("1-2".to_string()),
        Just("111222333".to_string()),
        Just("\"a,b;c\"".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("=".to_string()),
        Just("24:00".to_string()),
        Just("2027-02-29".to_string()),
        Just("99999999999999999999".to_string()),
        Just("-1".to_string()),
        (1900i32..2101, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (2026i32..2028, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{d:02}-{m:02}-{y}")),
        (2026i32..2028, 1u32..13, 1u32..29, 0u32..25, 0u32..61)
            .prop_map(|(y, m, d, h, mi)| format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}")),
        (2026i32..2028, 1u32..13, 1u32..29, 0u32..25, 0u32..61)
            .prop_map(|(y, m, d, h, mi)| format!("{d:02}-{m:02}-{y} {h}:{mi:02}")),
        (0u32..2000).prop_map(|n| n.to_string()),
        "[ -~]{0,12}",
        any::<String>(),
    ]
}

/// One change to a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Deletes `len` bytes at the position `at` (a fraction of the length).
    Delete(f64, usize),
    /// Inserts a token.
    Insert(f64, String),
    /// Replaces one byte.
    Byte(f64, u8),
    /// Duplicates the line at `at`.
    DuplicateLine(f64),
    /// Swaps two lines.
    SwapLines(f64, f64),
    /// Cuts the file at `at`.
    Truncate(f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0f64..1.0;
    prop_oneof![
        3 => (at.clone(), 1usize..12).prop_map(|(a, n)| Mutation::Delete(a, n)),
        4 => (at.clone(), token()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        3 => (at.clone(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
        1 => at.clone().prop_map(Mutation::DuplicateLine),
        1 => (at.clone(), at.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => at.prop_map(Mutation::Truncate),
    ]
}

fn position(len: usize, at: f64) -> usize {
    ((len as f64 * at) as usize).min(len)
}

fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        match m {
            Mutation::Delete(at, n) => {
                let from = position(bytes.len(), *at);
                let to = (from + n).min(bytes.len());
                bytes.drain(from..to);
            }
            Mutation::Insert(at, token) => {
                let at = position(bytes.len(), *at);
                bytes.splice(at..at, token.bytes());
            }
            Mutation::Byte(at, b) => {
                if !bytes.is_empty() {
                    let at = position(bytes.len() - 1, *at);
                    bytes[at] = *b;
                }
            }
            Mutation::DuplicateLine(at) | Mutation::SwapLines(at, _) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let i = position(lines.len() - 1, *at);
                match m {
                    Mutation::SwapLines(_, other) => {
                        let j = position(lines.len() - 1, *other);
                        lines.swap(i, j);
                    }
                    _ => {
                        let line = lines[i].clone();
                        lines.insert(i, line);
                    }
                }
                bytes = lines.join(&b'\n');
            }
            Mutation::Truncate(at) => bytes.truncate(position(bytes.len(), *at)),
        }
    }
    bytes
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..6)
}

fn csv_file(columns: &'static [&'static str]) -> impl Strategy<Value = String> {
    let header = proptest::sample::subsequence(columns.to_vec(), 0..=columns.len())
        .prop_shuffle()
        .prop_map(|cols| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>());
    let sep = prop_oneof![Just(","), Just(";")];
    let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")];
    (
        header,
        sep,
        eol,
        proptest::collection::vec(proptest::collection::vec(token(), 0..9), 0..8),
    )
        .prop_map(|(header, sep, eol, rows)| {
            let mut text = header.join(sep);
            for row in rows {
                text.push_str(eol);
                text.push_str(&row.join(sep));
            }
            text
        })
}

const PUPIL_COLUMNS: &[&str] = &[
    "pupil_id",
    "birth_date",
    "group",
    "municipality",
    "enrolled_from",
    "enrolled_until",
    "next_school",
    "bsn",
    "name",
    "extra",
];
const REG_COLUMNS: &[&str] = &[
    "pupil_id", "code", "start", "end", "minutes", "note", "extra",
];
const EVENT_COLUMNS: &[&str] = &["pupil_id", "date", "event", "note"];

fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id = \"x\"".to_string()),
        Just("name = \"y\"".to_string()),
        Just("holiday_region = \"noord\"".to_string()),
        Just("[lesson_times]".to_string()),
        Just("[lesson_times.groups.\"1-2\"]".to_string()),
        Just("[lesson_times.groups]".to_string()),
        Just("[[closed]]".to_string()),
        Just("kind = \"vakantie\"".to_string()),
        Just("friday = []".to_string()),
        Just("groups = 3".to_string()),
        Just("closed = []".to_string()),
        (0u32..26, 0u32..61, 0u32..26, 0u32..61).prop_map(|(a, b, c, d)| format!(
            "monday = [\"{a:02}:{b:02}-{c:02}:{d:02}\", \"12:00-13:00\"]"
        )),
        (1900i32..2101, 1u32..13, 1u32..32)
            .prop_map(|(y, m, d)| format!("from = {y:04}-{m:02}-{d:02}")),
        (1900i32..2101, 1u32..13, 1u32..32)
            .prop_map(|(y, m, d)| format!("until = \"{d:02}-{m:02}-{y}\"")),
        "[a-z_]{1,8} = [\"0-9:\\-\\[\\], ]{0,12}",
        any::<String>(),
    ]
}

fn toml_file() -> impl Strategy<Value = String> {
    proptest::collection::vec(toml_line(), 0..14).prop_map(|lines| lines.join("\n"))
}

/// Registration rows that are mostly valid, so that accepted input (overlaps, open ends,
/// evaluation) is exercised too.
fn registration_rows() -> impl Strategy<Value = String> {
    let code = prop_oneof![
        Just("ziek"),
        Just("te_laat"),
        Just("ongeoorloofd"),
        Just("luxe"),
        Just("verlof"),
        Just("geoorloofd"),
        Just("schorsing"),
    ];
    let row = (
        1u32..3,
        code,
        0i64..300,
        0i64..5,
        proptest::option::of((480u32..960, 0u32..200)),
        any::<bool>(),
    )
        .prop_map(|(pupil, code, day, len, times, open)| {
            let start = jiff::civil::date(2026, 8, 17) + jiff::Span::new().days(day);
            match times {
                None => {
                    let end =
                        start + jiff::Span::new().days(if code == "te_laat" { 0 } else { len });
                    format!("{pupil},{code},{start},{end},,")
                }
                Some((from, dur)) => {
                    let t = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                    let end = if open {
                        String::new()
                    } else {
                        format!("{start}T{}", t(from + dur))
                    };
                    format!("{pupil},{code},{start}T{},{end},,", t(from))
                }
            }
        });
    proptest::collection::vec(row, 0..30).prop_map(|rows| {
        format!(
            "pupil_id,code,start,end,minutes,note\n{}\n",
            rows.join("\n")
        )
    })
}

// ---- the properties -------------------------------------------------------------------------

/// The number of cases of each property: `VERZUIM_PARSER_CASES`, default 256.
fn cases() -> u32 {
    std::env::var("VERZUIM_PARSER_CASES")
        .ok()
        .and_then(|s| s.trim().replace('_', "").parse().ok())
        .unwrap_or(256)
}

/// Runs `test` on `cases()` values of `strategy`; prints the count and the time.
fn property<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value)) {
    let count = AtomicU64::new(0);
    let start = Instant::now();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&strategy, |value| {
        count.fetch_add(1, Ordering::Relaxed);
        test(value);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{name}: {e}");
    }
    eprintln!(
        "{name}: {} cases, 0 panics, {:.1} s",
        count.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
}

fn files_with(which: usize, bytes: &[u8]) {
    let mut files = [
        SCHOOL.as_bytes(),
        PUPILS.as_bytes(),
        REGS.as_bytes(),
        EVENTS.as_bytes(),
    ];
    files[which] = bytes;
    run(files[0], files[1], files[2], files[3]);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let strategy = (proptest::collection::vec(any::<u8>(), 0..600), 0usize..5);
    property("arbitrary bytes", strategy, |(bytes, which)| {
        if which == 4 {
            check_card(&bytes);
        } else {
            files_with(which, &bytes);
        }
    });
}

#[test]
fn arbitrary_text_never_panics() {
    property(
        "arbitrary text",
        (any::<String>(), 0usize..5),
        |(text, which)| {
            if which == 4 {
                check_card(text.as_bytes());
            } else {
                files_with(which, text.as_bytes());
            }
        },
    );
}

#[test]
fn plausible_csv_never_panics() {
    let strategy = (
        csv_file(PUPIL_COLUMNS),
        csv_file(REG_COLUMNS),
        csv_file(EVENT_COLUMNS),
        any::<bool>(),
    );
    property("plausible CSV", strategy, |(pupils, regs, events, keep)| {
        let pupils = if keep { PUPILS.to_string() } else { pupils };
        run(
            SCHOOL.as_bytes(),
            pupils.as_bytes(),
            regs.as_bytes(),
            events.as_bytes(),
        );
    });
}

#[test]
fn mostly_valid_registrations_never_panic() {
    property("mostly valid registrations", registration_rows(), |regs| {
        run(
            SCHOOL.as_bytes(),
            PUPILS.as_bytes(),
            regs.as_bytes(),
            EVENTS.as_bytes(),
        );
    });
}

#[test]
fn plausible_toml_never_panics() {
    property("plausible school.toml", toml_file(), |school| {
        run(
            school.as_bytes(),
            PUPILS.as_bytes(),
            REGS.as_bytes(),
            EVENTS.as_bytes(),
        );
    });
}

/// Mutations of the demo school's four files (one or two files changed at a time) and of the
/// scenario school.
#[test]
fn mutated_valid_files_never_panic() {
    let strategy = (
        0usize..5,
        mutations(),
        proptest::option::of((0usize..4, mutations())),
    );
    property("mutated valid files", strategy, |(which, first, second)| {
        let demo = [DEMO_SCHOOL, DEMO_PUPILS, DEMO_REGS, DEMO_EVENTS];
        let mut files: Vec<Vec<u8>> = demo.iter().map(|f| f.as_bytes().to_vec()).collect();
        match which {
            4 => files[0] = mutate(SCENARIO_SCHOOL, &first),
            i => files[i] = mutate(demo[i], &first),
        }
        if let Some((i, more)) = second {
            files[i] = mutate(&String::from_utf8_lossy(&files[i]), &more);
        }
        run(&files[0], &files[1], &files[2], &files[3]);
    });
}

/// Mutations of the built-in cards.
#[test]
fn mutated_cards_never_panic() {
    let strategy = (any::<bool>(), mutations());
    property("mutated cards", strategy, |(twente, changes)| {
        let card = if twente { TWENTE_PO } else { VOORBEELD_MAZL };
        check_card(&mutate(card, &changes));
    });
}

/// The check itself can fail: an error without a line or a column is caught.
#[test]
fn an_error_without_its_place_is_caught() {
    let placeless = [
        InputError::file("pupils.csv", "onbekende leerling"),
        InputError::at("school.toml", 3, None, "fout"),
        InputError::at("registrations.csv", 3, None, "onbekende code"),
        InputError::at("elders.csv", 3, Some(1), "fout"),
    ];
    for e in placeless {
        let caught = std::panic::catch_unwind(|| check_place(&e));
        assert!(caught.is_err(), "{e} passed");
    }
    check_place(&InputError::at(
        "pupils.csv",
        1,
        None,
        "verplichte kolom \"group\" ontbreekt",
    ));
    check_place(&InputError::file("events.csv", "het bestand is leeg; …"));
}
