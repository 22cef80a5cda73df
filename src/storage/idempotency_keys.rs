//! Idempotency keys: the first answer to a request carrying an `Idempotency-Key`, to replay.

use chrono::{DateTime, Utc};

use super::{Result, Store, on_backend};

/// What an `Idempotency-Key` lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: the caller runs the request and then completes or releases the key.
    New,
    /// The first request's answer, to send again.
    Replay {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The first request is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

/// A stored key: `(request_hash, status, content_type, body, created_at)`.
type StoredKey = (String, Option<i32>, Option<String>, Option<Vec<u8>>, DateTime<Utc>);

impl Store {
    /// Forgets idempotency records created before `before`.
    pub async fn purge_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(before)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// How many idempotency keys the organization holds, and whether `key` is one of them.
    pub async fn idempotency_keys_held(&self, org_id: i64, key: &str) -> Result<(i64, bool)> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN key = $2 THEN 1 ELSE 0 END), 0) > 0 \
                 FROM idempotency_keys WHERE org_id = $1",
            )
            .bind(org_id)
            .bind(key)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Claims an idempotency key for a request; see [`IdempotencyClaim`]. `request_hashes`: the
    /// request's fingerprint under each loaded key, the one to store first; a stored one that
    /// is any of them is the same request.
    pub async fn claim_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        request_hashes: &[String],
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        on_backend!(self, write, |pool| {
            // Two rounds at most: a stale or expired record found in the first is removed, then
            // the insert is tried again.
            for _ in 0..2 {
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (org_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (org_id, key) DO NOTHING",
                )
                .bind(org_id)
                .bind(key)
                .bind(request_hashes.first().map(String::as_str).unwrap_or_default())
                .bind(now)
                .execute(pool)
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(IdempotencyClaim::New);
                }
                let found: Option<StoredKey> = sqlx::query_as(
                    "SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys \
                     WHERE org_id = $1 AND key = $2",
                )
                .bind(org_id)
                .bind(key)
                .fetch_optional(pool)
                .await?;
                let Some((hash, status, content_type, body, created_at)) = found else {
                    continue;
                };
                if status.is_none() && created_at < stale_before {
                    // The first request died without an answer: let this one run.
                    sqlx::query("DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND created_at = $3")
                        .bind(org_id)
                        .bind(key)
                        .bind(created_at)
                        .execute(pool)
                        .await?;
                    continue;
                }
                if !request_hashes.contains(&hash) {
                    return Ok(IdempotencyClaim::Mismatch);
                }
                return Ok(match status {
                    Some(status) => IdempotencyClaim::Replay {
                        status: u16::try_from(status).unwrap_or(500),
                        content_type,
                        body: body.unwrap_or_default(),
                    },
                    None => IdempotencyClaim::InProgress,
                });
            }
            Ok(IdempotencyClaim::InProgress)
        })
    }

    /// Stores the answer to a claimed key.
    pub async fn complete_idempotency_key(
        &self,
        org_id: i64,
        key: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            sqlx::query(
                "UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE org_id = $4 AND key = $5",
            )
            .bind(i32::from(status))
            .bind(content_type)
            .bind(body)
            .bind(org_id)
            .bind(key)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Gives a claimed key up (the request failed in a way a retry may fix).
    pub async fn release_idempotency_key(&self, org_id: i64, key: &str) -> Result<()> {
        on_backend!(self, write, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND status IS NULL")
                .bind(org_id)
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
