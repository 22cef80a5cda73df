//! Call routing: service tokens (the machines that place and answer calls), why a call cannot
//! be routed, and the CPS window arithmetic.

use super::access::{NewApiToken, looks_like_token_with};

/// Every service token starts with this (organization tokens with `pbk_`): authentication
/// tells the two apart without a look-up, and leaked ones are easy to recognise.
pub const SERVICE_TOKEN_PREFIX: &str = "pbs_";

/// A freshly generated service token: shown once, stored only as its hash.
pub fn new_service_token() -> NewApiToken {
    NewApiToken::generate_with_prefix(SERVICE_TOKEN_PREFIX)
}

/// Whether a presented token is a service token (by its prefix only).
pub fn is_service_token(token: &str) -> bool {
    token.starts_with(SERVICE_TOKEN_PREFIX)
}

/// Whether a presented string is shaped like a service token (avoids a look-up for junk).
pub fn looks_like_service_token(token: &str) -> bool {
    looks_like_token_with(SERVICE_TOKEN_PREFIX, token)
}

/// Why a known number cannot take or place a call: the 409's `reason`, so the caller can play a
/// message instead of ringing nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unroutable {
    /// On no bridge: nothing answers it (its `status` is `inactive`).
    NumberInactive,
    /// The bridge has no number (a `DRAFT`): nothing to place a call through.
    DraftBridge,
    /// Its configuration's last verification failed.
    ConfigurationFailed,
    /// Its configuration is no SIP trunk (neither a `sip` credential nor a provisioned Twilio
    /// trunk): there is no termination to send a call to.
    NoTrunk,
}

impl Unroutable {
    pub fn code(self) -> &'static str {
        match self {
            Self::NumberInactive => "number_inactive",
            Self::DraftBridge => "draft_bridge",
            Self::ConfigurationFailed => "configuration_failed",
            Self::NoTrunk => "no_trunk",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Self::NumberInactive => "The number is on no bridge, so nothing answers or places its calls.",
            Self::DraftBridge => "The bridge is a draft: no number is connected to it.",
            Self::ConfigurationFailed => "The number's provider configuration failed verification.",
            Self::NoTrunk => "The number's provider configuration has no SIP trunk to send calls to.",
        }
    }
}

/// A fixed one-second window of a CPS limit: calls counted since `window_start` (ms since the
/// epoch, a multiple of 1000). At most `limit` calls start in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpsWindow {
    pub window_start: i64,
    pub calls: i64,
}

pub const CPS_WINDOW_MS: i64 = 1000;

/// The window `now_ms` falls in.
pub fn window_start(now_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(CPS_WINDOW_MS)
}

/// `None` when the call counted in `w` (its count includes this call) is within `limit`;
/// otherwise how many milliseconds until the next window opens (at least 1).
pub fn cps_wait_ms(w: CpsWindow, limit: i64, now_ms: i64) -> Option<i64> {
    if w.calls <= limit {
        None
    } else {
        Some((w.window_start + CPS_WINDOW_MS - now_ms).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_tokens_are_told_apart_by_prefix() {
        let t = new_service_token();
        assert!(is_service_token(t.expose()));
        assert!(looks_like_service_token(t.expose()));
        assert!(!looks_like_service_token("pbs_short"));
        assert!(!is_service_token("pbk_abc"));
        assert_eq!(t.hash, super::super::access::hash_token(t.expose()));
        assert!(t.display_prefix.starts_with(SERVICE_TOKEN_PREFIX));
        assert_ne!(new_service_token().hash, t.hash);
    }

    #[test]
    fn windows_and_waits() {
        assert_eq!(window_start(12_345), 12_000);
        assert_eq!(window_start(12_000), 12_000);
        let w = CpsWindow {
            window_start: 12_000,
            calls: 3,
        };
        assert_eq!(cps_wait_ms(w, 3, 12_100), None);
        assert_eq!(cps_wait_ms(w, 2, 12_100), Some(900));
        assert_eq!(cps_wait_ms(w, 2, 12_999), Some(1));
    }
}
