//! Telnyx: `GET /v2/balance` with `Authorization: Bearer <API key>`.
//! Response: `{"data": {"balance": "300.00", "available_credit": …, "currency": "USD"}}`.

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::{
    Carrier, Check, CheckStatus, Credentials, VerifyOutcome, balance_check, check_names::*, credentials_accepted,
    require_token,
};

#[derive(Clone, Debug)]
pub struct TelnyxClient {
    http: HttpClient,
    base: String,
}

#[derive(Deserialize)]
struct BalanceResponse {
    data: Balance,
}

#[derive(Deserialize)]
struct Balance {
    balance: Option<String>,
    currency: Option<String>,
}

impl TelnyxClient {
    pub fn new(http: HttpClient, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

impl Carrier for TelnyxClient {
    const SLUG: &'static str = "telnyx";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let token = match require_token(creds) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let url = join(&self.base, "/v2/balance");
        let resp: BalanceResponse = match self.http.get_json(false, &url, Auth::Bearer(token)).await {
            Ok(r) => r,
            // 404 here is not about the key.
            Err(err) => return VerifyOutcome::from_error("Telnyx", err, false),
        };
        let balance = resp.data.balance.as_deref().and_then(|b| b.parse().ok());
        let currency = resp.data.currency.unwrap_or_else(|| "USD".to_owned());
        VerifyOutcome::from_checks(vec![
            credentials_accepted("Telnyx"),
            Check::new(ACCOUNT_ACTIVE, CheckStatus::Passed, "account answered"),
            balance_check(balance, &currency),
        ])
    }
}
