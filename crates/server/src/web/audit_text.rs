//! The audit log in Dutch for the beheerder who reads it (issue 10.8): each row's stable action
//! name and object code (`pupil_read`, `registration:165:add`, kept as they are in the log and
//! its CSV export) described in a Dutch sentence ("Gegevens bekeken: registratie 165
//! toegevoegd").

use crate::nl;

/// The Dutch name of an audit action.
pub fn action_nl(action: &str) -> String {
    match action {
        "login" => "Ingelogd".into(),
        "logout" => "Uitgelogd".into(),
        "password_change" => "Wachtwoord gewijzigd".into(),
        "token_create" => "API-sleutel gemaakt".into(),
        "token_revoke" => "API-sleutel ingetrokken".into(),
        "audit_export" => "Auditlog gedownload".into(),
        "pupil_read" => "Leerlinggegevens bekeken".into(),
        "pupil_write" => "Leerlinggegevens vastgelegd".into(),
        "letter" => "Brief".into(),
        "second_factor" => "Code van de tweede factor".into(),
        "second_factor_enrol" => "Tweede factor ingesteld".into(),
        "recovery_codes" => "Nieuwe herstelcodes".into(),
        "second_factor_reset" => "Tweede factor verwijderd".into(),
        "second_factor_policy" => "Tweede factor verplicht gesteld of niet meer verplicht".into(),
        "parent_invitation" => "Uitnodiging ouderportaal".into(),
        "leave_decision" => "Verlofaanvraag: advies of besluit".into(),
        "membership_add" => "Rol toegekend".into(),
        "membership_remove" => "Rol ingetrokken".into(),
        "retention" | "retention_service" => "Bewaartermijn toegepast".into(),
        other => nl::capitalise(&other.replace('_', " ")),
    }
}

/// The Dutch name of an outcome.
pub fn outcome_nl(outcome: &str) -> &str {
    match outcome {
        "ok" => "gelukt",
        "failed" => "mislukt",
        "denied" => "geweigerd",
        other => other,
    }
}

fn field_nl(key: &str) -> &str {
    match key {
        "bsn" => "BSN",
        "onderwijsnummer" => "onderwijsnummer",
        "ouders" => "contactgegevens ouders",
        "adres" => "adres",
        "woongemeente" => "woongemeente",
        "groep" => "groep",
        "inschrijving" => "inschrijfdatum",
        "uitschrijving" => "uitschrijving",
        "nieuwe_school" => "nieuwe school",
        other => other,
    }
}

fn dossier_action_nl(a: &str) -> &str {
    match a {
        "taak_afronden" => "taak afgerond",
        "taak_niet_nodig" => "taak als niet nodig afgesloten",
        "ouders" => "vastgelegd dat de ouders zijn geïnformeerd",
        "melding_intrekken" => "melding ingetrokken",
        "dossier_sluiten" => "dossier gesloten",
        "dossier_heropenen" => "dossier heropend",
        other => other,
    }
}

fn verb_nl(verb: &str) -> &str {
    match verb {
        "add" => "toegevoegd",
        "correct" => "gecorrigeerd",
        "delete" => "verwijderd",
        "history" => "geschiedenis bekeken",
        "complete" => "afgerond",
        "not_needed" => "als niet nodig afgesloten",
        "close" => "gesloten",
        "reopen" => "heropend",
        "enrol" => "ingeschreven",
        "deregister" => "uitgeschreven",
        "afspraken" => "afspraken vastgelegd",
        "acties" => "acties van leerplicht",
        "duo_export" => "export voor DUO",
        "notes" => "notities van de GGD-JGZ",
        "csv" => "als CSV",
        other => other,
    }
}

/// The Dutch description of an object code; the code itself when it is not one of the known
/// shapes.
pub fn object_nl(object: &str) -> String {
    let parts: Vec<&str> = object.split(':').collect();
    match parts[..] {
        ["leerlingen"] => "de leerlingenlijst".into(),
        ["taken"] => "de lijst met open taken".into(),
        ["toegang"] => "toegang".into(),
        ["pupil", id] => format!("leerling {id}"),
        ["pupil", id, "gegevens"] => format!("de gegevenspagina van leerling {id}"),
        ["pupil", id, "update"] => format!("gegevens van leerling {id} gewijzigd"),
        ["pupil", id, "update", fields] => format!(
            "gegevens van leerling {id} gewijzigd: {}",
            fields
                .split(',')
                .map(field_nl)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ["pupil", id, verb] => format!("leerling {id} {}", verb_nl(verb)),
        ["pupils", _] => "de leerlingen van de school".into(),
        ["registration", id, verb] => format!("registratie {id} {}", verb_nl(verb)),
        ["event", id, verb] => format!("gebeurtenis {id} {}", verb_nl(verb)),
        ["registrations", p] => format!("de registraties van leerling {p}"),
        ["events", p] => format!("de gebeurtenissen van leerling {p}"),
        ["signals", p] => format!("de signalen van {p}"),
        ["signals", _, "import"] => "de signalen uit een import".into(),
        ["signals", _, id, "import", s] => {
            format!("signaal {id} na import beoordeeld: {}", s.replace('_', " "))
        }
        ["cases", _] => "de dossiers".into(),
        ["tasks", _] => "de taken".into(),
        ["meldingen", _] => "de meldingen".into(),
        ["referrals", _] => "de verwijzingen".into(),
        ["case", id] => format!("dossier {id}"),
        ["case", id, "brief", kind, letter] => {
            format!(
                "brief {letter} ({}) bij dossier {id}",
                kind.replace('_', " ")
            )
        }
        ["case", id, verb] => format!("dossier {id} {}", verb_nl(verb)),
        ["dossier", action] => dossier_action_nl(action).to_owned(),
        ["dossier", _, p] => format!("het dossier van leerling {p}"),
        ["task", id] => format!("taak {id}"),
        ["task", id, verb] => format!("taak {id} {}", verb_nl(verb)),
        ["melding", id] => format!("melding {id}"),
        ["melding", id, "status", s] => format!("melding {id}: status {}", s.replace('_', " ")),
        ["melding", id, "actie", k] => format!("melding {id}: actie {}", k.replace('_', " ")),
        ["melding", id, verb] => format!("melding {id}: {}", verb_nl(verb)),
        ["referral" | "verwijzing", id] => format!("verwijzing {id}"),
        ["referral", id, "status", s] => {
            format!("verwijzing {id}: status {}", s.replace('_', " "))
        }
        ["referral", id, "note", n] => format!("verwijzing {id}: notitie {n}"),
        ["referral" | "verwijzing", id, verb] => format!("verwijzing {id}: {}", verb_nl(verb)),
        ["user", id] => format!("gebruiker {id}"),
        ["user", id, "herstelcode"] => format!("gebruiker {id} met een herstelcode"),
        ["user", id, role] => format!("gebruiker {id} als {role}"),
        ["token", id] => format!("API-sleutel {id}"),
        ["email", e] => format!("e-mailadres {e}"),
        ["audit", _] => "de auditlog".into(),
        ["audit", _, "csv"] => "de auditlog als CSV".into(),
        ["register", g, d] => format!("het register van groep {g} op {d}"),
        ["overzicht", y] => format!("het overzicht {y}"),
        ["school", _, "settings"] => "de instellingen van de school".into(),
        _ => object.to_owned(),
    }
}

/// The row's description: the action, and what it was about when that adds something.
pub fn describe(action: &str, object: &str) -> String {
    let a = action_nl(action);
    let o = object_nl(object);
    if o.is_empty() { a } else { format!("{a}: {o}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_dutch() {
        assert_eq!(
            describe("pupil_write", "registration:165:add"),
            "Leerlinggegevens vastgelegd: registratie 165 toegevoegd"
        );
        assert_eq!(
            describe("pupil_read", "pupil:1001"),
            "Leerlinggegevens bekeken: leerling 1001"
        );
        assert_eq!(
            describe("pupil_write", "pupil:1001:update:bsn,groep"),
            "Leerlinggegevens vastgelegd: gegevens van leerling 1001 gewijzigd: BSN, groep"
        );
        assert_eq!(
            describe("pupil_write", "case:23:close"),
            "Leerlinggegevens vastgelegd: dossier 23 gesloten"
        );
        assert_eq!(describe("login", "user:7"), "Ingelogd: gebruiker 7");
        assert_eq!(
            object_nl("signals:99XX00:12:import:buiten_verzuim_afgehandeld"),
            "signaal 12 na import beoordeeld: buiten verzuim afgehandeld"
        );
        assert_eq!(object_nl("iets:onbekends:a:b:c"), "iets:onbekends:a:b:c");
        assert_eq!(action_nl("nieuw_ding"), "Nieuw ding");
    }
}
