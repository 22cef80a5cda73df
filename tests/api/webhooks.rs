//! Webhooks (issue 15): a loopback receiver gets every event type, signed so the official
//! `standardwebhooks` library verifies it; retries follow the backoff and stop at the end of
//! the schedule (the endpoint is then disabled, with an event); target URLs on private
//! addresses are refused when saved and when connecting.

use std::time::Duration;

use patchbay::domain::access::Role;
use patchbay::service::webhooks::{WebhookSettings, parse_schedule};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::webhooks::{Received, Receiver, verify_with_standardwebhooks};
use crate::support::{
    BRIDGES, Backend, CONFIGS, NUMBERS, TestApp, bridge_path, config_path, connect_path, disconnect_path, number_path,
    send, spawn_app_custom, test_http_settings,
};

const WEBHOOKS: &str = "/api/v2/platform/webhooks/";

fn hook_path(id: i64, rest: &str) -> String {
    format!("{WEBHOOKS}{id}/{rest}")
}

/// The app with loopback receivers allowed and `schedule`, and its delivery loop running.
async fn webhook_app(backend: Backend, schedule: &str) -> Option<(TestApp, tokio::task::JoinHandle<()>)> {
    let settings = WebhookSettings {
        trusted_hosts: ["127.0.0.1".to_owned(), "localhost".to_owned()].into(),
        retry_schedule: parse_schedule(schedule).unwrap(),
        timeout: Duration::from_secs(2),
        poll: Duration::from_millis(50),
        ..WebhookSettings::default()
    };
    let app = spawn_app_custom(
        backend,
        test_http_settings(),
        |_| {},
        |app| app.with_webhooks(settings).unwrap(),
    )
    .await?;
    let worker = patchbay::worker::spawn_webhooks(app.app.clone());
    Some((app, worker))
}

async fn create_endpoint(app: &TestApp, url: &str, types: Value) -> (i64, String) {
    let (status, body) = send(
        app.admin(Method::POST, WEBHOOKS)
            .json(&json!({"url": url, "event_types": types})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["data"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{body}");
    (body["data"]["id"].as_i64().unwrap(), secret)
}

async fn subscribable(app: &TestApp) -> Vec<String> {
    let (status, body) = send(app.admin(Method::GET, &format!("{WEBHOOKS}event-types/"))).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .filter(|t| t != "webhook.ping.v1")
        .collect()
}

fn types_of(received: &[Received]) -> std::collections::BTreeSet<String> {
    received.iter().map(Received::event_type).collect()
}

/// The endpoint's deliveries once none is pending (bounded wait).
async fn settled_deliveries(app: &TestApp, hook: i64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = send(app.admin(Method::GET, &hook_path(hook, "deliveries/"))).await;
        assert_eq!(status, 200, "{body}");
        if body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] != "pending")
        {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "still pending: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_event_type_arrives_signed(backend: Backend) {
    let Some((app, worker)) = webhook_app(backend, "100ms,100ms").await else {
        return;
    };
    let receiver = Receiver::start().await;
    let all = subscribable(&app).await;
    assert_eq!(all.len(), 18);
    let (hook, secret) = create_endpoint(&app, &receiver.url("/hooks"), json!(all)).await;
    // The secret is shown once: never in a read.
    let (status, body) = send(app.admin(Method::GET, &hook_path(hook, ""))).await;
    assert_eq!(status, 200);
    assert!(
        body["data"].get("secret").is_none() && !body.to_string().contains(&secret),
        "{body}"
    );
    // Admin only; another organization does not see it.
    let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, WEBHOOKS)).await;
    assert_eq!(status, 403);
    let (status, _) = send(app.as_(&app.other_admin, "globex", Method::GET, &hook_path(hook, ""))).await;
    assert_eq!(status, 404);
    // An endpoint that never answers: it is disabled after the schedule, which is an event.
    let (dead, _) = create_endpoint(&app, "http://127.0.0.1:9/", json!(["bridge.created.v1"])).await;

    // Configurations, numbers, bridges.
    let auth_token = "feedfacefeedfacefeedfacefeedface";
    let twilio = app.create_twilio(crate::support::TWILIO_SID, auth_token).await;
    let twilio_id = twilio["id"].as_i64().unwrap();
    let (status, body) = send(
        app.admin(Method::PATCH, &config_path(twilio_id))
            .json(&json!({"name": "Main"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    app.twilio
        .add_incoming_number(crate::support::TWILIO_SID, "+14155550100");
    let (status, body) = send(
        app.admin(Method::POST, &format!("{}import-numbers/", config_path(twilio_id)))
            .json(&json!({"numbers": ["+14155550100"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "Sales", "slug": "sales"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // A change that rolls back (a taken slug) announces nothing.
    let (status, _) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "Again", "slug": "sales"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = send(
        app.admin(Method::PATCH, &bridge_path("sales"))
            .json(&json!({"name": "Sales 2"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        app.admin(Method::POST, &connect_path("sales"))
            .json(&json!({"provider_config_id": twilio_id, "phone_number": "+14155550100"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = send(
        app.admin(Method::POST, &disconnect_path("sales"))
            .json(&json!({"phone_number": "+14155550100"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(app.admin(Method::DELETE, &bridge_path("sales"))).await;
    assert_eq!(status, 204);
    let sip = app.create_sip("sip.example.com").await;
    let number = app.add_number(sip, "+14155550199").await;
    let (status, _) = send(app.admin(Method::DELETE, &number_path(number["id"].as_i64().unwrap()))).await;
    assert_eq!(status, 204);
    let (status, _) = send(app.admin(Method::DELETE, &config_path(sip))).await;
    assert_eq!(status, 204);
    // The carrier turns the credentials down: the verification changes the status.
    app.twilio
        .set_auth_token(crate::support::TWILIO_SID, "ffffffffffffffffffffffffffffffff");
    let (status, body) = send(app.admin(Method::POST, &format!("{}verify/", config_path(twilio_id)))).await;
    assert_eq!(
        (status, body["data"]["verification_status"].as_str()),
        (200, Some("failed")),
        "{body}"
    );
    // v1 Twilio providers.
    let (created, _, v1_token) = crate::support::v1::create(&app, json!({"name": "Trunked"})).await;
    let v1_id = created["id"].as_str().unwrap().to_owned();
    let (status, _) =
        send(crate::support::v1::v1(&app, Method::PUT, &crate::support::v1::item(&v1_id)).json(&json!({"name": "B"})))
            .await;
    assert_eq!(status, 200);
    let (status, _) = send(crate::support::v1::v1(
        &app,
        Method::DELETE,
        &format!("/api/v1/providers/{v1_id}"),
    ))
    .await;
    assert_eq!(status, 204);
    // Tokens.
    let (token, _) = app
        .app
        .create_token(&app.org, Role::Viewer, Some("ci"), None)
        .await
        .unwrap();
    assert!(app.app.revoke_token(token.id).await.unwrap());
    // Another organization's change reaches no endpoint of acme's.
    let (status, _) = send(
        app.as_(&app.other_admin, "globex", Method::POST, BRIDGES)
            .json(&json!({"name": "G", "slug": "g"})),
    )
    .await;
    assert_eq!(status, 201);
    // The test ping.
    let (status, body) = send(app.admin(Method::POST, &hook_path(hook, "test/"))).await;
    assert_eq!(status, 202, "{body}");
    let ping_id = body["data"]["webhook_id"].as_str().unwrap().to_owned();

    let mut expected: std::collections::BTreeSet<String> = all.iter().cloned().collect();
    expected.insert("webhook.ping.v1".into());
    let got = receiver
        .wait_for("every event type", Duration::from_secs(30), |r| types_of(r) == expected)
        .await;
    assert!(got.iter().any(|r| r.id == ping_id));
    for r in &got {
        let event = r.json();
        assert_eq!(event["data"]["organization_id"], app.org.id, "{event}");
        for secret_value in [auth_token, v1_token.as_str(), "ffffffffffffffffffffffffffffffff"] {
            assert!(!r.body.contains(secret_value), "a secret in {event}");
        }
        assert!(r.id.starts_with("msg_") && r.signature.starts_with("v1,"), "{r:?}");
    }
    let change = got
        .iter()
        .find(|r| r.event_type() == "configuration.verification_status_changed.v1")
        .unwrap()
        .json();
    assert_eq!(
        (
            change["data"]["old_status"].as_str(),
            change["data"]["new_status"].as_str()
        ),
        (Some("verified"), Some("failed")),
        "{change}"
    );
    assert!(
        !change["data"]["failing_checks"].as_array().unwrap().is_empty(),
        "{change}"
    );
    assert_eq!(change["data"]["configuration_id"], twilio_id);
    // The resource as the API shows it, beside its id.
    let data_of = |t: &str| got.iter().find(|r| r.event_type() == t).unwrap().json()["data"].clone();
    assert_eq!(data_of("bridge.created.v1")["slug"], "sales");
    assert_eq!(
        got.iter().filter(|r| r.event_type() == "bridge.created.v1").count(),
        1,
        "one bridge was created"
    );
    assert_eq!(data_of("bridge.updated.v1")["name"], "Sales 2");
    assert_eq!(data_of("number.imported.v1")["number"], "+14155550100");
    assert_eq!(data_of("number.connected.v1")["bridge_slug"], "sales");
    assert_eq!(data_of("configuration.updated.v1")["name"], "Main");
    assert_eq!(data_of("number.released.v1")["number"], "+14155550199");
    assert_eq!(data_of("twilio_provider.provisioned.v1")["name"], "Trunked");
    assert_eq!(data_of("twilio_provider.updated.v1")["name"], "B");
    assert_eq!(
        (
            data_of("token.created.v1")["role"].as_str(),
            data_of("token.created.v1")["label"].as_str()
        ),
        (Some("viewer"), Some("ci"))
    );
    // Every delivery verifies with the official library.
    let signed: Vec<(String, Received)> = got.iter().map(|r| (secret.clone(), r.clone())).collect();
    let checked = verify_with_standardwebhooks(&signed);

    // The dead endpoint was disabled, and says why.
    let (_, body) = send(app.admin(Method::GET, &hook_path(dead, ""))).await;
    assert_eq!(body["data"]["enabled"], false, "{body}");
    assert!(
        body["data"]["disabled_reason"].as_str().unwrap().contains("3 attempts"),
        "{body}"
    );

    // Rotation: both secrets sign during the grace period.
    let (status, body) = send(app.admin(Method::POST, &hook_path(hook, "rotate-secret/"))).await;
    assert_eq!(status, 200, "{body}");
    let new_secret = body["data"]["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(body["data"]["previous_secret_valid_until"].is_string(), "{body}");
    let (_, body) = send(app.admin(Method::POST, &hook_path(hook, "test/"))).await;
    let ping = body["data"]["webhook_id"].as_str().unwrap().to_owned();
    let got = receiver
        .wait_for("the ping after rotation", Duration::from_secs(10), |r| {
            r.iter().any(|m| m.id == ping)
        })
        .await;
    let rotated = got.into_iter().find(|m| m.id == ping).unwrap();
    assert_eq!(rotated.signature.split(' ').count(), 2, "{rotated:?}");
    if checked {
        verify_with_standardwebhooks(&[(new_secret, rotated.clone()), (secret, rotated)]);
    }
    worker.abort();
    receiver.stop();
    app.stop().await;
}

async fn retries_back_off_then_give_up(backend: Backend) {
    let Some((app, worker)) = webhook_app(backend, "300ms,600ms,1200ms").await else {
        return;
    };
    let receiver = Receiver::start().await;
    let (hook, _) = create_endpoint(&app, &receiver.url("/in"), json!(["bridge.created.v1"])).await;
    receiver.fail_next(2);
    let (status, _) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "A", "slug": "a"})),
    )
    .await;
    assert_eq!(status, 201);
    let got = receiver
        .wait_for("a success after two failures", Duration::from_secs(20), |r| {
            r.iter().any(|m| m.answered == 204)
        })
        .await;
    assert_eq!(got.iter().map(|m| m.answered).collect::<Vec<_>>(), [500, 500, 204]);
    assert!(got.iter().all(|m| m.id == got[0].id), "one event, one webhook-id");
    let (gap1, gap2) = (got[1].at - got[0].at, got[2].at - got[1].at);
    assert!(
        gap1 >= Duration::from_millis(300) && gap2 >= Duration::from_millis(600),
        "{gap1:?} {gap2:?}"
    );
    assert!(gap2 > gap1, "backoff grows: {gap1:?} then {gap2:?}");

    // The receiver saw the 204 before Patchbay recorded it.
    let body = settled_deliveries(&app, hook).await;
    let delivery = &body["data"][0];
    assert_eq!(
        (delivery["status"].as_str(), delivery["attempts_count"].as_i64()),
        (Some("succeeded"), Some(3)),
        "{body}"
    );
    assert!(delivery["next_attempt_at"].is_null());
    let codes: Vec<i64> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 204]);
    assert_eq!(delivery["attempts"][0]["error"], "answered HTTP 500");
    assert!(delivery["attempts"][2]["error"].is_null());

    // Failing for good: after the schedule the delivery fails and the endpoint is disabled.
    receiver.fail_next(1000);
    let (status, _) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "B", "slug": "b"})),
    )
    .await;
    assert_eq!(status, 201);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let body = loop {
        let (_, body) = send(app.admin(Method::GET, &hook_path(hook, ""))).await;
        if body["data"]["enabled"] == false {
            break body;
        }
        assert!(std::time::Instant::now() < deadline, "not disabled: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(body["data"]["failing_since"].is_string(), "{body}");
    assert_eq!(receiver.received().iter().filter(|m| m.answered == 500).count(), 2 + 4);
    let failing = app
        .app
        .failing_webhook_endpoints(std::slice::from_ref(&app.org))
        .await
        .unwrap();
    assert_eq!(
        (failing.len(), failing[0].endpoint_id, failing[0].enabled),
        (1, hook, false)
    );
    // The console's health board shows it to the organization's admins, not to its viewers.
    crate::console::person(&app, "ops@example.org", Role::Admin).await;
    crate::console::person(&app, "watcher@example.org", Role::Viewer).await;
    let cookie = crate::console::session(&app, "ops@example.org").await;
    let (status, board) = crate::console::get(&app, &cookie, "/console/").await;
    assert_eq!(status, 200);
    assert!(
        board.contains("Webhook endpoints failing") && board.contains(&receiver.url("/in")),
        "{board}"
    );
    let cookie = crate::console::session(&app, "watcher@example.org").await;
    let (_, board) = crate::console::get(&app, &cookie, "/console/").await;
    assert!(!board.contains("Webhook endpoints failing"), "{board}");
    let (_, audit) = send(app.admin(
        Method::GET,
        "/api/v2/platform/audit-events/?resource_type=webhook_endpoint",
    ))
    .await;
    assert!(
        audit["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "webhook_endpoint.disabled"),
        "{audit}"
    );
    let body = settled_deliveries(&app, hook).await;
    let failed = &body["data"][0];
    assert_eq!(
        (failed["status"].as_str(), failed["attempts_count"].as_i64()),
        (Some("failed"), Some(4)),
        "{body}"
    );

    // Re-enabled and retried by hand, it arrives.
    receiver.fail_next(0);
    let (status, _) = send(
        app.admin(Method::PATCH, &hook_path(hook, ""))
            .json(&json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(app.admin(
        Method::POST,
        &hook_path(hook, &format!("deliveries/{}/retry/", failed["id"])),
    ))
    .await;
    assert_eq!(status, 202);
    let (status, _) = send(app.as_(
        &app.other_admin,
        "globex",
        Method::POST,
        &hook_path(hook, &format!("deliveries/{}/retry/", failed["id"])),
    ))
    .await;
    assert_eq!(status, 404);
    receiver
        .wait_for("the retried delivery", Duration::from_secs(10), |r| {
            r.iter().filter(|m| m.answered == 204).count() == 2
        })
        .await;
    let (_, body) = send(app.admin(Method::GET, &hook_path(hook, ""))).await;
    assert!(body["data"]["failing_since"].is_null(), "a success clears it: {body}");
    worker.abort();
    receiver.stop();
    app.stop().await;
}

async fn private_targets_are_refused(backend: Backend) {
    let Some((app, worker)) = webhook_app(backend, "1s").await else {
        return;
    };
    worker.abort();
    let refused = [
        ("https://10.1.2.3/in", "not a public address"),
        ("https://169.254.169.254/latest/meta-data", "not a public address"),
        ("https://[::1]/in", "not a public address"),
        ("https://[::ffff:192.168.0.1]/in", "not a public address"),
        ("http://hooks.example.com/in", "https"),
        ("https://user:pw@hooks.example.com/in", "user info"),
    ];
    for (url, why) in refused {
        let (status, body) = send(
            app.admin(Method::POST, WEBHOOKS)
                .json(&json!({"url": url, "event_types": ["bridge.created.v1"]})),
        )
        .await;
        assert_eq!(status, 400, "{url}: {body}");
        assert!(
            body["errors"]["url"][0].as_str().unwrap().contains(why),
            "{url}: {body}"
        );
    }
    // A name resolving to a private address (not trusted by this instance).
    let untrusted = patchbay::service::Patchbay::new(
        patchbay::storage::connect(&app.database_url).await.unwrap(),
        std::sync::Arc::new(patchbay::crypto::Keyring::from_base64_keys([crate::support::TEST_KEY]).unwrap()),
        patchbay::carriers::Carriers::new(crate::support::carriers::carrier_settings(
            crate::support::process::CLOSED_PORT,
        )),
    );
    let org = app.org.clone();
    let new = patchbay::domain::webhook::parse_new_endpoint(
        json!({"url": "https://localhost/in", "event_types": ["bridge.created.v1"]})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    let Err(patchbay::error::Error::Validation { errors, .. }) = untrusted.create_webhook_endpoint(&org, new).await
    else {
        panic!("localhost must be refused")
    };
    assert!(errors["url"][0].contains("non-public address 127.0.0.1"), "{errors:?}");

    // Saved while trusted, refused at connect time by an instance that does not trust it:
    // the guarded resolver turns `localhost` down, nothing reaches the receiver.
    let receiver = Receiver::start().await;
    let url = format!("https://localhost:{}/in", receiver.addr.port());
    let (hook, _) = create_endpoint(&app, &url, json!(["bridge.created.v1"])).await;
    let (literal, _) = create_endpoint(
        &app,
        &format!("https://127.0.0.1:{}/in", receiver.addr.port()),
        json!(["bridge.created.v1"]),
    )
    .await;
    let (status, _) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "A", "slug": "a"})),
    )
    .await;
    assert_eq!(status, 201);
    let untrusted = std::sync::Arc::new(untrusted);
    assert_eq!(untrusted.deliver_due_webhooks(10).await.unwrap(), 2);
    for (id, why) in [
        (hook, "non-public address 127.0.0.1"),
        (literal, "127.0.0.1 is not a public address"),
    ] {
        let (_, body) = send(app.admin(Method::GET, &hook_path(id, "deliveries/"))).await;
        let attempt = &body["data"][0]["attempts"][0];
        assert!(attempt["status_code"].is_null(), "{body}");
        assert!(attempt["error"].as_str().unwrap().contains(why), "{body}");
        assert_eq!(body["data"][0]["status"], "pending", "retried later: {body}");
    }
    assert!(receiver.received().is_empty());
    receiver.stop();
    app.stop().await;
}

async fn bodies_and_ids_are_checked(backend: Backend) {
    let Some((app, worker)) = webhook_app(backend, "1s").await else {
        return;
    };
    worker.abort();
    let (status, body) = send(
        app.admin(Method::POST, WEBHOOKS)
            .json(&json!({"url": "https://hooks.example.com/", "event_types": [], "x": 1})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["event_types", "x"]
    );
    let (status, _) = send(
        app.as_(&app.viewer, "acme", Method::POST, WEBHOOKS)
            .json(&json!({"url": "https://hooks.example.com/", "event_types": ["bridge.created.v1"]})),
    )
    .await;
    assert_eq!(status, 403);
    for path in [
        hook_path(0, ""),
        hook_path(99, ""),
        format!("{WEBHOOKS}abc/"),
        hook_path(99, "deliveries/"),
    ] {
        let (status, _) = send(app.admin(Method::GET, &path)).await;
        assert_eq!(status, 404, "{path}");
    }
    // Created with an Idempotency-Key: the answer shown once is not kept for replay (that
    // would store the secret in the clear); a retry learns the work is done.
    let create = || {
        app.admin(Method::POST, WEBHOOKS)
            .header("Idempotency-Key", "hook-1")
            .json(&json!({"url": "https://hooks.example.com/in", "event_types": ["bridge.created.v1"]}))
    };
    let (status, body) = send(create()).await;
    assert_eq!(status, 201, "{body}");
    let (hook, secret) = (
        body["data"]["id"].as_i64().unwrap(),
        body["data"]["secret"].as_str().unwrap().to_owned(),
    );
    let replay = create().send().await.unwrap();
    assert_eq!(
        (
            replay.status().as_u16(),
            replay.headers()["idempotent-replayed"].to_str().unwrap()
        ),
        (201, "true")
    );
    let replayed = replay.text().await.unwrap();
    assert!(
        replayed.contains("Already done") && !replayed.contains(&secret),
        "{replayed}"
    );
    let (status, body) = send(
        app.admin(Method::PATCH, &hook_path(hook, ""))
            .json(&json!({"event_types": ["nope"]})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(
        app.admin(Method::PATCH, &hook_path(hook, ""))
            .json(&json!({"description": "ops", "event_types": ["bridge.deleted.v1"]})),
    )
    .await;
    assert_eq!(
        (status, body["data"]["event_types"].clone()),
        (200, json!(["bridge.deleted.v1"])),
        "{body}"
    );
    let (status, body) = send(app.admin(Method::GET, WEBHOOKS)).await;
    assert_eq!((status, body["count"].as_i64()), (200, Some(1)), "{body}");
    // The secret is sealed: not in the database file (SQLite) in the clear.
    if backend == Backend::Sqlite {
        let path = app.database_url.trim_start_matches("sqlite://").to_owned();
        for file in [path.clone(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&secret[6..]),
                "secret in {file}"
            );
        }
    }
    let (status, _) = send(app.admin(Method::DELETE, &hook_path(hook, ""))).await;
    assert_eq!(status, 204);
    let (status, _) = send(app.admin(Method::GET, &hook_path(hook, ""))).await;
    assert_eq!(status, 404);
    // Unused here: the endpoint lists stay empty for other organizations.
    let (_, body) = send(app.as_(&app.other_admin, "globex", Method::GET, WEBHOOKS)).await;
    assert_eq!(body["count"], 0);
    let _ = (CONFIGS, NUMBERS);
    app.stop().await;
}

/// `keys rotate` re-seals signing secrets too: after the old master key is dropped, the
/// endpoint still signs with the secret its receiver holds, and the start-up check passes.
async fn signing_secrets_survive_a_master_key_rotation(backend: Backend) {
    const NEW_KEY: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";
    let Some((app, worker)) = webhook_app(backend, "1s").await else {
        return;
    };
    worker.abort();
    let receiver = Receiver::start().await;
    let (hook, secret) = create_endpoint(&app, &receiver.url("/in"), json!(["bridge.created.v1"])).await;
    let on_keys = |keys: &'static [&'static str]| {
        let url = app.database_url.clone();
        async move {
            let settings = WebhookSettings {
                trusted_hosts: ["127.0.0.1".to_owned()].into(),
                ..WebhookSettings::default()
            };
            std::sync::Arc::new(
                crate::support::app::open_patchbay(&url, keys, crate::support::process::CLOSED_PORT)
                    .await
                    .with_webhooks(settings)
                    .unwrap(),
            )
        }
    };
    let both = on_keys(&[NEW_KEY, crate::support::TEST_KEY]).await;
    both.rotate_secrets(10, Duration::ZERO, |_, _| {}).await.unwrap();
    let new_only = on_keys(&[NEW_KEY]).await;
    new_only.check_keys().await.unwrap();
    new_only.send_webhook_ping(&app.org, hook).await.unwrap();
    assert_eq!(new_only.deliver_due_webhooks(10).await.unwrap(), 1);
    let got = receiver
        .wait_for("the ping", Duration::from_secs(10), |r| !r.is_empty())
        .await;
    assert_eq!(got[0].answered, 204);
    verify_with_standardwebhooks(&[(secret, got[0].clone())]);
    receiver.stop();
    app.stop().await;
}

macro_rules! on_both_backends {
    ($($name:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Backend::Postgres).await
                }
            )*
        }
    };
}

on_both_backends!(
    every_event_type_arrives_signed,
    retries_back_off_then_give_up,
    private_targets_are_refused,
    bodies_and_ids_are_checked,
    signing_secrets_survive_a_master_key_rotation
);
