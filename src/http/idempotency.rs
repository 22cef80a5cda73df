//! Idempotent creates: a POST with an `Idempotency-Key` header is answered once; a retry with
//! the same key and the same request gets the first answer again (status and body) without
//! doing the work twice; the same key with a different request is a 422.
//!
//! Keys are per organization and kept 24 hours. Only successful answers are kept: after a
//! 4xx or 5xx the key is free again, so a client can fix the request and retry. A first
//! request that died without answering frees its key after [`stale_after`] (a minute, and
//! always longer than the request deadline). Requests are compared by a keyed fingerprint
//! (HMAC under a key derived from the master key, bound to the organization), never a plain
//! hash of a body that holds secrets.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, BODY_LIMIT};
use crate::error::Error;
use crate::storage::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";
pub use crate::service::idempotency::RETENTION;

/// How the idempotency layer is tuned.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencySettings {
    /// A first request still unanswered after this is presumed dead and its key taken over.
    /// Longer than the request deadline, so a request still running is never run twice.
    pub stale_after: std::time::Duration,
    /// The request deadline: reading the body counts against it too.
    pub deadline: std::time::Duration,
    /// Answers larger than this are not kept for replay (creates answer a few hundred bytes).
    pub max_stored: usize,
}

impl IdempotencySettings {
    pub fn for_deadline(deadline: std::time::Duration) -> Self {
        Self {
            stale_after: stale_after(deadline),
            deadline,
            max_stored: 256 * 1024,
        }
    }
}

/// The staleness window: a minute, and always half a minute past the request deadline.
pub fn stale_after(deadline: std::time::Duration) -> std::time::Duration {
    (deadline + std::time::Duration::from_secs(30)).max(std::time::Duration::from_secs(60))
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Any scheme: the key's owner is found even where the handler then refuses the scheme.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (_, token) = value.split_once(' ')?;
    Some(token.trim())
}

/// Marks an answer that shows a secret once (a webhook signing secret): it is never kept for
/// replay, which would store the secret in the clear; a retry learns the work is done.
#[derive(Clone, Copy, Debug)]
pub struct ShownOnce;

pub async fn idempotency<N, F>(app: &AppState, settings: IdempotencySettings, req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    // Routing answers carry secrets and change nothing to retry: never kept.
    if req.method() != Method::POST
        || !req.uri().path().starts_with("/api/")
        || req.uri().path().starts_with(super::v2::ROUTES_PREFIX)
    {
        return next(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next(req).await;
    };
    let Some(key) = key.to_str().ok().filter(|k| valid_key(k)).map(str::to_owned) else {
        return Error::field("Idempotency-Key", "Must be 1-255 visible ASCII characters.").into_response();
    };
    // Boxed: inline, its many locals would make every request's future (which the router
    // boxes, and so copies) kilobytes larger, keyed or not.
    Box::pin(keyed(app, settings, key, req, next)).await
}

/// A POST with a valid `Idempotency-Key`.
async fn keyed<N, F>(app: &AppState, settings: IdempotencySettings, key: String, mut req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    // Keys belong to an organization. Without a valid caller the handler answers (401/403)
    // as it would without the header.
    let caller = match (req.extensions().get::<crate::service::Caller>(), bearer(&req)) {
        // Authenticated already by the rate limiter.
        (Some(caller), _) => Some(caller.clone()),
        (None, Some(_)) => super::extract::authenticate(app, req.headers()).await.ok(),
        (None, None) => None,
    };
    let Some(caller) = caller else {
        return next(req).await;
    };
    // The handler's extractors take the caller from here instead of authenticating again; only
    // under the schemes they accept, so any other still gets their 401.
    if super::extract::bearer_token(req.headers()).is_ok() {
        req.extensions_mut().insert(caller.clone());
    }

    let (parts, body) = req.into_parts();
    // Read within the request deadline: a body trickled in forever must not hold the request.
    let body = match tokio::time::timeout(settings.deadline, to_bytes(body, BODY_LIMIT)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return Error::PayloadTooLarge.into_response(),
        Err(_) => return Error::Timeout.into_response(),
    };
    let request_line = format!(
        "{} {}",
        parts.method,
        parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or_default()
    );
    let org = caller.org.id;
    let hashes = app.request_fingerprints(org, &request_line, &body);

    let now = chrono::Utc::now();
    let stale = chrono::TimeDelta::from_std(settings.stale_after).unwrap_or(chrono::TimeDelta::MAX);
    let claim = match app.claim_idempotency_key(org, &key, &hashes, now, now - stale).await {
        Ok(claim) => claim,
        Err(e) => return e.into_response(),
    };
    match claim {
        IdempotencyClaim::Replay {
            status,
            content_type,
            body,
        } => {
            let mut response = (axum::http::StatusCode::from_u16(status).unwrap_or_default(), body).into_response();
            if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        IdempotencyClaim::InProgress => {
            Error::Conflict("A request with this Idempotency-Key is still in progress; retry later.").into_response()
        }
        IdempotencyClaim::Mismatch => {
            Error::UnprocessableEntity("This Idempotency-Key was already used with a different request.")
                .into_response()
        }
        IdempotencyClaim::New => {
            let response = next(Request::from_parts(parts, Body::from(body))).await;
            let keep = response.status().is_success();
            let (head, body) = response.into_parts();
            // Our own handler's answer, already in memory: the client gets it whole, whatever
            // its size; only what is kept for replay is bounded.
            let bytes = match to_bytes(body, usize::MAX).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    let _ = app.release_idempotency_key(org, &key).await;
                    return Error::Internal(anyhow::anyhow!("could not read the answer: {e}")).into_response();
                }
            };
            let stored = if keep {
                let status = head.status.as_u16();
                let shown_once = head.extensions.get::<ShownOnce>().is_some();
                if bytes.len() <= settings.max_stored && !shown_once {
                    let content_type = head.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
                    app.complete_idempotency_key(org, &key, status, content_type, &bytes)
                        .await
                } else {
                    // The work is done: a retry must learn that, never run it again nor fail.
                    let why = if shown_once {
                        "held a secret shown once (rotate it for a new one)"
                    } else {
                        "was too large to keep"
                    };
                    let note = serde_json::json!({
                        "status_code": status,
                        "message": format!("Already done: the first answer to this Idempotency-Key {why}; read the resource for its current state."),
                    });
                    app.complete_idempotency_key(
                        org,
                        &key,
                        status,
                        Some("application/json"),
                        note.to_string().as_bytes(),
                    )
                    .await
                }
            } else {
                app.release_idempotency_key(org, &key).await
            };
            if let Err(e) = stored {
                // The work is done and answered; a retry would see "in progress", then run again
                // after the stale period: worth a warning, not a failed request.
                tracing::warn!(error = %e, "could not record the answer to an Idempotency-Key");
            }
            Response::from_parts(head, Body::from(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{stale_after, valid_key};
    use std::time::Duration;

    #[test]
    fn a_running_request_is_never_stale() {
        for deadline in [1, 30, 60, 300, 3600] {
            let deadline = Duration::from_secs(deadline);
            assert!(stale_after(deadline) > deadline, "{deadline:?}");
        }
        assert_eq!(stale_after(Duration::from_secs(5)), Duration::from_secs(60));
    }

    #[test]
    fn keys() {
        assert!(valid_key("a"));
        assert!(valid_key("6f1c1d0e-5b1e-4c8e-9a55-0d1c2b3a4f50"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
    }
}
