//! Webhooks: an organization's endpoints (signing secrets sealed, shown once, rotatable with a
//! grace period), their deliveries, the test ping, and the delivery round the worker runs:
//! Standard Webhooks headers and signatures, exponential backoff with jitter, and an endpoint
//! disabled (with an event) once a delivery has failed for the whole schedule.
//!
//! The events themselves are written by the store, in the transaction of each audited change
//! (`storage::audit_events`), so this module never has to be told about a change.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::carriers::webhooks::WebhookClient;
use crate::domain::configuration::SecretFields;
use crate::domain::webhook::{self, EndpointPatch, EventType, NewEndpoint, WebhookUrl};
use crate::error::{Error, Result};
use crate::service::{AuditAction, Patchbay, RowBinding, VersionRetries, check_if_match, now, version_race};
use crate::storage::{
    AttemptOutcome, ClaimedDelivery, NextStep, Organization, WebhookAttemptRecord, WebhookDeliveryRecord,
    WebhookEndpointRecord, WebhookEndpointState, new_webhook_message_id, webhook_envelope,
};

pub const WEBHOOK_NOT_FOUND: &str = "Webhook endpoint not found.";
pub const DELIVERY_NOT_FOUND: &str = "Webhook delivery not found.";

/// About three days, as Standard Webhooks senders retry: after the first attempt, these waits.
pub const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,10h,10h,10h,10h,10h";

/// How webhooks are sent (`PATCHBAY_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Hosts exempt from the SSRF rule, which may use plain http (a receiver of the operator's).
    pub trusted_hosts: BTreeSet<String>,
    /// The waits before each retry; past the last, the delivery fails and the endpoint is disabled.
    pub retry_schedule: Vec<Duration>,
    /// Per attempt (connect included).
    pub timeout: Duration,
    /// How long a rotated-out signing secret still signs.
    pub secret_grace: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
    /// Deliveries sent at once.
    pub concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            trusted_hosts: BTreeSet::new(),
            retry_schedule: parse_schedule(DEFAULT_RETRY_SCHEDULE).unwrap_or_default(),
            timeout: Duration::from_secs(10),
            secret_grace: Duration::from_secs(24 * 3600),
            poll: Duration::from_secs(1),
            concurrency: 8,
        }
    }
}

/// `250ms`, or what `parse_duration` reads (`5s`, `5m`, `2h`, `1d`).
fn parse_wait(s: &str) -> std::result::Result<Duration, String> {
    if let Some(ms) = s.strip_suffix("ms") {
        return ms
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| format!("invalid duration {s:?}"));
    }
    crate::domain::access::parse_duration(s).and_then(|d| d.to_std().map_err(|e| e.to_string()))
}

/// `5s,5m,2h`: the waits before each retry.
pub fn parse_schedule(s: &str) -> std::result::Result<Vec<Duration>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| parse_wait(p).map_err(|e| format!("retry schedule entry {p:?}: {e}")))
        .collect()
}

impl WebhookSettings {
    /// From `PATCHBAY_WEBHOOK_TRUSTED_HOSTS` (comma-separated host names),
    /// `PATCHBAY_WEBHOOK_RETRY_SCHEDULE`, `PATCHBAY_WEBHOOK_TIMEOUT`, `PATCHBAY_WEBHOOK_SECRET_GRACE`,
    /// `PATCHBAY_WEBHOOK_POLL`.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut s = Self::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let duration = |k: &str, v: &str| parse_wait(v).map_err(|e| anyhow::anyhow!("{k}: {e}"));
        if let Some(v) = var("PATCHBAY_WEBHOOK_TRUSTED_HOSTS") {
            s.trusted_hosts = v
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect();
        }
        if let Some(v) = var("PATCHBAY_WEBHOOK_RETRY_SCHEDULE") {
            s.retry_schedule =
                parse_schedule(&v).map_err(|e| anyhow::anyhow!("PATCHBAY_WEBHOOK_RETRY_SCHEDULE: {e}"))?;
        }
        if let Some(v) = var("PATCHBAY_WEBHOOK_TIMEOUT") {
            s.timeout = duration("PATCHBAY_WEBHOOK_TIMEOUT", &v)?;
        }
        if let Some(v) = var("PATCHBAY_WEBHOOK_SECRET_GRACE") {
            s.secret_grace = duration("PATCHBAY_WEBHOOK_SECRET_GRACE", &v)?;
        }
        if let Some(v) = var("PATCHBAY_WEBHOOK_POLL") {
            s.poll = duration("PATCHBAY_WEBHOOK_POLL", &v)?.max(Duration::from_millis(50));
        }
        Ok(s)
    }
}

/// The settings with the client built from them.
#[derive(Clone, Debug)]
pub struct Webhooks {
    pub settings: Arc<WebhookSettings>,
    pub client: WebhookClient,
}

impl Webhooks {
    pub fn new(settings: WebhookSettings) -> anyhow::Result<Self> {
        let client = WebhookClient::new(settings.trusted_hosts.clone(), settings.timeout)?;
        Ok(Self {
            settings: Arc::new(settings),
            client,
        })
    }

    /// How long a claimed delivery is reserved for its sender: past the attempt's timeout, so
    /// a live sender always records its attempt first.
    fn lease(&self) -> Duration {
        self.settings.timeout * 2 + Duration::from_secs(5)
    }
}

/// An endpoint that is disabled or failing, for the console's health board.
#[derive(Debug, Clone)]
pub struct FailingEndpoint {
    pub org_id: i64,
    pub endpoint_id: i64,
    pub url: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
}

const SECRET_CURRENT: &str = "current";
const SECRET_PREVIOUS: &str = "previous";

fn subscribed(types: &[EventType]) -> String {
    serde_json::to_string(&types.iter().map(|t| t.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

/// The event types an endpoint record subscribes to.
pub fn event_types(record: &WebhookEndpointRecord) -> Vec<String> {
    serde_json::from_str(&record.event_types).unwrap_or_default()
}

/// The endpoint as the API (and its events) show it: never a secret.
pub fn endpoint_json(record: &WebhookEndpointRecord) -> serde_json::Value {
    serde_json::json!({
        "id": record.id,
        "url": record.url,
        "description": record.description,
        "event_types": event_types(record),
        "enabled": record.enabled,
        "disabled_reason": record.disabled_reason,
        "failing_since": record.failing_since.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    })
}

impl Patchbay {
    fn webhook_secrets(&self, record: &WebhookEndpointRecord) -> Result<SecretFields> {
        self.sealer().open(
            RowBinding::webhook_endpoint(record.uuid, record.org_id),
            &record.sealed(),
        )
    }

    async fn checked_url(&self, url: &WebhookUrl) -> Result<String> {
        self.webhooks
            .client
            .check_target(url)
            .await
            .map_err(|e| Error::field("url", e))?;
        Ok(url.as_str().to_owned())
    }

    /// Creates an endpoint; the answer's secret is shown this once.
    pub async fn create_webhook_endpoint(
        &self,
        org: &Organization,
        new: NewEndpoint,
    ) -> Result<(WebhookEndpointRecord, SecretString)> {
        let url = self.checked_url(&new.url).await?;
        let uuid = Uuid::new_v4();
        let secret = webhook::new_signing_secret();
        let mut secrets = SecretFields::default();
        secrets.set(SECRET_CURRENT, SecretString::from(secret.clone()));
        let state = WebhookEndpointState {
            url,
            description: new.description,
            event_types: subscribed(&new.event_types),
            enabled: true,
            disabled_reason: None,
            sealed: self.sealer().seal(RowBinding::webhook_endpoint(uuid, org.id), &secrets),
            previous_secret_expires_at: None,
        };
        let audit = AuditAction::WebhookEndpointCreated.event(
            Some(org.id),
            None,
            crate::service::names(&["url", "description", "event_types"]),
        );
        let record = self
            .store
            .insert_webhook_endpoint(uuid, org.id, &state, now(), &audit)
            .await?;
        Ok((record, SecretString::from(secret)))
    }

    pub async fn list_webhook_endpoints(
        &self,
        org: &Organization,
        page: (i64, i64),
    ) -> Result<(Vec<WebhookEndpointRecord>, i64)> {
        let (number, size) = page;
        Ok(self
            .store
            .list_webhook_endpoints(org.id, size, (number - 1).saturating_mul(size))
            .await?)
    }

    pub async fn get_webhook_endpoint(&self, org: &Organization, id: i64) -> Result<WebhookEndpointRecord> {
        self.store.get_webhook_endpoint(org.id, id).await.map_err(|e| match e {
            crate::storage::StorageError::NotFound => Error::NotFound(WEBHOOK_NOT_FOUND),
            other => other.into(),
        })
    }

    /// The state of `current` with its secrets as they stand now (an expired previous secret
    /// dropped), so every write re-seals only what is still valid.
    fn state_of(&self, current: &WebhookEndpointRecord) -> Result<(WebhookEndpointState, SecretFields)> {
        let mut secrets = self.webhook_secrets(current)?;
        let mut previous_until = current.previous_secret_expires_at;
        if previous_until.is_some_and(|t| t <= now()) {
            secrets.remove(SECRET_PREVIOUS);
            previous_until = None;
        }
        Ok((
            WebhookEndpointState {
                url: current.url.clone(),
                description: current.description.clone(),
                event_types: current.event_types.clone(),
                enabled: current.enabled,
                disabled_reason: current.disabled_reason.clone(),
                sealed: current.sealed(),
                previous_secret_expires_at: previous_until,
            },
            secrets,
        ))
    }

    /// PATCH: only the fields sent change; `enabled: true` re-enables a disabled endpoint (its
    /// pending deliveries resume).
    pub async fn update_webhook_endpoint(
        &self,
        org: &Organization,
        id: i64,
        patch: EndpointPatch,
        if_match: Option<i64>,
    ) -> Result<WebhookEndpointRecord> {
        let url = match &patch.url {
            Some(u) => Some(self.checked_url(u).await?),
            None => None,
        };
        let mut retries = VersionRetries::new("The webhook endpoint kept changing; try again.");
        loop {
            retries.attempt()?;
            let current = self.get_webhook_endpoint(org, id).await?;
            check_if_match(if_match, current.version)?;
            let (mut state, secrets) = self.state_of(&current)?;
            state.sealed = self
                .sealer()
                .seal(RowBinding::webhook_endpoint(current.uuid, org.id), &secrets);
            if let Some(url) = &url {
                state.url = url.clone();
            }
            if let Some(description) = &patch.description {
                state.description = description.clone();
            }
            if let Some(types) = &patch.event_types {
                state.event_types = subscribed(types);
            }
            if let Some(enabled) = patch.enabled {
                state.enabled = enabled;
                if enabled {
                    state.disabled_reason = None;
                }
            }
            let audit = AuditAction::WebhookEndpointUpdated.event(
                Some(org.id),
                Some(current.id.to_string()),
                patch.field_names(),
            );
            let written = self
                .store
                .update_webhook_endpoint(&current, &state, now(), &audit)
                .await;
            if let Some(record) = version_race(written, if_match, WEBHOOK_NOT_FOUND)? {
                return Ok(record);
            }
        }
    }

    /// A new signing secret, shown once; the previous one keeps signing for the grace period.
    pub async fn rotate_webhook_secret(
        &self,
        org: &Organization,
        id: i64,
    ) -> Result<(WebhookEndpointRecord, SecretString)> {
        let secret = webhook::new_signing_secret();
        let grace = chrono::Duration::from_std(self.webhooks.settings.secret_grace)
            .unwrap_or_else(|_| chrono::Duration::days(1));
        let mut retries = VersionRetries::new("The webhook endpoint kept changing; try again.");
        loop {
            retries.attempt()?;
            let current = self.get_webhook_endpoint(org, id).await?;
            let (mut state, mut secrets) = self.state_of(&current)?;
            if let Some(old) = secrets.get(SECRET_CURRENT).cloned() {
                secrets.set(SECRET_PREVIOUS, old);
            }
            secrets.set(SECRET_CURRENT, SecretString::from(secret.clone()));
            state.sealed = self
                .sealer()
                .seal(RowBinding::webhook_endpoint(current.uuid, org.id), &secrets);
            state.previous_secret_expires_at = Some(now() + grace);
            let audit = AuditAction::WebhookEndpointSecretRotated.event(
                Some(org.id),
                Some(current.id.to_string()),
                crate::service::names(&["secret"]),
            );
            let written = self
                .store
                .update_webhook_endpoint(&current, &state, now(), &audit)
                .await;
            if let Some(record) = version_race(written, None, WEBHOOK_NOT_FOUND)? {
                return Ok((record, SecretString::from(secret)));
            }
        }
    }

    pub async fn delete_webhook_endpoint(&self, org: &Organization, id: i64) -> Result<()> {
        let audit = AuditAction::WebhookEndpointDeleted.event(Some(org.id), Some(id.to_string()), vec![]);
        self.store
            .delete_webhook_endpoint(org.id, id, &audit)
            .await
            .map_err(|e| match e {
                crate::storage::StorageError::NotFound => Error::NotFound(WEBHOOK_NOT_FOUND),
                other => other.into(),
            })
    }

    /// A page of an endpoint's deliveries, newest first, each with its attempts.
    pub async fn list_webhook_deliveries(
        &self,
        org: &Organization,
        id: i64,
        page: (i64, i64),
    ) -> Result<(Vec<(WebhookDeliveryRecord, Vec<WebhookAttemptRecord>)>, i64)> {
        let endpoint = self.get_webhook_endpoint(org, id).await?;
        let (number, size) = page;
        let (rows, total) = self
            .store
            .list_webhook_deliveries(org.id, endpoint.id, size, (number - 1).saturating_mul(size))
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let attempts = self.store.list_webhook_attempts(row.id).await?;
            out.push((row, attempts));
        }
        Ok((out, total))
    }

    /// Makes a delivery due now (whatever its state): one more attempt, at-least-once.
    pub async fn retry_webhook_delivery(&self, org: &Organization, id: i64, delivery_id: i64) -> Result<()> {
        let endpoint = self.get_webhook_endpoint(org, id).await?;
        self.store
            .retry_webhook_delivery(org.id, endpoint.id, delivery_id, now())
            .await
            .map_err(|e| match e {
                crate::storage::StorageError::NotFound => Error::NotFound(DELIVERY_NOT_FOUND),
                other => other.into(),
            })
    }

    /// Queues a `webhook.ping.v1` event for this endpoint only; returns its `webhook-id`.
    pub async fn send_webhook_ping(&self, org: &Organization, id: i64) -> Result<String> {
        let endpoint = self.get_webhook_endpoint(org, id).await?;
        let msg_id = new_webhook_message_id();
        let at = now();
        let payload = webhook_envelope(
            EventType::Ping,
            at,
            serde_json::json!({
                "organization_id": org.id,
                "resource_type": "webhook_endpoint",
                "resource_id": endpoint.id.to_string(),
                "endpoint": endpoint_json(&endpoint),
            }),
        );
        self.store
            .enqueue_webhook_ping(&endpoint, &msg_id, &payload, at)
            .await?;
        Ok(msg_id)
    }

    /// Endpoints of these organizations that are disabled or whose last deliveries failed: the
    /// console's health board lists them.
    pub async fn failing_webhook_endpoints(&self, orgs: &[Organization]) -> Result<Vec<FailingEndpoint>> {
        let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
        Ok(self
            .store
            .failing_webhook_endpoints(&ids)
            .await?
            .into_iter()
            .map(|r| FailingEndpoint {
                org_id: r.org_id,
                endpoint_id: r.id,
                url: r.url,
                enabled: r.enabled,
                disabled_reason: r.disabled_reason,
                failing_since: r.failing_since,
            })
            .collect())
    }

    /// One round of the delivery worker: claims due deliveries (leased, so instances sharing a
    /// database send each attempt once) and sends them, a few at a time. Returns how many.
    pub async fn deliver_due_webhooks(self: &Arc<Self>, batch: i64) -> Result<usize> {
        let lease = chrono::Duration::from_std(self.webhooks.lease()).unwrap_or_else(|_| chrono::Duration::minutes(1));
        let at = now();
        let due = self.store.claim_due_webhook_deliveries(at, at + lease, batch).await?;
        let count = due.len();
        let permits = Arc::new(Semaphore::new(self.webhooks.settings.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for delivery in due {
            let (app, permits) = (self.clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if let Err(e) = app.send_delivery(&delivery).await {
                    tracing::warn!(delivery = delivery.delivery_id, error = %e, "webhook delivery failed to run");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(count)
    }

    /// Signs and sends one attempt, then records it and schedules what follows.
    async fn send_delivery(&self, d: &ClaimedDelivery) -> Result<()> {
        let secrets = self.sealer().open(
            RowBinding::webhook_endpoint(d.endpoint_uuid, d.org_id),
            &crate::crypto::Sealed {
                key_id: d.secret_key_id.clone(),
                blob: d.secret_ciphertext.clone(),
            },
        )?;
        let timestamp = now().timestamp();
        let previous_valid = d.previous_secret_expires_at.is_some_and(|t| t > now());
        let signatures: Vec<String> = [SECRET_CURRENT, SECRET_PREVIOUS]
            .into_iter()
            .filter(|k| *k == SECRET_CURRENT || previous_valid)
            .filter_map(|k| secrets.get(k))
            .filter_map(|s| webhook::sign(s.expose_secret(), &d.msg_id, timestamp, d.payload.as_bytes()))
            .collect();
        let headers = [
            ("webhook-id", d.msg_id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signatures.join(" ")),
        ];
        let outcome = self.webhooks.client.post(&d.url, &headers, d.payload.clone()).await;
        let at = now();
        let schedule = &self.webhooks.settings.retry_schedule;
        let next = if outcome.succeeded() {
            NextStep::Succeeded
        } else {
            let jitter = rand::rng().random_range(0.0..0.2);
            match webhook::retry_delay(schedule, d.attempt as usize, jitter) {
                Some(wait) => NextStep::RetryAt(
                    at + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(10)),
                ),
                None => NextStep::GiveUp {
                    reason: format!(
                        "Deliveries failed for the whole retry schedule ({} attempts; last: {}).",
                        d.attempt,
                        outcome.error.as_deref().unwrap_or("no answer")
                    ),
                    audit: Box::new(
                        AuditAction::WebhookEndpointDisabled
                            .event(Some(d.org_id), Some(d.endpoint_id.to_string()), vec!["enabled".into()])
                            .with_data(serde_json::json!({"url": d.url, "failed_event_id": d.msg_id})),
                    ),
                },
            }
        };
        self.store
            .record_webhook_attempt(&AttemptOutcome {
                delivery_id: d.delivery_id,
                endpoint_id: d.endpoint_id,
                attempt: d.attempt,
                status_code: outcome.status.map(i64::from),
                latency_ms: outcome.latency.as_millis() as i64,
                error: outcome.error,
                at,
                next,
            })
            .await?;
        Ok(())
    }

    /// Forgets delivered events past the audit retention.
    pub async fn purge_old_webhook_events(&self) -> Result<u64> {
        let retention = chrono::Duration::from_std(self.audit_retention).unwrap_or(chrono::Duration::days(400));
        Ok(self.store.purge_webhook_events(now() - retention).await?)
    }
}
