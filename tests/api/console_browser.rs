//! The console in a real browser: Debian's Chromium, headless, driven through chromedriver
//! (fantoccini). Each test saves screenshots under `target/console-screenshots/`. Without
//! chromium or chromedriver the tests say so and pass, except under `CI`, where they fail.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use patchbay::domain::access::Role;
use reqwest::Method;
use serde_json::json;

use super::console::{PASSWORD, person};
use crate::support::{self, Backend, CONFIGS_UNVERIFIED, TWILIO_SID, TestApp, send};

fn tool(env: &str, names: &[&str]) -> Option<String> {
    std::env::var(env).ok().or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

struct Browser {
    client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

/// Headless Chromium through a chromedriver of our own; `None` (after saying so) when either
/// is missing outside CI.
async fn browser() -> Option<Browser> {
    let chromium = tool("PATCHBAY_CHROMIUM", &["chromium", "chromium-browser"]);
    let driver = tool("PATCHBAY_CHROMEDRIVER", &["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        support::skip_without_tool(
            "CI must install chromium and chromium-driver for the console browser tests",
            "chromium or chromedriver not installed: console browser tests skipped",
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--window-size=1280,1000", format!("--user-data-dir={}", profile.path().display()),
            // Nothing but loopback: a page that needed the network would show it.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ]}),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(client) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some(Browser {
                client,
                _driver: child,
                _profile: profile,
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Browser {
    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// Waits until the page contains `text` (forms answer with a redirect, then a page).
    async fn sees(&self, text: &str) -> String {
        for _ in 0..100 {
            let page = self.source().await;
            if page.contains(text) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {text:?}: {}", self.source().await);
    }

    async fn fill(&self, css: &str, value: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn click_text(&self, text: &str) {
        let xpath = format!("//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn sign_in(&self, app: &TestApp, email: &str) {
        self.client.goto(&app.url("/console/")).await.unwrap();
        self.sees("Sign in").await;
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click_text("Sign in").await;
        self.sees("Health board").await;
    }
}

/// A page on another origin whose form posts to the console (a cross-site request forgery).
async fn evil_site(target: String) -> String {
    let page = format!(
        "<!doctype html><title>evil</title><form method=post action=\"{target}\">\
         <input name=name value=Evil><input name=slug value=evil><button>Win a prize</button></form>"
    );
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

// Unlike any part of the account SID, so finding them in a page means a secret leaked.
const TOKEN_1: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const TOKEN_2: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_works_through_the_console_in_chromium() {
    let Some(b) = browser().await else { return };
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    person(&app, "ann@example.org", Role::Admin).await;
    app.twilio.put_account(TWILIO_SID, TOKEN_1);
    app.twilio.add_incoming_number(TWILIO_SID, "+14155550100");

    b.sign_in(&app, "ann@example.org").await;
    b.shot("01-health-board-empty").await;

    // A Twilio configuration through the form the catalogue generates; the stand-in verifies it.
    b.client.goto(&app.url("/console/o/acme/configurations")).await.unwrap();
    b.click_text("Add Twilio").await;
    b.sees("New Twilio configuration").await;
    assert_eq!(
        b.client
            .find(Locator::Css("#f-auth_token"))
            .await
            .unwrap()
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("password"),
        "a secret field is a password input"
    );
    b.fill("#f-name", "Main account").await;
    b.fill("#f-account_sid", TWILIO_SID).await;
    b.fill("#f-auth_token", TOKEN_1).await;
    b.click_text("Create and verify").await;
    let page = b.sees("badge verified").await;
    assert!(!page.contains(TOKEN_1), "a secret is never rendered back");
    b.shot("02-configuration-verified").await;

    // Rotate its token: the carrier changed it first, the console stores and verifies the new one.
    app.twilio.set_auth_token(TWILIO_SID, TOKEN_2);
    b.fill("#r-auth_token", TOKEN_2).await;
    b.click_text("Rotate and verify").await;
    let page = b.sees("Secret rotated and verified.").await;
    assert!(page.contains("badge verified") && !page.contains(TOKEN_2), "{page}");
    b.shot("03-token-rotated").await;

    // Import the account's number, then put it on a new bridge.
    b.click("input[name=numbers]").await;
    b.click_text("Import selected numbers").await;
    b.sees("1 imported, 0 not imported.").await;
    b.client.goto(&app.url("/console/o/acme/bridges")).await.unwrap();
    b.fill("#b-name", "Sales").await;
    b.fill("#b-slug", "sales").await;
    b.click_text("Create bridge").await;
    b.sees("(sales, DRAFT)").await;
    b.click_text("Connect").await;
    let page = b.sees("Number connected to the bridge.").await;
    assert!(
        page.contains("(sales, ACTIVE)") && page.contains("Disconnect +14155550100"),
        "{page}"
    );
    b.shot("04-number-on-bridge").await;
    let bridge = app.app.get_bridge(&app.org, "sales").await.unwrap();
    assert_eq!(bridge.numbers.len(), 1);

    // An API token: shown once, works, then revoked.
    b.client.goto(&app.url("/console/o/acme/tokens")).await.unwrap();
    b.fill("#t-label", "ci robot").await;
    b.click_text("Create token").await;
    b.sees("Copy it now").await;
    let token = b
        .client
        .find(Locator::Css("#new-token"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(token.starts_with("pbk_"), "{token}");
    b.shot("05-token-created").await;
    let (status, _) = send(app.as_(&token, "acme", Method::GET, CONFIGS_UNVERIFIED)).await;
    assert_eq!(status, 200);
    let id = app
        .app
        .list_tokens(&app.org)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .max()
        .unwrap();
    b.click_text(&format!("Revoke token {id}")).await;
    b.sees("Token revoked.").await;
    assert!(!b.source().await.contains(&token), "a token is shown once only");
    let (status, _) = send(app.as_(&token, "acme", Method::GET, CONFIGS_UNVERIFIED)).await;
    assert_eq!(status, 401);
    b.shot("06-token-revoked").await;

    // A page on another origin posts a form to the console with our session cookie: refused.
    let evil = evil_site(app.url("/console/o/acme/bridges")).await;
    b.client.goto(&evil).await.unwrap();
    b.click_text("Win a prize").await;
    b.sees("did not come from this console").await;
    b.shot("07-cross-site-post-refused").await;
    assert!(
        app.app.get_bridge(&app.org, "evil").await.is_err(),
        "the forged post created nothing"
    );

    // The health board lists what is not verified: the carrier rejects the token now.
    app.twilio.set_auth_token(TWILIO_SID, TOKEN_1);
    let config = app
        .app
        .list_configurations(&app.org, Default::default())
        .await
        .unwrap()
        .0[0]
        .id;
    b.client
        .goto(&app.url(&format!("/console/o/acme/configurations/{config}")))
        .await
        .unwrap();
    b.click_text("Verify now").await;
    b.sees("badge failed").await;
    b.client.goto(&app.url("/console/")).await.unwrap();
    let page = b.sees("badge failed").await;
    assert!(page.contains(TWILIO_SID), "{page}");
    b.shot("08-health-board-failed").await;

    // Re-verify the whole organization: a progress page that follows the work to its end.
    b.client.goto(&app.url("/console/o/acme/configurations")).await.unwrap();
    b.click_text("Re-verify all").await;
    let page = b.sees("Done: 1 of 1 configurations checked.").await;
    assert!(page.contains("badge failed"), "{page}");
    b.shot("09-reverify-progress").await;

    // The audit trail, filtered to bridges, names the person who acted.
    b.client.goto(&app.url("/console/o/acme/audit")).await.unwrap();
    b.client
        .find(Locator::Css("#a-kind"))
        .await
        .unwrap()
        .select_by_value("bridge")
        .await
        .unwrap();
    b.click_text("Filter").await;
    // (The unfiltered page lists bridge events too: wait for the filtered one's count, whole:
    // "12 events." of the unfiltered page contains "2 events.".)
    let page = b.sees("<p>2 events.</p>").await;
    assert!(page.contains("bridge.number_connected"), "{page}");
    assert!(
        page.contains("user:ann@example.org") && !page.contains("configuration.created"),
        "{page}"
    );
    b.shot("09-audit-filtered-bridges").await;

    // A SIP number of a manual credential: link an inbound agent.
    let (status, cred) = send(
        app.bare(Method::POST, "/api/v1/sip-credentials")
            .bearer_auth(&app.admin)
            .json(&json!({"server": "sip.example.com", "authUser": "trunk-1", "authPassword": "s3cret-pw"})),
    )
    .await;
    assert_eq!(status, 201, "{cred}");
    let (status, number) = send(
        app.bare(Method::POST, "/api/v1/sip-phone-numbers")
            .bearer_auth(&app.admin)
            .json(&json!({"phoneNumber": "+14155550199", "credentialsId": cred["id"]})),
    )
    .await;
    assert_eq!(status, 201, "{number}");
    b.client.goto(&app.url("/console/o/acme/sip")).await.unwrap();
    b.fill("input[name=agent_id]", "agent-7").await;
    b.click_text("Link").await;
    let page = b.sees("Agent linked.").await;
    assert!(page.contains("agent-7") && !page.contains("s3cret-pw"), "{page}");
    b.shot("10-sip-agent-linked").await;

    // Sign out: the console is closed again.
    b.click_text("Sign out").await;
    b.sees("Sign in").await;
    b.client.goto(&app.url("/console/o/acme/configurations")).await.unwrap();
    b.sees("Sign in").await;
    b.shot("11-signed-out").await;
    b.client.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_no_write_controls_and_a_forged_write_is_refused_in_chromium() {
    let Some(b) = browser().await else { return };
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    person(&app, "vic@example.org", Role::Viewer).await;
    let (status, body) = send(app.admin(Method::POST, CONFIGS_UNVERIFIED).json(&json!({
        "provider": "twilio", "account_sid": TWILIO_SID, "auth_token": TOKEN_1
    })))
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_i64().unwrap();

    b.sign_in(&app, "vic@example.org").await;
    b.client
        .goto(&app.url(&format!("/console/o/acme/configurations/{id}")))
        .await
        .unwrap();
    let page = b.sees("badge pending").await;
    for control in ["Verify now", "Rotate", "Delete configuration", "Add Twilio"] {
        assert!(!page.contains(control), "a viewer sees no {control:?}");
    }
    // On a phone-sized window too.
    b.client.set_window_size(390, 844).await.unwrap();
    b.client.goto(&app.url("/console/o/acme/bridges")).await.unwrap();
    let page = b.sees("Bridges").await;
    assert!(
        !page.contains("Create bridge") && !page.contains("API tokens"),
        "{page}"
    );
    b.shot("12-viewer-read-only").await;

    // A forged write with the viewer's own valid session and CSRF token: the role refuses it.
    let csrf = b
        .client
        .find(Locator::Css("input[name=csrf]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let forge = format!(
        "const f = document.createElement('form'); f.method = 'post'; f.action = '/console/o/acme/bridges';\
         for (const [k, v] of [['csrf', '{csrf}'], ['name', 'Forged'], ['slug', 'forged']]) {{\
           const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i); }}\
         document.body.appendChild(f); f.submit();"
    );
    b.client.execute(&forge, vec![]).await.unwrap();
    b.sees("You do not have permission to perform this action.").await;
    b.shot("13-viewer-forged-write-refused").await;
    assert!(app.app.get_bridge(&app.org, "forged").await.is_err());
    b.client.close().await.unwrap();
    app.stop().await;
}
