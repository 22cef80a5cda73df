//! Signing in and out, and the sign-in throttle.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::{COOKIE, ConsoleState, Posted, layout, over_https, peer, same_origin};
use crate::service::users::SESSION_TTL;

/// Sign-in attempts allowed per account and per client address: a burst, then one more each
/// `1 min / per_minute`. Right or wrong, every attempt counts.
pub const PER_ACCOUNT_PER_MINUTE: u32 = 5;
pub const PER_ADDRESS_PER_MINUTE: u32 = 20;

pub(crate) struct Throttle {
    account: DefaultKeyedRateLimiter<String>,
    address: DefaultKeyedRateLimiter<Option<IpAddr>>,
}

impl Throttle {
    pub fn new() -> Self {
        let quota = |n| Quota::per_minute(NonZeroU32::new(n).expect("a positive quota"));
        Self {
            account: RateLimiter::keyed(quota(PER_ACCOUNT_PER_MINUTE)),
            address: RateLimiter::keyed(quota(PER_ADDRESS_PER_MINUTE)),
        }
    }

    /// Whether one more attempt for `email` from `address` may be judged now.
    fn allow(&self, email: &str, address: Option<IpAddr>) -> bool {
        // Both buckets are drawn from, so probing many accounts from one address and one
        // account from many addresses are both slowed.
        let by_address = self.address.check_key(&address).is_ok();
        let by_account = self.account.check_key(&email.trim().to_lowercase()).is_ok();
        by_address && by_account
    }
}

pub(crate) async fn sign_in_page() -> Response {
    layout::sign_in(None, StatusCode::OK)
}

pub(crate) async fn sign_in(State(state): State<ConsoleState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // No session yet, so no CSRF token: the origin check (and SameSite) stop cross-site
    // sign-ins into an attacker's account.
    if !same_origin(&parts.headers) {
        return layout::sign_in(
            Some("This form did not come from this console's own pages."),
            StatusCode::FORBIDDEN,
        );
    }
    let https = over_https(&parts.headers);
    let address = peer(&parts);
    let Ok(axum::Form(form)) =
        axum::Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), &state).await
    else {
        return layout::sign_in(Some("The form could not be read."), StatusCode::BAD_REQUEST);
    };
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let (email, password) = (field("email"), field("password"));
    if !state.throttle.allow(email, address) {
        let mut page = layout::sign_in(
            Some("Too many sign-in attempts; wait a minute and try again."),
            StatusCode::TOO_MANY_REQUESTS,
        );
        page.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return page;
    }
    match state.app.sign_in(email, password).await {
        Ok(Some((secret, _))) => {
            let cookie = format!(
                "{COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{}",
                secret.expose(),
                SESSION_TTL.num_seconds(),
                if https { "; Secure" } else { "" }
            );
            let mut response = Redirect::to("/console/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Ok(None) => layout::sign_in(Some("Wrong e-mail or password."), StatusCode::UNAUTHORIZED),
        Err(e) => layout::bare_error(&e),
    }
}

fn signed_out() -> Response {
    let mut response = Redirect::to("/console/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("pb_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

pub(crate) async fn sign_out(State(state): State<ConsoleState>, posted: Posted) -> Response {
    match state.app.sign_out(posted.signed.session.id).await {
        Ok(()) => signed_out(),
        Err(e) => layout::bare_error(&e),
    }
}

pub(crate) async fn sign_out_everywhere(State(state): State<ConsoleState>, posted: Posted) -> Response {
    match state.app.sign_out_everywhere(posted.signed.user.id).await {
        Ok(_) => signed_out(),
        Err(e) => layout::bare_error(&e),
    }
}
