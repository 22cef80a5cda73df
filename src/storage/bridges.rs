//! Bridges of an organization and the numbers assigned to them (`bridge_numbers`: a number is
//! on at most one bridge, and all numbers of a bridge belong to one provider configuration).

use chrono::{DateTime, Utc};

use super::audit_events::{self, AuditEvent};
use super::{Duplicate, Result, StorageError, Store, on_backend, unique_violation};
use crate::domain::bridge::BridgeSlug;
use crate::domain::phone::E164;
use crate::domain::verification::VerificationStatus;

const BRIDGE_COLUMNS: &str = "id, org_id, slug, name, version, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BridgeRecord {
    pub id: i64,
    pub org_id: i64,
    #[sqlx(try_from = "String")]
    pub slug: BridgeSlug,
    pub name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A number on a bridge, with what the bridge views show of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BridgeNumberRecord {
    /// The assignment's id (the pages' "number assignment ID").
    pub id: i64,
    pub bridge_id: i64,
    pub number_id: i64,
    #[sqlx(try_from = "String")]
    pub phone_number: E164,
    pub configuration_id: i64,
    pub provider: String,
    #[sqlx(try_from = "String")]
    pub verification_status: VerificationStatus,
    pub created_at: DateTime<Utc>,
}

const BRIDGE_NUMBERS_FROM: &str = "SELECT bn.id, bn.bridge_id, bn.number_id, n.phone_number, n.configuration_id, \
    c.provider, c.verification_status, bn.created_at FROM bridge_numbers bn \
    JOIN phone_numbers n ON n.id = bn.number_id JOIN provider_configurations c ON c.id = n.configuration_id";

/// What a connect did, or why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connected {
    /// Assigned now: the bridge's new version.
    Assigned { bridge_version: i64 },
    /// It was on this bridge already; nothing changed.
    AlreadyHere,
    /// It is on another bridge (that bridge's slug).
    OnOtherBridge(String),
    /// The bridge carries numbers of another configuration (its id).
    OtherConfiguration(i64),
    /// The number was deleted meanwhile.
    NumberGone,
}

/// `bridges_org_slug_key` (an organization has a slug once) is `Duplicate::Bridge`.
fn on_constraint(err: sqlx::Error) -> StorageError {
    match unique_violation(&err) {
        Some(what) if what.contains("bridges_org_slug_key") || what.contains("bridges.org_id") => {
            StorageError::Duplicate(Duplicate::Bridge)
        }
        _ => err.into(),
    }
}

impl Store {
    pub async fn insert_bridge(
        &self,
        org_id: i64,
        slug: &BridgeSlug,
        name: &str,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<BridgeRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: BridgeRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO bridges (org_id, slug, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                 RETURNING {BRIDGE_COLUMNS}"
            )))
            .bind(org_id)
            .bind(slug.as_str())
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_constraint)?;
            audit_events::insert(&mut tx, audit, Some(org_id), row.id).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    /// A page of the organization's bridges (by id), and how many it has.
    pub async fn list_bridges(&self, org_id: i64, limit: i64, offset: i64) -> Result<(Vec<BridgeRecord>, i64)> {
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BRIDGE_COLUMNS} FROM bridges WHERE org_id = $1 ORDER BY id LIMIT $2 OFFSET $3"
            )))
            .bind(org_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM bridges WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(pool)
                .await?;
            Ok((rows, total))
        })
    }

    pub async fn get_bridge(&self, org_id: i64, slug: &str) -> Result<Option<BridgeRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BRIDGE_COLUMNS} FROM bridges WHERE org_id = $1 AND slug = $2"
            )))
            .bind(org_id)
            .bind(slug)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The numbers on the organization's bridges whose ids are within `(first, last)` (all
    /// bridges without), in assignment order.
    pub async fn list_bridge_numbers(
        &self,
        org_id: i64,
        bridge_ids: Option<(i64, i64)>,
    ) -> Result<Vec<BridgeNumberRecord>> {
        let (first, last) = bridge_ids.unwrap_or((i64::MIN, i64::MAX));
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{BRIDGE_NUMBERS_FROM} WHERE n.org_id = $1 AND bn.bridge_id BETWEEN $2 AND $3 ORDER BY bn.id"
            )))
            .bind(org_id)
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The numbers of a configuration that are on a bridge, with that bridge's slug.
    pub async fn bridged_numbers_of_configuration(&self, configuration_id: i64) -> Result<Vec<(String, String)>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT n.phone_number, b.slug FROM bridge_numbers bn JOIN phone_numbers n ON n.id = bn.number_id \
                 JOIN bridges b ON b.id = bn.bridge_id WHERE n.configuration_id = $1 ORDER BY bn.id",
            )
            .bind(configuration_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Renames the bridge if it is still at `expected_version`, bumping the version.
    pub async fn rename_bridge(
        &self,
        org_id: i64,
        id: i64,
        expected_version: i64,
        name: &str,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<BridgeRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<BridgeRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE bridges SET name = $1, updated_at = $2, version = version + 1 \
                 WHERE org_id = $3 AND id = $4 AND version = $5 RETURNING {BRIDGE_COLUMNS}"
            )))
            .bind(name)
            .bind(now)
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                drop(tx);
                return Err(self.bridge_gone_or_moved(org_id, id).await);
            };
            audit_events::insert(&mut tx, audit, Some(org_id), row.id).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    async fn bridge_gone_or_moved(&self, org_id: i64, id: i64) -> StorageError {
        let found: Result<Option<i64>> = on_backend!(self, read, |pool| {
            sqlx::query_scalar("SELECT id FROM bridges WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(StorageError::from)
        });
        match found {
            Ok(Some(_)) => StorageError::VersionMismatch,
            Ok(None) => StorageError::NotFound,
            Err(e) => e,
        }
    }

    /// Deletes the bridge (if `expected_version` is given, only at that version) with the
    /// numbers' places on it; `detaches` are the audit events of those, written in the same
    /// transaction.
    pub async fn delete_bridge(
        &self,
        org_id: i64,
        id: i64,
        expected_version: Option<i64>,
        detaches: &[AuditEvent],
        audit: &AuditEvent,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let deleted: Option<i64> = sqlx::query_scalar(
                "DELETE FROM bridges WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) RETURNING id",
            )
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = deleted else {
                drop(tx);
                return Err(self.bridge_gone_or_moved(org_id, id).await);
            };
            for detach in detaches {
                audit_events::insert(&mut tx, detach, Some(org_id), id).await?;
            }
            audit_events::insert(&mut tx, audit, Some(org_id), id).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Puts the number on the bridge (see [`NumberChange::Connect`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn connect_number(
        &self,
        org_id: i64,
        bridge_id: i64,
        expected_version: Option<i64>,
        number_id: i64,
        configuration_id: i64,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<Connected> {
        let change = NumberChange::Connect {
            number_id,
            configuration_id,
        };
        self.change_bridge_numbers(org_id, bridge_id, expected_version, change, now, audit)
            .await
    }

    /// Takes the number off the bridge; `Ok(false)` when it was not on it.
    pub async fn disconnect_number(
        &self,
        org_id: i64,
        bridge_id: i64,
        expected_version: Option<i64>,
        number_id: i64,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let change = NumberChange::Disconnect { number_id };
        let done = self
            .change_bridge_numbers(org_id, bridge_id, expected_version, change, now, audit)
            .await?;
        Ok(matches!(done, Connected::Assigned { .. }))
    }

    /// Connects or disconnects a number. The bridge row is updated first, so concurrent changes
    /// to one bridge run one after the other and see each other's numbers; the unique rule on
    /// `bridge_numbers.number_id` settles a number connected to two bridges at once. Anything
    /// but [`Connected::Assigned`] (for a disconnect: "it was taken off") changes nothing.
    async fn change_bridge_numbers(
        &self,
        org_id: i64,
        bridge_id: i64,
        expected_version: Option<i64>,
        change: NumberChange,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<Connected> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let version: Option<i64> = sqlx::query_scalar(
                "UPDATE bridges SET version = version + 1, updated_at = $1 \
                 WHERE org_id = $2 AND id = $3 AND ($4 IS NULL OR version = $4) RETURNING version",
            )
            .bind(now)
            .bind(org_id)
            .bind(bridge_id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(version) = version else {
                drop(tx);
                return Err(self.bridge_gone_or_moved(org_id, bridge_id).await);
            };
            let number_id = match change {
                NumberChange::Connect {
                    number_id,
                    configuration_id,
                } => {
                    let current: Option<(i64, String)> = sqlx::query_as(
                        "SELECT bn.bridge_id, b.slug FROM bridge_numbers bn JOIN bridges b ON b.id = bn.bridge_id \
                         WHERE bn.number_id = $1",
                    )
                    .bind(number_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match current {
                        Some((on, _)) if on == bridge_id => return Ok(Connected::AlreadyHere),
                        Some((_, slug)) => return Ok(Connected::OnOtherBridge(slug)),
                        None => {}
                    }
                    let other: Option<i64> = sqlx::query_scalar(
                        "SELECT n.configuration_id FROM bridge_numbers bn JOIN phone_numbers n ON n.id = bn.number_id \
                         WHERE bn.bridge_id = $1 AND n.configuration_id <> $2 LIMIT 1",
                    )
                    .bind(bridge_id)
                    .bind(configuration_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(other) = other {
                        return Ok(Connected::OtherConfiguration(other));
                    }
                    let inserted = sqlx::query(
                        "INSERT INTO bridge_numbers (bridge_id, number_id, created_at) VALUES ($1, $2, $3)",
                    )
                    .bind(bridge_id)
                    .bind(number_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await;
                    if let Err(e) = inserted {
                        if matches!(&e, sqlx::Error::Database(db) if db.is_foreign_key_violation()) {
                            return Ok(Connected::NumberGone);
                        }
                        return Err(match unique_violation(&e) {
                            Some(_) => StorageError::Duplicate(Duplicate::BridgeNumber),
                            None => e.into(),
                        });
                    }
                    number_id
                }
                NumberChange::Disconnect { number_id } => {
                    let removed = sqlx::query("DELETE FROM bridge_numbers WHERE bridge_id = $1 AND number_id = $2")
                        .bind(bridge_id)
                        .bind(number_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if removed == 0 {
                        // Not on it: the version bump rolls back with the transaction.
                        return Ok(Connected::AlreadyHere);
                    }
                    number_id
                }
            };
            sqlx::query("UPDATE phone_numbers SET version = version + 1 WHERE id = $1")
                .bind(number_id)
                .execute(&mut *tx)
                .await?;
            audit_events::insert(&mut tx, audit, Some(org_id), bridge_id).await?;
            tx.commit().await?;
            Ok(Connected::Assigned {
                bridge_version: version,
            })
        })
    }
}

/// What [`Store::change_bridge_numbers`] does to a bridge.
#[derive(Debug, Clone, Copy)]
enum NumberChange {
    Connect { number_id: i64, configuration_id: i64 },
    Disconnect { number_id: i64 },
}
