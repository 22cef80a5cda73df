//! The operator console at `/console/`: server-rendered HTML (maud, compiled in), plain forms
//! that work without JavaScript, one embedded stylesheet and no script at all.
//!
//! Every page acts through the same service calls as the API, as a [`Caller`] resolved from the
//! signed-in user's membership: tenancy, roles, If-Match, audit and quotas are that code.
//!
//! Security: the session cookie is `HttpOnly`, `SameSite=Strict`, `Secure` behind https
//! (`X-Forwarded-Proto: https`), path `/console`; sessions expire after
//! [`crate::service::users::SESSION_TTL`] and "sign out everywhere" ends them all. Every POST
//! must come from our own origin (`Origin`, else `Referer`) and carry the session's CSRF
//! token; sign-in is throttled per account and per address. Every answer carries a strict CSP
//! (no script, no inline style), `X-Frame-Options: DENY`, `nosniff`, `no-store`.

mod access;
mod auth;
mod carriers;
mod jobs;
mod layout;
mod records;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use crate::domain::user::{SessionSecret, constant_time_eq};
use crate::error::Error;
use crate::service::Caller;
use crate::storage::{MembershipRecord, SessionRecord, UserRecord};

pub const COOKIE: &str = "pb_session";

#[derive(Clone)]
pub(crate) struct ConsoleState {
    app: AppState,
    throttle: Arc<auth::Throttle>,
    jobs: jobs::SharedJobs,
}

/// The console's routes, under `/console`.
pub fn router(app: AppState) -> Router<AppState> {
    let state = ConsoleState {
        app,
        throttle: Arc::new(auth::Throttle::new()),
        jobs: Arc::default(),
    };
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(carriers::board))
        .route("/console/assets/console.css", get(layout::stylesheet))
        .route("/console/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/console/sign-out", post(auth::sign_out))
        .route("/console/sign-out-everywhere", post(auth::sign_out_everywhere))
        .route("/console/switch", get(carriers::switch))
        .route(
            "/console/o/{org}/configurations",
            get(carriers::configurations).post(carriers::create_configuration),
        )
        .route("/console/o/{org}/configurations/new", get(carriers::new_configuration))
        .route("/console/o/{org}/verify-all", post(jobs::verify_all))
        .route("/console/o/{org}/jobs/{id}", get(jobs::job))
        .route("/console/o/{org}/configurations/{id}", get(carriers::configuration))
        .route("/console/o/{org}/configurations/{id}/verify", post(carriers::verify))
        .route("/console/o/{org}/configurations/{id}/rotate", post(carriers::rotate))
        .route(
            "/console/o/{org}/configurations/{id}/delete",
            post(carriers::delete_configuration),
        )
        .route("/console/o/{org}/configurations/{id}/import", post(carriers::import))
        .route("/console/o/{org}/numbers", get(carriers::numbers))
        .route("/console/o/{org}/numbers/{id}/release", post(carriers::release))
        .route(
            "/console/o/{org}/bridges",
            get(carriers::bridges).post(carriers::create_bridge),
        )
        .route("/console/o/{org}/bridges/{slug}/connect", post(carriers::connect))
        .route("/console/o/{org}/bridges/{slug}/disconnect", post(carriers::disconnect))
        .route(
            "/console/o/{org}/tokens",
            get(access::tokens).post(access::create_token),
        )
        .route("/console/o/{org}/tokens/{id}/revoke", post(access::revoke_token))
        .route(
            "/console/o/{org}/members",
            get(access::members).post(access::set_member),
        )
        .route("/console/o/{org}/members/{id}/remove", post(access::remove_member))
        .route(
            "/console/me/tokens",
            get(access::personal_tokens).post(access::create_personal_token),
        )
        .route("/console/me/tokens/{id}/revoke", post(access::revoke_personal_token))
        .route("/console/o/{org}/audit", get(records::audit))
        .route("/console/o/{org}/sip", get(records::sip))
        .route("/console/o/{org}/sip/{id}/link", post(records::link))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// No script may run and nothing may load from elsewhere; the console may not be framed.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether the client reached us over https (through a TLS-terminating proxy).
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// `scheme://host` of this request, as a browser on our pages sends it in `Origin`.
fn own_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let scheme = if over_https(headers) { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

/// A state-changing request must come from one of our pages: its `Origin` (or, when a browser
/// sends none, its `Referer`) must be this origin. Cross-site posts are refused even before
/// the CSRF token is looked at.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(own) = own_origin(headers) else { return false };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.as_bytes() == own.as_bytes();
    }
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .is_some_and(|r| r == own || r.starts_with(&format!("{own}/")))
}

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn session_cookie(headers: &HeaderMap) -> Option<SessionSecret> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| SessionSecret::from_cookie(value))
}

/// The signed-in user of a page; without a live session, pages redirect to sign-in.
pub(crate) struct Signed {
    session: SessionRecord,
    user: UserRecord,
    secret: SessionSecret,
    memberships: Vec<MembershipRecord>,
}

impl Signed {
    fn csrf(&self) -> String {
        self.secret.csrf_token()
    }
}

impl FromRequestParts<ConsoleState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ConsoleState) -> Result<Self, Response> {
        let to_sign_in = || Redirect::to("/console/sign-in").into_response();
        let secret = session_cookie(&parts.headers).ok_or_else(to_sign_in)?;
        let (session, user) = state
            .app
            .session(&secret)
            .await
            .map_err(|e| layout::bare_error(&e))?
            .ok_or_else(to_sign_in)?;
        crate::telemetry::set_user(&user.email);
        let memberships = state
            .app
            .organizations_of(user.id)
            .await
            .map_err(|e| layout::bare_error(&e))?;
        Ok(Self {
            session,
            user,
            secret,
            memberships,
        })
    }
}

/// A form posted by a signed-in user from our own pages with the session's CSRF token.
pub(crate) struct Posted {
    signed: Signed,
    fields: Vec<(String, String)>,
}

impl Posted {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl FromRequest<ConsoleState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &ConsoleState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        if parts.method != Method::POST || !same_origin(&parts.headers) {
            return Err(refused("This form did not come from this console's own pages."));
        }
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| refused("The form could not be read."))?;
        let presented = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if !presented.is_some_and(|t| constant_time_eq(t, &signed.csrf())) {
            return Err(refused(
                "The form's security token is missing or stale; reload the page and try again.",
            ));
        }
        Ok(Self { signed, fields })
    }
}

fn refused(message: &str) -> Response {
    layout::bare_error(&Error::BadRequest(message.to_owned())).map_status(StatusCode::FORBIDDEN)
}

trait MapStatus {
    fn map_status(self, status: StatusCode) -> Response;
}

impl MapStatus for Response {
    fn map_status(mut self, status: StatusCode) -> Response {
        *self.status_mut() = status;
        self
    }
}

/// The signed-in user acting in organization `handle`: the same [`Caller`] an API token would
/// be, with the user's role there (403 when not a member).
async fn caller_in(state: &ConsoleState, signed: &Signed, handle: &str) -> Result<Caller, Response> {
    let caller = state
        .app
        .user_caller(signed.session.id, &signed.user, handle)
        .await
        .map_err(|e| layout::bare_error(&e))?;
    super::extract::record_caller(&caller);
    Ok(caller)
}
