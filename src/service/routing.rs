//! Call routing: who owns a call to a number (inbound), which trunk places a call from a number
//! or bridge (outbound, the one answer that carries a secret), the CPS limits, the ledger of
//! released secrets, and the in-process caches that keep this path off the database.
//!
//! The same caches serve the other hot read paths: organization tokens, GET of one
//! configuration and the configurations list (never the reads a write is based on). A token
//! revoked by the CLI is refused by every instance by the time `token revoke` returns (it
//! waits [`REVOCATION_SETTLES`]); through the API, at once on the instance that answered.
//!
//! Caches hold what the database holds (sealed secrets stay sealed). An entry belongs to one
//! organization and is dropped when anything of that organization it depends on may have
//! changed: at once for writes made through this instance (read-your-writes), and within a
//! second for writes of other processes. Migration 0012's triggers name the organization a
//! write concerns in the writing transaction: appended to `routing_changes` (polled every
//! [`POLL_EVERY`] on SQLite, where the CLI is the other writer) or `NOTIFY patchbay_routing`
//! with its id (LISTENed to on PostgreSQL). A change that names no organization (service
//! tokens, or changes that may have been missed) drops everything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use secrecy::SecretString;
use tokio::sync::{mpsc, oneshot};

use crate::domain::phone::E164;
use crate::domain::routing::{Unroutable, cps_wait_ms, window_start};
use crate::domain::sip::Transport;
use crate::domain::verification::VerificationStatus;
use crate::error::{Error, Result};
use crate::service::service_tokens::ServiceCaller;
use crate::service::sip::TrunkSettings;
use crate::service::twilio::SIP_PASSWORD;
use crate::service::{AuditAction, Patchbay, now};
use crate::storage::{
    ApiTokenRecord, AuditEvent, ConfigurationKey, ConfigurationRecord, ListQuery, Organization, RouteRecord,
    ServiceTokenGrant, Store, changed_org,
};

pub const UNKNOWN_NUMBER: &str = "No route: the number is unknown.";
pub const UNKNOWN_BRIDGE: &str = "No route: the bridge is unknown.";
pub const SERVICE_TOKEN_ONLY: &str = "Service tokens may only call the routing endpoints.";
pub const SERVICE_TOKENS_ONLY: &str = "Only service tokens may call the routing endpoints.";

/// How long a token revocation by the CLI waits before it returns, so that when it returns
/// every running instance has dropped the token: a SQLite server polls every [`POLL_EVERY`]
/// (this covers two polls and a late one); PostgreSQL instances hear of it within milliseconds.
pub const REVOCATION_SETTLES: Duration = Duration::from_millis(600);
/// How often a SQLite server looks at `routing_changes`.
pub const POLL_EVERY: Duration = Duration::from_millis(200);
/// How long a change stays in `routing_changes` (every server has seen it long before).
const CHANGES_KEPT: Duration = Duration::from_secs(60);
/// Pruning every 50 polls: every 10 s.
const PRUNE_EVERY_POLLS: u64 = 50;
/// Entries a cache holds before it is emptied (a bound, not an eviction policy: a full cache
/// refills with what is asked for).
const CACHE_ENTRIES: usize = 20_000;
/// Estimated bytes ([`Weigh`]) a cache holds before it is emptied: entries differ in size by
/// orders of magnitude (a list page of 1,000 rows, with its rendered answers, against one
/// token), so a count alone bounds nothing. Five caches: at most ~5 × 8 MiB of values.
const CACHE_BYTES: usize = 8 << 20;
/// Released secrets written per transaction (each commit is an fsync on SQLite), how long the
/// flusher gathers a batch, and how many calls one audit event lists at most (an event is a
/// row of the audit trail's pages: ~130 bytes a call, so ≤ ~65 KB).
const LEDGER_BATCH: usize = 5_000;
const LEDGER_GATHER: Duration = Duration::from_millis(50);
const CALLS_PER_EVENT: usize = 500;

/// The routing state of one server: caches and the ledger.
#[derive(Default)]
pub struct Routing {
    pub caches: RoutingCaches,
    ledger: OnceLock<mpsc::Sender<LedgerMessage>>,
}

/// In-process caches of tokens, routes and configuration reads (see the module doc).
///
/// Invalidation is per organization: every invalidation takes the next `epoch`, an
/// organization's is kept in `changed`, everyone's in `all_changed`. An entry remembers the
/// epoch read before its row was read (`read_at`) and is served only while no invalidation of
/// its organization (or of all) came after that: a look-up that began before a change never
/// serves its answer, and a change drops one organization's entries in O(1).
#[derive(Default)]
pub struct RoutingCaches {
    epoch: AtomicU64,
    all_changed: AtomicU64,
    changed: RwLock<FastMap<i64, u64>>,
    service_tokens: Cache<ServiceTokenGrant>,
    /// Organization tokens by hash, with their organization (unknown tokens are not kept).
    org_tokens: Cache<Arc<(ApiTokenRecord, Arc<Organization>)>>,
    routes: Cache<Route>,
    /// Configurations by `org:id`, and list pages by `org:provider:limit:offset`.
    configurations: Cache<Arc<Cached<ConfigurationRecord>>>,
    lists: Cache<ConfigurationPage>,
}

type Cache<V> = RwLock<Entries<V>>;

/// The caches' maps are read on every request: foldhash (hashbrown's own default, randomly
/// seeded) instead of SipHash, whose hashing of a token's 64-digit key was most of a look-up.
/// Their keys come from stored rows (numbers, token hashes, ids), and each map is bounded.
type FastMap<K, V> = foldhash::HashMap<K, V>;

/// A cache's entries and their estimated size.
struct Entries<V> {
    map: FastMap<String, Stamped<V>>,
    bytes: usize,
}

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Self {
            map: FastMap::default(),
            bytes: 0,
        }
    }
}

impl<V> Entries<V> {
    fn clear(&mut self) {
        // A new map: `clear` would keep the emptied table's capacity.
        self.map = FastMap::default();
        self.bytes = 0;
    }
}

/// The memory a cached value holds, estimated: its own size and what it owns on the heap.
/// Conservative where exactness would cost (rendered answers are counted before they exist).
pub trait Weigh {
    fn weight(&self) -> usize;
}

fn opt(s: &Option<String>) -> usize {
    s.as_deref().map_or(0, str::len)
}

impl Weigh for ConfigurationRecord {
    fn weight(&self) -> usize {
        let settings: usize = self.settings.0.iter().map(|(k, v)| 64 + k.len() + v.len()).sum();
        // Verification details are carrier answers of any shape: their JSON text is the
        // estimate (read on a cache miss only, next to a database read).
        let details = self
            .verification_details
            .as_ref()
            .map_or(0, |d| 2 * d.0.to_string().len());
        std::mem::size_of::<Self>()
            + self.provider.len()
            + self.account_sid.len()
            + opt(&self.name)
            + settings
            + self.secret_key_id.len()
            + self.secret_ciphertext.len()
            + details
            + opt(&self.region)
            + opt(&self.trunk_sid)
            + opt(&self.termination_uri)
    }
}

impl Weigh for RouteRecord {
    fn weight(&self) -> usize {
        self.configuration.weight() - std::mem::size_of::<ConfigurationRecord>()
            + std::mem::size_of::<Self>()
            + self.number.len()
            + self.org_handle.len()
            + opt(&self.bridge_slug)
            + opt(&self.inbound_agent_id)
    }
}

impl Weigh for (Vec<ConfigurationRecord>, i64) {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>() + self.0.iter().map(Weigh::weight).sum::<usize>()
    }
}

/// A value and its rendered answers, each counted as large as the value (JSON of a record is
/// about the size of its fields).
impl<T: Weigh> Weigh for Arc<Cached<T>> {
    fn weight(&self) -> usize {
        (1 + RENDERED_VARIANTS) * self.value.weight()
    }
}

impl Weigh for ServiceTokenGrant {
    fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + 64
            + 8 * self.org_ids.len()
            + self.org_handles.iter().map(|h| 24 + h.len()).sum::<usize>()
    }
}

impl Weigh for Arc<(ApiTokenRecord, Arc<Organization>)> {
    fn weight(&self) -> usize {
        let (token, org) = &**self;
        std::mem::size_of::<(ApiTokenRecord, Organization)>()
            + opt(&token.label)
            + token.token_prefix.len()
            + org.handle.len()
            + org.name.len()
    }
}

/// A number's route, with room for the answer rendered of it (see [`Cached`]).
pub type Route = Arc<Cached<RouteRecord>>;

/// A page of configurations and the count of all that match.
pub type ConfigurationPage = Arc<Cached<(Vec<ConfigurationRecord>, i64)>>;

/// A value read through the caches, with room for the answer the HTTP layer rendered of it:
/// a cached GET then costs no serialisation (on a GET of one configuration, turning the record
/// into JSON was a quarter of the instructions). Dropped with its entry, so never staler than
/// the value.
pub struct Cached<T> {
    value: T,
    /// The rendered answers, one per variant of the request (e.g. whether a list echoes its
    /// paging members): both kept, since both are asked for over the same cached rows (a list
    /// unpaged and `?page_size=1000` read the same rows; with one slot, whichever came first
    /// made the other re-render every time).
    rendered: [OnceLock<bytes::Bytes>; RENDERED_VARIANTS],
}

/// How many rendered variants a cached value keeps; a variant beyond is rendered each time.
const RENDERED_VARIANTS: usize = 2;

impl<T> Cached<T> {
    pub fn new(value: T) -> Self {
        Self {
            value,
            rendered: Default::default(),
        }
    }

    /// The answer rendered for `variant`: kept from an earlier call, or `render`ed now (and
    /// kept).
    pub fn rendered(&self, variant: usize, render: impl FnOnce(&T) -> bytes::Bytes) -> bytes::Bytes {
        match self.rendered.get(variant) {
            Some(slot) => slot.get_or_init(|| render(&self.value)).clone(),
            None => render(&self.value),
        }
    }
}

impl<T> std::ops::Deref for Cached<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A cached value, the organization it belongs to (`None`: no single one), the epoch read
/// before it was read from the database, and its weight (with its key's).
#[derive(Clone)]
struct Stamped<V> {
    value: V,
    org: Option<i64>,
    read_at: u64,
    bytes: usize,
}

impl RoutingCaches {
    /// The epoch to pass to `keep_*` for what is read from the database after this call.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Everything may have changed: drop every entry.
    pub fn invalidate(&self) {
        let epoch = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        self.all_changed.store(epoch, Ordering::Release);
        // Superseded by `all_changed`; emptying the maps also frees their memory now.
        self.changed.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.service_tokens.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.org_tokens.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.routes.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.configurations.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.lists.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// `org`'s data or tokens changed (`None`: any organization's may have).
    pub fn invalidate_org(&self, org: Option<i64>) {
        let Some(org) = org else {
            return self.invalidate();
        };
        let mut changed = self.changed.write().unwrap_or_else(|e| e.into_inner());
        // Under the lock, so no reader sees the new epoch without the organization's.
        let epoch = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        changed.insert(org, epoch);
    }

    fn fresh<V>(&self, entry: &Stamped<V>) -> bool {
        if entry.read_at < self.all_changed.load(Ordering::Acquire) {
            return false;
        }
        entry.org.is_none_or(|org| {
            let changed = self.changed.read().unwrap_or_else(|e| e.into_inner());
            changed.get(&org).is_none_or(|at| entry.read_at >= *at)
        })
    }

    fn cached<V: Clone>(&self, map: &Cache<V>, key: &str) -> Option<V> {
        let entry = map.read().unwrap_or_else(|e| e.into_inner()).map.get(key).cloned()?;
        self.fresh(&entry).then_some(entry.value)
    }

    fn keep<V: Weigh>(&self, map: &Cache<V>, read_at: u64, org: Option<i64>, key: String, value: V) {
        let mut entry = Stamped {
            value,
            org,
            read_at,
            bytes: 0,
        };
        // Read before a change that has since come: never kept (and not weighed).
        if !self.fresh(&entry) {
            return;
        }
        // The key, the map's slot and the entry's own fields beside the value.
        let bytes = entry.value.weight() + key.len() + 64;
        // Larger than a whole cache: never kept.
        if bytes > CACHE_BYTES {
            return;
        }
        entry.bytes = bytes;
        let mut entries = map.write().unwrap_or_else(|e| e.into_inner());
        if entries.map.len() >= CACHE_ENTRIES || entries.bytes + bytes > CACHE_BYTES {
            entries.clear();
        }
        entries.bytes += bytes;
        if let Some(old) = entries.map.insert(key, entry) {
            entries.bytes -= old.bytes;
        }
    }

    pub fn service_token(&self, hash: &str) -> Option<ServiceTokenGrant> {
        self.cached(&self.service_tokens, hash)
    }

    /// Service tokens may route any organization's calls: kept under no organization, so only
    /// a change that names none (any change to service tokens does) drops them.
    pub fn keep_service_token(&self, began: u64, hash: String, grant: ServiceTokenGrant) {
        self.keep(&self.service_tokens, began, None, hash, grant);
    }

    pub fn org_token(&self, hash: &str) -> Option<Arc<(ApiTokenRecord, Arc<Organization>)>> {
        self.cached(&self.org_tokens, hash)
    }

    pub fn keep_org_token(&self, began: u64, hash: String, token: Arc<(ApiTokenRecord, Arc<Organization>)>) {
        let org = Some(token.1.id);
        self.keep(&self.org_tokens, began, org, hash, token);
    }

    fn route(&self, number: &str) -> Option<Route> {
        self.cached(&self.routes, number)
    }

    fn keep_route(&self, began: u64, number: String, route: Route) {
        let org = Some(route.configuration.org_id);
        self.keep(&self.routes, began, org, number, route);
    }
}

enum LedgerMessage {
    Released(Release),
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

/// The trunk an outbound call goes through: the route, and the password opened for this call.
/// Never logged (no `Debug`). What the answer says of the trunk besides its password is the
/// route's alone ([`TrunkPlan::of`]).
pub struct Trunk {
    pub route: Route,
    pub auth_password: Option<SecretString>,
}

/// Where and as whom a route's calls go out: derived from its configuration alone, so an
/// answer can be rendered once per cached route.
pub struct TrunkPlan {
    pub termination_uri: String,
    pub server: String,
    pub transport: String,
    pub domain: Option<String>,
    pub auth_user: Option<String>,
}

impl TrunkPlan {
    pub fn of(route: &RouteRecord) -> Self {
        let config = &route.configuration;
        let credential = TrunkSettings::of(config);
        let termination_uri = match &config.termination_uri {
            Some(uri) if config.provider != "sip" => uri.clone(),
            _ if credential.transport == Transport::Udp.as_str() => format!("sip:{}", credential.server),
            _ => format!("sip:{};transport={}", credential.server, credential.transport),
        };
        Self {
            termination_uri,
            server: credential.server,
            transport: credential.transport,
            domain: credential.domain,
            auth_user: credential.auth_user,
        }
    }
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
/// per call, off the request's path. A batch is what is queued when the first release of a
/// window arrives and until the window closes (or the batch is full, or a flush is asked):
/// the flusher sleeps through the window and then takes what came, instead of being woken for
/// each release (a timer and a task wake-up per call, a tenth of an outbound answer's CPU).
async fn flush_ledger(store: Arc<Store>, mut rx: mpsc::Receiver<LedgerMessage>) {
    while let Some(first) = rx.recv().await {
        let mut batch = Vec::with_capacity(LEDGER_BATCH);
        let mut acks = Vec::new();
        let until = tokio::time::Instant::now() + LEDGER_GATHER;
        let mut next = Some(first);
        let mut slept = false;
        'gather: loop {
            while let Some(message) = next.take() {
                match message {
                    LedgerMessage::Released(release) => batch.push(release),
                    LedgerMessage::Flush(ack) => {
                        acks.push(ack);
                        break 'gather;
                    }
                }
                if batch.len() >= LEDGER_BATCH {
                    break 'gather;
                }
                next = rx.try_recv().ok();
            }
            // Nothing queued: wait for the rest of the window once, then take what came.
            if slept {
                break;
            }
            tokio::time::sleep_until(until).await;
            slept = true;
            next = rx.try_recv().ok();
        }
        write_ledger_batch(&store, &ledger_events(batch)).await;
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

/// Drops cache entries whenever another process may have changed what they hold: the
/// organization a change names, or everything when it names none or changes may have been missed.
async fn watch_changes(routing: Arc<Routing>, store: Arc<Store>) {
    let caches = &routing.caches;
    match store.routing_listener().await {
        Ok(Some(mut listener)) => {
            // Anything written before LISTEN began is not in the caches of a fresh server, but
            // a restarted watcher must not trust them.
            caches.invalidate();
            loop {
                match listener.try_recv().await {
                    Ok(Some(note)) => caches.invalidate_org(changed_org(note.payload())),
                    // The connection dropped (notifications may be lost); the next call reconnects.
                    Ok(None) => caches.invalidate(),
                    // The pool is closing (shutdown): let go of the listener's connection, or
                    // the close waits for it forever.
                    Err(sqlx::Error::PoolClosed) => {
                        caches.invalidate();
                        return;
                    }
                    Err(e) => {
                        caches.invalidate();
                        tracing::warn!(error = %e, "routing change listener failed; retrying");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
        Ok(None) => poll_changes(caches, &store).await,
        Err(e) => {
            // No way to hear of changes: keep nothing longer than the bound.
            tracing::warn!(error = %e, "no routing change listener; caches are dropped every poll");
            loop {
                caches.invalidate();
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
    }
}

/// SQLite: reads `routing_changes` every [`POLL_EVERY`]; prunes what every reader has seen.
async fn poll_changes(caches: &RoutingCaches, store: &Store) {
    let mut seen: Option<i64> = None;
    let mut last_look = tokio::time::Instant::now();
    let mut polls: u64 = 0;
    loop {
        match store.routing_changes_since(seen).await {
            Ok(changes) => {
                // Asleep (or failing) for longer than a pruned change lives: it may have missed some.
                let overslept = last_look.elapsed() > CHANGES_KEPT / 2;
                // The first look only finds where to start: what came before it may be cached.
                if seen.is_none() || changes.gap || overslept {
                    caches.invalidate();
                } else {
                    let mut orgs = changes.orgs;
                    orgs.sort_unstable();
                    orgs.dedup();
                    for org in orgs {
                        caches.invalidate_org(org);
                    }
                }
                seen = Some(changes.last);
                last_look = tokio::time::Instant::now();
            }
            Err(e) => {
                caches.invalidate();
                tracing::warn!(error = %e, "could not read the routing changes");
            }
        }
        polls += 1;
        if polls.is_multiple_of(PRUNE_EVERY_POLLS)
            && let Err(e) = store.prune_routing_changes(CHANGES_KEPT).await
        {
            tracing::warn!(error = %e, "could not prune the routing changes");
        }
        tokio::time::sleep(POLL_EVERY).await;
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
    pub async fn read_configuration(&self, org: &Organization, id: i64) -> Result<Arc<Cached<ConfigurationRecord>>> {
        let caches = &self.routing.caches;
        let key = format!("{}:{id}", org.id);
        if let Some(hit) = caches.cached(&caches.configurations, &key) {
            return Ok(hit);
        }
        let began = caches.epoch();
        let record = Arc::new(Cached::new(
            self.get_configuration(org, ConfigurationKey::Id(id)).await?,
        ));
        caches.keep(&caches.configurations, began, Some(org.id), key, record.clone());
        Ok(record)
    }

    /// [`Self::list_configurations`] for answering a GET, cached like [`Self::read_configuration`].
    pub async fn read_configurations(&self, org: &Organization, query: ListQuery<'_>) -> Result<ConfigurationPage> {
        let caches = &self.routing.caches;
        let key = format!("{}:{:?}:{:?}", org.id, query.provider, query.page);
        if let Some(hit) = caches.cached(&caches.lists, &key) {
            return Ok(hit);
        }
        let began = caches.epoch();
        let page = Arc::new(Cached::new(self.list_configurations(org, query).await?));
        caches.keep(&caches.lists, began, Some(org.id), key, page.clone());
        Ok(page)
    }

    /// The number with its route, from the cache or the database.
    async fn route_for_number(&self, number: &str) -> Result<Option<Route>> {
        let caches = &self.routing.caches;
        if let Some(route) = caches.route(number) {
            return Ok(Some(route));
        }
        let began = caches.epoch();
        let Some(route) = self.store.route_by_number(number).await? else {
            return Ok(None);
        };
        let route = Arc::new(Cached::new(route));
        caches.keep_route(began, number.to_owned(), route.clone());
        Ok(Some(route))
    }

    /// Who answers a call to `to`: 404 for a number unknown (or of an organization the token
    /// may not route), 409 with the reason for one that cannot take calls.
    pub async fn inbound_route(&self, caller: &ServiceCaller, to: &E164) -> Result<Route> {
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
                    Some(Some(route)) => Arc::new(Cached::new(route)),
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
        if let Some((limit, shared)) = TrunkSettings::cps(config) {
            let key = match shared {
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
        // Opened on every call, not kept open in the cache: the plaintext lives for one answer.
        let password_field = if config.provider == "sip" {
            "auth_token"
        } else {
            SIP_PASSWORD
        };
        let auth_password = self.sealer().open_field(config, password_field)?;
        if auth_password.is_some() {
            self.record_release(caller, &route, &from, to).await;
        }
        Ok(Outbound::Route(Box::new(Trunk { route, auth_password })))
    }

    /// Queues a released secret for the audit trail (written by the ledger's flusher; directly
    /// when no server runs one).
    async fn record_release(&self, caller: &ServiceCaller, route: &RouteRecord, from: &OutboundFrom, to: &E164) {
        let release = Release {
            org_id: route.configuration.org_id,
            config_id: route.configuration.id,
            token_id: caller.token_id,
            to: to.clone(),
            from: route.number.clone(),
            bridge: match from {
                OutboundFrom::Bridge { slug, .. } => Some(slug.clone()),
                OutboundFrom::Number(_) => None,
            },
            at: now(),
            request_id: crate::telemetry::current_request_id(),
        };
        match self.routing.ledger.get() {
            Some(tx) => {
                if tx.send(LedgerMessage::Released(release)).await.is_err() {
                    tracing::error!("the released-secrets ledger is closed; an event was lost");
                }
            }
            None => {
                let events = ledger_events(vec![release]);
                // Boxed: a write transaction's state is ~9 KB, and inline it would be part of
                // every outbound answer's future (moved into its box on every call), not only
                // of this path's, which runs without a server.
                if let Err(e) = Box::pin(self.store.insert_audit_batch(&events)).await {
                    tracing::error!(error = %e, "could not write a released secret to the audit trail");
                }
            }
        }
    }
}

/// A released secret, as the ledger holds it until its batch is written.
struct Release {
    org_id: i64,
    config_id: i64,
    token_id: i64,
    to: E164,
    /// The caller id the call presents (the number it is placed from).
    from: String,
    bridge: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
    request_id: Option<String>,
}

impl Release {
    /// The release as one entry of its event's `fields`:
    /// `call:to=+E164;from=+E164[;bridge=slug];at=RFC 3339 ms[;request=<x-request-id>]`
    /// (`request` last: a request id is any printable ASCII, `;` included).
    fn entry(&self) -> String {
        let mut entry = format!("call:to={};from={}", self.to, self.from);
        if let Some(bridge) = &self.bridge {
            entry.push_str(";bridge=");
            entry.push_str(bridge);
        }
        entry.push_str(";at=");
        entry.push_str(&self.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        if let Some(id) = &self.request_id {
            entry.push_str(";request=");
            entry.push_str(id);
        }
        entry
    }
}

/// A batch of releases as audit events: one `route.secret_released` per credential and service
/// token (split every [`CALLS_PER_EVENT`] calls), its `fields` `auth_password`, `calls:N` and
/// one `call:…` entry per release, in order.
/// One row per call cost a database write per call (a third of an outbound answer's CPU on
/// SQLite, measured); one per credential and batch keeps every call and costs a row per ≤ 50 ms.
fn ledger_events(batch: Vec<Release>) -> Vec<AuditEvent> {
    let mut events: Vec<AuditEvent> = Vec::new();
    // Each key's event still open for more calls.
    let mut open: HashMap<(i64, i64, i64), usize> = HashMap::new();
    for release in batch {
        let key = (release.org_id, release.config_id, release.token_id);
        let index = match open.get(&key) {
            Some(&index) if events[index].fields.len() - 2 < CALLS_PER_EVENT => index,
            _ => {
                let mut event = AuditAction::RouteSecretReleased.event(
                    Some(release.org_id),
                    Some(release.config_id.to_string()),
                    vec!["auth_password".to_owned(), String::new()],
                );
                event.actor_token_id = None;
                event.actor = ServiceCaller::actor_of(release.token_id);
                event.at = release.at;
                event.request_id = release.request_id.clone();
                events.push(event);
                open.insert(key, events.len() - 1);
                events.len() - 1
            }
        };
        events[index].fields.push(release.entry());
    }
    for event in &mut events {
        let calls = event.fields.len() - 2;
        event.fields[1] = format!("calls:{calls}");
        // Each call's request id is in its entry; the event's own only when it is one call's.
        if calls > 1 {
            event.request_id = None;
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> Cache<u32> {
        RwLock::default()
    }

    impl Weigh for u32 {
        fn weight(&self) -> usize {
            4
        }
    }

    /// A value of a chosen weight.
    #[derive(Clone, Debug, PartialEq)]
    struct Heavy(usize);

    impl Weigh for Heavy {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn a_cache_is_bounded_in_bytes_not_only_in_entries() {
        let caches = RoutingCaches::default();
        let entries: Cache<Heavy> = RwLock::default();
        let third = CACHE_BYTES / 3;
        // What an entry costs beside its value: its one-letter key and 64.
        let entry = third + 1 + 64;
        for key in ["a", "b", "c"] {
            caches.keep(&entries, caches.epoch(), Some(1), key.into(), Heavy(third));
        }
        // The third would have passed the bound: the cache was emptied first.
        assert_eq!(caches.cached(&entries, "a"), None);
        assert_eq!(caches.cached(&entries, "b"), None);
        assert_eq!(caches.cached(&entries, "c"), Some(Heavy(third)));
        assert_eq!(entries.read().unwrap().bytes, entry);
        // Kept again under the same key: counted once.
        caches.keep(&entries, caches.epoch(), Some(1), "c".into(), Heavy(third));
        assert_eq!(entries.read().unwrap().bytes, entry);
        // Larger than a whole cache: never kept, and nothing else is dropped for it.
        caches.keep(&entries, caches.epoch(), Some(1), "huge".into(), Heavy(CACHE_BYTES));
        assert_eq!(caches.cached(&entries, "huge"), None);
        assert_eq!(caches.cached(&entries, "c"), Some(Heavy(third)));
    }

    #[test]
    fn a_rendered_answer_is_kept_for_its_variant() {
        let cached = Cached::new(7_u32);
        let renders = std::cell::Cell::new(0);
        let render = |variant: usize| {
            cached.rendered(variant, |v| {
                renders.set(renders.get() + 1);
                bytes::Bytes::from(format!("{v}/{variant}"))
            })
        };
        assert_eq!(render(1), "7/1");
        assert_eq!(render(1), "7/1");
        assert_eq!(renders.get(), 1, "the second answer is the kept one");
        // The other variant is kept too, beside it, and never answers for the first.
        assert_eq!(render(0), "7/0");
        assert_eq!(render(0), "7/0");
        assert_eq!(render(1), "7/1");
        assert_eq!(renders.get(), 2);
        // Beyond the kept variants: rendered each time.
        assert_eq!(render(RENDERED_VARIANTS), format!("7/{RENDERED_VARIANTS}"));
        assert_eq!(render(RENDERED_VARIANTS), format!("7/{RENDERED_VARIANTS}"));
        assert_eq!(renders.get(), 4);
    }

    #[test]
    fn a_change_drops_its_organizations_entries_only() {
        let caches = RoutingCaches::default();
        let entries = map();
        let began = caches.epoch();
        caches.keep(&entries, began, Some(1), "a".into(), 1);
        caches.keep(&entries, began, Some(2), "b".into(), 2);
        caches.keep(&entries, began, None, "any".into(), 3);
        caches.invalidate_org(Some(1));
        assert_eq!(caches.cached(&entries, "a"), None);
        assert_eq!(caches.cached(&entries, "b"), Some(2));
        assert_eq!(caches.cached(&entries, "any"), Some(3), "an entry of no organization");
        // Read again after the change: kept and served.
        caches.keep(&entries, caches.epoch(), Some(1), "a".into(), 10);
        assert_eq!(caches.cached(&entries, "a"), Some(10));
    }

    #[test]
    fn a_read_begun_before_a_change_is_not_kept() {
        let caches = RoutingCaches::default();
        let entries = map();
        let began = caches.epoch();
        // The row was read, then its organization changed before the answer was kept.
        caches.invalidate_org(Some(7));
        caches.keep(&entries, began, Some(7), "late".into(), 1);
        assert_eq!(caches.cached(&entries, "late"), None);
        // Another organization's change does not spoil it.
        let began = caches.epoch();
        caches.invalidate_org(Some(8));
        caches.keep(&entries, began, Some(7), "fine".into(), 2);
        assert_eq!(caches.cached(&entries, "fine"), Some(2));
    }

    #[test]
    fn a_change_naming_no_organization_drops_everything() {
        let caches = RoutingCaches::default();
        let entries = map();
        let began = caches.epoch();
        caches.keep(&entries, began, Some(1), "a".into(), 1);
        caches.keep(&entries, began, None, "any".into(), 2);
        caches.invalidate_org(None);
        assert_eq!(caches.cached(&entries, "a"), None);
        assert_eq!(caches.cached(&entries, "any"), None);
        caches.keep(&entries, began, None, "stale".into(), 3);
        assert_eq!(caches.cached(&entries, "stale"), None, "read before the change");
    }

    fn release(org_id: i64, config_id: i64, token_id: i64, to: &str, ms: i64, request: &str) -> Release {
        Release {
            org_id,
            config_id,
            token_id,
            to: E164::parse(to).unwrap(),
            from: "+14155550100".into(),
            bridge: (config_id == 2).then(|| "sales".into()),
            at: chrono::DateTime::from_timestamp_millis(ms).unwrap(),
            request_id: Some(request.into()),
        }
    }

    #[test]
    fn a_batch_is_one_event_per_credential_and_token_with_every_call() {
        let events = ledger_events(vec![
            release(1, 1, 7, "+14155550001", 1_000, "r1"),
            release(1, 2, 7, "+14155550002", 1_001, "r;2"),
            release(1, 1, 7, "+14155550003", 1_002, "r3"),
            release(1, 1, 8, "+14155550004", 1_003, "r4"),
        ]);
        let summary: Vec<_> = events
            .iter()
            .map(|e| {
                (
                    e.resource_id.as_deref().unwrap(),
                    e.actor.as_str(),
                    e.fields.len(),
                    e.request_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("1", "service_token:7", 4, None),
                ("2", "service_token:7", 3, Some("r;2")),
                ("1", "service_token:8", 3, Some("r4")),
            ]
        );
        assert_eq!(
            events[0].fields,
            [
                "auth_password",
                "calls:2",
                "call:to=+14155550001;from=+14155550100;at=1970-01-01T00:00:01.000Z;request=r1",
                "call:to=+14155550003;from=+14155550100;at=1970-01-01T00:00:01.002Z;request=r3",
            ]
        );
        assert_eq!(
            events[1].fields[2],
            "call:to=+14155550002;from=+14155550100;bridge=sales;at=1970-01-01T00:00:01.001Z;request=r;2"
        );
        assert_eq!(
            events[0].at.timestamp_millis(),
            1_000,
            "an event is dated by its first call"
        );
        assert!(
            events
                .iter()
                .all(|e| e.action == "route.secret_released" && e.actor_token_id.is_none())
        );
    }
}
