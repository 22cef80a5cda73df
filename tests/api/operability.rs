//! What operators rely on: rate limits, request deadlines, request ids, metrics, readiness,
//! and the layered configuration with `config check`.

use std::num::NonZeroU32;
use std::process::Command;
use std::time::Duration;

use crate::support::http::body_json;
use crate::support::process::{BIN, run};
use crate::support::{Backend, CONFIGS, TWILIO_SID, TestApp, send, spawn_app_with, store, test_http_settings};
use patchbay::http::{HttpSettings, RateLimit};
use reqwest::Method;
use serde_json::{Value, json};

fn settings(rate_limit: Option<(u32, u32)>, request_timeout: Duration) -> HttpSettings {
    HttpSettings {
        rate_limit: rate_limit.map(|(per_second, burst)| RateLimit {
            per_second: NonZeroU32::new(per_second).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        }),
        request_timeout,
        shutdown_grace: Duration::from_secs(5),
        ..HttpSettings::default()
    }
}

#[tokio::test]
async fn tokens_are_rate_limited_separately_and_health_is_exempt() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_app_with(backend, settings(Some((1, 3)), Duration::from_secs(30))).await else {
            continue;
        };
        tokens_are_rate_limited_separately_and_health_is_exempt_on(app).await;
    }
}

async fn tokens_are_rate_limited_separately_and_health_is_exempt_on(app: TestApp) {
    for expected_remaining in [2, 1, 0] {
        let response = app.admin(Method::GET, CONFIGS).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["ratelimit-limit"], "3");
        assert_eq!(
            response.headers()["ratelimit-remaining"],
            expected_remaining.to_string().as_str()
        );
    }
    let response = app.admin(Method::GET, CONFIGS).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.headers()["ratelimit-remaining"], "0");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["status_code"].as_u64(), body["message"].as_str()),
        (Some(429), Some("Request was throttled."))
    );

    // Another token has its own bucket; health is never limited (metrics have their own listener).
    let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, CONFIGS)).await;
    assert_eq!(status, 200);
    for _ in 0..10 {
        assert_eq!(app.bare(Method::GET, "/healthz").send().await.unwrap().status(), 200);
    }
    // The bucket refills at the sustained rate.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.admin(Method::GET, CONFIGS).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_request_past_its_deadline_is_cancelled_and_leaves_nothing() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_app_with(backend, settings(None, Duration::from_millis(300))).await else {
            continue;
        };
        a_request_past_its_deadline_is_cancelled_and_leaves_nothing_on(app).await;
    }
}

async fn a_request_past_its_deadline_is_cancelled_and_leaves_nothing_on(app: TestApp) {
    app.twilio.put_account(TWILIO_SID, "t");
    // The carrier hangs (1 s, then 503) far longer than the request may take (300 ms). A
    // handler still running after the 503 would retry once (the test apps allow one retry) and
    // store the configuration as pending about 2 s later.
    let hang = Duration::from_secs(1);
    app.twilio.recorder.inject(
        standin::twilio::routes::FETCH_ACCOUNT,
        standin::recorder::Fault::Hang(hang),
        4,
    );
    let (status, body) = send(
        app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"})),
    )
    .await;
    assert_eq!((status, body["status_code"].as_u64()), (503, Some(503)));
    // Past both hanging attempts and the write a surviving handler would make.
    tokio::time::sleep(2 * hang + Duration::from_millis(500)).await;
    let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
    assert_eq!(list["count"], 0, "{list}");
    assert_eq!(
        app.twilio.recorder.count(standin::twilio::routes::FETCH_ACCOUNT),
        1,
        "the carrier was called once: nothing ran on after the deadline"
    );
}

#[tokio::test]
async fn request_ids_metrics_and_readiness() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_app_with(backend, test_http_settings()).await else {
            continue;
        };
        request_ids_metrics_and_readiness_on(app).await;
    }
}

async fn request_ids_metrics_and_readiness_on(app: TestApp) {
    let response = app
        .admin(Method::GET, CONFIGS)
        .header("X-Request-Id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
    let generated = app.admin(Method::GET, CONFIGS).send().await.unwrap();
    assert_eq!(
        generated.headers()["x-request-id"].len(),
        36,
        "a uuid when the client sent none"
    );

    app.create_twilio(TWILIO_SID, "t").await;
    let metrics = app.metrics_text().await;
    for needle in [
        "patchbay_http_requests_total{method=\"GET\",route=\"/api/v2/platform/telephony/providers-configurations\",status=\"200\"}",
        "patchbay_http_request_duration_seconds_bucket",
        "patchbay_verifications_total{carrier=\"twilio\",status=\"verified\"}",
        "patchbay_carrier_call_duration_seconds",
        "patchbay_db_pool_connections",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in:\n{metrics}");
    }

    let ready = body_json(app.bare(Method::GET, "/readyz")).await;
    assert_eq!(
        (ready["status"].as_str(), ready["database"].as_str()),
        (
            Some("ready"),
            Some(match app.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            })
        )
    );
    store::close_database(&app.app).await;
    assert_eq!(app.bare(Method::GET, "/readyz").send().await.unwrap().status(), 503);
    assert_eq!(app.bare(Method::GET, "/healthz").send().await.unwrap().status(), 200);
}

fn config_check(dir: &std::path::Path, envs: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PATCHBAY_")) {
        cmd.env_remove(k);
    }
    cmd.envs(envs.iter().copied()).args(["config", "check"]).args(args);
    run(&mut cmd)
}

#[test]
fn configuration_layers_defaults_file_environment_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("patchbay.toml"),
        "listen = \"127.0.0.1:4000\"\nverify_concurrency = 8\nrate_limit_per_second = 7\n\
         database_url = \"postgres://app:hunter2@db.internal/patchbay\"\nmaster_key = \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"\n",
    )
    .unwrap();
    let (ok, out, err) = config_check(
        dir.path(),
        &[
            ("PATCHBAY_VERIFY_CONCURRENCY", "9"),
            ("PATCHBAY_RATE_LIMIT_PER_SECOND", "11"),
        ],
        &["--config", "patchbay.toml", "--rate-limit-per-second", "13"],
    );
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["listen"], "127.0.0.1:4000", "file over default");
    assert_eq!(v["verify_concurrency"], 9, "environment over file");
    assert_eq!(v["rate_limit"]["per_second"], 13, "flag over environment");
    assert_eq!(v["database_url"], "postgres://app:***@db.internal/patchbay");
    assert!(v["master_key"]["active_key_id"].is_string());
    assert!(
        !out.contains("hunter2") && !out.contains("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
        "secrets redacted: {out}"
    );

    // Defaults alone: SQLite beside the working directory, key file to be created.
    let (ok, out, _) = config_check(dir.path(), &[], &[]);
    assert!(ok);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["listen"].as_str(), v["database_url"].as_str()),
        (Some("127.0.0.1:3001"), Some("sqlite://patchbay.db"))
    );
    assert!(
        !dir.path().join("patchbay.db.key").exists(),
        "config check creates nothing"
    );

    // Invalid configurations exit non-zero, saying why.
    for (envs, args, needle) in [
        (vec![], vec!["--listen", "nowhere"], "listen"),
        (vec![("PATCHBAY_MASTER_KEY", "short")], vec![], "32 bytes"),
        (
            vec![("PATCHBAY_DATABASE_URL", "postgres://x@h/db")],
            vec![],
            "PATCHBAY_MASTER_KEY",
        ),
        (
            vec![("PATCHBAY_TWILIO_BASE_URL", "ftp://x")],
            vec![],
            "PATCHBAY_TWILIO_BASE_URL",
        ),
        (vec![("PATCHBAY_VERIFY_INTERVAL", "soon")], vec![], "verify"),
    ] {
        let (ok, _, err) = config_check(dir.path(), &envs, &args);
        assert!(!ok && err.contains(needle), "{envs:?} {args:?}: {err}");
    }
    std::fs::write(dir.path().join("typo.toml"), "lisen = \"x\"\n").unwrap();
    let (ok, _, err) = config_check(dir.path(), &[], &["--config", "typo.toml"]);
    assert!(!ok && err.contains("unknown setting 'lisen'"), "{err}");
}
