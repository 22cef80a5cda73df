//! Per-token (else per-address) rate limiting, request deadlines and the HTTP settings that tune them.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::AppState;
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
    /// Answers to `Idempotency-Key` requests larger than this are not kept for replay (a retry
    /// is told the work is done instead).
    pub idempotency_replay_limit: usize,
    /// A connection that has not sent a complete request head this long after opening, or
    /// after its last answer (keep-alive), is closed.
    pub header_read_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
}

impl HttpSettings {
    pub fn idempotency(&self) -> super::idempotency::IdempotencySettings {
        super::idempotency::IdempotencySettings {
            max_stored: self.idempotency_replay_limit,
            ..super::idempotency::IdempotencySettings::for_deadline(self.request_timeout)
        }
    }
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
            idempotency_replay_limit: 256 * 1024,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// Whose bucket a request draws from: an authenticated token's (by its id, however the
/// header was spelled), else the client address's (no credentials, or credentials that failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Token(i64),
    User(i64),
    Peer(Option<IpAddr>),
}
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

/// Operations endpoints are never limited: monitoring must see an overloaded service.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/openapi.json") || path.starts_with("/docs")
}

fn set(headers: &mut HeaderMap, name: &'static str, value: u64) {
    headers.insert(name, HeaderValue::from(value));
}

/// Authenticates the caller (the handler's extractors then take it from the request instead of
/// looking the token up again) and draws from its bucket.
pub async fn rate_limit<N, F>(limits: &RateLimiting, app: &AppState, mut req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    if exempt(req.uri().path()) {
        return next(req).await;
    }
    // Boxed, like every step's cold or bulky part: inline, its states would be carried (and,
    // where the router boxes it, copied) by every request's future.
    let caller = Box::pin(super::extract::authenticate(app, req.headers())).await.ok();
    let key = match caller {
        Some(caller) => {
            // A person's personal tokens share one bucket (their ids are another table's).
            let key = caller
                .user
                .as_ref()
                .map_or(Key::Token(caller.token_id), |u| Key::User(u.id));
            req.extensions_mut().insert(caller);
            key
        }
        None => Key::Peer(req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())),
    };
    match limits.limiter.check_key(&key) {
        Ok(state) => {
            let mut response = next(req).await;
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
    fn operations_endpoints_are_exempt() {
        for path in ["/healthz", "/readyz", "/docs/", "/openapi.json"] {
            assert!(exempt(path), "{path}");
        }
        assert!(!exempt("/api/v2/platform/organizations"));
    }
}
