//! Schemathesis (property-based API testing from PyPI) against the served `/openapi.json`:
//! every operation, generated inputs, no 5xx and every response matching its schema.
//!
//! Needs the `st` command: `.ci/run` installs it into a venv and sets `PATCHBAY_SCHEMATHESIS`.
//! Without it the test says so and passes, except under CI.

#[path = "api/support/mod.rs"]
mod support;

use reqwest::Method;
use serde_json::json;

use support::v1::{create, import, item, v1};
use support::{Backend, TestApp, send};

/// A v1 Twilio provider of `acme` with one imported and one not imported phone number, so the
/// v1 operations answer with real objects, not only 404s: `(provider id, imported number id)`.
/// `n` keeps the numbers of each seeded provider apart (a number is stored once).
async fn seed_twilio_provider(app: &TestApp, n: u8) -> (String, String) {
    let (created, sid, _) = create(app, json!({"name": "Seeded"})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let number = app.twilio.add_incoming_number(&sid, &format!("+1415555{n}100"));
    app.twilio.add_incoming_number(&sid, &format!("+1415555{n}101"));
    let imported = import(app, &id, &[&number]).await;
    assert_eq!(imported["successCount"], json!(1), "{imported}");
    let (_, available) = send(v1(app, Method::GET, &format!("{}/available-numbers", item(&id)))).await;
    let number_id = available["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|n| n["phoneNumberId"].as_str())
        .map(str::to_owned);
    (id, number_id.unwrap_or_else(|| panic!("{available}")))
}

/// A sip configuration of `acme` with a number on a bridge, so the v2 numbers and bridges
/// operations answer with real objects: `(configuration id, number id, bridge slug)`.
async fn seed_bridge(app: &TestApp) -> (i64, i64, String) {
    let config = app.create_sip("sip.seeded.example").await;
    let number = app.add_number(config, "+14155559100").await["id"].as_i64().unwrap();
    app.create_bridge("Seeded", "seeded").await;
    let (status, body) = app.connect("seeded", config, "+14155559100").await;
    assert_eq!(status, 200, "{body}");
    (config, number, "seeded".to_owned())
}

/// A manual SIP credential of `acme` with a number linked to an agent, so the v1 SIP operations
/// answer with real objects: `(credential id, number id)`.
async fn seed_sip(app: &TestApp) -> (String, String) {
    let (status, cred) = send(v1(app, Method::POST, "/api/v1/sip-credentials").json(&json!({
        "server": "sip.seeded.example:5061", "authUser": "seeded", "authPassword": "pw", "transport": "tls"
    })))
    .await;
    assert_eq!(status, 201, "{cred}");
    let (status, number) = send(v1(app, Method::POST, "/api/v1/sip-phone-numbers").json(&json!({
        "phoneNumber": "+14155559200", "credentialsId": cred["id"]
    })))
    .await;
    assert_eq!(status, 201, "{number}");
    let number_id = number["id"].as_str().unwrap().to_owned();
    let link = format!("/api/v1/sip-phone-numbers/{number_id}/agent-link?agentId=seeded-agent");
    let (status, linked) = send(v1(app, Method::PUT, &link)).await;
    assert_eq!(status, 200, "{linked}");
    (cred["id"].as_str().unwrap().to_owned(), number_id)
}

/// Points the v1 operations at seeded providers (one that the deletes may remove, one for the
/// rest), and the v2 numbers and bridges operations at the seeded bridge, number and
/// configuration.
fn config(
    keep: &(String, String),
    deletable: &(String, String),
    bridge: &(i64, i64, String),
    sip: &(String, String),
) -> String {
    let operations = |method_filter: &str, (id, number_id): &(String, String)| -> String {
        format!(
            "[[operations]]\ninclude-tag = \"v1: Twilio providers\"\n{method_filter}\n\
             parameters = {{ \"path.id\" = \"{id}\", \"path.phone_number_id\" = \"{number_id}\" }}\n\n"
        )
    };
    let (config_id, number_id, slug) = bridge;
    let v2 = |path_regex: &str, parameters: String| -> String {
        format!(
            "[[operations]]\ninclude-tag = \"v2: numbers and bridges\"\ninclude-path-regex = \"{path_regex}\"\n\
             parameters = {{ {parameters} }}\n\n"
        )
    };
    operations("exclude-method = \"DELETE\"", keep)
        + &operations("include-method = \"DELETE\"", deletable)
        + &v2("/bridges/", format!("\"path.slug\" = \"{slug}\""))
        + &v2("/numbers/", format!("\"path.id\" = \"{number_id}\""))
        + &v2("/providers-configurations/", format!("\"path.id\" = \"{config_id}\""))
        + &format!(
            "[[operations]]\ninclude-tag = \"v1: SIP\"\ninclude-path-regex = \"/sip-credentials/\"\n\
             parameters = {{ \"path.id\" = \"{}\" }}\n\n\
             [[operations]]\ninclude-tag = \"v1: SIP\"\ninclude-path-regex = \"/sip-phone-numbers/\"\n\
             parameters = {{ \"path.id\" = \"{}\" }}\n\n",
            sip.0, sip.1
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_documented_answers() {
    let Some(st) = std::env::var_os("PATCHBAY_SCHEMATHESIS") else {
        support::skip_without_tool(
            "CI must set PATCHBAY_SCHEMATHESIS (the schemathesis `st` command)",
            "PATCHBAY_SCHEMATHESIS not set: schemathesis run skipped",
        );
        return;
    };
    let app = support::spawn_app(Backend::Sqlite).await.unwrap();
    let keep = seed_twilio_provider(&app, 1).await;
    let deletable = seed_twilio_provider(&app, 2).await;
    let bridge = seed_bridge(&app).await;
    let sip = seed_sip(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("schemathesis.toml");
    std::fs::write(&config_file, config(&keep, &deletable, &bridge, &sip)).unwrap();
    let examples = std::env::var("PATCHBAY_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "40".into());
    let output = tokio::process::Command::new(st)
        .arg("--config-file")
        .arg(&config_file)
        .arg("run")
        .arg(app.url("/openapi.json"))
        .args([
            "-H",
            &format!("Authorization: Token {}", app.admin),
            "-H",
            "Org-Handle: acme",
        ])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        // One worker: hypothesis parses lambdas with `ast`, which is not thread-safe on CPython 3.11.
        .args([
            "--max-examples",
            &examples,
            "--workers",
            "1",
            "--seed",
            "20261124",
            "--request-timeout",
            "10",
        ])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(600), output)
        .await
        .expect("schemathesis hung")
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}
