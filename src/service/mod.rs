//! The operations both API families, the CLI and the background worker share, over one data
//! model. Only this module touches the store; one file per resource:
//! [`access`] (callers, organizations, tokens), [`keys`], [`configurations`] (v2 CRUD),
//! [`verification`] (the one verification policy), [`twilio`] (v1 providers),
//! [`provisioning`] (the trunk saga), [`phone_numbers`] (v1), [`numbers`] and [`bridges`] (v2),
//! [`audit`], [`idempotency`], [`ops`].

pub mod access;
pub mod audit;
pub mod bridges;
pub mod configurations;
pub mod idempotency;
pub mod keys;
pub mod numbers;
pub mod ops;
pub mod phone_numbers;
pub mod provisioning;
pub mod routing;
pub mod sealer;
pub mod service_tokens;
pub mod sip;
pub mod twilio;
pub mod users;
pub mod verification;
pub mod webhooks;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::carriers::{Carriers, Credentials};
use crate::crypto::Keyring;
use crate::domain::configuration::SecretFields;
use crate::error::{Error, Result};
use crate::storage::{StorageError, Store};

pub use access::Caller;
pub use audit::{AuditAction, audit};
pub use configurations::{CONFIG_NOT_FOUND, Verify};
pub use sealer::{RowBinding, SealedKind, Sealer};

#[derive(Clone)]
pub struct Patchbay {
    pub store: Arc<Store>,
    pub keyring: Arc<Keyring>,
    pub carriers: Carriers,
    /// How often the background worker re-checks a configuration.
    pub verify_every: Duration,
    /// Provider configurations (v1 providers included) one organization may hold.
    pub max_configurations_per_org: i64,
    /// Numbers (v1 and v2 alike) one organization may hold.
    pub max_numbers_per_org: i64,
    /// Idempotency keys one organization may hold at once (they are kept 24 hours).
    pub max_idempotency_keys_per_org: i64,
    /// Audit events older than this are purged by the background worker.
    pub audit_retention: Duration,
    /// How webhook deliveries are sent (settings and the SSRF-guarded client).
    pub webhooks: webhooks::Webhooks,
    /// Call routing's caches and released-secrets ledger (see [`routing`]).
    pub routing: Arc<routing::Routing>,
}

tokio::task_local! {
    /// When the request being served must have been answered (set by the HTTP deadline layer).
    pub static REQUEST_DEADLINE: tokio::time::Instant;
}

/// The time left before the current request's deadline; `None` outside a request (CLI, worker).
pub fn time_left() -> Option<Duration> {
    REQUEST_DEADLINE
        .try_with(|d| d.saturating_duration_since(tokio::time::Instant::now()))
        .ok()
}

/// Runs `unit` to its end on its own task: a request cancelled meanwhile (its deadline passed,
/// the client went away) does not cut it half-way.
pub async fn run_whole<T: Send + 'static>(unit: impl Future<Output = Result<T>> + Send + 'static) -> Result<T> {
    tokio::spawn(unit)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("a unit of work failed: {e}")))?
}

/// Whether a batch (an import of many numbers) may start one more unit before the request's
/// deadline: only while the time left exceeds twice the longest unit so far, and at least
/// [`Budget::FLOOR`]. Outside a request there is no deadline.
#[derive(Debug, Default)]
pub struct Budget {
    longest: Duration,
}

impl Budget {
    pub const FLOOR: Duration = Duration::from_millis(250);

    pub fn may_start(&self) -> bool {
        time_left().is_none_or(|left| left > (2 * self.longest).max(Self::FLOOR))
    }

    /// Time kept at the end of a request to write its answer.
    const ANSWER: Duration = Duration::from_millis(100);

    /// Runs one unit whole (see [`run_whole`]) and remembers how long it took. `Ok(None)` when
    /// the request's answer is due before the unit ends: the unit still runs to its end on its
    /// own (see [`STILL_RUNNING`]).
    pub async fn run<T: Send + 'static>(
        &mut self,
        unit: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<Option<T>> {
        let started = tokio::time::Instant::now();
        let whole = run_whole(unit);
        let out = match time_left() {
            Some(left) => match tokio::time::timeout(left.saturating_sub(Self::ANSWER), whole).await {
                Ok(out) => out.map(Some),
                Err(_) => Ok(None),
            },
            None => whole.await.map(Some),
        };
        self.longest = self.longest.max(started.elapsed());
        out
    }
}

/// The reason given for a number whose unit was still running when the answer was due.
pub const STILL_RUNNING: &str = "Still being imported when the request deadline came: it will end imported (recorded and \
     attached) or not imported, never half-way; list the numbers to see which.";

/// The reason given for each number a batch did not start because the deadline was near.
pub const NOT_ATTEMPTED: &str =
    "Not attempted: the request deadline was near, so nothing was done for this number; send it again.";

/// The default of [`Patchbay::max_configurations_per_org`].
pub const DEFAULT_MAX_CONFIGURATIONS_PER_ORG: i64 = 10_000;
/// The default of [`Patchbay::max_numbers_per_org`].
pub const DEFAULT_MAX_NUMBERS_PER_ORG: i64 = 100_000;
/// The default of [`Patchbay::max_idempotency_keys_per_org`].
pub const DEFAULT_MAX_IDEMPOTENCY_KEYS_PER_ORG: i64 = 100_000;
/// The default of [`Patchbay::audit_retention`] (400 days).
pub const DEFAULT_AUDIT_RETENTION: Duration = Duration::from_secs(400 * 24 * 3600);

impl Patchbay {
    pub fn new(store: Arc<Store>, keyring: Arc<Keyring>, carriers: Carriers) -> Self {
        Self {
            store,
            keyring,
            carriers,
            verify_every: Duration::from_secs(3600),
            max_configurations_per_org: DEFAULT_MAX_CONFIGURATIONS_PER_ORG,
            max_numbers_per_org: DEFAULT_MAX_NUMBERS_PER_ORG,
            max_idempotency_keys_per_org: DEFAULT_MAX_IDEMPOTENCY_KEYS_PER_ORG,
            audit_retention: DEFAULT_AUDIT_RETENTION,
            webhooks: webhooks::Webhooks::new(webhooks::WebhookSettings::default()).expect("webhook HTTP client"),
            routing: Arc::default(),
        }
    }

    pub fn with_webhooks(mut self, settings: webhooks::WebhookSettings) -> anyhow::Result<Self> {
        self.webhooks = webhooks::Webhooks::new(settings)?;
        Ok(self)
    }

    pub fn with_number_quota(mut self, per_org: i64) -> Self {
        self.max_numbers_per_org = per_org;
        self
    }

    pub fn with_idempotency_key_quota(mut self, per_org: i64) -> Self {
        self.max_idempotency_keys_per_org = per_org;
        self
    }

    pub fn with_audit_retention(mut self, retention: Duration) -> Self {
        self.audit_retention = retention;
        self
    }

    pub fn with_configuration_quota(mut self, per_org: i64) -> Self {
        self.max_configurations_per_org = per_org;
        self
    }

    pub fn with_verify_interval(mut self, every: Duration) -> Self {
        self.verify_every = every;
        self
    }

    /// Seals and opens secrets bound to their rows (see [`Sealer`]).
    pub fn sealer(&self) -> Sealer<'_> {
        Sealer::new(&self.keyring)
    }
}

/// Builds the carriers' view of a configuration's credentials.
pub fn credentials(
    provider: &str,
    account_sid: &str,
    secrets: &SecretFields,
    settings: &BTreeMap<String, String>,
) -> Credentials {
    Credentials {
        provider: provider.to_owned(),
        account_sid: account_sid.to_owned(),
        auth_token: secrets.get("auth_token").cloned(),
        fields: settings.clone(),
        secret_fields: secrets
            .iter()
            .filter(|(k, _)| *k != "auth_token")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

pub(crate) fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// How often a write that lost a race on the row's version is tried again on the fresh row.
const VERSION_ATTEMPTS: usize = 5;

/// The retry loop of versioned writes: call [`Self::attempt`] before each attempt (re-read the
/// row, apply, write) and go round again while [`version_race`] says the write lost its race.
/// After [`VERSION_ATTEMPTS`] lost races the answer is a 409 with `conflict`. (A loop guard,
/// not a closure-taking helper: the attempts borrow the service across awaits, and the futures
/// must stay `Send` for axum.)
pub(crate) struct VersionRetries {
    attempts: usize,
    conflict: &'static str,
}

impl VersionRetries {
    pub(crate) fn new(conflict: &'static str) -> Self {
        Self { attempts: 0, conflict }
    }

    pub(crate) fn attempt(&mut self) -> Result<()> {
        self.attempts += 1;
        if self.attempts > VERSION_ATTEMPTS {
            Err(Error::Conflict(self.conflict))
        } else {
            Ok(())
        }
    }
}

/// The result of a versioned write for [`VersionRetries`]: a lost race is retried unless the
/// client pinned the version (`if_match`: then it is a 412); a vanished row is `not_found`.
pub(crate) fn version_race<T>(
    written: Result<T, StorageError>,
    if_match: Option<i64>,
    not_found: &'static str,
) -> Result<Option<T>> {
    match written {
        Err(StorageError::VersionMismatch) if if_match.is_none() => Ok(None),
        Err(StorageError::NotFound) => Err(Error::NotFound(not_found)),
        other => Ok(Some(other?)),
    }
}

/// A 412 when the client's If-Match names another version than the stored one.
pub(crate) fn check_if_match(if_match: Option<i64>, version: i64) -> Result<()> {
    if if_match.is_some_and(|v| v != version) {
        Err(Error::PreconditionFailed)
    } else {
        Ok(())
    }
}
