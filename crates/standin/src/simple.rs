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
    pub const PLIVO_NUMBERS: &str = "GET /v1/Account/{auth_id}/Number/";
    pub const TELNYX_NUMBERS: &str = "GET /v2/phone_numbers";
    pub const VONAGE_NUMBERS: &str = "GET /account/numbers";
    pub const EXOTEL_NUMBERS: &str = "GET /v2_beta/Accounts/{sid}/IncomingPhoneNumbers";
    pub const SIGNALWIRE_NUMBERS: &str = "GET /api/laml/2010-04-01/Accounts/{project}/IncomingPhoneNumbers.json";
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
    /// The account's phone numbers, E.164, in the order they were added.
    pub numbers: Vec<String>,
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
        Carrier::Plivo => Router::new()
            .route("/v1/Account/{auth_id}/", get(plivo_account))
            .route("/v1/Account/{auth_id}/Number/", get(plivo_numbers)),
        Carrier::Telnyx => Router::new()
            .route("/v2/balance", get(telnyx_balance))
            .route("/v2/phone_numbers", get(telnyx_numbers)),
        Carrier::Vonage => Router::new()
            .route("/account/get-balance", get(vonage_balance))
            .route("/account/numbers", get(vonage_numbers)),
        Carrier::Exotel => Router::new()
            .route("/v1/Accounts/{sid}/Balance.json", get(exotel_balance))
            .route("/v2_beta/Accounts/{sid}/IncomingPhoneNumbers", get(exotel_numbers)),
        Carrier::SignalWire => Router::new()
            .route("/api/laml/2010-04-01/Accounts/{project}", get(signalwire_account))
            .route(
                "/api/laml/2010-04-01/Accounts/{project}/IncomingPhoneNumbers.json",
                get(signalwire_numbers),
            ),
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
            numbers: Vec::new(),
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

    /// Gives the account a phone number (E.164).
    pub fn add_number(&self, id: &str, number: &str) {
        self.update(id, |acc| acc.numbers.push(number.to_owned()));
    }

    /// Bearer lookup (Telnyx).
    fn bearer(&self, headers: &HeaderMap) -> Option<SimpleAccount> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))?;
        self.lock().values().find(|a| a.secret == token).cloned()
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
        return plivo_unauthorized();
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

/// Plivo answers 401 with a plain-text body.
fn plivo_unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "Could not verify your access level for that URL.",
    )
        .into_response()
}

fn vonage_unauthorized() -> Response {
    unauthorized(json!({
        "type": "https://developer.nexmo.com/api-errors#unauthorized",
        "title": "Unauthorized",
        "detail": "You did not provide correct credentials.",
        "instance": "00000000-0000-0000-0000-000000000000",
    }))
}

fn exotel_unauthorized() -> Response {
    unauthorized(json!({"RestException": {
        "Status": 401,
        "Message": "Authentication is required to view this page.",
    }}))
}

fn telnyx_unauthorized() -> Response {
    unauthorized(json!({"errors": [{
        "code": "10009",
        "title": "Authentication failed",
        "detail": "The API key looks malformed. Check that you copied it correctly.",
    }]}))
}

async fn telnyx_balance(State(st): State<Arc<SimpleState>>, headers: HeaderMap) -> Response {
    let Some(acc) = st.bearer(&headers) else {
        return telnyx_unauthorized();
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
        return vonage_unauthorized();
    };
    axum::Json(json!({"value": acc.balance, "autoReload": false})).into_response()
}

async fn exotel_balance(State(st): State<Arc<SimpleState>>, Path(sid): Path<String>, headers: HeaderMap) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == sid) else {
        return exotel_unauthorized();
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

/// `(items of page, more after it)` for a 0-based `offset` and page `size`.
fn window(items: &[String], offset: usize, size: usize) -> (&[String], bool) {
    let start = offset.min(items.len());
    let end = (start + size).min(items.len());
    (&items[start..end], end < items.len())
}

fn query_number(q: &BTreeMap<String, String>, key: &str, default: usize) -> usize {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Plivo's "list all rented numbers": `limit` at most 20, `offset`; numbers without `+`.
async fn plivo_numbers(
    State(st): State<Arc<SimpleState>>,
    Path(auth_id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == auth_id) else {
        return plivo_unauthorized();
    };
    let limit = query_number(&q, "limit", 20).clamp(1, 20);
    let offset = query_number(&q, "offset", 0);
    let (page, more) = window(&acc.numbers, offset, limit);
    let next = more.then(|| format!("/v1/Account/{auth_id}/Number/?limit={limit}&offset={}", offset + limit));
    axum::Json(json!({
        "api_id": "00000000-0000-0000-0000-000000000000",
        "meta": {"limit": limit, "next": next, "offset": offset, "previous": null, "total_count": acc.numbers.len()},
        "objects": page.iter().map(|n| json!({
            "alias": format!("Stand-in {n}"),
            "number": n.trim_start_matches('+'),
            "number_type": "local",
            "resource_uri": format!("/v1/Account/{auth_id}/Number/{}/", n.trim_start_matches('+')),
            "voice_enabled": true,
            "sms_enabled": true,
        })).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Telnyx's "list phone numbers": `page[number]` from 1, `page[size]` at most 250.
async fn telnyx_numbers(
    State(st): State<Arc<SimpleState>>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(acc) = st.bearer(&headers) else {
        return telnyx_unauthorized();
    };
    let size = query_number(&q, "page[size]", 20).clamp(1, 250);
    let number = query_number(&q, "page[number]", 1).max(1);
    let (page, _) = window(&acc.numbers, (number - 1) * size, size);
    axum::Json(json!({
        "data": page.iter().enumerate().map(|(i, n)| json!({
            "id": (1_293_384_261_075_731_000u64 + ((number - 1) * size + i) as u64).to_string(),
            "record_type": "phone_number",
            "phone_number": n,
            "status": "active",
            "connection_name": format!("Stand-in {n}"),
        })).collect::<Vec<_>>(),
        "meta": {
            "total_pages": acc.numbers.len().div_ceil(size).max(1),
            "total_results": acc.numbers.len(),
            "page_number": number,
            "page_size": size,
        },
    }))
    .into_response()
}

/// Vonage's "list the numbers you own": `index` from 1, `size` at most 100; msisdn without `+`.
async fn vonage_numbers(
    State(st): State<Arc<SimpleState>>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(acc) = st.basic(&headers) else {
        return vonage_unauthorized();
    };
    let size = query_number(&q, "size", 10).clamp(1, 100);
    let index = query_number(&q, "index", 1).max(1);
    let (page, _) = window(&acc.numbers, (index - 1) * size, size);
    axum::Json(json!({
        "count": acc.numbers.len(),
        "numbers": page.iter().map(|n| json!({
            "country": "US",
            "msisdn": n.trim_start_matches('+'),
            "type": "mobile-lvn",
            "features": ["VOICE", "SMS"],
        })).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Exotel's "list all ExoPhones".
async fn exotel_numbers(State(st): State<Arc<SimpleState>>, Path(sid): Path<String>, headers: HeaderMap) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == sid) else {
        return exotel_unauthorized();
    };
    axum::Json(json!({"incoming_phone_numbers": acc.numbers.iter().map(|n| json!({
        "sid": format!("{:0>32}", n.trim_start_matches('+')),
        "account_sid": acc.id,
        "phone_number": n,
        "friendly_name": n.trim_start_matches('+'),
        "capabilities": {"voice": true, "sms": true},
        "country": "IN",
    })).collect::<Vec<_>>()}))
    .into_response()
}

/// SignalWire's LaML "list incoming phone numbers": Twilio-shaped pages (`PageSize`, `Page`).
async fn signalwire_numbers(
    State(st): State<Arc<SimpleState>>,
    Path(project): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(acc) = st.basic(&headers).filter(|a| a.id == project) else {
        return error_body(StatusCode::UNAUTHORIZED, 20003, "Authentication Failed");
    };
    let size = query_number(&q, "PageSize", 50).clamp(1, 1000);
    let page_no = query_number(&q, "Page", 0);
    let (page, more) = window(&acc.numbers, page_no * size, size);
    let base = format!("/api/laml/2010-04-01/Accounts/{project}/IncomingPhoneNumbers.json");
    axum::Json(json!({
        "incoming_phone_numbers": page.iter().map(|n| json!({
            "sid": format!("PN{:0>32}", n.trim_start_matches('+')),
            "account_sid": project,
            "phone_number": n,
            "friendly_name": n,
        })).collect::<Vec<_>>(),
        "next_page_uri": more.then(|| format!("{base}?PageSize={size}&Page={}", page_no + 1)),
        "page": page_no,
        "page_size": size,
    }))
    .into_response()
}
