//! Tests of the input formats: every class of invalid input gives an error with the right file,
//! line and (where it applies) column; the accepted variations (separators, BOM, date forms,
//! column order, unknown columns) parse to the same thing.

use jiff::civil::date;
use verzuim_engine::card::builtin;
use verzuim_engine::model::{
    Code, EventKind, Evidence, Party, Period, Signal, SignalAction, SignalKind, Span, Trigger,
};

use crate::{Input, InputError, Source, parse, write_json, write_table};

const SCHOOL: &str = r#"
id = "99XX00"
name = "OBS De Esch"
holiday_region = "noord"

[lesson_times]
monday    = ["08:30-12:00", "12:45-15:00"]
tuesday   = ["08:30-12:00", "12:45-15:00"]
wednesday = ["08:30-12:15"]
thursday  = ["08:30-12:00", "12:45-15:00"]
friday    = ["08:30-12:00", "12:45-15:00"]

[lesson_times.groups."1-2"]
friday = []
wednesday = ["08:30-12:00"]

[[closed]]
name = "Herfstvakantie"
kind = "vakantie"
from = 2026-10-10
until = "18-10-2026"
"#;

const PUPILS: &str = "pupil_id,birth_date,group,municipality,enrolled_from,enrolled_until,name,bsn\n\
1001,2015-03-12,7-8,Enschede,2019-03-12,,Lotte Hendriks,111222333\n\
1002,2021-06-03,1-2,GM0153,2025-06-03,2027-03-31,Emma de Vries,123456782\n";

fn src<'a>(name: &'a str, text: &'a str) -> Source<'a> {
    Source {
        name,
        bytes: text.as_bytes(),
    }
}

fn run(
    school: &str,
    pupils: &str,
    regs: &str,
    events: Option<&str>,
) -> Result<Input, Vec<InputError>> {
    parse(
        src("school.toml", school),
        src("pupils.csv", pupils),
        src("registrations.csv", regs),
        events.map(|e| src("events.csv", e)),
    )
}

fn ok(school: &str, pupils: &str, regs: &str, events: Option<&str>) -> Input {
    match run(school, pupils, regs, events) {
        Ok(input) => input,
        Err(errors) => panic!("unexpected errors: {errors:#?}"),
    }
}

fn errors(school: &str, pupils: &str, regs: &str, events: Option<&str>) -> Vec<InputError> {
    match run(school, pupils, regs, events) {
        Ok(_) => panic!("expected errors"),
        Err(errors) => errors,
    }
}

/// The single error of a run, checked for file, line and column.
fn one_error(
    errors: &[InputError],
    file: &str,
    line: Option<u64>,
    column: Option<u64>,
    contains: &str,
) {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.column, column, "{e}");
    assert!(
        e.message.contains(contains),
        "{e} does not say {contains:?}"
    );
}

fn reg_error(regs: &str, line: u64, column: Option<u64>, contains: &str) {
    let e = errors(SCHOOL, PUPILS, regs, None);
    one_error(&e, "registrations.csv", Some(line), column, contains);
}

const REG_HEADER: &str = "pupil_id,code,start,end,minutes,note\n";

// ---- valid input and its variations -------------------------------------------------------

#[test]
fn valid_input_parses_in_file_order() {
    let regs = format!(
        "{REG_HEADER}1002,ziek,2026-09-07,,,\n1001,ongeoorloofd,2026-09-21,2026-09-22,,\n1001,te_laat,2026-09-23T08:40,,10,bus\n"
    );
    let events = "pupil_id,date,event,note\n1001,2026-09-24,overig_verzuim,\n";
    let input = ok(SCHOOL, PUPILS, &regs, Some(events));
    assert_eq!(input.school.id, "99XX00");
    assert_eq!(input.school.holiday_region.as_deref(), Some("noord"));
    assert_eq!(input.school.closed[0].until, date(2026, 10, 18));
    let ids: Vec<&str> = input
        .pupils
        .iter()
        .map(|p| p.record.pupil.id.as_str())
        .collect();
    assert_eq!(ids, ["1001", "1002"]);
    let p = &input.pupils[0];
    assert_eq!(p.details.name.as_deref(), Some("Lotte Hendriks"));
    assert_eq!(p.details.bsn.as_deref(), Some("111222333"));
    assert_eq!(p.registration_lines, [3, 4]);
    assert_eq!(p.event_lines, [2]);
    assert_eq!(
        p.record.registrations[0].span,
        Span::Days {
            from: date(2026, 9, 21),
            until: date(2026, 9, 22)
        }
    );
    let late = &p.record.registrations[1];
    assert_eq!(late.code, Code::TeLaat);
    assert_eq!(late.minutes_late, Some(10));
    assert_eq!(
        late.span,
        Span::Times {
            date: date(2026, 9, 23),
            from: 520,
            until: Some(520)
        }
    );
    assert_eq!(p.record.events[0].kind, EventKind::OverigVerzuim);
    assert_eq!(input.pupils[1].registration_lines, [2]);
    assert_eq!(input.first_date, date(2019, 3, 12));
    assert_eq!(input.last_date, date(2027, 3, 31));
}

#[test]
fn semicolons_bom_dutch_dates_any_column_order_unknown_columns() {
    let pupils = "\u{feff}klas;group;enrolled_from;pupil_id;municipality;birth_date;opmerking\n\
                  groep 8;7-8;12-03-2019;1001;Enschede;12-03-2015;\"met ; erin\"\n";
    let regs = "\u{feff}note;start;code;pupil_id;extra\n\
                ;21-09-2026;ongeoorloofd;1001;x\n\
                \n\
                   ;  22-09-2026 10:00 ;ongeoorloofd ; 1001 ;\n";
    let input = ok(SCHOOL, pupils, regs, None);
    let p = &input.pupils[0];
    assert_eq!(p.record.pupil.birth_date, date(2015, 3, 12));
    assert_eq!(p.record.pupil.group, "7-8");
    assert_eq!(p.registration_lines, [2, 4]);
    assert_eq!(
        p.record.registrations[1].span,
        Span::Times {
            date: date(2026, 9, 22),
            from: 600,
            // Empty end after a time: until the end of that day's lesson time.
            until: Some(900)
        }
    );
}

#[test]
fn both_separators_give_the_same_input() {
    let comma = ok(
        SCHOOL,
        PUPILS,
        &format!("{REG_HEADER}1001,ziek,2026-09-21,,,\n"),
        None,
    );
    let semi = ok(
        SCHOOL,
        &PUPILS.replace(',', ";"),
        "pupil_id;code;start;end;minutes;note\r\n1001;ziek;21-09-2026;;;\r\n",
        None,
    );
    assert_eq!(comma.pupils, semi.pupils);
}

#[test]
fn open_end_uses_the_groups_lesson_time() {
    let regs = format!(
        "{REG_HEADER}1002,geoorloofd,2026-09-23T09:00,,,\n1002,geoorloofd,2026-09-25T09:00,,,\n1002,verlof,2026-10-12T09:00,,,\n1001,geoorloofd,2026-09-23T13:00,,,\n"
    );
    let input = ok(SCHOOL, PUPILS, &regs, None);
    let until = |p: usize, r: usize| match input.pupils[p].record.registrations[r].span {
        Span::Times { until, .. } => until,
        other => panic!("{other:?}"),
    };
    // Group 1-2 on Wednesday: until 12:00; on Friday (no lessons) and in the holiday: from.
    assert_eq!(until(1, 0), Some(720));
    assert_eq!(until(1, 1), Some(540));
    assert_eq!(until(1, 2), Some(540));
    // Group 7-8 on Wednesday until 12:15, an afternoon start after that: from itself.
    assert_eq!(until(0, 0), Some(780));
}

#[test]
fn next_school_without_enrolled_until_is_ignored() {
    let pupils = "pupil_id,birth_date,group,municipality,enrolled_from,enrolled_until,next_school\n\
                  1001,2015-03-12,7-8,Enschede,2019-03-12,,Elders\n\
                  1002,2015-03-12,7-8,Enschede,2019-03-12,2027-01-01,Elders\n";
    let input = ok(SCHOOL, pupils, REG_HEADER, None);
    assert_eq!(input.pupils[0].record.pupil.next_school, None);
    assert_eq!(
        input.pupils[1].record.pupil.next_school.as_deref(),
        Some("Elders")
    );
}

#[test]
fn extra_top_level_information_is_allowed() {
    let school = format!("adres = \"Esmarkelaan 1\"\ntelefoon = 53123456\n{SCHOOL}");
    ok(&school, PUPILS, REG_HEADER, None);
}

// ---- CSV structure ----------------------------------------------------------------------

#[test]
fn missing_required_column_is_named() {
    let pupils = "pupil_id,birth_date,group,enrolled_from\n1001,2015-03-12,7-8,2019-03-12\n";
    let e = errors(SCHOOL, pupils, REG_HEADER, None);
    one_error(&e, "pupils.csv", Some(1), None, "\"municipality\"");
    // And the registrations of an unreadable pupils file give no flood of unknown pupils.
    let regs = format!("{REG_HEADER}1001,ziek,2026-09-21,,,\n");
    let e = errors(SCHOOL, pupils, &regs, None);
    assert_eq!(e.len(), 1, "{e:#?}");
}

#[test]
fn missing_required_column_in_each_file() {
    let e = errors(SCHOOL, PUPILS, "pupil_id,start\n1001,2026-09-21\n", None);
    one_error(&e, "registrations.csv", Some(1), None, "\"code\"");
    let e = errors(SCHOOL, PUPILS, REG_HEADER, Some("pupil_id,event\n"));
    one_error(&e, "events.csv", Some(1), None, "\"date\"");
}

#[test]
fn empty_file_needs_a_header() {
    let e = errors(SCHOOL, PUPILS, "\n\n", None);
    one_error(&e, "registrations.csv", None, None, "leeg");
}

#[test]
fn duplicate_header_column() {
    let e = errors(SCHOOL, PUPILS, "pupil_id,code,start,code\n", None);
    one_error(&e, "registrations.csv", Some(1), Some(4), "twee keer");
}

#[test]
fn invalid_utf8_is_an_error_with_line_and_column() {
    let mut pupils = PUPILS.as_bytes().to_vec();
    pupils.extend_from_slice(b"1003,2015-03-12,7-8,Enschede,2019-03-12,,J\xe9r\xf4me,\n");
    let e = parse(
        src("school.toml", SCHOOL),
        Source {
            name: "pupils.csv",
            bytes: &pupils,
        },
        src("registrations.csv", REG_HEADER),
        None,
    )
    .unwrap_err();
    one_error(&e, "pupils.csv", Some(4), Some(7), "UTF-8");
}

#[test]
fn utf16_is_refused() {
    let e = parse(
        src("school.toml", SCHOOL),
        Source {
            name: "pupils.csv",
            bytes: b"\xff\xfep\x00",
        },
        src("registrations.csv", REG_HEADER),
        None,
    )
    .unwrap_err();
    one_error(&e, "pupils.csv", None, None, "UTF-16");
}

#[test]
fn too_long_text_field() {
    let long = "x".repeat(1001);
    let regs = format!("{REG_HEADER}1001,verlof,2026-09-21,,,{long}\n");
    reg_error(&regs, 2, Some(6), "te lang");
    let fine = format!(
        "{REG_HEADER}1001,verlof,2026-09-21,,,{}\n",
        "é".repeat(1000)
    );
    ok(SCHOOL, PUPILS, &fine, None);
}

#[test]
fn more_fields_than_the_header() {
    reg_error(
        &format!("{REG_HEADER}1001,verlof,2026-09-21,,,bruiloft,oom\n"),
        2,
        Some(7),
        "velden",
    );
    // Trailing empty fields are harmless.
    ok(
        SCHOOL,
        PUPILS,
        &format!("{REG_HEADER}1001,verlof,2026-09-21,,,,,\n"),
        None,
    );
}

#[test]
fn empty_required_field() {
    reg_error(
        &format!("{REG_HEADER}1001,,2026-09-21,,,\n"),
        2,
        Some(2),
        "\"code\" is leeg",
    );
}

// ---- pupils.csv -------------------------------------------------------------------------

#[test]
fn duplicate_pupil_names_both_lines() {
    let pupils = format!("{PUPILS}1001,2015-03-12,7-8,Enschede,2019-03-12,,,\n");
    let e = errors(SCHOOL, &pupils, REG_HEADER, None);
    one_error(&e, "pupils.csv", Some(4), Some(1), "regel 2 en op regel 4");
}

#[test]
fn enrolled_until_before_enrolled_from() {
    let pupils = format!("{PUPILS}1003,2015-03-12,7-8,Enschede,2019-03-12,2019-03-11,,\n");
    let e = errors(SCHOOL, &pupils, REG_HEADER, None);
    one_error(&e, "pupils.csv", Some(4), Some(6), "vóór enrolled_from");
}

#[test]
fn bsn_must_pass_the_elfproef() {
    for (bsn, why) in [
        ("123456789", "elfproef"),
        ("000000000", "elfproef"),
        ("12345678", "9 cijfers"),
        ("1234567a2", "9 cijfers"),
    ] {
        let pupils = format!("{PUPILS}1003,2015-03-12,7-8,Enschede,2019-03-12,,,{bsn}\n");
        let e = errors(SCHOOL, &pupils, REG_HEADER, None);
        one_error(&e, "pupils.csv", Some(4), Some(8), why);
        assert!(e[0].message.contains(bsn));
    }
}

#[test]
fn nonexistent_and_malformed_dates() {
    for (birth, why) in [
        ("2015-02-30", "bestaat niet"),
        ("30-02-2015", "bestaat niet"),
        ("2015/03/12", "JJJJ-MM-DD"),
        ("12 maart 2015", "JJJJ-MM-DD"),
    ] {
        let pupils = format!("{PUPILS}1003,{birth},7-8,Enschede,2019-03-12,,,\n");
        let e = errors(SCHOOL, &pupils, REG_HEADER, None);
        one_error(&e, "pupils.csv", Some(4), Some(2), why);
        assert!(e[0].message.contains(birth), "{}", e[0]);
    }
}

#[test]
fn registrations_of_an_invalid_pupil_row_give_no_unknown_pupil() {
    let pupils = format!("{PUPILS}1003,2015-02-30,7-8,Enschede,2019-03-12,,,\n");
    let regs = format!("{REG_HEADER}1003,ziek,2026-09-21,,,\n");
    let e = errors(SCHOOL, &pupils, &regs, None);
    one_error(&e, "pupils.csv", Some(4), Some(2), "bestaat niet");
}

// ---- registrations.csv --------------------------------------------------------------------

#[test]
fn unknown_code_lists_the_valid_ones() {
    let e = errors(
        SCHOOL,
        PUPILS,
        "code,pupil_id,start\nzeik,1001,2026-09-21\n",
        None,
    );
    one_error(
        &e,
        "registrations.csv",
        Some(2),
        Some(1),
        "onbekende code \"zeik\"",
    );
    assert_eq!(
        e[0].to_string(),
        "registrations.csv:2:1: onbekende code \"zeik\"; geldig zijn: ongeoorloofd, luxe, ziek, te_laat, verlof, geoorloofd, schorsing"
    );
}

#[test]
fn unknown_pupil() {
    reg_error(
        &format!("{REG_HEADER}9999,ziek,2026-09-21,,,\n"),
        2,
        Some(1),
        "onbekende leerling \"9999\"",
    );
}

#[test]
fn end_before_start() {
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21,2026-09-20,,\n"),
        2,
        Some(4),
        "vóór start",
    );
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21T10:00,2026-09-21T09:00,,\n"),
        2,
        Some(4),
        "vóór start",
    );
}

#[test]
fn time_range_over_two_dates() {
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21T10:00,2026-09-22T09:00,,\n"),
        2,
        Some(4),
        "verschillende dagen",
    );
}

#[test]
fn date_and_time_mixed() {
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21T10:00,2026-09-21,,\n"),
        2,
        Some(4),
        "allebei",
    );
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21,2026-09-21 12:00,,\n"),
        2,
        Some(4),
        "allebei",
    );
}

#[test]
fn lateness_on_another_date() {
    reg_error(
        &format!("{REG_HEADER}1001,te_laat,2026-09-21,2026-09-22,,\n"),
        2,
        Some(4),
        "andere datum",
    );
    ok(
        SCHOOL,
        PUPILS,
        &format!("{REG_HEADER}1001,te_laat,2026-09-21,21-09-2026,5,\n"),
        None,
    );
}

#[test]
fn registration_outside_enrolment() {
    // Pupil 1002 is enrolled until 2027-03-31.
    reg_error(
        &format!("{REG_HEADER}1002,ziek,2027-03-30,2027-04-01,,\n"),
        2,
        Some(3),
        "buiten de inschrijving",
    );
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2019-03-11,,,\n"),
        2,
        Some(3),
        "buiten de inschrijving",
    );
}

#[test]
fn minutes_only_on_lateness_and_a_whole_number() {
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21,,5,\n"),
        2,
        Some(5),
        "te_laat",
    );
    for bad in ["-3", "2.5", "vijf", "+4"] {
        reg_error(
            &format!("{REG_HEADER}1001,te_laat,2026-09-21,,{bad},\n"),
            2,
            Some(5),
            "heel getal",
        );
    }
}

#[test]
fn note_on_sickness_is_refused() {
    reg_error(
        &format!("{REG_HEADER}1001,ziek,2026-09-21,,,griep\n"),
        2,
        Some(6),
        "aard van een ziekte",
    );
}

#[test]
fn overlapping_absence_names_the_earlier_line() {
    let regs = format!(
        "{REG_HEADER}1001,ongeoorloofd,2026-10-05,2026-10-07,,\n1001,te_laat,2026-10-05T09:00,,,\n1001,ziek,2026-10-06T10:00,,,\n1002,ziek,2026-10-06,,,\n"
    );
    let e = errors(SCHOOL, PUPILS, &regs, None);
    one_error(
        &e,
        "registrations.csv",
        Some(4),
        Some(3),
        "overlapt met regel 2 (zelfde lestijd op 06-10-2026)",
    );
    // Back to back is no overlap; a holiday is no lesson time.
    let regs = format!(
        "{REG_HEADER}1001,geoorloofd,2026-10-05T08:30,2026-10-05T10:00,,\n1001,ongeoorloofd,2026-10-05T10:00,,,\n1001,ongeoorloofd,2026-10-12,,,\n1001,verlof,2026-10-12,2026-10-16,,\n"
    );
    ok(SCHOOL, PUPILS, &regs, None);
}

// ---- events.csv ---------------------------------------------------------------------------

const EV_HEADER: &str = "pupil_id,date,event,note\n";

fn event_error(events: &str, line: u64, column: Option<u64>, contains: &str) {
    let e = errors(SCHOOL, PUPILS, REG_HEADER, Some(events));
    one_error(&e, "events.csv", Some(line), column, contains);
}

#[test]
fn event_checks() {
    event_error(
        &format!("{EV_HEADER}1001,2026-09-21,feest,\n"),
        2,
        Some(3),
        "onbekende gebeurtenis \"feest\"",
    );
    event_error(
        &format!("{EV_HEADER}1001,2026-09-21,verwijdering,\n"),
        2,
        Some(4),
        "verplicht",
    );
    event_error(
        &format!("{EV_HEADER}1001,2026-09-21,zorg_ziekte,migraine\n"),
        2,
        Some(4),
        "geweigerd",
    );
    event_error(
        &format!("{EV_HEADER}1002,2027-04-01,overig_verzuim,\n"),
        2,
        Some(2),
        "buiten de inschrijving",
    );
    event_error(
        &format!("{EV_HEADER}9999,2026-09-21,overig_verzuim,\n"),
        2,
        Some(1),
        "onbekende leerling",
    );
    event_error(
        &format!("{EV_HEADER}1001,2026-09-31,overig_verzuim,\n"),
        2,
        Some(2),
        "bestaat niet",
    );
    let input = ok(
        SCHOOL,
        PUPILS,
        REG_HEADER,
        Some(&format!(
            "{EV_HEADER}1001,21-09-2026,verwijdering,SBO De Wieken\n"
        )),
    );
    assert_eq!(
        input.pupils[0].record.events[0].note.as_deref(),
        Some("SBO De Wieken")
    );
}

// ---- school.toml --------------------------------------------------------------------------

fn school_error(school: &str, line: u64, column: Option<u64>, contains: &str) {
    let e = errors(school, PUPILS, REG_HEADER, None);
    one_error(&e, "school.toml", Some(line), column, contains);
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    school_error("id = \"x\"\nname = \n", 2, Some(8), "TOML");
}

#[test]
fn school_semantic_errors() {
    let base = "id = \"x\"\nname = \"y\"\n";
    school_error(
        &format!("{base}[lesson_times]\nwensday = [\"08:30-12:00\"]\n"),
        4,
        Some(1),
        "\"wensday\"",
    );
    school_error(
        &format!("{base}[lesson_times]\nmonday = [\"08:30-12:00\", \"11:00-13:00\"]\n"),
        4,
        Some(26),
        "overlapt",
    );
    school_error(
        &format!("{base}[lesson_times]\nmonday = [\"12:00-08:30\"]\n"),
        4,
        Some(11),
        "begin",
    );
    school_error(
        &format!("{base}[lesson_times]\nmonday = [\"8.30-12.00\"]\n"),
        4,
        Some(11),
        "8.30",
    );
    school_error(
        &format!("{base}[lesson_times]\nmonday = \"08:30-12:00\"\n"),
        4,
        Some(10),
        "lijst",
    );
    school_error(
        &format!("{base}holiday_region = \"west\"\n[lesson_times]\n"),
        3,
        Some(18),
        "\"west\"",
    );
    school_error(
        &format!("{base}[lesson_times]\n[lesson_times.groups.\"1-2\"]\nfridy = []\n"),
        5,
        Some(1),
        "\"fridy\"",
    );
    school_error(
        &format!("{base}[lesson_times]\n[extra]\na = 1\n"),
        4,
        Some(2),
        "\"extra\"",
    );
    let closed = |body: &str| format!("{base}[lesson_times]\n[[closed]]\n{body}");
    school_error(
        &closed("name = \"a\"\nkind = \"feest\"\nfrom = 2026-10-17\nuntil = 2026-10-18\n"),
        6,
        Some(8),
        "\"feest\"",
    );
    school_error(
        &closed("name = \"a\"\nkind = \"vakantie\"\nfrom = 2026-10-17\nuntil = 2026-10-16\n"),
        8,
        Some(9),
        "vóór from",
    );
    school_error(
        &closed("name = \"a\"\nkind = \"vakantie\"\nfrom = \"2026-02-30\"\nuntil = 2026-10-16\n"),
        7,
        Some(8),
        "bestaat niet",
    );
    school_error(
        &closed(
            "name = \"a\"\nkind = \"vakantie\"\nfrom = 2026-10-17T08:00:00\nuntil = 2026-10-18\n",
        ),
        7,
        Some(8),
        "zonder tijd",
    );
    school_error(
        &closed("name = \"a\"\nkind = \"vakantie\"\nfrom = 2026-10-17\n"),
        4,
        Some(1),
        "\"until\"",
    );
    school_error(
        &closed(
            "name = \"a\"\nkind = \"vakantie\"\nfrom = 2026-10-17\nuntil = 2026-10-18\nnote = 1\n",
        ),
        9,
        Some(1),
        "\"note\"",
    );
    school_error("name = \"y\"\n[lesson_times]\n", 1, Some(1), "\"id\"");
}

#[test]
fn all_school_problems_are_reported() {
    let school = "id = \"x\"\nname = \"y\"\nholiday_region = \"west\"\n[lesson_times]\nmonday = [\"25:00-26:00\"]\nwensday = []\n";
    let e = errors(school, PUPILS, REG_HEADER, None);
    let lines: Vec<Option<u64>> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(3), Some(5), Some(6)], "{e:#?}");
}

#[test]
fn invalid_utf8_in_school_toml() {
    let e = parse(
        Source {
            name: "school.toml",
            bytes: b"id = \"x\"\nname = \"\xff\"\n",
        },
        src("pupils.csv", PUPILS),
        src("registrations.csv", REG_HEADER),
        None,
    )
    .unwrap_err();
    one_error(&e, "school.toml", Some(2), Some(9), "UTF-8");
}

#[test]
fn errors_of_all_files_are_collected() {
    let pupils = format!("{PUPILS}1003,2015-02-30,7-8,Enschede,2019-03-12,,,\n");
    let regs = format!("{REG_HEADER}1001,zeik,2026-09-21,,,\n");
    let events = format!("{EV_HEADER}1001,2026-09-21,feest,\n");
    let e = errors("id = 1\n", &pupils, &regs, Some(&events));
    let files: Vec<&str> = e.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "school.toml",
            "school.toml",
            "school.toml",
            "pupils.csv",
            "registrations.csv",
            "events.csv"
        ],
        "{e:#?}"
    );
}

// ---- output -------------------------------------------------------------------------------

fn demo_input() -> Input {
    let regs = format!(
        "{REG_HEADER}1001,ongeoorloofd,2026-09-21,,,\n1001,ongeoorloofd,2026-09-22T08:30,2026-09-22T12:00,,\n1001,te_laat,2026-09-23,,,\n"
    );
    let events = format!("{EV_HEADER}1001,2026-09-24,verwijdering,SBO De Wieken\n");
    ok(SCHOOL, PUPILS, &regs, Some(&events))
}

fn signal(kind: SignalKind, on: jiff::civil::Date, evidence: Vec<Evidence>) -> Signal {
    Signal {
        kind,
        date: on,
        count: None,
        stage: None,
        minutes: None,
        period: None,
        evidence,
        pupil_participates: false,
        actions: [SignalAction {
            party: Party::School,
            text: "Meldt".into(),
            melding: true,
            referral: false,
            due: Some(date(2026, 10, 1)),
            trigger: None,
        }]
        .into(),
    }
}

#[test]
fn json_has_the_contract_shape() {
    let input = demo_input();
    let card = builtin("twente-po").expect("built-in card");
    let mut relatief = signal(
        SignalKind::RelatiefVerzuim,
        date(2026, 9, 22),
        vec![
            Evidence::Registration {
                index: 0,
                minutes: 345,
            },
            Evidence::Registration {
                index: 1,
                minutes: 210,
            },
        ],
    );
    relatief.minutes = Some(555);
    relatief.period = Some(Period {
        from: date(2026, 9, 21),
        to: date(2026, 9, 22),
    });
    let mut late = signal(
        SignalKind::TeLaat,
        date(2026, 9, 23),
        vec![Evidence::Registration {
            index: 2,
            minutes: 0,
        }],
    );
    late.count = Some(5);
    late.stage = Some("5x".into());
    let mut actions = late.actions.to_vec();
    actions[0].trigger = Some(Trigger::NietVerschenenZonderGoedeReden);
    late.actions = actions.into();
    let removal = signal(
        SignalKind::Verwijdering,
        date(2026, 9, 24),
        vec![Evidence::Event { index: 0 }],
    );
    let absolute = signal(
        SignalKind::AbsoluutVerzuim,
        date(2026, 9, 22),
        vec![Evidence::Deregistration {
            enrolled_until: date(2027, 3, 31),
        }],
    );
    // Out of order on purpose: the output sorts by date, pupil id, kind.
    let signals = vec![(0, removal), (0, late), (1, absolute), (0, relatief)];
    let mut out = Vec::new();
    write_json(&mut out, &card, date(2027, 7, 31), &input, &signals, None).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["card"], "twente-po");
    assert_eq!(json["as_of"], "2027-07-31");
    assert!(json.get("approaching").is_none());
    let s = json["signals"].as_array().unwrap();
    let order: Vec<(&str, &str)> = s
        .iter()
        .map(|s| (s["pupil_id"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("1001", "relatief_verzuim"),
            ("1002", "absoluut_verzuim"),
            ("1001", "te_laat"),
            ("1001", "verwijdering")
        ]
    );
    assert_eq!(
        s[0],
        serde_json::json!({
            "pupil_id": "1001",
            "kind": "relatief_verzuim",
            "date": "2026-09-22",
            "count": null,
            "minutes": 555,
            "period": { "from": "2026-09-21", "to": "2026-09-22" },
            "evidence": [
                { "code": "ongeoorloofd", "start": "2026-09-21", "end": "2026-09-21", "minutes": 345 },
                { "code": "ongeoorloofd", "start": "2026-09-22T08:30", "end": "2026-09-22T12:00", "minutes": 210 }
            ],
            "pupil_participates": false,
            "actions": [ { "party": "school", "text": "Meldt", "melding": true, "due": "2026-10-01" } ]
        })
    );
    assert_eq!(
        s[1]["evidence"][0],
        serde_json::json!({ "event": "uitschrijving", "date": "2027-03-31", "next_school": null })
    );
    assert_eq!(s[2]["count"], 5);
    assert_eq!(s[2]["stage"], "5x");
    assert_eq!(
        s[2]["actions"][0]["when"],
        "niet_verschenen_zonder_goede_reden"
    );
    assert_eq!(
        s[3]["evidence"][0],
        serde_json::json!({ "event": "verwijdering", "date": "2026-09-24", "note": "SBO De Wieken" })
    );
    assert!(s[0].get("stage").is_none());

    // With approaching (even empty) the key is there.
    let mut out = Vec::new();
    write_json(&mut out, &card, date(2027, 7, 31), &input, &[], Some(&[])).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["signals"], serde_json::json!([]));
    assert_eq!(json["approaching"], serde_json::json!([]));
}

#[test]
fn table_for_people() {
    let input = demo_input();
    let card = builtin("twente-po").expect("built-in card");
    let mut out = Vec::new();
    write_table(&mut out, &card, date(2027, 7, 31), &input, &[], None).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("peildatum 31-07-2027"), "{text}");
    assert!(text.contains("Geen signalen."), "{text}");

    let mut late = signal(SignalKind::TeLaat, date(2026, 9, 23), vec![]);
    late.count = Some(10);
    let mut relatief = signal(SignalKind::RelatiefVerzuim, date(2026, 10, 8), vec![]);
    relatief.minutes = Some(975);
    let mut out = Vec::new();
    write_table(
        &mut out,
        &card,
        date(2027, 7, 31),
        &input,
        &[(0, relatief), (0, late)],
        None,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("2 signalen"), "{text}");
    assert!(text.contains("1001 Lotte Hendriks"), "{text}");
    assert!(text.contains("Te laat komen (10x)"), "{text}");
    assert!(text.contains("16:15 uur"), "{text}");
    assert!(text.contains("10 keer"), "{text}");
    assert!(
        text.contains("School: Meldt (uiterlijk 01-10-2026)"),
        "{text}"
    );
    assert!(text.find("23-09-2026") < text.find("08-10-2026"), "{text}");
}

#[test]
fn line_numbers_survive_crlf_empty_lines_and_quoted_newlines() {
    let regs = "pupil_id,code,start,note\r\n\r\n1001,verlof,2026-09-21,\"twee\r\nregels\"\r\n   \r\n,,\r\n1001,zeik,2026-09-22,\r\n";
    reg_error(regs, 7, Some(2), "zeik");
    let regs = "\n\npupil_id,code,start\n\n1001,zeik,2026-09-22\n";
    reg_error(regs, 5, Some(2), "zeik");
}

#[test]
fn evidence_is_chronological_and_ends_at_the_signal_date() {
    let regs = format!(
        "{REG_HEADER}1001,ongeoorloofd,2026-09-16T08:30,2026-09-16T12:00,,\n1001,ongeoorloofd,2026-09-17,2026-10-02,,\n1001,ongeoorloofd,2026-09-15,,,\n"
    );
    let input = ok(SCHOOL, PUPILS, &regs, None);
    let card = builtin("twente-po").expect("built-in card");
    let pupil = &input.pupils[0].record;
    let evaluator =
        verzuim_engine::Evaluator::new(&card, &input.school, input.first_date, input.last_date);
    let s = evaluator
        .evaluate(pupil)
        .into_iter()
        .find(|s| s.kind == SignalKind::RelatiefVerzuim)
        .expect("a relatief signal");
    // 345 (Tue 15th) + 210 (Wed 16th, morning) + 345 (Thu 17th) + 345 (Fri 18th) >= 960.
    assert_eq!(s.date, date(2026, 9, 18));
    let mut out = Vec::new();
    write_json(&mut out, &card, date(2027, 7, 31), &input, &[(0, s)], None).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ends: Vec<(&str, &str)> = json["signals"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["start"].as_str().unwrap(), e["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ends,
        [
            ("2026-09-15", "2026-09-15"),
            ("2026-09-16T08:30", "2026-09-16T12:00"),
            // The part up to and including the signal's date.
            ("2026-09-17", "2026-09-18"),
        ]
    );
}

/// An events.csv without a `note` column: the missing note of a verwijdering is pointed out at
/// the event's column (a column always applies).
#[test]
fn verwijdering_without_a_note_column_points_at_the_event() {
    event_error(
        "pupil_id,date,event\n1001,2026-09-21,verwijdering\n",
        2,
        Some(3),
        "bij verwijdering is note verplicht",
    );
}
