//! The test harness: a database per test, real servers on 127.0.0.1:0 with a manual clock,
//! fixtures, and raw SQL to look into the database.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use verzuim_server::auth::password;
use verzuim_server::extract::Path;
use verzuim_server::{Actor, ApiResult, AppState, Config, ManualClock, Permission, Role};
use verzuim_store::{Letterhead, Membership, NewUser, OrgKind, Organisation, Store, UserId};

/// The password of every fixture user.
pub const PASSWORD: &str = "paard-batterij-nietje";

/// A test's database; servers are started on it with [`Env::server`].
pub struct Env {
    pub url: String,
    pub clock: ManualClock,
}

pub async fn run_sqlite<F, Fut>(story: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("verzuim.db").display());
    let outcome = tokio::spawn(story(Env::new(url))).await;
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn run_postgres<F, Fut>(story: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin_url) = verzuim_store::test_support::postgres_url() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "verzuim_http_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the maintenance database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let url = with_database(&admin_url, &name);
    let outcome = tokio::spawn(story(Env::new(url))).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `postgres://u@h:p/postgres?x` -> `postgres://u@h:p/<name>?x`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl Env {
    fn new(url: String) -> Env {
        Env {
            url,
            // Whole seconds: the store keeps microseconds, so tests can compare exactly.
            clock: ManualClock::new(
                Timestamp::from_second(Timestamp::now().as_second()).expect("now"),
            ),
        }
    }

    /// A server with the default configuration.
    pub async fn server(&self) -> TestServer {
        self.server_with(Config::default()).await
    }

    /// A server with this configuration, on the same database and clock.
    pub async fn server_with(&self, config: Config) -> TestServer {
        let store = Store::connect(&self.url).await.expect("open store");
        store.migrate().await.expect("migrate");
        // One manual clock for the service and for the users' devices (the second factor's
        // codes): tests make a code for a moment and move the clock to the next one.
        let state = AppState::new(store.clone(), config)
            .with_clock(self.clock.clock())
            .with_device_clock(self.clock.clock());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (tx, rx) = oneshot::channel::<()>();
        let app = verzuim_server::router_with(state.clone(), probe_routes());
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            verzuim_server::serve_app(listener, app, state, shutdown)
                .await
                .expect("server runs");
        });
        TestServer {
            base: format!("http://{addr}"),
            store,
            url: self.url.clone(),
            clock: self.clock.clone(),
            _shutdown: tx,
        }
    }
}

/// Probe routes for what the foundation offers other routes: a state-changing route that a
/// user with a school role or a token with `registrations:write` may call, and one that
/// needs `pupils:read`.
fn probe_routes() -> Router<AppState> {
    async fn write(actor: Actor, Path(org): Path<String>) -> ApiResult<StatusCode> {
        actor.require(
            &org,
            &[Role::Leerkracht, Role::Verzuimcoordinator],
            Permission::RegistrationsWrite,
        )?;
        Ok(StatusCode::NO_CONTENT)
    }
    async fn read(actor: Actor, Path(org): Path<String>) -> ApiResult<StatusCode> {
        actor.require(&org, &[Role::Verzuimcoordinator], Permission::PupilsRead)?;
        Ok(StatusCode::NO_CONTENT)
    }
    Router::new()
        .route("/api/probe/{org}/registrations", post(write))
        .route("/api/probe/{org}/pupils", axum::routing::get(read))
}

/// A running server; stops when dropped.
pub struct TestServer {
    pub base: String,
    pub store: Store,
    pub url: String,
    pub clock: ManualClock,
    _shutdown: oneshot::Sender<()>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The service's own origin (what a browser sends as `Origin`).
    pub fn origin(&self) -> String {
        self.base.clone()
    }

    /// A client that keeps cookies, like a browser (and sends `Origin` on state-changing
    /// requests, as browsers do).
    pub fn browser(&self) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, self.origin().parse().unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// A client without cookies or default headers.
    pub fn bare(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn advance(&self, by: SignedDuration) {
        self.clock.advance(by);
    }

    pub async fn org(&self, id: &str, kind: OrgKind) {
        self.store
            .put_organisation(&Organisation {
                id: id.into(),
                kind,
                name: format!("Organisatie {id}"),
                letterhead: Letterhead::default(),
            })
            .await
            .expect("organisation");
        // The fixtures sign in with a password only, like the demo's users: the second
        // factor's own tests (second_factor.rs) require it where they test it.
        self.store
            .set_second_factor_required(id, false)
            .await
            .expect("second factor not required");
    }

    /// A user with [`PASSWORD`] and these roles.
    pub async fn user(&self, email: &str, roles: &[(&str, Role)]) -> UserId {
        let id = self
            .store
            .create_user(&NewUser {
                email: email.into(),
                display_name: format!("Gebruiker {email}"),
                password_hash: password::hash(PASSWORD).unwrap(),
            })
            .await
            .expect("user");
        for &(org, role) in roles {
            self.store
                .add_membership(&Membership {
                    user_id: id,
                    organisation_id: org.into(),
                    role,
                    groups: vec![],
                })
                .await
                .expect("membership");
        }
        id
    }

    /// The id of the user with this e-mail address.
    pub async fn user_id(&self, email: &str) -> UserId {
        self.store
            .user_by_email(email)
            .await
            .expect("user lookup")
            .expect("a user")
            .id
    }

    /// A school `99XX00` with a beheerder `beheer@school.nl`, a leerkracht `juf@school.nl`, and
    /// a second school `98YY00` with its own beheerder `beheer@andere.nl`.
    pub async fn two_schools(&self) {
        self.org("99XX00", OrgKind::School).await;
        self.org("98YY00", OrgKind::School).await;
        self.user("beheer@school.nl", &[("99XX00", Role::Beheerder)])
            .await;
        self.user("juf@school.nl", &[("99XX00", Role::Leerkracht)])
            .await;
        self.user("beheer@andere.nl", &[("98YY00", Role::Beheerder)])
            .await;
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// Logs in with a cookie-less client; returns the session token of the cookie.
    pub async fn session(&self, email: &str) -> String {
        let res = self.login(&self.bare(), email, PASSWORD).await;
        assert_eq!(res.status(), 200, "login of {email}");
        session_cookie(res.headers()).expect("session cookie")
    }

    /// A browser client logged in as `email`.
    pub async fn logged_in(&self, email: &str) -> reqwest::Client {
        let client = self.browser();
        let res = self.login(&client, email, PASSWORD).await;
        assert_eq!(res.status(), 200, "login of {email}");
        client
    }

    /// `GET /api/auth/me` with a session token; returns the status.
    pub async fn me_with_cookie(&self, token: &str) -> u16 {
        self.bare()
            .get(self.url("/api/auth/me"))
            .header("cookie", format!("verzuim_sessie={token}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// A token made through the API by `beheer@school.nl` for `99XX00`.
    pub async fn token(&self, permissions: &[&str]) -> (i64, String) {
        let admin = self.logged_in("beheer@school.nl").await;
        let res = admin
            .post(self.url("/api/organisations/99XX00/tokens"))
            .json(&json!({"name": "Administratiepakket", "permissions": permissions}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        (
            body["id"].as_i64().unwrap(),
            body["token"].as_str().unwrap().to_owned(),
        )
    }

    /// The first column of every row of `sql`, as text, read directly from the database.
    pub async fn raw_texts(&self, sql: &str) -> Vec<String> {
        if self.url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.url).await.unwrap();
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut c).await.unwrap();
            rows.into_iter().map(|r| r.0).collect()
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut c).await.unwrap();
            rows.into_iter().map(|r| r.0).collect()
        }
    }
}

/// A browser that keeps cookies, sends `Origin` and does not follow redirects (not logged in).
pub fn no_redirects(s: &TestServer) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, s.origin().parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A browser that keeps cookies, sends `Origin` and does not follow redirects.
pub async fn page_client(s: &TestServer, email: &str) -> reqwest::Client {
    let client = no_redirects(s);
    let res = s.login(&client, email, PASSWORD).await;
    assert_eq!(res.status(), 200, "login of {email}");
    client
}

/// `GET` a page: (status, body).
pub async fn get_page(s: &TestServer, c: &reqwest::Client, path: &str) -> (u16, String) {
    let res = c.get(s.url(path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// `POST` a form: (status, body).
pub async fn post_form(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let res = c.post(s.url(path)).form(form).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// `POST` a form: (status, Location, body).
pub async fn post_form_located(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let res = c.post(s.url(path)).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, res.text().await.unwrap())
}

/// The session token in a response's `Set-Cookie`, if it sets one (and does not clear it).
pub fn session_cookie(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("verzuim_sessie="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|v| !v.is_empty())
}

/// The `Set-Cookie` header of the session cookie.
pub fn set_cookie_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("verzuim_sessie="))
        .expect("a Set-Cookie for verzuim_sessie")
        .to_owned()
}

/// The `error.code` of a JSON error answer (asserting it is one).
pub async fn error_code(res: reqwest::Response) -> String {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    let body: Value = res.json().await.expect("JSON error body");
    let code = body["error"]["code"].as_str().expect("error.code");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error.message in {body}"
    );
    code.to_owned()
}

/// Makes a letter with the pages' form (`POST /zaken/{case}/brieven`, `soort` and the rest of
/// `form`) with a client that follows the redirect: `Ok((path of the letter made, its text))`,
/// or `Err((status, page))`.
pub async fn make_letter(
    s: &TestServer,
    c: &reqwest::Client,
    case: i64,
    form: &[(&str, &str)],
) -> Result<(String, String), (u16, String)> {
    let res = c
        .post(s.url(&format!("/zaken/{case}/brieven")))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let path = res.url().path().to_owned();
    if status != 200 || !path.starts_with(&format!("/zaken/{case}/brieven/")) {
        return Err((status, res.text().await.unwrap()));
    }
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"), "a PDF");
    let (status, text) = get_page(s, c, &format!("{path}?formaat=tekst")).await;
    assert_eq!(status, 200, "{text}");
    Ok((path, text))
}

/// The paths of the web pages, from the router itself: axum's `Debug` of a router lists its
/// paths (`RouteId(3): "/meldingen/{id}"`). If a new axum prints them otherwise, this finds none
/// and the test says so, rather than walking nothing.
pub fn web_paths() -> Vec<String> {
    let debug = format!("{:?}", verzuim_server::web::routes());
    let start = debug
        .find("paths: {")
        .expect("the router's paths in its Debug output");
    // The quoted paths up to the map's closing brace (braces inside quotes are parameters).
    let mut paths = Vec::new();
    let mut quoted: Option<String> = None;
    for ch in debug[start + "paths: {".len()..].chars() {
        match (&mut quoted, ch) {
            (None, '}') => break,
            (None, '"') => quoted = Some(String::new()),
            (Some(q), '"') => {
                paths.push(std::mem::take(q));
                quoted = None;
            }
            (Some(q), c) => q.push(c),
            (None, _) => {}
        }
    }
    paths.sort();
    paths
}

/// A page's HTML with `&` as written in a link (askama writes `&#38;`, some pages `&amp;`).
pub fn unescape(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}
