//! Idempotency keys: the store side of the `Idempotency-Key` header (http holds the protocol).

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::service::Patchbay;
use crate::storage::IdempotencyClaim;

/// Answers are kept this long for replay, then forgotten (the background worker purges them).
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

impl Patchbay {
    pub async fn claim_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        request_hashes: &[String],
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        // A key already held is answered as always (replay, in progress, mismatch); a new one
        // only while the organization is under its quota.
        let (held, known) = self.store.idempotency_keys_held(org_id, key).await?;
        if !known && held >= self.max_idempotency_keys_per_org {
            return Err(Error::QuotaExceeded(format!(
                "This organization holds its limit of {} idempotency keys (each is kept 24 hours); \
                 retry later, or send the request without Idempotency-Key.",
                self.max_idempotency_keys_per_org
            )));
        }
        Ok(self
            .store
            .claim_idempotency_key(org_id, key, request_hashes, now, stale_before)
            .await?)
    }

    /// The request's keyed fingerprints (see [`crate::crypto::Keyring::fingerprints`]): bound
    /// to the organization, and useless for guessing the secrets in the body without a master key.
    pub fn request_fingerprints(&self, org_id: i64, request_line: &str, body: &[u8]) -> Vec<String> {
        let org = org_id.to_string();
        self.keyring.fingerprints(&[
            b"patchbay idempotency v2\0",
            org.as_bytes(),
            b"\0",
            request_line.as_bytes(),
            b"\n",
            body,
        ])
    }

    pub async fn complete_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<()> {
        Ok(self
            .store
            .complete_idempotency_key(org_id, key, status, content_type, body)
            .await?)
    }

    pub async fn release_idempotency_key(&self, org_id: i64, key: &str) -> Result<()> {
        Ok(self.store.release_idempotency_key(org_id, key).await?)
    }

    /// Forgets audit events older than the audit retention; returns how many.
    pub async fn purge_expired_audit_events(&self) -> Result<u64> {
        let retention = chrono::TimeDelta::from_std(self.audit_retention).unwrap_or(chrono::TimeDelta::MAX);
        let before = Utc::now()
            .checked_sub_signed(retention)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        Ok(self.store.purge_audit_events(before).await?)
    }

    /// Forgets answers older than [`RETENTION`]; returns how many.
    pub async fn purge_expired_idempotency_keys(&self) -> Result<u64> {
        Ok(self.store.purge_idempotency_keys(Utc::now() - RETENTION).await?)
    }
}
