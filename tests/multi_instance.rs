//! Two `patchbay serve` processes on one PostgreSQL database (same master key), as a
//! load-balanced deployment runs them: writes through either are seen by both, optimistic
//! concurrency (`If-Match`) and the duplicate rule hold across instances, and both serve the
//! same data; several starting at once on an empty database; the background verifier's leases
//! and concurrency cap as `serve` runs it. PostgreSQL only; skipped like the other PostgreSQL tests when it is not
//! configured (see `support::ScratchPostgres`).

#[path = "api/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use patchbay::domain::configuration::parse_new;
use patchbay::service::Verify;
use patchbay::storage::ConfigurationKey;
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::json;

use support::app::provision_org;
use support::http::send_with_etag as send;
use support::process::{LoggedServer, ServerProcess, patchbay_command, run_json};
use support::{CONFIGS, ScratchPostgres, TEST_KEY, config_path, join_all, store};

const ORG: &str = "multi";
/// Concurrent requests in each race, split evenly across the two instances.
const RACERS: usize = 16;
const RACES: usize = 3;
/// One `patchbay serve` child process, and a client acting as the org's admin.
struct Instance {
    server: ServerProcess,
    client: reqwest::Client,
    token: String,
}

impl Instance {
    async fn start(database_url: &str, token: &str) -> Self {
        Self::from(ServerProcess::start(database_url).await, token)
    }

    fn from(server: ServerProcess, token: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self {
            server,
            client,
            token: token.to_owned(),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.server.base))
            .header("Authorization", format!("Token {}", self.token))
            .header("Org-Handle", ORG)
    }

    fn create(&self, sid: &str, auth_token: &str) -> reqwest::RequestBuilder {
        let body = json!({"provider": "twilio", "account_sid": sid, "auth_token": auth_token});
        self.request(Method::POST, &format!("{CONFIGS}?verify=false"))
            .json(&body)
    }

    async fn stop(self) {
        self.server.kill().await;
    }
}

fn sid(n: usize) -> String {
    format!("AC{n:032x}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    let Some(pg) = ScratchPostgres::create().await else {
        return;
    };
    let (app, token) = provision_org(&pg.url, ORG, "Multi-instance").await;
    let org = store::organization(&app, ORG).await;
    let (a, b) = tokio::join!(Instance::start(&pg.url, &token), Instance::start(&pg.url, &token));
    let instances = [&a, &b];

    // Interleaved creates: each is visible through the other instance at once.
    let mut ids = Vec::new();
    for n in 0..20 {
        let (writer, reader) = (instances[n % 2], instances[(n + 1) % 2]);
        let (status, _, body) = send(writer.create(&sid(n), &format!("token-{n}"))).await;
        assert_eq!(status, 201, "{body}");
        let id = body["data"]["id"].as_i64().unwrap();
        let (status, _, seen) = send(reader.request(Method::GET, &config_path(id))).await;
        assert_eq!(status, 200, "instance {} does not see {id}", (n + 1) % 2);
        assert_eq!(seen["data"]["account_sid"], sid(n));
        ids.push(id);
    }

    // If-Match races: RACERS patches of one configuration with the same ETag, half through
    // each instance. Exactly one wins, the rest get 412, and the winner's value is stored.
    for (race, &id) in ids.iter().enumerate().take(RACES) {
        let (_, etag, _) = send(a.request(Method::GET, &config_path(id))).await;
        let etag = etag.expect("an ETag on GET");
        let answers = join_all(
            (0..RACERS)
                .map(|i| {
                    instances[i % 2]
                        .request(Method::PATCH, &format!("{}?verify=false", config_path(id)))
                        .header("If-Match", &etag)
                        .json(&json!({"auth_token": format!("race-{race}-{i}")}))
                })
                .map(send),
        )
        .await;
        let statuses: Vec<u16> = answers.iter().map(|(s, _, _)| *s).collect();
        let winners: Vec<usize> = (0..RACERS).filter(|&i| statuses[i] == 200).collect();
        assert_eq!(winners.len(), 1, "race {race}: statuses {statuses:?}");
        assert_eq!(
            statuses.iter().filter(|&&s| s == 412).count(),
            RACERS - 1,
            "race {race}: statuses {statuses:?}"
        );
        let stored = store::stored_secrets(&app, &org, ConfigurationKey::Id(id)).await;
        assert_eq!(
            stored.get("auth_token").unwrap().expose_secret(),
            format!("race-{race}-{}", winners[0]),
            "race {race}: the stored secret is not the winner's"
        );
        let new_etag = answers[winners[0]].1.clone().expect("an ETag on the winning PATCH");
        assert_ne!(new_etag, etag, "the version did not move");
        for instance in instances {
            let (_, served, _) = send(instance.request(Method::GET, &config_path(id))).await;
            assert_eq!(served.as_ref(), Some(&new_etag), "an instance serves a stale version");
        }
    }

    // Duplicate-create races: RACERS creates of one (provider, account_sid), half through
    // each instance: exactly one 201, the rest 409.
    for race in 0..RACES {
        let dup = sid(1000 + race);
        let answers = join_all((0..RACERS).map(|i| send(instances[i % 2].create(&dup, "dup")))).await;
        let statuses: Vec<u16> = answers.iter().map(|(s, _, _)| *s).collect();
        assert_eq!(
            statuses.iter().filter(|&&s| s == 201).count(),
            1,
            "race {race}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|&&s| s == 409).count(),
            RACERS - 1,
            "race {race}: {statuses:?}"
        );
    }

    // Both serve the same data: the whole list, and every configuration with its ETag.
    let (status, _, list_a) = send(a.request(Method::GET, CONFIGS)).await;
    assert_eq!(status, 200);
    let (_, _, list_b) = send(b.request(Method::GET, CONFIGS)).await;
    assert_eq!(list_a["count"], 20 + RACES, "{list_a}");
    assert_eq!(list_a, list_b, "the instances list different data");
    for item in list_a["data"].as_array().unwrap() {
        let path = config_path(item["id"].as_i64().unwrap());
        let from_a = send(a.request(Method::GET, &path)).await;
        let from_b = send(b.request(Method::GET, &path)).await;
        assert_eq!(from_a.0, 200);
        assert_eq!(from_a, from_b, "{path} differs between the instances");
    }

    a.stop().await;
    b.stop().await;
    store::close_database(&app).await;
}

/// Several instances starting at once on an empty database: migrations apply once (under
/// their advisory lock), no demo organization is made, and every instance serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_database_all_serve() {
    let Some(pg) = ScratchPostgres::create().await else {
        return;
    };
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let mut cmd = patchbay_command();
            cmd.env("PATCHBAY_DATABASE_URL", &pg.url)
                .env("PATCHBAY_MASTER_KEY", TEST_KEY);
            tokio::task::spawn_blocking(move || LoggedServer::start(cmd))
        })
        .collect();
    let mut servers = Vec::new();
    for start in starts {
        servers.push(
            start
                .await
                .unwrap()
                .unwrap_or_else(|logs| panic!("an instance failed to start: {logs}")),
        );
    }
    // No demo organization on PostgreSQL (a shared database): the operator creates one.
    let cli = || {
        let mut cmd = patchbay_command();
        cmd.env("PATCHBAY_MASTER_KEY", TEST_KEY)
            .args(["--database-url", &pg.url]);
        cmd
    };
    run_json(cli().args(["org", "create", "acme"]));
    let token = run_json(cli().args(["token", "create", "--org", "acme"]))["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let request = |server: &LoggedServer, method: Method, path: &str| {
        client
            .request(method, server.url(path))
            .header("Authorization", format!("Token {token}"))
            .header("Org-Handle", "acme")
    };
    let (status, _, created) = send(
        request(&servers[0], Method::POST, &format!("{CONFIGS}?verify=false"))
            .json(&json!({"provider": "twilio", "account_sid": sid(1), "auth_token": "t"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    for server in &servers {
        let (status, _, list) = send(request(server, Method::GET, CONFIGS)).await;
        assert_eq!((status, list["count"].as_i64()), (200, Some(1)), "{list}");
    }
    let printed: Vec<String> = servers.into_iter().map(|s| s.stop().0).collect();
    assert!(
        printed.iter().all(|out| !out.contains("PATCHBAY_TOKEN=")),
        "no demo token on PostgreSQL: {printed:?}"
    );
}

/// A Twilio account endpoint that answers slowly and records, per instance (the first path
/// segment of the base URL each instance is given), how many checks ran at once and which
/// accounts were asked for.
#[derive(Default)]
struct SlowTwilio {
    in_flight: [AtomicUsize; 2],
    max_in_flight: [AtomicUsize; 2],
    asked: Mutex<Vec<String>>,
}

async fn slow_twilio() -> (String, Arc<SlowTwilio>) {
    let seen = Arc::new(SlowTwilio::default());
    let handler = {
        let seen = seen.clone();
        move |uri: axum::http::Uri| {
            let seen = seen.clone();
            async move {
                // /{instance}/2010-04-01/Accounts/{sid}.json
                let parts: Vec<&str> = uri.path().split('/').collect();
                let instance: usize = parts[1].parse().unwrap();
                let sid = parts[4].trim_end_matches(".json").to_owned();
                let now = seen.in_flight[instance].fetch_add(1, Ordering::SeqCst) + 1;
                seen.max_in_flight[instance].fetch_max(now, Ordering::SeqCst);
                seen.asked.lock().unwrap().push(sid.clone());
                tokio::time::sleep(Duration::from_millis(250)).await;
                seen.in_flight[instance].fetch_sub(1, Ordering::SeqCst);
                axum::Json(json!({
                    "sid": sid, "friendly_name": "slow", "status": "active", "type": "Full",
                    "owner_account_sid": sid, "date_created": "Mon, 01 Jan 2024 00:00:00 +0000"
                }))
            }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().fallback(handler)).await });
    (url, seen)
}

/// The background verifier as `serve` runs it, on two instances sharing one database: each
/// due row is checked once (the lease keeps the other instance off it), and no instance has
/// more checks in flight than `PATCHBAY_VERIFY_CONCURRENCY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_verification_is_leased_across_instances_and_capped_per_instance() {
    const ROWS: usize = 12;
    const CAP: usize = 2;
    let Some(pg) = ScratchPostgres::create().await else {
        return;
    };
    let (app, token) = provision_org(&pg.url, ORG, "Multi-instance").await;
    let org = store::organization(&app, ORG).await;
    // Stored without a check: due at once.
    for n in 0..ROWS {
        let body = json!({"provider": "twilio", "account_sid": sid(n), "auth_token": format!("token-{n}")});
        let new = parse_new(body.as_object().unwrap()).unwrap();
        app.create_configuration(&org, new, Verify::Skip).await.unwrap();
    }
    store::close_database(&app).await;

    let (twilio, seen) = slow_twilio().await;
    let cap = CAP.to_string();
    let (base_0, base_1) = (format!("{twilio}/0"), format!("{twilio}/1"));
    let env_0 = [
        ("PATCHBAY_TWILIO_BASE_URL", base_0.as_str()),
        ("PATCHBAY_VERIFY_CONCURRENCY", &cap),
    ];
    let env_1 = [
        ("PATCHBAY_TWILIO_BASE_URL", base_1.as_str()),
        ("PATCHBAY_VERIFY_CONCURRENCY", &cap),
    ];
    let (a, b) = tokio::join!(
        ServerProcess::start_with(&pg.url, &env_0),
        ServerProcess::start_with(&pg.url, &env_1)
    );
    let a = Instance::from(a, &token);

    // Each instance checks what it claimed at start-up; wait until every row is verified and
    // no check is running.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, _, list) = send(a.request(Method::GET, &format!("{CONFIGS}?page_size=100"))).await;
        let rows = list["data"].as_array().unwrap();
        let idle = seen.in_flight.iter().all(|n| n.load(Ordering::SeqCst) == 0);
        if rows.len() == ROWS && rows.iter().all(|r| r["verification_status"] == "verified") && idle {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not all verified in 30 s: {list}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut asked = seen.asked.lock().unwrap().clone();
    asked.sort();
    let expected: Vec<String> = (0..ROWS).map(sid).collect();
    assert_eq!(
        asked, expected,
        "each row is checked exactly once across both instances"
    );
    for (instance, max) in seen.max_in_flight.iter().enumerate() {
        let max = max.load(Ordering::SeqCst);
        assert!(max <= CAP, "instance {instance} had {max} checks in flight (cap {CAP})");
    }
    a.stop().await;
    b.kill().await;
}
