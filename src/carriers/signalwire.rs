//! SignalWire: its LaML API is Twilio-compatible, so verification is
//! `GET https://{space_url}/api/laml/2010-04-01/Accounts/{ProjectID}.json`
//! with HTTP Basic (project id : API token), read as a Twilio account.
//! `space_url` comes from the user and is SSRF-checked ([`super::ssrf`])
//! unless `PATCHBAY_SIGNALWIRE_BASE_URL` is set.

use super::http::{Auth, HttpClient, join};
use super::ssrf::SIGNALWIRE_HOSTS;
use super::twilio::{Account, account_checks};
use super::{Carrier, Credentials, VerifyOutcome, check_names::*, require_token, user_host_base};

#[derive(Clone, Debug)]
pub struct SignalWireClient {
    http: HttpClient,
    base_override: Option<String>,
}

impl SignalWireClient {
    pub fn new(http: HttpClient, base_override: Option<String>) -> Self {
        Self { http, base_override }
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
