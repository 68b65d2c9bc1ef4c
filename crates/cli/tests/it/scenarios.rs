//! Runs every scenario folder under `tests/scenarios/` and compares the output of
//! `verzuim evaluate --format json` with the folder's hand-computed expectations.
//!
//! A folder holds `school.toml`, `pupils.csv`, `registrations.csv`, optionally `events.csv`,
//! optionally `args` (one line of extra arguments; `--as-of 2027-07-31` is added when it names no
//! `--as-of`), a `README.md` with the hand computation, and either
//!
//! - `expected.json`: `{"signals": [partial signal, ...], "approaching": [...]?, other keys?}`.
//!   The signals must be the same in number and order. Every key of an expected signal must equal
//!   the actual one, except:
//!   - `evidence`: a list of partial objects; the actual list has the same length and each
//!     object matches the actual one at its index on the keys given;
//!   - `actions_include`: every listed object matches some action on the keys given;
//!   - `actions_exclude`: no listed object matches any action.
//!
//!   `approaching` (only with `--approaching`): the same number of entries, each expected
//!   (partial) entry matching a different actual one, in any order. Without `--approaching` the
//!   output must not have the key. Other top-level keys (`card`, `as_of`) must be equal.
//! - or `expected_exit` (e.g. `2`) and `expected_stderr_contains` (one text per line that standard
//!   error must contain; `a | b` means either), with nothing on standard output.
//!
//! All mismatches of all scenarios are collected and reported at once. `SCENARIO=name` runs only
//! the scenarios whose folder name contains `name`.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::{run_in, workspace_root};

struct Problem {
    scenario: String,
    place: String,
    what: String,
}

#[test]
fn scenarios() {
    let root = workspace_root().join("tests/scenarios");
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

    let mut problems = Vec::new();
    for dir in &dirs {
        check_scenario(dir, &mut problems);
    }
    if problems.is_empty() {
        return;
    }
    let mut failed: Vec<&str> = problems.iter().map(|p| p.scenario.as_str()).collect();
    failed.dedup();
    let mut report = format!(
        "{} of {} scenarios failed ({} problems): {}\n\n",
        failed.len(),
        dirs.len(),
        problems.len(),
        failed.join(", ")
    );
    for p in &problems {
        let _ = writeln!(report, "[{}] {}: {}", p.scenario, p.place, p.what);
    }
    panic!("{report}");
}

fn check_scenario(dir: &Path, problems: &mut Vec<Problem>) {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let mut push = |place: &str, what: String| {
        problems.push(Problem {
            scenario: name.clone(),
            place: place.to_string(),
            what,
        })
    };

    let mut args: Vec<String> = [
        "evaluate",
        "--school",
        "school.toml",
        "--pupils",
        "pupils.csv",
        "--registrations",
        "registrations.csv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if dir.join("events.csv").exists() {
        args.extend(["--events".to_string(), "events.csv".to_string()]);
    }
    args.extend(["--format".to_string(), "json".to_string()]);
    let extra: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let wants_approaching = extra.iter().any(|a| a == "--approaching");
    if !extra
        .iter()
        .any(|a| a == "--as-of" || a.starts_with("--as-of="))
    {
        args.extend(["--as-of".to_string(), "2027-07-31".to_string()]);
    }
    args.extend(extra);

    let run = run_in(dir, &args);

    // Invalid-input scenarios.
    if let Ok(code) = std::fs::read_to_string(dir.join("expected_exit")) {
        let code: i32 = code.trim().parse().expect("expected_exit holds a number");
        if run.code != Some(code) {
            push(
                "exit",
                format!(
                    "expected exit code {code}, got {:?}; stderr: {}",
                    run.code,
                    run.stderr.trim()
                ),
            );
        }
        if code == 2 && !run.stdout.trim().is_empty() {
            push(
                "stdout",
                format!("expected nothing on stdout, got: {}", run.stdout.trim()),
            );
        }
        let wanted =
            std::fs::read_to_string(dir.join("expected_stderr_contains")).unwrap_or_default();
        for line in wanted.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !line.split(" | ").any(|alt| run.stderr.contains(alt.trim())) {
                push(
                    "stderr",
                    format!(
                        "expected to contain `{line}`, stderr was:\n{}",
                        run.stderr.trim()
                    ),
                );
            }
        }
        return;
    }

    if run.code != Some(0) {
        push(
            "exit",
            format!(
                "expected exit code 0, got {:?}; stderr:\n{}",
                run.code,
                run.stderr.trim()
            ),
        );
        return;
    }
    let actual: Value = match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => {
            push(
                "stdout",
                format!(
                    "not JSON ({e}): {}",
                    run.stdout.chars().take(500).collect::<String>()
                ),
            );
            return;
        }
    };
    let expected: Value = match std::fs::read_to_string(dir.join("expected.json")) {
        Ok(text) => serde_json::from_str(&text).expect("expected.json is JSON"),
        Err(e) => {
            push("expected.json", format!("cannot read: {e}"));
            return;
        }
    };
    let expected = expected.as_object().expect("expected.json holds an object");

    for (key, exp) in expected {
        let act = actual.get(key);
        match key.as_str() {
            "signals" => {
                let exp = exp.as_array().expect("signals is a list");
                match act.and_then(Value::as_array) {
                    Some(act) => compare_signals(exp, act, &mut push),
                    None => push("signals", format!("missing or not a list: {act:?}")),
                }
            }
            "approaching" => {
                let exp = exp.as_array().expect("approaching is a list");
                match act.and_then(Value::as_array) {
                    Some(act) => compare_approaching(exp, act, &mut push),
                    None => push("approaching", format!("missing or not a list: {act:?}")),
                }
            }
            _ => {
                if act != Some(exp) {
                    push(key, format!("expected {exp}, actual {}", show(act)));
                }
            }
        }
    }
    if !wants_approaching && actual.get("approaching").is_some() {
        push("approaching", "present without --approaching".to_string());
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or("(absent)".to_string(), Value::to_string)
}

fn summary(s: &Value) -> String {
    let field = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    let mut out = format!("{} {} {}", field("date"), field("pupil_id"), field("kind"));
    if let Some(c) = s.get("count").filter(|c| !c.is_null()) {
        let _ = write!(out, " count={c}");
    }
    if let Some(m) = s.get("minutes").filter(|m| !m.is_null()) {
        let _ = write!(out, " minutes={m}");
    }
    out
}

/// Every key of `exp` is in `act` with an equal value.
fn matches(exp: &Value, act: &Value) -> bool {
    match exp.as_object() {
        Some(map) => map.iter().all(|(k, v)| act.get(k) == Some(v)),
        None => exp == act,
    }
}

fn compare_signals(exp: &[Value], act: &[Value], push: &mut impl FnMut(&str, String)) {
    if exp.len() != act.len() {
        let list = |l: &[Value]| {
            l.iter()
                .map(|s| format!("\n      {}", summary(s)))
                .collect::<String>()
        };
        push(
            "signals",
            format!(
                "expected {} signals, got {}\n    expected:{}\n    actual:{}",
                exp.len(),
                act.len(),
                list(exp),
                list(act)
            ),
        );
        return;
    }
    for (i, (e, a)) in exp.iter().zip(act).enumerate() {
        let place = format!("signals[{i}] ({})", summary(e));
        let e = e.as_object().expect("a signal is an object");
        for (key, ev) in e {
            match key.as_str() {
                "evidence" => compare_evidence(ev, a.get("evidence"), &place, push),
                "actions_include" | "actions_exclude" => {
                    let actions = a.get("actions").and_then(Value::as_array);
                    let Some(actions) = actions else {
                        push(
                            &place,
                            format!(
                                "`actions` missing or not a list: {}",
                                show(a.get("actions"))
                            ),
                        );
                        continue;
                    };
                    for wanted in ev.as_array().expect("a list of actions") {
                        let found = actions.iter().any(|act| matches(wanted, act));
                        if key == "actions_include" && !found {
                            push(
                                &place,
                                format!(
                                    "no action matches {wanted}; actions: {}",
                                    Value::Array(actions.clone())
                                ),
                            );
                        }
                        if key == "actions_exclude" && found {
                            push(
                                &place,
                                format!("an action matches {wanted}, which should be absent"),
                            );
                        }
                    }
                }
                _ => {
                    let av = a.get(key);
                    if av != Some(ev) {
                        push(
                            &place,
                            format!("key `{key}`: expected {ev}, actual {}", show(av)),
                        );
                    }
                }
            }
        }
    }
}

fn compare_evidence(
    exp: &Value,
    act: Option<&Value>,
    place: &str,
    push: &mut impl FnMut(&str, String),
) {
    let exp = exp.as_array().expect("evidence is a list");
    let Some(act) = act.and_then(Value::as_array) else {
        push(
            place,
            format!("key `evidence`: expected a list, actual {}", show(act)),
        );
        return;
    };
    let ok = exp.len() == act.len() && exp.iter().zip(act).all(|(e, a)| matches(e, a));
    if !ok {
        push(
            place,
            format!(
                "key `evidence`: expected {} (keys compared: those given), actual {}",
                Value::Array(exp.to_vec()),
                Value::Array(act.clone())
            ),
        );
    }
}

fn compare_approaching(exp: &[Value], act: &[Value], push: &mut impl FnMut(&str, String)) {
    let mut used = vec![false; act.len()];
    let mut ok = exp.len() == act.len();
    for e in exp {
        match act
            .iter()
            .enumerate()
            .position(|(j, a)| !used[j] && matches(e, a))
        {
            Some(j) => used[j] = true,
            None => ok = false,
        }
    }
    if !ok {
        push(
            "approaching",
            format!(
                "expected (any order) {}, actual {}",
                Value::Array(exp.to_vec()),
                Value::Array(act.to_vec())
            ),
        );
    }
}
