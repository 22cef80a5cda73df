//! Issue 11 ("Hardening"): what a hostile client, a bad carrier or a concurrent write could do,
//! each pinned by a test that fails on the code before the fix. (Key rotation racing writes is
//! in `key_rotation.rs`.)

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::TestApp;
use crate::support::app::open_patchbay;
use crate::support::process::{LoggedServer, patchbay_command, run};
use crate::support::v1::{self, PROVIDERS, item, v1};
use crate::support::{
    BRIDGES, Backend, CONFIGS, CONFIGS_UNVERIFIED, NUMBERS, TEST_KEY, TWILIO_SID, both_backends, config_path,
    connect_path, send, spawn_app, spawn_app_with, test_http_settings,
};
use patchbay::http::{HttpSettings, RateLimit};
use reqwest::Method;
use serde_json::json;
use standin::recorder::Fault;
use standin::twilio::routes;

/// Waits (bounded) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

both_backends! {
    // Item 2: a write that read the row before a verification result was stored must not put
    // back the verification it read.
    async fn a_fresh_verification_is_not_clobbered_by_a_write_that_read_before_it(app) {
        let (created, sid, _) = v1::create(&app, json!({"name": "a"})).await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["verificationStatus"], "verified");
        // A rename that waits at Twilio (renaming the trunk) between reading the row and
        // writing it back.
        app.twilio.recorder.inject(routes::UPDATE_TRUNK, Fault::Delay(Duration::from_millis(600)), 1);
        let put = tokio::spawn(send(v1(&app, Method::PUT, &item(&id)).json(&json!({"name": "b"}))));
        until("the rename to reach Twilio", || app.twilio.recorder.count(routes::UPDATE_TRUNK) == 1).await;
        // Meanwhile the account is closed and a verification records it.
        app.twilio.set_status(&sid, "closed");
        let (status, verified) = send(v1(&app, Method::POST, &format!("{PROVIDERS}/{id}/verify"))).await;
        assert_eq!(status, 200, "{verified}");
        assert_eq!(verified["status"], "failed", "{verified}");
        let (status, renamed) = put.await.unwrap();
        assert_eq!(status, 200, "{renamed}");
        assert_eq!(renamed["name"], "b");
        let (_, now) = send(v1(&app, Method::GET, &item(&id))).await;
        assert_eq!(now["name"], "b");
        assert_eq!(now["verificationStatus"], "failed", "the fresh result stands: {now}");
    }

    // Item 7: an absurd `Retry-After` from a carrier is capped, not a panic (the connection
    // used to drop, and the verifier task with it).
    async fn an_absurd_retry_after_from_a_carrier_is_capped(app) {
        let (status, created) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}))).await;
        assert_eq!(status, 201);
        let verify = format!("{}verify/", config_path(&created["data"]["id"]));
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::RateLimited { retry_after_secs: 99_999_999_999_999 }, 1);
        let (status, body) = send(app.admin(Method::POST, &verify)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["verification_status"], "pending", "{body}");
        // The next attempt is scheduled at most a day out.
        let record = crate::support::store::configuration_record(&app.app, &app.org,
            patchbay::storage::ConfigurationKey::Id(created["data"]["id"].as_i64().unwrap())).await;
        let next = record.next_verification_at.unwrap();
        assert!(next <= chrono::Utc::now() + chrono::Duration::hours(24), "{next}");
        assert!(next >= chrono::Utc::now() + chrono::Duration::hours(23), "{next}");
    }

    // Item 7: a carrier answer is read up to a bound; a bigger one is not taken in (here a
    // well-formed, active account padded to 5 MiB: read whole, it verified).
    async fn an_oversized_carrier_answer_is_refused_unread(app) {
        app.twilio.put_account(TWILIO_SID, "t");
        let (status, created) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}))).await;
        assert_eq!(status, 201);
        let verify = format!("{}verify/", config_path(&created["data"]["id"]));
        let huge = json!({"sid": TWILIO_SID, "friendly_name": "x", "status": "active", "type": "Full",
            "padding": "x".repeat(5 * 1024 * 1024)});
        app.twilio.recorder.inject(routes::FETCH_ACCOUNT, Fault::Json { status: 200, body: huge }, 5);
        let (status, body) = send(app.admin(Method::POST, &verify)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["verification_status"], "pending", "{body}");
        assert!(body["data"]["verification_details"].to_string().contains("larger than"), "{body}");
        // An ordinary answer verifies.
        app.twilio.recorder.reset();
        let (_, body) = send(app.admin(Method::POST, &verify)).await;
        assert_eq!(body["data"]["verification_status"], "verified", "{body}");
    }

    // Item 9: the idempotency fingerprint is keyed by the master key (a plain hash of the body
    // would match under any key), and still matches under a key kept during a rotation.
    async fn idempotency_fingerprints_are_keyed_by_the_master_key(app) {
        let body = json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "weak-password"});
        let post = |url: String| app.client.post(url)
            .header("Authorization", format!("Token {}", app.admin)).header("Org-Handle", "acme")
            .header("Idempotency-Key", "create-1").json(&body);
        let (status, first) = send(post(app.url(CONFIGS_UNVERIFIED))).await;
        assert_eq!(status, 201, "{first}");
        for (keys, expected) in [(&[ROTATED_KEY, TEST_KEY][..], 201), (&[ROTATED_KEY][..], 422)] {
            let other = Arc::new(open_patchbay(&app.database_url, keys, &app.twilio.url()).await);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}{CONFIGS_UNVERIFIED}", listener.local_addr().unwrap());
            let server = tokio::spawn(patchbay::http::serve(listener, other, test_http_settings(), std::future::pending()));
            let (status, again) = send(post(url)).await;
            assert_eq!(status, expected, "{keys:?}: {again}");
            if expected == 201 {
                assert_eq!(again, first, "replayed under a key still loaded");
            }
            server.abort();
        }
    }

    // Item 8: moving a configuration to another user-supplied host needs its secret sent again
    // (the stored one used to be sent to the new host), and Exotel takes its two API hosts only.
    async fn a_new_host_needs_the_secret_again_and_exotel_takes_its_api_hosts_only(app) {
        let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).json(&json!({
            "provider": "exotel", "account_sid": "acme1", "auth_token": "tok", "api_key": "key",
            "subdomain": "evil.exotel.com"}))).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["errors"]["subdomain"].is_array(), "{body}");
        let (status, exotel) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).json(&json!({
            "provider": "exotel", "account_sid": "acme1", "auth_token": "tok", "api_key": "key",
            "subdomain": "api.exotel.com"}))).await;
        assert_eq!(status, 201, "{exotel}");
        let path = format!("{}?verify=false", config_path(&exotel["data"]["id"]));
        let (status, body) = send(app.admin(Method::PATCH, &path).json(&json!({"subdomain": "api.in.exotel.com"}))).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["errors"]["auth_token"][0].as_str().unwrap().contains("never sent to a new host"), "{body}");
        let (status, body) = send(app.admin(Method::PATCH, &path).json(&json!({"subdomain": "api.exotel.com", "name": "same host"}))).await;
        assert_eq!(status, 200, "an unchanged host needs nothing: {body}");
        let (status, body) = send(app.admin(Method::PATCH, &path)
            .json(&json!({"subdomain": "api.in.exotel.com", "auth_token": "tok-mumbai"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["subdomain"], "api.in.exotel.com");

        let (status, sw) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).json(&json!({
            "provider": "signalwire", "account_sid": "0b2d8f9e-1c3a-4e5f-8a7b-6c5d4e3f2a1b",
            "auth_token": "PTsecret", "space_url": "acme.signalwire.com"}))).await;
        assert_eq!(status, 201, "{sw}");
        let path = format!("{}?verify=false", config_path(&sw["data"]["id"]));
        let (status, body) = send(app.admin(Method::PATCH, &path).json(&json!({"space_url": "attacker.signalwire.com"}))).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["errors"]["auth_token"].is_array(), "{body}");
        let (_, now) = send(app.admin(Method::GET, &config_path(&sw["data"]["id"]))).await;
        assert_eq!(now["data"]["space_url"], "acme.signalwire.com", "nothing changed");
    }

    // Item 11: a Twilio provider whose credentials are dead can be deleted with `?force=true`;
    // the audit event says what was left at Twilio (without it, the delete stays refused).
    async fn a_provider_with_dead_credentials_can_be_force_deleted(app) {
        let (created, sid, _) = v1::create(&app, json!({"name": "dead"})).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let number = app.twilio.add_incoming_number(&sid, "+14155550100");
        v1::import(&app, &id, &[&number]).await;
        let trunk = app.twilio.trunks()[0].sid.clone();
        let list = app.twilio.credential_lists()[0].sid.clone();
        app.twilio.set_auth_token(&sid, &standin::random_hex(32));

        let (status, body) = send(v1(&app, Method::DELETE, &item(&id))).await;
        assert_eq!(status, 400, "refused without force: {body}");
        let (status, _) = send(v1(&app, Method::DELETE, &format!("{}?force=maybe", item(&id)))).await;
        assert_eq!(status, 400);
        let (status, _) = send(v1(&app, Method::GET, &item(&id))).await;
        assert_eq!(status, 200, "still there");

        let (status, body) = send(v1(&app, Method::DELETE, &format!("{}?force=true", item(&id)))).await;
        assert_eq!(status, 204, "{body}");
        let (status, _) = send(v1(&app, Method::GET, &item(&id))).await;
        assert_eq!(status, 404);
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/")).await;
        let event = &audit["data"][0];
        assert_eq!(event["action"], "provider.force_deleted", "{audit}");
        assert_eq!(event["resource_id"], id.as_str());
        assert_eq!(event["fields"], json!([
            format!("twilio_phone_number:{number}"),
            format!("twilio_credential_list:{list}"),
            format!("twilio_trunk:{trunk}"),
        ]));
        assert_eq!(app.twilio.trunks().len(), 1, "left at Twilio, as the audit says");
    }

    // Item 6: a list without paging parameters is one page of at most 1000 rows, with `count`
    // and a `next` link when there are more (it used to build every row in memory).
    async fn an_unpaged_list_is_the_first_page_with_a_next_link(app) {
        for i in 0..1001 {
            let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
                .json(&json!({"provider": "twilio", "account_sid": format!("AC{:032x}", i + 1), "auth_token": "t"}))).await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(status, 200);
        assert_eq!(list["data"].as_array().unwrap().len(), 1000);
        assert_eq!(list["count"], 1001);
        let next = list["next"].as_str().expect("a next link");
        assert_eq!(next, "/api/v2/platform/telephony/providers-configurations/?page=2&page_size=1000");
        let (_, rest) = send(app.admin(Method::GET, next)).await;
        assert_eq!(rest["data"].as_array().unwrap().len(), 1);
        assert!(rest.get("next").is_none(), "{rest}");
        let (_, small) = send(app.admin(Method::GET, &format!("{CONFIGS}?provider=twilio&page_size=2"))).await;
        assert_eq!(small["next"], "/api/v2/platform/telephony/providers-configurations/?provider=twilio&page=2&page_size=2");
    }

    // Item 6: the numbers and bridges lists follow the configurations' rule: without paging
    // parameters the first 1000 rows with the total `count` and a `next` link (they used to
    // build every row); a bridge page carries its own bridges' numbers.
    async fn unpaged_numbers_and_bridges_lists_are_the_first_page_with_a_next_link(app) {
        let sip = app.create_sip("sip.example.com").await;
        for i in 0..1001 {
            app.add_number(sip, &format!("+1415{i:07}")).await;
            let (status, body) = send(app.admin(Method::POST, BRIDGES)
                .json(&json!({"name": "Bridge", "slug": format!("bridge-{i}")}))).await;
            assert_eq!(status, 201, "{body}");
        }
        for (slug, number) in [("bridge-0", "+14150000000"), ("bridge-1000", "+14150001000")] {
            let (status, body) = send(app.admin(Method::POST, &connect_path(slug))
                .json(&json!({"provider_config_id": sip, "phone_number": number}))).await;
            assert_eq!(status, 200, "{body}");
        }
        for (path, last) in [(NUMBERS, "number"), (BRIDGES, "slug")] {
            let (status, list) = send(app.admin(Method::GET, path)).await;
            assert_eq!(status, 200, "{list}");
            assert_eq!((list["data"].as_array().unwrap().len(), list["count"].as_i64()), (1000, Some(1001)));
            let next = list["next"].as_str().expect("a next link");
            assert_eq!(next, format!("{path}?page=2&page_size=1000"));
            let (_, rest) = send(app.admin(Method::GET, next)).await;
            assert_eq!(rest["data"].as_array().unwrap().len(), 1, "{rest}");
            assert!(rest.get("next").is_none(), "{rest}");
            let expected = if path == NUMBERS { "+14150001000" } else { "bridge-1000" };
            assert_eq!(rest["data"][0][last], expected);
            let (_, small) = send(app.admin(Method::GET, &format!("{path}?page_size=2"))).await;
            assert_eq!((small["data"].as_array().unwrap().len(), small["page_size"].as_i64()), (2, Some(2)));
            assert_eq!(small["next"], format!("{path}?page=2&page_size=2"));
            let (status, _) = send(app.admin(Method::GET, &format!("{path}?page_size=0"))).await;
            assert_eq!(status, 400);
        }
        let (_, first) = send(app.admin(Method::GET, &format!("{BRIDGES}?page_size=1"))).await;
        assert_eq!(first["data"][0]["numbers"].as_array().unwrap().len(), 1, "{first}");
        let (_, last) = send(app.admin(Method::GET, &format!("{BRIDGES}?page=2&page_size=1000"))).await;
        assert_eq!(last["data"][0]["numbers"][0]["number"], "+14150001000", "{last}");
    }

    // Item 6: numbers (v1 and v2) and idempotency keys per organization are capped with a
    // clear 409; an import reports each number past the quota; a key already held still
    // replays; another organization is not affected.
    async fn numbers_and_idempotency_keys_per_organization_are_capped(app) {
        let capped = open_patchbay(&app.database_url, &[TEST_KEY], &app.twilio.url()).await
            .with_number_quota(2)
            .with_idempotency_key_quota(2);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(patchbay::http::serve(listener, Arc::new(capped), test_http_settings(), std::future::pending()));
        let post = |token: &str, handle: &str, path: &str| app.client.post(format!("{base}{path}"))
            .header("Authorization", format!("Token {token}")).header("Org-Handle", handle);

        let sip = app.create_sip("sip.example.com").await;
        let add = |n: &str| post(&app.admin, "acme", NUMBERS).json(&json!({"provider_config_id": sip, "number": n}));
        for n in ["+14155550100", "+14155550101"] {
            let (status, body) = send(add(n)).await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, body) = send(add("+14155550102")).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["message"].as_str().unwrap().contains("limit of 2 numbers"), "{body}");
        let (created, account, _) = v1::create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let pn = app.twilio.add_incoming_number(&account, "+14155550103");
        let (status, body) = send(post(&app.admin, "acme", &format!("{}/import-numbers", item(id)))
            .json(&json!({"phoneNumberSids": [pn]}))).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"][0]["errorMessage"].as_str().unwrap().contains("limit of 2 numbers"), "{body}");
        assert!(app.twilio.trunk_phone_numbers(created["trunkSid"].as_str().unwrap()).is_empty());

        let create = |token: &str, handle: &str, key: &str, n: u32| post(token, handle, CONFIGS_UNVERIFIED)
            .header("Idempotency-Key", key)
            .json(&json!({"provider": "twilio", "account_sid": format!("AC{n:032x}"), "auth_token": "t"}));
        for (key, n) in [("k1", 1), ("k2", 2)] {
            let (status, body) = send(create(&app.admin, "acme", key, n)).await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, body) = send(create(&app.admin, "acme", "k3", 3)).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["message"].as_str().unwrap().contains("limit of 2 idempotency keys"), "{body}");
        let replay = create(&app.admin, "acme", "k1", 1).send().await.unwrap();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let (status, body) = send(create(&app.other_admin, "globex", "k3", 3)).await;
        assert_eq!(status, 201, "another organization has its own quota: {body}");
    }

    // Item 6: audit events are not capped (that would block the changes they record) but kept
    // for the retention; older ones are purged (the background worker runs this each round).
    async fn audit_events_past_their_retention_are_purged(app) {
        let (status, _) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}))).await;
        assert_eq!(status, 201);
        let keeper = open_patchbay(&app.database_url, &[TEST_KEY], &app.twilio.url()).await
            .with_audit_retention(Duration::from_secs(1));
        assert_eq!(keeper.purge_expired_audit_events().await.unwrap(), 0, "younger than the retention");
        let default = open_patchbay(&app.database_url, &[TEST_KEY], &app.twilio.url()).await;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(default.purge_expired_audit_events().await.unwrap(), 0, "the default keeps 400 days");
        assert!(keeper.purge_expired_audit_events().await.unwrap() >= 1);
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/")).await;
        assert_eq!(audit["count"], 0, "{audit}");
    }

    // Item 6: an organization's configurations are capped (v2 and v1 creates alike) with a
    // clear 409; another organization is not affected, and a delete frees a place.
    async fn configurations_per_organization_are_capped(app) {
        let capped = Arc::new(open_patchbay(&app.database_url, &[TEST_KEY], &app.twilio.url()).await.with_configuration_quota(2));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(patchbay::http::serve(listener, capped, test_http_settings(), std::future::pending()));
        let create = |token: &str, handle: &str, n: u32| app.client.post(format!("{base}{CONFIGS_UNVERIFIED}"))
            .header("Authorization", format!("Token {token}")).header("Org-Handle", handle)
            .json(&json!({"provider": "twilio", "account_sid": format!("AC{n:032x}"), "auth_token": "t"}));
        let mut ids = Vec::new();
        for n in 1..=2 {
            let (status, body) = send(create(&app.admin, "acme", n)).await;
            assert_eq!(status, 201, "{body}");
            ids.push(body["data"]["id"].as_i64().unwrap());
        }
        let (status, body) = send(create(&app.admin, "acme", 3)).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["message"].as_str().unwrap().contains("limit of 2 provider configurations"), "{body}");
        let (sid, token) = v1::account(&app);
        let v1_create = app.client.post(format!("{base}{}", v1::CREATE))
            .header("Authorization", format!("Bearer {}", app.admin))
            .json(&json!({"accountSid": sid, "authToken": token}));
        let (status, body) = send(v1_create).await;
        assert_eq!(status, 409, "{body}");
        assert!(app.twilio.trunks().is_empty(), "refused before anything is provisioned");
        let (status, _) = send(create(&app.other_admin, "globex", 3)).await;
        assert_eq!(status, 201, "another organization has its own quota");
        let (status, _) = send(app.admin(Method::DELETE, &config_path(ids[0]))).await;
        assert_eq!(status, 204);
        let (status, _) = send(create(&app.admin, "acme", 3)).await;
        assert_eq!(status, 201);
    }
}

// Item 4: the rate limit follows the authenticated token whatever the spelling of the header,
// and requests without valid credentials share their client address's bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_follow_the_token_not_the_header_spelling() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let settings = HttpSettings {
            rate_limit: Some(RateLimit {
                per_second: NonZeroU32::new(1).unwrap(),
                burst: NonZeroU32::new(4).unwrap(),
            }),
            ..test_http_settings()
        };
        let Some(app) = spawn_app_with(backend, settings).await else {
            continue;
        };
        let t = &app.admin;
        let spellings = [
            format!("Token {t}"),
            format!("token  {t}"),
            format!("Bearer {t}"),
            format!("BEARER {t} "),
        ];
        let mut throttled = 0;
        for round in 0..3 {
            for spelling in &spellings {
                let response = app
                    .bare(Method::GET, "/api/v2/platform/organizations/")
                    .header("Authorization", spelling)
                    .send()
                    .await
                    .unwrap();
                match response.status().as_u16() {
                    200 => {}
                    429 => throttled += 1,
                    other => panic!("{spelling:?} round {round}: {other}"),
                }
            }
        }
        // 12 requests against a burst of 4 (plus at most a refill or two while they run).
        assert!(throttled >= 6, "{backend:?}: only {throttled} of 12 throttled");
        // Another token of the same client keeps its own bucket.
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, CONFIGS)).await;
        assert_eq!(status, 200);

        // Made-up tokens share the client address's bucket: a fresh token per request gets
        // 401s until the bucket is empty, then 429s.
        let mut statuses = Vec::new();
        for i in 0..12 {
            let response = app
                .bare(Method::GET, "/api/v2/platform/organizations/")
                .header("Authorization", format!("Token pbk_{i:040}"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        let throttled = statuses.iter().filter(|s| **s == 429).count();
        assert!(throttled >= 6, "{backend:?}: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
        app.stop().await;
    }
}

// Item 3: made-up methods cannot mint metric labels, and the metrics page is not on the API
// listener.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_methods_are_one_label_and_metrics_are_off_the_api_listener() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for method in ["ZZ123", "ZZ124", "PROPFIND"] {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let status = app.bare(method, "/healthz").send().await.unwrap().status();
        assert_eq!(status, 405);
    }
    let (status, body) = send(app.bare(Method::GET, "/metrics")).await;
    assert_eq!(status, 404, "{body}");
    let metrics = app.metrics_text().await;
    assert!(
        metrics.contains(r#"method="OTHER",route="/healthz",status="405""#),
        "{metrics}"
    );
    for made_up in ["ZZ123", "ZZ124", "PROPFIND"] {
        assert!(!metrics.contains(made_up), "{made_up} in:\n{metrics}");
    }
    app.stop().await;
}

// Item 3: `serve` has no metrics page unless PATCHBAY_METRICS_LISTEN names where.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_has_metrics_only_on_the_metrics_listener() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut cmd = patchbay_command();
    cmd.current_dir(dir.path());
    let server = LoggedServer::start(cmd).unwrap();
    assert_eq!(client.get(server.url("/metrics")).send().await.unwrap().status(), 404);
    server.stop();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = patchbay_command();
    cmd.current_dir(dir.path())
        .env("PATCHBAY_METRICS_LISTEN", format!("127.0.0.1:{port}"));
    let server = LoggedServer::start(cmd).unwrap();
    assert_eq!(client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(server.url("/metrics")).send().await.unwrap().status(), 404);
    let page = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("patchbay_http_requests_total"));
    server.stop();
}

const ROTATED_KEY: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

// Item 9: an answer too large to keep for replay is still the client's answer, and a retry
// learns the work is done (it used to be a 500 after the row was committed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_too_large_to_keep_for_replay_is_still_a_success() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let settings = HttpSettings {
            idempotency_replay_limit: 64,
            ..test_http_settings()
        };
        let Some(app) = spawn_app_with(backend, settings).await else {
            continue;
        };
        let post = || {
            app.admin(Method::POST, CONFIGS_UNVERIFIED)
                .header("Idempotency-Key", "big-1")
                .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}))
        };
        let (status, first) = send(post()).await;
        assert_eq!(status, 201, "{backend:?}: {first}");
        assert!(first["data"]["id"].is_i64(), "the whole answer: {first}");
        let response = post().send().await.unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["idempotent-replayed"], "true");
        let again: serde_json::Value = response.json().await.unwrap();
        assert!(
            again["message"].as_str().unwrap().starts_with("Already done"),
            "{again}"
        );
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 1, "done once: {list}");
        app.stop().await;
    }
}

// Items 5 and 9: an `Idempotency-Key` POST whose body trickles in is cut off at the request
// deadline (the body used to be read outside it, forever).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_idempotent_body_is_cut_off_at_the_deadline() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let settings = HttpSettings {
        request_timeout: Duration::from_millis(500),
        ..test_http_settings()
    };
    let app = spawn_app_with(Backend::Sqlite, settings).await.unwrap();
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {CONFIGS} HTTP/1.1\r\nHost: x\r\nAuthorization: Token {}\r\nOrg-Handle: acme\r\n\
         Idempotency-Key: slow-1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"pro",
        app.admin
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered, not held open by the trickle")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    app.stop().await;
}

// Item 12: a database password given as a query parameter is never printed, by `config
// check` or by a start-up error.
#[test]
fn database_passwords_in_any_url_form_stay_out_of_output() {
    for url in [
        "postgres://patchbay@127.0.0.1:9/db?password=hunter2-canary",
        "postgres://patchbay:hunter2-canary@127.0.0.1:9/db",
        "postgresql://127.0.0.1:9/db?user=patchbay&sslmode=disable&sslpassword=hunter2-canary",
    ] {
        let (_, stdout, stderr) = run(patchbay_command().env("PATCHBAY_MASTER_KEY", TEST_KEY).args([
            "--database-url",
            url,
            "config",
            "check",
        ]));
        assert!(stdout.contains("127.0.0.1:9"), "{stdout}");
        assert!(
            !stdout.contains("hunter2") && !stderr.contains("hunter2"),
            "{stdout}{stderr}"
        );
        let (ok, stdout, stderr) =
            run(patchbay_command()
                .env("PATCHBAY_MASTER_KEY", TEST_KEY)
                .args(["--database-url", url, "org", "list"]));
        assert!(!ok && stderr.contains("cannot open the database"), "{stderr}");
        assert!(
            !stdout.contains("hunter2") && !stderr.contains("hunter2"),
            "{stdout}{stderr}"
        );
    }
}

// Item 12: an empty PostgreSQL database gets no demo organization or admin token at start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_demo_organization_on_postgres() {
    let Some(pg) = crate::support::ScratchPostgres::create().await else {
        return;
    };
    let mut cmd = patchbay_command();
    cmd.env("PATCHBAY_DATABASE_URL", &pg.url)
        .env("PATCHBAY_MASTER_KEY", TEST_KEY);
    let server = LoggedServer::start(cmd).unwrap();
    let (stdout, _) = server.stop();
    assert!(!stdout.contains("PATCHBAY_TOKEN"), "{stdout}");
    let app = open_patchbay(&pg.url, &[TEST_KEY], crate::support::process::CLOSED_PORT).await;
    assert!(app.list_organizations().await.unwrap().is_empty());
    crate::support::store::close_database(&app).await;
}

// Item 13: the SQLite database is created readable by its owner only, and a key file others
// can read is refused.
#[cfg(unix)]
#[test]
fn the_database_is_private_and_an_exposed_key_file_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(patchbay_command()
        .current_dir(dir.path())
        .args(["org", "create", "acme"]));
    assert!(ok, "{stderr}");
    let mode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("patchbay.db"), 0o600);
    assert_eq!(mode("patchbay.db.key"), 0o600);

    let key = dir.path().join("patchbay.db.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, _, stderr) = run(patchbay_command().current_dir(dir.path()).args(["org", "list"]));
    assert!(!ok, "an exposed key file is refused");
    assert!(
        stderr.contains("chmod 600") && stderr.contains("patchbay.db.key"),
        "{stderr}"
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, stdout, stderr) = run(patchbay_command().current_dir(dir.path()).args(["org", "list"]));
    assert!(ok && stdout.contains("acme"), "{stdout}{stderr}");
}

// Item 5: a few hundred connections that never finish their request head are closed at the
// header-read timeout, an idle keep-alive connection too, and a normal client is answered
// meanwhile, even with the connection cap taken by the slow ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_are_bounded_and_a_normal_client_is_answered() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let settings = HttpSettings {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 200,
        ..test_http_settings()
    };
    let app = spawn_app_with(Backend::Sqlite, settings).await.unwrap();
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        slow.push(stream);
    }
    // An idle keep-alive connection: one answered request, then nothing.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    let (status, _) = send(app.admin(Method::GET, CONFIGS)).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in {:?}",
        started.elapsed()
    );
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 1024];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));

    // Every slow connection is closed by the server (an EOF, or a 408 then EOF).
    let closed_by = Instant::now() + Duration::from_secs(8);
    for (i, stream) in slow.iter_mut().chain(std::iter::once(&mut idle)).enumerate() {
        let left = closed_by.saturating_duration_since(Instant::now());
        let closed = tokio::time::timeout(left, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "connection {i} still open");
    }
    app.stop().await;
}

/// An app whose requests have `deadline_ms`, with a v1 Twilio provider: `(app, provider id,
/// account sid, trunk sid)`; `None` when the backend is not available.
async fn provider_with_deadline(backend: Backend, deadline_ms: u64) -> Option<(TestApp, String, String, String)> {
    let settings = HttpSettings {
        request_timeout: Duration::from_millis(deadline_ms),
        ..test_http_settings()
    };
    let app = spawn_app_with(backend, settings).await?;
    let (created, account, _) = v1::create(&app, json!({})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let trunk = created["trunkSid"].as_str().unwrap().to_owned();
    Some((app, id, account, trunk))
}

// Item 10: an import that cannot finish within the request deadline stops starting numbers in
// time and answers 200 number by number; each number is either imported (recorded and on the
// trunk) or reported not attempted (neither) — never recorded but not attached, never a 503
// over committed imports. Both the v1 and the v2 import, on both backends.
#[tokio::test]
async fn a_slow_import_answers_in_time_with_each_numbers_exact_outcome() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, id, account, trunk)) = provider_with_deadline(backend, 1500).await else {
            continue;
        };
        let numbers: Vec<(String, String)> = (0..12)
            .map(|i| {
                let e164 = format!("+1415555{:04}", 100 + i);
                (app.twilio.add_incoming_number(&account, &e164), e164)
            })
            .collect();
        // Attaching takes 400 ms: six numbers need 2.4 s, the request has 1.5 s.
        app.twilio.recorder.inject(
            routes::ATTACH_PHONE_NUMBER,
            Fault::Delay(Duration::from_millis(400)),
            100,
        );

        let sids: Vec<&str> = numbers[..6].iter().map(|(sid, _)| sid.as_str()).collect();
        let body = v1::import(&app, &id, &sids).await;
        let not_imported: Vec<String> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(
                    e["errorMessage"].as_str().unwrap().starts_with("Not attempted"),
                    "{body}"
                );
                e["phoneNumberSid"].as_str().unwrap().to_owned()
            })
            .collect();
        let v1_imported = body["successCount"].as_u64().unwrap() as usize;
        assert!(v1_imported >= 1 && !not_imported.is_empty(), "{body}");
        assert_eq!(v1_imported + not_imported.len(), 6, "{body}");

        let (_, list) = send(app.admin(Method::GET, NUMBERS)).await;
        let config = list["data"][0]["provider_config_id"].as_i64().unwrap();
        let wanted: Vec<&str> = numbers[6..].iter().map(|(_, e164)| e164.as_str()).collect();
        let (status, body) = send(
            app.admin(Method::POST, &format!("{}import-numbers/", config_path(config)))
                .json(&json!({"numbers": wanted})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let v2_failed: Vec<String> = body["data"]["failed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert!(
                    f["error_message"].as_str().unwrap().starts_with("Not attempted"),
                    "{body}"
                );
                f["number"].as_str().unwrap().to_owned()
            })
            .collect();
        assert!(
            body["data"]["success_count"].as_u64().unwrap() >= 1 && !v2_failed.is_empty(),
            "{body}"
        );

        // Past any work a cancelled request could have left running.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let on_trunk = app.twilio.trunk_phone_numbers(&trunk);
        let (_, list) = send(app.admin(Method::GET, &format!("{NUMBERS}?page_size=100"))).await;
        let recorded: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["number"].as_str().unwrap())
            .collect();
        for (i, (sid, e164)) in numbers.iter().enumerate() {
            let reported_imported = if i < 6 {
                !not_imported.contains(sid)
            } else {
                !v2_failed.contains(e164)
            };
            assert_eq!(
                on_trunk.contains(sid),
                reported_imported,
                "{e164}: on the trunk as reported ({backend:?})"
            );
            assert_eq!(
                recorded.contains(&e164.as_str()),
                reported_imported,
                "{e164}: recorded as reported ({backend:?})"
            );
        }
    }
}

// Item 10: a number whose carrier steps outlast the request is reported as still running, in a
// 200 answered before the deadline, and then ends whole (recorded and attached), never cut
// between record and attach.
#[tokio::test]
async fn a_number_outlasting_the_request_ends_whole_and_is_reported_as_running() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((app, id, account, trunk)) = provider_with_deadline(backend, 1000).await else {
            continue;
        };
        let pn = app.twilio.add_incoming_number(&account, "+14155550100");
        app.twilio.recorder.inject(
            routes::ATTACH_PHONE_NUMBER,
            Fault::Delay(Duration::from_millis(1500)),
            1,
        );
        let body = v1::import(&app, &id, &[&pn]).await;
        assert_eq!(body["successCount"], 0, "{body}");
        assert!(
            body["errors"][0]["errorMessage"]
                .as_str()
                .unwrap()
                .starts_with("Still being imported"),
            "{body}"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(app.twilio.trunk_phone_numbers(&trunk), vec![pn.clone()], "{backend:?}");
        let (_, list) = send(app.admin(Method::GET, NUMBERS)).await;
        assert_eq!(list["data"][0]["number"], "+14155550100", "{backend:?}: {list}");
    }
}
