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
//! - [`import_review`]: the signals an import holds for the coordinator's review,
//!   `/import-beoordelen` (issue 10.9).
//! - [`gegevens`]: a pupil's data, corrected by the coordinator or beheerder,
//!   `/leerlingen/{school}/{pupil}/gegevens`.
//! - [`gebeurtenissen`]: a pupil's events (verwijdering, zorg om ziekte, overig verzuim),
//!   recorded and corrected by the coordinator, `/leerlingen/{school}/{pupil}/gebeurtenissen`.
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
use jiff::civil::Date;
use verzuim_service::ServiceError;

use verzuim_service::model::{MAX_PAGE_SIZE, Page};

use crate::error::{ApiError, ApiResult};
use crate::policy::{PageRoute, PageRoutes};
use crate::state::AppState;

pub mod assets;
pub mod audit_text;
pub mod beheer;
pub mod charts;
pub mod dossier;
pub mod early;
pub mod gebeurtenissen;
pub mod gegevens;
pub mod ggd;
pub mod import_review;
pub mod leerplicht;
pub mod letters;
pub mod lists;
pub mod login;
pub mod mail;
pub mod ouders;
pub mod overzicht;
pub mod pager;
pub mod region;
pub mod register;
pub mod second_factor;
pub mod session;
pub mod verlof;

pub use session::{Chrome, PageMeta, WebUser};

/// Every page route (without the demo mailbox).
pub fn routes() -> Router<AppState> {
    page_routes(false).into_router()
}

/// Every page route's declaration (method, path, policy), the demo mailbox included: for the
/// page role matrix.
pub fn route_policies() -> Vec<PageRoute> {
    page_routes(true).policies().to_vec()
}

/// Every page route with its policy; with `demo_mailbox` also `/demo/mail` (`serve --demo`).
pub fn page_routes(demo_mailbox: bool) -> PageRoutes {
    use crate::policy::*;
    let mut pages = PageRoutes::new()
        .get("/", login::root, &PAGE_PUBLIC)
        .get("/inloggen", login::login_page, &PAGE_PUBLIC)
        .post("/inloggen", login::login_submit, &PAGE_PUBLIC)
        .post("/uitloggen", login::logout, &PAGE_PUBLIC)
        .get("/wachtwoord", login::password_page, &PAGE_OWN)
        .post("/wachtwoord", login::password_submit, &PAGE_OWN)
        .post("/wissel", login::switch, &PAGE_OWN)
        .get("/e-mail", mail::page, &PAGE_OWN)
        .post("/e-mail", mail::save, &PAGE_OWN)
        .get("/registreren", register::page, &PAGE_REGISTER)
        .post("/registreren", register::action, &PAGE_REGISTER)
        .get("/taken", lists::taken, &PAGE_TASKS)
        .get("/meldingen", leerplicht::meldingen, &PAGE_LEERPLICHT)
        .get("/meldingen/{id}", leerplicht::melding, &PAGE_MELDING)
        .post("/meldingen/{id}", leerplicht::melding_post, &PAGE_MELDING)
        .get("/verwijzingen", ggd::verwijzingen, &PAGE_JGZ)
        .get("/verwijzingen/{id}", ggd::verwijzing, &PAGE_REFERRAL)
        .post("/verwijzingen/{id}", ggd::verwijzing_post, &PAGE_JGZ)
        .get("/beheer", lists::beheer, &PAGE_ADMIN)
        .get("/overzicht", overzicht::page, &PAGE_OVERVIEW)
        .get("/prikactie", region::prikactie, &PAGE_LEERPLICHT)
        .get("/jaarcijfers", region::jaarcijfers, &PAGE_LEERPLICHT)
        .get(
            "/jaarcijfers.csv",
            region::jaarcijfers_csv,
            &PAGE_LEERPLICHT,
        )
        .get("/meldingen/{id}/duo", region::duo_show, &PAGE_MELDING)
        .post(
            "/meldingen/{id}/duo",
            region::duo_post,
            &PAGE_SCHOOL_WORKFLOW,
        )
        .get("/meldingen/{id}/duo.json", region::duo_json, &PAGE_MELDING)
        .get("/meldingen/{id}/duo.csv", region::duo_csv, &PAGE_MELDING)
        .get(
            "/beheer/contactpersoon",
            region::contact_page,
            &PAGE_SCHOOL_PUPILS,
        )
        .post(
            "/beheer/contactpersoon",
            region::contact_save,
            &PAGE_SCHOOL_PUPILS,
        )
        .merge(
            PageRoutes::new()
                .get(
                    "/beheer/lestijden",
                    beheer::lesson_times,
                    &PAGE_SCHOOL_ADMIN,
                )
                .post(
                    "/beheer/lestijden",
                    beheer::lesson_times_save,
                    &PAGE_SCHOOL_ADMIN,
                )
                .get("/beheer/vrije-dagen", beheer::closed, &PAGE_SCHOOL_ADMIN)
                .post(
                    "/beheer/vrije-dagen",
                    beheer::closed_save,
                    &PAGE_SCHOOL_ADMIN,
                )
                .post(
                    "/beheer/vakanties",
                    beheer::holidays_preview,
                    &PAGE_SCHOOL_ADMIN,
                )
                .post(
                    "/beheer/vakanties/toevoegen",
                    beheer::holidays_add,
                    &PAGE_SCHOOL_ADMIN,
                )
                .get("/beheer/groepen", beheer::groups, &PAGE_SCHOOL_ADMIN)
                .post("/beheer/groepen", beheer::groups_add, &PAGE_SCHOOL_ADMIN)
                .post(
                    "/beheer/groepen/opheffen",
                    beheer::groups_remove,
                    &PAGE_SCHOOL_ADMIN,
                )
                .get("/beheer/gebruikers", beheer::users, &PAGE_ADMIN)
                .post("/beheer/gebruikers", beheer::users_add, &PAGE_ADMIN)
                .post(
                    "/beheer/gebruikers/intrekken",
                    beheer::users_remove,
                    &PAGE_ADMIN,
                )
                .get("/beheer/auditlog", beheer::audit_log, &PAGE_ADMIN)
                .get("/beheer/auditlog.csv", beheer::audit_csv, &PAGE_ADMIN)
                .get(
                    "/beheer/importeren",
                    beheer::import_page,
                    &PAGE_SCHOOL_ADMIN,
                )
                .post(
                    "/beheer/importeren",
                    beheer::import_submit,
                    &PAGE_SCHOOL_ADMIN,
                )
                .body_limit(crate::security::IMPORT_BODY_LIMIT),
        )
        .get("/leerlingen", dossier::list, &PAGE_SCHOOL_PUPILS)
        .get(
            import_review::PATH,
            import_review::show,
            &PAGE_SCHOOL_PUPILS,
        )
        .post(
            import_review::PATH,
            import_review::decide,
            &PAGE_SCHOOL_WORKFLOW,
        )
        .get("/vroegsignalering", early::page, &PAGE_EARLY)
        .get(
            "/leerlingen/{school_id}/{pupil_id}/gebeurtenissen",
            gebeurtenissen::page,
            &PAGE_SCHOOL_WORKFLOW,
        )
        .post(
            "/leerlingen/{school_id}/{pupil_id}/gebeurtenissen",
            gebeurtenissen::save,
            &PAGE_SCHOOL_WORKFLOW,
        )
        .get(
            "/leerlingen/{school_id}/{pupil_id}/gegevens",
            gegevens::page,
            &PAGE_SCHOOL_PUPILS,
        )
        .post(
            "/leerlingen/{school_id}/{pupil_id}/gegevens",
            gegevens::save,
            &PAGE_SCHOOL_PUPILS,
        )
        .get(
            "/leerlingen/{school_id}/{pupil_id}",
            dossier::page,
            &PAGE_DOSSIER,
        )
        .post(
            "/leerlingen/{school_id}/{pupil_id}",
            dossier::action,
            &PAGE_DOSSIER,
        )
        .get("/ouders", ouders::home, &PAGE_OWN)
        .get(
            "/ouders/uitnodiging/{token}",
            ouders::invitation,
            &PAGE_PUBLIC,
        )
        .post(
            "/ouders/uitnodiging/{token}",
            ouders::invitation_accept,
            &PAGE_PUBLIC,
        )
        .get(
            ouders::settings::MAIL,
            ouders::settings::mail_page,
            &PAGE_OWN,
        )
        .post(
            ouders::settings::MAIL,
            ouders::settings::mail_save,
            &PAGE_OWN,
        )
        .get(
            ouders::settings::PASSWORD,
            ouders::settings::password_page,
            &PAGE_OWN,
        )
        .post(
            ouders::settings::PASSWORD,
            ouders::settings::password_submit,
            &PAGE_OWN,
        )
        .get("/ouders/brieven/{id}", ouders::letter, &PAGE_OWN)
        .get("/ouders/verlof/{id}", ouders::leave_detail, &PAGE_OWN)
        .get(
            "/ouders/verlof/{id}/besluit.pdf",
            ouders::leave_letter,
            &PAGE_OWN,
        )
        .get(
            "/ouders/verlof/{id}/werkgeversverklaring",
            ouders::leave_document,
            &PAGE_OWN,
        )
        .get("/ouders/{school_id}/{pupil_id}", ouders::child, &PAGE_OWN)
        .post(
            "/ouders/{school_id}/{pupil_id}/ziek",
            ouders::report_sick,
            &PAGE_OWN,
        )
        .post(
            "/ouders/{school_id}/{pupil_id}/beter",
            ouders::report_better,
            &PAGE_OWN,
        )
        .get(
            "/ouders/{school_id}/{pupil_id}/verlof",
            ouders::leave_form,
            &PAGE_OWN,
        )
        .merge(
            PageRoutes::new()
                .post(
                    "/ouders/{school_id}/{pupil_id}/verlof",
                    ouders::leave_submit,
                    &PAGE_OWN,
                )
                .body_limit(ouders::LEAVE_BODY_LIMIT),
        )
        .get(
            "/leerlingen/{school_id}/{pupil_id}/ouders",
            ouders::invite_get,
            &PAGE_SCHOOL_PUPILS,
        )
        .post(
            "/leerlingen/{school_id}/{pupil_id}/ouders",
            ouders::invite_post,
            &PAGE_SCHOOL_PUPILS,
        )
        .get("/verlof", verlof::list, &PAGE_LEAVE)
        .get("/verlof/{id}", verlof::detail, &PAGE_LEAVE)
        .post("/verlof/{id}", verlof::action, &PAGE_LEAVE)
        .get("/verlof/{id}/besluit.pdf", verlof::letter, &PAGE_LEAVE)
        .get(
            "/verlof/{id}/werkgeversverklaring",
            verlof::document,
            &PAGE_LEAVE,
        )
        .post("/zaken/{case_id}/brieven", letters::make, &PAGE_LETTERS)
        .get(
            "/zaken/{case_id}/brieven/{letter_id}",
            letters::show,
            &PAGE_OWN,
        )
        .get("/inloggen/code", second_factor::code_page, &PAGE_LOGIN_STEP)
        .post(
            "/inloggen/code",
            second_factor::code_submit,
            &PAGE_LOGIN_STEP,
        )
        .get(
            "/inloggen/nieuw-wachtwoord",
            second_factor::password_page,
            &PAGE_LOGIN_STEP,
        )
        .post(
            "/inloggen/nieuw-wachtwoord",
            second_factor::password_submit,
            &PAGE_LOGIN_STEP,
        )
        .get("/tweede-factor", second_factor::page, &PAGE_LOGIN_STEP)
        .post(
            "/tweede-factor/nieuw",
            second_factor::begin,
            &PAGE_LOGIN_STEP,
        )
        .post(
            "/tweede-factor/bevestigen",
            second_factor::confirm,
            &PAGE_LOGIN_STEP,
        )
        .post(
            "/tweede-factor/herstelcodes",
            second_factor::renew_codes,
            &PAGE_OWN,
        )
        .get(
            "/beheer/tweede-factor",
            second_factor::admin_page,
            &PAGE_ADMIN,
        )
        .post(
            "/beheer/tweede-factor/verplicht",
            second_factor::admin_required,
            &PAGE_ADMIN,
        )
        .post(
            "/beheer/tweede-factor/opnieuw",
            second_factor::admin_reset,
            &PAGE_ADMIN,
        )
        .public_files(assets::routes());
    if demo_mailbox {
        pages = pages.get("/demo/mail", mail::demo_mailbox, &PAGE_PUBLIC);
    }
    pages
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

/// The service's "today" (kept for the pages until they call [`AppState::today`]).
pub fn today(state: &AppState) -> Date {
    state.today()
}

/// A service error as an error page: the one mapping, `From<ServiceError> for ApiError` (kept
/// for the pages until they use `?`).
pub fn service_error(e: ServiceError) -> ApiError {
    ApiError::from(e)
}

pub use crate::error::sentence;

/// A pupil of the caller's own school, for the pages of one pupil (the route's policy has
/// checked the role and the kind of organisation): 404 for another school's pupil or none.
pub(crate) async fn own_school_pupil(
    state: &AppState,
    web: &session::WebUser,
    school_id: &str,
    pupil_id: &str,
) -> ApiResult<verzuim_service::model::StoredPupil> {
    if web.org_id() != school_id {
        return Err(ApiError::not_found());
    }
    verzuim_service::visibility::pupil(&state.store, &web.caller(), school_id, pupil_id)
        .await
        .map_err(service_error)
}

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
