//! Phone numbers imported onto a v1 Twilio configuration's trunk.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit_events::{self, AuditEvent};
use super::{Result, Store, on_backend};
use crate::domain::phone::E164;

/// A phone number imported onto a provider's trunk.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneNumberRecord {
    pub id: Uuid,
    pub configuration_id: i64,
    pub org_id: i64,
    pub phone_number_sid: String,
    #[sqlx(try_from = "String")]
    pub phone_number: E164,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn phone_number_count(&self, configuration_id: i64) -> Result<i64> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM provider_phone_numbers WHERE configuration_id = $1")
                    .bind(configuration_id)
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// `Duplicate` when the configuration already has this number
    /// (`provider_phone_numbers_configuration_sid_key`, reported as `Duplicate::Other`).
    pub async fn insert_phone_number(&self, n: &PhoneNumberRecord, audit: &AuditEvent) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO provider_phone_numbers (id, configuration_id, org_id, phone_number_sid, phone_number, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(n.id)
            .bind(n.configuration_id)
            .bind(n.org_id)
            .bind(&n.phone_number_sid)
            .bind(n.phone_number.as_str())
            .bind(n.created_at)
            .execute(&mut *tx)
            .await?;
            audit_events::insert(&mut tx, audit, Some(n.org_id), n.id).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn list_phone_numbers(&self, configuration_id: i64) -> Result<Vec<PhoneNumberRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, configuration_id, org_id, phone_number_sid, phone_number, created_at \
                 FROM provider_phone_numbers WHERE configuration_id = $1 ORDER BY created_at, phone_number_sid",
            )
            .bind(configuration_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn get_phone_number(&self, configuration_id: i64, id: Uuid) -> Result<Option<PhoneNumberRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, configuration_id, org_id, phone_number_sid, phone_number, created_at \
                 FROM provider_phone_numbers WHERE configuration_id = $1 AND id = $2",
            )
            .bind(configuration_id)
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// `Ok(false)` when there was no such number.
    pub async fn delete_phone_number(&self, configuration_id: i64, id: Uuid, audit: &AuditEvent) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let org_id: Option<i64> = sqlx::query_scalar(
                "DELETE FROM provider_phone_numbers WHERE configuration_id = $1 AND id = $2 RETURNING org_id",
            )
            .bind(configuration_id)
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
