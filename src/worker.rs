//! The background worker: re-checks every configuration on a schedule, undoes abandoned Twilio
//! provisionings, and forgets expired idempotency keys, all through the service.
//!
//! Each round claims a batch of due rows (a lease in the database, so several instances on one
//! PostgreSQL split the work instead of repeating it) and verifies them with bounded
//! concurrency. Rows come due spread out (the next check is jittered), and a carrier's
//! `Retry-After` pushes that configuration's next attempt back.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
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
    let checked = round(app, settings, std::future::pending()).await?;
    Ok(checked.expect("a round that is never stopped finishes"))
}

/// One round, cut short when `stop` resolves: then the claimed rows not yet checked are handed
/// back (due again at once) and `None` is returned. Without that, a restart in the middle of a
/// round left up to a batch of rows unchecked until their lease ran out (5 minutes).
async fn round(
    app: &Arc<Patchbay>,
    settings: &VerifierSettings,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<Option<usize>> {
    let lease_until = chrono::Utc::now() + chrono::Duration::from_std(settings.lease)?;
    let due = app.claim_due_verifications(lease_until, settings.batch).await?;
    let count = due.len();
    let mut unchecked: HashSet<i64> = due.iter().map(|record| record.id).collect();
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
            // Failed or not, it was tried: a failure waits out its lease before the next try.
            record.id
        });
    }
    // On stop, checks still running are aborted and end at their next await (a write in flight
    // commits or rolls back whole); the loop then drains them like finished ones.
    let mut stop = std::pin::pin!(stop);
    let mut stopped = false;
    loop {
        let joined = tokio::select! {
            joined = tasks.join_next() => joined,
            () = &mut stop, if !stopped => {
                stopped = true;
                tasks.abort_all();
                continue;
            }
        };
        match joined {
            Some(Ok(id)) => {
                unchecked.remove(&id);
            }
            // Aborted by the stop, or panicked: not checked (handed back if stopping, else its
            // lease runs out).
            Some(Err(_)) => {}
            None => break,
        }
    }
    if !stopped {
        return Ok(Some(count));
    }
    let unchecked: Vec<i64> = unchecked.into_iter().collect();
    app.release_verification_leases(&unchecked, lease_until).await?;
    Ok(None)
}

/// The running verifier loop (see [`spawn`]).
pub struct Verifier {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Verifier {
    /// Ends the loop: a round in progress is cut short and hands back the rows it had not
    /// checked yet (see [`round`]); waits for that.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Runs rounds until [`Verifier::stop`].
pub fn spawn(app: Arc<Patchbay>, settings: VerifierSettings) -> Verifier {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        // Resolves once stop is asked (or its sender is gone); each call is a fresh future.
        let stopping = || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|&stop| stop).await;
            }
        };
        let mut tick = tokio::time::interval(settings.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = stopping() => return,
            }
            match round(&app, &settings, stopping()).await {
                Ok(None) => return,
                // A full batch means more may be due: go again without waiting.
                Ok(Some(n)) if n as i64 >= settings.batch => tick.reset_immediately(),
                Ok(Some(_)) => {}
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
    });
    Verifier { stop, task }
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
