//! The v1 Twilio provider API family (`/api/v1/providers…`): Bearer (or Token) auth with an
//! optional `Org-Handle`, uuid ids, camelCase bodies as the pages show them, and RFC 7807
//! problem details for every error (see [`problem`]). The orchestration lives in
//! `crate::twilio_provider`; this module parses, checks and renders.

mod problem;

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::extract::{IfMatch, JsonObject, QueryMap, TokenCaller};
use super::v2::timestamp;
use super::{AppState, Routes, openapi};
use crate::carriers::Check;
use crate::domain::configuration::{FieldErrors, NAME_MAX};
use crate::error::{Error, Result};
use crate::service::Caller;
use crate::service::phone_numbers::{AvailableNumber, PHONE_NUMBER_NOT_FOUND};
use crate::service::twilio::{
    DEFAULT_REGION, NewTwilioProvider, PROVIDER, PROVIDER_NOT_FOUND, REGIONS, TwilioProviderUpdate,
};
use crate::storage::ConfigurationWithCount;

/// The media type of every v1 error.
pub(super) const PROBLEM_CONTENT_TYPE: &str = problem::CONTENT_TYPE;

const PROVIDERS: &str = "/providers";
const TWILIO: &str = "/providers/twilio";
const PROVIDER_ANY: &str = "/providers/{id}";
const PROVIDER_TWILIO: &str = "/providers/twilio/{id}";

/// The v1 routes, nested at `/api/v1` with their own 404/405 fallbacks and the RFC 7807 layer.
pub fn routes(routes: Routes) -> Routes {
    let v1 = Routes::new()
        .add(Method::GET, PROVIDERS, list_providers)
        .add(Method::POST, TWILIO, create_provider)
        .add(Method::GET, PROVIDER_ANY, get_provider)
        .add(Method::DELETE, PROVIDER_ANY, delete_provider)
        .add(Method::GET, PROVIDER_TWILIO, get_twilio_provider)
        .add(Method::PUT, PROVIDER_TWILIO, update_provider)
        .add(Method::DELETE, PROVIDER_TWILIO, delete_twilio_provider)
        .add(Method::PATCH, "/providers/twilio/{id}/auth-token", rotate_auth_token)
        .add(Method::POST, "/providers/{id}/verify", verify_provider)
        .add(
            Method::GET,
            "/providers/twilio/{id}/available-numbers",
            available_numbers,
        )
        .add(Method::POST, "/providers/twilio/{id}/import-numbers", import_numbers)
        .add(
            Method::DELETE,
            "/providers/twilio/{id}/phone-numbers/{phone_number_id}",
            delete_phone_number,
        );
    routes.nest("/api/v1", v1, |router| {
        // Own fallbacks, so unknown paths and methods under /api/v1 pass the problem layer too.
        router
            .fallback(|| async { Error::NotFound("Not found.") })
            .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
            .layer(middleware::from_fn(problem::layer))
    })
}

/// For the answers given outside the v1 router (throttling, a passed deadline): RFC 7807 on
/// `/api/v1` paths too. Answers the v1 layer already rendered pass unchanged.
pub async fn problem_outside(req: axum::extract::Request, next: middleware::Next) -> Response {
    let path = req.uri().path();
    if path == "/api/v1" || path.starts_with("/api/v1/") {
        problem::layer(req, next).await
    } else {
        next.run(req).await
    }
}

/// The caller: a valid token; `Org-Handle` is optional but, if sent, must be the token's org.
pub(super) struct V1Caller(Caller);

impl FromRequestParts<AppState> for V1Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let TokenCaller(caller) = TokenCaller::from_request_parts(parts, state).await?;
        if let Some(handle) = parts.headers.get("org-handle")
            && handle.as_bytes() != caller.org.handle.as_bytes()
        {
            return Err(Error::OrgForbidden);
        }
        Ok(Self(caller))
    }
}

/// A uuid path segment; anything else is the same 404 as an unknown id.
fn parse_id(raw: &str, not_found: &'static str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound(not_found))
}

pub(super) struct ProviderId(Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ProviderId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(PROVIDER_NOT_FOUND))?;
        parse_id(&raw, PROVIDER_NOT_FOUND).map(Self)
    }
}

// ---- views --------------------------------------------------------------------------------

/// The provider object, fields in the page's order. Secrets are not part of it by construction.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderView<'a> {
    name: Option<&'a str>,
    provider_type: &'static str,
    account_sid: &'a str,
    id: Uuid,
    verification_status: &'a str,
    last_verified_at: Option<String>,
    phone_number_count: i64,
    verification_details: Option<Vec<CheckView>>,
    trunk_sid: Option<&'a str>,
    termination_uri: Option<&'a str>,
    region: Option<&'a str>,
    supports_call_transfer: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckView {
    check_name: String,
    message: String,
    status: crate::carriers::CheckStatus,
    timestamp: String,
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
            verification_status: &r.verification_status,
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
    let mut response = (status, axum::Json(ProviderView::from(p))).into_response();
    if let Ok(etag) = axum::http::HeaderValue::from_str(&super::etag::format(p.record.version)) {
        response.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    response
}

// ---- body parsing -------------------------------------------------------------------------

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

fn reject_unknown(errors: &mut FieldErrors, body: &Map<String, Value>, known: &[&str]) {
    for key in body.keys().filter(|k| !known.contains(&k.as_str())) {
        push(errors, key, "Unknown field.");
    }
}

fn done<T>(errors: FieldErrors, value: T) -> Result<T> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(Error::Validation {
            message: "One or more validation errors occurred.".into(),
            errors,
        })
    }
}

/// A present, non-null value of `field` (`null` counts as not sent, as the pages' DTOs do).
fn present<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    body.get(field).filter(|v| !v.is_null())
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn parse_account_sid(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "accountSid") {
        None => push(errors, "accountSid", "The accountSid field is required."),
        Some(Value::String(s)) if s.len() == 34 && s.starts_with("AC") && is_lower_hex(&s[2..]) => {
            return Some(s.clone());
        }
        Some(_) => push(
            errors,
            "accountSid",
            "Must match ^AC[a-f0-9]{32}$ (AC followed by 32 lower-case hex digits).",
        ),
    }
    None
}

/// Never echoes the value: it is a secret.
fn parse_auth_token(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<SecretString> {
    match present(body, "authToken") {
        None => push(errors, "authToken", "The authToken field is required."),
        Some(Value::String(s)) if s.len() == 32 && is_lower_hex(s) => return Some(SecretString::from(s.clone())),
        Some(_) => push(
            errors,
            "authToken",
            "Must be 32 lower-case hex digits (^[a-f0-9]{32}$).",
        ),
    }
    None
}

fn parse_name(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "name")? {
        Value::String(s) if s.trim().is_empty() => push(errors, "name", "May not be blank."),
        Value::String(s) if s.chars().count() > NAME_MAX => push(
            errors,
            "name",
            format!("The field name must be a string with a maximum length of {NAME_MAX}."),
        ),
        Value::String(s) if s.chars().any(char::is_control) => {
            push(errors, "name", "May not contain control characters.")
        }
        Value::String(s) => return Some(s.clone()),
        _ => push(errors, "name", "Must be a string."),
    }
    None
}

fn parse_region(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "region")? {
        Value::String(s) if REGIONS.contains(&s.as_str()) => return Some(s.clone()),
        _ => push(errors, "region", format!("Must be one of: {}.", REGIONS.join(", "))),
    }
    None
}

fn parse_transfer(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<bool> {
    match present(body, "supportsCallTransfer")? {
        Value::Bool(b) => return Some(*b),
        _ => push(errors, "supportsCallTransfer", "Must be true or false."),
    }
    None
}

fn parse_new(body: &Map<String, Value>) -> Result<NewTwilioProvider> {
    let mut errors = FieldErrors::new();
    reject_unknown(
        &mut errors,
        body,
        &["accountSid", "authToken", "name", "region", "supportsCallTransfer"],
    );
    let account_sid = parse_account_sid(&mut errors, body);
    let auth_token = parse_auth_token(&mut errors, body);
    let name = parse_name(&mut errors, body);
    let region = parse_region(&mut errors, body);
    let supports_call_transfer = parse_transfer(&mut errors, body);
    done(errors, ())?;
    match (account_sid, auth_token) {
        (Some(account_sid), Some(auth_token)) => Ok(NewTwilioProvider {
            account_sid,
            auth_token,
            name,
            region: region.unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            supports_call_transfer: supports_call_transfer.unwrap_or(false),
        }),
        _ => Err(Error::BadRequest("accountSid and authToken are required.".into())),
    }
}

fn parse_update(body: &Map<String, Value>) -> Result<TwilioProviderUpdate> {
    let mut errors = FieldErrors::new();
    if body.contains_key("authToken") {
        push(
            &mut errors,
            "authToken",
            "The auth token cannot be changed here: rotate it with PATCH /api/v1/providers/twilio/{id}/auth-token.",
        );
    }
    if body.contains_key("accountSid") {
        push(
            &mut errors,
            "accountSid",
            "The Account SID cannot be changed: create a new provider with the new credentials, import the \
             phone numbers to it, then delete this one.",
        );
    }
    let known = ["name", "region", "supportsCallTransfer", "authToken", "accountSid"];
    reject_unknown(&mut errors, body, &known);
    let update = TwilioProviderUpdate {
        name: parse_name(&mut errors, body),
        region: parse_region(&mut errors, body),
        supports_call_transfer: parse_transfer(&mut errors, body),
    };
    done(errors, update)
}

const MAX_IMPORT: usize = 1000;

fn parse_import(body: &Map<String, Value>) -> Result<Vec<String>> {
    let mut errors = FieldErrors::new();
    reject_unknown(&mut errors, body, &["phoneNumberSids"]);
    let mut sids = Vec::new();
    match present(body, "phoneNumberSids") {
        None => push(&mut errors, "phoneNumberSids", "The phoneNumberSids field is required."),
        Some(Value::Array(items)) if items.is_empty() || items.len() > MAX_IMPORT => push(
            &mut errors,
            "phoneNumberSids",
            format!("Must list 1 to {MAX_IMPORT} phone number SIDs."),
        ),
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => sids.push(s.clone()),
                    _ => {
                        push(&mut errors, "phoneNumberSids", "Every item must be a string.");
                        break;
                    }
                }
            }
        }
        Some(_) => push(&mut errors, "phoneNumberSids", "Must be an array of strings."),
    }
    done(errors, sids)
}

const DEFAULT_TAKE: i64 = 50;
const MAX_TAKE: i64 = 1000;

fn parse_paging(q: &std::collections::BTreeMap<String, String>) -> Result<(i64, i64)> {
    let mut errors = FieldErrors::new();
    let mut number = |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| -> i64 {
        match q.get(key).map(|v| v.parse::<i64>()) {
            None => default,
            Some(Ok(n)) if range.contains(&n) => n,
            Some(_) => {
                push(
                    &mut errors,
                    key,
                    format!("Must be an integer from {} to {}.", range.start(), range.end()),
                );
                default
            }
        }
    };
    let skip = number("skip", 0, 0..=i64::from(i32::MAX));
    let take = number("take", DEFAULT_TAKE, 1..=MAX_TAKE);
    done(errors, (skip, take))
}

// ---- handlers -----------------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListView<T> {
    items: Vec<T>,
    total_count: i64,
    skip: i64,
    take: i64,
}

#[utoipa::path(get, path = "/api/v1/providers", tag = "v1: Twilio providers",
    summary = "List the organization's Twilio providers",
    params(openapi::OptionalOrgHandleHeader, openapi::PagingParams),
    responses((status = 200, description = "A page of providers", body = openapi::TwilioProviderList),
        (status = 400, description = "Bad `skip` or `take`, or a malformed query string", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn list_providers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (skip, take) = parse_paging(&query)?;
    let (rows, total_count) = app.list_twilio_providers(caller.org.id, skip, take).await?;
    Ok(axum::Json(ListView {
        items: rows.iter().map(ProviderView::from).collect(),
        total_count,
        skip,
        take,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/providers/twilio", tag = "v1: Twilio providers",
    summary = "Create a Twilio provider (verifies the credentials, provisions a SIP trunk)",
    params(openapi::OptionalOrgHandleHeader),
    request_body(content = openapi::CreateTwilioProvider, content_type = "application/json"),
    responses((status = 201, description = "Created", body = openapi::TwilioProvider),
        (status = 400, description = "Invalid input, credentials Twilio refused (`errors.authToken`), or an unusable account", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A Twilio provider for this account already exists", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was created", body = openapi::Problem, content_type = "application/problem+json")),
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
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The provider", body = openapi::TwilioProvider),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json")),
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
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The provider", body = openapi::TwilioProvider),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn get_twilio_provider(state: State<AppState>, caller: V1Caller, id: ProviderId) -> Result<Response> {
    get_provider(state, caller, id).await
}

#[utoipa::path(put, path = "/api/v1/providers/twilio/{id}", tag = "v1: Twilio providers",
    summary = "Update Twilio provider",
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), openapi::IfMatchHeader),
    request_body(content = openapi::UpdateTwilioProvider, content_type = "application/json"),
    responses((status = 200, description = "Twilio provider updated successfully", body = openapi::TwilioProvider),
        (status = 400, description = "Invalid input (credentials cannot be changed here), or Twilio refused the trunk update", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider is being changed concurrently", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
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
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), openapi::IfMatchHeader),
    request_body(content = openapi::RotateAuthToken, content_type = "application/json"),
    responses((status = 200, description = "Rotated; the provider with its fresh verification", body = openapi::TwilioProvider),
        (status = 400, description = "Invalid input, or Twilio refused the token (`errors.authToken`); the stored token stays", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The provider is being changed concurrently", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
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
    let mut errors = FieldErrors::new();
    reject_unknown(&mut errors, &body, &["authToken"]);
    let token = parse_auth_token(&mut errors, &body);
    let token = done(errors, token)?.ok_or_else(|| Error::BadRequest("authToken is required.".into()))?;
    let provider = app.rotate_twilio_auth_token(caller.org.id, id, token, if_match).await?;
    Ok(provider_response(StatusCode::OK, &provider))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyView {
    status: String,
    checks: Vec<CheckView>,
    last_verified_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/providers/{id}/verify", tag = "v1: Twilio providers",
    summary = "Verify a provider with Twilio now (credentials, account, trunk, numbers)",
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The verification, also stored on the provider", body = openapi::TwilioVerification),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json")),
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
        status: r.verification_status.clone(),
        checks: check_views(r.verification_details.as_ref().map(|j| &j.0)).unwrap_or_default(),
        last_verified_at: r.last_verified_at.as_ref().map(timestamp),
    })
    .into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AvailableNumberView {
    phone_number_sid: String,
    phone_number: Option<String>,
    friendly_name: Option<String>,
    capabilities: Option<Value>,
    /// The trunk the number is on at Twilio, if any (this provider's or another).
    trunk_sid: Option<String>,
    is_imported: bool,
    /// The id to delete it with, when imported.
    phone_number_id: Option<Uuid>,
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
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    responses((status = 200, description = "The account's incoming phone numbers", body = openapi::AvailableNumberList),
        (status = 400, description = "Twilio refused the stored credentials", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn available_numbers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
) -> Result<Response> {
    let numbers = app.available_twilio_numbers(caller.org.id, id).await?;
    let items: Vec<AvailableNumberView> = numbers.into_iter().map(Into::into).collect();
    let total_count = items.len() as i64;
    Ok(axum::Json(serde_json::json!({"items": items, "totalCount": total_count})).into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImportError {
    phone_number_sid: String,
    error_message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImportView {
    success_count: usize,
    failed_count: usize,
    errors: Vec<ImportError>,
}

#[utoipa::path(post, path = "/api/v1/providers/twilio/{id}/import-numbers", tag = "v1: Twilio providers",
    summary = "Import phone numbers onto the provider's SIP trunk",
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier")),
    request_body(content = openapi::ImportPhoneNumbers, content_type = "application/json"),
    responses((status = 200, description = "Per-number outcome: the numbers that could not be imported are listed in `errors`", body = openapi::ImportResult),
        (status = 400, description = "Invalid input, or the provider has no SIP trunk (created through v2)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json")),
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
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), ("phone_number_id" = uuid::Uuid, Path, description = "Imported phone number id (`phoneNumberId` in available-numbers)")),
    responses((status = 204, description = "Removed; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider or imported phone number", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_phone_number(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path((id, number_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    caller.require_write()?;
    let id = parse_id(&id, PROVIDER_NOT_FOUND)?;
    let number_id = parse_id(&number_id, PHONE_NUMBER_NOT_FOUND)?;
    app.delete_twilio_number(caller.org.id, id, number_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/providers/{id}", tag = "v1: Twilio providers",
    summary = "Delete a provider (tears down its SIP trunk at Twilio)",
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), openapi::IfMatchHeader),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_provider(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    ProviderId(id): ProviderId,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode> {
    caller.require_write()?;
    // Checked before the trunk is torn down at Twilio, which cannot be undone.
    let current = app.get_twilio_provider(caller.org.id, id).await?.record;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(Error::PreconditionFailed);
    }
    app.delete_twilio_provider(caller.org.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/providers/twilio/{id}", tag = "v1: Twilio providers",
    summary = "Delete a Twilio provider (tears down its SIP trunk at Twilio)",
    params(openapi::OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Provider identifier"), openapi::IfMatchHeader),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "Twilio refused the stored credentials", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider in the organization (or not a uuid)", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = openapi::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = openapi::Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_twilio_provider(
    state: State<AppState>,
    caller: V1Caller,
    id: ProviderId,
    if_match: IfMatch,
) -> Result<StatusCode> {
    delete_provider(state, caller, id, if_match).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn field_errors(e: Error) -> FieldErrors {
        match e {
            Error::Validation { errors, .. } => errors,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn create_body_names_every_bad_field() {
        let e = parse_new(&obj(json!({
            "accountSid": "AC0123", "authToken": "XYZ", "name": "x".repeat(101),
            "region": "mars1", "supportsCallTransfer": "yes", "authTokn": "t"
        })))
        .unwrap_err();
        let errors = field_errors(e);
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "accountSid",
                "authToken",
                "authTokn",
                "name",
                "region",
                "supportsCallTransfer"
            ]
        );
        assert!(!format!("{errors:?}").contains("XYZ"), "the token is not echoed");
    }

    #[test]
    fn create_body_defaults() {
        let new = parse_new(&obj(json!({
            "accountSid": format!("AC{}", "ab".repeat(16)), "authToken": "0f".repeat(16)
        })))
        .unwrap();
        assert_eq!(new.region, "us1");
        assert!(!new.supports_call_transfer);
        assert!(new.name.is_none());
        assert!(!format!("{new:?}").contains(&"0f".repeat(16)));
    }

    #[test]
    fn update_refuses_credentials() {
        let errors = field_errors(parse_update(&obj(json!({"accountSid": "AC1", "authToken": "t"}))).unwrap_err());
        assert!(errors["authToken"][0].contains("auth-token"));
        assert!(errors["accountSid"][0].contains("new provider"));
        let ok = parse_update(&obj(json!({"name": null, "region": "ie1"}))).unwrap();
        assert_eq!((ok.name, ok.region.as_deref()), (None, Some("ie1")));
    }

    #[test]
    fn paging_bounds() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(parse_paging(&q(&[])).unwrap(), (0, 50));
        assert_eq!(parse_paging(&q(&[("skip", "5"), ("take", "1000")])).unwrap(), (5, 1000));
        assert!(parse_paging(&q(&[("take", "1001")])).is_err());
        assert!(parse_paging(&q(&[("skip", "-1")])).is_err());
    }

    /// Arbitrary JSON values, a few levels deep.
    use crate::carriers::twilio::is_sid;
    use crate::service::twilio::REGIONS;

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "\\PC{0,40}".prop_map(Value::String),
            "[0-9a-f]{32}".prop_map(Value::String),
            "AC[0-9a-f]{32}".prop_map(Value::String),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn any_body() -> impl proptest::strategy::Strategy<Value = Map<String, Value>> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("accountSid".to_owned()),
            Just("authToken".to_owned()),
            Just("name".to_owned()),
            Just("region".to_owned()),
            Just("supportsCallTransfer".to_owned()),
            Just("phoneNumberSids".to_owned()),
            "[a-zA-Z]{1,16}",
        ];
        proptest::collection::btree_map(key, any_json(), 0..6).prop_map(|m| m.into_iter().collect())
    }

    proptest::proptest! {
        /// Whatever a client sends, the v1 parsers answer a value or a client error: no panic,
        /// no 5xx, and anything accepted is well-formed.
        #[test]
        fn parsers_accept_only_well_formed_bodies(body in any_body()) {
            match parse_new(&body) {
                Ok(new) => {
                    proptest::prop_assert!(is_sid(&new.account_sid, "AC"));
                    proptest::prop_assert!(REGIONS.contains(&new.region.as_str()));
                }
                Err(e) => proptest::prop_assert!((400..500).contains(&e.status())),
            }
            if let Err(e) = parse_update(&body) {
                proptest::prop_assert!((400..500).contains(&e.status()));
            }
            match parse_import(&body) {
                Ok(sids) => proptest::prop_assert!(sids.len() <= 1000),
                Err(e) => proptest::prop_assert!((400..500).contains(&e.status())),
            }
        }
    }
}
