//! Extractors whose every rejection is the API's own error body, never axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, IF_MATCH};
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::AppState;
use crate::error::Error;
use crate::service::Caller;

/// The caller of an org-scoped endpoint: a valid token plus an `Org-Handle` it belongs to.
pub struct OrgCaller(pub Caller);

/// The caller of an endpoint that needs no `Org-Handle` (the organizations list, the v1 family):
/// the token's own organization.
pub struct TokenCaller(pub Caller);

/// The token of `Authorization: Token <token>` (or `Bearer <token>`).
pub(super) fn bearer_token(headers: &HeaderMap) -> Result<&str, Error> {
    let value = headers.get(AUTHORIZATION).ok_or(Error::Unauthenticated)?;
    let value = value.to_str().map_err(|_| Error::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(Error::InvalidToken)?;
    if scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer") {
        Ok(token.trim())
    } else {
        Err(Error::InvalidToken)
    }
}

/// Authenticates the request's token; a personal token acts for the organization its
/// `Org-Handle` names (see [`crate::service::Patchbay::authenticate_request`]).
pub(super) async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<Caller, Error> {
    let handle = headers.get("org-handle").map(|h| h.as_bytes());
    app.authenticate_request(bearer_token(headers)?, handle).await
}

/// Tells the request's log line and audit events who is calling.
pub(super) fn record_caller(caller: &Caller) {
    crate::telemetry::set_caller(caller.token_id, caller.org.id, &caller.org.handle);
    if let Some(user) = &caller.user {
        crate::telemetry::set_user(&user.email);
    }
}

impl TokenCaller {
    /// An organization token's caller, from the request's headers alone.
    pub(super) async fn from_headers(app: &AppState, headers: &HeaderMap) -> Result<Self, Error> {
        let caller = app.authenticate(bearer_token(headers)?).await?;
        record_caller(&caller);
        Ok(Self(caller))
    }
}

impl FromRequestParts<AppState> for TokenCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Authenticated already: by the idempotency layer, or an earlier extractor.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            record_caller(caller);
            return Ok(Self(caller.clone()));
        }
        let caller = authenticate(state, &parts.headers).await?;
        record_caller(&caller);
        parts.extensions.insert(caller.clone());
        Ok(Self(caller))
    }
}

impl FromRequestParts<AppState> for OrgCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let TokenCaller(caller) = TokenCaller::from_request_parts(parts, state).await?;
        let handle = parts.headers.get("org-handle").ok_or(Error::MissingOrgHandle)?;
        // A token belongs to one organization; any other handle, existing or not, gets the same 403.
        if handle.as_bytes() != caller.org.handle.as_bytes() {
            return Err(Error::OrgForbidden);
        }
        Ok(Self(caller))
    }
}

/// A JSON body, unparsed: what every JSON extractor checks first. Wrong content type → 415, too
/// large → 413, unreadable → 400, all in the envelope.
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
            });
        if !is_json {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::BadRequest("Could not read the request body.".into())
            }
        })?;
        Ok(Self(bytes))
    }
}

/// A body that is not JSON at all. serde_json's messages give a position, never the input.
pub fn json_parse_error(e: &serde_json::Error) -> Error {
    Error::BadRequest(format!("JSON parse error - {e}"))
}

/// What a body that is JSON but no object is told.
pub fn not_an_object() -> Error {
    Error::BadRequest("The request body must be a JSON object.".into())
}

/// A JSON object body: [`JsonBody`]'s refusals, and malformed JSON or not an object → 400.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBody(bytes) = JsonBody::from_request(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(not_an_object()),
            Err(e) => Err(json_parse_error(&e)),
        }
    }
}

/// A v2 configuration id from the path: anything but a positive integer is a 404, as for an
/// id that does not exist.
pub struct ConfigId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ConfigId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_found = || Error::NotFound(crate::service::CONFIG_NOT_FOUND);
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(not_found)
    }
}

/// Query parameters as a map; a malformed query string is a 400 in the envelope.
pub struct QueryMap(pub std::collections::BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // As `Query<BTreeMap<String, String>>` decodes it (the last of a repeated name wins,
        // bad UTF-8 replaced), without serde's machinery: a tenth of a routing look-up.
        let map: std::collections::BTreeMap<String, String> =
            form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        refuse_nul(&map)?;
        Ok(Self(map))
    }
}

/// No parameter has a use for NUL, and PostgreSQL refuses it in text: a 400 here, not a 500
/// from whichever query the value reaches.
pub(super) fn refuse_nul(map: &std::collections::BTreeMap<String, String>) -> Result<(), Error> {
    match map.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
        Some((name, _)) => Err(Error::field(name, "May not contain NUL characters.")),
        None => Ok(()),
    }
}

/// The version an `If-Match` header asks for (`"v3"` or `W/"v3"`); `*` and absence mean any.
pub struct IfMatch(pub Option<i64>);

/// Versions start at 1: what a malformed `If-Match` is taken to name.
const NO_VERSION: i64 = 0;

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(IF_MATCH) else {
            return Ok(Self(None));
        };
        // A value that is no ETag of ours matches no version: the write answers 412 like any
        // stale ETag, but only once the rest of the request is valid (RFC 9110 §13.2.1: a
        // request that would fail without its precondition answers that failure, not 412).
        let Ok(value) = value.to_str() else {
            return Ok(Self(Some(NO_VERSION)));
        };
        if value.trim() == "*" {
            return Ok(Self(None));
        }
        Ok(Self(Some(super::etag::parse(value.trim()).unwrap_or(NO_VERSION))))
    }
}

/// `?force=true`: detach what is attached instead of refusing with 409.
pub fn force_param(query: &std::collections::BTreeMap<String, String>) -> Result<bool, Error> {
    match query.get("force").map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(Error::field("force", "Must be true or false.")),
    }
}
