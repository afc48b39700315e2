//! Staff bearer tokens: made from 32 random bytes, shown once, stored only as a SHA-256 hash.
//!
//! Why a hash: a copy of the database (a backup, a laptop) must not let anyone act as a staff
//! member. The token has 256 bits of entropy, so an unsalted fast hash is enough: there is
//! nothing to guess. Looking a token up by its hash also means the comparison happens inside an
//! index lookup, never as an early-exit string compare on the secret itself.

use sha2::{Digest, Sha256};

use super::audit::hex;

/// Prefix of every token, so a leaked one is recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "kredo_st_";

/// A new random token: the prefix and 64 hex digits (32 bytes from the OS's random source).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex(&bytes)))
}

/// The stored form of a token: `sha256:` and the hex digest of its UTF-8 bytes.
pub fn token_hash(token: &str) -> String {
    format!("sha256:{}", hex(&Sha256::digest(token.as_bytes())))
}

/// The token of an `Authorization: Bearer <token>` header value, if it has that shape.
pub fn bearer_token(header_value: &str) -> Option<&str> {
    let (scheme, token) = header_value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A staff name must be printable, trimmed and of reasonable length: it is audit data.
pub fn validate_staff_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a staff name must not be empty".to_owned());
    }
    if name.chars().count() > 100 {
        return Err("a staff name must be at most 100 characters".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err("a staff name must not contain control characters".to_owned());
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert!(matches!((&a, &b), (Ok(a), Ok(b)) if a != b && a.len() == TOKEN_PREFIX.len() + 64));
        assert_eq!(token_hash("x"), token_hash("x"));
        assert_ne!(token_hash("x"), token_hash("y"));
    }

    #[test]
    fn parses_bearer() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
