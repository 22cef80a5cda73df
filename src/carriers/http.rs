//! The HTTP client every connector shares: timeouts, bounded retries with
//! jittered exponential backoff, `Retry-After` handling, one error type.

use std::time::Duration;

use rand::Rng as _;
use reqwest::{RequestBuilder, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::CarrierSettings;
use super::ssrf::GuardedResolver;

/// Errors of a carrier API call. Messages never include a secret: requests
/// carry credentials only in headers, and URLs are stripped from transport errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CarrierError {
    /// 401/403: the carrier refused the credentials.
    #[error("the carrier rejected the credentials (HTTP {status})")]
    Rejected { status: u16 },
    #[error("the carrier has no such resource (HTTP 404)")]
    NotFound,
    /// Any other 4xx, with the carrier's error code and message when it sent them.
    #[error("the carrier refused the request (HTTP {status}, code {code:?}): {message}")]
    BadRequest {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// No usable answer: connect error, timeout, 5xx after retries, 429.
    #[error("the carrier is unavailable: {reason}")]
    Unavailable {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// An answer we could not make sense of.
    #[error("unexpected response from the carrier: {0}")]
    Protocol(String),
}

/// Whether a request may be sent again after it may have reached the carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, DELETE, updates: retried on 5xx, timeouts and connect errors.
    Idempotent,
    /// Creates: retried only when the carrier surely did not act on it
    /// (connect errors, 429), so a slow 5xx cannot create a duplicate.
    Create,
}

/// Status and body of an answer that is neither 5xx nor 429.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Reply {
    /// Maps non-2xx statuses to [`CarrierError`] and parses 2xx JSON bodies.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, CarrierError> {
        self.check()?;
        serde_json::from_slice(&self.body).map_err(|e| CarrierError::Protocol(format!("invalid JSON body: {e}")))
    }

    /// `Ok` for 2xx, the matching [`CarrierError`] otherwise.
    pub fn check(&self) -> Result<(), CarrierError> {
        let status = self.status;
        if status.is_success() {
            return Ok(());
        }
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => CarrierError::Rejected {
                status: status.as_u16(),
            },
            StatusCode::NOT_FOUND => CarrierError::NotFound,
            s if s.is_client_error() => {
                let (code, message) = error_fields(&self.body);
                CarrierError::BadRequest {
                    status: s.as_u16(),
                    code,
                    message: message.unwrap_or_else(|| s.canonical_reason().unwrap_or("client error").to_owned()),
                }
            }
            s => CarrierError::Protocol(format!("unexpected HTTP status {s}")),
        })
    }
}

/// Pulls `code`/`message` out of the error bodies carriers send: Twilio
/// `{code, message}`, Telnyx `{errors: [{code, detail}]}`, Plivo `{error}`.
fn error_fields(body: &[u8]) -> (Option<i64>, Option<String>) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let v = v.get("errors").and_then(|e| e.get(0)).cloned().unwrap_or(v);
    let code = v
        .get("code")
        .and_then(|c| c.as_i64().or_else(|| c.as_str().and_then(|s| s.parse().ok())));
    let message = ["message", "detail", "error", "title"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|m| m.as_str()))
        .map(|m| m.chars().take(500).collect());
    (code, message)
}

/// Clients plus retry policy. Cheap to clone (reqwest clients are `Arc`s).
#[derive(Clone, Debug)]
pub struct HttpClient {
    /// For operator-chosen hosts (fixed carrier APIs and base-URL overrides).
    client: reqwest::Client,
    /// For user-supplied hosts: resolves through [`GuardedResolver`], no proxy.
    guarded: reqwest::Client,
    resolver: GuardedResolver,
    max_retries: u32,
    retry_base_delay: Duration,
    max_inline_retry_after: Duration,
    /// The hosts of the operator's base URLs: the only hosts a metrics label may name.
    operator_hosts: std::sync::Arc<std::collections::BTreeSet<String>>,
}

impl HttpClient {
    pub fn new(settings: &CarrierSettings) -> Result<Self, reqwest::Error> {
        let resolver = GuardedResolver::new(settings.resolve_overrides.clone());
        let base = || {
            reqwest::Client::builder()
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.request_timeout)
                // Never follow a carrier's redirect: it could point anywhere.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("patchbay/", env!("CARGO_PKG_VERSION")))
        };
        let mut plain = base();
        for (host, ips) in &settings.resolve_overrides {
            let addrs: Vec<_> = ips.iter().map(|ip| (*ip, 0).into()).collect();
            plain = plain.resolve_to_addrs(host, &addrs);
        }
        Ok(Self {
            client: plain.build()?,
            guarded: base().no_proxy().dns_resolver(resolver.clone()).build()?,
            resolver,
            max_retries: settings.max_retries,
            retry_base_delay: settings.retry_base_delay,
            max_inline_retry_after: settings.max_inline_retry_after,
            operator_hosts: std::sync::Arc::new(operator_hosts(settings)),
        })
    }

    /// The `host` label of a call: the host of an operator-configured base URL, or `user` for
    /// a host a configuration supplied (SignalWire spaces, Exotel subdomains): those are
    /// unbounded, and tenants' names.
    fn host_label(&self, host: &str) -> String {
        if self.operator_hosts.contains(host) {
            host.to_owned()
        } else {
            "user".to_owned()
        }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn guarded_client(&self) -> &reqwest::Client {
        &self.guarded
    }

    pub fn resolver(&self) -> &GuardedResolver {
        &self.resolver
    }

    /// Sends the request `build` makes, retrying per policy. `build` runs once
    /// per attempt because a sent `RequestBuilder` is consumed.
    ///
    /// Returns every 2xx/3xx/4xx answer as-is; 5xx (after retries), 429 and
    /// transport failures become [`CarrierError::Unavailable`].
    pub(crate) async fn send(
        &self,
        idempotency: Idempotency,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Reply, CarrierError> {
        let mut attempt: u32 = 0;
        let mut rate_limit_waited = false;
        loop {
            let retries_left = attempt < self.max_retries;
            let started = std::time::Instant::now();
            let request = build();
            // Labelled by host, never by path or query (they can carry account ids or keys).
            let host = request
                .try_clone()
                .and_then(|r| r.build().ok())
                .and_then(|r| r.url().host_str().map(|h| self.host_label(h)))
                .unwrap_or_default();
            let result = request.send().await;
            let outcome = match &result {
                Ok(resp) => resp.status().as_u16().to_string(),
                Err(_) => "error".to_owned(),
            };
            metrics::histogram!(crate::telemetry::CARRIER_CALL_DURATION, "host" => host, "outcome" => outcome)
                .record(started.elapsed().as_secs_f64());
            let failure = match result {
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let retry_after = retry_after(resp.headers());
                        // One short in-request wait at most; longer waits go back to the caller.
                        if let Some(wait) = retry_after
                            .filter(|w| *w <= self.max_inline_retry_after && retries_left && !rate_limit_waited)
                        {
                            tracing::debug!(?wait, "carrier rate-limited; retrying once");
                            rate_limit_waited = true;
                            attempt += 1;
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        return Err(CarrierError::Unavailable {
                            reason: "rate limited by the carrier (HTTP 429)".to_owned(),
                            retry_after,
                        });
                    }
                    if status.is_server_error() {
                        Failure {
                            reason: format!("carrier answered HTTP {status}"),
                            retryable: idempotency == Idempotency::Idempotent,
                        }
                    } else {
                        match read_bounded(resp, MAX_BODY).await {
                            Ok(body) => return Ok(Reply { status, body }),
                            Err(BodyError::TooLarge) => {
                                return Err(CarrierError::Protocol(format!(
                                    "the answer is larger than {} KiB",
                                    MAX_BODY / 1024
                                )));
                            }
                            Err(BodyError::Read(e)) => Failure {
                                reason: describe(&e),
                                retryable: idempotency == Idempotency::Idempotent,
                            },
                        }
                    }
                }
                Err(e) => Failure {
                    reason: describe(&e),
                    // A refused connection never reached the carrier: always safe.
                    retryable: e.is_connect() || idempotency == Idempotency::Idempotent,
                },
            };
            if !(failure.retryable && retries_left) {
                return Err(CarrierError::Unavailable {
                    reason: failure.reason,
                    retry_after: None,
                });
            }
            let delay = self.backoff(attempt);
            tracing::debug!(attempt, ?delay, reason = %failure.reason, "retrying carrier request");
            attempt += 1;
            tokio::time::sleep(delay).await;
        }
    }

    /// `GET url` with `auth`, retried per policy, 2xx body parsed as JSON.
    /// `guarded`: the host came from a user, resolve it through the SSRF guard.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        guarded: bool,
        url: &str,
        auth: Auth<'_>,
    ) -> Result<T, CarrierError> {
        let client = if guarded { &self.guarded } else { &self.client };
        self.send(Idempotency::Idempotent, || auth.apply(client.get(url)))
            .await?
            .json()
    }

    /// Full-jitter exponential backoff: uniform in [d/2, d], d = base·2^attempt.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .retry_base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(16)));
        let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms))
    }
}

/// How a request authenticates. Secrets only ever go into headers.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    Basic(&'a str, &'a SecretString),
    Bearer(&'a SecretString),
}

impl Auth<'_> {
    pub fn apply(self, req: RequestBuilder) -> RequestBuilder {
        match self {
            Auth::Basic(user, secret) => req.basic_auth(user, Some(secret.expose_secret())),
            Auth::Bearer(token) => req.bearer_auth(token.expose_secret()),
        }
    }
}

struct Failure {
    reason: String,
    retryable: bool,
}

/// A transport error in words, without the URL (it may carry a user-supplied host
/// or, for some carriers, query parameters).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "failed reading the response"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

/// The largest carrier answer read: far above any page Patchbay asks for (Twilio pages of
/// 1,000 numbers are about 1.5 MiB), far below what would hurt the server.
pub(crate) const MAX_BODY: usize = 4 * 1024 * 1024;

/// A carrier's `Retry-After` is honoured up to this: a longer (or absurd) value is taken as
/// this, so the next attempt is scheduled, never overflowed.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Reads a body chunk by chunk, giving up as soon as it passes `limit` bytes (a declared
/// `Content-Length` above it is refused before reading).
async fn read_bounded(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` in delta-seconds (the form carriers send), capped at [`MAX_RETRY_AFTER`].
/// HTTP-dates are ignored.
pub(crate) fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// The hosts of every base URL the operator configured.
fn operator_hosts(settings: &CarrierSettings) -> std::collections::BTreeSet<String> {
    [
        Some(&settings.twilio_base_url),
        Some(&settings.twilio_trunking_base_url),
        Some(&settings.plivo_base_url),
        Some(&settings.telnyx_base_url),
        Some(&settings.vonage_base_url),
        settings.exotel_base_url.as_ref(),
        settings.signalwire_base_url.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|url| reqwest::Url::parse(url).ok()?.host_str().map(str::to_owned))
    .collect()
}

/// Joins a base URL and a path without losing a path prefix in the base
/// (`http://proxy/twilio` + `/2010-04-01/…`).
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_retry_after_seconds_only() {
        let mut h = header::HeaderMap::new();
        h.insert(header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        h.insert(header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        h.insert(header::RETRY_AFTER, "99999999999999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn extracts_twilio_and_telnyx_error_fields() {
        let twilio = br#"{"code": 21452, "message": "Trunk not found", "status": 400}"#;
        assert_eq!(error_fields(twilio), (Some(21452), Some("Trunk not found".to_owned())));
        let telnyx = br#"{"errors": [{"code": "10009", "title": "Auth", "detail": "bad key"}]}"#;
        assert_eq!(error_fields(telnyx), (Some(10009), Some("bad key".to_owned())));
        assert_eq!(error_fields(b"plain text"), (None, None));
    }

    #[test]
    fn metrics_name_operator_hosts_only() {
        let http = HttpClient::new(&CarrierSettings::default()).unwrap();
        assert_eq!(http.host_label("api.twilio.com"), "api.twilio.com");
        assert_eq!(http.host_label("trunking.twilio.com"), "trunking.twilio.com");
        assert_eq!(http.host_label("acme-secret.signalwire.com"), "user");
        assert_eq!(http.host_label("acme.exotel.in"), "user");
    }

    #[test]
    fn backoff_stays_within_bounds() {
        let settings = CarrierSettings::default();
        let http = HttpClient::new(&settings).unwrap();
        for attempt in 0..5 {
            let d = http.backoff(attempt);
            let ceiling = settings.retry_base_delay * 2u32.pow(attempt);
            assert!(d <= ceiling && d >= ceiling / 2, "{d:?} vs {ceiling:?}");
        }
    }
}
