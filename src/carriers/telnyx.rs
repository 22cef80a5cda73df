//! Telnyx: `GET /v2/balance` with `Authorization: Bearer <API key>`.
//! Response: `{"data": {"balance": "300.00", "available_credit": …, "currency": "USD"}}`.
//! Numbers: `GET /v2/phone_numbers?page[number]=N&page[size]=250`,
//! `{"data": [{"id", "phone_number": "+1…", "connection_name", …}], "meta": {"total_pages", …}}`.

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::{
    Carrier, CarrierError, CarrierNumber, Check, CheckStatus, Credentials, MAX_NUMBER_PAGES, VerifyOutcome,
    balance_check, check_names::*, credentials_accepted, require_token, token_of,
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

#[derive(Deserialize)]
struct NumbersPage {
    #[serde(default)]
    data: Vec<PhoneNumber>,
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    total_pages: Option<usize>,
}

#[derive(Deserialize)]
struct PhoneNumber {
    id: String,
    phone_number: String,
    connection_name: Option<String>,
}

impl TelnyxClient {
    pub fn new(http: HttpClient, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The account's phone numbers, all pages.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        let token = token_of(creds)?;
        let mut out = Vec::new();
        for page in 1..=MAX_NUMBER_PAGES {
            let url = join(
                &self.base,
                &format!("/v2/phone_numbers?page[number]={page}&page[size]=250"),
            );
            let body: NumbersPage = self.http.get_json(false, &url, Auth::Bearer(token)).await?;
            let pages = body.meta.and_then(|m| m.total_pages).unwrap_or(1);
            let empty = body.data.is_empty();
            out.extend(body.data.into_iter().map(|n| CarrierNumber {
                phone_number: n.phone_number,
                sid: Some(n.id),
                friendly_name: n.connection_name,
            }));
            if empty || page >= pages {
                return Ok(out);
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
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
