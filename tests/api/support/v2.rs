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

pub const NUMBERS: &str = "/api/v2/platform/telephony/numbers/";
pub const BRIDGES: &str = "/api/v2/platform/telephony/bridges/";

pub fn number_path(id: impl std::fmt::Display) -> String {
    format!("{NUMBERS}{id}/")
}

pub fn bridge_path(slug: &str) -> String {
    format!("{BRIDGES}{slug}/")
}

pub fn connect_path(slug: &str) -> String {
    format!("{BRIDGES}{slug}/connect-provider/")
}

pub fn disconnect_path(slug: &str) -> String {
    format!("{BRIDGES}{slug}/disconnect-provider/")
}

impl TestApp {
    /// Creates a `sip` configuration as `token` of org `handle` (SIP is checked syntactically
    /// only, never probed) and returns its id.
    pub async fn create_sip_as(&self, token: &str, handle: &str, host: &str) -> i64 {
        let (status, body) = send(
            self.as_(token, handle, Method::POST, CONFIGS)
                .json(&serde_json::json!({"provider": "sip", "host": host})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["data"]["id"].as_i64().unwrap()
    }

    pub async fn create_sip(&self, host: &str) -> i64 {
        self.create_sip_as(&self.admin, "acme", host).await
    }

    /// Adds `number` to a sip configuration as acme's admin; returns the number object.
    pub async fn add_number(&self, config_id: i64, number: &str) -> Value {
        let (status, body) = send(
            self.admin(Method::POST, NUMBERS)
                .json(&serde_json::json!({"provider_config_id": config_id, "number": number})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["data"].clone()
    }

    /// Creates a bridge as acme's admin; returns its object.
    pub async fn create_bridge(&self, name: &str, slug: &str) -> Value {
        let (status, body) = send(
            self.admin(Method::POST, BRIDGES)
                .json(&serde_json::json!({"name": name, "slug": slug})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["data"].clone()
    }

    /// Connects a configuration's number to a bridge as acme's admin: the status and body.
    pub async fn connect(&self, slug: &str, config_id: i64, number: &str) -> (u16, Value) {
        send(
            self.admin(Method::POST, &connect_path(slug))
                .json(&serde_json::json!({"provider_config_id": config_id, "phone_number": number})),
        )
        .await
    }
}
