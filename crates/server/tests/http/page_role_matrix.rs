//! The pages' role matrix (issue 9, point 1): every page route is declared with a policy
//! (`verzuim_server::web::route_policies()`), and the router has no page route without one.
//! With the demo region seeded, every page route is requested as every demo user (a user per
//! role and organisation, and a beheerder of a municipality), and anonymously:
//!
//! - a route for roles refuses (403) every user whose role and kind of organisation it does not
//!   declare, and sends the anonymous caller to the login page;
//! - a GET route for roles shows the page (200), or says the object is not theirs to see (404),
//!   to every user it declares;
//! - a route for a logged-in person sends the anonymous caller to the login page.
//!
//! POSTs are sent only as refused users and anonymously (a declared user's POST would act).

use verzuim_server::Role;
use verzuim_server::demo::{self, DEMO_PASSWORD, DEMO_USERS};
use verzuim_server::policy::Access;
use verzuim_store::OrgKind;

use crate::harness::{Env, PASSWORD, TestServer, no_redirects, web_paths};

crate::http_tests!(every_page_route_every_role);

/// The demo region's ids for a path's parameters (any object: a refusal by the route's policy
/// comes before the object is looked at).
async fn concrete(s: &TestServer, path: &str) -> String {
    let first = |sql: &'static str| async move {
        s.raw_texts(sql)
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| "999999".to_owned())
    };
    let mut out = path.to_owned();
    if out.contains("{school_id}/{pupil_id}") {
        let pupil = first(
            "SELECT p.school_id || '/' || p.pupil_id FROM pupils p WHERE p.id IN \
             (SELECT pupil FROM meldingen) ORDER BY p.id",
        )
        .await;
        out = out.replace("{school_id}/{pupil_id}", &pupil);
    }
    if out.starts_with("/meldingen/") {
        out = out.replace(
            "{id}",
            &first("SELECT CAST(MIN(id) AS TEXT) FROM meldingen").await,
        );
    }
    if out.starts_with("/verwijzingen/") {
        out = out.replace(
            "{id}",
            &first("SELECT CAST(MIN(id) AS TEXT) FROM referrals").await,
        );
    }
    if out.starts_with("/verlof/") || out.starts_with("/ouders/verlof/") {
        out = out.replace(
            "{id}",
            &first("SELECT CAST(MIN(id) AS TEXT) FROM leave_requests").await,
        );
    }
    if out.contains("{case_id}") {
        let case =
            first("SELECT CAST(MIN(case_id) AS TEXT) FROM meldingen WHERE municipality = 'GM0153'")
                .await;
        out = out.replace("{case_id}", &case);
    }
    out.replace("{letter_id}", "999999")
        .replace("{id}", "999999")
        .replace("{token}", "geen-uitnodiging")
}

/// A login-page redirect (a page's answer to a caller who is not logged in).
fn to_login(status: u16, location: &str) -> bool {
    (300..400).contains(&status) && location.starts_with("/inloggen")
}

async fn every_page_route_every_role(env: Env) {
    // Deny by default: every page path of the router is declared.
    let declared = verzuim_server::web::route_policies();
    for path in web_paths() {
        if path.starts_with("/static/") {
            continue;
        }
        assert!(
            declared.iter().any(|r| r.path == path),
            "{path}: a page route without a declared policy"
        );
    }

    env.clock.set(demo::demo_start());
    let s = env.server().await;
    demo::seed(&s.store).await.expect("seed the demo region");
    let municipality_admin = "beheer@enschede.example";
    s.user(municipality_admin, &[("GM0153", Role::Beheerder)])
        .await;
    // (email, password, role, kind of organisation)
    let mut users: Vec<(&str, &str, Role, OrgKind)> = Vec::new();
    for u in DEMO_USERS {
        let kind = if u.organisation.starts_with("GM") {
            OrgKind::Gemeente
        } else if u.role == Role::Jgz {
            OrgKind::GgdJgz
        } else {
            OrgKind::School
        };
        users.push((u.email, DEMO_PASSWORD, u.role, kind));
    }
    users.push((
        municipality_admin,
        PASSWORD,
        Role::Beheerder,
        OrgKind::Gemeente,
    ));
    let mut clients = Vec::new();
    for (email, password, _, _) in &users {
        let c = no_redirects(&s);
        assert_eq!(
            s.login(&c, email, password).await.status(),
            200,
            "login of {email}"
        );
        clients.push(c);
    }
    let anonymous = no_redirects(&s);

    let mut failures = Vec::new();
    for route in &declared {
        if route.path == "/demo/mail" {
            continue;
        }
        let path = concrete(&s, route.path).await;
        let send = |c: &reqwest::Client| {
            let req = if route.method == "GET" {
                c.get(s.url(&path))
            } else {
                c.post(s.url(&path)).form(&[("x", "y")])
            };
            async move {
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                (status, location)
            }
        };
        let policy = route.policy;
        let name = format!("{} {} ({})", route.method, route.path, policy.name);
        let (status, location) = send(&anonymous).await;
        match policy.access {
            Access::Roles | Access::Person if !to_login(status, &location) => failures.push(
                format!("{name} anonymously: {status} {location}, expected the login page"),
            ),
            _ => {}
        }
        if policy.access != Access::Roles {
            continue;
        }
        for ((email, _, role, kind), client) in users.iter().zip(&clients) {
            let admitted = policy.admits(*role, *kind);
            if admitted && route.method != "GET" {
                continue;
            }
            let (status, location) = send(client).await;
            let ok = if admitted {
                matches!(status, 200 | 404)
            } else {
                status == 403
            };
            if !ok {
                failures.push(format!(
                    "{name} as {email} ({role:?} of a {kind:?}): {status} {location}, expected {}",
                    if admitted { "200 or 404" } else { "403" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) of the pages' role matrix differ from the declarations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
