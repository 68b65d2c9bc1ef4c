//! The web pages (`crate::web`): login, role landing pages, the daily register with htmx, CSP,
//! no-store and CSRF on forms.

use jiff::civil::Date;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION};
use verzuim_engine::model::{Pupil, School, TimeRange, WeekTimes};
use verzuim_server::Role;
use verzuim_service::Caller;
use verzuim_store::{Membership, OrgKind, PupilData, SchoolSettings};

use crate::harness::{Env, PASSWORD, TestServer};

const SCHOOL: &str = "99XX00";

/// A browser that keeps cookies, sends `Origin` and does not follow redirects.
fn browser(server: &TestServer) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, server.origin().parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn today(server: &TestServer) -> Date {
    server.clock.now().in_tz("Europe/Amsterdam").unwrap().date()
}

/// School 99XX00 with lessons every day (so any date is a lesson day), pupils in groups 5 and
/// 6, a leerkracht of group 5, a coordinator, a beheerder, leerplicht and GGD-JGZ users.
async fn school(server: &TestServer) {
    server.org(SCHOOL, OrgKind::School).await;
    server.org("GM0153", OrgKind::Gemeente).await;
    server.org("GGDTW", OrgKind::GgdJgz).await;
    let store = &server.store;
    let admin = Caller::system(SCHOOL, Role::Beheerder);
    let day = vec![TimeRange::new(8 * 60 + 30, 15 * 60)];
    let school = School {
        id: SCHOOL.into(),
        name: "Organisatie 99XX00".into(),
        lesson_times: WeekTimes(std::array::from_fn(|_| day.clone())),
        ..School::default()
    };
    verzuim_service::school::put_school_settings(
        store,
        &admin,
        SCHOOL,
        &SchoolSettings {
            card_id: "twente-po".into(),
            school,
        },
        None,
    )
    .await
    .expect("settings");
    for (id, name, group) in [
        ("L1", "Jan Jansen", "5"),
        ("L2", "Fatima el Amrani", "5"),
        ("L3", "Piet de Vries", "6"),
    ] {
        let mut data = PupilData::new(Pupil {
            id: id.into(),
            birth_date: "2016-03-01".parse().unwrap(),
            group: group.into(),
            municipality: "GM0153".into(),
            enrolled_from: "2022-08-22".parse().unwrap(),
            enrolled_until: None,
            next_school: None,
        });
        data.name = Some(name.into());
        verzuim_service::records::enrol_pupil(store, &admin, SCHOOL, &data)
            .await
            .expect("enrol");
    }
    let juf = server.user("juf@school.nl", &[]).await;
    store
        .add_membership(&Membership {
            user_id: juf,
            organisation_id: SCHOOL.into(),
            role: Role::Leerkracht,
            groups: vec!["5".into()],
        })
        .await
        .unwrap();
    server
        .user(
            "coordinator@school.nl",
            &[(SCHOOL, Role::Verzuimcoordinator)],
        )
        .await;
    server
        .user("beheer@school.nl", &[(SCHOOL, Role::Beheerder)])
        .await;
    server
        .user("lpa@gemeente.nl", &[("GM0153", Role::Leerplichtambtenaar)])
        .await;
    server.user("jgz@ggd.nl", &[("GGDTW", Role::Jgz)]).await;
}

async fn web_login(
    server: &TestServer,
    client: &reqwest::Client,
    email: &str,
) -> reqwest::Response {
    client
        .post(server.url("/inloggen"))
        .form(&[("email", email), ("wachtwoord", PASSWORD)])
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// An htmx POST from the register (same-origin headers as a browser sends them).
async fn hx_post(
    server: &TestServer,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(server.url("/registreren"))
        .header("hx-request", "true")
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn login_page_renders_with_labels_and_strict_headers(env: Env) {
    let server = env.server().await;
    let res = server
        .bare()
        .get(server.url("/inloggen"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let body = res.text().await.unwrap();
    assert!(body.contains("<html lang=\"nl\">"));
    assert!(body.contains("<label for=\"email\">E-mailadres</label>"));
    assert!(body.contains("<label for=\"wachtwoord\">Wachtwoord</label>"));
    assert!(body.contains("name=\"htmx-config\" content='{\"includeIndicatorStyles\": false}'"));
    assert!(body.contains("href=\"#inhoud\""), "skip link");
    assert!(!body.contains("style="), "no inline style");
    // Static files: long-cached, same CSP.
    let css_url = body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let css = server
        .bare()
        .get(server.url(&css_url))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let htmx = server
        .bare()
        .get(server.url("/static/vendor/htmx-2.0.8.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(htmx.status(), 200);
    // Not logged in: / goes to the login page; an unknown page is the Dutch error page.
    let res = browser(&server).get(server.url("/")).send().await.unwrap();
    assert_eq!(location(&res), "/inloggen");
    let res = server
        .bare()
        .get(server.url("/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body = res.text().await.unwrap();
    assert!(body.contains("Pagina niet gevonden") && body.contains("lang=\"nl\""));
}

async fn wrong_password_says_only_the_fixed_message(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    let res = client
        .post(server.url("/inloggen"))
        .form(&[
            ("email", "juf@school.nl"),
            ("wachtwoord", "verkeerd-wachtwoord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Onbekende gebruiker of onjuist wachtwoord"),
        "{body}"
    );
    let res = client
        .post(server.url("/inloggen"))
        .form(&[
            ("email", "niemand@school.nl"),
            ("wachtwoord", "verkeerd-wachtwoord"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Onbekende gebruiker of onjuist wachtwoord")
    );
}

async fn login_redirects_to_the_page_of_the_role(env: Env) {
    let server = env.server().await;
    school(&server).await;
    for (email, page, text) in [
        ("juf@school.nl", "/registreren", "Jan Jansen"),
        ("coordinator@school.nl", "/taken", "Open taken"),
        ("beheer@school.nl", "/beheer", "Gebruikers en rollen"),
        ("lpa@gemeente.nl", "/meldingen", "Meldingen"),
        ("jgz@ggd.nl", "/verwijzingen", "Verwijzingen"),
    ] {
        let client = browser(&server);
        let res = web_login(&server, &client, email).await;
        assert_eq!(res.status(), 303, "{email}");
        assert_eq!(location(&res), page, "{email}");
        let res = client.get(server.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{email} {page}");
        let csp = res.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(!csp.contains("unsafe-inline"));
        let body = res.text().await.unwrap();
        assert!(body.contains(text), "{email}: {body}");
        assert!(
            body.contains(&format!("Gebruiker {email}")),
            "who am I on {page}"
        );
        let res = client.get(server.url("/")).send().await.unwrap();
        assert_eq!(location(&res), page);
    }
}

async fn register_lists_own_group_and_refuses_another(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    web_login(&server, &client, "juf@school.nl").await;
    let res = client.get(server.url("/registreren")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    let body = res.text().await.unwrap();
    assert!(body.contains("Jan Jansen") && body.contains("Fatima el Amrani"));
    assert!(!body.contains("Piet de Vries"));
    assert!(body.contains("08:30–15:00"), "lesson times");
    assert!(body.contains("aria-label=\"Jan Jansen: ziek\""));
    let res = client
        .get(server.url("/registreren?groep=6"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A coordinator may use every group.
    let coord = browser(&server);
    web_login(&server, &coord, "coordinator@school.nl").await;
    let body = coord
        .get(server.url("/registreren?groep=6"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Piet de Vries"));
}

async fn register_post_saves_rerenders_and_undoes(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    web_login(&server, &client, "juf@school.nl").await;
    let date = today(&server).to_string();
    let form = [
        ("groep", "5"),
        ("datum", date.as_str()),
        ("leerling", "L1"),
        ("actie", "ziek"),
    ];
    // From another site: refused, nothing stored.
    let res = client
        .post(server.url("/registreren"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = hx_post(&server, &client, &form).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    let row = res.text().await.unwrap();
    assert!(row.starts_with("<li"), "{row}");
    assert!(row.contains("ziek (hele dag)"), "{row}");
    assert!(row.contains("aria-pressed=\"true\""));
    let page = client
        .get(server.url(&format!("/registreren?groep=5&datum={date}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ziek (hele dag)"));
    // Another code corrects the day's registration.
    let mut other = form;
    other[3] = ("actie", "ongeoorloofd");
    let row = hx_post(&server, &client, &other)
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("ongeoorloofd (hele dag)") && !row.contains("ziek (hele dag)"));
    // Undo.
    let id = row
        .split("name=\"registratie\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let res = hx_post(
        &server,
        &client,
        &[
            ("groep", "5"),
            ("datum", date.as_str()),
            ("leerling", "L1"),
            ("actie", "ongedaan"),
            ("registratie", id.as_str()),
        ],
    )
    .await;
    let row = res.text().await.unwrap();
    assert!(row.contains(">aanwezig<"), "{row}");
    // A pupil of another group cannot be registered by this teacher.
    let res = hx_post(
        &server,
        &client,
        &[
            ("groep", "6"),
            ("datum", date.as_str()),
            ("leerling", "L3"),
            ("actie", "ziek"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    // Without htmx (no JavaScript) a form post redirects back to the page.
    let res = client
        .post(server.url("/registreren"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/registreren?groep=5&datum={date}"));
}

async fn fifth_lateness_shows_the_signal_in_the_row(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    web_login(&server, &client, "juf@school.nl").await;
    let today = today(&server);
    let mut last = String::new();
    for back in (0..5).rev() {
        let date = today
            .checked_sub(jiff::Span::new().days(back))
            .unwrap()
            .to_string();
        let res = hx_post(
            &server,
            &client,
            &[
                ("groep", "5"),
                ("datum", date.as_str()),
                ("leerling", "L2"),
                ("actie", "te_laat"),
                ("minuten", "10"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        last = res.text().await.unwrap();
        assert!(last.contains("te laat (10 min.)"), "{last}");
        if back > 0 {
            assert!(!last.contains("Signaal:"), "{last}");
        }
    }
    assert!(last.contains("Signaal: Te laat komen (5x)"), "{last}");
    // The page of the whole class (read in one query per kind) shows the same row, and only in
    // L2's row.
    let page = client
        .get(server.url(&format!("/registreren?groep=5&datum={today}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("Signaal: Te laat komen (5x)").count(),
        1,
        "{page}"
    );
    let row = |key: &str| {
        let start = page.find(&format!("id=\"{key}\"")).expect("row");
        let end = page[start..]
            .find("</li>\n")
            .map_or(page.len(), |e| start + e);
        page[start..end].to_owned()
    };
    assert!(row("leerling-4c32").contains("Signaal: Te laat komen (5x)"));
    assert!(row("leerling-4c32").contains("te laat (10 min.)"));
    assert!(
        !row("leerling-4c31").contains("te laat (10 min.)"),
        "{}",
        row("leerling-4c31")
    );
}

async fn logout_ends_the_session(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    web_login(&server, &client, "juf@school.nl").await;
    let res = client.get(server.url("/registreren")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = client.post(server.url("/uitloggen")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/inloggen");
    let res = client.get(server.url("/registreren")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/inloggen");
    let sessions = server.raw_texts("SELECT id FROM sessions").await;
    assert!(sessions.is_empty(), "{sessions:?}");
}

async fn password_change_keeps_the_policy(env: Env) {
    let server = env.server().await;
    school(&server).await;
    let client = browser(&server);
    web_login(&server, &client, "juf@school.nl").await;
    let res = client
        .post(server.url("/wachtwoord"))
        .form(&[
            ("huidig", PASSWORD),
            ("nieuw", "kort"),
            ("herhaling", "kort"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("minstens 12 tekens"));
    let new = "een-lang-nieuw-wachtwoord";
    let res = client
        .post(server.url("/wachtwoord"))
        .form(&[("huidig", PASSWORD), ("nieuw", new), ("herhaling", new)])
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Uw wachtwoord is gewijzigd")
    );
    // The browser got a new session and stays logged in.
    let res = client.get(server.url("/registreren")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

crate::http_tests!(
    login_page_renders_with_labels_and_strict_headers,
    wrong_password_says_only_the_fixed_message,
    login_redirects_to_the_page_of_the_role,
    register_lists_own_group_and_refuses_another,
    register_post_saves_rerenders_and_undoes,
    fifth_lateness_shows_the_signal_in_the_row,
    logout_ends_the_session,
    password_change_keeps_the_policy,
);
