//! issue 10.5 and 10.6 in the pages: the coordinator and the beheerder correct a pupil's data
//! (`/leerlingen/{school}/{pupil}/gegevens`), audited and re-evaluated; a blocked melding links
//! there; the coordinator closes a case (refused while a melding runs, saying why) and reopens
//! it, in the dossier and through the API.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Env, TestServer, get_page, post_form};
use crate::region::{
    COORDINATOR, ENSCHEDE, SCHOOL, SCHOOL_ADMIN, TEACHER, audit_objects, call, enrol, ok,
    open_tasks, pupil, region, register, task_starting,
};

crate::http_tests!(
    the_coordinator_adds_a_missing_bsn_and_the_melding_follows,
    the_beheerder_corrects_group_and_deregisters,
    a_case_is_closed_and_reopened_from_the_dossier,
);

const DOSSIER: &str = "/leerlingen/99XX00/1001";
const DATA: &str = "/leerlingen/99XX00/1001/gegevens";

/// 1001 without a BSN, with 21 hours ongeoorloofd: the 16-hour signal and its melding task.
async fn without_bsn(s: &TestServer) -> reqwest::Client {
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    let mut p = pupil("1001", "enschede");
    p.as_object_mut().unwrap().remove("bsn");
    enrol(s, &ib, p).await;
    register(s, &juf, "1001", "ongeoorloofd", "2026-09-21", "2026-09-24").await;
    ib
}

fn data_form<'a>(over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("bsn", ""),
        ("onderwijsnummer", ""),
        ("ouder_naam", "Ouder"),
        ("ouder_email", "ouder@example.nl"),
        ("ouder_telefoon", ""),
        ("straat", ""),
        ("postcode", ""),
        ("plaats", ""),
        ("woongemeente", ENSCHEDE),
        ("groep", "5"),
        ("ingeschreven", "2022-08-22"),
        ("uitgeschreven", ""),
        ("nieuwe_school", ""),
    ];
    for (k, v) in over {
        if let Some(e) = f.iter_mut().find(|(fk, _)| fk == k) {
            e.1 = v;
        }
    }
    f
}

async fn the_coordinator_adds_a_missing_bsn_and_the_melding_follows(env: Env) {
    let s = region(&env).await;
    let ib = without_bsn(&s).await;
    // The dossier says what blocks the melding and links to where it is fixed.
    let (status, html) = get_page(&s, &ib, DOSSIER).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Melden kan nog niet: de leerling heeft geen BSN of onderwijsnummer."),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<a href=\"{DATA}\">Leerlinggegevens aanvullen</a>"
    )));
    // Trying anyway: the refusal links there too.
    let tasks = open_tasks(&s, &ib, "1001").await;
    let meld = task_starting(&tasks, "Meldt bij de leerplichtambtenaar")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let melding_form = [
        ("actie", "taak_afronden"),
        ("taak", meld.as_str()),
        ("datum", "2026-09-25"),
        ("hoe", "gesprek"),
        ("reden", "Onbekend"),
        ("acties", "Gesprek met vader.\nBrief gestuurd."),
    ];
    let (status, html) = post_form(&s, &ib, DOSSIER, &melding_form).await;
    assert_eq!(status, 200);
    assert!(html.contains("vul dit eerst aan"), "{html}");
    assert!(html.contains(&format!(
        "<a href=\"{DATA}\">Leerlinggegevens aanvullen</a>"
    )));

    // The data page: a BSN that fails the elfproef is refused, saying where and what.
    let (status, html) = get_page(&s, &ib, DATA).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Gegevens van Leerling 1001"));
    let (status, html) = post_form(&s, &ib, DATA, &data_form(&[("bsn", "123456789")])).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("BSN: &#34;123456789&#34; is geen geldig BSN")
            || html.contains("BSN: &quot;123456789&quot; is geen geldig BSN"),
        "{html}"
    );
    assert!(
        html.contains("value=\"123456789\""),
        "what was entered stays"
    );
    let pupil_now = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
    assert!(pupil_now["bsn"].is_null(), "{pupil_now}");
    // A valid BSN is stored, audited with the field's name (never its value).
    let (status, html) = post_form(&s, &ib, DATA, &data_form(&[("bsn", "400276872")])).await;
    assert_eq!(status, 200);
    assert!(html.contains("Opgeslagen: BSN."), "{html}");
    let pupil_now = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
    assert_eq!(pupil_now["bsn"], "400276872");
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let objects = audit_objects(&s, &admin, SCHOOL, "99XX00/1001").await;
    assert!(
        objects.iter().any(|o| o == "pupil:1001:update:bsn"),
        "{objects:?}"
    );
    assert!(!objects.iter().any(|o| o.contains("400276872")));
    // Now the melding goes.
    let (status, html) = get_page(&s, &ib, DOSSIER).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Melden kan nog niet"));
    let (status, html) = post_form(&s, &ib, DOSSIER, &melding_form).await;
    assert_eq!(status, 200);
    assert!(html.contains("De melding is gedaan"), "{html}");
    // Free text keeps its line breaks (issue 10.8).
    let list = ok(&s, &ib, Method::GET, "/api/meldingen", None, 200).await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (status, html) = get_page(&s, &ib, &format!("/meldingen/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("<dd class=\"freetext\">Gesprek met vader.\nBrief gestuurd.</dd>"),
        "{html}"
    );
    let (_, css) = get_page(&s, &ib, "/static/app.css").await;
    assert!(css.contains(".freetext { white-space: pre-line; }"));
}

async fn the_beheerder_corrects_group_and_deregisters(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, html) = get_page(&s, &admin, DATA).await;
    assert_eq!(status, 200, "{html}");
    // The teacher may not.
    let juf = s.logged_in(TEACHER).await;
    let (status, _) = get_page(&s, &juf, DATA).await;
    assert_eq!(status, 403);
    // A next school without a deregistration date is refused.
    let (status, html) = post_form(
        &s,
        &admin,
        DATA,
        &data_form(&[("bsn", "400276872"), ("nieuwe_school", "OBS De Bron")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Nieuwe school: hoort bij een uitschrijving"),
        "{html}"
    );
    // Another group, the parents' phone, and a deregistration with the next school.
    let (status, html) = post_form(
        &s,
        &admin,
        DATA,
        &data_form(&[
            ("bsn", "400276872"),
            ("groep", "6"),
            ("ouder_telefoon", "053-1234567"),
            ("uitgeschreven", "2027-06-25"),
            ("nieuwe_school", "OBS De Bron"),
        ]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Opgeslagen: contactgegevens ouders, groep, uitschrijving, nieuwe school."),
        "{html}"
    );
    let p = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001",
        None,
        200,
    )
    .await;
    assert_eq!(p["group"], "6");
    assert_eq!(p["enrolled_until"], "2027-06-25");
    assert_eq!(p["next_school"], "OBS De Bron");
    assert_eq!(p["parent_phone"], "053-1234567");
    let objects = audit_objects(&s, &admin, SCHOOL, "99XX00/1001").await;
    assert!(
        objects
            .iter()
            .any(|o| o == "pupil:1001:update:ouders,groep,uitschrijving,nieuwe_school"),
        "{objects:?}"
    );
    // A deregistration without a next school re-evaluates the pupil: absoluut verzuim.
    let (status, _) = post_form(
        &s,
        &admin,
        DATA,
        &data_form(&[
            ("bsn", "400276872"),
            ("groep", "6"),
            ("ouder_telefoon", "053-1234567"),
            ("uitgeschreven", "2027-06-25"),
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let signals = ok(
        &s,
        &ib,
        Method::GET,
        "/api/schools/99XX00/pupils/1001/signals",
        None,
        200,
    )
    .await;
    assert!(
        signals.to_string().contains("absoluut_verzuim"),
        "{signals}"
    );
}

async fn a_case_is_closed_and_reopened_from_the_dossier(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let juf = s.logged_in(TEACHER).await;
    enrol(&s, &ib, pupil("1001", "enschede")).await;
    register(&s, &juf, "1001", "ongeoorloofd", "2026-09-21", "2026-09-24").await;
    let cases = ok(&s, &ib, Method::GET, "/api/cases", None, 200).await;
    let case_id = cases["items"][0]["id"].as_i64().unwrap();
    let case = case_id.to_string();
    // Make the melding through the API, then try to close the case from the page.
    let tasks = open_tasks(&s, &ib, "1001").await;
    let meld = task_starting(&tasks, "Meldt bij de leerplichtambtenaar")["id"]
        .as_i64()
        .unwrap();
    let done = crate::region::complete(
        &s,
        &ib,
        meld,
        json!({
            "parents_informed": crate::region::parents("2026-09-25", "gesprek"),
            "melding": crate::region::melding_content(),
        }),
    )
    .await;
    let melding = done["melding_id"].as_i64().expect("a melding");
    let (status, html) = get_page(&s, &ib, DOSSIER).await;
    assert_eq!(status, 200);
    assert!(html.contains("Dossier sluiten"));
    let (status, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "dossier_sluiten"),
            ("zaak", &case),
            ("reden", "Verzuim gestopt"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Het dossier kan niet dicht: melding") && html.contains("loopt nog"),
        "{html}"
    );
    assert!(html.contains(&format!("melding {melding} aan leerplicht loopt nog")));
    // The school withdraws the melding; now the case closes.
    let mid = melding;
    let (status, _) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "melding_intrekken"),
            ("melding", &mid.to_string()),
            ("reden", "Dubbel gemeld"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "dossier_sluiten"),
            ("zaak", &case),
            ("reden", "Verzuim gestopt"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Het dossier is gesloten."), "{html}");
    assert!(html.contains("Dossier heropenen"));
    let c = ok(
        &s,
        &ib,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    assert!(!c["case"]["closed_at"].is_null(), "{c}");
    // Reopen from the page, then close and reopen through the API.
    let (status, html) = post_form(
        &s,
        &ib,
        DOSSIER,
        &[
            ("actie", "dossier_heropenen"),
            ("zaak", &case),
            ("reden", "Nieuw verzuim gemeld"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Het dossier is heropend."), "{html}");
    assert!(html.contains("Dossier heropend: Nieuw verzuim gemeld"));
    let (status, _) = call(
        &s,
        &ib,
        Method::POST,
        &format!("/api/cases/{case}/reopen"),
        Some(json!({"reason": "nog eens"})),
    )
    .await;
    assert_eq!(status, 409);
    ok(
        &s,
        &ib,
        Method::POST,
        &format!("/api/cases/{case}/close"),
        Some(json!({"reason": "klaar"})),
        204,
    )
    .await;
    ok(
        &s,
        &ib,
        Method::POST,
        &format!("/api/cases/{case}/reopen"),
        Some(json!({"reason": "toch niet klaar"})),
        204,
    )
    .await;
}
