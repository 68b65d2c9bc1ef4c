//! Issue 3: "A write that the API acknowledged survives the process being killed at any
//! moment." `verzuim serve` on SQLite takes registrations from 16 concurrent clients (so writes
//! commit in groups); it is killed with SIGKILL while they are still sending; every registration
//! it answered 201 for is in the database afterwards.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::civil::{Date, date};
use serde_json::{Value, json};
use verzuim_engine::model::Pupil;
use verzuim_server::auth::tokens;
use verzuim_store::{
    Actor, Letterhead, Membership, NewApiToken, NewUser, OrgKind, Organisation, Page, PupilData,
    Role, SchoolSettings, Scope, Store, hash_token,
};

pub(crate) const SCHOOL: &str = "00KL00";
pub(crate) const PUPILS: usize = 48;
const CLIENTS: usize = 16;

/// Lesson days of September and early October 2026 (Mon, Tue, Thu, Fri).
pub(crate) fn lesson_days() -> Vec<Date> {
    let mut days = Vec::new();
    let mut d = date(2026, 9, 7);
    while d < date(2026, 10, 17) {
        if !matches!(
            d.weekday(),
            jiff::civil::Weekday::Wednesday
                | jiff::civil::Weekday::Saturday
                | jiff::civil::Weekday::Sunday
        ) {
            days.push(d);
        }
        d = d.tomorrow().unwrap();
    }
    days
}

/// A migrated database with a school (`school_id`, the demo's calendar) and Enschede.
pub(crate) async fn seed_school(url: &str, school_id: &str) -> Store {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let toml = include_str!("../../../../examples/demo/school.toml");
    let mut school = verzuim_exchange::school::parse_school("school.toml", toml.as_bytes())
        .unwrap_or_else(|e| panic!("{}", e[0]));
    school.id = school_id.to_owned();
    for (id, kind) in [(school_id, OrgKind::School), ("GM0153", OrgKind::Gemeente)] {
        store
            .put_organisation(&Organisation {
                id: id.to_owned(),
                kind,
                name: format!("Organisatie {id}"),
                letterhead: Letterhead::default(),
            })
            .await
            .unwrap();
    }
    store
        .put_school_settings(
            school_id,
            &SchoolSettings {
                card_id: "twente-po".to_owned(),
                school,
            },
        )
        .await
        .unwrap();
    store
}

pub(crate) async fn seed(url: &str) -> String {
    let store = seed_school(url, SCHOOL).await;
    for i in 0..PUPILS {
        let data = PupilData::new(Pupil {
            id: format!("{}", 1000 + i),
            birth_date: date(2018, 1 + (i % 12) as i8, 1),
            group: "4".to_owned(),
            municipality: "GM0153".to_owned(),
            enrolled_from: date(2024, 8, 19),
            enrolled_until: None,
            next_school: None,
        });
        store.insert_pupil(SCHOOL, &data).await.unwrap();
    }
    // `serve` refuses a database without users.
    let user = store
        .create_user(&NewUser {
            email: "coordinator@kill.example".to_owned(),
            display_name: "Coördinator".to_owned(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .to_owned(),
        })
        .await
        .unwrap();
    store
        .add_membership(&Membership {
            user_id: user,
            organisation_id: SCHOOL.to_owned(),
            role: Role::Verzuimcoordinator,
            groups: Vec::new(),
        })
        .await
        .unwrap();
    let raw = tokens::generate();
    store
        .create_api_token(
            &NewApiToken {
                organisation_id: SCHOOL.to_owned(),
                name: "kill test".to_owned(),
                token_hash: hash_token(&raw),
                permissions: vec!["registrations:write".to_owned()],
            },
            Actor::System,
        )
        .await
        .unwrap();
    store.close().await;
    raw
}

#[test]
fn acknowledged_registrations_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let token = rt.block_on(seed(&url));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_verzuim"))
        .args([
            "serve",
            "--database",
            &url,
            "--retention",
            "uit",
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let acked: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let mut up = false;
        for _ in 0..300 {
            if let Ok(r) = http.get(format!("{base}/health")).send().await
                && r.status().is_success()
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(up, "verzuim serve did not come up");
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let http = http.clone();
            let base = base.clone();
            let auth = format!("Bearer {token}");
            let acked = acked.clone();
            clients.push(tokio::spawn(async move {
                for day in lesson_days() {
                    for p in (c..PUPILS).step_by(CLIENTS) {
                        let pupil = format!("{}", 1000 + p);
                        let res = http
                            .post(format!(
                                "{base}/api/schools/{SCHOOL}/pupils/{pupil}/registrations"
                            ))
                            .header(reqwest::header::AUTHORIZATION, &auth)
                            .json(&json!({"code": "ziek", "start": day.to_string()}))
                            .send()
                            .await;
                        let Ok(res) = res else { return };
                        if res.status() != reqwest::StatusCode::CREATED {
                            continue;
                        }
                        let Ok(body) = res.json::<Value>().await else {
                            return;
                        };
                        acked
                            .lock()
                            .unwrap()
                            .push((pupil, body["id"].as_i64().unwrap()));
                    }
                }
            }));
        }
        // Kill while the clients are busy.
        for _ in 0..600 {
            if acked.lock().unwrap().len() >= 150 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for c in clients {
            let _ = c.await;
        }
    });
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "only {} registrations before the kill",
        acked.len()
    );
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        for p in 0..PUPILS {
            let pupil = format!("{}", 1000 + p);
            let stored: Vec<i64> = store
                .list_registrations(Scope::School(SCHOOL), SCHOOL, &pupil, Page::first(200))
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            for (_, id) in acked.iter().filter(|(q, _)| *q == pupil) {
                assert!(
                    stored.contains(id),
                    "acknowledged registration {id} of {pupil} is gone"
                );
            }
        }
        store.close().await;
    });
}
