//! Who may call: API tokens, the organizations they belong to, and their administration.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::access::{NewApiToken, Role, hash_token, looks_like_token};
use crate::error::{Error, Result};
use crate::service::{AuditAction, Patchbay, names, now};
use crate::storage::{ApiTokenRecord, NewApiTokenRecord, Organization, StorageError};

/// Who is calling: an active API token and the organization it belongs to. The role is parsed
/// once, when the token is authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub role: Role,
    pub org: std::sync::Arc<Organization>,
    /// The person acting, for personal tokens and console sessions (`token_id` is then the
    /// personal token's or the session's id); `None` for organization tokens.
    pub user: Option<crate::domain::user::UserRef>,
}

impl Caller {
    pub fn require_write(&self) -> Result<()> {
        if self.role.can_write() {
            Ok(())
        } else {
            Err(Error::ReadOnlyToken)
        }
    }
}

/// Where a listed token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn of(token: &ApiTokenRecord, at: DateTime<Utc>) -> Self {
        if token.revoked_at.is_some() {
            Self::Revoked
        } else if token.is_active(at) {
            Self::Active
        } else {
            Self::Expired
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl Patchbay {
    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        if crate::domain::routing::is_service_token(token) {
            // Valid or not, a service token gets no further than call routing.
            self.authenticate_service(token).await?;
            return Err(Error::Forbidden(crate::service::routing::SERVICE_TOKEN_ONLY));
        }
        if !looks_like_token(token) {
            return Err(Error::InvalidToken);
        }
        // Cached (see `service::routing`): every request needs it, and on one core the database
        // hop cost more than the rest of a GET. Revocations reach every instance's cache within
        // the bound `token revoke` waits for; expiry is checked on every use.
        let hash = hash_token(token);
        let caches = &self.routing.caches;
        let known = match caches.org_token(&hash) {
            Some(known) => known,
            None => {
                let began = caches.epoch();
                let (record, org) = self.store.api_token_by_hash(&hash).await?.ok_or(Error::InvalidToken)?;
                let known = Arc::new((record, Arc::new(org)));
                caches.keep_org_token(began, hash, known.clone());
                known
            }
        };
        let (record, org) = (&known.0, known.1.clone());
        if !record.is_active(now()) {
            return Err(Error::InvalidToken);
        }
        Ok(Caller {
            token_id: record.id,
            role: record.role,
            org,
            user: None,
        })
    }

    pub async fn create_organization(&self, handle: &str, name: &str) -> Result<Organization> {
        let audit = AuditAction::OrganizationCreated.event(None, None, names(&["handle", "name"]));
        Ok(self.store.create_organization(handle, name, now(), &audit).await?)
    }

    pub async fn list_organizations(&self) -> Result<Vec<Organization>> {
        Ok(self.store.list_organizations().await?)
    }

    pub async fn organization_by_handle(&self, handle: &str) -> Result<Option<Organization>> {
        Ok(self.store.organization_by_handle(handle).await?)
    }

    pub async fn create_token(
        &self,
        org: &Organization,
        role: Role,
        label: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiTokenRecord, NewApiToken)> {
        // Organization tokens are admin or viewer; `member` is a person's role.
        if role == Role::Member {
            return Err(Error::BadRequest("An organization token is admin or viewer.".into()));
        }
        let token = NewApiToken::generate();
        let record = self
            .store
            .create_api_token(
                NewApiTokenRecord {
                    org_id: org.id,
                    role,
                    label,
                    token_hash: &token.hash,
                    token_prefix: &token.display_prefix,
                    created_at: now(),
                    expires_at,
                },
                &AuditAction::TokenCreated
                    .event(Some(org.id), None, names(&["role", "label", "expires_at"]))
                    .with_data(serde_json::json!({"role": role.as_str(), "label": label, "expires_at": expires_at})),
            )
            .await?;
        Ok((record, token))
    }

    /// An organization's tokens (hashes and prefixes only, never a secret).
    pub async fn list_tokens(&self, org: &Organization) -> Result<Vec<ApiTokenRecord>> {
        Ok(self.store.list_api_tokens(org.id).await?)
    }

    /// Revokes an active token; `false` when there is no active token with that id.
    pub async fn revoke_token(&self, id: i64) -> Result<bool> {
        let audit = AuditAction::TokenRevoked.event(None, Some(id.to_string()), vec![]);
        let revoked = self.store.revoke_api_token(id, now(), &audit).await?;
        // This instance forgets it now; the others within a second (see `routing`).
        self.routing.caches.invalidate();
        Ok(revoked)
    }

    /// On a new database: creates the `demo` organization and an admin token for it. Returns
    /// `None` when any organization exists (or another instance just created it).
    pub async fn bootstrap_demo(&self) -> Result<Option<(Organization, NewApiToken)>> {
        if !self.store.list_organizations().await?.is_empty() {
            return Ok(None);
        }
        let audit = AuditAction::OrganizationCreated.event(None, None, names(&["handle", "name"]));
        let org = match self
            .store
            .create_organization("demo", "Demo Organization", now(), &audit)
            .await
        {
            Ok(org) => org,
            Err(StorageError::Duplicate(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let (_, token) = self
            .create_token(&org, Role::Admin, Some("demo admin (created at first start)"), None)
            .await?;
        Ok(Some((org, token)))
    }
}
