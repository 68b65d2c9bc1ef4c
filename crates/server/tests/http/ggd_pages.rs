//! GGD-JGZ's pages (`/verwijzingen`, `/verwijzingen/{id}`): recording the invitation (takes the
//! referral up), "niet verschenen zonder tegenbericht" gives the school its task, and GGD-JGZ's
//! notes and invitations stay with GGD-JGZ: the school's coordinator sees status and history
//! only, leerplicht nothing, neither on pages nor in the API nor in the inzage export.

use reqwest::Method;

use crate::ggd_api::referred_pupil;
use crate::harness::{Env, get_page, page_client, post_form_located};
use crate::region::*;
use verzuim_store::Actor;

crate::http_tests!(
    ggd_invites_records_a_no_show_and_keeps_its_notes,
    the_referrals_list_shows_a_hundred_a_page,
);

const NOTE: &str = "Moeder belde af wegens werk; nieuwe afspraak volgt";
const JUDGE: &str = "Beoordeelt of de leerling zonder goede reden niet verscheen bij de GGD-JGZ";

async fn ggd_invites_records_a_no_show_and_keeps_its_notes(env: Env) {
    let s = region(&env).await;
    let ib_api = s.logged_in(COORDINATOR).await;
    let referral = referred_pupil(&s, &ib_api).await;
    let jgz = page_client(&s, JGZ).await;
    let path = format!("/verwijzingen/{referral}");

    // The list: the new referral, linked.
    let (status, body) = get_page(&s, &jgz, "/verwijzingen").await;
    assert_eq!(status, 200);
    assert!(body.contains(&format!("href=\"{path}\"")), "{body}");
    assert!(body.contains("Nieuw (aangemeld)"));
    assert!(body.contains("Ziekte langer dan 2 weken") || body.contains("Ziekmelding"));

    // The page: the referral, its history, GGD-JGZ's task, the forms.
    let (status, body) = get_page(&s, &jgz, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("Leerling 1002"));
    assert!(body.contains("href=\"/leerlingen/99XX00/1002\""));
    assert!(body.contains("Uitnodiging vastleggen"));
    assert!(body.contains("Open taken van de GGD-JGZ"));

    // An invitation without a time: refused, nothing stored.
    let (status, _, body) = post_form_located(
        &s,
        &jgz,
        &path,
        &[("actie", "uitnodiging"), ("datum", "2026-10-06")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Vul de tijd van de afspraak in"), "{body}");
    // The invitation: recorded, the referral in behandeling.
    let (status, location, _) = post_form_located(
        &s,
        &jgz,
        &path,
        &[
            ("actie", "uitnodiging"),
            ("datum", "2026-10-06"),
            ("tijd", "10:30"),
        ],
    )
    .await;
    assert_eq!(
        (status, location),
        (303, format!("{path}?gedaan=uitnodiging"))
    );
    let (_, body) = get_page(&s, &jgz, &path).await;
    assert!(
        body.contains("06-10-2026") && body.contains("10:30"),
        "{body}"
    );
    let api = ok(
        &s,
        &jgz,
        Method::GET,
        &format!("/api/referrals/{referral}"),
        None,
        200,
    )
    .await;
    assert_eq!(api["referral"]["status"], "in_behandeling");

    // A private note.
    let (status, _, _) =
        post_form_located(&s, &jgz, &path, &[("actie", "notitie"), ("tekst", NOTE)]).await;
    assert_eq!(status, 303);
    let (_, body) = get_page(&s, &jgz, &path).await;
    assert!(body.contains(NOTE));

    // Niet verschenen zonder tegenbericht: the school gets its task.
    assert!(
        open_tasks(&s, &ib_api, "1002")
            .await
            .iter()
            .all(|t| t["text"] != JUDGE)
    );
    let (status, location, _) =
        post_form_located(&s, &jgz, &path, &[("actie", "niet_verschenen")]).await;
    assert_eq!(
        (status, location),
        (303, format!("{path}?gedaan=niet_verschenen"))
    );
    let tasks = open_tasks(&s, &ib_api, "1002").await;
    let judge = task_starting(&tasks, JUDGE);
    assert_eq!(judge["party"], "school");
    // A second time: the transition is refused with the reason.
    let (status, _, body) =
        post_form_located(&s, &jgz, &path, &[("actie", "niet_verschenen")]).await;
    assert_eq!(status, 200);
    assert!(body.contains("kan niet naar"), "{body}");
    // A new invitation takes it up again.
    let (status, _, _) = post_form_located(
        &s,
        &jgz,
        &path,
        &[
            ("actie", "uitnodiging"),
            ("datum", "2026-10-20"),
            ("tijd", "09:00"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    // The school's coordinator: status and history only.
    let ib = page_client(&s, COORDINATOR).await;
    let (status, body) = get_page(&s, &ib, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("In behandeling"));
    assert!(
        body.contains("niet verschenen zonder tegenbericht"),
        "history"
    );
    assert!(!body.contains(NOTE));
    assert!(!body.contains("10:30") && !body.contains("06-10-2026"));
    assert!(!body.contains("Uitnodiging vastleggen") && !body.contains("Eigen notities"));
    let (status, _, _) = post_form_located(&s, &ib, &path, &[("actie", "afgerond")]).await;
    assert_eq!(status, 403);
    assert_eq!(get_page(&s, &ib, "/verwijzingen").await.0, 403);
    // The school sees the invitation on the timeline, without the appointment.
    let case = api["referral"]["case_id"].as_i64().unwrap();
    let case_view = ok(
        &s,
        &ib_api,
        Method::GET,
        &format!("/api/cases/{case}"),
        None,
        200,
    )
    .await;
    let text = case_view.to_string();
    assert!(text.contains("verwijzing_uitnodiging"));
    assert!(!text.contains(NOTE) && !text.contains("10:30"));
    // Nor in the API, nor in the school's inzage export.
    ok(
        &s,
        &ib_api,
        Method::GET,
        &format!("/api/referrals/{referral}/notes"),
        None,
        403,
    )
    .await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let inzage = ok(
        &s,
        &admin,
        Method::GET,
        "/api/schools/99XX00/pupils/1002/inzage",
        None,
        200,
    )
    .await
    .to_string();
    assert!(!inzage.contains(NOTE) && !inzage.contains("uitnodigingen"));
    // GGD-JGZ's own inzage export holds them.
    let ggd_admin = s.logged_in(GGD_ADMIN).await;
    let inzage = ok(
        &s,
        &ggd_admin,
        Method::GET,
        "/api/schools/99XX00/pupils/1002/inzage",
        None,
        200,
    )
    .await;
    let text = inzage.to_string();
    assert!(text.contains(NOTE));
    assert_eq!(
        inzage["referrals"][0]["uitnodigingen"][0]["date"],
        "2026-10-06"
    );

    // Leerplicht (of the pupil's municipality, Oldenzaal) and another GGD-JGZ: nothing.
    let lpa = page_client(&s, LEERPLICHT_OLDENZAAL).await;
    assert_eq!(get_page(&s, &lpa, &path).await.0, 403);
    ok(
        &s,
        &lpa,
        Method::GET,
        &format!("/api/referrals/{referral}/notes"),
        None,
        403,
    )
    .await;
    let other = page_client(&s, OTHER_JGZ).await;
    let (status, body) = get_page(&s, &other, &path).await;
    assert_eq!(status, 404);
    assert!(!body.contains(NOTE));
    let (status, _, _) =
        post_form_located(&s, &other, &path, &[("actie", "notitie"), ("tekst", "x")]).await;
    assert_eq!(status, 404);

    // Verschenen / afgerond: final; no more forms.
    let (status, _, _) = post_form_located(&s, &jgz, &path, &[("actie", "afgerond")]).await;
    assert_eq!(status, 303);
    let (_, body) = get_page(&s, &jgz, &path).await;
    assert!(body.contains("Afgerond"));
    assert!(!body.contains("Uitnodiging vastleggen"));
}

/// A GGD-JGZ with 102 referrals (one made by the school, 101 more on its case written to the
/// store): the list shows 100 a page, every referral on exactly one page, with the number in
/// all (issue 13.3: before, the list stopped at 1,000 without saying so).
async fn the_referrals_list_shows_a_hundred_a_page(env: Env) {
    let s = region(&env).await;
    let ib_api = s.logged_in(COORDINATOR).await;
    let first = referred_pupil(&s, &ib_api).await;
    let jgz = page_client(&s, JGZ).await;
    let case_id = ok(
        &s,
        &jgz,
        Method::GET,
        &format!("/api/referrals/{first}"),
        None,
        200,
    )
    .await["referral"]["case_id"]
        .as_i64()
        .unwrap();
    let mut tx = s.store.begin().await.unwrap();
    for _ in 0..101 {
        tx.create_referral(SCHOOL, case_id, GGD, Actor::System)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let ids = |body: &str| -> Vec<i64> {
        body.split("href=\"/verwijzingen/")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect()
    };
    let (status, one) = get_page(&s, &jgz, "/verwijzingen").await;
    assert_eq!(status, 200, "{one}");
    assert!(one.contains("102 verwijzingen."), "{one}");
    assert!(
        one.contains("Pagina 1 van 2 (verwijzingen 1-100 van 102)"),
        "{one}"
    );
    assert!(one.contains(r#"href="/verwijzingen?pagina=2" rel="next""#));
    let (_, two) = get_page(&s, &jgz, "/verwijzingen?pagina=2").await;
    let (one, two) = (ids(&one), ids(&two));
    assert_eq!((one.len(), two.len()), (100, 2));
    let mut all: Vec<i64> = one.into_iter().chain(two).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 102);
    assert!(all.contains(&first));
}
