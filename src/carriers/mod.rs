//! Carrier connectors: verify stored credentials against each carrier's real
//! HTTP API, and (Twilio) provision SIP trunks.
//!
//! [`Carriers`] owns one shared HTTP client ([`http::HttpClient`]) and one
//! connector per carrier; [`Carriers::verify`] dispatches on the provider slug.
//! Base URLs default to the real APIs and can be overridden per carrier
//! ([`CarrierSettings::from_env`]), which is how tests point at the stand-ins.

pub mod exotel;
pub mod http;
pub mod plivo;
pub mod signalwire;
pub mod sip;
pub mod ssrf;
pub mod telnyx;
pub mod twilio;
pub mod vonage;
pub mod webhooks;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use http::{CarrierError, HttpClient};
pub use twilio::{TwilioAuth, TwilioClient, TwilioError};

/// Credentials of one stored configuration, built by the domain layer.
/// `Debug` is safe: `SecretString` prints as redacted.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// `twilio|plivo|telnyx|vonage|exotel|signalwire|sip`
    pub provider: String,
    /// Non-secret account identifier (Account SID, Auth ID, API key, project id…).
    pub account_sid: String,
    pub auth_token: Option<SecretString>,
    /// Non-secret extra fields (`api_key_sid`, `subdomain`, `space_url`, `host`…).
    pub fields: BTreeMap<String, String>,
    /// Secret extra fields.
    pub secret_fields: BTreeMap<String, SecretString>,
}

impl Credentials {
    /// A non-empty, trimmed extra field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

pub use crate::domain::verification::VerificationStatus;

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Warning,
    Failed,
    Skipped,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Check {
    pub check_name: String,
    pub status: CheckStatus,
    pub message: String,
    pub timestamp: chrono::DateTime<chrono::Utc>,
    pub details: serde_json::Value,
}

impl Check {
    pub fn new(name: &str, status: CheckStatus, message: impl Into<String>) -> Self {
        Self {
            check_name: name.to_owned(),
            status,
            message: message.into(),
            timestamp: chrono::Utc::now(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Check names shared by all carriers.
pub mod check_names {
    pub const CREDENTIALS_VALID: &str = "credentials_valid";
    pub const ACCOUNT_ACTIVE: &str = "account_active";
    pub const ACCOUNT_TYPE: &str = "account_type";
    pub const BALANCE: &str = "balance";
    /// The user-supplied host passed the SSRF rule ([`super::ssrf`]).
    pub const HOST_ALLOWED: &str = "host_allowed";
    pub const CONFIGURATION: &str = "configuration";
}
use check_names::*;

#[derive(Debug, Clone, PartialEq)]
pub enum VerifyOutcome {
    /// The carrier answered: status is Verified, Warning (usable but degraded,
    /// e.g. suspended or trial Twilio account) or Failed.
    Completed {
        status: VerificationStatus,
        checks: Vec<Check>,
        credentials_rejected: bool,
    },
    /// Could not get an answer (connect error, timeout, 5xx after retries,
    /// 429): the caller stores `pending` and retries later.
    Unavailable {
        reason: String,
        retry_after: Option<Duration>,
    },
}

impl VerifyOutcome {
    /// Completed, with the status the worst check implies.
    pub fn from_checks(checks: Vec<Check>) -> Self {
        let worst = |s| checks.iter().any(|c| c.status == s);
        let status = if worst(CheckStatus::Failed) {
            VerificationStatus::Failed
        } else if worst(CheckStatus::Warning) {
            VerificationStatus::Warning
        } else {
            VerificationStatus::Verified
        };
        VerifyOutcome::Completed {
            status,
            checks,
            credentials_rejected: false,
        }
    }

    /// The carrier said the credentials are wrong.
    pub fn rejected(carrier: &str) -> Self {
        VerifyOutcome::Completed {
            status: VerificationStatus::Failed,
            checks: vec![
                Check::new(
                    CREDENTIALS_VALID,
                    CheckStatus::Failed,
                    format!("{carrier} rejected the credentials"),
                ),
                Check::new(
                    ACCOUNT_ACTIVE,
                    CheckStatus::Skipped,
                    "not checked: credentials rejected",
                ),
            ],
            credentials_rejected: true,
        }
    }

    /// The configuration cannot be verified as stored (missing field, refused host…).
    pub fn invalid(check: &str, message: impl Into<String>) -> Self {
        Self::from_checks(vec![Check::new(check, CheckStatus::Failed, message)])
    }

    /// Maps a failed verification call. `not_found_rejects`: the call's path
    /// names the account, so 404 means the account identifier is wrong.
    pub fn from_error(carrier: &str, err: CarrierError, not_found_rejects: bool) -> Self {
        match err {
            CarrierError::Rejected { .. } => Self::rejected(carrier),
            CarrierError::NotFound if not_found_rejects => Self::rejected(carrier),
            CarrierError::Unavailable { reason, retry_after } => VerifyOutcome::Unavailable {
                reason: format!("{carrier}: {reason}"),
                retry_after,
            },
            // Garbage from a carrier is usually a transient proxy or outage page.
            CarrierError::Protocol(reason) => VerifyOutcome::Unavailable {
                reason: format!("{carrier}: {reason}"),
                retry_after: None,
            },
            other => Self::invalid(CREDENTIALS_VALID, format!("{carrier}: {other}")),
        }
    }

    pub fn status(&self) -> VerificationStatus {
        match self {
            VerifyOutcome::Completed { status, .. } => *status,
            VerifyOutcome::Unavailable { .. } => VerificationStatus::Pending,
        }
    }
}

/// `credentials_valid` passed: the first check of every successful verification.
pub(crate) fn credentials_accepted(carrier: &str) -> Check {
    Check::new(
        CREDENTIALS_VALID,
        CheckStatus::Passed,
        format!("{carrier} accepted the credentials"),
    )
}

/// The secret every HTTP carrier needs, or the outcome to return without it.
pub(crate) fn require_token(creds: &Credentials) -> Result<&SecretString, VerifyOutcome> {
    creds
        .auth_token
        .as_ref()
        .ok_or_else(|| VerifyOutcome::invalid(CONFIGURATION, "auth_token is missing"))
}

/// Balance as a check: negative → warning (calls will fail soon).
pub(crate) fn balance_check(balance: Option<f64>, currency: &str) -> Check {
    match balance {
        Some(b) if b >= 0.0 => Check::new(BALANCE, CheckStatus::Passed, format!("balance {b:.2} {currency}")),
        Some(b) => Check::new(
            BALANCE,
            CheckStatus::Warning,
            format!("balance is negative ({b:.2} {currency})"),
        ),
        None => Check::new(BALANCE, CheckStatus::Skipped, "balance not reported"),
    }
    .with_details(serde_json::json!({ "balance": balance, "currency": currency }))
}

/// Base URL for a carrier whose host the user supplies: the operator's
/// override as-is, else `https://{host}` once `user_host` passed the SSRF rule
/// ([`ssrf`]). Returns `(base, guarded, host_allowed check)`; `guarded` tells
/// the caller to send through the SSRF-guarded client.
pub(crate) async fn user_host_base(
    http: &HttpClient,
    base_override: Option<&str>,
    user_host: &str,
    pattern: &ssrf::HostPattern,
) -> Result<(String, bool, Option<Check>), VerifyOutcome> {
    if let Some(base) = base_override {
        return Ok((base.to_owned(), false, None));
    }
    let host = pattern
        .allowed_host(user_host)
        .map_err(|e| VerifyOutcome::invalid(HOST_ALLOWED, e.to_string()))?;
    match http.resolver().resolve_public(&host).await {
        Ok(_) => {
            let check = Check::new(
                HOST_ALLOWED,
                CheckStatus::Passed,
                format!("{host} is a public {} host", pattern.carrier),
            );
            Ok((format!("https://{host}"), true, Some(check)))
        }
        // DNS trouble is usually transient: try again later.
        Err(e @ ssrf::SsrfError::Unresolvable { .. }) => Err(VerifyOutcome::Unavailable {
            reason: e.to_string(),
            retry_after: None,
        }),
        Err(e) => {
            tracing::warn!(%host, error = %e, "refused user-supplied carrier host");
            Err(VerifyOutcome::invalid(HOST_ALLOWED, e.to_string()))
        }
    }
}

/// A number in a carrier account, as the carrier's API lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CarrierNumber {
    /// The carrier's id of the number (Twilio's `PN…` sid, Telnyx's id…); `None` where the
    /// number is its own id.
    pub sid: Option<String>,
    /// In E.164 as the carrier reports it (checked again before it is stored).
    pub phone_number: String,
    pub friendly_name: Option<String>,
}

/// The secret a carrier call needs (a stored configuration always has one; without it the
/// carrier would refuse the call).
pub(crate) fn token_of(creds: &Credentials) -> Result<&SecretString, CarrierError> {
    creds.auth_token.as_ref().ok_or(CarrierError::Rejected { status: 401 })
}

/// `+` before the bare digits some carriers list numbers as (Plivo, Vonage).
pub(crate) fn with_plus(number: &str) -> String {
    if number.starts_with('+') {
        number.to_owned()
    } else {
        format!("+{number}")
    }
}

/// Upper bound on pages followed when listing numbers, so a carrier cannot keep us paging.
pub(crate) const MAX_NUMBER_PAGES: usize = 200;

/// [`user_host_base`] for calls other than verification: a refused host is a bad request.
pub(crate) async fn user_host_for_call(
    http: &HttpClient,
    base_override: Option<&str>,
    user_host: &str,
    pattern: &ssrf::HostPattern,
) -> Result<(String, bool), CarrierError> {
    match user_host_base(http, base_override, user_host, pattern).await {
        Ok((base, guarded, _)) => Ok((base, guarded)),
        Err(VerifyOutcome::Unavailable { reason, retry_after }) => {
            Err(CarrierError::Unavailable { reason, retry_after })
        }
        Err(VerifyOutcome::Completed { checks, .. }) => Err(CarrierError::BadRequest {
            status: 400,
            code: None,
            message: checks
                .into_iter()
                .next()
                .map_or_else(|| "host refused".to_owned(), |c| c.message),
        }),
    }
}

/// One connector per carrier.
pub trait Carrier {
    /// Provider slug in [`Credentials::provider`].
    const SLUG: &'static str;
    /// Verifies the credentials; never returns an error, only an outcome.
    fn verify(&self, creds: &Credentials) -> impl Future<Output = VerifyOutcome> + Send;
}

/// Where the connectors send requests, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct CarrierSettings {
    pub twilio_base_url: String,
    pub twilio_trunking_base_url: String,
    pub plivo_base_url: String,
    pub telnyx_base_url: String,
    pub vonage_base_url: String,
    /// `None`: `https://{subdomain}` from the user's configuration, SSRF-checked.
    pub exotel_base_url: Option<String>,
    /// `None`: `https://{space_url}` from the user's configuration, SSRF-checked.
    pub signalwire_base_url: Option<String>,
    pub connect_timeout: Duration,
    /// Per attempt.
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff ceiling; doubles per retry, jittered.
    pub retry_base_delay: Duration,
    /// A 429 whose `Retry-After` is at most this is waited out once in-request.
    pub max_inline_retry_after: Duration,
    /// Host → addresses pins, like curl `--resolve`. Pinned addresses still
    /// pass the SSRF check when the host came from a user.
    pub resolve_overrides: BTreeMap<String, Vec<IpAddr>>,
}

impl Default for CarrierSettings {
    fn default() -> Self {
        Self {
            twilio_base_url: "https://api.twilio.com".to_owned(),
            twilio_trunking_base_url: "https://trunking.twilio.com".to_owned(),
            plivo_base_url: "https://api.plivo.com".to_owned(),
            telnyx_base_url: "https://api.telnyx.com".to_owned(),
            vonage_base_url: "https://rest.nexmo.com".to_owned(),
            exotel_base_url: None,
            signalwire_base_url: None,
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            max_retries: 2,
            retry_base_delay: Duration::from_millis(200),
            max_inline_retry_after: Duration::from_secs(2),
            resolve_overrides: BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CarrierSettingsError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("could not build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

impl CarrierSettings {
    /// Defaults overridden by `PATCHBAY_<CARRIER>_BASE_URL` (TWILIO,
    /// TWILIO_TRUNKING, PLIVO, TELNYX, VONAGE, EXOTEL, SIGNALWIRE) and
    /// `PATCHBAY_CARRIER_CONNECT_TIMEOUT_MS`, `PATCHBAY_CARRIER_TIMEOUT_MS`,
    /// `PATCHBAY_CARRIER_MAX_RETRIES`.
    pub fn from_env() -> Result<Self, CarrierSettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] over any variable source (tests avoid mutating the process env).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, CarrierSettingsError> {
        let mut s = Self::default();
        let url = |var: &'static str| -> Result<Option<String>, CarrierSettingsError> {
            let Some(raw) = get(var).filter(|v| !v.trim().is_empty()) else {
                return Ok(None);
            };
            let parsed = reqwest::Url::parse(raw.trim()).map_err(|e| CarrierSettingsError::Invalid {
                var,
                reason: e.to_string(),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                return Err(CarrierSettingsError::Invalid {
                    var,
                    reason: "must be an http(s) URL with a host".to_owned(),
                });
            }
            Ok(Some(raw.trim().trim_end_matches('/').to_owned()))
        };
        let millis = |var: &'static str| -> Result<Option<Duration>, CarrierSettingsError> {
            get(var)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map(Duration::from_millis)
                        .map_err(|e| CarrierSettingsError::Invalid {
                            var,
                            reason: e.to_string(),
                        })
                })
                .transpose()
        };
        if let Some(u) = url("PATCHBAY_TWILIO_BASE_URL")? {
            s.twilio_base_url = u;
        }
        if let Some(u) = url("PATCHBAY_TWILIO_TRUNKING_BASE_URL")? {
            s.twilio_trunking_base_url = u;
        }
        if let Some(u) = url("PATCHBAY_PLIVO_BASE_URL")? {
            s.plivo_base_url = u;
        }
        if let Some(u) = url("PATCHBAY_TELNYX_BASE_URL")? {
            s.telnyx_base_url = u;
        }
        if let Some(u) = url("PATCHBAY_VONAGE_BASE_URL")? {
            s.vonage_base_url = u;
        }
        s.exotel_base_url = url("PATCHBAY_EXOTEL_BASE_URL")?;
        s.signalwire_base_url = url("PATCHBAY_SIGNALWIRE_BASE_URL")?;
        if let Some(d) = millis("PATCHBAY_CARRIER_CONNECT_TIMEOUT_MS")? {
            s.connect_timeout = d;
        }
        if let Some(d) = millis("PATCHBAY_CARRIER_TIMEOUT_MS")? {
            s.request_timeout = d;
        }
        if let Some(v) = get("PATCHBAY_CARRIER_MAX_RETRIES") {
            s.max_retries = v
                .trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| CarrierSettingsError::Invalid {
                    var: "PATCHBAY_CARRIER_MAX_RETRIES",
                    reason: e.to_string(),
                })?;
        }
        Ok(s)
    }
}

/// All connectors over one shared HTTP client.
#[derive(Clone, Debug)]
pub struct Carriers {
    settings: CarrierSettings,
    twilio: TwilioClient,
    plivo: plivo::PlivoClient,
    telnyx: telnyx::TelnyxClient,
    vonage: vonage::VonageClient,
    exotel: exotel::ExotelClient,
    signalwire: signalwire::SignalWireClient,
    sip: sip::SipChecker,
}

impl Carriers {
    /// # Panics
    /// If the TLS backend cannot initialise; see [`Self::try_new`].
    pub fn new(settings: CarrierSettings) -> Self {
        Self::try_new(settings).expect("carrier HTTP client")
    }

    pub fn try_new(settings: CarrierSettings) -> Result<Self, CarrierSettingsError> {
        let http = HttpClient::new(&settings)?;
        Ok(Self {
            twilio: TwilioClient::new(
                http.clone(),
                &settings.twilio_base_url,
                &settings.twilio_trunking_base_url,
            ),
            plivo: plivo::PlivoClient::new(http.clone(), &settings.plivo_base_url),
            telnyx: telnyx::TelnyxClient::new(http.clone(), &settings.telnyx_base_url),
            vonage: vonage::VonageClient::new(http.clone(), &settings.vonage_base_url),
            exotel: exotel::ExotelClient::new(http.clone(), settings.exotel_base_url.clone()),
            signalwire: signalwire::SignalWireClient::new(http, settings.signalwire_base_url.clone()),
            sip: sip::SipChecker,
            settings,
        })
    }

    pub fn settings(&self) -> &CarrierSettings {
        &self.settings
    }

    /// Verifies against the carrier named by `creds.provider`.
    pub async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let outcome = match creds.provider.as_str() {
            twilio::TwilioClient::SLUG => self.twilio.verify(creds).await,
            plivo::PlivoClient::SLUG => self.plivo.verify(creds).await,
            telnyx::TelnyxClient::SLUG => self.telnyx.verify(creds).await,
            vonage::VonageClient::SLUG => self.vonage.verify(creds).await,
            exotel::ExotelClient::SLUG => self.exotel.verify(creds).await,
            signalwire::SignalWireClient::SLUG => self.signalwire.verify(creds).await,
            sip::SipChecker::SLUG => self.sip.verify(creds).await,
            other => VerifyOutcome::invalid(
                CONFIGURATION,
                format!("unknown provider {:?}", other.chars().take(40).collect::<String>()),
            ),
        };
        let status = match outcome.status() {
            VerificationStatus::Pending => "unavailable",
            VerificationStatus::Verified => "verified",
            VerificationStatus::Warning => "warning",
            VerificationStatus::Failed => "failed",
        };
        metrics::counter!(crate::telemetry::VERIFICATIONS, "carrier" => creds.provider.clone(), "status" => status)
            .increment(1);
        tracing::info!(provider = %creds.provider, status, "carrier verification finished");
        outcome
    }

    /// The numbers in the account `creds` name, as the carrier lists them.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        match creds.provider.as_str() {
            twilio::TwilioClient::SLUG => self.twilio.list_numbers(creds).await,
            plivo::PlivoClient::SLUG => self.plivo.list_numbers(creds).await,
            telnyx::TelnyxClient::SLUG => self.telnyx.list_numbers(creds).await,
            vonage::VonageClient::SLUG => self.vonage.list_numbers(creds).await,
            exotel::ExotelClient::SLUG => self.exotel.list_numbers(creds).await,
            signalwire::SignalWireClient::SLUG => self.signalwire.list_numbers(creds).await,
            other => Err(CarrierError::BadRequest {
                status: 400,
                code: None,
                message: format!(
                    "listing the numbers of a {} account is not supported",
                    other.chars().take(40).collect::<String>()
                ),
            }),
        }
    }

    /// The full Twilio client, also used for SIP trunk provisioning.
    pub fn twilio(&self) -> &TwilioClient {
        &self.twilio
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_lookup() {
        let env = BTreeMap::from([
            ("PATCHBAY_TWILIO_BASE_URL", "http://127.0.0.1:4010/"),
            ("PATCHBAY_EXOTEL_BASE_URL", "http://127.0.0.1:4011"),
            ("PATCHBAY_CARRIER_TIMEOUT_MS", "250"),
        ]);
        let s = CarrierSettings::from_lookup(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.twilio_base_url, "http://127.0.0.1:4010");
        assert_eq!(s.twilio_trunking_base_url, "https://trunking.twilio.com");
        assert_eq!(s.exotel_base_url.as_deref(), Some("http://127.0.0.1:4011"));
        assert_eq!(s.signalwire_base_url, None);
        assert_eq!(s.request_timeout, Duration::from_millis(250));
        assert_eq!(s.connect_timeout, Duration::from_secs(3));
        let bad = CarrierSettings::from_lookup(|k| (k == "PATCHBAY_PLIVO_BASE_URL").then(|| "ftp://x".to_owned()));
        assert!(bad.is_err());
    }

    #[test]
    fn worst_check_decides_status() {
        let c = |s| Check::new("x", s, "");
        assert_eq!(
            VerifyOutcome::from_checks(vec![c(CheckStatus::Passed), c(CheckStatus::Skipped)]).status(),
            VerificationStatus::Verified
        );
        assert_eq!(
            VerifyOutcome::from_checks(vec![c(CheckStatus::Passed), c(CheckStatus::Warning)]).status(),
            VerificationStatus::Warning
        );
        assert_eq!(
            VerifyOutcome::from_checks(vec![c(CheckStatus::Warning), c(CheckStatus::Failed)]).status(),
            VerificationStatus::Failed
        );
    }
}
