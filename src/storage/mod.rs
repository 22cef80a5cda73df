//! Storage behind one trait, with a SQLite (embedded default) and a PostgreSQL implementation.
//!
//! Both backends run the same SQL text (see `queries.rs`); each file holds only what differs:
//! connection options, migrations and how background work is leased.

mod postgres;
mod queries;
mod sqlite;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use crate::crypto::Sealed;

pub use postgres::PostgresStorage;
pub use sqlite::SqliteStorage;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organization {
    pub id: i64,
    pub handle: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub org_id: i64,
    pub role: String,
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
pub(crate) struct TokenWithOrganization {
    #[sqlx(flatten)]
    pub token: ApiTokenRecord,
    pub org_handle: String,
    pub org_name: String,
    pub org_created_at: DateTime<Utc>,
}

/// What a new API token row holds; the token itself is never stored.
pub struct NewApiTokenRecord<'a> {
    pub org_id: i64,
    pub role: &'a str,
    pub label: Option<&'a str>,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

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
    pub status: String,
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
    pub verification_status: String,
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
                status: self.verification_status.clone(),
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

/// A phone number imported onto a provider's trunk.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneNumberRecord {
    pub id: Uuid,
    pub configuration_id: i64,
    pub org_id: i64,
    pub phone_number_sid: String,
    pub phone_number: String,
    pub created_at: DateTime<Utc>,
}

/// One Twilio provisioning saga's journal row (see `crate::twilio_provider`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProvisioningRecord {
    /// The provisioning id, and the uuid of the configuration it becomes.
    pub id: Uuid,
    pub org_id: i64,
    pub account_sid: String,
    pub secret_key_id: String,
    pub secret_ciphertext: Vec<u8>,
    /// The last remote step started (`started`, `trunk`, `credential_list`, `credential`, `attach`).
    pub stage: String,
    pub domain_name: String,
    pub credential_list_name: String,
    pub trunk_sid: Option<String>,
    pub credential_list_sid: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProvisioningRecord {
    pub fn sealed(&self) -> Sealed {
        Sealed {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_ciphertext.clone(),
        }
    }
}

/// An audit event, written in the same transaction as the change it describes.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub org_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    /// `token:<id>` for API calls, `cli` for administration commands.
    pub actor: String,
    /// e.g. `configuration.created`, `configuration.updated`, `token.revoked`.
    pub action: &'static str,
    pub resource_type: &'static str,
    /// `None`: the id of the row the write creates.
    pub resource_id: Option<String>,
    /// Names of the fields that changed: never values (`auth_token`, not the token).
    pub fields: Vec<String>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub org_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub fields: Json<Vec<String>>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events with a greater id (for `audit tail --follow`).
    pub after_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// What an `Idempotency-Key` lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: the caller runs the request and then completes or releases the key.
    New,
    /// The first request's answer, to send again.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The first request is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
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

/// Which unique rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    Configuration,
    OrganizationHandle,
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

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            // PostgreSQL names the constraint; SQLite names the table and columns in its message.
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return StorageError::Duplicate(
                if what.contains("provider_configurations_org_provider_account_key")
                    || what.contains("provider_configurations.org_id")
                {
                    Duplicate::Configuration
                } else if what.contains("organizations_handle_key") || what.contains("organizations.handle") {
                    Duplicate::OrganizationHandle
                } else {
                    Duplicate::Other
                },
            );
        }
        StorageError::Database(e)
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`, for logs and readiness.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<()>;
    /// `(open connections, idle connections)` of the pool.
    fn pool_stats(&self) -> (u32, usize);
    async fn close(&self);

    async fn create_organization(
        &self,
        handle: &str,
        name: &str,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<Organization>;
    async fn organization_by_handle(&self, handle: &str) -> Result<Option<Organization>>;
    async fn list_organizations(&self) -> Result<Vec<Organization>>;

    async fn create_api_token(&self, token: NewApiTokenRecord<'_>, audit: &AuditEvent) -> Result<ApiTokenRecord>;
    /// The token with this hash and its organization, whether or not it is still active.
    async fn api_token_by_hash(&self, hash: &str) -> Result<Option<(ApiTokenRecord, Organization)>>;
    async fn list_api_tokens(&self, org_id: i64) -> Result<Vec<ApiTokenRecord>>;
    /// `Ok(false)` when no active token has this id.
    async fn revoke_api_token(&self, id: i64, now: DateTime<Utc>, audit: &AuditEvent) -> Result<bool>;

    async fn insert_configuration(
        &self,
        uuid: Uuid,
        org_id: i64,
        provider: &str,
        state: &ConfigurationState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<ConfigurationRecord>;
    async fn list_configurations(&self, org_id: i64, query: ListQuery<'_>) -> Result<(Vec<ConfigurationRecord>, i64)>;
    async fn get_configuration(&self, org_id: i64, key: ConfigurationKey) -> Result<Option<ConfigurationRecord>>;
    /// Whether another configuration of the org already holds this provider account (checked
    /// before calling a carrier; the unique index still settles races).
    async fn configuration_exists(
        &self,
        org_id: i64,
        provider: &str,
        account_sid: &str,
        except_id: Option<i64>,
    ) -> Result<bool>;
    /// Replaces the state if the row is still at `expected_version`, bumping the version.
    async fn update_configuration(
        &self,
        org_id: i64,
        id: i64,
        expected_version: i64,
        state: &ConfigurationState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<ConfigurationRecord>;
    /// Deletes the row (if `expected_version` is given, only at that version).
    async fn delete_configuration(
        &self,
        org_id: i64,
        id: i64,
        expected_version: Option<i64>,
        audit: &AuditEvent,
    ) -> Result<()>;
    /// Stores a verification result unless the credentials changed meanwhile (`version` moved on).
    async fn record_verification(&self, id: i64, version: i64, verification: &VerificationRecord) -> Result<bool>;
    /// Claims up to `limit` rows whose verification is due, pushing their next check to
    /// `lease_until` so no other worker (or instance) picks them up meanwhile.
    async fn claim_due_verifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>>;
    async fn list_audit_events(&self, org_id: i64, query: AuditQuery<'_>) -> Result<(Vec<AuditRecord>, i64)>;
    /// Forgets idempotency records created before `before`.
    async fn purge_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Claims an idempotency key for a request; see [`IdempotencyClaim`].
    async fn claim_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim>;
    /// Stores the answer to a claimed key.
    async fn complete_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<()>;
    /// Gives a claimed key up (the request failed in a way a retry may fix).
    async fn release_idempotency_key(&self, org_id: i64, key: &str) -> Result<()>;

    /// Some key id that seals a stored secret but is not among `loaded`, if any (checked at start).
    async fn unknown_secret_key(&self, loaded: &[&str]) -> Result<Option<String>>;
    /// Up to `limit` configurations (any organization) whose secrets are sealed with a key other
    /// than `active_key_id`, for key rotation.
    async fn configurations_sealed_with_other_keys(
        &self,
        active_key_id: &str,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>>;
    /// How many configurations are sealed with a key other than `active_key_id`.
    async fn count_sealed_with_other_keys(&self, active_key_id: &str) -> Result<i64>;
    /// Replaces a row's sealed secrets with the same secrets under another key, if the row is
    /// still at `version` (a concurrent write has sealed it afresh otherwise). The version is
    /// not bumped: the configuration itself did not change.
    async fn reseal_configuration(&self, id: i64, version: i64, sealed: &Sealed) -> Result<bool>;

    // ---- v1 Twilio providers ------------------------------------------------------------

    /// One page of the org's configurations of `provider`, each with its phone number count,
    /// and the total number of such configurations.
    async fn list_configurations_with_counts(
        &self,
        org_id: i64,
        provider: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ConfigurationWithCount>, i64)>;
    async fn phone_number_count(&self, configuration_id: i64) -> Result<i64>;
    /// `Duplicate` when the configuration already has this number.
    async fn insert_phone_number(&self, number: &PhoneNumberRecord, audit: &AuditEvent) -> Result<()>;
    async fn list_phone_numbers(&self, configuration_id: i64) -> Result<Vec<PhoneNumberRecord>>;
    async fn get_phone_number(&self, configuration_id: i64, id: Uuid) -> Result<Option<PhoneNumberRecord>>;
    /// `Ok(false)` when there was no such number.
    async fn delete_phone_number(&self, configuration_id: i64, id: Uuid, audit: &AuditEvent) -> Result<bool>;

    async fn insert_provisioning(&self, journal: &ProvisioningRecord) -> Result<()>;
    /// Records the step about to start (or just done) and the sids known so far; bumps
    /// `updated_at`. `Ok(false)` when the journal is gone (recovery took it over).
    async fn update_provisioning(
        &self,
        id: Uuid,
        stage: &str,
        trunk_sid: Option<&str>,
        credential_list_sid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    async fn delete_provisioning(&self, id: Uuid) -> Result<()>;
    /// Claims up to `limit` journals untouched since `stale_before`, setting their `updated_at`
    /// to `now` so no other worker (or instance) claims them for another staleness period.
    async fn claim_stale_provisioning(
        &self,
        stale_before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ProvisioningRecord>>;
}

/// Opens the database named by `url` (`sqlite:`/file path, or `postgres://`) and migrates it.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Storage>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStorage::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStorage::connect(url).await?))
    }
}

/// The SQLite file a URL names, if any (the default key file lives beside it).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    sqlite::file_path(url)
}
