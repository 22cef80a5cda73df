//! The providers-configurations API (v2): `Token` auth plus `Org-Handle`, integer ids, every
//! answer wrapped as `{status_code, message, data}`.

mod audit;
mod bridges;
mod configurations;
mod numbers;
mod organizations;
mod routing;
mod webhooks;

pub use routing::{ROUTES_PREFIX, forget_cached_routes};

use std::collections::BTreeMap;

use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
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
        .add(Method::GET, webhooks::WEBHOOKS, webhooks::list_webhooks)
        .add(Method::POST, webhooks::WEBHOOKS, webhooks::create_webhook)
        .add(
            Method::GET,
            "/api/v2/platform/webhooks/event-types",
            webhooks::list_event_types,
        )
        .add(Method::GET, "/api/v2/platform/webhooks/{id}", webhooks::get_webhook)
        .add(Method::PATCH, "/api/v2/platform/webhooks/{id}", webhooks::patch_webhook)
        .add(
            Method::DELETE,
            "/api/v2/platform/webhooks/{id}",
            webhooks::delete_webhook,
        )
        .add(
            Method::POST,
            "/api/v2/platform/webhooks/{id}/rotate-secret",
            webhooks::rotate_webhook_secret,
        )
        .add(
            Method::POST,
            "/api/v2/platform/webhooks/{id}/test",
            webhooks::test_webhook,
        )
        .add(
            Method::GET,
            "/api/v2/platform/webhooks/{id}/deliveries",
            webhooks::list_deliveries,
        )
        .add(
            Method::POST,
            "/api/v2/platform/webhooks/{id}/deliveries/{delivery_id}/retry",
            webhooks::retry_delivery,
        )
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
        webhooks::list_webhooks,
        webhooks::create_webhook,
        webhooks::list_event_types,
        webhooks::get_webhook,
        webhooks::patch_webhook,
        webhooks::delete_webhook,
        webhooks::rotate_webhook_secret,
        webhooks::test_webhook,
        webhooks::list_deliveries,
        webhooks::retry_delivery,
        routing::inbound,
        routing::outbound,
    ),
    components(schemas(webhooks::WebhookEvent)),
    tags(
        (name = "v2: provider configurations", description = "Provider credentials of an organization; integer ids, `{status_code, message, data}` envelopes."),
        (name = "v2: webhooks", description = "Events of the organization POSTed to its endpoints, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the base64 part of the `whsec_` secret). Body: `WebhookEvent`. At least once: dedupe by `webhook-id`. 2xx is success; anything else is retried with exponential backoff and jitter for about three days, then the endpoint is disabled (`webhook_endpoint.disabled.v1`). Event types: configuration.created.v1, configuration.updated.v1, configuration.deleted.v1, configuration.verification_status_changed.v1 (old_status, new_status, failing_checks), number.added.v1, number.imported.v1, number.released.v1, number.connected.v1, number.disconnected.v1, bridge.created.v1, bridge.updated.v1, bridge.deleted.v1, twilio_provider.provisioned.v1, twilio_provider.updated.v1, twilio_provider.deprovisioned.v1, token.created.v1, token.revoked.v1, webhook_endpoint.disabled.v1, webhook.ping.v1 (test action only)."),
        (name = "v2: call routing", description = "For the machines that place and answer calls (SBCs, SIP services, dialers), with a service token: who answers a number, and which trunk places a call."),
        (name = "v2: numbers and bridges", description = "The organization's phone numbers (one table with the v1 family's) and the bridges they are connected to; bridges are addressed by slug."),
    )
)]
pub struct ApiDoc;

/// A JSON answer from a body already rendered (see [`crate::service::routing::Cached`]): the same
/// bytes and headers `axum::Json` gives.
fn rendered_json(status: axum::http::StatusCode, body: axum::body::Bytes) -> Response {
    let content_type = HeaderValue::from_static("application/json");
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `value` as JSON, for a body kept for later answers.
fn render_json(value: &impl serde::Serialize) -> axum::body::Bytes {
    // Serialising our own view types cannot fail (string keys, no foreign `Serialize`).
    serde_json::to_vec(value).expect("a view serialises").into()
}

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
    let new_hook = body(
        |b| {
            crate::domain::webhook::parse_new_endpoint(b)
                .map(drop)
                .map_err(Error::validation)
        },
        serde_json::json!({}),
    );
    let hook_patch = body(
        |b| {
            crate::domain::webhook::parse_endpoint_patch(b)
                .map(drop)
                .map_err(Error::validation)
        },
        serde_json::json!({}),
    );
    let outbound = body(
        |b| routing::parse_outbound(&serde_json::to_vec(b).expect("a map is JSON")).map(drop),
        serde_json::json!({"from": "+14155550100", "to": "+14155550123"}),
    );
    let inbound = query(|q| {
        let mut q = q.clone();
        q.entry("to".to_owned()).or_insert_with(|| "+14155550100".to_owned());
        routing::parse_inbound(&q).map(drop)
    });
    let window = query(|q| configurations::Window::of_query(q).map(drop));
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
        ("CreateWebhookBody", "url", new_hook("url")),
        ("CreateWebhookBody", "description", new_hook("description")),
        ("PatchWebhookBody", "url", hook_patch("url")),
        ("PatchWebhookBody", "description", hook_patch("description")),
        ("OutboundRequest", "from", outbound("from")),
        ("OutboundRequest", "to", outbound("to")),
        ("GET /api/v2/platform/telephony/routes/inbound/", "to", inbound("to")),
        (
            "GET /api/v2/platform/telephony/routes/inbound/",
            "from",
            inbound("from"),
        ),
    ];
    for hook_list in [
        "/api/v2/platform/webhooks/",
        "/api/v2/platform/webhooks/{id}/deliveries/",
    ] {
        for field in ["page", "page_size"] {
            judged.push((
                Box::leak(format!("GET {hook_list}").into_boxed_str()),
                field,
                window(field),
            ));
        }
    }
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
