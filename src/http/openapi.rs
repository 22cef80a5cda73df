//! The OpenAPI 3.1 description of the API, generated from the handlers' annotations, served at
//! `/openapi.json` and rendered at `/docs` (Swagger UI, its assets compiled into the binary so
//! the page works in closed networks).
//!
//! The schemas below describe the wire shapes; the Schemathesis run in CI checks every response
//! against them, so a drift between these and the handlers fails the build.

#![allow(dead_code)] // the structs exist for their schemas

use std::collections::BTreeMap;

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use super::{AppState, v1, v2};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Patchbay",
        description = "Telephony provider accounts of many organizations. Send `Authorization: Token <token>` (or `Bearer <token>`) and, on organization-scoped v2 endpoints, `Org-Handle: <handle>`.",
    ),
    paths(
        v1::list_providers,
        v1::create_provider,
        v1::get_provider,
        v1::delete_provider,
        v1::get_twilio_provider,
        v1::update_provider,
        v1::delete_twilio_provider,
        v1::rotate_auth_token,
        v1::verify_provider,
        v1::available_numbers,
        v1::import_numbers,
        v1::delete_phone_number,
        v2::list_organizations,
        v2::list_providers,
        v2::list_configurations,
        v2::create_configuration,
        v2::get_configuration,
        v2::patch_configuration,
        v2::delete_configuration,
        v2::verify_configuration,
        v2::list_audit_events,
        super::healthz,
        super::readyz,
        super::metrics,
    ),
    modifiers(&Security, &CommonAnswers),
    tags(
        (name = "v1: Twilio providers", description = "Twilio accounts with a Patchbay-provisioned Elastic SIP Trunk, and the phone numbers imported onto it; uuid ids, camelCase bodies, RFC 7807 `application/problem+json` errors."),
        (name = "v2: provider configurations", description = "Provider credentials of an organization; integer ids, `{status_code, message, data}` envelopes."),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <token>` or `Bearer <token>`",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("`Authorization: Bearer <token>` (`Token <token>` works too)"))
                    .build(),
            ),
        );
    }
}

/// Answers any API operation may give besides its own: throttling, a deadline passed, a fault.
/// In the v2 envelope on v2, as RFC 7807 problem details on v1.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let (schema, content_type) = if path.starts_with("/api/v2/") {
                ("ErrorEnvelope", "application/json")
            } else if path.starts_with("/api/v1/") {
                ("Problem", super::v1::PROBLEM_CONTENT_TYPE)
            } else {
                continue;
            };
            let error_body = |description: &str| {
                let content = ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name(schema)))
                    .build();
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(content_type, content)
                        .build(),
                )
            };
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            let v1 = path.starts_with("/api/v1/");
            for operation in operations.into_iter().flatten() {
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                // The v1 operations share these answers word for word; described once here.
                if v1 {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error_body("No or invalid token"));
                }
                if v1 && has_body {
                    responses
                        .entry("413".into())
                        .or_insert_with(|| error_body("Body over 64 KiB"));
                    responses
                        .entry("415".into())
                        .or_insert_with(|| error_body("Not `Content-Type: application/json`"));
                }
                responses
                    .entry("429".into())
                    .or_insert_with(|| error_body("Throttled: see Retry-After and RateLimit-* headers"));
                responses
                    .entry("500".into())
                    .or_insert_with(|| error_body("Server fault; quote the request id"));
                responses
                    .entry("503".into())
                    .or_insert_with(|| error_body("The request outlived its deadline"));
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `/openapi.json` and the `/docs` page.
pub fn router() -> Router<AppState> {
    SwaggerUi::new("/docs").url("/openapi.json", document()).into()
}

// ---- parameters ------------------------------------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct OrgHandleHeader {
    /// The organization's handle (`domain_handle` in the organizations list).
    #[param(rename = "Org-Handle", example = "demo")]
    org_handle: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// An `ETag` from an earlier answer: the write applies only if the configuration is still at that version (else 412).
    #[param(rename = "If-Match")]
    if_match: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyParam {
    /// `false` skips the live carrier check (stored as `pending`; the background verifier checks it later).
    verify: Option<bool>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only configurations of this provider (slug).
    #[param(inline)]
    provider: Option<ProviderSlug>,
    /// Page number, from 1. Without `page` or `page_size` every row is returned.
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
}

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

// ---- bodies -----------------------------------------------------------------------------------

/// A provider: its catalogue slug or numeric id.
#[derive(ToSchema)]
#[schema(example = "twilio")]
pub enum ProviderRef {
    #[schema(title = "slug")]
    Slug(String),
    #[schema(title = "id")]
    Id(i64),
}

/// Create body. Besides these, each provider accepts exactly the extra fields the catalogue
/// lists for it (e.g. `space_url` for SignalWire); unknown fields are a 400.
#[derive(ToSchema)]
pub struct CreateConfiguration {
    provider: ProviderRef,
    /// Account identifier (format per provider; see the catalogue). Optional only for telnyx and sip.
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: Option<String>,
    /// The secret. Encrypted at rest, never returned. Optional only for sip.
    #[schema(example = "your_auth_token", write_only)]
    auth_token: Option<String>,
    /// A display name, at most 100 characters.
    name: Option<String>,
}

/// Patch body: only the fields sent change. Provider extra fields may be sent too.
#[derive(ToSchema)]
pub struct PatchConfiguration {
    #[schema(example = "new_auth_token", write_only)]
    auth_token: Option<String>,
    account_sid: Option<String>,
    name: Option<String>,
}

// ---- answers ----------------------------------------------------------------------------------

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum VerificationStatus {
    Pending,
    Verified,
    Warning,
    Failed,
}

/// One check of a verification.
#[derive(ToSchema)]
pub struct VerificationCheck {
    check_name: String,
    #[schema(example = "passed")]
    status: String,
    message: String,
    timestamp: String,
    details: serde_json::Value,
}

/// A provider configuration. The provider's non-secret extra fields (e.g. `space_url`, `host`,
/// `port`) appear beside these; secrets never do.
#[derive(ToSchema)]
pub struct ProviderConfiguration {
    #[schema(example = 42)]
    id: i64,
    #[schema(example = "twilio")]
    provider: String,
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: String,
    /// ISO 8601, UTC.
    #[schema(example = "2026-02-07T10:00:00Z")]
    created_at: String,
    name: Option<String>,
    updated_at: String,
    verification_status: VerificationStatus,
    last_verified_at: Option<String>,
    verification_details: Option<Vec<VerificationCheck>>,
}

#[derive(ToSchema)]
pub struct ConfigurationEnvelope {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Provider configuration fetched successfully.")]
    message: String,
    data: ProviderConfiguration,
}

#[derive(ToSchema)]
pub struct ConfigurationList {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Provider configurations fetched successfully.")]
    message: String,
    data: Vec<ProviderConfiguration>,
    /// All matching rows (not just this page).
    count: i64,
    page: Option<i64>,
    page_size: Option<i64>,
}

#[derive(ToSchema)]
pub struct Organization {
    id: i64,
    name: String,
    /// The value to send as `Org-Handle`.
    domain_handle: String,
    created_at: String,
}

#[derive(ToSchema)]
pub struct OrganizationList {
    status_code: u16,
    #[schema(example = "Organizations fetched successfully")]
    message: String,
    data: Vec<Organization>,
    count: i64,
}

/// A credential field of a provider.
#[derive(ToSchema)]
pub struct FieldSpec {
    name: String,
    label: String,
    required: bool,
    /// Secret fields are encrypted at rest and never returned.
    secret: bool,
    pattern: Option<String>,
    max_length: i64,
    description: String,
    default: Option<String>,
}

#[derive(ToSchema)]
pub struct Provider {
    #[schema(example = 1)]
    id: i64,
    #[schema(example = "Twilio")]
    name: String,
    #[schema(example = "twilio")]
    slug: String,
    description: String,
    /// `required`, or `derived` when Patchbay fills it in if omitted.
    account_sid_source: String,
    account_sid: FieldSpec,
    auth_token: FieldSpec,
    extra_fields: Vec<FieldSpec>,
}

#[derive(ToSchema)]
pub struct ProviderList {
    status_code: u16,
    #[schema(example = "Voice infra providers fetched successfully.")]
    message: String,
    data: Vec<Provider>,
    count: i64,
}

/// Every v2 error: the status, a message, and for invalid input the bad fields.
#[derive(ToSchema)]
pub struct ErrorEnvelope {
    #[schema(example = 401)]
    status_code: u16,
    #[schema(example = "Authentication credentials were not provided.")]
    message: String,
    /// Field name → messages.
    errors: Option<BTreeMap<String, Vec<String>>>,
    /// On a 500: quote it when reporting the problem.
    request_id: Option<String>,
}

// ---- v1: Twilio providers ---------------------------------------------------------------------

#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct OptionalOrgHandleHeader {
    /// Optional on v1: if sent, it must be the token's organization (else 403).
    #[param(rename = "Org-Handle", example = "demo", nullable = false)]
    org_handle: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PagingParams {
    /// Providers to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647, nullable = false)]
    skip: Option<i64>,
    /// Providers to return at most (default 50).
    #[param(minimum = 1, maximum = 1000, nullable = false)]
    take: Option<i64>,
}

/// RFC 7807 problem details: every v1 error, served as `application/problem+json`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct Problem {
    /// The RFC section defining the status (`about:blank` for others).
    #[schema(rename = "type", example = "https://tools.ietf.org/html/rfc9110#section-15.5.5")]
    kind: String,
    /// The status's reason phrase.
    #[schema(example = "Not Found")]
    title: String,
    #[schema(example = 404)]
    status: u16,
    #[schema(example = "Provider not found.")]
    detail: String,
    /// The request path.
    #[schema(example = "/api/v1/providers/twilio/3c90c3cc-0d44-4b50-8888-8dd25736052a")]
    instance: String,
    /// For invalid input: field name → messages.
    #[schema(nullable = false)]
    errors: Option<BTreeMap<String, Vec<String>>>,
    /// On a 500 only: quote it when reporting the problem (the details are in the log).
    #[schema(nullable = false)]
    request_id: Option<String>,
}

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwilioProviderType {
    Twilio,
}

/// The Twilio Region the customer's voice platform should use for the trunk.
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwilioRegion {
    Us1,
    Us2,
    Ie1,
    De1,
    Au1,
    Jp1,
    Br1,
    Sg1,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Warning,
    Failed,
    Skipped,
}

/// One check of a v1 verification.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct TwilioCheck {
    #[schema(example = "credentials_valid")]
    check_name: String,
    message: String,
    status: CheckStatus,
    /// ISO 8601, UTC.
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    timestamp: String,
    /// Check-specific facts (an object; empty when there are none).
    details: serde_json::Value,
}

/// A v1 Twilio provider, fields in the page's order. The auth token is never part of it.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct TwilioProvider {
    /// Display name.
    #[schema(required = true)]
    name: Option<String>,
    provider_type: TwilioProviderType,
    #[schema(example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: String,
    id: uuid::Uuid,
    verification_status: VerificationStatus,
    /// When the credentials were last verified; null if never.
    #[schema(required = true, format = DateTime, example = "2023-11-07T05:31:56Z")]
    last_verified_at: Option<String>,
    /// Phone numbers imported to this provider.
    #[schema(minimum = 0)]
    phone_number_count: i64,
    /// The checks of the last verification; null if never verified.
    #[schema(required = true)]
    verification_details: Option<Vec<TwilioCheck>>,
    /// The Elastic SIP Trunk Patchbay created (null for a configuration created through v2).
    #[schema(required = true, example = "TKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    trunk_sid: Option<String>,
    #[schema(
        required = true,
        example = "sip:pb-3c90c3cc-0d44-4b50-8888-8dd25736052a.pstn.twilio.com"
    )]
    termination_uri: Option<String>,
    #[schema(required = true, example = "us1")]
    region: Option<String>,
    supports_call_transfer: bool,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct TwilioProviderList {
    items: Vec<TwilioProvider>,
    /// All of the organization's Twilio providers (not just this page).
    #[schema(minimum = 0)]
    total_count: i64,
    skip: i64,
    take: i64,
}

/// Create body. Twilio must accept the credentials; Patchbay then provisions an Elastic SIP
/// Trunk in the account. Unknown fields are a 400.
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTwilioProvider {
    #[schema(pattern = "^AC[a-f0-9]{32}$", example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: String,
    /// Encrypted at rest, never returned.
    #[schema(pattern = "^[a-f0-9]{32}$", write_only)]
    auth_token: String,
    /// Not blank, no control characters.
    #[schema(max_length = 100)]
    name: Option<String>,
    /// Default `us1`.
    region: Option<TwilioRegion>,
    /// Default false.
    supports_call_transfer: Option<bool>,
}

/// Update body: only the fields sent (and not null) change. The credentials cannot be changed
/// here (`accountSid` and `authToken` are a 400; rotate the token with the auth-token endpoint).
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTwilioProvider {
    /// Not blank, no control characters.
    #[schema(max_length = 100)]
    name: Option<String>,
    region: Option<TwilioRegion>,
    supports_call_transfer: Option<bool>,
}

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateAuthToken {
    /// The new auth token; Twilio must accept it.
    #[schema(pattern = "^[a-f0-9]{32}$", write_only)]
    auth_token: String,
}

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPhoneNumbers {
    /// Incoming phone number SIDs of the account (`PN` + 32 hex digits); each is reported
    /// on its own if it cannot be imported.
    #[schema(min_items = 1, max_items = 1000, example = json!(["PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]))]
    phone_number_sids: Vec<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ImportFailure {
    phone_number_sid: String,
    error_message: String,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ImportResult {
    #[schema(minimum = 0)]
    success_count: i64,
    #[schema(minimum = 0)]
    failed_count: i64,
    errors: Vec<ImportFailure>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct TwilioVerification {
    status: VerificationStatus,
    checks: Vec<TwilioCheck>,
    #[schema(required = true, format = DateTime)]
    last_verified_at: Option<String>,
}

/// An incoming phone number of the Twilio account.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct AvailableNumber {
    #[schema(example = "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    phone_number_sid: String,
    #[schema(required = true, example = "+14155550100")]
    phone_number: Option<String>,
    #[schema(required = true)]
    friendly_name: Option<String>,
    /// Twilio's capabilities object (voice, sms, mms, …).
    #[schema(required = true)]
    capabilities: Option<serde_json::Value>,
    /// The trunk the number is on at Twilio, if any (this provider's or another).
    #[schema(required = true)]
    trunk_sid: Option<String>,
    is_imported: bool,
    /// The id to delete it with, when imported.
    #[schema(required = true)]
    phone_number_id: Option<uuid::Uuid>,
}

#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct AvailableNumberList {
    items: Vec<AvailableNumber>,
    #[schema(minimum = 0)]
    total_count: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only events about this kind of resource (`configuration`, `twilio_provider`, `phone_number`, `api_token`, `organization`).
    resource_type: Option<String>,
    /// Only events about this resource (a configuration's uuid, a token's id…).
    resource_id: Option<String>,
    /// Only events at or after this time (ISO 8601).
    since: Option<String>,
    /// Only events at or before this time (ISO 8601).
    until: Option<String>,
    #[param(minimum = 1)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    page_size: Option<i64>,
}

/// One change: who, what, which fields (never values), when.
#[derive(ToSchema)]
pub struct AuditEvent {
    id: i64,
    #[schema(example = "configuration.updated")]
    action: String,
    #[schema(example = "configuration")]
    resource_type: String,
    resource_id: String,
    /// Names of the fields that changed; secrets appear by name only (`auth_token`).
    #[schema(example = json!(["auth_token"]))]
    fields: Vec<String>,
    /// `token:<id>` or `cli`.
    actor: String,
    actor_token_id: Option<i64>,
    request_id: Option<String>,
    created_at: String,
}

#[derive(ToSchema)]
pub struct AuditEventList {
    status_code: u16,
    #[schema(example = "Audit events fetched successfully.")]
    message: String,
    data: Vec<AuditEvent>,
    count: i64,
    page: Option<i64>,
    page_size: Option<i64>,
}
