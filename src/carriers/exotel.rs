//! Exotel: `GET https://{subdomain}/v1/Accounts/{sid}/Balance.json` with HTTP
//! Basic (API key : API token). `subdomain` is the account's cluster host
//! (`api.exotel.com` Singapore, `api.in.exotel.com` Mumbai), supplied by the
//! user and therefore SSRF-checked ([`super::ssrf`]) unless
//! `PATCHBAY_EXOTEL_BASE_URL` is set.
//! Response: `{"Account": {"AccountSid": …, "BalanceData": {"Balance": "1543.75", "Currency": "INR"}}}`.
//! Numbers (ExoPhones): `GET https://{subdomain}/v2_beta/Accounts/{sid}/IncomingPhoneNumbers`,
//! objects `{"sid", "phone_number": "+91…", "friendly_name", "capabilities", …}` under
//! `incoming_phone_numbers` (a bare list is read too).

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::ssrf::EXOTEL_HOSTS;
use super::{
    Carrier, CarrierError, CarrierNumber, Check, CheckStatus, Credentials, VerifyOutcome, balance_check,
    check_names::*, credentials_accepted, require_token, token_of, user_host_base, user_host_for_call,
};

#[derive(Clone, Debug)]
pub struct ExotelClient {
    http: HttpClient,
    base_override: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Response {
    account: Account,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Account {
    balance_data: Option<BalanceData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BalanceData {
    balance: Option<String>,
    currency: Option<String>,
    pricing_plan: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExoPhones {
    Wrapped { incoming_phone_numbers: Vec<ExoPhone> },
    Bare(Vec<ExoPhone>),
}

#[derive(Deserialize)]
struct ExoPhone {
    sid: Option<String>,
    phone_number: String,
    friendly_name: Option<String>,
}

impl ExotelClient {
    pub fn new(http: HttpClient, base_override: Option<String>) -> Self {
        Self { http, base_override }
    }

    /// The account's ExoPhones.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        let token = token_of(creds)?;
        let api_key = creds.field("api_key").ok_or(CarrierError::Rejected { status: 401 })?;
        let sid = creds.account_sid.trim();
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(CarrierError::Rejected { status: 401 });
        }
        let subdomain = creds.field("subdomain").unwrap_or("api.exotel.com");
        let (base, guarded) =
            user_host_for_call(&self.http, self.base_override.as_deref(), subdomain, &EXOTEL_HOSTS).await?;
        let url = join(&base, &format!("/v2_beta/Accounts/{sid}/IncomingPhoneNumbers"));
        let phones = match self.http.get_json(guarded, &url, Auth::Basic(api_key, token)).await? {
            ExoPhones::Wrapped { incoming_phone_numbers } => incoming_phone_numbers,
            ExoPhones::Bare(list) => list,
        };
        Ok(phones
            .into_iter()
            .map(|p| CarrierNumber {
                phone_number: p.phone_number,
                sid: p.sid,
                friendly_name: p.friendly_name,
            })
            .collect())
    }
}

impl Carrier for ExotelClient {
    const SLUG: &'static str = "exotel";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let token = match require_token(creds) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let Some(api_key) = creds.field("api_key") else {
            return VerifyOutcome::invalid(CONFIGURATION, "api_key is missing");
        };
        let sid = creds.account_sid.trim();
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return VerifyOutcome::invalid(CREDENTIALS_VALID, "account_sid must be alphanumeric");
        }
        let target = user_host_base(
            &self.http,
            self.base_override.as_deref(),
            creds.field("subdomain").unwrap_or("api.exotel.com"),
            &EXOTEL_HOSTS,
        )
        .await;
        let (base, guarded, host_check) = match target {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let url = join(&base, &format!("/v1/Accounts/{sid}/Balance.json"));
        let resp: Response = match self.http.get_json(guarded, &url, Auth::Basic(api_key, token)).await {
            Ok(r) => r,
            Err(err) => return VerifyOutcome::from_error("Exotel", err, true),
        };
        let data = resp.account.balance_data;
        let balance = data
            .as_ref()
            .and_then(|d| d.balance.as_deref())
            .and_then(|b| b.parse().ok());
        let currency = data
            .as_ref()
            .and_then(|d| d.currency.clone())
            .unwrap_or_else(|| "INR".to_owned());
        let mut checks = vec![credentials_accepted("Exotel")];
        checks.extend(host_check);
        checks.push(
            Check::new(ACCOUNT_ACTIVE, CheckStatus::Passed, "account answered")
                .with_details(serde_json::json!({ "pricing_plan": data.and_then(|d| d.pricing_plan) })),
        );
        checks.push(balance_check(balance, &currency));
        VerifyOutcome::from_checks(checks)
    }
}
