//! Provider configurations: a carrier account of an organization with its sealed secrets, its
//! verification state (and the leases of due verifications), and the key-rotation queries.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::query::QueryAs;
use sqlx::types::Json;
use sqlx::{Database, Encode, Type};
use uuid::Uuid;

use super::audit_events::{self, AuditEvent};
use super::{Duplicate, Pools, Result, StorageError, Store, on_backend, postgres, sqlite, unique_violation};
use crate::crypto::Sealed;
use crate::domain::verification::VerificationStatus;

pub(super) const CONFIG_COLUMNS: &str = "id, uuid, org_id, provider, account_sid, name, settings, secret_key_id, \
    secret_ciphertext, version, verification_status, last_verified_at, verification_details, next_verification_at, \
    region, supports_call_transfer, trunk_sid, termination_uri, created_at, updated_at";

/// The part of a configuration row that writes replace as a whole.
#[derive(Debug, Clone)]
pub struct ConfigurationState {
    pub account_sid: String,
    pub name: Option<String>,
    pub settings: BTreeMap<String, String>,
    pub sealed: Sealed,
    pub verification: VerificationRecord,
    pub region: Option<String>,
    pub supports_call_transfer: bool,
    pub trunk_sid: Option<String>,
    pub termination_uri: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VerificationRecord {
    pub status: VerificationStatus,
    pub details: Option<serde_json::Value>,
    pub last_verified_at: Option<DateTime<Utc>>,
    /// When the background verifier should look at this row next.
    pub next_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConfigurationRecord {
    pub id: i64,
    pub uuid: Uuid,
    pub org_id: i64,
    pub provider: String,
    pub account_sid: String,
    pub name: Option<String>,
    pub settings: Json<BTreeMap<String, String>>,
    pub secret_key_id: String,
    pub secret_ciphertext: Vec<u8>,
    pub version: i64,
    #[sqlx(try_from = "String")]
    pub verification_status: VerificationStatus,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub verification_details: Option<Json<serde_json::Value>>,
    pub next_verification_at: Option<DateTime<Utc>>,
    pub region: Option<String>,
    pub supports_call_transfer: bool,
    pub trunk_sid: Option<String>,
    pub termination_uri: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConfigurationRecord {
    pub fn sealed(&self) -> Sealed {
        Sealed {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_ciphertext.clone(),
        }
    }

    pub fn state(&self) -> ConfigurationState {
        ConfigurationState {
            account_sid: self.account_sid.clone(),
            name: self.name.clone(),
            settings: self.settings.0.clone(),
            sealed: self.sealed(),
            verification: VerificationRecord {
                status: self.verification_status,
                details: self.verification_details.as_ref().map(|j| j.0.clone()),
                last_verified_at: self.last_verified_at,
                next_at: self.next_verification_at,
            },
            region: self.region.clone(),
            supports_call_transfer: self.supports_call_transfer,
            trunk_sid: self.trunk_sid.clone(),
            termination_uri: self.termination_uri.clone(),
        }
    }
}

/// A configuration with the number of phone numbers imported onto it (the v1 list and item).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConfigurationWithCount {
    #[sqlx(flatten)]
    pub record: ConfigurationRecord,
    pub phone_number_count: i64,
}

/// How a configuration is addressed: v2 uses the integer id, v1 the uuid.
#[derive(Debug, Clone, Copy)]
pub enum ConfigurationKey {
    Id(i64),
    Uuid(Uuid),
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub provider: Option<&'a str>,
    /// `(limit, offset)`; `None` lists every row.
    pub page: Option<(i64, i64)>,
}

/// `provider_configurations_org_provider_account_key` (one org holds a provider account once)
/// is `Duplicate::Configuration`; the uuid key stays `Duplicate::Other`.
fn on_constraint(err: sqlx::Error) -> StorageError {
    match unique_violation(&err) {
        Some(what)
            if what.contains("provider_configurations_org_provider_account_key")
                || what.contains("provider_configurations.org_id") =>
        {
            StorageError::Duplicate(Duplicate::Configuration)
        }
        _ => err.into(),
    }
}

/// Binds the columns a `ConfigurationState` writes, in the order both the INSERT and the UPDATE
/// of a configuration list them.
fn bind_state<'q, DB, O>(
    query: QueryAs<'q, DB, O, DB::Arguments>,
    s: &'q ConfigurationState,
) -> QueryAs<'q, DB, O, DB::Arguments>
where
    DB: Database,
    String: Encode<'q, DB> + Type<DB>,
    &'static str: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
    Json<&'q BTreeMap<String, String>>: Encode<'q, DB> + Type<DB>,
    Vec<u8>: Encode<'q, DB> + Type<DB>,
    Option<Json<&'q serde_json::Value>>: Encode<'q, DB> + Type<DB>,
    Option<DateTime<Utc>>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    query
        .bind(&s.account_sid)
        .bind(&s.name)
        .bind(Json(&s.settings))
        .bind(&s.sealed.key_id)
        .bind(&s.sealed.blob)
        .bind(s.verification.status.as_str())
        .bind(s.verification.details.as_ref().map(Json))
        .bind(s.verification.last_verified_at)
        .bind(s.verification.next_at)
        .bind(&s.region)
        .bind(s.supports_call_transfer)
        .bind(&s.trunk_sid)
        .bind(&s.termination_uri)
}

impl Store {
    pub async fn insert_configuration(
        &self,
        uuid: Uuid,
        org_id: i64,
        provider: &str,
        s: &ConfigurationState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<ConfigurationRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let insert = sqlx::query_as::<_, ConfigurationRecord>(sqlx::AssertSqlSafe(format!(
                "INSERT INTO provider_configurations (uuid, org_id, provider, account_sid, name, settings, \
                 secret_key_id, secret_ciphertext, verification_status, verification_details, last_verified_at, \
                 next_verification_at, region, supports_call_transfer, trunk_sid, termination_uri, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $17) RETURNING {CONFIG_COLUMNS}"
            )))
            .bind(uuid)
            .bind(org_id)
            .bind(provider);
            let row = bind_state(insert, s)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(on_constraint)?;
            audit_events::insert(&mut tx, audit, Some(org_id), row.uuid).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    pub async fn list_configurations(&self, org_id: i64, q: ListQuery<'_>) -> Result<(Vec<ConfigurationRecord>, i64)> {
        let (limit, offset) = q.page.unwrap_or((i64::MAX, 0));
        on_backend!(self, read, |pool| {
            let rows: Vec<ConfigurationRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONFIG_COLUMNS} FROM provider_configurations WHERE org_id = $1 \
                 AND ($2 IS NULL OR provider = $2) ORDER BY id LIMIT $3 OFFSET $4"
            )))
            .bind(org_id)
            .bind(q.provider)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            // Unpaged lists hold every row already; only a page needs a separate count.
            let total = if q.page.is_none() {
                rows.len() as i64
            } else {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1 AND ($2 IS NULL OR provider = $2)",
                )
                .bind(org_id)
                .bind(q.provider)
                .fetch_one(pool)
                .await?
            };
            Ok((rows, total))
        })
    }

    /// How many configurations the organization holds (for its quota).
    pub async fn count_configurations(&self, org_id: i64) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    pub async fn get_configuration(&self, org_id: i64, key: ConfigurationKey) -> Result<Option<ConfigurationRecord>> {
        on_backend!(self, read, |pool| {
            let query = match key {
                ConfigurationKey::Id(id) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {CONFIG_COLUMNS} FROM provider_configurations WHERE org_id = $1 AND id = $2"
                )))
                .bind(org_id)
                .bind(id),
                ConfigurationKey::Uuid(uuid) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {CONFIG_COLUMNS} FROM provider_configurations WHERE org_id = $1 AND uuid = $2"
                )))
                .bind(org_id)
                .bind(uuid),
            };
            Ok(query.fetch_optional(pool).await?)
        })
    }

    /// Whether another configuration of the org already holds this provider account (checked
    /// before calling a carrier; the unique index still settles races).
    pub async fn configuration_exists(
        &self,
        org_id: i64,
        provider: &str,
        account_sid: &str,
        except_id: Option<i64>,
    ) -> Result<bool> {
        let found: Option<i64> = on_backend!(self, read, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM provider_configurations WHERE org_id = $1 AND provider = $2 AND account_sid = $3 \
                 AND ($4 IS NULL OR id <> $4) LIMIT 1",
            )
            .bind(org_id)
            .bind(provider)
            .bind(account_sid)
            .bind(except_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }

    /// Replaces the state if the row is still at `expected_version`, bumping the version.
    pub async fn update_configuration(
        &self,
        org_id: i64,
        id: i64,
        expected_version: i64,
        s: &ConfigurationState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<ConfigurationRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let update = sqlx::query_as::<_, ConfigurationRecord>(sqlx::AssertSqlSafe(format!(
                "UPDATE provider_configurations SET account_sid = $1, name = $2, settings = $3, secret_key_id = $4, \
                 secret_ciphertext = $5, verification_status = $6, verification_details = $7, last_verified_at = $8, \
                 next_verification_at = $9, region = $10, supports_call_transfer = $11, trunk_sid = $12, \
                 termination_uri = $13, updated_at = $14, version = version + 1 \
                 WHERE org_id = $15 AND id = $16 AND version = $17 RETURNING {CONFIG_COLUMNS}"
            )));
            let updated = bind_state(update, s)
                .bind(now)
                .bind(org_id)
                .bind(id)
                .bind(expected_version)
                .fetch_optional(&mut *tx)
                .await
                .map_err(on_constraint)?;
            match updated {
                Some(row) => {
                    audit_events::insert(&mut tx, audit, Some(org_id), row.uuid).await?;
                    tx.commit().await?;
                    Ok(row)
                }
                None => match self.get_configuration(org_id, ConfigurationKey::Id(id)).await? {
                    Some(_) => Err(StorageError::VersionMismatch),
                    None => Err(StorageError::NotFound),
                },
            }
        })
    }

    /// Deletes the row (if `expected_version` is given, only at that version).
    pub async fn delete_configuration(
        &self,
        org_id: i64,
        id: i64,
        expected_version: Option<i64>,
        audit: &AuditEvent,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let deleted: Option<Uuid> = sqlx::query_scalar(
                "DELETE FROM provider_configurations WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) \
                 RETURNING uuid",
            )
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(uuid) = deleted {
                audit_events::insert(&mut tx, audit, Some(org_id), uuid).await?;
                tx.commit().await?;
                return Ok(());
            }
            drop(tx);
        });
        match self.get_configuration(org_id, ConfigurationKey::Id(id)).await? {
            Some(_) => Err(StorageError::VersionMismatch),
            None => Err(StorageError::NotFound),
        }
    }

    /// Stores a verification result unless the row changed meanwhile (`version` moved on), and
    /// bumps the version: a write that read the row before this result was stored then loses its
    /// race (and is retried on the fresh row) instead of putting back the verification it read.
    pub async fn record_verification(
        &self,
        id: i64,
        version: i64,
        v: &VerificationRecord,
        audit: Option<&AuditEvent>,
    ) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<(Uuid, i64)> = sqlx::query_as(
                "UPDATE provider_configurations SET verification_status = $1, verification_details = $2, \
                 last_verified_at = $3, next_verification_at = $4, version = version + 1 WHERE id = $5 AND version = $6 \
                 RETURNING uuid, org_id",
            )
            .bind(v.status.as_str())
            .bind(v.details.as_ref().map(Json))
            .bind(v.last_verified_at)
            .bind(v.next_at)
            .bind(id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((uuid, org_id)) = row else {
                return Ok(false);
            };
            // A status change is audited (and announced to webhooks) with the result it records.
            if let Some(audit) = audit {
                audit_events::insert(&mut tx, audit, Some(org_id), uuid).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Moves only the next check of a row whose verification did not change (its carrier was
    /// unreachable again): not a change anyone sees, so neither the version (the ETag) nor the
    /// routing caches of any instance move. `false` when the row changed meanwhile.
    pub async fn reschedule_verification(&self, id: i64, version: i64, next_at: Option<DateTime<Utc>>) -> Result<bool> {
        let rows = on_backend!(self, write, |pool| {
            sqlx::query("UPDATE provider_configurations SET next_verification_at = $1 WHERE id = $2 AND version = $3")
                .bind(next_at)
                .bind(id)
                .bind(version)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(rows == 1)
    }

    /// Claims up to `limit` rows whose verification is due, pushing their next check to
    /// `lease_until` so no other worker (or instance) picks them up meanwhile. How the rows are
    /// locked differs per backend (see `sqlite.rs` and `postgres.rs`).
    pub async fn claim_due_verifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>> {
        match &self.pools {
            Pools::Sqlite { write, .. } => sqlite::claim_due_verifications(write, now, lease_until, limit).await,
            Pools::Postgres(pool) => postgres::claim_due_verifications(pool, now, lease_until, limit).await,
        }
    }

    /// Hands back the leases of claimed rows that were not checked (a stopping worker's): each
    /// of `ids` whose next check is still exactly `lease_until` (not rescheduled by a finished
    /// check) becomes due at `now`. Returns how many were handed back.
    pub async fn release_verification_leases(
        &self,
        ids: &[i64],
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        // At most one batch of ids (`VerifierSettings::batch`); QueryBuilder writes each
        // backend's placeholders (SQLite has no array type for `= ANY(...)`).
        Ok(on_backend!(self, write, |pool| {
            let mut query = sqlx::QueryBuilder::new("UPDATE provider_configurations SET next_verification_at = ");
            query
                .push_bind(now)
                .push(" WHERE next_verification_at = ")
                .push_bind(lease_until)
                .push(" AND id IN (");
            let mut list = query.separated(", ");
            for &id in ids {
                list.push_bind(id);
            }
            list.push_unseparated(")");
            query.build().execute(pool).await?.rows_affected()
        }))
    }

    // ---- key rotation -------------------------------------------------------------------

    /// Some key id that seals a stored secret but is not among `loaded`, if any (checked at start).
    pub async fn unknown_secret_key(&self, loaded: &[&str]) -> Result<Option<String>> {
        // "Any key id outside the loaded ones" as ranges between them, so each table answers
        // from its secret_key_id index instead of reading every row.
        let mut loaded = loaded.to_vec();
        loaded.sort_unstable();
        loaded.dedup();
        let mut gaps = vec!["secret_key_id < $1".to_owned()];
        for i in 2..=loaded.len() {
            gaps.push(format!("(secret_key_id > ${} AND secret_key_id < ${i})", i - 1));
        }
        gaps.push(format!("secret_key_id > ${}", loaded.len().max(1)));
        let filter = gaps.join(" OR ");
        // Provisioning journals hold sealed secrets too (recovery must open them).
        for table in ["provider_configurations", "twilio_provisioning", "webhook_endpoints"] {
            let sql = format!("SELECT secret_key_id FROM {table} WHERE {filter} LIMIT 1");
            let found: Option<String> = on_backend!(self, read, |pool| {
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                if loaded.is_empty() {
                    query = query.bind("");
                }
                for key in &loaded {
                    query = query.bind(*key);
                }
                query.fetch_optional(pool).await?
            });
            if let Some(found) = found {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Up to `limit` configurations (any organization) whose secrets are sealed with a key other
    /// than `active_key_id`, for key rotation.
    pub async fn configurations_sealed_with_other_keys(
        &self,
        active_key_id: &str,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONFIG_COLUMNS} FROM provider_configurations WHERE secret_key_id <> $1 ORDER BY id LIMIT $2"
            )))
            .bind(active_key_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many stored secrets (configurations, provisioning journals, webhook signing secrets) are sealed with a key
    /// other than `active_key_id`.
    pub async fn count_sealed_with_other_keys(&self, active_key_id: &str) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM provider_configurations WHERE secret_key_id <> $1) \
                 + (SELECT COUNT(*) FROM twilio_provisioning WHERE secret_key_id <> $1) \
                 + (SELECT COUNT(*) FROM webhook_endpoints WHERE secret_key_id <> $1)",
            )
            .bind(active_key_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Replaces a row's sealed secrets with the same secrets under another key, if the row is
    /// still at `version` (a concurrent write has sealed it afresh otherwise). The version is
    /// bumped: a write that read the row before carries the old ciphertext, and must lose its
    /// race (and re-read) rather than put that ciphertext back after the rotation.
    pub async fn reseal_configuration(&self, id: i64, version: i64, sealed: &Sealed) -> Result<bool> {
        let rows_affected = on_backend!(self, write, |pool| {
            sqlx::query(
                "UPDATE provider_configurations SET secret_key_id = $1, secret_ciphertext = $2, \
                 version = version + 1 WHERE id = $3 AND version = $4",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.blob)
            .bind(id)
            .bind(version)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(rows_affected == 1)
    }

    // ---- v1 Twilio providers ------------------------------------------------------------

    /// One page of the org's configurations of `provider`, each with its phone number count,
    /// and the total number of such configurations.
    pub async fn list_configurations_with_counts(
        &self,
        org_id: i64,
        provider: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ConfigurationWithCount>, i64)> {
        on_backend!(self, read, |pool| {
            // A correlated count per row of the page only, over the (configuration_id, …) index.
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONFIG_COLUMNS}, (SELECT COUNT(*) FROM phone_numbers n \
                 WHERE n.configuration_id = provider_configurations.id) AS phone_number_count \
                 FROM provider_configurations WHERE org_id = $1 AND provider = $2 ORDER BY id LIMIT $3 OFFSET $4"
            )))
            .bind(org_id)
            .bind(provider)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total =
                sqlx::query_scalar("SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1 AND provider = $2")
                    .bind(org_id)
                    .bind(provider)
                    .fetch_one(pool)
                    .await?;
            Ok((rows, total))
        })
    }
}
