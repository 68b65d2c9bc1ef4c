//! issue 3, item 3: "Bulk import of formats.md files into a school, all or nothing, with the same
//! line-numbered errors as the CLI", as JSON and as a multipart form.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::Env;
use crate::region::*;

crate::http_tests!(
    an_import_with_errors_stores_nothing_and_names_every_line,
    a_valid_import_stores_everything_and_evaluates,
    an_import_as_a_multipart_form,
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
    // 2001: Mon–Thu ongeoorloofd, the 16-hour signal; 2002: overig verzuim.
    assert_eq!(
        report["sync"]["signals_new"].as_array().unwrap().len(),
        2,
        "{report}"
    );
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

    // Importing again updates the pupils; a registration overlapping a stored one is a line
    // error and nothing changes.
    let (status, body) = call(
        &s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/import",
        Some(json!({"pupils_csv": PUPILS, "registrations_csv": REGISTRATIONS})),
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
