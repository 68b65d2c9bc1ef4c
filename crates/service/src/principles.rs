//! What the card's texts say about the tasks made from them (issue 10.7):
//!
//! - **"zo nodig"** (as needed): the card marks some actions as done only when needed — the
//!   school's "Neemt zo nodig contact op met de ouders en laat zich informeren over de aard van
//!   de ziekmelding" (card row "** ZIEKTE, Elke ziekmelding") and leerplicht's "indien nodig
//!   oproepen voor een gesprek" (rows "> 2 weken", "3e ziekmelding in 3 maanden", "reden tot
//!   zorg"). Such a task is shown apart (folded, a count per pupil) and is never overdue;
//! - **principles**: "Ouders dienen van alle acties op de hoogte te zijn" (card rows "> 2 weken",
//!   "3e ziekmelding in 3 maanden", "ziekmelding is reden tot zorg") is a principle of the card,
//!   not an action: it is never a task. It holds through every action that records when and how
//!   the parents were informed (docs/spec/rules.md §7, [`crate::tasks::requires_parents_informed`]).

/// The card's words for an action done only when needed.
const AS_NEEDED: &[&str] = &["zo nodig", "indien nodig"];

/// Whether the card marks the action as done only when needed ("zo nodig", "indien nodig").
pub fn is_as_needed(text: &str) -> bool {
    let t = text.to_lowercase();
    AS_NEEDED.iter().any(|p| t.contains(p))
}

/// Whether the card's text is a principle rather than an action (never a task; shown as
/// "Uitgangspunt"): [`verzuim_engine::card::sentences::is_principle`], which classifies every
/// sentence of the card as an action, a condition or a principle (issue 11).
pub fn is_principle(text: &str) -> bool {
    verzuim_engine::card::sentences::is_principle(text)
}

/// The principles among a case's card texts, once each, in the card's words (for a letter's
/// "Uitgangspunt van de verzuimkaart").
pub fn case_principles<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let t = t.trim_end_matches('.').to_owned();
        if is_principle(&t) && !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
            out.push(t);
        }
    }
    out
}

/// Whether a task with this text and due date is overdue on `today`: never for an "as needed"
/// task.
pub fn is_overdue(text: &str, due: Option<jiff::civil::Date>, today: jiff::civil::Date) -> bool {
    !is_as_needed(text) && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cards_words() {
        assert!(is_as_needed(
            "Neemt zo nodig contact op met de ouders en laat zich informeren over de aard van de ziekmelding"
        ));
        assert!(is_as_needed(
            "Indien nodig oproepen voor een gesprek (koppelt afspraken terug aan school en GGD-JGZ)"
        ));
        assert!(!is_as_needed(
            "Meldt bij de leerplichtambtenaar van de woongemeente leerling via DUO/verzuimregister"
        ));
        assert!(is_principle(
            "Ouders dienen van alle acties op de hoogte te zijn"
        ));
        assert!(!is_principle(
            "Gaat in gesprek met ouders en stelt hen op de hoogte van de melding"
        ));
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert!(!is_overdue(
            "Neemt zo nodig contact op",
            Some(d("2026-09-01")),
            d("2026-10-01")
        ));
        assert!(is_overdue(
            "Meldt bij",
            Some(d("2026-09-01")),
            d("2026-10-01")
        ));
        assert!(!is_overdue(
            "Meldt bij",
            Some(d("2026-10-01")),
            d("2026-10-01")
        ));
    }
}
