//! The caller's organizations and the provider catalogue.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ErrorEnvelope, OrgHandleHeader};
use crate::domain::catalogue;
use crate::domain::user::looks_like_user_token;
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{OrgCaller, TokenCaller, bearer_token};
use crate::http::format::timestamp;
use crate::storage::Organization;

#[derive(Serialize, ToSchema)]
#[schema(as = Organization)]
struct OrganizationView<'a> {
    id: i64,
    name: &'a str,
    /// The value to send as `Org-Handle`.
    domain_handle: &'a str,
    created_at: String,
}

impl<'a> From<&'a Organization> for OrganizationView<'a> {
    fn from(o: &'a Organization) -> Self {
        Self {
            id: o.id,
            name: &o.name,
            domain_handle: &o.handle,
            created_at: timestamp(&o.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
struct OrganizationList<'a> {
    status_code: u16,
    #[schema(example = "Organizations fetched successfully")]
    message: &'static str,
    data: Vec<OrganizationView<'a>>,
    count: i64,
}

#[utoipa::path(get, path = "/api/v2/platform/organizations/", tag = "v2: organizations",
    summary = "The caller's organizations (no Org-Handle needed)",
    responses((status = 200, body = OrganizationList), (status = 401, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_organizations(State(app): State<AppState>, headers: HeaderMap) -> Result<Response> {
    // An organization token has its one organization; a personal token all of its user's
    // (whatever `Org-Handle` says: this list is how a client learns the handles).
    let token = bearer_token(&headers)?;
    let orgs: Vec<Organization> = if looks_like_user_token(token) {
        let (_, user) = app.user_for_token(token).await?;
        crate::telemetry::set_user(&user.email);
        app.organizations_of(user.id)
            .await?
            .into_iter()
            .map(|m| m.org)
            .collect()
    } else {
        let TokenCaller(caller) = TokenCaller::from_headers(&app, &headers).await?;
        vec![Organization::clone(&caller.org)]
    };
    Ok(axum::Json(OrganizationList {
        status_code: 200,
        message: "Organizations fetched successfully",
        data: orgs.iter().map(OrganizationView::from).collect(),
        count: orgs.len() as i64,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
struct ProviderList {
    status_code: u16,
    #[schema(example = "Voice infra providers fetched successfully.")]
    message: &'static str,
    // The catalogue's own type is serialized; `Provider` below describes it.
    #[schema(value_type = Vec<Provider>)]
    data: Vec<&'static catalogue::Provider>,
    count: i64,
}

#[utoipa::path(get, path = "/api/v2/platform/telephony/providers/", tag = "v2: providers",
    summary = "The provider catalogue, with each provider's credential fields",
    params(OrgHandleHeader),
    responses((status = 200, body = ProviderList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("token" = [])))]
pub(super) async fn list_providers(OrgCaller(_): OrgCaller) -> Response {
    let all = catalogue::Provider::all();
    axum::Json(ProviderList {
        status_code: 200,
        message: "Voice infra providers fetched successfully.",
        data: all.iter().collect(),
        count: all.len() as i64,
    })
    .into_response()
}

// ---- documentation of the catalogue's serialized shape (the type lives in `domain`) ----------

/// A credential field of a provider.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct FieldSpec {
    name: String,
    label: String,
    required: bool,
    /// Secret fields are encrypted at rest and never returned.
    secret: bool,
    pattern: Option<String>,
    max_length: i64,
    description: String,
    default: Option<String>,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema)]
pub struct Provider {
    #[schema(example = 1)]
    id: i64,
    #[schema(example = "Twilio")]
    name: String,
    #[schema(example = "twilio")]
    slug: String,
    description: String,
    /// `required`, or `derived` when Patchbay fills it in if omitted.
    account_sid_source: String,
    account_sid: FieldSpec,
    auth_token: FieldSpec,
    extra_fields: Vec<FieldSpec>,
}
