//! The v1 Twilio provider API family (`/api/v1/providers…`): Bearer (or Token) auth with an
//! optional `Org-Handle`, uuid ids, camelCase bodies as the pages show them, and RFC 7807
//! problem details for every error (see [`problem`]). The orchestration lives in
//! `crate::service` (`twilio`, `provisioning`, `phone_numbers`); this module parses, checks and renders. The SIP families
//! (`/api/v1/sip-credentials`, `/api/v1/sip-phone-numbers`) live in `sip_*` (service: `sip`).

mod numbers;
mod parse;
pub(super) mod problem;
mod providers;
mod sip_credentials;
mod sip_numbers;
mod sip_parse;

use axum::extract::{FromRequestParts, Path};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware;
use utoipa::{IntoParams, OpenApi};
use uuid::Uuid;

use super::extract::TokenCaller;
use super::{AppState, Routes};
use crate::error::{Error, Result};
use crate::service::Caller;
use crate::service::twilio::PROVIDER_NOT_FOUND;

/// The media type of every v1 error.
pub(super) const PROBLEM_CONTENT_TYPE: &str = problem::CONTENT_TYPE;

const PROVIDERS: &str = "/providers";
const TWILIO: &str = "/providers/twilio";
const PROVIDER_ANY: &str = "/providers/{id}";
const PROVIDER_TWILIO: &str = "/providers/twilio/{id}";
const SIP_CREDENTIALS: &str = "/sip-credentials";
const SIP_CREDENTIAL: &str = "/sip-credentials/{id}";
const SIP_NUMBERS: &str = "/sip-phone-numbers";
const SIP_NUMBER: &str = "/sip-phone-numbers/{id}";
const AGENT_LINK: &str = "/sip-phone-numbers/{id}/agent-link";

/// The v1 routes, nested at `/api/v1` with their own 404/405 fallbacks and the RFC 7807 layer.
pub fn routes(routes: Routes) -> Routes {
    let v1 = Routes::new()
        .add(Method::GET, PROVIDERS, providers::list_providers)
        .add(Method::POST, TWILIO, providers::create_provider)
        .add(Method::GET, PROVIDER_ANY, providers::get_provider)
        .add(Method::DELETE, PROVIDER_ANY, providers::delete_provider)
        .add(Method::GET, PROVIDER_TWILIO, providers::get_twilio_provider)
        .add(Method::PUT, PROVIDER_TWILIO, providers::update_provider)
        .add(Method::DELETE, PROVIDER_TWILIO, providers::delete_twilio_provider)
        .add(
            Method::PATCH,
            "/providers/twilio/{id}/auth-token",
            providers::rotate_auth_token,
        )
        .add(Method::POST, "/providers/{id}/verify", providers::verify_provider)
        .add(
            Method::GET,
            "/providers/twilio/{id}/available-numbers",
            numbers::available_numbers,
        )
        .add(
            Method::POST,
            "/providers/twilio/{id}/import-numbers",
            numbers::import_numbers,
        )
        .add(
            Method::DELETE,
            "/providers/twilio/{id}/phone-numbers/{phone_number_id}",
            numbers::delete_phone_number,
        )
        .add(Method::GET, SIP_CREDENTIALS, sip_credentials::list_credentials)
        .add(Method::POST, SIP_CREDENTIALS, sip_credentials::create_credential)
        .add(Method::GET, SIP_CREDENTIAL, sip_credentials::get_credential)
        .add(Method::PATCH, SIP_CREDENTIAL, sip_credentials::update_credential)
        .add(Method::DELETE, SIP_CREDENTIAL, sip_credentials::delete_credential)
        .add(
            Method::GET,
            "/sip-credentials/{id}/affected-agents",
            sip_credentials::credential_affected_agents,
        )
        .add(Method::GET, SIP_NUMBERS, sip_numbers::list_numbers)
        .add(Method::POST, SIP_NUMBERS, sip_numbers::create_number)
        .add(Method::GET, SIP_NUMBER, sip_numbers::get_number)
        .add(Method::DELETE, SIP_NUMBER, sip_numbers::delete_number)
        .add(Method::PUT, AGENT_LINK, sip_numbers::link_agent)
        .add(Method::DELETE, AGENT_LINK, sip_numbers::unlink_agent)
        .add(
            Method::GET,
            "/sip-phone-numbers/{id}/affected-agents",
            sip_numbers::number_affected_agents,
        );
    routes.nest("/api/v1", v1, |router| {
        // Own fallbacks, so unknown paths and methods under /api/v1 pass the problem layer too.
        router
            .fallback(|| async { Error::NotFound("Not found.") })
            .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
            .layer(middleware::from_fn(problem::layer))
    })
}

/// The v1 part of the OpenAPI document; schemas are collected from the operations.
#[derive(OpenApi)]
#[openapi(
    paths(
        providers::list_providers,
        providers::create_provider,
        providers::get_provider,
        providers::delete_provider,
        providers::get_twilio_provider,
        providers::update_provider,
        providers::delete_twilio_provider,
        providers::rotate_auth_token,
        providers::verify_provider,
        numbers::available_numbers,
        numbers::import_numbers,
        numbers::delete_phone_number,
        sip_credentials::list_credentials,
        sip_credentials::create_credential,
        sip_credentials::get_credential,
        sip_credentials::update_credential,
        sip_credentials::delete_credential,
        sip_credentials::credential_affected_agents,
        sip_numbers::list_numbers,
        sip_numbers::create_number,
        sip_numbers::get_number,
        sip_numbers::delete_number,
        sip_numbers::link_agent,
        sip_numbers::unlink_agent,
        sip_numbers::number_affected_agents,
    ),
    tags(
        (name = "v1: Twilio providers", description = "Twilio accounts with a Patchbay-provisioned Elastic SIP Trunk, and the phone numbers imported onto it; uuid ids, camelCase bodies, RFC 7807 `application/problem+json` errors."),
        (name = "v1: SIP", description = "SIP credentials and SIP phone numbers of any carrier (Twilio's appear read-only, with `providerId`), and their links to the calling platform's agents. Passwords are write-only: `authPassword` is always null in answers."),
    )
)]
pub struct ApiDoc;

/// The caller: a valid token; `Org-Handle` is optional but, if sent, must be the token's org.
struct V1Caller(Caller);

impl FromRequestParts<AppState> for V1Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let TokenCaller(caller) = TokenCaller::from_request_parts(parts, state).await?;
        if let Some(handle) = parts.headers.get("org-handle")
            && handle.as_bytes() != caller.org.handle.as_bytes()
        {
            return Err(Error::OrgForbidden);
        }
        Ok(Self(caller))
    }
}

/// A JSON answer carrying the resource's version as its `ETag` (to send back in `If-Match`).
fn tagged(status: axum::http::StatusCode, body: impl serde::Serialize, version: i64) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(etag) = axum::http::HeaderValue::from_str(&crate::http::etag::format(version)) {
        response.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    response
}

/// A uuid path segment; anything else is the same 404 as an unknown id.
fn parse_id(raw: &str, not_found: &'static str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound(not_found))
}

struct ProviderId(Uuid);

impl<S: Send + Sync> FromRequestParts<S> for ProviderId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound(PROVIDER_NOT_FOUND))?;
        parse_id(&raw, PROVIDER_NOT_FOUND).map(Self)
    }
}

#[allow(dead_code)] // exists for its parameter description
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
struct OptionalOrgHandleHeader {
    /// Optional on v1: if sent, it must be the token's organization (else 403).
    #[param(rename = "Org-Handle", example = "demo", nullable = false)]
    org_handle: Option<String>,
}

/// The parsers each v1 schema property and query parameter is judged by, for the test that
/// holds the document against them (`openapi::tests`): does the server take this value there?
#[cfg(test)]
pub(super) fn judges() -> Vec<super::openapi::tests::Judged> {
    use super::openapi::tests::{Judge, Judged, query_text, refuses};
    let body = |parse: fn(&serde_json::Map<String, serde_json::Value>) -> Result<(), Error>| {
        move |field: &'static str| -> Judge {
            Box::new(move |v| !refuses(parse(&[(field.to_owned(), v.clone())].into_iter().collect()), field))
        }
    };
    let query = |parse: fn(&std::collections::BTreeMap<String, String>) -> Result<(), Error>| {
        move |field: &'static str| -> Judge {
            Box::new(move |v| !refuses(parse(&[(field.to_owned(), query_text(v))].into_iter().collect()), field))
        }
    };
    let twilio_create = body(|b| parse::parse_new(b).map(drop));
    let twilio_update = body(|b| parse::parse_update(b).map(drop));
    let rotate = body(|b| parse::parse_rotate(b).map(drop));
    let sip_create = body(|b| sip_parse::parse_new_credential(b).map(drop));
    let sip_update = body(|b| sip_parse::parse_credential_patch(b).map(drop));
    let number_create = body(|b| sip_parse::parse_new_number(b).map(drop));
    let filters = query(|q| sip_parse::parse_number_filters(q).map(drop));
    let link = query(|q| sip_parse::parse_link(q, true).map(drop));
    let paging = query(|q| parse::parse_paging(q, parse::DEFAULT_TAKE).map(drop));
    let mut judged: Vec<Judged> = vec![
        ("CreateTwilioProvider", "accountSid", twilio_create("accountSid")),
        ("CreateTwilioProvider", "authToken", twilio_create("authToken")),
        ("CreateTwilioProvider", "name", twilio_create("name")),
        ("UpdateTwilioProvider", "name", twilio_update("name")),
        ("RotateAuthToken", "authToken", rotate("authToken")),
        ("CreateSipPhoneNumber", "phoneNumber", number_create("phoneNumber")),
        ("CreateSipPhoneNumber", "displayName", number_create("displayName")),
        ("CreateSipPhoneNumber", "description", number_create("description")),
        ("GET /api/v1/sip-phone-numbers", "phoneNumber", filters("phoneNumber")),
        (
            "GET /api/v1/sip-phone-numbers",
            "linkedAgentId",
            filters("linkedAgentId"),
        ),
        (
            "PUT /api/v1/sip-phone-numbers/{id}/agent-link",
            "agentId",
            link("agentId"),
        ),
        (
            "DELETE /api/v1/sip-phone-numbers/{id}/agent-link",
            "agentId",
            link("agentId"),
        ),
    ];
    for (schema, parse) in [
        ("CreateSipCredential", &sip_create),
        ("UpdateSipCredential", &sip_update),
    ] {
        for field in [
            "server",
            "authUser",
            "authPassword",
            "description",
            "cpsKey",
            "cpsLimit",
        ] {
            judged.push((schema, field, parse(field)));
        }
    }
    for path in [
        "/api/v1/providers",
        "/api/v1/sip-credentials",
        "/api/v1/sip-phone-numbers",
    ] {
        for field in ["skip", "take"] {
            judged.push((Box::leak(format!("GET {path}").into_boxed_str()), field, paging(field)));
        }
    }
    judged
}
