//! Phone numbers of every provider configuration, one table for both API families: v1 imports
//! a Twilio number onto a provider's trunk (and addresses it by uuid), v2 lists, adds, imports
//! and deletes numbers by integer id. A number is stored once across all organizations.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit_events::{self, AuditEvent};
use super::{Duplicate, Result, StorageError, Store, on_backend, unique_violation};
use crate::domain::phone::E164;
use crate::domain::verification::VerificationStatus;

pub(super) const NUMBER_COLUMNS: &str = "id, uuid, org_id, configuration_id, phone_number, carrier_sid, version, \
    created_at, display_name, description, updated_at";

/// A stored number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneNumberRecord {
    pub id: i64,
    /// The v1 family's id of the number.
    pub uuid: Uuid,
    pub org_id: i64,
    pub configuration_id: i64,
    #[sqlx(try_from = "String")]
    pub phone_number: E164,
    /// The carrier's id of the number; `None` for SIP trunks.
    pub carrier_sid: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// Caller-id name (v1 SIP phone numbers).
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// The last change (an agent link); `None` until the first.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A number about to be stored.
#[derive(Debug, Clone)]
pub struct NewPhoneNumber {
    pub uuid: Uuid,
    pub org_id: i64,
    pub configuration_id: i64,
    pub phone_number: E164,
    pub carrier_sid: Option<String>,
    pub created_at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// A number with what the v2 numbers list shows beside it: its configuration's provider and
/// verification state, and the bridge it is on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NumberListing {
    #[sqlx(flatten)]
    pub number: PhoneNumberRecord,
    pub provider: String,
    #[sqlx(try_from = "String")]
    pub verification_status: VerificationStatus,
    pub bridge_slug: Option<String>,
}

/// The numbers list's columns: the number, its configuration, and its bridge if any.
const LISTING_FROM: &str = "SELECT n.id, n.uuid, n.org_id, n.configuration_id, n.phone_number, n.carrier_sid, \
    n.version, n.created_at, n.display_name, n.description, n.updated_at, c.provider, c.verification_status, b.slug AS bridge_slug \
    FROM phone_numbers n JOIN provider_configurations c ON c.id = n.configuration_id \
    LEFT JOIN bridge_numbers bn ON bn.number_id = n.id LEFT JOIN bridges b ON b.id = bn.bridge_id";

/// Both unique rules of a number (`phone_numbers_phone_number_key`: stored once anywhere;
/// `phone_numbers_configuration_sid_key`: a carrier id once per configuration) are
/// `Duplicate::PhoneNumber`; the uuid key stays `Duplicate::Other`.
pub(super) fn on_constraint(err: sqlx::Error) -> StorageError {
    match unique_violation(&err) {
        Some(what)
            if what.contains("phone_numbers_phone_number_key")
                || what.contains("phone_numbers_configuration_sid_key")
                || what.contains("phone_numbers.phone_number")
                || what.contains("phone_numbers.configuration_id") =>
        {
            StorageError::Duplicate(Duplicate::PhoneNumber)
        }
        _ => err.into(),
    }
}

impl Store {
    pub async fn phone_number_count(&self, configuration_id: i64) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM phone_numbers WHERE configuration_id = $1")
                    .bind(configuration_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// `Duplicate::PhoneNumber` when the number is stored already (here or anywhere else).
    pub async fn insert_phone_number(&self, n: &NewPhoneNumber, audit: &AuditEvent) -> Result<PhoneNumberRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: PhoneNumberRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO phone_numbers (uuid, org_id, configuration_id, phone_number, carrier_sid, created_at, \
                 display_name, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {NUMBER_COLUMNS}"
            )))
            .bind(n.uuid)
            .bind(n.org_id)
            .bind(n.configuration_id)
            .bind(n.phone_number.as_str())
            .bind(&n.carrier_sid)
            .bind(n.created_at)
            .bind(&n.display_name)
            .bind(&n.description)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_constraint)?;
            audit_events::insert(&mut tx, audit, Some(n.org_id), row.uuid).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    /// The numbers of one configuration, oldest first.
    pub async fn list_phone_numbers(&self, configuration_id: i64) -> Result<Vec<PhoneNumberRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE configuration_id = $1 ORDER BY id"
            )))
            .bind(configuration_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many numbers the organization holds (for its quota).
    pub async fn count_org_numbers(&self, org_id: i64) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM phone_numbers WHERE org_id = $1")
                    .bind(org_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// A page of the organization's numbers with their provider and bridge, in id order, and
    /// how many numbers it has.
    pub async fn list_org_numbers(&self, org_id: i64, limit: i64, offset: i64) -> Result<(Vec<NumberListing>, i64)> {
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{LISTING_FROM} WHERE n.org_id = $1 ORDER BY n.id LIMIT $2 OFFSET $3"
            )))
            .bind(org_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            Ok((rows, self.count_org_numbers(org_id).await?))
        })
    }

    /// One number of the organization, by its v2 id, with its provider and bridge.
    pub async fn get_org_number(&self, org_id: i64, id: i64) -> Result<Option<NumberListing>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{LISTING_FROM} WHERE n.org_id = $1 AND n.id = $2"
            )))
            .bind(org_id)
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A number of the organization by its E.164 value.
    pub async fn find_org_number(&self, org_id: i64, number: &E164) -> Result<Option<NumberListing>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{LISTING_FROM} WHERE n.org_id = $1 AND n.phone_number = $2"
            )))
            .bind(org_id)
            .bind(number.as_str())
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Whether the number is stored at all, by anyone (imports report it instead of a 409).
    pub async fn phone_number_taken(&self, number: &E164) -> Result<bool> {
        let found: Option<i64> = on_backend!(self, read, |pool| {
            sqlx::query_scalar("SELECT id FROM phone_numbers WHERE phone_number = $1")
                .bind(number.as_str())
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// A number of a v1 provider, by its uuid.
    pub async fn get_phone_number(&self, configuration_id: i64, uuid: Uuid) -> Result<Option<PhoneNumberRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {NUMBER_COLUMNS} FROM phone_numbers WHERE configuration_id = $1 AND uuid = $2"
            )))
            .bind(configuration_id)
            .bind(uuid)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Deletes the number (if `expected_version` is given, only at that version), and with it
    /// its place on a bridge: `detach` is the audit event of that, written when it was on one.
    /// `NotFound` when there is no such number, `VersionMismatch` when it moved on.
    pub async fn delete_phone_number(
        &self,
        org_id: i64,
        id: i64,
        expected_version: Option<i64>,
        detach: Option<&AuditEvent>,
        audit: &AuditEvent,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let detached: Option<i64> = sqlx::query_scalar(
                "DELETE FROM bridge_numbers WHERE number_id = (SELECT id FROM phone_numbers \
                 WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3)) RETURNING bridge_id",
            )
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            let deleted: Option<Uuid> = sqlx::query_scalar(
                "DELETE FROM phone_numbers WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) \
                 RETURNING uuid",
            )
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(uuid) = deleted {
                if let (Some(bridge_id), Some(detach)) = (detached, detach) {
                    audit_events::insert(&mut tx, detach, Some(org_id), bridge_id).await?;
                }
                audit_events::insert(&mut tx, audit, Some(org_id), uuid).await?;
                tx.commit().await?;
                return Ok(());
            }
            drop(tx);
        });
        match self.get_org_number(org_id, id).await? {
            Some(_) => Err(StorageError::VersionMismatch),
            None => Err(StorageError::NotFound),
        }
    }
}
