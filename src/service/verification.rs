//! The one verification policy. Given a stored row, [`Patchbay::verify_stored`] decides what it
//! is checked for: a configuration with a SIP trunk Patchbay provisioned in a Twilio account
//! gets the trunk checks (trunk, credential list, numbers) on top of the carrier's own; any
//! other gets the carrier's checks. The v2 and v1 verify endpoints and the background worker all
//! go through it, so a row is checked the same way whichever family (or the worker) asks.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use uuid::Uuid;

use crate::carriers::{CarrierError, Check, CheckStatus, VerifyOutcome};
use crate::domain::verification::VerificationStatus;
use crate::error::Result;
use crate::service::twilio::{CREDENTIAL_LIST_SID, PROVIDER};
use crate::service::{AuditAction, Patchbay, now};
use crate::storage::{ConfigurationKey, ConfigurationRecord, ConfigurationWithCount, Organization, VerificationRecord};

/// A carrier that cannot be reached is asked again this soon (unless it said when).
const UNREACHABLE_RETRY: Duration = Duration::from_secs(60);

/// The latest a carrier's `Retry-After` can push a row's next check.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Check names of the trunk verification beyond the shared ones.
pub const TRUNK_EXISTS: &str = "trunk_exists";
pub const CREDENTIAL_LIST_ATTACHED: &str = "credential_list_attached";
pub const NUMBERS_ON_TRUNK: &str = "phone_numbers_on_trunk";

impl Patchbay {
    /// What a write that skipped verification stores.
    pub(crate) fn unverified() -> VerificationRecord {
        // Due at once: the background worker picks it up on its next round.
        VerificationRecord {
            status: VerificationStatus::Pending,
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
                status,
                details: serde_json::to_value(checks).ok(),
                last_verified_at: Some(at),
                next_at: Some(self.next_check(at)),
            },
            VerifyOutcome::Unavailable { reason, retry_after } => {
                // A carrier's Retry-After (429, 503) is honoured as the earliest next attempt.
                // Capped, and added with a check: no carrier value can overflow the clock.
                let delay = retry_after
                    .unwrap_or(UNREACHABLE_RETRY)
                    .clamp(Duration::from_secs(1), MAX_RETRY_DELAY);
                let next_at = chrono::Duration::from_std(delay)
                    .ok()
                    .and_then(|d| at.checked_add_signed(d))
                    .or(Some(at + chrono::Duration::seconds(UNREACHABLE_RETRY.as_secs() as i64)));
                let details = serde_json::to_value([Check::new(
                    "carrier_reachable",
                    CheckStatus::Skipped,
                    format!("carrier not reachable ({reason}); will retry"),
                )])
                .ok();
                match previous {
                    // The last known result stands; and a pending one that says the same again
                    // (but for its time) is not news either.
                    Some(prev)
                        if prev.status != VerificationStatus::Pending
                            || same_but_when(prev.details.as_ref(), details.as_ref()) =>
                    {
                        VerificationRecord {
                            next_at,
                            ..prev.clone()
                        }
                    }
                    _ => VerificationRecord {
                        status: VerificationStatus::Pending,
                        details,
                        last_verified_at: None,
                        next_at,
                    },
                }
            }
        }
    }

    /// THE policy: checks a stored row with its carrier (and its provisioned trunk, if it has
    /// one) and records the result, unless its credentials changed meanwhile, in which case that
    /// newer write's result stands.
    pub async fn verify_stored(&self, record: &ConfigurationRecord) -> Result<()> {
        let outcome = match record.trunk_sid.as_deref() {
            Some(trunk_sid) if record.provider == PROVIDER => self.trunk_outcome(record, trunk_sid).await?,
            _ => self.carriers.verify(&self.credentials_of(record)?).await,
        };
        let verification = self.verification_from(outcome, Some(&record.state().verification));
        let audit = (verification.status != record.verification_status).then(|| status_change(record, &verification));
        // Unreachable again with nothing new to say: only the next attempt moves. A carrier's
        // outage then changes no ETag and empties no cache, however often its rows are retried.
        let unchanged = audit.is_none()
            && verification.details.as_ref() == record.verification_details.as_ref().map(|d| &d.0)
            && verification.last_verified_at == record.last_verified_at;
        if unchanged {
            self.store
                .reschedule_verification(record.id, record.version, verification.next_at)
                .await?;
            return Ok(());
        }
        self.store
            .record_verification(record.id, record.version, &verification, audit.as_ref())
            .await?;
        // This process's read caches see its own background writes at once (see `routing`).
        self.routing.caches.invalidate_org(Some(record.org_id));
        Ok(())
    }

    /// The v2 verify endpoint: check now, answer with the fresh state.
    pub async fn verify_configuration(&self, org: &Organization, key: ConfigurationKey) -> Result<ConfigurationRecord> {
        let record = self.get_configuration(org, key).await?;
        self.verify_stored(&record).await?;
        self.get_configuration(org, key).await
    }

    /// The v1 verify endpoint: check now, answer with the fresh state.
    pub async fn verify_twilio_provider(&self, org_id: i64, id: Uuid) -> Result<ConfigurationWithCount> {
        let current = self.get_twilio_provider(org_id, id).await?;
        self.verify_stored(&current.record).await?;
        self.get_twilio_provider(org_id, id).await
    }

    /// Leases up to `limit` rows due for their routine check until `lease_until` (so instances
    /// sharing a database split them).
    pub async fn claim_due_verifications(
        &self,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConfigurationRecord>> {
        Ok(self.store.claim_due_verifications(now(), lease_until, limit).await?)
    }

    /// A stopping worker's claimed rows that it did not check: due again now, so the next
    /// worker (another instance, or this one restarted) takes them without waiting out the
    /// lease. Rows a finished check rescheduled keep their new time.
    pub async fn release_verification_leases(&self, ids: &[i64], lease_until: DateTime<Utc>) -> Result<u64> {
        Ok(self.store.release_verification_leases(ids, lease_until, now()).await?)
    }

    /// Credentials and account, then the trunk, its credential list, and the imported numbers on it.
    async fn trunk_outcome(&self, record: &ConfigurationRecord, trunk_sid: &str) -> Result<VerifyOutcome> {
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
                    .filter_map(|n| n.carrier_sid.as_deref())
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
}

/// The audit event (and webhook event) of a verification that changed the status: old and new
/// status and the checks that did not pass (names, statuses and messages: never a secret).
fn status_change(record: &ConfigurationRecord, v: &crate::storage::VerificationRecord) -> crate::storage::AuditEvent {
    let failing: Vec<serde_json::Value> = v
        .details
        .as_ref()
        .and_then(|d| d.as_array())
        .map(|checks| {
            checks
                .iter()
                .filter(|c| matches!(c.get("status").and_then(|s| s.as_str()), Some("failed" | "warning")))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    AuditAction::VerificationStatusChanged
        .event(
            Some(record.org_id),
            Some(record.uuid.to_string()),
            crate::service::names(&["verification_status"]),
        )
        .with_data(serde_json::json!({
            "configuration_id": record.id,
            "provider": record.provider,
            "account_sid": record.account_sid,
            "old_status": record.verification_status.as_str(),
            "new_status": v.status.as_str(),
            "failing_checks": failing,
            "last_verified_at": v.last_verified_at,
        }))
}

/// Whether two lists of checks say the same, whatever their timestamps.
fn same_but_when(a: Option<&serde_json::Value>, b: Option<&serde_json::Value>) -> bool {
    fn without_times(v: &serde_json::Value) -> serde_json::Value {
        let mut v = v.clone();
        if let Some(checks) = v.as_array_mut() {
            for check in checks.iter_mut().filter_map(|c| c.as_object_mut()) {
                check.remove("timestamp");
            }
        }
        v
    }
    match (a, b) {
        (Some(a), Some(b)) => without_times(a) == without_times(b),
        _ => false,
    }
}
