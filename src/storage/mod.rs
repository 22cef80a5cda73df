//! Storage: one [`Store`] over a SQLite (embedded default) or a PostgreSQL database.
//!
//! Each resource has one file holding its record types, its SQL and what its unique constraints
//! mean, as inherent `impl Store` blocks. Both backends run the same SQL text (`$n`
//! placeholders, `RETURNING`); `sqlite.rs` and `postgres.rs` hold only what differs: connection
//! options, migrations and how background work is leased.

mod api_tokens;
mod audit_events;
mod bridges;
mod configurations;
mod idempotency_keys;
mod organizations;
mod phone_numbers;
mod postgres;
mod routing;
mod sip;
mod sqlite;
mod twilio_provisioning;
mod users;
mod webhooks;

use std::sync::Arc;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

pub use api_tokens::{ApiTokenRecord, NewApiTokenRecord};
pub use audit_events::{AuditEvent, AuditQuery, AuditRecord};
pub use audit_events::{envelope as webhook_envelope, new_message_id as new_webhook_message_id};
pub use bridges::{BridgeNumberRecord, BridgeRecord, Connected};
pub use configurations::{
    ConfigurationKey, ConfigurationRecord, ConfigurationState, ConfigurationWithCount, ListQuery, VerificationRecord,
};
pub use idempotency_keys::IdempotencyClaim;
pub use organizations::Organization;
pub use phone_numbers::{NewPhoneNumber, NumberListing, PhoneNumberRecord};
pub use routing::{
    NewServiceTokenRecord, ROUTING_CHANNEL, RouteRecord, RoutingChanges, ServiceTokenGrant, ServiceTokenRecord,
    changed_org,
};
pub use sip::{AgentLinkRecord, SipNumberFilter, SipNumberListing};
pub use twilio_provisioning::ProvisioningRecord;
pub use users::{MemberRecord, MembershipRecord, SessionRecord, UserCredentials, UserRecord, UserTokenRecord};
pub use webhooks::{
    AttemptOutcome, ClaimedDelivery, NextStep, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord,
    WebhookEndpointState,
};

/// The database behind the service, chosen by [`connect`].
pub struct Store {
    pools: Pools,
}

enum Pools {
    Sqlite {
        /// Readers: WAL lets them run beside the writer.
        read: SqlitePool,
        /// The one writer. SQLite takes one write at a time; queueing writers on a single
        /// connection is cheaper than letting several collide and back off on SQLITE_BUSY.
        write: SqlitePool,
    },
    /// One pool for reads and writes: PostgreSQL runs concurrent writers itself.
    Postgres(PgPool),
}

/// Runs `body` with `pool` bound to the store's `read` or `write` pool. The body is expanded
/// once per backend (sqlx picks the database from the executor's type, so one text serves both),
/// which also means `?` and `return` in it act on the enclosing method.
macro_rules! on_backend {
    ($store:expr, $access:ident, |$pool:ident| $body:expr) => {
        match &$store.pools {
            $crate::storage::Pools::Sqlite { $access: $pool, .. } => $body,
            $crate::storage::Pools::Postgres($pool) => $body,
        }
    };
}
use on_backend;

impl Store {
    /// `"sqlite"` or `"postgres"`, for logs and readiness.
    pub fn backend(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite { .. } => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }

    pub async fn ping(&self) -> Result<()> {
        on_backend!(self, read, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// `(open connections, idle connections)` of the pool.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_backend!(self, read, |pool| (pool.size(), pool.num_idle()))
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write } => {
                write.close().await;
                read.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

/// Which unique rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    Configuration,
    OrganizationHandle,
    /// A bridge slug the organization has already.
    Bridge,
    /// A number stored already (by any configuration of any organization).
    PhoneNumber,
    /// A number on a bridge already.
    BridgeNumber,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("not found")]
    NotFound,
    #[error("duplicate ({0:?})")]
    Duplicate(Duplicate),
    #[error("the row changed since it was read")]
    VersionMismatch,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// A unique violation no resource named is `Duplicate::Other`; the resource whose constraint it
/// is maps it to its own variant where the write is (see [`unique_violation`]).
impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if unique_violation(&e).is_some() {
            return StorageError::Duplicate(Duplicate::Other);
        }
        StorageError::Database(e)
    }
}

/// What a unique violation broke, or `None` for any other error. PostgreSQL names the
/// constraint; SQLite names the table and columns in its message (`UNIQUE constraint failed:
/// organizations.handle`), so callers check for both spellings.
pub(crate) fn unique_violation(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(db.constraint().unwrap_or_else(|| db.message())),
        _ => None,
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Opens the database named by `url` (`sqlite:`/file path, or `postgres://`) and migrates it.
pub async fn connect(url: &str) -> anyhow::Result<Arc<Store>> {
    let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::connect(url).await?
    } else {
        sqlite::connect(url).await?
    };
    Ok(Arc::new(Store { pools }))
}

/// The SQLite file a URL names, if any (the default key file lives beside it).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    sqlite::file_path(url)
}

#[cfg(test)]
mod tests;
