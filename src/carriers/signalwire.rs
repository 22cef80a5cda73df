//! SignalWire: its LaML API is Twilio-compatible, so verification is
//! `GET https://{space_url}/api/laml/2010-04-01/Accounts/{ProjectID}.json`
//! with HTTP Basic (project id : API token), read as a Twilio account.
//! `space_url` comes from the user and is SSRF-checked ([`super::ssrf`])
//! unless `PATCHBAY_SIGNALWIRE_BASE_URL` is set. Numbers: the LaML
//! `…/Accounts/{ProjectID}/IncomingPhoneNumbers.json`, Twilio-shaped pages.

use super::http::{Auth, HttpClient, join};
use super::ssrf::SIGNALWIRE_HOSTS;
use super::twilio::{Account, IncomingPhoneNumber, account_checks, next_page_path};
use super::{
    Carrier, CarrierError, CarrierNumber, Credentials, MAX_NUMBER_PAGES, VerifyOutcome, check_names::*, require_token,
    token_of, user_host_base, user_host_for_call,
};

#[derive(serde::Deserialize)]
struct NumbersPage {
    #[serde(default)]
    incoming_phone_numbers: Vec<IncomingPhoneNumber>,
    next_page_uri: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SignalWireClient {
    http: HttpClient,
    base_override: Option<String>,
}

impl SignalWireClient {
    pub fn new(http: HttpClient, base_override: Option<String>) -> Self {
        Self { http, base_override }
    }

    /// The project's incoming phone numbers, all pages.
    pub async fn list_numbers(&self, creds: &Credentials) -> Result<Vec<CarrierNumber>, CarrierError> {
        let token = token_of(creds)?;
        let project = creds.account_sid.trim();
        if uuid::Uuid::parse_str(project).is_err() {
            return Err(CarrierError::Rejected { status: 401 });
        }
        let space = creds.field("space_url").ok_or(CarrierError::Rejected { status: 401 })?;
        let (base, guarded) =
            user_host_for_call(&self.http, self.base_override.as_deref(), space, &SIGNALWIRE_HOSTS).await?;
        let mut path = format!("/api/laml/2010-04-01/Accounts/{project}/IncomingPhoneNumbers.json?PageSize=1000");
        let mut out = Vec::new();
        for _ in 0..MAX_NUMBER_PAGES {
            let page: NumbersPage = self
                .http
                .get_json(guarded, &join(&base, &path), Auth::Basic(project, token))
                .await?;
            out.extend(page.incoming_phone_numbers.into_iter().filter_map(|n| {
                Some(CarrierNumber {
                    phone_number: n.phone_number?,
                    sid: Some(n.sid),
                    friendly_name: n.friendly_name,
                })
            }));
            match page.next_page_uri.filter(|u| !u.is_empty()) {
                Some(next) => path = next_page_path(&next, &path)?,
                None => return Ok(out),
            }
        }
        Err(CarrierError::Protocol("too many pages".to_owned()))
    }
}

impl Carrier for SignalWireClient {
    const SLUG: &'static str = "signalwire";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        let token = match require_token(creds) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let project = creds.account_sid.trim();
        if uuid::Uuid::parse_str(project).is_err() {
            return VerifyOutcome::invalid(CREDENTIALS_VALID, "project id must be a UUID");
        }
        let Some(space) = creds.field("space_url") else {
            return VerifyOutcome::invalid(CONFIGURATION, "space_url is missing");
        };
        let (base, guarded, host_check) =
            match user_host_base(&self.http, self.base_override.as_deref(), space, &SIGNALWIRE_HOSTS).await {
                Ok(t) => t,
                Err(outcome) => return outcome,
            };
        let url = join(&base, &format!("/api/laml/2010-04-01/Accounts/{project}.json"));
        match self
            .http
            .get_json::<Account>(guarded, &url, Auth::Basic(project, token))
            .await
        {
            Ok(account) => {
                let mut checks = account_checks("SignalWire", &account);
                checks.extend(host_check);
                VerifyOutcome::from_checks(checks)
            }
            Err(err) => VerifyOutcome::from_error("SignalWire", err, true),
        }
    }
}
