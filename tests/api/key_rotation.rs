//! Master key rotation under live traffic: servers run with the new key active and the old one
//! still loaded, `rotate_secrets` re-seals everything while clients keep writing, and
//! afterwards the old key can be dropped. And `patchbay keys rotate` itself: batches,
//! interruption, resumption.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::app::open_patchbay;
use crate::support::process::{patchbay_command, run};
use crate::support::v1;
use crate::support::{
    CONFIGS_UNVERIFIED, TEST_KEY, TestApp, both_backends, config_path, send, store, test_http_settings,
};
use patchbay::crypto::Keyring;
use patchbay::domain::twilio::Stage;
use patchbay::service::Patchbay;
use patchbay::storage::ProvisioningRecord;
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::json;
use standin::recorder::Fault;
use standin::twilio::routes;

const NEW_KEY: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

async fn patchbay_on(app: &TestApp, keys: &[&str]) -> Arc<Patchbay> {
    Arc::new(open_patchbay(&app.database_url, keys, &app.twilio.url()).await)
}

/// A provisioning journal left behind by a crashed saga, its secrets sealed under the app's key.
async fn leave_journal(app: &TestApp) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    let secrets =
        patchbay::domain::configuration::SecretFields::from_plaintext(br#"{"auth_token":"journal-token"}"#).unwrap();
    let sealed = app.app.seal(id, app.org.id, &secrets);
    let at = chrono::Utc::now();
    store::insert_provisioning_journal(
        &app.app,
        &ProvisioningRecord {
            stage: Stage::Trunk,
            ..ProvisioningRecord::started(id, app.org.id, &format!("AC{:032x}", 999), sealed, at)
        },
    )
    .await;
    id
}

/// Every secret opens with `keys` alone, the start-up check passes with them, and none is
/// sealed under another key.
async fn only_new_key_needed(app: &TestApp) -> Arc<Patchbay> {
    let new_only = patchbay_on(app, &[NEW_KEY]).await;
    new_only.check_keys().await.expect("the old key can be dropped");
    assert_eq!(
        store::count_sealed_with_other_keys(&new_only, &key_id_of(NEW_KEY)).await,
        0
    );
    new_only
}

both_backends! {
    async fn rotate_under_live_traffic_then_drop_the_old_key(app) {
        let mut ids = Vec::new();
        for i in 0..24 {
            let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
                .json(&json!({"provider": "twilio", "account_sid": format!("AC{:032x}", i + 1), "auth_token": format!("old-{i}")}))).await;
            assert_eq!(status, 201);
            ids.push(body["data"]["id"].as_i64().unwrap());
        }
        // v1 providers last, so they are re-sealed in the last batches, while their PUTs are in flight.
        let mut providers = Vec::new();
        for _ in 0..6 {
            let (created, _, token) = v1::create(&app, json!({"name": "p"})).await;
            providers.push((created["id"].as_str().unwrap().to_owned(), token));
        }
        // An abandoned provisioning journal: re-sealed too (recovery must open it).
        leave_journal(&app).await;
        let old_key = app.app.keyring.active_key_id().to_owned();

        // A second server on the same database with the new key active, the old one readable.
        let rotated = patchbay_on(&app, &[NEW_KEY, TEST_KEY]).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(patchbay::http::serve(listener, rotated.clone(), test_http_settings(), std::future::pending()));

        // The overlap is forced: each v1 PUT waits 150 ms at Twilio (renaming the trunk) between
        // reading its row and writing it back, while the rotation pauses 40 ms between batches
        // of 4, so PUTs that read a row before its re-seal commit after it, some after the
        // rotation's last batch. Name-only v2 PATCHes and token rotations run meanwhile.
        app.twilio.recorder.inject(routes::UPDATE_TRUNK, Fault::Delay(Duration::from_millis(150)), 10_000);
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for (n, (id, _)) in providers.iter().enumerate() {
            let (client, url, token, id, stop) = (app.client.clone(), url.clone(), app.admin.clone(), id.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut round = 0;
                let mut last = None;
                while !stop.load(Ordering::SeqCst) {
                    let name = format!("put-{n}-{round}");
                    let response = client.put(format!("{url}{}", v1::item(&id)))
                        .header("Authorization", format!("Bearer {token}"))
                        .json(&json!({"name": name})).send().await.unwrap();
                    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
                    last = Some(name);
                    round += 1;
                }
                (format!("v1:{id}"), last.unwrap(), String::new())
            }));
        }
        for lane in 0..3 {
            let (client, url, token, ids, stop) = (app.client.clone(), url.clone(), app.admin.clone(), ids.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut round = 0;
                let mut wrote = BTreeMap::new();
                while !stop.load(Ordering::SeqCst) || round == 0 {
                    for id in ids.iter().skip(lane).step_by(3) {
                        // Every third row also has its token rotated: that write re-seals itself.
                        let body = if id % 3 == 0 {
                            json!({"name": format!("n-{round}"), "auth_token": format!("live-{round}-{id}")})
                        } else {
                            json!({"name": format!("n-{round}")})
                        };
                        let response = client.patch(format!("{url}{}?verify=false", config_path(id)))
                            .header("Authorization", format!("Token {token}")).header("Org-Handle", "acme")
                            .json(&body).send().await.unwrap();
                        assert_eq!(response.status(), 200);
                        wrote.insert(*id, (format!("n-{round}"), body["auth_token"].as_str().map(str::to_owned)));
                    }
                    round += 1;
                }
                (format!("v2-lane-{lane}"), serde_json::to_string(&wrote).unwrap(), String::new())
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut reports = Vec::new();
        let done = rotated
            .rotate_secrets(4, Duration::from_millis(40), |done, remaining| reports.push((done, remaining)))
            .await
            .unwrap();
        stop.store(true, Ordering::SeqCst);
        let mut written = Vec::new();
        for writer in writers {
            written.push(writer.await.unwrap());
        }
        assert!(done > 0 && reports.len() >= 3, "progress is reported per batch: {reports:?}");
        assert_eq!(reports.last().unwrap().1, 0);

        // The old key can go: only the new one is loaded, and every secret opens.
        let new_only = only_new_key_needed(&app).await;
        let (rows, _) = new_only.list_configurations(&app.org, Default::default()).await.unwrap();
        assert_eq!(rows.len(), 30);
        let mut names = BTreeMap::new();
        let mut tokens = BTreeMap::new();
        for (what, last, _) in &written {
            if let Some(id) = what.strip_prefix("v1:") {
                names.insert(id.to_owned(), last.clone());
            } else {
                let wrote: BTreeMap<i64, (String, Option<String>)> = serde_json::from_str(last).unwrap();
                for (id, (name, token)) in wrote {
                    names.insert(id.to_string(), name);
                    tokens.extend(token.map(|t| (id, t)));
                }
            }
        }
        for row in &rows {
            assert_ne!(row.secret_key_id, old_key);
            let secrets = new_only.open_secrets(row).unwrap();
            let token = secrets.get("auth_token").unwrap().expose_secret().to_owned();
            let key = if row.provider == "twilio" && row.trunk_sid.is_some() { row.uuid.to_string() } else { row.id.to_string() };
            assert_eq!(row.name.as_deref(), Some(names[&key].as_str()), "every write landed");
            match (tokens.get(&row.id), providers.iter().find(|(id, _)| *id == key)) {
                (Some(expected), _) => assert_eq!(&token, expected, "a rotation during re-sealing is not lost"),
                (None, Some((_, v1_token))) => assert_eq!(&token, v1_token),
                (None, None) => assert!(token.starts_with("old-"), "{token}"),
            }
        }
        // And a server with only the old key now refuses to start, naming the key.
        let old_only = patchbay_on(&app, &[TEST_KEY]).await;
        assert!(old_only.check_keys().await.unwrap_err().to_string().contains("master key id"));
    }

    async fn keys_rotate_command_works_in_batches_and_resumes_after_an_interruption(app) {
        for i in 0..10 {
            let (status, _) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
                .json(&json!({"provider": "twilio", "account_sid": format!("AC{:032x}", i + 1), "auth_token": format!("old-{i}")}))).await;
            assert_eq!(status, 201);
        }
        leave_journal(&app).await;
        let keys = format!("{NEW_KEY},{TEST_KEY}");
        let rotate = |args: &[&str]| {
            let mut cmd = patchbay_command();
            cmd.env("PATCHBAY_MASTER_KEY", &keys)
                .args(["--database-url", &app.database_url, "keys", "rotate"])
                .args(args);
            cmd
        };
        // The batch size is bounded.
        let (ok, _, stderr) = run(&mut rotate(&["--batch", "0"]));
        assert!(!ok && stderr.contains("--batch"), "{stderr}");

        // Interrupted (SIGKILL) right after its first batch of 3, while it pauses.
        let mut child = rotate(&["--batch", "3", "--pause-between-batches-ms", "60000"])
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let first = tokio::task::spawn_blocking({
            let stderr = child.stderr.take().unwrap();
            move || {
                use std::io::BufRead as _;
                std::io::BufReader::new(stderr).lines().next().unwrap().unwrap()
            }
        });
        let first = tokio::time::timeout(Duration::from_secs(30), first).await.expect("first batch reported").unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let new_key_id = key_id_of(NEW_KEY);
        assert_eq!(first, format!("re-sealed 3 secret(s) under key {new_key_id}; 8 left"));
        assert_eq!(store::count_sealed_with_other_keys(&app.app, &new_key_id).await, 8, "the first batch stays done");

        // Run again: it picks up the 8 left (7 configurations and the journal), 5 at a time.
        let (ok, stdout, stderr) = run(&mut rotate(&["--batch", "5"]));
        assert!(ok, "{stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("re-sealed")).collect::<Vec<_>>(),
            [
                format!("re-sealed 5 secret(s) under key {new_key_id}; 3 left"),
                format!("re-sealed 8 secret(s) under key {new_key_id}; 0 left"),
            ],
            "{stderr}"
        );
        assert!(stdout.contains(&format!("rotation complete: 8 secret(s) re-sealed under key {new_key_id}")), "{stdout}");
        let new_only = only_new_key_needed(&app).await;
        let (rows, _) = new_only.list_configurations(&app.org, Default::default()).await.unwrap();
        for row in &rows {
            assert!(new_only.open_secrets(row).unwrap().get("auth_token").unwrap().expose_secret().starts_with("old-"));
        }

        // Once done, another run has nothing to do.
        let (ok, stdout, stderr) = run(&mut rotate(&[]));
        assert!(ok, "{stderr}");
        assert!(stdout.contains("rotation complete: 0 secret(s)"), "{stdout}");
    }
}

fn key_id_of(key: &str) -> String {
    Keyring::from_base64_keys([key]).unwrap().active_key_id().to_owned()
}
