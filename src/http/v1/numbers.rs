//! The phone numbers of a Twilio provider's account: list them, import them onto the
//! provider's SIP trunk, remove an imported one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse::{ImportPhoneNumbers, parse_import};
use super::problem::Problem;
use super::{OptionalOrgHandleHeader, ProviderId, V1Caller, parse_id};
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{JsonObject, QueryMap, force_param};
use crate::service::phone_numbers::{AvailableNumber, PHONE_NUMBER_NOT_FOUND};
use crate::service::twilio::PROVIDER_NOT_FOUND;

/// An incoming phone number of the Twilio account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AvailableNumber)]
struct AvailableNumberView {
    #[schema(example = "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    phone_number_sid: String,
    #[schema(required = true, example = "+14155550100")]
    phone_number: Option<String>,
    #[schema(required = true)]
    friendly_name: Option<String>,
    /// Twilio's capabilities object (voice, sms, mms, …).
    #[schema(required = true)]
    capabilities: Option<Value>,
    /// The trunk the number is on at Twilio, if any (this provider's or another).
    #[schema(required = true)]
    trunk_sid: Option<String>,
    is_imported: bool,
    /// The id to delete it with, when imported.
    #[schema(required = true)]
    phone_number_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AvailableNumberList {
    items: Vec<AvailableNumberView>,
    #[schema(minimum = 0)]
    total_count: i64,
}

impl From<AvailableNumber> for AvailableNumberView {
    fn from(a: AvailableNumber) -> Self {
        Self {
            phone_number_sid: a.number.sid,
            phone_number: a.number.phone_number,
            friendly_name: a.number.friendly_name,
            capabilities: a.number.capabilities,
            trunk_sid: a.number.trunk_sid,
            is_imported: a.imported_id.is_some(),
            phone_number_id: a.imported_id,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/providers/twilio/{id}/available-numbers", tag = "v1: Twilio providers",
    summary = "The Twilio account's phone numbers, and which are imported",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The account's incoming phone numbers", body = AvailableNumberList),
        (status = 400, description = "Twilio refused the stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn available_numbers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
) -> Result<Response> {
    let numbers = app.available_twilio_numbers(caller.org.id, id).await?;
    let items: Vec<AvailableNumberView> = numbers.into_iter().map(Into::into).collect();
    let total_count = items.len() as i64;
    Ok(axum::Json(AvailableNumberList { items, total_count }).into_response())
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ImportFailure)]
struct ImportError {
    phone_number_sid: String,
    error_message: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ImportResult)]
struct ImportView {
    #[schema(value_type = i64, minimum = 0)]
    success_count: usize,
    #[schema(value_type = i64, minimum = 0)]
    failed_count: usize,
    errors: Vec<ImportError>,
}

#[utoipa::path(post, path = "/api/v1/providers/twilio/{id}/import-numbers", tag = "v1: Twilio providers",
    summary = "Import phone numbers onto the provider's SIP trunk",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    request_body(content = ImportPhoneNumbers, content_type = "application/json"),
    responses((status = 200, description = "Per-number outcome: the numbers that could not be imported are listed in `errors` (those not started because the request deadline was near with a message beginning `Not attempted`: send them again)", body = ImportView),
        (status = 400, description = "Invalid input, or the provider has no SIP trunk (created through v2)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn import_numbers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    app.get_twilio_provider(caller.org.id, id).await?;
    let sids = parse_import(&body)?;
    let outcome = app.import_twilio_numbers(caller.org.id, id, &sids).await?;
    Ok(axum::Json(ImportView {
        success_count: outcome.imported.len(),
        failed_count: outcome.failed.len(),
        errors: outcome
            .failed
            .into_iter()
            .map(|(phone_number_sid, error_message)| ImportError {
                phone_number_sid,
                error_message,
            })
            .collect(),
    })
    .into_response())
}

#[utoipa::path(delete, path = "/api/v1/providers/twilio/{id}/phone-numbers/{phone_number_id}", tag = "v1: Twilio providers",
    summary = "Remove an imported phone number (detaches it from the trunk)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), ("phone_number_id" = uuid::Uuid, Path, description = "Imported phone number id (`phoneNumberId` in available-numbers)"),
        ("force" = Option<bool>, Query, description = "`true` removes it even when it is on a bridge or agents are linked to it (disconnecting and unlinking them) instead of answering 409")),
    responses((status = 204, description = "Removed; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider or imported phone number", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number is connected to a bridge, or agents are linked to it (named in `errors.affectedAgents`), and `force` is not `true`; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_phone_number(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path((id, number_id)): Path<(String, String)>,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let force = force_param(&query)?;
    let id = parse_id(&id, PROVIDER_NOT_FOUND)?;
    let number_id = parse_id(&number_id, PHONE_NUMBER_NOT_FOUND)?;
    app.delete_twilio_number(caller.org.id, id, number_id, force).await?;
    Ok(StatusCode::NO_CONTENT)
}
