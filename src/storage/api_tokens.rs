//! API tokens: who may call the API for an organization. Only a token's hash is stored.

use chrono::{DateTime, Utc};

use crate::domain::access::Role;

use super::audit_events::{self, AuditEvent};
use super::organizations::Organization;
use super::{Result, Store, on_backend};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub org_id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub label: Option<String>,
    pub token_prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiTokenRecord {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// A token row joined with its organization's columns (prefixed `org_`).
#[derive(Debug, Clone, sqlx::FromRow)]
struct TokenWithOrganization {
    #[sqlx(flatten)]
    token: ApiTokenRecord,
    org_handle: String,
    org_name: String,
    org_created_at: DateTime<Utc>,
}

/// What a new API token row holds; the token itself is never stored.
pub struct NewApiTokenRecord<'a> {
    pub org_id: i64,
    pub role: Role,
    pub label: Option<&'a str>,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn create_api_token(&self, t: NewApiTokenRecord<'_>, audit: &AuditEvent) -> Result<ApiTokenRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let token = sqlx::query_as::<_, ApiTokenRecord>(
                "INSERT INTO api_tokens (org_id, role, label, token_hash, token_prefix, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 RETURNING id, org_id, role, label, token_prefix, created_at, expires_at, revoked_at",
            )
            .bind(t.org_id)
            .bind(t.role.as_str())
            .bind(t.label)
            .bind(t.token_hash)
            .bind(t.token_prefix)
            .bind(t.created_at)
            .bind(t.expires_at)
            .fetch_one(&mut *tx)
            .await?;
            audit_events::insert(&mut tx, audit, Some(token.org_id), token.id).await?;
            tx.commit().await?;
            Ok(token)
        })
    }

    /// The token with this hash and its organization, whether or not it is still active.
    pub async fn api_token_by_hash(&self, hash: &str) -> Result<Option<(ApiTokenRecord, Organization)>> {
        // One query per authenticated request: the token and its organization together.
        let row: Option<TokenWithOrganization> = on_backend!(self, read, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.org_id, t.role, t.label, t.token_prefix, t.created_at, t.expires_at, t.revoked_at, \
                 o.handle AS org_handle, o.name AS org_name, o.created_at AS org_created_at \
                 FROM api_tokens t JOIN organizations o ON o.id = t.org_id WHERE t.token_hash = $1",
            )
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| {
            let org = Organization {
                id: r.token.org_id,
                handle: r.org_handle,
                name: r.org_name,
                created_at: r.org_created_at,
            };
            (r.token, org)
        }))
    }

    pub async fn list_api_tokens(&self, org_id: i64) -> Result<Vec<ApiTokenRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, org_id, role, label, token_prefix, created_at, expires_at, revoked_at FROM api_tokens \
                 WHERE org_id = $1 ORDER BY id",
            )
            .bind(org_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// `Ok(false)` when no active token has this id.
    pub async fn revoke_api_token(&self, id: i64, now: DateTime<Utc>, audit: &AuditEvent) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let org_id: Option<i64> = sqlx::query_scalar(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING org_id",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(org_id) = org_id else { return Ok(false) };
            audit_events::insert(&mut tx, audit, Some(org_id), id).await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
