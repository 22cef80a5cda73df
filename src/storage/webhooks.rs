//! Webhooks: endpoints with their sealed signing secrets, the outbox of events (written in the
//! transaction of the change they announce, see [`enqueue`]), deliveries leased to senders, and
//! every attempt's outcome.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, Executor, IntoArguments, Transaction, Type};
use uuid::Uuid;

use super::audit_events::{self, AuditEvent};
use super::{Pools, Result, StorageError, Store, on_backend};
use crate::crypto::Sealed;
use crate::domain::webhook::EventType;

const ENDPOINT_COLUMNS: &str = "id, uuid, org_id, url, description, event_types, enabled, disabled_reason, \
    secret_key_id, secret_ciphertext, previous_secret_expires_at, failing_since, version, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookEndpointRecord {
    pub id: i64,
    pub uuid: Uuid,
    pub org_id: i64,
    pub url: String,
    pub description: Option<String>,
    /// JSON array of the subscribed event types.
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret_key_id: String,
    pub secret_ciphertext: Vec<u8>,
    /// Until then the previous signing secret (sealed with the current one) still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookEndpointRecord {
    pub fn sealed(&self) -> Sealed {
        Sealed {
            key_id: self.secret_key_id.clone(),
            blob: self.secret_ciphertext.clone(),
        }
    }
}

/// What an endpoint write stores (create, or the whole changed state on update).
#[derive(Debug, Clone)]
pub struct WebhookEndpointState {
    pub url: String,
    pub description: Option<String>,
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub sealed: Sealed,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// A delivery leased to this sender for one attempt, with what it needs to send it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub delivery_id: i64,
    /// This attempt's number (1 = the first send); no other sender has it.
    pub attempt: i64,
    pub endpoint_id: i64,
    pub endpoint_uuid: Uuid,
    pub org_id: i64,
    pub url: String,
    pub secret_key_id: String,
    pub secret_ciphertext: Vec<u8>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The `webhook-id`.
    pub msg_id: String,
    pub payload: String,
    pub event_created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookDeliveryRecord {
    pub id: i64,
    pub msg_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookAttemptRecord {
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One attempt's outcome and what follows from it.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub delivery_id: i64,
    pub endpoint_id: i64,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
    pub next: NextStep,
}

#[derive(Debug, Clone)]
pub enum NextStep {
    Succeeded,
    RetryAt(DateTime<Utc>),
    /// The retry schedule is over: the delivery failed, and the endpoint is disabled with this
    /// reason and audit event (its outbox event tells the organization's other endpoints).
    GiveUp {
        reason: String,
        audit: Box<AuditEvent>,
    },
}

/// Writes the outbox rows of event `msg_id` inside the transaction `tx`: the event, and one
/// pending delivery per enabled endpoint of `org_id` subscribed to `event_type`. Nothing is
/// written when no endpoint wants it (both statements check it).
pub(super) async fn enqueue<DB>(
    tx: &mut Transaction<'_, DB>,
    org_id: i64,
    event_type: EventType,
    msg_id: String,
    payload: String,
    at: DateTime<Utc>,
) -> Result<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    const SUBSCRIBED: &str = "w.org_id = $1 AND w.enabled = TRUE AND w.event_types LIKE $2 ESCAPE '\\'";
    let pattern = event_type.subscription_pattern();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO webhook_events (uuid, org_id, event_type, payload, created_at) \
         SELECT $3, $1, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE {SUBSCRIBED})"
    )))
    .bind(org_id)
    .bind(pattern.clone())
    .bind(msg_id.clone())
    .bind(event_type.as_str().to_owned())
    .bind(payload)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    // Matches nothing when the event was not written (no endpoint wants it).
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO webhook_deliveries (event_id, endpoint_id, org_id, status, attempts, next_attempt_at, \
         created_at, updated_at) SELECT e.id, w.id, w.org_id, 'pending', 0, $4, $4, $4 \
         FROM webhook_events e JOIN webhook_endpoints w ON w.org_id = e.org_id WHERE e.uuid = $3 AND {SUBSCRIBED}"
    )))
    .bind(org_id)
    .bind(pattern)
    .bind(msg_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn insert_webhook_endpoint(
        &self,
        uuid: Uuid,
        org_id: i64,
        s: &WebhookEndpointState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<WebhookEndpointRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: WebhookEndpointRecord = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO webhook_endpoints (uuid, org_id, url, description, event_types, enabled, disabled_reason, \
                 secret_key_id, secret_ciphertext, previous_secret_expires_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {ENDPOINT_COLUMNS}"
            )))
            .bind(uuid)
            .bind(org_id)
            .bind(&s.url)
            .bind(&s.description)
            .bind(&s.event_types)
            .bind(s.enabled)
            .bind(&s.disabled_reason)
            .bind(&s.sealed.key_id)
            .bind(&s.sealed.blob)
            .bind(s.previous_secret_expires_at)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit_events::insert(&mut tx, audit, Some(org_id), row.id).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    /// A page of the organization's endpoints (oldest first) and their total.
    pub async fn list_webhook_endpoints(
        &self,
        org_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<WebhookEndpointRecord>, i64)> {
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 ORDER BY id LIMIT $2 OFFSET $3"
            )))
            .bind(org_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(pool)
                .await?;
            Ok((rows, total))
        })
    }

    pub async fn get_webhook_endpoint(&self, org_id: i64, id: i64) -> Result<WebhookEndpointRecord> {
        on_backend!(self, read, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 AND id = $2"
            )))
            .bind(org_id)
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(StorageError::NotFound)
        })
    }

    /// Endpoints of these organizations that are disabled or whose deliveries are failing.
    pub async fn failing_webhook_endpoints(&self, org_ids: &[i64]) -> Result<Vec<WebhookEndpointRecord>> {
        let mut out = Vec::new();
        for &org_id in org_ids {
            let rows: Vec<WebhookEndpointRecord> = on_backend!(self, read, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = $1 \
                     AND (enabled = FALSE OR failing_since IS NOT NULL) ORDER BY id"
                )))
                .bind(org_id)
                .fetch_all(pool)
                .await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Replaces an endpoint's state unless its version moved on since it was read.
    pub async fn update_webhook_endpoint(
        &self,
        current: &WebhookEndpointRecord,
        s: &WebhookEndpointState,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<WebhookEndpointRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<WebhookEndpointRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, enabled = $4, \
                 disabled_reason = $5, secret_key_id = $6, secret_ciphertext = $7, previous_secret_expires_at = $8, \
                 failing_since = CASE WHEN $4 AND NOT enabled THEN NULL ELSE failing_since END, \
                 version = version + 1, updated_at = $9 WHERE id = $10 AND org_id = $11 AND version = $12 \
                 RETURNING {ENDPOINT_COLUMNS}"
            )))
            .bind(&s.url)
            .bind(&s.description)
            .bind(&s.event_types)
            .bind(s.enabled)
            .bind(&s.disabled_reason)
            .bind(&s.sealed.key_id)
            .bind(&s.sealed.blob)
            .bind(s.previous_secret_expires_at)
            .bind(now)
            .bind(current.id)
            .bind(current.org_id)
            .bind(current.version)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Err(StorageError::VersionMismatch);
            };
            audit_events::insert(&mut tx, audit, Some(current.org_id), row.id).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    /// Deletes an endpoint with its deliveries.
    pub async fn delete_webhook_endpoint(&self, org_id: i64, id: i64, audit: &AuditEvent) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            audit_events::insert(&mut tx, audit, Some(org_id), id).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Writes a ping event and its one delivery to this endpoint, due now.
    pub async fn enqueue_webhook_ping(
        &self,
        endpoint: &WebhookEndpointRecord,
        msg_id: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO webhook_events (uuid, org_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(msg_id)
            .bind(endpoint.org_id)
            .bind(EventType::Ping.as_str())
            .bind(payload)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO webhook_deliveries (event_id, endpoint_id, org_id, status, attempts, next_attempt_at, \
                 created_at, updated_at) SELECT id, $2, org_id, 'pending', 0, $3, $3, $3 FROM webhook_events \
                 WHERE uuid = $1",
            )
            .bind(msg_id)
            .bind(endpoint.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Leases up to `limit` due deliveries of enabled endpoints until `lease_until`, each for
    /// its next attempt number. On PostgreSQL the rows are locked with `SKIP LOCKED`, so
    /// instances polling at once take different rows; the attempt number is taken in the same
    /// statement, so each attempt belongs to exactly one sender.
    pub async fn claim_due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>> {
        const DUE: &str = "d.status = 'pending' AND d.next_attempt_at <= $2";
        let lock = match self.pools {
            Pools::Sqlite { .. } => "",
            Pools::Postgres(_) => "FOR UPDATE OF d SKIP LOCKED",
        };
        let claim = format!(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1, updated_at = $2 \
             WHERE status = 'pending' AND next_attempt_at <= $2 AND id IN (SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE {DUE} AND w.enabled = TRUE \
             ORDER BY d.next_attempt_at, d.id LIMIT $3 {lock}) RETURNING id, attempts"
        );
        const DETAILS: &str = "SELECT d.id AS delivery_id, d.attempts AS attempt, w.id AS endpoint_id, \
            w.uuid AS endpoint_uuid, w.org_id, w.url, w.secret_key_id, w.secret_ciphertext, \
            w.previous_secret_expires_at, e.uuid AS msg_id, e.payload, e.created_at AS event_created_at \
            FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
            JOIN webhook_events e ON e.id = d.event_id WHERE d.id = $1";
        on_backend!(self, write, |pool| {
            let claimed: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(claim))
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(claimed.len());
            for (id, attempt) in claimed {
                let row: Option<ClaimedDelivery> = sqlx::query_as(DETAILS).bind(id).fetch_optional(pool).await?;
                // Gone meanwhile (endpoint deleted): nothing to send.
                if let Some(mut row) = row {
                    row.attempt = attempt;
                    out.push(row);
                }
            }
            Ok(out)
        })
    }

    /// Records an attempt and what follows. `false`: the attempt was recorded already or the
    /// delivery moved on (another sender's lease), so this outcome changes nothing.
    pub async fn record_webhook_attempt(&self, o: &AttemptOutcome) -> Result<bool> {
        let (status, next_at) = match &o.next {
            NextStep::Succeeded => ("succeeded", None),
            NextStep::RetryAt(at) => ("pending", Some(*at)),
            NextStep::GiveUp { .. } => ("failed", None),
        };
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let moved = sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, updated_at = $3 \
                 WHERE id = $4 AND attempts = $5 AND status = 'pending'",
            )
            .bind(status)
            .bind(next_at)
            .bind(o.at)
            .bind(o.delivery_id)
            .bind(o.attempt)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_ms, error, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(o.delivery_id)
            .bind(o.attempt)
            .bind(o.status_code)
            .bind(o.latency_ms)
            .bind(&o.error)
            .bind(o.at)
            .execute(&mut *tx)
            .await?;
            // The board's "failing since": set by the first failure, cleared by a success.
            if matches!(o.next, NextStep::Succeeded) {
                sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
                    .bind(o.endpoint_id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1")
                    .bind(o.endpoint_id)
                    .bind(o.at)
                    .execute(&mut *tx)
                    .await?;
            }
            if let NextStep::GiveUp { reason, audit } = &o.next {
                let disabled = sqlx::query(
                    "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $1, version = version + 1, \
                     updated_at = $2 WHERE id = $3 AND enabled = TRUE",
                )
                .bind(reason)
                .bind(o.at)
                .bind(o.endpoint_id)
                .execute(&mut *tx)
                .await?;
                if disabled.rows_affected() == 1 {
                    audit_events::insert(&mut tx, audit, None, o.endpoint_id).await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A page of an endpoint's deliveries (newest first) and their total.
    pub async fn list_webhook_deliveries(
        &self,
        org_id: i64,
        endpoint_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<WebhookDeliveryRecord>, i64)> {
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(
                "SELECT d.id, e.uuid AS msg_id, e.event_type, d.status, d.attempts, \
                 CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.created_at, \
                 d.updated_at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
                 WHERE d.org_id = $1 AND d.endpoint_id = $2 ORDER BY d.id DESC LIMIT $3 OFFSET $4",
            )
            .bind(org_id)
            .bind(endpoint_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total =
                sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE org_id = $1 AND endpoint_id = $2")
                    .bind(org_id)
                    .bind(endpoint_id)
                    .fetch_one(pool)
                    .await?;
            Ok((rows, total))
        })
    }

    /// A delivery's attempts, in order.
    pub async fn list_webhook_attempts(&self, delivery_id: i64) -> Result<Vec<WebhookAttemptRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT attempt, status_code, latency_ms, error, created_at FROM webhook_attempts \
                 WHERE delivery_id = $1 ORDER BY attempt",
            )
            .bind(delivery_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Makes a delivery of this endpoint due now (a manual retry). `NotFound` for another
    /// organization's or endpoint's delivery.
    pub async fn retry_webhook_delivery(
        &self,
        org_id: i64,
        endpoint_id: i64,
        delivery_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1 \
                 WHERE id = $2 AND endpoint_id = $3 AND org_id = $4",
            )
            .bind(now)
            .bind(delivery_id)
            .bind(endpoint_id)
            .bind(org_id)
            .execute(pool)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            Ok(())
        })
    }

    /// Up to `limit` endpoints (any organization) sealed with a key other than `active_key_id`.
    pub async fn webhook_endpoints_sealed_with_other_keys(
        &self,
        active_key_id: &str,
        limit: i64,
    ) -> Result<Vec<WebhookEndpointRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE secret_key_id <> $1 ORDER BY id LIMIT $2"
            )))
            .bind(active_key_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Key rotation: the same secrets under another key, if the row is still at `version`.
    pub async fn reseal_webhook_endpoint(&self, id: i64, version: i64, sealed: &Sealed) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE webhook_endpoints SET secret_key_id = $1, secret_ciphertext = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.blob)
            .bind(id)
            .bind(version)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Forgets events (with their deliveries and attempts) created before `before`.
    pub async fn purge_webhook_events(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, write, |pool| {
            let done = sqlx::query(
                "DELETE FROM webhook_events WHERE created_at < $1 AND NOT EXISTS \
                 (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id AND d.status = 'pending')",
            )
            .bind(before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }
}
