//! Two `patchbay serve` processes on one PostgreSQL database (same master key), as a
//! load-balanced deployment runs them: writes through either are seen by both, optimistic
//! concurrency (`If-Match`) and the duplicate rule hold across instances, and both serve the
//! same data. PostgreSQL only; skipped like the other PostgreSQL tests when it is not
//! configured (see `support::ScratchPostgres`).

#[path = "api/support/mod.rs"]
mod support;

use std::time::Duration;

use patchbay::storage::ConfigurationKey;
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::json;

use support::app::provision_org;
use support::http::send_with_etag as send;
use support::process::ServerProcess;
use support::{CONFIGS, ScratchPostgres, config_path, join_all, store};

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
        let server = ServerProcess::start(database_url).await;
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
