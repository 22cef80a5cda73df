//! v2 provider configurations: create, read, change and delete, with their secrets sealed.

use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::carriers::{CheckStatus, Credentials, VerifyOutcome, check_names};
use crate::crypto::Sealed;
use crate::domain::catalogue::Provider;
use crate::domain::configuration::{self, ConfigurationPatch, NewConfiguration, SecretFields};
use crate::error::{Error, Result};
use crate::service::{
    AuditAction, Patchbay, RowBinding, VersionRetries, check_if_match, credentials, names, now, version_race,
};
use crate::storage::{
    ConfigurationKey, ConfigurationRecord, ConfigurationState, ListQuery, Organization, StorageError,
};

pub const CONFIG_NOT_FOUND: &str = "Provider configuration not found.";

/// Whether a write checks the credentials with the carrier before committing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    Live,
    /// `?verify=false`: stored as `pending`, checked by the background worker.
    Skip,
}

/// The configuration field naming a host the user supplied, if the provider has one.
fn host_field(provider: &Provider) -> &'static str {
    ["space_url", "subdomain", "host"]
        .into_iter()
        .find(|f| provider.extra_field(f).is_some())
        .unwrap_or("account_sid")
}

impl Patchbay {
    /// Seals secrets bound to the configuration row `uuid` of `org_id` (v1 provisioning seals
    /// before the row exists).
    pub fn seal(&self, uuid: Uuid, org_id: i64, secrets: &SecretFields) -> Sealed {
        self.sealer().seal(RowBinding::configuration(uuid, org_id), secrets)
    }

    /// Decrypts a configuration's secrets (for carrier calls and partial secret updates).
    pub fn open_secrets(&self, record: &ConfigurationRecord) -> Result<SecretFields> {
        self.sealer()
            .open(RowBinding::configuration(record.uuid, record.org_id), &record.sealed())
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

    /// Checks credentials before a write commits: rejected credentials and refused hosts are the
    /// client's error (400, nothing stored); anything else is stored with its status.
    async fn verify_before_write(
        &self,
        provider: &Provider,
        creds: &Credentials,
        mode: Verify,
    ) -> Result<crate::storage::VerificationRecord> {
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

    /// A 409 when the organization already holds its quota of configurations (checked before
    /// any carrier call; a soft limit: creates racing at the edge may pass it by a few).
    pub(crate) async fn check_configuration_quota(&self, org_id: i64) -> Result<()> {
        let held = self.store.count_configurations(org_id).await?;
        if held >= self.max_configurations_per_org {
            return Err(Error::QuotaExceeded(format!(
                "This organization has reached its limit of {} provider configurations; delete one first.",
                self.max_configurations_per_org
            )));
        }
        Ok(())
    }

    pub async fn create_configuration(
        &self,
        org: &Organization,
        new: NewConfiguration,
        mode: Verify,
    ) -> Result<ConfigurationRecord> {
        self.check_configuration_quota(org.id).await?;
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
        let audit = AuditAction::ConfigurationCreated
            .event(Some(org.id), Some(uuid.to_string()), fields)
            .with_data(serde_json::json!({
                "provider": new.provider.slug,
                "account_sid": new.account_sid,
                "name": new.name,
                "settings": new.settings,
                "verification_status": verification.status.as_str(),
            }));
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
        let mut retries = VersionRetries::new("The configuration is being changed concurrently; try again.");
        loop {
            retries.attempt()?;
            let current = self.get_configuration(org, ConfigurationKey::Id(id)).await?;
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
            self.require_secrets_for_new_host(provider, &current, &patch)?;
            let written = self
                .write_patch(org, &current, provider, &patch, if_match, mode)
                .await?;
            if let Some(done) = written {
                return Ok(done);
            }
        }
    }

    /// Writes `patch` over `current` (verifying changed credentials first): `None` when the
    /// write lost a race on the version and should be tried again on the fresh row.
    pub(crate) async fn write_patch(
        &self,
        org: &Organization,
        current: &ConfigurationRecord,
        provider: &Provider,
        patch: &ConfigurationPatch,
        if_match: Option<i64>,
        mode: Verify,
    ) -> Result<Option<ConfigurationRecord>> {
        let (mut state, secrets) = self.patched_state(provider, current, patch)?;
        // Judged once the request is otherwise valid (RFC 9110 §13.2.1): a bad body is a 400
        // whatever its If-Match.
        check_if_match(if_match, current.version)?;
        if patch.changes_credentials() {
            if state.account_sid != current.account_sid
                && self
                    .store
                    .configuration_exists(org.id, provider.slug, &state.account_sid, Some(current.id))
                    .await?
            {
                return Err(Error::Conflict("Configuration already exists"));
            }
            let secrets = match secrets {
                Some(s) => s,
                None => self.open_secrets(current)?,
            };
            let creds = credentials(provider.slug, &state.account_sid, &secrets, &state.settings);
            state.verification = self.verify_before_write(provider, &creds, mode).await?;
        }
        let audit = AuditAction::ConfigurationUpdated
            .event(Some(org.id), Some(current.uuid.to_string()), patch.field_names())
            .with_data(serde_json::json!({
                "configuration_id": current.id,
                "provider": provider.slug,
                "account_sid": state.account_sid,
                "name": state.name,
                "settings": state.settings,
                "verification_status": state.verification.status.as_str(),
            }));
        let written = self
            .store
            .update_configuration(org.id, current.id, current.version, &state, now(), &audit)
            .await;
        version_race(written, if_match, CONFIG_NOT_FOUND)
    }

    /// A stored secret is only ever sent to the host it was given for: a patch that moves a
    /// configuration to another user-supplied host (`space_url`, `subdomain`) must send every
    /// stored secret again, or nothing changes.
    fn require_secrets_for_new_host(
        &self,
        provider: &Provider,
        current: &ConfigurationRecord,
        patch: &ConfigurationPatch,
    ) -> Result<()> {
        let Some(field) = ["space_url", "subdomain"]
            .into_iter()
            .find(|f| provider.extra_field(f).is_some() && patch.settings.contains_key(*f))
        else {
            return Ok(());
        };
        let mut after = current.settings.0.clone();
        configuration::apply_settings(provider, &mut after, patch);
        if after.get(field) == current.settings.0.get(field) {
            return Ok(());
        }
        let message = format!("Send this secret again to change {field}: a stored secret is never sent to a new host.");
        let errors: configuration::FieldErrors = self
            .open_secrets(current)?
            .names()
            .filter(|name| !matches!(patch.secrets.get(*name), Some(Some(_))))
            .map(|name| (name.to_owned(), vec![message.clone()]))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(errors))
        }
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

    /// Deletes a configuration and its numbers. Numbers on bridges refuse it (409 naming them)
    /// unless `force`, which takes them off the bridges first.
    pub async fn delete_configuration(
        &self,
        org: &Organization,
        id: i64,
        if_match: Option<i64>,
        force: bool,
    ) -> Result<()> {
        let current = self.get_configuration(org, ConfigurationKey::Id(id)).await?;
        check_if_match(if_match, current.version)?;
        self.release_configuration_numbers(org.id, current.id, force).await?;
        // A provider provisioned through v1 owns a trunk in the customer's Twilio account:
        // deleting it from either family removes that too, never just the row.
        if current.trunk_sid.is_some() {
            return self
                .delete_twilio_provider(org.id, current.uuid, force)
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => Error::NotFound(CONFIG_NOT_FOUND),
                    other => other,
                });
        }
        let audit = AuditAction::ConfigurationDeleted
            .event(Some(org.id), Some(current.uuid.to_string()), vec![])
            .with_data(serde_json::json!({
                "configuration_id": current.id,
                "provider": current.provider,
                "account_sid": current.account_sid,
                "name": current.name,
            }));
        match self.store.delete_configuration(org.id, id, if_match, &audit).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(CONFIG_NOT_FOUND)),
            other => Ok(other?),
        }
    }
}
