//! Twilio provisioning journals: one row per provisioning saga in flight, so a crash midway can
//! be recovered (see `crate::service::provisioning`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Result, Store, on_backend};
use crate::crypto::Sealed;
use crate::domain::twilio::Stage;

/// One Twilio provisioning saga's journal row (see `crate::service::provisioning`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProvisioningRecord {
    /// The provisioning id, and the uuid of the configuration it becomes.
    pub id: Uuid,
    pub org_id: i64,
    pub account_sid: String,
    pub secret_key_id: String,
    pub secret_ciphertext: Vec<u8>,
    /// The last remote step started (`started`, `trunk`, `credential_list`, `credential`, `attach`).
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub domain_name: String,
    pub credential_list_name: String,
    pub trunk_sid: Option<String>,
    pub credential_list_sid: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProvisioningRecord {
    /// The journal of provisioning `id` as it starts: the names it will create at Twilio derive
    /// from the id, so a recovery can find them again.
    pub fn started(id: Uuid, org_id: i64, account_sid: &str, sealed: Sealed, at: DateTime<Utc>) -> Self {
        Self {
            id,
            org_id,
            account_sid: account_sid.to_owned(),
            secret_key_id: sealed.key_id,
            secret_ciphertext: sealed.blob,
            stage: Stage::Started,
            domain_name: format!("pb-{}.pstn.twilio.com", id.simple()),
            credential_list_name: format!("patchbay-{id}"),
            trunk_sid: None,
            credential_list_sid: None,
            created_at: at,
            updated_at: at,
        }
    }

    pub fn sealed(&self) -> Sealed {
        Sealed {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_ciphertext.clone(),
        }
    }
}

impl Store {
    pub async fn insert_provisioning(&self, j: &ProvisioningRecord) -> Result<()> {
        on_backend!(self, write, |pool| {
            sqlx::query(
                "INSERT INTO twilio_provisioning (id, org_id, account_sid, secret_key_id, secret_ciphertext, stage, \
                 domain_name, credential_list_name, trunk_sid, credential_list_sid, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(j.id)
            .bind(j.org_id)
            .bind(&j.account_sid)
            .bind(&j.secret_key_id)
            .bind(&j.secret_ciphertext)
            .bind(j.stage.as_str())
            .bind(&j.domain_name)
            .bind(&j.credential_list_name)
            .bind(&j.trunk_sid)
            .bind(&j.credential_list_sid)
            .bind(j.created_at)
            .bind(j.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records the step about to start (or just done) and the sids known so far; bumps
    /// `updated_at`. `Ok(false)` when the journal is gone (recovery took it over).
    pub async fn update_provisioning(
        &self,
        id: Uuid,
        stage: Stage,
        trunk_sid: Option<&str>,
        credential_list_sid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let rows_affected = on_backend!(self, write, |pool| {
            sqlx::query(
                "UPDATE twilio_provisioning SET stage = $1, trunk_sid = $2, credential_list_sid = $3, updated_at = $4 \
                 WHERE id = $5",
            )
            .bind(stage.as_str())
            .bind(trunk_sid)
            .bind(credential_list_sid)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(rows_affected == 1)
    }

    /// Up to `limit` journals whose secrets are sealed with a key other than `active_key_id`.
    pub async fn journals_sealed_with_other_keys(
        &self,
        active_key_id: &str,
        limit: i64,
    ) -> Result<Vec<ProvisioningRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, org_id, account_sid, secret_key_id, secret_ciphertext, stage, domain_name, \
                 credential_list_name, trunk_sid, credential_list_sid, created_at, updated_at \
                 FROM twilio_provisioning WHERE secret_key_id <> $1 ORDER BY id LIMIT $2",
            )
            .bind(active_key_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Replaces a journal's sealed secrets with the same secrets under another key, if it still
    /// holds the ciphertext `previous` (journals are never otherwise rewritten: the compare is on
    /// the key id). `updated_at` is left alone: re-sealing is not progress of the saga.
    pub async fn reseal_provisioning(&self, id: Uuid, previous_key_id: &str, sealed: &Sealed) -> Result<bool> {
        let rows_affected = on_backend!(self, write, |pool| {
            sqlx::query(
                "UPDATE twilio_provisioning SET secret_key_id = $1, secret_ciphertext = $2 \
                 WHERE id = $3 AND secret_key_id = $4",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.blob)
            .bind(id)
            .bind(previous_key_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(rows_affected == 1)
    }

    pub async fn delete_provisioning(&self, id: Uuid) -> Result<()> {
        on_backend!(self, write, |pool| {
            sqlx::query("DELETE FROM twilio_provisioning WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many journals are open, whatever their age (read only).
    pub async fn count_provisioning(&self) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM twilio_provisioning")
                .fetch_one(pool)
                .await?)
        })
    }

    /// Claims up to `limit` journals untouched since `stale_before`, setting their `updated_at`
    /// to `now` so no other worker (or instance) claims them for another staleness period.
    pub async fn claim_stale_provisioning(
        &self,
        stale_before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ProvisioningRecord>> {
        on_backend!(self, write, |pool| {
            // The staleness test is repeated outside the subquery: PostgreSQL re-checks it on a
            // row another instance just claimed (and skips it); SQLite has one writer anyway.
            Ok(sqlx::query_as(
                "UPDATE twilio_provisioning SET updated_at = $1 WHERE updated_at < $2 AND id IN \
                 (SELECT id FROM twilio_provisioning WHERE updated_at < $2 ORDER BY updated_at LIMIT $3) \
                 RETURNING id, org_id, account_sid, secret_key_id, secret_ciphertext, stage, domain_name, \
                 credential_list_name, trunk_sid, credential_list_sid, created_at, updated_at",
            )
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}
