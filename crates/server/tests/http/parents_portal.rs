//! Issue 12, the parents' portal (docs/parents.md): a school invites a parent (a one-time link,
//! 7 days), the parent sets a password and sees only their own children; a ziekmelding "until
//! further notice" is a `ziek` registration the school sees and corrects; "beter melden" ends
//! it; leave requests are checked against the Leerplichtwet, routed to the director or to
//! leerplicht, and decided with a letter; granted leave becomes `verlof` registrations.

use jiff::SignedDuration;
use reqwest::Method;
use serde_json::Value;
use verzuim_store::Role;

use crate::beheer_pages::post_multipart;
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
    the_api_commits_each_write_with_its_audit_row,
    a_parent_chooses_mail_per_kind_in_the_portal_and_the_api,
    a_parent_changes_the_password_in_the_portal,
    a_vakantieverlof_carries_the_employer_statement_as_a_file,
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
    // The acceptance is audited, with the new account as actor, for the child's school.
    assert_eq!(
        s.raw_texts(
            "SELECT COALESCE(organisation_id, '') || ' ' || object FROM audit_log \
             WHERE action = 'parent_invitation' AND user_id IS NOT NULL AND object LIKE 'user:%'"
        )
        .await
        .iter()
        .filter(|r| r.starts_with(&format!("{SCHOOL} user:")))
        .count(),
        1
    );
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
    // Each decision is mailed to the parent at once (kind verlof), linking to its request,
    // naming no child.
    let mails = s
        .raw_texts(
            "SELECT kind || ' ' || recipient || ' ' || status || ' ' || link || ' ' || body \
             FROM mail_outbox WHERE kind = 'verlof' ORDER BY id",
        )
        .await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    for (mail, id) in mails.iter().zip([&vakantie, &huwelijk, &lang]) {
        assert!(
            mail.starts_with(&format!(
                "verlof {PARENT} pending /ouders/verlof/{id} Beste ouder"
            )),
            "{mail}"
        );
        assert!(mail.contains("binnen zes weken bezwaar"), "{mail}");
        assert!(!mail.contains("Leerling 1001"), "{mail}");
    }
}

/// The API's ziekmelding, betermelding and verlofaanvraag commit their audit row with the
/// write (issue 9): one row per write, naming what was stored; a refused write has none.
async fn the_api_commits_each_write_with_its_audit_row(env: Env) {
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let link = invite(&s, &ib, "1001").await;
    accept(&s, &link).await;
    let api = s.logged_in(PARENT).await;
    let base = format!("/api/ouders/kinderen/{SCHOOL}/1001");
    let sick = ok(
        &s,
        &api,
        Method::POST,
        &format!("{base}/ziekmelding"),
        Some(serde_json::json!({"dag": "vandaag"})),
        201,
    )
    .await;
    let (status, _) = call(
        &s,
        &api,
        Method::POST,
        &format!("{base}/ziekmelding"),
        Some(serde_json::json!({"dag": "vandaag"})),
    )
    .await;
    assert_eq!(status, 409);
    ok(
        &s,
        &api,
        Method::POST,
        &format!("{base}/betermelding"),
        Some(serde_json::json!({"dag": "morgen"})),
        200,
    )
    .await;
    let leave = ok(
        &s,
        &api,
        Method::POST,
        &format!("{base}/verlof"),
        Some(serde_json::json!({
            "soort": "gewichtige_omstandigheden", "van": "2027-07-05", "tot": "2027-07-05",
            "omstandigheid": "huwelijk"
        })),
        201,
    )
    .await;
    let got = s
        .raw_texts(
            "SELECT object || ' ' || COALESCE(organisation_id, '') || ' ' || \
             COALESCE(pupil, '') FROM audit_log \
             WHERE action = 'pupil_write' AND (object LIKE 'ziekmelding:%' \
             OR object LIKE 'verlof:%') ORDER BY id",
        )
        .await;
    let pupil = got[0].rsplit(' ').next().unwrap().to_owned();
    assert!(!pupil.is_empty(), "{got:?}");
    assert_eq!(
        got,
        vec![
            format!("ziekmelding:{} {SCHOOL} {pupil}", sick["id"]),
            format!("ziekmelding:{}:beter {SCHOOL} {pupil}", sick["id"]),
            format!("verlof:{} {SCHOOL} {pupil}", leave["id"]),
        ]
    );
}

/// Issue 12: a parent chooses per kind of mail (news from school or leerplicht, a letter) at
/// once, in the daily summary or not at all, on the portal's page and with `/api/me/mail`; the
/// decision on a leave request always comes at once. The choice applies when the school or
/// leerplicht writes a mail to the parent's address; held mail comes in a parent's summary.
async fn a_parent_chooses_mail_per_kind_in_the_portal_and_the_api(env: Env) {
    use verzuim_service::mail::{ParentNews, summaries, to_parents};
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let link = invite(&s, &ib, "1001").await;
    let parent = accept(&s, &link).await;
    let (status, html) = get_page(&s, &parent, "/ouders/e-mail").await;
    assert_eq!(status, 200);
    assert!(html.contains(PARENT), "{html}");
    assert!(
        html.contains(r#"name="ouders" value="direct" checked"#),
        "{html}"
    );
    assert!(html.contains(r#"name="brief" value="direct" checked"#));
    assert!(html.contains("Besluit op een verlofaanvraag"));
    assert!(!html.contains(r#"name="verlof""#), "no choice: {html}");
    assert!(!html.contains(r#"name="melding""#), "not a parent's kind");
    let (status, _, html) = post_form_located(
        &s,
        &parent,
        "/ouders/e-mail",
        &[("ouders", "uit"), ("brief", "dagelijks")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Uw keuzes zijn opgeslagen"), "{html}");
    assert!(
        html.contains(r#"name="ouders" value="uit" checked"#),
        "{html}"
    );
    assert!(html.contains(r#"name="brief" value="dagelijks" checked"#));
    // The leave decision cannot be put off; a staff kind is not the parent's: refused in Dutch.
    for form in [[("verlof", "uit")], [("melding", "uit")]] {
        let (status, _, html) = post_form_located(&s, &parent, "/ouders/e-mail", &form).await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"role="alert" id="mailfout""#), "{html}");
        assert!(html.contains(r#"name="ouders" value="uit" checked"#));
    }
    let audited = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'mail_preferences'")
        .await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(audited[0].starts_with("user:"), "{audited:?}");

    // The choices apply to what the school writes to the parent's address.
    let mut tx = s.store.begin().await.unwrap();
    assert_eq!(
        to_parents(&mut tx, SCHOOL, "1001", ParentNews::SchoolAction)
            .await
            .unwrap(),
        0,
        "news: not at all"
    );
    assert_eq!(
        to_parents(&mut tx, SCHOOL, "1001", ParentNews::Letter)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        to_parents(&mut tx, SCHOOL, "1001", ParentNews::LeaveDecision(7))
            .await
            .unwrap(),
        1
    );
    // Another pupil's parent has no account: at once.
    assert_eq!(
        to_parents(&mut tx, SCHOOL, "1002", ParentNews::SchoolAction)
            .await
            .unwrap(),
        1
    );
    assert_eq!(summaries(&mut tx).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let mails = s
        .raw_texts(
            "SELECT kind || ' ' || recipient || ' ' || status || ' ' || link || ' ' || \
             CASE WHEN user_id IS NULL THEN '-' ELSE 'account' END FROM mail_outbox \
             WHERE recipient IN ('ouder@example.nl', 'andere-ouder@example.nl') ORDER BY id",
        )
        .await;
    assert_eq!(
        mails,
        vec![
            // The invitation (its link is kept until delivered).
            format!("uitnodiging {PARENT} pending {link} -"),
            format!("brief {PARENT} summarised /ouders account"),
            format!("verlof {PARENT} pending /ouders/verlof/7 account"),
            "ouders andere-ouder@example.nl pending /ouders -".to_owned(),
            format!("samenvatting {PARENT} pending /ouders account"),
        ]
    );
    let body = s
        .raw_texts("SELECT body FROM mail_outbox WHERE kind = 'samenvatting'")
        .await
        .join("");
    assert!(body.starts_with("Beste ouder of verzorger"), "{body}");
    assert!(body.contains("Een brief over uw kind: 1"), "{body}");

    // The API: the parent's kinds, the same choices.
    let api = s.logged_in(PARENT).await;
    let got = ok(&s, &api, Method::GET, "/api/me/mail", None, 200).await;
    let kinds: Vec<(String, String)> = got["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["mode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("ouders", "uit"),
            ("brief", "dagelijks"),
            ("verlof", "direct")
        ]
        .map(|(k, m)| (k.to_owned(), m.to_owned()))
    );
    let got = ok(
        &s,
        &api,
        Method::PUT,
        "/api/me/mail",
        Some(serde_json::json!({"preferences": [{"kind": "ouders", "mode": "dagelijks"}]})),
        200,
    )
    .await;
    assert_eq!(got["preferences"][0]["mode"], "dagelijks");
    let (status, body) = call(
        &s,
        &api,
        Method::PUT,
        "/api/me/mail",
        Some(serde_json::json!({"preferences": [{"kind": "melding", "mode": "uit"}]})),
    )
    .await;
    // A kind of the schema's list that a parent does not receive: 422, not 400.
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "preferences[0].kind");
    let (status, _) = call(
        &s,
        &api,
        Method::PUT,
        "/api/me/mail",
        Some(serde_json::json!({"preferences": [{"kind": "verlof", "mode": "uit"}]})),
    )
    .await;
    assert_eq!(status, 422);
    let audited = s
        .raw_texts("SELECT object FROM audit_log WHERE action = 'mail_preferences'")
        .await;
    assert_eq!(audited.len(), 2, "{audited:?}");
}

/// Issue 12: a parent changes their password in the portal: the current one first (a wrong one
/// is audited as failed), the new one twice, by the password policy; then the new one logs in
/// and the old one no longer does.
async fn a_parent_changes_the_password_in_the_portal(env: Env) {
    const NEW: &str = "een-nieuw-lang-wachtwoord-voor-ouders";
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let link = invite(&s, &ib, "1001").await;
    let parent = accept(&s, &link).await;
    let (status, html) = get_page(&s, &parent, "/ouders/wachtwoord").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"href="/ouders/wachtwoord""#),
        "in the portal's menu: {html}"
    );
    assert!(html.contains("Huidig wachtwoord"), "{html}");
    let page = "/ouders/wachtwoord";
    for (form, says) in [
        (
            [
                ("huidig", "fout-wachtwoord-123"),
                ("nieuw", NEW),
                ("herhaling", NEW),
            ],
            "Het huidige wachtwoord is onjuist.",
        ),
        (
            [
                ("huidig", PASSWORD),
                ("nieuw", NEW),
                ("herhaling", "iets-anders-dan-dat"),
            ],
            "De twee nieuwe wachtwoorden zijn niet gelijk.",
        ),
        (
            [
                ("huidig", PASSWORD),
                ("nieuw", "kort"),
                ("herhaling", "kort"),
            ],
            "Het wachtwoord moet minstens 12 tekens lang zijn.",
        ),
    ] {
        let (status, _, html) = post_form_located(&s, &parent, page, &form).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!(r#"role="alert" id="wachtwoordfout">{says}"#)),
            "{says}: {html}"
        );
    }
    let (status, _, html) = post_form_located(
        &s,
        &parent,
        page,
        &[("huidig", PASSWORD), ("nieuw", NEW), ("herhaling", NEW)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Uw wachtwoord is gewijzigd"), "{html}");
    let outcomes = s
        .raw_texts("SELECT outcome FROM audit_log WHERE action = 'password_change' ORDER BY id")
        .await;
    assert_eq!(outcomes, vec!["failed".to_owned(), "ok".to_owned()]);
    // The same browser stays logged in; the new password logs in, the old one does not.
    let (status, _) = get_page(&s, &parent, "/ouders").await;
    assert_eq!(status, 200);
    let fresh = no_redirects(&s);
    let (status, location, _) = post_form_located(
        &s,
        &fresh,
        "/inloggen",
        &[("email", PARENT), ("wachtwoord", NEW)],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/ouders"));
    let res = s.login(&s.browser(), PARENT, PASSWORD).await;
    assert_ne!(res.status(), 200);
}

/// Issue 12: the vakantieverlof's employer statement as a file (art. 13a lid 1): a PDF, JPEG or
/// PNG, known by its contents and at most 4 MB, stored with the request (the check of the law
/// passes), readable by the parent and by the request's decider (the director; not another
/// municipality's leerplicht, not a teacher). Anything else is refused in Dutch on the form and
/// nothing is stored.
async fn a_vakantieverlof_carries_the_employer_statement_as_a_file(env: Env) {
    let s = region(&env).await;
    let ib = pupils(&s).await;
    let _ = s.user(DIRECTOR, &[(SCHOOL, Role::Directeur)]).await;
    let link = invite(&s, &ib, "1001").await;
    let parent = accept(&s, &link).await;
    let path = format!("/ouders/{SCHOOL}/1001/verlof");
    let fields = |soort: &'static str| -> Vec<(&'static str, Option<&'static str>, &'static [u8])> {
        vec![
            ("soort", None, soort.as_bytes()),
            ("van", None, b"2027-07-05"),
            ("tot", None, b"2027-07-09"),
            (
                "omstandigheid",
                None,
                if soort == "vakantieverlof" {
                    b""
                } else {
                    b"huwelijk"
                },
            ),
            ("toelichting", None, b""),
            ("werkgeversverklaring", None, b""),
        ]
    };
    let count = || async {
        s.raw_texts("SELECT CAST(COUNT(*) AS TEXT) FROM leave_requests")
            .await
    };
    // Not a PDF, JPEG or PNG (whatever its name says), too large, or with the other kind of
    // leave: refused on the form, nothing stored.
    let big = [
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &vec![0u8; 4 * 1024 * 1024],
    ]
    .concat();
    for (soort, file, bytes, says) in [
        (
            "vakantieverlof",
            "verklaring.pdf",
            &b"<html>nep</html>"[..],
            "is geen pdf, jpeg of png",
        ),
        ("vakantieverlof", "foto.png", &big[..], "is te groot"),
        (
            "gewichtige_omstandigheden",
            "verklaring.pdf",
            &b"%PDF-1.4 x"[..],
            "hoort alleen bij vakantieverlof",
        ),
    ] {
        let mut parts = fields(soort);
        parts.push(("verklaring", Some(file), bytes));
        let (status, html) = post_multipart(&s, &parent, &path, &parts).await;
        assert_eq!(status, 200, "{file}");
        assert!(html.contains(r#"role="alert" id="verloffout""#), "{html}");
        assert!(html.contains(says), "{says}: {html}");
        assert!(html.contains(file), "the file is named: {html}");
        assert_eq!(count().await, vec!["0".to_owned()]);
    }
    // A PDF: stored with the request; the law's check of the statement passes.
    let pdf = b"%PDF-1.4\n% werkgeversverklaring van Bouwbedrijf Twente\n%%EOF\n".to_vec();
    let mut parts = fields("vakantieverlof");
    parts.push(("verklaring", Some("verklaring werkgever.pdf"), &pdf));
    let (status, _) = post_multipart(&s, &parent, &path, &parts).await;
    assert_eq!(status, 303);
    let id = s
        .raw_texts("SELECT CAST(MAX(id) AS TEXT) FROM leave_requests")
        .await
        .remove(0);
    assert_eq!(
        s.raw_texts("SELECT content_type || ' ' || CAST(size AS TEXT) || ' ' || file_name FROM leave_documents")
            .await,
        vec![format!("application/pdf {} verklaring werkgever.pdf", pdf.len())]
    );
    let (_, html) = get_page(&s, &parent, &format!("/ouders/verlof/{id}")).await;
    assert!(!html.contains("Niet voldaan"), "{html}");
    assert!(
        html.contains(&format!(
            r#"href="/ouders/verlof/{id}/werkgeversverklaring""#
        )),
        "{html}"
    );
    let res = parent
        .get(s.url(&format!("/ouders/verlof/{id}/werkgeversverklaring")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // The director, who decides, reads it and may grant (the check passes).
    let dir = s.logged_in(DIRECTOR).await;
    let (status, html) = get_page(&s, &dir, &format!("/verlof/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(r#"href="/verlof/{id}/werkgeversverklaring""#)),
        "{html}"
    );
    let res = dir
        .get(s.url(&format!("/verlof/{id}/werkgeversverklaring")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    let res = dir
        .post(s.url(&format!("/verlof/{id}")))
        .form(&[("actie", "toekennen"), ("motivering", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("toegekend"));
    // Not the other municipality's leerplicht (it does not decide), not a teacher.
    let other = s.logged_in(LEERPLICHT_OLDENZAAL).await;
    let (status, _) = get_page(&s, &other, &format!("/verlof/{id}/werkgeversverklaring")).await;
    assert_eq!(status, 404);
    let juf = s.logged_in("leerkracht@esch.nl").await;
    let (status, _) = get_page(&s, &juf, &format!("/verlof/{id}/werkgeversverklaring")).await;
    assert_eq!(status, 403);
}
