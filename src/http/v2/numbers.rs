//! Numbers: the organization's phone numbers with their provider and bridge; adding one to a
//! SIP configuration; a carrier account's numbers and importing them; deleting one.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::configurations::{PageParams, Paging, Window};
use super::{ErrorEnvelope, OrgHandleHeader, with_etag};
use crate::domain::bridge::{self, NumberStatus};
use crate::domain::verification::VerificationStatus;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::doc::{ForceParam, IfMatchHeader};
use crate::http::extract::{ConfigId, IfMatch, JsonObject, OrgCaller, QueryMap, force_param};
use crate::http::format::timestamp;
use crate::service::numbers::{AvailableNumber, CREATE_FAILED, Imported, NUMBER_NOT_FOUND};
use crate::storage::NumberListing;

/// A number of the organization (the numbers page's object, then Patchbay's additions).
#[derive(Serialize, ToSchema)]
#[schema(as = Number)]
pub(super) struct NumberView<'a> {
    #[schema(example = 501)]
    id: i64,
    /// E.164.
    #[schema(example = "+1234567890")]
    number: &'a str,
    /// The slug of the provider of the configuration the number belongs to.
    #[schema(example = "twilio")]
    provider: &'a str,
    /// The bridge the number is connected to; null when unassigned.
    #[schema(example = "sales-bridge-001")]
    bridge_slug: Option<&'a str>,
    /// `active` when the number is on a bridge and its configuration's credentials have not
    /// failed verification; `inactive` otherwise.
    #[schema(value_type = NumberStatusDoc)]
    status: &'static str,
    /// The configuration the number belongs to (`provider_config_id` of connect-provider).
    #[schema(example = 42)]
    provider_config_id: i64,
    /// ISO 8601, UTC.
    created_at: String,
}

impl<'a> From<&'a NumberListing> for NumberView<'a> {
    fn from(n: &'a NumberListing) -> Self {
        Self {
            id: n.number.id,
            number: n.number.phone_number.as_str(),
            provider: &n.provider,
            bridge_slug: n.bridge_slug.as_deref(),
            status: NumberStatus::of(
                n.bridge_slug.is_some(),
                n.verification_status == VerificationStatus::Failed,
            )
            .as_str(),
            provider_config_id: n.number.configuration_id,
            created_at: timestamp(&n.number.created_at),
        }
    }
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[schema(as = NumberStatus, rename_all = "lowercase")]
pub(super) enum NumberStatusDoc {
    Active,
    Inactive,
}

#[derive(Serialize, ToSchema)]
struct NumberList<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Numbers fetched successfully.")]
    message: &'static str,
    data: Vec<NumberView<'a>>,
    /// All of the organization's numbers (not just this page).
    #[schema(minimum = 0)]
    count: i64,
    #[serde(flatten)]
    paging: Paging,
}

#[derive(Serialize, ToSchema)]
struct NumberEnvelope<'a> {
    #[schema(example = 201)]
    status_code: u16,
    #[schema(example = "Number created successfully.")]
    message: &'static str,
    data: NumberView<'a>,
}

fn respond(status: StatusCode, message: &'static str, n: &NumberListing) -> Response {
    let body = NumberEnvelope {
        status_code: status.as_u16(),
        message,
        data: NumberView::from(n),
    };
    with_etag((status, axum::Json(body)).into_response(), n.number.version)
}

/// A number id from the path: anything but a positive integer is the same 404 as an unknown id.
pub(super) struct NumberId(i64);

impl<S: Send + Sync> FromRequestParts<S> for NumberId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(NUMBER_NOT_FOUND))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or(Error::NotFound(NUMBER_NOT_FOUND))
    }
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/numbers/", tag = "v2: numbers and bridges",
    summary = "Get telephony numbers",
    params(OrgHandleHeader, PageParams),
    responses((status = 200, body = NumberList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_numbers(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let window = Window::of_query(&query)?;
    let (numbers, total) = app.list_numbers(&caller.org, window.size, window.offset()).await?;
    Ok(axum::Json(NumberList {
        status_code: 200,
        message: "Numbers fetched successfully.",
        data: numbers.iter().map(Into::into).collect(),
        count: total,
        paging: window.paging("/api/v2/platform/telephony/numbers/?", numbers.len(), total),
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/numbers/", tag = "v2: numbers and bridges",
    summary = "Add a number to a sip configuration",
    description = "Numbers of carrier accounts are imported from the account (`providers-configurations/{id}/import-numbers/`); a `sip` configuration has no carrier to ask, so its numbers are added here. A number is stored once across all organizations.",
    params(OrgHandleHeader),
    request_body(content = CreateNumber, content_type = "application/json"),
    responses((status = 201, body = NumberEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn create_number(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let (config_id, number) = bridge::parse_new_number(&body).map_err(|errors| Error::Validation {
        message: CREATE_FAILED.into(),
        errors,
    })?;
    let created = app.add_number(&caller.org, config_id, number).await?;
    Ok(respond(StatusCode::CREATED, "Number created successfully.", &created))
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/numbers/{id}/", tag = "v2: numbers and bridges",
    summary = "Get a number by id",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Number id")),
    responses((status = 200, body = NumberEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn get_number(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    NumberId(id): NumberId,
) -> Result<Response> {
    let number = app.get_number(&caller.org, id).await?;
    Ok(respond(StatusCode::OK, "Number fetched successfully.", &number))
}

#[utoipa::path(delete, path = "/api/v2/platform/telephony/numbers/{id}/", tag = "v2: numbers and bridges",
    summary = "Release a number",
    description = "A number connected to a bridge is refused with 409 naming the bridge, unless `?force=true`, which disconnects it first. A number on a v1 provider's SIP trunk is detached from the trunk at Twilio.",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Number id"), IfMatchHeader, ForceParam),
    responses((status = 204, description = "Deleted; empty body"), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn delete_number(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    NumberId(id): NumberId,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let force = force_param(&query)?;
    app.delete_number(&caller.org, id, if_match, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- a configuration's carrier account ----------------------------------------------------

/// A number of the configuration's carrier account.
#[derive(Serialize, ToSchema)]
#[schema(as = AccountNumber)]
struct AvailableNumberView {
    /// E.164, as the carrier reports it.
    #[schema(example = "+14155550100")]
    number: String,
    /// The carrier's id of the number, where it has one (Twilio `PN…`, Telnyx id, …).
    sid: Option<String>,
    friendly_name: Option<String>,
    /// Whether the number is imported to this configuration.
    is_imported: bool,
    /// Its id in `numbers/` when imported.
    number_id: Option<i64>,
}

impl From<AvailableNumber> for AvailableNumberView {
    fn from(a: AvailableNumber) -> Self {
        Self {
            number: a.number.phone_number,
            sid: a.number.sid,
            friendly_name: a.number.friendly_name,
            is_imported: a.imported_id.is_some(),
            number_id: a.imported_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = AccountNumberList)]
struct AvailableNumberList {
    #[schema(minimum = 0)]
    count: i64,
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Available numbers fetched successfully.")]
    message: &'static str,
    data: Vec<AvailableNumberView>,
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers-configurations/{id}/available-numbers/", tag = "v2: numbers and bridges",
    summary = "The numbers in the configuration's carrier account, and which are imported",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    responses((status = 200, body = AvailableNumberList),
        (status = 400, description = "A sip configuration, or the carrier refused the stored credentials", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 503, description = "The carrier could not be reached", body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn available_numbers(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
) -> Result<Response> {
    let numbers = app.available_numbers(&caller.org, id).await?;
    let data: Vec<AvailableNumberView> = numbers.into_iter().map(Into::into).collect();
    Ok(axum::Json(AvailableNumberList {
        count: data.len() as i64,
        status_code: 200,
        message: "Available numbers fetched successfully.",
        data,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
struct ImportFailureView {
    /// The number as it was sent.
    number: String,
    error_message: String,
}

#[derive(Serialize, ToSchema)]
struct ImportResultView<'a> {
    #[schema(value_type = i64, minimum = 0)]
    success_count: usize,
    #[schema(value_type = i64, minimum = 0)]
    failed_count: usize,
    imported: Vec<NumberView<'a>>,
    failed: Vec<ImportFailureView>,
}

#[derive(Serialize, ToSchema)]
struct ImportEnvelope<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Numbers imported.")]
    message: &'static str,
    data: ImportResultView<'a>,
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/providers-configurations/{id}/import-numbers/", tag = "v2: numbers and bridges",
    summary = "Import numbers of the configuration's carrier account",
    description = "Each number is checked against the account; each one that cannot be imported is listed in `failed` with the reason (the answer is 200 either way). Numbers not started because the request deadline was near are listed with a reason beginning `Not attempted`: nothing was done for them; send them again.",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    request_body(content = ImportNumbers, content_type = "application/json"),
    responses((status = 200, body = ImportEnvelope), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope), (status = 503, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn import_numbers(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    // An unknown configuration is a 404 before the body is judged, as for the other endpoints.
    app.get_configuration(&caller.org, crate::storage::ConfigurationKey::Id(id))
        .await?;
    let wanted = bridge::parse_import(&body).map_err(Error::validation)?;
    let Imported { imported, failed } = app.import_numbers(&caller.org, id, &wanted).await?;
    Ok(axum::Json(ImportEnvelope {
        status_code: 200,
        message: "Numbers imported.",
        data: ImportResultView {
            success_count: imported.len(),
            failed_count: failed.len(),
            imported: imported.iter().map(Into::into).collect(),
            failed: failed
                .into_iter()
                .map(|(number, error_message)| ImportFailureView { number, error_message })
                .collect(),
        },
    })
    .into_response())
}

// ---- documentation-only: what the handlers parse from raw maps ----------------------------

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNumber {
    /// The id of a `sip` provider configuration of the organization.
    #[schema(example = 42)]
    provider_config_id: i64,
    /// E.164.
    #[schema(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    number: String,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportNumbers {
    /// E.164 numbers of the account.
    #[schema(min_items = 1, max_items = 1000, example = json!(["+14155550100"]))]
    numbers: Vec<String>,
}
