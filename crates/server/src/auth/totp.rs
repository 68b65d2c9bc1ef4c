//! The second factor's codes: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, what every
//! authenticator app makes) with `totp-rs`, the `otpauth://` URI and its QR code (an SVG made
//! here, on the server, with `qrcode`: the pages have no script), and the one-time recovery
//! codes.
//!
//! - A secret is 160 random bits (RFC 4226's recommendation), stored base32.
//! - A code is accepted for the 30-second step before, the current one and the one after (a
//!   phone's clock a little off, a code typed at the end of its step), and only once: the store
//!   keeps the last step accepted ([`verzuim_service::auth::accept_code`]).
//! - A recovery code is 80 random bits as 16 letters and digits in groups of four
//!   (`k7m2-x9qa-…`); the store keeps its SHA-256 only (80 bits are beyond guessing, so a slow
//!   password hash adds nothing), and each works once.

use jiff::Timestamp;
use qrcode::QrCode;
use qrcode::render::svg;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// The issuer the authenticator app shows.
pub const ISSUER: &str = "verzuim";
/// Seconds per code.
pub const STEP: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;

/// The alphabet of recovery codes: digits and the lower-case letters but i, l, o and u (no
/// look-alikes of 1 and 0; 32 symbols, 5 bits each).
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstvwxyz0123456789";

/// A new secret: 160 random bits, base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    // The account name of the URI may not hold a colon (it separates the issuer).
    let account = account.replace(':', "");
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP,
        bytes,
        Some(ISSUER.to_owned()),
        account,
    )
    .ok()
}

/// The time step of `at`.
fn step_of(at: Timestamp) -> i64 {
    at.as_second().div_euclid(STEP as i64)
}

/// The code of a secret at a moment (tests, and the browser test's twin in JavaScript).
pub fn code_at(secret: &str, at: Timestamp) -> Option<String> {
    let t = totp(secret, "x")?;
    Some(t.generate(u64::try_from(at.as_second()).ok()?))
}

/// The time step whose code `code` is, among the step before `now`, `now`'s and the one after;
/// `None` when it is none of them (or not 6 digits).
pub fn matching_step(secret: &str, code: &str, now: Timestamp) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "x")?;
    let current = step_of(now);
    [current - 1, current, current + 1]
        .into_iter()
        .find(|&step| {
            u64::try_from(step)
                .ok()
                .and_then(|s| s.checked_mul(STEP))
                .is_some_and(|time| constant_time_eq(t.generate(time).as_bytes(), code.as_bytes()))
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `otpauth://totp/verzuim:<account>?secret=…&issuer=verzuim…`, what an authenticator app reads.
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    totp(secret, account).map_or_else(String::new, |t| t.get_url())
}

/// The secret in groups of four, for typing it into an app.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A QR code of `text` as an `<svg>` element (without an XML declaration, to put in a page),
/// black on white with a quiet zone, labelled for screen readers.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR-code voor uw authenticator-app\"",
        1,
    )
}

/// `n` new recovery codes (`xxxx-xxxx-xxxx-xxxx`, 80 random bits each).
pub fn new_recovery_codes(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let mut bytes = [0u8; 16];
            rand::rng().fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code: the SHA-256 (hex) of its 16 symbols, lower-case, without
/// dashes or spaces. `None` when it cannot be one (so a TOTP code is never taken for one).
pub fn recovery_hash(code: &str) -> Option<String> {
    let plain: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if plain.chars().count() != 16 || !plain.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("{:x}", Sha256::digest(plain.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 test vectors (8 digits there; the last 6 here, as the
    /// truncation takes the value modulo 10^digits).
    #[test]
    fn codes_are_those_of_rfc_6238() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = Timestamp::from_second(time).unwrap();
            assert_eq!(code_at(&secret, at).unwrap(), code, "at {time}");
            assert_eq!(matching_step(&secret, code, at), Some(time / 30));
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_only() {
        let secret = new_secret();
        let now = Timestamp::from_second(1_800_000_015).unwrap();
        let step = now.as_second() / 30;
        for (offset, accepted) in [
            (-60, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let at = Timestamp::from_second(now.as_second() + offset).unwrap();
            let code = code_at(&secret, at).unwrap();
            assert_eq!(
                matching_step(&secret, &code, now).is_some(),
                accepted,
                "offset {offset}"
            );
            if accepted {
                assert_eq!(matching_step(&secret, &code, now), Some(step + offset / 30));
            }
        }
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn secrets_are_160_bits_and_differ() {
        let a = new_secret();
        assert_eq!(Secret::Encoded(a.clone()).to_bytes().unwrap().len(), 20);
        assert_ne!(a, new_secret());
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn the_uri_and_qr_code_name_the_service_and_the_account() {
        let secret = new_secret();
        let uri = otpauth_uri(&secret, "juf@school.nl");
        assert!(
            uri.starts_with("otpauth://totp/verzuim:juf%40school.nl?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(uri.contains("issuer=verzuim"), "{uri}");
        let svg = qr_svg(&uri);
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"QR-code"),
            "{svg}"
        );
        assert!(!svg.contains("<?xml") && !svg.contains("script") && !svg.contains("style="));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_in_a_normal_form() {
        let codes = new_recovery_codes(10);
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        let c = &codes[0];
        assert_eq!(c.len(), 19);
        assert_eq!(c.matches('-').count(), 3);
        let h = recovery_hash(c).unwrap();
        assert_eq!(recovery_hash(&c.to_uppercase()), Some(h.clone()));
        assert_eq!(recovery_hash(&c.replace('-', " ")), Some(h.clone()));
        assert_eq!(h.len(), 64);
        assert_eq!(recovery_hash("123456"), None);
        assert_eq!(recovery_hash("oooo-oooo-oooo-oooo"), None);
    }
}
