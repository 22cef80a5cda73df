//! The console's HTML: the page shell (navigation, organization switcher, sign-out), the
//! sign-in page, error banners and field errors. Maud escapes every interpolated value.

use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::Signed;
use crate::domain::verification::VerificationStatus;
use crate::error::Error;
use crate::service::Caller;

const STYLESHEET: &str = include_str!("console.css");

pub(crate) async fn stylesheet() -> Response {
    let mut response = STYLESHEET.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    response
}

fn document(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Patchbay" }
                link rel="stylesheet" href="/console/assets/console.css";
            }
            body { (body) }
        }
    }
}

fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, axum::response::Html(markup.into_string())).into_response()
}

/// The message to show for an error: the API's own, except for real faults (request id only).
pub(crate) fn message(e: &Error) -> String {
    match e {
        Error::Internal(_) => format!(
            "Something went wrong on our side (request {}).",
            crate::telemetry::current_request_id().unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// An error page outside the shell (no session, or before it could be read).
pub(crate) fn bare_error(e: &Error) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(
        status,
        document(
            "Error",
            html! {
                main.narrow {
                    h1 { "Patchbay" }
                    p.error role="alert" { (message(e)) }
                    p { a href="/console/" { "Back to the console" } }
                }
            },
        ),
    )
}

pub(crate) fn sign_in(problem: Option<&str>, status: StatusCode) -> Response {
    respond(
        status,
        document(
            "Sign in",
            html! {
                main.narrow {
                    h1 { "Patchbay console" }
                    @if let Some(problem) = problem { p.error role="alert" { (problem) } }
                    form method="post" action="/console/sign-in" {
                        label for="email" { "E-mail" }
                        input #email type="email" name="email" autocomplete="username" required autofocus;
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        button type="submit" { "Sign in" }
                    }
                }
            },
        ),
    )
}

/// A page in the shell: navigation for the signed-in user and, inside an organization, its
/// sections. `status` lets a page that shows an error answer with that error's status.
pub(crate) fn page(signed: &Signed, org: Option<&Caller>, title: &str, status: StatusCode, body: Markup) -> Response {
    let csrf = signed.csrf();
    let current = org.map(|c| c.org.handle.as_str());
    respond(
        status,
        document(
            title,
            html! {
                header.top {
                    a.brand href="/console/" { "Patchbay" }
                    form.switcher method="get" action="/console/switch" {
                        label for="org" { "Organization" }
                        select #org name="org" {
                            @if current.is_none() { option value="" selected { "Choose…" } }
                            @for m in &signed.memberships {
                                option value=(m.org.handle) selected[current == Some(m.org.handle.as_str())] {
                                    (m.org.name) " (" (m.role.as_str()) ")"
                                }
                            }
                        }
                        button type="submit" { "Open" }
                    }
                    a.who href="/console/me/tokens" title="Your personal tokens" { (signed.user.email) }
                    form.inline method="post" action="/console/sign-out" {
                        input type="hidden" name="csrf" value=(csrf);
                        button.link type="submit" { "Sign out" }
                    }
                    form.inline method="post" action="/console/sign-out-everywhere" {
                        input type="hidden" name="csrf" value=(csrf);
                        button.link type="submit" { "Sign out everywhere" }
                    }
                }
                nav {
                    a href="/console/" { "Health board" }
                    @if let Some(c) = org {
                        @let base = format!("/console/o/{}", c.org.handle);
                        a href=(format!("{base}/configurations")) { "Configurations" }
                        a href=(format!("{base}/numbers")) { "Numbers" }
                        a href=(format!("{base}/bridges")) { "Bridges" }
                        a href=(format!("{base}/sip")) { "SIP" }
                        @if c.role.can_administer() {
                            a href=(format!("{base}/tokens")) { "API tokens" }
                        }
                        a href=(format!("{base}/members")) { "Members" }
                        @if c.role.can_write() {
                            a href=(format!("{base}/audit")) { "Audit trail" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            },
        ),
    )
}

/// The banner of an error a form caused (its message), if any.
pub(crate) fn banner(e: Option<&Error>) -> Markup {
    html! {
        @if let Some(e) = e { p.error role="alert" { (message(e)) } }
    }
}

/// A fixed notice after a successful form (redirect-after-post carries only its key).
pub(crate) fn notice(key: Option<&str>) -> Markup {
    let text = match key {
        Some("created") => "Created.",
        Some("verified") => "Verified with the carrier just now.",
        Some("rotated") => "Secret rotated and verified.",
        Some("deleted") => "Deleted.",
        Some("imported") => "Numbers imported.",
        Some("released") => "Number released.",
        Some("connected") => "Number connected to the bridge.",
        Some("disconnected") => "Number taken off the bridge.",
        Some("revoked") => "Token revoked.",
        Some("linked") => "Agent linked.",
        Some("member-set") => "Role set.",
        Some("member-removed") => "Member removed.",
        _ => return html! {},
    };
    html! { p.notice role="status" { (text) } }
}

/// The messages an error has for one field, shown next to it.
pub(crate) fn field_error(e: Option<&Error>, field: &str) -> Markup {
    let messages = match e {
        Some(Error::Validation { errors, .. } | Error::Refused { errors, .. }) => errors.get(field),
        _ => None,
    };
    html! {
        @if let Some(messages) = messages {
            @for m in messages { span.field-error { (m) } }
        }
    }
}

/// Every field message of an error whose field the form does not show (`non_field_errors`…).
pub(crate) fn other_field_errors(e: Option<&Error>, shown: &[&str]) -> Markup {
    let errors = match e {
        Some(Error::Validation { errors, .. } | Error::Refused { errors, .. }) => Some(errors),
        _ => None,
    };
    html! {
        @if let Some(errors) = errors {
            @for (field, messages) in errors.iter().filter(|(f, _)| !shown.contains(&f.as_str())) {
                @for m in messages {
                    p.field-error { @if field != "non_field_errors" { (field) ": " } (m) }
                }
            }
        }
    }
}

pub(crate) fn status_badge(status: VerificationStatus) -> Markup {
    html! { span class=(format!("badge {}", status.as_str())) { (status.as_str()) } }
}

pub(crate) fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> Markup {
    match at {
        Some(at) => html! { time datetime=(at.to_rfc3339()) { (at.format("%Y-%m-%d %H:%M:%S UTC")) } },
        None => html! { "never" },
    }
}

/// The hidden CSRF field every form carries.
pub(crate) fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name="csrf" value=(signed.csrf()); }
}

/// A status for a page that shows `e` (200 when there is none).
pub(crate) fn status_of(e: Option<&Error>) -> StatusCode {
    e.map_or(StatusCode::OK, |e| {
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    })
}
