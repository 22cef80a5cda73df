//! The numbers and bridges pages' own Node.js (axios) examples, run unchanged but for host,
//! token and organization handle, in the pages' order: create, list, get, update, connect,
//! numbers, disconnect, delete. The pages are in `tests/pages/unpod-telephony/`; axios comes
//! from the npm registry into the target directory, once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, TestApp, both_backends, bridge_path, send};
use reqwest::Method;

const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pages/unpod-telephony");

/// Each page with a line its example prints when it worked.
const RUN: [(&str, &[&str]); 8] = [
    ("create-bridge", &["Bridge created: sales-bridge-001 (ID: "]),
    (
        "get-all-bridges",
        &["Total bridges: 1", "Sales Bridge (sales-bridge-001) - Numbers: 0"],
    ),
    (
        "get-bridge-by-slug",
        &["Bridge: Sales Bridge (sales-bridge-001)", "Assigned numbers: 0"],
    ),
    ("update-bridge", &["Bridge updated: Sales Bridge — Updated"]),
    (
        "connect-provider-to-bridge",
        &[
            "Provider connected to bridge: sales-bridge-001",
            "Phone number assigned: +1234567890",
        ],
    ),
    (
        "numbers",
        &[
            "Total numbers: 1",
            "+1234567890 (sip) - active - assigned to sales-bridge-001",
        ],
    ),
    (
        "disconnect-provider-from-bridge",
        &["Provider disconnected from bridge: sales-bridge-001"],
    ),
    ("delete-bridge", &["Bridge 'sales-bridge-001' deleted successfully"]),
];

/// The page's `javascript Node.js` code block, as written.
fn node_example(page: &str) -> String {
    let text = std::fs::read_to_string(format!("{PAGES}/{page}.mdx")).unwrap();
    let start = text.find("```javascript Node.js\n").expect("a Node.js example") + "```javascript Node.js\n".len();
    let len = text[start..].find("```").unwrap();
    text[start..start + len].to_owned()
}

/// A directory with axios installed (once per target directory), or `None` when node/npm or
/// the registry is not available.
fn axios_dir() -> Option<PathBuf> {
    static INSTALL: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);
    let mut installed = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = installed.as_ref() {
        return Some(dir.clone());
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pages-axios");
    if !dir.join("node_modules/axios/package.json").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("package.json"), r#"{"name": "pages-axios", "private": true}"#).unwrap();
        let npm = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "axios@1"])
            .current_dir(&dir)
            .output();
        match npm {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                support::skip_without_tool(
                    &format!(
                        "CI must be able to install axios: {}",
                        String::from_utf8_lossy(&out.stderr)
                    ),
                    "npm could not install axios: the pages' axios examples were not run",
                );
                return None;
            }
            Err(_) => {
                support::skip_without_tool(
                    "CI must install node and npm for the pages' axios examples",
                    "npm not installed: the pages' axios examples were not run",
                );
                return None;
            }
        }
    }
    *installed = Some(dir.clone());
    Some(dir)
}

/// Runs one page's example against `app` as acme's admin; returns what it printed.
fn run_example(app: &TestApp, dir: &Path, page: &str) -> String {
    let script = node_example(page)
        .replace("https://unpod.ai", &app.url(""))
        .replace("your-api-token", &app.admin)
        .replace("your-org-handle", "acme");
    let file = dir.join(format!("{page}-{:?}-{}.js", app.backend, app.addr.port()));
    std::fs::write(&file, script).unwrap();
    let out = Command::new("node")
        .arg(&file)
        .current_dir(dir)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{page}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

both_backends! {
    async fn the_pages_axios_examples_run_unchanged(app) {
        let Some(dir) = tokio::task::spawn_blocking(axios_dir).await.unwrap() else { return };
        // The connect example uses provider configuration 42 and +1234567890: make them exist.
        let mut id = 0;
        for i in 0..42 {
            id = app.create_sip(&format!("h{i}.example.com")).await;
            if id == 42 { break; }
        }
        assert_eq!(id, 42, "fresh databases number configurations from 1");
        app.add_number(42, "+1234567890").await;

        for (page, expected) in RUN {
            let app_ref = &app;
            let out = tokio::task::block_in_place(|| run_example(app_ref, &dir, page));
            for line in expected {
                assert!(out.contains(line), "{page} printed {out:?}, not {line:?}");
            }
        }
        let (status, _) = send(app.admin(Method::GET, &bridge_path("sales-bridge-001"))).await;
        assert_eq!(status, 404, "the delete example deleted it");
    }
}
