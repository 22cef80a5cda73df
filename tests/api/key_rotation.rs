//! Master key rotation under live traffic: servers run with the new key active and the old one
//! still loaded, `rotate_secrets` re-seals everything while clients keep rotating tokens, and
//! afterwards the old key can be dropped.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::support::app::open_patchbay;
use crate::support::{
    CONFIGS_UNVERIFIED, TEST_KEY, TestApp, both_backends, config_path, send, store, test_http_settings,
};
use patchbay::crypto::Keyring;
use patchbay::service::Patchbay;
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::json;

const NEW_KEY: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

async fn patchbay_on(app: &TestApp, keys: &[&str]) -> Arc<Patchbay> {
    Arc::new(open_patchbay(&app.database_url, keys, &app.twilio.url()).await)
}

both_backends! {
    async fn rotate_under_live_traffic_then_drop_the_old_key(app) {
        let mut ids = Vec::new();
        for i in 0..30 {
            let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
                .json(&json!({"provider": "twilio", "account_sid": format!("AC{:032x}", i + 1), "auth_token": format!("old-{i}")}))).await;
            assert_eq!(status, 201);
            ids.push(body["data"]["id"].as_i64().unwrap());
        }
        let old_key = app.app.keyring.active_key_id().to_owned();

        // A second server on the same database with the new key active, the old one readable.
        let rotated = patchbay_on(&app, &[NEW_KEY, TEST_KEY]).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(patchbay::http::serve(listener, rotated.clone(), test_http_settings(), std::future::pending()));

        // Clients keep rotating tokens through the new server while the rotation runs.
        let traffic = {
            let (client, url, token, ids) = (app.client.clone(), url.clone(), app.admin.clone(), ids.clone());
            tokio::spawn(async move {
                let mut last = BTreeMap::new();
                for round in 0..4 {
                    for id in ids.iter().step_by(3) {
                        let value = format!("live-{round}-{id}");
                        let response = client.patch(format!("{url}{}?verify=false", config_path(id)))
                            .header("Authorization", format!("Token {token}")).header("Org-Handle", "acme")
                            .json(&json!({"auth_token": value})).send().await.unwrap();
                        assert_eq!(response.status(), 200);
                        last.insert(*id, value);
                    }
                }
                last
            })
        };
        let mut reports = Vec::new();
        let done = rotated.rotate_secrets(7, |done, remaining| reports.push((done, remaining))).await.unwrap();
        let last = traffic.await.unwrap();
        assert!(done > 0 && !reports.is_empty(), "progress is reported per batch");
        assert_eq!(reports.last().unwrap().1, 0);
        assert_eq!(store::count_sealed_with_other_keys(&rotated, NEW_KEY_ID.get_or_init(|| key_id_of(NEW_KEY))).await, 0);

        // The old key can go: only the new one is loaded, and every secret opens.
        let new_only = patchbay_on(&app, &[NEW_KEY]).await;
        new_only.check_keys().await.unwrap();
        let (rows, _) = new_only.list_configurations(&app.org, Default::default()).await.unwrap();
        assert_eq!(rows.len(), 30);
        for row in &rows {
            assert_ne!(row.secret_key_id, old_key);
            let secrets = new_only.open_secrets(row).unwrap();
            let token = secrets.get("auth_token").unwrap().expose_secret().to_owned();
            match last.get(&row.id) {
                Some(expected) => assert_eq!(&token, expected, "a rotation during re-sealing is not lost"),
                None => assert!(token.starts_with("old-"), "{token}"),
            }
        }
        // And a server with only the old key now refuses to start, naming the key.
        let old_only = patchbay_on(&app, &[TEST_KEY]).await;
        assert!(old_only.check_keys().await.unwrap_err().to_string().contains("master key id"));
    }
}

static NEW_KEY_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn key_id_of(key: &str) -> String {
    Keyring::from_base64_keys([key]).unwrap().active_key_id().to_owned()
}
