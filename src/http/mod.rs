//! HTTP: the router of both API families, the middleware every request passes, and serving.

mod error;
mod extract;
pub mod idempotency;
pub mod limits;
pub mod openapi;
mod v1;
mod v2;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::Method;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Json, Router, ServiceExt};
use tower::Layer as _;
use tower::util::MapRequestLayer;

pub use error::{ErrorParts, current_request_id};

use crate::error::Error;
use crate::service::Patchbay;
use crate::telemetry;

pub type AppState = Arc<Patchbay>;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Registers routes and remembers each (method, path), so a test can check that the OpenAPI
/// document describes every route the router has.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, String)>,
}

impl Routes {
    fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn add<H, T>(mut self, method: Method, path: &str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        // Same path twice merges the method routers.
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path.to_owned()));
        self
    }

    /// Nests `inner` under `prefix` (its paths recorded as `prefix + path`); `wrap` gets the
    /// inner router first, for that family's own fallbacks and layers.
    pub fn nest(
        mut self,
        prefix: &str,
        inner: Routes,
        wrap: impl FnOnce(Router<AppState>) -> Router<AppState>,
    ) -> Self {
        self.router = self.router.nest(prefix, wrap(inner.router));
        let paths = inner.table.into_iter().map(|(m, p)| (m, format!("{prefix}{p}")));
        self.table.extend(paths);
        self
    }
}

fn api_routes() -> Routes {
    let routes = Routes::new()
        .add(Method::GET, "/healthz", healthz)
        .add(Method::GET, "/readyz", readyz)
        .add(Method::GET, "/metrics", metrics);
    v1::routes(v2::routes(routes))
}

/// Every (method, path template) the API serves, besides the docs page and `/openapi.json`.
pub fn route_table() -> Vec<(Method, String)> {
    api_routes().table
}

pub use limits::{HttpSettings, RateLimit};

pub fn router(app: AppState, settings: &HttpSettings) -> Router {
    router_with(app, settings, settings.rate_limit.map(limits::RateLimiting::new))
}

fn router_with(app: AppState, settings: &HttpSettings, limiting: Option<limits::RateLimiting>) -> Router {
    let deadline = settings.request_timeout;
    let mut router = Router::new()
        .merge(api_routes().router)
        .merge(openapi::router())
        .fallback(|| async { Error::NotFound("Not found.") })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            with_deadline(deadline, req, next)
        }));
    router = router.layer(middleware::from_fn_with_state(app.clone(), idempotency::idempotency));
    if let Some(limiting) = limiting {
        router = router.layer(middleware::from_fn_with_state(limiting, limits::rate_limit));
    }
    router
        .layer(middleware::from_fn(v1::problem_outside))
        .layer(middleware::from_fn(request_context))
        .with_state(app)
}

/// Answers 503 when a request outlives its deadline. Dropping the handler's future cancels its
/// work: an open database transaction rolls back, so nothing is half-written.
async fn with_deadline(deadline: std::time::Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Error::Timeout.into_response(),
    }
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Up")))]
pub(crate) async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

/// Ready to serve: the database answers (it was migrated before the listener opened) and a
/// master key is loaded.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready"), (status = 503, description = "Database unreachable")))]
pub(crate) async fn readyz(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    match app.store.ping().await {
        Ok(()) => Json(serde_json::json!({
            "status": "ready", "database": app.store.backend(), "migrations": "applied",
            "master_key": app.keyring.active_key_id(),
        }))
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub(crate) async fn metrics(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    let (size, idle) = app.store.pool_stats();
    metrics::gauge!(telemetry::DB_POOL_CONNECTIONS).set(size as f64);
    metrics::gauge!(telemetry::DB_POOL_IDLE).set(idle as f64);
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::prometheus().render(),
    )
        .into_response()
}

fn request_id_from(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Gives every request an id (the client's `X-Request-Id` if it sent a sane one), echoes it on
/// the response, and writes one log line per request. Never logs headers or bodies: they carry
/// tokens and secrets.
async fn request_context(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id_from(&req);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".into());
    let context = telemetry::RequestContext::new(request_id.clone());
    let mut response = context.clone().scope(next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let status = response.status();
    let elapsed = started.elapsed().as_secs_f64();
    let latency_ms = elapsed * 1000.0;
    let labels = [
        ("method", method.to_string()),
        ("route", route.clone()),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!(telemetry::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(telemetry::HTTP_DURATION, &labels).record(elapsed);
    let org = context.org_handle().unwrap_or("-");
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!(%method, route, status = status.as_u16(), latency_ms, request_id, org, "request");
    } else {
        tracing::info!(%method, route, status = status.as_u16(), latency_ms, request_id, org, "request");
    }
    response
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes in-flight requests
/// (for at most `settings.shutdown_grace`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: AppState,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limiting = settings.rate_limit.map(limits::RateLimiting::new);
    let cleanup = limiting.as_ref().map(limits::RateLimiting::spawn_cleanup);
    telemetry::prometheus();
    let service = MapRequestLayer::new(canonical_api_path).layer(router_with(app, &settings, limiting));
    let stopping = Arc::new(tokio::sync::Notify::new());
    let graceful = axum::serve(
        listener,
        ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(service),
    )
    .with_graceful_shutdown({
        let stopping = stopping.clone();
        async move {
            shutdown.await;
            stopping.notify_one();
        }
    });
    let grace = settings.shutdown_grace;
    let result = tokio::select! {
        result = graceful => result,
        () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_seconds = grace.as_secs(), "in-flight requests did not finish in time; stopping anyway");
            Ok(())
        }
    };
    if let Some(cleanup) = cleanup {
        cleanup.abort();
    }
    result
}

/// Canonical API paths before routing: trailing slashes are optional on every API path (the
/// pages show them, clients often omit them), and the singular `provider-configurations` that
/// Unpod's own backend uses is the same resource. Only under `/api/`: the docs page needs its
/// own `/docs/` redirect.
fn canonical_api_path(mut req: Request) -> Request {
    const SINGULAR: &str = "/api/v2/platform/telephony/provider-configurations";
    let path = req.uri().path();
    if path.starts_with("/api/") && (path.ends_with('/') || path.starts_with(SINGULAR)) {
        let trimmed = path.trim_end_matches('/');
        let trimmed = match trimmed.strip_prefix(SINGULAR) {
            Some(rest) => format!("/api/v2/platform/telephony/providers-configurations{rest}"),
            None => trimmed.to_owned(),
        };
        let new = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        if let Ok(pq) = new.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = req.uri().clone().into_parts();
            parts.path_and_query = Some(pq);
            if let Ok(uri) = axum::http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// Strong ETags carry the configuration's version: `"3"`.
pub mod etag {
    pub fn format(version: i64) -> String {
        format!("\"{version}\"")
    }

    pub fn parse(value: &str) -> Option<i64> {
        let value = value.strip_prefix("W/").unwrap_or(value);
        value.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
    }
}
