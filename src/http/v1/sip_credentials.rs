//! SIP credentials (`/api/v1/sip-credentials`): list, create, get, update (PATCH, which the
//! pages lack: it rotates the password), delete, and the agents a change would affect. The
//! password is write-only: every answer carries `authPassword: null`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::parse::parse_paging;
use super::problem::Problem;
use super::sip_parse::{
    CreateSipCredential, SipPagingParams, SipTransport, UpdateSipCredential, parse_credential_patch,
    parse_new_credential,
};
use super::{OptionalOrgHandleHeader, V1Caller, parse_id, tagged};
use crate::error::Result;
use crate::http::AppState;
use crate::http::doc::IfMatchHeader;
use crate::http::extract::{IfMatch, JsonObject, QueryMap, force_param};
use crate::http::format::timestamp;
use crate::service::sip::{AffectedAgent, CREDENTIAL_NOT_FOUND, NumberImpact, SipCredential};

/// The SIP lists' default page size, as the pages give it.
pub(super) const SIP_DEFAULT_TAKE: i64 = 20;

/// A SIP credential, fields in the pages' order. `authPassword` is always null: Patchbay
/// never returns a stored password.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipCredential)]
struct CredentialView<'a> {
    id: Uuid,
    /// The organization's handle.
    #[schema(example = "acme")]
    org_id: &'a str,
    #[schema(example = "sip.provider.com:5061")]
    server: &'a str,
    #[schema(value_type = SipTransport)]
    transport: &'a str,
    #[schema(value_type = CredentialSourceDoc)]
    source: &'static str,
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    created_time: String,
    #[schema(format = DateTime, example = "2023-11-07T05:31:56Z")]
    last_update_time: String,
    #[schema(required = true)]
    domain: Option<&'a str>,
    #[schema(required = true)]
    auth_user: Option<&'a str>,
    /// Always null: the password is write-only.
    #[schema(required = true, value_type = Option<String>)]
    auth_password: Option<()>,
    #[schema(required = true)]
    description: Option<&'a str>,
    #[schema(required = true)]
    cps_limit: Option<i64>,
    #[schema(required = true)]
    cps_key: Option<&'a str>,
    /// The provider that provisioned it (`source: provider`), else null.
    #[schema(required = true)]
    provider_id: Option<Uuid>,
}

fn view<'a>(c: &'a SipCredential, org: &'a str) -> CredentialView<'a> {
    CredentialView {
        id: c.record.uuid,
        org_id: org,
        server: &c.server,
        transport: &c.transport,
        source: c.source.as_str(),
        created_time: timestamp(&c.record.created_at),
        last_update_time: timestamp(&c.record.updated_at),
        domain: c.domain.as_deref(),
        auth_user: c.auth_user.as_deref(),
        auth_password: None,
        description: c.description.as_deref(),
        cps_limit: c.cps_limit,
        cps_key: c.cps_key.as_deref(),
        provider_id: c.provider_id,
    }
}

/// A credential answer with its version as the `ETag`.
fn credential_response(status: StatusCode, c: &SipCredential, org: &str) -> Response {
    tagged(status, view(c, org), c.record.version)
}

fn credential_id(raw: &str) -> Result<Uuid> {
    parse_id(raw, CREDENTIAL_NOT_FOUND)
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipCredentialList)]
struct CredentialList<'a> {
    items: Vec<CredentialView<'a>>,
    #[schema(minimum = 0)]
    total_count: i64,
    skip: i64,
    take: i64,
}

#[utoipa::path(get, path = "/api/v1/sip-credentials", tag = "v1: SIP",
    summary = "List SIP credentials (manual ones and those providers provisioned)",
    params(OptionalOrgHandleHeader, SipPagingParams),
    responses((status = 200, description = "A page of SIP credentials", body = CredentialList),
        (status = 400, description = "Bad `skip` or `take`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn list_credentials(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    QueryMap(query): QueryMap,
) -> Result<Response> {
    let (skip, take) = parse_paging(&query, SIP_DEFAULT_TAKE)?;
    let (rows, total_count) = app.list_sip_credentials(caller.org.id, skip, take).await?;
    Ok(axum::Json(CredentialList {
        items: rows.iter().map(|c| view(c, &caller.org.handle)).collect(),
        total_count,
        skip,
        take,
    })
    .into_response())
}

#[utoipa::path(post, path = "/api/v1/sip-credentials", tag = "v1: SIP",
    summary = "Create a SIP credential (syntax-checked only; the server is never contacted)",
    params(OptionalOrgHandleHeader),
    request_body(content = CreateSipCredential, content_type = "application/json"),
    responses((status = 201, description = "Created (`authPassword` is null: write-only)", body = CredentialView),
        (status = 400, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A credential with this `authUser` (or, without one, this server and transport) exists", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn create_credential(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let new = parse_new_credential(&body)?;
    let created = app.create_sip_credential(&caller.org, new).await?;
    Ok(credential_response(StatusCode::CREATED, &created, &caller.org.handle))
}

#[utoipa::path(get, path = "/api/v1/sip-credentials/{id}", tag = "v1: SIP",
    summary = "Get a SIP credential",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Credential identifier")),
    responses((status = 200, description = "The credential, with its `ETag`", body = CredentialView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn get_credential(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let credential = app.get_sip_credential(caller.org.id, credential_id(&id)?).await?;
    Ok(credential_response(StatusCode::OK, &credential, &caller.org.handle))
}

#[utoipa::path(patch, path = "/api/v1/sip-credentials/{id}", tag = "v1: SIP",
    summary = "Update a SIP credential or rotate its password (Patchbay's addition to the pages)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Credential identifier"), IfMatchHeader),
    request_body(content = UpdateSipCredential, content_type = "application/json"),
    responses((status = 200, description = "Updated", body = CredentialView),
        (status = 400, description = "Invalid input, or a provider's credential (read-only here)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another credential has this `authUser`, or a concurrent change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn update_credential(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    caller.require_write()?;
    let id = credential_id(&id)?;
    // A stranger's id is a 404 before any body problem is reported.
    app.get_sip_credential(caller.org.id, id).await?;
    let patch = parse_credential_patch(&body)?;
    let updated = app.patch_sip_credential(&caller.org, id, patch, if_match).await?;
    Ok(credential_response(StatusCode::OK, &updated, &caller.org.handle))
}

#[utoipa::path(delete, path = "/api/v1/sip-credentials/{id}", tag = "v1: SIP",
    summary = "Delete a SIP credential (with its phone numbers only if forced)",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Credential identifier"), IfMatchHeader,
        ("force" = Option<bool>, Query, description = "`true` deletes the credential's phone numbers (and their agent links) with it instead of answering 409")),
    responses((status = 204, description = "Deleted; empty body"),
        (status = 400, description = "A provider's credential (delete the provider instead), or a bad `force`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`Org-Handle` is not the token's organization, or a read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The credential has phone numbers (listed in `errors.phoneNumbers`) and `force` is not true; nothing was changed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names a stale version; nothing was changed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn delete_credential(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    QueryMap(query): QueryMap,
) -> Result<StatusCode> {
    caller.require_write()?;
    let id = credential_id(&id)?;
    let force = force_param(&query)?;
    app.delete_sip_credential(&caller.org, id, if_match, force).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agent and how it uses a number.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipAffectedAgent)]
pub(super) struct AgentView {
    agent_id: String,
    /// Always null: agents belong to the calling platform, Patchbay knows only their ids.
    #[schema(required = true, value_type = Option<String>)]
    agent_name: Option<()>,
    /// `inbound` and/or `outbound`.
    #[schema(example = json!(["inbound"]))]
    uses: Vec<String>,
}

pub(super) fn agent_views(agents: Vec<AffectedAgent>) -> Vec<AgentView> {
    agents
        .into_iter()
        .map(|a| AgentView {
            agent_id: a.agent_id,
            agent_name: None,
            uses: a.uses,
        })
        .collect()
}

/// A phone number and the agents using it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipPhoneNumberAgents)]
pub(super) struct NumberAgentsView {
    pub(super) id: Uuid,
    pub(super) phone_number: String,
    pub(super) affected_agents: Vec<AgentView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SipCredentialAffectedAgents)]
struct CredentialImpactView {
    /// Every phone number on the credential, with the agents using each.
    phone_numbers: Vec<NumberAgentsView>,
    /// Always 0: Patchbay queues no calls.
    affected_calls_count: i64,
}

#[utoipa::path(get, path = "/api/v1/sip-credentials/{id}/affected-agents", tag = "v1: SIP",
    summary = "The phone numbers on a credential and the agents using them",
    params(OptionalOrgHandleHeader, ("id" = uuid::Uuid, Path, description = "Credential identifier")),
    responses((status = 200, description = "What a change or delete of the credential affects", body = CredentialImpactView),
        (status = 403, description = "`Org-Handle` is not the token's organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential in the organization (or not a uuid)", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub(super) async fn credential_affected_agents(
    State(app): State<AppState>,
    V1Caller(caller): V1Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let impact = app
        .sip_credential_affected_agents(caller.org.id, credential_id(&id)?)
        .await?;
    Ok(axum::Json(CredentialImpactView {
        phone_numbers: impact
            .into_iter()
            .map(|n: NumberImpact| NumberAgentsView {
                id: n.id,
                phone_number: n.phone_number,
                affected_agents: agent_views(n.agents),
            })
            .collect(),
        affected_calls_count: 0,
    })
    .into_response())
}

// ---- documentation-only ---------------------------------------------------------------------------

#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[schema(as = SipCredentialSource)]
pub enum CredentialSourceDoc {
    Manual,
    Provider,
}
