//! The Dutch web pages: server-rendered askama templates (`crates/server/templates/`) with htmx
//! for the register's one-click changes (design.md). No inline script or style: the CSP of
//! [`crate::security`] holds, and htmx is told not to inject its indicator style.
//!
//! - [`assets`]: `/static/…` (embedded in the binary, long-cached, URLs carry a content hash).
//! - [`session`]: the logged-in user of a page ([`session::WebUser`]): which membership they act
//!   in (the switcher's cookie), and the page chrome (name, role, organisation, nav).
//! - [`login`]: `/inloggen`, `/uitloggen`, `/wachtwoord`, `/wissel`, `/`.
//! - [`second_factor`]: the login's steps after the password (`/inloggen/code`,
//!   `/inloggen/nieuw-wachtwoord`), one's second factor (`/tweede-factor`) and the beheerder's
//!   `/beheer/tweede-factor`.
//! - [`register`]: the teacher's daily register, `/registreren`.
//! - [`lists`]: the landing pages of the coordinator and the beheerder: `/taken`, `/beheer`.
//! - [`leerplicht`]: the leerplichtambtenaar's `/meldingen` and `/meldingen/{id}`.
//! - [`ggd`]: GGD-JGZ's `/verwijzingen` and `/verwijzingen/{id}` (a school's coordinator sees a
//!   referral's status and history there).
//! - [`beheer`]: the beheerder's pages under `/beheer/...` (docs/beheer-pages.md).
//! - [`overzicht`]: `/overzicht`, overviews with SVG charts ([`charts`]).
//! - [`dossier`]: the pupil dossier `/leerlingen/{school}/{pupil}` and the pupil list.
//! - [`gegevens`]: a pupil's data, corrected by the coordinator or beheerder,
//!   `/leerlingen/{school}/{pupil}/gegevens`.
//! - [`mail`]: one's e-mail choices, `/e-mail`; with `serve --demo` the demo mailbox
//!   `/demo/mail`.
//! - [`ouders`]: the parents' portal `/ouders…` and the school's invitation of a parent
//!   (docs/parents.md).
//! - [`verlof`]: leave requests for the director, the coordinator and leerplicht, `/verlof…`.
//! - [`letters`]: a case's letters as PDF: made with `POST /zaken/{case}/brieven`, read with
//!   `GET /zaken/{case}/brieven/{letter}`.
//!
//! Pages answer 200 with the form and its Dutch message on a failed login or a refused
//! password (the error-page middleware turns every 4xx into the error page).

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use verzuim_service::ServiceError;

use verzuim_store::{MAX_PAGE_SIZE, Page};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub mod assets;
pub mod audit_text;
pub mod beheer;
pub mod charts;
pub mod dossier;
pub mod early;
pub mod gegevens;
pub mod ggd;
pub mod leerplicht;
pub mod letters;
pub mod lists;
pub mod login;
pub mod mail;
pub mod ouders;
pub mod overzicht;
pub mod region;
pub mod register;
pub mod second_factor;
pub mod session;
pub mod verlof;

pub use session::{Chrome, PageMeta, WebUser};

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(login::root))
        .route(
            "/inloggen",
            get(login::login_page).post(login::login_submit),
        )
        .route("/uitloggen", post(login::logout))
        .route(
            "/wachtwoord",
            get(login::password_page).post(login::password_submit),
        )
        .route("/wissel", post(login::switch))
        .route("/e-mail", get(mail::page).post(mail::save))
        .route("/registreren", get(register::page).post(register::action))
        .route("/taken", get(lists::taken))
        .route("/meldingen", get(leerplicht::meldingen))
        .route(
            "/meldingen/{id}",
            get(leerplicht::melding).post(leerplicht::melding_post),
        )
        .route("/verwijzingen", get(ggd::verwijzingen))
        .route(
            "/verwijzingen/{id}",
            get(ggd::verwijzing).post(ggd::verwijzing_post),
        )
        .route("/beheer", get(lists::beheer))
        .route("/overzicht", get(overzicht::page))
        .route("/prikactie", get(region::prikactie))
        .route("/jaarcijfers", get(region::jaarcijfers))
        .route("/jaarcijfers.csv", get(region::jaarcijfers_csv))
        .route(
            "/meldingen/{id}/duo",
            get(region::duo_show).post(region::duo_post),
        )
        .route("/meldingen/{id}/duo.json", get(region::duo_json))
        .route("/meldingen/{id}/duo.csv", get(region::duo_csv))
        .route(
            "/beheer/contactpersoon",
            get(region::contact_page).post(region::contact_save),
        )
        .merge(beheer::routes())
        .route("/leerlingen", get(dossier::list))
        .route("/vroegsignalering", get(early::page))
        .route(
            "/leerlingen/{school_id}/{pupil_id}/gegevens",
            get(gegevens::page).post(gegevens::save),
        )
        .route(
            "/leerlingen/{school_id}/{pupil_id}",
            get(dossier::page).post(dossier::action),
        )
        .route("/ouders", get(ouders::home))
        .route(
            "/ouders/uitnodiging/{token}",
            get(ouders::invitation).post(ouders::invitation_accept),
        )
        .route("/ouders/brieven/{id}", get(ouders::letter))
        .route("/ouders/verlof/{id}", get(ouders::leave_detail))
        .route("/ouders/verlof/{id}/besluit.pdf", get(ouders::leave_letter))
        .route("/ouders/{school_id}/{pupil_id}", get(ouders::child))
        .route(
            "/ouders/{school_id}/{pupil_id}/ziek",
            post(ouders::report_sick),
        )
        .route(
            "/ouders/{school_id}/{pupil_id}/beter",
            post(ouders::report_better),
        )
        .route(
            "/ouders/{school_id}/{pupil_id}/verlof",
            get(ouders::leave_form).post(ouders::leave_submit),
        )
        .route(
            "/leerlingen/{school_id}/{pupil_id}/ouders",
            get(ouders::invite_get).post(ouders::invite_post),
        )
        .route("/verlof", get(verlof::list))
        .route("/verlof/{id}", get(verlof::detail).post(verlof::action))
        .route("/verlof/{id}/besluit.pdf", get(verlof::letter))
        .route("/zaken/{case_id}/brieven", post(letters::make))
        .route("/zaken/{case_id}/brieven/{letter_id}", get(letters::show))
        .merge(second_factor::routes())
        .merge(assets::routes())
}

/// Renders a template as an HTML answer (a logged 500 if rendering fails).
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    meta: PageMeta,
    /// Already escaped (`&lt;` like the foundation's page; askama would write `&#60;`).
    message_html: String,
    code_html: String,
}

/// The Dutch error page (used by [`ApiError::html_page`] for every non-API error).
pub fn error_page(title: &str, message: &str, code: &str) -> Option<String> {
    ErrorPage {
        meta: PageMeta::bare(title),
        message_html: crate::error::escape_html(message),
        code_html: crate::error::escape_html(code),
    }
    .render()
    .ok()
}

/// The service's "today": the date in the Netherlands by the state's clock.
pub fn today(state: &AppState) -> Date {
    let now = state.now();
    now.in_tz("Europe/Amsterdam")
        .map(|z| z.date())
        .unwrap_or_else(|_| now.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// A service error as an error page: not found 404, forbidden 403, a broken rule 422, a
/// conflict 409, storage a logged 500.
pub fn service_error(e: ServiceError) -> ApiError {
    use axum::http::StatusCode;
    match e {
        ServiceError::NotFound => ApiError::not_found(),
        ServiceError::Forbidden(why) => {
            tracing::debug!(%why, "service refused");
            ApiError::forbidden()
        }
        ServiceError::Invalid(m) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "ongeldig", sentence(&m))
        }
        ServiceError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", sentence(&m)),
        ServiceError::Input(errors) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ongeldige_bestanden",
            format!("De bestanden bevatten {} fout(en).", errors.len()),
        ),
        ServiceError::Store(e) => ApiError::internal(e),
    }
}

/// A service message as a sentence: capital first letter, final full stop.
pub use crate::nl::sentence;

/// At most this many rows on one list page (the rest: a later, paged version).
pub(crate) const LIST_LIMIT: usize = 1000;

/// A scoped service list read a page at a time, until a short page or `limit` rows.
pub(crate) async fn all_pages<T, F, Fut>(limit: usize, mut fetch: F) -> ApiResult<Vec<T>>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = verzuim_service::Result<Vec<T>>>,
{
    let mut out = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = fetch(page).await.map_err(service_error)?;
        let done = batch.len() < page.limit() as usize;
        out.extend(batch);
        if done || out.len() >= limit {
            return Ok(out);
        }
        page = page.next();
    }
}

/// A signal kind for people.
pub fn kind_label(kind: verzuim_engine::model::SignalKind) -> &'static str {
    use verzuim_engine::model::SignalKind as K;
    match kind {
        K::AbsoluutVerzuim => "Absoluut verzuim",
        K::RelatiefVerzuim => "Relatief verzuim",
        K::LangdurigRelatiefVerzuim => "Langdurig relatief verzuim",
        K::LuxeVerzuim => "Luxe verzuim",
        K::MogelijkLuxeVerzuim => "Mogelijk luxe verzuim",
        K::TeLaat => "Te laat komen",
        K::Ziekmelding => "Ziekmelding",
        K::ZiekLangerDan2Weken => "Ziekte langer dan 2 weken",
        K::Ziek3eMeldingIn3Maanden => "3e ziekmelding in 3 maanden",
        K::ZorgZiekte => "Ziekte, reden tot zorg",
        K::OverigVerzuim => "Overig verzuim",
        K::Verwijdering => "Verwijdering",
    }
}

/// The characters a URL part keeps as they are (RFC 3986's unreserved characters); every other
/// byte is percent-encoded.
const URL_PART: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path segment or query value, percent-encoded where needed (`99 XX/00` → `99%20XX%2F00`).
pub fn url_part(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, URL_PART).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        assert_eq!(url_part("99 XX/00"), "99%20XX%2F00");
        assert_eq!(url_part("a-b_c.d~é"), "a-b_c.d~%C3%A9");
    }
}
