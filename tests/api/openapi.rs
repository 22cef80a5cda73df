//! The served OpenAPI document describes every route, and the docs page renders offline.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::support::http::body_text;
use crate::support::{self, Backend, TestApp};

async fn document(app: &TestApp) -> Value {
    let response = app.bare(Method::GET, "/openapi.json").send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `/a/{id}/` and `/a/{id}` are the same route (trailing slashes are optional).
fn normalise(path: &str) -> String {
    path.trim_end_matches('/').to_owned()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_route() {
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());

    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), normalise(path)))
        })
        .collect();
    let served: BTreeSet<(String, String)> = patchbay::http::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), normalise(&p)))
        .collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(extra.is_empty(), "documented but not served: {extra:?}");

    // Every operation documents its answers, and every $ref resolves.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                !op["responses"].as_object().unwrap().is_empty(),
                "{method} {path} has no responses"
            );
            // Answers every authenticated operation can give are documented on each of them.
            if path.starts_with("/api/") {
                let responses = op["responses"].as_object().unwrap();
                for status in ["401", "429", "500", "503"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} does not document {status}"
                    );
                }
                if op.get("requestBody").is_some() {
                    for status in ["413", "415"] {
                        assert!(
                            responses.contains_key(status),
                            "{method} {path} does not document {status}"
                        );
                    }
                }
            }
        }
    }
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling $ref to {name}"
        );
    }
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects.get(app.url("/docs")).send().await.unwrap();
    assert!(response.status().is_redirection());
    let html = body_text(app.bare(Method::GET, "/docs/")).await;
    assert!(html.contains("swagger-ui"), "{html}");
    // Its assets come from us, not a CDN.
    assert!(
        !html.contains("https://"),
        "the page must not load anything from outside: {html}"
    );
    let js = app
        .bare(Method::GET, "/docs/swagger-ui-bundle.js")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
}

/// Renders `/docs/` in headless Chromium with every host but loopback unreachable, and looks
/// for an operation's summary in the rendered page.
#[tokio::test]
async fn the_docs_page_renders_in_a_browser_without_network() {
    // `PATCHBAY_CHROMIUM` (set by .ci/run), else the usual names on PATH.
    let Some(chromium) = std::env::var("PATCHBAY_CHROMIUM").ok().or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    }) else {
        support::skip_without_tool(
            "CI must install chromium for the docs page test",
            "chromium not installed: docs page browser test skipped",
        );
        return;
    };
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    let profile = tempfile::tempdir().unwrap();
    let url = app.url("/docs/");
    let output = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // No network but loopback: a CDN asset would fail to load and the page stay blank.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(90), output)
        .await
        .expect("chromium hung")
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("Get all provider configurations"),
        "the rendered page should list the operations; got {} bytes: {}",
        dom.len(),
        &dom[..dom.len().min(2000)]
    );
}
