//! Phone numbers of a v1 Twilio provider: the account's numbers, importing them onto the
//! provisioned trunk, removing them.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::carriers::CarrierError;
use crate::carriers::twilio::{IncomingPhoneNumber, TwilioAuth, is_sid};
use crate::domain::phone::E164;
use crate::error::{Error, Result};
use crate::service::twilio::twilio_error;
use crate::service::{AuditAction, Budget, NOT_ATTEMPTED, Patchbay, STILL_RUNNING, now};
use crate::storage::{ConfigurationRecord, NewPhoneNumber, PhoneNumberRecord, StorageError};

pub const PHONE_NUMBER_NOT_FOUND: &str = "Phone number not found.";

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

fn provisioned_trunk(record: &ConfigurationRecord) -> Result<&str> {
    record.trunk_sid.as_deref().ok_or_else(|| {
        Error::BadRequest(
            "This provider has no SIP trunk (it was created through the v2 API); create it \
             through POST /api/v1/providers/twilio to manage phone numbers."
                .into(),
        )
    })
}

impl Patchbay {
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
            .filter_map(|n| Some((n.carrier_sid?, n.uuid)))
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
    /// Each number runs whole; once the request deadline is near, the numbers not started yet
    /// are reported as [`NOT_ATTEMPTED`] (see [`Budget`]).
    pub async fn import_twilio_numbers(&self, org_id: i64, id: Uuid, sids: &[String]) -> Result<ImportOutcome> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        let trunk_sid = provisioned_trunk(&record)?;
        let auth = self.twilio_auth(&record)?;
        let already: BTreeSet<String> = self
            .store
            .list_phone_numbers(record.id)
            .await?
            .into_iter()
            .filter_map(|n| n.carrier_sid)
            .collect();
        let mut out = ImportOutcome::default();
        let mut seen = BTreeSet::new();
        let mut budget = Budget::default();
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
            if !budget.may_start() {
                fail(NOT_ATTEMPTED);
                continue;
            }
            let unit = self.clone().import_one_twilio_number(
                org_id,
                record.id,
                trunk_sid.to_owned(),
                auth.clone(),
                sid.clone(),
            );
            match budget.run(unit).await? {
                Some(Ok(row)) => out.imported.push(row),
                Some(Err(message)) => fail(&message),
                None => fail(STILL_RUNNING),
            }
        }
        Ok(out)
    }

    /// One number's import, run whole (never cancelled half-way): looked up in the account,
    /// recorded, then attached to the trunk (the record is removed again if attaching fails).
    /// `Ok(Err(message))` is this number's failure.
    async fn import_one_twilio_number(
        self,
        org_id: i64,
        configuration_id: i64,
        trunk_sid: String,
        auth: TwilioAuth,
        sid: String,
    ) -> Result<std::result::Result<PhoneNumberRecord, String>> {
        if let Some(reason) = self.number_quota_refusal(org_id).await? {
            return Ok(Err(reason));
        }
        let twilio = self.carriers.twilio();
        let number = match twilio.fetch_incoming_phone_number(&auth, &sid).await {
            Ok(n) => n,
            Err(CarrierError::NotFound) => {
                return Ok(Err("The phone number was not found in this Twilio account.".into()));
            }
            Err(e) => return Ok(Err(twilio_error("looking up the phone number", e).to_string())),
        };
        // Recorded only as a well-formed E.164 number: what Twilio sends is checked, not trusted.
        let Some(phone_number) = number.phone_number.as_deref().and_then(|n| E164::parse(n).ok()) else {
            return Ok(Err("Twilio reported no valid E.164 phone number for this SID.".into()));
        };
        let new = NewPhoneNumber {
            uuid: Uuid::new_v4(),
            org_id,
            configuration_id,
            phone_number,
            carrier_sid: Some(sid.clone()),
            created_at: now(),
            display_name: None,
            description: None,
        };
        let audit = AuditAction::PhoneNumberImported.event(
            Some(org_id),
            Some(new.uuid.to_string()),
            vec!["phone_number_sid".to_owned()],
        );
        let row = match self.store.insert_phone_number(&new, &audit).await {
            Ok(row) => row,
            Err(StorageError::Duplicate(_)) => {
                return Ok(Err(
                    "The phone number is already imported (to this or another provider).".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        match twilio.attach_phone_number(&auth, &trunk_sid, &sid).await {
            Ok(_) => Ok(Ok(row)),
            Err(e) => {
                let undo = AuditAction::PhoneNumberRemoved.event(Some(org_id), Some(row.uuid.to_string()), vec![]);
                self.store
                    .delete_phone_number(org_id, row.id, None, None, &undo)
                    .await?;
                Ok(Err(match e {
                    CarrierError::BadRequest { message, .. } => format!("Twilio refused to attach it: {message}"),
                    e => twilio_error("attaching the phone number to the trunk", e).to_string(),
                }))
            }
        }
    }

    /// Detaches the number from the trunk (already detached is fine) and forgets it; one on a
    /// bridge or linked to an agent only with `force` (see [`Patchbay::remove_linked_number`]).
    pub async fn delete_twilio_number(&self, org_id: i64, id: Uuid, number_id: Uuid, force: bool) -> Result<()> {
        let record = self.get_twilio_provider(org_id, id).await?.record;
        let number = self
            .store
            .get_phone_number(record.id, number_id)
            .await?
            .ok_or(Error::NotFound(PHONE_NUMBER_NOT_FOUND))?;
        self.remove_linked_number(org_id, number.id, None, force)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(PHONE_NUMBER_NOT_FOUND),
                other => other,
            })
    }
}
