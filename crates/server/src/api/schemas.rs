//! The OpenAPI schemas of the API's coded strings: every status, kind and code the API accepts
//! or answers is declared as an `enum`, so that a generated client knows the values and a
//! request with another value is refused with 400 (see `tests/api/schemathesis.sh`).
//!
//! Used with `#[schema(schema_with = …)]` and `#[param(schema_with = …)]`; each list comes from
//! the type that parses the value, so the document cannot drift from the code.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};

fn strings(values: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// `open`, `done`, `not_needed`.
pub fn task_status() -> Object {
    strings(
        verzuim_service::model::TaskStatus::ALL
            .iter()
            .map(|s| s.as_str()),
        "De status van een taak.",
    )
}

/// DUO's statuses of a melding.
pub fn melding_status() -> Object {
    strings(
        verzuim_service::model::MeldingStatus::ALL
            .iter()
            .map(|s| s.as_str()),
        "De status van een melding (DUO).",
    )
}

/// The statuses a request sets on a melding (not `geregistreerd`, its first).
pub fn melding_status_change() -> Object {
    strings(
        super::meldingen::STATUSES.iter().copied(),
        "De nieuwe status van een melding (DUO).",
    )
}

/// The statuses a request sets on a referral (not `aangemeld`, its first).
pub fn referral_status_change() -> Object {
    strings(
        super::referrals::STATUSES.iter().copied(),
        "De nieuwe status van een verwijzing naar de GGD-JGZ.",
    )
}

/// A referral's statuses.
pub fn referral_status() -> Object {
    strings(
        verzuim_service::model::ReferralStatus::ALL
            .iter()
            .map(|s| s.as_str()),
        "De status van een verwijzing naar de GGD-JGZ.",
    )
}

/// `active`, `withdrawn`.
pub fn signal_status() -> Object {
    strings(
        verzuim_service::model::SignalStatus::ALL
            .iter()
            .map(|s| s.as_str()),
        "De status van een signaal.",
    )
}

/// How the parents were informed.
pub fn informed_how() -> Object {
    strings(
        verzuim_service::model::InformedHow::ALL
            .iter()
            .map(|s| s.as_str()),
        "Hoe de ouders zijn geïnformeerd.",
    )
}

/// The absence codes of formats.md.
pub fn code() -> Object {
    strings(
        verzuim_engine::model::Code::ALL.iter().map(|c| c.as_str()),
        "De verzuimcode.",
    )
}

/// The events a school records by hand.
pub fn event_kind() -> Object {
    strings(
        verzuim_engine::model::EventKind::ALL
            .iter()
            .map(|k| k.as_str()),
        "De soort gebeurtenis.",
    )
}

/// The leerplichtambtenaar's actions on a melding.
pub fn leerplicht_action() -> Object {
    strings(
        verzuim_service::model::LeerplichtActionKind::ALL
            .iter()
            .map(|k| k.as_str()),
        "De handeling van de leerplichtambtenaar.",
    )
}

/// What a school report is.
pub fn school_report_kind() -> Object {
    strings(
        ["inspectie", "swv_overleg"],
        "De melding aan de Onderwijsinspectie (inspectie) of het overleg met het \
         samenwerkingsverband (swv_overleg).",
    )
}

/// With whom a conversation was held.
pub fn conversation_with() -> Object {
    strings(
        verzuim_service::model::ConversationWith::ALL
            .iter()
            .map(|k| k.as_str()),
        "Met wie het gesprek was.",
    )
}

/// The school's judgement of a no-show at GGD-JGZ.
pub fn judgement() -> Object {
    strings(
        ["zonder_goede_reden", "met_goede_reden"],
        "Het oordeel van de school over niet verschijnen bij de GGD-JGZ.",
    )
}

/// Why leerplicht closed a melding.
pub fn closing_reason() -> Object {
    strings(
        verzuim_service::ClosingReason::ALL
            .iter()
            .map(|r| r.as_str()),
        "Waarom leerplicht de melding afsloot.",
    )
}

/// The kinds of a school's closed days.
pub fn closed_kind() -> Object {
    strings(
        ["vakantie", "vrije_dag", "studiedag"],
        "De soort vrije dag.",
    )
}

/// The kinds of e-mail a user chooses for (docs/email.md).
pub fn mail_kind() -> Object {
    strings(
        verzuim_service::mail::CHOOSABLE.iter().map(|k| k.as_str()),
        "De soort e-mail.",
    )
}

/// How a user gets a kind of e-mail: at once, in the daily summary, or not at all.
pub fn mail_mode() -> Object {
    strings(
        verzuim_service::model::MailMode::ALL
            .iter()
            .map(|m| m.as_str()),
        "Meteen (direct), in de dagelijkse samenvatting (dagelijks) of niet (uit).",
    )
}

/// The holiday regions of the Netherlands.
pub fn holiday_region() -> Object {
    strings(["noord", "midden", "zuid"], "De vakantieregio.")
}

/// The signal kinds of rules.md §2.
pub fn signal_kind() -> Object {
    strings(
        verzuim_engine::model::SignalKind::ALL
            .iter()
            .map(|k| k.as_str()),
        "De soort signaal.",
    )
}

/// A list of signal kinds.
pub fn signal_kinds() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(signal_kind()).build()
}

/// The card's parties.
pub fn party() -> Object {
    strings(
        verzuim_engine::model::Party::ALL.iter().map(|p| p.as_str()),
        "De partij van de kaart.",
    )
}

/// A token's permissions, as a list (at least one).
pub fn permissions() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .min_items(Some(1))
        .max_items(Some(64))
        .items(strings(
            crate::authz::Permission::ALL.iter().map(|p| p.as_str()),
            "Een permissie.",
        ))
        .build()
}

/// A day (`YYYY-MM-DD`) or a moment (RFC 3339).
pub fn date_or_time() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, OneOfBuilder, SchemaFormat};
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
            .build()
    };
    utoipa::openapi::schema::Schema::OneOf(
        OneOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some("Een dag (JJJJ-MM-DD) of een tijdstip (RFC 3339)."))
            .build(),
    )
}

/// `json`: the audit log as one file.
pub fn audit_format() -> Object {
    strings(
        ["json"],
        "Het formaat: `json` voor het hele log als bestand.",
    )
}
