//! The audit trail (written with each change, never holding a secret) and idempotent creates.

use std::time::Duration;

use crate::support::{
    CONFIGS, CONFIGS_UNVERIFIED, TWILIO_SID, TWILIO_SID_2, both_backends, config_path, join_all, send, store,
    wait_until,
};
use reqwest::Method;
use serde_json::{Value, json};
use standin::recorder::Fault;
use standin::twilio::routes;

const IN_PROGRESS: &str = "A request with this Idempotency-Key is still in progress; retry later.";

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

    async fn concurrent_retries_wait_for_the_first_answer(app) {
        let post = |key: &str, body: &Value| app.admin(Method::POST, CONFIGS).header("Idempotency-Key", key).json(body);
        // The first request holds its key while the carrier hangs (1.5 s).
        app.twilio.put_account(TWILIO_SID, "t");
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::Hang(Duration::from_millis(1500)), 1);
        let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"});
        let first = tokio::spawn(send(post("burst", &body)));
        wait_until("the first request reached the carrier", || app.twilio.recorder.count(routes::FETCH_ACCOUNT) >= 1).await;
        // Retries meanwhile are told it is in progress (not the duplicate's 409: no row exists yet).
        for (status, answer) in join_all((0..5).map(|_| send(post("burst", &body)))).await {
            assert_eq!((status, answer["message"].as_str()), (409, Some(IN_PROGRESS)), "{answer}");
        }
        let (status, first) = first.await.unwrap();
        assert_eq!(status, 201, "{first}");
        let again = post("burst", &body).send().await.unwrap();
        assert_eq!((again.status().as_u16(), again.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
        assert_eq!(again.json::<Value>().await.unwrap(), first);

        // Distinct bodies under one key, all at once (each would be its own row without the
        // key): one runs, every other is refused.
        let bodies: Vec<Value> = (0..6)
            .map(|n| json!({"provider": "twilio", "account_sid": format!("AC{n:032x}"), "auth_token": "t"}))
            .collect();
        let answers = join_all(bodies.iter().map(|b| send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "burst-2").json(b)))).await;
        let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{answers:?}");
        assert!(answers.iter().all(|(s, a)| *s == 201 || *s == 422 || (*s == 409 && a["message"] == IN_PROGRESS)), "{answers:?}");
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 2, "one row per key");
    }

    async fn a_key_whose_first_request_died_is_free_after_the_stale_window(app) {
        let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"});
        // Claimed 50 s ago and never answered: still held (by a request with another body: 422
        // or "in progress", never run).
        store::leave_unanswered_idempotency_key(&app.app, &app.org, "died-recently", chrono::Duration::seconds(50)).await;
        let (status, answer) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "died-recently").json(&body)).await;
        assert!(status == 409 || status == 422, "{status} {answer}");
        // Claimed past the stale window (a minute): the key is free again and the request runs.
        store::leave_unanswered_idempotency_key(&app.app, &app.org, "died-long-ago", chrono::Duration::seconds(70)).await;
        let (status, answer) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "died-long-ago").json(&body)).await;
        assert_eq!(status, 201, "{answer}");
        let again = app.admin(Method::POST, CONFIGS_UNVERIFIED).header("Idempotency-Key", "died-long-ago").json(&body).send().await.unwrap();
        assert_eq!((again.status().as_u16(), again.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 1);
    }
}
