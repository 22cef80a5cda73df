//! Who may call: the organization's API tokens (admins only: create, shown once; revoke) and
//! its members (read here; managed with `patchbay user`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{self, banner, csrf, notice, status_of, when};
use super::{ConsoleState, Posted, Signed, caller_in};
use crate::domain::access::{NewApiToken, Role};
use crate::domain::user::Email;
use crate::error::Error;
use crate::service::Caller;
use crate::service::access::TokenState;

async fn tokens_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    notice_key: Option<&str>,
    created: Option<&NewApiToken>,
    error: Option<&Error>,
) -> Response {
    if let Err(e) = caller.require_admin() {
        return layout::bare_error(&e);
    }
    let tokens = match state.app.list_tokens(&caller.org).await {
        Ok(t) => t,
        Err(e) => return layout::bare_error(&e),
    };
    let base = format!("/console/o/{}/tokens", caller.org.handle);
    let now = chrono::Utc::now();
    let body = html! {
        (notice(notice_key))
        (banner(error))
        @if let Some(token) = created {
            section.card role="status" {
                h2 { "New token" }
                p { "Copy it now: it is shown once and stored only as a hash." }
                p.secret #new-token { (token.expose()) }
            }
        }
        form.card method="post" action=(base) {
            (csrf(signed))
            h2 { "Create a token" }
            label for="t-label" { "Label" }
            input #t-label type="text" name="label";
            label for="t-role" { "Role" }
            select #t-role name="role" {
                option value="viewer" { "viewer (read only)" }
                option value="admin" { "admin" }
            }
            button type="submit" { "Create token" }
        }
        table {
            thead { tr { th { "Id" } th { "Prefix" } th { "Label" } th { "Role" } th { "State" } th { "Created" } th { "Revoke" } } }
            tbody { @for t in &tokens {
                @let token_state = TokenState::of(t, now);
                tr {
                    td { (t.id) }
                    td { code { (t.token_prefix) "…" } }
                    td { (t.label.as_deref().unwrap_or("")) }
                    td { (t.role.as_str()) }
                    td { (token_state.as_str()) }
                    td { (when(Some(t.created_at))) }
                    td { @if token_state == TokenState::Active {
                        form.inline method="post" action=(format!("{base}/{}/revoke", t.id)) {
                            (csrf(signed))
                            button.danger type="submit" { "Revoke token " (t.id) }
                        }
                    } }
                }
            } }
        }
    };
    let status = if created.is_some() {
        StatusCode::CREATED
    } else {
        status_of(error)
    };
    layout::page(signed, Some(caller), "API tokens", status, body)
}

pub(crate) async fn tokens(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let notice_key = raw
        .as_deref()
        .and_then(|q| q.strip_prefix("notice="))
        .map(str::to_owned);
    match caller_in(&state, &signed, &org).await {
        Ok(caller) => tokens_page(&state, &signed, &caller, notice_key.as_deref(), None, None).await,
        Err(r) => r,
    }
}

pub(crate) async fn create_token(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.require_admin() {
        return layout::bare_error(&e);
    }
    let role = match posted.get("role") {
        Some("admin") => Role::Admin,
        Some("viewer") => Role::Viewer,
        _ => {
            let e = Error::field("role", "Choose admin or viewer.");
            return tokens_page(&state, &posted.signed, &caller, None, None, Some(&e)).await;
        }
    };
    match state
        .app
        .create_token(&caller.org, role, posted.get("label"), None)
        .await
    {
        Ok((_, token)) => tokens_page(&state, &posted.signed, &caller, None, Some(&token), None).await,
        Err(e) => tokens_page(&state, &posted.signed, &caller, None, None, Some(&e)).await,
    }
}

pub(crate) async fn revoke_token(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_admin()?;
        let not_found = || Error::NotFound("No active token with this id.");
        let id: i64 = id.parse().map_err(|_| not_found())?;
        // Only this organization's tokens: another's id is the same 404 as none.
        let ours = state.app.list_tokens(&caller.org).await?.iter().any(|t| t.id == id);
        if !ours || !state.app.revoke_token(id).await? {
            return Err(not_found());
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/console/o/{}/tokens?notice=revoked", caller.org.handle)).into_response(),
        Err(e) => tokens_page(&state, &posted.signed, &caller, None, None, Some(&e)).await,
    }
}

async fn members_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    notice_key: Option<&str>,
    error: Option<&Error>,
) -> Response {
    let members = match state.app.list_members(&caller.org).await {
        Ok(m) => m,
        Err(e) => return layout::bare_error(&e),
    };
    let base = format!("/console/o/{}/members", caller.org.handle);
    let admin = caller.role.can_administer();
    let roles = [Role::Admin, Role::Member, Role::Viewer];
    let body = html! {
        (notice(notice_key))
        (banner(error))
        p.hint { "Admins manage carrier resources, API tokens and members; members manage carrier resources; viewers read. New people are created with " code { "patchbay user create" } "." }
        @if admin {
            form.card method="post" action=(base) {
                (csrf(signed))
                h2 { "Add a member" }
                label for="m-email" { "E-mail of an existing user" }
                input #m-email type="email" name="email" required;
                (layout::field_error(error, "email"))
                label for="m-role" { "Role" }
                select #m-role name="role" { @for r in roles { option value=(r.as_str()) { (r.as_str()) } } }
                button type="submit" { "Add member" }
            }
        }
        table {
            thead { tr { th { "E-mail" } th { "Role" } th { "Since" } @if admin { th { "Change" } } } }
            tbody { @for m in &members {
                tr {
                    td { (m.email) }
                    td { (m.role.as_str()) }
                    td { (when(Some(m.created_at))) }
                    @if admin {
                        td { @if m.user_id != signed.user.id {
                            form.inline method="post" action=(base.clone()) {
                                (csrf(signed))
                                input type="hidden" name="email" value=(m.email);
                                label for=(format!("role-{}", m.user_id)) { "Role" }
                                select id=(format!("role-{}", m.user_id)) name="role" {
                                    @for r in roles { option value=(r.as_str()) selected[r == m.role] { (r.as_str()) } }
                                }
                                button type="submit" { "Set role of " (m.email) }
                            }
                            form.inline method="post" action=(format!("{base}/{}/remove", m.user_id)) {
                                (csrf(signed))
                                button.danger type="submit" { "Remove " (m.email) }
                            }
                        } @else { "you" } }
                    }
                }
            } }
        }
    };
    layout::page(signed, Some(caller), "Members", status_of(error), body)
}

pub(crate) async fn members(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let notice_key = raw
        .as_deref()
        .and_then(|q| q.strip_prefix("notice="))
        .map(str::to_owned);
    match caller_in(&state, &signed, &org).await {
        Ok(caller) => members_page(&state, &signed, &caller, notice_key.as_deref(), None).await,
        Err(r) => r,
    }
}

/// Adds an existing user to the organization or changes their role (admins; not their own).
pub(crate) async fn set_member(State(state): State<ConsoleState>, Path(org): Path<String>, posted: Posted) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_admin()?;
        let email = Email::parse(posted.get("email").unwrap_or_default()).map_err(|m| Error::field("email", m))?;
        let role: Role = posted
            .get("role")
            .unwrap_or_default()
            .parse()
            .map_err(|m: String| Error::field("role", m))?;
        if email.as_str() == posted.signed.user.email {
            return Err(Error::field("email", "You cannot change your own role here."));
        }
        state.app.set_member(&email, &caller.org, role).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/console/o/{}/members?notice=member-set", caller.org.handle)).into_response(),
        Err(e) => members_page(&state, &posted.signed, &caller, None, Some(&e)).await,
    }
}

pub(crate) async fn remove_member(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_admin()?;
        let id: i64 = id
            .parse()
            .map_err(|_| Error::NotFound("No user has this e-mail address."))?;
        if id == posted.signed.user.id {
            return Err(Error::BadRequest("You cannot remove yourself here.".into()));
        }
        state.app.remove_member(&caller.org, id).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!(
            "/console/o/{}/members?notice=member-removed",
            caller.org.handle
        ))
        .into_response(),
        Err(e) => members_page(&state, &posted.signed, &caller, None, Some(&e)).await,
    }
}

/// The signed-in user's personal API tokens (they act for each of the user's organizations).
async fn personal_page(
    state: &ConsoleState,
    signed: &Signed,
    created: Option<&NewApiToken>,
    notice_key: Option<&str>,
) -> Response {
    let user = &signed.user;
    let tokens = match state.app.list_user_tokens(user).await {
        Ok(t) => t,
        Err(e) => return layout::bare_error(&e),
    };
    let body = html! {
        (notice(notice_key))
        @if let Some(token) = created {
            section.card role="status" {
                h2 { "New personal token" }
                p { "Copy it now: it is shown once. Send it with " code { "Org-Handle" } " to choose the organization." }
                p.secret #new-token { (token.expose()) }
            }
        }
        form.card method="post" action="/console/me/tokens" {
            (csrf(signed))
            h2 { "Create a personal token" }
            label for="p-label" { "Label" }
            input #p-label type="text" name="label";
            button type="submit" { "Create personal token" }
        }
        table {
            thead { tr { th { "Id" } th { "Prefix" } th { "Label" } th { "State" } th { "Created" } th { "Revoke" } } }
            tbody { @for t in &tokens {
                tr {
                    td { (t.id) }
                    td { code { (t.token_prefix) "…" } }
                    td { (t.label.as_deref().unwrap_or("")) }
                    td { @if t.revoked_at.is_some() { "revoked" } @else { "active" } }
                    td { (when(Some(t.created_at))) }
                    td { @if t.revoked_at.is_none() {
                        form.inline method="post" action=(format!("/console/me/tokens/{}/revoke", t.id)) {
                            (csrf(signed))
                            button.danger type="submit" { "Revoke personal token " (t.id) }
                        }
                    } }
                }
            } }
        }
    };
    let status = if created.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    layout::page(signed, None, "Personal API tokens", status, body)
}

pub(crate) async fn personal_tokens(
    State(state): State<ConsoleState>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let notice_key = raw
        .as_deref()
        .and_then(|q| q.strip_prefix("notice="))
        .map(str::to_owned);
    personal_page(&state, &signed, None, notice_key.as_deref()).await
}

pub(crate) async fn create_personal_token(State(state): State<ConsoleState>, posted: Posted) -> Response {
    crate::telemetry::set_user(&posted.signed.user.email);
    match state
        .app
        .create_user_token(&posted.signed.user, posted.get("label"))
        .await
    {
        Ok((_, token)) => personal_page(&state, &posted.signed, Some(&token), None).await,
        Err(e) => layout::bare_error(&e),
    }
}

pub(crate) async fn revoke_personal_token(
    State(state): State<ConsoleState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Response {
    let revoked = match id.parse::<i64>() {
        Ok(id) => state.app.revoke_user_token(&posted.signed.user, id).await,
        Err(_) => Err(Error::NotFound("No active token with this id.")),
    };
    match revoked {
        Ok(()) => Redirect::to("/console/me/tokens?notice=revoked").into_response(),
        Err(e) => layout::bare_error(&e),
    }
}
