//! The audit trail of an organization.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::configurations::{DEFAULT_PAGE_SIZE, parse_list_query};
use super::{ErrorEnvelope, OrgHandleHeader};
use crate::domain::configuration;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::extract::{OrgCaller, QueryMap};
use crate::http::format::timestamp;

/// One change: who, what, which fields (never values), when.
#[derive(Serialize, ToSchema)]
#[schema(as = AuditEvent)]
struct AuditEventView<'a> {
    id: i64,
    #[schema(example = "configuration.updated")]
    action: &'a str,
    #[schema(example = "configuration")]
    resource_type: &'a str,
    resource_id: &'a str,
    /// Names of the fields that changed; secrets appear by name only (`auth_token`). For
    /// `provider.force_deleted`: what was left in the Twilio account (`twilio_trunk:TK…`,
    /// `twilio_credential_list:CL…`, `twilio_phone_number:PN…`).
    #[schema(value_type = Vec<String>, example = json!(["auth_token"]))]
    fields: &'a [String],
    /// `token:<id>` or `cli`.
    actor: &'a str,
    actor_token_id: Option<i64>,
    request_id: Option<&'a str>,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
struct AuditEventList<'a> {
    status_code: u16,
    #[schema(example = "Audit events fetched successfully.")]
    message: &'static str,
    data: Vec<AuditEventView<'a>>,
    count: i64,
    page: Option<i64>,
    page_size: Option<i64>,
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
    params(OrgHandleHeader, AuditParams),
    responses((status = 200, body = AuditEventList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_audit_events(
    State(app): State<AppState>,
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
    let (rows, total) = app.list_audit_events(&caller, audit_query).await?;
    let data = rows
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
    Ok(axum::Json(AuditEventList {
        status_code: 200,
        message: "Audit events fetched successfully.",
        data,
        count: total,
        page: Some(page_number),
        page_size: Some(size),
    })
    .into_response())
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only events about this kind of resource (`configuration`, `twilio_provider`, `phone_number`, `api_token`, `organization`).
    /// No NUL characters (a 400, as in every query parameter).
    #[param(pattern = r"^[^\u0000]*$")]
    resource_type: Option<String>,
    /// Only events about this resource (a configuration's uuid, a token's id…). No NUL characters.
    #[param(pattern = r"^[^\u0000]*$")]
    resource_id: Option<String>,
    /// Only events at or after this time (ISO 8601).
    since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events at or before this time (ISO 8601).
    until: Option<chrono::DateTime<chrono::Utc>>,
    #[param(minimum = 1, maximum = 9_223_372_036_854_775_i64)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
}
