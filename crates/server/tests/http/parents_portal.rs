//! Issue 12, the parents' portal (docs/parents.md): a school invites a parent (a one-time link,
//! 7 days), the parent sets a password and sees only their own children; a ziekmelding "until
//! further notice" is a `ziek` registration the school sees and corrects; "beter melden" ends
//! it; leave requests are checked against the Leerplichtwet, routed to the director or to
//! leerplicht, and decided with a letter; granted leave becomes `verlof` registrations.

use jiff::SignedDuration;
use reqwest::Method;
use serde_json::Value;
use verzuim_store::Role;

use crate::harness::{
    Env, PASSWORD, TestServer, get_page, no_redirects, page_client, post_form_located,
};
use crate::region::{
    COORDINATOR, LEERPLICHT, LEERPLICHT_OLDENZAAL, OTHER_SCHOOL, SCHOOL, call, enrol, ok, pupil,
    region,
};

crate::http_tests!(
    a_parent_is_invited_sets_a_password_and_sees_only_their_child,
    a_sick_report_is_a_ziek_registration_until_the_child_is_better,
    leave_requests_are_checked_routed_and_decided_with_a_letter,
);

const PARENT: &str = "ouder@example.nl";
const DIRECTOR: &str = "directeur@esch.nl";

/// 1001 and 1002 at De Esch (both with the parent's address), and the coordinator's client.
async fn pupils(s: &TestServer) -> reqwest::Client {
    let ib = s.logged_in(COORDINATOR).await;
    enrol(s, &ib, pupil("1001", "enschede")).await;
    let mut other = pupil("1002", "enschede");
    other["parent_email"] = "andere-ouder@example.nl".into();
    enrol(s, &ib, other).await;
    ib
}

/// The invitation link the coordinator gets on the pupil's portal page.
async fn invite(s: &TestServer, ib: &reqwest::Client, pupil: &str) -> String {
    let res = ib
        .post(s.url(&format!("/leerlingen/{SCHOOL}/{pupil}/ouders")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Uitnodiging voor het ouderportaal van OBS De Esch"),
        "{html}"
    );
    let start = html
        .find("/ouders/uitnodiging/")
        .expect("the link on the page");
    let token: String = html[start + "/ouders/uitnodiging/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);
    format!("/ouders/uitnodiging/{token}")
}

/// Accepts an invitation with a new password: the parent's logged-in client.
async fn accept(s: &TestServer, link: &str) -> reqwest::Client {
    let c = no_redirects(s);
    let (status, location, body) = post_form_located(
        s,
        &c,
        link,
        &[
            ("naam", "Ouder Jansen"),
            ("nieuw", PASSWORD),
            ("herhaling", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location, "/ouders?gedaan=welkom");
    c
}

/// What the daily job does for the parents' portal on `day`.
async fn daily_job(s: &TestServer, day: &str) {
    verzuim_service::parents::keep_up_to_date(&s.store, day.parse().unwrap(), None)
        .await
        .expect("keep up to date");
}

async fn registrations(s: &TestServer, ib: &reqwest::Client, pupil: &str) -> Vec<Value> {
    let v = ok(
        s,
        ib,
        Method::GET,
        &format!("/api/schools/{SCHOOL}/pupils/{pupil}/registrations"),
        None,
        200,
    )
    .await;
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn a_parent_is_invited_sets_a_password_and_sees_only_their_child(env: Env) {
    let s = region(&env).await;
    let ib = pupils(&s).await;
    // A teacher may not invite.
    let juf = s.logged_in("leerkracht@esch.nl").await;
    let res = juf
        .post(s.url(&format!("/leerlingen/{SCHOOL}/1001/ouders")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let link = invite(&s, &ib, "1001").await;
    let link = link.as_str();
    // Only the hash of the token is stored.
    let token = link.rsplit('/').next().unwrap();
    assert!(
        s.raw_texts("SELECT token_hash FROM parent_invitations")
            .await
            .iter()
            .all(|h| h != token)
    );
    let (status, html) = get_page(&s, &s.browser(), link).await;
    assert_eq!(status, 200);
    assert!(html.contains("OBS De Esch nodigt u uit"), "{html}");
    // A weak password is refused in Dutch, the form stays.
    let (status, _, html) = post_form_located(
        &s,
        &no_redirects(&s),
        link,
        &[("naam", "Ouder"), ("nieuw", "kort"), ("herhaling", "kort")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            r#"role="alert" id="uitnodigingfout">Het wachtwoord moet minstens 12 tekens"#
        ),
        "{html}"
    );
    let parent = accept(&s, link).await;
    // One time only.
    let (_, html) = get_page(&s, &s.browser(), link).await;
    assert!(html.contains("al gebruikt"), "{html}");
    // The login lands on /ouders, which shows the child and no other.
    let (status, html) = get_page(&s, &parent, "/ouders").await;
    assert_eq!(status, 200);
    assert!(html.contains("Leerling 1001"), "{html}");
    assert!(!html.contains("Leerling 1002"));
    let fresh = no_redirects(&s);
    let (status, location, _) = post_form_located(
        &s,
        &fresh,
        "/inloggen",
        &[("email", PARENT), ("wachtwoord", PASSWORD)],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/ouders"));
    // Another child, at the other school, or a letter that is not theirs: not found.
    for path in [
        format!("/ouders/{SCHOOL}/1002"),
        format!("/ouders/{OTHER_SCHOOL}/1001"),
        "/ouders/brieven/1".to_owned(),
    ] {
        let (status, _) = get_page(&s, &parent, &path).await;
        assert_eq!(status, 404, "{path}");
    }
    let res = parent
        .post(s.url(&format!("/ouders/{SCHOOL}/1002/ziek")))
        .form(&[("dag", "vandaag")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The parent has no school role: the school's pages are closed.
    let (status, _) = get_page(&s, &parent, "/taken").await;
    assert_eq!(status, 403);
    // A second child at another school joins the same account: one parent, two schools.
    let wilg = s.logged_in("ib@wilg.nl").await;
    ok(
        &s,
        &wilg,
        Method::POST,
        &format!("/api/schools/{OTHER_SCHOOL}/pupils"),
        Some(pupil("2001", "enschede")),
        201,
    )
    .await;
    let res = wilg
        .post(s.url(&format!("/leerlingen/{OTHER_SCHOOL}/2001/ouders")))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    let start = html.find("/ouders/uitnodiging/").unwrap();
    let link2: String = html[start..]
        .chars()
        .take("/ouders/uitnodiging/".len() + 64)
        .collect();
    let (_, html) = get_page(&s, &s.browser(), &link2).await;
    assert!(
        html.contains("Er is al een account met dit e-mailadres"),
        "{html}"
    );
    let (status, location, _) = post_form_located(&s, &no_redirects(&s), &link2, &[]).await;
    assert_eq!((status, location.as_str()), (303, "/inloggen?gekoppeld=1"));
    let (_, html) = get_page(&s, &parent, "/ouders").await;
    assert!(
        html.contains("Leerling 1001") && html.contains("Leerling 2001"),
        "{html}"
    );
    // An invitation expires after 7 days.
    let link3 = invite(&s, &ib, "1002").await;
    s.advance(SignedDuration::from_hours(7 * 24 + 1));
    let (_, html) = get_page(&s, &s.browser(), &link3).await;
    assert!(html.contains("verlopen"), "{html}");
}

async fn a_sick_report_is_a_ziek_registration_until_the_child_is_better(env: Env) {
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let link = invite(&s, &ib, "1001").await;
    let parent = accept(&s, &link).await;
    // Wednesday 30 June 2027: sick from today.
    let (status, location, _) = post_form_located(
        &s,
        &parent,
        &format!("/ouders/{SCHOOL}/1001/ziek"),
        &[("dag", "vandaag")],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/ouders?gedaan=ziek"));
    let regs = registrations(&s, &ib, "1001").await;
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(regs[0]["code"], "ziek");
    assert_eq!(regs[0]["start"], "2027-06-30");
    assert_eq!(regs[0]["end"], "2027-06-30");
    assert!(regs[0]["note"].is_null());
    // Twice: refused in Dutch.
    let res = parent
        .post(s.url(&format!("/ouders/{SCHOOL}/1001/ziek")))
        .form(&[("dag", "vandaag")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    // The teacher's register shows it.
    let juf = s.logged_in("leerkracht@esch.nl").await;
    let (status, html) = get_page(&s, &juf, "/registreren?groep=5&datum=2027-06-30").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"aria-label="Leerling 1001: ziek" aria-pressed="true""#),
        "{html}"
    );
    // The next day the report covers Thursday too (the daily job brings it up to date).
    // Sessions idle out after 30 minutes: everyone logs in again.
    s.advance(SignedDuration::from_hours(24));
    daily_job(&s, "2027-07-01").await;
    let parent = page_client(&s, PARENT).await;
    let ib = s.logged_in(COORDINATOR).await;
    let (_, html) = get_page(&s, &parent, "/ouders").await;
    assert!(
        html.contains("Ziek gemeld vanaf woensdag 30 juni 2027"),
        "{html}"
    );
    let regs = registrations(&s, &ib, "1001").await;
    assert_eq!(regs[0]["end"], "2027-07-01", "{regs:?}");
    // Friday: better, back today: the registration ends on Thursday.
    s.advance(SignedDuration::from_hours(24));
    let parent = page_client(&s, PARENT).await;
    let ib = s.logged_in(COORDINATOR).await;
    let (status, location, _) = post_form_located(
        &s,
        &parent,
        &format!("/ouders/{SCHOOL}/1001/beter"),
        &[("dag", "vandaag")],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/ouders?gedaan=beter"));
    let regs = registrations(&s, &ib, "1001").await;
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(
        (regs[0]["start"].as_str(), regs[0]["end"].as_str()),
        (Some("2027-06-30"), Some("2027-07-01"))
    );
    // Sick from tomorrow: nothing registered today; the school corrects what it needs.
    let (status, _, _) = post_form_located(
        &s,
        &parent,
        &format!("/ouders/{SCHOOL}/1001/ziek"),
        &[("dag", "morgen")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(registrations(&s, &ib, "1001").await.len(), 1);
    let (_, html) = get_page(&s, &parent, &format!("/ouders/{SCHOOL}/1001")).await;
    assert!(html.contains("Afwezigheid dit schooljaar"));
    assert!(html.contains("30-06-2027 t/m 01-07-2027"), "{html}");
    // A day that is neither today nor tomorrow: a Dutch error naming the field.
    let res = parent
        .post(s.url(&format!("/ouders/{SCHOOL}/1001/beter")))
        .form(&[("dag", "gisteren")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

async fn leave_requests_are_checked_routed_and_decided_with_a_letter(env: Env) {
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let _ = s.user(DIRECTOR, &[(SCHOOL, Role::Directeur)]).await;
    let link = invite(&s, &ib, "1001").await;
    let parent = accept(&s, &link).await;
    let form = |soort: &'static str, van: &'static str, tot: &'static str, omst: &'static str| {
        vec![
            ("soort", soort),
            ("van", van),
            ("tot", tot),
            ("omstandigheid", omst),
            ("toelichting", ""),
            ("werkgeversverklaring", ""),
        ]
    };
    let path = format!("/ouders/{SCHOOL}/1001/verlof");
    // In the past: refused in Dutch on the form.
    let (status, _, html) = post_form_located(
        &s,
        &parent,
        &path,
        &form("vakantieverlof", "2027-06-01", "2027-06-04", ""),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Verlof vraagt u vooraf aan"), "{html}");
    // Vakantieverlof without an employer's statement: taken, the check fails (art. 13a).
    let (status, location, _) = post_form_located(
        &s,
        &parent,
        &path,
        &form("vakantieverlof", "2027-07-05", "2027-07-09", ""),
    )
    .await;
    assert_eq!(status, 303);
    let vakantie = location
        .trim_start_matches("/ouders/verlof/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (_, html) = get_page(&s, &parent, &format!("/ouders/verlof/{vakantie}")).await;
    assert!(html.contains("Niet voldaan"), "{html}");
    assert!(html.contains("art. 13a lid 1"), "{html}");
    // The director may not grant it: the article says why.
    let dir = s.logged_in(DIRECTOR).await;
    let (status, html) = {
        let res = dir
            .post(s.url(&format!("/verlof/{vakantie}")))
            .form(&[("actie", "toekennen"), ("motivering", "")])
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        html.contains("Toekennen kan niet: Leerplichtwet 1969, art. 13a lid 1"),
        "{html}"
    );
    let res = dir
        .post(s.url(&format!("/verlof/{vakantie}")))
        .form(&[("actie", "afwijzen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, html) = get_page(&s, &parent, &format!("/ouders/verlof/{vakantie}")).await;
    assert!(html.contains("afgewezen"), "{html}");
    let res = parent
        .get(s.url(&format!("/ouders/verlof/{vakantie}/besluit.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
    let text = s
        .raw_texts(&format!(
            "SELECT letter_text FROM leave_requests WHERE id = {vakantie}"
        ))
        .await
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("art. 13a lid 1"), "{text}");
    assert!(text.contains("binnen zes weken"), "{text}");
    assert!(text.contains("bij de directeur van OBS De Esch"), "{text}");
    // Gewichtige omstandigheden, 2 lesson days: the director grants; the days become verlof.
    let (status, location, _) = post_form_located(
        &s,
        &parent,
        &path,
        &form(
            "gewichtige_omstandigheden",
            "2027-07-01",
            "2027-07-02",
            "huwelijk",
        ),
    )
    .await;
    assert_eq!(status, 303);
    let huwelijk = location
        .trim_start_matches("/ouders/verlof/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // The coordinator reads it, but does not decide.
    let res = ib
        .post(s.url(&format!("/verlof/{huwelijk}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, html) = get_page(&s, &ib, "/verlof").await;
    assert_eq!(status, 200);
    assert!(html.contains("1001"), "{html}");
    let res = dir
        .post(s.url(&format!("/verlof/{huwelijk}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(registrations(&s, &ib, "1001").await.is_empty());
    s.advance(SignedDuration::from_hours(48));
    daily_job(&s, "2027-07-02").await;
    let parent = page_client(&s, PARENT).await;
    let ib = s.logged_in(COORDINATOR).await;
    let dir = s.logged_in(DIRECTOR).await;
    let (status, _) = get_page(&s, &parent, &format!("/ouders/{SCHOOL}/1001")).await;
    assert_eq!(status, 200);
    let regs = registrations(&s, &ib, "1001").await;
    assert_eq!(regs.len(), 1, "{regs:?}");
    assert_eq!(regs[0]["code"], "verlof");
    assert_eq!(
        (regs[0]["start"].as_str(), regs[0]["end"].as_str()),
        (Some("2027-07-01"), Some("2027-07-02"))
    );
    // More than ten lesson days: leerplicht of Enschede decides, after the director's advice.
    let (status, location, _) = post_form_located(
        &s,
        &parent,
        &path,
        &form(
            "gewichtige_omstandigheden",
            "2027-09-13",
            "2027-09-28",
            "ernstige_ziekte",
        ),
    )
    .await;
    assert_eq!(status, 303);
    let lang = location
        .trim_start_matches("/ouders/verlof/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let lpa = s.logged_in(LEERPLICHT).await;
    let (status, html) = get_page(&s, &lpa, "/verlof").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/verlof/{lang}")), "{html}");
    assert!(!html.contains(&format!("/verlof/{huwelijk}\"")), "{html}");
    let other = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    let (status, _) = get_page(&s, &other, &format!("/verlof/{lang}")).await;
    assert_eq!(status, 404);
    let res = lpa
        .post(s.url(&format!("/verlof/{lang}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("na het advies van de directeur")
    );
    // The director may not decide it himself.
    let res = dir
        .post(s.url(&format!("/verlof/{lang}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = dir
        .post(s.url(&format!("/verlof/{lang}")))
        .form(&[
            ("actie", "advies"),
            ("advies", "Positief: de school kent de situatie."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = lpa
        .post(s.url(&format!("/verlof/{lang}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = s
        .raw_texts(&format!(
            "SELECT letter_text FROM leave_requests WHERE id = {lang}"
        ))
        .await
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("toegekend"), "{text}");
    assert!(text.contains("art. 14 lid 3"), "{text}");
    assert!(
        text.contains("college van burgemeester en wethouders van Enschede"),
        "{text}"
    );
    let (status, _) = call(
        &s,
        &lpa,
        Method::GET,
        &format!("/verlof/{lang}/besluit.pdf"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}
