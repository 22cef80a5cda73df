//! People: e-mail addresses, passwords (argon2id), personal API tokens and console sessions.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::access::{NewApiToken, looks_like_token_with};

/// Personal API tokens start with this: they act for every organization of their user, so
/// they are told apart from organization tokens (`pbk_`) by their prefix alone.
pub const USER_TOKEN_PREFIX: &str = "pbu_";

/// A new personal token: shown once, stored as its SHA-256 like organization tokens.
pub fn new_user_token() -> NewApiToken {
    NewApiToken::generate_with_prefix(USER_TOKEN_PREFIX)
}

pub fn looks_like_user_token(token: &str) -> bool {
    looks_like_token_with(USER_TOKEN_PREFIX, token)
}

/// Who a person caller is: carried by callers that act for a user (personal token, session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    pub email: String,
}

/// A user's e-mail address, trimmed and lower-cased (so `Ann@X.org` and `ann@x.org` are one
/// account). Only the shape is checked: one `@`, something on each side, no spaces or controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_lowercase();
        let ok = (3..=254).contains(&s.len())
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
        if ok {
            Ok(Self(s))
        } else {
            Err("Enter an e-mail address such as ann@example.com.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: never printed (Debug is redacted) and only ever hashed.
pub struct Password(SecretString);

impl Password {
    pub const MIN_LEN: usize = 12;
    /// Hashing cost does not depend on length, but a bound keeps bodies and memory small.
    pub const MAX_LEN: usize = 1024;

    pub fn parse(s: &str) -> Result<Self, String> {
        let n = s.chars().count();
        if n < Self::MIN_LEN {
            Err(format!("A password has at least {} characters.", Self::MIN_LEN))
        } else if s.len() > Self::MAX_LEN {
            Err(format!("A password has at most {} bytes.", Self::MAX_LEN))
        } else {
            Ok(Self(SecretString::from(s.to_owned())))
        }
    }

    /// A random password (for the demo user), 24 URL-safe characters.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 18];
        rand::rng().fill_bytes(&mut bytes);
        Self(SecretString::from(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        ))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The argon2id PHC string (RustCrypto's defaults: 19 MiB, 2 passes), with a random salt.
    pub fn hash(&self) -> String {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
        argon2::Argon2::default()
            .hash_password(self.expose().as_bytes(), &salt)
            .expect("argon2 with default parameters hashes any password")
            .to_string()
    }

    /// Whether this password matches `phc` (a stored hash). A malformed hash matches nothing.
    pub fn verify(&self, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|hash| {
            argon2::Argon2::default()
                .verify_password(self.expose().as_bytes(), &hash)
                .is_ok()
        })
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// A hash no password matches, verified against when the e-mail is unknown so that a
/// sign-in takes as long whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| Password::generate().hash())
}

/// A console session's secret: the cookie's value. Stored as its SHA-256; the CSRF token of
/// its forms is derived from it (see [`csrf_token`]), so nothing else needs storing.
pub struct SessionSecret(SecretString);

impl SessionSecret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(SecretString::from(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        ))
    }

    /// The cookie's value as presented; anything not shaped like ours is `None`.
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 43
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| Self(SecretString::from(value.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.expose().as_bytes()))
    }

    /// The CSRF token of this session's forms: a hash of the session secret under its own
    /// label. A cross-site page cannot read the HttpOnly cookie, so it cannot compute it, and
    /// the token does not reveal the secret.
    pub fn csrf_token(&self) -> String {
        csrf_token(self.expose())
    }
}

fn csrf_token(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"patchbay console csrf\0");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(redacted)")
    }
}

/// Compares two strings in time that depends only on their lengths (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ann@Example.ORG ").unwrap().as_str(), "ann@example.org");
        for bad in ["", "ann", "@x", "ann@", "a b@x.org", "a@b@c", "a\u{0}@x.org"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
        let p = Password::parse("correct horse battery").unwrap();
        let h = p.hash();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(p.verify(&h));
        assert!(!Password::parse("correct horse batterY").unwrap().verify(&h));
        assert!(!p.verify("not a hash"));
        assert!(!p.verify(decoy_hash()));
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn user_tokens_have_their_own_prefix() {
        let t = new_user_token();
        assert!(looks_like_user_token(t.expose()));
        assert!(!crate::domain::access::looks_like_token(t.expose()));
        assert!(!looks_like_user_token(NewApiToken::generate().expose()));
    }

    #[test]
    fn sessions_and_csrf() {
        let s = SessionSecret::generate();
        let again = SessionSecret::from_cookie(s.expose()).unwrap();
        assert_eq!(again.hash(), s.hash());
        assert_eq!(again.csrf_token(), s.csrf_token());
        assert_ne!(s.csrf_token(), SessionSecret::generate().csrf_token());
        assert!(!s.csrf_token().contains(s.expose()));
        assert!(SessionSecret::from_cookie("short").is_none());
        assert!(SessionSecret::from_cookie(&format!("{}=", &s.expose()[..42])).is_none());
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }

    proptest! {
        #[test]
        fn email_parse_never_panics(s in "\\PC{0,300}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
                prop_assert!(e.as_str().contains('@'));
            }
        }
    }
}
