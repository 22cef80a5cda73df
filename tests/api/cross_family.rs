//! One data model, two families: what one family does to a provisioned Twilio provider keeps
//! the customer's Twilio account consistent.

use crate::support::v1::{CREATE, v1};
use crate::support::{CONFIGS, TWILIO_SID, TWILIO_SID_2, TestApp, both_backends, config_path, send, store};
use patchbay::storage::ConfigurationKey;
use reqwest::Method;
use serde_json::json;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// Creates a provider through v1 (provisioning a trunk at the stand-in); returns its v2 id.
async fn provision(app: &TestApp) -> i64 {
    app.twilio.put_account(TWILIO_SID, TOKEN);
    let response = v1(app, Method::POST, CREATE)
        .json(&json!({"accountSid": TWILIO_SID, "authToken": TOKEN, "name": "main"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(app.twilio.trunks().len(), 1);
    let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
    list["data"][0]["id"].as_i64().unwrap()
}

both_backends! {
    async fn a_v2_delete_removes_the_trunk_too(app) {
        let id = provision(&app).await;
        let (status, _) = send(app.admin(Method::DELETE, &config_path(id))).await;
        assert_eq!(status, 204);
        assert!(app.twilio.trunks().is_empty(), "the trunk must not be orphaned in the customer's account");
        assert!(app.twilio.credential_lists().is_empty());
        let (status, _) = send(app.admin(Method::GET, &config_path(id))).await;
        assert_eq!(status, 404);
    }

    async fn a_v2_patch_cannot_move_a_provisioned_provider_to_another_account(app) {
        let id = provision(&app).await;
        let (status, body) = send(app.admin(Method::PATCH, &format!("{}?verify=false", config_path(id)))
            .json(&json!({"account_sid": TWILIO_SID_2}))).await;
        assert_eq!(status, 400);
        assert!(body["errors"]["account_sid"][0].as_str().unwrap().contains("SIP trunk"));
        // Rotating its token through v2 keeps the SIP password (sealed in the same bundle).
        let rotated = "abcdefabcdefabcdefabcdefabcdefab";
        app.twilio.set_auth_token(TWILIO_SID, rotated);
        let (status, _) = send(app.admin(Method::PATCH, &config_path(id)).json(&json!({"auth_token": rotated}))).await;
        assert_eq!(status, 200);
        let secrets = store::stored_secrets(&app.app, &app.org, ConfigurationKey::Id(id)).await;
        assert!(secrets.get("sip_password").is_some());
    }
}
