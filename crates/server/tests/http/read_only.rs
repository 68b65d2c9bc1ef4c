//! Issue 8, item 3: "A GET writes to a child's dossier" (`GET /zaken/{id}/brieven/{soort}` added a
//! letter to the timeline). Every GET route, web and API, is free of writes except audit rows of
//! reads: with the demo region seeded, every GET route of the API (from the OpenAPI document) and
//! of the web pages (from the router), with the region's ids filled in, as every demo user; the
//! database before and after must be the same but for new audit rows that record reads.

use std::collections::BTreeMap;

use verzuim_server::demo::{self, DEMO_PASSWORD, DEMO_USERS};

use crate::harness::{Env, TestServer, make_letter, web_paths};

crate::http_tests!(no_get_route_writes_but_audit_rows_of_reads);

/// The audit actions that record a read (what a GET may write).
const READ_ACTIONS: &[&str] = &["pupil_read", "audit_export"];

/// The paths of the API's GET operations, from the OpenAPI document.
fn api_paths() -> Vec<String> {
    let doc = serde_json::to_value(verzuim_server::api::openapi()).unwrap();
    let mut paths: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| ops.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    paths.sort();
    paths
}

/// The concrete paths of a path with parameters: a query that gives them for the demo region
/// (the ids every party can see: pupils and cases with a melding or referral, and a first one
/// of each school). A new GET route with parameters fails here until it is added.
fn concrete_sql(path: &str) -> Option<&'static str> {
    Some(match path {
        "/api/cases/{id}" => {
            "SELECT '/api/cases/' || id FROM cases WHERE id IN (SELECT case_id FROM meldingen \
             UNION SELECT case_id FROM referrals UNION SELECT MIN(id) FROM cases)"
        }
        "/api/meldingen/{id}" => "SELECT '/api/meldingen/' || id FROM meldingen",
        "/api/meldingen/{id}/acties" => {
            "SELECT '/api/meldingen/' || id || '/acties' FROM meldingen"
        }
        "/api/meldingen/{id}/duo-export" => {
            "SELECT '/api/meldingen/' || id || '/duo-export' FROM meldingen"
        }
        "/api/organisations/{org}/audit" => {
            "SELECT '/api/organisations/' || id || '/audit' FROM organisations"
        }
        "/api/organisations/{org}/tokens" => {
            "SELECT '/api/organisations/' || id || '/tokens' FROM organisations"
        }
        "/api/organisations/{org}/users" => {
            "SELECT '/api/organisations/' || id || '/users' FROM organisations"
        }
        "/api/organisations/{org}/second-factor" => {
            "SELECT '/api/organisations/' || id || '/second-factor' FROM organisations"
        }
        "/api/referrals/{id}" => "SELECT '/api/referrals/' || id FROM referrals",
        "/api/referrals/{id}/notes" => "SELECT '/api/referrals/' || id || '/notes' FROM referrals",
        "/api/schools/{school}/events/{id}/history" => {
            "SELECT '/api/schools/' || p.school_id || '/events/' || e.id || '/history' \
             FROM events e JOIN pupils p ON p.id = e.pupil \
             WHERE e.id IN (SELECT MIN(e2.id) FROM events e2 JOIN pupils p2 ON p2.id = e2.pupil \
             GROUP BY p2.school_id)"
        }
        "/api/schools/{school}/registrations/{id}/history" => {
            "SELECT '/api/schools/' || p.school_id || '/registrations/' || r.id || '/history' \
             FROM registrations r JOIN pupils p ON p.id = r.pupil \
             WHERE r.id IN (SELECT MIN(r2.id) FROM registrations r2 GROUP BY r2.pupil) \
             AND p.id IN (SELECT pupil FROM meldingen UNION SELECT MIN(id) FROM pupils \
             GROUP BY school_id)"
        }
        "/api/schools/{school}/pupils" => {
            "SELECT '/api/schools/' || organisation_id || '/pupils' FROM school_settings"
        }
        "/api/schools/{school}/settings" => {
            "SELECT '/api/schools/' || organisation_id || '/settings' FROM school_settings"
        }
        "/api/schools/{school}/import-review" => {
            "SELECT '/api/schools/' || organisation_id || '/import-review' FROM school_settings"
        }
        "/api/schools/{school}/contactpersoon" => {
            "SELECT '/api/schools/' || organisation_id || '/contactpersoon' FROM school_settings"
        }
        "/api/schools/{school}/signals" => {
            "SELECT '/api/schools/' || organisation_id || '/signals' FROM school_settings"
        }
        "/api/schools/{school}/pupils/{pupil}" => {
            "SELECT '/api/schools/' || p.school_id || '/pupils/' || p.pupil_id FROM pupils p \
             WHERE p.id IN (SELECT pupil FROM meldingen UNION SELECT pupil FROM referrals \
             UNION SELECT MIN(id) FROM pupils GROUP BY school_id)"
        }
        "/api/schools/{school}/pupils/{pupil}/events"
        | "/api/schools/{school}/pupils/{pupil}/inzage"
        | "/api/schools/{school}/pupils/{pupil}/registrations"
        | "/api/schools/{school}/pupils/{pupil}/signals" => return None,
        "/api/tasks/{id}" => {
            "SELECT '/api/tasks/' || id FROM tasks WHERE id IN \
             (SELECT MIN(id) FROM tasks GROUP BY organisation_id)"
        }
        "/meldingen/{id}" => "SELECT '/meldingen/' || id FROM meldingen",
        "/meldingen/{id}/duo" => "SELECT '/meldingen/' || id || '/duo' FROM meldingen",
        "/meldingen/{id}/duo.json" => "SELECT '/meldingen/' || id || '/duo.json' FROM meldingen",
        "/meldingen/{id}/duo.csv" => "SELECT '/meldingen/' || id || '/duo.csv' FROM meldingen",
        "/api/meldingen/{id}/duo-verzuimregister" => {
            "SELECT '/api/meldingen/' || id || '/duo-verzuimregister' FROM meldingen"
        }
        "/verwijzingen/{id}" => "SELECT '/verwijzingen/' || id FROM referrals",
        "/leerlingen/{school_id}/{pupil_id}/gebeurtenissen" => {
            "SELECT '/leerlingen/' || p.school_id || '/' || p.pupil_id || '/gebeurtenissen' \
             FROM pupils p WHERE p.id IN (SELECT pupil FROM events UNION SELECT MIN(id) FROM pupils \
             GROUP BY school_id)"
        }
        "/leerlingen/{school_id}/{pupil_id}/gegevens" => {
            "SELECT '/leerlingen/' || p.school_id || '/' || p.pupil_id || '/gegevens' FROM pupils p \
             WHERE p.id IN (SELECT pupil FROM meldingen UNION SELECT MIN(id) FROM pupils \
             GROUP BY school_id)"
        }
        "/leerlingen/{school_id}/{pupil_id}" => {
            "SELECT '/leerlingen/' || p.school_id || '/' || p.pupil_id FROM pupils p \
             WHERE p.id IN (SELECT pupil FROM meldingen UNION SELECT pupil FROM referrals \
             UNION SELECT MIN(id) FROM pupils GROUP BY school_id)"
        }
        "/zaken/{case_id}/brieven/{letter_id}" => {
            "SELECT '/zaken/' || case_id || '/brieven/' || id FROM case_letters"
        }
        "/zaken/{case_id}/brieven" => "SELECT '/zaken/' || case_id || '/brieven' FROM case_letters",
        "/api/ouders/verlof/{id}"
        | "/ouders/verlof/{id}"
        | "/ouders/verlof/{id}/besluit.pdf"
        | "/ouders/verlof/{id}/werkgeversverklaring"
        | "/ouders/brieven/{id}"
        | "/ouders/uitnodiging/{token}"
        | "/ouders/{school_id}/{pupil_id}"
        | "/ouders/{school_id}/{pupil_id}/verlof"
        | "/ouders/{school_id}/{pupil_id}/ziek"
        | "/ouders/{school_id}/{pupil_id}/beter" => return None,
        "/verlof/{id}" | "/verlof/{id}/besluit.pdf" | "/verlof/{id}/werkgeversverklaring" => {
            return None;
        }
        "/leerlingen/{school_id}/{pupil_id}/ouders" => {
            "SELECT '/leerlingen/' || p.school_id || '/' || p.pupil_id || '/ouders' FROM pupils p \
             WHERE p.id IN (SELECT MIN(id) FROM pupils GROUP BY school_id)"
        }
        _ => panic!("{path}: add the ids of this GET route to the walk (read_only.rs)"),
    })
}

/// Every concrete path to GET.
async fn concrete_paths(s: &TestServer) -> Vec<String> {
    let mut out = Vec::new();
    for path in api_paths().into_iter().chain(web_paths()) {
        if !path.contains('{') {
            out.push(path);
            continue;
        }
        match concrete_sql(&path) {
            Some(sql) => {
                let found = s.raw_texts(sql).await;
                assert!(
                    !found.is_empty(),
                    "{path}: the demo region has no ids for it"
                );
                out.extend(found);
            }
            None => {
                // A pupil's sub-resource: the pupil paths, with the tail.
                let tail = path.rsplit('/').next().unwrap();
                let pupils = s
                    .raw_texts(concrete_sql("/api/schools/{school}/pupils/{pupil}").unwrap())
                    .await;
                out.extend(pupils.into_iter().map(|p| format!("{p}/{tail}")));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every table's rows as sorted text, but the audit log (compared apart) and the sessions'
/// activity (`last_seen_at`, `expires_at`: the idle timeout's bookkeeping, not data).
async fn snapshot(s: &TestServer) -> BTreeMap<String, Vec<String>> {
    let postgres = s.url.starts_with("postgres");
    let tables = if postgres {
        s.raw_texts(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .await
    } else {
        s.raw_texts(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .await
    };
    let mut out = BTreeMap::new();
    for table in tables {
        if table == "audit_log" {
            continue;
        }
        let sql = if table == "sessions" {
            "SELECT id || ' ' || user_id || ' ' || created_at FROM sessions".to_owned()
        } else if postgres {
            format!("SELECT row_to_json(t)::text FROM {table} t")
        } else {
            let columns = s
                .raw_texts(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .await;
            let row: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            format!("SELECT {} FROM \"{table}\"", row.join(" || '|' || "))
        };
        let mut rows = s.raw_texts(&sql).await;
        rows.sort();
        out.insert(table, rows);
    }
    out
}

async fn no_get_route_writes_but_audit_rows_of_reads(env: Env) {
    env.clock.set(demo::demo_start());
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed the demo region");
    // Everyone logs in (sessions and audit rows of logins) before the walk.
    let mut clients = Vec::new();
    for u in DEMO_USERS {
        let c = crate::harness::no_redirects(&s);
        assert_eq!(s.login(&c, u.email, DEMO_PASSWORD).await.status(), 200);
        clients.push((u.email, c));
    }
    // Letters made (POST) by the school and by leerplicht, so that reading them is walked too.
    let case = s
        .raw_texts("SELECT CAST(MIN(case_id) AS TEXT) FROM meldingen WHERE municipality = 'GM0153'")
        .await[0]
        .parse()
        .unwrap();
    let melding = s
        .raw_texts("SELECT CAST(MIN(id) AS TEXT) FROM meldingen WHERE municipality = 'GM0153'")
        .await[0]
        .clone();
    for (email, kind) in [
        ("coordinator@obs-de-esch.example", "overzicht_melding"),
        ("leerplicht@enschede.example", "waarschuwingsbrief"),
    ] {
        let c = s.browser();
        assert_eq!(s.login(&c, email, DEMO_PASSWORD).await.status(), 200);
        make_letter(&s, &c, case, &[("soort", kind), ("melding", &melding)])
            .await
            .unwrap_or_else(|e| panic!("{email}: {kind}: {e:?}"));
    }

    let paths = concrete_paths(&s).await;
    let web = web_paths();
    assert!(web.len() >= 30, "the router's paths: {web:?}");
    assert!(api_paths().len() >= 25, "the OpenAPI document's GET paths");
    let before = snapshot(&s).await;
    let last_audit = s
        .raw_texts("SELECT CAST(COALESCE(MAX(id), 0) AS TEXT) FROM audit_log")
        .await[0]
        .clone();

    let mut answered = BTreeMap::<u16, usize>::new();
    for (email, c) in &clients {
        for path in &paths {
            let res = c.get(s.url(path)).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status < 500, "GET {path} as {email}: {status}");
            *answered.entry(status).or_default() += 1;
        }
    }
    eprintln!(
        "walked {} paths as {} users: {answered:?}",
        paths.len(),
        clients.len()
    );
    // The walk reached pages and data, not only refusals.
    assert!(answered[&200] > 200, "{answered:?}");

    let after = snapshot(&s).await;
    for (table, rows) in &before {
        assert_eq!(
            rows, &after[table],
            "a GET changed the table {table} (rows before, after)"
        );
    }
    assert_eq!(before.len(), after.len());
    let actions = s
        .raw_texts(&format!(
            "SELECT action FROM audit_log WHERE id > {last_audit}"
        ))
        .await;
    assert!(!actions.is_empty(), "the reads are audited");
    for a in &actions {
        assert!(
            READ_ACTIONS.contains(&a.as_str()),
            "a GET wrote the audit row {a}"
        );
    }
}
