//! Call routing for the machines that place and answer calls: `GET routes/inbound/` (who owns a
//! call to a number) and `POST routes/outbound/` (which trunk places a call, with its password:
//! the only answer that carries a secret). Service tokens only; no `Org-Handle`: the number
//! decides the organization.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ErrorEnvelope;
use crate::domain::bridge::BridgeState;
use crate::domain::phone::E164;
use crate::domain::routing::is_service_token;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::extract::{JsonObject, QueryMap, bearer_token};
use crate::service::routing::{Outbound, OutboundFrom, SERVICE_TOKENS_ONLY, Trunk, TrunkPlan};
use crate::service::service_tokens::ServiceCaller;
use crate::storage::RouteRecord;

/// The routes' common prefix: the idempotency layer leaves these paths alone.
pub const ROUTES_PREFIX: &str = "/api/v2/platform/telephony/routes/";

/// The caller of a routing endpoint: an active service token. Any other valid token is a 403;
/// an invalid one a 401.
pub(super) struct RoutingCaller(ServiceCaller);

impl FromRequestParts<AppState> for RoutingCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        if is_service_token(token) {
            return Ok(Self(state.authenticate_service(token).await?));
        }
        state.authenticate(token).await?;
        Err(Error::Forbidden(SERVICE_TOKENS_ONLY))
    }
}

fn e164(field: &str, value: Option<&str>) -> Result<Option<E164>> {
    value
        .map(|v| E164::parse(v).map_err(|e| Error::field(field, e)))
        .transpose()
}

#[derive(Serialize, ToSchema)]
struct RouteOrganization<'a> {
    #[schema(example = 1)]
    id: i64,
    /// The organization's handle (`Org-Handle` of its API).
    #[schema(example = "acme")]
    handle: &'a str,
}

#[derive(Serialize, ToSchema)]
struct RouteBridge<'a> {
    #[schema(example = "sales-bridge-001")]
    slug: &'a str,
    /// Always `ACTIVE` in an answer (a bridge with no number routes nothing).
    #[schema(example = "ACTIVE")]
    state: &'static str,
}

#[derive(Serialize, ToSchema)]
struct InboundRoute<'a> {
    organization: RouteOrganization<'a>,
    /// The number's id in `numbers/`.
    #[schema(example = 501)]
    number_id: i64,
    #[schema(example = "+14155550100")]
    number: &'a str,
    bridge: RouteBridge<'a>,
    /// The agent answering the number (its inbound agent link), if any.
    #[schema(example = "agent-7")]
    inbound_agent_id: Option<&'a str>,
    /// The provider slug of the number's configuration.
    #[schema(example = "sip")]
    carrier: &'a str,
    /// The configuration the number belongs to.
    #[schema(example = 42)]
    provider_config_id: i64,
    /// The caller's number as sent (`from`), if sent.
    #[schema(example = "+14155550199")]
    from: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
struct InboundEnvelope<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Route found.")]
    message: &'static str,
    data: InboundRoute<'a>,
}

fn organization(route: &RouteRecord) -> RouteOrganization<'_> {
    RouteOrganization {
        id: route.configuration.org_id,
        handle: &route.org_handle,
    }
}

fn bridge(route: &RouteRecord) -> RouteBridge<'_> {
    RouteBridge {
        slug: route.bridge_slug.as_deref().unwrap_or_default(),
        state: BridgeState::Active.as_str(),
    }
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboundParams {
    /// The called number (E.164).
    #[param(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    to: String,
    /// The caller's number (E.164), if known.
    #[param(example = "+4930123456", pattern = r"^\+[1-9][0-9]{1,14}$")]
    from: Option<String>,
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/routes/inbound/", tag = "v2: call routing",
    summary = "Who answers a call to a number (service tokens only)",
    description = "The organization, number, bridge, inbound agent, carrier and configuration owning a call to `to`. 404 for a number unknown (or of an organization the service token may not route); 409 with `errors.reason` (`number_inactive`, `configuration_failed`) for a number that cannot take calls, so the caller can play a message instead of ringing nothing. Any token but a service token: 403.",
    params(InboundParams),
    responses((status = 200, body = InboundEnvelope), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn inbound(
    State(app): State<AppState>,
    RoutingCaller(caller): RoutingCaller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (to, from) = parse_inbound(&query)?;
    let route = app.inbound_route(&caller, &to).await?;
    // The answer up to the echo of `from`, its last member, is the route's alone: kept with
    // the cached route, so a repeated look-up copies it instead of serialising it again.
    let head = route.rendered(0, |route| {
        let mut body = super::render_json(&InboundEnvelope {
            status_code: 200,
            message: "Route found.",
            data: InboundRoute {
                organization: organization(route),
                number_id: route.number_id,
                number: &route.number,
                bridge: bridge(route),
                inbound_agent_id: route.inbound_agent_id.as_deref(),
                carrier: &route.configuration.provider,
                provider_config_id: route.configuration.id,
                from: None,
            },
        })
        .to_vec();
        // Once per cached route, so checked in release too: a wrong cut would be broken JSON.
        assert!(body.ends_with(INBOUND_TAIL), "the inbound answer ends with its `from`");
        body.truncate(body.len() - INBOUND_TAIL.len());
        body.into()
    });
    let mut body = Vec::with_capacity(head.len() + 24);
    body.extend_from_slice(&head);
    // E.164 is `+` and digits: nothing to escape.
    match &from {
        Some(from) => {
            body.push(b'"');
            body.extend_from_slice(from.as_str().as_bytes());
            body.extend_from_slice(b"\"}}");
        }
        None => body.extend_from_slice(INBOUND_TAIL),
    }
    Ok(super::rendered_json(StatusCode::OK, body.into()))
}

/// How an inbound answer without `from` ends: its `null`, closing `data` and the envelope.
const INBOUND_TAIL: &[u8] = b"null}}";

/// The inbound query: `to`, and `from` if the caller sent it.
pub(super) fn parse_inbound(query: &std::collections::BTreeMap<String, String>) -> Result<(E164, Option<E164>)> {
    let to = e164("to", query.get("to").map(String::as_str))?.ok_or_else(|| Error::field("to", "Required."))?;
    let from = e164("from", query.get("from").map(String::as_str))?;
    Ok((to, from))
}

/// `{"from", "to"}`, or `{"organization", "bridge", "to"}`.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
struct OutboundRequest {
    /// The number calling (E.164): its configuration's trunk places the call. Or send
    /// `organization` and `bridge` instead.
    #[schema(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    from: Option<String>,
    /// The bridge placing the call (its first number is the caller id), with `organization`.
    #[schema(example = "sales-bridge-001")]
    bridge: Option<String>,
    /// The handle of the bridge's organization.
    #[schema(example = "acme")]
    organization: Option<String>,
    /// The number called (E.164).
    #[schema(example = "+14155550123", pattern = r"^\+[1-9][0-9]{1,14}$")]
    to: String,
}

#[derive(Serialize, ToSchema)]
struct OutboundRoute<'a> {
    organization: RouteOrganization<'a>,
    bridge: RouteBridge<'a>,
    /// The provider slug of the trunk's configuration (`sip`, or `twilio` for a provisioned trunk).
    #[schema(example = "sip")]
    carrier: &'a str,
    #[schema(example = 42)]
    provider_config_id: i64,
    /// The SIP credential's id (v1 `sip-credentials`).
    credential_id: Uuid,
    /// Where to send the INVITE.
    #[schema(example = "sip:sip.example.com:5060")]
    termination_uri: &'a str,
    #[schema(example = "sip.example.com:5060")]
    server: &'a str,
    #[schema(example = "udp")]
    transport: &'a str,
    domain: Option<&'a str>,
    auth_user: Option<&'a str>,
    /// The trunk's password: the only secret Patchbay ever returns.
    auth_password: Option<&'a str>,
    /// The number to present as caller id (E.164).
    #[schema(example = "+14155550100")]
    caller_id: &'a str,
    #[schema(example = "+14155550123")]
    to: &'a str,
}

#[derive(Serialize, ToSchema)]
struct OutboundEnvelope<'a> {
    #[schema(example = 200)]
    status_code: u16,
    #[schema(example = "Route found.")]
    message: &'static str,
    data: OutboundRoute<'a>,
}

/// A 429 under a CPS limit: the wait in milliseconds, since calls are paced in fractions of a
/// second (`Retry-After` can only say whole seconds).
#[derive(Serialize, ToSchema)]
struct PacedEnvelope {
    #[schema(example = 429)]
    status_code: u16,
    #[schema(example = "The credential's CPS limit is reached; retry after the wait.")]
    message: &'static str,
    #[schema(example = 350)]
    retry_after_ms: i64,
}

const OUTBOUND_FIELDS: [&str; 4] = ["from", "bridge", "organization", "to"];

fn text_field<'a>(body: &'a serde_json::Map<String, Value>, field: &str) -> Result<Option<&'a str>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::field(field, "Must be a string.")),
    }
}

pub(super) fn parse_outbound(body: &serde_json::Map<String, Value>) -> Result<(OutboundFrom, E164)> {
    if let Some(unknown) = body.keys().find(|k| !OUTBOUND_FIELDS.contains(&k.as_str())) {
        return Err(Error::field(unknown, "Unknown field."));
    }
    let to = e164("to", text_field(body, "to")?)?.ok_or_else(|| Error::field("to", "Required."))?;
    let from = e164("from", text_field(body, "from")?)?;
    let bridge = text_field(body, "bridge")?;
    let org = text_field(body, "organization")?;
    let from = match (from, bridge, org) {
        (Some(number), None, None) => OutboundFrom::Number(number),
        (None, Some(slug), Some(org)) => OutboundFrom::Bridge {
            org: org.to_owned(),
            slug: slug.to_owned(),
        },
        (None, Some(_), None) => return Err(Error::field("organization", "Required with bridge.")),
        (None, None, _) => return Err(Error::field("from", "Send from, or bridge and organization.")),
        (Some(_), _, _) => return Err(Error::field("from", "Send from, or bridge and organization, not both.")),
    };
    Ok((from, to))
}

/// What no cache between Patchbay and the caller may keep.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn outbound_answer(trunk: &Trunk, to: &E164) -> Response {
    // Everything up to the password is the route's alone: rendered once per cached route (on
    // the outbound path, serialising it and deriving the trunk were a tenth of the CPU).
    let head = trunk.route.rendered(1, |route| {
        let plan = TrunkPlan::of(route);
        let mut body = super::render_json(&OutboundEnvelope {
            status_code: 200,
            message: "Route found.",
            data: OutboundRoute {
                organization: organization(route),
                bridge: bridge(route),
                carrier: &route.configuration.provider,
                provider_config_id: route.configuration.id,
                credential_id: route.configuration.uuid,
                termination_uri: &plan.termination_uri,
                server: &plan.server,
                transport: &plan.transport,
                domain: plan.domain.as_deref(),
                auth_user: plan.auth_user.as_deref(),
                auth_password: None,
                caller_id: "",
                to: "",
            },
        })
        .to_vec();
        // Once per cached route, so checked in release too: a wrong cut would be broken JSON.
        assert!(
            body.ends_with(OUTBOUND_TAIL),
            "the outbound answer ends with its password, caller id and `to`"
        );
        body.truncate(body.len() - OUTBOUND_TAIL.len());
        body.into()
    });
    let caller_id = trunk.route.number.as_str();
    let mut body = Vec::with_capacity(head.len() + 128);
    body.extend_from_slice(&head);
    match &trunk.auth_password {
        // A password is any text: escaped as JSON, by serde_json (writing to a Vec cannot fail).
        Some(password) => serde_json::to_writer(&mut body, password.expose_secret()).expect("JSON into a Vec"),
        None => body.extend_from_slice(b"null"),
    }
    // Caller id and `to` are E.164, `+` and digits: nothing to escape.
    for (name, value) in [
        (&b",\"caller_id\":\""[..], caller_id),
        (&b"\",\"to\":\""[..], to.as_str()),
    ] {
        body.extend_from_slice(name);
        body.extend_from_slice(value.as_bytes());
    }
    body.extend_from_slice(b"\"}}");
    super::rendered_json(StatusCode::OK, body.into())
}

/// How an outbound answer rendered without password, caller id and `to` ends.
const OUTBOUND_TAIL: &[u8] = br#"null,"caller_id":"","to":""}}"#;

fn paced(wait_ms: i64) -> Response {
    let seconds = (wait_ms + 999) / 1000;
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(PacedEnvelope {
            status_code: 429,
            message: "The credential's CPS limit is reached; retry after the wait.",
            retry_after_ms: wait_ms,
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

#[utoipa::path(post, path = "/api/v2/platform/telephony/routes/outbound/", tag = "v2: call routing",
    summary = "The trunk that places a call, with its password (service tokens only)",
    description = "From a number (`from`) or a bridge (`organization` + `bridge`; its first number is the caller id): the carrier, termination URI, server, transport, domain, auth user and password, and caller id. The only answer that carries a secret: `Cache-Control: no-store`, never logged, never kept for `Idempotency-Key` (which these routes ignore); every release is recorded in the organization's audit trail (`route.secret_released`). Beyond the credential's `cpsLimit` (per credential, or shared by `cpsKey`, across instances): 429 with `Retry-After` and `retry_after_ms`. 404 for an unknown number or bridge; 409 with `errors.reason` (`number_inactive`, `draft_bridge`, `configuration_failed`, `no_trunk`).",
    request_body(content = OutboundRequest, content_type = "application/json"),
    responses((status = 200, body = OutboundEnvelope, headers(("Cache-Control" = String))),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 429, body = PacedEnvelope, headers(("Retry-After" = i64)))),
    security(("token" = [])))]
pub(super) async fn outbound(
    State(app): State<AppState>,
    RoutingCaller(caller): RoutingCaller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let (from, to) = parse_outbound(&body)?;
    let answer = match app.outbound_route(&caller, from, &to).await? {
        Outbound::Route(trunk) => outbound_answer(&trunk, &to),
        Outbound::Paced { wait_ms } => paced(wait_ms),
    };
    Ok(no_store(answer))
}

/// Read-your-writes for this instance's routing caches: a write through the API drops its
/// organization's entries as soon as it is answered (committed). Other processes' writes reach
/// them within a second (see `service::routing`). The routing endpoints change nothing and are
/// left out, and so are refusals (4xx): a refused request wrote nothing, while a 5xx (a deadline
/// passed after the commit, say) may have.
pub async fn forget_cached_routes<N, F>(app: &AppState, req: axum::extract::Request, next: N) -> Response
where
    N: FnOnce(axum::extract::Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let writes = !req.method().is_safe() && !req.uri().path().starts_with(ROUTES_PREFIX);
    let response = next(req).await;
    if writes && !response.status().is_client_error() {
        // The organization the request acted for; when none is known, everyone's.
        app.routing.caches.invalidate_org(crate::telemetry::current_org_id());
    }
    response
}
