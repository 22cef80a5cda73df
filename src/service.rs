//! The operations both API families share, over one data model: authenticate a caller, and
//! create, read, change and delete provider configurations with their secrets sealed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::carriers::{Carriers, Check, CheckStatus, Credentials, VerifyOutcome, check_names};
use crate::crypto::{Keyring, Sealed};
use crate::domain::access::{NewApiToken, Role, hash_token, looks_like_token};
use crate::domain::catalogue::Provider;
use crate::domain::configuration::{self, ConfigurationPatch, NewConfiguration, SecretFields};
use crate::error::{Error, Result};
use crate::storage::{
    ApiTokenRecord, AuditEvent, ConfigurationKey, ConfigurationRecord, ConfigurationState, ListQuery,
    NewApiTokenRecord, Organization, StorageError, Store, VerificationRecord,
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
    pub store: Arc<Store>,
    pub keyring: Arc<Keyring>,
    pub carriers: Carriers,
    /// How often the background verifier re-checks a configuration.
    pub verify_every: Duration,
}

/// Whether a write checks the credentials with the carrier before committing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    Live,
    /// `?verify=false`: stored as `pending`, checked by the background verifier.
    Skip,
}

/// A carrier that cannot be reached is asked again this soon (unless it said when).
const UNREACHABLE_RETRY: Duration = Duration::from_secs(60);

/// Builds the carriers' view of a configuration's credentials.
pub fn credentials(
    provider: &str,
    account_sid: &str,
    secrets: &SecretFields,
    settings: &BTreeMap<String, String>,
) -> Credentials {
    Credentials {
        provider: provider.to_owned(),
        account_sid: account_sid.to_owned(),
        auth_token: secrets.get("auth_token").cloned(),
        fields: settings.clone(),
        secret_fields: secrets
            .iter()
            .filter(|(k, _)| *k != "auth_token")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// The configuration field naming a host the user supplied, if the provider has one.
fn host_field(provider: &Provider) -> &'static str {
    ["space_url", "subdomain", "host"]
        .into_iter()
        .find(|f| provider.extra_field(f).is_some())
        .unwrap_or("account_sid")
}

/// Associated data binding a sealed secret to its row: copying the ciphertext into another
/// row (or another organization) makes it fail to open.
fn secret_aad(uuid: Uuid, org_id: i64) -> Vec<u8> {
    format!("patchbay/provider_configuration/{uuid}/org/{org_id}").into_bytes()
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// An audit event for a change made now by the current caller (`cli` outside a request).
pub fn audit(
    org_id: Option<i64>,
    action: &'static str,
    resource_type: &'static str,
    resource_id: Option<String>,
    fields: Vec<String>,
) -> AuditEvent {
    let token = crate::telemetry::current_token_id();
    AuditEvent {
        org_id,
        actor_token_id: token,
        actor: token.map_or_else(|| "cli".to_owned(), |t| format!("token:{t}")),
        action,
        resource_type,
        resource_id,
        fields,
        request_id: crate::telemetry::current_request_id(),
        at: now(),
    }
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

impl Patchbay {
    pub fn new(store: Arc<Store>, keyring: Arc<Keyring>, carriers: Carriers) -> Self {
        Self {
            store,
            keyring,
            carriers,
            verify_every: Duration::from_secs(3600),
        }
    }

    pub fn with_verify_interval(mut self, every: Duration) -> Self {
        self.verify_every = every;
        self
    }

    /// Refuses to start when stored secrets were sealed with a key that is not loaded: better
    /// a clear error now than undecryptable rows later.
    pub async fn check_keys(&self) -> anyhow::Result<()> {
        match self.store.unknown_secret_key(&self.keyring.key_ids()).await? {
            None => Ok(()),
            Some(missing) => anyhow::bail!(
                "stored secrets are sealed with master key id {missing} but the loaded key is {}: \
                 check PATCHBAY_MASTER_KEY / the key file beside the database",
                self.keyring.active_key_id()
            ),
        }
    }

    /// Re-seals every secret under the active key, `batch` rows at a time. Safe to run on a live
    /// system and to resume after an interruption: each row is re-sealed in its own write, and
    /// what remains is found again by its key id. `progress` is told (done, remaining) per batch.
    pub async fn rotate_secrets(&self, batch: i64, mut progress: impl FnMut(u64, i64)) -> Result<u64> {
        let active = self.keyring.active_key_id().to_owned();
        let mut done = 0u64;
        loop {
            let rows = self.store.configurations_sealed_with_other_keys(&active, batch).await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut progressed = false;
            for row in rows {
                let aad = secret_aad(row.uuid, row.org_id);
                let plaintext = self.keyring.open(&row.sealed(), &aad)?;
                let sealed = self.keyring.seal(&plaintext, &aad);
                // A miss means a concurrent write re-sealed the row under the active key already.
                if self.store.reseal_configuration(row.id, row.version, &sealed).await? {
                    done += 1;
                }
                progressed = true;
            }
            progress(done, self.store.count_sealed_with_other_keys(&active).await?);
            if !progressed {
                return Ok(done);
            }
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
        let audit = audit(
            None,
            "organization.created",
            "organization",
            None,
            names(&["handle", "name"]),
        );
        Ok(self.store.create_organization(handle, name, now(), &audit).await?)
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
            .create_api_token(
                NewApiTokenRecord {
                    org_id: org.id,
                    role: role.as_str(),
                    label,
                    token_hash: &token.hash,
                    token_prefix: &token.display_prefix,
                    created_at: now(),
                    expires_at,
                },
                &audit(
                    Some(org.id),
                    "token.created",
                    "api_token",
                    None,
                    names(&["role", "label", "expires_at"]),
                ),
            )
            .await?;
        Ok((record, token))
    }

    /// On a new database: creates the `demo` organization and an admin token for it. Returns
    /// `None` when any organization exists (or another instance just created it).
    pub async fn bootstrap_demo(&self) -> Result<Option<(Organization, NewApiToken)>> {
        if !self.store.list_organizations().await?.is_empty() {
            return Ok(None);
        }
        let audit = audit(
            None,
            "organization.created",
            "organization",
            None,
            names(&["handle", "name"]),
        );
        let org = match self
            .store
            .create_organization("demo", "Demo Organization", now(), &audit)
            .await
        {
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

    /// Seals secrets bound to the row `uuid` of `org_id` (v1 provisioning seals before the row exists).
    pub fn seal(&self, uuid: Uuid, org_id: i64, secrets: &SecretFields) -> Sealed {
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

    /// The next routine check, jittered by ±10% so a tenant's configurations created together
    /// do not come due together and burst a carrier's rate limit.
    fn next_check(&self, from: DateTime<Utc>) -> DateTime<Utc> {
        let every = self.verify_every.as_secs_f64();
        let jittered = every * rand::rng().random_range(0.9..=1.1);
        from + chrono::Duration::milliseconds((jittered * 1000.0) as i64)
    }

    /// Turns a carrier's answer into what is stored. `previous` is the stored verification when
    /// this is a re-check: an unreachable carrier then leaves the last known result in place.
    pub fn verification_from(
        &self,
        outcome: VerifyOutcome,
        previous: Option<&VerificationRecord>,
    ) -> VerificationRecord {
        let at = now();
        match outcome {
            VerifyOutcome::Completed { status, checks, .. } => VerificationRecord {
                status: serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                details: serde_json::to_value(checks).ok(),
                last_verified_at: Some(at),
                next_at: Some(self.next_check(at)),
            },
            VerifyOutcome::Unavailable { reason, retry_after } => {
                // A carrier's Retry-After (429, 503) is honoured as the earliest next attempt.
                let delay = retry_after.unwrap_or(UNREACHABLE_RETRY).max(Duration::from_secs(1));
                let next_at = Some(at + chrono::Duration::from_std(delay).unwrap_or(chrono::TimeDelta::MAX));
                match previous {
                    Some(prev) if prev.status != "pending" => VerificationRecord {
                        next_at,
                        ..prev.clone()
                    },
                    _ => VerificationRecord {
                        status: "pending".into(),
                        details: serde_json::to_value([Check::new(
                            "carrier_reachable",
                            CheckStatus::Skipped,
                            format!("carrier not reachable ({reason}); will retry"),
                        )])
                        .ok(),
                        last_verified_at: None,
                        next_at,
                    },
                }
            }
        }
    }

    /// Checks credentials before a write commits: rejected credentials and refused hosts are the
    /// client's error (400, nothing stored); anything else is stored with its status.
    async fn verify_before_write(
        &self,
        provider: &Provider,
        creds: &Credentials,
        mode: Verify,
    ) -> Result<VerificationRecord> {
        if mode == Verify::Skip {
            return Ok(Self::unverified());
        }
        let outcome = self.carriers.verify(creds).await;
        if let VerifyOutcome::Completed {
            credentials_rejected,
            checks,
            ..
        } = &outcome
        {
            if *credentials_rejected {
                return Err(Error::Validation {
                    message: "Invalid credentials.".into(),
                    errors: [(
                        "non_field_errors".to_owned(),
                        vec!["Invalid account_sid or auth_token".to_owned()],
                    )]
                    .into(),
                });
            }
            if let Some(refused) = checks
                .iter()
                .find(|c| c.check_name == check_names::HOST_ALLOWED && c.status == CheckStatus::Failed)
            {
                return Err(Error::field(host_field(provider), refused.message.clone()));
            }
        }
        Ok(self.verification_from(outcome, None))
    }

    pub async fn create_configuration(
        &self,
        org: &Organization,
        new: NewConfiguration,
        mode: Verify,
    ) -> Result<ConfigurationRecord> {
        if self
            .store
            .configuration_exists(org.id, new.provider.slug, &new.account_sid, None)
            .await?
        {
            return Err(Error::Conflict("Configuration already exists"));
        }
        let creds = credentials(new.provider.slug, &new.account_sid, &new.secrets, &new.settings);
        let verification = self.verify_before_write(new.provider, &creds, mode).await?;
        let uuid = Uuid::new_v4();
        let mut fields = names(&["provider", "account_sid"]);
        fields.extend(new.name.as_ref().map(|_| "name".to_owned()));
        fields.extend(new.settings.keys().cloned());
        fields.extend(new.secrets.names().map(str::to_owned));
        let audit = audit(
            Some(org.id),
            "configuration.created",
            "configuration",
            Some(uuid.to_string()),
            fields,
        );
        let state = ConfigurationState {
            account_sid: new.account_sid,
            name: new.name,
            settings: new.settings,
            sealed: self.seal(uuid, org.id, &new.secrets),
            verification,
            region: None,
            supports_call_transfer: false,
            trunk_sid: None,
            termination_uri: None,
        };
        Ok(self
            .store
            .insert_configuration(uuid, org.id, new.provider.slug, &state, now(), &audit)
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
        mode: Verify,
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
            if current.trunk_sid.is_some()
                && patch
                    .account_sid
                    .as_ref()
                    .is_some_and(|sid| *sid != current.account_sid)
            {
                // Its SIP trunk lives in that account: moving the record would orphan the trunk.
                return Err(Error::field(
                    "account_sid",
                    "This configuration has a SIP trunk provisioned in its Twilio account, so its account cannot change; \
                     create a new configuration for the other account.",
                ));
            }
            let (mut state, secrets) = self.patched_state(provider, &current, &patch)?;
            if patch.changes_credentials() {
                if state.account_sid != current.account_sid
                    && self
                        .store
                        .configuration_exists(org.id, provider.slug, &state.account_sid, Some(id))
                        .await?
                {
                    return Err(Error::Conflict("Configuration already exists"));
                }
                let secrets = match secrets {
                    Some(s) => s,
                    None => self.open_secrets(&current)?,
                };
                let creds = credentials(provider.slug, &state.account_sid, &secrets, &state.settings);
                state.verification = self.verify_before_write(provider, &creds, mode).await?;
            }
            match self
                .store
                .update_configuration(
                    org.id,
                    id,
                    current.version,
                    &state,
                    now(),
                    &audit(
                        Some(org.id),
                        "configuration.updated",
                        "configuration",
                        Some(current.uuid.to_string()),
                        patch.field_names(),
                    ),
                )
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

    /// The state after `patch`, and the new secrets if the patch changed any.
    fn patched_state(
        &self,
        provider: &Provider,
        current: &ConfigurationRecord,
        patch: &ConfigurationPatch,
    ) -> Result<(ConfigurationState, Option<SecretFields>)> {
        let mut state = current.state();
        let mut new_secrets = None;
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
            new_secrets = Some(secrets);
        }
        Ok((state, new_secrets))
    }

    /// The carriers' view of a stored configuration (decrypts its secrets).
    pub fn credentials_of(&self, record: &ConfigurationRecord) -> Result<Credentials> {
        let secrets = self.open_secrets(record)?;
        Ok(credentials(
            &record.provider,
            &record.account_sid,
            &secrets,
            &record.settings.0,
        ))
    }

    /// Verifies a stored configuration now and records the result (unless its credentials
    /// changed meanwhile, in which case that newer write's result stands).
    pub async fn verify_record(&self, record: &ConfigurationRecord) -> Result<()> {
        let creds = self.credentials_of(record)?;
        let outcome = self.carriers.verify(&creds).await;
        let verification = self.verification_from(outcome, Some(&record.state().verification));
        self.store
            .record_verification(record.id, record.version, &verification)
            .await?;
        Ok(())
    }

    /// The verify endpoint: check now, answer with the fresh state.
    pub async fn verify_configuration(&self, org: &Organization, key: ConfigurationKey) -> Result<ConfigurationRecord> {
        let record = self.get_configuration(org, key).await?;
        self.verify_record(&record).await?;
        self.get_configuration(org, key).await
    }

    pub async fn delete_configuration(&self, org: &Organization, id: i64, if_match: Option<i64>) -> Result<()> {
        let current = self.get_configuration(org, ConfigurationKey::Id(id)).await?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(Error::PreconditionFailed);
        }
        // A provider provisioned through v1 owns a trunk in the customer's Twilio account:
        // deleting it from either family removes that too, never just the row.
        if current.trunk_sid.is_some() {
            return self
                .delete_twilio_provider(org.id, current.uuid)
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => Error::NotFound(CONFIG_NOT_FOUND),
                    other => other,
                });
        }
        let audit = audit(
            Some(org.id),
            "configuration.deleted",
            "configuration",
            Some(current.uuid.to_string()),
            vec![],
        );
        match self.store.delete_configuration(org.id, id, if_match, &audit).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(CONFIG_NOT_FOUND)),
            other => Ok(other?),
        }
    }
}
