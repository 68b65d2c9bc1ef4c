//! `verzuim evaluate --format json` holds a region's signals compactly
//! (`evaluate_compact` and `write_json_table`): over many chunks of pupils, with evidence of every
//! kind, stages and pupils listed out of id order, it writes the bytes that `evaluate_input` and
//! `write_json` write.

use std::fmt::Write as _;

use jiff::civil::date;
use verzuim_engine::card::builtin;
use verzuim_exchange::{
    Source, evaluate_approaching, evaluate_compact, evaluate_input, parse, write_json,
    write_json_table,
};

/// A school of `n` pupils (ids not in file order) with absence of every code, latenesses, events
/// and deregistrations without a next school.
fn school(n: usize) -> (String, String, String) {
    let mut pupils = String::from(
        "pupil_id,birth_date,group,municipality,enrolled_from,enrolled_until,next_school\n",
    );
    let mut regs = String::from("pupil_id,code,start,end,minutes,note\n");
    let mut events = String::from("pupil_id,date,event,note\n");
    for i in 0..n {
        // Ids out of order, so that the output's order is not the file's.
        let id = format!("P{:05}", (i * 7919) % n);
        let year = 2013 + (i % 8);
        let until = if i % 97 == 5 { "2027-03-31" } else { "" };
        let _ = writeln!(
            pupils,
            "{id},{year}-{:02}-{:02},{},GM{:04},2022-08-22,{until},",
            1 + i % 12,
            1 + i % 28,
            3 + i % 6,
            153 + i % 5
        );
        let weeks = i % 11;
        for w in 0..weeks {
            // Mondays and Tuesdays from 14 September 2026 on (weeks outside the holidays).
            let day = date(2026, 9, 14)
                .checked_add(jiff::Span::new().days((w * 7) as i64))
                .expect("date");
            // Every fourth pupil only comes late (the lateness stages).
            let case = if i % 4 == 0 { 2 } else { (i + w) % 5 };
            match case {
                0 => {
                    let _ = writeln!(regs, "{id},ziek,{day},,,");
                }
                1 => {
                    let _ = writeln!(regs, "{id},ongeoorloofd,{day}T08:30,{day}T12:00,,");
                }
                2 => {
                    let _ = writeln!(regs, "{id},te_laat,{day}T08:45,,{},", 5 + w);
                }
                3 => {
                    let _ = writeln!(regs, "{id},luxe,{day},,,");
                }
                _ => {
                    let _ = writeln!(regs, "{id},ongeoorloofd,{day},,,");
                }
            }
        }
        if i % 53 == 3 {
            let _ = writeln!(events, "{id},2026-10-05,zorg_ziekte,");
        }
        if i % 59 == 4 {
            let _ = writeln!(events, "{id},2026-10-06,overig_verzuim,\"gesprek, {i}\"");
        }
    }
    (pupils, regs, events)
}

#[test]
fn compact_signals_write_the_same_json() {
    let school_toml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scenarios/school.toml"
    ))
    .expect("the scenarios' school");
    let (pupils, regs, events) = school(3000);
    let input = parse(
        Source {
            name: "school.toml",
            bytes: &school_toml,
        },
        Source {
            name: "pupils.csv",
            bytes: pupils.as_bytes(),
        },
        Source {
            name: "registrations.csv",
            bytes: regs.as_bytes(),
        },
        Some(Source {
            name: "events.csv",
            bytes: events.as_bytes(),
        }),
    )
    .unwrap_or_else(|e| panic!("{}", e[0]));
    let card = builtin("twente-po").expect("card");
    for as_of in [date(2026, 11, 1), date(2027, 7, 31)] {
        let (signals, approaching) = evaluate_input(&card, &input, as_of, Some(0.5));
        assert!(signals.len() > 3000, "{}", signals.len());
        let mut expected = Vec::new();
        write_json(
            &mut expected,
            &card,
            as_of,
            &input,
            &signals,
            approaching.as_deref(),
        )
        .expect("memory");
        let table = evaluate_compact(&card, &input, as_of);
        assert_eq!(table.len(), signals.len());
        let near = evaluate_approaching(&card, &input, as_of, 0.5);
        let mut actual = Vec::new();
        write_json_table(&mut actual, &card, as_of, &input, &table, Some(&near)).expect("memory");
        let text = String::from_utf8(actual).expect("UTF-8");
        let all = if as_of.year() == 2027 {
            &[
                "te_laat",
                "luxe_verzuim",
                "zorg_ziekte",
                "overig_verzuim",
                "\"stage\"",
            ][..]
        } else {
            &[]
        };
        for kind in all {
            assert!(text.contains(kind), "{kind}");
        }
        assert_eq!(text, String::from_utf8(expected).expect("UTF-8"));
    }
}
