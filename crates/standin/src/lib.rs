//! Stand-in carrier APIs served over real HTTP on loopback.
//!
//! Each stand-in is a small axum app bound to `127.0.0.1:0`; [`Server`] gives
//! its URL and shared state so tests can seed data, change credentials and
//! inject faults, then inspect what the code under test did. Every stand-in
//! records a request count per route and can answer the next N calls of a
//! route with a fault (see [`recorder::Fault`]). Route keys are
//! `"<METHOD> <axum route pattern>"`; each module exports them as constants.

pub mod recorder;
pub mod simple;
pub mod twilio;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::task::JoinHandle;

pub use recorder::{Fault, Recorder};

/// A running stand-in. The server stops when this handle is dropped.
pub struct Server<S> {
    addr: SocketAddr,
    state: Arc<S>,
    task: JoinHandle<()>,
}

impl<S> Server<S> {
    /// Base URL without trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &Arc<S> {
        &self.state
    }
}

impl<S> std::ops::Deref for Server<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> Drop for Server<S> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (use port 0 for a random port) and serves `router` in the background.
pub(crate) async fn serve<S>(addr: SocketAddr, router: Router, state: Arc<S>) -> std::io::Result<Server<S>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        // An accept error ends the stand-in; tests then see connection errors.
        let _ = axum::serve(listener, router).await;
    });
    Ok(Server { addr, state, task })
}

/// Loopback with a random port: what tests want.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Decodes an HTTP Basic `Authorization` header into `(user, password)`.
pub(crate) fn basic_auth(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// Random upper-case hex, for Twilio-shaped SIDs (`AC` + 32 hex digits).
pub fn random_hex(len: usize) -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A Twilio-shaped SID: two-letter prefix and 32 hex digits.
pub fn sid(prefix: &str) -> String {
    format!("{prefix}{}", random_hex(32))
}
