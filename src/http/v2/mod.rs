//! The providers-configurations API (v2): `Token` auth plus `Org-Handle`, integer ids, every
//! answer wrapped as `{status_code, message, data}`.

mod audit;
mod bridges;
mod configurations;
mod numbers;
mod organizations;
mod routing;

pub use routing::{ROUTES_PREFIX, forget_cached_routes};

use std::collections::BTreeMap;

use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::Routes;

const CONFIGS: &str = "/api/v2/platform/telephony/providers-configurations";
const CONFIG: &str = "/api/v2/platform/telephony/providers-configurations/{id}";
const NUMBERS: &str = "/api/v2/platform/telephony/numbers";
const NUMBER: &str = "/api/v2/platform/telephony/numbers/{id}";
const BRIDGES: &str = "/api/v2/platform/telephony/bridges";
const BRIDGE: &str = "/api/v2/platform/telephony/bridges/{slug}";

/// The v2 routes. (Trailing slashes and the singular `provider-configurations` spelling are
/// mapped onto these before routing: see `canonical_api_path`.)
pub fn routes(routes: Routes) -> Routes {
    routes
        .add(
            Method::GET,
            "/api/v2/platform/organizations",
            organizations::list_organizations,
        )
        .add(
            Method::GET,
            "/api/v2/platform/telephony/providers",
            organizations::list_providers,
        )
        .add(Method::GET, CONFIGS, configurations::list_configurations)
        .add(Method::POST, CONFIGS, configurations::create_configuration)
        .add(Method::GET, CONFIG, configurations::get_configuration)
        .add(Method::PATCH, CONFIG, configurations::patch_configuration)
        .add(Method::DELETE, CONFIG, configurations::delete_configuration)
        .add(
            Method::POST,
            "/api/v2/platform/telephony/providers-configurations/{id}/verify",
            configurations::verify_configuration,
        )
        .add(
            Method::GET,
            "/api/v2/platform/telephony/providers-configurations/{id}/available-numbers",
            numbers::available_numbers,
        )
        .add(
            Method::POST,
            "/api/v2/platform/telephony/providers-configurations/{id}/import-numbers",
            numbers::import_numbers,
        )
        .add(Method::GET, NUMBERS, numbers::list_numbers)
        .add(Method::POST, NUMBERS, numbers::create_number)
        .add(Method::GET, NUMBER, numbers::get_number)
        .add(Method::DELETE, NUMBER, numbers::delete_number)
        .add(Method::GET, BRIDGES, bridges::list_bridges)
        .add(Method::POST, BRIDGES, bridges::create_bridge)
        .add(Method::GET, BRIDGE, bridges::get_bridge)
        .add(Method::PATCH, BRIDGE, bridges::patch_bridge)
        .add(Method::DELETE, BRIDGE, bridges::delete_bridge)
        .add(
            Method::POST,
            "/api/v2/platform/telephony/bridges/{slug}/connect-provider",
            bridges::connect_provider,
        )
        .add(
            Method::POST,
            "/api/v2/platform/telephony/bridges/{slug}/disconnect-provider",
            bridges::disconnect_provider,
        )
        .add(Method::GET, "/api/v2/platform/audit-events", audit::list_audit_events)
        .add(
            Method::GET,
            "/api/v2/platform/telephony/routes/inbound",
            routing::inbound,
        )
        .add(
            Method::POST,
            "/api/v2/platform/telephony/routes/outbound",
            routing::outbound,
        )
}

/// The v2 part of the OpenAPI document; schemas are collected from the operations.
#[derive(OpenApi)]
#[openapi(
    paths(
        organizations::list_organizations,
        organizations::list_providers,
        configurations::list_configurations,
        configurations::create_configuration,
        configurations::get_configuration,
        configurations::patch_configuration,
        configurations::delete_configuration,
        configurations::verify_configuration,
        numbers::available_numbers,
        numbers::import_numbers,
        numbers::list_numbers,
        numbers::create_number,
        numbers::get_number,
        numbers::delete_number,
        bridges::list_bridges,
        bridges::create_bridge,
        bridges::get_bridge,
        bridges::patch_bridge,
        bridges::delete_bridge,
        bridges::connect_provider,
        bridges::disconnect_provider,
        audit::list_audit_events,
        routing::inbound,
        routing::outbound,
    ),
    tags(
        (name = "v2: provider configurations", description = "Provider credentials of an organization; integer ids, `{status_code, message, data}` envelopes."),
        (name = "v2: call routing", description = "For the machines that place and answer calls (SBCs, SIP services, dialers), with a service token: who answers a number, and which trunk places a call."),
        (name = "v2: numbers and bridges", description = "The organization's phone numbers (one table with the v1 family's) and the bridges they are connected to; bridges are addressed by slug."),
    )
)]
pub struct ApiDoc;

/// A `Response` with the version as its `ETag`, to send back in `If-Match`.
fn with_etag(mut response: Response, version: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&super::etag::format(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

// ---- documentation-only shapes of the family ---------------------------------------------------

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct OrgHandleHeader {
    /// The organization's handle (`domain_handle` in the organizations list).
    #[param(rename = "Org-Handle", example = "demo")]
    org_handle: String,
}

// The body `http::error` renders; described here, where the family that answers it lives.
/// Every v2 error: the status, a message, and for invalid input the bad fields.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct ErrorEnvelope {
    #[schema(example = 401)]
    status_code: u16,
    #[schema(example = "Authentication credentials were not provided.")]
    message: String,
    /// Field name → messages (`non_field_errors` for a reason not about one field). Always
    /// this object, on every endpoint; the summary is `message`.
    errors: Option<BTreeMap<String, Vec<String>>>,
    /// On a 500: quote it when reporting the problem.
    request_id: Option<String>,
}
