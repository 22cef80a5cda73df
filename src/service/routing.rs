//! Call routing: who owns a call to a number (inbound), which trunk places a call from a number
//! or bridge (outbound, the one answer that carries a secret), the CPS limits, the ledger of
//! released secrets, and the in-process caches that keep this path off the database.
//!
//! The same caches serve the other hot read paths: organization tokens, GET of one
//! configuration and the configurations list (never the reads a write is based on). A token
//! revoked by the CLI is refused by every instance by the time `token revoke` returns (it
//! waits [`REVOCATION_SETTLES`]); through the API, at once on the instance that answered.
//!
//! Caches hold what the database holds (sealed secrets stay sealed) and are dropped whole when
//! anything they depend on may have changed: at once for writes made through this instance
//! (read-your-writes), and within a second for writes of other processes. Migration 0009's
//! triggers bump `routing_generation` (polled every [`POLL_EVERY`] on SQLite, where the CLI is the
//! other writer) or `NOTIFY patchbay_routing` (LISTENed to on PostgreSQL) in the writing
//! transaction.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{mpsc, oneshot};

use crate::domain::phone::E164;
use crate::domain::routing::{Unroutable, cps_wait_ms, window_start};
use crate::domain::sip::Transport;
use crate::domain::verification::VerificationStatus;
use crate::error::{Error, Result};
use crate::service::service_tokens::ServiceCaller;
use crate::service::sip::SipCredential;
use crate::service::twilio::SIP_PASSWORD;
use crate::service::{AuditAction, Patchbay, RowBinding, now};
use crate::storage::{
    ApiTokenRecord, AuditEvent, ConfigurationKey, ConfigurationRecord, ListQuery, Organization, RouteRecord,
    ServiceTokenGrant, Store,
};

pub const UNKNOWN_NUMBER: &str = "No route: the number is unknown.";
pub const UNKNOWN_BRIDGE: &str = "No route: the bridge is unknown.";
pub const SERVICE_TOKEN_ONLY: &str = "Service tokens may only call the routing endpoints.";
pub const SERVICE_TOKENS_ONLY: &str = "Only service tokens may call the routing endpoints.";

/// How long a token revocation by the CLI waits before it returns, so that when it returns
/// every running instance has dropped the token: a SQLite server polls every [`POLL_EVERY`]
/// (this covers two polls and a late one); PostgreSQL instances hear of it within milliseconds.
pub const REVOCATION_SETTLES: Duration = Duration::from_millis(600);
/// How often a SQLite server looks at `routing_generation`.
pub const POLL_EVERY: Duration = Duration::from_millis(200);
/// Entries a cache holds before it is emptied (a bound on memory, not an eviction policy: a
/// full cache refills with what is asked for).
const CACHE_ENTRIES: usize = 20_000;
/// Released secrets written per transaction, and how long the flusher gathers a batch.
const LEDGER_BATCH: usize = 500;
const LEDGER_GATHER: Duration = Duration::from_millis(50);

/// The routing state of one server: caches and the ledger.
#[derive(Default)]
pub struct Routing {
    pub caches: RoutingCaches,
    ledger: OnceLock<mpsc::Sender<LedgerMessage>>,
}

/// In-process caches of service tokens and routes, emptied together (see the module doc).
#[derive(Default)]
pub struct RoutingCaches {
    /// Bumped by every invalidation: a look-up that began before one does not keep its answer.
    epoch: AtomicU64,
    service_tokens: RwLock<HashMap<String, ServiceTokenGrant>>,
    /// Organization tokens by hash, with their organization (unknown tokens are not kept).
    org_tokens: RwLock<HashMap<String, Arc<(ApiTokenRecord, Organization)>>>,
    routes: RwLock<HashMap<String, Arc<RouteRecord>>>,
    /// Configurations by `org:id`, and list pages by `org:provider:limit:offset`.
    configurations: RwLock<HashMap<String, Arc<ConfigurationRecord>>>,
    lists: RwLock<HashMap<String, ConfigurationPage>>,
}

type ConfigurationPage = Arc<(Vec<ConfigurationRecord>, i64)>;

fn keep<V>(map: &RwLock<HashMap<String, V>>, epoch: &AtomicU64, began: u64, key: String, value: V) {
    let mut map = map.write().unwrap_or_else(|e| e.into_inner());
    if epoch.load(Ordering::Acquire) != began {
        return;
    }
    if map.len() >= CACHE_ENTRIES {
        map.clear();
    }
    map.insert(key, value);
}

fn cached<V: Clone>(map: &RwLock<HashMap<String, V>>, key: &str) -> Option<V> {
    map.read().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
}

impl RoutingCaches {
    /// The epoch to pass to `keep_*` for what is read from the database after this call.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.service_tokens.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.org_tokens.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.routes.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.configurations.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.lists.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub fn service_token(&self, hash: &str) -> Option<ServiceTokenGrant> {
        cached(&self.service_tokens, hash)
    }

    pub fn keep_service_token(&self, began: u64, hash: String, grant: ServiceTokenGrant) {
        keep(&self.service_tokens, &self.epoch, began, hash, grant);
    }

    pub fn org_token(&self, hash: &str) -> Option<Arc<(ApiTokenRecord, Organization)>> {
        cached(&self.org_tokens, hash)
    }

    pub fn keep_org_token(&self, began: u64, hash: String, token: Arc<(ApiTokenRecord, Organization)>) {
        keep(&self.org_tokens, &self.epoch, began, hash, token);
    }

    fn route(&self, number: &str) -> Option<Arc<RouteRecord>> {
        cached(&self.routes, number)
    }

    fn keep_route(&self, began: u64, number: String, route: Arc<RouteRecord>) {
        keep(&self.routes, &self.epoch, began, number, route);
    }
}

enum LedgerMessage {
    Released(Box<AuditEvent>),
    /// Answered once everything sent before it is written.
    Flush(oneshot::Sender<()>),
}

/// Where an outbound call comes from.
pub enum OutboundFrom {
    Number(E164),
    /// A bridge of the organization with this handle; its first number is the caller id.
    Bridge {
        org: String,
        slug: String,
    },
}

/// The trunk an outbound call goes through. Holds the password: never logged (no `Debug`).
pub struct Trunk {
    pub route: Arc<RouteRecord>,
    pub termination_uri: String,
    pub server: String,
    pub transport: String,
    pub domain: Option<String>,
    pub auth_user: Option<String>,
    pub auth_password: Option<SecretString>,
    pub caller_id: String,
}

pub enum Outbound {
    Route(Box<Trunk>),
    /// Beyond the credential's CPS limit: try again in this many milliseconds.
    Paced {
        wait_ms: i64,
    },
}

/// Why a known number cannot take or place calls, if it cannot.
fn unroutable(route: &RouteRecord) -> Option<Unroutable> {
    if route.bridge_slug.is_none() {
        Some(Unroutable::NumberInactive)
    } else if route.configuration.verification_status == VerificationStatus::Failed {
        Some(Unroutable::ConfigurationFailed)
    } else {
        None
    }
}

fn refusal(why: Unroutable) -> Error {
    Error::refused(why.explain(), "reason", why.code())
}

impl Routing {
    /// Starts the ledger's flusher and the cache watcher for a server on `store`; the handles
    /// are the caller's to abort (after [`Self::flush`]).
    pub fn start(self: &Arc<Self>, store: Arc<Store>) -> Vec<tokio::task::JoinHandle<()>> {
        let (tx, rx) = mpsc::channel(65_536);
        let mut tasks = Vec::new();
        if self.ledger.set(tx).is_ok() {
            tasks.push(tokio::spawn(flush_ledger(store.clone(), rx)));
        }
        tasks.push(tokio::spawn(watch_changes(self.clone(), store)));
        tasks
    }

    /// Waits until every released secret recorded so far is in the audit trail.
    pub async fn flush(&self) {
        if let Some(tx) = self.ledger.get() {
            let (done, wait) = oneshot::channel();
            if tx.send(LedgerMessage::Flush(done)).await.is_ok() {
                let _ = wait.await;
            }
        }
    }
}

/// Writes released secrets to the audit trail in batches: one transaction per batch, not one
/// per call, off the request's path.
async fn flush_ledger(store: Arc<Store>, mut rx: mpsc::Receiver<LedgerMessage>) {
    while let Some(first) = rx.recv().await {
        let mut batch = Vec::new();
        let mut acks = Vec::new();
        let mut next = Some(first);
        let until = tokio::time::Instant::now() + LEDGER_GATHER;
        while let Some(message) = next.take() {
            match message {
                LedgerMessage::Released(event) => batch.push(*event),
                LedgerMessage::Flush(ack) => {
                    acks.push(ack);
                    break;
                }
            }
            if batch.len() >= LEDGER_BATCH {
                break;
            }
            next = tokio::time::timeout_at(until, rx.recv()).await.ok().flatten();
        }
        write_ledger_batch(&store, &batch).await;
        for ack in acks {
            let _ = ack.send(());
        }
    }
}

async fn write_ledger_batch(store: &Store, batch: &[AuditEvent]) {
    if batch.is_empty() {
        return;
    }
    for attempt in 1..=10 {
        match store.insert_audit_batch(batch).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, attempt, events = batch.len(), "could not write released secrets to the audit trail");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
        }
    }
    tracing::error!(
        events = batch.len(),
        "released secrets lost from the audit trail after 10 attempts"
    );
}

/// Drops the caches whenever another process may have changed what they hold.
async fn watch_changes(routing: Arc<Routing>, store: Arc<Store>) {
    match store.routing_listener().await {
        Ok(Some(mut listener)) => {
            // Anything written before LISTEN began is not in the caches of a fresh server, but
            // a restarted watcher must not trust them.
            routing.caches.invalidate();
            loop {
                match listener.try_recv().await {
                    Ok(Some(_)) => routing.caches.invalidate(),
                    // The connection dropped (notifications may be lost); the next call reconnects.
                    Ok(None) => routing.caches.invalidate(),
                    // The pool is closing (shutdown): let go of the listener's connection, or
                    // the close waits for it forever.
                    Err(sqlx::Error::PoolClosed) => {
                        routing.caches.invalidate();
                        return;
                    }
                    Err(e) => {
                        routing.caches.invalidate();
                        tracing::warn!(error = %e, "routing change listener failed; retrying");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
        Ok(None) => {
            let mut seen = None;
            loop {
                match store.routing_generation().await {
                    Ok(generation) if seen != Some(generation) => {
                        if seen.is_some() {
                            routing.caches.invalidate();
                        }
                        seen = Some(generation);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        routing.caches.invalidate();
                        tracing::warn!(error = %e, "could not read the routing generation");
                    }
                }
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
        Err(e) => {
            // No way to hear of changes: keep nothing longer than the bound.
            tracing::warn!(error = %e, "no routing change listener; caches are dropped every poll");
            loop {
                routing.caches.invalidate();
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
    }
}

/// A server's running routing tasks (ledger flusher, change watcher); [`Self::stop`] drains
/// the ledger before it ends them.
pub struct RoutingTasks {
    routing: Arc<Routing>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RoutingTasks {
    pub async fn stop(self) {
        self.routing.flush().await;
        for task in self.tasks {
            task.abort();
        }
    }
}

impl Patchbay {
    /// Starts this server's routing tasks on its store (see [`Routing::start`]).
    pub fn start_routing(&self) -> RoutingTasks {
        RoutingTasks {
            routing: self.routing.clone(),
            tasks: self.routing.start(self.store.clone()),
        }
    }

    /// [`Self::get_configuration`] for answering a GET (never as the base of a write: a cached
    /// row may be a moment behind another process's write).
    pub async fn read_configuration(&self, org: &Organization, id: i64) -> Result<Arc<ConfigurationRecord>> {
        let caches = &self.routing.caches;
        let key = format!("{}:{id}", org.id);
        if let Some(hit) = cached(&caches.configurations, &key) {
            return Ok(hit);
        }
        let began = caches.epoch();
        let record = Arc::new(self.get_configuration(org, ConfigurationKey::Id(id)).await?);
        keep(&caches.configurations, &caches.epoch, began, key, record.clone());
        Ok(record)
    }

    /// [`Self::list_configurations`] for answering a GET, cached like [`Self::read_configuration`].
    pub async fn read_configurations(&self, org: &Organization, query: ListQuery<'_>) -> Result<ConfigurationPage> {
        let caches = &self.routing.caches;
        let key = format!("{}:{:?}:{:?}", org.id, query.provider, query.page);
        if let Some(hit) = cached(&caches.lists, &key) {
            return Ok(hit);
        }
        let began = caches.epoch();
        let page = Arc::new(self.list_configurations(org, query).await?);
        keep(&caches.lists, &caches.epoch, began, key, page.clone());
        Ok(page)
    }

    /// The number with its route, from the cache or the database.
    async fn route_for_number(&self, number: &str) -> Result<Option<Arc<RouteRecord>>> {
        let caches = &self.routing.caches;
        if let Some(route) = caches.route(number) {
            return Ok(Some(route));
        }
        let began = caches.epoch();
        let Some(route) = self.store.route_by_number(number).await? else {
            return Ok(None);
        };
        let route = Arc::new(route);
        caches.keep_route(began, number.to_owned(), route.clone());
        Ok(Some(route))
    }

    /// Who answers a call to `to`: 404 for a number unknown (or of an organization the token
    /// may not route), 409 with the reason for one that cannot take calls.
    pub async fn inbound_route(&self, caller: &ServiceCaller, to: &E164) -> Result<Arc<RouteRecord>> {
        let route = self
            .route_for_number(to.as_str())
            .await?
            .filter(|r| caller.may_route(r.configuration.org_id))
            .ok_or(Error::NotFound(UNKNOWN_NUMBER))?;
        match unroutable(&route) {
            Some(why) => Err(refusal(why)),
            None => Ok(route),
        }
    }

    /// The trunk that places a call to `to`, with its secret, or how long to wait under the
    /// credential's CPS limit. The release is recorded in the audit trail (batched).
    pub async fn outbound_route(&self, caller: &ServiceCaller, from: OutboundFrom, to: &E164) -> Result<Outbound> {
        let route = match &from {
            OutboundFrom::Number(number) => self
                .route_for_number(number.as_str())
                .await?
                .filter(|r| caller.may_route(r.configuration.org_id))
                .ok_or(Error::NotFound(UNKNOWN_NUMBER))?,
            OutboundFrom::Bridge { org, slug } => {
                let org = self
                    .store
                    .organization_by_handle(org)
                    .await?
                    .filter(|o| caller.may_route(o.id))
                    .ok_or(Error::NotFound(UNKNOWN_BRIDGE))?;
                match self.store.route_by_bridge(org.id, slug).await? {
                    None => return Err(Error::NotFound(UNKNOWN_BRIDGE)),
                    Some(None) => return Err(refusal(Unroutable::DraftBridge)),
                    Some(Some(route)) => Arc::new(route),
                }
            }
        };
        if let Some(why) = unroutable(&route) {
            return Err(refusal(why));
        }
        let config = &route.configuration;
        let is_trunk = config.provider == "sip" || (config.provider == "twilio" && config.trunk_sid.is_some());
        if !is_trunk {
            return Err(refusal(Unroutable::NoTrunk));
        }
        let credential = SipCredential::from(config.clone());
        if let Some(limit) = credential.cps_limit {
            let key = match &credential.cps_key {
                // Shared keys are the organization's own: another tenant's key never paces these.
                Some(shared) => format!("org:{}:key:{shared}", config.org_id),
                None => format!("credential:{}", config.id),
            };
            let now_ms = now().timestamp_millis();
            let window = self.store.count_cps_call(&key, window_start(now_ms)).await?;
            if let Some(wait_ms) = cps_wait_ms(window, limit, now_ms) {
                return Ok(Outbound::Paced { wait_ms });
            }
        }
        let secrets = self
            .sealer()
            .open(RowBinding::configuration(config.uuid, config.org_id), &config.sealed())?;
        let password_field = if config.provider == "sip" {
            "auth_token"
        } else {
            SIP_PASSWORD
        };
        let auth_password = secrets
            .get(password_field)
            .map(|s| SecretString::from(s.expose_secret().to_owned()));
        let termination_uri = match &config.termination_uri {
            Some(uri) if config.provider != "sip" => uri.clone(),
            _ if credential.transport == Transport::Udp.as_str() => format!("sip:{}", credential.server),
            _ => format!("sip:{};transport={}", credential.server, credential.transport),
        };
        if auth_password.is_some() {
            self.record_release(caller, &route, &from, to).await;
        }
        Ok(Outbound::Route(Box::new(Trunk {
            termination_uri,
            server: credential.server,
            transport: credential.transport,
            domain: credential.domain,
            auth_user: credential.auth_user,
            auth_password,
            caller_id: route.number.clone(),
            route,
        })))
    }

    /// Queues the audit event of a released secret (written by the ledger's flusher; directly
    /// when no server runs one).
    async fn record_release(&self, caller: &ServiceCaller, route: &RouteRecord, from: &OutboundFrom, to: &E164) {
        let mut event = AuditAction::RouteSecretReleased.event(
            Some(route.configuration.org_id),
            Some(route.configuration.id.to_string()),
            vec![
                "auth_password".to_owned(),
                format!("to:{to}"),
                format!("from:{}", route.number),
            ],
        );
        if let OutboundFrom::Bridge { slug, .. } = from {
            event.fields.push(format!("bridge:{slug}"));
        }
        event.actor_token_id = None;
        event.actor = caller.actor();
        match self.routing.ledger.get() {
            Some(tx) => {
                if tx.send(LedgerMessage::Released(Box::new(event))).await.is_err() {
                    tracing::error!("the released-secrets ledger is closed; an event was lost");
                }
            }
            None => {
                if let Err(e) = self.store.insert_audit_batch(std::slice::from_ref(&event)).await {
                    tracing::error!(error = %e, "could not write a released secret to the audit trail");
                }
            }
        }
    }
}
