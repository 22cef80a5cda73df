//! Idempotency keys: the store side of the `Idempotency-Key` header (http holds the protocol).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::service::Patchbay;
use crate::storage::IdempotencyClaim;

/// Answers are kept this long for replay, then forgotten (the background worker purges them).
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

impl Patchbay {
    pub async fn claim_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        Ok(self
            .store
            .claim_idempotency_key(org_id, key, request_hash, now, stale_before)
            .await?)
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

    /// Forgets answers older than [`RETENTION`]; returns how many.
    pub async fn purge_expired_idempotency_keys(&self) -> Result<u64> {
        Ok(self.store.purge_idempotency_keys(Utc::now() - RETENTION).await?)
    }
}
