//! Property: `parse` never panics, whatever the bytes of each of the four inputs, and whatever
//! plausible-looking CSV or TOML is built from the tokens real files hold. When it accepts the
//! input, the lines are parallel to the records and evaluation (with the built-in card) runs.

use proptest::prelude::*;
use verzuim_engine::Evaluator;
use verzuim_engine::card::builtin;
use verzuim_exchange::{Input, InputError, Source, parse};

const SCHOOL: &str = "id = \"x\"\nname = \"y\"\n[lesson_times]\nmonday = [\"08:30-12:00\", \"12:45-15:00\"]\nwednesday = [\"08:30-12:15\"]\n[[closed]]\nname = \"h\"\nkind = \"vakantie\"\nfrom = 2026-10-17\nuntil = 2026-10-25\n";
const PUPILS: &str = "pupil_id,birth_date,group,municipality,enrolled_from,enrolled_until\n1,2015-03-12,7-8,E,2019-03-12,\n2,2021-06-03,1-2,E,2025-06-03,2027-03-31\n";
const REGS: &str = "pupil_id,code,start,end,minutes,note\n1,ziek,2026-09-21,,,\n";
const EVENTS: &str = "pupil_id,date,event,note\n1,2026-09-21,overig_verzuim,\n";

fn run(school: &[u8], pupils: &[u8], regs: &[u8], events: &[u8]) -> Result<Input, Vec<InputError>> {
    parse(
        Source {
            name: "school.toml",
            bytes: school,
        },
        Source {
            name: "pupils.csv",
            bytes: pupils,
        },
        Source {
            name: "registrations.csv",
            bytes: regs,
        },
        Some(Source {
            name: "events.csv",
            bytes: events,
        }),
    )
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
            for e in errors {
                assert!(!e.message.is_empty());
                assert!(e.line.is_some() || e.column.is_none());
            }
        }
    }
}

/// Tokens that CSV files hold, good and bad.
fn csv_token() -> impl Strategy<Value = String> {
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
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("24:00".to_string()),
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
        proptest::collection::vec(proptest::collection::vec(csv_token(), 0..9), 0..8),
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), which in 0usize..4) {
        let mut files = [SCHOOL.as_bytes(), PUPILS.as_bytes(), REGS.as_bytes(), EVENTS.as_bytes()];
        files[which] = &bytes;
        check(run(files[0], files[1], files[2], files[3]));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), which in 0usize..4) {
        let mut files = [SCHOOL.as_bytes(), PUPILS.as_bytes(), REGS.as_bytes(), EVENTS.as_bytes()];
        files[which] = text.as_bytes();
        check(run(files[0], files[1], files[2], files[3]));
    }

    #[test]
    fn plausible_csv_never_panics(
        pupils in csv_file(PUPIL_COLUMNS),
        regs in csv_file(REG_COLUMNS),
        events in csv_file(EVENT_COLUMNS),
        keep_pupils in any::<bool>(),
    ) {
        let pupils = if keep_pupils { PUPILS.to_string() } else { pupils };
        check(run(SCHOOL.as_bytes(), pupils.as_bytes(), regs.as_bytes(), events.as_bytes()));
    }

    #[test]
    fn mostly_valid_registrations_never_panic(regs in registration_rows()) {
        check(run(SCHOOL.as_bytes(), PUPILS.as_bytes(), regs.as_bytes(), EVENTS.as_bytes()));
    }

    #[test]
    fn plausible_toml_never_panics(school in toml_file()) {
        check(run(school.as_bytes(), PUPILS.as_bytes(), REGS.as_bytes(), EVENTS.as_bytes()));
    }
}
