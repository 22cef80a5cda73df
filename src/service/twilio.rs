//! v1 Twilio providers over the shared configuration model: read, change, rotate the auth token,
//! delete (with the trunk). Creating one is the provisioning saga ([`super::provisioning`]);
//! numbers are in [`super::phone_numbers`]; verification is the shared policy
//! ([`super::verification`]).

use secrecy::SecretString;
use uuid::Uuid;

use crate::carriers::twilio::{TransferMode, TrunkUpdate};
use crate::carriers::{CarrierError, CheckStatus, Credentials, TwilioAuth, VerifyOutcome};
use crate::domain::twilio::Region;
use crate::error::{Error, Result};
use crate::service::{AuditAction, Patchbay, VersionRetries, check_if_match, now, version_race};
use crate::storage::{ConfigurationKey, ConfigurationRecord, ConfigurationWithCount, StorageError, VerificationRecord};

pub use crate::domain::twilio::{DEFAULT_REGION, REGIONS};

pub const PROVIDER: &str = "twilio";
pub const PROVIDER_NOT_FOUND: &str = "Provider not found.";

/// Settings key of the SIP username (not secret) and the credential list's sid.
pub const SIP_USERNAME: &str = "sip_username";
pub const CREDENTIAL_LIST_SID: &str = "credential_list_sid";
/// Key of the SIP password in the sealed secret bundle (beside `auth_token`).
pub const SIP_PASSWORD: &str = "sip_password";

const CONCURRENT_CHANGE: &str = "The provider is being changed concurrently; try again.";

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

/// The region as stored: parsed at the service boundary (records still hold strings).
pub(crate) fn stored_region(region: &str) -> Result<String> {
    let region: Region = region.parse().map_err(|e: String| Error::field("region", e))?;
    Ok(region.as_str().to_owned())
}

pub(crate) fn transfer_mode(supports_call_transfer: bool) -> TransferMode {
    if supports_call_transfer {
        TransferMode::EnableAll
    } else {
        TransferMode::DisableAll
    }
}

pub(crate) fn trunk_friendly_name(name: Option<&str>, id: Uuid) -> String {
    match name {
        Some(n) => n.chars().take(FRIENDLY_NAME_MAX).collect(),
        None => format!("patchbay-{id}"),
    }
}

/// Maps a Twilio failure during `what` to the API error. Twilio's own messages carry no
/// secrets, so a 4xx's message is passed on.
pub(crate) fn twilio_error(what: &str, err: CarrierError) -> Error {
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
pub(crate) fn gone_is_done(result: Result<(), CarrierError>) -> Result<(), CarrierError> {
    match result {
        Err(CarrierError::NotFound) => Ok(()),
        other => other,
    }
}

impl Patchbay {
    pub(crate) fn twilio_auth(&self, record: &ConfigurationRecord) -> Result<TwilioAuth> {
        Self::auth_from(&self.credentials_of(record)?)
    }

    pub(crate) fn auth_from(creds: &Credentials) -> Result<TwilioAuth> {
        TwilioAuth::from_credentials(creds)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored Twilio configuration has no auth token")))
    }

    /// Checks credentials about to be stored: Twilio must accept them and the account must be
    /// usable (rejected → 400 naming `authToken`, closed → 400, unreachable → 503; nothing is
    /// written in any of these cases).
    pub(crate) async fn check_new_credentials(&self, creds: &Credentials) -> Result<VerificationRecord> {
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

    pub(crate) async fn with_count(&self, record: ConfigurationRecord) -> Result<ConfigurationWithCount> {
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

    /// Applies a v1 PUT: the trunk first (FriendlyName, TransferMode), then the row.
    pub async fn update_twilio_provider(
        &self,
        org_id: i64,
        id: Uuid,
        update: TwilioProviderUpdate,
        if_match: Option<i64>,
    ) -> Result<ConfigurationWithCount> {
        let region = update.region.as_deref().map(stored_region).transpose()?;
        let mut retries = VersionRetries::new(CONCURRENT_CHANGE);
        loop {
            retries.attempt()?;
            let current = self.get_twilio_provider(org_id, id).await?.record;
            // Checked before Twilio is touched: a stale client changes nothing anywhere.
            check_if_match(if_match, current.version)?;
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
            if let Some(region) = &region {
                state.region = Some(region.clone());
            }
            if let Some(s) = update.supports_call_transfer {
                state.supports_call_transfer = s;
            }
            let mut fields = Vec::new();
            fields.extend(update.name.as_ref().map(|_| "name".to_owned()));
            fields.extend(region.as_ref().map(|_| "region".to_owned()));
            fields.extend(
                update
                    .supports_call_transfer
                    .map(|_| "supports_call_transfer".to_owned()),
            );
            let audit = AuditAction::ProviderUpdated
                .event(Some(org_id), Some(id.to_string()), fields)
                .with_data(crate::service::provisioning::provider_data(&state));
            let written = self
                .store
                .update_configuration(org_id, current.id, current.version, &state, now(), &audit)
                .await;
            // Someone else wrote meanwhile: apply again on the fresh row, even with If-Match
            // (the next round's check answers 412 then, after re-reading the row).
            if let Some(record) = version_race(written, None, PROVIDER_NOT_FOUND)? {
                return self.with_count(record).await;
            }
        }
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
        let first = self.get_twilio_provider(org_id, id).await?.record;
        check_if_match(if_match, first.version)?;
        let mut creds = self.credentials_of(&first)?;
        creds.auth_token = Some(auth_token.clone());
        let verification = self.check_new_credentials(&creds).await?;
        // The first attempt writes over the row the credentials were checked against.
        let mut first = Some(first);
        let mut retries = VersionRetries::new(CONCURRENT_CHANGE);
        loop {
            retries.attempt()?;
            let current = match first.take() {
                Some(record) => record,
                None => self.get_twilio_provider(org_id, id).await?.record,
            };
            let mut secrets = self.open_secrets(&current)?;
            secrets.set("auth_token", auth_token.clone());
            let mut state = current.state();
            state.sealed = self.seal(current.uuid, current.org_id, &secrets);
            state.verification = verification.clone();
            let audit = AuditAction::ProviderAuthTokenRotated
                .event(Some(org_id), Some(id.to_string()), vec!["auth_token".to_owned()])
                .with_data(crate::service::provisioning::provider_data(&state));
            let written = self
                .store
                .update_configuration(org_id, current.id, current.version, &state, now(), &audit)
                .await;
            if let Some(record) = version_race(written, if_match, PROVIDER_NOT_FOUND)? {
                return self.with_count(record).await;
            }
        }
    }

    /// Removes the numbers from the trunk, the credential list and the trunk from Twilio, then
    /// the row. Every step tolerates "already gone", so a failed delete can simply be retried.
    /// Numbers on bridges refuse it (409) unless `force`, which takes them off first.
    /// `force` also covers credentials Twilio no longer accepts or a closed account: when Twilio
    /// cannot be cleaned up, the row and its secrets are deleted anyway, and the audit event
    /// (`provider.force_deleted`) lists what was left in the Twilio account.
    pub async fn delete_twilio_provider(&self, org_id: i64, id: Uuid, force: bool) -> Result<()> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        self.release_configuration_numbers(org_id, record.id, force).await?;
        let mut left_at_twilio = Vec::new();
        if let Some(trunk) = &record.trunk_sid {
            match self.tear_down_trunk(org_id, &record, trunk).await {
                Ok(()) => {}
                Err((error, left)) if force => {
                    tracing::warn!(provider = %id, error = %error, left = left.len(), "forced delete: Twilio not cleaned up");
                    left_at_twilio = left;
                }
                Err((error, _)) => return Err(error),
            }
        }
        let audit = if left_at_twilio.is_empty() {
            AuditAction::ProviderDeleted.event(Some(org_id), Some(id.to_string()), vec![])
        } else {
            AuditAction::ProviderForceDeleted.event(Some(org_id), Some(id.to_string()), left_at_twilio)
        };
        match self.store.delete_configuration(org_id, record.id, None, &audit).await {
            Err(StorageError::NotFound) => Err(Error::NotFound(PROVIDER_NOT_FOUND)),
            other => Ok(other?),
        }
    }

    /// The Twilio side of a delete. On failure: the error, and what is still in the Twilio
    /// account (`twilio_phone_number:PN…` still on the trunk, `twilio_credential_list:CL…`,
    /// `twilio_trunk:TK…`).
    async fn tear_down_trunk(
        &self,
        org_id: i64,
        record: &ConfigurationRecord,
        trunk: &str,
    ) -> std::result::Result<(), (Error, Vec<String>)> {
        let list = record.settings.0.get(CREDENTIAL_LIST_SID);
        let left = |numbers: &[String], list_left: bool| -> Vec<String> {
            let mut left: Vec<String> = numbers.iter().map(|sid| format!("twilio_phone_number:{sid}")).collect();
            left.extend(
                list.filter(|_| list_left)
                    .map(|l| format!("twilio_credential_list:{l}")),
            );
            left.push(format!("twilio_trunk:{trunk}"));
            left
        };
        let numbers = self
            .store
            .list_phone_numbers(record.id)
            .await
            .map_err(|e| (e.into(), left(&[], true)))?;
        let mut attached: Vec<String> = numbers.iter().filter_map(|n| n.carrier_sid.clone()).collect();
        let auth = self.twilio_auth(record).map_err(|e| (e, left(&attached, true)))?;
        let twilio = self.carriers.twilio();
        for number in numbers {
            if let Some(sid) = &number.carrier_sid {
                gone_is_done(twilio.detach_phone_number(&auth, trunk, sid).await)
                    .map_err(|e| (twilio_error("detaching a phone number", e), left(&attached, true)))?;
                attached.retain(|s| s != sid);
            }
            let audit = AuditAction::PhoneNumberRemoved.event(Some(org_id), Some(number.uuid.to_string()), vec![]);
            match self
                .store
                .delete_phone_number(org_id, number.id, None, None, &audit)
                .await
            {
                Ok(()) | Err(StorageError::NotFound) => {}
                Err(e) => return Err((e.into(), left(&attached, true))),
            }
        }
        if let Some(list) = list {
            gone_is_done(twilio.detach_credential_list(&auth, trunk, list).await)
                .map_err(|e| (twilio_error("detaching the credential list", e), left(&[], true)))?;
            gone_is_done(twilio.delete_credential_list(&auth, list).await)
                .map_err(|e| (twilio_error("deleting the credential list", e), left(&[], true)))?;
        }
        gone_is_done(twilio.delete_trunk(&auth, trunk).await)
            .map_err(|e| (twilio_error("deleting the SIP trunk", e), left(&[], false)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_names_fit_twilio() {
        assert_eq!(trunk_friendly_name(Some(&"x".repeat(80)), Uuid::nil()).len(), 64);
    }
}
