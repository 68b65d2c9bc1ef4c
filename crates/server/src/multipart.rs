//! `multipart/form-data` bodies (RFC 7578) of the file uploads (the import, API and web, and the
//! holiday file), read with `multer` (axum's own multipart parser). A body that is not a proper
//! form gives a Dutch error that names the part: its number and, once known, its name and file
//! (400 `ongeldig_formulier`); it never panics (a property test feeds it arbitrary and mutated
//! bodies, `tests/http/import_api.rs`).

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use crate::error::ApiError;

/// The most parts a form may have (the import has four files).
pub const MAX_PARTS: usize = 16;

/// One part of a form: its name, its file name (a file) and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("ongeldig_formulier", message)
}

/// "deel 2 (registrations, bestand registraties.csv)".
fn part_label(number: usize, name: Option<&str>, file: Option<&str>) -> String {
    let mut s = format!("deel {number}");
    match (
        name.filter(|n| !n.is_empty()),
        file.filter(|f| !f.is_empty()),
    ) {
        (Some(n), Some(f)) => s.push_str(&format!(" ({n}, bestand {f})")),
        (Some(n), None) => s.push_str(&format!(" ({n})")),
        (None, Some(f)) => s.push_str(&format!(" (bestand {f})")),
        (None, None) => {}
    }
    s
}

/// Why part `label` could not be read, in Dutch.
fn reason(e: &multer::Error, label: &str) -> String {
    use multer::Error as E;
    match e {
        E::IncompleteFieldData { .. } | E::IncompleteStream => format!(
            "Het formulier (multipart/form-data) houdt op in {label}: de afsluitende grens \
             (--boundary) ontbreekt."
        ),
        E::IncompleteHeaders | E::ReadHeaderFailed(_) => format!(
            "De kopregels van {label} van het formulier (multipart/form-data) zijn niet goed \
             opgebouwd: verwacht Content-Disposition: form-data; name=\"…\" en een lege regel."
        ),
        E::DecodeHeaderName { .. } | E::DecodeHeaderValue { .. } => format!(
            "Een kopregel van {label} van het formulier (multipart/form-data) bevat tekens die \
             daar niet mogen."
        ),
        E::FieldSizeExceeded { .. } | E::StreamSizeExceeded { .. } => {
            format!(
                "{} is te groot.",
                crate::web::sentence(label).trim_end_matches('.')
            )
        }
        _ => format!(
            "{} van het formulier (multipart/form-data) is niet goed opgebouwd.",
            { crate::web::sentence(label).trim_end_matches('.').to_owned() }
        ),
    }
}

/// The boundary of a `multipart/form-data` content type, or the Dutch error.
pub fn boundary(headers: &HeaderMap) -> Result<String, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    multer::parse_boundary(ct).map_err(|_| {
        invalid(
            "Het formulier (multipart/form-data) heeft geen geldige boundary in Content-Type."
                .into(),
        )
    })
}

/// Every part of a `multipart/form-data` body with this boundary (at most [`MAX_PARTS`]).
pub async fn parts(body: Bytes, boundary: &str) -> Result<Vec<FormPart>, ApiError> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut out: Vec<FormPart> = Vec::new();
    loop {
        let number = out.len() + 1;
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(out),
            Err(e) => return Err(invalid(reason(&e, &part_label(number, None, None)))),
        };
        if number > MAX_PARTS {
            return Err(invalid(format!(
                "Het formulier (multipart/form-data) heeft meer dan {MAX_PARTS} delen."
            )));
        }
        let name = field.name().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let label = part_label(number, name.as_deref(), file_name.as_deref());
        let bytes = field
            .bytes()
            .await
            .map_err(|e| invalid(reason(&e, &label)))?;
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return Err(invalid(format!(
                "{} van het formulier (multipart/form-data) heeft geen naam (Content-Disposition: \
                 form-data; name=\"…\").",
                crate::web::sentence(&label).trim_end_matches('.')
            )));
        };
        out.push(FormPart {
            name,
            file_name,
            bytes: bytes.to_vec(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: &[u8]) -> Result<Vec<FormPart>, ApiError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(parts(Bytes::copy_from_slice(body), "XyZ"))
    }

    #[test]
    fn parts_are_read_with_their_names_and_files() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"pupils\"; \
                     filename=\"pupils.csv\"\r\nContent-Type: text/csv\r\n\r\npupil_id\r\n1001\r\n\
                     --XyZ\r\nContent-Disposition: form-data; name=\"registrations\"\r\n\r\n\
                     a\r\nnot a --XyZ boundary\r\nb\r\n--XyZ--\r\n";
        let parts = read(body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "pupils");
        assert_eq!(parts[0].file_name.as_deref(), Some("pupils.csv"));
        assert_eq!(parts[0].bytes, b"pupil_id\r\n1001");
        assert_eq!(parts[1].name, "registrations");
        // The boundary not at the start of a line is content (RFC 2046 forbids the delimiter,
        // CRLF and the boundary, inside a part).
        assert_eq!(parts[1].bytes, b"a\r\nnot a --XyZ boundary\r\nb");
    }

    #[test]
    fn a_broken_form_is_a_dutch_error_naming_the_part() {
        let cut = b"--XyZ\r\nContent-Disposition: form-data; name=\"pupils\"; \
                    filename=\"leerlingen.csv\"\r\n\r\npupil_id\r\n1001";
        let e = read(cut).unwrap_err();
        assert_eq!(e.code, "ongeldig_formulier");
        assert!(
            e.message
                .contains("deel 1 (pupils, bestand leerlingen.csv)"),
            "{}",
            e.message
        );
        let e = read(b"--XyZ\r\nno headers end").unwrap_err();
        assert!(e.message.contains("deel 1"), "{}", e.message);
        let e =
            read(b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--\r\n").unwrap_err();
        assert!(
            e.message.contains("Deel 1") && e.message.contains("geen naam"),
            "{}",
            e.message
        );
        let e = read(b"nothing at all").unwrap_err();
        assert!(e.message.contains("deel 1"), "{}", e.message);
        let mut many = Vec::new();
        for i in 0..=MAX_PARTS {
            many.extend_from_slice(
                format!("--XyZ\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\nx\r\n")
                    .as_bytes(),
            );
        }
        many.extend_from_slice(b"--XyZ--\r\n");
        let e = read(&many).unwrap_err();
        assert!(e.message.contains("meer dan 16 delen"), "{}", e.message);
    }
}
