//! The command-line contract of `docs/spec/formats.md`: invalid input exits 2 with every problem
//! named as `file:line[:column]` on standard error and nothing on standard output; valid input
//! exits 0 with the JSON shape; `--approaching`, `--format table` and `verzuim card check`.
//!
//! Column numbers of CSV problems are the 1-based field numbers of the header used here:
//! registrations `pupil_id,code,start,end,minutes,note` (1..6), pupils
//! `pupil_id,name,birth_date,group,municipality,enrolled_from,enrolled_until,next_school,bsn`
//! (1..9), events `pupil_id,date,event,note` (1..4).

use serde_json::Value;

use crate::{Run, TempDir, run_in, workspace_root};

const SCHOOL: &str = r#"id = "99XX00"
name = "OBS Testschool"
holiday_region = "noord"

[lesson_times]
monday    = ["08:30-12:00", "12:45-15:00"]
tuesday   = ["08:30-12:00", "12:45-15:00"]
wednesday = ["08:30-12:15"]
thursday  = ["08:30-12:00", "12:45-15:00"]
friday    = ["08:30-12:00", "12:45-15:00"]

[[closed]]
name = "Herfstvakantie"
kind = "vakantie"
from = 2026-10-10
until = 2026-10-18
"#;

const PUPILS_HEADER: &str =
    "pupil_id,name,birth_date,group,municipality,enrolled_from,enrolled_until,next_school,bsn\n";
const PUPIL_1001: &str = "1001,Noor Jansen,2016-03-10,5,GM0153,2022-08-22,,,\n";
const REG_HEADER: &str = "pupil_id,code,start,end,minutes,note\n";
const EVENTS_HEADER: &str = "pupil_id,date,event,note\n";

/// An input set in a temp dir: school.toml, pupils.csv, registrations.csv and maybe events.csv.
struct Case {
    dir: TempDir,
    events: bool,
}

impl Case {
    fn new(label: &str, pupils: &str, registrations: &str) -> Case {
        let dir = TempDir::new(label);
        dir.write("school.toml", SCHOOL);
        dir.write("pupils.csv", pupils);
        dir.write("registrations.csv", registrations);
        Case { dir, events: false }
    }

    /// Pupil 1001 (10 years old, enrolled since 2022) and the given registration rows.
    fn regs(label: &str, rows: &str) -> Case {
        Case::new(
            label,
            &format!("{PUPILS_HEADER}{PUPIL_1001}"),
            &format!("{REG_HEADER}{rows}"),
        )
    }

    fn with_events(mut self, rows: &str) -> Case {
        self.dir
            .write("events.csv", &format!("{EVENTS_HEADER}{rows}"));
        self.events = true;
        self
    }

    fn file(self, name: &str, contents: &str) -> Case {
        self.dir.write(name, contents);
        self
    }

    fn evaluate(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "evaluate",
            "--school",
            "school.toml",
            "--pupils",
            "pupils.csv",
            "--registrations",
            "registrations.csv",
        ];
        if self.events {
            args.extend(["--events", "events.csv"]);
        }
        args.extend(extra);
        if !extra.contains(&"--as-of") {
            args.extend(["--as-of", "2027-07-31"]);
        }
        if !extra.contains(&"--format") {
            args.extend(["--format", "json"]);
        }
        run_in(self.dir.path(), &args)
    }
}

/// Exit 2, nothing on stdout, and every text in `wanted` on stderr (`a | b`: either).
fn assert_invalid(run: &Run, wanted: &[&str]) {
    assert_eq!(run.code, Some(2), "expected exit 2\n{}", run.describe());
    assert!(
        run.stdout.trim().is_empty(),
        "expected nothing on stdout\n{}",
        run.describe()
    );
    for w in wanted {
        assert!(
            w.split(" | ").any(|alt| run.stderr.contains(alt)),
            "expected stderr to contain `{w}`\n{}",
            run.describe()
        );
    }
}

fn assert_ok_json(run: &Run) -> Value {
    assert_eq!(run.code, Some(0), "expected exit 0\n{}", run.describe());
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", run.describe()))
}

// ---- registrations.csv ------------------------------------------------------------------------

#[test]
fn unknown_code() {
    let case = Case::regs("code", "1001,spijbelen,2026-09-07,,,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2:2"]);
}

#[test]
fn unknown_pupil() {
    let case = Case::regs("pupil", "9999,ongeoorloofd,2026-09-07,,,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2:1"]);
}

#[test]
fn end_before_start() {
    let case = Case::regs("endstart", "1001,ongeoorloofd,2026-09-08,2026-09-07,,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2"]);
    let case = Case::regs(
        "endstart-times",
        "1001,ongeoorloofd,2026-09-08T10:00,2026-09-08T09:00,,\n",
    );
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2"]);
}

#[test]
fn time_range_spanning_two_dates() {
    let case = Case::regs(
        "twodates",
        "1001,ongeoorloofd,2026-09-07,,,\n1001,ongeoorloofd,2026-09-08T10:00,2026-09-09T09:00,,\n",
    );
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:3"]);
}

#[test]
fn date_and_time_mixed_in_one_row() {
    let case = Case::regs("mixed", "1001,ongeoorloofd,2026-09-07,2026-09-07T12:00,,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2"]);
    let case = Case::regs(
        "mixed2",
        "1001,ongeoorloofd,2026-09-07T08:30,2026-09-08,,\n",
    );
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2"]);
}

#[test]
fn te_laat_ending_on_another_date() {
    let case = Case::regs("telaat-end", "1001,te_laat,2026-09-07,2026-09-08,5,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2"]);
}

#[test]
fn registration_outside_enrolment() {
    let pupils = format!(
        "{PUPILS_HEADER}1001,Noor Jansen,2016-03-10,5,GM0153,2026-09-01,2026-09-30,Andere school,\n"
    );
    // Partly before enrolled_from (line 2), partly after enrolled_until (line 3).
    let regs = format!(
        "{REG_HEADER}1001,ongeoorloofd,2026-08-31,2026-09-02,,\n1001,ongeoorloofd,2026-09-30,2026-10-01,,\n1001,ongeoorloofd,2026-09-15,,,\n"
    );
    let case = Case::new("enrolment", &pupils, &regs);
    let run = case.evaluate(&[]);
    assert_invalid(&run, &["registrations.csv:2", "registrations.csv:3"]);
    assert!(
        !run.stderr.contains("registrations.csv:4"),
        "line 4 lies inside the enrolment\n{}",
        run.describe()
    );
}

#[test]
fn overlapping_absence_registrations() {
    let case = Case::regs(
        "overlap",
        "1001,ongeoorloofd,2026-09-07,2026-09-09,,\n1001,ziek,2026-09-08T10:00,2026-09-08T11:00,,\n",
    );
    assert_invalid(
        &case.evaluate(&[]),
        &["registrations.csv:3 | registrations.csv:2"],
    );
    let case = Case::regs(
        "overlap-times",
        "1001,geoorloofd,2026-09-07T08:30,2026-09-07T10:00,,\n1001,ongeoorloofd,2026-09-07T09:59,2026-09-07T11:00,,\n",
    );
    assert_invalid(
        &case.evaluate(&[]),
        &["registrations.csv:3 | registrations.csv:2"],
    );
}

#[test]
fn touching_time_ranges_and_a_lateness_do_not_overlap() {
    // A time end is exclusive, and a lateness is not absence time.
    let case = Case::regs(
        "touching",
        "1001,geoorloofd,2026-09-07T08:30,2026-09-07T10:00,,\n1001,ongeoorloofd,2026-09-07T10:00,2026-09-07T11:00,,\n1001,te_laat,2026-09-08T08:45,,15,\n1001,ongeoorloofd,2026-09-08,,,\n",
    );
    let json = assert_ok_json(&case.evaluate(&[]));
    assert_eq!(json["signals"], Value::Array(vec![]), "{json}");
}

#[test]
fn note_on_ziek_is_refused() {
    let case = Case::regs("ziek-note", "1001,ziek,2026-09-07,,,Griep\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2:6"]);
}

#[test]
fn minutes_on_a_code_other_than_te_laat() {
    let case = Case::regs("minutes", "1001,ongeoorloofd,2026-09-07,,30,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2:5"]);
}

#[test]
fn nonexistent_date() {
    let case = Case::regs("feb30", "1001,ongeoorloofd,2027-02-30,,,\n");
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:2:3"]);
    let pupils = format!("{PUPILS_HEADER}1001,Noor Jansen,2016-02-30,5,GM0153,2022-08-22,,,\n");
    let case = Case::new("birth-feb30", &pupils, REG_HEADER);
    assert_invalid(&case.evaluate(&[]), &["pupils.csv:2:3"]);
}

#[test]
fn missing_required_column() {
    let case = Case::new(
        "nocode",
        &format!("{PUPILS_HEADER}{PUPIL_1001}"),
        "pupil_id,start,end\n1001,2026-09-07,\n",
    );
    assert_invalid(&case.evaluate(&[]), &["registrations.csv:1"]);
    let case = Case::new(
        "nobirth",
        "pupil_id,group,municipality,enrolled_from\n1001,5,GM0153,2022-08-22\n",
        REG_HEADER,
    );
    assert_invalid(&case.evaluate(&[]), &["pupils.csv:1"]);
}

// ---- pupils.csv --------------------------------------------------------------------------------

#[test]
fn duplicate_pupil_id() {
    let pupils = format!(
        "{PUPILS_HEADER}{PUPIL_1001}1001,Emma de Vries,2016-06-03,5,GM0153,2022-08-22,,,\n"
    );
    let case = Case::new("dup", &pupils, REG_HEADER);
    assert_invalid(&case.evaluate(&[]), &["pupils.csv:3"]);
}

#[test]
fn enrolled_until_before_enrolled_from() {
    let pupils =
        format!("{PUPILS_HEADER}1001,Noor Jansen,2016-03-10,5,GM0153,2022-08-22,2022-08-01,,\n");
    let case = Case::new("until", &pupils, REG_HEADER);
    assert_invalid(&case.evaluate(&[]), &["pupils.csv:2"]);
}

#[test]
fn bsn_failing_the_elfproef() {
    // 123456789: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8 - 9 = 147, not a multiple of 11.
    let pupils =
        format!("{PUPILS_HEADER}1001,Noor Jansen,2016-03-10,5,GM0153,2022-08-22,,,123456789\n");
    let case = Case::new("bsn", &pupils, REG_HEADER);
    assert_invalid(&case.evaluate(&[]), &["pupils.csv:2:9"]);
    // 111222333: 9+8+7+12+10+8+9+6 - 3 = 66 = 6 * 11: valid.
    let pupils =
        format!("{PUPILS_HEADER}1001,Noor Jansen,2016-03-10,5,GM0153,2022-08-22,,,111222333\n");
    let case = Case::new("bsn-ok", &pupils, REG_HEADER);
    assert_ok_json(&case.evaluate(&[]));
}

// ---- events.csv --------------------------------------------------------------------------------

#[test]
fn invalid_events() {
    let case = Case::regs("events", "").with_events(
        "1001,2026-10-05,zorg_ziekte,Buikpijn\n1001,2026-10-06,verwijdering,\n1001,2026-10-07,spijbelen,\n9999,2026-10-08,overig_verzuim,x\n1001,2020-01-06,overig_verzuim,voor inschrijving\n",
    );
    assert_invalid(
        &case.evaluate(&[]),
        &[
            "events.csv:2:4",
            "events.csv:3",
            "events.csv:4:3",
            "events.csv:5:1",
            "events.csv:6",
        ],
    );
}

// ---- files as a whole --------------------------------------------------------------------------

#[test]
fn missing_file() {
    let case = Case::regs("missing", "");
    let run = run_in(
        case.dir.path(),
        &[
            "evaluate",
            "--school",
            "school.toml",
            "--pupils",
            "pupils.csv",
            "--registrations",
            "geen-registraties.csv",
            "--as-of",
            "2027-07-31",
            "--format",
            "json",
        ],
    );
    assert_invalid(&run, &["geen-registraties.csv"]);
}

#[test]
fn school_toml_that_does_not_parse() {
    let case = Case::regs("school", "").file(
        "school.toml",
        "id = \"99XX00\"\nname = \"OBS Testschool\"\nholiday_region = \"noord\n\n[lesson_times]\nmonday = [\"08:30-12:00\"]\n",
    );
    assert_invalid(&case.evaluate(&[]), &["school.toml:3"]);
}

#[test]
fn school_toml_with_a_bad_lesson_time() {
    let case = Case::regs("school-time", "").file(
        "school.toml",
        "id = \"99XX00\"\nname = \"OBS Testschool\"\n\n[lesson_times]\nmonday = [\"08:30-12:00\"]\ntuesday = [\"12:00-08:30\"]\n",
    );
    assert_invalid(&case.evaluate(&[]), &["school.toml:6"]);
}

#[test]
fn card_file_that_does_not_parse() {
    let case = Case::regs("card", "").file(
        "bad.toml",
        "id = \"kapot\"\nname = \"Kapotte kaart\n\n[signals.relatief_verzuim]\n",
    );
    assert_invalid(&case.evaluate(&["--card", "bad.toml"]), &["bad.toml:2"]);
}

#[test]
fn every_problem_in_every_file_is_listed() {
    let pupils = format!(
        "{PUPILS_HEADER}1001,Noor Jansen,2016-03-10,5,GM0153,2022-08-22,,,123456789\n1002,Emma de Vries,2016-06-03,5,GM0153,2022-08-22,,,\n"
    );
    let regs = format!(
        "{REG_HEADER}1002,ongeoorloofd,2026-09-07,,,\n1002,spijbelen,2026-09-08,,,\n1002,ongeoorloofd,2026-09-10,2026-09-09,,\n1002,ziek,2026-09-14,,,Koorts\n"
    );
    let case = Case::new("many", &pupils, &regs).with_events("1002,2026-10-05,onbekend,\n");
    let run = case.evaluate(&[]);
    assert_invalid(
        &run,
        &[
            "pupils.csv:2:9",
            "registrations.csv:3:2",
            "registrations.csv:4",
            "registrations.csv:5:6",
            "events.csv:2:3",
        ],
    );
    assert!(
        !run.stderr.contains("registrations.csv:2"),
        "line 2 of registrations.csv is valid\n{}",
        run.describe()
    );
}

// ---- valid input -------------------------------------------------------------------------------

#[test]
fn no_signals_is_exit_0_with_an_empty_list() {
    // Authorized absence only: no signal.
    let case = Case::regs(
        "empty",
        "1001,geoorloofd,2026-09-07T08:30,2026-09-07T10:00,,Tandarts\n",
    );
    let json = assert_ok_json(&case.evaluate(&[]));
    assert_eq!(json["card"], "twente-po", "{json}");
    assert_eq!(json["as_of"], "2027-07-31", "{json}");
    assert_eq!(json["signals"], Value::Array(vec![]), "{json}");
    assert!(
        json.get("approaching").is_none(),
        "approaching without the flag: {json}"
    );
}

#[test]
fn approaching_adds_the_key_and_only_then() {
    // 690 unauthorized minutes as of Tue 2026-09-08: 0.72 of 960, above 0.5.
    let case = Case::regs("approaching", "1001,ongeoorloofd,2026-09-07,2026-09-08,,\n");
    let json = assert_ok_json(&case.evaluate(&["--as-of", "2026-09-08", "--approaching", "0.5"]));
    let list = json["approaching"]
        .as_array()
        .unwrap_or_else(|| panic!("approaching list: {json}"));
    assert!(
        list.iter().any(|a| a["pupil_id"] == "1001"
            && a["kind"] == "relatief_verzuim"
            && a["progress"] == 690
            && a["threshold"] == 960),
        "{json}"
    );
    let json = assert_ok_json(&case.evaluate(&["--as-of", "2026-09-08", "--approaching"]));
    assert_eq!(
        json["approaching"],
        Value::Array(vec![]),
        "0.72 < default 0.75: {json}"
    );
    let json = assert_ok_json(&case.evaluate(&["--as-of", "2026-09-08"]));
    assert!(json.get("approaching").is_none(), "{json}");
}

#[test]
fn format_table_is_readable_text() {
    let case = Case::regs(
        "table",
        "1001,ongeoorloofd,2026-09-07,2026-09-09,,\n1001,ongeoorloofd,2026-09-10,,,\n",
    );
    let run = case.evaluate(&["--format", "table"]);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("1001"), "{}", run.describe());
    assert!(
        !run.stdout.trim_start().starts_with('{'),
        "table, not JSON\n{}",
        run.describe()
    );
    assert!(run.stderr.trim().is_empty(), "{}", run.describe());
}

#[test]
fn row_order_does_not_change_the_output() {
    let rows = [
        "1001,ongeoorloofd,2026-09-07,,,",
        "1001,ongeoorloofd,2026-09-08,,,",
        "1001,ongeoorloofd,2026-09-10T08:30,2026-09-10T12:00,,",
        "1001,ongeoorloofd,2026-09-10T12:45,2026-09-10T15:00,,",
        "1001,ziek,2026-09-14,2026-09-15,,",
        "1001,te_laat,2026-09-16,,5,",
        "1001,luxe,2026-10-09,,,",
    ];
    let forward = Case::regs("order-a", &(rows.join("\n") + "\n"));
    let mut reversed: Vec<&str> = rows.to_vec();
    reversed.reverse();
    let backward = Case::regs("order-b", &(reversed.join("\n") + "\n"));
    let a = assert_ok_json(&forward.evaluate(&[]));
    let b = assert_ok_json(&backward.evaluate(&[]));
    assert!(!a["signals"].as_array().unwrap().is_empty(), "{a}");
    // Evidence lists may follow the file's order; compare everything else.
    let strip = |v: &Value| -> Vec<Value> {
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let mut s = s.clone();
                if let Some(ev) = s.get_mut("evidence").and_then(Value::as_array_mut) {
                    ev.sort_by_key(|e| e.to_string());
                }
                s
            })
            .collect()
    };
    assert_eq!(strip(&a), strip(&b));
}

// ---- verzuim card check ------------------------------------------------------------------------

#[test]
fn card_check_accepts_the_shipped_cards() {
    for card in ["cards/twente-po.toml", "cards/voorbeeld-mazl.toml"] {
        let run = run_in(&workspace_root(), &["card", "check", card]);
        assert_eq!(run.code, Some(0), "{card}\n{}", run.describe());
    }
}

#[test]
fn card_check_names_the_line_of_a_broken_card() {
    let good = std::fs::read_to_string(workspace_root().join("cards/twente-po.toml"))
        .expect("cards/twente-po.toml");
    let dir = TempDir::new("cardcheck");

    // A TOML syntax error.
    let lines: Vec<&str> = good.lines().collect();
    let id_line = lines
        .iter()
        .position(|l| l.starts_with("id = "))
        .expect("an id line")
        + 1;
    let broken: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == id_line {
                "id = \"twente-po".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    dir.write("syntax.toml", &broken);
    let run = run_in(dir.path(), &["card", "check", "syntax.toml"]);
    assert_invalid(&run, &[&format!("syntax.toml:{id_line}")]);

    // A well-formed file with an unknown party.
    let party_line = lines
        .iter()
        .position(|l| l.trim() == "party = \"leerplicht\"")
        .expect("a leerplicht action")
        + 1;
    let broken: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == party_line {
                "party = \"gemeente\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    dir.write("party.toml", &broken);
    let run = run_in(dir.path(), &["card", "check", "party.toml"]);
    assert_invalid(&run, &[&format!("party.toml:{party_line}")]);
}

#[test]
fn a_signal_does_not_change_when_later_registrations_are_removed() {
    // docs/spec/rules.md §2: "A signal depends only on registrations up to its date: removing everything
    // after the date never changes it." Whole-day rows (code, first day, last day), cut at each
    // signal's date: rows after it dropped, rows across it ending on it.
    let rows = [
        ("ongeoorloofd", "2026-09-07", "2026-10-02"),
        ("luxe", "2026-10-19", "2026-10-21"),
        ("ziek", "2026-11-02", "2026-11-20"),
        ("te_laat", "2026-11-23", "2026-11-23"),
        ("te_laat", "2026-11-24", "2026-11-24"),
        ("te_laat", "2026-11-25", "2026-11-25"),
        ("te_laat", "2026-11-26", "2026-11-26"),
        ("te_laat", "2026-11-27", "2026-11-27"),
    ];
    let csv = |cut: Option<&str>| -> String {
        let mut out = String::new();
        for (code, from, until) in rows {
            let until = match cut {
                Some(c) if from > c => continue,
                Some(c) if until > c => c,
                _ => until,
            };
            let minutes = if code == "te_laat" { "5" } else { "" };
            let end = if code == "te_laat" { "" } else { until };
            out.push_str(&format!("1001,{code},{from},{end},{minutes},\n"));
        }
        out
    };
    let full = Case::regs("cut-full", &csv(None));
    let full = assert_ok_json(&full.evaluate(&[]));
    let signals = full["signals"].as_array().expect("signals");
    assert!(signals.len() >= 8, "{full}");
    let mut differences = Vec::new();
    for s in signals {
        let date = s["date"].as_str().expect("date");
        let cut = Case::regs("cut", &csv(Some(date)));
        let cut = assert_ok_json(&cut.evaluate(&[]));
        let same = cut["signals"]
            .as_array()
            .expect("signals")
            .iter()
            .find(|c| c["date"] == s["date"] && c["kind"] == s["kind"]);
        match same {
            None => differences.push(format!("{date} {}: gone after the cut", s["kind"])),
            Some(c) if c != s => {
                let mut paths = Vec::new();
                json_diff("", s, c, &mut paths);
                differences.push(format!("{date} {}: {}", s["kind"], paths.join("; ")))
            }
            Some(_) => {}
        }
    }
    assert!(
        differences.is_empty(),
        "signals change when registrations after their date are removed \
         (value with later rows -> value without):\n{}",
        differences.join("\n")
    );
}

/// The paths where `a` and `b` differ, as `path: a -> b`.
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                json_diff(&format!("{path}.{k}"), va, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

#[test]
fn card_by_path_equals_the_built_in_card() {
    let case = Case::regs(
        "cardpath",
        "1001,te_laat,2026-09-07,,5,\n1001,te_laat,2026-09-08,,5,\n1001,te_laat,2026-09-09,,5,\n",
    );
    let path = workspace_root().join("cards/voorbeeld-mazl.toml");
    let by_path = assert_ok_json(&case.evaluate(&["--card", path.to_str().expect("utf-8 path")]));
    let by_name = assert_ok_json(&case.evaluate(&["--card", "voorbeeld-mazl"]));
    assert_eq!(by_path, by_name);
    assert_eq!(by_name["card"], "voorbeeld-mazl", "{by_name}");
    // M@ZL: the 3rd lateness is a stage; on the Twente card it is not.
    assert_eq!(by_name["signals"][0]["count"], 3, "{by_name}");
    let twente = assert_ok_json(&case.evaluate(&[]));
    assert_eq!(twente["signals"], Value::Array(vec![]), "{twente}");
}

#[test]
fn default_format_is_json_when_stdout_is_not_a_terminal() {
    let case = Case::regs("defaultformat", "1001,ziek,2026-09-07,,,\n");
    let run = run_in(
        case.dir.path(),
        &[
            "evaluate",
            "--school",
            "school.toml",
            "--pupils",
            "pupils.csv",
            "--registrations",
            "registrations.csv",
            "--as-of",
            "2027-07-31",
        ],
    );
    let json = assert_ok_json(&run);
    assert_eq!(json["signals"][0]["kind"], "ziekmelding", "{json}");
}

/// The binary writes byte for byte what the exchange crate's `load`, `evaluate_input` and
/// `write_json` give, so the scenario folders (run at the exchange level) test the binary's
/// output too: a scenario with `--approaching` and events, and the demo school.
#[test]
fn the_binary_writes_what_the_exchange_crate_writes() {
    let root = workspace_root();
    let as_of = jiff::civil::date(2027, 3, 15);
    for (school, dir) in [
        ("tests/scenarios/school.toml", "tests/scenarios/events"),
        ("examples/demo/school.toml", "examples/demo"),
    ] {
        let dir = root.join(dir);
        let files = verzuim_exchange::InputFiles {
            school: root.join(school),
            pupils: dir.join("pupils.csv"),
            registrations: dir.join("registrations.csv"),
            events: Some(dir.join("events.csv")),
            details: false,
        };
        let card = verzuim_engine::card::builtin("twente-po").expect("built-in card");
        let input = verzuim_exchange::load(&files).expect("valid input");
        let (signals, approaching) =
            verzuim_exchange::evaluate_input(&card, &input, as_of, Some(0.5));
        let mut expected = Vec::new();
        verzuim_exchange::write_json(
            &mut expected,
            &card,
            as_of,
            &input,
            &signals,
            approaching.as_deref(),
        )
        .expect("write to memory");
        let path = |p: &std::path::Path| p.display().to_string();
        let run = run_in(
            &dir,
            &[
                "evaluate",
                "--school",
                &path(&files.school),
                "--pupils",
                "pupils.csv",
                "--registrations",
                "registrations.csv",
                "--events",
                "events.csv",
                "--as-of",
                "15-03-2027",
                "--approaching",
                "0.5",
                "--format",
                "json",
            ],
        );
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert!(!signals.is_empty(), "{}: no signals", dir.display());
        assert_eq!(
            run.stdout,
            String::from_utf8(expected).unwrap(),
            "{}",
            dir.display()
        );
    }
}

/// The demo school (README's first command) raises every signal kind of docs/spec/rules.md §2.
#[test]
fn demo_school_raises_every_signal_kind() {
    let demo = workspace_root().join("examples/demo");
    let args: Vec<String> = [
        "school.toml",
        "pupils.csv",
        "registrations.csv",
        "events.csv",
    ]
    .iter()
    .zip(["--school", "--pupils", "--registrations", "--events"])
    .flat_map(|(file, flag)| [flag.to_string(), demo.join(file).display().to_string()])
    .collect();
    let mut argv: Vec<&str> = vec!["evaluate"];
    argv.extend(args.iter().map(String::as_str));
    argv.extend(["--as-of", "2027-07-31", "--format", "json"]);
    let json = assert_ok_json(&run_in(&demo, &argv));
    let kinds: std::collections::BTreeSet<&str> = json["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    let all = [
        "absoluut_verzuim",
        "relatief_verzuim",
        "langdurig_relatief_verzuim",
        "luxe_verzuim",
        "mogelijk_luxe_verzuim",
        "te_laat",
        "ziekmelding",
        "ziek_langer_dan_2_weken",
        "ziek_3e_melding_in_3_maanden",
        "zorg_ziekte",
        "overig_verzuim",
        "verwijdering",
    ];
    let missing: Vec<&str> = all.iter().copied().filter(|k| !kinds.contains(k)).collect();
    assert!(missing.is_empty(), "the demo lacks {missing:?}");
}

/// `verzuim holidays FILE --region REGION [--schooljaar YEAR]` in `dir`.
fn holidays(dir: &std::path::Path, file: &str, region: &str, school_year: Option<&str>) -> Run {
    let mut args = vec!["holidays", file, "--region", region];
    if let Some(year) = school_year {
        args.extend(["--schooljaar", year]);
    }
    run_in(dir, &args)
}

/// `verzuim holidays` turns the Rijksoverheid JSON into `[[closed]]` blocks that a school.toml
/// accepts: regio noord gets the national holidays and its own, the date parts of the answer's
/// timestamps (issue 14), named with their year.
#[test]
fn holidays_become_closed_periods_of_the_region() {
    let root = workspace_root();
    let run = holidays(
        &root,
        "examples/schoolvakanties-2026-2027.sample.json",
        "noord",
        None,
    );
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stderr, "", "{}", run.describe());
    assert_eq!(
        run.stdout.matches("[[closed]]").count(),
        5,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "name = \"Herfstvakantie 2026\"\nkind = \"vakantie\"\nfrom = 2026-10-10\nuntil = 2026-10-18"
        ),
        "{}",
        run.stdout
    );
    let parsed: toml::Table = run.stdout.parse().expect("valid TOML");
    assert_eq!(parsed["closed"].as_array().map(Vec::len), Some(5));

    let bad = TempDir::new("holidays-bad");
    std::fs::write(bad.path().join("v.json"), "[{\"content\": 3}]").unwrap();
    let run = holidays(bad.path(), "v.json", "zuid", None);
    assert_invalid(
        &run,
        &["v.json: $[0].content: verwacht een lijst, niet een getal"],
    );
}

/// The real answer for 2023-2024 (shared/data; its official dates in shared/data/README.md).
const REAL_HOLIDAYS_2023: &str =
    "crates/exchange/tests/data/schoolvakanties-2023-2024.rijksoverheid.json";

#[test]
fn holidays_of_the_real_answer_are_the_official_dates() {
    let root = workspace_root();
    let run = holidays(&root, REAL_HOLIDAYS_2023, "zuid", None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout,
        format!(
            "# Schoolvakanties regio zuid, schooljaar 2023-2024 (uit {REAL_HOLIDAYS_2023}); plak dit in school.toml.\n\
             \n[[closed]]\nname = \"Herfstvakantie 2023\"\nkind = \"vakantie\"\nfrom = 2023-10-14\nuntil = 2023-10-22\n\
             \n[[closed]]\nname = \"Kerstvakantie 2023\"\nkind = \"vakantie\"\nfrom = 2023-12-23\nuntil = 2024-01-07\n\
             \n[[closed]]\nname = \"Voorjaarsvakantie 2024\"\nkind = \"vakantie\"\nfrom = 2024-02-10\nuntil = 2024-02-18\n\
             \n[[closed]]\nname = \"Meivakantie 2024\"\nkind = \"vakantie\"\nfrom = 2024-04-27\nuntil = 2024-05-05\n\
             \n[[closed]]\nname = \"Zomervakantie 2024\"\nkind = \"vakantie\"\nfrom = 2024-07-06\nuntil = 2024-08-18\n"
        )
    );
    // Noord and midden, the region in any case.
    for (region, herfst, voorjaar, zomer) in [
        (
            "Noord",
            "from = 2023-10-21\nuntil = 2023-10-29",
            "from = 2024-02-17\nuntil = 2024-02-25",
            "from = 2024-07-20\nuntil = 2024-09-01",
        ),
        (
            "MIDDEN",
            "from = 2023-10-14\nuntil = 2023-10-22",
            "from = 2024-02-17\nuntil = 2024-02-25",
            "from = 2024-07-13\nuntil = 2024-08-25",
        ),
    ] {
        let run = holidays(&root, REAL_HOLIDAYS_2023, region, None);
        assert_eq!(run.code, Some(0), "{}", run.describe());
        for dates in [herfst, voorjaar, zomer] {
            assert!(
                run.stdout.contains(dates),
                "{region} {dates}\n{}",
                run.stdout
            );
        }
        assert!(
            run.stdout
                .contains(&format!("regio {}", region.to_lowercase()))
        );
    }
}

/// A list answer: the school year is chosen with `--schooljaar`; without it every year is
/// written, told apart by the year in the names.
#[test]
fn holidays_of_one_school_year_from_a_list_answer() {
    let root = workspace_root();
    let real = std::fs::read_to_string(root.join(REAL_HOLIDAYS_2023)).unwrap();
    let sample =
        std::fs::read_to_string(root.join("examples/schoolvakanties-2026-2027.sample.json"))
            .unwrap();
    let sample = sample.trim().trim_start_matches('[').trim_end_matches(']');
    let dir = TempDir::new("holidays-list");
    dir.write("lijst.json", &format!("[{real},{sample}]"));
    let run = holidays(dir.path(), "lijst.json", "noord", Some("2026-2027"));
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(
        run.stdout
            .starts_with("# Schoolvakanties regio noord, schooljaar 2026-2027 (uit lijst.json)")
    );
    assert_eq!(
        run.stdout.matches("[[closed]]").count(),
        5,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("2023"), "{}", run.stdout);
    let run = holidays(dir.path(), "lijst.json", "noord", None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(
        run.stdout.contains("schooljaar 2023-2024, 2026-2027"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("[[closed]]").count(),
        10,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("name = \"Zomervakantie 2024\""));
    assert!(run.stdout.contains("name = \"Zomervakantie 2027\""));
    let run = holidays(dir.path(), "lijst.json", "noord", Some("2027-2028"));
    assert_invalid(
        &run,
        &[
            "lijst.json: schooljaar 2027-2028 staat niet in het bestand; het bevat schooljaar 2023-2024, 2026-2027",
        ],
    );
    let run = holidays(dir.path(), "lijst.json", "noord", Some("2026/27"));
    assert_invalid(
        &run,
        &["--schooljaar: „2026/27” is geen schooljaar; schrijf het als 2026-2027"],
    );
    // The same school year twice: reported, nothing written.
    dir.write("dubbel.json", &format!("[{real},{real}]"));
    let run = holidays(dir.path(), "dubbel.json", "zuid", None);
    assert_invalid(
        &run,
        &["dubbel.json: $[1].content[0]: schooljaar 2023-2024 staat ook in $[0].content[0]"],
    );
}

#[test]
fn holiday_files_that_cannot_be_used_get_dutch_errors() {
    let root = workspace_root();
    let real = std::fs::read(root.join(REAL_HOLIDAYS_2023)).unwrap();
    let dir = TempDir::new("holidays-errors");
    let run = holidays(dir.path(), "weg.json", "noord", None);
    assert_invalid(&run, &["weg.json: het bestand bestaat niet"]);
    // A region in another spelling is named in Dutch, not with clap's "invalid value".
    let run = holidays(dir.path(), "weg.json", "West", None);
    assert_invalid(
        &run,
        &[
            "--region: onbekende regio „West”; kies noord, midden of zuid",
            "weg.json: het bestand bestaat niet",
        ],
    );
    assert!(!run.stderr.contains("invalid value"), "{}", run.describe());
    let at = real.windows(11).position(|w| w == b"2023-10-21T").unwrap();
    std::fs::write(dir.path().join("afgebroken.json"), &real[..at + 4]).unwrap();
    let run = holidays(dir.path(), "afgebroken.json", "noord", None);
    assert_invalid(
        &run,
        &[&format!(
            "afgebroken.json:1:{}: geen geldige JSON: het bestand houdt op midden in een tekst",
            at + 4
        )],
    );
    assert!(!run.stderr.contains("EOF"), "{}", run.describe());
    dir.write(
        "antwoord.xml",
        "<?xml version=\"1.0\"?>\n<schoolvakanties/>\n",
    );
    let run = holidays(dir.path(), "antwoord.xml", "noord", None);
    assert_invalid(
        &run,
        &["antwoord.xml:1:1: dit lijkt XML; gebruik het JSON-antwoord"],
    );
    // A byte-order mark is accepted.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&real);
    std::fs::write(dir.path().join("bom.json"), bom).unwrap();
    let run = holidays(dir.path(), "bom.json", "noord", None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("from = 2023-10-21\nuntil = 2023-10-29"));
    // Nothing skipped in silence: a vacation without regions is an error with its path.
    let text = String::from_utf8(real.clone()).unwrap();
    let no_regions = text.replacen(
        "\"regions\":[{\"region\":\"heel Nederland\",\"startdate\":\"2023-12-23T23:00:00.000Z\",\"enddate\":\"2024-01-07T22:59:00.000Z\"}]",
        "\"regions\":[]",
        1,
    );
    assert_ne!(no_regions, text);
    dir.write("zonder.json", &no_regions);
    let run = holidays(dir.path(), "zonder.json", "noord", None);
    assert_invalid(
        &run,
        &[
            "zonder.json: $.content[0].vacations[1].regions: is een lege lijst: hier horen de regio's met hun data",
        ],
    );
    // A holiday that ends on a Monday is written as read, with a note on stderr.
    let monday = text.replacen("2024-02-18T22:59:00.000Z", "2024-02-19T22:59:00.000Z", 1);
    dir.write("maandag.json", &monday);
    let run = holidays(dir.path(), "maandag.json", "zuid", None);
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("from = 2024-02-10\nuntil = 2024-02-19"));
    assert_eq!(
        run.stderr,
        "let op: maandag.json: $.content[0].vacations[2].regions[2].enddate: de vakantie eindigt \
         op maandag 2024-02-19; schoolvakanties lopen van zaterdag tot en met zondag: controleer \
         deze datum\n"
    );
}
