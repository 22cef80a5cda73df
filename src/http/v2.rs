//! The providers-configurations API (v2): `Token` auth plus `Org-Handle`, integer ids, every
//! answer wrapped as `{status_code, message, data}`.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::extract::{ConfigId, IfMatch, JsonObject, OrgCaller, QueryMap, TokenCaller};
use super::{AppState, Routes, openapi};
use crate::domain::catalogue::Provider;
use crate::domain::configuration;
use crate::error::{Error, Result};
use crate::service::Verify;
use crate::storage::{ConfigurationKey, ConfigurationRecord, ListQuery, Organization};

const CONFIGS: &str = "/api/v2/platform/telephony/providers-configurations";
const CONFIG: &str = "/api/v2/platform/telephony/providers-configurations/{id}";

/// The v2 routes. (Trailing slashes and the singular `provider-configurations` spelling are
/// mapped onto these before routing: see `canonical_api_path`.)
pub fn routes(routes: Routes) -> Routes {
    routes
        .add(Method::GET, "/api/v2/platform/organizations", list_organizations)
        .add(Method::GET, "/api/v2/platform/telephony/providers", list_providers)
        .add(Method::GET, CONFIGS, list_configurations)
        .add(Method::POST, CONFIGS, create_configuration)
        .add(Method::GET, CONFIG, get_configuration)
        .add(Method::PATCH, CONFIG, patch_configuration)
        .add(Method::DELETE, CONFIG, delete_configuration)
        .add(
            Method::POST,
            "/api/v2/platform/telephony/providers-configurations/{id}/verify",
            verify_configuration,
        )
        .add(Method::GET, "/api/v2/platform/audit-events", list_audit_events)
}

/// Timestamps as the pages show them: ISO 8601, UTC, whole seconds, `Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Serialize)]
struct Envelope<T> {
    status_code: u16,
    message: &'static str,
    data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
}

fn respond<T: Serialize>(status: StatusCode, message: &'static str, data: T) -> Response {
    let body = Envelope {
        status_code: status.as_u16(),
        message,
        data,
        count: None,
        page: None,
        page_size: None,
    };
    (status, axum::Json(body)).into_response()
}

fn respond_list<T: Serialize>(message: &'static str, data: Vec<T>, count: i64, page: Option<Page>) -> Response {
    let body = Envelope {
        status_code: 200,
        message,
        data,
        count: Some(count),
        page: page.map(|p| p.0),
        page_size: page.map(|p| p.1),
    };
    axum::Json(body).into_response()
}

fn with_etag(mut response: Response, version: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&super::etag::format(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

#[derive(Serialize)]
struct OrganizationView<'a> {
    id: i64,
    name: &'a str,
    domain_handle: &'a str,
    created_at: String,
}

impl<'a> From<&'a Organization> for OrganizationView<'a> {
    fn from(o: &'a Organization) -> Self {
        Self {
            id: o.id,
            name: &o.name,
            domain_handle: &o.handle,
            created_at: timestamp(&o.created_at),
        }
    }
}

/// The config object of the pages (`id, provider, account_sid, created_at`) plus Patchbay's
/// additions. Secret fields are not part of it, by construction.
#[derive(Serialize)]
pub struct ConfigurationView<'a> {
    id: i64,
    provider: &'a str,
    account_sid: &'a str,
    created_at: String,
    name: Option<&'a str>,
    updated_at: String,
    verification_status: &'a str,
    last_verified_at: Option<String>,
    verification_details: Option<&'a serde_json::Value>,
    /// The provider's non-secret extra fields (e.g. `space_url`, `host`).
    #[serde(flatten)]
    settings: &'a BTreeMap<String, String>,
}

impl<'a> From<&'a ConfigurationRecord> for ConfigurationView<'a> {
    fn from(r: &'a ConfigurationRecord) -> Self {
        Self {
            id: r.id,
            provider: &r.provider,
            account_sid: &r.account_sid,
            created_at: timestamp(&r.created_at),
            name: r.name.as_deref(),
            updated_at: timestamp(&r.updated_at),
            verification_status: &r.verification_status,
            last_verified_at: r.last_verified_at.as_ref().map(timestamp),
            verification_details: r.verification_details.as_ref().map(|j| &j.0),
            settings: &r.settings.0,
        }
    }
}

#[utoipa::path(get, path = "/api/v2/platform/organizations/", tag = "v2: organizations",
    summary = "The caller's organizations (no Org-Handle needed)",
    responses((status = 200, body = openapi::OrganizationList), (status = 401, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_organizations(TokenCaller(caller): TokenCaller) -> Response {
    let orgs = [OrganizationView::from(&caller.org)];
    respond_list("Organizations fetched successfully", orgs.into(), 1, None)
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers/", tag = "v2: providers",
    summary = "The provider catalogue, with each provider's credential fields",
    params(openapi::OrgHandleHeader),
    responses((status = 200, body = openapi::ProviderList), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_providers(OrgCaller(_): OrgCaller) -> Response {
    let all = Provider::all();
    respond_list(
        "Voice infra providers fetched successfully.",
        all.iter().collect(),
        all.len() as i64,
        None,
    )
}

const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 1000;

/// `(page, page_size)` of a paged list.
type Page = (i64, i64);

/// `?provider=<slug>` and optional `?page=&page_size=`; without paging parameters every row.
fn parse_list_query(q: &BTreeMap<String, String>) -> Result<(Option<&'static str>, Option<Page>)> {
    let mut errors = configuration::FieldErrors::new();
    let provider = q.get("provider").and_then(|slug| match Provider::by_slug(slug) {
        Some(p) => Some(p.slug),
        None => {
            errors.insert(
                "provider".into(),
                vec![format!(
                    "Unknown provider. Valid providers: {}.",
                    Provider::slugs().join(", ")
                )],
            );
            None
        }
    });
    let mut number = |key: &str, default: i64, max: i64| -> i64 {
        match q.get(key).map(|v| v.parse::<i64>()) {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                errors.insert(key.into(), vec![format!("Must be an integer from 1 to {max}.")]);
                default
            }
        }
    };
    let page = number("page", 1, i64::MAX / MAX_PAGE_SIZE);
    let page_size = number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let paged = q.contains_key("page") || q.contains_key("page_size");
    Ok((provider, paged.then_some((page, page_size))))
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers-configurations/", tag = "v2: provider configurations",
    summary = "Get all provider configurations",
    params(openapi::OrgHandleHeader, openapi::ListParams),
    responses((status = 200, body = openapi::ConfigurationList), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_configurations(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (provider, page) = parse_list_query(&query)?;
    let limit_offset = page.map(|(page, size)| (size, (page - 1) * size));
    let (rows, total) = app
        .list_configurations(
            &caller.org,
            ListQuery {
                provider,
                page: limit_offset,
            },
        )
        .await?;
    let data: Vec<ConfigurationView> = rows.iter().map(Into::into).collect();
    Ok(respond_list(
        "Provider configurations fetched successfully.",
        data,
        total,
        page,
    ))
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/providers-configurations/", tag = "v2: provider configurations",
    summary = "Create a provider configuration",
    params(openapi::OrgHandleHeader, openapi::VerifyParam),
    request_body(content = openapi::CreateConfiguration, content_type = "application/json"),
    responses((status = 201, body = openapi::ConfigurationEnvelope), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope),
        (status = 409, body = openapi::ErrorEnvelope), (status = 413, body = openapi::ErrorEnvelope),
        (status = 415, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn create_configuration(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let mode = verify_mode(&query)?;
    let new = configuration::parse_new(&body).map_err(Error::validation)?;
    let record = app.create_configuration(&caller.org, new, mode).await?;
    let response = respond(
        StatusCode::CREATED,
        "Provider configuration created successfully.",
        ConfigurationView::from(&record),
    );
    Ok(with_etag(response, record.version))
}

/// `?verify=false` skips the live carrier check of a write (only writers, i.e. admins, get here).
fn verify_mode(query: &BTreeMap<String, String>) -> Result<Verify> {
    match query.get("verify").map(String::as_str) {
        None | Some("true") | Some("1") => Ok(Verify::Live),
        Some("false") | Some("0") => Ok(Verify::Skip),
        Some(_) => Err(Error::field("verify", "Must be true or false.")),
    }
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/providers-configurations/{id}/verify/", tag = "v2: provider configurations",
    summary = "Verify a configuration's credentials with its carrier now",
    params(openapi::OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    responses((status = 200, body = openapi::ConfigurationEnvelope), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope),
        (status = 404, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn verify_configuration(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
) -> Result<Response> {
    caller.require_write()?;
    let record = app.verify_configuration(&caller.org, ConfigurationKey::Id(id)).await?;
    let response = respond(
        StatusCode::OK,
        "Provider configuration verified.",
        ConfigurationView::from(&record),
    );
    Ok(with_etag(response, record.version))
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Get a provider configuration by id",
    params(openapi::OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    responses((status = 200, body = openapi::ConfigurationEnvelope, headers(("ETag" = String))),
        (status = 400, body = openapi::ErrorEnvelope), (status = 401, body = openapi::ErrorEnvelope),
        (status = 403, body = openapi::ErrorEnvelope), (status = 404, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn get_configuration(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
) -> Result<Response> {
    let record = app.get_configuration(&caller.org, ConfigurationKey::Id(id)).await?;
    let response = respond(
        StatusCode::OK,
        "Provider configuration fetched successfully.",
        ConfigurationView::from(&record),
    );
    Ok(with_etag(response, record.version))
}

#[utoipa::path(patch, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Update a provider configuration (partial; rotates credentials)",
    params(openapi::OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id"),
        openapi::IfMatchHeader, openapi::VerifyParam),
    request_body(content = openapi::PatchConfiguration, content_type = "application/json"),
    responses((status = 200, body = openapi::ConfigurationEnvelope), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope),
        (status = 404, body = openapi::ErrorEnvelope), (status = 409, body = openapi::ErrorEnvelope),
        (status = 412, body = openapi::ErrorEnvelope), (status = 413, body = openapi::ErrorEnvelope),
        (status = 415, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn patch_configuration(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let mode = verify_mode(&query)?;
    let record = app.patch_configuration(&caller.org, id, &body, if_match, mode).await?;
    let response = respond(
        StatusCode::OK,
        "Provider configuration updated successfully.",
        ConfigurationView::from(&record),
    );
    Ok(with_etag(response, record.version))
}

#[utoipa::path(delete, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Delete a provider configuration",
    params(openapi::OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id"), openapi::IfMatchHeader),
    responses((status = 204, description = "Deleted; empty body"), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope),
        (status = 404, body = openapi::ErrorEnvelope), (status = 412, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn delete_configuration(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
    IfMatch(if_match): IfMatch,
) -> Result<StatusCode> {
    caller.require_write()?;
    app.delete_configuration(&caller.org, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct AuditEventView<'a> {
    id: i64,
    action: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
    fields: &'a [String],
    actor: &'a str,
    actor_token_id: Option<i64>,
    request_id: Option<&'a str>,
    created_at: String,
}

fn parse_time(
    query: &BTreeMap<String, String>,
    key: &str,
    errors: &mut configuration::FieldErrors,
) -> Option<DateTime<Utc>> {
    let value = query.get(key)?;
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.insert(
                key.into(),
                vec!["Must be an ISO 8601 date-time, e.g. 2026-02-07T10:00:00Z.".into()],
            );
            None
        }
    }
}

#[utoipa::path(get, path = "/api/v2/platform/audit-events/", tag = "v2: audit",
    summary = "Who changed what in this organization (admin only), newest first",
    params(openapi::OrgHandleHeader, openapi::AuditParams),
    responses((status = 200, body = openapi::AuditEventList), (status = 400, body = openapi::ErrorEnvelope),
        (status = 401, body = openapi::ErrorEnvelope), (status = 403, body = openapi::ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_audit_events(
    axum::extract::State(app): axum::extract::State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    // The audit trail shows who holds which token: not for read-only tokens.
    caller.require_write()?;
    let mut errors = configuration::FieldErrors::new();
    let since = parse_time(&query, "since", &mut errors);
    let until = parse_time(&query, "until", &mut errors);
    let (_, page) = parse_list_query(
        &query
            .iter()
            .filter(|(k, _)| k.starts_with("page"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
    .map_err(|e| match e {
        Error::Validation { errors: more, .. } => {
            errors.extend(more);
            Error::validation(errors.clone())
        }
        other => other,
    })?;
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    let (page_number, size) = page.unwrap_or((1, DEFAULT_PAGE_SIZE));
    let audit_query = crate::storage::AuditQuery {
        resource_type: query.get("resource_type").map(String::as_str),
        resource_id: query.get("resource_id").map(String::as_str),
        since,
        until,
        after_id: None,
        limit: size,
        offset: (page_number - 1) * size,
    };
    let (rows, total) = app.store.list_audit_events(caller.org.id, audit_query).await?;
    let data: Vec<AuditEventView> = rows
        .iter()
        .map(|r| AuditEventView {
            id: r.id,
            action: &r.action,
            resource_type: &r.resource_type,
            resource_id: &r.resource_id,
            fields: &r.fields.0,
            actor: &r.actor,
            actor_token_id: r.actor_token_id,
            request_id: r.request_id.as_deref(),
            created_at: timestamp(&r.created_at),
        })
        .collect();
    Ok(respond_list(
        "Audit events fetched successfully.",
        data,
        total,
        Some((page_number, size)),
    ))
}
