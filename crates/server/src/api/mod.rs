//! The JSON API, and its OpenAPI document.
//!
//! # Adding routes
//!
//! 1. Make a module here (`api/pupils.rs`) with handlers annotated `#[utoipa::path(…)]` (full
//!    path, e.g. `/api/schools/{school}/pupils`, a `tag`, the responses with
//!    [`crate::error::ErrorBody`] for errors; no `security`: the policy writes it) and
//!
//!    ```ignore
//!    pub fn routes() -> OpenApiRouter<AppState> {
//!        OpenApiRouter::new()
//!            .routes_with(routes!(list_pupils), &policy::PUPILS_READ)   // one handler each
//!            .routes_with(routes!(create_pupil), &policy::PUPILS_WRITE) // same path, another policy
//!    }
//!    ```
//!
//!    Every route is registered with its [`crate::policy::Policy`] (who may call it: roles from
//!    `verzuim_service::caller`, a token permission, how the organisation is chosen); the
//!    policy's layer refuses everyone else before the handler runs, and the OpenAPI document
//!    and the role-matrix test read it back. An import route that takes large files adds
//!    `.layer(axum::extract::DefaultBodyLimit::max(crate::security::IMPORT_BODY_LIMIT))` to its
//!    router (everything else is limited to [`crate::security::BODY_LIMIT`]).
//! 2. Merge it in [`routes`] below: `.merge(pupils::routes())`.
//! 3. In each handler of a role policy take [`crate::acting::Acting`] (who acts, for which
//!    organisation, as which role: the service's `Caller`); call the service with it (never the
//!    store) and use `?` on its errors; take [`crate::audit::Audit`] and write a row for every
//!    read of pupil data, and give a write's row to the service
//!    ([`common::audited_write`]: it commits with the change); use [`crate::extract`]'s `Json`,
//!    `Query`, `Path`, `Pagination` and `check_len`; return [`crate::error::ApiResult`].
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
pub mod duo;
pub mod events;
pub mod health;
pub mod import;
pub mod import_review;
pub mod leerplicht;
pub mod mail;
pub mod meldingen;
pub mod ouders;
pub mod privacy;
pub mod pupils;
pub mod referrals;
pub mod region;
pub mod registrations;
pub mod schemas;
pub mod schools;
pub mod second_factor;
pub mod signals;
pub mod tasks;
pub mod tokens;
pub mod users;

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
        (name = "gebruikers", description = "Gebruikers, rollen en de tweede factor van een organisatie (beheerder)"),
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
        (name = "gemeente", description = "Leerplicht: prikactie rondom schoolvakanties en jaarcijfers van de gemeente"),
        (name = "e-mail", description = "Uw keuze per soort e-mail: meteen, dagelijks of niet"),
        (name = "ouders", description = "Ouderportaal: kinderen, ziekmelding, beter melden, verlofaanvraag (Leerplichtwet 1969)"),
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
        .merge(mail::routes())
        .merge(tokens::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(schools::routes())
        .merge(pupils::routes())
        .merge(registrations::routes())
        .merge(events::routes())
        .merge(import::routes())
        .merge(import_review::routes())
        .merge(signals::routes())
        .merge(cases::routes())
        .merge(tasks::routes())
        .merge(meldingen::routes())
        .merge(duo::routes())
        .merge(leerplicht::routes())
        .merge(referrals::routes())
        .merge(privacy::routes())
        .merge(region::routes())
        .merge(ouders::routes())
}

/// The OpenAPI 3.1 document of [`routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = routes().split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    common_responses(&mut doc);
    date_patterns(doc)
}

/// The form of a date (`JJJJ-MM-DD`), as the API parses it.
pub const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// Gives every `format: date` a `pattern` too. In OpenAPI 3.1 (JSON Schema 2020-12) a `format`
/// is only an annotation, so without it `""` or `"morgen"` would match the document while the
/// API refuses them (400): the pattern makes the form part of the contract.
fn date_patterns(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("format").and_then(|f| f.as_str()) == Some("date")
                    && !map.contains_key("pattern")
                {
                    map.insert("pattern".into(), DATE_PATTERN.into());
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document is JSON");
    walk(&mut value);
    serde_json::from_value(value).expect("the OpenAPI document reads back")
}

/// The answers every operation can give besides its own, added where an operation does not
/// document them itself: 400 for a malformed path, query or body (`ongeldig_pad`,
/// `ongeldige_parameter`, `ongeldige_json`), 413 and 415 for a request body that is too large or
/// not JSON, 401 and 403 where a session or token is required (403 `csrf` for a change from
/// another origin), and 404 where the path names something.
fn common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let has_body = op.request_body.is_some();
            let secured =
                op.security.as_ref().is_none_or(|s| !s.is_empty()) && !path.starts_with("/health");
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| error(description).into());
            };
            if has_params || has_body {
                add(
                    "400",
                    "Ongeldig verzoek: ongeldig_pad, ongeldige_parameter, ongeldige_json (de \
                     foutmelding noemt het veld en wat er verwacht wordt)",
                );
            }
            if has_body {
                add("413", "te_groot: het verzoek is te groot");
                add("415", "geen_json: de inhoud is geen application/json");
            }
            if secured {
                add("401", "niet_ingelogd");
                add(
                    "403",
                    "geen_toegang, of csrf bij een wijziging van een andere origin",
                );
            }
            if path.contains('{') {
                add("404", "niet_gevonden");
            }
        }
    }
}

/// The committed document (`crates/server/openapi.json`), as served.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

/// `GET /api/openapi.json`.
pub(crate) async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

/// The OpenAPI schema of a [`verzuim_service::model::Role`] (a string, one of the five roles).
pub(crate) fn role_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            verzuim_service::model::Role::ALL.iter().map(|r| r.as_str()),
        ))
        .build()
}
