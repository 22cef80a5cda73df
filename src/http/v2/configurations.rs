//! Provider configurations: an organization's carrier credentials.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{ErrorEnvelope, OrgHandleHeader, with_etag};
use crate::domain::catalogue::Provider;
use crate::domain::configuration;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::doc::{IfMatchHeader, VerificationStatus};
use crate::http::extract::{ConfigId, IfMatch, JsonObject, OrgCaller, QueryMap};
use crate::http::format::timestamp;
use crate::service::Verify;
use crate::storage::{ConfigurationKey, ConfigurationRecord, ListQuery};

// The config object of the pages (`id, provider, account_sid, created_at`) plus Patchbay's
// additions. Secret fields are not part of it, by construction.
/// A provider configuration. The provider's non-secret extra fields (e.g. `space_url`, `host`,
/// `port`) appear beside these; secrets never do.
#[derive(Serialize, ToSchema)]
#[schema(as = ProviderConfiguration)]
pub struct ConfigurationView<'a> {
    #[schema(example = 42)]
    id: i64,
    #[schema(value_type = ProviderSlug, example = "twilio")]
    provider: &'a str,
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: &'a str,
    /// ISO 8601, UTC.
    #[schema(format = DateTime, example = "2026-02-07T10:00:00Z")]
    created_at: String,
    // Always sent (null when unset): required and nullable.
    #[schema(required = true)]
    name: Option<&'a str>,
    #[schema(format = DateTime)]
    updated_at: String,
    #[schema(value_type = VerificationStatus)]
    verification_status: &'a str,
    #[schema(required = true, format = DateTime)]
    last_verified_at: Option<String>,
    #[schema(required = true, value_type = Option<Vec<VerificationCheck>>)]
    verification_details: Option<&'a serde_json::Value>,
    // The provider's non-secret extra fields (e.g. `space_url`, `host`): described in the
    // object's description, as their names vary by provider.
    #[serde(flatten)]
    #[schema(ignore)]
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
            verification_status: r.verification_status.as_str(),
            last_verified_at: r.last_verified_at.as_ref().map(timestamp),
            verification_details: r.verification_details.as_ref().map(|j| &j.0),
            settings: &r.settings.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct ConfigurationEnvelope<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Provider configuration fetched successfully.")]
    message: &'static str,
    data: ConfigurationView<'a>,
}

/// One configuration in the envelope, with its version as the `ETag`.
fn envelope<'a>(
    status: StatusCode,
    message: &'static str,
    record: &'a ConfigurationRecord,
) -> ConfigurationEnvelope<'a> {
    ConfigurationEnvelope {
        status_code: status.as_u16(),
        message,
        data: ConfigurationView::from(record),
    }
}

fn respond(status: StatusCode, message: &'static str, record: &ConfigurationRecord) -> Response {
    with_etag(
        (status, axum::Json(envelope(status, message, record))).into_response(),
        record.version,
    )
}

#[derive(Serialize, ToSchema)]
struct ConfigurationList<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Provider configurations fetched successfully.")]
    message: &'static str,
    data: Vec<ConfigurationView<'a>>,
    /// All matching rows (not just this page).
    count: i64,
    #[serde(flatten)]
    paging: Paging,
}

/// Where a list's page is: `page` and `page_size` as asked, `next` when more rows follow.
#[derive(Serialize, ToSchema)]
pub(super) struct Paging {
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_size: Option<i64>,
    /// Present when more rows follow: the path and query of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/api/v2/platform/telephony/numbers/?page=2&page_size=1000")]
    next: Option<String>,
}

/// Rows a list without paging parameters returns at most (the first page of this size): far
/// above what an organization's console shows, and never the whole table in memory.
pub(super) const UNPAGED_LIMIT: i64 = MAX_PAGE_SIZE;

pub(super) const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 1000;

/// `(page, page_size)` of a paged list.
pub(super) type Page = (i64, i64);

/// The rows a list answers: the page asked for, or without paging parameters the first
/// [`UNPAGED_LIMIT`] rows (the numbers, bridges and configurations lists alike).
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub number: i64,
    pub size: i64,
    /// The `(page, page_size)` sent, if any.
    asked: Option<Page>,
}

impl Window {
    pub fn of(asked: Option<Page>) -> Self {
        let (number, size) = asked.unwrap_or((1, UNPAGED_LIMIT));
        Self { number, size, asked }
    }

    /// The window of a list that takes only `?page=&page_size=`.
    pub fn of_query(q: &BTreeMap<String, String>) -> Result<Self> {
        Ok(Self::of(parse_page_query(q)?))
    }

    /// The paging members of the answer: `base` is the list's path and query, ending in `?`
    /// or `&`; `shown` the rows of this page, `total` all of them.
    pub fn paging(self, base: &str, shown: usize, total: i64) -> Paging {
        Paging {
            page: self.asked.map(|p| p.0),
            page_size: self.asked.map(|p| p.1),
            next: self.next(base, shown, total),
        }
    }

    /// Whether `?page=&page_size=` were sent (the answer then echoes them).
    pub fn is_paged(self) -> bool {
        self.asked.is_some()
    }

    pub fn offset(self) -> i64 {
        (self.number - 1) * self.size
    }

    fn next(self, base: &str, shown: usize, total: i64) -> Option<String> {
        (self.offset() + (shown as i64) < total)
            .then(|| format!("{base}page={}&page_size={}", self.number + 1, self.size))
    }
}

/// Only `?page=&page_size=` of a list's query (a list without other filters).
fn parse_page_query(q: &BTreeMap<String, String>) -> Result<Option<Page>> {
    let paging = q
        .iter()
        .filter(|(k, _)| k.starts_with("page"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(parse_list_query(&paging)?.1)
}

/// `?provider=<slug>` and optional `?page=&page_size=`; without paging parameters every row.
pub(super) fn parse_list_query(q: &BTreeMap<String, String>) -> Result<(Option<&'static str>, Option<Page>)> {
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
    params(OrgHandleHeader, ListParams),
    // The example is the "Get All Providers" page's, plus the members Patchbay adds.
    responses((status = 200, body = ConfigurationList, example = json!({"status_code": 200, "message": "Provider configurations fetched successfully.", "data": [{"id": 42, "provider": "twilio", "account_sid": "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "created_at": "2026-02-07T10:00:00Z", "name": null, "updated_at": "2026-02-07T10:00:00Z", "verification_status": "verified", "last_verified_at": "2026-02-07T10:00:00Z", "verification_details": null}, {"id": 43, "provider": "plivo", "account_sid": "MAyyyyyyyyyyyyyyyyyyyyyyy", "created_at": "2026-02-10T09:00:00Z", "name": null, "updated_at": "2026-02-10T09:00:00Z", "verification_status": "verified", "last_verified_at": "2026-02-10T09:00:00Z", "verification_details": null}], "count": 2})),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_configurations(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (provider, page) = parse_list_query(&query)?;
    let window = Window::of(page);
    let page = app
        .read_configurations(
            &caller.org,
            ListQuery {
                provider,
                page: Some((window.size, window.offset())),
            },
        )
        .await?;
    // The cached page is keyed by rows (provider, limit, offset); what else the answer says
    // depends only on whether paging was asked for: both variants are kept with it.
    let body = page.rendered(usize::from(window.is_paged()), |(rows, total)| {
        let filter = provider.map(|p| format!("provider={p}&")).unwrap_or_default();
        let paging = window.paging(
            &format!("/api/v2/platform/telephony/providers-configurations/?{filter}"),
            rows.len(),
            *total,
        );
        super::render_json(&ConfigurationList {
            status_code: 200,
            message: "Provider configurations fetched successfully.",
            data: rows.iter().map(Into::into).collect(),
            count: *total,
            paging,
        })
    });
    Ok(super::rendered_json(StatusCode::OK, body))
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/providers-configurations/", tag = "v2: provider configurations",
    summary = "Create a provider configuration",
    params(OrgHandleHeader, VerifyParam),
    request_body(content = CreateConfiguration, content_type = "application/json"),
    // The example is the "Create Provider" page's, plus the members Patchbay adds.
    responses((status = 201, body = ConfigurationEnvelope, example = json!({"status_code": 201, "message": "Provider configuration created successfully.", "data": {"id": 42, "provider": "twilio", "account_sid": "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "created_at": "2026-02-07T10:00:00Z", "name": null, "updated_at": "2026-02-07T10:00:00Z", "verification_status": "verified", "last_verified_at": "2026-02-07T10:00:00Z", "verification_details": null}})),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn create_configuration(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    QueryMap(query): QueryMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let mode = verify_mode(&query)?;
    let new = configuration::parse_new(&body).map_err(Error::validation)?;
    let record = app.create_configuration(&caller.org, new, mode).await?;
    Ok(respond(
        StatusCode::CREATED,
        "Provider configuration created successfully.",
        &record,
    ))
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
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    responses((status = 200, body = ConfigurationEnvelope), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn verify_configuration(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
) -> Result<Response> {
    caller.require_write()?;
    let record = app.verify_configuration(&caller.org, ConfigurationKey::Id(id)).await?;
    Ok(respond(StatusCode::OK, "Provider configuration verified.", &record))
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Get a provider configuration by id",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id")),
    responses((status = 200, body = ConfigurationEnvelope, headers(("ETag" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn get_configuration(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
) -> Result<Response> {
    let record = app.read_configuration(&caller.org, id).await?;
    let body = record.rendered(0, |record| {
        super::render_json(&envelope(
            StatusCode::OK,
            "Provider configuration fetched successfully.",
            record,
        ))
    });
    Ok(with_etag(super::rendered_json(StatusCode::OK, body), record.version))
}

#[utoipa::path(patch, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Update a provider configuration (partial; rotates credentials)",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id"),
        IfMatchHeader, VerifyParam),
    request_body(content = PatchConfiguration, content_type = "application/json"),
    // The example is the "Update Provider" page's, plus the members Patchbay adds.
    responses((status = 200, body = ConfigurationEnvelope, example = json!({"status_code": 200, "message": "Provider configuration updated successfully.", "data": {"id": 42, "provider": "twilio", "account_sid": "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "created_at": "2026-02-07T10:00:00Z", "name": null, "updated_at": "2026-02-07T10:00:00Z", "verification_status": "verified", "last_verified_at": "2026-02-07T10:00:00Z", "verification_details": null}})),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn patch_configuration(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let mode = verify_mode(&query)?;
    let record = app.patch_configuration(&caller.org, id, &body, if_match, mode).await?;
    Ok(respond(
        StatusCode::OK,
        "Provider configuration updated successfully.",
        &record,
    ))
}

#[utoipa::path(delete, path = "/api/v2/platform/telephony/providers-configurations/{id}/", tag = "v2: provider configurations",
    summary = "Delete a provider configuration",
    description = "Deletes its numbers too. Numbers connected to bridges refuse it with 409 naming them, unless `?force=true`, which disconnects them first.",
    params(OrgHandleHeader, ("id" = i64, Path, description = "Provider configuration id"), IfMatchHeader,
        crate::http::doc::ForceParam),
    responses((status = 204, description = "Deleted; empty body"), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
        (status = 412, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn delete_configuration(
    State(app): State<AppState>,
    OrgCaller(caller): OrgCaller,
    ConfigId(id): ConfigId,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let force = crate::http::extract::force_param(&query)?;
    app.delete_configuration(&caller.org, id, if_match, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- documentation-only: what the handlers parse from raw maps, and the stored JSON -----------

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyParam {
    /// `false` skips the live carrier check (stored as `pending`; the background verifier checks it later).
    verify: Option<bool>,
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only configurations of this provider (slug).
    #[param(inline)]
    provider: Option<ProviderSlug>,
    /// Page number, from 1. Without `page` or `page_size` the first 1000 rows are returned;
    /// `count` and `next` tell when there are more.
    #[param(minimum = 1, maximum = 9_223_372_036_854_775_i64)]
    page: Option<i64>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
}

#[allow(dead_code)] // only described, never built
/// `?page=&page_size=` of the numbers and bridges lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1. Without `page` or `page_size` the first 1000 rows are returned;
    /// `count` and `next` tell when there are more.
    #[param(minimum = 1, maximum = 9_223_372_036_854_775_i64)]
    page: Option<i64>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ProviderSlug {
    Twilio,
    Plivo,
    Telnyx,
    Vonage,
    Exotel,
    Signalwire,
    Sip,
}

/// A provider: its catalogue slug or numeric id (a JSON number, or a string of digits), as
/// [`configuration::resolve_provider`] takes it; the values are the catalogue's, so they cannot
/// drift from what the server accepts.
#[allow(dead_code)] // only described, never built
pub struct ProviderRef;

impl utoipa::PartialSchema for ProviderRef {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let providers = Provider::all();
        let strings: Vec<String> = providers
            .iter()
            .map(|p| p.slug.to_owned())
            .chain(providers.iter().map(|p| p.id.to_string()))
            .collect();
        let ids: Vec<i64> = providers.iter().map(|p| p.id).collect();
        serde_json::from_value(serde_json::json!({
            "description": "A provider: its catalogue slug or numeric id (see the providers catalogue).",
            "example": "twilio",
            "oneOf": [
                {"title": "slug", "type": "string", "enum": strings},
                {"title": "id", "type": "integer", "format": "int64", "enum": ids},
            ],
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for ProviderRef {}

/// Create body. Besides these, each provider accepts exactly the extra fields the catalogue
/// lists for it (e.g. `space_url` for SignalWire); unknown fields are a 400.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct CreateConfiguration {
    provider: ProviderRef,
    /// Account identifier (format per provider; see the catalogue). Optional only for telnyx and sip.
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: Option<String>,
    /// The secret. Encrypted at rest, never returned. Optional only for sip.
    #[schema(example = "your_auth_token", write_only)]
    auth_token: Option<String>,
    /// A display name, at most 100 characters; not blank, no control characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
}

/// Patch body: only the fields sent change. Provider extra fields may be sent too.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct PatchConfiguration {
    #[schema(example = "new_auth_token", write_only, nullable = false)]
    auth_token: Option<String>,
    #[schema(nullable = false)]
    account_sid: Option<String>,
    /// Null clears the name; else not blank, no control characters, at most 100 characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
}

/// One check of a verification.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct VerificationCheck {
    check_name: String,
    #[schema(example = "passed")]
    status: String,
    message: String,
    timestamp: String,
    details: serde_json::Value,
}
