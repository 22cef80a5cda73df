//! The audit trail (with filters) and the SIP view: credentials, their numbers and the agents
//! linked to them.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use maud::html;

use super::carriers::query_value;
use super::layout::{self, banner, csrf, field_error, notice, status_of, when};
use super::{ConsoleState, Posted, Signed, caller_in};
use crate::domain::sip::{LinkMode, valid_agent_id};
use crate::error::Error;
use crate::service::Caller;
use crate::storage::{AuditQuery, SipNumberFilter};

const AUDIT_PAGE: i64 = 100;

/// A filter date (`YYYY-MM-DD`, from a date input) as the start of that day in UTC.
fn day(raw: Option<&str>, field: &str) -> Result<Option<DateTime<Utc>>, Error> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
                .map_err(|_| Error::field(field, "Enter a date as YYYY-MM-DD."))
        })
        .transpose()
}

pub(crate) async fn audit(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    let caller = match caller_in(&state, &signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    // The API's rule: the trail shows who holds which token, so not for viewers.
    if let Err(e) = caller.require_write() {
        return layout::bare_error(&e);
    }
    let kind = query_value(&raw, "resource_type").filter(|s| !s.is_empty());
    let since = query_value(&raw, "since");
    let until = query_value(&raw, "until");
    let page: i64 = query_value(&raw, "page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1);
    let listed = async {
        let query = AuditQuery {
            resource_type: kind.as_deref(),
            since: day(since.as_deref(), "since")?,
            // Through the end of the day chosen.
            until: day(until.as_deref(), "until")?.map(|d| d + chrono::Duration::days(1)),
            limit: AUDIT_PAGE,
            offset: (page - 1).saturating_mul(AUDIT_PAGE),
            ..AuditQuery::default()
        };
        state.app.list_audit_events(&caller, query).await
    }
    .await;
    let (events, total, error) = match listed {
        Ok((events, total)) => (events, total, None),
        Err(e @ Error::Validation { .. }) => (vec![], 0, Some(e)),
        Err(e) => return layout::bare_error(&e),
    };
    let kinds = [
        "configuration",
        "twilio_provider",
        "phone_number",
        "bridge",
        "api_token",
        "membership",
        "user",
        "organization",
    ];
    let base = format!("/console/o/{}/audit", caller.org.handle);
    let body = html! {
        (banner(error.as_ref()))
        form.card method="get" action=(base) {
            div.row {
                div {
                    label for="a-kind" { "Resource" }
                    select #a-kind name="resource_type" {
                        option value="" { "any" }
                        @for k in kinds { option value=(k) selected[kind.as_deref() == Some(k)] { (k) } }
                    }
                }
                div {
                    label for="a-since" { "From (UTC day)" }
                    input #a-since type="date" name="since" value=[since.as_deref()];
                    (field_error(error.as_ref(), "since"))
                }
                div {
                    label for="a-until" { "Until (UTC day)" }
                    input #a-until type="date" name="until" value=[until.as_deref()];
                    (field_error(error.as_ref(), "until"))
                }
            }
            button type="submit" { "Filter" }
        }
        p { (total) " events" @if total > AUDIT_PAGE { ", page " (page) } "." }
        table {
            thead { tr { th { "When" } th { "Who" } th { "Action" } th { "Resource" } th { "Fields" } } }
            tbody { @for e in &events {
                tr {
                    td { (when(Some(e.created_at))) }
                    td { (e.actor) }
                    td { (e.action) }
                    td { (e.resource_type) " " code { (e.resource_id) } }
                    td { (e.fields.0.join(", ")) }
                }
            } }
        }
        @if page * AUDIT_PAGE < total {
            @let next = format!("{base}?resource_type={}&since={}&until={}&page={}",
                kind.as_deref().unwrap_or(""), since.as_deref().unwrap_or(""), until.as_deref().unwrap_or(""), page + 1);
            p { a href=(next) { "Older events" } }
        }
    };
    layout::page(&signed, Some(&caller), "Audit trail", status_of(error.as_ref()), body)
}

async fn sip_page(
    state: &ConsoleState,
    signed: &Signed,
    caller: &Caller,
    notice_key: Option<&str>,
    error: Option<&Error>,
) -> Response {
    let listed = async {
        let (credentials, _) = state.app.list_sip_credentials(caller.org.id, 0, 1000).await?;
        let (numbers, _) = state
            .app
            .list_sip_numbers(caller.org.id, &SipNumberFilter::default(), 0, 1000)
            .await?;
        Ok::<_, Error>((credentials, numbers))
    };
    let (credentials, numbers) = match listed.await {
        Ok(lists) => lists,
        Err(e) => return layout::bare_error(&e),
    };
    let body = html! {
        (notice(notice_key))
        (banner(error))
        h2 { "Credentials" }
        @if credentials.is_empty() { p { "No SIP credentials." } } @else {
            table {
                thead { tr { th { "Server" } th { "User" } th { "Transport" } th { "Source" } th { "Password" } } }
                tbody { @for c in &credentials {
                    tr {
                        td { (c.server) }
                        td { (c.auth_user.as_deref().unwrap_or("")) }
                        td { (c.transport) }
                        td { @if c.provider_id.is_some() { "Twilio provider" } @else { "manual" } }
                        td { "write-only" }
                    }
                } }
            }
        }
        h2 { "Numbers and their agents" }
        @if numbers.is_empty() { p { "No SIP numbers." } } @else {
            table {
                thead { tr { th { "Number" } th { "Provider" } th { "Inbound agent" } @if caller.role.can_write() { th { "Link an inbound agent" } } } }
                tbody { @for n in &numbers {
                    tr {
                        td { (n.number.phone_number.as_str()) }
                        td { (n.provider) }
                        td { (n.inbound_agent_id.as_deref().unwrap_or("—")) }
                        @if caller.role.can_write() {
                            td { form.inline method="post" action=(format!("/console/o/{}/sip/{}/link", caller.org.handle, n.number.uuid)) {
                                (csrf(signed))
                                @let id = format!("agent-{}", n.number.uuid);
                                label for=(id) { "Agent" }
                                input id=(id) type="text" name="agent_id" maxlength="128";
                                button type="submit" { "Link" }
                            } }
                        }
                    }
                } }
            }
            (field_error(error, "agentId"))
        }
    };
    layout::page(signed, Some(caller), "SIP", status_of(error), body)
}

pub(crate) async fn sip(
    State(state): State<ConsoleState>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
    signed: Signed,
) -> Response {
    match caller_in(&state, &signed, &org).await {
        Ok(caller) => sip_page(&state, &signed, &caller, query_value(&raw, "notice").as_deref(), None).await,
        Err(r) => r,
    }
}

/// Links an inbound agent to a SIP number (the v1 family's `agent-link?mode=inbound`).
pub(crate) async fn link(
    State(state): State<ConsoleState>,
    Path((org, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let caller = match caller_in(&state, &posted.signed, &org).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = async {
        caller.require_write()?;
        let id = uuid::Uuid::parse_str(&id).map_err(|_| Error::NotFound("Phone number not found."))?;
        let agent = posted
            .get("agent_id")
            .filter(|a| valid_agent_id(a))
            .ok_or_else(|| Error::field("agentId", "An agent id is 1-128 visible ASCII characters."))?;
        state
            .app
            .set_sip_number_link(caller.org.id, id, LinkMode::Inbound, Some(agent), true, None)
            .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/console/o/{}/sip?notice=linked", caller.org.handle)).into_response(),
        Err(e) => sip_page(&state, &posted.signed, &caller, None, Some(&e)).await,
    }
}
