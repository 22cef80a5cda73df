//! Creating a v1 Twilio provider: provisioning an Elastic SIP Trunk in the customer's account,
//! undoing a failed provisioning, and recovering abandoned ones.
//!
//! # Provisioning is a saga
//!
//! Creating a provider makes four changes in the customer's Twilio account: a trunk, a
//! credential list, a SIP credential in it, and the list's attachment to the trunk. Each is
//! journalled in `twilio_provisioning` (keyed by the provisioning id, which is also the uuid the
//! configuration row gets): the journal row is written before the first remote call, its
//! `stage` is advanced before each call and the created sid recorded right after it. The
//! journal holds the auth token sealed exactly as the configuration row will, so anything that
//! finds a journal can act in that account.
//!
//! Everything created is recognisable without the journal's sids: the trunk's DomainName is
//! `pb-<provisioning id>.pstn.twilio.com` and the credential list's FriendlyName is
//! `patchbay-<provisioning id>`. A sid that was never recorded (crash, or a timeout while the
//! create was in flight) is found again by listing and matching that name.
//!
//! On failure of any step the steps done are undone in reverse (detach the list, delete the
//! list with its credential, delete the trunk; "not found" counts as undone) and the journal
//! is deleted; nothing is stored. If undoing fails too, the journal stays for recovery.
//! On success the configuration row is inserted, then the journal deleted.
//!
//! **Recovery rule**: a journal untouched for [`RECOVER_AFTER`] belongs to a provisioning that
//! crashed or gave up (a live one touches it before every step, and every step is bounded by
//! the carrier timeouts). [`Patchbay::recover_stale_provisioning`] claims such journals (a lease:
//! claiming bumps `updated_at`, so other instances skip them), and for each: if the
//! configuration row exists, the provisioning committed and only the journal is deleted;
//! otherwise everything it created is undone as above and the journal deleted. A journal whose
//! undo fails (Twilio down, token revoked) is retried one staleness period later. The
//! background worker runs recovery every round, which includes start-up.
//!
//! # Region
//!
//! Trunking v1 has no region field, and the termination URI keeps the page's form
//! `sip:<domain>` (Twilio's default `us1` edge). `region` (us1, us2, ie1, de1, au1, jp1, br1,
//! sg1; default `us1`) is stored and returned as the Twilio Region the customer's voice platform
//! should use for this trunk (origination URIs, regional termination); Patchbay itself
//! sends no regional API calls and changing it changes nothing at Twilio.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::Rng as _;
use secrecy::SecretString;
use uuid::Uuid;

use crate::carriers::twilio::NewTrunk;
use crate::carriers::{CarrierError, TwilioAuth};
use crate::domain::configuration::SecretFields;
use crate::domain::twilio::Stage;
use crate::error::{Error, Result};
use crate::service::twilio::{
    CREDENTIAL_LIST_SID, NewTwilioProvider, PROVIDER, SIP_PASSWORD, SIP_USERNAME, gone_is_done, stored_region,
    transfer_mode, trunk_friendly_name, twilio_error,
};
use crate::service::{AuditAction, Patchbay, RowBinding, credentials, names, now};
use crate::storage::{
    ConfigurationKey, ConfigurationState, ConfigurationWithCount, Duplicate, ProvisioningRecord, StorageError,
};

/// A provisioning journal untouched this long is taken to be abandoned (see the module docs).
pub const RECOVER_AFTER: Duration = Duration::from_secs(10 * 60);

/// A SIP password Twilio accepts (≥ 12 characters with a digit, an upper- and a lower-case
/// letter): 32 random alphanumerics from the OS-seeded CSPRNG, redrawn until all three occur.
fn sip_password() -> SecretString {
    loop {
        let candidate: String = rand::rng()
            .sample_iter(&rand::distr::Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let has = |f: fn(&char) -> bool| candidate.chars().any(|c| f(&c));
        if has(char::is_ascii_digit) && has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase) {
            return SecretString::from(candidate);
        }
    }
}

impl Patchbay {
    /// The Twilio credentials a journal holds: sealed for the configuration row it becomes.
    fn open_journal_auth(&self, journal: &ProvisioningRecord) -> Result<TwilioAuth> {
        let secrets = self
            .sealer()
            .open(RowBinding::configuration(journal.id, journal.org_id), &journal.sealed())?;
        Self::auth_from(&credentials(PROVIDER, &journal.account_sid, &secrets, &BTreeMap::new()))
    }

    /// Verifies the credentials, provisions the trunk (a saga, see the module docs) and stores
    /// the provider.
    pub async fn create_twilio_provider(&self, org_id: i64, new: NewTwilioProvider) -> Result<ConfigurationWithCount> {
        let region = stored_region(&new.region)?;
        self.check_configuration_quota(org_id).await?;
        if self
            .store
            .configuration_exists(org_id, PROVIDER, &new.account_sid, None)
            .await?
        {
            return Err(Error::Conflict("A Twilio provider for this account already exists."));
        }
        let mut secrets = SecretFields::default();
        secrets.set("auth_token", new.auth_token.clone());
        let creds = credentials(PROVIDER, &new.account_sid, &secrets, &BTreeMap::new());
        let verification = self.check_new_credentials(&creds).await?;

        let id = Uuid::new_v4();
        let sip_username = format!("pb{}", &id.simple().to_string()[..16]);
        secrets.set(SIP_PASSWORD, sip_password());
        let sealed = self.seal(id, org_id, &secrets);
        let at = now();
        let mut journal = ProvisioningRecord::started(id, org_id, &new.account_sid, sealed.clone(), at);
        self.store.insert_provisioning(&journal).await?;
        let auth = TwilioAuth::new(&new.account_sid, new.auth_token.clone());
        let password = secrets
            .get(SIP_PASSWORD)
            .cloned()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("SIP password missing")))?;

        let provisioned = self
            .provision_steps(&auth, &mut journal, &new, &sip_username, &password)
            .await;
        let commit = match provisioned {
            Ok(()) => {
                let mut settings = BTreeMap::new();
                settings.insert(SIP_USERNAME.to_owned(), sip_username);
                if let Some(cl) = &journal.credential_list_sid {
                    settings.insert(CREDENTIAL_LIST_SID.to_owned(), cl.clone());
                }
                let state = ConfigurationState {
                    account_sid: new.account_sid.clone(),
                    name: new.name.clone(),
                    settings,
                    sealed,
                    verification,
                    region: Some(region),
                    supports_call_transfer: new.supports_call_transfer,
                    trunk_sid: journal.trunk_sid.clone(),
                    termination_uri: Some(format!("sip:{}", journal.domain_name)),
                };
                let audit = AuditAction::ProviderCreated
                    .event(
                        Some(org_id),
                        Some(id.to_string()),
                        names(&[
                            "account_sid",
                            "auth_token",
                            "name",
                            "region",
                            "supports_call_transfer",
                            "trunk_sid",
                            "sip_password",
                        ]),
                    )
                    .with_data(provider_data(&state));
                self.store
                    .insert_configuration(id, org_id, PROVIDER, &state, now(), &audit)
                    .await
                    .map_err(|e| match e {
                        StorageError::Duplicate(Duplicate::Configuration) => {
                            Error::Conflict("A Twilio provider for this account already exists.")
                        }
                        e => e.into(),
                    })
            }
            Err(e) => Err(e),
        };
        match commit {
            Ok(record) => {
                // The row is in: a journal left behind by a failure here is dropped by recovery.
                if let Err(e) = self.store.delete_provisioning(id).await {
                    tracing::warn!(provisioning = %id, error = %e, "could not delete a finished provisioning journal");
                }
                Ok(ConfigurationWithCount {
                    record,
                    phone_number_count: 0,
                })
            }
            Err(err) => {
                match self.compensate(&auth, &journal).await {
                    Ok(()) => self.store.delete_provisioning(id).await?,
                    Err(e) => tracing::warn!(
                        provisioning = %id,
                        error = %e,
                        "could not undo a failed Twilio provisioning; recovery will retry"
                    ),
                }
                Err(err)
            }
        }
    }

    /// Advances the journal to `stage` with the sids known so far.
    async fn journal_stage(&self, journal: &mut ProvisioningRecord, stage: Stage) -> Result<()> {
        journal.stage = stage;
        let kept = self
            .store
            .update_provisioning(
                journal.id,
                stage,
                journal.trunk_sid.as_deref(),
                journal.credential_list_sid.as_deref(),
                now(),
            )
            .await?;
        if kept {
            Ok(())
        } else {
            // Recovery judged this provisioning abandoned and is undoing it: stop.
            Err(Error::CarrierUnavailable(
                "Provisioning took too long and was abandoned; try again.".into(),
            ))
        }
    }

    async fn provision_steps(
        &self,
        auth: &TwilioAuth,
        journal: &mut ProvisioningRecord,
        new: &NewTwilioProvider,
        sip_username: &str,
        password: &SecretString,
    ) -> Result<()> {
        let twilio = self.carriers.twilio();
        self.journal_stage(journal, Stage::Trunk).await?;
        let trunk = twilio
            .create_trunk(
                auth,
                &NewTrunk {
                    friendly_name: Some(trunk_friendly_name(new.name.as_deref(), journal.id)),
                    domain_name: Some(journal.domain_name.clone()),
                    transfer_mode: Some(transfer_mode(new.supports_call_transfer)),
                },
            )
            .await
            .map_err(|e| twilio_error("creating the SIP trunk", e))?;
        journal.trunk_sid = Some(trunk.sid.clone());

        self.journal_stage(journal, Stage::CredentialList).await?;
        let list = twilio
            .create_credential_list(auth, &journal.credential_list_name)
            .await
            .map_err(|e| twilio_error("creating the credential list", e))?;
        journal.credential_list_sid = Some(list.sid.clone());

        self.journal_stage(journal, Stage::Credential).await?;
        twilio
            .create_credential(auth, &list.sid, sip_username, password)
            .await
            .map_err(|e| twilio_error("creating the SIP credential", e))?;

        self.journal_stage(journal, Stage::Attach).await?;
        twilio
            .attach_credential_list(auth, &trunk.sid, &list.sid)
            .await
            .map_err(|e| twilio_error("attaching the credential list to the trunk", e))?;
        self.journal_stage(journal, Stage::Commit).await
    }

    /// Undoes what the journalled provisioning created, in reverse. Sids the journal lacks for
    /// steps it started are looked up by their recognisable names.
    async fn compensate(&self, auth: &TwilioAuth, journal: &ProvisioningRecord) -> Result<(), CarrierError> {
        let twilio = self.carriers.twilio();
        let journal_stage = journal.stage;
        let reached = |stage: Stage| journal_stage >= stage;
        let trunk_sid = match &journal.trunk_sid {
            Some(sid) => Some(sid.clone()),
            None if reached(Stage::Trunk) => twilio
                .list_trunks(auth)
                .await?
                .into_iter()
                .find(|t| t.domain_name.as_deref() == Some(journal.domain_name.as_str()))
                .map(|t| t.sid),
            None => None,
        };
        let list_sid = match &journal.credential_list_sid {
            Some(sid) => Some(sid.clone()),
            None if reached(Stage::CredentialList) => twilio
                .list_credential_lists(auth)
                .await?
                .into_iter()
                .find(|l| l.friendly_name.as_deref() == Some(journal.credential_list_name.as_str()))
                .map(|l| l.sid),
            None => None,
        };
        if let (Some(trunk), Some(list)) = (&trunk_sid, &list_sid)
            && reached(Stage::Attach)
        {
            gone_is_done(twilio.detach_credential_list(auth, trunk, list).await)?;
        }
        if let Some(list) = &list_sid {
            // Deleting the list deletes its credential too.
            gone_is_done(twilio.delete_credential_list(auth, list).await)?;
        }
        if let Some(trunk) = &trunk_sid {
            gone_is_done(twilio.delete_trunk(auth, trunk).await)?;
        }
        Ok(())
    }

    /// Provisioning journals still open (in flight, or abandoned and not yet recovered).
    pub async fn open_provisioning_journals(&self) -> Result<i64> {
        Ok(self.store.count_provisioning().await?)
    }

    /// The recovery rule of the module docs: claims journals untouched for `older_than` and
    /// finishes them (committed → drop the journal; else undo at Twilio, then drop it).
    /// Returns how many journals were resolved.
    pub async fn recover_stale_provisioning(&self, older_than: Duration) -> Result<usize> {
        let at = now();
        let stale_before = at - chrono::Duration::from_std(older_than).unwrap_or(chrono::TimeDelta::MAX);
        let journals = self.store.claim_stale_provisioning(stale_before, at, 32).await?;
        let mut resolved = 0;
        for journal in journals {
            let committed = self
                .store
                .get_configuration(journal.org_id, ConfigurationKey::Uuid(journal.id))
                .await?
                .is_some();
            if !committed {
                let undone = match self.open_journal_auth(&journal) {
                    Ok(auth) => self.compensate(&auth, &journal).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(e) = undone {
                    tracing::warn!(provisioning = %journal.id, error = %e, "could not undo an abandoned Twilio provisioning; will retry");
                    continue;
                }
                tracing::info!(provisioning = %journal.id, stage = %journal.stage, "undid an abandoned Twilio provisioning");
            }
            self.store.delete_provisioning(journal.id).await?;
            resolved += 1;
        }
        Ok(resolved)
    }
}

/// What the webhook events of a v1 Twilio provider carry: its public fields, never a secret.
pub(crate) fn provider_data(state: &crate::storage::ConfigurationState) -> serde_json::Value {
    serde_json::json!({
        "account_sid": state.account_sid,
        "name": state.name,
        "region": state.region,
        "supports_call_transfer": state.supports_call_transfer,
        "trunk_sid": state.trunk_sid,
        "termination_uri": state.termination_uri,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    #[test]
    fn sip_passwords_are_strong_and_distinct() {
        let a = sip_password();
        let b = sip_password();
        let p = a.expose_secret();
        assert_eq!(p.len(), 32);
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert_ne!(p, b.expose_secret());
    }
}
