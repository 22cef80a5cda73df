//! PostgreSQL: the production and multi-instance backend. All state lives here, so any number
//! of instances can serve the same data; background work is leased with `SKIP LOCKED`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{Postgres, migrate::Migrator};
use uuid::Uuid;

use super::queries::{CONFIG_COLUMNS, audit_insert, bind_state, config_sql, storage_impl};
use super::*;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub struct PostgresStorage {
    pool: PgPool,
    /// The same pool: PostgreSQL runs concurrent writers itself.
    writer: PgPool,
}

impl PostgresStorage {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        // Migrations take an advisory lock, so instances starting together apply them once.
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            writer: pool.clone(),
            pool,
        })
    }
}

storage_impl!(PostgresStorage, Postgres, {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn claim_due_verifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>> {
        // SKIP LOCKED: instances polling at once each claim different rows instead of waiting.
        Ok(sqlx::query_as::<Postgres, ConfigurationRecord>(config_sql!(
            "UPDATE provider_configurations SET next_verification_at = $1 WHERE id IN \
             (SELECT id FROM provider_configurations WHERE next_verification_at <= $2 \
              ORDER BY next_verification_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {}",
            CONFIG_COLUMNS
        ))
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.writer)
        .await?)
    }
});
