//! Property (issue 14): the holiday reader never panics, whatever it is fed: arbitrary bytes,
//! the real answer cut or with bytes changed, and the real answer with any value replaced or
//! removed. Every error names the file and either the line and column (JSON syntax) or the JSON
//! path of the value (`$...`); every holiday it reads has a region, a school year and a first
//! day not after its last.

use proptest::prelude::*;
use serde_json::Value;
use verzuim_exchange::InputError;
use verzuim_exchange::holidays::{
    NATIONWIDE, REGIONS, by_holiday, closed_periods, parse_school_year, read_rijksoverheid,
};

const REAL_2023: &[u8] = include_bytes!("data/schoolvakanties-2023-2024.rijksoverheid.json");
const NAME: &str = "vakanties.json";

fn names_file_and_place(e: &InputError) -> bool {
    let place = match (e.line, e.column) {
        (Some(_), Some(_)) => true,
        (None, None) => e.message.starts_with('$') && e.message.contains(": "),
        _ => false,
    };
    e.file == NAME && place && e.message.len() > 3
}

fn check(bytes: &[u8]) {
    match read_rijksoverheid(NAME, bytes) {
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(names_file_and_place(e), "{e:?}");
            }
        }
        Ok(file) => {
            for e in file.problems.iter().chain(&file.notes) {
                assert!(names_file_and_place(e), "{e:?}");
            }
            for h in &file.holidays {
                assert!(h.from <= h.until, "{h:?}");
                assert!(
                    REGIONS.contains(&h.region.as_str()) || h.region == NATIONWIDE,
                    "{h:?}"
                );
                assert_eq!(
                    parse_school_year(&h.school_year).as_ref(),
                    Ok(&h.school_year)
                );
                assert!(!h.name.is_empty() && h.path.starts_with('$'), "{h:?}");
            }
            for region in REGIONS {
                for p in closed_periods(&file.holidays, region) {
                    assert!(p.from <= p.until);
                }
            }
            let _ = by_holiday(&file.holidays);
            for year in file.school_years() {
                assert!(file.of_school_year(Some(year)).is_ok_and(|h| !h.is_empty()));
            }
        }
    }
}

/// The number of values in a JSON tree.
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

/// Replaces the value at pre-order position `at` (removes it from its parent when
/// `replacement` is `None`). Returns whether it was found.
fn mutate(value: &mut Value, at: &mut usize, replacement: &Option<Value>) -> bool {
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => return false,
    };
    let mut remove = None;
    for (i, child) in children.into_iter().enumerate() {
        if *at == 0 {
            match replacement {
                Some(r) => {
                    *child = r.clone();
                    return true;
                }
                None => remove = Some(i),
            }
            break;
        }
        *at -= 1;
        if mutate(child, at, replacement) {
            return true;
        }
    }
    match (remove, value) {
        (Some(i), Value::Array(items)) => {
            items.remove(i);
            true
        }
        (Some(i), Value::Object(map)) => {
            let key = map.keys().nth(i).cloned();
            key.is_some_and(|k| map.remove(&k).is_some())
        }
        _ => false,
    }
}

/// Values a real answer holds, good and bad.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(Value::from("noord")),
        Just(Value::from("Heel Nederland")),
        Just(Value::from("west")),
        Just(Value::from("2026-2027")),
        Just(Value::from(" \n ")),
        Just(Value::from("true")),
        Just(Value::from("2026-10-10T00:00:00.000Z")),
        Just(Value::from("2026-10-18T21:59:00.000Z")),
        Just(Value::from("2026-10-18")),
        Just(Value::from("9999-99-99T99:99")),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("content".to_owned()),
                        Just("schoolyear".to_owned()),
                        Just("vacations".to_owned()),
                        Just("type".to_owned()),
                        Just("regions".to_owned()),
                        Just("region".to_owned()),
                        Just("startdate".to_owned()),
                        Just("enddate".to_owned()),
                        "[a-z]{1,6}",
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value(), list in any::<bool>()) {
        let value = if list { Value::Array(vec![value]) } else { value };
        check(value.to_string().as_bytes());
    }

    #[test]
    fn the_real_answer_cut_or_with_bytes_changed_never_panics(
        cut in 0usize..3000,
        changes in proptest::collection::vec((0usize..3000, any::<u8>()), 0..4),
    ) {
        let mut bytes = REAL_2023[..cut.min(REAL_2023.len())].to_vec();
        for (at, byte) in changes {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
        }
        check(&bytes);
    }

    #[test]
    fn the_real_answer_with_a_value_replaced_or_removed_never_panics(
        at in any::<usize>(),
        replacement in proptest::option::of(json_value()),
        times in 1usize..4,
    ) {
        let mut value: Value = serde_json::from_slice(REAL_2023).unwrap();
        for i in 0..times {
            let mut position = at.wrapping_add(i * 7919) % count(&value);
            mutate(&mut value, &mut position, &replacement);
        }
        check(value.to_string().as_bytes());
        check(serde_json::to_string_pretty(&value).unwrap().as_bytes());
    }
}

#[test]
fn the_mutation_helper_reaches_every_value() {
    let mut value: Value = serde_json::from_str(r#"{"a": [1, {"b": 2}], "c": 3}"#).unwrap();
    assert_eq!(count(&value), 6);
    // Positions: 0 the list under "a", 1 its 1, 2 its object, 3 the 2 under "b", 4 the 3.
    let mut at = 3;
    assert!(mutate(&mut value, &mut at, &None));
    assert_eq!(value.to_string(), r#"{"a":[1,{}],"c":3}"#);
    let mut at = 0;
    assert!(mutate(&mut value, &mut at, &Some(Value::Null)));
    assert_eq!(value.to_string(), r#"{"a":null,"c":3}"#);
}
