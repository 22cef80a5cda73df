//! Metrics: one Prometheus recorder per process, rendered at `/metrics`.

use std::sync::OnceLock;

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
