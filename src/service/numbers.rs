//! Numbers of the organization (v2): list them, add one to a SIP configuration by hand, list a
//! carrier account's numbers and import them, delete one. The rows are the ones the v1 Twilio
//! family imports too ([`super::phone_numbers`]).

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::carriers::{CarrierError, CarrierNumber};
use crate::domain::catalogue::Provider;
use crate::domain::phone::E164;
use crate::error::{Error, Result};
use crate::service::twilio::gone_is_done;
use crate::service::{
    AuditAction, Budget, CONFIG_NOT_FOUND, NOT_ATTEMPTED, Patchbay, STILL_RUNNING, check_if_match, names, now,
};
use crate::storage::{
    ConfigurationKey, ConfigurationRecord, Duplicate, NewPhoneNumber, NumberListing, Organization, StorageError,
};

pub const NUMBER_NOT_FOUND: &str = "Number not found.";
pub const CREATE_FAILED: &str = "Number creation failed.";
pub const DELETE_FAILED: &str = "Number deletion failed.";

/// One number of a carrier account, and whether (as which id) it is stored for this
/// configuration.
#[derive(Debug)]
pub struct AvailableNumber {
    pub number: CarrierNumber,
    pub imported_id: Option<i64>,
}

/// What an import did, number by number.
#[derive(Debug, Default)]
pub struct Imported {
    pub imported: Vec<NumberListing>,
    /// `(number as sent, why not)`
    pub failed: Vec<(String, String)>,
}

/// The provider's display name, for messages.
fn carrier_name(provider: &str) -> &'static str {
    Provider::by_slug(provider).map_or("The carrier", |p| p.name)
}

/// Maps a carrier failure while `what` to the API error (carriers' messages carry no secrets).
fn carrier_error(record: &ConfigurationRecord, what: &str, err: CarrierError) -> Error {
    let carrier = carrier_name(&record.provider);
    match err {
        CarrierError::Unavailable { .. } | CarrierError::Protocol(_) => {
            Error::CarrierUnavailable(format!("{carrier} could not be reached while {what}; try again later."))
        }
        CarrierError::Rejected { status } => Error::BadRequest(format!(
            "{carrier} refused the stored credentials while {what} (HTTP {status}); update them with PATCH \
             /api/v2/platform/telephony/providers-configurations/{}/.",
            record.id
        )),
        CarrierError::NotFound => Error::BadRequest(format!("{carrier} has no such account ({what}).")),
        CarrierError::BadRequest { message, .. } => {
            Error::BadRequest(format!("{carrier} refused the request while {what}: {message}"))
        }
    }
}

impl Patchbay {
    /// A 409 when the organization already holds its quota of numbers (a soft limit like the
    /// configurations' one: adds racing at the edge may pass it by a few).
    pub(crate) async fn check_number_quota(&self, org_id: i64) -> Result<()> {
        if self.store.count_org_numbers(org_id).await? >= self.max_numbers_per_org {
            return Err(Error::QuotaExceeded(format!(
                "This organization has reached its limit of {} numbers; delete one first.",
                self.max_numbers_per_org
            )));
        }
        Ok(())
    }

    /// [`Self::check_number_quota`] for one number of an import: `Ok(Some(reason))` when it is
    /// refused for the quota.
    pub(crate) async fn number_quota_refusal(&self, org_id: i64) -> Result<Option<String>> {
        match self.check_number_quota(org_id).await {
            Ok(()) => Ok(None),
            Err(Error::QuotaExceeded(reason)) => Ok(Some(reason)),
            Err(e) => Err(e),
        }
    }

    /// A page of the organization's numbers (`limit` from `offset`), and how many it has.
    pub async fn list_numbers(&self, org: &Organization, limit: i64, offset: i64) -> Result<(Vec<NumberListing>, i64)> {
        Ok(self.store.list_org_numbers(org.id, limit, offset).await?)
    }

    pub async fn get_number(&self, org: &Organization, id: i64) -> Result<NumberListing> {
        self.store
            .get_org_number(org.id, id)
            .await?
            .ok_or(Error::NotFound(NUMBER_NOT_FOUND))
    }

    /// Adds a number to a `sip` configuration: there is no carrier to ask, so the number is
    /// taken as given. Other providers' numbers come from their accounts (import-numbers).
    pub async fn add_number(&self, org: &Organization, provider_config_id: i64, number: E164) -> Result<NumberListing> {
        let configuration = self
            .store
            .get_configuration(org.id, ConfigurationKey::Id(provider_config_id))
            .await?
            .ok_or_else(|| Error::invalid(CREATE_FAILED, "provider_config_id", CONFIG_NOT_FOUND))?;
        if configuration.provider != "sip" {
            return Err(Error::invalid(
                CREATE_FAILED,
                "provider_config_id",
                format!(
                    "Numbers are added by hand only to sip configurations; import a {} number from its account with \
                     POST /api/v2/platform/telephony/providers-configurations/{provider_config_id}/import-numbers/.",
                    configuration.provider
                ),
            ));
        }
        let new = NewPhoneNumber {
            uuid: Uuid::new_v4(),
            org_id: org.id,
            configuration_id: configuration.id,
            phone_number: number,
            carrier_sid: None,
            created_at: now(),
            display_name: None,
            description: None,
        };
        let audit = AuditAction::PhoneNumberAdded
            .event(Some(org.id), Some(new.uuid.to_string()), names(&["number"]))
            .with_data(serde_json::json!({"number": new.phone_number.as_str(), "provider_config_id": configuration.id, "provider": configuration.provider}));
        self.check_number_quota(org.id).await?;
        match self.store.insert_phone_number(&new, &audit).await {
            Ok(row) => Ok(NumberListing {
                number: row,
                provider: configuration.provider,
                verification_status: configuration.verification_status,
                bridge_slug: None,
            }),
            Err(StorageError::Duplicate(Duplicate::PhoneNumber)) => Err(Error::refused(
                CREATE_FAILED,
                "number",
                "This number is stored already (numbers belong to one provider configuration).",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Releases a number. One on a bridge is refused (409 naming the bridge) unless `force`,
    /// which takes it off in the same transaction. A number on a v1 provider's SIP trunk is
    /// detached from the trunk at Twilio first.
    pub async fn delete_number(&self, org: &Organization, id: i64, if_match: Option<i64>, force: bool) -> Result<()> {
        let listing = self.get_number(org, id).await?;
        check_if_match(if_match, listing.number.version)?;
        self.remove_number(org.id, &listing, if_match, force).await
    }

    /// What both families' number deletes share: the bridge rule, the trunk, the row.
    pub(crate) async fn remove_number(
        &self,
        org_id: i64,
        listing: &NumberListing,
        if_match: Option<i64>,
        force: bool,
    ) -> Result<()> {
        let number = &listing.number;
        if let Some(slug) = &listing.bridge_slug
            && !force
        {
            return Err(Error::refused(
                DELETE_FAILED,
                "number",
                format!(
                    "{} is connected to bridge {slug}; disconnect it first or delete with ?force=true.",
                    number.phone_number
                ),
            ));
        }
        let configuration = self
            .store
            .get_configuration(org_id, ConfigurationKey::Id(number.configuration_id))
            .await?
            .ok_or(Error::NotFound(NUMBER_NOT_FOUND))?;
        if let (Some(trunk), Some(sid)) = (&configuration.trunk_sid, &number.carrier_sid) {
            let detached = self
                .carriers
                .twilio()
                .detach_phone_number(&self.twilio_auth(&configuration)?, trunk, sid)
                .await;
            gone_is_done(detached)
                .map_err(|e| carrier_error(&configuration, "detaching the number from its trunk", e))?;
        }
        let detach = AuditAction::BridgeNumberDisconnected.event(Some(org_id), None, names(&["numbers"]));
        let audit = AuditAction::PhoneNumberRemoved
            .event(Some(org_id), Some(number.uuid.to_string()), vec![])
            .with_data(serde_json::json!({"number": number.phone_number.as_str(), "provider_config_id": configuration.id, "provider": configuration.provider}));
        // Without If-Match, the version read: a connect that happened meanwhile is not undone
        // unseen (the client retries and sees the bridge).
        let expected = if force { if_match } else { Some(number.version) };
        match self
            .store
            .delete_phone_number(org_id, number.id, expected, Some(&detach), &audit)
            .await
        {
            Err(StorageError::NotFound) => Err(Error::NotFound(NUMBER_NOT_FOUND)),
            Err(StorageError::VersionMismatch) if if_match.is_none() => Err(Error::Conflict(
                "The number changed while it was being deleted; try again.",
            )),
            other => Ok(other?),
        }
    }

    async fn numbers_configuration(&self, org: &Organization, id: i64) -> Result<ConfigurationRecord> {
        let record = self
            .store
            .get_configuration(org.id, ConfigurationKey::Id(id))
            .await?
            .ok_or(Error::NotFound(CONFIG_NOT_FOUND))?;
        if record.provider == "sip" {
            return Err(Error::BadRequest(
                "A sip configuration has no carrier account to list numbers from; add its numbers with POST \
                 /api/v2/platform/telephony/numbers/."
                    .into(),
            ));
        }
        Ok(record)
    }

    async fn account_numbers(&self, record: &ConfigurationRecord) -> Result<Vec<CarrierNumber>> {
        let creds = self.credentials_of(record)?;
        self.carriers
            .list_numbers(&creds)
            .await
            .map_err(|e| carrier_error(record, "listing the account's numbers", e))
    }

    /// The numbers in the configuration's carrier account, each with its id here if imported.
    pub async fn available_numbers(&self, org: &Organization, id: i64) -> Result<Vec<AvailableNumber>> {
        let record = self.numbers_configuration(org, id).await?;
        let numbers = self.account_numbers(&record).await?;
        let imported: BTreeMap<String, i64> = self
            .store
            .list_phone_numbers(record.id)
            .await?
            .into_iter()
            .map(|n| (n.phone_number.to_string(), n.id))
            .collect();
        Ok(numbers
            .into_iter()
            .map(|number| AvailableNumber {
                imported_id: imported.get(&number.phone_number).copied(),
                number,
            })
            .collect())
    }

    /// Imports numbers of the configuration's carrier account, each checked against the
    /// account; each failure is reported with its number. Onto a v1 provider's SIP trunk, the
    /// v1 import runs (the numbers are attached to the trunk too). Each number is written whole;
    /// once the request deadline is near, the rest are reported as [`NOT_ATTEMPTED`].
    pub async fn import_numbers(&self, org: &Organization, id: i64, wanted: &[String]) -> Result<Imported> {
        let record = self.numbers_configuration(org, id).await?;
        let carrier = carrier_name(&record.provider);
        let in_account: BTreeMap<String, CarrierNumber> = self
            .account_numbers(&record)
            .await?
            .into_iter()
            .map(|n| (n.phone_number.clone(), n))
            .collect();
        let mut out = Imported::default();
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for raw in wanted {
            if !seen.insert(raw.as_str()) {
                continue;
            }
            let mut fail = |message: String| out.failed.push((raw.clone(), message));
            let number = match E164::parse(raw) {
                Ok(n) => n,
                Err(e) => {
                    fail(format!("Not an E.164 number: {e}."));
                    continue;
                }
            };
            match in_account.get(number.as_str()) {
                Some(n) => found.push((raw.clone(), number, n.sid.clone())),
                None => fail(format!("The number was not found in this {carrier} account.")),
            }
        }
        if record.trunk_sid.is_some() {
            return self.import_onto_trunk(org, &record, found, out).await;
        }
        let mut budget = Budget::default();
        for (raw, number, sid) in found {
            if !budget.may_start() {
                out.failed.push((raw, NOT_ATTEMPTED.into()));
                continue;
            }
            if let Some(reason) = self.number_quota_refusal(org.id).await? {
                out.failed.push((raw, reason));
                continue;
            }
            let new = NewPhoneNumber {
                uuid: Uuid::new_v4(),
                org_id: org.id,
                configuration_id: record.id,
                phone_number: number,
                carrier_sid: sid,
                created_at: now(),
                display_name: None,
                description: None,
            };
            let audit = AuditAction::PhoneNumberImported
                .event(Some(org.id), Some(new.uuid.to_string()), names(&["number"]))
                .with_data(serde_json::json!({"number": new.phone_number.as_str(), "provider_config_id": record.id, "provider": record.provider}));
            let store = self.store.clone();
            let inserted = budget
                .run(async move { Ok(store.insert_phone_number(&new, &audit).await) })
                .await?;
            match inserted {
                None => out.failed.push((raw, STILL_RUNNING.into())),
                Some(Ok(row)) => out.imported.push(NumberListing {
                    number: row,
                    provider: record.provider.clone(),
                    verification_status: record.verification_status,
                    bridge_slug: None,
                }),
                Some(Err(StorageError::Duplicate(_))) => out.failed.push((
                    raw,
                    "The number is imported already (to this or another provider configuration).".into(),
                )),
                Some(Err(e)) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// The v1 import (record, then attach to the trunk) for numbers found in the account.
    async fn import_onto_trunk(
        &self,
        org: &Organization,
        record: &ConfigurationRecord,
        found: Vec<(String, E164, Option<String>)>,
        mut out: Imported,
    ) -> Result<Imported> {
        let by_sid: BTreeMap<String, String> = found
            .iter()
            .filter_map(|(raw, _, sid)| sid.clone().map(|s| (s, raw.clone())))
            .collect();
        let sids: Vec<String> = by_sid.keys().cloned().collect();
        let outcome = self.import_twilio_numbers(org.id, record.uuid, &sids).await?;
        for row in outcome.imported {
            out.imported.push(NumberListing {
                number: row,
                provider: record.provider.clone(),
                verification_status: record.verification_status,
                bridge_slug: None,
            });
        }
        for (sid, message) in outcome.failed {
            let raw = by_sid.get(&sid).cloned().unwrap_or(sid);
            out.failed.push((raw, message));
        }
        Ok(out)
    }
}
