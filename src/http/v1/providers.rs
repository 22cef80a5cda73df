//! Twilio providers: create (verify the credentials, provision a SIP trunk), read, update,
//! rotate the auth token, verify, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse::{
    CreateTwilioProvider, DEFAULT_TAKE, PagingParams, RotateAuthToken, UpdateTwilioProvider, parse_new, parse_paging,
    parse_rotate, parse_update,
};
use super::problem::Problem;
use super::{OptionalOrgHandleHeader, ProviderId, V1Caller, tagged};
use crate::carriers::Check;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::doc::{IfMatchHeader, VerificationStatus};
use crate::http::extract::{IfMatch, JsonObject, QueryMap, force_param};
use crate::http::format::timestamp;
use crate::service::twilio::PROVIDER;
use crate::storage::ConfigurationWithCount;

// Fields in the page's order. Secrets are not part of it by construction.
/// A v1 Twilio provider, fields in the page's order. The auth token is never part of it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TwilioProvider)]
struct ProviderView<'a> {
    /// Display name.
    #[schema(required = true)]
    name: Option<&'a str>,
    #[schema(value_type = TwilioProviderType)]
    provider_type: &'static str,
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: &'a str,
    id: Uuid,
    #[schema(value_type = VerificationStatus)]
    verification_status: &'a str,
    /// When the credentials were last verified; null if never.
    #[schema(required = true, format = DateTime, example = "2023-11-07T05:31:56Z")]
    last_verified_at: Option<String>,
    /// Phone numbers imported to this provider.
    #[schema(minimum = 0)]
    phone_number_count: i64,
    /// The checks of the last verification; null if never verified.
    #[schema(required = true)]
    verification_details: Option<Vec<CheckView>>,
    /// The Elastic SIP Trunk Patchbay created (null for a configuration created through v2).
    #[schema(required = true, example = "TKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    trunk_sid: Option<&'a str>,
    #[schema(
        required = true,
        example = "sip:pb-3c90c3cc-0d44-4b50-8888-8dd25736052a.pstn.twilio.com"
    )]
    termination_uri: Option<&'a str>,
    #[schema(required = true, example = "us1")]
    region: Option<&'a str>,
    supports_call_transfer: bool,
}

/// One check of a v1 verification.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TwilioCheck)]
struct CheckView {
    #[schema(example = "credentials_valid")]
    check_name: String,
    message: String,
    #[schema(value_type = CheckStatus)]
    status: crate::carriers::CheckStatus,
    /// ISO 8601, UTC.
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    timestamp: String,
    /// Check-specific facts (an object; empty when there are none).
    details: Value,
}

fn check_views(details: Option<&Value>) -> Option<Vec<CheckView>> {
    let checks: Vec<Check> = serde_json::from_value(details?.clone()).ok()?;
    Some(
        checks
            .into_iter()
            .map(|c| CheckView {
                check_name: c.check_name,
                message: c.message,
                status: c.status,
                timestamp: timestamp(&c.timestamp),
                details: c.details,
            })
            .collect(),
    )
}

impl<'a> From<&'a ConfigurationWithCount> for ProviderView<'a> {
    fn from(p: &'a ConfigurationWithCount) -> Self {
        let r = &p.record;
        Self {
            name: r.name.as_deref(),
            provider_type: PROVIDER,
            account_sid: &r.account_sid,
            id: r.uuid,
            verification_status: r.verification_status.as_str(),
            last_verified_at: r.last_verified_at.as_ref().map(timestamp),
            phone_number_count: p.phone_number_count,
            verification_details: check_views(r.verification_details.as_ref().map(|j| &j.0)),
            trunk_sid: r.trunk_sid.as_deref(),
            termination_uri: r.termination_uri.as_deref(),
            region: r.region.as_deref(),
            supports_call_transfer: r.supports_call_transfer,
        }
    }
}

/// A provider answer, with its version as the `ETag` to send back in `If-Match`.
fn provider_response(status: StatusCode, p: &ConfigurationWithCount) -> Response {
    tagged(status, ProviderView::from(p), p.record.version)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TwilioProviderList)]
struct ProviderList<'a> {
    items: Vec<ProviderView<'a>>,
    /// All of the organization's Twilio providers (not just this page).
    #[schema(minimum = 0)]
    total_count: i64,
    skip: i64,
    take: i64,
}

#[utoipa::path(get, path = "/api/v1/providers", tag = "v1: Twilio providers",
    summary = "List the organization's Twilio providers",
    params(OptionalOrgHandleHeader, PagingParams),
    responses((status = 200, description = "A page of providers", body = ProviderList),
        (status = 400, description = "Bad `skip` or `take`, or a malformed query string", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn list_providers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (skip, take) = parse_paging(&query, DEFAULT_TAKE)?;
    let (rows, total_count) = app.list_twilio_providers(caller.org.id, skip, take).await?;
    Ok(axum::Json(ProviderList {
        items: rows.iter().map(ProviderView::from).collect(),
        total_count,
        skip,
        take,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/providers/twilio", tag = "v1: Twilio providers",
    summary = "Create a Twilio provider (verifies the credentials, provisions a SIP trunk)",
    params(OptionalOrgHandleHeader),
    request_body(content = CreateTwilioProvider, content_type = "application/json"),
    responses((status = 201, description = "Created", body = ProviderView),
        (status = 400, description = "Invalid input, credentials Twilio refused (`errors.authToken`), or an unusable account", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A Twilio provider for this account already exists", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was created", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn create_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let new = parse_new(&body)?;
    let provider = app.create_twilio_provider(caller.org.id, new).await?;
    Ok(provider_response(StatusCode::CREATED, &provider))
}

#[utoipa::path(get, path = "/api/v1/providers/{id}", tag = "v1: Twilio providers",
    summary = "Get a provider",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The provider", body = ProviderView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn get_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
) -> Result<Response> {
    let provider = app.get_twilio_provider(caller.org.id, id).await?;
    Ok(provider_response(StatusCode::OK, &provider))
}

#[utoipa::path(get, path = "/api/v1/providers/twilio/{id}", tag = "v1: Twilio providers",
    summary = "Get a Twilio provider",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The provider", body = ProviderView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn get_twilio_provider(state: State<AppState>, caller: V1Caller, id: ProviderId) -> Result<Response> {
    get_provider(state, caller, id).await
}

#[utoipa::path(put, path = "/api/v1/providers/twilio/{id}", tag = "v1: Twilio providers",
    summary = "Update Twilio provider",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), IfMatchHeader),
    request_body(content = UpdateTwilioProvider, content_type = "application/json"),
    // The example is the "Update Twilio provider" page's, its placeholders filled in.
    responses((status = 200, description = "Twilio provider updated successfully", body = ProviderView, example = json!({
            "name": "Support line", "providerType": "twilio", "accountSid": "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "verificationStatus": "verified",
            "lastVerifiedAt": "2023-11-07T05:31:56Z", "phoneNumberCount": 123,
            "verificationDetails": [{"checkName": "credentials", "message": "Twilio accepted the credentials.",
                "status": "passed", "timestamp": "2023-11-07T05:31:56Z", "details": {}}],
            "trunkSid": "TKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "terminationUri": "sip:pb-3c90c3cc-0d44-4b50-8888-8dd25736052a.pstn.twilio.com",
            "region": "ie1", "supportsCallTransfer": true})),
        (status = 400, description = "Invalid input (credentials cannot be changed here), or Twilio refused the trunk update", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider is being changed concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn update_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    // A stranger's id is a 404 before any body problem is reported.
    app.get_twilio_provider(caller.org.id, id).await?;
    let update = parse_update(&body)?;
    let provider = app.update_twilio_provider(caller.org.id, id, update, if_match).await?;
    Ok(provider_response(StatusCode::OK, &provider))
}

#[utoipa::path(patch, path = "/api/v1/providers/twilio/{id}/auth-token", tag = "v1: Twilio providers",
    summary = "Rotate the auth token (Twilio must accept the new one)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), IfMatchHeader),
    request_body(content = RotateAuthToken, content_type = "application/json"),
    responses((status = 200, description = "Rotated; the provider with its fresh verification", body = ProviderView),
        (status = 400, description = "Invalid input, or Twilio refused the token (`errors.authToken`); the stored token stays", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider is being changed concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn rotate_auth_token(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    app.get_twilio_provider(caller.org.id, id).await?;
    let token = parse_rotate(&body)?;
    let provider = app.rotate_twilio_auth_token(caller.org.id, id, token, if_match).await?;
    Ok(provider_response(StatusCode::OK, &provider))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TwilioVerification)]
struct VerifyView {
    #[schema(value_type = VerificationStatus)]
    status: String,
    checks: Vec<CheckView>,
    #[schema(required = true, format = DateTime)]
    last_verified_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/providers/{id}/verify", tag = "v1: Twilio providers",
    summary = "Verify a provider with Twilio now (credentials, account, trunk, numbers)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The verification, also stored on the provider", body = VerifyView),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn verify_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
) -> Result<Response> {
    caller.require_write()?;
    let provider = app.verify_twilio_provider(caller.org.id, id).await?;
    let r = &provider.record;
    Ok(axum::Json(VerifyView {
        status: r.verification_status.as_str().to_owned(),
        checks: check_views(r.verification_details.as_ref().map(|j| &j.0)).unwrap_or_default(),
        last_verified_at: r.last_verified_at.as_ref().map(timestamp),
    })
    .into_response())
}

#[utoipa::path(delete, path = "/api/v1/providers/{id}", tag = "v1: Twilio providers",
    summary = "Delete a provider (tears down its SIP trunk at Twilio)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), IfMatchHeader,
        ("force" = Option<bool>, Query, description = "`true`: take its numbers off bridges first; and if Twilio cannot be cleaned up (e.g. the stored credentials are dead), delete the provider and its secrets here anyway (the audit event `provider.force_deleted` lists what was left in the Twilio account)")),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Its numbers are connected to bridges (and `force` is not `true`); nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let force = force_param(&query)?;
    // Checked before the trunk is torn down at Twilio, which cannot be undone.
    let current = app.get_twilio_provider(caller.org.id, id).await?.record;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(Error::PreconditionFailed);
    }
    app.delete_twilio_provider(caller.org.id, id, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/providers/twilio/{id}", tag = "v1: Twilio providers",
    summary = "Delete a Twilio provider (tears down its SIP trunk at Twilio)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), IfMatchHeader,
        ("force" = Option<bool>, Query, description = "`true`: take its numbers off bridges first; and if Twilio cannot be cleaned up (e.g. the stored credentials are dead), delete the provider and its secrets here anyway (the audit event `provider.force_deleted` lists what was left in the Twilio account)")),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Its numbers are connected to bridges (and `force` is not `true`); nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_twilio_provider(
    state: State<AppState>,
    caller: V1Caller,
    id: ProviderId,
    if_match: IfMatch,
    query: QueryMap,
) -> Result<StatusCode> {
    delete_provider(state, caller, id, if_match, query).await
}

// ---- documentation-only: the fixed strings the views carry ---------------------------------------

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwilioProviderType {
    Twilio,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Warning,
    Failed,
    Skipped,
}
