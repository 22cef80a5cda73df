//! Per-route request counting and fault injection, shared by all stand-ins.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a faulted request gets instead of the normal answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with a Twilio-style JSON error body.
    Status(u16),
    /// 429 with `Retry-After: <seconds>`.
    RateLimited { retry_after_secs: u64 },
    /// Waits this long before answering 503, to trip client timeouts.
    Hang(Duration),
    /// Any status with this exact JSON body.
    Json { status: u16, body: serde_json::Value },
    /// Waits this long, then answers normally (a slow carrier: widens a race window).
    Delay(Duration),
}

#[derive(Default)]
struct Inner {
    counts: HashMap<String, usize>,
    faults: HashMap<String, VecDeque<Fault>>,
}

/// Counts requests per route key (`"GET /v2/balance"`) and hands out queued faults.
#[derive(Default, Clone)]
pub struct Recorder {
    inner: Arc<Mutex<Inner>>,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not wedge every later request.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next `times` requests to `route` answer with `fault`.
    pub fn inject(&self, route: &str, fault: Fault, times: usize) {
        let mut inner = self.lock();
        let queue = inner.faults.entry(route.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// Requests seen on `route` (faulted ones included).
    pub fn count(&self, route: &str) -> usize {
        self.lock().counts.get(route).copied().unwrap_or(0)
    }

    /// Requests seen on all routes.
    pub fn total(&self) -> usize {
        self.lock().counts.values().sum()
    }

    /// Forgets counts and pending faults.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.counts.clear();
        inner.faults.clear();
    }

    fn record(&self, route: &str) -> Option<Fault> {
        let mut inner = self.lock();
        *inner.counts.entry(route.to_owned()).or_default() += 1;
        inner.faults.get_mut(route).and_then(VecDeque::pop_front)
    }
}

/// Axum middleware: `route_layer(from_fn_with_state(recorder, recorder::layer))`.
pub async fn layer(State(recorder): State<Recorder>, req: Request, next: Next) -> Response {
    let pattern = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let route = format!("{} {}", req.method(), pattern);
    match recorder.record(&route) {
        None => next.run(req).await,
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            next.run(req).await
        }
        Some(fault) => fault_response(fault).await,
    }
}

async fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_body(status, u32::from(code) * 100, "Injected fault")
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut resp = error_body(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests");
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            resp
        }
        Fault::Hang(wait) => {
            tokio::time::sleep(wait).await;
            error_body(StatusCode::SERVICE_UNAVAILABLE, 20503, "Hung request")
        }
        Fault::Json { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(body)).into_response()
        }
        Fault::Delay(_) => unreachable!("answered normally by `layer`"),
    }
}

/// Twilio's error shape (`code`, `message`, `more_info`, `status`); other stand-ins reuse it.
pub fn error_body(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}
