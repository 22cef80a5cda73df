//! The v2 family's client side: its paths, and requests in the `Token` + `Org-Handle` scheme.

use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use super::app::TestApp;
use super::http::send;

pub const CONFIGS: &str = "/api/v2/platform/telephony/providers-configurations/";
/// Create without the live carrier check, where the test is not about verification.
pub const CONFIGS_UNVERIFIED: &str = "/api/v2/platform/telephony/providers-configurations/?verify=false";

pub fn config_path(id: impl std::fmt::Display) -> String {
    format!("{CONFIGS}{id}/")
}

impl TestApp {
    /// A request as `token` acting for org `handle`, in the pages' `Token` scheme.
    pub fn as_(&self, token: &str, handle: &str, method: Method, path: &str) -> RequestBuilder {
        self.bare(method, path)
            .header("Authorization", format!("Token {token}"))
            .header("Org-Handle", handle)
    }

    /// A request as acme's admin.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.as_(&self.admin, "acme", method, path)
    }

    /// Creates a Twilio configuration as acme's admin (the account exists at the stand-in with
    /// this token, so it verifies) and returns its JSON `data`.
    pub async fn create_twilio(&self, sid: &str, token: &str) -> Value {
        self.twilio.put_account(sid, token);
        let (status, body) = send(self.admin(Method::POST, CONFIGS).json(&serde_json::json!({
            "provider": "twilio", "account_sid": sid, "auth_token": token
        })))
        .await;
        assert_eq!(status, 201, "{body}");
        body["data"].clone()
    }
}
