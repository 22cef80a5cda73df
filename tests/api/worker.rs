//! The background worker as `patchbay serve` runs it (not a round driven by the test): at
//! start-up it undoes an abandoned Twilio provisioning and forgets expired idempotency answers.
//! Its concurrency cap and its leases across instances are in `tests/multi_instance.rs`.

use std::time::{Duration, Instant};

use patchbay::carriers::TwilioAuth;
use patchbay::carriers::twilio::NewTrunk;
use patchbay::domain::access::Role;
use patchbay::storage::ProvisioningRecord;
use secrecy::SecretString;
use serde_json::json;

use crate::support::app::open_patchbay;
use crate::support::process::{LoggedServer, patchbay_command};
use crate::support::{CONFIGS_UNVERIFIED, TEST_KEY, TWILIO_SID, send, store, wait_until};
use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_recovers_abandoned_provisioning_and_purges_expired_idempotency_keys() {
    let twilio = standin::twilio::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("worker.db").display());

    // What a crashed process and yesterday's clients left behind.
    let app = open_patchbay(&url, &[TEST_KEY], &twilio.url()).await;
    let org = app.create_organization("acme", "Acme").await.unwrap();
    let (_, token) = app.create_token(&org, Role::Admin, None, None).await.unwrap();
    let token = token.expose().to_owned();
    // A provisioning abandoned an hour ago, its trunk already created at Twilio.
    let (sid, auth_token) = (standin::sid("AC"), standin::random_hex(32));
    twilio.put_account(&sid, &auth_token);
    let journal = store::provisioning_journal(
        &app,
        &org,
        uuid::Uuid::new_v4(),
        (&sid, &auth_token),
        chrono::Duration::hours(1),
    );
    let auth = TwilioAuth::new(&sid, SecretString::from(auth_token.clone()));
    let trunk = app
        .carriers
        .twilio()
        .create_trunk(
            &auth,
            &NewTrunk {
                friendly_name: None,
                domain_name: Some(journal.domain_name.clone()),
                transfer_mode: None,
            },
        )
        .await
        .unwrap();
    store::insert_provisioning_journal(
        &app,
        &ProvisioningRecord {
            trunk_sid: Some(trunk.sid),
            ..journal
        },
    )
    .await;
    // An answer kept for an Idempotency-Key 25 hours ago (kept 24).
    let then = chrono::Utc::now() - chrono::Duration::hours(25);
    app.claim_idempotency_key(org.id, "yesterday", &["yesterday's request".to_owned()], then, then)
        .await
        .unwrap();
    app.complete_idempotency_key(org.id, "yesterday", 201, Some("application/json"), b"{}")
        .await
        .unwrap();
    store::close_database(&app).await;
    assert_eq!(twilio.trunks().len(), 1);

    let mut cmd = patchbay_command();
    cmd.env("PATCHBAY_DATABASE_URL", &url)
        .env("PATCHBAY_MASTER_KEY", TEST_KEY)
        .env("PATCHBAY_TWILIO_BASE_URL", twilio.url())
        .env("PATCHBAY_TWILIO_TRUNKING_BASE_URL", twilio.url());
    let started = Instant::now();
    let server = LoggedServer::start(cmd).unwrap();

    // Recovery: the trunk is deleted at Twilio.
    wait_until("the abandoned trunk is deleted", || twilio.trunks().is_empty()).await;
    // Purge: the key is free again, so a new request under it runs (until then: 422, the key
    // was used with another request).
    let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"});
    loop {
        let (status, answer) = send(
            server
                .as_(&token, "acme", Method::POST, CONFIGS_UNVERIFIED)
                .header("Idempotency-Key", "yesterday")
                .json(&body),
        )
        .await;
        if status == 201 {
            break;
        }
        assert_eq!(status, 422, "{answer}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the expired key was never purged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop();

    let app = open_patchbay(&url, &[TEST_KEY], &twilio.url()).await;
    assert_eq!(
        store::open_provisioning_journals(&app).await,
        0,
        "the journal is closed"
    );
    store::close_database(&app).await;
}
