//! Service tokens: the machines (SBCs, SIP services, dialers) that ask for call routes. They
//! are their own principal, apart from organization tokens: a service token may call the
//! routing endpoints and nothing else, for every organization or for those it names.

use chrono::{DateTime, Utc};

use crate::domain::access::NewApiToken;
use crate::domain::access::hash_token;
use crate::domain::routing::{looks_like_service_token, new_service_token};
use crate::error::{Error, Result};
use crate::service::{AuditAction, Patchbay, names, now};
use crate::storage::{NewServiceTokenRecord, Organization, ServiceTokenGrant};

/// Who is asking for a route: an active service token and the organizations it may route
/// (`None`: all).
#[derive(Debug, Clone)]
pub struct ServiceCaller {
    pub token_id: i64,
    pub org_ids: Option<Vec<i64>>,
}

impl ServiceCaller {
    pub fn may_route(&self, org_id: i64) -> bool {
        self.org_ids.as_ref().is_none_or(|ids| ids.contains(&org_id))
    }

    /// How the audit trail names this caller.
    pub fn actor(&self) -> String {
        Self::actor_of(self.token_id)
    }

    /// How the audit trail names the service token `token_id`.
    pub fn actor_of(token_id: i64) -> String {
        format!("service_token:{token_id}")
    }
}

impl Patchbay {
    /// The service token presented, if active. Any other token, well-formed or not, is the
    /// caller's problem to tell apart (see the routing extractor); this answers 401 for it.
    pub async fn authenticate_service(&self, token: &str) -> Result<ServiceCaller> {
        if !looks_like_service_token(token) {
            return Err(Error::InvalidToken);
        }
        let hash = hash_token(token);
        let grant = match self.routing.caches.service_token(&hash) {
            Some(grant) => grant,
            None => {
                let epoch = self.routing.caches.epoch();
                let grant = self
                    .store
                    .service_token_by_hash(&hash)
                    .await?
                    .ok_or(Error::InvalidToken)?;
                self.routing.caches.keep_service_token(epoch, hash, grant.clone());
                grant
            }
        };
        // Checked on every use, cached or not: an expiry needs no invalidation.
        if !grant.token.is_active(now()) {
            return Err(Error::InvalidToken);
        }
        Ok(ServiceCaller {
            token_id: grant.token.id,
            org_ids: (!grant.token.all_orgs).then_some(grant.org_ids),
        })
    }

    /// Mints a service token for `orgs` (`None`: every organization).
    pub async fn create_service_token(
        &self,
        orgs: Option<&[Organization]>,
        label: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ServiceTokenGrant, NewApiToken)> {
        let token = new_service_token();
        let org_ids: Option<Vec<i64>> = orgs.map(|orgs| orgs.iter().map(|o| o.id).collect());
        let record = self
            .store
            .create_service_token(
                NewServiceTokenRecord {
                    label,
                    token_hash: &token.hash,
                    token_prefix: &token.display_prefix,
                    org_ids: org_ids.as_deref(),
                    created_at: now(),
                    expires_at,
                },
                &AuditAction::ServiceTokenCreated.event(None, None, names(&["orgs", "label", "expires_at"])),
            )
            .await?;
        let grant = ServiceTokenGrant {
            token: record,
            org_ids: org_ids.unwrap_or_default(),
            org_handles: orgs.unwrap_or_default().iter().map(|o| o.handle.clone()).collect(),
        };
        Ok((grant, token))
    }

    /// Every service token (prefixes only, never a secret), oldest first.
    pub async fn list_service_tokens(&self) -> Result<Vec<ServiceTokenGrant>> {
        Ok(self.store.list_service_tokens().await?)
    }

    /// Revokes an active service token; `false` when there is none with that id.
    pub async fn revoke_service_token(&self, id: i64) -> Result<bool> {
        let audit = AuditAction::ServiceTokenRevoked.event(None, Some(id.to_string()), vec![]);
        let revoked = self.store.revoke_service_token(id, now(), &audit).await?;
        // This instance forgets it now; the others within a second (see `routing`).
        self.routing.caches.invalidate();
        Ok(revoked)
    }
}
