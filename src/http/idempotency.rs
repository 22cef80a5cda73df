//! Idempotent creates: a POST with an `Idempotency-Key` header is answered once; a retry with
//! the same key and the same request gets the first answer again (status and body) without
//! doing the work twice; the same key with a different request is a 422.
//!
//! Keys are per organization and kept 24 hours. Only successful answers are kept: after a
//! 4xx or 5xx the key is free again, so a client can fix the request and retry. A first
//! request that died without answering frees its key after a minute.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::{AppState, BODY_LIMIT};
use crate::error::Error;
use crate::storage::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";
pub use crate::service::idempotency::RETENTION;
/// A first request still unanswered after this is presumed dead.
const STALE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Answers larger than this are not stored (creates answer a few hundred bytes).
const MAX_STORED: usize = 256 * 1024;

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Any scheme: the key's owner is found even where the handler then refuses the scheme.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (_, token) = value.split_once(' ')?;
    Some(token.trim())
}

pub async fn idempotency(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let Some(key) = key.to_str().ok().filter(|k| valid_key(k)).map(str::to_owned) else {
        return Error::field("Idempotency-Key", "Must be 1-255 visible ASCII characters.").into_response();
    };
    // Keys belong to an organization. Without a valid caller the handler answers (401/403)
    // as it would without the header.
    let caller = match (req.extensions().get::<crate::service::Caller>(), bearer(&req)) {
        // Authenticated already by the rate limiter.
        (Some(caller), _) => Some(caller.clone()),
        (None, Some(token)) => app.authenticate(token).await.ok(),
        (None, None) => None,
    };
    let Some(caller) = caller else {
        return next.run(req).await;
    };
    // The handler's extractors take the caller from here instead of authenticating again; only
    // under the schemes they accept, so any other still gets their 401.
    if super::extract::bearer_token(req.headers()).is_ok() {
        req.extensions_mut().insert(caller.clone());
    }

    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, BODY_LIMIT).await else {
        return Error::PayloadTooLarge.into_response();
    };
    let mut digest = Sha256::new();
    digest.update(parts.method.as_str());
    digest.update(b" ");
    digest.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or_default());
    digest.update(b"\n");
    digest.update(&body);
    let hash = hex::encode(digest.finalize());

    let now = chrono::Utc::now();
    let org = caller.org.id;
    let claim = match app.claim_idempotency_key(org, &key, &hash, now, now - STALE).await {
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
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            let keep = response.status().is_success();
            let (head, body) = response.into_parts();
            let bytes = match to_bytes(body, MAX_STORED).await {
                Ok(bytes) => bytes,
                Err(_) => {
                    let _ = app.release_idempotency_key(org, &key).await;
                    return Error::Internal(anyhow::anyhow!("answer too large to keep for Idempotency-Key"))
                        .into_response();
                }
            };
            let stored = if keep {
                let content_type = head.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
                app.complete_idempotency_key(org, &key, head.status.as_u16(), content_type, &bytes)
                    .await
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
    use super::valid_key;

    #[test]
    fn keys() {
        assert!(valid_key("a"));
        assert!(valid_key("6f1c1d0e-5b1e-4c8e-9a55-0d1c2b3a4f50"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
    }
}
