//! Writes the four sample letters as PDF to `target/letters-samples/`, to look at.
//!
//! `cargo run -p verzuim-letters --example samples [TEMPLATE_DIR]`: with a template directory,
//! its templates replace the built-in ones (see docs/letters.md).

use std::path::PathBuf;

use jiff::civil::date;
use verzuim_letters::samples::sample;
use verzuim_letters::{LetterBody, LetterKind, Letters, StatusEntry};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let template_dir = std::env::args_os().nth(1).map(PathBuf::from);
    let letters = Letters::new(template_dir)?;
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../target"));
    let out = target.join("letters-samples");
    std::fs::create_dir_all(&out)?;
    for kind in LetterKind::ALL {
        let mut data = sample(kind);
        // The school's letters carry the sample logo; the municipality's do not.
        if !matches!(data.body, LetterBody::Waarschuwingsbrief(_)) {
            data.sender.logo = Some(manifest.join("examples/logo-voorbeeld.svg"));
        }
        let started = std::time::Instant::now();
        let letter = letters.render_letter(&data)?;
        let elapsed = started.elapsed();
        let path = out.join(format!("{}.pdf", kind.as_str()));
        std::fs::write(&path, &letter.pdf)?;
        for warning in &letter.warnings {
            eprintln!("waarschuwing: {warning}");
        }
        println!(
            "{} ({} pagina('s), {} ms)",
            path.display(),
            letter.pages,
            elapsed.as_millis()
        );
    }

    // A long letter, to see the page numbers and the header of the following pages.
    let mut data = sample(LetterKind::OverzichtMelding);
    if let LetterBody::OverzichtMelding(melding) = &mut data.body {
        for day in 1..=30 {
            melding.status_history.push(StatusEntry {
                date: date(2025, 4, day),
                status: "in behandeling".into(),
                note: Some("Gesprek met de ouders; afspraken vastgelegd.".into()),
            });
        }
    }
    let letter = letters.render_letter(&data)?;
    let path = out.join("overzicht_melding_lang.pdf");
    std::fs::write(&path, &letter.pdf)?;
    println!("{} ({} pagina('s))", path.display(), letter.pages);
    Ok(())
}
