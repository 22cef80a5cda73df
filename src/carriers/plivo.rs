//! Plivo: `GET /v1/Account/{auth_id}/` with HTTP Basic (auth id : auth token).
//! Response: the Account object (`account_type` standard|developer, `cash_credits`).
//! Numbers: `GET /v1/Account/{auth_id}/Number/?limit=20&offset=N` (20 is Plivo's maximum),
//! `{"meta": {"next", "total_count", …}, "objects": [{"number": "14155550100", "alias", …}]}`.

use serde::Deserialize;

use super::http::{Auth, HttpClient, join};
use super::{
    Carrier, CarrierError, CarrierNumber, Check, CheckStatus, Credentials, MAX_NUMBER_PAGES, VerifyOutcome,
    balance_check, check_names::*, credentials_accepted, require_token, token_of, with_plus,
};

#[derive(Clone, Debug)]
pub struct PlivoClient {
    http: HttpClient,
    base: String,
}

#[derive(Deserialize)]
struct Account {
    account_type: Option<String>,
    cash_credits: Option<String>,
    billing_mode: Option<String>,
}

#[derive(Deserialize)]
struct NumbersPage {
    #[serde(default)]
    objects: Vec<Number>,
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    next: Option<String>,
}

#[derive(Deserialize)]
struct Number {
    number: String,
    alias: Option<String>,
}

/// Plivo's page size limit for numbers.
const PAGE: usize = 20;

impl PlivoClient {
    pub fn new(http: HttpClient, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The account's rented numbers, all pages.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        let token = token_of(creds)?;
        let auth_id = creds.account_sid.trim();
        if auth_id.is_empty() || !auth_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CarrierError::Rejected { status: 401 });
        }
        let mut out = Vec::new();
        for page in 0..MAX_NUMBER_PAGES {
            let url = join(
                &self.base,
                &format!("/v1/Account/{auth_id}/Number/?limit={PAGE}&offset={}", page * PAGE),
            );
            let body: NumbersPage = self.http.get_json(false, &url, Auth::Basic(auth_id, token)).await?;
            let last = body.objects.len() < PAGE || body.meta.and_then(|m| m.next).is_none();
            out.extend(body.objects.into_iter().map(|n| CarrierNumber {
                phone_number: with_plus(&n.number),
                sid: None,
                friendly_name: n.alias,
            }));
            if last {
                return Ok(out);
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }
}

impl Carrier for PlivoClient {
    const SLUG: &'static str = "plivo";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let token = match require_token(creds) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let auth_id = creds.account_sid.trim();
        if auth_id.is_empty() || !auth_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return VerifyOutcome::invalid(CREDENTIALS_VALID, "auth_id must be alphanumeric");
        }
        let url = join(&self.base, &format!("/v1/Account/{auth_id}/"));
        let account: Account = match self.http.get_json(false, &url, Auth::Basic(auth_id, token)).await {
            Ok(a) => a,
            Err(err) => return VerifyOutcome::from_error("Plivo", err, true),
        };
        // Plivo has no suspended state in this object; answering at all means active.
        let kind = match account.account_type.as_deref() {
            Some("developer") => Check::new(ACCOUNT_TYPE, CheckStatus::Warning, "developer (trial) account"),
            Some(t) => Check::new(ACCOUNT_TYPE, CheckStatus::Passed, format!("{t} account")),
            None => Check::new(ACCOUNT_TYPE, CheckStatus::Skipped, "account type not reported"),
        };
        let balance = account.cash_credits.as_deref().and_then(|c| c.parse().ok());
        VerifyOutcome::from_checks(vec![
            credentials_accepted("Plivo"),
            Check::new(ACCOUNT_ACTIVE, CheckStatus::Passed, "account answered")
                .with_details(serde_json::json!({ "billing_mode": account.billing_mode })),
            kind,
            balance_check(balance, "USD"),
        ])
    }
}
