//! How an actual `evaluate` document is compared with a scenario's `expected.json`.
//!
//! The signals must be the same in number and order. Every key of an expected signal must equal
//! the actual one, except:
//! - `evidence`: a list of partial objects; the actual list has the same length and each object
//!   matches the actual one at its index on the keys given;
//! - `actions_include`: every listed object matches some action on the keys given;
//! - `actions_exclude`: no listed object matches any action.
//!
//! `approaching` (only with `--approaching`): the same number of entries, each expected (partial)
//! entry matching a different actual one, in any order. Without `--approaching` the output must
//! not have the key. Other top-level keys (`card`, `as_of`) must be equal.

use std::fmt::Write as _;

use serde_json::Value;

/// The problems found so far: (scenario, place, what).
#[derive(Default)]
pub struct Problems {
    pub scenario: String,
    pub list: Vec<(String, String, String)>,
}

impl Problems {
    pub fn push(&mut self, place: &str, what: String) {
        self.list
            .push((self.scenario.clone(), place.to_string(), what));
    }
}

/// Compares a whole document.
pub fn document(expected: &Value, actual: &Value, wants_approaching: bool, p: &mut Problems) {
    let expected = expected.as_object().expect("expected.json holds an object");
    for (key, exp) in expected {
        let act = actual.get(key);
        match key.as_str() {
            "signals" => {
                let exp = exp.as_array().expect("signals is a list");
                match act.and_then(Value::as_array) {
                    Some(act) => signals(exp, act, p),
                    None => p.push("signals", format!("missing or not a list: {act:?}")),
                }
            }
            "approaching" => {
                let exp = exp.as_array().expect("approaching is a list");
                match act.and_then(Value::as_array) {
                    Some(act) => approaching(exp, act, p),
                    None => p.push("approaching", format!("missing or not a list: {act:?}")),
                }
            }
            _ => {
                if act != Some(exp) {
                    p.push(key, format!("expected {exp}, actual {}", show(act)));
                }
            }
        }
    }
    if !wants_approaching && actual.get("approaching").is_some() {
        p.push("approaching", "present without --approaching".to_string());
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

fn signals(exp: &[Value], act: &[Value], p: &mut Problems) {
    if exp.len() != act.len() {
        let list = |l: &[Value]| {
            l.iter()
                .map(|s| format!("\n      {}", summary(s)))
                .collect::<String>()
        };
        p.push(
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
                "evidence" => evidence(ev, a.get("evidence"), &place, p),
                "actions_include" | "actions_exclude" => {
                    let Some(actions) = a.get("actions").and_then(Value::as_array) else {
                        let what = format!(
                            "`actions` missing or not a list: {}",
                            show(a.get("actions"))
                        );
                        p.push(&place, what);
                        continue;
                    };
                    for wanted in ev.as_array().expect("a list of actions") {
                        let found = actions.iter().any(|act| matches(wanted, act));
                        if key == "actions_include" && !found {
                            let all = Value::Array(actions.clone());
                            p.push(
                                &place,
                                format!("no action matches {wanted}; actions: {all}"),
                            );
                        }
                        if key == "actions_exclude" && found {
                            let what =
                                format!("an action matches {wanted}, which should be absent");
                            p.push(&place, what);
                        }
                    }
                }
                _ => {
                    let av = a.get(key);
                    if av != Some(ev) {
                        p.push(
                            &place,
                            format!("key `{key}`: expected {ev}, actual {}", show(av)),
                        );
                    }
                }
            }
        }
    }
}

fn evidence(exp: &Value, act: Option<&Value>, place: &str, p: &mut Problems) {
    let exp = exp.as_array().expect("evidence is a list");
    let Some(act) = act.and_then(Value::as_array) else {
        p.push(
            place,
            format!("key `evidence`: expected a list, actual {}", show(act)),
        );
        return;
    };
    let ok = exp.len() == act.len() && exp.iter().zip(act).all(|(e, a)| matches(e, a));
    if !ok {
        p.push(
            place,
            format!(
                "key `evidence`: expected {} (keys compared: those given), actual {}",
                Value::Array(exp.to_vec()),
                Value::Array(act.clone())
            ),
        );
    }
}

fn approaching(exp: &[Value], act: &[Value], p: &mut Problems) {
    let mut used = vec![false; act.len()];
    let mut ok = exp.len() == act.len();
    for e in exp {
        match (0..act.len()).find(|&j| !used[j] && matches(e, &act[j])) {
            Some(j) => used[j] = true,
            None => ok = false,
        }
    }
    if !ok {
        p.push(
            "approaching",
            format!(
                "expected (any order) {}, actual {}",
                Value::Array(exp.to_vec()),
                Value::Array(act.to_vec())
            ),
        );
    }
}
