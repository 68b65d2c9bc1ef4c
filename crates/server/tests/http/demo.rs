//! `verzuim serve --demo` (issue 3, item 8; security.md: "Demo users and fixed demo passwords
//! exist only with `--demo`"): the demo region is seeded once, every demo user logs in, there
//! are no demo users without it, the demo schools raise every signal kind of rules.md §2, and
//! the walked workflow leaves something on every party's pages.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use verzuim_engine::model::SignalKind;
use verzuim_server::demo::{
    self, DEMO_PASSWORD, DEMO_USERS, GGD_ID, SCHOOL_ESCH, SCHOOL_WEGWIJZER,
};
use verzuim_store::{
    MAX_PAGE_SIZE, MeldingStatus, Page, ReferralStatus, Scope, SignalStatus, Store, TaskStatus,
};

use crate::harness::{Env, TestServer};

crate::http_tests!(
    the_demo_region_is_seeded_once,
    every_demo_user_logs_in_with_the_demo_password,
    without_demo_there_are_no_demo_users,
    the_demo_schools_raise_every_signal_kind,
    the_walked_workflow_leaves_work_for_every_party,
    on_the_demo_day_a_leerkracht_registers_for_own_group,
    the_demo_region_is_recorded_on_the_demo_day,
    on_the_demo_day_two_pupils_are_close_to_a_threshold,
    a_demo_melding_reports_the_absence_as_known_when_made,
);

/// Every table the demo writes (not the audit log, sessions or throttling: those belong to
/// logins, not to the seed).
const TABLES: &[&str] = &[
    "organisations",
    "school_settings",
    "school_ggd",
    "users",
    "memberships",
    "api_tokens",
    "pupils",
    "registrations",
    "registration_versions",
    "events",
    "event_versions",
    "cases",
    "case_timeline",
    "signals",
    "tasks",
    "task_history",
    "task_links",
    "meldingen",
    "melding_history",
    "melding_links",
    "referrals",
    "referral_history",
    "referral_links",
    "jgz_notes",
    "parent_information",
];

async fn counts(s: &TestServer) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let n = s
            .raw_texts(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
            .await;
        out.insert(*table, n[0].clone());
    }
    out
}

async fn the_demo_region_is_seeded_once(env: Env) {
    let s = env.server().await;
    let first = demo::seed(&s.store).await.expect("seed");
    // Every demo user and the demo parent (docs/parents.md).
    assert_eq!(first.users_created, DEMO_USERS.len() + 1);
    assert_eq!(
        first.parent_children.len(),
        2,
        "{:?}",
        first.parent_children
    );
    assert_eq!(first.schools_imported, [SCHOOL_ESCH, SCHOOL_WEGWIJZER]);
    assert_eq!(first.workflows_walked, [SCHOOL_ESCH, SCHOOL_WEGWIJZER]);
    assert!(!first.was_present());
    let after_first = counts(&s).await;
    assert_eq!(after_first["users"], (DEMO_USERS.len() + 1).to_string());
    assert_eq!(
        after_first["organisations"], "6",
        "2 schools, 3 municipalities, 1 GGD"
    );
    assert_eq!(after_first["pupils"], "62", "50 + 12 pupils");
    assert_eq!(after_first["school_ggd"], "2");

    // A second start on the same database: a new connection, the same seed, nothing new.
    let again = Store::connect(&s.url).await.expect("open again");
    again.migrate().await.expect("migrate");
    let second = demo::seed(&again).await.expect("seed again");
    assert!(second.was_present(), "{second:?}");
    assert_eq!(second.logins.len(), DEMO_USERS.len());
    assert_eq!(counts(&s).await, after_first);
    again.close().await;
}

async fn every_demo_user_logs_in_with_the_demo_password(env: Env) {
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    for u in DEMO_USERS {
        let wrong = s.login(&s.bare(), u.email, "demo-wachtwoord-2025").await;
        assert_eq!(wrong.status(), 401, "{}", u.email);
        let client = s.browser();
        let res = s.login(&client, u.email, DEMO_PASSWORD).await;
        assert_eq!(res.status(), 200, "login of {}", u.email);
        // Password-only: the demo's organisations do not require a second factor.
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["next_step"], Value::Null, "{}: {body}", u.email);
        let me: Value = client
            .get(s.url("/api/auth/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let memberships = me["memberships"].as_array().expect("memberships");
        assert!(
            memberships
                .iter()
                .any(|m| m["organisation_id"] == u.organisation && m["role"] == u.role.as_str()),
            "{}: {me}",
            u.email
        );
    }
    // The printed table names each of them with the password, and says they sign in without a
    // second factor.
    let table = demo::logins_table(&demo::logins());
    assert!(
        table.contains("Ze loggen in met alleen een wachtwoord"),
        "{table}"
    );
    for u in DEMO_USERS {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(u.email) && l.contains(DEMO_PASSWORD)),
            "{table}"
        );
    }
}

async fn without_demo_there_are_no_demo_users(env: Env) {
    let s = env.server().await;
    assert_eq!(s.store.count_users().await.unwrap(), 0);
    assert_eq!(demo::count_demo_users(&s.store).await.unwrap(), 0);
    for u in DEMO_USERS {
        // 401, or 429 once this address has failed 5 times (throttling): never a session.
        let res = s.login(&s.bare(), u.email, DEMO_PASSWORD).await;
        assert!(
            matches!(res.status().as_u16(), 401 | 429),
            "{}: {}",
            u.email,
            res.status()
        );
        assert_eq!(crate::harness::session_cookie(res.headers()), None);
    }
    // A database with other users only: still none.
    s.two_schools().await;
    assert_eq!(demo::count_demo_users(&s.store).await.unwrap(), 0);
}

async fn active_signals(store: &Store, school: &str) -> BTreeMap<SignalKind, usize> {
    let mut by_kind = BTreeMap::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = store
            .list_signals(Scope::School(school), Some(SignalStatus::Active), page)
            .await
            .unwrap();
        for s in &batch {
            *by_kind.entry(s.kind).or_insert(0) += 1;
        }
        if batch.len() < page.limit() as usize {
            return by_kind;
        }
        page = page.next();
    }
}

async fn the_demo_schools_raise_every_signal_kind(env: Env) {
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    // OBS De Esch: what `verzuim evaluate` gives on examples/demo (its README, as of 2027-07-31).
    let esch = active_signals(&s.store, SCHOOL_ESCH).await;
    let expected: BTreeMap<SignalKind, usize> = [
        (SignalKind::Ziekmelding, 49),
        (SignalKind::RelatiefVerzuim, 7),
        (SignalKind::TeLaat, 5),
        (SignalKind::MogelijkLuxeVerzuim, 3),
        (SignalKind::LuxeVerzuim, 2),
        (SignalKind::LangdurigRelatiefVerzuim, 1),
        (SignalKind::AbsoluutVerzuim, 1),
        (SignalKind::ZiekLangerDan2Weken, 1),
        (SignalKind::Ziek3eMeldingIn3Maanden, 1),
        (SignalKind::ZorgZiekte, 1),
        (SignalKind::OverigVerzuim, 1),
        (SignalKind::Verwijdering, 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(esch, expected);
    // CBS De Wegwijzer: every kind too (examples/demo-2/README.md).
    let wegwijzer = active_signals(&s.store, SCHOOL_WEGWIJZER).await;
    for kind in SignalKind::ALL {
        assert!(
            wegwijzer.contains_key(&kind),
            "{kind:?} missing: {wegwijzer:?}"
        );
    }
    assert_eq!(wegwijzer.values().sum::<usize>(), 26, "{wegwijzer:?}");
}

async fn the_walked_workflow_leaves_work_for_every_party(env: Env) {
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    let page = Page::first(MAX_PAGE_SIZE);

    let meldingen = s
        .store
        .list_meldingen(Scope::School(SCHOOL_ESCH), page)
        .await
        .unwrap();
    let status_of = |pupil: &str| {
        meldingen
            .iter()
            .find(|m| m.pupil_id == pupil)
            .map(|m| (m.status, m.municipality.clone()))
    };
    assert_eq!(
        status_of("1026"),
        Some((MeldingStatus::InBehandeling, "GM0153".into()))
    );
    assert_eq!(
        status_of("1035"),
        Some((MeldingStatus::Afgesloten, "GM0153".into()))
    );
    assert_eq!(
        status_of("1030"),
        Some((MeldingStatus::Geregistreerd, "GM0164".into()))
    );
    assert_eq!(
        status_of("1046"),
        Some((MeldingStatus::Geregistreerd, "GM0173".into()))
    );
    assert_eq!(
        status_of("1044"),
        Some((MeldingStatus::Geregistreerd, "GM0153".into()))
    );

    let referrals = s
        .store
        .list_referrals(Scope::School(SCHOOL_ESCH), page)
        .await
        .unwrap();
    let referral_of = |pupil: &str| {
        referrals
            .iter()
            .find(|r| r.pupil_id == pupil)
            .map(|r| (r.status, r.ggd_id.clone()))
    };
    assert_eq!(
        referral_of("1040"),
        Some((
            ReferralStatus::NietVerschenenZonderTegenbericht,
            GGD_ID.into()
        ))
    );
    assert_eq!(
        referral_of("1015"),
        Some((ReferralStatus::InBehandeling, GGD_ID.into()))
    );

    // The school: the feedback of leerplicht's afspraken, the judgement of the no-show, and done
    // tasks with the parents informed.
    let open = s
        .store
        .list_tasks(SCHOOL_ESCH, Some(TaskStatus::Open), page)
        .await
        .unwrap();
    assert!(
        open.iter()
            .any(|t| t.pupil_id == "1035" && t.text.contains("afspraken van leerplicht")),
        "feedback task"
    );
    assert!(
        open.iter()
            .any(|t| t.pupil_id == "1040" && t.text.contains("zonder goede reden")),
        "judge the no-show"
    );
    let done = s
        .store
        .list_tasks(SCHOOL_ESCH, Some(TaskStatus::Done), page)
        .await
        .unwrap();
    assert!(done.len() >= 10, "{}", done.len());
    let informed = s
        .raw_texts("SELECT CAST(COUNT(*) AS TEXT) FROM parent_information")
        .await;
    assert!(informed[0].parse::<u32>().unwrap() >= 5, "{informed:?}");

    // Every municipality, GGD Twente and the second school have open tasks.
    for org in ["GM0153", "GM0164", "GM0173", GGD_ID, SCHOOL_WEGWIJZER] {
        let tasks = s
            .store
            .list_tasks(org, Some(TaskStatus::Open), Page::first(1))
            .await
            .unwrap();
        assert!(!tasks.is_empty(), "{org} has no open tasks");
    }
    assert!(
        !s.store
            .list_meldingen(Scope::Municipality("GM0164"), page)
            .await
            .unwrap()
            .iter()
            .all(|m| m.school_id == SCHOOL_ESCH),
        "Hengelo has a melding of CBS De Wegwijzer too"
    );

    // Through the API: the coordinator sees the school's signals.
    let coordinator = s.browser();
    let res = s
        .login(
            &coordinator,
            "coordinator@obs-de-esch.example",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = coordinator
        .get(s.url(&format!("/api/schools/{SCHOOL_ESCH}/signals")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["items"].as_array().is_some_and(|a| !a.is_empty()),
        "{body}"
    );
}

async fn on_the_demo_day_a_leerkracht_registers_for_own_group(env: Env) {
    // The demo server's clock starts on the demo day (demo::demo_clock); this server's clock is
    // moved there.
    let to_demo_day = demo::demo_start().duration_since(env.clock.now());
    env.clock.advance(to_demo_day);
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    let juf = s.browser();
    let res = s
        .login(&juf, "leerkracht@obs-de-esch.example", DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
    let post = |pupil: &str, day: &str| {
        juf.post(s.url(&format!(
            "/api/schools/{SCHOOL_ESCH}/pupils/{pupil}/registrations"
        )))
        .json(&json!({"code": "te_laat", "start": day, "minutes": 10}))
        .send()
    };
    // 1026 is in group 7-8, the leerkracht's: today is the demo day, so the registration is not
    // in the future.
    let res = post("1026", &demo::DEMO_TODAY.to_string()).await.unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // The day after the demo day is.
    let res = post("1026", "2027-07-12").await.unwrap();
    assert_eq!(res.status(), 422);
    // 1001 is in group 1-2: not hers.
    let res = post("1001", &demo::DEMO_TODAY.to_string()).await.unwrap();
    assert_eq!(res.status(), 404);
}

/// The demo's data is of the school year 2026-2027: what the seed writes is stamped on the demo
/// day, before the demo server's clock starts, whatever the machine's clock says.
async fn the_demo_region_is_recorded_on_the_demo_day(env: Env) {
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    let meldingen = s
        .store
        .list_meldingen(Scope::School(SCHOOL_ESCH), Page::first(MAX_PAGE_SIZE))
        .await
        .unwrap();
    assert!(!meldingen.is_empty());
    let tz = jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap();
    for m in &meldingen {
        for t in [m.created_at, m.updated_at] {
            assert_eq!(t.to_zoned(tz.clone()).date(), demo::DEMO_TODAY, "{m:?}");
            assert!(t < demo::demo_start(), "{m:?}");
        }
        // Taken up and closed after it was made.
        if m.status != MeldingStatus::Geregistreerd {
            assert!(m.updated_at > m.created_at, "{m:?}");
        }
    }
}

/// The coordinator's vroegsignalering on the demo day: Lars (1039) at 915 of 960 minutes and
/// Ayoub (1031) at 4 of 5 latenesses, nearest first.
async fn on_the_demo_day_two_pupils_are_close_to_a_threshold(env: Env) {
    let to_demo_day = demo::demo_start().duration_since(env.clock.now());
    env.clock.advance(to_demo_day);
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    let ib = s.browser();
    let res = s
        .login(&ib, "coordinator@obs-de-esch.example", DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
    let res = ib.get(s.url("/vroegsignalering")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let lars = html.find("/leerlingen/99XX00/1039").expect("Lars");
    let ayoub = html.find("/leerlingen/99XX00/1031").expect("Ayoub");
    assert!(lars < ayoub, "95% before 80%");
    assert!(
        html.contains("15 uur en 15 minuten van 16 uur (95%)"),
        "{html}"
    );
    assert!(html.contains("4 van 5 keer te laat (80%)"), "{html}");
}

/// Issue 10.1: Ilse (1046) was registered luxe verzuim Monday 03-05 t/m Tuesday 04-05-2027
/// (2 × 345 minutes = 11:30 uur). The signal stays on the run's first day with that day's
/// minutes; the melding, made on the demo day, reports the whole run: 03-05-2027 t/m
/// 04-05-2027, 690 minutes — in the API, on leerplicht's page and in the school's PDF overview.
/// Before the change the melding said "03-05-2027 t/m 03-05-2027, 5 uur en 45 minuten".
async fn a_demo_melding_reports_the_absence_as_known_when_made(env: Env) {
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed");
    let oldenzaal = s.browser();
    let res = s
        .login(&oldenzaal, "leerplicht@oldenzaal.example", DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = oldenzaal
        .get(s.url("/api/meldingen"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ilse = list["items"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|m| m["pupil_id"] == "1046" && m["verzuim_kind"] == "luxe_verzuim")
        .unwrap_or_else(|| panic!("Ilse's melding: {list}"))
        .clone();
    assert_eq!(
        ilse["period"],
        json!({ "from": "2027-05-03", "to": "2027-05-04" }),
        "{ilse}"
    );
    assert_eq!(ilse["minutes"], 690, "{ilse}");
    assert_eq!(ilse["hours"], 11.5, "{ilse}");
    // The signal keeps the rule's date and its own minutes.
    let signals = s
        .store
        .active_signals(Scope::School(SCHOOL_ESCH), SCHOOL_ESCH, "1046")
        .await
        .unwrap();
    let luxe = signals
        .iter()
        .find(|x| x.kind == SignalKind::LuxeVerzuim)
        .expect("the luxe signal");
    assert_eq!(luxe.date.to_string(), "2027-05-03");
    assert_eq!(luxe.minutes, Some(345));

    let id = ilse["id"].as_i64().unwrap();
    let (status, page) =
        crate::harness::get_page(&s, &oldenzaal, &format!("/meldingen/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("03-05-2027 t/m 04-05-2027"), "{page}");
    assert!(page.contains("11 uur en 30 minuten"), "{page}");

    let coordinator = s.browser();
    let res = s
        .login(
            &coordinator,
            "coordinator@obs-de-esch.example",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(res.status(), 200);
    let case = ilse["case_id"].as_i64().unwrap().to_string();
    let (_, text) = crate::harness::make_letter(
        &s,
        &coordinator,
        ilse["case_id"].as_i64().unwrap(),
        &[("soort", "overzicht_melding"), ("melding", &id.to_string())],
    )
    .await
    .unwrap_or_else(|e| panic!("the overview of case {case}: {e:?}"));
    assert!(
        text.contains("Periode 3 mei 2027 tot en met 4 mei 2027"),
        "{text}"
    );
    assert!(
        text.contains("Verzuimde lestijd 11 uur en 30 minuten"),
        "{text}"
    );
    assert!(!text.contains("5 uur en 45 minuten"), "{text}");
}
