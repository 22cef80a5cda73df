//! What every request passes besides its handler: the request context (id, log line, metrics
//! labels), the deadline, RFC 7807 for answers given outside the v1 router, and the canonical
//! path rewrite done before routing.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppState, REQUEST_ID_HEADER};
use crate::error::Error;
use crate::telemetry;

/// Answers 503 when a request outlives its deadline. Dropping the handler's future cancels its
/// work: an open database transaction rolls back, so nothing is half-written. The deadline is
/// visible to the service ([`crate::service::time_left`]) so batches can stop in time.
async fn with_deadline<N, F>(deadline: std::time::Duration, req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: Future<Output = Response>,
{
    let ends = tokio::time::Instant::now() + deadline;
    let run = tokio::time::timeout_at(ends, next(req));
    match crate::service::REQUEST_DEADLINE.scope(ends, run).await {
        Ok(response) => response,
        Err(_) => Error::Timeout.into_response(),
    }
}

/// Inside the deadline and idempotency steps, so a panicking handler is an ordinary 500 to them
/// (its idempotency key is released) and to the client (the API's own error, with the request
/// id to quote).
///
/// Not an `async fn`, which would hold `handler` twice (argument and awaitee).
fn catch_panic(handler: impl Future<Output = Response>) -> impl Future<Output = Response> {
    use futures_util::FutureExt as _;
    std::panic::AssertUnwindSafe(handler)
        .catch_unwind()
        .map(|result| result.unwrap_or_else(panic_response))
}

/// What a panicking handler answers: the API's own 500 (envelope, or RFC 7807 under /api/v1),
/// with the request id; the panic message goes to the log only.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    Error::Internal(anyhow::anyhow!("request handler panicked: {message}")).into_response()
}

/// The method as a metrics label and in the log: the standard ones by name, any other
/// (`curl -X ZZ123`) as `OTHER`, so clients cannot mint label values.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

fn request_id_from(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        // A v4 uuid from the thread's generator: `Uuid::new_v4` asks the kernel (a getrandom
        // syscall) for every request, a measurable share of a cached GET.
        .unwrap_or_else(|| {
            let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
            // Encoded directly: `to_string` goes through a formatter.
            id.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer())
                .to_owned()
        })
}

/// Gives every request an id (the client's `X-Request-Id` if it sent a sane one), echoes it on
/// the response, and writes one log line per request. Never logs headers or bodies: they carry
/// tokens and secrets.
async fn request_context<N, F>(req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: Future<Output = Response>,
{
    let started = Instant::now();
    let request_id = request_id_from(&req);
    let method = method_label(req.method());
    let route = req.extensions().get::<MatchedPath>().cloned();
    let context = telemetry::RequestContext::new(request_id.clone());
    let mut response = context.clone().scope(next(req)).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let status = response.status();
    let elapsed = started.elapsed();
    // To the microsecond: the clock says no more, and a short number is cheaper to write.
    let latency_ms = elapsed.as_micros() as f64 / 1000.0;
    let route = route.as_ref().map_or("<unmatched>", MatchedPath::as_str);
    let (requests, duration) = telemetry::http_metrics(method, route, status.as_u16());
    requests.increment(1);
    duration.record(elapsed.as_secs_f64());
    let org = context.org_handle().unwrap_or("-");
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!(
            method,
            route,
            status = status.as_u16(),
            latency_ms,
            request_id,
            org,
            "request"
        );
    } else {
        tracing::info!(
            method,
            route,
            status = status.as_u16(),
            latency_ms,
            request_id,
            org,
            "request"
        );
    }
    response
}

/// For the answers given outside the v1 router (throttling, a passed deadline): RFC 7807 on
/// `/api/v1` paths too. Answers the v1 layer already rendered pass unchanged.
async fn problem_outside<N, F>(req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: Future<Output = Response>,
{
    let path = req.uri().path();
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        // Boxed: see `idempotency` (the v2 path, the hot one, does not carry its states).
        Box::pin(super::v1::problem::render(req, next)).await
    } else {
        next(req).await
    }
}

/// What the pipeline's steps need, built once per router.
pub(super) struct Pipeline {
    pub app: AppState,
    pub deadline: std::time::Duration,
    pub idempotency: super::idempotency::IdempotencySettings,
    pub limiting: Option<super::limits::RateLimiting>,
}

/// Every step a request passes on its way to its handler, outermost first: its context (id,
/// log line, metrics), RFC 7807 for v1 answers given outside the v1 router, cache invalidation
/// after writes, the rate limit, idempotent creates, the deadline. One middleware calling each
/// step in turn, not one layer per step: axum's `from_fn` boxes a future and a service and
/// clones the whole stack beneath it on every call, which with six layers cost a cached GET a
/// tenth of its instructions.
pub(super) async fn pipeline(State(p): State<Arc<Pipeline>>, req: Request, next: Next) -> Response {
    let p = &*p;
    request_context(req, |req| {
        problem_outside(req, |req| {
            super::v2::forget_cached_routes(&p.app, req, |req| async move {
                let inner = |req| {
                    super::idempotency::idempotency(&p.app, p.idempotency, req, |req| {
                        with_deadline(p.deadline, req, |req| catch_panic(next.run(req)))
                    })
                };
                match &p.limiting {
                    Some(limiting) => super::limits::rate_limit(limiting, &p.app, req, inner).await,
                    None => inner(req).await,
                }
            })
        })
    })
    .await
}

/// Canonical API paths before routing: trailing slashes are optional on every API path (the
/// pages show them, clients often omit them), and the singular `provider-configurations` that
/// Unpod's own backend uses is the same resource. Only under `/api/`: the docs page needs its
/// own `/docs/` redirect.
pub(super) fn canonical_api_path(mut req: Request) -> Request {
    const SINGULAR: &str = "/api/v2/platform/telephony/provider-configurations";
    const PLURAL: &str = "/api/v2/platform/telephony/providers-configurations";
    let path = req.uri().path();
    if path.starts_with("/api/") && (path.ends_with('/') || path.starts_with(SINGULAR)) {
        let trimmed = path.trim_end_matches('/');
        let query = req.uri().query();
        // Built in one buffer (this runs for nearly every API request: the pages' paths end
        // in `/`).
        let mut new = String::with_capacity(path.len() + query.map_or(0, |q| q.len() + 1) + 1);
        match trimmed.strip_prefix(SINGULAR) {
            Some(rest) => {
                new.push_str(PLURAL);
                new.push_str(rest);
            }
            None => new.push_str(trimmed),
        }
        if let Some(q) = query {
            new.push('?');
            new.push_str(q);
        }
        if let Ok(pq) = axum::http::uri::PathAndQuery::from_maybe_shared(bytes::Bytes::from(new)) {
            let mut parts = req.uri().clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}
