//! Organizations handles, API tokens and roles.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A validated organization handle: the `Org-Handle` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgHandle(String);

impl OrgHandle {
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (2..=63).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(
                "An organization handle is 2-63 lower-case letters, digits or '-', not starting or ending with '-'."
                    .into(),
            )
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a caller may do in an organization. Organization tokens are `admin` or `viewer`;
/// `member` exists for people (memberships): a member changes carrier resources like an admin
/// but does not manage API tokens or members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// Changes carrier resources (configurations, numbers, bridges, SIP).
    pub fn can_write(self) -> bool {
        matches!(self, Role::Admin | Role::Member)
    }

    /// Manages who may call: API tokens and members.
    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            _ => Err(format!("unknown role '{s}' (admin, member or viewer)")),
        }
    }
}

/// Rows hold the role's name; reading one parses it (a bad value is a decode error, not a role).
impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Every API token starts with this, so leaked tokens are easy to recognise (secret scanners).
pub const TOKEN_PREFIX: &str = "pbk_";
const TOKEN_BYTES: usize = 32;

/// A freshly generated API token: shown once, stored only as its hash.
pub struct NewApiToken {
    pub secret: SecretString,
    pub hash: String,
    /// The first characters, kept to help people tell tokens apart in `token list`.
    pub display_prefix: String,
}

impl NewApiToken {
    pub fn generate() -> Self {
        Self::generate_with_prefix(TOKEN_PREFIX)
    }

    /// A token of another family (personal tokens, `pbu_`), shaped like ours.
    pub fn generate_with_prefix(prefix: &str) -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let token = format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        );
        let hash = hash_token(&token);
        let display_prefix = token[..prefix.len() + 6].to_owned();
        Self {
            secret: SecretString::from(token),
            hash,
            display_prefix,
        }
    }
}

/// The stored form of a token. The token carries 256 random bits, so a plain SHA-256 is enough
/// (no password-style stretching needed) and lets each request look it up by hash in one query.
pub fn hash_token(token: &str) -> String {
    let mut hex = [0_u8; 64];
    // hex's table-driven encoder: `hex::encode` goes through a char iterator, a tenth of the
    // instructions of a cached GET's authentication.
    hex::encode_to_slice(Sha256::digest(token.as_bytes()), &mut hex).expect("64 digits for 32 bytes");
    String::from_utf8(hex.to_vec()).expect("hex digits are ASCII")
}

/// Whether a presented string is shaped like one of our tokens (avoids a DB look-up for junk).
pub fn looks_like_token(token: &str) -> bool {
    looks_like_token_with(TOKEN_PREFIX, token)
}

/// [`looks_like_token`] for a token family with another prefix.
pub fn looks_like_token_with(prefix: &str, token: &str) -> bool {
    token.len() == prefix.len() + 43
        && token.starts_with(prefix)
        && token[prefix.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiToken")
            .field("display_prefix", &self.display_prefix)
            .finish_non_exhaustive()
    }
}

impl NewApiToken {
    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }
}

/// Parses a duration like `30d`, `12h`, `90m` (for `--expires-in`).
pub fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("invalid duration '{s}' (e.g. 30d, 12h, 90m)"))?;
    let d = match unit {
        "d" => chrono::Duration::try_days(n),
        "h" => chrono::Duration::try_hours(n),
        "m" => chrono::Duration::try_minutes(n),
        "s" => chrono::Duration::try_seconds(n),
        _ => None,
    };
    d.filter(|d| *d > chrono::Duration::zero())
        .ok_or_else(|| format!("invalid duration '{s}' (e.g. 30d, 12h, 90m)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tokens_are_recognisable_and_hashed() {
        let t = NewApiToken::generate();
        assert!(looks_like_token(t.expose()));
        assert_eq!(t.hash, hash_token(t.expose()));
        assert_ne!(t.hash, t.expose());
        assert!(!format!("{t:?}").contains(t.expose()));
        assert_ne!(NewApiToken::generate().hash, t.hash);
    }

    #[test]
    fn handles() {
        assert!(OrgHandle::parse("demo").is_ok());
        assert!(OrgHandle::parse("acme-voice-2").is_ok());
        for bad in ["", "a", "-x", "x-", "Acme", "a b", "a_b", &"a".repeat(64)] {
            assert!(OrgHandle::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), chrono::Duration::days(30));
        assert_eq!(parse_duration("90m").unwrap(), chrono::Duration::minutes(90));
        for bad in ["", "d", "30", "0d", "30w", "-1d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn handle_parse_never_panics(s in "\\PC{0,80}") {
            if let Ok(h) = OrgHandle::parse(&s) {
                prop_assert_eq!(h.as_str(), s.as_str());
            }
        }

        /// Near misses of a real token, each one rule away from it: a wrong length of valid
        /// characters, one character outside the alphabet, or a wrong prefix.
        #[test]
        fn near_misses_are_not_tokens(
            short_or_long in "[A-Za-z0-9_-]{0,42}|[A-Za-z0-9_-]{44,60}",
            body in "[A-Za-z0-9_-]{43}",
            at in 0usize..43,
            bad in "[^A-Za-z0-9_-]",
            prefix in "(PBK_|pbk-|pbk|bk_|pbk__|xpbk_)",
        ) {
            let wrong_length = TOKEN_PREFIX.to_owned() + &short_or_long;
            prop_assert!(!looks_like_token(&wrong_length));
            let mut chars: Vec<char> = body.chars().collect();
            chars[at] = bad.chars().next().unwrap();
            let bad_character = TOKEN_PREFIX.to_owned() + &chars.into_iter().collect::<String>();
            prop_assert!(!looks_like_token(&bad_character));
            let wrong_prefix = prefix + &body;
            prop_assert!(!looks_like_token(&wrong_prefix));
            // The same body with the real prefix is one: the misses above are near.
            let token = TOKEN_PREFIX.to_owned() + &body;
            prop_assert!(looks_like_token(&token));
        }
    }
}
