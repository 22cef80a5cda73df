//! HTTP: the router of both API families, the middleware every request passes, and serving.

mod error;
mod extract;
mod v2;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, ServiceExt};
use tower::Layer as _;
use tower_http::normalize_path::NormalizePathLayer;

pub use error::{ErrorParts, current_request_id};

use crate::error::Error;
use crate::service::Patchbay;

pub type AppState = Arc<Patchbay>;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The organization a request acted for, filled in by the auth extractors, read by the log line.
#[derive(Clone, Default)]
pub struct OrgSlot(Arc<OnceLock<String>>);

impl OrgSlot {
    pub fn set(&self, handle: &str) {
        let _ = self.0.set(handle.to_owned());
    }
}

pub fn router(app: AppState) -> Router {
    Router::new()
        .merge(v2::router())
        .route("/healthz", get(healthz))
        .fallback(|| async { Error::NotFound("Not found.") })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(request_context))
        .with_state(app)
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
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
async fn request_context(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id_from(&req);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".into());
    let org = OrgSlot::default();
    req.extensions_mut().insert(org.clone());
    let mut response = error::REQUEST_ID.scope(request_id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let status = response.status();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let org = org.0.get().map(String::as_str).unwrap_or("-");
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!(%method, route, status = status.as_u16(), latency_ms, request_id, org, "request");
    } else {
        tracing::info!(%method, route, status = status.as_u16(), latency_ms, request_id, org, "request");
    }
    response
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Trailing slashes are optional on every path: the pages show them, clients often omit them.
    let service = NormalizePathLayer::trim_trailing_slash().layer(router(app));
    axum::serve(listener, ServiceExt::<Request>::into_make_service(service))
        .with_graceful_shutdown(shutdown)
        .await
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
