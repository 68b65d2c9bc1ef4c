//! Sample letters with fictitious data: for the example that writes sample PDFs, for tests, and
//! for a preview when an organisation adapts its templates.

use jiff::civil::{date, time};

use crate::data::*;

fn school() -> Sender {
    Sender {
        name: "Basisschool De Vlinder".into(),
        street: "Esweg 12".into(),
        postcode: "7522 AB".into(),
        city: "Enschede".into(),
        phone: "053 123 45 67".into(),
        email: "administratie@devlinder-voorbeeld.nl".into(),
        website: Some("www.devlinder-voorbeeld.nl".into()),
        logo: None,
    }
}

fn leerplicht() -> Sender {
    Sender {
        name: "Gemeente Enschede, team Leerplicht".into(),
        street: "Langestraat 24".into(),
        postcode: "7511 HB".into(),
        city: "Enschede".into(),
        phone: "053 765 43 21".into(),
        email: "leerplicht@gemeente-voorbeeld.nl".into(),
        website: None,
        logo: None,
    }
}

fn ggd() -> Sender {
    Sender {
        name: "GGD Twente, Jeugdgezondheidszorg".into(),
        street: "Nijverheidstraat 30".into(),
        postcode: "7511 JM".into(),
        city: "Enschede".into(),
        phone: "053 487 69 00".into(),
        email: "jgz@ggd-voorbeeld.nl".into(),
        website: None,
        logo: None,
    }
}

fn base(sender: Sender, body: LetterBody, subject: &str, signatory: Signatory) -> LetterData {
    LetterData {
        sender,
        recipient: Recipient {
            name: "Familie Jansen".into(),
            street: "Lindelaan 8".into(),
            postcode: "7541 XK".into(),
            city: "Enschede".into(),
        },
        copy_to: None,
        pupil: Pupil {
            name: "Sem Jansen".into(),
            birth_date: date(2014, 5, 4),
            group: "groep 7".into(),
            school: "Basisschool De Vlinder".into(),
        },
        date: date(2025, 3, 12),
        place: "Enschede".into(),
        reference: "VZ-2025-0042".into(),
        subject: subject.into(),
        body,
        signatory,
    }
}

/// A complete, realistic letter of each kind (fictitious people and addresses).
pub fn sample(kind: LetterKind) -> LetterData {
    match kind {
        LetterKind::UitnodigingGesprek => base(
            school(),
            LetterBody::UitnodigingGesprek(UitnodigingGesprek {
                date: date(2025, 3, 19),
                start_time: time(15, 30, 0, 0),
                end_time: Some(time(16, 15, 0, 0)),
                location: "Basisschool De Vlinder, kamer van de intern begeleider, Esweg 12, \
                           Enschede"
                    .into(),
                with: "mevrouw A. Bakker, intern begeleider, en de heer T. de Groot, \
                       leerkracht van groep 7"
                    .into(),
                reason: "Sem was in de periode van 10 februari tot en met 7 maart 2025 \
                         17 uur en 30 minuten afwezig zonder dat daar een geldige reden voor \
                         was."
                    .into(),
                invite_pupil: false,
            }),
            "Uitnodiging voor een gesprek over het verzuim van Sem",
            Signatory {
                name: "A. Bakker".into(),
                function: "intern begeleider".into(),
            },
        ),
        LetterKind::Waarschuwingsbrief => {
            let mut letter = base(
                leerplicht(),
                LetterBody::Waarschuwingsbrief(Waarschuwingsbrief {
                    verzuim_kind: "relatief verzuim (ongeoorloofde afwezigheid)".into(),
                    period_start: date(2025, 2, 10),
                    period_end: date(2025, 3, 7),
                    minutes: 1050,
                    times_late: None,
                    consequence: Waarschuwingsbrief::STANDARD_CONSEQUENCE.into(),
                }),
                "Waarschuwing schoolverzuim",
                Signatory {
                    name: "J. de Vries".into(),
                    function: "leerplichtambtenaar".into(),
                },
            );
            letter.reference = "LP-2025-0117".into();
            letter.copy_to = Some("Basisschool De Vlinder".into());
            letter
        }
        LetterKind::VerwijzingGgdJgz => base(
            school(),
            LetterBody::VerwijzingGgdJgz(VerwijzingGgdJgz {
                reason: ReferralReason::Ziek3eMeldingIn3Maanden,
                referral_date: date(2025, 3, 11),
                ggd_name: "GGD Twente".into(),
                school_actions: "Wij hebben na iedere ziekmelding contact met u gehad. Op \
                                 6 maart 2025 hebben wij met u gesproken over de ziekmeldingen \
                                 van Sem en over de verwijzing naar de GGD-JGZ."
                    .into(),
                contact: Contact {
                    name: "mevrouw A. Bakker".into(),
                    function: "intern begeleider".into(),
                    phone: Some("053 123 45 68".into()),
                    email: Some("a.bakker@devlinder-voorbeeld.nl".into()),
                },
                principles: vec!["Ouders dienen van alle acties op de hoogte te zijn".into()],
            }),
            "Verwijzing naar de jeugdgezondheidszorg (GGD-JGZ)",
            Signatory {
                name: "M. Hendriks".into(),
                function: "directeur".into(),
            },
        ),
        LetterKind::OverzichtMelding => base(
            school(),
            LetterBody::OverzichtMelding(OverzichtMelding {
                person_number: "123456782".into(),
                person_number_kind: PersonNumberKind::Bsn,
                verzuim_kind: "relatief verzuim".into(),
                start_date: date(2025, 2, 10),
                end_date: date(2025, 3, 7),
                minutes: 1050,
                suspected_reason: "Sem blijft regelmatig op maandag en vrijdag thuis; de \
                                   ouders hebben hiervoor geen geldige reden gegeven."
                    .into(),
                school_actions: "Gesprek met de ouders op 3 maart 2025; de ouders zijn op de \
                                 hoogte gesteld van de melding."
                    .into(),
                reported_on: date(2025, 3, 10),
                municipality: "Enschede".into(),
                duo_submission: Some(DuoSubmitted {
                    on: date(2025, 3, 10),
                    meldingsnummer: "VR-2025-004711".into(),
                }),
                status_history: vec![
                    StatusEntry {
                        date: date(2025, 3, 10),
                        status: "geregistreerd".into(),
                        note: Some("De melding is ontvangen in het verzuimregister.".into()),
                    },
                    StatusEntry {
                        date: date(2025, 3, 11),
                        status: "in behandeling".into(),
                        note: Some(
                            "De leerplichtambtenaar neemt de melding in behandeling.".into(),
                        ),
                    },
                ],
            }),
            "Melding van verzuim aan de leerplichtambtenaar",
            Signatory {
                name: "M. Hendriks".into(),
                function: "directeur".into(),
            },
        ),
        LetterKind::UitnodigingGgdJgz => {
            let mut letter = base(
                ggd(),
                LetterBody::UitnodigingGgdJgz(UitnodigingGgdJgz {
                    reason: ReferralReason::ZiekLangerDan2Weken,
                    school: "Basisschool De Vlinder".into(),
                    referral_date: date(2025, 3, 11),
                    date: date(2025, 3, 20),
                    start_time: time(9, 15, 0, 0),
                    location: "GGD Twente, Nijverheidstraat 30, Enschede".into(),
                    with: "mevrouw J. Smit, jeugdarts".into(),
                    invite_pupil: true,
                }),
                "Uitnodiging voor een gesprek bij de jeugdgezondheidszorg",
                Signatory {
                    name: "J. Smit".into(),
                    function: "jeugdarts".into(),
                },
            );
            letter.reference = "Verwijzing 17".into();
            letter
        }
        LetterKind::OproepLeerplicht => {
            let mut letter = base(
                leerplicht(),
                LetterBody::OproepLeerplicht(OproepLeerplicht {
                    purpose: OproepPurpose::ProcesVerbaal,
                    verzuim_kind: "luxe verzuim".into(),
                    period_start: date(2025, 2, 14),
                    period_end: date(2025, 2, 14),
                    date: date(2025, 3, 25),
                    start_time: time(10, 0, 0, 0),
                    location: "Stadhuis Enschede, Langestraat 24, kamer 2.14".into(),
                    with: "J. de Vries, leerplichtambtenaar".into(),
                    invite_pupil: false,
                }),
                "Oproep: luxe verzuim van Sem",
                Signatory {
                    name: "J. de Vries".into(),
                    function: "leerplichtambtenaar".into(),
                },
            );
            letter.reference = "Melding 12".into();
            letter.copy_to = Some("Basisschool De Vlinder".into());
            letter
        }
        LetterKind::BesluitVerlof => base(
            school(),
            LetterBody::BesluitVerlof(BesluitVerlof {
                granted: false,
                leave_kind: "vakantieverlof".into(),
                first_day: date(2025, 5, 12),
                last_day: date(2025, 5, 23),
                lesson_days: 10,
                requested_on: date(2025, 3, 3),
                ground: "Het verlof is afgewezen. Leerplichtwet 1969, art. 13a lid 1: \
                         Vakantieverlof kan alleen als het werk van een ouder een vakantie in \
                         de schoolvakanties onmogelijk maakt; daarvoor is een \
                         werkgeversverklaring nodig."
                    .into(),
                bezwaar_to: "de directeur van Basisschool De Vlinder".into(),
            }),
            "Besluit op uw verlofaanvraag",
            Signatory {
                name: "M. Hendriks".into(),
                function: "directeur".into(),
            },
        ),
    }
}
