//! The letters: every kind renders, the text says what it must, templates can be replaced and
//! their errors are clear, and the same data gives the same PDF.

use std::fs;

use jiff::civil::date;
use verzuim_letters::samples::sample;
use verzuim_letters::{
    LetterBody, LetterData, LetterError, LetterKind, Letters, StatusEntry, TEMPLATES,
};

fn letters() -> Letters {
    Letters::new(None).expect("built-in templates")
}

/// The text with runs of white space as one space, to search phrases that wrap.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(64)..]).into_owned();
    assert!(tail.contains("%%EOF"), "PDF without end: {tail:?}");
}

#[test]
fn every_kind_renders_a_pdf_with_the_pupil_and_its_key_phrases() {
    let letters = letters();
    for kind in LetterKind::ALL {
        let letter = letters.render_letter(&sample(kind)).unwrap();
        assert_pdf(&letter.pdf);
        assert_eq!(letter.pages, 1, "{kind:?} should fit on one page");
        assert!(
            letter.warnings.is_empty(),
            "{kind:?}: {:?}",
            letter.warnings
        );
        let text = flat(&letter.text);
        for phrase in [
            "Sem Jansen",
            "Geachte ouder(s)/verzorger(s) van Sem Jansen,",
            "Met vriendelijke groet,",
            "Familie Jansen",
            "Enschede, 12 maart 2025",
            "geboren 4 mei 2014",
        ] {
            assert!(text.contains(phrase), "{kind:?} lacks {phrase:?}:\n{text}");
        }
        assert!(
            !text.contains("Pagina"),
            "{kind:?}: one page needs no page number"
        );
        let own: &[&str] = match kind {
            LetterKind::UitnodigingGesprek => &[
                "Graag nodigen wij u uit voor een gesprek",
                "woensdag 19 maart 2025",
                "15.30 tot 16.15 uur",
                "mevrouw A. Bakker, intern begeleider",
            ],
            LetterKind::Waarschuwingsbrief => &[
                "waarschuwing",
                "Leerplichtwet 1969",
                "17 uur en 30 minuten",
                "10 februari 2025 tot en met 7 maart 2025",
                "proces-verbaal",
                "Kopie aan: Basisschool De Vlinder",
            ],
            LetterKind::VerwijzingGgdJgz => &[
                "aangemeld bij de jeugdgezondheidszorg van GGD Twente (GGD-JGZ)",
                "in de afgelopen drie maanden drie keer ziek gemeld",
                "leerplichtambtenaar",
                "mevrouw A. Bakker",
                // A principle of the card is shown as one, apart from what the school did.
                "Uitgangspunt van de verzuimkaart",
                "Ouders dienen van alle acties op de hoogte te zijn.",
            ],
            LetterKind::UitnodigingGgdJgz => &[
                "GGD Twente, Jeugdgezondheidszorg",
                "Basisschool De Vlinder heeft Sem Jansen op 11 maart 2025 bij ons aangemeld",
                "langer dan twee weken ziek",
                "donderdag 20 maart 2025",
                "9.15 uur",
                "GGD Twente, Nijverheidstraat 30, Enschede",
                "mevrouw J. Smit, jeugdarts",
                "Wij nodigen ook Sem Jansen uit",
                "vertrouwelijk",
            ],
            LetterKind::OproepLeerplicht => &[
                "luxe verzuim gemeld op 14 februari 2025",
                "verschijnen voor een verhoor",
                "proces-verbaal",
                "dinsdag 25 maart 2025",
                "10.00 uur",
                "Stadhuis Enschede, Langestraat 24, kamer 2.14",
                "Kopie aan: Basisschool De Vlinder",
            ],
            LetterKind::BesluitVerlof => &[
                "afgewezen",
                "art. 13a lid 1",
                "werkgeversverklaring",
                "binnen zes weken",
                "bezwaar maken bij de directeur van Basisschool De Vlinder",
            ],
            LetterKind::OverzichtMelding => &[
                "gemeld bij de leerplichtambtenaar van de gemeente Enschede",
                "******782",
                "relatief verzuim",
                "17 uur en 30 minuten",
                "Vermoedelijke reden",
                "Gesprek met de ouders op 3 maart 2025",
                "verzuimregister",
                "in behandeling",
            ],
        };
        for phrase in own {
            assert!(text.contains(phrase), "{kind:?} lacks {phrase:?}:\n{text}");
        }
    }
}

#[test]
fn the_persoonsgebonden_nummer_is_masked_except_its_last_three_digits() {
    let letter = letters()
        .render_letter(&sample(LetterKind::OverzichtMelding))
        .unwrap();
    assert!(letter.text.contains("******782"));
    assert!(!letter.text.contains("123456"), "{}", letter.text);
    let raw = String::from_utf8_lossy(&letter.pdf);
    assert!(!raw.contains("123456782"));
}

#[test]
fn a_long_letter_is_numbered_pagina_x_van_n() {
    let mut data = sample(LetterKind::OverzichtMelding);
    let LetterBody::OverzichtMelding(melding) = &mut data.body else {
        unreachable!()
    };
    for day in 1..=28 {
        melding.status_history.push(StatusEntry {
            date: date(2025, 4, day),
            status: "in behandeling".into(),
            note: Some("Gesprek met de ouders en de leerling; afspraken vastgelegd.".into()),
        });
    }
    let letter = letters().render_letter(&data).unwrap();
    assert!(letter.pages >= 2, "{} pages", letter.pages);
    let n = letter.pages;
    let text = flat(&letter.text);
    assert!(text.contains(&format!("Pagina 1 van {n}")), "{text}");
    assert!(text.contains(&format!("Pagina {n} van {n}")), "{text}");
    // The sign-off stays whole, on the last page.
    let last = letter.text.split('\u{c}').next_back().unwrap();
    assert!(flat(last).contains("Met vriendelijke groet,"));
}

#[test]
fn a_template_in_the_template_directory_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("uitnodiging_gesprek.typ"),
        "#import \"brief.typ\": *\n#show: brief\n\nOp #dag-datum(data.body.date) verwachten wij \
         u op onze nieuwe locatie.\n",
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path().to_path_buf())).unwrap();

    let text = flat(
        &letters
            .render_letter(&sample(LetterKind::UitnodigingGesprek))
            .unwrap()
            .text,
    );
    assert!(text.contains("Op woensdag 19 maart 2025 verwachten wij u op onze nieuwe locatie."));
    assert!(!text.contains("Graag nodigen wij u uit"));
    // The shared layout still comes from the built-in brief.typ.
    assert!(text.contains("Met vriendelijke groet,"));

    // The other letters keep their built-in template.
    let other = letters
        .render_letter(&sample(LetterKind::Waarschuwingsbrief))
        .unwrap();
    assert!(flat(&other.text).contains("Leerplichtwet 1969"));

    // A changed file applies to the next letter, without a new `Letters`.
    fs::write(
        dir.path().join("uitnodiging_gesprek.typ"),
        "#import \"brief.typ\": *\n#show: brief\n\nTweede versie.\n",
    )
    .unwrap();
    let text = letters
        .render_letter(&sample(LetterKind::UitnodigingGesprek))
        .unwrap()
        .text;
    assert!(text.contains("Tweede versie."));
}

#[test]
fn the_shared_layout_can_be_replaced_too() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = TEMPLATES
        .iter()
        .find(|(name, _)| *name == "brief.typ")
        .unwrap()
        .1;
    let adapted = builtin.replace("Met vriendelijke groet,", "Met hartelijke groet,");
    assert_ne!(adapted, builtin);
    fs::write(dir.path().join("brief.typ"), adapted).unwrap();
    let letters = Letters::new(Some(dir.path().to_path_buf())).unwrap();
    for kind in LetterKind::ALL {
        let text = letters.render_letter(&sample(kind)).unwrap().text;
        assert!(text.contains("Met hartelijke groet,"), "{kind:?}");
    }
}

#[test]
fn a_broken_template_gives_a_dutch_error_naming_the_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("waarschuwingsbrief.typ"),
        "#import \"brief.typ\": *\n#show: brief\n\nBeste #data.pupil.naam, welkom.\n",
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path().to_path_buf())).unwrap();
    let err = letters
        .render(&sample(LetterKind::Waarschuwingsbrief))
        .unwrap_err();
    let LetterError::Template(problems) = &err else {
        panic!("expected a template error, got {err:?}");
    };
    assert_eq!(problems[0].template, "waarschuwingsbrief.typ");
    assert_eq!(problems[0].line, Some(4));
    assert_eq!(
        problems[0].path.as_deref(),
        Some(dir.path().join("waarschuwingsbrief.typ").as_path())
    );
    let message = err.to_string();
    assert!(
        message.starts_with("Fout in het sjabloon waarschuwingsbrief.typ"),
        "{message}"
    );
    assert!(message.contains("op regel 4"), "{message}");
    assert!(message.contains("het veld \"naam\" ontbreekt"), "{message}");

    // A syntax error, too.
    fs::write(
        dir.path().join("waarschuwingsbrief.typ"),
        "#import \"brief.typ\": *\n#show: brief\n#let x = (1, 2\n\nTekst.\n",
    )
    .unwrap();
    let err = letters
        .render(&sample(LetterKind::Waarschuwingsbrief))
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("waarschuwingsbrief.typ"), "{message}");
    assert!(message.contains("op regel 3"), "{message}");

    // The other letters still render.
    letters
        .render(&sample(LetterKind::UitnodigingGesprek))
        .unwrap();
}

#[test]
fn rendering_is_deterministic_for_the_same_data() {
    for kind in LetterKind::ALL {
        let first = letters().render(&sample(kind)).unwrap();
        let second = letters().render(&sample(kind)).unwrap();
        assert!(first == second, "{kind:?}: two renders differ");
    }
    // A different date is a different letter.
    let mut later = sample(LetterKind::UitnodigingGesprek);
    later.date = date(2025, 3, 13);
    assert_ne!(
        letters().render(&later).unwrap(),
        letters()
            .render(&sample(LetterKind::UitnodigingGesprek))
            .unwrap()
    );
}

#[test]
fn a_logo_is_shown_and_a_missing_one_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("logo.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" fill="teal"/></svg>"#,
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path().to_path_buf())).unwrap();
    let mut data = sample(LetterKind::UitnodigingGesprek);
    // Relative to the template directory.
    data.sender.logo = Some("logo.svg".into());
    let with_logo = letters.render(&data).unwrap();
    assert_pdf(&with_logo);
    assert_ne!(
        with_logo,
        letters
            .render(&sample(LetterKind::UitnodigingGesprek))
            .unwrap()
    );

    data.sender.logo = Some("bestaat-niet.png".into());
    let err = letters.render(&data).unwrap_err();
    assert!(matches!(err, LetterError::Logo { .. }), "{err:?}");
    assert!(err.to_string().starts_with("Het logo "), "{err}");
}

#[test]
fn a_missing_template_directory_is_refused() {
    let err = Letters::new(Some("/bestaat/niet".into())).expect_err("an error");
    assert_eq!(
        err.to_string(),
        "De sjabloonmap /bestaat/niet bestaat niet of is geen map."
    );
}

#[test]
fn letter_data_is_json_with_kind_and_body() {
    let data = sample(LetterKind::VerwijzingGgdJgz);
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["kind"], "verwijzing_ggd_jgz");
    assert_eq!(json["body"]["reason"], "ziek_3e_melding_in_3_maanden");
    assert_eq!(json["pupil"]["birth_date"], "2014-05-04");
    let back: LetterData = serde_json::from_value(json).unwrap();
    assert_eq!(back, data);
}

#[test]
fn data_is_printed_as_text_never_as_markup() {
    let mut data = sample(LetterKind::UitnodigingGesprek);
    data.pupil.name = "Noor *de* #Vries_ $x$ \\ [a](b) <c> @d".into();
    let letter = letters().render_letter(&data).unwrap();
    assert!(
        flat(&letter.text).contains("Noor *de* #Vries_ $x$ \\ [a](b) <c> @d"),
        "{}",
        letter.text
    );
}

#[test]
fn letters_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Letters>();
    let letters = std::sync::Arc::new(letters());
    let handles: Vec<_> = LetterKind::ALL
        .into_iter()
        .map(|kind| {
            let letters = std::sync::Arc::clone(&letters);
            std::thread::spawn(move || letters.render(&sample(kind)).unwrap())
        })
        .collect();
    for handle in handles {
        assert_pdf(&handle.join().unwrap());
    }
}

#[test]
fn template_warnings_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("verwijzing_ggd_jgz.typ"),
        "#import \"brief.typ\": *\n#show: brief\n#set text(font: \"Onbekende Letter\")\nTekst.\n",
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path().to_path_buf())).unwrap();
    let letter = letters
        .render_letter(&sample(LetterKind::VerwijzingGgdJgz))
        .unwrap();
    assert_eq!(letter.warnings.len(), 1, "{:?}", letter.warnings);
    let warning = &letter.warnings[0];
    assert!(
        warning.starts_with("Waarschuwing bij het sjabloon verwijzing_ggd_jgz.typ")
            && warning.contains("op regel 3"),
        "{warning}"
    );
}

/// A melding without lesson time missed (te laat komen, absoluut verzuim) does not say
/// "0 minuten": the row is left out of the overview and the warning letter.
#[test]
fn a_melding_without_lesson_time_has_no_lesson_time_row() {
    let letters = letters();
    for kind in [LetterKind::OverzichtMelding, LetterKind::Waarschuwingsbrief] {
        let mut data = sample(kind);
        let with = flat(&letters.render_letter(&data).unwrap().text);
        assert!(with.contains("Verzuimde lestijd"), "{kind:?}: {with}");
        match &mut data.body {
            LetterBody::OverzichtMelding(m) => m.minutes = 0,
            LetterBody::Waarschuwingsbrief(w) => w.minutes = 0,
            _ => unreachable!(),
        }
        let without = flat(&letters.render_letter(&data).unwrap().text);
        assert!(
            !without.contains("Verzuimde lestijd"),
            "{kind:?}: {without}"
        );
        assert!(!without.contains("0 minuten"), "{kind:?}: {without}");
    }
}
