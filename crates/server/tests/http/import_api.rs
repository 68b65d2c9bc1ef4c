//! issue 3, item 3: "Bulk import of formats.md files into a school, all or nothing, with the same
//! line-numbered errors as the CLI", as JSON and as a multipart form. Issue 8: "parsers never
//! panic" for the import's multipart forms (API and web): arbitrary and mutated bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::Env;
use crate::region::*;

crate::http_tests!(
    an_import_with_errors_stores_nothing_and_names_every_line,
    a_valid_import_stores_everything_and_evaluates,
    an_import_as_a_multipart_form,
    broken_forms_get_a_dutch_error_naming_the_part,
);

const PUPILS: &str = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
                      2001;Sara Bakker;2016-05-04;5;Enschede;2022-08-22;400276872\n\
                      2002;Daan Smit;12-01-2017;4;GM0173;2023-08-21;\n";

const REGISTRATIONS: &str = "pupil_id,code,start,end,minutes,note\n\
                             2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
                             2002,te_laat,2026-09-22T08:45,,15,\n";

async fn an_import_with_errors_stores_nothing_and_names_every_line(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let bad_registrations = "pupil_id,code,start,end,minutes,note\n\
                             2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
                             2001,ziekk,2026-09-25,,,\n\
                             9999,ziek,2026-09-25,,,\n\
                             2002,ziek,2026-09-28,,,hoofdpijn\n\
                             2002,ongeoorloofd,2027-09-01,,,\n";
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": bad_registrations})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "ongeldige_bestanden");
    let errors = body["error"]["errors"].as_array().unwrap();
    let texts: Vec<&str> = errors.iter().map(|e| e["text"].as_str().unwrap()).collect();
    for (line, what) in [(3, "ziekk"), (4, "9999"), (5, "ziek")] {
        assert!(
            errors.iter().any(|e| e["file"] == "registrations.csv"
                && e["line"] == line
                && e["text"].as_str().unwrap().contains(what)),
            "line {line} ({what}) in {texts:#?}"
        );
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("registrations.csv:3:2:")),
        "file:line:column: {texts:#?}"
    );
    // Nothing was stored: no pupil, no registration.
    let pupils = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils",
        None,
        200,
    )
    .await;
    assert_eq!(pupils["items"], json!([]));

    // The service's own rules are line errors too (a registration after today), and still
    // nothing is stored.
    let future = "pupil_id,code,start,end,minutes,note\n\
                  2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
                  2002,ongeoorloofd,2027-09-01,,,\n";
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": future})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["errors"][0]["line"], 3);
    assert!(
        body["error"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("na vandaag")
    );
    let pupils = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils",
        None,
        200,
    )
    .await;
    assert_eq!(pupils["items"], json!([]));

    // A broken school.toml is named with its line too.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({
            "school_toml": "id = \"99XX00\"\nname = \"OBS\"\n[lesson_times]\nmonday = [\"8:30-25:00\"]\n",
            "pupils_csv": PUPILS,
            "registrations_csv": REGISTRATIONS,
        })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["errors"][0]["file"], "school.toml");
    assert!(body["error"]["errors"][0]["line"].is_u64());

    // A leerkracht may not import; nor may another school's coordinator.
    let juf = s.logged_in(TEACHER).await;
    let (status, _) = call(
        &s,
        &juf,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS})),
    )
    .await;
    assert_eq!(status, 403);
    let other = s.logged_in("ib@wilg.nl").await;
    let (status, _) = call(
        &s,
        &other,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS})),
    )
    .await;
    assert_eq!(status, 403);
}

async fn a_valid_import_stores_everything_and_evaluates(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let events =
        "pupil_id,date,event,note\n2002,2026-10-05,overig_verzuim,Vermoedelijk schoolangst\n";
    let report = ok(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({
            "pupils_csv": PUPILS,
            "registrations_csv": REGISTRATIONS,
            "events_csv": events,
        })),
        200,
    )
    .await;
    assert_eq!(report["pupils_created"], 2);
    assert_eq!(report["registrations"], 2);
    assert_eq!(report["events"], 1);
    assert_eq!(report["settings_replaced"], false);
    // 2001: Mon–Thu ongeoorloofd, the 16-hour signal; 2002: overig verzuim. Both lie before
    // today, the default cut-off: listed, waiting for review without tasks (issue 10.9).
    assert_eq!(report["sync"]["signals_new"], json!([]), "{report}");
    let found: Vec<(&str, &str)> = report["to_review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["pupil_id"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("2002", "overig_verzuim"), ("2001", "relatief_verzuim")],
        "by pupil name: {report}"
    );
    assert_eq!(report["review_before"], "2027-06-30");
    let p = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/2002",
        None,
        200,
    )
    .await;
    assert_eq!(p["municipality"], OLDENZAAL);
    assert_eq!(p["birth_date"], "2017-01-12");
    let regs = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/2002/registrations",
        None,
        200,
    )
    .await;
    assert_eq!(regs["items"][0]["code"], "te_laat");
    assert_eq!(regs["items"][0]["start"], "2026-09-22T08:45");
    assert_eq!(regs["items"][0]["minutes"], 15);
    let signals = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/signals",
        None,
        200,
    )
    .await;
    let kinds: Vec<&Value> = signals["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["kind"])
        .collect();
    assert!(kinds.contains(&&json!("relatief_verzuim")), "{kinds:?}");
    assert!(kinds.contains(&&json!("overig_verzuim")), "{kinds:?}");

    // Importing the same files again stores nothing twice and holds nothing twice.
    let again = ok(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(
            json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS, "events_csv": events}),
        ),
        200,
    )
    .await;
    assert_eq!(again["registrations"], 0, "{again}");
    assert_eq!(again["registrations_skipped"], 2, "{again}");
    assert_eq!(again["events_skipped"], 1, "{again}");
    assert_eq!(again["to_review"], json!([]), "{again}");
    // A registration overlapping a stored one (not the same) is a line error and nothing
    // changes.
    let overlapping = "pupil_id,code,start,end,minutes,note
                       2001,ongeoorloofd,2026-09-21,2026-09-25,,
";
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": overlapping})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["errors"][0]["file"], "registrations.csv");
    assert_eq!(body["error"]["errors"][0]["line"], 2);
    let regs = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/2001/registrations",
        None,
        200,
    )
    .await;
    assert_eq!(regs["items"].as_array().unwrap().len(), 1);

    // A school token with pupils:write imports too (an administration package).
    let token = token(&s, SCHOOL, &["pupils:write"]).await;
    let header_only = "pupil_id,code,start,end,minutes,note\n";
    let (status, body) = call_token(
        &s,
        &token,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": header_only})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pupils_updated"], 2);
}

fn multipart(boundary: &str, parts: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, content) in parts {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
             filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

async fn an_import_as_a_multipart_form(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let boundary = "----verzuimgrens7MA4YWxkTrZu0gW";
    let body = multipart(
        boundary,
        &[
            ("pupils.csv", PUPILS),
            (
                "registrations.csv",
                "pupil_id,code,start\n2001,ziekk,2026-09-21\n",
            ),
        ],
    );
    let res = ib
        .post(s.url("/api/schools/99XX00/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        v["error"]["errors"][0]["text"]
            .as_str()
            .unwrap()
            .split(':')
            .take(3)
            .collect::<Vec<_>>(),
        ["registrations.csv", "2", "2"]
    );

    let body = multipart(
        boundary,
        &[("pupils", PUPILS), ("registrations", REGISTRATIONS)],
    );
    let res = ib
        .post(s.url("/api/schools/99XX00/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["pupils_created"], 2);

    // Neither JSON nor a form: 415. Larger than the normal body limit is fine here (up to 10 MiB).
    let res = ib
        .post(s.url("/api/schools/99XX00/import"))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let mut big = String::from("pupil_id;birth_date;group;municipality;enrolled_from\n");
    let mut n = 3000;
    while big.len() < 3 * 1024 * 1024 {
        big.push_str(&format!("{n};2016-05-04;5;Enschede;2022-08-22\n"));
        n += 1;
    }
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": big, "registrations_csv": "pupil_id,code,start\n9999999,ziek,2026-09-21\n"})),
    )
    .await;
    assert_eq!(
        status, 422,
        "a 3 MiB import is read (and refused for its one bad line)"
    );
    assert_eq!(body["error"]["errors"].as_array().unwrap().len(), 1);
}

/// How a generated form is broken before it is sent.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut off after this many bytes (a fraction of the length, in thousandths).
    Truncate(u16),
    /// Set the byte at a position (thousandths) to this value.
    Flip(u16, u8),
    /// Insert these bytes at a position (thousandths).
    Insert(u16, Vec<u8>),
    /// Insert the boundary, or a piece of it, at a position (thousandths).
    Boundary(u16, u8),
    /// Remove every carriage return (bare LF line ends).
    BareLineFeeds,
    /// Drop a part's header block end (the empty line).
    NoHeaderEnd,
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        (0u16..1000).prop_map(Mutation::Truncate),
        (0u16..1000, any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (0u16..1000, proptest::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        (0u16..1000, 0u8..40).prop_map(|(p, n)| Mutation::Boundary(p, n)),
        Just(Mutation::BareLineFeeds),
        Just(Mutation::NoHeaderEnd),
    ]
}

fn at(len: usize, thousandths: u16) -> usize {
    len * usize::from(thousandths) / 1000
}

fn apply(body: &mut Vec<u8>, m: &Mutation, boundary: &str) {
    match m {
        Mutation::Truncate(p) => body.truncate(at(body.len(), *p)),
        Mutation::Flip(p, b) => {
            let i = at(body.len(), *p).min(body.len().saturating_sub(1));
            if let Some(x) = body.get_mut(i) {
                *x = *b;
            }
        }
        Mutation::Insert(p, bytes) => {
            let i = at(body.len(), *p);
            body.splice(i..i, bytes.iter().copied());
        }
        Mutation::Boundary(p, n) => {
            let piece = format!("\r\n--{boundary}--\r\n");
            let piece = &piece.as_bytes()[..usize::from(*n).min(piece.len())];
            let i = at(body.len(), *p);
            body.splice(i..i, piece.iter().copied());
        }
        Mutation::BareLineFeeds => body.retain(|&b| b != b'\r'),
        Mutation::NoHeaderEnd => {
            if let Some(i) = body.windows(4).position(|w| w == b"\r\n\r\n") {
                body.drain(i..i + 2);
            }
        }
    }
}

/// A form of the import's parts (some valid, some not), then broken by 0 to 3 mutations; or
/// arbitrary bytes.
fn broken_form(boundary: &'static str) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let names = prop_oneof![
        Just("pupils"),
        Just("registrations"),
        Just("events"),
        Just("school"),
        Just("pupils.csv"),
        Just("iets"),
    ];
    let contents = prop_oneof![
        Just(PUPILS.to_owned()),
        Just(REGISTRATIONS.to_owned()),
        Just("pupil_id,code,start\n2001,ziekk,2026-09-21\n".to_owned()),
        "[ -~\n]{0,80}",
    ];
    let form = proptest::collection::vec((names, contents), 0..5)
        .prop_flat_map(move |parts| {
            let mut body = String::from("preambule\r\n");
            for (name, content) in &parts {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                     filename=\"{name}.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
                ));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            (
                Just(body.into_bytes()),
                proptest::collection::vec(mutation(), 0..4),
            )
        })
        .prop_map(move |(mut body, mutations)| {
            for m in &mutations {
                apply(&mut body, m, boundary);
            }
            body
        });
    prop_oneof![
        4 => form,
        1 => proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

/// Issue 8, item 8: the import's multipart parser never panics. Arbitrary and mutated forms,
/// sent to the API's and the web page's import: never a 500; a broken form gets 400 with a Dutch
/// message naming the part (`deel N`, with its name and file once known), a form with bad files
/// 422 with `file:line:column`. Deterministic (the same cases every run); the failing body is
/// printed.
async fn broken_forms_get_a_dutch_error_naming_the_part(env: Env) {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    const BOUNDARY: &str = "----verzuimgrens7MA4YWxkTrZu0gW";
    const CASES: usize = 500;
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let strategy = broken_form(BOUNDARY);
    let mut runner = TestRunner::deterministic();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    for case in 0..CASES {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let shown = String::from_utf8_lossy(&body).into_owned();
        let res = ib
            .post(s.url("/api/schools/99XX00/import"))
            .header("content-type", &content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let answer: Value = res.json().await.unwrap();
        assert!(
            matches!(status, 200 | 400 | 422),
            "case {case}: API {status} {answer} for {shown:?}"
        );
        if status == 400 {
            let message = answer["error"]["message"].as_str().unwrap();
            match answer["error"]["code"].as_str().unwrap() {
                "ongeldig_formulier" => assert!(
                    message.contains("deel ") || message.contains("Deel "),
                    "case {case}: the part is not named: {message} for {shown:?}"
                ),
                // A form without the pupils or registrations: the missing part, named.
                "verplicht" => assert!(
                    ["pupils", "registrations"]
                        .contains(&answer["error"]["field"].as_str().unwrap())
                        && message.contains("is verplicht"),
                    "{answer}"
                ),
                other => panic!("case {case}: {other}: {answer} for {shown:?}"),
            }
        }
        if status == 422
            && let Some(errors) = answer["error"]["errors"].as_array()
        {
            for e in errors {
                assert!(e["file"].as_str().is_some_and(|f| !f.is_empty()), "{e}");
            }
        }
        let res = admin
            .post(s.url("/beheer/importeren"))
            .header("content-type", &content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let page = res.text().await.unwrap();
        assert!(
            matches!(status, 200 | 400 | 422),
            "case {case}: page {status} for {shown:?}"
        );
        if status == 400 {
            assert!(
                page.contains("deel ") || page.contains("Deel "),
                "case {case}: the page does not name the part for {shown:?}: {page}"
            );
        }
        assert!(
            !page.contains("field \"") && !page.contains("stream"),
            "{page}"
        );
    }
}
