//! The binary as a user runs it: first start prints a demo token once, administration
//! commands, secrets kept out of logs, and a clear error for a wrong master key.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::process::{LoggedServer, patchbay_command, run, run_json};
use crate::support::{self, CONFIGS, CONFIGS_UNVERIFIED, TEST_KEY, TWILIO_SID};
use reqwest::Method;
use serde_json::{Value, json};

/// The binary in `dir`, with none of the caller's settings and no carrier reachable.
fn patchbay(dir: &Path) -> Command {
    let mut cmd = patchbay_command();
    cmd.current_dir(dir);
    cmd
}

fn demo_token(stdout: &str) -> Option<String> {
    stdout
        .split_whitespace()
        .find_map(|w| w.strip_prefix("PATCHBAY_TOKEN="))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_prints_a_demo_token_once_and_secrets_stay_out_of_logs() {
    let dir = tempfile::tempdir().unwrap();
    let server = LoggedServer::start(patchbay(dir.path())).unwrap();
    let token = demo_token(&server.wait_for_stdout("PATCHBAY_TOKEN=")).expect("a demo token on first start");
    let client = reqwest::Client::new();

    // The printed token works, for the printed org.
    let orgs = support::http::body_json(
        client
            .get(server.url("/api/v2/platform/organizations/"))
            .header("Authorization", format!("Token {token}")),
    )
    .await;
    assert_eq!(orgs["data"][0]["domain_handle"], "demo");

    let canary = "canary-auth-token-5d1e0b7c";
    let response = server
        .as_(&token, "demo", Method::POST, CONFIGS_UNVERIFIED)
        .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": canary}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
    let (_, logs) = server.stop();
    assert!(
        logs.contains("\"route\""),
        "one line per request, with its route: {logs}"
    );
    assert!(!logs.contains(&token), "the API token must never be logged");
    assert!(!logs.contains(canary), "a carrier secret must never be logged");

    // The embedded default: SQLite file plus a private key file beside it.
    assert!(dir.path().join("patchbay.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("patchbay.db.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A second start prints no token.
    let again = LoggedServer::start(patchbay(dir.path())).unwrap();
    let (stdout, _) = again.stop();
    assert!(
        demo_token(&stdout).is_none(),
        "the demo token is shown once only: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_and_token_administration() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("admin.db").display());
    let cmd = || {
        let mut c = patchbay(dir.path());
        c.args(["--database-url", &db]);
        c
    };
    let org = run_json(cmd().args(["org", "create", "acme", "--name", "Acme Voice"]));
    assert_eq!(
        (org["handle"].as_str(), org["name"].as_str()),
        (Some("acme"), Some("Acme Voice"))
    );
    assert!(org["id"].is_i64());
    let (ok, _, err) = run(cmd().args(["org", "create", "acme"]));
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = run(cmd().args(["org", "create", "Not A Handle"]));
    assert!(!ok && err.contains("handle"), "{err}");

    let token = run_json(cmd().args(["token", "create", "--org", "acme", "--role", "viewer", "--label", "ci"]));
    assert_eq!(
        (token["org"].as_str(), token["role"].as_str()),
        (Some("acme"), Some("viewer"))
    );
    let secret = token["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pbk_"));
    let expiring = run_json(cmd().args(["token", "create", "--org", "acme", "--expires-in", "30d"]));
    assert!(expiring["expires_at"].is_string());

    let (ok, listed, _) = run(cmd().args(["token", "list", "--org", "acme", "--json"]));
    assert!(ok);
    assert_eq!(listed.lines().count(), 2);
    assert!(!listed.contains(&secret), "token list never shows a secret");
    assert!(listed.contains("\"label\":\"ci\""));

    // The viewer token works against a server on this database, until revoked.
    let server = LoggedServer::start({
        let mut c = cmd();
        c.env("PATCHBAY_LOG", "info");
        c
    })
    .unwrap();
    let get = |t: String| {
        let url = server.url("/api/v2/platform/telephony/providers-configurations/");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("Authorization", format!("Bearer {t}"))
                .header("Org-Handle", "acme")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(get(secret.clone()).await, 200);
    let revoked = run_json(cmd().args(["token", "revoke", &token["id"].to_string()]));
    assert_eq!(revoked["revoked"], true);
    assert_eq!(get(secret.clone()).await, 401);
    server.stop();
    let (ok, _, err) = run(cmd().args(["token", "revoke", &token["id"].to_string()]));
    assert!(!ok && err.contains("no active token"), "{err}");

    // Every one of those changes is in the audit trail, oldest first, attributed to the CLI.
    let (ok, tail, err) = run(cmd().args(["audit", "tail", "--org", "acme"]));
    assert!(ok, "{err}");
    let events: Vec<Value> = tail.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "organization.created",
            "token.created",
            "token.created",
            "token.revoked"
        ]
    );
    assert!(events.iter().all(|e| e["actor"] == "cli"));
    assert!(!tail.contains(&secret), "no token in the audit trail");
    let (_, last_two, _) = run(cmd().args(["audit", "tail", "--org", "acme", "-n", "2"]));
    assert_eq!(last_two.lines().count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_master_key_is_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let with_key = |key: &str| {
        let mut c = patchbay(dir.path());
        c.env("PATCHBAY_MASTER_KEY", key);
        c
    };
    let server = LoggedServer::start(with_key(TEST_KEY)).unwrap();
    let token = demo_token(&server.wait_for_stdout("PATCHBAY_TOKEN=")).unwrap();
    let status = server
        .as_(&token, "demo", Method::POST, CONFIGS_UNVERIFIED)
        .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success());
    server.stop();

    let err = LoggedServer::start(with_key("HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="))
        .err()
        .expect("must refuse to start");
    assert!(err.contains("master key id"), "{err}");
    let err = LoggedServer::start(with_key("too-short"))
        .err()
        .expect("must refuse to start");
    assert!(err.contains("32 bytes"), "{err}");
}

/// SIGTERM: the server stops accepting, lets an in-flight request finish, then exits 0; with a
/// short grace, a request that takes longer does not hold the process up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_requests_within_the_grace() {
    let twilio = standin::twilio::start().await.unwrap();
    twilio.put_account(TWILIO_SID, "t");
    for (hang_ms, grace, expect_answer) in [(1500u64, "10s", true), (6000, "1s", false)] {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = patchbay(dir.path());
        cmd.env("PATCHBAY_TWILIO_BASE_URL", twilio.url())
            .env("PATCHBAY_CARRIER_MAX_RETRIES", "0")
            .env("PATCHBAY_SHUTDOWN_GRACE", grace)
            .env("PATCHBAY_LOG", "info");
        let server = LoggedServer::start(cmd).unwrap();
        let token = demo_token(&server.wait_for_stdout("PATCHBAY_TOKEN=")).unwrap();
        twilio.recorder.inject(
            standin::twilio::routes::FETCH_ACCOUNT,
            standin::recorder::Fault::Hang(Duration::from_millis(hang_ms)),
            1,
        );
        let create = server
            .as_(&token, "demo", Method::POST, CONFIGS)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "t"}));
        let calls = twilio.recorder.count(standin::twilio::routes::FETCH_ACCOUNT);
        let in_flight = tokio::spawn(async move { create.send().await.map(|r| r.status().as_u16()) });
        // In flight: the create is waiting on the carrier.
        support::wait_until("the create reached the carrier", || {
            twilio.recorder.count(standin::twilio::routes::FETCH_ACCOUNT) > calls
        })
        .await;
        let addr = server.addr.clone();
        let started = Instant::now();
        server.terminate();
        server.wait_for_log("shutting down");
        support::wait_until("the listener is closed", || {
            std::net::TcpStream::connect(&addr).is_err()
        })
        .await;
        let answer = in_flight.await.unwrap();
        let (_, logs) = server.stop();
        let took = started.elapsed();
        if expect_answer {
            assert_eq!(answer.ok(), Some(201), "the in-flight create completes: {logs}");
        } else {
            assert!(answer.is_err(), "past the grace the connection is closed");
            assert!(
                took < Duration::from_secs(4),
                "the grace bounds the stop: took {took:?}"
            );
            assert!(logs.contains("did not finish in time"), "{logs}");
        }
    }
}

/// Secrets where they leave the server, logged at trace level with live verification on: the
/// Basic auth of a carrier call, the v1 SIP password sent to Twilio while provisioning a trunk,
/// and a token the carrier answers 401 to. None may appear in any log line or output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_logs_where_they_leave_the_server() {
    use base64::Engine as _;
    let twilio = standin::twilio::start().await.unwrap();
    let plivo = standin::simple::start(standin::simple::Carrier::Plivo).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = patchbay(dir.path());
    cmd.env("PATCHBAY_TWILIO_BASE_URL", twilio.url())
        .env("PATCHBAY_TWILIO_TRUNKING_BASE_URL", twilio.url())
        .env("PATCHBAY_PLIVO_BASE_URL", plivo.url());
    let server = LoggedServer::start(cmd).unwrap();
    let api_token = demo_token(&server.wait_for_stdout("PATCHBAY_TOKEN=")).unwrap();
    let v2_create = |body: Value| server.as_(&api_token, "demo", Method::POST, CONFIGS).json(&body);

    // v1: verifies, then provisions a trunk whose SIP credential password we generate.
    let (v1_sid, v1_token) = (standin::sid("AC"), standin::random_hex(32));
    twilio.put_account(&v1_sid, &v1_token);
    let (status, body) = support::send(
        reqwest::Client::new()
            .post(server.url("/api/v1/providers/twilio"))
            .header("Authorization", format!("Bearer {api_token}"))
            .json(&json!({"accountSid": v1_sid, "authToken": v1_token})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let lists = twilio.credential_lists();
    let sip_password = twilio.credentials(&lists[0].sid)[0].password.clone();

    // v2, verified live: Basic auth with the account's token.
    let (v2_sid, v2_token) = (standin::sid("AC"), standin::random_hex(32));
    twilio.put_account(&v2_sid, &v2_token);
    let (status, body) = support::send(v2_create(
        json!({"provider": "twilio", "account_sid": v2_sid, "auth_token": v2_token}),
    ))
    .await;
    assert_eq!(
        (status, body["data"]["verification_status"].as_str()),
        (201, Some("verified")),
        "{body}"
    );

    // The carriers' shared client (Plivo): Basic auth with the auth id and token.
    let plivo_account = plivo.add_account();
    let (status, body) = support::send(v2_create(
        json!({"provider": "plivo", "account_sid": plivo_account.id, "auth_token": plivo_account.secret}),
    ))
    .await;
    assert_eq!(
        (status, body["data"]["verification_status"].as_str()),
        (201, Some("verified")),
        "{body}"
    );

    // A token the carrier refuses with 401.
    let (refused_sid, wrong_token) = (standin::sid("AC"), standin::random_hex(32));
    twilio.put_account(&refused_sid, &standin::random_hex(32));
    let (status, body) = support::send(v2_create(
        json!({"provider": "twilio", "account_sid": refused_sid, "auth_token": wrong_token}),
    ))
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        twilio.recorder.count(standin::twilio::routes::FETCH_ACCOUNT) >= 3,
        "every secret went to the carrier"
    );

    let (stdout, logs) = server.stop();
    assert!(
        logs.contains(&v2_sid),
        "the carrier calls are in the trace logs: {logs}"
    );
    let basic = |user: &str, secret: &str| base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
    let secrets = [
        ("v1 auth token", v1_token.clone()),
        ("v1 Basic auth", basic(&v1_sid, &v1_token)),
        ("SIP password", sip_password.clone()),
        ("v2 auth token", v2_token.clone()),
        ("v2 Basic auth", basic(&v2_sid, &v2_token)),
        ("Plivo auth token", plivo_account.secret.clone()),
        ("Plivo Basic auth", basic(&plivo_account.id, &plivo_account.secret)),
        ("refused token", wrong_token.clone()),
        ("refused Basic auth", basic(&refused_sid, &wrong_token)),
        ("API token", api_token.clone()),
    ];
    for (what, secret) in secrets {
        assert!(!logs.contains(&secret), "the {what} is in the logs");
        assert!(
            what == "API token" || !stdout.contains(&secret),
            "the {what} is on stdout"
        );
    }
}
