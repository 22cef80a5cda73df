//! The operations endpoints: liveness and readiness on the API listener, and Prometheus metrics
//! on their own listener (`PATCHBAY_METRICS_LISTEN`, off by default): the metrics page names
//! routes and carriers, which is for the operator, not for anyone who can reach the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use super::AppState;
use crate::telemetry;

#[derive(OpenApi)]
#[openapi(paths(healthz, readyz))]
pub struct ApiDoc;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Up")))]
pub(super) async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

/// Ready to serve: the database answers (it was migrated before the listener opened) and a
/// master key is loaded.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready"), (status = 503, description = "Database unreachable")))]
pub(super) async fn readyz(State(app): State<AppState>) -> Response {
    match app.ping().await {
        Ok(()) => Json(serde_json::json!({
            "status": "ready", "database": app.backend(), "migrations": "applied",
            "master_key": app.active_key_id(),
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
pub(super) async fn metrics(State(app): State<AppState>) -> Response {
    let (size, idle) = app.pool_stats();
    metrics::gauge!(telemetry::DB_POOL_CONNECTIONS).set(size as f64);
    metrics::gauge!(telemetry::DB_POOL_IDLE).set(idle as f64);
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::prometheus().render(),
    )
        .into_response()
}
