//! Sending requests and reading their answers; running many at once.

use reqwest::RequestBuilder;
use serde_json::Value;

/// Sends a request, returning the status and the JSON body (`Value::Null` for an empty body).
pub async fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request failed");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)))
    };
    (status, body)
}

/// Sends; returns the status, the ETag and the JSON body (`Value::Null` when it is not JSON).
pub async fn send_with_etag(request: RequestBuilder) -> (u16, Option<String>, Value) {
    let response = request.send().await.expect("request failed");
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, etag, body)
}

/// Runs every future at once, each on its own task, and returns their outputs in order.
pub async fn join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// Sends a request and returns its body as text, whatever the status.
pub async fn body_text(request: RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// Sends a request and returns its body as JSON, whatever the status.
pub async fn body_json(request: RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Waits (polling, at most 20 s) until `ready` holds: the event a test needs, not a guessed delay.
pub async fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}
