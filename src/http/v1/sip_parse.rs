//! The v1 SIP request bodies and queries, parsed from raw JSON (or the query map) so every bad
//! field is reported at once in the pages' camelCase names; a password is never echoed. The
//! shapes are described for the OpenAPI document at the end.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::parse::{done, push, reject_unknown};
use crate::domain::catalogue::Provider;
use crate::domain::configuration::FieldErrors;
use crate::domain::phone::E164;
use crate::domain::sip::{LinkMode, SipServer, Transport, valid_agent_id};
use crate::error::{Error, Result};
use crate::service::sip::{NewSipCredential, SipCredentialPatch};

/// Longest description, display name and cps key.
pub(super) const TEXT_MAX: usize = 255;
const PASSWORD_MAX: usize = 128;
const CPS_MAX: i64 = 1000;

const CREDENTIAL_FIELDS: [&str; 8] = [
    "server",
    "domain",
    "authUser",
    "authPassword",
    "transport",
    "description",
    "cpsLimit",
    "cpsKey",
];

/// `Some(None)` for an explicit null, `None` when absent.
fn field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<Option<&'a Value>> {
    body.get(name).map(|v| (!v.is_null()).then_some(v))
}

fn server(errors: &mut FieldErrors, name: &str, v: &Value) -> Option<SipServer> {
    match v {
        Value::String(s) => match s.parse::<SipServer>() {
            Ok(server) => return Some(server),
            Err(why) => push(errors, name, format!("Must be host[:port]: {why}.")),
        },
        _ => push(errors, name, "Must be a string (host[:port])."),
    }
    None
}

fn text(errors: &mut FieldErrors, name: &str, v: &Value, max: usize) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => push(errors, name, "May not be blank."),
        Value::String(s) if s.chars().count() > max => push(errors, name, format!("At most {max} characters.")),
        Value::String(s) if s.chars().any(char::is_control) => {
            push(errors, name, "May not contain control characters.")
        }
        Value::String(s) => return Some(s.clone()),
        _ => push(errors, name, "Must be a string."),
    }
    None
}

fn auth_user(errors: &mut FieldErrors, v: &Value) -> Option<String> {
    let spec = &Provider::by_slug("sip").expect("sip is in the catalogue").account_sid;
    match v {
        Value::String(s) if spec.accepts(s) => return Some(s.clone()),
        _ => push(
            errors,
            "authUser",
            "Must be 1-64 characters: letters, digits and ._~!$&'()*+,;=%-",
        ),
    }
    None
}

/// Never echoes the value.
fn password(errors: &mut FieldErrors, v: &Value) -> Option<SecretString> {
    match v {
        Value::String(s) if !s.is_empty() && s.chars().count() <= PASSWORD_MAX && !s.chars().any(char::is_control) => {
            return Some(SecretString::from(s.clone()));
        }
        _ => push(
            errors,
            "authPassword",
            format!("Must be a string of 1-{PASSWORD_MAX} characters without control characters."),
        ),
    }
    None
}

fn transport(errors: &mut FieldErrors, v: &Value) -> Option<Transport> {
    match v.as_str().map(str::parse::<Transport>) {
        Some(Ok(t)) => return Some(t),
        _ => push(errors, "transport", "Must be one of: udp, tcp, tls."),
    }
    None
}

fn cps_limit(errors: &mut FieldErrors, v: &Value) -> Option<i64> {
    match v.as_i64() {
        Some(n) if (1..=CPS_MAX).contains(&n) => return Some(n),
        _ => push(errors, "cpsLimit", format!("Must be an integer from 1 to {CPS_MAX}.")),
    }
    None
}

/// Every field of a credential body, each `None` when absent, `Some(None)` when null.
struct CredentialFields {
    server: Option<Option<SipServer>>,
    domain: Option<Option<SipServer>>,
    auth_user: Option<Option<String>>,
    auth_password: Option<Option<SecretString>>,
    transport: Option<Option<Transport>>,
    description: Option<Option<String>>,
    cps_limit: Option<Option<i64>>,
    cps_key: Option<Option<String>>,
}

fn credential_fields(errors: &mut FieldErrors, body: &Map<String, Value>) -> CredentialFields {
    reject_unknown(errors, body, &CREDENTIAL_FIELDS);
    CredentialFields {
        server: field(body, "server").map(|v| v.and_then(|v| server(errors, "server", v))),
        domain: field(body, "domain").map(|v| v.and_then(|v| server(errors, "domain", v))),
        auth_user: field(body, "authUser").map(|v| v.and_then(|v| auth_user(errors, v))),
        auth_password: field(body, "authPassword").map(|v| v.and_then(|v| password(errors, v))),
        transport: field(body, "transport").map(|v| v.and_then(|v| transport(errors, v))),
        description: field(body, "description").map(|v| v.and_then(|v| text(errors, "description", v, TEXT_MAX))),
        cps_limit: field(body, "cpsLimit").map(|v| v.and_then(|v| cps_limit(errors, v))),
        cps_key: field(body, "cpsKey").map(|v| v.and_then(|v| text(errors, "cpsKey", v, TEXT_MAX))),
    }
}

pub(super) fn parse_new_credential(body: &Map<String, Value>) -> Result<NewSipCredential> {
    let mut errors = FieldErrors::new();
    let f = credential_fields(&mut errors, body);
    if !matches!(f.server, Some(Some(_))) && !errors.contains_key("server") {
        push(&mut errors, "server", "The server field is required.");
    }
    done(errors, ())?;
    Ok(NewSipCredential {
        server: f
            .server
            .flatten()
            .ok_or_else(|| Error::BadRequest("server is required.".into()))?,
        domain: f.domain.flatten(),
        auth_user: f.auth_user.flatten(),
        auth_password: f.auth_password.flatten(),
        transport: f.transport.flatten().unwrap_or_default(),
        description: f.description.flatten(),
        cps_limit: f.cps_limit.flatten(),
        cps_key: f.cps_key.flatten(),
    })
}

pub(super) fn parse_credential_patch(body: &Map<String, Value>) -> Result<SipCredentialPatch> {
    let mut errors = FieldErrors::new();
    if body.is_empty() {
        push(&mut errors, "body", "Send at least one field to change.");
    }
    for required in ["server", "transport"] {
        if body.get(required).is_some_and(Value::is_null) {
            push(&mut errors, required, "May not be null.");
        }
    }
    let f = credential_fields(&mut errors, body);
    done(
        errors,
        SipCredentialPatch {
            server: f.server.flatten(),
            domain: f.domain,
            auth_user: f.auth_user,
            auth_password: f.auth_password,
            transport: f.transport.flatten(),
            description: f.description,
            cps_limit: f.cps_limit,
            cps_key: f.cps_key,
        },
    )
}

/// A validated create body of a SIP phone number.
pub(super) struct NewSipNumber {
    pub phone_number: E164,
    pub credentials_id: Uuid,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

pub(super) fn parse_new_number(body: &Map<String, Value>) -> Result<NewSipNumber> {
    let mut errors = FieldErrors::new();
    reject_unknown(
        &mut errors,
        body,
        &[
            "phoneNumber",
            "credentialsId",
            "displayName",
            "description",
            "registration",
        ],
    );
    let phone_number = match field(body, "phoneNumber").flatten() {
        None => {
            push(&mut errors, "phoneNumber", "The phoneNumber field is required.");
            None
        }
        Some(Value::String(s)) => E164::parse(s)
            .map_err(|why| {
                push(
                    &mut errors,
                    "phoneNumber",
                    format!("Must be E.164 (+ and 2-15 digits): {why}."),
                )
            })
            .ok(),
        Some(_) => {
            push(&mut errors, "phoneNumber", "Must be a string in E.164 format.");
            None
        }
    };
    let credentials_id = match field(body, "credentialsId").flatten() {
        None => {
            push(&mut errors, "credentialsId", "The credentialsId field is required.");
            None
        }
        Some(v) => v.as_str().and_then(|s| Uuid::parse_str(s).ok()).or_else(|| {
            push(&mut errors, "credentialsId", "Must be a SIP credential id (a uuid).");
            None
        }),
    };
    let display_name = field(body, "displayName")
        .flatten()
        .and_then(|v| text(&mut errors, "displayName", v, TEXT_MAX));
    let description = field(body, "description")
        .flatten()
        .and_then(|v| text(&mut errors, "description", v, TEXT_MAX));
    match field(body, "registration").flatten() {
        None | Some(Value::Bool(false)) => {}
        Some(_) => push(
            &mut errors,
            "registration",
            "Patchbay does not register numbers with SIP servers: only false (or null) is accepted.",
        ),
    }
    done(errors, ())?;
    match (phone_number, credentials_id) {
        (Some(phone_number), Some(credentials_id)) => Ok(NewSipNumber {
            phone_number,
            credentials_id,
            display_name,
            description,
        }),
        _ => Err(Error::BadRequest("phoneNumber and credentialsId are required.".into())),
    }
}

fn flag(errors: &mut FieldErrors, q: &BTreeMap<String, String>, name: &str) -> bool {
    match q.get(name).map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            push(errors, name, "Must be true or false.");
            false
        }
    }
}

/// The list filters (the paging is parsed apart).
pub(super) struct NumberFilters {
    pub phone_number: Option<String>,
    pub linked_agent_id: Option<String>,
    pub unlinked_only: bool,
    pub provider_id: Option<Uuid>,
}

pub(super) fn parse_number_filters(q: &BTreeMap<String, String>) -> Result<NumberFilters> {
    let mut errors = FieldErrors::new();
    let unlinked_only = flag(&mut errors, q, "unlinkedOnly");
    let provider_id = q.get("providerId").and_then(|s| {
        Uuid::parse_str(s)
            .map_err(|_| push(&mut errors, "providerId", "Must be a provider id (a uuid)."))
            .ok()
    });
    let phone_number = q.get("phoneNumber").and_then(|s| {
        E164::parse(s)
            .map_err(|_| {
                push(
                    &mut errors,
                    "phoneNumber",
                    "Must be an E.164 number, e.g. +14155550100.",
                )
            })
            .ok()
    });
    let linked_agent_id = q.get("linkedAgentId").and_then(|a| {
        if valid_agent_id(a) {
            Some(a.clone())
        } else {
            push(&mut errors, "linkedAgentId", "Must be 1-128 visible ASCII characters.");
            None
        }
    });
    done(
        errors,
        NumberFilters {
            phone_number: phone_number.map(|n| n.as_str().to_owned()),
            linked_agent_id,
            unlinked_only,
            provider_id,
        },
    )
}

/// `mode` (default inbound) and `agentId` of an agent-link request; `agent_required` for a
/// link, and for unlinking `replaceOutbound`.
pub(super) fn parse_link(q: &BTreeMap<String, String>, linking: bool) -> Result<(LinkMode, Option<String>)> {
    let mut errors = FieldErrors::new();
    let mode = match q.get("mode").map(|m| m.parse::<LinkMode>()) {
        None => LinkMode::Inbound,
        Some(Ok(m)) => m,
        Some(Err(_)) => {
            push(&mut errors, "mode", "Must be inbound or replaceOutbound.");
            LinkMode::Inbound
        }
    };
    let agent = q.get("agentId").filter(|a| !a.is_empty());
    match agent {
        Some(a) if !valid_agent_id(a) => push(&mut errors, "agentId", "Must be 1-128 visible ASCII characters."),
        None if linking || mode == LinkMode::ReplaceOutbound => {
            push(&mut errors, "agentId", "The agentId query parameter is required.")
        }
        _ => {}
    }
    done(errors, (mode, agent.cloned()))
}

// ---- documentation-only: the shapes the parsers accept ------------------------------------------

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SipTransport {
    Udp,
    Tcp,
    Tls,
}

/// Create body of a SIP credential. Unknown fields are a 400; `null` is the same as absent.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSipCredential {
    /// `host[:port]`: a host name, IPv4 or `[IPv6]` literal and a port 1-65535 (default 5060).
    /// No scheme, user info or path. Never contacted by Patchbay.
    #[schema(example = "sip.provider.com:5061", max_length = 261)]
    server: String,
    /// The SIP domain/realm, same syntax as `server`.
    #[schema(example = "sip.provider.com")]
    domain: Option<String>,
    #[schema(pattern = "^[A-Za-z0-9._~!$&'()*+,;=%-]{1,64}$", example = "your-username")]
    auth_user: Option<String>,
    /// Sealed at rest and never returned (responses carry `authPassword: null`).
    #[schema(
        write_only,
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]+$"
    )]
    auth_password: Option<String>,
    /// Default `udp`.
    transport: Option<SipTransport>,
    /// Not blank, no control characters.
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    description: Option<String>,
    /// Stored and returned; enforced by call routing, not here.
    #[schema(minimum = 1, maximum = 1000)]
    cps_limit: Option<i64>,
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    cps_key: Option<String>,
}

/// PATCH body: only the fields sent change; `null` clears an optional field (`server` and
/// `transport` may not be null). Send `authPassword` to rotate the password.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSipCredential {
    #[schema(example = "sip.provider.com:5061", max_length = 261, nullable = false)]
    server: Option<String>,
    domain: Option<String>,
    #[schema(pattern = "^[A-Za-z0-9._~!$&'()*+,;=%-]{1,64}$")]
    auth_user: Option<String>,
    #[schema(
        write_only,
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]+$"
    )]
    auth_password: Option<String>,
    #[schema(nullable = false)]
    transport: Option<SipTransport>,
    /// Not blank, no control characters; `null` clears it.
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    description: Option<String>,
    #[schema(minimum = 1, maximum = 1000)]
    cps_limit: Option<i64>,
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    cps_key: Option<String>,
}

/// Create body of a SIP phone number.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSipPhoneNumber {
    /// E.164. A number is stored once across Patchbay (409 if taken).
    #[schema(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    phone_number: String,
    /// A manual SIP credential of the organization.
    credentials_id: Uuid,
    /// Not blank, no control characters.
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    display_name: Option<String>,
    /// Not blank, no control characters.
    #[schema(
        max_length = 255,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    description: Option<String>,
    /// Only `false`: Patchbay does not register numbers.
    registration: Option<bool>,
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SipPagingParams {
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647, nullable = false)]
    skip: Option<i64>,
    /// Items to return at most (default 20).
    #[param(minimum = 1, maximum = 1000, nullable = false)]
    take: Option<i64>,
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SipNumberFilterParams {
    /// Exactly this E.164 number.
    #[param(nullable = false, pattern = r"^\+[1-9][0-9]{1,14}$")]
    phone_number: Option<String>,
    /// Numbers linked to this agent (inbound or outbound).
    #[param(nullable = false, pattern = "^[!-~]{1,128}$")]
    linked_agent_id: Option<String>,
    /// Only numbers no agent is linked to (default false).
    #[param(nullable = false)]
    unlinked_only: Option<bool>,
    /// Only numbers imported from this provider.
    #[param(nullable = false)]
    provider_id: Option<Uuid>,
}

#[derive(ToSchema, serde::Deserialize)]
pub enum AgentLinkMode {
    #[serde(rename = "inbound")]
    Inbound,
    #[serde(rename = "replaceOutbound")]
    ReplaceOutbound,
}

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AgentLinkParams {
    /// `inbound` (default): the one agent answering the number (replaces the previous one).
    /// `replaceOutbound`: the number becomes the agent's one outbound caller id.
    #[param(nullable = false, inline)]
    mode: Option<AgentLinkMode>,
    /// The calling platform's agent id, opaque to Patchbay (1-128 visible ASCII). Required to
    /// link, and to unlink `replaceOutbound`.
    #[param(nullable = false, pattern = "^[!-~]{1,128}$")]
    agent_id: Option<String>,
}

/// `PUT /{id}/agent-link`: linking always names the agent.
#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AgentLinkPutParams {
    /// `inbound` (default): the one agent answering the number (replaces the previous one).
    /// `replaceOutbound`: the number becomes the agent's one outbound caller id.
    #[param(nullable = false, inline)]
    mode: Option<AgentLinkMode>,
    /// The calling platform's agent id, opaque to Patchbay (1-128 visible ASCII).
    #[param(pattern = "^[!-~]{1,128}$")]
    agent_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn credential_bodies() {
        let new = parse_new_credential(&obj(json!({
            "server": "sip.provider.com:5061", "domain": null, "authUser": "u1", "authPassword": "pw-secret",
            "transport": "tls", "description": null, "cpsLimit": 5, "cpsKey": null
        })))
        .unwrap();
        assert_eq!(new.server.to_string(), "sip.provider.com:5061");
        assert!(!format!("{new:?}").contains("pw-secret"));
        let Err(Error::Validation { errors, .. }) = parse_new_credential(&obj(json!({
            "server": "user@host/x", "transport": "sctp", "cpsLimit": 0, "authPassword": "", "extra": 1
        }))) else {
            panic!("must be refused")
        };
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(names, ["authPassword", "cpsLimit", "extra", "server", "transport"]);
        assert!(parse_new_credential(&obj(json!({}))).is_err());
        let patch = parse_credential_patch(&obj(json!({"authPassword": "new", "domain": null}))).unwrap();
        assert!(matches!(patch.domain, Some(None)) && patch.auth_password.is_some() && patch.server.is_none());
        assert!(parse_credential_patch(&obj(json!({"server": null}))).is_err());
        assert!(parse_credential_patch(&obj(json!({}))).is_err());
    }

    #[test]
    fn link_queries() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(parse_link(&q(&[("agentId", "a1")]), true).unwrap().0, LinkMode::Inbound);
        assert!(parse_link(&q(&[]), true).is_err());
        assert!(parse_link(&q(&[]), false).is_ok());
        assert!(parse_link(&q(&[("mode", "replaceOutbound")]), false).is_err());
        assert!(parse_link(&q(&[("mode", "outbound"), ("agentId", "a")]), true).is_err());
    }
}
