//! Twilio: credential verification and SIP trunk provisioning, built to
//! Twilio's OpenAPI specs (`twilio_api_v2010.json` for `api.twilio.com`,
//! `twilio_trunking_v1.json` for `trunking.twilio.com`): exact paths,
//! `application/x-www-form-urlencoded` bodies with PascalCase fields,
//! snake_case JSON responses. All calls use HTTP Basic with the account SID
//! (or an `SK…` API key SID) and the auth token (or API key secret).

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::http::{HttpClient, Idempotency, Reply, join};
use super::{
    Carrier, CarrierError, Check, CheckStatus, Credentials, VerifyOutcome, check_names::*, credentials_accepted,
    require_token,
};

/// Twilio call errors: `Rejected` 401/403, `NotFound` 404, `BadRequest`
/// other 4xx with Twilio's `code`/`message`, `Unavailable` 5xx/timeouts/429,
/// `Protocol` unexpected body.
pub type TwilioError = CarrierError;

/// Basic credentials for Twilio calls. `Debug` redacts the secret.
#[derive(Clone, Debug)]
pub struct TwilioAuth {
    account_sid: String,
    username: String,
    secret: SecretString,
}

impl TwilioAuth {
    /// Account SID + auth token.
    pub fn new(account_sid: impl Into<String>, auth_token: SecretString) -> Self {
        let account_sid = account_sid.into();
        Self {
            username: account_sid.clone(),
            account_sid,
            secret: auth_token,
        }
    }

    /// Account SID + API key (`SK…`) and its secret.
    pub fn with_api_key(account_sid: impl Into<String>, api_key_sid: impl Into<String>, secret: SecretString) -> Self {
        Self {
            account_sid: account_sid.into(),
            username: api_key_sid.into(),
            secret,
        }
    }

    /// From stored credentials: `api_key_sid` field set → API key auth.
    pub fn from_credentials(creds: &Credentials) -> Option<Self> {
        let token = creds.auth_token.clone()?;
        let sid = creds.account_sid.trim();
        Some(match creds.field("api_key_sid") {
            Some(key) => Self::with_api_key(sid, key, token),
            None => Self::new(sid, token),
        })
    }

    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Suspended,
    Closed,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountType {
    Trial,
    Full,
    #[serde(other)]
    Unknown,
}

/// `api.v2010.account`. The response also carries `auth_token`; it is
/// deliberately not deserialized so it can never be kept or logged.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Account {
    pub sid: Option<String>,
    pub friendly_name: Option<String>,
    pub status: Option<AccountStatus>,
    #[serde(rename = "type")]
    pub account_type: Option<AccountType>,
    pub owner_account_sid: Option<String>,
    pub date_created: Option<String>,
}

/// `api.v2010.account.incoming_phone_number` (the fields we use).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct IncomingPhoneNumber {
    pub sid: String,
    pub account_sid: Option<String>,
    pub phone_number: Option<String>,
    pub friendly_name: Option<String>,
    pub trunk_sid: Option<String>,
    pub capabilities: Option<serde_json::Value>,
    pub status: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransferMode {
    DisableAll,
    EnableAll,
    SipOnly,
    #[serde(other)]
    #[serde(skip_serializing)]
    Unknown,
}

/// `trunking.v1.trunk` (the fields we use).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Trunk {
    pub sid: String,
    pub account_sid: Option<String>,
    pub friendly_name: Option<String>,
    pub domain_name: Option<String>,
    pub transfer_mode: Option<TransferMode>,
    pub secure: Option<bool>,
    pub url: Option<String>,
}

/// Body of `POST /v1/Trunks`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewTrunk {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// `<unique>.pstn.twilio.com`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_mode: Option<TransferMode>,
}

/// Body of `POST /v1/Trunks/{Sid}`; unset fields are left unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrunkUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_mode: Option<TransferMode>,
}

/// `api.v2010.account.sip.sip_credential_list`
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CredentialList {
    pub sid: String,
    pub account_sid: Option<String>,
    pub friendly_name: Option<String>,
}

/// `api.v2010.account.sip.sip_credential_list.sip_credential` (no password: Twilio never returns it).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SipCredential {
    pub sid: String,
    pub credential_list_sid: Option<String>,
    pub username: Option<String>,
}

/// `trunking.v1.trunk.credential_list`
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TrunkCredentialList {
    pub sid: String,
    pub trunk_sid: Option<String>,
    pub friendly_name: Option<String>,
}

/// `trunking.v1.trunk.phone_number` (the fields we use).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TrunkPhoneNumber {
    pub sid: String,
    pub trunk_sid: Option<String>,
    pub phone_number: Option<String>,
}

#[derive(Deserialize)]
struct NumbersPage {
    #[serde(default)]
    incoming_phone_numbers: Vec<IncomingPhoneNumber>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct TrunkingMeta {
    next_page_url: Option<String>,
}

#[derive(Deserialize)]
struct CredentialListsPage {
    #[serde(default)]
    credential_lists: Vec<CredentialList>,
    next_page_uri: Option<String>,
}

#[derive(Deserialize)]
struct TrunksPage {
    #[serde(default)]
    trunks: Vec<Trunk>,
    meta: Option<TrunkingMeta>,
}

#[derive(Deserialize)]
struct TrunkCredentialListsPage {
    #[serde(default)]
    credential_lists: Vec<TrunkCredentialList>,
    meta: Option<TrunkingMeta>,
}

#[derive(Deserialize)]
struct TrunkPhoneNumbersPage {
    #[serde(default)]
    phone_numbers: Vec<TrunkPhoneNumber>,
    meta: Option<TrunkingMeta>,
}

/// Upper bound on pages followed, so a looping `next_page_uri` cannot spin forever.
const MAX_PAGES: usize = 200;

/// Twilio REST client over the shared [`HttpClient`].
#[derive(Clone, Debug)]
pub struct TwilioClient {
    http: HttpClient,
    api_base: String,
    trunking_base: String,
}

/// Which Twilio host a path belongs to.
#[derive(Clone, Copy)]
enum Host {
    Api,
    Trunking,
}

impl TwilioClient {
    pub fn new(http: HttpClient, api_base: &str, trunking_base: &str) -> Self {
        Self {
            http,
            api_base: api_base.trim_end_matches('/').to_owned(),
            trunking_base: trunking_base.trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, host: Host, path: &str) -> String {
        let base = match host {
            Host::Api => &self.api_base,
            Host::Trunking => &self.trunking_base,
        };
        join(base, path)
    }

    async fn call(
        &self,
        auth: &TwilioAuth,
        method: Method,
        host: Host,
        path: &str,
        form: Option<(&[(&str, &str)], Idempotency)>,
    ) -> Result<Reply, TwilioError> {
        let url = self.url(host, path);
        let idempotency = form.map_or(Idempotency::Idempotent, |(_, i)| i);
        tracing::debug!(%method, path, "twilio request");
        let reply = self
            .http
            .send(idempotency, || {
                let req = self
                    .http
                    .client()
                    .request(method.clone(), &url)
                    .basic_auth(&auth.username, Some(auth.secret.expose_secret()));
                match form {
                    Some((fields, _)) => req.form(fields),
                    None => req,
                }
            })
            .await?;
        tracing::debug!(%method, path, status = %reply.status, "twilio response");
        Ok(reply)
    }

    async fn get<T: DeserializeOwned>(&self, auth: &TwilioAuth, host: Host, path: &str) -> Result<T, TwilioError> {
        self.call(auth, Method::GET, host, path, None).await?.json()
    }

    /// Form POST. Creates pass [`Idempotency::Create`] so a 5xx is not retried
    /// into a duplicate; updates of an existing `…/{Sid}` are idempotent.
    async fn post<T: DeserializeOwned>(
        &self,
        auth: &TwilioAuth,
        host: Host,
        path: &str,
        form: &[(&str, &str)],
        idempotency: Idempotency,
    ) -> Result<T, TwilioError> {
        self.call(auth, Method::POST, host, path, Some((form, idempotency)))
            .await?
            .json()
    }

    async fn delete(&self, auth: &TwilioAuth, host: Host, path: &str) -> Result<(), TwilioError> {
        self.call(auth, Method::DELETE, host, path, None).await?.check()
    }

    fn account_path(auth: &TwilioAuth) -> String {
        format!("/2010-04-01/Accounts/{}", seg(&auth.account_sid))
    }

    /// `GET /2010-04-01/Accounts/{Sid}.json`
    pub async fn fetch_account(&self, auth: &TwilioAuth) -> Result<Account, TwilioError> {
        let path = format!("{}.json", Self::account_path(auth));
        self.get(auth, Host::Api, &path).await
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json`, all pages.
    pub async fn list_incoming_phone_numbers(
        &self,
        auth: &TwilioAuth,
    ) -> Result<Vec<IncomingPhoneNumber>, TwilioError> {
        let mut path = format!("{}/IncomingPhoneNumbers.json?PageSize=1000", Self::account_path(auth));
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: NumbersPage = self.get(auth, Host::Api, &path).await?;
            out.extend(page.incoming_phone_numbers);
            match page.next_page_uri.filter(|u| !u.is_empty()) {
                // Relative to the API host; never follow it to another host.
                Some(next) => path = next_page_path(&next, &path)?,
                None => return Ok(out),
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }

    /// The account's incoming numbers as [`super::CarrierNumber`]s (those without a number
    /// are left out).
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<super::CarrierNumber>, TwilioError> {
        let auth = TwilioAuth::from_credentials(creds).ok_or(CarrierError::Rejected { status: 401 })?;
        Ok(self
            .list_incoming_phone_numbers(&auth)
            .await?
            .into_iter()
            .filter_map(|n| {
                Some(super::CarrierNumber {
                    phone_number: n.phone_number?,
                    sid: Some(n.sid),
                    friendly_name: n.friendly_name,
                })
            })
            .collect())
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json`
    pub async fn fetch_incoming_phone_number(
        &self,
        auth: &TwilioAuth,
        sid: &str,
    ) -> Result<IncomingPhoneNumber, TwilioError> {
        let path = format!("{}/IncomingPhoneNumbers/{}.json", Self::account_path(auth), seg(sid));
        self.get(auth, Host::Api, &path).await
    }

    /// `GET /2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json`, all pages (to find
    /// what an interrupted provisioning created, by its friendly name).
    pub async fn list_credential_lists(&self, auth: &TwilioAuth) -> Result<Vec<CredentialList>, TwilioError> {
        let mut path = format!("{}/SIP/CredentialLists.json?PageSize=1000", Self::account_path(auth));
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: CredentialListsPage = self.get(auth, Host::Api, &path).await?;
            out.extend(page.credential_lists);
            match page.next_page_uri.filter(|u| !u.is_empty()) {
                Some(next) => path = next_page_path(&next, &path)?,
                None => return Ok(out),
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }

    /// `GET /v1/Trunks`, all pages (to find what an interrupted provisioning created, by its
    /// domain name).
    pub async fn list_trunks(&self, auth: &TwilioAuth) -> Result<Vec<Trunk>, TwilioError> {
        self.trunking_pages(auth, "/v1/Trunks?PageSize=1000".to_owned(), |p: TrunksPage| {
            (p.trunks, p.meta.and_then(|m| m.next_page_url))
        })
        .await
    }

    /// `POST /v1/Trunks`
    pub async fn create_trunk(&self, auth: &TwilioAuth, trunk: &NewTrunk) -> Result<Trunk, TwilioError> {
        let form = trunk_form(
            trunk.friendly_name.as_deref(),
            trunk.domain_name.as_deref(),
            trunk.transfer_mode,
        );
        self.post(auth, Host::Trunking, "/v1/Trunks", &pairs(&form), Idempotency::Create)
            .await
    }

    /// `GET /v1/Trunks/{Sid}`
    pub async fn fetch_trunk(&self, auth: &TwilioAuth, sid: &str) -> Result<Trunk, TwilioError> {
        self.get(auth, Host::Trunking, &format!("/v1/Trunks/{}", seg(sid)))
            .await
    }

    /// `POST /v1/Trunks/{Sid}` (FriendlyName, TransferMode)
    pub async fn update_trunk(&self, auth: &TwilioAuth, sid: &str, update: &TrunkUpdate) -> Result<Trunk, TwilioError> {
        let form = trunk_form(update.friendly_name.as_deref(), None, update.transfer_mode);
        self.post(
            auth,
            Host::Trunking,
            &format!("/v1/Trunks/{}", seg(sid)),
            &pairs(&form),
            Idempotency::Idempotent,
        )
        .await
    }

    /// `DELETE /v1/Trunks/{Sid}`
    pub async fn delete_trunk(&self, auth: &TwilioAuth, sid: &str) -> Result<(), TwilioError> {
        self.delete(auth, Host::Trunking, &format!("/v1/Trunks/{}", seg(sid)))
            .await
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists.json`
    pub async fn create_credential_list(
        &self,
        auth: &TwilioAuth,
        friendly_name: &str,
    ) -> Result<CredentialList, TwilioError> {
        let path = format!("{}/SIP/CredentialLists.json", Self::account_path(auth));
        self.post(
            auth,
            Host::Api,
            &path,
            &[("FriendlyName", friendly_name)],
            Idempotency::Create,
        )
        .await
    }

    /// `DELETE /2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{Sid}.json`
    pub async fn delete_credential_list(&self, auth: &TwilioAuth, sid: &str) -> Result<(), TwilioError> {
        let path = format!("{}/SIP/CredentialLists/{}.json", Self::account_path(auth), seg(sid));
        self.delete(auth, Host::Api, &path).await
    }

    /// `POST /2010-04-01/Accounts/{AccountSid}/SIP/CredentialLists/{CredentialListSid}/Credentials.json`
    pub async fn create_credential(
        &self,
        auth: &TwilioAuth,
        credential_list_sid: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<SipCredential, TwilioError> {
        let path = format!(
            "{}/SIP/CredentialLists/{}/Credentials.json",
            Self::account_path(auth),
            seg(credential_list_sid)
        );
        let form = [("Username", username), ("Password", password.expose_secret())];
        self.post(auth, Host::Api, &path, &form, Idempotency::Create).await
    }

    /// `POST /v1/Trunks/{TrunkSid}/CredentialLists`
    pub async fn attach_credential_list(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
        credential_list_sid: &str,
    ) -> Result<TrunkCredentialList, TwilioError> {
        let path = format!("/v1/Trunks/{}/CredentialLists", seg(trunk_sid));
        self.post(
            auth,
            Host::Trunking,
            &path,
            &[("CredentialListSid", credential_list_sid)],
            Idempotency::Create,
        )
        .await
    }

    /// `DELETE /v1/Trunks/{TrunkSid}/CredentialLists/{Sid}`
    pub async fn detach_credential_list(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
        credential_list_sid: &str,
    ) -> Result<(), TwilioError> {
        let path = format!(
            "/v1/Trunks/{}/CredentialLists/{}",
            seg(trunk_sid),
            seg(credential_list_sid)
        );
        self.delete(auth, Host::Trunking, &path).await
    }

    /// `GET /v1/Trunks/{TrunkSid}/CredentialLists`, all pages.
    pub async fn list_trunk_credential_lists(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
    ) -> Result<Vec<TrunkCredentialList>, TwilioError> {
        let first = format!("/v1/Trunks/{}/CredentialLists?PageSize=1000", seg(trunk_sid));
        self.trunking_pages(auth, first, |p: TrunkCredentialListsPage| {
            (p.credential_lists, p.meta.and_then(|m| m.next_page_url))
        })
        .await
    }

    /// `POST /v1/Trunks/{TrunkSid}/PhoneNumbers`
    pub async fn attach_phone_number(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
        phone_number_sid: &str,
    ) -> Result<TrunkPhoneNumber, TwilioError> {
        let path = format!("/v1/Trunks/{}/PhoneNumbers", seg(trunk_sid));
        self.post(
            auth,
            Host::Trunking,
            &path,
            &[("PhoneNumberSid", phone_number_sid)],
            Idempotency::Create,
        )
        .await
    }

    /// `DELETE /v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}`
    pub async fn detach_phone_number(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
        phone_number_sid: &str,
    ) -> Result<(), TwilioError> {
        let path = format!("/v1/Trunks/{}/PhoneNumbers/{}", seg(trunk_sid), seg(phone_number_sid));
        self.delete(auth, Host::Trunking, &path).await
    }

    /// `GET /v1/Trunks/{TrunkSid}/PhoneNumbers`, all pages.
    pub async fn list_trunk_phone_numbers(
        &self,
        auth: &TwilioAuth,
        trunk_sid: &str,
    ) -> Result<Vec<TrunkPhoneNumber>, TwilioError> {
        let first = format!("/v1/Trunks/{}/PhoneNumbers?PageSize=1000", seg(trunk_sid));
        self.trunking_pages(auth, first, |p: TrunkPhoneNumbersPage| {
            (p.phone_numbers, p.meta.and_then(|m| m.next_page_url))
        })
        .await
    }

    /// Follows `meta.next_page_url`, an absolute URL on Twilio's host: only its
    /// path and query are used, against our configured base.
    async fn trunking_pages<P: DeserializeOwned, T>(
        &self,
        auth: &TwilioAuth,
        first: String,
        split: impl Fn(P) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, TwilioError> {
        let mut path = first;
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let (items, next) = split(self.get(auth, Host::Trunking, &path).await?);
            out.extend(items);
            match next.filter(|u| !u.is_empty()) {
                Some(next) => path = next_page_path(&next, &path)?,
                None => return Ok(out),
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }
}

impl Carrier for TwilioClient {
    const SLUG: &'static str = "twilio";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let Some(auth) = TwilioAuth::from_credentials(creds) else {
            return require_token(creds)
                .err()
                .unwrap_or_else(|| VerifyOutcome::invalid(CONFIGURATION, "auth_token is missing"));
        };
        if !is_sid(&auth.account_sid, "AC") {
            // Not even Twilio-shaped: no point asking Twilio.
            return VerifyOutcome::invalid(CREDENTIALS_VALID, "account_sid must be AC followed by 32 hex digits");
        }
        match self.fetch_account(&auth).await {
            Ok(account) => VerifyOutcome::from_checks(account_checks("Twilio", &account)),
            Err(err) => VerifyOutcome::from_error("Twilio", err, true),
        }
    }
}

/// Checks for a Twilio-shaped account (Twilio, SignalWire's LaML API):
/// closed → failed, suspended → warning, trial → warning.
pub(crate) fn account_checks(carrier: &str, account: &Account) -> Vec<Check> {
    let active = match account.status {
        Some(AccountStatus::Active) => Check::new(ACCOUNT_ACTIVE, CheckStatus::Passed, "account is active"),
        Some(AccountStatus::Suspended) => Check::new(
            ACCOUNT_ACTIVE,
            CheckStatus::Warning,
            format!("{carrier} account is suspended"),
        ),
        Some(AccountStatus::Closed) => Check::new(
            ACCOUNT_ACTIVE,
            CheckStatus::Failed,
            format!("{carrier} account is closed"),
        ),
        Some(AccountStatus::Unknown) | None => {
            Check::new(ACCOUNT_ACTIVE, CheckStatus::Warning, "account status not reported")
        }
    };
    let kind = match account.account_type {
        Some(AccountType::Full) => Check::new(ACCOUNT_TYPE, CheckStatus::Passed, "full account"),
        Some(AccountType::Trial) => Check::new(
            ACCOUNT_TYPE,
            CheckStatus::Warning,
            "trial account: calls only to verified numbers",
        ),
        Some(AccountType::Unknown) | None => {
            Check::new(ACCOUNT_TYPE, CheckStatus::Skipped, "account type not reported")
        }
    };
    let details = serde_json::json!({
        "friendly_name": account.friendly_name,
        "status": account.status,
        "type": account.account_type,
    });
    vec![credentials_accepted(carrier), active.with_details(details), kind]
}

/// Twilio SIDs: two-letter prefix and 32 hex digits.
pub fn is_sid(s: &str, prefix: &str) -> bool {
    s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Percent-encodes one path segment (SIDs are plain, but callers pass user input).
fn seg(s: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("static URL");
    url.path_segments_mut().expect("http URL has segments").push(s);
    url.path()[1..].to_owned()
}

/// `/path?query` of a next-page link (relative on api.twilio.com, absolute on
/// trunking). The link must stay on the collection being listed: a response
/// cannot steer our authenticated requests to another endpoint or host.
pub(crate) fn next_page_path(link: &str, current: &str) -> Result<String, TwilioError> {
    let base = reqwest::Url::parse("http://twilio.invalid/").expect("static URL");
    let url = base
        .join(link)
        .map_err(|_| CarrierError::Protocol("invalid next page link".to_owned()))?;
    let collection = current.split('?').next().unwrap_or(current);
    if url.path() != collection {
        return Err(CarrierError::Protocol(
            "next page link points outside the listed collection".to_owned(),
        ));
    }
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

fn trunk_form(
    friendly_name: Option<&str>,
    domain_name: Option<&str>,
    transfer_mode: Option<TransferMode>,
) -> Vec<(&'static str, String)> {
    let mut form = Vec::new();
    if let Some(v) = friendly_name {
        form.push(("FriendlyName", v.to_owned()));
    }
    if let Some(v) = domain_name {
        form.push(("DomainName", v.to_owned()));
    }
    if let Some(mode) = transfer_mode {
        let value = serde_json::to_value(mode)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        if let Some(v) = value {
            form.push(("TransferMode", v));
        }
    }
    form
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// For callers that retry provisioning later: the wait Twilio asked for, if any.
pub fn retry_after(err: &TwilioError) -> Option<Duration> {
    match err {
        CarrierError::Unavailable { retry_after, .. } => *retry_after,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_debug_redacts_secret() {
        let auth = TwilioAuth::new("AC123", SecretString::from("supersecret-token"));
        let dbg = format!("{auth:?}");
        assert!(!dbg.contains("supersecret-token"), "{dbg}");
        assert!(dbg.contains("AC123"));
    }

    #[test]
    fn next_page_links_stay_on_the_collection() {
        assert_eq!(
            next_page_path(
                "https://trunking.twilio.com/v1/Trunks/TK1/PhoneNumbers?Page=1",
                "/v1/Trunks/TK1/PhoneNumbers?PageSize=1000"
            )
            .unwrap(),
            "/v1/Trunks/TK1/PhoneNumbers?Page=1"
        );
        assert_eq!(
            next_page_path("/2010-04-01/x.json?Page=2", "/2010-04-01/x.json").unwrap(),
            "/2010-04-01/x.json?Page=2"
        );
        assert!(next_page_path("https://evil.example/", "/v1/Trunks/TK1/PhoneNumbers").is_err());
        assert!(next_page_path("/2010-04-01/Accounts/AC1.json", "/2010-04-01/x.json").is_err());
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn transfer_mode_form_values() {
        let form = trunk_form(Some("n"), None, Some(TransferMode::SipOnly));
        assert_eq!(
            form,
            vec![
                ("FriendlyName", "n".to_owned()),
                ("TransferMode", "sip-only".to_owned())
            ]
        );
    }
}
