//! A webhook receiver on loopback that records every request (and can fail the next ones), and
//! the check of Patchbay's signatures with the official `standardwebhooks` Python library.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    pub at: Instant,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    fail_next: AtomicUsize,
}

pub struct Receiver {
    pub addr: std::net::SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(addr: &str) -> Self {
        let shared = Arc::new(Shared::default());
        let state = shared.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let failing = state
                    .fail_next
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let answered = if failing { 500 } else { 204 };
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                state.received.lock().unwrap().push(Received {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp"),
                    signature: header("webhook-signature"),
                    body,
                    at: Instant::now(),
                    answered,
                });
                StatusCode::from_u16(answered).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, shared, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers 500 to the next `n` requests.
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (bounded) until `done` holds for what was received; returns it.
    pub async fn wait_for(&self, what: &str, within: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not within {within:?}; received {:?}",
                got.iter().map(|r| r.body.clone()).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn stop(self) {
        self.server.abort();
    }
}

/// The Python with `standardwebhooks` installed: `PATCHBAY_STANDARDWEBHOOKS_PYTHON`, else
/// `python3` if it has the library.
fn python() -> Option<String> {
    let candidates = std::env::var("PATCHBAY_STANDARDWEBHOOKS_PYTHON")
        .ok()
        .into_iter()
        .chain(["python3".to_owned()]);
    candidates.into_iter().find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import standardwebhooks"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

const VERIFY: &str = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
msgs = json.load(open(sys.argv[1]))
ok = 0
for m in msgs:
    wh = Webhook(m["secret"])
    headers = {"webhook-id": m["id"], "webhook-timestamp": m["timestamp"], "webhook-signature": m["signature"]}
    payload = wh.verify(m["body"], headers)
    assert payload == json.loads(m["body"]), "payload differs"
    # A changed body must fail: the library really checks.
    try:
        wh.verify(m["body"] + " ", headers)
    except Exception:
        ok += 1
        continue
    raise SystemExit("a tampered body verified")
print("verified", ok)
"#;

/// Verifies each `(secret, message)` with the official library. `false`: the tool is missing
/// (the caller skips; under CI that fails).
pub fn verify_with_standardwebhooks(messages: &[(String, Received)]) -> bool {
    let Some(python) = python() else {
        super::skip_without_tool(
            "CI must install the standardwebhooks Python library and set PATCHBAY_STANDARDWEBHOOKS_PYTHON",
            "standardwebhooks (PyPI) not installed: signature check with the official library skipped",
        );
        return false;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messages.json");
    let json: Vec<Value> = messages
        .iter()
        .map(|(secret, r)| {
            serde_json::json!({"secret": secret, "id": r.id, "timestamp": r.timestamp,
                "signature": r.signature, "body": r.body})
        })
        .collect();
    std::fs::write(&file, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = std::process::Command::new(&python)
        .args(["-c", VERIFY])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "standardwebhooks refused a signature: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("verified {}", messages.len()));
    true
}
