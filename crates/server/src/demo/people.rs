//! Who is in the demo region: its organisations and a user per role.

use super::*;

/// A demo user: who they are and where they work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub organisation: &'static str,
    /// For a leerkracht: the groups they register for.
    pub groups: &'static [&'static str],
}

/// Every demo user: a user per role and organisation of the demo region.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        email: "leerkracht@obs-de-esch.example",
        name: "Marieke Leferink",
        role: Role::Leerkracht,
        organisation: SCHOOL_ESCH,
        groups: &["7-8"],
    },
    DemoUser {
        email: "coordinator@obs-de-esch.example",
        name: "Hans Oude Vrielink",
        role: Role::Verzuimcoordinator,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "beheer@obs-de-esch.example",
        name: "Ingrid Nijland",
        role: Role::Beheerder,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "leerkracht@cbs-de-wegwijzer.example",
        name: "Bart Kamphuis",
        role: Role::Leerkracht,
        organisation: SCHOOL_WEGWIJZER,
        groups: &["6"],
    },
    DemoUser {
        email: "coordinator@cbs-de-wegwijzer.example",
        name: "Saskia ten Dam",
        role: Role::Verzuimcoordinator,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "beheer@cbs-de-wegwijzer.example",
        name: "Gerard Brummelhuis",
        role: Role::Beheerder,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@enschede.example",
        name: "Yvonne Schuttenbeld",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0153",
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@hengelo.example",
        name: "Erik Wensink",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0164",
        groups: &[],
    },
    DemoUser {
        email: "leerplicht@oldenzaal.example",
        name: "Monique Bekhuis",
        role: Role::Leerplichtambtenaar,
        organisation: "GM0173",
        groups: &[],
    },
    DemoUser {
        email: "directeur@obs-de-esch.example",
        name: "Wilma Hofste",
        role: Role::Directeur,
        organisation: SCHOOL_ESCH,
        groups: &[],
    },
    DemoUser {
        email: "directeur@cbs-de-wegwijzer.example",
        name: "Jan Olde Bolhaar",
        role: Role::Directeur,
        organisation: SCHOOL_WEGWIJZER,
        groups: &[],
    },
    DemoUser {
        email: "jgz@ggd-twente.example",
        name: "Dr. Anouk Haverkate (jeugdarts)",
        role: Role::Jgz,
        organisation: GGD_ID,
        groups: &[],
    },
];

/// The demo parent (the parents' portal, docs/parents.md): no role in an organisation, a child
/// at each demo school.
pub const DEMO_PARENT: &str = "ouder@demo-ouders.example";
/// The demo parent's name.
pub const DEMO_PARENT_NAME: &str = "Petra Nijhuis";

/// The organisations of the demo region.
pub fn organisations() -> Vec<Organisation> {
    let org = |id: &str, kind, name: &str, street: &str, postcode: &str, city: &str| Organisation {
        id: id.to_owned(),
        kind,
        name: name.to_owned(),
        letterhead: Letterhead {
            street: Some(street.to_owned()),
            postcode: Some(postcode.to_owned()),
            city: Some(city.to_owned()),
            // Fictitious contact data for the letters' letterhead.
            phone: Some("(000) 123 45 67".to_owned()),
            email: Some(format!(
                "info@{}.example",
                name.to_lowercase()
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("-")
            )),
        },
    };
    vec![
        org(
            "GM0153",
            OrgKind::Gemeente,
            "Enschede",
            "Langestraat 24",
            "7511 HC",
            "Enschede",
        ),
        org(
            "GM0164",
            OrgKind::Gemeente,
            "Hengelo",
            "Hazemeijerplein 1",
            "7555 RJ",
            "Hengelo",
        ),
        org(
            "GM0173",
            OrgKind::Gemeente,
            "Oldenzaal",
            "Ganzenmarkt 1",
            "7571 CD",
            "Oldenzaal",
        ),
        org(
            GGD_ID,
            OrgKind::GgdJgz,
            "GGD Twente",
            "Nijverheidstraat 30",
            "7511 JM",
            "Enschede",
        ),
        org(
            SCHOOL_ESCH,
            OrgKind::School,
            "OBS De Esch",
            "Esmarkelaan 1",
            "7522 MT",
            "Enschede",
        ),
        org(
            SCHOOL_WEGWIJZER,
            OrgKind::School,
            "CBS De Wegwijzer",
            "Wegwijzerstraat 2",
            "7555 AB",
            "Hengelo",
        ),
    ]
}
