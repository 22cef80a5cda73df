//! Vonage: `GET /account/get-balance` on `rest.nexmo.com`.
//!
//! Vonage accepts the API key and secret either as `api_key`/`api_secret`
//! query parameters or as HTTP Basic; we use Basic so the secret never sits
//! in a URL (URLs end up in proxy and error logs).
//! Response: `{"value": 10.28, "autoReload": false}` (EUR).
//! Numbers: `GET /account/numbers?size=100&index=N` (Basic too; 100 is the maximum page),
//! `{"count": 2, "numbers": [{"country", "msisdn": "447700900000", "type", "features", …}]}`.

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::{
    Carrier, CarrierError, CarrierNumber, Check, CheckStatus, Credentials, MAX_NUMBER_PAGES, VerifyOutcome,
    balance_check, check_names::*, credentials_accepted, require_token, token_of, with_plus,
};

#[derive(Clone, Debug)]
pub struct VonageClient {
    http: HttpClient,
    base: String,
}

#[derive(Deserialize)]
struct Balance {
    value: Option<f64>,
    #[serde(rename = "autoReload")]
    auto_reload: Option<bool>,
}

#[derive(Deserialize)]
struct NumbersPage {
    count: Option<usize>,
    #[serde(default)]
    numbers: Vec<OwnedNumber>,
}

#[derive(Deserialize)]
struct OwnedNumber {
    msisdn: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

const PAGE: usize = 100;

impl VonageClient {
    pub fn new(http: HttpClient, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The numbers the account owns, all pages.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        let secret = token_of(creds)?;
        let api_key = creds.account_sid.trim();
        let mut out = Vec::new();
        for index in 1..=MAX_NUMBER_PAGES {
            let url = join(&self.base, &format!("/account/numbers?size={PAGE}&index={index}"));
            let body: NumbersPage = self.http.get_json(false, &url, Auth::Basic(api_key, secret)).await?;
            let got = body.numbers.len();
            out.extend(body.numbers.into_iter().map(|n| CarrierNumber {
                phone_number: with_plus(&n.msisdn),
                sid: None,
                friendly_name: n.kind,
            }));
            if got < PAGE || out.len() >= body.count.unwrap_or(0) {
                return Ok(out);
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }
}

impl Carrier for VonageClient {
    const SLUG: &'static str = "vonage";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let secret = match require_token(creds) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let api_key = creds.account_sid.trim();
        let url = join(&self.base, "/account/get-balance");
        let balance: Balance = match self.http.get_json(false, &url, Auth::Basic(api_key, secret)).await {
            Ok(b) => b,
            Err(err) => return VerifyOutcome::from_error("Vonage", err, false),
        };
        VerifyOutcome::from_checks(vec![
            credentials_accepted("Vonage"),
            Check::new(ACCOUNT_ACTIVE, CheckStatus::Passed, "account answered")
                .with_details(serde_json::json!({ "auto_reload": balance.auto_reload })),
            balance_check(balance.value, "EUR"),
        ])
    }
}
