//! security.md, Authorization: "A test matrix covers every route × every role × own and other
//! organisation." One table: every endpoint of the OpenAPI document (method + path template),
//! and per column the class of status expected. The test also fails when the document has a
//! route the table does not list (or the other way round).
//!
//! The region (tests/http/region.rs) with one pupil, 1001 of school 99XX00 (group 5, home
//! municipality Enschede), who has a melding to Enschede (geregistreerd), a referral to GGD
//! Twente (aangemeld), an open school task and an event. "Own" is the organisation the pupil
//! belongs to or was reported to; "other" one of the same kind that has nothing to do with it:
//!
//! | column | own                          | other                         |
//! |--------|------------------------------|-------------------------------|
//! | lk     | leerkracht 99XX00 (group 5)  | leerkracht 98YY00 (group 5)   |
//! | vc     | verzuimcoordinator 99XX00    | verzuimcoordinator 98YY00     |
//! | lp     | leerplichtambtenaar GM0153   | leerplichtambtenaar GM0173    |
//! | jgz    | jgz GGDTW                    | jgz GGDXX                     |
//! | bh     | beheerder 99XX00             | beheerder 98YY00              |
//! | anon   | no credentials               |                               |
//! | tok    | 99XX00 token with the route's permission | 98YY00 token with it |
//! | tok-   | 99XX00 token with every permission but the route's |            |
//!
//! Classes: `2` success; `V` authorised, but the (deliberately invalid) body or the state is
//! refused (400, 409, 422: writes in the table do not change anything); `3` 403; `4` 404 (out of
//! the organisation's scope, or no such object); `1` 401.
//!
//! The table must also agree with the routes' declared policies (`verzuim_server::policy`, read
//! back from the OpenAPI document's `x-toegang`: who, roles, permission): a role the route
//! declares gets through for its own organisation (2, V or 4), a role it does not declare is
//! refused (3) for both; a token with the declared permission gets through, any other token is
//! refused; only a route open to anyone answers the anonymous caller. A route without a declared
//! policy fails.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{Value, json};
use verzuim_server::Permission;

use crate::harness::{Env, TestServer};
use crate::region::*;

crate::http_tests!(every_route_every_role_own_and_other_organisation);

/// Which object an `{id}` in the path names.
#[derive(Debug, Clone, Copy)]
enum Id {
    No,
    Registration,
    Event,
    Task,
    Case,
    Melding,
    Referral,
    Missing,
}

struct Row {
    method: &'static str,
    path: &'static str,
    id: Id,
    /// The token permission the route accepts (`None`: users only).
    permission: Option<&'static str>,
    /// A JSON body ("" for none).
    body: &'static str,
    /// Log every user in anew for this row (it ends sessions).
    fresh: bool,
    /// `lk vc lp jgz bh anon tok tok-`, each own+other except `anon` and `tok-`.
    cells: &'static str,
}

const fn r(
    method: &'static str,
    path: &'static str,
    id: Id,
    permission: Option<&'static str>,
    body: &'static str,
    cells: &'static str,
) -> Row {
    Row {
        method,
        path,
        id,
        permission,
        body,
        fresh: false,
        cells,
    }
}

const PUPIL: &str = r#"{"pupil_id":"1001","birth_date":"2016-03-01","group":"5","municipality":"Enschede","enrolled_from":"2022-08-22"}"#;
const PUPIL_BAD: &str = r#"{"birth_date":"2023-01-01","group":"5","municipality":"Enschede","enrolled_from":"2022-08-22"}"#;
const FUTURE_REG: &str = r#"{"code":"ongeoorloofd","start":"2027-07-05"}"#;
const FUTURE_EVENT: &str = r#"{"event":"overig_verzuim","date":"2027-07-05","note":"x"}"#;
const NO_REASON: &str = r#"{"reason":""}"#;
const LONG_CODE: &str =
    r#"{"code":"12345678901234567890123456789012345678901234567890123456789012345"}"#;
const BAD_MAIL_CHOICE: &str = r#"{"preferences":[{"kind":"melding","mode":"soms"}]}"#;
const LATE_PARENTS: &str = r#"{"parents_informed":{"date":"2099-01-01","how":"gesprek"}}"#;

use Id::*;

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //  method    path                                                    id            permission                body             lk vc lp jg bh a tok -
    r("GET",    "/health",                                               No,           None,                     "",              "22 22 22 22 22 2 22 2"),
    r("POST",   "/api/auth/login",                                       No,           None,                     "{}",            "VV VV VV VV VV V VV V"),
    Row { fresh: true, ..r("POST", "/api/auth/logout",                   No,           None,                     "",              "22 22 22 22 22 2 22 2") },
    r("POST",   "/api/auth/password",                                    No,           None,                     "PASSWORD",      "VV VV VV VV VV 1 33 3"),
    r("GET",    "/api/auth/me",                                          No,           None,                     "",              "22 22 22 22 22 1 22 2"),
    r("GET",    "/api/me/mail",                                          No,           None,                     "",              "22 22 22 22 22 1 33 3"),
    r("PUT",    "/api/me/mail",                                          No,           None,                     BAD_MAIL_CHOICE, "VV VV VV VV VV 1 33 3"),
    // The login's second factor: a session (any step); a token is no person (403). A too long code is
    // refused before it is counted by the throttle; a started set-up changes no login.
    r("POST",   "/api/auth/second-factor",                               No,           None,                     LONG_CODE,       "VV VV VV VV VV 1 33 3"),
    r("POST",   "/api/auth/second-factor/enrolment",                     No,           None,                     "",              "22 22 22 22 22 1 33 3"),
    r("POST",   "/api/auth/second-factor/enrolment/confirm",             No,           None,                     LONG_CODE,       "VV VV VV VV VV 1 33 3"),
    r("POST",   "/api/organisations/{org}/tokens",                       No,           None,                     r#"{"name":"","permissions":["pupils:read"]}"#, "33 33 33 33 V3 1 33 3"),
    r("GET",    "/api/organisations/{org}/tokens",                       No,           None,                     "",              "33 33 33 33 23 1 33 3"),
    r("DELETE", "/api/organisations/{org}/tokens/{id}",                  Missing,      None,                     "",              "33 33 33 33 43 1 33 3"),
    // The organisation's accounts (beheerder of the organisation only); user 999999 does not
    // exist, and requiring no second factor where none is required changes nothing.
    r("GET",    "/api/organisations/{org}/users",                        No,           None,                     "",              "33 33 33 33 23 1 33 3"),
    r("POST",   "/api/organisations/{org}/users",                        No,           None,                     r#"{"email":"geen-adres","role":"leerkracht"}"#, "33 33 33 33 V3 1 33 3"),
    r("DELETE", "/api/organisations/{org}/users/{user}/roles/{role}",    No,           None,                     "",              "33 33 33 33 43 1 33 3"),
    r("DELETE", "/api/organisations/{org}/users/{user}/second-factor",   No,           None,                     "",              "33 33 33 33 43 1 33 3"),
    r("GET",    "/api/organisations/{org}/second-factor",                No,           None,                     "",              "33 33 33 33 23 1 33 3"),
    r("PUT",    "/api/organisations/{org}/second-factor",                No,           None,                     r#"{"required":false}"#, "33 33 33 33 23 1 33 3"),
    r("GET",    "/api/organisations/{org}/audit",                        No,           None,                     "",              "33 33 33 33 23 1 33 3"),
    // schools
    r("GET",    "/api/schools/{school}/settings",                        No,           None,                     "",              "33 23 33 33 23 1 33 3"),
    r("PUT",    "/api/schools/{school}/settings",                        No,           None,                     r#"{"card_id":"bestaat-niet","lesson_times":{}}"#, "33 33 33 33 V3 1 33 3"),
    // The contact person in DUO's verzuimregister: none yet (404); an empty one is refused (422).
    r("GET",    "/api/schools/{school}/contactpersoon",                  No,           None,                     "",              "33 43 33 33 43 1 33 3"),
    r("PUT",    "/api/schools/{school}/contactpersoon",                  No,           None,                     r#"{"naam":"","functie":"","telefoon":"","email":""}"#, "33 V3 33 33 V3 1 33 3"),
    r("GET",    "/api/municipalities",                                   No,           None,                     "",              "22 22 22 22 22 1 22 2"),
    r("GET",    "/api/ggd-organisations",                                No,           None,                     "",              "22 22 22 22 22 1 22 2"),
    // pupils
    r("GET",    "/api/schools/{school}/pupils",                          No,           Some("pupils:read"),      "",              "23 23 33 33 23 1 23 3"),
    r("POST",   "/api/schools/{school}/pupils",                          No,           Some("pupils:write"),     PUPIL,           "33 V3 33 33 V3 1 V3 3"),
    r("GET",    "/api/schools/{school}/pupils/{pupil}",                  No,           Some("pupils:read"),      "",              "23 23 24 24 23 1 23 3"),
    r("PUT",    "/api/schools/{school}/pupils/{pupil}",                  No,           Some("pupils:write"),     PUPIL_BAD,       "33 V3 33 33 V3 1 V3 3"),
    r("POST",   "/api/schools/{school}/pupils/{pupil}/deregister",       No,           Some("pupils:write"),     r#"{"enrolled_until":"2020-01-01"}"#, "33 V3 33 33 V3 1 V3 3"),
    // registrations
    r("GET",    "/api/schools/{school}/pupils/{pupil}/registrations",    No,           Some("registrations:read"),  "",           "23 23 24 33 23 1 23 3"),
    r("POST",   "/api/schools/{school}/pupils/{pupil}/registrations",    No,           Some("registrations:write"), FUTURE_REG,   "V3 V3 33 33 33 1 V3 3"),
    r("PUT",    "/api/schools/{school}/registrations/{id}",              Registration, Some("registrations:write"), FUTURE_REG,   "V3 V3 33 33 33 1 V3 3"),
    r("DELETE", "/api/schools/{school}/registrations/{id}",              Missing,      Some("registrations:write"), "",           "43 43 33 33 33 1 43 3"),
    r("GET",    "/api/schools/{school}/registrations/{id}/history",      Registration, Some("registrations:read"),  "",           "23 23 33 33 23 1 23 3"),
    // events
    r("GET",    "/api/schools/{school}/pupils/{pupil}/events",           No,           Some("registrations:read"),  "",           "23 23 33 33 23 1 23 3"),
    r("POST",   "/api/schools/{school}/pupils/{pupil}/events",           No,           Some("registrations:write"), FUTURE_EVENT, "V3 V3 33 33 33 1 V3 3"),
    r("PUT",    "/api/schools/{school}/events/{id}",                     Event,        Some("registrations:write"), FUTURE_EVENT, "V3 V3 33 33 33 1 V3 3"),
    r("DELETE", "/api/schools/{school}/events/{id}",                     Missing,      Some("registrations:write"), "",           "43 43 33 33 33 1 43 3"),
    r("GET",    "/api/schools/{school}/events/{id}/history",             Event,        Some("registrations:read"),  "",           "23 23 33 33 23 1 23 3"),
    // import
    r("POST",   "/api/schools/{school}/import",                          No,           Some("pupils:write"),     r#"{"pupils_csv":"x","registrations_csv":"y"}"#, "33 V3 33 33 V3 1 V3 3"),
    // Signals an import holds for review (issue 10.9): signal 999999 is no held signal (404).
    r("GET",    "/api/schools/{school}/import-review",                   No,           Some("signals:read"),     "",              "33 23 33 33 23 1 23 3"),
    r("POST",   "/api/schools/{school}/import-review/{id}",              Missing,      Some("cases:write"),      r#"{"decision":"actie_nodig"}"#, "33 43 33 33 33 1 43 3"),
    // signals
    r("GET",    "/api/schools/{school}/signals",                         No,           Some("signals:read"),     "",              "33 23 33 33 23 1 23 3"),
    r("GET",    "/api/schools/{school}/pupils/{pupil}/signals",          No,           Some("signals:read"),     "",              "33 23 33 33 23 1 23 3"),
    // cases
    r("GET",    "/api/cases",                                            No,           Some("cases:read"),       "",              "33 22 22 22 33 1 22 3"),
    // The fixture's case is the relatief chain's (the melding); the referral to GGD-JGZ lies in
    // the ziekte chain's own case (issue 10.6), so GGD-JGZ does not see this one.
    r("GET",    "/api/cases/{id}",                                       Case,         Some("cases:read"),       "",              "33 24 24 44 33 1 24 3"),
    r("POST",   "/api/cases/{id}/close",                                 Case,         Some("cases:write"),      NO_REASON,       "33 V4 33 33 33 1 V4 3"),
    r("POST",   "/api/cases/{id}/reopen",                                Case,         Some("cases:write"),      NO_REASON,       "33 V4 33 33 33 1 V4 3"),
    // tasks
    r("GET",    "/api/tasks",                                            No,           Some("cases:read"),       "",              "33 22 22 22 33 1 22 3"),
    r("GET",    "/api/tasks/{id}",                                       Task,         Some("cases:read"),       "",              "33 24 24 44 33 1 24 3"),
    r("POST",   "/api/tasks/{id}/complete",                              Task,         Some("cases:write"),      LATE_PARENTS,    "33 V4 44 44 33 1 V4 3"),
    r("POST",   "/api/tasks/{id}/not-needed",                            Task,         Some("cases:write"),      NO_REASON,       "33 V4 44 44 33 1 V4 3"),
    // meldingen
    r("GET",    "/api/meldingen",                                        No,           Some("meldingen:read"),   "",              "33 22 22 33 33 1 22 3"),
    r("GET",    "/api/meldingen/{id}",                                   Melding,      Some("meldingen:read"),   "",              "33 24 24 33 33 1 24 3"),
    r("POST",   "/api/meldingen/{id}/status",                            Melding,      Some("meldingen:write"),  r#"{"status":"afgesloten","reason":"overig","afspraken":"x"}"#, "33 34 V4 33 33 1 34 3"),
    r("POST",   "/api/meldingen/{id}/afspraken",                         Melding,      Some("meldingen:write"),  r#"{"afspraken":""}"#, "33 33 V4 33 33 1 33 3"),
    r("GET",    "/api/meldingen/{id}/duo-export",                        Melding,      Some("meldingen:read"),   "",              "33 24 24 33 33 1 24 3"),
    r("GET",    "/api/meldingen/{id}/duo-verzuimregister",               Melding,      Some("meldingen:read"),   "",              "33 24 24 33 33 1 24 3"),
    // The school's writes for DUO's verzuimregister (issue 11): each body breaks a rule (422).
    r("PUT",    "/api/meldingen/{id}/duo-verzuimregister",               Melding,      Some("meldingen:write"),  r#"{"alle_lessen_gemist":true,"actie_door_gemeente_gewenst":false}"#, "33 V4 33 33 33 1 V4 3"),
    r("POST",   "/api/meldingen/{id}/duo-verzuimregister/indiening",     Melding,      Some("meldingen:write"),  r#"{"meldingsnummer":"VR-1","ingediend_op":"2027-06-30"}"#, "33 V4 33 33 33 1 V4 3"),
    r("POST",   "/api/meldingen/{id}/duo-verzuimregister/wijziging",     Melding,      Some("meldingen:write"),  r#"{"ingediend_op":"2027-06-30"}"#, "33 V4 33 33 33 1 V4 3"),
    r("POST",   "/api/meldingen/{id}/duo-verzuimregister/status",        Melding,      Some("meldingen:write"),  r#"{"status":"in_behandeling","sinds":"2027-06-30"}"#, "33 V4 33 33 33 1 V4 3"),
    r("GET",    "/api/meldingen/{id}/acties",                            Melding,      None,                     "",              "33 33 24 33 33 1 33 3"),
    r("POST",   "/api/meldingen/{id}/acties",                            Melding,      None,                     r#"{"kind":"bestaat-niet","date":"2026-10-01"}"#, "33 33 V4 33 33 1 33 3"),
    // leerplicht's regional figures: every municipality its own (issue 11)
    r("GET",    "/api/gemeente/prikactie",                               No,           None,                     "",              "33 33 22 33 33 1 33 3"),
    r("GET",    "/api/gemeente/jaarcijfers",                             No,           None,                     "",              "33 33 22 33 33 1 33 3"),
    // referrals
    r("GET",    "/api/referrals",                                        No,           None,                     "",              "33 22 33 22 33 1 33 3"),
    r("GET",    "/api/referrals/{id}",                                   Referral,     None,                     "",              "33 24 33 24 33 1 33 3"),
    r("POST",   "/api/referrals/{id}/status",                            Referral,     None,                     r#"{"status":"aangemeld"}"#, "33 V4 33 V4 33 1 33 3"),
    r("GET",    "/api/referrals/{id}/notes",                             Referral,     None,                     "",              "33 33 33 24 33 1 33 3"),
    r("POST",   "/api/referrals/{id}/notes",                             Referral,     None,                     r#"{"text":""}"#, "33 33 33 V4 33 1 33 3"),
    r("POST",   "/api/referrals/{id}/afspraken",                         Referral,     None,                     r#"{"text":""}"#, "33 33 33 V4 33 1 33 3"),
    // privacy
    r("GET",    "/api/schools/{school}/pupils/{pupil}/inzage",           No,           None,                     "",              "33 33 33 33 23 1 33 3"),
    r("POST",   "/api/admin/retention",                                  No,           None,                     "",              "33 33 33 33 22 1 33 3"),
    // The parents' portal (issue 12): a person only (a token 403); none of these users is a
    // parent, so they have no children and every child or leave request is 404.
    r("GET",    "/api/ouders/kinderen",                                  No,           None,                     "",              "22 22 22 22 22 1 33 3"),
    r("GET",    "/api/ouders/verlof/{id}",                               Missing,      None,                     "",              "44 44 44 44 44 1 33 3"),
    r("POST",   "/api/ouders/kinderen/{school}/{pupil}/ziekmelding",     No,           None,                     r#"{"dag":"vandaag"}"#, "44 44 44 44 44 1 33 3"),
    r("POST",   "/api/ouders/kinderen/{school}/{pupil}/betermelding",    No,           None,                     r#"{"dag":"morgen"}"#, "44 44 44 44 44 1 33 3"),
    r("POST",   "/api/ouders/kinderen/{school}/{pupil}/verlof",          No,           None,                     r#"{"soort":"gewichtige_omstandigheden","van":"2027-07-05","tot":"2027-07-05","omstandigheid":"huwelijk"}"#, "44 44 44 44 44 1 33 3"),
];

/// The users of the role columns: (own, other).
const USERS_BY_COLUMN: [(&str, &str); 5] = [
    (TEACHER, "leerkracht@wilg.nl"),
    (COORDINATOR, "ib@wilg.nl"),
    (LEERPLICHT, LEERPLICHT_OLDENZAAL),
    (JGZ, OTHER_JGZ),
    (SCHOOL_ADMIN, "beheer@wilg.nl"),
];
const COLUMN_NAMES: [&str; 5] = [
    "leerkracht",
    "verzuimcoordinator",
    "leerplicht",
    "jgz",
    "beheerder",
];

/// The ids the table's paths name.
struct Fixture {
    registration: i64,
    event: i64,
    task: i64,
    case: i64,
    melding: i64,
    referral: i64,
}

async fn fixture(s: &TestServer) -> Fixture {
    let ib = s.logged_in(COORDINATOR).await;
    enrol(s, &ib, pupil("1001", "Enschede")).await;
    let mut registration = 0;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        registration = register(s, &ib, "1001", "ongeoorloofd", day, day).await["id"]
            .as_i64()
            .unwrap();
    }
    let tasks = open_tasks(s, &ib, "1001").await;
    let talk = task_starting(
        &tasks,
        "Gaat in gesprek met ouders en stelt hen op de hoogte",
    );
    let meld = task_starting(&tasks, "Meldt bij de leerplichtambtenaar");
    let melding = complete(
        s,
        &ib,
        meld["id"].as_i64().unwrap(),
        json!({"parents_informed": parents("2026-09-28", "brief"), "melding": melding_content()}),
    )
    .await["melding_id"]
        .as_i64()
        .unwrap();
    // Sick for more than 2 weeks of the lesson calendar: from Monday 28 September to Thursday
    // 22 October 2026, over the herfstvakantie (10-18 October, a week that does not count).
    register(s, &ib, "1001", "ziek", "2026-09-28", "2026-10-22").await;
    let tasks = open_tasks(s, &ib, "1001").await;
    let refer = task_starting(&tasks, crate::ggd_api::REFER);
    let referral = complete(
        s,
        &ib,
        refer["id"].as_i64().unwrap(),
        json!({"parents_informed": parents("2026-10-01", "telefoon"), "referral_form": crate::ggd_api::referral_form()}),
    )
    .await["referral_id"]
        .as_i64()
        .unwrap();
    let event = ok(
        s,
        &ib,
        Method::POST,
        "/api/schools/99XX00/pupils/1001/events",
        Some(json!({"event": "overig_verzuim", "date": "2026-11-02", "note": "Vermoedelijk schoolangst"})),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    Fixture {
        registration,
        event,
        task: talk["id"].as_i64().unwrap(),
        case: talk["case_id"].as_i64().unwrap(),
        melding,
        referral,
    }
}

fn class_of(status: u16) -> char {
    match status {
        200..=299 => '2',
        400 | 409 | 422 => 'V',
        401 => '1',
        403 => '3',
        404 => '4',
        _ => '?',
    }
}

/// Who calls one cell.
enum Caller<'a> {
    User(&'a str),
    Anonymous,
    Token(String),
}

async fn every_route_every_role_own_and_other_organisation(env: Env) {
    // The table lists exactly the routes of the OpenAPI document.
    let doc = serde_json::to_value(verzuim_server::api::openapi()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let listed: BTreeSet<String> = MATRIX
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(listed.len(), MATRIX.len(), "a route is listed twice");
    let missing: Vec<&String> = documented.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the role matrix: {missing:#?}"
    );
    let extra: Vec<&String> = listed.difference(&documented).collect();
    assert!(
        extra.is_empty(),
        "the matrix lists routes that do not exist: {extra:#?}"
    );

    let declared = declaration_disagreements(&doc);
    assert!(
        declared.is_empty(),
        "{} cell(s) of the role matrix disagree with the routes' declared policies:\n{}",
        declared.len(),
        declared.join("\n")
    );

    let s = region(&env).await;
    let f = fixture(&s).await;
    let mut clients: HashMap<&str, reqwest::Client> = HashMap::new();
    for (own, other) in USERS_BY_COLUMN {
        clients.insert(own, s.logged_in(own).await);
        clients.insert(other, s.logged_in(other).await);
    }
    let mut tokens: HashMap<(String, Option<&str>, bool), String> = HashMap::new();
    let all: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    let mut failures = Vec::new();

    for row in MATRIX {
        let groups: Vec<&str> = row.cells.split_whitespace().collect();
        assert_eq!(
            groups.len(),
            8,
            "{} {}: 8 groups of cells",
            row.method,
            row.path
        );
        let id = match row.id {
            No => None,
            Registration => Some(f.registration),
            Event => Some(f.event),
            Task => Some(f.task),
            Case => Some(f.case),
            Melding => Some(f.melding),
            Referral => Some(f.referral),
            Missing => Some(999_999),
        };
        let mut path = row
            .path
            .replace("{school}", SCHOOL)
            .replace("{org}", SCHOOL)
            .replace("{pupil}", "1001")
            .replace("{user}", "999999")
            .replace("{role}", "leerkracht");
        if let Some(id) = id {
            path = path.replace("{id}", &id.to_string());
        }
        let body: Option<Value> = match row.body {
            "" => None,
            "PASSWORD" => Some(json!({"current_password": "x", "new_password": "a".repeat(2000)})),
            b => Some(serde_json::from_str(b).expect("table body is JSON")),
        };
        // (column name, expected class, caller)
        let mut cells: Vec<(String, char, Caller)> = Vec::new();
        for (i, (own, other)) in USERS_BY_COLUMN.iter().enumerate() {
            let pair: Vec<char> = groups[i].chars().collect();
            assert_eq!(
                pair.len(),
                2,
                "{} {}: column {}",
                row.method,
                row.path,
                COLUMN_NAMES[i]
            );
            cells.push((
                format!("{} (own)", COLUMN_NAMES[i]),
                pair[0],
                Caller::User(own),
            ));
            cells.push((
                format!("{} (other)", COLUMN_NAMES[i]),
                pair[1],
                Caller::User(other),
            ));
        }
        cells.push((
            "anonymous".into(),
            groups[5].chars().next().unwrap(),
            Caller::Anonymous,
        ));
        let tok: Vec<char> = groups[6].chars().collect();
        let without = groups[7].chars().next().unwrap();
        for (org, with, class, name) in [
            (SCHOOL, true, tok[0], "token with permission (own)"),
            (OTHER_SCHOOL, true, tok[1], "token with permission (other)"),
            (SCHOOL, false, without, "token without permission"),
        ] {
            let key = (org.to_owned(), row.permission, with);
            if !tokens.contains_key(&key) {
                let perms: Vec<&str> = match (row.permission, with) {
                    (Some(p), true) => vec![p],
                    (Some(p), false) => all.iter().copied().filter(|q| *q != p).collect(),
                    (None, _) => all.clone(),
                };
                tokens.insert(key.clone(), token(&s, org, &perms).await);
            }
            cells.push((name.into(), class, Caller::Token(tokens[&key].clone())));
        }

        let method: Method = row.method.parse().unwrap();
        for (name, expected, caller) in cells {
            let (status, answer) = match &caller {
                Caller::User(email) => {
                    let fresh;
                    let client = if row.fresh {
                        fresh = s.logged_in(email).await;
                        &fresh
                    } else {
                        &clients[email]
                    };
                    call(&s, client, method.clone(), &path, body.clone()).await
                }
                Caller::Anonymous => {
                    call(&s, &s.browser(), method.clone(), &path, body.clone()).await
                }
                Caller::Token(t) => call_token(&s, t, method.clone(), &path, body.clone()).await,
            };
            let got = class_of(status);
            if got != expected {
                failures.push(format!(
                    "{} {} as {name}: expected {expected}, got {status} {answer}",
                    row.method, row.path
                ));
            }
            if status >= 400 {
                let code = answer["error"]["code"].as_str().unwrap_or_default();
                if code.is_empty() {
                    failures.push(format!(
                        "{} {} as {name}: {status} without a JSON error code",
                        row.method, row.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) of the role matrix differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The roles of the user columns, in the table's order.
const COLUMN_ROLES: [&str; 5] = [
    "leerkracht",
    "verzuimcoordinator",
    "leerplichtambtenaar",
    "jgz",
    "beheerder",
];

/// The roles a school's API token can act in.
const SCHOOL_TOKEN_ROLES: [&str; 3] = ["verzuimcoordinator", "leerkracht", "beheerder"];

/// Cells where a declared role is refused by the service for the row's own body or object, not
/// by the route's policy: (method, path, column).
const REFUSED_BY_THE_SERVICE: &[(&str, &str, &str)] = &[
    // The school may only withdraw a melding; the row's body closes it (leerplicht's).
    ("POST", "/api/meldingen/{id}/status", "verzuimcoordinator"),
    ("POST", "/api/meldingen/{id}/status", "token"),
];

/// Where the table's cells disagree with the routes' declared policies (see the module
/// documentation), and routes without one.
fn declaration_disagreements(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for row in MATRIX {
        let op = &doc["paths"][row.path][row.method.to_lowercase()];
        let name = format!("{} {}", row.method, row.path);
        let declared = &op["x-toegang"];
        let Some(access) = declared["wie"].as_str() else {
            out.push(format!("{name}: no declared policy (x-toegang)"));
            continue;
        };
        let roles: Vec<&str> = declared["rollen"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let permission = declared["permissie"].as_str();
        if permission != row.permission {
            out.push(format!(
                "{name}: the table's permission {:?}, declared {permission:?}",
                row.permission
            ));
        }
        let groups: Vec<Vec<char>> = row
            .cells
            .split_whitespace()
            .map(|g| g.chars().collect())
            .collect();
        let exempt = |column: &str| {
            REFUSED_BY_THE_SERVICE
                .iter()
                .any(|(m, p, c)| *m == row.method && *p == row.path && *c == column)
        };
        let through = |c: char| matches!(c, '2' | 'V' | '4');
        // Users.
        for (i, role) in COLUMN_ROLES.iter().enumerate() {
            let (own, other) = (groups[i][0], groups[i][1]);
            let ok = match access {
                "rollen" if roles.contains(role) => through(own) || exempt(role),
                "rollen" => own == '3' && other == '3',
                // Anyone, a session, a person, anyone logged in: every user gets through.
                _ => through(own) && through(other),
            };
            if !ok {
                out.push(format!(
                    "{name}: {role} {own}{other}, but the route declares {access} {roles:?}"
                ));
            }
        }
        // Anonymous.
        let anon = groups[5][0];
        if (access == "iedereen") != (anon != '1') {
            out.push(format!(
                "{name}: anonymous {anon}, but the route declares {access}"
            ));
        }
        // Tokens.
        let (tok, tok_other, without) = (groups[6][0], groups[6][1], groups[7][0]);
        let ok = match access {
            "iedereen" | "ingelogd" => through(tok) && through(without),
            "sessie" | "persoon" => tok == '3' && tok_other == '3' && without == '3',
            // The table's tokens are schools': a token takes the first role of its kind of
            // organisation the route declares (verzuimcoordinator, leerkracht, beheerder).
            _ if permission.is_some() && roles.iter().any(|r| SCHOOL_TOKEN_ROLES.contains(r)) => {
                (through(tok) || exempt("token")) && without == '3'
            }
            _ => tok == '3' && tok_other == '3' && without == '3',
        };
        if !ok {
            out.push(format!(
                "{name}: tokens {tok}{tok_other} {without}, but the route declares {access} \
                 {permission:?}"
            ));
        }
    }
    out
}
