//! Identity: passwords, sessions, login throttling, the steps of a login with its second
//! factor (TOTP), and API tokens.

pub mod login;
pub mod password;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod totp;

/// 32 random bytes as 64 lower-case hex characters (256 bits): session and API tokens.
pub(crate) fn random_hex_256() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut out = String::with_capacity(64);
    for b in bytes {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn random_tokens_are_256_bit_hex_and_differ() {
        let a = super::random_hex_256();
        let b = super::random_hex_256();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
