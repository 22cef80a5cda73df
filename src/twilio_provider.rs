//! v1 Twilio providers over the shared configuration model: provisioning an Elastic SIP Trunk
//! in the customer's account, importing phone numbers onto it, checking it, tearing it down.
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
//! background verifier loop runs recovery every round, which includes start-up.
//!
//! # Region
//!
//! Trunking v1 has no region field, and the termination URI keeps the page's form
//! `sip:<domain>` (Twilio's default `us1` edge). `region` (us1, us2, ie1, de1, au1, jp1, br1,
//! sg1; default `us1`) is stored and returned as the Twilio Region the customer's voice platform
//! should use for this trunk (origination URIs, regional termination); Patchbay itself
//! sends no regional API calls and changing it changes nothing at Twilio.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use secrecy::SecretString;
use uuid::Uuid;

use crate::carriers::twilio::{IncomingPhoneNumber, NewTrunk, TransferMode, TrunkUpdate, is_sid};
use crate::carriers::{CarrierError, Check, CheckStatus, TwilioAuth, VerifyOutcome};
use crate::domain::configuration::SecretFields;
use crate::domain::phone::E164;
use crate::error::{Error, Result};
use crate::service::{Patchbay, credentials};
use crate::storage::{
    ConfigurationKey, ConfigurationRecord, ConfigurationState, ConfigurationWithCount, Duplicate, PhoneNumberRecord,
    ProvisioningRecord, StorageError, VerificationRecord,
};

pub const PROVIDER: &str = "twilio";
pub const REGIONS: [&str; 8] = ["us1", "us2", "ie1", "de1", "au1", "jp1", "br1", "sg1"];
pub const DEFAULT_REGION: &str = "us1";
pub const PROVIDER_NOT_FOUND: &str = "Provider not found.";
pub const PHONE_NUMBER_NOT_FOUND: &str = "Phone number not found.";

/// Settings key of the SIP username (not secret) and the credential list's sid.
pub const SIP_USERNAME: &str = "sip_username";
pub const CREDENTIAL_LIST_SID: &str = "credential_list_sid";
/// Key of the SIP password in the sealed secret bundle (beside `auth_token`).
pub const SIP_PASSWORD: &str = "sip_password";

/// A provisioning journal untouched this long is taken to be abandoned (see the module docs).
pub const RECOVER_AFTER: Duration = Duration::from_secs(10 * 60);

/// Saga stages, in order; the journal's `stage` is the last one started.
const STAGES: [&str; 6] = ["started", "trunk", "credential_list", "credential", "attach", "commit"];

/// Twilio's limit on FriendlyName.
const FRIENDLY_NAME_MAX: usize = 64;

/// A validated v1 create body. `Debug` is safe: the token is a `SecretString`.
#[derive(Debug)]
pub struct NewTwilioProvider {
    pub account_sid: String,
    pub auth_token: SecretString,
    pub name: Option<String>,
    pub region: String,
    pub supports_call_transfer: bool,
}

/// A validated v1 PUT body; `None` leaves the field as it is.
#[derive(Debug, Default)]
pub struct TwilioProviderUpdate {
    pub name: Option<String>,
    pub region: Option<String>,
    pub supports_call_transfer: Option<bool>,
}

/// One of the account's incoming numbers, and whether (as which id) it is imported here.
#[derive(Debug)]
pub struct AvailableNumber {
    pub number: IncomingPhoneNumber,
    pub imported_id: Option<Uuid>,
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub imported: Vec<PhoneNumberRecord>,
    /// `(phone number sid, message)`
    pub failed: Vec<(String, String)>,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn stage_index(stage: &str) -> usize {
    STAGES.iter().position(|s| *s == stage).unwrap_or(STAGES.len())
}

fn transfer_mode(supports_call_transfer: bool) -> TransferMode {
    if supports_call_transfer {
        TransferMode::EnableAll
    } else {
        TransferMode::DisableAll
    }
}

fn trunk_friendly_name(name: Option<&str>, id: Uuid) -> String {
    match name {
        Some(n) => n.chars().take(FRIENDLY_NAME_MAX).collect(),
        None => format!("patchbay-{id}"),
    }
}

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

/// Maps a Twilio failure during `what` to the API error. Twilio's own messages carry no
/// secrets, so a 4xx's message is passed on.
fn twilio_error(what: &str, err: CarrierError) -> Error {
    match err {
        CarrierError::Unavailable { .. } | CarrierError::Protocol(_) => {
            Error::CarrierUnavailable(format!("Twilio could not be reached while {what}; try again later."))
        }
        CarrierError::Rejected { status } => Error::BadRequest(format!(
            "Twilio refused the stored credentials while {what} (HTTP {status}). If the auth token \
             changed, rotate it with PATCH /api/v1/providers/twilio/{{id}}/auth-token."
        )),
        CarrierError::NotFound => Error::BadRequest(format!("Twilio has no such resource ({what}).")),
        CarrierError::BadRequest { message, .. } => {
            Error::BadRequest(format!("Twilio refused the request while {what}: {message}"))
        }
    }
}

/// `Ok` for a delete or detach whose target is already gone.
fn gone_is_done(result: Result<(), CarrierError>) -> Result<(), CarrierError> {
    match result {
        Err(CarrierError::NotFound) => Ok(()),
        other => other,
    }
}

impl Patchbay {
    fn twilio_auth(&self, record: &ConfigurationRecord) -> Result<TwilioAuth> {
        TwilioAuth::from_credentials(&self.credentials_of(record)?)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored Twilio configuration has no auth token")))
    }

    fn open_journal_auth(&self, journal: &ProvisioningRecord) -> Result<TwilioAuth> {
        // The journal's secrets are sealed for the configuration row it becomes.
        let record_like = ConfigurationRecord {
            id: 0,
            uuid: journal.id,
            org_id: journal.org_id,
            provider: PROVIDER.into(),
            account_sid: journal.account_sid.clone(),
            name: None,
            settings: Default::default(),
            secret_key_id: journal.secret_key_id.clone(),
            secret_ciphertext: journal.secret_ciphertext.clone(),
            version: 0,
            verification_status: String::new(),
            last_verified_at: None,
            verification_details: None,
            next_verification_at: None,
            region: None,
            supports_call_transfer: false,
            trunk_sid: None,
            termination_uri: None,
            created_at: journal.created_at,
            updated_at: journal.updated_at,
        };
        self.twilio_auth(&record_like)
    }

    /// Checks credentials about to be stored: Twilio must accept them and the account must be
    /// usable (rejected → 400 naming `authToken`, closed → 400, unreachable → 503; nothing is
    /// written in any of these cases).
    async fn check_new_credentials(&self, creds: &crate::carriers::Credentials) -> Result<VerificationRecord> {
        let outcome = self.carriers.verify(creds).await;
        match &outcome {
            VerifyOutcome::Completed {
                credentials_rejected: true,
                ..
            } => {
                return Err(Error::Validation {
                    message: "Twilio rejected the credentials.".into(),
                    errors: [(
                        "authToken".to_owned(),
                        vec!["Twilio did not accept this Auth Token for this Account SID.".to_owned()],
                    )]
                    .into(),
                });
            }
            VerifyOutcome::Completed { checks, .. } => {
                if let Some(failed) = checks.iter().find(|c| c.status == CheckStatus::Failed) {
                    return Err(Error::BadRequest(format!(
                        "The Twilio account cannot be used: {}.",
                        failed.message
                    )));
                }
            }
            VerifyOutcome::Unavailable { .. } => {
                return Err(Error::CarrierUnavailable(
                    "Twilio could not be reached to verify the credentials; nothing was changed.".into(),
                ));
            }
        }
        Ok(self.verification_from(outcome, None))
    }

    async fn with_count(&self, record: ConfigurationRecord) -> Result<ConfigurationWithCount> {
        let phone_number_count = self.store.phone_number_count(record.id).await?;
        Ok(ConfigurationWithCount {
            record,
            phone_number_count,
        })
    }

    /// A v1 provider of the org: a `twilio` configuration (any other provider is a 404).
    pub async fn get_twilio_provider(&self, org_id: i64, id: Uuid) -> Result<ConfigurationWithCount> {
        let record = self
            .store
            .get_configuration(org_id, ConfigurationKey::Uuid(id))
            .await?
            .filter(|r| r.provider == PROVIDER)
            .ok_or(Error::NotFound(PROVIDER_NOT_FOUND))?;
        self.with_count(record).await
    }

    pub async fn list_twilio_providers(
        &self,
        org_id: i64,
        skip: i64,
        take: i64,
    ) -> Result<(Vec<ConfigurationWithCount>, i64)> {
        Ok(self
            .store
            .list_configurations_with_counts(org_id, PROVIDER, take, skip)
            .await?)
    }

    /// Verifies the credentials, provisions the trunk (a saga, see the module docs) and stores
    /// the provider.
    pub async fn create_twilio_provider(&self, org_id: i64, new: NewTwilioProvider) -> Result<ConfigurationWithCount> {
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
        let mut journal = ProvisioningRecord {
            id,
            org_id,
            account_sid: new.account_sid.clone(),
            secret_key_id: sealed.key_id.clone(),
            secret_ciphertext: sealed.blob.clone(),
            stage: STAGES[0].into(),
            domain_name: format!("pb-{}.pstn.twilio.com", id.simple()),
            credential_list_name: format!("patchbay-{id}"),
            trunk_sid: None,
            credential_list_sid: None,
            created_at: at,
            updated_at: at,
        };
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
                    region: Some(new.region.clone()),
                    supports_call_transfer: new.supports_call_transfer,
                    trunk_sid: journal.trunk_sid.clone(),
                    termination_uri: Some(format!("sip:{}", journal.domain_name)),
                };
                let audit = crate::service::audit(
                    Some(org_id),
                    "provider.created",
                    "twilio_provider",
                    Some(id.to_string()),
                    [
                        "account_sid",
                        "auth_token",
                        "name",
                        "region",
                        "supports_call_transfer",
                        "trunk_sid",
                        "sip_password",
                    ]
                    .map(str::to_owned)
                    .to_vec(),
                );
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
    async fn journal_stage(&self, journal: &mut ProvisioningRecord, stage: &'static str) -> Result<()> {
        journal.stage = stage.into();
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
        self.journal_stage(journal, "trunk").await?;
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

        self.journal_stage(journal, "credential_list").await?;
        let list = twilio
            .create_credential_list(auth, &journal.credential_list_name)
            .await
            .map_err(|e| twilio_error("creating the credential list", e))?;
        journal.credential_list_sid = Some(list.sid.clone());

        self.journal_stage(journal, "credential").await?;
        twilio
            .create_credential(auth, &list.sid, sip_username, password)
            .await
            .map_err(|e| twilio_error("creating the SIP credential", e))?;

        self.journal_stage(journal, "attach").await?;
        twilio
            .attach_credential_list(auth, &trunk.sid, &list.sid)
            .await
            .map_err(|e| twilio_error("attaching the credential list to the trunk", e))?;
        self.journal_stage(journal, "commit").await
    }

    /// Undoes what the journalled provisioning created, in reverse. Sids the journal lacks for
    /// steps it started are looked up by their recognisable names.
    async fn compensate(&self, auth: &TwilioAuth, journal: &ProvisioningRecord) -> Result<(), CarrierError> {
        let twilio = self.carriers.twilio();
        let reached = |stage: &str| stage_index(&journal.stage) >= stage_index(stage);
        let trunk_sid = match &journal.trunk_sid {
            Some(sid) => Some(sid.clone()),
            None if reached("trunk") => twilio
                .list_trunks(auth)
                .await?
                .into_iter()
                .find(|t| t.domain_name.as_deref() == Some(journal.domain_name.as_str()))
                .map(|t| t.sid),
            None => None,
        };
        let list_sid = match &journal.credential_list_sid {
            Some(sid) => Some(sid.clone()),
            None if reached("credential_list") => twilio
                .list_credential_lists(auth)
                .await?
                .into_iter()
                .find(|l| l.friendly_name.as_deref() == Some(journal.credential_list_name.as_str()))
                .map(|l| l.sid),
            None => None,
        };
        if let (Some(trunk), Some(list)) = (&trunk_sid, &list_sid)
            && reached("attach")
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

    /// Applies a v1 PUT: the trunk first (FriendlyName, TransferMode), then the row.
    pub async fn update_twilio_provider(
        &self,
        org_id: i64,
        id: Uuid,
        update: TwilioProviderUpdate,
        if_match: Option<i64>,
    ) -> Result<ConfigurationWithCount> {
        const ATTEMPTS: usize = 5;
        for _ in 0..ATTEMPTS {
            let current = self.get_twilio_provider(org_id, id).await?.record;
            // Checked before Twilio is touched: a stale client changes nothing anywhere.
            if if_match.is_some_and(|v| v != current.version) {
                return Err(Error::PreconditionFailed);
            }
            let trunk_update = TrunkUpdate {
                friendly_name: update
                    .name
                    .as_deref()
                    .filter(|n| current.name.as_deref() != Some(*n))
                    .map(|n| trunk_friendly_name(Some(n), id)),
                transfer_mode: update
                    .supports_call_transfer
                    .filter(|s| *s != current.supports_call_transfer)
                    .map(transfer_mode),
            };
            if let Some(trunk) = &current.trunk_sid
                && (trunk_update.friendly_name.is_some() || trunk_update.transfer_mode.is_some())
            {
                self.carriers
                    .twilio()
                    .update_trunk(&self.twilio_auth(&current)?, trunk, &trunk_update)
                    .await
                    .map_err(|e| twilio_error("updating the SIP trunk", e))?;
            }
            let mut state = current.state();
            if let Some(name) = &update.name {
                state.name = Some(name.clone());
            }
            if let Some(region) = &update.region {
                state.region = Some(region.clone());
            }
            if let Some(s) = update.supports_call_transfer {
                state.supports_call_transfer = s;
            }
            let mut fields = Vec::new();
            fields.extend(update.name.as_ref().map(|_| "name".to_owned()));
            fields.extend(update.region.as_ref().map(|_| "region".to_owned()));
            fields.extend(
                update
                    .supports_call_transfer
                    .map(|_| "supports_call_transfer".to_owned()),
            );
            let audit = crate::service::audit(
                Some(org_id),
                "provider.updated",
                "twilio_provider",
                Some(id.to_string()),
                fields,
            );
            match self
                .store
                .update_configuration(org_id, current.id, current.version, &state, now(), &audit)
                .await
            {
                // Someone else wrote meanwhile: apply again on the fresh row (or, with
                // If-Match, the next round answers 412).
                Err(StorageError::VersionMismatch) => continue,
                Err(StorageError::NotFound) => return Err(Error::NotFound(PROVIDER_NOT_FOUND)),
                other => return self.with_count(other?).await,
            }
        }
        Err(Error::Conflict(
            "The provider is being changed concurrently; try again.",
        ))
    }

    /// Verifies `auth_token` with Twilio, then swaps it in (with the fresh verification) in one
    /// row update; on any failure the stored token stays.
    pub async fn rotate_twilio_auth_token(
        &self,
        org_id: i64,
        id: Uuid,
        auth_token: SecretString,
        if_match: Option<i64>,
    ) -> Result<ConfigurationWithCount> {
        let current = self.get_twilio_provider(org_id, id).await?.record;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(Error::PreconditionFailed);
        }
        let mut creds = self.credentials_of(&current)?;
        creds.auth_token = Some(auth_token.clone());
        let verification = self.check_new_credentials(&creds).await?;
        const ATTEMPTS: usize = 5;
        let mut current = current;
        for _ in 0..ATTEMPTS {
            let mut secrets = self.open_secrets(&current)?;
            secrets.set("auth_token", auth_token.clone());
            let mut state = current.state();
            state.sealed = self.seal(current.uuid, current.org_id, &secrets);
            state.verification = verification.clone();
            let audit = crate::service::audit(
                Some(org_id),
                "provider.auth_token_rotated",
                "twilio_provider",
                Some(id.to_string()),
                vec!["auth_token".to_owned()],
            );
            match self
                .store
                .update_configuration(org_id, current.id, current.version, &state, now(), &audit)
                .await
            {
                Err(StorageError::VersionMismatch) if if_match.is_some() => return Err(Error::PreconditionFailed),
                Err(StorageError::VersionMismatch) => {
                    current = self.get_twilio_provider(org_id, id).await?.record;
                }
                Err(StorageError::NotFound) => return Err(Error::NotFound(PROVIDER_NOT_FOUND)),
                other => return self.with_count(other?).await,
            }
        }
        Err(Error::Conflict(
            "The provider is being changed concurrently; try again.",
        ))
    }

    /// The full v1 check of a provider: credentials and account, then (when Patchbay
    /// provisioned a trunk) the trunk, its credential list, and the imported numbers on it.
    pub async fn twilio_provider_outcome(&self, record: &ConfigurationRecord) -> Result<VerifyOutcome> {
        let creds = self.credentials_of(record)?;
        let outcome = self.carriers.verify(&creds).await;
        let VerifyOutcome::Completed {
            checks,
            credentials_rejected: false,
            ..
        } = outcome
        else {
            return Ok(outcome);
        };
        let Some(trunk_sid) = &record.trunk_sid else {
            // A v2-created configuration: nothing provisioned to check.
            return Ok(VerifyOutcome::from_checks(checks));
        };
        let mut checks = checks;
        let auth = self.twilio_auth(record)?;
        let twilio = self.carriers.twilio();
        let unreachable =
            |name: &str, e: CarrierError| Check::new(name, CheckStatus::Warning, format!("could not be checked: {e}"));
        let trunk = twilio.fetch_trunk(&auth, trunk_sid).await;
        let trunk_found = trunk.is_ok();
        checks.push(match trunk {
            Ok(t) => Check::new(TRUNK_EXISTS, CheckStatus::Passed, "SIP trunk exists").with_details(
                serde_json::json!({"trunkSid": t.sid, "domainName": t.domain_name, "transferMode": t.transfer_mode}),
            ),
            Err(CarrierError::NotFound) => Check::new(
                TRUNK_EXISTS,
                CheckStatus::Failed,
                "the SIP trunk no longer exists in the Twilio account",
            )
            .with_details(serde_json::json!({"trunkSid": trunk_sid})),
            Err(e) => unreachable(TRUNK_EXISTS, e),
        });
        if !trunk_found {
            for name in [CREDENTIAL_LIST_ATTACHED, NUMBERS_ON_TRUNK] {
                checks.push(Check::new(name, CheckStatus::Skipped, "not checked: trunk unavailable"));
            }
            return Ok(VerifyOutcome::from_checks(checks));
        }
        let list_sid = record.settings.0.get(CREDENTIAL_LIST_SID);
        checks.push(match twilio.list_trunk_credential_lists(&auth, trunk_sid).await {
            Ok(lists) if list_sid.is_some_and(|sid| lists.iter().any(|l| l.sid == *sid)) => Check::new(
                CREDENTIAL_LIST_ATTACHED,
                CheckStatus::Passed,
                "credential list is attached to the trunk",
            ),
            Ok(_) => Check::new(
                CREDENTIAL_LIST_ATTACHED,
                CheckStatus::Failed,
                "the credential list is no longer attached to the trunk",
            )
            .with_details(serde_json::json!({"credentialListSid": list_sid})),
            Err(e) => unreachable(CREDENTIAL_LIST_ATTACHED, e),
        });
        let imported = self.store.list_phone_numbers(record.id).await?;
        checks.push(match twilio.list_trunk_phone_numbers(&auth, trunk_sid).await {
            Ok(on_trunk) => {
                let on_trunk: BTreeSet<&str> = on_trunk.iter().map(|n| n.sid.as_str()).collect();
                let missing: Vec<&str> = imported
                    .iter()
                    .map(|n| n.phone_number_sid.as_str())
                    .filter(|sid| !on_trunk.contains(sid))
                    .collect();
                if missing.is_empty() {
                    Check::new(
                        NUMBERS_ON_TRUNK,
                        CheckStatus::Passed,
                        format!("all {} imported phone numbers are on the trunk", imported.len()),
                    )
                } else {
                    Check::new(
                        NUMBERS_ON_TRUNK,
                        CheckStatus::Warning,
                        format!("{} imported phone number(s) are no longer on the trunk", missing.len()),
                    )
                    .with_details(serde_json::json!({"missingPhoneNumberSids": missing}))
                }
            }
            Err(e) => unreachable(NUMBERS_ON_TRUNK, e),
        });
        Ok(VerifyOutcome::from_checks(checks))
    }

    /// Runs [`Self::twilio_provider_outcome`] and stores it (unless the row's credentials changed
    /// meanwhile). Used by the verify endpoint and the background verifier.
    pub async fn verify_twilio_record(&self, record: &ConfigurationRecord) -> Result<()> {
        let outcome = self.twilio_provider_outcome(record).await?;
        let verification = self.verification_from(outcome, Some(&record.state().verification));
        self.store
            .record_verification(record.id, record.version, &verification)
            .await?;
        Ok(())
    }

    pub async fn verify_twilio_provider(&self, org_id: i64, id: Uuid) -> Result<ConfigurationWithCount> {
        let current = self.get_twilio_provider(org_id, id).await?;
        self.verify_twilio_record(&current.record).await?;
        self.get_twilio_provider(org_id, id).await
    }

    fn provisioned_trunk(record: &ConfigurationRecord) -> Result<&str> {
        record.trunk_sid.as_deref().ok_or_else(|| {
            Error::BadRequest(
                "This provider has no SIP trunk (it was created through the v2 API); create it \
                 through POST /api/v1/providers/twilio to manage phone numbers."
                    .into(),
            )
        })
    }

    pub async fn available_twilio_numbers(&self, org_id: i64, id: Uuid) -> Result<Vec<AvailableNumber>> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        let numbers = self
            .carriers
            .twilio()
            .list_incoming_phone_numbers(&self.twilio_auth(&record)?)
            .await
            .map_err(|e| twilio_error("listing the account's phone numbers", e))?;
        let imported: BTreeMap<String, Uuid> = self
            .store
            .list_phone_numbers(record.id)
            .await?
            .into_iter()
            .map(|n| (n.phone_number_sid, n.id))
            .collect();
        Ok(numbers
            .into_iter()
            .map(|number| AvailableNumber {
                imported_id: imported.get(&number.sid).copied(),
                number,
            })
            .collect())
    }

    /// Imports each number: looked up in the account, recorded, then attached to the trunk
    /// (the record is removed again if attaching fails). Recording first means a crash leaves a
    /// number the verify check reports as missing from the trunk, never an unknown attachment.
    pub async fn import_twilio_numbers(&self, org_id: i64, id: Uuid, sids: &[String]) -> Result<ImportOutcome> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        let trunk_sid = Self::provisioned_trunk(&record)?;
        let auth = self.twilio_auth(&record)?;
        let twilio = self.carriers.twilio();
        let already: BTreeSet<String> = self
            .store
            .list_phone_numbers(record.id)
            .await?
            .into_iter()
            .map(|n| n.phone_number_sid)
            .collect();
        let mut out = ImportOutcome::default();
        let mut seen = BTreeSet::new();
        for sid in sids {
            let mut fail = |message: &str| out.failed.push((sid.clone(), message.to_owned()));
            if !seen.insert(sid.as_str()) {
                continue;
            }
            if !is_sid(sid, "PN") {
                fail("Invalid phone number SID: PN followed by 32 hex digits expected.");
                continue;
            }
            if already.contains(sid) {
                fail("The phone number is already imported to this provider.");
                continue;
            }
            let number = match twilio.fetch_incoming_phone_number(&auth, sid).await {
                Ok(n) => n,
                Err(CarrierError::NotFound) => {
                    fail("The phone number was not found in this Twilio account.");
                    continue;
                }
                Err(e) => {
                    fail(&twilio_error("looking up the phone number", e).to_string());
                    continue;
                }
            };
            // Recorded only as a well-formed E.164 number: what Twilio sends is checked, not trusted.
            let Some(phone_number) = number.phone_number.as_deref().and_then(|n| E164::parse(n).ok()) else {
                fail("Twilio reported no valid E.164 phone number for this SID.");
                continue;
            };
            let row = PhoneNumberRecord {
                id: Uuid::new_v4(),
                configuration_id: record.id,
                org_id,
                phone_number_sid: sid.clone(),
                phone_number: phone_number.to_string(),
                created_at: now(),
            };
            let audit = crate::service::audit(
                Some(org_id),
                "phone_number.imported",
                "phone_number",
                Some(row.id.to_string()),
                vec!["phone_number_sid".to_owned()],
            );
            match self.store.insert_phone_number(&row, &audit).await {
                Ok(()) => {}
                Err(StorageError::Duplicate(_)) => {
                    fail("The phone number is already imported to this provider.");
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            match twilio.attach_phone_number(&auth, trunk_sid, sid).await {
                Ok(_) => out.imported.push(row),
                Err(e) => {
                    let undo = crate::service::audit(
                        Some(org_id),
                        "phone_number.removed",
                        "phone_number",
                        Some(row.id.to_string()),
                        vec![],
                    );
                    self.store.delete_phone_number(record.id, row.id, &undo).await?;
                    let message = match e {
                        CarrierError::BadRequest { message, .. } => format!("Twilio refused to attach it: {message}"),
                        e => twilio_error("attaching the phone number to the trunk", e).to_string(),
                    };
                    fail(&message);
                }
            }
        }
        Ok(out)
    }

    /// Detaches the number from the trunk (already detached is fine) and forgets it.
    pub async fn delete_twilio_number(&self, org_id: i64, id: Uuid, number_id: Uuid) -> Result<()> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        let number = self
            .store
            .get_phone_number(record.id, number_id)
            .await?
            .ok_or(Error::NotFound(PHONE_NUMBER_NOT_FOUND))?;
        if let Some(trunk) = &record.trunk_sid {
            let detached = self
                .carriers
                .twilio()
                .detach_phone_number(&self.twilio_auth(&record)?, trunk, &number.phone_number_sid)
                .await;
            gone_is_done(detached).map_err(|e| twilio_error("detaching the phone number", e))?;
        }
        let audit = crate::service::audit(
            Some(org_id),
            "phone_number.removed",
            "phone_number",
            Some(number_id.to_string()),
            vec![],
        );
        self.store.delete_phone_number(record.id, number_id, &audit).await?;
        Ok(())
    }

    /// Removes the numbers from the trunk, the credential list and the trunk from Twilio, then
    /// the row. Every step tolerates "already gone", so a failed delete can simply be retried.
    pub async fn delete_twilio_provider(&self, org_id: i64, id: Uuid) -> Result<()> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        if let Some(trunk) = &record.trunk_sid {
            let auth = self.twilio_auth(&record)?;
            let twilio = self.carriers.twilio();
            for number in self.store.list_phone_numbers(record.id).await? {
                gone_is_done(twilio.detach_phone_number(&auth, trunk, &number.phone_number_sid).await)
                    .map_err(|e| twilio_error("detaching a phone number", e))?;
                let audit = crate::service::audit(
                    Some(org_id),
                    "phone_number.removed",
                    "phone_number",
                    Some(number.id.to_string()),
                    vec![],
                );
                self.store.delete_phone_number(record.id, number.id, &audit).await?;
            }
            if let Some(list) = record.settings.0.get(CREDENTIAL_LIST_SID) {
                gone_is_done(twilio.detach_credential_list(&auth, trunk, list).await)
                    .map_err(|e| twilio_error("detaching the credential list", e))?;
                gone_is_done(twilio.delete_credential_list(&auth, list).await)
                    .map_err(|e| twilio_error("deleting the credential list", e))?;
            }
            gone_is_done(twilio.delete_trunk(&auth, trunk).await)
                .map_err(|e| twilio_error("deleting the SIP trunk", e))?;
        }
        let audit = crate::service::audit(
            Some(org_id),
            "provider.deleted",
            "twilio_provider",
            Some(id.to_string()),
            vec![],
        );
        match self.store.delete_configuration(org_id, record.id, None, &audit).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(PROVIDER_NOT_FOUND)),
            other => Ok(other?),
        }
    }
}

/// Check names of the v1 verification beyond the shared ones.
pub const TRUNK_EXISTS: &str = "trunk_exists";
pub const CREDENTIAL_LIST_ATTACHED: &str = "credential_list_attached";
pub const NUMBERS_ON_TRUNK: &str = "phone_numbers_on_trunk";

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

    #[test]
    fn stages_are_ordered() {
        assert!(stage_index("attach") > stage_index("trunk"));
        assert!(stage_index("started") < stage_index("trunk"));
        assert_eq!(trunk_friendly_name(Some(&"x".repeat(80)), Uuid::nil()).len(), 64);
    }
}
