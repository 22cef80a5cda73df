//! The audit trail (written with each change, never holding a secret) and idempotent creates.

use crate::support::{CONFIGS, CONFIGS_UNVERIFIED, TWILIO_SID, TWILIO_SID_2, both_backends, config_path, send};
use reqwest::Method;
use serde_json::{Value, json};

const AUDIT: &str = "/api/v2/platform/audit-events/";

both_backends! {
    async fn every_change_leaves_an_audit_event_without_secrets(app) {
        let created = app.create_twilio(TWILIO_SID, "secret-canary-1").await;
        let id = created["id"].as_i64().unwrap();
        send(app.admin(Method::PATCH, &format!("{}?verify=false", config_path(id))).json(&json!({"auth_token": "secret-canary-2"}))).await;
        send(app.admin(Method::PATCH, &config_path(id)).json(&json!({"name": "Main"}))).await;
        let response = app.admin(Method::DELETE, &config_path(id)).header("X-Request-Id", "req-delete-1").send().await.unwrap();
        assert_eq!(response.status(), 204);

        let (status, body) = send(app.admin(Method::GET, AUDIT)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["message"], "Audit events fetched successfully.");
        let events = body["data"].as_array().unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..4], ["configuration.deleted", "configuration.updated", "configuration.updated", "configuration.created"]);
        assert_eq!(events[0]["request_id"], "req-delete-1");
        assert_eq!(events[1]["fields"], json!(["name"]));
        assert_eq!(events[2]["fields"], json!(["auth_token"]), "a rotation names the field, never the value");
        let admin_token_id = app.app.authenticate(&app.admin).await.unwrap().token_id;
        assert!(events[..4].iter().all(|e| e["actor"] == format!("token:{admin_token_id}") && e["actor_token_id"] == admin_token_id));
        assert!(events[..4].iter().all(|e| e["resource_type"] == "configuration"));
        assert!(!body.to_string().contains("secret-canary"), "no secret in the audit trail");

        // Filters and paging.
        let uuid = events[0]["resource_id"].as_str().unwrap().to_owned();
        let (_, one) = send(app.admin(Method::GET, &format!("{AUDIT}?resource_type=configuration&resource_id={uuid}&page_size=2"))).await;
        assert_eq!((one["count"].as_i64(), one["data"].as_array().unwrap().len()), (Some(4), 2));
        let (_, future) = send(app.admin(Method::GET, &format!("{AUDIT}?since=2999-01-01T00:00:00Z"))).await;
        assert_eq!(future["count"], 0);
        let (status, _) = send(app.admin(Method::GET, &format!("{AUDIT}?since=yesterday"))).await;
        assert_eq!(status, 400);

        // Admin only; and another organization sees none of it.
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, AUDIT)).await;
        assert_eq!(status, 403);
        let (_, theirs) = send(app.as_(&app.other_admin, "globex", Method::GET, AUDIT)).await;
        assert!(theirs["data"].as_array().unwrap().iter().all(|e| e["action"] != "configuration.created"));
    }

    async fn a_retried_create_gets_the_first_answer_and_no_second_row(app) {
        let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"});
        let first = app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-1").json(&body).send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let again = app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-1").json(&body).send().await.unwrap();
        assert_eq!(again.status(), 201, "the same status, not a 409");
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap(), first, "the same body");
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 1, "no second row");

        // Same key, different request: 422. A key is per organization.
        let other = json!({"provider": "twilio", "account_sid": TWILIO_SID_2, "auth_token": "t"});
        let (status, answer) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-1").json(&other)).await;
        assert_eq!((status, answer["status_code"].as_u64()), (422, Some(422)));
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-1").json(&body)).await;
        assert_eq!(status, 201);

        // A failed request does not pin its key: fix the body, retry with the same key.
        let (status, _) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-2").json(&json!({"provider": "twilio"}))).await;
        assert_eq!(status, 400);
        let (status, _) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "create-2").json(&other)).await;
        assert_eq!(status, 201);
        let (status, _) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "bad key").json(&other)).await;
        assert_eq!(status, 400);
    }

    async fn concurrent_retries_create_one_row(app) {
        let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"});
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let request = app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "burst").json(&body);
            tasks.push(tokio::spawn(send(request)));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().0);
        }
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
        assert!(statuses.contains(&201));
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 1);
    }
}
