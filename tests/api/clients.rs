//! The generated clients (`clients/`): the committed ones match the current OpenAPI document,
//! and the seed pages' examples run through each against a live server with typed results
//! (`clients/typescript/test/seed-examples.ts`, `clients/tests/python_seed_examples.py`).
//!
//! Their tools come from `clients/regenerate`'s first run (or `.ci/run`): node_modules under
//! clients/typescript and a venv at `target/clients-venv` (`PATCHBAY_CLIENTS_VENV`). Without
//! them these tests say so and pass, except under CI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::{self, TestApp, both_backends};

fn clients() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("clients")
}

fn venv() -> PathBuf {
    std::env::var_os("PATCHBAY_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv"))
}

fn node_bin(name: &str) -> PathBuf {
    clients().join("typescript/node_modules/.bin").join(name)
}

/// Both generators and runtimes are installed; else the test is skipped (failed under CI).
fn tools_installed() -> bool {
    let present = node_bin("openapi-typescript").is_file()
        && node_bin("tsc").is_file()
        && venv().join("bin/openapi-python-client").is_file();
    if !present {
        support::skip_without_tool(
            "CI must install the client generators: (cd clients/typescript && npm ci) and the venv of clients/regenerate",
            "client generators not installed (run clients/regenerate once): client tests skipped",
        );
    }
    present
}

fn check(output: Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_committed_clients_match_the_document() {
    if !tools_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("openapi.json");
    std::fs::write(&document, patchbay::http::openapi::json().unwrap()).unwrap();
    let output = Command::new(clients().join("regenerate"))
        .arg("--check")
        .arg("--document")
        .arg(&document)
        .env("PATCHBAY_CLIENTS_NO_INSTALL", "1")
        .env("PATCHBAY_CLIENTS_VENV", venv())
        .output()
        .unwrap();
    // The script prints the diff and the command to run when they differ.
    check(output, "clients/regenerate --check");
}

/// The accounts the examples use, at the app's Twilio stand-in, as the scripts' environment.
fn example_env(app: &TestApp) -> Vec<(&'static str, String)> {
    let (sid, token) = support::v1::account(app);
    let (v1_sid, v1_token) = support::v1::account(app);
    vec![
        ("PATCHBAY_URL", app.url("")),
        ("PATCHBAY_TOKEN", app.admin.clone()),
        ("PATCHBAY_ORG", app.org.handle.clone()),
        ("TWILIO_SID", sid),
        ("TWILIO_TOKEN", token),
        ("V1_SID", v1_sid),
        ("V1_TOKEN", v1_token),
    ]
}

/// What every example script prints when all its examples passed.
const PASSED: &str = "seed examples: 4 passed, 0 failed";

/// `tsc` once per test binary (the two backends' tests share `dist/`).
fn compiled_typescript() -> &'static Result<(), String> {
    static COMPILED: OnceLock<Result<(), String>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let output = Command::new(node_bin("tsc"))
            .args(["-p", "."])
            .current_dir(clients().join("typescript"))
            .output()
            .map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("tsc: {}", String::from_utf8_lossy(&output.stdout)))
        }
    })
}

async fn run(program: PathBuf, script: PathBuf, env: Vec<(&'static str, String)>) -> String {
    let output = tokio::process::Command::new(program)
        .arg(&script)
        .envs(env)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), output)
        .await
        .expect("the example script hung")
        .unwrap();
    check(output, &script.display().to_string())
}

both_backends! {
    async fn seed_examples_through_the_typescript_client(app) {
        if !tools_installed() {
            return;
        }
        if let Err(e) = compiled_typescript() {
            panic!("the TypeScript client or its examples do not type-check against the document: {e}");
        }
        let script = clients().join("typescript/dist/test/seed-examples.js");
        let out = run("node".into(), script, example_env(&app)).await;
        assert!(out.contains("Provider created with ID: "), "{out}");
        assert!(out.contains("updated: Support line (ie1)"), "{out}");
        assert!(out.contains(PASSED), "{out}");
    }

    async fn seed_examples_through_the_python_client(app) {
        if !tools_installed() {
            return;
        }
        let script = clients().join("tests/python_seed_examples.py");
        let out = run(venv().join("bin/python"), script, example_env(&app)).await;
        assert!(out.contains("Provider created with ID: "), "{out}");
        assert!(out.contains("updated: Support line (ie1)"), "{out}");
        assert!(out.contains(PASSED), "{out}");
    }
}
