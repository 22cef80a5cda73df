//! The providers-configurations API (v2): `Token` auth plus `Org-Handle`, integer ids, every
//! answer wrapped as `{status_code, message, data}`.

mod audit;
mod bridges;
mod configurations;
mod numbers;
mod organizations;

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
    ),
    tags(
        (name = "v2: provider configurations", description = "Provider credentials of an organization; integer ids, `{status_code, message, data}` envelopes."),
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

/// The parsers each v2 schema property and query parameter is judged by, for the test that
/// holds the document against them (`openapi::tests`): does the server take this value there?
#[cfg(test)]
pub(super) fn judges() -> Vec<super::openapi::tests::Judged> {
    use serde_json::{Map, Value};

    use super::openapi::tests::{Judge, Judged, query_text, refuses};
    use crate::domain::{bridge, catalogue::Provider, configuration};
    use crate::error::{Error, Result};

    type Body = fn(&Map<String, Value>) -> Result<()>;
    type Query = fn(&BTreeMap<String, String>) -> Result<()>;
    let body = |parse: Body, base: Value| {
        move |field: &'static str| -> Judge {
            let base = base.as_object().unwrap().clone();
            Box::new(move |v| {
                let mut b = base.clone();
                b.insert(field.to_owned(), v.clone());
                !refuses(parse(&b), field)
            })
        }
    };
    let query = |parse: Query| {
        move |field: &'static str| -> Judge {
            Box::new(move |v| !refuses(parse(&[(field.to_owned(), query_text(v))].into_iter().collect()), field))
        }
    };
    let create = body(
        |b| configuration::parse_new(b).map(drop).map_err(Error::validation),
        serde_json::json!({"provider": "sip"}),
    );
    let patch = body(
        |b| {
            configuration::parse_patch(Provider::by_slug("sip").unwrap(), b)
                .map(drop)
                .map_err(Error::validation)
        },
        serde_json::json!({}),
    );
    let new_bridge = body(
        |b| bridge::parse_new_bridge(b).map(drop).map_err(Error::validation),
        serde_json::json!({}),
    );
    let bridge_patch = body(
        |b| {
            bridge::parse_bridge_patch("current", b)
                .map(drop)
                .map_err(Error::validation)
        },
        serde_json::json!({}),
    );
    let connect = body(
        |b| bridge::parse_connect(b).map(drop).map_err(Error::validation),
        serde_json::json!({}),
    );
    let disconnect = body(
        |b| bridge::parse_disconnect(b).map(drop).map_err(Error::validation),
        serde_json::json!({}),
    );
    let new_number = body(
        |b| bridge::parse_new_number(b).map(drop).map_err(Error::validation),
        serde_json::json!({}),
    );
    let list = query(|q| configurations::parse_list_query(q).map(drop));
    let nul = query(super::extract::refuse_nul);
    let mut judged: Vec<Judged> = vec![
        ("CreateConfiguration", "name", create("name")),
        ("PatchConfiguration", "name", patch("name")),
        ("CreateBridge", "name", new_bridge("name")),
        ("CreateBridge", "slug", new_bridge("slug")),
        ("UpdateBridge", "name", bridge_patch("name")),
        ("ConnectProvider", "phone_number", connect("phone_number")),
        ("DisconnectProvider", "phone_number", disconnect("phone_number")),
        ("CreateNumber", "number", new_number("number")),
        (
            "GET /api/v2/platform/audit-events/",
            "resource_type",
            nul("resource_type"),
        ),
        ("GET /api/v2/platform/audit-events/", "resource_id", nul("resource_id")),
    ];
    for list_path in [
        "/api/v2/platform/audit-events/",
        "/api/v2/platform/telephony/bridges/",
        "/api/v2/platform/telephony/numbers/",
        "/api/v2/platform/telephony/providers-configurations/",
    ] {
        for field in ["page", "page_size"] {
            judged.push((
                Box::leak(format!("GET {list_path}").into_boxed_str()),
                field,
                list(field),
            ));
        }
    }
    judged
}
