//! The numbers and bridges pages' own examples (Node.js with axios, Python with requests,
//! cURL), run unchanged but for host, token and organization handle, in the pages' order:
//! create, list, get, update, connect, numbers, disconnect, delete. The pages are in
//! `tests/pages/unpod-telephony/`; axios comes from the npm registry into the target
//! directory, once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, TestApp, both_backends, bridge_path, send};
use reqwest::Method;

const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pages/unpod-telephony");

/// Each page with the lines its Node.js and Python examples print when they worked (the two
/// print the same), and the message its cURL example's answer carries.
const RUN: [(&str, &[&str], &str); 8] = [
    (
        "create-bridge",
        &["Bridge created: sales-bridge-001 (ID: "],
        "Bridge created successfully.",
    ),
    (
        "get-all-bridges",
        &["Total bridges: 1", "Sales Bridge (sales-bridge-001) - Numbers: 0"],
        "Bridges fetched successfully.",
    ),
    (
        "get-bridge-by-slug",
        &["Bridge: Sales Bridge (sales-bridge-001)", "Assigned numbers: 0"],
        "Bridge fetched successfully.",
    ),
    (
        "update-bridge",
        &["Bridge updated: Sales Bridge — Updated"],
        "Bridge updated successfully.",
    ),
    (
        "connect-provider-to-bridge",
        &[
            "Provider connected to bridge: sales-bridge-001",
            "Phone number assigned: +1234567890",
        ],
        "Provider connected to bridge successfully.",
    ),
    (
        "numbers",
        &[
            "Total numbers: 1",
            "+1234567890 (sip) - active - assigned to sales-bridge-001",
        ],
        "Numbers fetched successfully.",
    ),
    (
        "disconnect-provider-from-bridge",
        &["Provider disconnected from bridge: sales-bridge-001"],
        "Provider disconnected from bridge successfully.",
    ),
    // 204: the cURL example prints nothing; the bridge is gone (checked after the run).
    ("delete-bridge", &["Bridge 'sales-bridge-001' deleted successfully"], ""),
];

/// A language's code block in the pages, the command that runs it, and its file suffix.
#[derive(Clone, Copy, Debug)]
enum Language {
    Node,
    Python,
    Curl,
}

impl Language {
    fn fence(self) -> &'static str {
        match self {
            Language::Node => "```javascript Node.js\n",
            Language::Python => "```python Python\n",
            Language::Curl => "```bash cURL\n",
        }
    }

    fn command(self) -> (&'static str, &'static str) {
        match self {
            Language::Node => ("node", "js"),
            Language::Python => ("python3", "py"),
            Language::Curl => ("bash", "sh"),
        }
    }
}

/// The page's code block in `language`, as written.
fn example(page: &str, language: Language) -> String {
    let text = std::fs::read_to_string(format!("{PAGES}/{page}.mdx")).unwrap();
    let fence = language.fence();
    let start = text
        .find(fence)
        .unwrap_or_else(|| panic!("{page}: no {language:?} example"))
        + fence.len();
    let len = text[start..].find("```").unwrap();
    text[start..start + len].to_owned()
}

/// Whether `python3` can `import requests` (the Python examples' one dependency).
fn python_with_requests() -> bool {
    Command::new("python3")
        .args(["-c", "import requests"])
        .output()
        .is_ok_and(|o| o.status.success())
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
fn run_example(app: &TestApp, dir: &Path, page: &str, language: Language) -> String {
    let script = example(page, language)
        .replace("https://unpod.ai", &app.url(""))
        .replace("your-api-token", &app.admin)
        .replace("your-org-handle", "acme");
    let (program, suffix) = language.command();
    let file = dir.join(format!("{page}-{:?}-{}.{suffix}", app.backend, app.addr.port()));
    std::fs::write(&file, script).unwrap();
    let out = Command::new(program)
        .arg(&file)
        .current_dir(dir)
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{page}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs every page's example in `language`, in the pages' order, and checks what each did.
async fn run_all(app: &TestApp, dir: &Path, language: Language) {
    for (page, printed, message) in RUN {
        let out = tokio::task::block_in_place(|| run_example(app, dir, page, language));
        let expected: Vec<&str> = match language {
            Language::Curl => vec![message],
            _ => printed.to_vec(),
        };
        for line in expected {
            assert!(out.contains(line), "{language:?} {page} printed {out:?}, not {line:?}");
        }
    }
    let (status, _) = send(app.admin(Method::GET, &bridge_path("sales-bridge-001"))).await;
    assert_eq!(status, 404, "the {language:?} delete example deleted it");
}

both_backends! {
    async fn the_pages_examples_run_unchanged(app) {
        // Python and cURL need nothing installed here; axios comes from the npm registry.
        let scratch = tempfile::tempdir().unwrap();
        let axios = tokio::task::spawn_blocking(axios_dir).await.unwrap();
        // The connect example uses provider configuration 42 and +1234567890: make them exist.
        let mut id = 0;
        for i in 0..42 {
            id = app.create_sip(&format!("h{i}.example.com")).await;
            if id == 42 { break; }
        }
        assert_eq!(id, 42, "fresh databases number configurations from 1");
        app.add_number(42, "+1234567890").await;

        // Each language runs the whole sequence; each ends with the bridge deleted.
        if let Some(dir) = &axios {
            run_all(&app, dir, Language::Node).await;
        }
        if python_with_requests() {
            run_all(&app, scratch.path(), Language::Python).await;
        } else {
            support::skip_without_tool(
                "CI must have python3 with requests for the pages' Python examples",
                "python3 with requests not found: the pages' Python examples were not run",
            );
        }
        run_all(&app, scratch.path(), Language::Curl).await;
    }
}
