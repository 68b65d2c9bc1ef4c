//! Runs every scenario folder under `tests/scenarios/` through the exchange crate (reading and
//! checking the files, evaluating every pupil with `evaluate_input`, writing the JSON of
//! `verzuim evaluate --format json` with `write_json`) and compares the output with the folder's
//! hand-computed expectations. The binary runs the same functions; its own contract (exit codes,
//! standard output and error, `--format`, `--as-of`) is tested in `crates/cli/tests/it/cli.rs`.
//!
//! A folder holds `pupils.csv`, `registrations.csv`, optionally `events.csv`, optionally its own
//! `school.toml` (otherwise the shared `tests/scenarios/school.toml`), optionally `args` (one line
//! of `evaluate`'s options: `--as-of DATE`, `--approaching [FRACTION]`, `--card ID|PATH`;
//! `--as-of 2027-07-31` when it names none), a `README.md` with the hand computation, and either
//!
//! - `expected.json`: `{"signals": [partial signal, ...], "approaching": [...]?, other keys?}`,
//!   compared as described in [`compare`];
//! - or `expected_exit` (`2`: invalid input) and `expected_stderr_contains` (one text per line
//!   that the error report must contain; `a | b` means either).
//!
//! All mismatches of all scenarios are collected and reported at once. `SCENARIO=name` runs only
//! the scenarios whose folder name contains `name`.

mod compare;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde_json::Value;
use verzuim_exchange::values::parse_date;
use verzuim_exchange::{
    Source, evaluate_approaching, evaluate_compact, evaluate_input, load_card, parse, write_json,
    write_json_table,
};

use compare::Problems;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// `evaluate`'s options of a scenario's `args` file.
struct Options {
    as_of: Date,
    approaching: Option<f64>,
    card: String,
}

fn options(dir: &Path) -> Result<Options, String> {
    let text = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut options = Options {
        as_of: Date::constant(2027, 7, 31),
        approaching: None,
        card: "twente-po".to_string(),
    };
    let mut i = 0;
    while i < words.len() {
        let (flag, inline) = match words[i].split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (words[i], None),
        };
        let next_value = |i: &mut usize| -> Option<&str> {
            inline.or_else(|| {
                let value = words.get(*i + 1).filter(|w| !w.starts_with("--")).copied();
                if value.is_some() {
                    *i += 1;
                }
                value
            })
        };
        match flag {
            "--as-of" => {
                let value = next_value(&mut i).ok_or("--as-of without a date")?;
                options.as_of = parse_date(value)?;
            }
            "--approaching" => {
                let fraction = next_value(&mut i).map_or(Ok(0.75), str::parse);
                options.approaching = Some(fraction.map_err(|e| format!("--approaching: {e}"))?);
            }
            "--card" => {
                options.card = next_value(&mut i)
                    .ok_or("--card without a card")?
                    .to_string();
            }
            other => return Err(format!("unknown option `{other}` in args")),
        }
        i += 1;
    }
    Ok(options)
}

/// The scenario's file `name`, read: `None` when it does not exist.
fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    std::fs::read(dir.join(name)).ok()
}

/// Evaluates a scenario as `verzuim evaluate --format json` does: the JSON text, or the error
/// report (one problem per line).
fn evaluate(dir: &Path, options: &Options) -> Result<String, String> {
    let school = read(dir, "school.toml")
        .or_else(|| read(&scenarios_dir(), "school.toml"))
        .expect("tests/scenarios/school.toml exists");
    let pupils = read(dir, "pupils.csv").unwrap_or_default();
    let registrations = read(dir, "registrations.csv").unwrap_or_default();
    let events = read(dir, "events.csv");
    let source = |name, bytes| Source { name, bytes };
    let card = if options.card.ends_with(".toml") {
        load_card(&dir.join(&options.card).display().to_string())
    } else {
        load_card(&options.card)
    };
    let input = parse(
        source("school.toml", &school),
        source("pupils.csv", &pupils),
        source("registrations.csv", &registrations),
        events.as_deref().map(|e| source("events.csv", e)),
    );
    let (card, input) = match (card, input) {
        (Ok(card), Ok(input)) => (card, input),
        (card, input) => {
            let errors = card.err().unwrap_or_default().into_iter();
            let errors = errors.chain(input.err().unwrap_or_default());
            return Err(errors.map(|e| format!("{e}\n")).collect());
        }
    };
    let (signals, approaching) = evaluate_input(&card, &input, options.as_of, options.approaching);
    let mut out = Vec::new();
    write_json(
        &mut out,
        &card,
        options.as_of,
        &input,
        &signals,
        approaching.as_deref(),
    )
    .expect("writing to memory");
    // The binary's path (compact signals) writes the same bytes.
    let table = evaluate_compact(&card, &input, options.as_of);
    let near = options
        .approaching
        .map(|fraction| evaluate_approaching(&card, &input, options.as_of, fraction));
    let mut compact = Vec::new();
    write_json_table(
        &mut compact,
        &card,
        options.as_of,
        &input,
        &table,
        near.as_deref(),
    )
    .expect("writing to memory");
    assert_eq!(
        String::from_utf8_lossy(&compact),
        String::from_utf8_lossy(&out),
        "evaluate_compact and write_json_table differ from evaluate_input and write_json"
    );
    Ok(String::from_utf8(out).expect("JSON is UTF-8"))
}

fn check_scenario(dir: &Path, problems: &mut Problems) {
    let options = match options(dir) {
        Ok(options) => options,
        Err(e) => return problems.push("args", e),
    };
    let outcome = evaluate(dir, &options);

    if let Ok(code) = std::fs::read_to_string(dir.join("expected_exit")) {
        let code: i32 = code.trim().parse().expect("expected_exit holds a number");
        assert_eq!(
            code, 2,
            "expected_exit: only 2 (invalid input) is a scenario"
        );
        let report = match outcome {
            Ok(json) => {
                return problems.push("exit", format!("expected invalid input, got {json}"));
            }
            Err(report) => report,
        };
        let wanted =
            std::fs::read_to_string(dir.join("expected_stderr_contains")).unwrap_or_default();
        for line in wanted.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !line.split(" | ").any(|alt| report.contains(alt.trim())) {
                problems.push(
                    "errors",
                    format!(
                        "expected to contain `{line}`, the report was:\n{}",
                        report.trim()
                    ),
                );
            }
        }
        return;
    }

    let text = match outcome {
        Ok(text) => text,
        Err(report) => return problems.push("input", format!("refused:\n{}", report.trim())),
    };
    let actual: Value = serde_json::from_str(&text).expect("write_json writes JSON");
    let expected: Value = match std::fs::read_to_string(dir.join("expected.json")) {
        Ok(text) => serde_json::from_str(&text).expect("expected.json is JSON"),
        Err(e) => return problems.push("expected.json", format!("cannot read: {e}")),
    };
    compare::document(&expected, &actual, options.approaching.is_some(), problems);
}

#[test]
fn scenarios() {
    let root = scenarios_dir();
    let filter = std::env::var("SCENARIO").ok();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter(|p| {
            filter
                .as_deref()
                .is_none_or(|f| p.file_name().unwrap().to_string_lossy().contains(f))
        })
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no scenarios found in {}", root.display());

    let mut problems = Problems::default();
    for dir in &dirs {
        problems.scenario = dir.file_name().unwrap().to_string_lossy().into_owned();
        check_scenario(dir, &mut problems);
    }
    if problems.list.is_empty() {
        return;
    }
    let mut failed: Vec<&str> = problems.list.iter().map(|p| p.0.as_str()).collect();
    failed.dedup();
    let mut report = format!(
        "{} of {} scenarios failed ({} problems): {}\n\n",
        failed.len(),
        dirs.len(),
        problems.list.len(),
        failed.join(", ")
    );
    for (scenario, place, what) in &problems.list {
        let _ = writeln!(report, "[{scenario}] {place}: {what}");
    }
    panic!("{report}");
}

/// A scenario folder that leaves out `school.toml` uses the shared one; a folder's own
/// `school.toml` must differ from it (otherwise it should use the shared file).
#[test]
fn own_school_files_differ_from_the_shared_one() {
    let shared = std::fs::read(scenarios_dir().join("school.toml")).expect("shared school.toml");
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let dir = entry.unwrap().path();
        if let Some(own) = read(&dir, "school.toml") {
            assert_ne!(own, shared, "{}: use the shared school.toml", dir.display());
        }
    }
}

/// The comparison itself can fail: a wrong expectation is reported.
#[test]
fn a_wrong_expectation_is_reported() {
    let actual = serde_json::json!({
        "card": "twente-po",
        "signals": [{"kind": "relatief_verzuim", "minutes": 960, "evidence": [{"minutes": 345}],
                     "actions": [{"party": "school", "text": "Meldt"}]}]
    });
    let mut problems = Problems::default();
    compare::document(&actual.clone(), &actual, false, &mut problems);
    assert!(problems.list.is_empty(), "{:?}", problems.list);
    for wrong in [
        serde_json::json!({"signals": [{"minutes": 959}]}),
        serde_json::json!({"signals": []}),
        serde_json::json!({"signals": [{"evidence": [{"minutes": 1}]}]}),
        serde_json::json!({"signals": [{"actions_include": [{"party": "ggd_jgz"}]}]}),
        serde_json::json!({"signals": [{"actions_exclude": [{"party": "school"}]}]}),
        serde_json::json!({"card": "voorbeeld-mazl", "signals": [{}]}),
    ] {
        let mut problems = Problems::default();
        compare::document(&wrong, &actual, false, &mut problems);
        assert!(!problems.list.is_empty(), "{wrong} passed");
    }
}
