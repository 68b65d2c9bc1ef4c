//! Reading a JSON file that people download and upload themselves, with Dutch errors that say
//! where and what: a byte-order mark is accepted, an XML or UTF-16 answer is named as such, and
//! serde_json's English syntax errors are translated, with their line and column.

use serde_json::Value;

use crate::error::{InputError, line_column};

/// The UTF-8 byte-order mark some editors and browsers write at the start of a file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses `bytes` (named `name` in errors) as one JSON value.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Value, InputError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(InputError::at(
            name,
            1,
            Some(1),
            "het bestand is in UTF-16 opgeslagen; sla het op als UTF-8 (of download het JSON-antwoord opnieuw)",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        InputError::at(
            name,
            line,
            Some(column),
            "hier staat een teken dat geen UTF-8 is; sla het bestand op als UTF-8",
        )
    })?;
    let Some(start) = text.find(|c: char| !c.is_whitespace()) else {
        return Err(InputError::at(name, 1, Some(1), "het bestand is leeg"));
    };
    if text[start..].starts_with('<') {
        let (line, column) = line_column(bytes, start);
        return Err(InputError::at(
            name,
            line,
            Some(column),
            "dit lijkt XML; gebruik het JSON-antwoord (uitvoer JSON)",
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        // serde_json says column 0 for the line break that ends a line.
        InputError::at(
            name,
            e.line() as u64,
            Some(e.column().max(1) as u64),
            format!("geen geldige JSON: {}", dutch(&e)),
        )
    })
}

/// serde_json's error in Dutch. Its codes are not public: the English text (without the
/// position, which the caller reports) is matched.
fn dutch(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let code = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    let truncated = "; is het bestand volledig gedownload?";
    match code {
        "EOF while parsing a list" => {
            format!("het bestand houdt op midden in een lijst (een [ zonder ]){truncated}")
        }
        "EOF while parsing an object" => {
            format!("het bestand houdt op midden in een object (een {{ zonder }}){truncated}")
        }
        "EOF while parsing a string" => format!(
            "het bestand houdt op midden in een tekst (een \" zonder afsluitend \"){truncated}"
        ),
        "EOF while parsing a value" => {
            format!("het bestand houdt op waar nog een waarde moet komen{truncated}")
        }
        "expected `:`" => "hier hoort een dubbele punt (:) na de naam".into(),
        "expected `,` or `]`" => "hier hoort een komma (,) of het einde van de lijst (])".into(),
        "expected `,` or `}`" => "hier hoort een komma (,) of het einde van het object (})".into(),
        "expected ident" => "onbekend woord; bedoeld is true, false of null".into(),
        "expected value" => {
            "hier hoort een waarde: een tekst tussen \"\", een getal, true, false, null, een lijst [ ] of een object { }"
                .into()
        }
        "expected `\"`" => "hier hoort een naam tussen aanhalingstekens (\")".into(),
        "key must be a string" => "een naam in een object hoort tussen aanhalingstekens (\")".into(),
        "invalid escape" => "ongeldige escape (\\) in een tekst".into(),
        "invalid number" => "ongeldig getal".into(),
        "number out of range" => "het getal is te groot".into(),
        "invalid unicode code point" | "lone leading surrogate in hex escape" => {
            "ongeldig teken in een \\u-escape".into()
        }
        "unexpected end of hex escape" => "onvolledige \\u-escape".into(),
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "een tekst bevat een regeleinde of ander stuurteken; schrijf het als \\n".into()
        }
        "trailing comma" => "overbodige komma vóór ] of }".into(),
        "trailing characters" => "na het einde van de JSON staat nog meer".into(),
        "recursion limit exceeded" => "de JSON is te diep genest".into(),
        other => format!("onverwachte inhoud ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(bytes: &[u8]) -> String {
        parse("v.json", bytes).unwrap_err().to_string()
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let value = parse("v.json", b"\xEF\xBB\xBF{\"a\": 1}").unwrap();
        assert_eq!(value["a"], 1);
    }

    #[test]
    fn truncated_json_says_so_in_dutch_with_line_and_column() {
        assert_eq!(
            error(b"{\n  \"a\": \"herfst"),
            "v.json:2:14: geen geldige JSON: het bestand houdt op midden in een tekst \
             (een \" zonder afsluitend \"); is het bestand volledig gedownload?"
        );
        assert!(error(b"[{\"a\": 1}").contains("midden in een lijst"));
        assert!(error(b"{\"a\": [1]").contains("midden in een object"));
        assert!(error(b"{\"a\":").contains("waar nog een waarde moet komen"));
    }

    #[test]
    fn xml_utf16_empty_and_not_utf8_are_named() {
        assert_eq!(
            error(b"\n  <?xml version=\"1.0\"?><schoolvakanties/>"),
            "v.json:2:3: dit lijkt XML; gebruik het JSON-antwoord (uitvoer JSON)"
        );
        assert!(error(b"\xEF\xBB\xBF<x/>").contains("v.json:1:1: dit lijkt XML"));
        assert!(error(b"\xFF\xFE{\x00").contains("UTF-16"));
        assert_eq!(error(b" \n "), "v.json:1:1: het bestand is leeg");
        assert!(error(b"{\"a\":\n \"\xE9t\xE9\"}").starts_with("v.json:2:3: hier staat een teken"));
    }

    #[test]
    fn syntax_errors_are_dutch() {
        for (bytes, dutch) in [
            (&b"{\"a\" 1}"[..], "dubbele punt"),
            (b"[1 2]", "komma (,) of het einde van de lijst"),
            (
                b"{\"a\": 1 \"b\": 2}",
                "komma (,) of het einde van het object",
            ),
            (b"[tru]", "true, false of null"),
            (b"[,]", "hier hoort een waarde"),
            (b"{a: 1}", "tussen aanhalingstekens"),
            (b"[\"\\q\"]", "ongeldige escape"),
            (b"[1,]", "overbodige komma"),
            (b"{} {}", "na het einde van de JSON"),
        ] {
            let text = error(bytes);
            assert!(text.contains(dutch), "{text}");
            assert!(text.starts_with("v.json:1:"), "{text}");
        }
        assert_eq!(
            error(b"[\"a\nb\"]"),
            "v.json:2:1: geen geldige JSON: een tekst bevat een regeleinde of ander stuurteken; \
             schrijf het als \\n"
        );
    }
}
