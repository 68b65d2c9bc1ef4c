//! What each sentence of a card is (issue 11, "a rule for the texts"): an **action** (something
//! a party does: a task), a **condition** (when a row applies: the card's "Omschrijving" and
//! "Frequentie" columns) or a **principle** (a norm that holds through every action, such as
//! "Ouders dienen van alle acties op de hoogte te zijn" in the rows "> 2 weken", "3e ziekmelding
//! in 3 maanden" and "ziekmelding is reden tot zorg" of kaart Twente PO). A principle stands in
//! the card's action column but is never a task and never something a party "did": it is shown
//! as a principle ("Uitgangspunt") on the pages, in `card show` and in letters.
//!
//! Conditions are the row's description and a stage's title (their place on the card). An
//! action text is a principle when it is one of the known principles or when its verb is the
//! normative "dienen"/"dient" ("… dienen … te zijn"): a party's action on the card starts with
//! what the party does ("Meldt", "Gaat in gesprek", "Roept … op").

use serde::Serialize;

use super::{Card, Party, Row};

/// What a sentence of the card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SentenceKind {
    Action,
    Condition,
    Principle,
}

impl SentenceKind {
    /// Dutch, for people.
    pub fn label(self) -> &'static str {
        match self {
            SentenceKind::Action => "actie",
            SentenceKind::Condition => "voorwaarde",
            SentenceKind::Principle => "uitgangspunt",
        }
    }
}

/// The card's principles that are not actions, lower case, without a final full stop.
pub const PRINCIPLES: &[&str] = &["ouders dienen van alle acties op de hoogte te zijn"];

/// The normative verbs that make an action text a principle.
const NORMATIVE: &[&str] = &["dienen", "dient"];

fn normalised(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_lowercase()
}

/// Whether a text in the card's action column is a principle rather than an action.
pub fn is_principle(text: &str) -> bool {
    let t = normalised(text);
    PRINCIPLES.contains(&t.as_str())
        || t.split(|c: char| !c.is_alphanumeric())
            .take(3)
            .any(|w| NORMATIVE.contains(&w))
}

/// What a text in the card's action column is: a principle or an action.
pub fn action_kind(text: &str) -> SentenceKind {
    if is_principle(text) {
        SentenceKind::Principle
    } else {
        SentenceKind::Action
    }
}

/// The sentences of a text: split after a full stop followed by a space.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(i) = rest.find(". ") {
        out.push(rest[..=i].trim().to_owned());
        rest = rest[i + 2..].trim();
    }
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// Where a sentence stands on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The row's "Omschrijving".
    Description,
    /// A stage's "Frequentie" (te laat komen).
    Stage,
    /// A party's column.
    Action(Party),
}

/// One sentence of the card, where it stands and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardSentence {
    /// The row's title ("Ziekte: > 2 weken").
    pub row: String,
    pub place: Place,
    pub text: String,
    pub kind: SentenceKind,
}

fn row_sentences(out: &mut Vec<CardSentence>, row: &Row, place: Place, head: &str) {
    for s in split_sentences(head) {
        out.push(CardSentence {
            row: row.title.clone(),
            place,
            text: s,
            kind: SentenceKind::Condition,
        });
    }
    for a in &row.actions {
        for s in split_sentences(&a.text) {
            out.push(CardSentence {
                row: row.title.clone(),
                place: Place::Action(a.party),
                kind: action_kind(&s),
                text: s,
            });
        }
    }
}

/// Every sentence of the card, row by row (the lateness stages after their row), classified.
pub fn card_sentences(card: &Card) -> Vec<CardSentence> {
    let mut out = Vec::new();
    for kind in crate::model::SignalKind::ALL {
        let Some(row) = card.rules.row(kind) else {
            continue;
        };
        row_sentences(&mut out, row, Place::Description, &row.description);
        if kind == crate::model::SignalKind::TeLaat
            && let Some(te_laat) = &card.rules.te_laat
        {
            for stage in &te_laat.stages {
                row_sentences(&mut out, &stage.row, Place::Stage, &stage.row.title);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sentence of kaart Twente PO: its conditions and principles exactly, and every other
    /// sentence an action that starts with what a party does.
    #[test]
    fn every_sentence_of_the_twente_card_is_classified() {
        let card = super::super::builtin("twente-po").unwrap();
        let all = card_sentences(&card);
        let of = |k: SentenceKind| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = all
                .iter()
                .filter(|s| s.kind == k)
                .map(|s| (s.row.clone(), s.text.clone()))
                .collect();
            v.sort();
            v
        };
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = v
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            v.sort();
            v
        };
        let principle = "Ouders dienen van alle acties op de hoogte te zijn";
        assert_eq!(
            of(SentenceKind::Principle),
            pairs(&[
                ("Ziekte: > 2 weken", principle),
                ("Ziekte: 3e ziekmelding in 3 maanden", principle),
                ("Ziekte: reden tot zorg", principle),
            ])
        );
        assert_eq!(
            of(SentenceKind::Condition),
            pairs(&[
                (
                    "Absoluut verzuim",
                    "Een leerling staat niet (meer) ingeschreven op een school"
                ),
                (
                    "Relatief verzuim",
                    "Bij verzuim van 16 uur van de lestijd gedurende een aaneengesloten periode \
                     van 4 weken"
                ),
                (
                    "Langdurig relatief verzuim (thuiszitter)",
                    "Een leerling is een aaneengesloten periode van vier weken of langer, \
                     ongeoorloofd afwezig"
                ),
                (
                    "Luxe verzuim",
                    "Vrije uren/dagen zonder toestemming van directeur of leerplichtambtenaar"
                ),
                (
                    "Luxe verzuim: prikacties rondom schoolvakanties",
                    "Ongeoorloofd afwezig op de laatste lesdag vóór of de eerste lesdag na een \
                     schoolvakantie (vermoeden van luxe verzuim)"
                ),
                ("Te laat komen", "Te laat komen op school"),
                ("5 x te laat op school", "5 x te laat op school"),
                ("10 x te laat op school", "10 x te laat op school"),
                (
                    "Meer dan 10 x te laat op school",
                    "Meer dan 10 x te laat op school"
                ),
                ("Bij herhaling", "Bij herhaling"),
                ("Ziekte: elke ziekmelding", "Elke ziekmelding"),
                ("Ziekte: > 2 weken", "> 2 weken"),
                (
                    "Ziekte: 3e ziekmelding in 3 maanden",
                    "3e ziekmelding in 3 maanden"
                ),
                (
                    "Ziekte: reden tot zorg",
                    "Leerling voldoet niet aan bovengenoemde criteria, maar ziekmelding is \
                     reden tot zorg"
                ),
                (
                    "Overig verzuim",
                    "Elk verzuim gerelateerd aan (vermoedelijk) achterliggende problematiek"
                ),
                (
                    "Verwijdering",
                    "Bevoegd gezag van de school kan een leerling verwijderen."
                ),
                (
                    "Verwijdering",
                    "Verwijdering vindt pas plaats nadat het bevoegd gezag ervoor heeft \
                     zorggedragen dat een andere school bereid is de leerling toe te laten"
                ),
            ])
        );
        // The actions: each starts with what the party does (or when it does it).
        const STARTS: &[&str] = &[
            "Indien bekend, melden",
            "Doet onderzoek",
            "Gaat in gesprek",
            "Gaat tijdig in gesprek",
            "Gaat bij de ouders na",
            "Meldt",
            "Neemt",
            "Roept",
            "Luxe verzuimacties",
            "Verstuurt",
            "Koppelt",
            "Geeft",
            "Eventueel verwijzing HALT",
            "Bij niet verschijnen",
            "GGD-JGZ neemt contact op",
            "Indien nodig oproepen",
            "Registreert",
        ];
        let actions: Vec<&CardSentence> = all
            .iter()
            .filter(|s| s.kind == SentenceKind::Action)
            .collect();
        assert_eq!(actions.len(), 53, "every action sentence of the card");
        for s in actions {
            assert!(
                matches!(s.place, Place::Action(_)),
                "an action stands in a party's column: {s:?}"
            );
            assert!(
                STARTS.iter().any(|p| s.text.starts_with(p)),
                "{} / {:?}: not an action the card's parties do",
                s.row,
                s.text
            );
        }
    }

    #[test]
    fn principles_by_their_normative_verb() {
        assert!(is_principle(
            "Ouders dienen van alle acties op de hoogte te zijn."
        ));
        assert!(is_principle("De school dient de ouders te informeren"));
        assert!(!is_principle(
            "Gaat in gesprek met ouders en stelt hen op de hoogte van de melding"
        ));
        assert!(!is_principle("Meldt bij de Onderwijsinspectie"));
        assert_eq!(
            split_sentences("Een. Twee drie. Vier"),
            vec!["Een.", "Twee drie.", "Vier"]
        );
    }
}
