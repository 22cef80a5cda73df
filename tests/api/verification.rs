//! Live credential verification through the v2 API, against the Twilio stand-in over HTTP:
//! on create and rotation, on demand, and by the background verifier.

use crate::support::{CONFIGS, CONFIGS_UNVERIFIED, TWILIO_SID, TestApp, both_backends, config_path, send, store};
use patchbay::storage::ConfigurationKey;
use patchbay::worker::{VerifierSettings, run_round};
use reqwest::Method;
use serde_json::{Value, json};
use standin::recorder::Fault;
use standin::twilio::routes;
use std::time::{Duration, Instant};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn check<'a>(config: &'a Value, name: &str) -> &'a Value {
    config["verification_details"]
        .as_array()
        .unwrap_or_else(|| panic!("no verification_details: {config}"))
        .iter()
        .find(|c| c["check_name"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {config}"))
}

async fn get(app: &TestApp, id: &Value) -> Value {
    let (status, body) = send(app.admin(Method::GET, &config_path(id))).await;
    assert_eq!(status, 200);
    body["data"].clone()
}

async fn create(app: &TestApp, token: &str) -> (u16, Value) {
    send(app.admin(Method::POST, CONFIGS).json(&json!({
        "provider": "twilio", "account_sid": TWILIO_SID, "auth_token": token
    })))
    .await
}

/// One background round with a short lease, as the server runs it.
async fn background_round(app: &TestApp) -> usize {
    let settings = VerifierSettings {
        lease: std::time::Duration::from_secs(1),
        ..VerifierSettings::default()
    };
    run_round(&app.app, &settings).await.unwrap()
}

both_backends! {
    async fn good_credentials_are_verified_on_create(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (status, body) = create(&app, TOKEN).await;
        assert_eq!(status, 201, "{body}");
        let data = &body["data"];
        assert_eq!(data["verification_status"], "verified");
        assert!(data["last_verified_at"].is_string());
        assert_eq!(check(data, "credentials_valid")["status"], "passed");
        assert_eq!(check(data, "account_active")["status"], "passed");
        assert_eq!(app.twilio.recorder.count(routes::FETCH_ACCOUNT), 1);
    }

    async fn rejected_credentials_are_a_400_and_nothing_is_stored(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (status, body) = create(&app, "ffffffffffffffffffffffffffffffff").await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"]["non_field_errors"][0], "Invalid account_sid or auth_token");
        assert!(!body.to_string().contains("ffffffffffffffff"));
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 0);
        // A 4xx from the carrier is never retried.
        assert_eq!(app.twilio.recorder.count(routes::FETCH_ACCOUNT), 1);
    }

    async fn degraded_accounts_are_stored_with_a_warning_or_failure(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        app.twilio.set_status(TWILIO_SID, "suspended");
        let (status, body) = create(&app, TOKEN).await;
        assert_eq!(status, 201);
        assert_eq!(body["data"]["verification_status"], "warning");
        assert_eq!(check(&body["data"], "account_active")["status"], "warning");

        app.twilio.set_status(TWILIO_SID, "closed");
        let (status, body) = send(app.admin(Method::POST, &format!("{}verify/", config_path(&body["data"]["id"])))).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Provider configuration verified.");
        assert_eq!(body["data"]["verification_status"], "failed");
    }

    async fn an_unreachable_carrier_leaves_it_pending_until_the_background_verifier_succeeds(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        // Every attempt (first try and retry) fails: the carrier is down.
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::Status(503), 2);
        let (status, body) = create(&app, TOKEN).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["message"], "Provider configuration created successfully.");
        let id = body["data"]["id"].clone();
        assert_eq!(body["data"]["verification_status"], "pending");
        assert_eq!(check(&body["data"], "carrier_reachable")["status"], "skipped");

        // Not due yet: an unreachable carrier is retried after a pause, not hammered.
        assert_eq!(background_round(&app).await, 0);
        // Due, and still unreachable: retried later, and with nothing new to say it changes
        // nothing a client sees (the ETag stays; If-Match writes are not refused for it).
        let etag = async || {
            let answer = app.admin(Method::GET, &config_path(&id)).send().await.unwrap();
            answer.headers()["etag"].to_str().unwrap().to_owned()
        };
        let before = etag().await;
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::Status(503), 2);
        store::make_verification_due(&app.app, &app.org).await;
        assert_eq!(background_round(&app).await, 1);
        assert_eq!(get(&app, &id).await["verification_status"], "pending");
        assert_eq!(etag().await, before);
        assert_eq!(background_round(&app).await, 0, "the retry is scheduled later again");

        store::make_verification_due(&app.app, &app.org).await;
        assert_eq!(background_round(&app).await, 1);
        assert_eq!(get(&app, &id).await["verification_status"], "verified");
        assert_ne!(etag().await, before);

        // Revoked at the carrier: the next round marks it failed.
        app.twilio.set_auth_token(TWILIO_SID, "ffffffffffffffffffffffffffffffff");
        assert_eq!(background_round(&app).await, 1);
        let now = get(&app, &id).await;
        assert_eq!(now["verification_status"], "failed");
        assert_eq!(check(&now, "credentials_valid")["status"], "failed");
    }

    async fn rotation_is_verified_before_it_commits(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (_, body) = create(&app, TOKEN).await;
        let id = body["data"]["id"].clone();
        let (status, answer) = send(app.admin(Method::PATCH, &config_path(&id)).json(&json!({"auth_token": "wrong"}))).await;
        assert_eq!(status, 400, "{answer}");
        let secrets = store::stored_secrets(&app.app, &app.org, ConfigurationKey::Id(id.as_i64().unwrap())).await;
        use secrecy::ExposeSecret as _;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), TOKEN, "unchanged");
        assert_eq!(get(&app, &id).await["verification_status"], "verified");

        let rotated = "abcdefabcdefabcdefabcdefabcdefab";
        app.twilio.set_auth_token(TWILIO_SID, rotated);
        let (status, answer) = send(app.admin(Method::PATCH, &config_path(&id)).json(&json!({"auth_token": rotated}))).await;
        assert_eq!(status, 200);
        assert_eq!(answer["data"]["verification_status"], "verified");
        // A name change does not call the carrier.
        let before = app.twilio.recorder.count(routes::FETCH_ACCOUNT);
        let (status, answer) = send(app.admin(Method::PATCH, &config_path(&id)).json(&json!({"name": "x"}))).await;
        assert_eq!((status, answer["data"]["name"].as_str()), (200, Some("x")), "{answer}");
        assert_eq!(app.twilio.recorder.count(routes::FETCH_ACCOUNT), before);
    }

    async fn verify_false_skips_the_carrier(app) {
        let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": TOKEN}))).await;
        assert_eq!(status, 201);
        assert_eq!(body["data"]["verification_status"], "pending");
        assert_eq!(app.twilio.recorder.total(), 0);
        let (status, body) = send(app.admin(Method::POST, &format!("{CONFIGS}?verify=maybe"))
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": TOKEN}))).await;
        assert_eq!((status, body["errors"]["verify"].is_array()), (400, true));
    }

    async fn a_carrier_429_is_honoured(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (_, body) = create(&app, TOKEN).await;
        let id = body["data"]["id"].as_i64().unwrap();
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::RateLimited { retry_after_secs: 600 }, 1);
        let before = chrono::Utc::now();
        assert_eq!(background_round(&app).await, 1);
        assert_eq!(get(&app, &json!(id)).await["verification_status"], "verified", "the last known result stands");
        // When the next attempt is due is not shown by the API.
        let record = store::configuration_record(&app.app, &app.org, ConfigurationKey::Id(id)).await;
        let next = record.next_verification_at.unwrap();
        assert!(next >= before + chrono::Duration::seconds(590), "next attempt {next} honours Retry-After");
        assert_eq!(background_round(&app).await, 0, "not asked again before then");
    }

    async fn viewers_cannot_trigger_verification(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (status, body) = create(&app, TOKEN).await;
        assert_eq!(status, 201, "{body}");
        let path = format!("{}verify/", config_path(&body["data"]["id"]));
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::POST, &path)).await;
        assert_eq!(status, 403);
        let (status, answer) = send(app.as_(&app.other_admin, "globex", Method::POST, &path)).await;
        assert_eq!((status, answer["message"].as_str()), (404, Some("Provider configuration not found.")));
        // Neither call reached the carrier again.
        assert_eq!(app.twilio.recorder.count(routes::FETCH_ACCOUNT), 1);
    }

    async fn a_stopped_verifier_hands_back_the_rows_it_had_not_checked(app) {
        app.twilio.put_account(TWILIO_SID, TOKEN);
        let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": TOKEN}))).await;
        assert_eq!(status, 201, "{body}");
        let id = body["data"]["id"].clone();
        // The carrier hangs (first try and retry), so the check is in flight when the server
        // stops; the lease is the shipped 5 minutes.
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::Hang(Duration::from_secs(30)), 2);
        let verifier = patchbay::worker::spawn(app.app.clone(), VerifierSettings::default());
        let asked = Instant::now();
        while app.twilio.recorder.count(routes::FETCH_ACCOUNT) == 0 {
            assert!(asked.elapsed() < Duration::from_secs(10), "the verifier never asked the carrier");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let stopping = Instant::now();
        verifier.stop().await;
        assert!(stopping.elapsed() < Duration::from_secs(1), "stopping waits for no carrier");
        app.twilio.recorder.reset();
        // Due again at once, not after the lease: the next round (this instance restarted, or
        // another) checks it.
        assert_eq!(background_round(&app).await, 1);
        assert_eq!(get(&app, &id).await["verification_status"], "verified");
    }

    async fn only_a_lease_still_held_is_handed_back(app) {
        let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": TOKEN}))).await;
        assert_eq!(status, 201, "{body}");
        let id = body["data"]["id"].as_i64().unwrap();
        // Sub-microsecond digits included: PostgreSQL keeps microseconds, and the comparison
        // must still find the lease it stored.
        let lease_until = chrono::Utc::now() + chrono::Duration::nanoseconds(300_000_000_123);
        let claimed = app.app.claim_due_verifications(lease_until, 32).await.unwrap();
        assert_eq!(claimed.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
        assert_eq!(app.app.claim_due_verifications(lease_until, 32).await.unwrap().len(), 0, "leased");
        let other = lease_until + chrono::Duration::seconds(1);
        assert_eq!(app.app.release_verification_leases(&[id], other).await.unwrap(), 0, "not that lease");
        assert_eq!(app.app.release_verification_leases(&[id + 1000], lease_until).await.unwrap(), 0);
        assert_eq!(app.app.release_verification_leases(&[id], lease_until).await.unwrap(), 1);
        assert_eq!(app.app.release_verification_leases(&[id], lease_until).await.unwrap(), 0, "already back");
        assert_eq!(app.app.claim_due_verifications(lease_until, 32).await.unwrap().len(), 1, "due again");
    }
}
