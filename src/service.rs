//! The operations both API families share, over one data model: authenticate a caller, and
//! create, read, change and delete provider configurations with their secrets sealed.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::crypto::{Keyring, Sealed};
use crate::domain::access::{NewApiToken, Role, hash_token, looks_like_token};
use crate::domain::catalogue::Provider;
use crate::domain::configuration::{self, ConfigurationPatch, NewConfiguration, SecretFields};
use crate::error::{Error, Result};
use crate::storage::{
    ApiTokenRecord, ConfigurationKey, ConfigurationRecord, ConfigurationState, ListQuery, NewApiTokenRecord,
    Organization, Storage, StorageError, VerificationRecord,
};

pub const CONFIG_NOT_FOUND: &str = "Provider configuration not found.";

/// Who is calling: an active API token and the organization it belongs to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub role: Role,
    pub org: Organization,
}

impl Caller {
    pub fn require_write(&self) -> Result<()> {
        if self.role.can_write() {
            Ok(())
        } else {
            Err(Error::ReadOnlyToken)
        }
    }
}

pub struct Patchbay {
    pub store: Arc<dyn Storage>,
    pub keyring: Arc<Keyring>,
}

/// Associated data binding a sealed secret to its row: copying the ciphertext into another
/// row (or another organization) makes it fail to open.
fn secret_aad(uuid: Uuid, org_id: i64) -> Vec<u8> {
    format!("patchbay/provider_configuration/{uuid}/org/{org_id}").into_bytes()
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Patchbay {
    pub fn new(store: Arc<dyn Storage>, keyring: Arc<Keyring>) -> Self {
        Self { store, keyring }
    }

    /// Refuses to start when stored secrets were sealed with a key that is not loaded: better
    /// a clear error now than undecryptable rows later.
    pub async fn check_keys(&self) -> anyhow::Result<()> {
        let missing: Vec<String> = self
            .store
            .secret_key_ids()
            .await?
            .into_iter()
            .filter(|id| !self.keyring.has_key(id))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            anyhow::bail!(
                "stored secrets are sealed with master key id(s) {} but the loaded key is {}: \
                 check PATCHBAY_MASTER_KEY / the key file beside the database",
                missing.join(", "),
                self.keyring.active_key_id()
            )
        }
    }

    // ---- access -------------------------------------------------------------------------

    pub async fn authenticate(&self, token: &str) -> Result<Caller> {
        if !looks_like_token(token) {
            return Err(Error::InvalidToken);
        }
        let (record, org) = self
            .store
            .api_token_by_hash(&hash_token(token))
            .await?
            .ok_or(Error::InvalidToken)?;
        if !record.is_active(now()) {
            return Err(Error::InvalidToken);
        }
        let role = record
            .role
            .parse()
            .map_err(|e: String| Error::Internal(anyhow::anyhow!(e)))?;
        Ok(Caller {
            token_id: record.id,
            role,
            org,
        })
    }

    pub async fn create_organization(&self, handle: &str, name: &str) -> Result<Organization> {
        Ok(self.store.create_organization(handle, name, now()).await?)
    }

    pub async fn create_token(
        &self,
        org: &Organization,
        role: Role,
        label: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiTokenRecord, NewApiToken)> {
        let token = NewApiToken::generate();
        let record = self
            .store
            .create_api_token(NewApiTokenRecord {
                org_id: org.id,
                role: role.as_str(),
                label,
                token_hash: &token.hash,
                token_prefix: &token.display_prefix,
                created_at: now(),
                expires_at,
            })
            .await?;
        Ok((record, token))
    }

    /// On a new database: creates the `demo` organization and an admin token for it. Returns
    /// `None` when any organization exists (or another instance just created it).
    pub async fn bootstrap_demo(&self) -> Result<Option<(Organization, NewApiToken)>> {
        if !self.store.list_organizations().await?.is_empty() {
            return Ok(None);
        }
        let org = match self.store.create_organization("demo", "Demo Organization", now()).await {
            Ok(org) => org,
            Err(StorageError::Duplicate(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let (_, token) = self
            .create_token(&org, Role::Admin, Some("demo admin (created at first start)"), None)
            .await?;
        Ok(Some((org, token)))
    }

    // ---- configurations -----------------------------------------------------------------

    fn seal(&self, uuid: Uuid, org_id: i64, secrets: &SecretFields) -> Sealed {
        self.keyring.seal(&secrets.to_plaintext(), &secret_aad(uuid, org_id))
    }

    /// Decrypts a configuration's secrets (for carrier calls and partial secret updates).
    pub fn open_secrets(&self, record: &ConfigurationRecord) -> Result<SecretFields> {
        let plaintext = self
            .keyring
            .open(&record.sealed(), &secret_aad(record.uuid, record.org_id))?;
        SecretFields::from_plaintext(&plaintext)
            .map_err(|e| Error::Internal(anyhow::anyhow!("sealed secrets are not a JSON map: {e}")))
    }

    fn unverified() -> VerificationRecord {
        // Due at once: the background verifier picks it up on its next round.
        VerificationRecord {
            status: "pending".into(),
            details: None,
            last_verified_at: None,
            next_at: Some(now()),
        }
    }

    pub async fn create_configuration(&self, org: &Organization, new: NewConfiguration) -> Result<ConfigurationRecord> {
        let uuid = Uuid::new_v4();
        let state = ConfigurationState {
            account_sid: new.account_sid,
            name: new.name,
            settings: new.settings,
            sealed: self.seal(uuid, org.id, &new.secrets),
            verification: Self::unverified(),
            region: None,
            supports_call_transfer: false,
            trunk_sid: None,
            termination_uri: None,
        };
        Ok(self
            .store
            .insert_configuration(uuid, org.id, new.provider.slug, &state, now())
            .await?)
    }

    pub async fn list_configurations(
        &self,
        org: &Organization,
        query: ListQuery<'_>,
    ) -> Result<(Vec<ConfigurationRecord>, i64)> {
        Ok(self.store.list_configurations(org.id, query).await?)
    }

    pub async fn get_configuration(&self, org: &Organization, key: ConfigurationKey) -> Result<ConfigurationRecord> {
        self.store
            .get_configuration(org.id, key)
            .await?
            .ok_or(Error::NotFound(CONFIG_NOT_FOUND))
    }

    /// Applies a v2 PATCH body. Without `if_match`, a concurrent write is retried on the fresh
    /// row (the seed clients send no If-Match); with it, a stale version is a 412.
    pub async fn patch_configuration(
        &self,
        org: &Organization,
        id: i64,
        body: &serde_json::Map<String, serde_json::Value>,
        if_match: Option<i64>,
    ) -> Result<ConfigurationRecord> {
        const ATTEMPTS: usize = 5;
        for _ in 0..ATTEMPTS {
            let current = self.get_configuration(org, ConfigurationKey::Id(id)).await?;
            if if_match.is_some_and(|v| v != current.version) {
                return Err(Error::PreconditionFailed);
            }
            let provider = Provider::by_slug(&current.provider).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!(
                    "stored provider {} is not in the catalogue",
                    current.provider
                ))
            })?;
            let patch = configuration::parse_patch(provider, body).map_err(Error::validation)?;
            let state = self.patched_state(provider, &current, &patch)?;
            match self
                .store
                .update_configuration(org.id, id, current.version, &state, now())
                .await
            {
                Err(StorageError::VersionMismatch) if if_match.is_none() => continue,
                Err(StorageError::NotFound) => return Err(Error::NotFound(CONFIG_NOT_FOUND)),
                other => return Ok(other?),
            }
        }
        Err(Error::Conflict(
            "The configuration is being changed concurrently; try again.",
        ))
    }

    fn patched_state(
        &self,
        provider: &Provider,
        current: &ConfigurationRecord,
        patch: &ConfigurationPatch,
    ) -> Result<ConfigurationState> {
        let mut state = current.state();
        if let Some(sid) = &patch.account_sid {
            state.account_sid = sid.clone();
        }
        if let Some(name) = &patch.name {
            state.name = name.clone();
        }
        configuration::apply_settings(provider, &mut state.settings, patch);
        if !patch.secrets.is_empty() {
            let mut secrets = self.open_secrets(current)?;
            configuration::apply_secrets(&mut secrets, patch);
            if provider.auth_token.required && secrets.get("auth_token").is_none_or(|t| t.expose_secret().is_empty()) {
                return Err(Error::field("auth_token", "This field is required."));
            }
            state.sealed = self.seal(current.uuid, current.org_id, &secrets);
        }
        if patch.changes_credentials() {
            state.verification = Self::unverified();
        }
        Ok(state)
    }

    pub async fn delete_configuration(&self, org: &Organization, id: i64, if_match: Option<i64>) -> Result<()> {
        match self.store.delete_configuration(org.id, id, if_match).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(CONFIG_NOT_FOUND)),
            other => Ok(other?),
        }
    }
}
