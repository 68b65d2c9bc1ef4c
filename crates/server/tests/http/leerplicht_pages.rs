//! The leerplichtambtenaar's pages (`/meldingen`, `/meldingen/{id}`): the list in order of
//! urgency (the same order as `GET /api/meldingen`), taking a melding up, recording each of
//! leerplicht's actions (HALT refused under 12), closing with DUO's reason, the school then sees
//! the afspraken task and the timeline lines; another municipality gets nothing.

use reqwest::Method;
use serde_json::{Value, json};
use verzuim_engine::model::Party;
use verzuim_store::{Actor, NewMelding, NewTask};
use verzuim_store::{TaskLink, TaskLinkKind};

use crate::harness::{Env, TestServer, get_page, page_client, post_form_located, unescape};
use crate::region::*;

crate::http_tests!(
    meldingen_list_is_most_urgent_first_like_the_api,
    the_meldingen_list_shows_a_hundred_a_page,
    leerplicht_handles_a_melding_and_the_school_gets_the_feedback,
    another_municipality_and_the_school_get_nothing,
);

const TALK: &str = "Gaat in gesprek met ouders en stelt hen op de hoogte van de melding";
const MELD: &str = "Meldt bij de leerplichtambtenaar van de woongemeente leerling";
const FEEDBACK: &str = "Kennisnemen van de afspraken van leerplicht";
const SUMMARY: &str = "Moeder vertelt dat Jan slecht slaapt; afspraak: hij gaat eerder naar bed";

/// Pupil `id` (born `birth`, home municipality Enschede) with 21 hours ongeoorloofd: the school
/// completes its talk and melding tasks. Returns the melding's id.
async fn melding_for(s: &TestServer, ib: &reqwest::Client, id: &str, birth: &str) -> i64 {
    let mut p = pupil(id, "Enschede");
    p["birth_date"] = json!(birth);
    enrol(s, ib, p).await;
    for day in ["2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"] {
        register(s, ib, id, "ongeoorloofd", day, day).await;
    }
    let tasks = open_tasks(s, ib, id).await;
    let talk = task_starting(&tasks, TALK);
    complete(
        s,
        ib,
        talk["id"].as_i64().unwrap(),
        json!({"parents_informed": parents("2026-09-25", "gesprek")}),
    )
    .await;
    let meld = task_starting(&tasks, MELD);
    complete(
        s,
        ib,
        meld["id"].as_i64().unwrap(),
        json!({"parents_informed": parents("2026-09-28", "brief"), "melding": melding_content()}),
    )
    .await["melding_id"]
        .as_i64()
        .unwrap()
}

/// The case of melding `id`, as leerplicht reads it through the API.
async fn case_of(s: &TestServer, lpa: &reqwest::Client, id: i64) -> i64 {
    ok(
        s,
        lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await["melding"]["case_id"]
        .as_i64()
        .unwrap()
}

/// The melding ids in the order the list page links them.
fn linked_ids(body: &str) -> Vec<i64> {
    body.split("href=\"/meldingen/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter_map(|s| s.parse().ok())
        .collect()
}

async fn meldingen_list_is_most_urgent_first_like_the_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    // Made in this order: C, A, B.
    let c = melding_for(&s, &ib, "1004", "2016-05-01").await;
    let a = melding_for(&s, &ib, "1001", "2016-03-01").await;
    let b = melding_for(&s, &ib, "1003", "2013-01-01").await;
    let lpa = page_client(&s, LEERPLICHT).await;
    for id in [a, c] {
        let (status, location, _) = post_form_located(
            &s,
            &lpa,
            &format!("/meldingen/{id}"),
            &[("actie", "in_behandeling")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/meldingen/{id}?gedaan=in_behandeling"));
    }
    // Without an overdue task: new first, then in behandeling, newest first.
    let (status, body) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(status, 200);
    assert_eq!(linked_ids(&body), vec![b, a, c], "{body}");
    // An overdue open task of leerplicht for C moves it before A.
    let case_of_c = case_of(&s, &lpa, c).await;
    let mut tx = s.store.begin().await.unwrap();
    let task = tx
        .create_task(
            &NewTask {
                case_id: case_of_c,
                signal_id: None,
                party: Party::Leerplicht,
                organisation_id: ENSCHEDE.into(),
                text: "Roept de ouders op voor een gesprek".into(),
                melding: false,
                referral: false,
                trigger: None,
                due: Some("2027-06-01".parse().unwrap()),
            },
            Actor::System,
        )
        .await
        .unwrap();
    tx.put_task_link(&TaskLink {
        task_id: task,
        kind: TaskLinkKind::Card,
        signal_id: None,
        melding_id: Some(c),
        referral_id: None,
        detail: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, body) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(linked_ids(&body), vec![b, c, a]);
    let api = ok(&s, &lpa, Method::GET, "/api/meldingen", None, 200).await;
    let api_ids: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(api_ids, vec![b, c, a], "the API lists in the same order");
    // The detail page shows the overdue task with its forms.
    let (_, detail) = get_page(&s, &lpa, &format!("/meldingen/{c}")).await;
    assert!(detail.contains("Roept de ouders op voor een gesprek"));
    assert!(detail.contains("Verlopen"));
    // Filter by status (page and API).
    let (_, body) = get_page(&s, &lpa, "/meldingen?status=geregistreerd").await;
    assert_eq!(linked_ids(&body), vec![b]);
    let (status, body) = get_page(&s, &lpa, "/meldingen?status=bestaat-niet").await;
    assert_eq!(status, 200);
    assert!(body.contains("bestaat niet; alle meldingen worden getoond"));
    assert_eq!(linked_ids(&body).len(), 3);
    let api = ok(
        &s,
        &lpa,
        Method::GET,
        "/api/meldingen?status=in_behandeling",
        None,
        200,
    )
    .await;
    assert_eq!(api["items"].as_array().unwrap().len(), 2);
    let (status, _) = call(
        &s,
        &lpa,
        Method::GET,
        "/api/meldingen?status=bestaat-niet",
        None,
    )
    .await;
    assert_eq!(status, 400);
    // Closed last.
    let (status, _, _) = post_form_located(
        &s,
        &lpa,
        &format!("/meldingen/{c}"),
        &[
            ("actie", "afsluiten"),
            ("reden", "zorgtraject"),
            ("afspraken", "Jeugdhulp is gestart"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, body) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(linked_ids(&body), vec![b, a, c]);
}

/// Records one action through the page's form; returns (status, location, body).
async fn act(
    s: &TestServer,
    lpa: &reqwest::Client,
    id: i64,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    post_form_located(s, lpa, &format!("/meldingen/{id}"), form).await
}

async fn actions_of(s: &TestServer, lpa: &reqwest::Client, id: i64) -> Vec<Value> {
    ok(
        s,
        lpa,
        Method::GET,
        &format!("/api/meldingen/{id}/acties"),
        None,
        200,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn leerplicht_handles_a_melding_and_the_school_gets_the_feedback(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let young = melding_for(&s, &ib, "1001", "2016-03-01").await;
    let older = melding_for(&s, &ib, "1003", "2013-01-01").await;
    let lpa = page_client(&s, LEERPLICHT).await;
    let path = format!("/meldingen/{young}");

    // The page: the legal content with the number masked, the links, the take-up form.
    let (status, body) = get_page(&s, &lpa, &path).await;
    assert_eq!(status, 200);
    assert!(!body.contains("400276872"), "the BSN is masked");
    assert!(body.contains("BSN ••••••872"), "{body}");
    assert!(body.contains("Relatief verzuim"));
    assert!(body.contains("21 uur"));
    assert!(!body.contains("21,00 uur"), "one way to write hours");
    assert!(body.contains("Ouders melden de leerling niet af"));
    assert!(body.contains("href=\"/leerlingen/99XX00/1001\""));
    assert!(body.contains(&format!("/api/meldingen/{young}/duo-export?org={ENSCHEDE}")));
    let res = lpa
        .get(s.url(&format!("/api/meldingen/{young}/duo-export?org={ENSCHEDE}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let export: Value = res.json().await.unwrap();
    assert_eq!(export["schema"], "verzuim-duo-melding/1");
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{young}"),
        None,
        200,
    )
    .await;
    let case = detail["melding"]["case_id"].as_i64().unwrap();
    assert!(body.contains(&format!(
        "<form method=\"post\" action=\"/zaken/{case}/brieven\" class=\"links\">"
    )));
    assert!(body.contains("name=\"soort\" value=\"waarschuwingsbrief\""));
    assert!(body.contains(&format!("name=\"melding\" value=\"{young}\"")));
    assert!(body.contains("In behandeling nemen"));
    assert!(
        !body.contains("Gesprek vastleggen"),
        "actions only in behandeling"
    );
    let audits = s
        .raw_texts(&format!(
            "SELECT object FROM audit_log WHERE object = 'melding:{young}' AND pupil = '99XX00/1001'"
        ))
        .await;
    assert!(!audits.is_empty(), "the page read is audited");

    // An action before the melding is taken up: refused with the reason, nothing stored.
    let (status, _, body) = act(
        &s,
        &lpa,
        young,
        &[("actie", "waarschuwingsbrief"), ("datum", "2026-10-01")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Neem de melding eerst in behandeling"),
        "{body}"
    );
    assert!(body.contains("Er is niets opgeslagen"));

    let (status, _, _) = act(&s, &lpa, young, &[("actie", "in_behandeling")]).await;
    assert_eq!(status, 303);
    let (_, body) = get_page(&s, &lpa, &format!("{path}?gedaan=in_behandeling")).await;
    assert!(body.contains("De melding is in behandeling genomen."));
    assert!(body.contains("in behandeling"), "the history");
    assert!(body.contains("Gesprek vastleggen"));

    // A conversation with the parents.
    let (status, location, _) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "gesprek"),
            ("datum", "2026-10-05"),
            ("met", "ouders"),
            ("samenvatting", SUMMARY),
        ],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{path}?gedaan=gesprek").as_str())
    );
    // Without a summary: refused.
    let (status, _, body) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "gesprek"),
            ("datum", "2026-10-05"),
            ("met", "leerling"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("De samenvatting van het gesprek ontbreekt"),
        "{body}"
    );
    // In the future: refused.
    let (_, _, body) = act(
        &s,
        &lpa,
        young,
        &[("actie", "waarschuwingsbrief"), ("datum", "2027-12-01")],
    )
    .await;
    assert!(body.contains("ligt na vandaag"), "{body}");
    // A warning letter, a formal warning (how the parents were informed is required), a
    // proces-verbaal.
    let (status, _, _) = act(
        &s,
        &lpa,
        young,
        &[("actie", "waarschuwingsbrief"), ("datum", "2026-10-08")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, body) = act(
        &s,
        &lpa,
        young,
        &[("actie", "officiele_waarschuwing"), ("datum", "2026-11-02")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("hoe de ouders"), "{body}");
    let (status, _, _) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "officiele_waarschuwing"),
            ("datum", "2026-11-02"),
            ("ouders", "gesprek"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "proces_verbaal"),
            ("datum", "2026-12-01"),
            ("ouders", "brief"),
            ("samenvatting", "Proces-verbaal wegens herhaald verzuim"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // HALT for a pupil of 10: refused in Dutch, nothing stored.
    let before = actions_of(&s, &lpa, young).await.len();
    let (status, _, body) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "halt"),
            ("datum", "2026-12-02"),
            ("ouders", "brief"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains(
            "Verwijzen naar HALT kan pas vanaf 12 jaar: de leerling is op 02-12-2026 10 jaar"
        ),
        "{body}"
    );
    assert_eq!(actions_of(&s, &lpa, young).await.len(), before);
    // Through the API as well.
    let (status, answer) = call(
        &s,
        &lpa,
        Method::POST,
        &format!("/api/meldingen/{young}/acties"),
        Some(json!({"kind": "halt", "date": "2026-12-02", "parents_informed": "brief"})),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    // A pupil of 13: HALT is recorded.
    act(&s, &lpa, older, &[("actie", "in_behandeling")]).await;
    let created = ok(
        &s,
        &lpa,
        Method::POST,
        &format!("/api/meldingen/{older}/acties"),
        Some(json!({"kind": "halt", "date": "2026-12-02", "parents_informed": "brief"})),
        201,
    )
    .await;
    assert_eq!(created["kind"], "halt");

    // The actions, in order, with the summary and how the parents were informed.
    let actions = actions_of(&s, &lpa, young).await;
    let kinds: Vec<&str> = actions
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "gesprek",
            "waarschuwingsbrief",
            "officiele_waarschuwing",
            "proces_verbaal"
        ]
    );
    assert_eq!(actions[0]["with"], "ouders");
    assert_eq!(actions[0]["summary"], SUMMARY);
    assert_eq!(actions[0]["parents_informed"], "gesprek");
    assert_eq!(actions[1]["parents_informed"], "brief");
    let (_, body) = get_page(&s, &lpa, &path).await;
    assert!(body.contains("Gesprek met ouders") && body.contains(SUMMARY));
    assert!(body.contains("Officiële waarschuwing") && body.contains("Proces-verbaal"));
    // Parents' information: when and how, for each action that informed them.
    let informed = s
        .raw_texts(
            "SELECT i.informed_on || ' ' || i.how FROM parent_information i \
             JOIN pupils p ON p.id = i.pupil \
             WHERE p.pupil_id = '1001' AND i.note LIKE 'Leerplicht:%' ORDER BY i.id",
        )
        .await;
    assert_eq!(
        informed,
        [
            "2026-10-05 gesprek",
            "2026-10-08 brief",
            "2026-11-02 gesprek",
            "2026-12-01 brief"
        ]
    );

    // The school sees the actions on the case timeline, without leerplicht's summary.
    let case_view = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    let entries: Vec<&str> = case_view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["entry"].as_str().unwrap())
        .collect();
    for e in [
        "leerplicht_gesprek",
        "leerplicht_waarschuwingsbrief",
        "leerplicht_officiele_waarschuwing",
        "leerplicht_proces_verbaal",
    ] {
        assert!(entries.contains(&e), "{e} in {entries:?}");
    }
    assert!(!case_view.to_string().contains(SUMMARY));
    // The school cannot read leerplicht's actions themselves.
    ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/meldingen/{young}/acties"),
        None,
        403,
    )
    .await;

    // Closing needs the afspraken; then it is closed with DUO's reason.
    let (status, _, body) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "afsluiten"),
            ("reden", "proces_verbaal"),
            ("afspraken", " "),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("De afspraken ontbreekt."), "{body}");
    assert!(body.contains("Er is niets opgeslagen"));
    let afspraken = "Jan komt weer elke dag; de school meldt opnieuw bij nieuw verzuim";
    let (status, location, _) = act(
        &s,
        &lpa,
        young,
        &[
            ("actie", "afsluiten"),
            ("reden", "proces_verbaal"),
            ("afspraken", afspraken),
        ],
    )
    .await;
    assert_eq!(
        (status, location),
        (303, format!("{path}?gedaan=afgesloten"))
    );
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{young}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["status"], "afgesloten");
    assert_eq!(detail["melding"]["status_reason"], "proces_verbaal");
    let (_, body) = get_page(&s, &lpa, &path).await;
    assert!(body.contains("Afgesloten (proces-verbaal)"), "{body}");
    assert!(!body.contains("Gesprek vastleggen"), "no more actions");
    let (_, _, body) = act(
        &s,
        &lpa,
        young,
        &[("actie", "waarschuwingsbrief"), ("datum", "2026-12-03")],
    )
    .await;
    assert!(body.contains("niet meer in behandeling"), "{body}");

    // The school has the feedback task with the afspraken.
    let tasks = open_tasks(&s, &ib, "1001").await;
    let feedback = task_starting(&tasks, FEEDBACK);
    let detail = task_detail(&s, &ib, &feedback["id"]).await;
    assert_eq!(detail["link"]["detail"], afspraken, "{detail}");
    // ... and reads them with the task in the pupil's dossier.
    let school_pages = page_client(&s, COORDINATOR).await;
    let (status, body) = get_page(&s, &school_pages, &format!("/leerlingen/{SCHOOL}/1001")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("Afspraken van leerplicht:</strong> {afspraken}")),
        "{body}"
    );

    // Ter kennisgeving aannemen, with afspraken, for the other melding.
    let (status, _, _) = act(
        &s,
        &lpa,
        older,
        &[
            ("actie", "ter_kennisgeving"),
            ("afspraken", "Geen verdere actie"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{older}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["status"], "ter_kennisgeving_aangenomen");
}

async fn another_municipality_and_the_school_get_nothing(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let id = melding_for(&s, &ib, "1001", "2016-03-01").await;
    let other = page_client(&s, LEERPLICHT_OLDENZAAL).await;
    let path = format!("/meldingen/{id}");
    let (status, body) = get_page(&s, &other, &path).await;
    assert_eq!(status, 404);
    assert!(!body.contains("Leerling 1001"));
    let (status, _, _) = post_form_located(&s, &other, &path, &[("actie", "in_behandeling")]).await;
    assert_eq!(status, 404);
    let (status, body) = get_page(&s, &other, "/meldingen").await;
    assert_eq!(status, 200);
    assert!(linked_ids(&body).is_empty() && !body.contains("Leerling 1001"));
    ok(
        &s,
        &other,
        Method::GET,
        &format!("/api/meldingen/{id}/acties"),
        None,
        404,
    )
    .await;
    // Still geregistreerd: the other municipality changed nothing.
    let lpa = page_client(&s, LEERPLICHT).await;
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["status"], "geregistreerd");
    // The school that made it reads it (no leerplicht forms) and may only withdraw it; it has
    // no list of incoming meldingen. Another school's coordinator gets nothing.
    let coordinator = page_client(&s, COORDINATOR).await;
    let (status, body) = get_page(&s, &coordinator, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("Melding intrekken"), "{body}");
    assert!(!body.contains("In behandeling nemen") && !body.contains("Gesprek vastleggen"));
    assert_eq!(get_page(&s, &coordinator, "/meldingen").await.0, 403);
    let (status, _, _) =
        post_form_located(&s, &coordinator, &path, &[("actie", "in_behandeling")]).await;
    assert_eq!(status, 403);
    let other_school = page_client(&s, "ib@wilg.nl").await;
    assert_eq!(get_page(&s, &other_school, &path).await.0, 404);
    let (status, _, _) = post_form_located(
        &s,
        &other_school,
        &path,
        &[("actie", "intrekken"), ("reden", "niet van ons")],
    )
    .await;
    assert_eq!(status, 404);
    // Withdrawing needs a reason; with one, the melding is ingetrokken.
    let (status, _, body) =
        post_form_located(&s, &coordinator, &path, &[("actie", "intrekken")]).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Vul de reden van het intrekken in."),
        "{body}"
    );
    let (status, _, _) = post_form_located(
        &s,
        &coordinator,
        &path,
        &[("actie", "intrekken"), ("reden", "Registratiefout")],
    )
    .await;
    assert_eq!(status, 303);
    let detail = ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/meldingen/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(detail["melding"]["status"], "ingetrokken");
    let jgz = page_client(&s, JGZ).await;
    assert_eq!(get_page(&s, &jgz, &path).await.0, 403);
    // A form from another site is refused.
    let res = lpa
        .post(s.url(&path))
        .header("origin", "https://evil.example")
        .form(&[("actie", "in_behandeling")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// A municipality with 105 meldingen (one made by the school, 104 more on its case written to
/// the store): the list shows 100 a page in the API's order, the pages keep the status filter,
/// a page beyond the last shows the last, and a page that is no number is refused in Dutch
/// (issue 13.3).
async fn the_meldingen_list_shows_a_hundred_a_page(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let first = melding_for(&s, &ib, "1001", "2016-03-01").await;
    let lpa = page_client(&s, LEERPLICHT).await;
    let case_id = case_of(&s, &lpa, first).await;
    let mut tx = s.store.begin().await.unwrap();
    for _ in 0..104 {
        tx.create_melding(
            SCHOOL,
            &NewMelding {
                case_id,
                municipality: ENSCHEDE.into(),
                verzuim_kind: verzuim_engine::model::SignalKind::RelatiefVerzuim,
                period: verzuim_engine::model::Period {
                    from: "2026-09-21".parse().unwrap(),
                    to: "2026-09-24".parse().unwrap(),
                },
                minutes: 21 * 60,
                suspected_reason: "Onbekend".into(),
                school_actions: "Gesprek met ouders".into(),
            },
            Actor::System,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut api_ids = Vec::new();
    for offset in [0, 100] {
        let api = ok(
            &s,
            &lpa,
            Method::GET,
            &format!("/api/meldingen?limit=100&offset={offset}"),
            None,
            200,
        )
        .await;
        api_ids.extend(
            api["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap()),
        );
    }
    assert_eq!(api_ids.len(), 105);

    let (status, one) = get_page(&s, &lpa, "/meldingen").await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(linked_ids(&one), api_ids[..100]);
    assert!(one.contains("105 meldingen."), "{one}");
    assert!(
        one.contains("Pagina 1 van 2 (meldingen 1-100 van 105)"),
        "{one}"
    );
    assert!(
        one.contains(r#"href="/meldingen?pagina=2" rel="next""#),
        "{one}"
    );
    assert!(!one.contains("rel=\"prev\""));
    let (_, two) = get_page(&s, &lpa, "/meldingen?pagina=2").await;
    assert_eq!(linked_ids(&two), api_ids[100..]);
    assert!(two.contains(r#"href="/meldingen" rel="prev""#), "{two}");
    assert!(!two.contains("rel=\"next\""));
    // Beyond the last: the last.
    let (status, far) = get_page(&s, &lpa, "/meldingen?pagina=40").await;
    assert_eq!(status, 200);
    assert_eq!(linked_ids(&far), api_ids[100..]);
    // The status filter stays on every page.
    let (_, filtered) = get_page(&s, &lpa, "/meldingen?status=geregistreerd").await;
    assert!(
        unescape(&filtered).contains(r#"href="/meldingen?status=geregistreerd&pagina=2""#),
        "{filtered}"
    );
    assert!(filtered.contains("105 meldingen met deze status."));
    // Not a page number: a Dutch error naming the parameter.
    let (status, bad) = get_page(&s, &lpa, "/meldingen?pagina=twee").await;
    assert_eq!(status, 400, "{bad}");
    assert!(bad.contains("pagina"), "{bad}");
}
