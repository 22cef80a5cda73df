//! The background worker: re-checks every configuration on a schedule, undoes abandoned Twilio
//! provisionings, and forgets expired idempotency keys, all through the service.
//!
//! Each round claims a batch of due rows (a lease in the database, so several instances on one
//! PostgreSQL split the work instead of repeating it) and verifies them with bounded
//! concurrency. Rows come due spread out (the next check is jittered), and a carrier's
//! `Retry-After` pushes that configuration's next attempt back.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::service::Patchbay;
use crate::service::provisioning::RECOVER_AFTER;

#[derive(Debug, Clone)]
pub struct VerifierSettings {
    /// How often to look for due rows.
    pub poll: Duration,
    /// Rows claimed per round.
    pub batch: i64,
    /// Carrier calls in flight at once, across all tenants.
    pub concurrency: usize,
    /// How long a claimed row is reserved for this worker before another may take it.
    pub lease: Duration,
}

impl Default for VerifierSettings {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(5),
            batch: 32,
            concurrency: 4,
            lease: Duration::from_secs(300),
        }
    }
}

/// One round: claims due rows and verifies them. Returns how many were checked.
pub async fn run_round(app: &Arc<Patchbay>, settings: &VerifierSettings) -> anyhow::Result<usize> {
    let lease_until = chrono::Utc::now() + chrono::Duration::from_std(settings.lease)?;
    let due = app.claim_due_verifications(lease_until, settings.batch).await?;
    let count = due.len();
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for record in due {
        let (app, permits) = (app.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            // The service decides what the row is checked for (with or without its trunk).
            if let Err(e) = app.verify_stored(&record).await {
                tracing::warn!(configuration = record.id, provider = record.provider, error = %e, "verification failed to run");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(count)
}

/// Runs rounds until the returned handle is aborted.
pub fn spawn(app: Arc<Patchbay>, settings: VerifierSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(settings.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_round(&app, &settings).await {
                // A full batch means more may be due: go again without waiting.
                Ok(n) if n as i64 >= settings.batch => tick.reset_immediately(),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "verifier round failed"),
            }
            // Abandoned Twilio provisionings (crash mid-saga) are undone here, first at start-up.
            if let Err(e) = app.recover_stale_provisioning(RECOVER_AFTER).await {
                tracing::warn!(error = %e, "provisioning recovery failed");
            }
            if let Err(e) = app.purge_expired_idempotency_keys().await {
                tracing::warn!(error = %e, "purging expired idempotency keys failed");
            }
            if let Err(e) = app.purge_expired_audit_events().await {
                tracing::warn!(error = %e, "purging audit events past their retention failed");
            }
            if let Err(e) = app.purge_old_webhook_events().await {
                tracing::warn!(error = %e, "purging webhook events past the retention failed");
            }
        }
    })
}

/// Webhook deliveries claimed per round.
pub const WEBHOOK_BATCH: i64 = 64;

/// The webhook delivery loop (`PATCHBAY_WEBHOOK_POLL`), apart from the verifier's so a slow
/// carrier never holds back an event. Runs until the returned handle is aborted.
pub fn spawn_webhooks(app: Arc<Patchbay>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(app.webhooks.settings.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app.deliver_due_webhooks(WEBHOOK_BATCH).await {
                Ok(n) if n as i64 >= WEBHOOK_BATCH => tick.reset_immediately(),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
            }
        }
    })
}
