//! The OpenAPI 3.1 description of the API, generated from the handlers' annotations, served at
//! `/openapi.json` and rendered at `/docs` (Swagger UI, its assets compiled into the binary so
//! the page works in closed networks).
//!
//! The schemas below describe the wire shapes; the Schemathesis run in CI checks every response
//! against them, so a drift between these and the handlers fails the build.

#![allow(dead_code)] // the structs exist for their schemas

use std::collections::BTreeMap;

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use super::{AppState, v2};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Patchbay",
        description = "Telephony provider accounts of many organizations. Send `Authorization: Token <token>` (or `Bearer <token>`) and, on organization-scoped v2 endpoints, `Org-Handle: <handle>`.",
    ),
    paths(
        v2::list_organizations,
        v2::list_providers,
        v2::list_configurations,
        v2::create_configuration,
        v2::get_configuration,
        v2::patch_configuration,
        v2::delete_configuration,
        v2::verify_configuration,
        super::healthz,
        super::readyz,
        super::metrics,
    ),
    modifiers(&Security, &CommonAnswers),
    tags(
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
    }
}

/// Answers any API operation may give besides its own: throttling, a deadline passed, a fault.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let error_body = |description: &str| {
            let content = ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorEnvelope")))
                .build();
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", content)
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v2/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("429".into())
                    .or_insert_with(|| error_body("Throttled: see Retry-After and RateLimit-* headers"));
                responses
                    .entry("500".into())
                    .or_insert_with(|| error_body("Server fault; quote request_id"));
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
