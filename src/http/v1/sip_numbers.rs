//! SIP phone numbers (`/api/v1/sip-phone-numbers`): the numbers of the SIP credentials (manual
//! ones added here, Twilio ones imported through their provider), their agent links and the
//! agents a delete would cut off.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse::parse_paging;
use super::problem::Problem;
use super::sip_credentials::{NumberAgentsView, SIP_DEFAULT_TAKE, agent_views};
use super::sip_parse::{
    AgentLinkParams, AgentLinkPutParams, CreateSipPhoneNumber, SipNumberFilterParams, SipPagingParams, parse_link,
    parse_new_number, parse_number_filters,
};
use super::{OptionalOrgHandleHeader, V1Caller, parse_id, tagged};
use crate::error::Result;
use crate::http::AppState;
use crate::http::doc::IfMatchHeader;
use crate::http::extract::{IfMatch, JsonObject, QueryMap, force_param};
use crate::http::format::timestamp;
use crate::service::sip::SIP_NUMBER_NOT_FOUND;
use crate::storage::{SipNumberFilter, SipNumberListing};

/// Registration state: always `Disabled` (Patchbay does not register numbers).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipRegistrationStatus)]
struct RegistrationView {
    #[schema(example = "Disabled")]
    state: &'static str,
    #[schema(required = true, value_type = Option<String>)]
    error_description: Option<()>,
    #[schema(required = true, value_type = Option<String>)]
    sip_response_message: Option<()>,
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    last_updated: Option<()>,
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    expires_at: Option<()>,
}

/// A SIP phone number, fields in the pages' order.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipPhoneNumber)]
struct NumberView<'a> {
    id: Uuid,
    #[schema(example = "acme")]
    org_id: &'a str,
    #[schema(example = "+14155550100")]
    phone_number: &'a str,
    /// The SIP credential (for a Twilio number: its provider's credential).
    credentials_id: Uuid,
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    created_time: String,
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    last_update_time: String,
    registration_status: RegistrationView,
    #[schema(required = true)]
    description: Option<&'a str>,
    #[schema(required = true)]
    display_name: Option<&'a str>,
    /// Always false.
    registration: bool,
    /// The provider it was imported from, else null.
    #[schema(required = true)]
    provider_id: Option<Uuid>,
    /// The agent answering its inbound calls, if linked.
    #[schema(required = true)]
    incoming_calls_agent_id: Option<&'a str>,
}

fn view<'a>(n: &'a SipNumberListing, org: &'a str) -> NumberView<'a> {
    let r = &n.number;
    NumberView {
        id: r.uuid,
        org_id: org,
        phone_number: r.phone_number.as_str(),
        credentials_id: n.credentials_id,
        created_time: timestamp(&r.created_at),
        last_update_time: timestamp(r.updated_at.as_ref().unwrap_or(&r.created_at)),
        registration_status: RegistrationView {
            state: "Disabled",
            error_description: None,
            sip_response_message: None,
            last_updated: None,
            expires_at: None,
        },
        description: r.description.as_deref(),
        display_name: r.display_name.as_deref(),
        registration: false,
        provider_id: (n.provider != "sip").then_some(n.credentials_id),
        incoming_calls_agent_id: n.inbound_agent_id.as_deref(),
    }
}

fn number_response(status: StatusCode, n: &SipNumberListing, org: &str) -> Response {
    tagged(status, view(n, org), n.number.version)
}

fn number_id(raw: &str) -> Result<Uuid> {
    parse_id(raw, SIP_NUMBER_NOT_FOUND)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipPhoneNumberList)]
struct NumberList<'a> {
    items: Vec<NumberView<'a>>,
    /// All numbers matching the filters (not just this page).
    #[schema(minimum = 0)]
    total_count: i64,
    skip: i64,
    take: i64,
}

#[utoipa::path(get, path = "/api/v1/sip-phone-numbers", tag = "v1: SIP",
    summary = "List SIP phone numbers (manual and provider-imported)",
    params(OptionalOrgHandleHeader, SipNumberFilterParams, SipPagingParams),
    responses((status = 200, description = "A page of phone numbers", body = NumberList),
        (status = 400, description = "Bad paging or filter values", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn list_numbers(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (skip, take) = parse_paging(&query, SIP_DEFAULT_TAKE)?;
    let f = parse_number_filters(&query)?;
    let filter = SipNumberFilter {
        phone_number: f.phone_number.as_deref(),
        linked_agent_id: f.linked_agent_id.as_deref(),
        unlinked_only: f.unlinked_only,
        provider_id: f.provider_id,
        credentials_id: None,
    };
    let (rows, total_count) = app.list_sip_numbers(caller.org.id, &filter, skip, take).await?;
    Ok(axum::Json(NumberList {
        items: rows.iter().map(|n| view(n, &caller.org.handle)).collect(),
        total_count,
        skip,
        take,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/sip-phone-numbers", tag = "v1: SIP",
    summary = "Add a phone number on a manual SIP credential",
    params(OptionalOrgHandleHeader),
    request_body(content = CreateSipPhoneNumber, content_type = "application/json"),
    responses((status = 201, description = "Created", body = NumberView),
        (status = 400, description = "Invalid input, an unknown credential, or a provider's credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number is stored already (in this or another organization)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn create_number(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let new = parse_new_number(&body)?;
    let created = app
        .create_sip_number(
            caller.org.id,
            new.phone_number,
            new.credentials_id,
            new.display_name,
            new.description,
        )
        .await?;
    Ok(number_response(StatusCode::CREATED, &created, &caller.org.handle))
}

#[utoipa::path(get, path = "/api/v1/sip-phone-numbers/{id}", tag = "v1: SIP",
    summary = "Get a SIP phone number",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Phone number identifier")),
    responses((status = 200, description = "The number, with its `ETag`", body = NumberView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such number in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn get_number(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let number = app.get_sip_number(caller.org.id, number_id(&id)?).await?;
    Ok(number_response(StatusCode::OK, &number, &caller.org.handle))
}

#[utoipa::path(delete, path = "/api/v1/sip-phone-numbers/{id}", tag = "v1: SIP",
    summary = "Delete a SIP phone number (a Twilio one is detached from its trunk)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Phone number identifier"), IfMatchHeader,
        ("force" = Option<bool>, Query, description = "`true` removes it even when agents use it or it is on a bridge (unlinking them) instead of answering 409")),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "Bad `force`, or Twilio refused the stored credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such number in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Agents use it (listed in `errors.affectedAgents`) or it is on a bridge, and `force` is not true; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Twilio could not be reached; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_number(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let id = number_id(&id)?;
    let force = force_param(&query)?;
    app.delete_sip_number(caller.org.id, id, if_match, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/sip-phone-numbers/{id}/agent-link", tag = "v1: SIP",
    summary = "Link a phone number to an agent (inbound, or as the agent's outbound caller id)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Phone number identifier"), AgentLinkPutParams, IfMatchHeader),
    responses((status = 200, description = "Linked; the number", body = NumberView),
        (status = 400, description = "Bad `mode` or missing/bad `agentId`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such number in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A concurrent link change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn link_agent(
    state: State<AppState>,
    caller: V1Caller,
    id: Path<String>,
    if_match: IfMatch,
    query: QueryMap,
) -> Result<Response> {
    set_link(state, caller, id, if_match, query, true).await
}

#[utoipa::path(delete, path = "/api/v1/sip-phone-numbers/{id}/agent-link", tag = "v1: SIP",
    summary = "Unlink a phone number from an agent",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Phone number identifier"), AgentLinkParams, IfMatchHeader),
    responses((status = 200, description = "Unlinked (also when it was not linked); the number", body = NumberView),
        (status = 400, description = "Bad `mode`, or no `agentId` with `replaceOutbound`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such number in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn unlink_agent(
    state: State<AppState>,
    caller: V1Caller,
    id: Path<String>,
    if_match: IfMatch,
    query: QueryMap,
) -> Result<Response> {
    set_link(state, caller, id, if_match, query, false).await
}

async fn set_link(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
    link: bool,
) -> Result<Response> {
    caller.require_write()?;
    let id = number_id(&id)?;
    // A stranger's id is a 404 before any query problem is reported.
    app.get_sip_number(caller.org.id, id).await?;
    let (mode, agent) = parse_link(&query, link)?;
    let number = app
        .set_sip_number_link(caller.org.id, id, mode, agent.as_deref(), link, if_match)
        .await?;
    Ok(number_response(StatusCode::OK, &number, &caller.org.handle))
}

#[utoipa::path(get, path = "/api/v1/sip-phone-numbers/{id}/affected-agents", tag = "v1: SIP",
    summary = "The agents using a phone number",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Phone number identifier")),
    responses((status = 200, description = "The agents using the number, inbound and/or outbound", body = NumberAgentsView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such number in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn number_affected_agents(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let (number, agents) = app.sip_number_affected_agents(caller.org.id, number_id(&id)?).await?;
    Ok(axum::Json(NumberAgentsView {
        id: number.number.uuid,
        phone_number: number.number.phone_number.to_string(),
        affected_agents: agent_views(agents),
    })
    .into_response())
}
