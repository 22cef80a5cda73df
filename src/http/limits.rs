//! Per-token rate limiting, request deadlines and the HTTP settings that tune them.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second per token.
    pub per_second: NonZeroU32,
    /// Requests a token may make at once before the sustained rate applies.
    pub burst: NonZeroU32,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `None` disables rate limiting.
    pub rate_limit: Option<RateLimit>,
    /// A request still running after this is answered 503 (its work is cancelled; database
    /// transactions roll back).
    pub request_timeout: Duration,
    /// After a stop signal, how long in-flight requests may take before the server exits anyway.
    pub shutdown_grace: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            rate_limit: Some(RateLimit {
                per_second: NonZeroU32::new(50).unwrap(),
                burst: NonZeroU32::new(100).unwrap(),
            }),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// The limiter key: a digest of the credentials, so tokens are not kept as map keys; requests
/// without credentials share a bucket per client address.
type Key = [u8; 16];
type Limiter = RateLimiter<Key, DefaultKeyedStateStore<Key>, DefaultClock, StateInformationMiddleware>;

#[derive(Clone)]
pub struct RateLimiting {
    limiter: Arc<Limiter>,
    burst: u32,
}

impl RateLimiting {
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            limiter: Arc::new(RateLimiter::dashmap(quota).with_middleware()),
            burst: limit.burst.get(),
        }
    }

    /// Forgets buckets that are full again, so memory stays bounded under random tokens.
    pub fn spawn_cleanup(&self) -> tokio::task::JoinHandle<()> {
        let limiter = self.limiter.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        })
    }
}

fn key(headers: &HeaderMap, peer: Option<SocketAddr>) -> Key {
    let mut digest = Sha256::new();
    match headers.get(axum::http::header::AUTHORIZATION) {
        Some(credentials) => digest.update(credentials.as_bytes()),
        None => digest.update(format!("anonymous:{:?}", peer.map(|p| p.ip())).as_bytes()),
    }
    digest.finalize()[..16]
        .try_into()
        .expect("16 bytes of a 32-byte digest")
}

/// Operations endpoints are never limited: monitoring must see an overloaded service.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/openapi.json") || path.starts_with("/docs")
}

fn set(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(name, HeaderValue::from(value));
}

pub async fn rate_limit(State(limits): State<RateLimiting>, req: Request, next: Next) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    match limits.limiter.check_key(&key(req.headers(), peer)) {
        Ok(state) => {
            let mut response = next.run(req).await;
            let headers = response.headers_mut();
            set(headers, "ratelimit-limit", limits.burst.into());
            set(headers, "ratelimit-remaining", state.remaining_burst_capacity().into());
            response
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Whole seconds, rounded up: a client that waits that long will get through.
            let retry_after = Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
            let mut response = Error::RateLimited { retry_after }.into_response();
            let headers = response.headers_mut();
            set(headers, "ratelimit-limit", limits.burst.into());
            set(headers, "ratelimit-remaining", 0);
            set(headers, "ratelimit-reset", retry_after.as_secs().max(1));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_token_and_hide_it() {
        let mut a = HeaderMap::new();
        a.insert("authorization", HeaderValue::from_static("Token pbk_a"));
        let mut b = HeaderMap::new();
        b.insert("authorization", HeaderValue::from_static("Token pbk_b"));
        assert_ne!(key(&a, None), key(&b, None));
        assert_eq!(key(&a, None), key(&a, "127.0.0.1:1".parse().ok()));
        assert!(!key(&a, None).windows(5).any(|w| w == b"pbk_a"));
    }

    #[test]
    fn operations_endpoints_are_exempt() {
        for path in ["/healthz", "/readyz", "/metrics", "/docs/", "/openapi.json"] {
            assert!(exempt(path), "{path}");
        }
        assert!(!exempt("/api/v2/platform/organizations"));
    }
}
