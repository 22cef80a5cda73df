//! Metrics (one Prometheus recorder per process, rendered at `/metrics`) and the context of the
//! request being served (its id and caller), for error bodies, log lines and audit events.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "patchbay_http_requests_total";
pub const HTTP_DURATION: &str = "patchbay_http_request_duration_seconds";
pub const VERIFICATIONS: &str = "patchbay_verifications_total";
pub const CARRIER_CALL_DURATION: &str = "patchbay_carrier_call_duration_seconds";
pub const DB_POOL_CONNECTIONS: &str = "patchbay_db_pool_connections";
pub const DB_POOL_IDLE: &str = "patchbay_db_pool_idle_connections";

/// The process's recorder, installed on first use (tests start many apps in one process).
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let latency_buckets = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &latency_buckets)
            .expect("bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding application's): then ours
        // still renders what it was given directly.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// What is known about the request being served. Scoped around each request by the HTTP layer;
/// absent for CLI commands.
#[derive(Debug, Default)]
pub struct RequestContext {
    pub request_id: String,
    /// Token id, organization id and handle.
    caller: OnceLock<(i64, i64, String)>,
    /// The e-mail of the person acting (personal token, console session).
    user: OnceLock<String>,
}

tokio::task_local! {
    static REQUEST_CONTEXT: Arc<RequestContext>;
}

impl RequestContext {
    pub fn new(request_id: String) -> Arc<Self> {
        Arc::new(Self {
            request_id,
            caller: OnceLock::new(),
            user: OnceLock::new(),
        })
    }

    /// Runs `f` with this context as the current one.
    pub async fn scope<F: std::future::Future>(self: Arc<Self>, f: F) -> F::Output {
        REQUEST_CONTEXT.scope(self, f).await
    }

    /// The organization handle of the authenticated caller, if any.
    pub fn org_handle(&self) -> Option<&str> {
        self.caller.get().map(|(_, _, handle)| handle.as_str())
    }
}

/// Records who is calling (token id, organization), once authenticated.
pub fn set_caller(token_id: i64, org_id: i64, org_handle: &str) {
    let _ = REQUEST_CONTEXT.try_with(|ctx| ctx.caller.set((token_id, org_id, org_handle.to_owned())));
}

/// The organization the current request acts for, once authenticated.
pub fn current_org_id() -> Option<i64> {
    REQUEST_CONTEXT
        .try_with(|ctx| ctx.caller.get().map(|(_, org, _)| *org))
        .ok()
        .flatten()
}

/// Records the person acting, once authenticated (audit events name them).
pub fn set_user(email: &str) {
    let _ = REQUEST_CONTEXT.try_with(|ctx| ctx.user.set(email.to_owned()));
}

/// The e-mail of the person acting in the current request, if a person is.
pub fn current_user() -> Option<String> {
    REQUEST_CONTEXT.try_with(|ctx| ctx.user.get().cloned()).ok().flatten()
}

pub fn current_request_id() -> Option<String> {
    REQUEST_CONTEXT.try_with(|ctx| ctx.request_id.clone()).ok()
}

/// The token id acting in the current request; `None` outside a request (the CLI).
pub fn current_token_id() -> Option<i64> {
    REQUEST_CONTEXT
        .try_with(|ctx| ctx.caller.get().map(|(id, _, _)| *id))
        .ok()
        .flatten()
}
