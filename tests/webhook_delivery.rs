//! Webhook delivery by the real binary: an event committed with its change survives a SIGKILL
//! before (or during) its delivery, and is sent after the restart; no event is sent for a
//! change that was not stored; and two instances on one PostgreSQL database never send one
//! attempt twice.

#[path = "api/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use support::app::provision_org;
use support::process::ServerProcess;
use support::webhooks::Receiver;
use support::{BRIDGES, ScratchPostgres, join_all, send, store};

const ORG: &str = "hooks";

fn env(poll: &str) -> Vec<(&str, &str)> {
    vec![
        ("PATCHBAY_WEBHOOK_TRUSTED_HOSTS", "127.0.0.1"),
        ("PATCHBAY_WEBHOOK_POLL", poll),
        ("PATCHBAY_WEBHOOK_RETRY_SCHEDULE", "200ms,200ms,200ms,200ms,200ms,200ms"),
        // A claimed delivery whose sender died is taken again after 2 × timeout + 5 s.
        ("PATCHBAY_WEBHOOK_TIMEOUT", "1s"),
    ]
}

fn request(base: &str, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("Authorization", format!("Token {token}"))
        .header("Org-Handle", ORG)
}

async fn create_endpoint(base: &str, token: &str, receiver: &Receiver) -> i64 {
    let (status, body) = send(
        request(base, token, Method::POST, "/api/v2/platform/webhooks/")
            .json(&json!({"url": receiver.url("/in"), "event_types": ["bridge.created.v1"]})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_i64().unwrap()
}

/// The bridge ids (as strings) the received `bridge.created.v1` events name, by `webhook-id`.
fn announced(receiver: &Receiver) -> BTreeMap<String, String> {
    receiver
        .received()
        .iter()
        .filter(|r| r.answered == 204)
        .map(|r| {
            (
                r.id.clone(),
                r.json()["data"]["resource_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Creates bridges from a few clients until the server dies; returns the acknowledged ids.
async fn create_until_killed(base: String, token: String, clients: usize) -> BTreeSet<String> {
    let tasks = (0..clients).map(|c| {
        let (base, token) = (base.clone(), token.clone());
        tokio::spawn(async move {
            let mut acked = BTreeSet::new();
            for n in 0..2000 {
                let slug = format!("b-{c}-{n}");
                let sent = request(&base, &token, Method::POST, BRIDGES)
                    .json(&json!({"name": slug, "slug": slug}))
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                if response.status() != 201 {
                    break;
                }
                let Ok(body) = response.json::<Value>().await else {
                    break;
                };
                acked.insert(body["data"]["id"].to_string());
            }
            acked
        })
    });
    let mut all = BTreeSet::new();
    for t in join_all(tasks).await {
        all.extend(t.unwrap());
    }
    all
}

async fn stored_bridge_ids(base: &str, token: &str) -> BTreeSet<String> {
    let (status, body) = send(request(
        base,
        token,
        Method::GET,
        &format!("{BRIDGES}?page=1&page_size=1000"),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].to_string())
        .collect()
}

async fn sigkill_loses_no_event(database_url: &str) {
    let (app, token) = provision_org(database_url, ORG, "Webhooks").await;
    store::close_database(&app).await;
    let receiver = Receiver::start().await;

    // 1. Committed, not yet sent: the delivery loop polls once an hour, so nothing is sent
    //    before the kill.
    let server = ServerProcess::start_with(database_url, &env("1h")).await;
    create_endpoint(&server.base, &token, &receiver).await;
    let mut acked = BTreeSet::new();
    for n in 0..5 {
        let (status, body) = send(
            request(&server.base, &token, Method::POST, BRIDGES)
                .json(&json!({"name": format!("quiet-{n}"), "slug": format!("quiet-{n}")})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        acked.insert(body["data"]["id"].to_string());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty(), "sent before the kill");
    server.kill().await;

    // 2. Killed at a random moment of a write load while deliveries are being sent.
    let server = ServerProcess::start_with(database_url, &env("20ms")).await;
    let load = tokio::spawn(create_until_killed(server.base.clone(), token.clone(), 3));
    tokio::time::sleep(Duration::from_millis(rand::random_range(300..900))).await;
    server.kill().await;
    acked.extend(load.await.unwrap());

    // After the restart every acknowledged change is announced, and nothing else is.
    let server = ServerProcess::start_with(database_url, &env("20ms")).await;
    let stored = stored_bridge_ids(&server.base, &token).await;
    assert!(acked.is_subset(&stored), "an acknowledged bridge is missing");
    receiver
        .wait_for("every stored bridge announced", Duration::from_secs(40), |_| {
            announced(&receiver).values().cloned().collect::<BTreeSet<_>>() == stored
        })
        .await;
    let events = announced(&receiver);
    assert_eq!(events.len(), stored.len(), "one event (one webhook-id) per change");
    assert!(acked.len() > 5, "the load was acknowledged: {}", acked.len());
    server.stop().await;
    receiver.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigkill_between_commit_and_delivery_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hooks.db").display());
    sigkill_loses_no_event(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigkill_between_commit_and_delivery_loses_no_event() {
    let Some(pg) = ScratchPostgres::create().await else {
        return;
    };
    sigkill_loses_no_event(&pg.url).await;
}

/// Two instances poll one database every 10 ms: each attempt is claimed by one of them, so the
/// receiver gets exactly as many requests as attempts were recorded, and a delivery answered
/// 204 once is never sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_send_an_attempt_twice() {
    let Some(pg) = ScratchPostgres::create().await else {
        return;
    };
    let (app, token) = provision_org(&pg.url, ORG, "Webhooks").await;
    store::close_database(&app).await;
    let receiver = Arc::new(Receiver::start().await);
    let settings = env("10ms");
    let (a, b) = tokio::join!(
        ServerProcess::start_with(&pg.url, &settings),
        ServerProcess::start_with(&pg.url, &settings)
    );
    let hook = create_endpoint(&a.base, &token, &receiver).await;
    // Some first attempts fail, so retries are claimed across instances too.
    receiver.fail_next(15);
    const EVENTS: usize = 60;
    let creates = (0..EVENTS).map(|n| {
        let base = if n % 2 == 0 { a.base.clone() } else { b.base.clone() };
        request(&base, &token, Method::POST, BRIDGES).json(&json!({"name": format!("m{n}"), "slug": format!("m{n}")}))
    });
    for (status, body) in join_all(creates.map(send)).await {
        assert_eq!(status, 201, "{body}");
    }
    receiver
        .wait_for("every event delivered", Duration::from_secs(40), |_| {
            announced(&receiver).len() == EVENTS
        })
        .await;
    // Let any stray duplicate arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    let successes: Vec<&str> = received
        .iter()
        .filter(|r| r.answered == 204)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(successes.len(), EVENTS, "a delivered event was sent again");
    let (status, body) = send(request(
        &a.base,
        &token,
        Method::GET,
        &format!("/api/v2/platform/webhooks/{hook}/deliveries/?page=1&page_size=100"),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let recorded: i64 = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempts_count"].as_i64().unwrap())
        .sum();
    assert_eq!(recorded as usize, received.len(), "requests sent ≠ attempts claimed");
    assert_eq!(received.iter().filter(|r| r.answered == 500).count(), 15);
    a.stop().await;
    b.stop().await;
}
