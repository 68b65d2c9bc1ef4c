//! issue 14: the Rijksoverheid holiday answer gives the official dates. The real answer for
//! 2023-2024 (`data/`, a byte-exact copy of shared/data) must give exactly the official dates
//! of shared/data/README.md for every holiday and region; both timestamp styles; the list
//! answer with several school years; and every problem named with its JSON path.

use jiff::civil::{Date, date};
use verzuim_exchange::holidays::{
    HolidayFile, REGIONS, by_holiday, closed_periods, read_rijksoverheid,
};

/// A real answer, byte for byte as the open-data service gave it (older style: starts at
/// `T22:00Z`/`T23:00Z` of the first day).
const REAL_2023: &[u8] = include_bytes!("data/schoolvakanties-2023-2024.rijksoverheid.json");
/// shared/data's sample for 2026-2027 (a list answer with one document).
const SAMPLE_2026: &str = include_str!("../../../examples/schoolvakanties-2026-2027.sample.json");

fn read(bytes: &[u8]) -> HolidayFile {
    let file = read_rijksoverheid("vakanties.json", bytes).expect("readable");
    assert_eq!(file.problems, [], "no problems");
    file
}

/// `(title, first day, last day)` of a region's closed periods.
fn periods(
    file: &HolidayFile,
    school_year: Option<&str>,
    region: &str,
) -> Vec<(String, Date, Date)> {
    closed_periods(file.of_school_year(school_year).unwrap(), region)
        .into_iter()
        .map(|p| (p.name, p.from, p.until))
        .collect()
}

fn p(name: &str, from: Date, until: Date) -> (String, Date, Date) {
    (name.to_owned(), from, until)
}

/// The official dates of 2023-2024 (shared/data/README.md) per region.
fn official_2023(region: &str) -> Vec<(String, Date, Date)> {
    let herfst = match region {
        "noord" => (date(2023, 10, 21), date(2023, 10, 29)),
        _ => (date(2023, 10, 14), date(2023, 10, 22)),
    };
    let voorjaar = match region {
        "zuid" => (date(2024, 2, 10), date(2024, 2, 18)),
        _ => (date(2024, 2, 17), date(2024, 2, 25)),
    };
    let zomer = match region {
        "noord" => (date(2024, 7, 20), date(2024, 9, 1)),
        "midden" => (date(2024, 7, 13), date(2024, 8, 25)),
        _ => (date(2024, 7, 6), date(2024, 8, 18)),
    };
    vec![
        p("Herfstvakantie 2023", herfst.0, herfst.1),
        p("Kerstvakantie 2023", date(2023, 12, 23), date(2024, 1, 7)),
        p("Voorjaarsvakantie 2024", voorjaar.0, voorjaar.1),
        p("Meivakantie 2024", date(2024, 4, 27), date(2024, 5, 5)),
        p("Zomervakantie 2024", zomer.0, zomer.1),
    ]
}

/// The sample's dates of 2026-2027 for a region (herfst and kerst official; the others as the
/// sample writes them).
fn sample_2026(region: &str) -> Vec<(String, Date, Date)> {
    let herfst = match region {
        "noord" => (date(2026, 10, 10), date(2026, 10, 18)),
        _ => (date(2026, 10, 17), date(2026, 10, 25)),
    };
    let voorjaar = match region {
        "noord" => (date(2027, 2, 20), date(2027, 2, 28)),
        "midden" => (date(2027, 2, 13), date(2027, 2, 21)),
        _ => (date(2027, 2, 6), date(2027, 2, 14)),
    };
    let zomer = match region {
        "noord" => (date(2027, 7, 10), date(2027, 8, 22)),
        "midden" => (date(2027, 7, 17), date(2027, 8, 29)),
        _ => (date(2027, 7, 24), date(2027, 9, 5)),
    };
    vec![
        p("Herfstvakantie 2026", herfst.0, herfst.1),
        p("Kerstvakantie 2026", date(2026, 12, 19), date(2027, 1, 3)),
        p("Voorjaarsvakantie 2027", voorjaar.0, voorjaar.1),
        p("Meivakantie 2027", date(2027, 4, 24), date(2027, 5, 2)),
        p("Zomervakantie 2027", zomer.0, zomer.1),
    ]
}

/// The sample in the newer style: every start at `T00:00:00.000Z` of the first day.
fn sample_newer_style() -> String {
    let newer = SAMPLE_2026
        .replace("T22:00:00.000Z", "T00:00:00.000Z")
        .replace("T23:00:00.000Z", "T00:00:00.000Z");
    assert_eq!(newer.matches("T00:00:00.000Z").count(), 11);
    newer
}

#[test]
fn the_real_answer_gives_the_official_dates_for_every_holiday_and_region() {
    let file = read(REAL_2023);
    assert_eq!(file.school_years(), ["2023-2024"]);
    assert_eq!(file.holidays.len(), 11);
    for region in REGIONS {
        assert_eq!(
            periods(&file, None, region),
            official_2023(region),
            "{region}"
        );
    }
    // Every holiday runs from a Saturday to a Sunday: nothing to note.
    assert_eq!(file.notes, []);
    let kerst = &file.holidays[3];
    assert_eq!(
        (kerst.name.as_str(), kerst.region.as_str(), kerst.compulsory),
        ("Kerstvakantie", "heel Nederland", true)
    );
    assert_eq!(kerst.path, "$.content[0].vacations[1].regions[0]");
}

#[test]
fn both_timestamp_styles_give_the_same_days() {
    let older = read(SAMPLE_2026.as_bytes());
    let newer = read(sample_newer_style().as_bytes());
    for region in REGIONS {
        assert_eq!(
            periods(&older, None, region),
            sample_2026(region),
            "{region}"
        );
        assert_eq!(
            periods(&newer, None, region),
            sample_2026(region),
            "{region}"
        );
    }
    assert_eq!(older.notes, []);
    assert_eq!(newer.notes, []);
}

#[test]
fn a_list_answer_with_two_school_years_is_chosen_from() {
    let real = std::str::from_utf8(REAL_2023).unwrap();
    let sample = sample_newer_style();
    let sample_document = sample.trim().trim_start_matches('[').trim_end_matches(']');
    let list = format!("[{sample_document},\n{real}]");
    let file = read(list.as_bytes());
    assert_eq!(file.school_years(), ["2023-2024", "2026-2027"]);
    assert_eq!(
        periods(&file, Some("2026-2027"), "noord"),
        sample_2026("noord")
    );
    assert_eq!(
        periods(&file, Some("2023-2024"), "zuid"),
        official_2023("zuid")
    );
    // Without a choice: both years, told apart by the year in their names.
    let mut both = official_2023("midden");
    both.extend(sample_2026("midden"));
    assert_eq!(periods(&file, None, "midden"), both);
    assert_eq!(
        file.of_school_year(Some("2027-2028")).unwrap_err(),
        "schooljaar 2027-2028 staat niet in het bestand; het bevat schooljaar 2023-2024, 2026-2027"
    );
    // The overview per holiday and region, in the file's order.
    let rows = by_holiday(file.of_school_year(Some("2023-2024")).unwrap());
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Herfstvakantie",
            "Kerstvakantie",
            "Voorjaarsvakantie",
            "Meivakantie",
            "Zomervakantie"
        ]
    );
    assert_eq!(
        rows[0].regions,
        [
            Some((date(2023, 10, 21), date(2023, 10, 29))),
            Some((date(2023, 10, 14), date(2023, 10, 22))),
            Some((date(2023, 10, 14), date(2023, 10, 22))),
        ]
    );
    assert!(rows[1].nationwide && !rows[0].nationwide);
    assert_eq!(
        rows[1].regions,
        [Some((date(2023, 12, 23), date(2024, 1, 7))); 3]
    );
}

#[test]
fn two_documents_for_the_same_school_year_are_reported() {
    let real = std::str::from_utf8(REAL_2023).unwrap();
    let list = format!("[{real}, {real}]");
    let file = read_rijksoverheid("v.json", list.as_bytes()).unwrap();
    let text: Vec<String> = file.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "v.json: $[1].content[0]: schooljaar 2023-2024 staat ook in $[0].content[0]; dit tweede \
          overzicht is niet gelezen (laat één van beide weg)"
        ]
    );
    assert_eq!(file.holidays.len(), 11, "the first one is read");
}

/// One document of one school year with the given vacations (JSON text).
fn document(vacations: &str) -> String {
    format!(r#"{{"content": [{{"schoolyear": "2026-2027", "vacations": {vacations}}}]}}"#)
}

fn problems(json: &str) -> Vec<String> {
    read_rijksoverheid("v.json", json.as_bytes())
        .unwrap()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn nothing_is_skipped_in_silence() {
    let herfst =
        r#""startdate": "2026-10-10T00:00:00.000Z", "enddate": "2026-10-18T21:59:00.000Z""#;
    let cases = [
        (
            document(&format!(
                r#"[{{"type": "Herfstvakantie", "regions": [{{{herfst}}}, {{"region": "midden", {herfst}}}, {{"region": "zuid", {herfst}}}]}}]"#
            )),
            vec![
                "v.json: $.content[0].vacations[0].regions[0].region: ontbreekt; verwacht de regio: noord, midden, zuid of heel Nederland",
                "v.json: $.content[0].vacations[0].regions: Herfstvakantie 2026-2027 heeft geen data voor regio noord; scholen daar krijgen deze vakantie niet",
            ],
        ),
        (
            document(&format!(
                r#"[{{"type": "Herfstvakantie", "regions": [{{"region": "noord", {herfst}}}]}}]"#
            )),
            vec![
                "v.json: $.content[0].vacations[0].regions: Herfstvakantie 2026-2027 heeft geen data voor regio midden en zuid; scholen daar krijgen deze vakantie niet",
            ],
        ),
        (
            document(&format!(
                r#"[{{"type": "Herfstvakantie", "regions": {{"region": "noord", {herfst}}}}}]"#
            )),
            vec!["v.json: $.content[0].vacations[0].regions: verwacht een lijst, niet een object"],
        ),
        (
            document("[]"),
            vec![
                "v.json: $.content[0].vacations: is een lege lijst: hier horen de vakanties van het schooljaar",
            ],
        ),
        (
            document(&format!(
                r#"[{{"type": " \n ", "regions": [{{"region": "heel Nederland", {herfst}}}]}}]"#
            )),
            vec![
                "v.json: $.content[0].vacations[0].type: is leeg; verwacht de naam van de vakantie, zoals Herfstvakantie",
            ],
        ),
        (
            document(&format!(
                r#"[{{"type": "Herfstvakantie", "regions": [{{"region": "heel Nederland", {herfst}}}, {{"region": "Heel nederland", {herfst}}}]}}]"#
            )),
            vec![
                "v.json: $.content[0].vacations[0].regions[1].region: regio heel Nederland staat twee keer in deze vakantie; alleen de eerste is gelezen",
            ],
        ),
        (
            r#"{"content": []}"#.to_owned(),
            vec![
                "v.json: $.content: is een lege lijst: hier hoort het overzicht van een schooljaar",
            ],
        ),
        (
            r#"[{"id": 1}, 7]"#.to_owned(),
            vec![
                "v.json: $[0].content: ontbreekt: hier hoort het overzicht van een schooljaar",
                "v.json: $[1]: verwacht een object met \"content\", niet een getal",
            ],
        ),
        (
            r#"{"content": [{"vacations": []}, {"schoolyear": "2026/27", "vacations": []}]}"#
                .to_owned(),
            vec![
                "v.json: $.content[0].schoolyear: ontbreekt; verwacht het schooljaar, zoals 2026-2027",
                "v.json: $.content[1].schoolyear: „2026/27” is geen schooljaar; schrijf het als 2026-2027 (twee opeenvolgende jaren)",
            ],
        ),
        (
            document(&format!(
                r#"[{{"type": "Herfstvakantie", "compulsorydates": "misschien", "regions": [{{"region": "oost", {herfst}}}, {{"region": "noord", "startdate": "gisteren", "enddate": 3}}, {{"region": "midden", "startdate": "2026-10-18T00:00:00.000Z", "enddate": "2026-10-10T21:59:00.000Z"}}, {{"region": "zuid", {herfst}}}]}}]"#
            )),
            vec![
                "v.json: $.content[0].vacations[0].compulsorydates: verwacht \"true\" of \"false\", niet \"misschien\"; de data zijn als adviesdata gelezen",
                "v.json: $.content[0].vacations[0].regions[0].region: onbekende regio \"oost\"; geldig zijn: noord, midden, zuid, heel Nederland",
                "v.json: $.content[0].vacations[0].regions[1].startdate: \"gisteren\" is geen tijdstip zoals 2026-10-10T00:00:00.000Z",
                "v.json: $.content[0].vacations[0].regions[1].enddate: verwacht een tijdstip als tekst, niet een getal",
                "v.json: $.content[0].vacations[0].regions[2]: de einddatum 2026-10-10 ligt vóór de begindatum 2026-10-18",
            ],
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(problems(&json), expected, "{json}");
    }
}

#[test]
fn regions_in_another_case_are_read() {
    let json = document(
        r#"[{"type": "Kerstvakantie", "regions": [{"region": "Heel Nederland",
            "startdate": "2026-12-19T00:00:00.000Z", "enddate": "2027-01-03T22:59:00.000Z"}]},
           {"type": "Herfstvakantie", "regions": [
            {"region": "NOORD", "startdate": "2026-10-10T00:00:00.000Z", "enddate": "2026-10-18T21:59:00.000Z"},
            {"region": " Midden ", "startdate": "2026-10-17T00:00:00.000Z", "enddate": "2026-10-25T22:59:00.000Z"},
            {"region": "zuid", "startdate": "2026-10-17T00:00:00.000Z", "enddate": "2026-10-25T22:59:00.000Z"}]}]"#,
    );
    let file = read(json.as_bytes());
    let regions: Vec<&str> = file.holidays.iter().map(|h| h.region.as_str()).collect();
    assert_eq!(regions, ["heel Nederland", "noord", "midden", "zuid"]);
    assert_eq!(
        periods(&file, None, "noord"),
        [
            p(
                "Herfstvakantie 2026",
                date(2026, 10, 10),
                date(2026, 10, 18)
            ),
            p("Kerstvakantie 2026", date(2026, 12, 19), date(2027, 1, 3)),
        ]
    );
}

/// A real answer once ended zuid's voorjaarsvakantie on a Monday: read as written, with a note.
#[test]
fn a_holiday_that_is_not_saturday_to_sunday_gets_a_note() {
    let json = SAMPLE_2026.replace("2027-02-14T22:59:00.000Z", "2027-02-15T22:59:00.000Z");
    let file = read(json.as_bytes());
    assert_eq!(
        file.notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "vakanties.json: $[0].content[0].vacations[2].regions[2].enddate: de vakantie eindigt op \
          maandag 2027-02-15; schoolvakanties lopen van zaterdag tot en met zondag: controleer deze datum"
        ]
    );
    assert_eq!(
        periods(&file, None, "zuid")[2],
        p(
            "Voorjaarsvakantie 2027",
            date(2027, 2, 6),
            date(2027, 2, 15)
        )
    );
}

#[test]
fn dutch_errors_for_files_that_are_no_json_answer() {
    let error = |bytes: &[u8]| -> Vec<String> {
        read_rijksoverheid("v.json", bytes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    // Truncated: the real answer (one line) cut off in the middle of noord's first startdate.
    let at = REAL_2023
        .windows(11)
        .position(|w| w == b"2023-10-21T")
        .unwrap();
    let text = error(&REAL_2023[..at + 4]);
    assert_eq!(text.len(), 1);
    assert!(
        text[0].starts_with(&format!(
            "v.json:1:{}: geen geldige JSON: het bestand houdt op midden in een tekst",
            at + 4
        )),
        "{text:?}"
    );
    assert!(
        text[0].ends_with("is het bestand volledig gedownload?"),
        "{text:?}"
    );
    assert_eq!(
        error(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<schoolvakanties/>"),
        ["v.json:1:1: dit lijkt XML; gebruik het JSON-antwoord (uitvoer JSON)"]
    );
    assert_eq!(
        error(b"[]"),
        [
            "v.json: $: een lege lijst; verwacht het overzicht van de schoolvakanties (een object, \
          of een lijst met een object per schooljaar)"
        ]
    );
    assert_eq!(
        error(b"\"schoolvakanties\""),
        [
            "v.json: $: verwacht het overzicht van de schoolvakanties (een object, of een lijst met \
          een object per schooljaar), niet een tekst"
        ]
    );
    // A byte-order mark before the real answer is accepted.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(REAL_2023);
    assert_eq!(read(&bom), read(REAL_2023));
}
