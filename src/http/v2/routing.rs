//! Call routing for the machines that place and answer calls: `GET routes/inbound/` (who owns a
//! call to a number) and `POST routes/outbound/` (which trunk places a call, with its password:
//! the only answer that carries a secret). Service tokens only; no `Org-Handle`: the number
//! decides the organization.

use std::borrow::Cow;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ErrorEnvelope;
use crate::domain::bridge::BridgeState;
use crate::domain::phone::E164;
use crate::domain::routing::is_service_token;
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::extract::{JsonBody, QueryMap, bearer_token, json_parse_error, not_an_object};
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

/// One member of the outbound body as sent: a string (borrowed from the body when it has no
/// escapes), null, or anything else.
#[derive(Default)]
enum Member<'a> {
    #[default]
    Null,
    Text(Cow<'a, str>),
    Other,
}

impl<'a> Member<'a> {
    fn text(&self, field: &str) -> Result<Option<&str>> {
        match self {
            Self::Null => Ok(None),
            Self::Text(s) => Ok(Some(s)),
            Self::Other => Err(Error::field(field, "Must be a string.")),
        }
    }
}

/// The outbound body, read member by member from its bytes: on every call, parsing it into a
/// `serde_json::Map` (a tree of owned strings) cost more than answering from the cached route.
/// Accepts and refuses exactly what that did (a property test holds the two side by side):
/// the last of a repeated member wins, the first unknown member in byte order is named, and
/// values not kept are still parsed in full (a number out of range is a parse error).
#[derive(Default)]
struct OutboundBody<'a> {
    to: Member<'a>,
    from: Member<'a>,
    bridge: Member<'a>,
    organization: Member<'a>,
    unknown: Option<Cow<'a, str>>,
    /// Valid JSON, but not an object.
    not_an_object: bool,
}

/// A member's name: a string, borrowed from the input where it can be (serde's own `Cow`
/// always copies). JSON names are always strings; read as a [`Member`] to share its visitor.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match Member::deserialize(deserializer)? {
            Member::Text(text) => Ok(Text(text)),
            _ => Err(serde::de::Error::custom("a member name is a string")),
        }
    }
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(MemberVisit)
    }
}

/// A member's value. Containers are read through as `Value`s, so they are checked exactly as a
/// whole-body `Value` parse checks them.
struct MemberVisit;

impl<'de> Visitor<'de> for MemberVisit {
    type Value = Member<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Member::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Member::Null)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Member::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Member::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Member::Text(Cow::Owned(v)))
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(Member::Other)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(Member::Other)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(Member::Other)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(Member::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<Value>()?.is_some() {}
        Ok(Member::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<String, Value>()?.is_some() {}
        Ok(Member::Other)
    }
}

impl<'de> Deserialize<'de> for OutboundBody<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = OutboundBody<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                let mut body = OutboundBody::default();
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    let slot = match &*key {
                        "to" => &mut body.to,
                        "from" => &mut body.from,
                        "bridge" => &mut body.bridge,
                        "organization" => &mut body.organization,
                        _ => {
                            map.next_value::<Value>()?;
                            if body.unknown.as_ref().is_none_or(|first| key < *first) {
                                body.unknown = Some(key);
                            }
                            continue;
                        }
                    };
                    *slot = map.next_value::<Member<'de>>()?;
                }
                Ok(body)
            }
            // Anything else is valid JSON but not an object: read through (so what follows it
            // is still checked), then refused.
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
                MemberVisit.visit_seq(seq).map(|_| OutboundBody::not_an_object())
            }
            fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
                Ok(OutboundBody::not_an_object())
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

impl OutboundBody<'_> {
    fn not_an_object() -> Self {
        Self {
            not_an_object: true,
            ..Self::default()
        }
    }
}

/// `{"from", "to"}`, or `{"organization", "bridge", "to"}`, from the request's body.
pub(super) fn parse_outbound(bytes: &[u8]) -> Result<(OutboundFrom, E164)> {
    let body: OutboundBody = serde_json::from_slice(bytes).map_err(|e| json_parse_error(&e))?;
    if body.not_an_object {
        return Err(not_an_object());
    }
    if let Some(unknown) = &body.unknown {
        return Err(Error::field(unknown, "Unknown field."));
    }
    let to = e164("to", body.to.text("to")?)?.ok_or_else(|| Error::field("to", "Required."))?;
    let from = e164("from", body.from.text("from")?)?;
    let bridge = body.bridge.text("bridge")?;
    let org = body.organization.text("organization")?;
    Ok((outbound_from(from, bridge, org)?, to))
}

/// Where the call comes from: a number, or a bridge of a named organization, never both.
fn outbound_from(from: Option<E164>, bridge: Option<&str>, org: Option<&str>) -> Result<OutboundFrom> {
    match (from, bridge, org) {
        (Some(number), None, None) => Ok(OutboundFrom::Number(number)),
        (None, Some(slug), Some(org)) => Ok(OutboundFrom::Bridge {
            org: org.to_owned(),
            slug: slug.to_owned(),
        }),
        (None, Some(_), None) => Err(Error::field("organization", "Required with bridge.")),
        (None, None, _) => Err(Error::field("from", "Send from, or bridge and organization.")),
        (Some(_), _, _) => Err(Error::field("from", "Send from, or bridge and organization, not both.")),
    }
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
    JsonBody(body): JsonBody,
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Map;

    use super::*;

    /// What `parse_outbound` did before it read the bytes itself: the body into a `Map`, then
    /// the members looked up. Kept as the reference the byte parser must agree with (the
    /// members' combination, shared, is not what changed).
    fn parse_as_map(bytes: &[u8]) -> Result<(OutboundFrom, E164)> {
        let body: Map<String, Value> = match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(not_an_object()),
            Err(e) => return Err(json_parse_error(&e)),
        };
        let text = |field: &str| match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(Error::field(field, "Must be a string.")),
        };
        if let Some(unknown) = body
            .keys()
            .find(|k| !["from", "bridge", "organization", "to"].contains(&k.as_str()))
        {
            return Err(Error::field(unknown, "Unknown field."));
        }
        let to = e164("to", text("to")?)?.ok_or_else(|| Error::field("to", "Required."))?;
        let from = e164("from", text("from")?)?;
        let bridge = text("bridge")?;
        let org = text("organization")?;
        Ok((outbound_from(from, bridge, org)?, to))
    }

    fn outcome(parsed: Result<(OutboundFrom, E164)>) -> String {
        match parsed {
            Ok((OutboundFrom::Number(from), to)) => format!("number {from:?} -> {to:?}"),
            Ok((OutboundFrom::Bridge { org, slug }, to)) => format!("bridge {org:?}/{slug:?} -> {to:?}"),
            Err(e) => format!("{} {e:?}", e.status()),
        }
    }

    /// JSON texts of outbound bodies, right and wrong: known and unknown members (escaped
    /// names too), repeated members, every kind of value, and bodies that are no object.
    fn body() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("to"),
            Just("from"),
            Just("bridge"),
            Just("organization"),
            Just("t\\u006f"),
            Just("colour"),
            Just("a"),
            Just("\\u0000"),
        ];
        let value = prop_oneof![
            Just("\"+14155550123\"".to_owned()),
            Just("\"+14155550100\"".to_owned()),
            Just("\"\\u002b14155550100\"".to_owned()),
            Just("\"14155550100\"".to_owned()),
            Just("\"acme\"".to_owned()),
            Just("\"sa\\les\"".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("12".to_owned()),
            Just("-1.5e3".to_owned()),
            Just("1e400".to_owned()),
            Just("[1, {\"x\": [null]}]".to_owned()),
            Just("{\"to\": \"+14155550123\"}".to_owned()),
            Just("\"\\ud800\"".to_owned()),
            "[a-z+0-9]{0,6}".prop_map(|s| format!("\"{s}\"")),
        ];
        let object = prop::collection::vec((key, value), 0..6).prop_map(|members| {
            let members: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", members.join(", "))
        });
        let other = prop_oneof![
            Just(String::new()),
            Just("null".to_owned()),
            Just("[]".to_owned()),
            Just("[1, 2] x".to_owned()),
            Just("\"text\"".to_owned()),
            Just("7".to_owned()),
        ];
        // Cut short or followed by something: the parse errors, at their positions.
        let damaged = (
            object.clone(),
            0usize..64,
            prop_oneof![Just(""), Just(" x"), Just("}"), Just(",")],
        )
            .prop_map(|(text, cut, tail)| {
                let cut = cut.min(text.len());
                let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                format!("{}{tail}", &text[..cut])
            });
        prop_oneof![4 => object, 1 => other, 2 => damaged]
    }

    proptest! {
        #[test]
        fn the_byte_parser_agrees_with_the_map_parser(text in body()) {
            prop_assert_eq!(outcome(parse_outbound(text.as_bytes())), outcome(parse_as_map(text.as_bytes())), "{}", text);
        }
    }

    #[test]
    fn a_body_is_read_as_the_pages_say() {
        let parsed = |text: &str| outcome(parse_outbound(text.as_bytes()));
        assert_eq!(
            parsed(r#"{"from": "+14155550100", "to": "+14155550123"}"#),
            r#"number E164("+14155550100") -> E164("+14155550123")"#
        );
        assert!(
            parsed(r#"{"organization": "acme", "bridge": "sales", "to": "+14155550123"}"#)
                .starts_with("bridge \"acme\"/\"sales\"")
        );
        assert!(parsed(r#"{"to": "+14155550123", "zz": 1, "colour": 2}"#).contains("colour"));
        assert!(parsed(r#"{"to": 5, "from": "+14155550100"}"#).contains("Must be a string."));
        assert!(parsed("[]").contains("must be a JSON object"));
        assert!(parsed("{").contains("JSON parse error"));
    }
}
