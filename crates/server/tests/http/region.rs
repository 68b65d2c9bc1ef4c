//! A small region for the workflow routes, set up through the API where the API can: two schools
//! on the Twente card with the demo school's calendar (2026-2027), two municipalities, two
//! GGD-JGZ organisations, a user per role per organisation, and the clock on 30 June 2027
//! (after every registration the stories make). Plus small helpers to call the API.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};
use verzuim_server::auth::password;
use verzuim_store::{Membership, NewApiToken, NewUser, OrgKind, Role, hash_token};

use crate::harness::{Env, TestServer};

pub const SCHOOL: &str = "99XX00";
pub const OTHER_SCHOOL: &str = "98YY00";
pub const ENSCHEDE: &str = "GM0153";
pub const OLDENZAAL: &str = "GM0173";
pub const GGD: &str = "GGDTW";
pub const OTHER_GGD: &str = "GGDXX";

/// The service's "now" in the stories.
pub const NOW: &str = "2027-06-30T10:00:00Z";

/// The users: (email, organisation, role, groups).
pub const USERS: &[(&str, &str, Role, &[&str])] = &[
    ("leerkracht@esch.nl", SCHOOL, Role::Leerkracht, &["5"]),
    ("ib@esch.nl", SCHOOL, Role::Verzuimcoordinator, &[]),
    ("beheer@esch.nl", SCHOOL, Role::Beheerder, &[]),
    ("leerkracht@wilg.nl", OTHER_SCHOOL, Role::Leerkracht, &["5"]),
    ("ib@wilg.nl", OTHER_SCHOOL, Role::Verzuimcoordinator, &[]),
    ("beheer@wilg.nl", OTHER_SCHOOL, Role::Beheerder, &[]),
    ("lpa@enschede.nl", ENSCHEDE, Role::Leerplichtambtenaar, &[]),
    ("beheer@enschede.nl", ENSCHEDE, Role::Beheerder, &[]),
    (
        "lpa@oldenzaal.nl",
        OLDENZAAL,
        Role::Leerplichtambtenaar,
        &[],
    ),
    ("jgz@ggdtwente.nl", GGD, Role::Jgz, &[]),
    ("beheer@ggdtwente.nl", GGD, Role::Beheerder, &[]),
    ("jgz@ggdanders.nl", OTHER_GGD, Role::Jgz, &[]),
];

pub const TEACHER: &str = "leerkracht@esch.nl";
pub const COORDINATOR: &str = "ib@esch.nl";
pub const SCHOOL_ADMIN: &str = "beheer@esch.nl";
pub const LEERPLICHT: &str = "lpa@enschede.nl";
pub const LEERPLICHT_OLDENZAAL: &str = "lpa@oldenzaal.nl";
pub const JGZ: &str = "jgz@ggdtwente.nl";
pub const GGD_ADMIN: &str = "beheer@ggdtwente.nl";
pub const OTHER_JGZ: &str = "jgz@ggdanders.nl";
pub const MUNICIPALITY_ADMIN: &str = "beheer@enschede.nl";

/// The demo school's calendar (examples/demo/school.toml) as the settings route takes it.
pub fn demo_settings() -> Value {
    let day = json!(["08:30-12:00", "12:45-15:00"]);
    let closed = [
        ("Zomervakantie 2026", "vakantie", "2026-08-01", "2026-08-16"),
        ("Studiedag team", "studiedag", "2026-10-09", "2026-10-09"),
        ("Herfstvakantie", "vakantie", "2026-10-10", "2026-10-18"),
        ("Kerstvakantie", "vakantie", "2026-12-19", "2027-01-03"),
        (
            "Studiedag rekenonderwijs",
            "studiedag",
            "2027-02-03",
            "2027-02-03",
        ),
        ("Voorjaarsvakantie", "vakantie", "2027-02-20", "2027-02-28"),
        ("Goede Vrijdag", "vrije_dag", "2027-03-26", "2027-03-26"),
        ("Tweede Paasdag", "vrije_dag", "2027-03-29", "2027-03-29"),
        ("Meivakantie", "vakantie", "2027-04-24", "2027-05-02"),
        ("Hemelvaart", "vrije_dag", "2027-05-06", "2027-05-07"),
        (
            "Tweede Pinksterdag",
            "vrije_dag",
            "2027-05-17",
            "2027-05-17",
        ),
        ("Studiedag team", "studiedag", "2027-06-14", "2027-06-14"),
        ("Zomervakantie", "vakantie", "2027-07-10", "2027-08-22"),
    ];
    json!({
        "card_id": "twente-po",
        "holiday_region": "noord",
        "lesson_times": {
            "monday": day, "tuesday": day, "wednesday": ["08:30-12:15"],
            "thursday": day, "friday": day,
        },
        "groups": {"1-2": {"wednesday": ["08:30-12:00"], "friday": ["08:30-12:00"]}},
        "closed": closed.iter().map(|(name, kind, from, until)| {
            json!({"name": name, "kind": kind, "from": from, "until": until})
        }).collect::<Vec<_>>(),
        "ggd_id": GGD,
    })
}

/// Moves the test's clock to [`NOW`] (before any login: sessions start at the clock's time).
pub fn set_clock(env: &Env) {
    let target: Timestamp = NOW.parse().unwrap();
    env.clock.advance(target.duration_since(env.clock.now()));
}

/// The region on a running server: organisations, users, both schools' settings (through the
/// API, by their beheerder).
pub async fn region(env: &Env) -> TestServer {
    set_clock(env);
    let s = env.server().await;
    for (id, kind, name) in [
        (SCHOOL, OrgKind::School, "OBS De Esch"),
        (OTHER_SCHOOL, OrgKind::School, "CBS De Wilg"),
        (ENSCHEDE, OrgKind::Gemeente, "Enschede"),
        (OLDENZAAL, OrgKind::Gemeente, "Oldenzaal"),
        (GGD, OrgKind::GgdJgz, "GGD Twente"),
        (OTHER_GGD, OrgKind::GgdJgz, "GGD Elders"),
    ] {
        s.store
            .put_organisation(&verzuim_store::Organisation {
                id: id.into(),
                kind,
                name: name.into(),
                letterhead: Default::default(),
            })
            .await
            .unwrap();
        // Password-only logins, like the demo's (see harness.rs).
        s.store.set_second_factor_required(id, false).await.unwrap();
    }
    let hash = password::hash(crate::harness::PASSWORD).unwrap();
    for (email, org, role, groups) in USERS {
        let id = s
            .store
            .create_user(&NewUser {
                email: (*email).into(),
                display_name: format!("Gebruiker {email}"),
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        s.store
            .add_membership(&Membership {
                user_id: id,
                organisation_id: (*org).into(),
                role: *role,
                groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            })
            .await
            .unwrap();
    }
    for admin in [SCHOOL_ADMIN, "beheer@wilg.nl"] {
        let school = if admin == SCHOOL_ADMIN {
            SCHOOL
        } else {
            OTHER_SCHOOL
        };
        let c = s.logged_in(admin).await;
        let (status, body) = call(
            &s,
            &c,
            Method::PUT,
            &format!("/api/schools/{school}/settings"),
            Some(demo_settings()),
        )
        .await;
        assert_eq!(status, 200, "settings of {school}: {body}");
    }
    s
}

/// A token of `org` with these permissions, made directly in the store.
pub async fn token(s: &TestServer, org: &str, permissions: &[&str]) -> String {
    let raw = verzuim_server::auth::tokens::generate();
    s.store
        .create_api_token(
            &NewApiToken {
                organisation_id: org.into(),
                name: "Administratiepakket".into(),
                token_hash: hash_token(&raw),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            },
            verzuim_store::Actor::System,
        )
        .await
        .unwrap();
    raw
}

/// Calls the API; returns the status and the JSON body (`Null` when there is none).
pub async fn call(
    s: &TestServer,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, s.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, value)
}

/// Calls with a bearer token.
pub async fn call_token(
    s: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s.bare().request(method, s.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `call` that asserts the status.
pub async fn ok(
    s: &TestServer,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    body: Option<Value>,
    expected: u16,
) -> Value {
    let (status, value) = call(s, client, method.clone(), path, body).await;
    assert_eq!(status, expected, "{method} {path}: {value}");
    value
}

/// A pupil of 11 (born 2016) in group 5, enrolled since 2022, with a valid BSN.
pub fn pupil(id: &str, municipality: &str) -> Value {
    json!({
        "pupil_id": id,
        "name": format!("Leerling {id}"),
        "birth_date": "2016-03-01",
        "group": "5",
        "municipality": municipality,
        "enrolled_from": "2022-08-22",
        "bsn": "400276872",
        "parent_name": "Ouder",
        "parent_email": "ouder@example.nl",
    })
}

/// Enrols a pupil as the school's verzuimcoordinator.
pub async fn enrol(s: &TestServer, coordinator: &reqwest::Client, body: Value) {
    ok(
        s,
        coordinator,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/pupils"),
        Some(body),
        201,
    )
    .await;
}

/// Registers whole days; returns the change (with `sync`).
pub async fn register(
    s: &TestServer,
    client: &reqwest::Client,
    pupil: &str,
    code: &str,
    start: &str,
    end: &str,
) -> Value {
    ok(
        s,
        client,
        Method::POST,
        &format!("/api/schools/{SCHOOL}/pupils/{pupil}/registrations"),
        Some(json!({"code": code, "start": start, "end": end})),
        201,
    )
    .await
}

/// The open tasks of the client's organisation for one pupil, oldest first.
pub async fn open_tasks(s: &TestServer, client: &reqwest::Client, pupil: &str) -> Vec<Value> {
    let body = ok(
        s,
        client,
        Method::GET,
        "/api/tasks?status=open&limit=200",
        None,
        200,
    )
    .await;
    let mut tasks: Vec<Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["pupil_id"] == pupil)
        .cloned()
        .collect();
    tasks.sort_by_key(|t| t["id"].as_i64());
    tasks
}

/// `GET /api/tasks/{id}`: the task with its link (the inbox lists tasks without it).
pub async fn task_detail(s: &TestServer, client: &reqwest::Client, id: &Value) -> Value {
    ok(
        s,
        client,
        Method::GET,
        &format!("/api/tasks/{id}"),
        None,
        200,
    )
    .await["task"]
        .clone()
}

/// The one task whose text starts with `prefix`.
pub fn task_starting(tasks: &[Value], prefix: &str) -> Value {
    let found: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["text"].as_str().unwrap().starts_with(prefix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one task starting with {prefix:?} in {:#?}",
        tasks.iter().map(|t| &t["text"]).collect::<Vec<_>>()
    );
    found[0].clone()
}

/// The melding content the school enters.
pub fn melding_content() -> Value {
    json!({
        "suspected_reason": "Ouders melden de leerling niet af",
        "school_actions": "Gesprek met ouders op 25-09-2026, brief op 28-09-2026",
    })
}

/// Parents informed on a day, by a way.
pub fn parents(date: &str, how: &str) -> Value {
    json!({"date": date, "how": how})
}

/// `POST /api/tasks/{id}/complete`.
pub async fn complete(s: &TestServer, client: &reqwest::Client, task: i64, body: Value) -> Value {
    ok(
        s,
        client,
        Method::POST,
        &format!("/api/tasks/{task}/complete"),
        Some(body),
        200,
    )
    .await
}

/// The objects of the audit rows about one pupil (`school/pupil`) in an organisation's audit log,
/// newest first, as its beheerder reads them.
pub async fn audit_objects(
    s: &TestServer,
    admin: &reqwest::Client,
    organisation: &str,
    pupil: &str,
) -> Vec<String> {
    let log = ok(
        s,
        admin,
        Method::GET,
        &format!("/api/organisations/{organisation}/audit?pupil={pupil}&limit=200"),
        None,
        200,
    )
    .await;
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"].as_str().unwrap().to_owned())
        .collect()
}
