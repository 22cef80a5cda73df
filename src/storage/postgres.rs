//! PostgreSQL: the production and multi-instance backend. All state lives here, so any number
//! of instances can serve the same data; background work is leased with `SKIP LOCKED`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::configurations::{CONFIG_COLUMNS, ConfigurationRecord};
use super::{Pools, Result};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub(super) async fn connect(url: &str) -> anyhow::Result<Pools> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    // Migrations take an advisory lock, so instances starting together apply them once.
    MIGRATOR.run(&pool).await?;
    Ok(Pools::Postgres(pool))
}

/// See [`super::Store::claim_due_verifications`].
pub(super) async fn claim_due_verifications(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ConfigurationRecord>> {
    // SKIP LOCKED: instances polling at once each claim different rows instead of waiting.
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE provider_configurations SET next_verification_at = $1 WHERE id IN \
         (SELECT id FROM provider_configurations WHERE next_verification_at <= $2 \
          ORDER BY next_verification_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {CONFIG_COLUMNS}"
    )))
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
