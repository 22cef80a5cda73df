//! Schemathesis (property-based API testing from PyPI) against the served `/openapi.json`:
//! every operation, every phase (examples, coverage, fuzzing, and stateful sequences that follow
//! the document's links from each create to the operations using its id), every check
//! (including positive and negative data acceptance), no 5xx and every response matching its
//! schema.
//!
//! Needs the `st` command: `.ci/run` installs it into a venv and sets `PATCHBAY_SCHEMATHESIS`.
//! Without it the test says so and passes, except under CI.

#[path = "api/support/mod.rs"]
mod support;

use reqwest::Method;
use serde_json::json;
use standin::simple::{self, Carrier};

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
/// lists answer with real objects (the stateful phase carries created ids into the rest).
async fn seed_bridge(app: &TestApp, run: u8) {
    let config = app.create_sip(&format!("sip{run}.seeded.example")).await;
    let e164 = format!("+1415555910{run}");
    app.add_number(config, &e164).await;
    let slug = format!("seeded-{run}");
    app.create_bridge("Seeded", &slug).await;
    let (status, body) = app.connect(&slug, config, &e164).await;
    assert_eq!(status, 200, "{body}");
}

/// A manual SIP credential of `acme` with a number linked to an agent, so the v1 SIP lists
/// answer with real objects; `run` keeps each run's apart.
async fn seed_sip(app: &TestApp, run: u8) {
    let (status, cred) = send(v1(app, Method::POST, "/api/v1/sip-credentials").json(&json!({
        "server": format!("sip{run}.seeded.example:5061"), "authUser": format!("seeded{run}"), "authPassword": "pw", "transport": "tls"
    })))
    .await;
    assert_eq!(status, 201, "{cred}");
    let (status, number) = send(v1(app, Method::POST, "/api/v1/sip-phone-numbers").json(&json!({
        "phoneNumber": format!("+1415555920{run}"), "credentialsId": cred["id"]
    })))
    .await;
    assert_eq!(status, 201, "{number}");
    let number_id = number["id"].as_str().unwrap().to_owned();
    let link = format!("/api/v1/sip-phone-numbers/{number_id}/agent-link?agentId=seeded-agent");
    let (status, linked) = send(v1(app, Method::PUT, &link)).await;
    assert_eq!(status, 200, "{linked}");
}

/// What a schema cannot say, so a schema-valid request may still be refused for it (every other
/// check, and this one for every other status, stays on):
/// - 412 anywhere: an `If-Match` must name the current version, which Schemathesis cannot know;
/// - 400 where the carrier judges the credentials (v1 create and token rotation against the
///   Twilio stand-in, which knows only the seeded accounts) or the provider decides the
///   account's format (v2 create and patch: one `account_sid` field for seven carriers);
/// - 400 where a number's rules depend on stored state the pages answer 400 for: the
///   configuration named is not the organization's or not of a kind that lists/takes numbers,
///   the number is not that configuration's, or not on that bridge, a SIP number's
///   `credentialsId` is not a manual credential of the organization, a SIP credential that a
///   provider integration provisioned is changed or deleted (read-only through this API);
/// - 400 on a SIP credential's `server`/`domain` that a pattern can only approximate (IPv6
///   literals, IPv4 octets, label lengths, port ranges: the domain parser judges; every other
///   field of those bodies states its rule in the schema);
/// - 400 on a webhook URL (create and patch): whether its host may be used is the SSRF rule's,
///   judged with DNS when it is saved (a name resolving to a private address is refused);
/// - and an invalid body past the 64 KiB limit is refused as too large (413) before it is read.
const ACCEPTANCE: &str = r#"
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]

[[operations]]
include-name = [
    "POST /api/v1/providers/twilio",
    "PATCH /api/v1/providers/twilio/{id}/auth-token",
    "POST /api/v2/platform/telephony/providers-configurations/",
    "PATCH /api/v2/platform/telephony/providers-configurations/{id}/",
]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429", "5xx"]

[[operations]]
include-name = [
    "POST /api/v2/platform/telephony/bridges/{slug}/connect-provider/",
    "POST /api/v2/platform/telephony/bridges/{slug}/disconnect-provider/",
    "POST /api/v2/platform/telephony/numbers/",
    "GET /api/v2/platform/telephony/providers-configurations/{id}/available-numbers/",
    "POST /api/v2/platform/telephony/providers-configurations/{id}/import-numbers/",
    "POST /api/v1/sip-phone-numbers",
    "POST /api/v1/sip-credentials",
    "PATCH /api/v1/sip-credentials/{id}",
    "DELETE /api/v1/sip-credentials/{id}",
    "POST /api/v2/platform/webhooks/",
    "PATCH /api/v2/platform/webhooks/{id}/",
]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429", "5xx"]

"#;

/// Points the v1 Twilio operations at seeded providers: one that the deletes may remove, one for
/// the rest. The v2 ids are not pinned: a pinned id would stand in for the ids the stateful phase
/// carries from a create, and for the invalid ones the negative phase generates. The includes
/// of one `[[operations]]` block are alternatives (any of them selects), so the deletes are
/// named one by one: `include-method = "DELETE"` pinned every delete of the API to a Twilio id.
fn config(keep: &(String, String), deletable: &(String, String)) -> String {
    let operations = |filter: &str, (id, number_id): &(String, String)| -> String {
        format!(
            "[[operations]]\n{filter}\n\
             parameters = {{ \"path.id\" = \"{id}\", \"path.phone_number_id\" = \"{number_id}\" }}\n\n"
        )
    };
    let deletes = TWILIO_DELETES.map(|name| format!("\"{name}\"")).join(", ");
    ACCEPTANCE.to_owned()
        + &operations(
            "include-tag = \"v1: Twilio providers\"\nexclude-method = \"DELETE\"",
            keep,
        )
        + &operations(&format!("include-name = [{deletes}]"), deletable)
}

/// The deletes of the Twilio providers' tag, the operations the deletable provider is for.
const TWILIO_DELETES: [&str; 3] = [
    "DELETE /api/v1/providers/twilio/{id}",
    "DELETE /api/v1/providers/twilio/{id}/phone-numbers/{phone_number_id}",
    "DELETE /api/v1/providers/{id}",
];

/// The paths of a run's requests (from its VCR cassette) that carried `id` in the path itself
/// (a query may carry any captured value honestly, e.g. the audit trail's `resource_id`).
fn paths_with(cassette: &str, id: &str) -> Vec<String> {
    cassette
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("uri: '"))
        .filter_map(|uri| {
            uri.find("/api/")
                .map(|at| uri[at..].split(['?', '\'']).next().unwrap_or_default())
        })
        .filter(|path| path.contains(id))
        .map(str::to_owned)
        .collect()
}

/// The run's seed: `PATCHBAY_SCHEMATHESIS_SEED` to replay a failure, else a fresh one, printed
/// (past the harness's capture) either way.
fn seed() -> u64 {
    let seed = match std::env::var("PATCHBAY_SCHEMATHESIS_SEED") {
        Ok(s) => s.parse().expect("PATCHBAY_SCHEMATHESIS_SEED must be an integer"),
        Err(_) => rand::random_range(0..1u64 << 53),
    };
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "schemathesis: PATCHBAY_SCHEMATHESIS_SEED={seed}");
    seed
}

/// Every check Schemathesis has, on each backend, as an admin and as a viewer. The two backends
/// run side by side (each run is one single-threaded Schemathesis process: two cores, half the
/// wall time); their findings are reported together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_documented_answers() {
    let Some(st) = std::env::var_os("PATCHBAY_SCHEMATHESIS") else {
        support::skip_without_tool(
            "CI must set PATCHBAY_SCHEMATHESIS (the schemathesis `st` command)",
            "PATCHBAY_SCHEMATHESIS not set: schemathesis run skipped",
        );
        return;
    };
    let seed = seed();
    let (sqlite, postgres) = tokio::join!(
        on_backend(&st, seed, Backend::Sqlite),
        on_backend(&st, seed, Backend::Postgres)
    );
    let problems: Vec<String> = [sqlite, postgres].into_iter().filter_map(Result::err).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The admin and viewer runs on one backend; `Err` with the report of the first that failed.
async fn on_backend(st: &std::ffi::OsStr, seed: u64, backend: Backend) -> Result<(), String> {
    // Every carrier at a stand-in: the stateful phase creates configurations of any provider
    // (unverified) and lists their numbers; a closed port would answer 503 "unreachable".
    let mut standins = Vec::new();
    for carrier in [
        Carrier::Plivo,
        Carrier::Telnyx,
        Carrier::Vonage,
        Carrier::Exotel,
        Carrier::SignalWire,
    ] {
        standins.push((carrier, simple::start(carrier).await.unwrap()));
    }
    let app = support::spawn_app_configured(backend, support::test_http_settings(), |s| {
        for (carrier, standin) in &standins {
            support::carriers::point_at(s, *carrier, standin.url());
        }
    })
    .await;
    let Some(app) = app else {
        return Ok(());
    };
    let mut run = 0;
    for role in ["admin", "viewer"] {
        let token = if role == "admin" { &app.admin } else { &app.viewer };
        run += 1;
        if let Err(report) = run_schemathesis(st, &app, token, seed, run).await {
            app.stop().await;
            return Err(format!(
                "schemathesis ({backend:?}, {role}, PATCHBAY_SCHEMATHESIS_SEED={seed}) found problems:\n{report}"
            ));
        }
    }
    app.stop().await;
    Ok(())
}

/// One run of every check with `token` for `acme`; `Err` with the report when one fails.
/// `run` keeps each run's seeded numbers and slugs apart (a number is stored once).
async fn run_schemathesis(st: &std::ffi::OsStr, app: &TestApp, token: &str, seed: u64, run: u8) -> Result<(), String> {
    let keep = seed_twilio_provider(app, 2 * run - 1).await;
    let deletable = seed_twilio_provider(app, 2 * run).await;
    seed_bridge(app, run).await;
    seed_sip(app, run).await;
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("schemathesis.toml");
    std::fs::write(&config_file, config(&keep, &deletable)).unwrap();
    let examples = std::env::var("PATCHBAY_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "40".into());
    let output = tokio::process::Command::new(st)
        .arg("--config-file")
        .arg(&config_file)
        .arg("run")
        .arg(app.url("/openapi.json"))
        .args(["-H", &format!("Authorization: Token {token}"), "-H", "Org-Handle: acme"])
        .args(["--checks", "all"])
        // The stateful phase follows links from creates, which a viewer is refused (403): it
        // runs as the admin, every other phase as both.
        .args([
            "--phases",
            if token == app.admin {
                "examples,coverage,fuzzing,stateful"
            } else {
                "examples,coverage,fuzzing"
            },
        ])
        // One worker: hypothesis parses lambdas with `ast`, which is not thread-safe on CPython 3.11.
        .args(["--max-examples", &examples, "--workers", "1", "--request-timeout", "10"])
        .args(["--seed", &seed.to_string()])
        .args(["--report", "vcr", "--report-vcr-path"])
        .arg(dir.path().join("cassette.yaml"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(600), output)
        .await
        .expect("schemathesis hung")
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    // The pinned ids reach only the operations they were pinned for: a filter that selects more
    // hands a Twilio id to every other operation's `{id}`, whose real ids are then never tested.
    // (v1 SIP credentials share their provider's id, so a v1 path may carry it honestly.)
    let cassette = std::fs::read_to_string(dir.path().join("cassette.yaml")).unwrap_or_default();
    assert!(!cassette.is_empty(), "schemathesis wrote no cassette:\n{report}");
    for id in [&keep.0, &deletable.0] {
        let strays: Vec<_> = paths_with(&cassette, id)
            .into_iter()
            .filter(|path| path.starts_with("/api/v2/"))
            .collect();
        assert!(
            strays.is_empty(),
            "the pinned provider id {id} reached other operations: {strays:?}"
        );
    }
    if output.status.success() && report.contains("passed") {
        // The phases, links and counts of a passing run, past the harness's capture.
        if let Some(summary) = report.find("Examples (in").or_else(|| report.find("=== SUMMARY")) {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "schemathesis run {run}:\n{}", &report[summary..]);
        }
        Ok(())
    } else {
        Err(format!("{report}\n{}", String::from_utf8_lossy(&output.stderr)))
    }
}

/// The stray check looks at paths only: an id in a query is a captured value used honestly.
#[test]
fn only_paths_count_as_carrying_a_pinned_id() {
    let cassette = "    uri: 'http://127.0.0.1:1/api/v2/platform/webhooks/abc-1/'\n\
                    \x20   uri: 'http://127.0.0.1:1/api/v2/platform/audit-events/?resource_id=abc-1'\n\
                    \x20   uri: 'http://127.0.0.1:1/api/v1/providers/abc-1'\n";
    assert_eq!(
        paths_with(cassette, "abc-1"),
        ["/api/v2/platform/webhooks/abc-1/", "/api/v1/providers/abc-1"]
    );
}
