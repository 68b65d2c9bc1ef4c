//! issue 11: leerplicht's prikactie page and year in figures (page, CSV, API), and the school's
//! page for DUO's verzuimregister (fields to copy, downloads, the submission recorded, the parent
//! letter saying "via het verzuimregister van DUO" only after it).

use serde_json::{Value, json};

use crate::harness::{Env, get_page, make_letter, page_client, post_form, post_form_located};
use crate::region::*;

crate::http_tests!(
    prikactie_page_counts_around_the_herfstvakantie,
    year_figures_page_csv_and_api,
    duo_register_page_records_the_submission,
);

/// Enrols `id` for Enschede and makes its relatief melding (four days in June 2027): the
/// melding's id and case id.
async fn melding_for(s: &crate::harness::TestServer, ib: &reqwest::Client, id: &str) -> (i64, i64) {
    enrol(s, ib, pupil(id, ENSCHEDE)).await;
    register(s, ib, id, "ongeoorloofd", "2027-06-21", "2027-06-24").await;
    let tasks = open_tasks(s, ib, id).await;
    let meld = tasks
        .iter()
        .find(|t| t["melding"] == true)
        .unwrap_or_else(|| panic!("a melding task in {tasks:#?}"));
    let out = complete(
        s,
        ib,
        meld["id"].as_i64().unwrap(),
        json!({
            "parents_informed": parents("2027-06-25", "brief"),
            "melding": melding_content(),
        }),
    )
    .await;
    let melding = out["melding_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{out}"));
    let case = meld["case_id"].as_i64().unwrap();
    (melding, case)
}

async fn prikactie_page_counts_around_the_herfstvakantie(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    // Five Enschede pupils absent on Thursday 8 October 2026 (the last lesson day before the
    // herfstvakantie), one on Monday 19 October (the first after).
    for i in 0..5 {
        let id = format!("31{i:02}");
        enrol(&s, &ib, pupil(&id, ENSCHEDE)).await;
        register(&s, &ib, &id, "ongeoorloofd", "2026-10-08", "2026-10-08").await;
    }
    enrol(&s, &ib, pupil("3110", ENSCHEDE)).await;
    register(&s, &ib, "3110", "luxe", "2026-10-19", "2026-10-19").await;
    let lpa = s.logged_in(LEERPLICHT).await;
    let (status, body) = get_page(&s, &lpa, "/prikactie?jaar=2026&vakantie=Herfstvakantie").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Prikactie rondom schoolvakanties"));
    assert!(
        body.contains("<tr class=\"school-row\"><th scope=\"row\">OBS De Esch</th><td>6</td><td>10-10-2026 t/m 18-10-2026</td><td>08-10-2026</td><td>5</td><td>19-10-2026</td><td>minder dan 5</td>"),
        "{body}"
    );
    assert!(
        body.contains("Geen leerling met een melding aan uw gemeente"),
        "{body}"
    );
    assert!(body.contains("href=\"/prikactie\""), "in the nav");
    // The API: the same counts, the small one suppressed.
    let res = lpa
        .get(s.url("/api/gemeente/prikactie?jaar=2026&vakantie=Herfstvakantie"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["schools"][0]["absent_before"]["value"], 5);
    assert_eq!(p["schools"][0]["absent_after"]["value"], Value::Null);
    assert_eq!(p["schools"][0]["absent_after"]["fewer_than"], 5);
    assert_eq!(p["pupils"], json!([]));
    // A holiday that is not in the calendars: 422 on the API, the error page on the page.
    let res = lpa
        .get(s.url("/api/gemeente/prikactie?jaar=2026&vakantie=Paasvakantie"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Others: no page.
    for who in [COORDINATOR, TEACHER, JGZ, MUNICIPALITY_ADMIN] {
        let c = s.logged_in(who).await;
        assert_eq!(get_page(&s, &c, "/prikactie").await.0, 403, "{who}");
    }
}

async fn year_figures_page_csv_and_api(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let (m1, _) = melding_for(&s, &ib, "4001").await;
    melding_for(&s, &ib, "4002").await;
    let lpa = s.logged_in(LEERPLICHT).await;
    // One melding taken up with a warning letter, then closed as verzuim beëindigd.
    let (status, _) = post_form(
        &s,
        &lpa,
        &format!("/meldingen/{m1}"),
        &[("actie", "in_behandeling")],
    )
    .await;
    assert!(status == 200 || status == 303, "{status}");
    post_form(
        &s,
        &lpa,
        &format!("/meldingen/{m1}"),
        &[("actie", "waarschuwingsbrief"), ("datum", "2027-06-29")],
    )
    .await;
    post_form(
        &s,
        &lpa,
        &format!("/meldingen/{m1}"),
        &[
            ("actie", "afsluiten"),
            ("reden", "verzuim_beeindigd"),
            ("afspraken", "De leerling is weer elke dag op school"),
        ],
    )
    .await;
    let (status, body) = get_page(&s, &lpa, "/jaarcijfers?jaar=2026").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Jaarcijfers leerplicht 2026-2027"));
    assert!(
        body.contains("<tr class=\"figure-row\"><th scope=\"row\">Relatief verzuim</th><td>2</td><td>2</td></tr>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">Afgesloten: verzuim beëindigd</th><td>1</td><td>1</td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">Waarschuwingsbrieven</th><td>1</td><td>1</td>"),
        "{body}"
    );
    // The chart: an accessible image with a title saying what it shows, one bar per figure
    // per school with its value written after it (grouped, not stacked).
    assert!(
        body.contains("role=\"img\"")
            && body.contains(
                "Jaarcijfers leerplicht 2026-2027: meldingen, waarschuwingsbrieven, \
                 HALT-verwijzingen, processen-verbaal en thuiszitters per school en in totaal\
                 </title>"
            ),
        "{body}"
    );
    assert!(body.contains("<title>Meldingen: 2</title>"), "{body}");
    assert!(body.contains("<text class=\"chart-value\""), "{body}");
    // The year before: nothing.
    let (_, before) = get_page(&s, &lpa, "/jaarcijfers?jaar=2025").await;
    assert!(
        !before.contains("<th scope=\"row\">Relatief verzuim</th>"),
        "{before}"
    );
    // CSV: the same table.
    let res = lpa
        .get(s.url("/jaarcijfers.csv?jaar=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("jaarcijfers-leerplicht-2026-2027.csv")
    );
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("onderdeel;cijfer;OBS De Esch;Totaal\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Meldingen per soort verzuim;Relatief verzuim;2;2\n"),
        "{csv}"
    );
    assert!(
        csv.contains("Acties van leerplicht;Waarschuwingsbrieven;1;1\n"),
        "{csv}"
    );
    // API.
    let res = lpa
        .get(s.url("/api/gemeente/jaarcijfers?jaar=2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let f: Value = res.json().await.unwrap();
    assert_eq!(f["total"]["meldingen_total"], 2);
    assert_eq!(f["total"]["outcomes"]["afgesloten:verzuim_beeindigd"], 1);
    assert_eq!(f["per_school"][SCHOOL]["actions"]["waarschuwingsbrief"], 1);
    let res = lpa
        .get(s.url("/api/gemeente/jaarcijfers?jaar=1900"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // Oldenzaal sees none of Enschede's; a school has no such page.
    let other = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    let (_, body) = get_page(&s, &other, "/jaarcijfers?jaar=2026").await;
    assert!(!body.contains("OBS De Esch"), "{body}");
    assert_eq!(get_page(&s, &ib, "/jaarcijfers").await.0, 403);
    assert_eq!(get_page(&s, &ib, "/jaarcijfers.csv").await.0, 403);
}

async fn duo_register_page_records_the_submission(env: Env) {
    let s = region(&env).await;
    let ib = s.logged_in(COORDINATOR).await;
    let (id, case) = melding_for(&s, &ib, "5001").await;
    let path = format!("/meldingen/{id}/duo");
    let (status, body) = get_page(&s, &ib, &path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("nog niet ingediend bij DUO"), "{body}");
    assert!(
        body.contains(
            "<th scope=\"row\">Soort verzuim</th><td class=\"freetext\">16 uur in 4 weken</td>"
        ),
        "{body}"
    );
    assert!(body.contains("de contactpersoon van de school"), "{body}");
    // Before submission the parent letter does not claim the register.
    let (_, text) = make_letter(
        &s,
        &ib,
        case,
        &[("soort", "overzicht_melding"), ("melding", &id.to_string())],
    )
    .await
    .unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!flat.contains("via het verzuimregister van DUO"), "{flat}");
    assert!(
        flat.contains("dient de melding in bij het verzuimregister van DUO"),
        "{flat}"
    );
    // Refused while incomplete: the page says what is missing, nothing stored.
    let (status, body) = post_form(
        &s,
        &ib,
        &path,
        &[
            ("actie", "ingediend"),
            ("meldingsnummer", "VR-1"),
            ("datum", "2027-06-30"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("nog niet compleet voor DUO"), "{body}");
    // The contact person (beheer) and the details.
    let admin = page_client(&s, SCHOOL_ADMIN).await;
    let ibp = page_client(&s, COORDINATOR).await;
    let (status, loc, _) = post_form_located(
        &s,
        &admin,
        "/beheer/contactpersoon",
        &[
            ("naam", "Anna de Vries"),
            ("functie", "Intern begeleider"),
            ("telefoon", "053-7654321"),
            ("email", "a.devries@esch.example"),
        ],
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, "/beheer/contactpersoon?opgeslagen=1")
    );
    let (status, body) = post_form(
        &s,
        &ib,
        &path,
        &[
            ("actie", "gegevens"),
            ("telefoon", "06 12345678"),
            ("telefoon_van", "ouder"),
            ("alle_lessen", "ja"),
            ("actie_gewenst", "nee"),
            ("reden_geen_actie", ""),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("vul bij \"nee\" de reden in")
            || body.contains("vul bij &quot;nee&quot; de reden in")
            || body.contains("vul bij &#34;nee&#34; de reden in"),
        "{body}"
    );
    let (status, loc, _) = post_form_located(
        &s,
        &ibp,
        &path,
        &[
            ("actie", "gegevens"),
            ("telefoon", "06 12345678"),
            ("telefoon_van", "ouder"),
            ("alle_lessen", "ja"),
            ("actie_gewenst", "ja"),
            ("locatie", "OBS De Esch, Enschede"),
        ],
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, format!("{path}?gedaan=gegevens").as_str())
    );
    let (status, loc, _) = post_form_located(
        &s,
        &ibp,
        &path,
        &[
            ("actie", "ingediend"),
            ("meldingsnummer", "VR-2027-0815"),
            ("datum", "2027-06-30"),
        ],
    )
    .await;
    assert_eq!(
        (status, loc.as_str()),
        (303, format!("{path}?gedaan=ingediend").as_str())
    );
    let (_, body) = get_page(&s, &ib, &path).await;
    assert!(
        body.contains("meldingsnummer <strong>VR-2027-0815</strong>"),
        "{body}"
    );
    // Downloads.
    let res = ib.get(s.url(&format!("{path}.csv"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("Contactpersoon;Anna de Vries\n"), "{csv}");
    assert!(csv.contains("Telefoonnummer;06 12345678\n"), "{csv}");
    let res = ib.get(s.url(&format!("{path}.json"))).send().await.unwrap();
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["indiening"]["meldingsnummer"], "VR-2027-0815");
    let res = ib
        .get(s.url(&format!("/api/meldingen/{id}/duo-verzuimregister")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let api: Value = res.json().await.unwrap();
    assert_eq!(api, doc);
    // Now the letter says it.
    let (_, text) = make_letter(
        &s,
        &ib,
        case,
        &[("soort", "overzicht_melding"), ("melding", &id.to_string())],
    )
    .await
    .unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("via het verzuimregister van DUO (meldingsnummer VR-2027-0815)"),
        "{flat}"
    );
    // Leerplicht reads the page, may not post; GGD-JGZ does not find it.
    let lpa = s.logged_in(LEERPLICHT).await;
    assert_eq!(get_page(&s, &lpa, &path).await.0, 200);
    assert_eq!(
        post_form(&s, &lpa, &path, &[("actie", "gegevens")]).await.0,
        403
    );
    let jgz = s.logged_in(JGZ).await;
    assert_eq!(get_page(&s, &jgz, &path).await.0, 403);
}
