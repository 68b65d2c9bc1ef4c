//! The built-in templates, embedded in the binary. A file with the same name in the template
//! directory replaces one (see docs/letters.md).

/// The built-in templates: `(file name, typst source)`. `brief.typ` is the shared layout that
/// the four letter templates import.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("brief.typ", include_str!("../templates/brief.typ")),
    (
        "uitnodiging_gesprek.typ",
        include_str!("../templates/uitnodiging_gesprek.typ"),
    ),
    (
        "waarschuwingsbrief.typ",
        include_str!("../templates/waarschuwingsbrief.typ"),
    ),
    (
        "verwijzing_ggd_jgz.typ",
        include_str!("../templates/verwijzing_ggd_jgz.typ"),
    ),
    (
        "overzicht_melding.typ",
        include_str!("../templates/overzicht_melding.typ"),
    ),
    (
        "uitnodiging_ggd_jgz.typ",
        include_str!("../templates/uitnodiging_ggd_jgz.typ"),
    ),
    (
        "oproep_leerplicht.typ",
        include_str!("../templates/oproep_leerplicht.typ"),
    ),
    (
        "besluit_verlof.typ",
        include_str!("../templates/besluit_verlof.typ"),
    ),
];

/// The built-in template with this file name (the renderer's; unused without typst).
#[cfg_attr(not(feature = "render"), allow(dead_code))]
pub fn builtin(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}
