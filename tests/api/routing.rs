//! Call routing on every backend: service tokens (scoped, revoked, expired), the inbound and
//! outbound look-ups, every refusal, the secret reaching service tokens only (no-store, not in
//! the idempotency store, in the audit trail as a release), CPS limits, and the caches' bounds
//! (read-your-writes, another writer's change within a second).

use std::time::{Duration, Instant};

use crate::support::process::{LoggedServer, ServerProcess, patchbay_command, run, run_json};
use crate::support::v1::{v1, v1_as};
use crate::support::{BRIDGES, NUMBERS, TEST_KEY, TestApp, both_backends, send};
use patchbay::domain::verification::VerificationStatus;
use patchbay::storage::{ConfigurationKey, VerificationRecord};
use reqwest::Method;
use serde_json::{Value, json};

const INBOUND: &str = "/api/v2/platform/telephony/routes/inbound/";
const OUTBOUND: &str = "/api/v2/platform/telephony/routes/outbound/";
const PASSWORD: &str = "pw-routing-canary-7f3a";

/// A request with `token` and no Org-Handle, as an SBC sends it.
fn routed(app: &TestApp, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.bare(method, path)
        .header("Authorization", format!("Bearer {token}"))
}

async fn inbound(app: &TestApp, token: &str, to: &str) -> (u16, Value) {
    send(routed(app, token, Method::GET, INBOUND).query(&[("to", to)])).await
}

async fn outbound(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    send(routed(app, token, Method::POST, OUTBOUND).json(&body)).await
}

async fn service_token(app: &TestApp) -> (i64, String) {
    let (grant, token) = app.app.create_service_token(None, Some("sbc"), None).await.unwrap();
    (grant.token.id, token.expose().to_owned())
}

/// A SIP credential of acme (v1, with its CPS settings) and its v2 configuration id.
async fn sip_credential(app: &TestApp, user: &str, cps: Value) -> (String, i64) {
    let mut body = json!({"server": "sip.carrier.example:5061", "transport": "tls", "domain": "carrier.example",
        "authUser": user, "authPassword": PASSWORD});
    body.as_object_mut().unwrap().extend(cps.as_object().unwrap().clone());
    let (status, created) = send(v1(app, Method::POST, "/api/v1/sip-credentials").json(&body)).await;
    assert_eq!(status, 201, "{created}");
    let uuid = created["id"].as_str().unwrap().to_owned();
    let (_, list) = send(app.admin(
        Method::GET,
        "/api/v2/platform/telephony/providers-configurations/?provider=sip",
    ))
    .await;
    let id = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["account_sid"] == user)
        .unwrap_or_else(|| panic!("{list}"))["id"]
        .as_i64()
        .unwrap();
    (uuid, id)
}

async fn add_number(app: &TestApp, config: i64, number: &str) -> i64 {
    let (status, body) = send(
        app.admin(Method::POST, NUMBERS)
            .json(&json!({"provider_config_id": config, "number": number})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["data"]["id"].as_i64().unwrap()
}

async fn bridge_with(app: &TestApp, slug: &str, config: i64, number: Option<&str>) {
    let (status, body) = send(
        app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": slug, "slug": slug})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    if let Some(number) = number {
        let (status, body) = send(
            app.admin(Method::POST, &format!("{BRIDGES}{slug}/connect-provider/"))
                .json(&json!({"provider_config_id": config, "phone_number": number})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// A routable number: a SIP credential (v1 uuid, v2 id), the number, a bridge it is on.
async fn routable(app: &TestApp, user: &str, number: &str, slug: &str, cps: Value) -> (String, i64) {
    let (uuid, config) = sip_credential(app, user, cps).await;
    add_number(app, config, number).await;
    bridge_with(app, slug, config, Some(number)).await;
    (uuid, config)
}

/// Polls `check` until it holds, for at most `bound`: how the caches' bounds are proven.
async fn within(bound: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    loop {
        if check().await {
            return;
        }
        assert!(start.elapsed() < bound, "{what}: not within {bound:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `patchbay` on the test app's database, as an operator runs it from another process.
fn cli(database_url: &str) -> std::process::Command {
    let mut cmd = patchbay_command();
    cmd.env("PATCHBAY_MASTER_KEY", TEST_KEY)
        .args(["--database-url", database_url]);
    cmd
}

/// Waits for the window of a CPS limit to open, so that a short burst falls in one window.
async fn at_window_start() {
    let ms = u64::from(chrono::Utc::now().timestamp_subsec_millis());
    tokio::time::sleep(Duration::from_millis(1000 - ms + 20)).await;
}

both_backends! {
    async fn a_service_token_gets_inbound_and_outbound_routes(app) {
        let (_, config) = routable(&app, "trunk-a", "+14155550100", "sales", json!({})).await;
        let (token_id, token) = service_token(&app).await;

        let (status, body) = inbound(&app, &token, "+14155550100").await;
        assert_eq!(status, 200, "{body}");
        let data = &body["data"];
        assert_eq!((data["organization"]["handle"].as_str(), data["organization"]["id"].as_i64()),
            (Some("acme"), Some(app.org.id)));
        assert_eq!((data["bridge"]["slug"].as_str(), data["bridge"]["state"].as_str()), (Some("sales"), Some("ACTIVE")));
        assert_eq!((data["carrier"].as_str(), data["provider_config_id"].as_i64()), (Some("sip"), Some(config)));
        assert_eq!(data["number"], "+14155550100");
        assert!(data["number_id"].as_i64().is_some());
        assert!(!body.to_string().contains(PASSWORD), "inbound carries no secret: {body}");
        assert_eq!(data["from"], Value::Null);
        // The answer is kept with the cached route, but `from` is this call's own: echoed when
        // sent (and only then), whichever came first.
        for from in [Some("+4930123456"), None, Some("+4930999999")] {
            let mut query = vec![("to", "+14155550100")];
            query.extend(from.map(|f| ("from", f)));
            let (status, again) = send(routed(&app, &token, Method::GET, INBOUND).query(&query)).await;
            assert_eq!(status, 200, "{again}");
            assert_eq!(again["data"]["from"].as_str(), from, "{again}");
            assert_eq!(again["data"]["number_id"], data["number_id"]);
        }

        // From a number: the trunk with its password, not to be stored by anyone.
        let response = routed(&app, &token, Method::POST, OUTBOUND)
            .json(&json!({"from": "+14155550100", "to": "+14155550123"})).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.unwrap();
        let data = &body["data"];
        assert_eq!(data["auth_password"], PASSWORD);
        assert_eq!((data["auth_user"].as_str(), data["server"].as_str(), data["transport"].as_str()),
            (Some("trunk-a"), Some("sip.carrier.example:5061"), Some("tls")));
        assert_eq!(data["termination_uri"], "sip:sip.carrier.example:5061;transport=tls");
        assert_eq!((data["domain"].as_str(), data["caller_id"].as_str(), data["to"].as_str()),
            (Some("carrier.example"), Some("+14155550100"), Some("+14155550123")));

        // From a bridge named with its organization: its first number is the caller id.
        let (status, body) = outbound(&app, &token, json!({"organization": "acme", "bridge": "sales", "to": "+14155550124"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["data"]["caller_id"].as_str(), body["data"]["auth_password"].as_str()),
            (Some("+14155550100"), Some(PASSWORD)));

        // Every release is in the organization's audit trail, without the secret: one event per
        // credential and token per ledger batch, one `call:` entry per release.
        app.app.routing.flush().await;
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_type=configuration")).await;
        let releases: Vec<&Value> = audit["data"].as_array().unwrap().iter()
            .filter(|e| e["action"] == "route.secret_released").collect();
        let actor = format!("service_token:{token_id}");
        let mut calls = Vec::new();
        for e in &releases {
            assert_eq!((e["actor"].as_str(), e["resource_id"].as_str()), (Some(actor.as_str()), Some(config.to_string().as_str())), "{e}");
            let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            let entries: Vec<&str> = fields.iter().copied().filter(|f| f.starts_with("call:")).collect();
            assert_eq!(&fields[..2], ["auth_password", &format!("calls:{}", entries.len())], "{e}");
            calls.extend(entries);
        }
        // Oldest first: the list is newest first, and entries keep their order within an event.
        calls.sort_by_key(|c| c.split(";at=").nth(1).map(str::to_owned));
        assert_eq!(calls.len(), 2, "{audit}");
        assert!(calls[0].starts_with("call:to=+14155550123;from=+14155550100;at=20"), "{calls:?}");
        assert!(calls[1].starts_with("call:to=+14155550124;from=+14155550100;bridge=sales;at=20"), "{calls:?}");
        assert!(calls.iter().all(|c| c.contains(";request=")), "each call names its request: {calls:?}");
        assert!(!audit.to_string().contains(PASSWORD));
        // The other organization sees none of it.
        let (_, theirs) = send(app.as_(&app.other_admin, "globex", Method::GET, "/api/v2/platform/audit-events/")).await;
        assert!(!theirs.to_string().contains("route.secret_released"), "{theirs}");
    }

    async fn only_service_tokens_route_and_service_tokens_do_nothing_else(app) {
        routable(&app, "trunk-b", "+14155550200", "b", json!({})).await;
        let (_, token) = service_token(&app).await;
        for org_token in [&app.admin, &app.viewer] {
            let (status, body) = inbound(&app, org_token, "+14155550200").await;
            assert_eq!((status, body["message"].as_str()), (403, Some("Only service tokens may call the routing endpoints.")));
            let (status, body) = outbound(&app, org_token, json!({"from": "+14155550200", "to": "+14155550123"})).await;
            assert_eq!(status, 403, "{body}");
            assert!(!body.to_string().contains(PASSWORD));
        }
        let (status, _) = send(app.bare(Method::GET, INBOUND).query(&[("to", "+14155550200")])).await;
        assert_eq!(status, 401);
        let forged = format!("pbs_{}", "A".repeat(43));
        assert_eq!(inbound(&app, &forged, "+14155550200").await.0, 401);
        assert_eq!(outbound(&app, "pbs_short", json!({"from": "+14155550200", "to": "+1"})).await.0, 401);

        // A service token anywhere else: 403, with or without an Org-Handle.
        for path in ["/api/v2/platform/telephony/providers-configurations/", "/api/v2/platform/organizations/"] {
            let (status, body) = send(app.as_(&token, "acme", Method::GET, path)).await;
            assert_eq!((status, body["message"].as_str()), (403, Some("Service tokens may only call the routing endpoints.")), "{path}");
        }
        let (status, _) = send(v1_as(&app, &token, Method::GET, "/api/v1/sip-credentials")).await;
        assert_eq!(status, 403);
    }

    async fn unknown_numbers_and_unroutable_ones_are_refused_with_their_reason(app) {
        let (_, config) = routable(&app, "trunk-c", "+14155550300", "c", json!({})).await;
        let (_, token) = service_token(&app).await;

        let (status, body) = inbound(&app, &token, "+14155559999").await;
        assert_eq!((status, body["message"].as_str()), (404, Some("No route: the number is unknown.")));
        assert_eq!(outbound(&app, &token, json!({"from": "+14155559999", "to": "+14155550123"})).await.0, 404);
        assert_eq!(outbound(&app, &token, json!({"organization": "acme", "bridge": "nope", "to": "+14155550123"})).await.0, 404);
        assert_eq!(outbound(&app, &token, json!({"organization": "nope", "bridge": "c", "to": "+14155550123"})).await.0, 404);

        // On no bridge: inactive.
        add_number(&app, config, "+14155550301").await;
        let (status, body) = inbound(&app, &token, "+14155550301").await;
        assert_eq!((status, body["errors"]["reason"][0].as_str()), (409, Some("number_inactive")), "{body}");
        let (status, body) = outbound(&app, &token, json!({"from": "+14155550301", "to": "+14155550123"})).await;
        assert_eq!((status, body["errors"]["reason"][0].as_str()), (409, Some("number_inactive")), "{body}");
        assert!(!body.to_string().contains(PASSWORD));

        // A draft bridge places nothing.
        bridge_with(&app, "draft", config, None).await;
        let (status, body) = outbound(&app, &token, json!({"organization": "acme", "bridge": "draft", "to": "+14155550123"})).await;
        assert_eq!((status, body["errors"]["reason"][0].as_str()), (409, Some("draft_bridge")), "{body}");

        // Bad input: 400 naming the field.
        for (body, field) in [
            (json!({"from": "+14155550300"}), "to"),
            (json!({"from": "14155550300", "to": "+14155550123"}), "from"),
            (json!({"to": "+14155550123"}), "from"),
            (json!({"from": "+14155550300", "bridge": "c", "organization": "acme", "to": "+14155550123"}), "from"),
            (json!({"bridge": "c", "to": "+14155550123"}), "organization"),
            (json!({"from": "+14155550300", "to": "+14155550123", "colour": "red"}), "colour"),
        ] {
            let (status, answer) = outbound(&app, &token, body.clone()).await;
            assert_eq!(status, 400, "{body} -> {answer}");
            assert!(answer["errors"][field].is_array(), "{body} -> {answer}");
        }
        let (status, answer) = send(routed(&app, &token, Method::GET, INBOUND)).await;
        assert_eq!((status, answer["errors"]["to"].is_array()), (400, true), "{answer}");

        // A configuration that failed verification: refused within a second (another writer:
        // the store directly, as the background verifier writes).
        let org = app.org.clone();
        let row = app.app.store.get_configuration(org.id, ConfigurationKey::Id(config)).await.unwrap().unwrap();
        let failed = VerificationRecord { status: VerificationStatus::Failed, details: None, last_verified_at: None, next_at: None };
        assert!(app.app.store.record_verification(row.id, row.version, &failed, None).await.unwrap());
        within(Duration::from_secs(1), "a failed configuration refused", async || {
            inbound(&app, &token, "+14155550300").await.1["errors"]["reason"][0] == "configuration_failed"
        }).await;
        let (status, body) = outbound(&app, &token, json!({"from": "+14155550300", "to": "+14155550123"})).await;
        assert_eq!((status, body["errors"]["reason"][0].as_str()), (409, Some("configuration_failed")), "{body}");
    }

    async fn scoped_revoked_and_expired_service_tokens(app) {
        routable(&app, "trunk-d", "+14155550400", "d", json!({})).await;
        let globex = app.other_org.clone();
        let (_, scoped) = app.app.create_service_token(Some(std::slice::from_ref(&globex)), None, None).await.unwrap();
        // Another organization's number is unknown to a token scoped elsewhere.
        assert_eq!(inbound(&app, scoped.expose(), "+14155550400").await.0, 404);
        assert_eq!(outbound(&app, scoped.expose(), json!({"from": "+14155550400", "to": "+14155550123"})).await.0, 404);
        assert_eq!(outbound(&app, scoped.expose(), json!({"organization": "acme", "bridge": "d", "to": "+14155550123"})).await.0, 404);
        let acme = app.org.clone();
        let (_, both) = app.app.create_service_token(Some(&[globex, acme]), None, None).await.unwrap();
        assert_eq!(inbound(&app, both.expose(), "+14155550400").await.0, 200);

        // Revoked: refused at once by this instance, though it was just cached.
        let (id, token) = service_token(&app).await;
        assert_eq!(inbound(&app, &token, "+14155550400").await.0, 200);
        assert!(app.app.revoke_service_token(id).await.unwrap());
        assert_eq!(inbound(&app, &token, "+14155550400").await.0, 401);
        assert!(!app.app.revoke_service_token(id).await.unwrap());

        // Expired: refused, cached or not.
        let soon = chrono::Utc::now() + chrono::TimeDelta::milliseconds(600);
        let (_, expiring) = app.app.create_service_token(None, None, Some(soon)).await.unwrap();
        assert_eq!(inbound(&app, expiring.expose(), "+14155550400").await.0, 200);
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(inbound(&app, expiring.expose(), "+14155550400").await.0, 401);
    }

    async fn the_secret_is_never_kept_for_an_idempotency_key(app) {
        routable(&app, "trunk-e", "+14155550500", "e", json!({})).await;
        let (_, token) = service_token(&app).await;
        // Were the answer stored, the same key with another body would be a 422.
        for to in ["+14155550123", "+14155550124"] {
            let (status, body) = send(routed(&app, &token, Method::POST, OUTBOUND).header("Idempotency-Key", "call-1")
                .json(&json!({"from": "+14155550500", "to": to}))).await;
            assert_eq!((status, body["data"]["to"].as_str()), (200, Some(to)), "{body}");
        }
    }

    async fn cps_limits_pace_calls_per_credential_and_per_shared_key(app) {
        routable(&app, "trunk-f", "+14155550600", "f", json!({"cpsLimit": 2})).await;
        routable(&app, "trunk-g", "+14155550700", "g", json!({"cpsLimit": 3, "cpsKey": "pool"})).await;
        routable(&app, "trunk-h", "+14155550800", "h", json!({"cpsLimit": 3, "cpsKey": "pool"})).await;
        let (_, token) = service_token(&app).await;
        let call = |from: &'static str| {
            routed(&app, &token, Method::POST, OUTBOUND).json(&json!({"from": from, "to": "+14155550123"})).send()
        };

        // Up to the limit in one second, then 429 with the wait; after the wait, calls go again.
        // (Sent right after a window opens, so the calls of one burst share a window.)
        at_window_start().await;
        let mut statuses = Vec::new();
        let mut paced = None;
        for _ in 0..3 {
            let response = call("+14155550600").await.unwrap();
            statuses.push(response.status().as_u16());
            if response.status() == 429 {
                let retry_after = response.headers()["retry-after"].to_str().unwrap().to_owned();
                assert_eq!(response.headers()["cache-control"], "no-store");
                let body: Value = response.json().await.unwrap();
                paced = Some((retry_after, body));
            }
        }
        assert_eq!(statuses, [200, 200, 429]);
        let (retry_after, body) = paced.unwrap();
        assert_eq!(retry_after, "1");
        let wait = body["retry_after_ms"].as_i64().unwrap();
        assert!((1..=1000).contains(&wait), "{body}");
        assert!(!body.to_string().contains(PASSWORD));
        tokio::time::sleep(Duration::from_millis(wait as u64 + 5)).await;
        assert_eq!(call("+14155550600").await.unwrap().status(), 200);

        // Two credentials sharing a cpsKey share its limit.
        at_window_start().await;
        let mut statuses = Vec::new();
        for from in ["+14155550700", "+14155550800", "+14155550700", "+14155550800"] {
            statuses.push(call(from).await.unwrap().status().as_u16());
        }
        assert_eq!(statuses, [200, 200, 200, 429]);
    }

    async fn changes_are_read_back_at_once_on_one_instance(app) {
        let (uuid, config) = routable(&app, "trunk-i", "+14155550900", "i", json!({})).await;
        let (_, token) = service_token(&app).await;
        assert_eq!(inbound(&app, &token, "+14155550900").await.0, 200);
        assert_eq!(outbound(&app, &token, json!({"from": "+14155550900", "to": "+14155550123"})).await.0, 200);

        // Rotated through the API: the next answer has the new password.
        let (status, _) = send(v1(&app, Method::PATCH, &format!("/api/v1/sip-credentials/{uuid}"))
            .json(&json!({"authPassword": "rotated-pw"}))).await;
        assert_eq!(status, 200);
        let (_, body) = outbound(&app, &token, json!({"from": "+14155550900", "to": "+14155550123"})).await;
        assert_eq!(body["data"]["auth_password"], "rotated-pw");

        // Disconnected through the API: the very next look-up says so.
        let (status, _) = send(app.admin(Method::POST, &format!("{BRIDGES}i/disconnect-provider/"))
            .json(&json!({"phone_number": "+14155550900"}))).await;
        assert_eq!(status, 200);
        let (status, body) = inbound(&app, &token, "+14155550900").await;
        assert_eq!((status, body["errors"]["reason"][0].as_str()), (409, Some("number_inactive")));

        // Configuration deleted (with its numbers): unknown at once.
        let (status, _) = send(app.admin(Method::DELETE, &format!("/api/v2/platform/telephony/providers-configurations/{config}/?force=true"))).await;
        assert!(status == 204 || status == 200, "{status}");
        assert_eq!(inbound(&app, &token, "+14155550900").await.0, 404);
    }

    async fn two_server_processes_share_cps_limits_and_hear_of_changes_within_a_second(app) {
        routable(&app, "trunk-m", "+14155551000", "m", json!({"cpsLimit": 2})).await;
        routable(&app, "trunk-n", "+14155551100", "n", json!({})).await;
        routable(&app, "trunk-o", "+14155551200", "o", json!({})).await;

        // The CLI mints a service token (another process), lists it without its secret.
        let created = run_json(cli(&app.database_url).args(["token", "create", "--service", "--org", "acme", "--label", "sbc"]));
        let (id, token) = (created["id"].as_i64().unwrap(), created["token"].as_str().unwrap().to_owned());
        assert!(token.starts_with("pbs_"), "{created}");
        let (ok, listed, _) = run(cli(&app.database_url).args(["token", "list", "--service", "--json"]));
        assert!(ok && listed.contains(&format!("\"id\":{id}")) && listed.contains("[\"acme\"]"), "{listed}");
        assert!(!listed.contains(&token), "{listed}");

        // Two servers besides the in-process one: `a` logs everything it can (trace).
        let mut a_cmd = cli(&app.database_url);
        a_cmd.env("PATCHBAY_RATE_LIMIT_PER_SECOND", "0");
        let a = LoggedServer::start(a_cmd).unwrap();
        let b = ServerProcess::start(&app.database_url).await;
        let client = reqwest::Client::new();
        let on = |base: &str, method: Method, path: &str| {
            client.request(method, format!("{base}{path}")).header("Authorization", format!("Token {token}"))
        };
        let a_base = a.url("");
        let bases = [a_base.as_str(), b.base.as_str()];
        for base in bases {
            let (status, body) = send(on(base, Method::GET, INBOUND).query(&[("to", "+14155551100")])).await;
            assert_eq!(status, 200, "{base}: {body}");
        }

        // One CPS limit across instances: 2 calls a second, whichever instance takes them.
        at_window_start().await;
        let mut statuses = Vec::new();
        for base in [bases[0], bases[1], bases[0]] {
            let call = on(base, Method::POST, OUTBOUND).json(&json!({"from": "+14155551000", "to": "+14155550123"}));
            statuses.push(send(call).await.0);
        }
        assert_eq!(statuses, [200, 200, 429]);

        // A number disconnected through `a`: `a` answers so at once, `b` within a second.
        let disconnect = client.post(format!("{a_base}{BRIDGES}n/disconnect-provider/"))
            .header("Authorization", format!("Token {}", app.admin)).header("Org-Handle", "acme")
            .json(&json!({"phone_number": "+14155551100"}));
        assert_eq!(send(disconnect).await.0, 200);
        assert_eq!(send(on(bases[0], Method::GET, INBOUND).query(&[("to", "+14155551100")])).await.0, 409);
        within(Duration::from_secs(1), "a change seen by the other instance", async || {
            send(on(bases[1], Method::GET, INBOUND).query(&[("to", "+14155551100")])).await.0 == 409
        }).await;

        // A configuration created through `a` is in `b`'s list (cached there) within a second:
        // a new row changes its organization's lists.
        let list = |base: &str| {
            client.get(format!("{base}/api/v2/platform/telephony/providers-configurations/?page_size=1000"))
                .header("Authorization", format!("Token {}", app.admin)).header("Org-Handle", "acme")
        };
        let listed = |body: &Value| body["count"].as_i64().unwrap();
        let (status, before) = send(list(bases[1])).await;
        assert_eq!(status, 200, "{before}");
        let create = client.post(format!("{a_base}/api/v2/platform/telephony/providers-configurations/?verify=false"))
            .header("Authorization", format!("Token {}", app.admin)).header("Org-Handle", "acme")
            .json(&json!({"provider": "sip", "host": "sip.cached.example", "account_sid": "cached-trunk", "auth_token": "pw"}));
        let (status, created) = send(create).await;
        assert_eq!(status, 201, "{created}");
        within(Duration::from_secs(1), "a new configuration in the other instance's list", async || {
            listed(&send(list(bases[1])).await.1) == listed(&before) + 1
        }).await;

        // Revoked by the CLI (another process): every instance refuses it within a second.
        let revoked = run_json(cli(&app.database_url).args(["token", "revoke", "--service", &id.to_string()]));
        assert_eq!(revoked["revoked"], true);
        let revoked_at = Instant::now();
        for base in bases {
            within(Duration::from_secs(1).saturating_sub(revoked_at.elapsed()), "a revoked token refused", async || {
                send(on(base, Method::GET, INBOUND).query(&[("to", "+14155551000")])).await.0 == 401
            }).await;
        }

        // An organization token, cached by both instances once used: when `token revoke`
        // returns, neither accepts it any more (the command waits for the instances to drop it).
        let org_token = run_json(cli(&app.database_url).args(["token", "create", "--org", "acme", "--role", "viewer"]));
        let (org_token_id, org_secret) = (org_token["id"].to_string(), org_token["token"].as_str().unwrap().to_owned());
        let configs = |base: &str| {
            client.get(format!("{base}/api/v2/platform/telephony/providers-configurations/"))
                .header("Authorization", format!("Token {org_secret}")).header("Org-Handle", "acme")
        };
        for base in bases {
            assert_eq!(send(configs(base)).await.0, 200, "{base}");
            assert_eq!(send(configs(base)).await.0, 200, "{base}: answered from the cache");
        }
        let revoking = Instant::now();
        let revoked = run_json(cli(&app.database_url).args(["token", "revoke", &org_token_id]));
        assert_eq!(revoked["revoked"], true);
        for base in bases {
            assert_eq!(send(configs(base)).await.0, 401, "{base}: refused once `token revoke` returned");
        }
        assert!(revoking.elapsed() < Duration::from_secs(2), "revoke took {:?}", revoking.elapsed());

        // Released just before `a` is stopped: still in the audit trail (drained on shutdown).
        let (_, fresh) = service_token(&app).await;
        let last = client.post(format!("{a_base}{OUTBOUND}")).header("Authorization", format!("Token {fresh}"))
            .json(&json!({"from": "+14155551200", "to": "+14155550123"}));
        assert_eq!(send(last).await.0, 200);

        // Stopped gracefully, both have written their releases; `a` never logged the secret.
        b.stop().await;
        let (stdout, stderr) = a.stop();
        assert!(stderr.contains("routes/outbound"), "trace logs show the requests: {stderr}");
        assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD), "the secret is never logged");
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_type=configuration")).await;
        let releases = audit["data"].as_array().unwrap().iter().filter(|e| e["action"] == "route.secret_released")
            .flat_map(|e| e["fields"].as_array().unwrap().iter().filter(|f| f.as_str().unwrap().starts_with("call:")))
            .count();
        assert_eq!(releases, 3, "{audit}");
    }
}
