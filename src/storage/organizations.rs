//! Organizations: the tenants every other row belongs to.

use chrono::{DateTime, Utc};

use super::audit_events::{self, AuditEvent};
use super::{Duplicate, Result, StorageError, Store, on_backend, unique_violation};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organization {
    pub id: i64,
    pub handle: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// `organizations_handle_key` is `Duplicate::OrganizationHandle`.
fn on_constraint(err: sqlx::Error) -> StorageError {
    match unique_violation(&err) {
        Some(what) if what.contains("organizations_handle_key") || what.contains("organizations.handle") => {
            StorageError::Duplicate(Duplicate::OrganizationHandle)
        }
        _ => err.into(),
    }
}

impl Store {
    pub async fn create_organization(
        &self,
        handle: &str,
        name: &str,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<Organization> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let org = sqlx::query_as::<_, Organization>(
                "INSERT INTO organizations (handle, name, created_at) VALUES ($1, $2, $3) \
                 RETURNING id, handle, name, created_at",
            )
            .bind(handle)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_constraint)?;
            audit_events::insert(&mut tx, audit, Some(org.id), org.id).await?;
            tx.commit().await?;
            Ok(org)
        })
    }

    pub async fn organization_by_handle(&self, handle: &str) -> Result<Option<Organization>> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_as("SELECT id, handle, name, created_at FROM organizations WHERE handle = $1")
                    .bind(handle)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    pub async fn list_organizations(&self) -> Result<Vec<Organization>> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_as("SELECT id, handle, name, created_at FROM organizations ORDER BY id")
                    .fetch_all(pool)
                    .await?,
            )
        })
    }
}
