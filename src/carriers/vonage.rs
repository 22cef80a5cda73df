//! Vonage: `GET /account/get-balance` on `rest.nexmo.com`.
//!
//! Vonage accepts the API key and secret either as `api_key`/`api_secret`
//! query parameters or as HTTP Basic; we use Basic so the secret never sits
//! in a URL (URLs end up in proxy and error logs).
//! Response: `{"value": 10.28, "autoReload": false}` (EUR).

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::{
    Carrier, Check, CheckStatus, Credentials, VerifyOutcome, balance_check, check_names::*, credentials_accepted,
    require_token,
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

impl VonageClient {
    pub fn new(http: HttpClient, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
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
