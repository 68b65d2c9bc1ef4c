//! The JSON API, and its OpenAPI document.
//!
//! # Adding routes
//!
//! 1. Make a module here (`api/pupils.rs`) with handlers annotated `#[utoipa::path(…)]` (full
//!    path, e.g. `/api/schools/{school}/pupils`, a `tag`, the responses with
//!    [`crate::error::ErrorBody`] for errors) and
//!
//!    ```ignore
//!    pub fn routes() -> OpenApiRouter<AppState> {
//!        OpenApiRouter::new()
//!            .routes(routes!(list_pupils, create_pupil))   // same path, several methods
//!            .routes(routes!(get_pupil))
//!    }
//!    ```
//!
//!    An import route that takes large files adds
//!    `.layer(axum::extract::DefaultBodyLimit::max(crate::security::IMPORT_BODY_LIMIT))` to its
//!    router (everything else is limited to [`crate::security::BODY_LIMIT`]).
//! 2. Merge it in [`routes`] below: `.merge(pupils::routes())`.
//! 3. In each handler: take [`crate::authz::Actor`] (401 without login) and declare who may call
//!    it with `actor.require(…)` / `require_role` / `require_permission` (403 otherwise); pass
//!    the organisation scope into the store query; take [`crate::audit::Audit`] and write a row
//!    for every read or write of pupil data; use [`crate::extract`]'s `Json`, `Query`, `Path`,
//!    `Pagination` and `check_len`; return [`crate::error::ApiResult`].
//! 4. Regenerate the committed document: `UPDATE_OPENAPI=1 cargo test -p verzuim-server
//!    openapi` (a test fails while `crates/server/openapi.json` is out of date).

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod audit;
pub mod auth;
pub mod cases;
pub mod common;
pub mod events;
pub mod health;
pub mod import;
pub mod leerplicht;
pub mod meldingen;
pub mod privacy;
pub mod pupils;
pub mod referrals;
pub mod registrations;
pub mod schools;
pub mod second_factor;
pub mod signals;
pub mod tasks;
pub mod tokens;

/// The document's frame: title, version, tags, security schemes. Paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "verzuim API",
        description = "JSON API van verzuim: schoolverzuim registreren, signaleren en opvolgen \
                       volgens de regionale verzuimkaart, voor scholen, leerplicht en GGD-JGZ. \
                       Fouten zijn JSON: {\"error\": {\"code\": ..., \"message\": ...}}. \
                       Lijsten zijn gepagineerd met ?limit= (hoogstens 200) en ?offset=.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    tags(
        (name = "auth", description = "Inloggen, uitloggen, wachtwoord"),
        (name = "tokens", description = "API-tokens voor systemen (beheerder)"),
        (name = "audit", description = "Het auditlog van een organisatie (beheerder)"),
        (name = "health", description = "Bewaking"),
        (name = "scholen", description = "Schoolinstellingen (beheerder), gemeenten en GGD-JGZ-organisaties"),
        (name = "leerlingen", description = "Inschrijven, wijzigen en uitschrijven van leerlingen"),
        (name = "registraties", description = "Verzuimregistraties: vastleggen, corrigeren, verwijderen (met geschiedenis)"),
        (name = "gebeurtenissen", description = "Gebeurtenissen: verwijdering, zorg om ziekte, overig verzuim"),
        (name = "import", description = "Bestanden van formats.md importeren, alles of niets"),
        (name = "signalen", description = "Signalen volgens de verzuimkaart, met bewijs en acties"),
        (name = "dossiers", description = "Dossiers met signalen, taken, tijdlijn, meldingen en verwijzingen"),
        (name = "taken", description = "Taken van uw organisatie: afronden, niet nodig"),
        (name = "meldingen", description = "Meldingen aan leerplicht: DUO-statussen, afspraken, DUO-export"),
        (name = "verwijzingen", description = "Verwijzingen naar de GGD-JGZ: status en eigen notities"),
        (name = "privacy", description = "AVG: inzage-export en bewaartermijn"),
    ),
    modifiers(&SecuritySchemes),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "sessie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::sessions::COOKIE_NAME,
                "De sessiecookie van POST /api/auth/login. Een verzoek dat iets wijzigt moet \
                 van dezelfde origin komen (Origin of Sec-Fetch-Site), anders 403 csrf.",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Een API-token (vzm_...) van een organisatie, met permissies.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every route of the service that the OpenAPI document describes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(second_factor::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(schools::routes())
        .merge(pupils::routes())
        .merge(registrations::routes())
        .merge(events::routes())
        .merge(import::routes())
        .merge(signals::routes())
        .merge(cases::routes())
        .merge(tasks::routes())
        .merge(meldingen::routes())
        .merge(leerplicht::routes())
        .merge(referrals::routes())
        .merge(privacy::routes())
}

/// The OpenAPI 3.1 document of [`routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = routes().split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The committed document (`crates/server/openapi.json`), as served.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// `GET /api/openapi.json`.
pub(crate) async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

/// The OpenAPI schema of a [`verzuim_store::Role`] (a string, one of the five roles).
pub(crate) fn role_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(verzuim_store::Role::ALL.iter().map(|r| r.as_str())))
        .build()
}
