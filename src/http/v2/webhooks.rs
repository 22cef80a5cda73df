//! Webhook endpoints of an organization (admin only): create (the signing secret is shown
//! once), list, get, change, delete, rotate the secret, send a test ping, list deliveries with
//! their attempts and retry one; and the documented event types.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use utoipa::ToSchema;

use super::configurations::{PageParams, Paging, Window};
use super::{ErrorEnvelope, OrgHandleHeader, with_etag};
use crate::domain::webhook::{self, EventType};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::doc::IfMatchHeader;
use crate::http::extract::{IfMatch, JsonObject, OrgCaller, QueryMap};
use crate::http::format::timestamp;
use crate::service::webhooks::{DELIVERY_NOT_FOUND, WEBHOOK_NOT_FOUND, event_types};
use crate::storage::{WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord};

pub(super) const WEBHOOKS: &str = "/api/v2/platform/webhooks";

/// A positive integer from the path; anything else is the same 404 as an unknown id.
fn path_id(raw: &str, not_found: &'static str) -> Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Error::NotFound(not_found))
}

/// `{id}` of a webhook endpoint.
pub(super) struct WebhookId(i64);

impl<S: Send + Sync> FromRequestParts<S> for WebhookId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(WEBHOOK_NOT_FOUND))?;
        path_id(&raw, WEBHOOK_NOT_FOUND).map(Self)
    }
}

/// `{id}/deliveries/{delivery_id}`.
pub(super) struct DeliveryPath(i64, i64);

impl<S: Send + Sync> FromRequestParts<S> for DeliveryPath {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((id, delivery)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(WEBHOOK_NOT_FOUND))?;
        Ok(Self(
            path_id(&id, WEBHOOK_NOT_FOUND)?,
            path_id(&delivery, DELIVERY_NOT_FOUND)?,
        ))
    }
}

/// A webhook endpoint; its signing secret only in the answers of create and rotate-secret.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookEndpoint)]
struct EndpointView {
    #[schema(example = 1)]
    id: i64,
    #[schema(example = "https://hooks.example.com/patchbay")]
    url: String,
    description: Option<String>,
    /// The subscribed event types (see `GET /webhooks/event-types/`).
    #[schema(example = json!(["configuration.verification_status_changed.v1"]))]
    event_types: Vec<String>,
    /// `false` once deliveries failed for the whole retry schedule (PATCH `enabled: true` to resume).
    enabled: bool,
    disabled_reason: Option<String>,
    /// Since when deliveries to it fail (null once one succeeds).
    failing_since: Option<String>,
    /// Until then the previous signing secret signs too (after a rotation).
    previous_secret_valid_until: Option<String>,
    created_at: String,
    updated_at: String,
    /// `whsec_…`: shown once, on create and rotate-secret; verify signatures with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    secret: Option<String>,
}

impl EndpointView {
    fn of(r: &WebhookEndpointRecord, secret: Option<&SecretString>) -> Self {
        Self {
            id: r.id,
            url: r.url.clone(),
            description: r.description.clone(),
            event_types: event_types(r),
            enabled: r.enabled,
            disabled_reason: r.disabled_reason.clone(),
            failing_since: r.failing_since.as_ref().map(timestamp),
            previous_secret_valid_until: r
                .previous_secret_expires_at
                .filter(|t| *t > chrono::Utc::now())
                .as_ref()
                .map(timestamp),
            created_at: timestamp(&r.created_at),
            updated_at: timestamp(&r.updated_at),
            secret: secret.map(|s| s.expose_secret().to_owned()),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct EndpointEnvelope {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Webhook endpoint fetched successfully.")]
    message: &'static str,
    data: EndpointView,
}

fn respond(
    status: StatusCode,
    message: &'static str,
    r: &WebhookEndpointRecord,
    secret: Option<&SecretString>,
) -> Response {
    let body = EndpointEnvelope {
        status_code: status.as_u16(),
        message,
        data: EndpointView::of(r, secret),
    };
    let mut response = with_etag((status, axum::Json(body)).into_response(), r.version);
    if secret.is_some() {
        response.extensions_mut().insert(crate::http::idempotency::ShownOnce);
    }
    response
}

#[derive(Serialize, ToSchema)]
struct EndpointList {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Webhook endpoints fetched successfully.")]
    message: &'static str,
    data: Vec<EndpointView>,
    count: i64,
    #[serde(flatten)]
    paging: Paging,
}

/// Webhook endpoints are for admin tokens only, reads included (their URLs are the
/// organization's infrastructure).
fn admin(caller: &crate::service::Caller) -> Result<()> {
    caller.require_write()
}

#[utoipa::path(get, path = "/api/v2/platform/webhooks/", tag = "v2: webhooks",
    summary = "The organization's webhook endpoints (admin only)",
    params(OrgHandleHeader, PageParams),
    responses((status = 200, body = EndpointList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_webhooks(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    admin(&caller)?;
    let window = Window::of_query(&query)?;
    let (rows, total) = app
        .list_webhook_endpoints(&caller.org, (window.number, window.size))
        .await?;
    Ok(axum::Json(EndpointList {
        status_code: 200,
        message: "Webhook endpoints fetched successfully.",
        data: rows.iter().map(|r| EndpointView::of(r, None)).collect(),
        count: total,
        paging: window.paging(&format!("{WEBHOOKS}/?"), rows.len(), total),
    })
    .into_response())
}

/// Create body.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
struct CreateWebhookBody {
    /// https (plain http only for hosts the operator trusts); public addresses only, judged
    /// with DNS when saved (a 400 on `url` otherwise).
    #[schema(example = "https://hooks.example.com/patchbay", min_length = 1, max_length = 2048)]
    url: String,
    /// No NUL characters.
    #[schema(max_length = 200, pattern = r"^[^\u0000]*$")]
    description: Option<String>,
    /// At least one; see `GET /webhooks/event-types/`.
    #[schema(min_items = 1)]
    event_types: Vec<WebhookEventType>,
}

/// Patch body: only the fields sent change.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
struct PatchWebhookBody {
    #[schema(min_length = 1, max_length = 2048)]
    url: Option<String>,
    /// No NUL characters.
    #[schema(max_length = 200, pattern = r"^[^\u0000]*$")]
    description: Option<String>,
    #[schema(min_items = 1)]
    event_types: Option<Vec<WebhookEventType>>,
    /// `true` re-enables a disabled endpoint: its pending deliveries resume.
    enabled: Option<bool>,
}

/// A subscribable event type (the ping, `webhook.ping.v1`, is sent by the test action only).
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
enum WebhookEventType {
    #[schema(rename = "configuration.created.v1")]
    ConfigurationCreated,
    #[schema(rename = "configuration.updated.v1")]
    ConfigurationUpdated,
    #[schema(rename = "configuration.deleted.v1")]
    ConfigurationDeleted,
    #[schema(rename = "configuration.verification_status_changed.v1")]
    ConfigurationVerificationChanged,
    #[schema(rename = "number.added.v1")]
    NumberAdded,
    #[schema(rename = "number.imported.v1")]
    NumberImported,
    #[schema(rename = "number.released.v1")]
    NumberReleased,
    #[schema(rename = "number.connected.v1")]
    NumberConnected,
    #[schema(rename = "number.disconnected.v1")]
    NumberDisconnected,
    #[schema(rename = "bridge.created.v1")]
    BridgeCreated,
    #[schema(rename = "bridge.updated.v1")]
    BridgeUpdated,
    #[schema(rename = "bridge.deleted.v1")]
    BridgeDeleted,
    #[schema(rename = "twilio_provider.provisioned.v1")]
    TwilioProviderProvisioned,
    #[schema(rename = "twilio_provider.updated.v1")]
    TwilioProviderUpdated,
    #[schema(rename = "twilio_provider.deprovisioned.v1")]
    TwilioProviderDeprovisioned,
    #[schema(rename = "token.created.v1")]
    TokenCreated,
    #[schema(rename = "token.revoked.v1")]
    TokenRevoked,
    #[schema(rename = "webhook_endpoint.disabled.v1")]
    WebhookEndpointDisabled,
}

#[utoipa::path(post, path = "/api/v2/platform/webhooks/", tag = "v2: webhooks",
    summary = "Create a webhook endpoint; its signing secret is in this answer only",
    params(OrgHandleHeader),
    request_body = CreateWebhookBody,
    responses((status = 201, body = EndpointEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn create_webhook(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    admin(&caller)?;
    let new = webhook::parse_new_endpoint(&body).map_err(Error::validation)?;
    let (record, secret) = app.create_webhook_endpoint(&caller.org, new).await?;
    Ok(respond(
        StatusCode::CREATED,
        "Webhook endpoint created successfully.",
        &record,
        Some(&secret),
    ))
}

#[utoipa::path(get, path = "/api/v2/platform/webhooks/{id}/", tag = "v2: webhooks",
    summary = "A webhook endpoint",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id")),
    responses((status = 200, body = EndpointEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn get_webhook(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
) -> Result<Response> {
    admin(&caller)?;
    let record = app.get_webhook_endpoint(&caller.org, id).await?;
    Ok(respond(
        StatusCode::OK,
        "Webhook endpoint fetched successfully.",
        &record,
        None,
    ))
}

#[utoipa::path(patch, path = "/api/v2/platform/webhooks/{id}/", tag = "v2: webhooks",
    summary = "Change a webhook endpoint (url, description, event_types, enabled)",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id"), IfMatchHeader),
    request_body = PatchWebhookBody,
    responses((status = 200, body = EndpointEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn patch_webhook(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    admin(&caller)?;
    let patch = webhook::parse_endpoint_patch(&body).map_err(Error::validation)?;
    let record = app.update_webhook_endpoint(&caller.org, id, patch, if_match).await?;
    Ok(respond(
        StatusCode::OK,
        "Webhook endpoint updated successfully.",
        &record,
        None,
    ))
}

#[utoipa::path(delete, path = "/api/v2/platform/webhooks/{id}/", tag = "v2: webhooks",
    summary = "Delete a webhook endpoint and its deliveries",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id")),
    responses((status = 204, description = "Deleted; empty body"), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn delete_webhook(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
) -> Result<Response> {
    admin(&caller)?;
    app.delete_webhook_endpoint(&caller.org, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v2/platform/webhooks/{id}/rotate-secret/", tag = "v2: webhooks",
    summary = "A new signing secret (in this answer only); the old one still signs for the grace period",
    description = "During the grace period (`PATCHBAY_WEBHOOK_SECRET_GRACE`, default 24h) each delivery carries two signatures in `webhook-signature`, one per secret, so a receiver can switch at its own pace.",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id")),
    responses((status = 200, body = EndpointEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn rotate_webhook_secret(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
) -> Result<Response> {
    admin(&caller)?;
    let (record, secret) = app.rotate_webhook_secret(&caller.org, id).await?;
    Ok(respond(
        StatusCode::OK,
        "Webhook signing secret rotated successfully.",
        &record,
        Some(&secret),
    ))
}

#[derive(Serialize, ToSchema)]
struct QueuedView {
    /// The `webhook-id` of the queued event.
    #[schema(example = "msg_2b8f0e3a6c1d4f5e9a7b0c1d2e3f4a5b")]
    webhook_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct QueuedEnvelope {
    #[schema(example = 202)]
    status_code: u16,
    message: &'static str,
    data: QueuedView,
}

fn queued(message: &'static str, webhook_id: Option<String>) -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(QueuedEnvelope {
            status_code: 202,
            message,
            data: QueuedView { webhook_id },
        }),
    )
        .into_response()
}

#[utoipa::path(post, path = "/api/v2/platform/webhooks/{id}/test/", tag = "v2: webhooks",
    summary = "Queue a `webhook.ping.v1` event for this endpoint (sent like any other, even when disabled it waits)",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id")),
    responses((status = 202, body = QueuedEnvelope), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn test_webhook(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
) -> Result<Response> {
    admin(&caller)?;
    let msg_id = app.send_webhook_ping(&caller.org, id).await?;
    Ok(queued("Ping queued.", Some(msg_id)))
}

#[derive(Serialize, ToSchema)]
#[schema(as = WebhookAttempt)]
struct AttemptView {
    #[schema(example = 1)]
    attempt: i64,
    /// The receiver's HTTP status; null when none came (timeout, refused address…).
    status_code: Option<i64>,
    latency_ms: i64,
    error: Option<String>,
    at: String,
}

impl From<&WebhookAttemptRecord> for AttemptView {
    fn from(a: &WebhookAttemptRecord) -> Self {
        Self {
            attempt: a.attempt,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            error: a.error.clone(),
            at: timestamp(&a.created_at),
        }
    }
}

/// One event's delivery to this endpoint, with every attempt.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookDelivery)]
struct DeliveryView {
    id: i64,
    /// The `webhook-id` (the same on every attempt: dedupe by it).
    webhook_id: String,
    event_type: String,
    /// `pending` (due at `next_attempt_at`), `succeeded` or `failed` (schedule exhausted).
    #[schema(example = "succeeded")]
    status: String,
    attempts_count: i64,
    next_attempt_at: Option<String>,
    created_at: String,
    attempts: Vec<AttemptView>,
}

fn delivery_view(d: &WebhookDeliveryRecord, attempts: &[WebhookAttemptRecord]) -> DeliveryView {
    DeliveryView {
        id: d.id,
        webhook_id: d.msg_id.clone(),
        event_type: d.event_type.clone(),
        status: d.status.clone(),
        attempts_count: d.attempts,
        next_attempt_at: d.next_attempt_at.as_ref().map(timestamp),
        created_at: timestamp(&d.created_at),
        attempts: attempts.iter().map(Into::into).collect(),
    }
}

#[derive(Serialize, ToSchema)]
struct DeliveryList {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Webhook deliveries fetched successfully.")]
    message: &'static str,
    data: Vec<DeliveryView>,
    count: i64,
    #[serde(flatten)]
    paging: Paging,
}

#[utoipa::path(get, path = "/api/v2/platform/webhooks/{id}/deliveries/", tag = "v2: webhooks",
    summary = "The endpoint's deliveries, newest first, with their attempts",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id"), PageParams),
    responses((status = 200, body = DeliveryList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_deliveries(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    WebhookId(id): WebhookId,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    admin(&caller)?;
    let window = Window::of_query(&query)?;
    let (rows, total) = app
        .list_webhook_deliveries(&caller.org, id, (window.number, window.size.min(100)))
        .await?;
    Ok(axum::Json(DeliveryList {
        status_code: 200,
        message: "Webhook deliveries fetched successfully.",
        data: rows.iter().map(|(d, a)| delivery_view(d, a)).collect(),
        count: total,
        paging: window.paging(&format!("{WEBHOOKS}/{id}/deliveries/?"), rows.len(), total),
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v2/platform/webhooks/{id}/deliveries/{delivery_id}/retry/", tag = "v2: webhooks",
    summary = "Send a delivery again now (one more attempt, whatever its status)",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Webhook endpoint id"),
        ("delivery_id" = i64, Path, description = "Delivery id")),
    responses((status = 202, body = QueuedEnvelope), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn retry_delivery(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    DeliveryPath(id, delivery_id): DeliveryPath,
) -> Result<Response> {
    admin(&caller)?;
    app.retry_webhook_delivery(&caller.org, id, delivery_id).await?;
    Ok(queued("Delivery queued.", None))
}

#[derive(Serialize, ToSchema)]
#[schema(as = WebhookEventTypeInfo)]
struct EventTypeView {
    #[schema(example = "configuration.verification_status_changed.v1")]
    r#type: &'static str,
    description: &'static str,
}

#[derive(Serialize, ToSchema)]
struct EventTypeList {
    #[schema(example = 200)]
    status_code: u16,
    message: &'static str,
    data: Vec<EventTypeView>,
    count: i64,
}

#[utoipa::path(get, path = "/api/v2/platform/webhooks/event-types/", tag = "v2: webhooks",
    summary = "Every event type, with what it announces",
    params(OrgHandleHeader),
    responses((status = 200, body = EventTypeList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_event_types(OrgCaller(caller): OrgCaller) -> Result<Response> {
    admin(&caller)?;
    let data: Vec<EventTypeView> = EventType::ALL
        .iter()
        .map(|t| EventTypeView {
            r#type: t.as_str(),
            description: t.description(),
        })
        .collect();
    Ok(axum::Json(EventTypeList {
        status_code: 200,
        message: "Webhook event types fetched successfully.",
        count: data.len() as i64,
        data,
    })
    .into_response())
}

/// What a receiver gets (documentation only): the body of every delivery.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct WebhookEvent {
    /// One of the event types.
    #[schema(example = "configuration.verification_status_changed.v1")]
    r#type: String,
    /// When the change was committed (RFC 3339).
    timestamp: String,
    /// `organization_id`, `resource_type`, `resource_id`, `changed_fields`, `actor`,
    /// `request_id`, and per type: `old_status`, `new_status`, `failing_checks` (verification),
    /// `endpoint` (ping). Never a secret.
    data: serde_json::Value,
}
