//! Showing a card to people: an action's text for a pupil of a given age ([`render_text`]), and
//! the whole card as a plain-text table for a terminal ([`Card::show`]).

use std::fmt::Write as _;

use super::{Card, CardAction, Duration, Row, Unit};
use crate::model::{Party, SignalKind};

/// The width that [`Card::show`] wraps its lines at.
const WIDTH: usize = 100;

/// An action's text as it applies to a pupil of `age` (docs/spec/rules.md §7): from the card's
/// `pupil_phrase.from_age` the phrase ("(en leerling vanaf 12 jaar)") reads as its replacement
/// ("en leerling"); below that age it is left out. White space is normalised, and no space is
/// left before a comma, full stop, semicolon, colon or closing parenthesis.
pub fn render_text(card: &Card, text: &str, age: u8) -> String {
    let text = match &card.pupil_phrase {
        Some(phrase) if !phrase.text.is_empty() && text.contains(phrase.text.as_str()) => {
            let with = if age >= phrase.from_age {
                phrase.replacement.as_str()
            } else {
                ""
            };
            text.replace(phrase.text.as_str(), with)
        }
        // Card texts are normalised when the card is read: nothing to tidy.
        _ => return text.to_owned(),
    };
    tidy(&text)
}

/// Collapses white space and removes spaces before closing punctuation and after `(`.
fn tidy(text: &str) -> String {
    let collapsed = super::parse::normalize_whitespace(text);
    let mut out = String::with_capacity(collapsed.len());
    for c in collapsed.chars() {
        if matches!(c, ',' | '.' | ';' | ':' | ')') && out.ends_with(' ') {
            out.pop();
        }
        if c == ' ' && out.ends_with('(') {
            continue;
        }
        out.push(c);
    }
    out
}

impl Card {
    /// The card as a readable Dutch plain-text table for a terminal: title and motto, the
    /// general settings, then per signal kind its title, omschrijving, parameters in words and
    /// the actions per party, wrapped at about 100 columns.
    pub fn show(&self) -> String {
        let mut out = String::new();
        let rule = "=".repeat(WIDTH);
        let thin = "-".repeat(WIDTH);

        push_wrapped(&mut out, &self.name.to_uppercase(), "", "");
        let version = format!(
            "kaart: {}, versie {}, geldig vanaf {}",
            self.id,
            self.version,
            self.valid_from.strftime("%d-%m-%Y")
        );
        push_wrapped(&mut out, &version, "", "");
        if let Some(motto) = &self.motto {
            push_wrapped(&mut out, &format!("\"{motto}\""), "", "");
        }
        out.push('\n');

        let codes: Vec<&str> = self.unauthorized_codes.iter().map(|c| c.as_str()).collect();
        let late = if self.late_counts_as_absence {
            "te laat komen telt ook als ongeoorloofde afwezigheid"
        } else {
            "te laat komen telt niet als afwezigheid"
        };
        push_field(
            &mut out,
            "Ongeoorloofd",
            &format!("registratiecodes {}; {late}", codes.join(", ")),
            "",
        );
        push_field(
            &mut out,
            "Leerplicht",
            &format!(
                "vanaf de eerste lesdag van de maand na de {}e verjaardag, tot en met 31 juli van \
                 het schooljaar waarin de leerling {} wordt",
                self.leerplicht_start_age, self.leerplicht_end_age
            ),
            "",
        );
        if let Some(phrase) = &self.pupil_phrase {
            let replacement = if phrase.replacement.is_empty() {
                "blijft weg".to_owned()
            } else {
                format!("wordt \"{}\"", phrase.replacement)
            };
            push_field(
                &mut out,
                "Leerling",
                &format!(
                    "\"{}\" {replacement} vanaf {} jaar en valt weg bij jongere leerlingen",
                    phrase.text, phrase.from_age
                ),
                "",
            );
        }

        let mut missing = Vec::new();
        for kind in SignalKind::ALL {
            let Some(row) = self.rules.row(kind) else {
                missing.push(kind.as_str());
                continue;
            };
            out.push('\n');
            out.push_str(&rule);
            out.push('\n');
            push_wrapped(
                &mut out,
                &format!("{}  [{}]", row.title, kind.as_str()),
                "",
                "",
            );
            out.push_str(&rule);
            out.push('\n');
            if !row.description.is_empty() {
                push_field(&mut out, "Omschrijving", &row.description, "");
            }
            for parameter in self.parameters(kind) {
                push_field(&mut out, "Parameters", &parameter, "");
            }
            if kind == SignalKind::TeLaat {
                if let Some(rule) = &self.rules.te_laat {
                    for stage in &rule.stages {
                        out.push_str(&thin);
                        out.push('\n');
                        let mut head =
                            format!("Stap {}, bij {} keer te laat", stage.name, stage.at);
                        if !stage.row.title.is_empty() {
                            head.push_str(&format!(": {}", stage.row.title));
                        }
                        push_wrapped(&mut out, &head, "", "");
                        if !stage.row.description.is_empty() {
                            push_field(&mut out, "Omschrijving", &stage.row.description, "");
                        }
                        push_actions(&mut out, &stage.row);
                    }
                }
            } else {
                push_actions(&mut out, row);
            }
        }
        if !missing.is_empty() {
            out.push('\n');
            push_wrapped(
                &mut out,
                &format!(
                    "Niet op deze kaart (worden niet beoordeeld): {}",
                    missing.join(", ")
                ),
                "",
                "",
            );
        }
        out
    }

    /// The parameters of a kind in Dutch words, one entry per line.
    fn parameters(&self, kind: SignalKind) -> Vec<String> {
        let rules = &self.rules;
        match kind {
            SignalKind::AbsoluutVerzuim => {
                vec!["bij uitschrijving zonder nieuwe school".to_owned()]
            }
            SignalKind::RelatiefVerzuim => rules
                .relatief_verzuim
                .iter()
                .map(|r| {
                    let restart = if r.restart_after_signal {
                        "na een melding begint een nieuwe telling"
                    } else {
                        "na een melding loopt de telling door"
                    };
                    format!(
                        "drempel: {} ongeoorloofd in {} (de lesweek van de dag en de lesweken \
                         ervoor, vakantieweken niet meegeteld); {restart}",
                        minutes(r.threshold_minutes),
                        count_of(r.window_lesweken, Unit::Lesweken),
                    )
                })
                .collect(),
            SignalKind::LangdurigRelatiefVerzuim => rules
                .langdurig_relatief_verzuim
                .iter()
                .map(|r| {
                    format!(
                        "aaneengesloten elke lesdag volledig ongeoorloofd afwezig gedurende {}; \
                         één signaal per aaneengesloten periode",
                        duration(r.span)
                    )
                })
                .collect(),
            SignalKind::LuxeVerzuim => {
                vec!["op de eerste lesdag van elke aaneengesloten reeks lesdagen met luxe verzuim"
                    .to_owned()]
            }
            SignalKind::MogelijkLuxeVerzuim => rules
                .mogelijk_luxe_verzuim
                .iter()
                .map(|r| {
                    let codes: Vec<&str> = r.codes.iter().map(|c| c.label()).collect();
                    let around: Vec<&str> = r.around.iter().map(|k| closed_label(k.as_str())).collect();
                    format!(
                        "{} op de laatste lesdag vóór of de eerste lesdag na een {}; een vermoeden \
                         om met de ouders na te gaan, geen melding",
                        codes.join(" of "),
                        around.join(" of ")
                    )
                })
                .collect(),
            SignalKind::TeLaat => rules
                .te_laat
                .iter()
                .map(|r| {
                    let stages: Vec<String> = r
                        .stages
                        .iter()
                        .map(|s| format!("{} ({})", s.at, s.name))
                        .collect();
                    let mut text = format!(
                        "per schooljaar (vanaf 1 augustus), hoogstens één keer per dag; stappen bij \
                         {} keer te laat",
                        stages.join(", ")
                    );
                    if let (Some(every), Some(last)) = (r.repeat_every, r.stages.last()) {
                        let next: Vec<String> =
                            (1..=2).map(|i| (last.at + i * every).to_string()).collect();
                        let _ = write!(
                            text,
                            "; daarna elke {every}e keer opnieuw stap {} ({}, ...)",
                            last.name,
                            next.join(", ")
                        );
                    }
                    text
                })
                .collect(),
            SignalKind::Ziekmelding => {
                vec!["op de eerste dag van elke ziekmelding (aaneengesloten lesdagen ziek)".to_owned()]
            }
            SignalKind::ZiekLangerDan2Weken => rules
                .ziek_langer_dan_2_weken
                .iter()
                .map(|r| {
                    let mut text = format!(
                        "op de eerste lesdag die {} of meer na de eerste ziektedag ligt",
                        duration(r.after)
                    );
                    if r.after.unit == Unit::LessonDays {
                        let _ = write!(text, " (de {}e aaneengesloten lesdag)", r.after.count + 1);
                    }
                    text.push_str("; één signaal per ziekmelding");
                    text
                })
                .collect(),
            SignalKind::Ziek3eMeldingIn3Maanden => rules
                .ziek_3e_melding_in_3_maanden
                .iter()
                .map(|r| {
                    let within = match r.within.unit {
                        Unit::Lesweken => format!(
                            "{} (de lesweek van de melding en de {} ervoor)",
                            duration(r.within),
                            r.within.count.saturating_sub(1)
                        ),
                        _ => duration(r.within),
                    };
                    let restart = if r.restart_after_signal {
                        "na een signaal begint een nieuwe telling"
                    } else {
                        "na een signaal loopt de telling door"
                    };
                    format!(
                        "de {}e ziekmelding die begint binnen {within}; {restart}",
                        r.reports
                    )
                })
                .collect(),
            SignalKind::ZorgZiekte | SignalKind::OverigVerzuim | SignalKind::Verwijdering => {
                vec![format!(
                    "ontstaat als de school de gebeurtenis `{}` vastlegt",
                    kind.as_str()
                )]
            }
        }
    }
}

/// The actions of a row, per party, the parties in the order the card names them (the school
/// first; in the Ziekte rows GGD-JGZ before Leerplicht, as the card's column "GGD-JGZ/Leerplicht").
fn push_actions(out: &mut String, row: &Row) {
    let mut parties: Vec<Party> = Vec::new();
    for action in &row.actions {
        if !parties.contains(&action.party) {
            parties.push(action.party);
        }
    }
    for party in parties {
        let actions: Vec<&CardAction> = row.actions.iter().filter(|a| a.party == party).collect();
        if actions.is_empty() {
            continue;
        }
        out.push_str(&format!("{}:\n", party.label()));
        for action in actions {
            // The marker is kept whole on one line.
            let markers = markers(action);
            let mut tokens: Vec<String> =
                action.text.split_whitespace().map(String::from).collect();
            if !markers.is_empty() {
                tokens.push(format!("[{}]", markers.join("; ")));
            }
            push_tokens(out, &tokens, "  • ", "    ");
        }
    }
}

/// The markers of an action: melding with deadline, referral, minimum age, condition.
fn markers(action: &CardAction) -> Vec<String> {
    let mut markers = Vec::new();
    if action.melding {
        markers.push(match action.within_working_days {
            Some(1) => "melding, binnen 1 werkdag".to_owned(),
            Some(days) => format!("melding, binnen {days} werkdagen"),
            None => "melding".to_owned(),
        });
    }
    if action.referral {
        markers.push("verwijzing GGD-JGZ".to_owned());
    }
    if super::sentences::is_principle(&action.text) {
        markers.push("uitgangspunt, geen actie".to_owned());
    }
    if let Some(age) = action.only_from_age {
        markers.push(format!("vanaf {age} jaar"));
    }
    if let Some(trigger) = action.trigger {
        let label = trigger.label();
        let label = label.strip_prefix("als ").unwrap_or(label);
        markers.push(format!("alleen als: {label}"));
    }
    markers
}

/// "960 minuten (16 uur)", "90 minuten (1 uur en 30 minuten)", "45 minuten".
fn minutes(total: u32) -> String {
    let (hours, rest) = (total / 60, total % 60);
    let unit = if total == 1 { "minuut" } else { "minuten" };
    match (hours, rest) {
        (0, _) => format!("{total} {unit}"),
        (h, 0) => format!("{total} {unit} ({h} uur)"),
        (h, m) => format!(
            "{total} {unit} ({h} uur en {m} {})",
            if m == 1 { "minuut" } else { "minuten" }
        ),
    }
}

/// A count with its unit in Dutch, singular or plural.
fn count_of(count: u32, unit: Unit) -> String {
    if count == 1 {
        let singular = match unit {
            Unit::LessonCalendarDays => "dag (lesrooster, zonder vakantieweken)",
            Unit::LessonDays => "lesdag",
            Unit::Lesweken => "lesweek",
            Unit::CalendarMonths => "kalendermaand",
        };
        format!("1 {singular}")
    } else {
        format!("{count} {}", unit.label())
    }
}

fn duration(d: Duration) -> String {
    count_of(d.count, d.unit)
}

fn closed_label(kind: &str) -> &'static str {
    match kind {
        "vakantie" => "vakantie",
        "vrije_dag" => "vrije dag",
        "studiedag" => "studiedag",
        _ => "gesloten periode",
    }
}

/// "Label:       value", the value wrapped with a hanging indent.
fn push_field(out: &mut String, label: &str, value: &str, indent: &str) {
    let first = format!("{indent}{:<14}", format!("{label}:"));
    let rest = " ".repeat(first.chars().count());
    push_wrapped(out, value, &first, &rest);
}

/// Word-wraps `text` at [`WIDTH`] columns: the first line starts with `first`, the others
/// with `rest`. A single word longer than a line is not broken.
fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    push_tokens(out, &tokens, first, rest);
}

/// Wraps `tokens` (words, or longer pieces that must stay on one line) like [`push_wrapped`].
fn push_tokens<T: AsRef<str>>(out: &mut String, tokens: &[T], first: &str, rest: &str) {
    let mut line = first.to_owned();
    let mut line_len = first.chars().count();
    let mut empty = true;
    for word in tokens.iter().map(AsRef::as_ref) {
        let word_len = word.chars().count();
        if !empty && line_len + 1 + word_len > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_owned();
            line_len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{TWENTE_PO, VOORBEELD_MAZL};

    fn twente() -> Card {
        Card::from_toml(TWENTE_PO).expect("twente-po parses")
    }

    #[test]
    fn pupil_phrase_by_age() {
        let card = twente();
        let text = "Gaat in gesprek met ouders (en leerling vanaf 12 jaar) of verstuurt een \
                    waarschuwingsbrief aan ouders (kopie aan melder)";
        assert_eq!(
            render_text(&card, text, 11),
            "Gaat in gesprek met ouders of verstuurt een waarschuwingsbrief aan ouders \
             (kopie aan melder)"
        );
        assert_eq!(
            render_text(&card, text, 12),
            "Gaat in gesprek met ouders en leerling of verstuurt een waarschuwingsbrief aan \
             ouders (kopie aan melder)"
        );
        let end = "Verstuurt een waarschuwingsbrief aan de ouders (kopie aan melder) of gaat in \
                   gesprek met ouders (en leerling vanaf 12 jaar)";
        assert_eq!(
            render_text(&card, end, 11),
            "Verstuurt een waarschuwingsbrief aan de ouders (kopie aan melder) of gaat in \
             gesprek met ouders"
        );
        assert_eq!(
            render_text(&card, end, 12),
            "Verstuurt een waarschuwingsbrief aan de ouders (kopie aan melder) of gaat in \
             gesprek met ouders en leerling"
        );
        let call =
            "Roept de ouders (en leerling vanaf 12 jaar) op voor een gesprek (kopie aan melder)";
        assert_eq!(
            render_text(&card, call, 11),
            "Roept de ouders op voor een gesprek (kopie aan melder)"
        );
        assert_eq!(
            render_text(&card, call, 12),
            "Roept de ouders en leerling op voor een gesprek (kopie aan melder)"
        );
        assert_eq!(render_text(&card, call, 15), render_text(&card, call, 12));
    }

    #[test]
    fn punctuation_after_removed_phrase() {
        let card = twente();
        assert_eq!(
            render_text(
                &card,
                "Gesprek met ouders (en leerling vanaf 12 jaar), daarna  brief.",
                11
            ),
            "Gesprek met ouders, daarna brief."
        );
        assert_eq!(
            render_text(&card, "(kopie aan ouders (en leerling vanaf 12 jaar) )", 9),
            "(kopie aan ouders)"
        );
        // Without a pupil phrase the text is only tidied.
        let mut plain = card.clone();
        plain.pupil_phrase = None;
        assert_eq!(
            render_text(&plain, "Ouders (en leerling vanaf 12 jaar)", 11),
            "Ouders (en leerling vanaf 12 jaar)"
        );
    }

    #[test]
    fn show_twente() {
        let card = twente();
        let shown = card.show();
        assert!(shown.starts_with("REGIONALE VERZUIMKAART TWENTE, PRIMAIR ONDERWIJS\n"));
        assert!(shown.contains("\"Vroegtijdig signaleren voorkomt erger!\""));
        assert!(
            shown.contains("kaart: twente-po, versie 1, geldig vanaf 01-08-2026\n"),
            "{shown}"
        );
        for kind in SignalKind::ALL {
            assert!(shown.contains(&format!("[{}]", kind.as_str())), "{kind}");
        }
        assert!(!shown.contains("Niet op deze kaart"));
        let flat = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "drempel: 960 minuten (16 uur) ongeoorloofd in 4 lesweken",
            "na een melding begint een nieuwe telling",
            "[melding, binnen 5 werkdagen]",
            "[verwijzing GGD-JGZ]",
            "Eventueel verwijzing HALT (vanaf 12 jaar) [vanaf 12 jaar]",
            "[melding; alleen als: de leerling zonder goede reden niet verschijnt bij de GGD-JGZ]",
            "[alleen als: de leerling zonder tegenbericht niet verschijnt bij de GGD-JGZ]",
            "Stap meer_dan_10x, bij 11 keer te laat: Meer dan 10 x te laat op school",
            "[melding, binnen 5 werkdagen]",
            "daarna elke 5e keer opnieuw stap herhaling (17, 22, ...)",
            "de 3e ziekmelding die begint binnen 3 kalendermaanden",
            "28 dagen (lesrooster, zonder vakantieweken)",
            "Omschrijving: Elk verzuim gerelateerd aan (vermoedelijk) achterliggende problematiek",
            "GGD-JGZ: • GGD-JGZ neemt contact op met ouders/leerling",
            "Leerplicht: • Indien nodig oproepen voor een gesprek",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in\n{shown}");
        }
        for line in shown.lines() {
            assert!(line.chars().count() <= WIDTH, "too long: {line}");
            assert_eq!(line, line.trim_end());
        }
    }

    #[test]
    fn show_mazl() {
        let card = Card::from_toml(VOORBEELD_MAZL).expect("voorbeeld-mazl parses");
        let flat = card.show().split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "6 lesdagen of meer na de eerste ziektedag ligt (de 7e aaneengesloten lesdag)",
            "de 4e ziekmelding die begint binnen 12 lesweken (de lesweek van de melding en de 11 ervoor)",
            "daarna elke 3e keer opnieuw stap 12x (15, 18, ...)",
        ] {
            assert!(flat.contains(expected), "missing {expected:?} in\n{flat}");
        }
    }

    #[test]
    fn show_lists_missing_kinds() {
        let mut card = twente();
        card.rules.verwijdering = None;
        assert!(
            card.show()
                .contains("Niet op deze kaart (worden niet beoordeeld): verwijdering")
        );
    }

    #[test]
    fn wrapping() {
        let mut out = String::new();
        let long = "woord ".repeat(40);
        push_wrapped(&mut out, &long, "  • ", "    ");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines[0].starts_with("  • woord"));
        assert!(lines[1].starts_with("    woord"));
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(minutes(960), "960 minuten (16 uur)");
        assert_eq!(minutes(90), "90 minuten (1 uur en 30 minuten)");
        assert_eq!(minutes(45), "45 minuten");
    }
}
