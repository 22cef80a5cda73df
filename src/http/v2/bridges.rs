//! Bridges: create, list, get by slug, rename, delete, and connect or disconnect a provider
//! configuration's number. Each page's object first, in its order, then Patchbay's additions.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::configurations::{PageParams, Paging, Window};
use super::numbers::NumberStatusDoc;
use super::{ErrorEnvelope, OrgHandleHeader, with_etag};
use crate::domain::bridge::{self, ASSIGNED, BridgeSlug, NumberStatus};
use crate::domain::verification::VerificationStatus;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::doc::{ForceParam, IfMatchHeader};
use crate::http::extract::{IfMatch, JsonObject, OrgCaller, QueryMap, force_param};
use crate::http::format::timestamp;
use crate::service::bridges::{Bridge, CONNECT_FAILED, CREATE_FAILED, DISCONNECT_FAILED, path_slug};
use crate::storage::BridgeNumberRecord;

/// A bridge slug from the path (`{slug}`); one that cannot be a slug is a 404.
pub(super) struct SlugPath(BridgeSlug);

impl<S: Send + Sync> FromRequestParts<S> for SlugPath {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(crate::service::bridges::BRIDGE_NOT_FOUND))?;
        path_slug(&raw).map(Self)
    }
}

fn number_status(n: &BridgeNumberRecord) -> NumberStatus {
    NumberStatus::of(true, n.verification_status == VerificationStatus::Failed)
}

/// A number on a bridge, as the list and update pages show it.
#[derive(Serialize, ToSchema)]
#[schema(as = BridgeNumber)]
struct BridgeNumberView<'a> {
    /// The number's assignment to this bridge.
    #[schema(example = 501)]
    id: i64,
    #[schema(example = "+1234567890")]
    number: &'a str,
    #[schema(value_type = NumberStatusDoc)]
    status: &'static str,
}

impl<'a> From<&'a BridgeNumberRecord> for BridgeNumberView<'a> {
    fn from(n: &'a BridgeNumberRecord) -> Self {
        Self {
            id: n.id,
            number: n.phone_number.as_str(),
            status: number_status(n).as_str(),
        }
    }
}

/// A number on a bridge, as get-bridge-by-slug shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = BridgeNumberDetail)]
struct BridgeNumberDetailView<'a> {
    /// The number's assignment to this bridge.
    #[schema(example = 501)]
    id: i64,
    /// The number's id (in `numbers/`).
    #[schema(example = 25)]
    number_id: i64,
    #[schema(example = "+1234567890")]
    number: &'a str,
    /// Always `ASSIGNED`: a disconnected number leaves the bridge's list.
    #[schema(example = "ASSIGNED")]
    state: &'static str,
    /// Whether `status` is `active`.
    active: bool,
    /// Calls in progress on the number; Patchbay carries no calls, so 0.
    #[schema(example = 0)]
    channels_count: i64,
    #[schema(value_type = NumberStatusDoc)]
    status: &'static str,
}

impl<'a> From<&'a BridgeNumberRecord> for BridgeNumberDetailView<'a> {
    fn from(n: &'a BridgeNumberRecord) -> Self {
        let status = number_status(n);
        Self {
            id: n.id,
            number_id: n.number_id,
            number: n.phone_number.as_str(),
            state: ASSIGNED,
            active: status == NumberStatus::Active,
            channels_count: 0,
            status: status.as_str(),
        }
    }
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[schema(as = BridgeState, rename_all = "UPPERCASE")]
enum BridgeStateDoc {
    Draft,
    Active,
}

/// The bridge object of create-bridge.
#[derive(Serialize, ToSchema)]
#[schema(as = CreatedBridge)]
struct CreatedBridgeView<'a> {
    #[schema(example = 314)]
    id: i64,
    #[schema(example = "Sales Bridge")]
    name: &'a str,
    #[schema(example = "sales-bridge-001")]
    slug: &'a str,
    /// ISO 8601, UTC.
    #[schema(example = "2026-02-07T10:00:00Z")]
    created_at: String,
    /// The connected provider's slug; null for a draft.
    provider: Option<&'a str>,
    /// `DRAFT` (no provider, no number) or `ACTIVE` (a provider's numbers connected).
    #[schema(value_type = BridgeStateDoc)]
    state: &'static str,
}

/// The bridge object of get-all-bridges (and update-bridge, which has no `provider` on its page).
#[derive(Serialize, ToSchema)]
#[schema(as = Bridge)]
struct BridgeView<'a> {
    #[schema(example = 314)]
    id: i64,
    #[schema(example = "Sales Bridge")]
    name: &'a str,
    #[schema(example = "sales-bridge-001")]
    slug: &'a str,
    /// The connected provider's slug; null for a draft.
    #[schema(example = "twilio")]
    provider: Option<&'a str>,
    numbers: Vec<BridgeNumberView<'a>>,
    #[schema(value_type = BridgeStateDoc)]
    state: &'static str,
    created_at: String,
}

/// The bridge object of get-bridge-by-slug.
#[derive(Serialize, ToSchema)]
#[schema(as = BridgeDetail)]
struct BridgeDetailView<'a> {
    #[schema(example = 314)]
    id: i64,
    #[schema(example = "Sales Bridge")]
    name: &'a str,
    #[schema(example = "sales-bridge-001")]
    slug: &'a str,
    numbers: Vec<BridgeNumberDetailView<'a>>,
    provider: Option<&'a str>,
    #[schema(value_type = BridgeStateDoc)]
    state: &'static str,
    created_at: String,
}

impl<'a> From<&'a Bridge> for BridgeView<'a> {
    fn from(b: &'a Bridge) -> Self {
        Self {
            id: b.record.id,
            name: &b.record.name,
            slug: b.record.slug.as_str(),
            provider: b.provider(),
            numbers: b.numbers.iter().map(Into::into).collect(),
            state: b.state().as_str(),
            created_at: timestamp(&b.record.created_at),
        }
    }
}

impl<'a> From<&'a Bridge> for BridgeDetailView<'a> {
    fn from(b: &'a Bridge) -> Self {
        Self {
            id: b.record.id,
            name: &b.record.name,
            slug: b.record.slug.as_str(),
            numbers: b.numbers.iter().map(Into::into).collect(),
            provider: b.provider(),
            state: b.state().as_str(),
            created_at: timestamp(&b.record.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Envelope<T: ToSchema> {
    #[schema(example = 200)]
    status_code: u16,
    message: &'static str,
    data: T,
}

/// One bridge in the envelope, with its version as the `ETag`.
fn respond<T: Serialize + ToSchema>(status: StatusCode, message: &'static str, data: T, version: i64) -> Response {
    let body = Envelope {
        status_code: status.as_u16(),
        message,
        data,
    };
    with_etag((status, axum::Json(body)).into_response(), version)
}

#[derive(Serialize, ToSchema)]
struct BridgeList<'a> {
    /// All of the organization's bridges (not just this page).
    #[schema(minimum = 0)]
    count: i64,
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Bridges fetched successfully.")]
    message: &'static str,
    data: Vec<BridgeView<'a>>,
    #[serde(flatten)]
    paging: Paging,
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/bridges/", tag = "v2: numbers and bridges",
    summary = "Create bridge",
    params(OrgHandleHeader),
    request_body(content = CreateBridge, content_type = "application/json"),
    responses((status = 201, body = Envelope<CreatedBridgeView>, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 409, description = "The organization has a bridge with this slug", body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn create_bridge(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let new = bridge::parse_new_bridge(&body).map_err(|errors| Error::Validation {
        message: CREATE_FAILED.into(),
        errors,
    })?;
    let b = app.create_bridge(&caller.org, new).await?;
    let view = CreatedBridgeView {
        id: b.record.id,
        name: &b.record.name,
        slug: b.record.slug.as_str(),
        created_at: timestamp(&b.record.created_at),
        provider: b.provider(),
        state: b.state().as_str(),
    };
    Ok(respond(
        StatusCode::CREATED,
        "Bridge created successfully.",
        view,
        b.record.version,
    ))
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/bridges/", tag = "v2: numbers and bridges",
    summary = "Get all bridges",
    params(OrgHandleHeader, PageParams),
    responses((status = 200, body = BridgeList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_bridges(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let window = Window::of_query(&query)?;
    let (bridges, total) = app.list_bridges(&caller.org, window.size, window.offset()).await?;
    Ok(axum::Json(BridgeList {
        count: total,
        status_code: 200,
        message: "Bridges fetched successfully.",
        data: bridges.iter().map(Into::into).collect(),
        paging: window.paging("/api/v2/platform/telephony/bridges/?", bridges.len(), total),
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/bridges/{slug}/", tag = "v2: numbers and bridges",
    summary = "Get bridge by slug",
    params(OrgHandleHeader, ("slug" = String, Path, description = "Bridge slug")),
    responses((status = 200, body = Envelope<BridgeDetailView>, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn get_bridge(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    SlugPath(slug): SlugPath,
) -> Result<Response> {
    let b = app.get_bridge(&caller.org, slug.as_str()).await?;
    Ok(respond(
        StatusCode::OK,
        "Bridge fetched successfully.",
        BridgeDetailView::from(&b),
        b.record.version,
    ))
}

#[utoipa::path(patch, path = "/api/v2/platform/telephony/bridges/{slug}/", tag = "v2: numbers and bridges",
    summary = "Update bridge (its name; the slug never changes)",
    params(OrgHandleHeader, ("slug" = String, Path, description = "Bridge slug"), IfMatchHeader),
    request_body(content = UpdateBridge, content_type = "application/json"),
    responses((status = 200, body = Envelope<BridgeView>, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn patch_bridge(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    SlugPath(slug): SlugPath,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let b = app.patch_bridge(&caller.org, slug.as_str(), &body, if_match).await?;
    Ok(respond(
        StatusCode::OK,
        "Bridge updated successfully.",
        BridgeView::from(&b),
        b.record.version,
    ))
}

#[utoipa::path(delete, path = "/api/v2/platform/telephony/bridges/{slug}/", tag = "v2: numbers and bridges",
    summary = "Delete bridge",
    description = "A bridge that still has numbers is refused with 409 naming them, unless `?force=true`, which disconnects them in the same transaction.",
    params(OrgHandleHeader, ("slug" = String, Path, description = "Bridge slug"), IfMatchHeader, ForceParam),
    responses((status = 204, description = "Deleted; empty body"), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn delete_bridge(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    SlugPath(slug): SlugPath,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let force = force_param(&query)?;
    app.delete_bridge(&caller.org, slug.as_str(), if_match, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// connect-provider's `data`.
#[derive(Serialize, ToSchema)]
struct ConnectedView<'a> {
    #[schema(example = "Provider connected successfully")]
    message: &'static str,
    #[schema(example = "sales-bridge-001")]
    bridge_slug: &'a str,
    #[schema(example = "+1234567890")]
    phone_number: &'a str,
    /// The connected provider's slug.
    provider: Option<&'a str>,
    #[schema(value_type = BridgeStateDoc)]
    state: &'static str,
}

/// disconnect-provider's `data`.
#[derive(Serialize, ToSchema)]
struct DisconnectedView<'a> {
    #[schema(example = "Provider disconnected successfully")]
    message: &'static str,
    #[schema(example = "sales-bridge-001")]
    bridge_slug: &'a str,
    /// The number taken off the bridge.
    #[schema(example = "+1234567890")]
    phone_number: &'a str,
    /// `DRAFT` once its last number is off.
    #[schema(value_type = BridgeStateDoc)]
    state: &'static str,
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/bridges/{slug}/connect-provider/", tag = "v2: numbers and bridges",
    summary = "Connect provider to bridge (assigns one of the configuration's numbers)",
    description = "The configuration must be the organization's and the number one of that configuration's (400 otherwise, naming the field). A number is on at most one bridge, and a bridge's numbers belong to one configuration (409 otherwise). Connecting a number that is on this bridge already changes nothing.",
    params(OrgHandleHeader, ("slug" = String, Path, description = "Bridge slug"), IfMatchHeader),
    request_body(content = ConnectProvider, content_type = "application/json"),
    responses((status = 200, body = Envelope<ConnectedView>, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn connect_provider(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    SlugPath(slug): SlugPath,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let (config_id, number) = bridge::parse_connect(&body).map_err(|errors| Error::Validation {
        message: CONNECT_FAILED.into(),
        errors,
    })?;
    let b = app
        .connect_provider(&caller.org, slug.as_str(), config_id, &number, if_match)
        .await?;
    let view = ConnectedView {
        message: "Provider connected successfully",
        bridge_slug: b.record.slug.as_str(),
        phone_number: number.as_str(),
        provider: b.provider(),
        state: b.state().as_str(),
    };
    Ok(respond(
        StatusCode::OK,
        "Provider connected to bridge successfully.",
        view,
        b.record.version,
    ))
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/bridges/{slug}/disconnect-provider/", tag = "v2: numbers and bridges",
    summary = "Disconnect provider from bridge (takes the number off it)",
    params(OrgHandleHeader, ("slug" = String, Path, description = "Bridge slug"), IfMatchHeader),
    request_body(content = DisconnectProvider, content_type = "application/json"),
    responses((status = 200, body = Envelope<DisconnectedView>, headers(("ETag" = String))),
        (status = 400, description = "Invalid input, or the number is not on this bridge", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 412, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn disconnect_provider(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    SlugPath(slug): SlugPath,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let number = bridge::parse_disconnect(&body).map_err(|errors| Error::Validation {
        message: DISCONNECT_FAILED.into(),
        errors,
    })?;
    let b = app
        .disconnect_provider(&caller.org, slug.as_str(), &number, if_match)
        .await?;
    let view = DisconnectedView {
        message: "Provider disconnected successfully",
        bridge_slug: b.record.slug.as_str(),
        phone_number: number.as_str(),
        state: b.state().as_str(),
    };
    Ok(respond(
        StatusCode::OK,
        "Provider disconnected from bridge successfully.",
        view,
        b.record.version,
    ))
}

// ---- documentation-only: what the handlers parse from raw maps ----------------------------

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBridge {
    /// Display name, at most 100 characters; not blank, no control characters.
    #[schema(
        example = "Sales Bridge",
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
    /// Letters, digits, `-` and `_`, starting with a letter or digit; unique in the organization.
    #[schema(example = "sales-bridge-001", pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
    slug: String,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBridge {
    /// Not blank, no control characters, at most 100 characters.
    #[schema(
        example = "Sales Bridge — Updated",
        nullable = false,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectProvider {
    #[schema(example = 42)]
    provider_config_id: i64,
    /// E.164; a number of that configuration.
    #[schema(example = "+1234567890", pattern = r"^\+[1-9][0-9]{1,14}$")]
    phone_number: String,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisconnectProvider {
    /// E.164.
    #[schema(example = "+1234567890", pattern = r"^\+[1-9][0-9]{1,14}$")]
    phone_number: String,
}
