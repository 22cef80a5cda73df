//! Stand-ins for the carriers we only verify against: Plivo, Telnyx, Vonage,
//! Exotel and SignalWire. One account store, one router per carrier.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::recorder::{self, Recorder, error_body};
use crate::{Server, basic_auth};

/// Route keys for [`Recorder::inject`] / [`Recorder::count`].
pub mod routes {
    pub const PLIVO_ACCOUNT: &str = "GET /v1/Account/{auth_id}/";
    pub const TELNYX_BALANCE: &str = "GET /v2/balance";
    pub const VONAGE_BALANCE: &str = "GET /account/get-balance";
    pub const EXOTEL_BALANCE: &str = "GET /v1/Accounts/{sid}/Balance.json";
    pub const SIGNALWIRE_ACCOUNT: &str = "GET /api/laml/2010-04-01/Accounts/{project}";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    Plivo,
    Telnyx,
    Vonage,
    Exotel,
    SignalWire,
}

impl Carrier {
    pub fn slug(self) -> &'static str {
        match self {
            Carrier::Plivo => "plivo",
            Carrier::Telnyx => "telnyx",
            Carrier::Vonage => "vonage",
            Carrier::Exotel => "exotel",
            Carrier::SignalWire => "signalwire",
        }
    }
}

/// One account. Which fields matter depends on the carrier:
/// `id` is the Plivo auth id / Vonage API key / Exotel SID / SignalWire project;
/// `key` is Exotel's API key (unused elsewhere); `secret` is the token/API key/secret.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleAccount {
    pub id: String,
    pub key: String,
    pub secret: String,
    pub balance: f64,
    /// Plivo `account_type` (`standard|developer`), SignalWire `type` (`Full|Trial`).
    pub account_type: String,
    /// SignalWire `status` (`active|suspended|closed`).
    pub status: String,
}

pub struct SimpleState {
    pub carrier: Carrier,
    accounts: Mutex<BTreeMap<String, SimpleAccount>>,
    pub recorder: Recorder,
}

pub type SimpleStandin = Server<SimpleState>;

/// Starts the carrier's stand-in on `127.0.0.1:0`.
pub async fn start(carrier: Carrier) -> std::io::Result<SimpleStandin> {
    start_on(carrier, crate::loopback()).await
}

pub async fn start_on(carrier: Carrier, addr: SocketAddr) -> std::io::Result<SimpleStandin> {
    let state = Arc::new(SimpleState {
        carrier,
        accounts: Mutex::default(),
        recorder: Recorder::default(),
    });
    let router = match carrier {
        Carrier::Plivo => Router::new().route("/v1/Account/{auth_id}/", get(plivo_account)),
        Carrier::Telnyx => Router::new().route("/v2/balance", get(telnyx_balance)),
        Carrier::Vonage => Router::new().route("/account/get-balance", get(vonage_balance)),
        Carrier::Exotel => Router::new().route("/v1/Accounts/{sid}/Balance.json", get(exotel_balance)),
        Carrier::SignalWire => Router::new().route("/api/laml/2010-04-01/Accounts/{project}", get(signalwire_account)),
    }
    .route_layer(from_fn_with_state(state.recorder.clone(), recorder::layer))
    .with_state(state.clone());
    crate::serve(addr, router, state).await
}

impl SimpleState {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, SimpleAccount>> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an account with a positive balance, paid type and active status; returns it.
    pub fn add_account(&self) -> SimpleAccount {
        let id = match self.carrier {
            Carrier::Plivo => format!("MA{}", crate::random_hex(18).to_ascii_uppercase()),
            Carrier::Telnyx => format!("telnyx-{}", crate::random_hex(8)),
            Carrier::Vonage => crate::random_hex(8),
            Carrier::Exotel => format!("exotel{}", crate::random_hex(6)),
            Carrier::SignalWire => {
                let h = crate::random_hex(32);
                format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
            }
        };
        let account = SimpleAccount {
            id: id.clone(),
            key: format!("key{}", crate::random_hex(12)),
            secret: match self.carrier {
                Carrier::Telnyx => format!("KEY{}", crate::random_hex(32).to_ascii_uppercase()),
                _ => crate::random_hex(32),
            },
            balance: 12.5,
            account_type: match self.carrier {
                Carrier::Plivo => "standard",
                _ => "Full",
            }
            .to_owned(),
            status: "active".to_owned(),
        };
        self.lock().insert(id, account.clone());
        account
    }

    /// Changes an account in place (revoke a secret, set a negative balance, suspend…).
    pub fn update(&self, id: &str, change: impl FnOnce(&mut SimpleAccount)) {
        if let Some(acc) = self.lock().get_mut(id) {
            change(acc);
        }
    }

    /// Basic-auth (`id:secret`, or `key:secret` for Exotel) lookup.
    fn basic(&self, headers: &HeaderMap) -> Option<SimpleAccount> {
        let (user, pass) = basic_auth(headers)?;
        let by_key = self.carrier == Carrier::Exotel;
        self.lock()
            .values()
            .find(|a| (if by_key { &a.key } else { &a.id }) == &user && a.secret == pass)
            .cloned()
    }
}

fn unauthorized(body: Value) -> Response {
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

async fn plivo_account(
    State(st): State<Arc<SimpleState>>,
    Path(auth_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == auth_id) else {
        // Plivo answers 401 with a plain-text body.
        return (
            StatusCode::UNAUTHORIZED,
            "Could not verify your access level for that URL.",
        )
            .into_response();
    };
    axum::Json(json!({
        "account_type": acc.account_type,
        "address": "1 Stand-in Way",
        "api_id": "00000000-0000-0000-0000-000000000000",
        "auth_id": acc.id,
        "auto_recharge": false,
        "billing_mode": "prepaid",
        "cash_credits": format!("{:.5}", acc.balance),
        "city": "Gotham",
        "name": "Stand-in",
        "resource_uri": format!("/v1/Account/{}/", acc.id),
        "state": "NY",
        "timezone": "America/New_York",
    }))
    .into_response()
}

async fn telnyx_balance(State(st): State<Arc<SimpleState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let acc = token.and_then(|t| st.lock().values().find(|a| a.secret == t).cloned());
    let Some(acc) = acc else {
        return unauthorized(json!({"errors": [{
            "code": "10009",
            "title": "Authentication failed",
            "detail": "The API key looks malformed. Check that you copied it correctly.",
        }]}));
    };
    axum::Json(json!({"data": {
        "record_type": "balance",
        "pending": "0.00",
        "balance": format!("{:.2}", acc.balance),
        "credit_limit": "0.00",
        "available_credit": format!("{:.2}", acc.balance.max(0.0)),
        "currency": "USD",
    }}))
    .into_response()
}

async fn vonage_balance(
    State(st): State<Arc<SimpleState>>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    // Vonage takes Basic auth or api_key/api_secret query parameters.
    let by_query = || {
        let (key, secret) = (q.get("api_key")?, q.get("api_secret")?);
        st.lock().get(key).filter(|a| a.secret == *secret).cloned()
    };
    let Some(acc) = st.basic(&headers).or_else(by_query) else {
        return unauthorized(json!({
            "type": "https://developer.nexmo.com/api-errors#unauthorized",
            "title": "Unauthorized",
            "detail": "You did not provide correct credentials.",
            "instance": "00000000-0000-0000-0000-000000000000",
        }));
    };
    axum::Json(json!({"value": acc.balance, "autoReload": false})).into_response()
}

async fn exotel_balance(State(st): State<Arc<SimpleState>>, Path(sid): Path<String>, headers: HeaderMap) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == sid) else {
        return unauthorized(json!({"RestException": {
            "Status": 401,
            "Message": "Authentication is required to view this page.",
        }}));
    };
    axum::Json(json!({"Account": {
        "AccountSid": acc.id,
        "BalanceData": {
            "Balance": format!("{:.2}", acc.balance),
            "Currency": "INR",
            "PricingPlan": "Pay As You Go",
            "DateUpdated": "2026-01-01 00:00:00",
        }
    }}))
    .into_response()
}

async fn signalwire_account(
    State(st): State<Arc<SimpleState>>,
    Path(project): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(project) = project.strip_suffix(".json") else {
        return error_body(StatusCode::NOT_FOUND, 20404, "Not Found");
    };
    let Some(acc) = st.basic(&headers).filter(|a| a.id == project) else {
        return error_body(StatusCode::UNAUTHORIZED, 20003, "Authentication Failed");
    };
    axum::Json(json!({
        "sid": acc.id,
        "friendly_name": "Stand-in space",
        "status": acc.status,
        "type": acc.account_type,
        "auth_token": acc.secret,
        "owner_account_sid": acc.id,
        "date_created": chrono::Utc::now().to_rfc2822(),
        "date_updated": chrono::Utc::now().to_rfc2822(),
        "uri": format!("/api/laml/2010-04-01/Accounts/{}", acc.id),
        "subresource_uris": {},
    }))
    .into_response()
}
