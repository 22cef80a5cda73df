//! Stateful Twilio stand-in serving both `api.twilio.com` (`/2010-04-01/...`)
//! and `trunking.twilio.com` (`/v1/...`) paths, so both base URLs can point at it.
//!
//! Shapes follow Twilio's OpenAPI specs (`twilio_api_v2010.json`,
//! `twilio_trunking_v1.json`): form-encoded PascalCase request fields,
//! snake_case JSON responses, `{code, message, more_info, status}` errors.

// Helpers return ready-made error responses; their size does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::recorder::{self, Recorder, error_body};
use crate::{Server, basic_auth, sid};

/// Route keys for [`Recorder::inject`] / [`Recorder::count`].
pub mod routes {
    pub const FETCH_ACCOUNT: &str = "GET /2010-04-01/Accounts/{account}";
    pub const LIST_NUMBERS: &str = "GET /2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json";
    pub const FETCH_NUMBER: &str = "GET /2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{number}";
    pub const CREATE_CREDENTIAL_LIST: &str = "POST /2010-04-01/Accounts/{account}/SIP/CredentialLists.json";
    pub const LIST_CREDENTIAL_LISTS: &str = "GET /2010-04-01/Accounts/{account}/SIP/CredentialLists.json";
    pub const DELETE_CREDENTIAL_LIST: &str = "DELETE /2010-04-01/Accounts/{account}/SIP/CredentialLists/{list}";
    pub const CREATE_CREDENTIAL: &str =
        "POST /2010-04-01/Accounts/{account}/SIP/CredentialLists/{list}/Credentials.json";
    pub const CREATE_TRUNK: &str = "POST /v1/Trunks";
    pub const LIST_TRUNKS: &str = "GET /v1/Trunks";
    pub const FETCH_TRUNK: &str = "GET /v1/Trunks/{trunk}";
    pub const UPDATE_TRUNK: &str = "POST /v1/Trunks/{trunk}";
    pub const DELETE_TRUNK: &str = "DELETE /v1/Trunks/{trunk}";
    pub const ATTACH_CREDENTIAL_LIST: &str = "POST /v1/Trunks/{trunk}/CredentialLists";
    pub const LIST_TRUNK_CREDENTIAL_LISTS: &str = "GET /v1/Trunks/{trunk}/CredentialLists";
    pub const DETACH_CREDENTIAL_LIST: &str = "DELETE /v1/Trunks/{trunk}/CredentialLists/{list}";
    pub const ATTACH_PHONE_NUMBER: &str = "POST /v1/Trunks/{trunk}/PhoneNumbers";
    pub const LIST_TRUNK_PHONE_NUMBERS: &str = "GET /v1/Trunks/{trunk}/PhoneNumbers";
    pub const DETACH_PHONE_NUMBER: &str = "DELETE /v1/Trunks/{trunk}/PhoneNumbers/{number}";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub sid: String,
    pub auth_token: String,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// `Full` or `Trial`.
    pub account_type: String,
    pub friendly_name: String,
    /// API key SID (`SK…`) → secret.
    pub api_keys: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trunk {
    pub sid: String,
    pub account_sid: String,
    pub friendly_name: Option<String>,
    pub domain_name: Option<String>,
    pub transfer_mode: String,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialList {
    pub sid: String,
    pub account_sid: String,
    pub friendly_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub sid: String,
    pub list_sid: String,
    pub username: String,
    /// Kept so tests can check what was sent; Twilio never returns it.
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber {
    pub sid: String,
    pub account_sid: String,
    pub phone_number: String,
    pub trunk_sid: Option<String>,
}

#[derive(Default)]
struct Data {
    accounts: BTreeMap<String, Account>,
    trunks: BTreeMap<String, Trunk>,
    credential_lists: BTreeMap<String, CredentialList>,
    credentials: BTreeMap<String, Credential>,
    numbers: BTreeMap<String, PhoneNumber>,
    /// (trunk sid, credential list sid)
    trunk_credential_lists: BTreeSet<(String, String)>,
    max_page_size: Option<usize>,
}

/// Shared state of the Twilio stand-in; reach it through [`Server`]'s `Deref`.
#[derive(Default)]
pub struct TwilioState {
    data: Mutex<Data>,
    pub recorder: Recorder,
}

pub type TwilioStandin = Server<TwilioState>;

/// Starts the stand-in on `127.0.0.1:0`.
pub async fn start() -> std::io::Result<TwilioStandin> {
    start_on(crate::loopback()).await
}

pub async fn start_on(addr: SocketAddr) -> std::io::Result<TwilioStandin> {
    let state = Arc::new(TwilioState::default());
    crate::serve(addr, router(state.clone()), state).await
}

impl TwilioState {
    fn lock(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an active full account; returns `(sid, auth_token)`.
    pub fn add_account(&self) -> (String, String) {
        self.add_account_with("active", "Full")
    }

    /// Adds an account with the given status (`active|suspended|closed`) and type (`Full|Trial`).
    pub fn add_account_with(&self, status: &str, account_type: &str) -> (String, String) {
        let account = Account {
            sid: sid("AC"),
            auth_token: crate::random_hex(32),
            status: status.to_owned(),
            account_type: account_type.to_owned(),
            friendly_name: "Stand-in account".to_owned(),
            api_keys: BTreeMap::new(),
        };
        let out = (account.sid.clone(), account.auth_token.clone());
        self.lock().accounts.insert(account.sid.clone(), account);
        out
    }

    /// Adds (or replaces) an active full account with a chosen sid and auth token.
    pub fn put_account(&self, sid: &str, auth_token: &str) {
        let account = Account {
            sid: sid.to_owned(),
            auth_token: auth_token.to_owned(),
            status: "active".to_owned(),
            account_type: "Full".to_owned(),
            friendly_name: "Stand-in account".to_owned(),
            api_keys: BTreeMap::new(),
        };
        self.lock().accounts.insert(sid.to_owned(), account);
    }

    /// Adds an API key to the account; returns `(SK… sid, secret)`.
    pub fn add_api_key(&self, account_sid: &str) -> (String, String) {
        let key = (sid("SK"), crate::random_hex(32));
        if let Some(acc) = self.lock().accounts.get_mut(account_sid) {
            acc.api_keys.insert(key.0.clone(), key.1.clone());
        }
        key
    }

    /// Replaces the auth token (the old one is then rejected).
    pub fn set_auth_token(&self, account_sid: &str, token: &str) {
        if let Some(acc) = self.lock().accounts.get_mut(account_sid) {
            acc.auth_token = token.to_owned();
        }
    }

    pub fn set_status(&self, account_sid: &str, status: &str) {
        if let Some(acc) = self.lock().accounts.get_mut(account_sid) {
            acc.status = status.to_owned();
        }
    }

    pub fn set_account_type(&self, account_sid: &str, account_type: &str) {
        if let Some(acc) = self.lock().accounts.get_mut(account_sid) {
            acc.account_type = account_type.to_owned();
        }
    }

    /// Caps list page sizes, to exercise paging with few items.
    pub fn set_max_page_size(&self, size: usize) {
        self.lock().max_page_size = Some(size.max(1));
    }

    /// Seeds an incoming phone number (E.164) owned by the account; returns its `PN…` sid.
    pub fn add_incoming_number(&self, account_sid: &str, phone_number: &str) -> String {
        let pn = PhoneNumber {
            sid: sid("PN"),
            account_sid: account_sid.to_owned(),
            phone_number: phone_number.to_owned(),
            trunk_sid: None,
        };
        let out = pn.sid.clone();
        self.lock().numbers.insert(pn.sid.clone(), pn);
        out
    }

    pub fn account(&self, sid: &str) -> Option<Account> {
        self.lock().accounts.get(sid).cloned()
    }

    pub fn trunks(&self) -> Vec<Trunk> {
        self.lock().trunks.values().cloned().collect()
    }

    pub fn credential_lists(&self) -> Vec<CredentialList> {
        self.lock().credential_lists.values().cloned().collect()
    }

    pub fn credentials(&self, list_sid: &str) -> Vec<Credential> {
        let data = self.lock();
        data.credentials
            .values()
            .filter(|c| c.list_sid == list_sid)
            .cloned()
            .collect()
    }

    pub fn numbers(&self) -> Vec<PhoneNumber> {
        self.lock().numbers.values().cloned().collect()
    }

    /// Credential list sids attached to the trunk.
    pub fn trunk_credential_lists(&self, trunk_sid: &str) -> Vec<String> {
        let data = self.lock();
        trunk_cl_sids(&data, trunk_sid)
    }

    /// Phone number sids attached to the trunk.
    pub fn trunk_phone_numbers(&self, trunk_sid: &str) -> Vec<String> {
        let data = self.lock();
        trunk_pn_sids(&data, trunk_sid)
    }
}

fn trunk_cl_sids(data: &Data, trunk_sid: &str) -> Vec<String> {
    data.trunk_credential_lists
        .iter()
        .filter(|(t, _)| t == trunk_sid)
        .map(|(_, cl)| cl.clone())
        .collect()
}

fn trunk_pn_sids(data: &Data, trunk_sid: &str) -> Vec<String> {
    data.numbers
        .values()
        .filter(|n| n.trunk_sid.as_deref() == Some(trunk_sid))
        .map(|n| n.sid.clone())
        .collect()
}

fn router(state: Arc<TwilioState>) -> Router {
    let api = "/2010-04-01/Accounts/{account}";
    Router::new()
        .route(api, get(fetch_account))
        .route(&format!("{api}/IncomingPhoneNumbers.json"), get(list_numbers))
        .route(&format!("{api}/IncomingPhoneNumbers/{{number}}"), get(fetch_number))
        .route(
            &format!("{api}/SIP/CredentialLists.json"),
            get(list_credential_lists).post(create_credential_list),
        )
        .route(
            &format!("{api}/SIP/CredentialLists/{{list}}"),
            axum::routing::delete(delete_credential_list),
        )
        .route(
            &format!("{api}/SIP/CredentialLists/{{list}}/Credentials.json"),
            axum::routing::post(create_credential),
        )
        .route("/v1/Trunks", get(list_trunks).post(create_trunk))
        .route(
            "/v1/Trunks/{trunk}",
            get(fetch_trunk).post(update_trunk).delete(delete_trunk),
        )
        .route(
            "/v1/Trunks/{trunk}/CredentialLists",
            get(list_trunk_credential_lists).post(attach_credential_list),
        )
        .route(
            "/v1/Trunks/{trunk}/CredentialLists/{list}",
            axum::routing::delete(detach_credential_list),
        )
        .route(
            "/v1/Trunks/{trunk}/PhoneNumbers",
            get(list_trunk_phone_numbers).post(attach_phone_number),
        )
        .route(
            "/v1/Trunks/{trunk}/PhoneNumbers/{number}",
            axum::routing::delete(detach_phone_number),
        )
        .route_layer(from_fn_with_state(state.recorder.clone(), recorder::layer))
        .with_state(state)
}

type Reply = Result<Response, Response>;

fn unauthorized() -> Response {
    error_body(StatusCode::UNAUTHORIZED, 20003, "Authenticate")
}

fn not_found() -> Response {
    error_body(StatusCode::NOT_FOUND, 20404, "The requested resource was not found")
}

fn bad_request(code: u32, message: &str) -> Response {
    error_body(StatusCode::BAD_REQUEST, code, message)
}

/// Resolves Basic credentials (account SID + token, or API key SID + secret)
/// to the account SID they authenticate.
fn authenticate(data: &Data, headers: &HeaderMap) -> Result<String, Response> {
    let (user, pass) = basic_auth(headers).ok_or_else(unauthorized)?;
    data.accounts
        .values()
        .find(|acc| {
            (acc.sid == user && acc.auth_token == pass) || acc.api_keys.get(&user).is_some_and(|secret| *secret == pass)
        })
        .map(|acc| acc.sid.clone())
        .ok_or_else(unauthorized)
}

/// Authenticates and checks that the path's account is the caller's.
fn authorize(data: &Data, headers: &HeaderMap, path_account: &str) -> Result<String, Response> {
    let account = authenticate(data, headers)?;
    if account != path_account {
        return Err(error_body(StatusCode::FORBIDDEN, 20003, "Permission denied"));
    }
    Ok(account)
}

/// `AC123.json` → `AC123`; the router can't match a `.json` suffix itself.
fn strip_json(segment: &str) -> Result<&str, Response> {
    segment.strip_suffix(".json").ok_or_else(not_found)
}

fn now() -> String {
    chrono::Utc::now().to_rfc2822()
}

fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

async fn fetch_account(State(st): State<Arc<TwilioState>>, Path(account): Path<String>, headers: HeaderMap) -> Reply {
    let account = strip_json(&account)?;
    let data = st.lock();
    authorize(&data, &headers, account)?;
    let acc = data.accounts.get(account).ok_or_else(not_found)?;
    let uri = format!("/2010-04-01/Accounts/{}.json", acc.sid);
    Ok(json(
        StatusCode::OK,
        json!({
            // Twilio really returns the token here; clients must not keep it.
            "auth_token": acc.auth_token,
            "date_created": now(),
            "date_updated": now(),
            "friendly_name": acc.friendly_name,
            "owner_account_sid": acc.sid,
            "sid": acc.sid,
            "status": acc.status,
            "subresource_uris": {},
            "type": acc.account_type,
            "uri": uri,
        }),
    ))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(rename = "PageSize")]
    page_size: Option<usize>,
    #[serde(rename = "Page")]
    page: Option<usize>,
}

/// Slices `items` for the requested page; returns the page and whether more follow.
fn paginate<T: Clone>(items: &[T], q: &PageQuery, cap: Option<usize>) -> (Vec<T>, usize, usize, bool) {
    let size = q.page_size.unwrap_or(50).clamp(1, cap.unwrap_or(1000));
    let page = q.page.unwrap_or(0);
    let start = page.saturating_mul(size).min(items.len());
    let end = (start + size).min(items.len());
    (items[start..end].to_vec(), page, size, end < items.len())
}

fn number_json(n: &PhoneNumber) -> Value {
    json!({
        "account_sid": n.account_sid,
        "api_version": "2010-04-01",
        "beta": false,
        "capabilities": {"voice": true, "sms": true, "mms": false, "fax": false},
        "date_created": now(),
        "date_updated": now(),
        "friendly_name": n.phone_number,
        "phone_number": n.phone_number,
        "origin": "twilio",
        "sid": n.sid,
        "trunk_sid": n.trunk_sid,
        "status": "in-use",
        "uri": format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json", n.account_sid, n.sid),
        "voice_receive_mode": "voice",
    })
}

async fn list_numbers(
    State(st): State<Arc<TwilioState>>,
    Path(account): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Reply {
    let data = st.lock();
    authorize(&data, &headers, &account)?;
    let all: Vec<&PhoneNumber> = data.numbers.values().filter(|n| n.account_sid == account).collect();
    let (page, page_no, size, more) = paginate(&all, &q, data.max_page_size);
    let base = format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json");
    let items = page.iter().map(|n| number_json(n)).collect();
    Ok(api_page("incoming_phone_numbers", &base, items, page_no, size, more))
}

/// An `api.twilio.com` list page: the items under `key` plus the paging members.
fn api_page(key: &str, base: &str, items: Vec<Value>, page_no: usize, size: usize, more: bool) -> Response {
    let count = items.len();
    let next = more.then(|| format!("{base}?PageSize={size}&Page={}", page_no + 1));
    let mut body = json!({
        "end": page_no * size + count.saturating_sub(1),
        "first_page_uri": format!("{base}?PageSize={size}&Page=0"),
        "next_page_uri": next,
        "page": page_no,
        "page_size": size,
        "previous_page_uri": (page_no > 0).then(|| format!("{base}?PageSize={size}&Page={}", page_no - 1)),
        "start": page_no * size,
        "uri": format!("{base}?PageSize={size}&Page={page_no}"),
    });
    body[key] = Value::Array(items);
    json(StatusCode::OK, body)
}

async fn fetch_number(
    State(st): State<Arc<TwilioState>>,
    Path((account, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let number = strip_json(&number)?;
    let data = st.lock();
    authorize(&data, &headers, &account)?;
    let n = data
        .numbers
        .get(number)
        .filter(|n| n.account_sid == account)
        .ok_or_else(not_found)?;
    Ok(json(StatusCode::OK, number_json(n)))
}

#[derive(Deserialize)]
struct FriendlyNameForm {
    #[serde(rename = "FriendlyName")]
    friendly_name: Option<String>,
}

fn credential_list_json(cl: &CredentialList) -> Value {
    json!({
        "account_sid": cl.account_sid,
        "date_created": now(),
        "date_updated": now(),
        "friendly_name": cl.friendly_name,
        "sid": cl.sid,
        "subresource_uris": {
            "credentials": format!("/2010-04-01/Accounts/{}/SIP/CredentialLists/{}/Credentials.json", cl.account_sid, cl.sid)
        },
        "uri": format!("/2010-04-01/Accounts/{}/SIP/CredentialLists/{}.json", cl.account_sid, cl.sid),
    })
}

async fn create_credential_list(
    State(st): State<Arc<TwilioState>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<FriendlyNameForm>,
) -> Reply {
    let mut data = st.lock();
    authorize(&data, &headers, &account)?;
    let friendly_name = form
        .friendly_name
        .filter(|f| !f.is_empty())
        .ok_or_else(|| bad_request(21100, "Missing required parameter FriendlyName in the post body"))?;
    let cl = CredentialList {
        sid: sid("CL"),
        account_sid: account,
        friendly_name,
    };
    let body = credential_list_json(&cl);
    data.credential_lists.insert(cl.sid.clone(), cl);
    Ok(json(StatusCode::CREATED, body))
}

async fn list_credential_lists(
    State(st): State<Arc<TwilioState>>,
    Path(account): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Reply {
    let data = st.lock();
    authorize(&data, &headers, &account)?;
    let all: Vec<&CredentialList> = data
        .credential_lists
        .values()
        .filter(|cl| cl.account_sid == account)
        .collect();
    let (page, page_no, size, more) = paginate(&all, &q, data.max_page_size);
    let base = format!("/2010-04-01/Accounts/{account}/SIP/CredentialLists.json");
    let items = page.iter().map(|cl| credential_list_json(cl)).collect();
    Ok(api_page("credential_lists", &base, items, page_no, size, more))
}

async fn delete_credential_list(
    State(st): State<Arc<TwilioState>>,
    Path((account, list)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let list = strip_json(&list)?.to_owned();
    let mut data = st.lock();
    authorize(&data, &headers, &account)?;
    match data.credential_lists.get(&list) {
        Some(cl) if cl.account_sid == account => {}
        _ => return Err(not_found()),
    }
    data.credential_lists.remove(&list);
    data.credentials.retain(|_, c| c.list_sid != list);
    data.trunk_credential_lists.retain(|(_, cl)| *cl != list);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct CredentialForm {
    #[serde(rename = "Username")]
    username: Option<String>,
    #[serde(rename = "Password")]
    password: Option<String>,
}

async fn create_credential(
    State(st): State<Arc<TwilioState>>,
    Path((account, list)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CredentialForm>,
) -> Reply {
    let mut data = st.lock();
    authorize(&data, &headers, &account)?;
    if data
        .credential_lists
        .get(&list)
        .is_none_or(|cl| cl.account_sid != account)
    {
        return Err(not_found());
    }
    let (Some(username), Some(password)) = (form.username, form.password) else {
        return Err(bad_request(
            21100,
            "Missing required parameter Username or Password in the post body",
        ));
    };
    // Twilio's documented rule: at least 12 characters, a digit, upper and lower case.
    let strong = password.len() >= 12
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_lowercase());
    if !strong {
        return Err(bad_request(21623, "Password is not strong enough"));
    }
    if data
        .credentials
        .values()
        .any(|c| c.list_sid == list && c.username == username)
    {
        return Err(bad_request(21622, "Username already exists in this credential list"));
    }
    let cred = Credential {
        sid: sid("CR"),
        list_sid: list.clone(),
        username,
        password,
    };
    let body = json!({
        "sid": cred.sid,
        "account_sid": account,
        "credential_list_sid": list,
        "username": cred.username,
        "date_created": now(),
        "date_updated": now(),
        "uri": format!("/2010-04-01/Accounts/{account}/SIP/CredentialLists/{list}/Credentials/{}.json", cred.sid),
    });
    data.credentials.insert(cred.sid.clone(), cred);
    Ok(json(StatusCode::CREATED, body))
}

#[derive(Deserialize)]
struct TrunkForm {
    #[serde(rename = "FriendlyName")]
    friendly_name: Option<String>,
    #[serde(rename = "DomainName")]
    domain_name: Option<String>,
    #[serde(rename = "TransferMode")]
    transfer_mode: Option<String>,
}

const TRANSFER_MODES: [&str; 3] = ["disable-all", "enable-all", "sip-only"];

fn trunk_json(t: &Trunk) -> Value {
    let url = format!("https://trunking.twilio.com/v1/Trunks/{}", t.sid);
    json!({
        "account_sid": t.account_sid,
        "domain_name": t.domain_name,
        "disaster_recovery_method": null,
        "disaster_recovery_url": null,
        "friendly_name": t.friendly_name,
        "secure": false,
        "recording": {"mode": "do-not-record", "trim": "do-not-trim"},
        "transfer_mode": t.transfer_mode,
        "transfer_caller_id": "from-transferee",
        "cnam_lookup_enabled": false,
        "auth_type": "",
        "symmetric_rtp_enabled": false,
        "auth_type_set": [],
        "date_created": t.created,
        "date_updated": now_iso(),
        "sid": t.sid,
        "url": url,
        "links": {
            "origination_urls": format!("{url}/OriginationUrls"),
            "credential_lists": format!("{url}/CredentialLists"),
            "ip_access_control_lists": format!("{url}/IpAccessControlLists"),
            "phone_numbers": format!("{url}/PhoneNumbers"),
        },
    })
}

fn check_transfer_mode(mode: &Option<String>) -> Result<(), Response> {
    match mode {
        Some(m) if !TRANSFER_MODES.contains(&m.as_str()) => Err(bad_request(20001, "Invalid TransferMode")),
        _ => Ok(()),
    }
}

/// Owned trunk or 404 (Twilio hides other accounts' resources).
fn owned_trunk<'a>(data: &'a Data, trunk: &str, account: &str) -> Result<&'a Trunk, Response> {
    data.trunks
        .get(trunk)
        .filter(|t| t.account_sid == account)
        .ok_or_else(not_found)
}

async fn create_trunk(State(st): State<Arc<TwilioState>>, headers: HeaderMap, Form(form): Form<TrunkForm>) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    check_transfer_mode(&form.transfer_mode)?;
    if let Some(domain) = &form.domain_name {
        if !domain.ends_with(".pstn.twilio.com") {
            return Err(bad_request(21245, "DomainName must end with pstn.twilio.com"));
        }
        if data.trunks.values().any(|t| t.domain_name.as_deref() == Some(domain)) {
            return Err(bad_request(21248, "DomainName is already in use"));
        }
    }
    let trunk = Trunk {
        sid: sid("TK"),
        account_sid: account,
        friendly_name: form.friendly_name,
        domain_name: form.domain_name,
        transfer_mode: form.transfer_mode.unwrap_or_else(|| "disable-all".to_owned()),
        created: now_iso(),
    };
    let body = trunk_json(&trunk);
    data.trunks.insert(trunk.sid.clone(), trunk);
    Ok(json(StatusCode::CREATED, body))
}

async fn list_trunks(State(st): State<Arc<TwilioState>>, Query(q): Query<PageQuery>, headers: HeaderMap) -> Reply {
    let data = st.lock();
    let account = authenticate(&data, &headers)?;
    let all: Vec<&Trunk> = data.trunks.values().filter(|t| t.account_sid == account).collect();
    let (page, page_no, size, more) = paginate(&all, &q, data.max_page_size);
    Ok(json(
        StatusCode::OK,
        json!({
            "trunks": page.iter().map(|t| trunk_json(t)).collect::<Vec<_>>(),
            "meta": meta("trunks", "https://trunking.twilio.com/v1/Trunks", page_no, size, more),
        }),
    ))
}

async fn fetch_trunk(State(st): State<Arc<TwilioState>>, Path(trunk): Path<String>, headers: HeaderMap) -> Reply {
    let data = st.lock();
    let account = authenticate(&data, &headers)?;
    Ok(json(StatusCode::OK, trunk_json(owned_trunk(&data, &trunk, &account)?)))
}

async fn update_trunk(
    State(st): State<Arc<TwilioState>>,
    Path(trunk): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TrunkForm>,
) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    check_transfer_mode(&form.transfer_mode)?;
    owned_trunk(&data, &trunk, &account)?;
    let t = data.trunks.get_mut(&trunk).ok_or_else(not_found)?;
    if let Some(name) = form.friendly_name {
        t.friendly_name = Some(name);
    }
    if let Some(mode) = form.transfer_mode {
        t.transfer_mode = mode;
    }
    if let Some(domain) = form.domain_name {
        t.domain_name = Some(domain);
    }
    Ok(json(StatusCode::OK, trunk_json(t)))
}

async fn delete_trunk(State(st): State<Arc<TwilioState>>, Path(trunk): Path<String>, headers: HeaderMap) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    data.trunks.remove(&trunk);
    // Deleting a trunk releases its numbers and credential list associations.
    data.trunk_credential_lists.retain(|(t, _)| *t != trunk);
    for n in data.numbers.values_mut() {
        if n.trunk_sid.as_deref() == Some(trunk.as_str()) {
            n.trunk_sid = None;
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn meta(key: &str, url: &str, page: usize, size: usize, more: bool) -> Value {
    let at = |p: usize| format!("{url}?PageSize={size}&Page={p}");
    json!({
        "first_page_url": at(0),
        "key": key,
        "next_page_url": more.then(|| at(page + 1)),
        "page": page,
        "page_size": size,
        "previous_page_url": (page > 0).then(|| at(page - 1)),
        "url": at(page),
    })
}

fn trunk_cl_json(data: &Data, trunk: &str, cl_sid: &str) -> Value {
    let cl = data.credential_lists.get(cl_sid);
    json!({
        "account_sid": cl.map(|c| c.account_sid.clone()),
        "sid": cl_sid,
        "trunk_sid": trunk,
        "friendly_name": cl.map(|c| c.friendly_name.clone()),
        "date_created": now_iso(),
        "date_updated": now_iso(),
        "url": format!("https://trunking.twilio.com/v1/Trunks/{trunk}/CredentialLists/{cl_sid}"),
    })
}

#[derive(Deserialize)]
struct AttachCredentialListForm {
    #[serde(rename = "CredentialListSid")]
    credential_list_sid: Option<String>,
}

async fn attach_credential_list(
    State(st): State<Arc<TwilioState>>,
    Path(trunk): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AttachCredentialListForm>,
) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    let cl = form
        .credential_list_sid
        .ok_or_else(|| bad_request(21100, "Missing required parameter CredentialListSid"))?;
    if data.credential_lists.get(&cl).is_none_or(|c| c.account_sid != account) {
        return Err(not_found());
    }
    if !data.trunk_credential_lists.insert((trunk.clone(), cl.clone())) {
        return Err(bad_request(
            21250,
            "Credential list is already associated with this trunk",
        ));
    }
    Ok(json(StatusCode::CREATED, trunk_cl_json(&data, &trunk, &cl)))
}

async fn list_trunk_credential_lists(
    State(st): State<Arc<TwilioState>>,
    Path(trunk): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Reply {
    let data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    let sids = trunk_cl_sids(&data, &trunk);
    let (page, page_no, size, more) = paginate(&sids, &q, data.max_page_size);
    let url = format!("https://trunking.twilio.com/v1/Trunks/{trunk}/CredentialLists");
    Ok(json(
        StatusCode::OK,
        json!({
            "credential_lists": page.iter().map(|cl| trunk_cl_json(&data, &trunk, cl)).collect::<Vec<_>>(),
            "meta": meta("credential_lists", &url, page_no, size, more),
        }),
    ))
}

async fn detach_credential_list(
    State(st): State<Arc<TwilioState>>,
    Path((trunk, list)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    if !data.trunk_credential_lists.remove(&(trunk, list)) {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn trunk_pn_json(n: &PhoneNumber) -> Value {
    let trunk = n.trunk_sid.clone().unwrap_or_default();
    let mut v = number_json(n);
    if let Some(obj) = v.as_object_mut() {
        obj.remove("uri");
        obj.insert(
            "url".into(),
            json!(format!(
                "https://trunking.twilio.com/v1/Trunks/{trunk}/PhoneNumbers/{}",
                n.sid
            )),
        );
        obj.insert("links".into(), json!({}));
        obj.insert("date_created".into(), json!(now_iso()));
        obj.insert("date_updated".into(), json!(now_iso()));
    }
    v
}

#[derive(Deserialize)]
struct AttachPhoneNumberForm {
    #[serde(rename = "PhoneNumberSid")]
    phone_number_sid: Option<String>,
}

async fn attach_phone_number(
    State(st): State<Arc<TwilioState>>,
    Path(trunk): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AttachPhoneNumberForm>,
) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    let pn = form
        .phone_number_sid
        .ok_or_else(|| bad_request(21100, "Missing required parameter PhoneNumberSid"))?;
    let n = data
        .numbers
        .get_mut(&pn)
        .filter(|n| n.account_sid == account)
        .ok_or_else(not_found)?;
    match &n.trunk_sid {
        Some(t) if *t != trunk => {
            return Err(bad_request(
                21251,
                "Phone number is already associated with another trunk",
            ));
        }
        _ => n.trunk_sid = Some(trunk),
    }
    Ok(json(StatusCode::CREATED, trunk_pn_json(n)))
}

async fn list_trunk_phone_numbers(
    State(st): State<Arc<TwilioState>>,
    Path(trunk): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Reply {
    let data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    let numbers: Vec<&PhoneNumber> = data
        .numbers
        .values()
        .filter(|n| n.trunk_sid.as_deref() == Some(trunk.as_str()))
        .collect();
    let (page, page_no, size, more) = paginate(&numbers, &q, data.max_page_size);
    let url = format!("https://trunking.twilio.com/v1/Trunks/{trunk}/PhoneNumbers");
    Ok(json(
        StatusCode::OK,
        json!({
            "phone_numbers": page.iter().map(|n| trunk_pn_json(n)).collect::<Vec<_>>(),
            "meta": meta("phone_numbers", &url, page_no, size, more),
        }),
    ))
}

async fn detach_phone_number(
    State(st): State<Arc<TwilioState>>,
    Path((trunk, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let mut data = st.lock();
    let account = authenticate(&data, &headers)?;
    owned_trunk(&data, &trunk, &account)?;
    let n = data
        .numbers
        .get_mut(&number)
        .filter(|n| n.trunk_sid.as_deref() == Some(trunk.as_str()))
        .ok_or_else(not_found)?;
    n.trunk_sid = None;
    Ok(StatusCode::NO_CONTENT.into_response())
}
