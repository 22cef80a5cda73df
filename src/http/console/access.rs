//! Who may call: the organization's API tokens (admins only: create, shown once; revoke) and
//! its members (read here; managed with `patchbay user`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{self, banner, csrf, notice, status_of, when};
use super::{ConsoleState, Posted, Signed, caller_in};
use crate::domain::access::{NewApiToken, Role};
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

pub(crate) async fn members(State(state): State<ConsoleState>, Path(org): Path<String>, signed: Signed) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let members = match state.app.list_members(&caller.org).await {
        Ok(m) => m,
        Err(e) => return layout::bare_error(&e),
    };
    let body = html! {
        p.hint { "Admins manage carrier resources, API tokens and members; members manage carrier resources; viewers read. Add people with " code { "patchbay user add" } "." }
        table {
            thead { tr { th { "E-mail" } th { "Role" } th { "Since" } } }
            tbody { @for m in &members { tr { td { (m.email) } td { (m.role.as_str()) } td { (when(Some(m.created_at))) } } } }
        }
    };
    layout::page(&signed, Some(&caller), "Members", StatusCode::OK, body)
}
