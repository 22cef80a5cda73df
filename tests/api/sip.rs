//! The v1 SIP families (`/api/v1/sip-credentials`, `/api/v1/sip-phone-numbers`) on every
//! backend: the pages' shapes, the write-only password, server syntax, paging, filters, agent
//! links and what they make deletes refuse, Twilio's credentials and numbers appearing
//! read-only, tenancy, viewers, audit, ETags, Idempotency-Key, and the pages' fetch examples.

use std::process::Command;

use crate::support::app::open_patchbay;
use crate::support::http::send_with_etag;
use crate::support::v1::{PROVIDERS, create, import, is_utc_z, problem, v1, v1_as};
use crate::support::{TEST_KEY, TestApp, both_backends, send, store};
use patchbay::storage::ConfigurationKey;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const CREDS: &str = "/api/v1/sip-credentials";
const NUMBERS: &str = "/api/v1/sip-phone-numbers";
const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pages/dasha-blackbox");

/// The credential page's field order.
const CREDENTIAL_FIELDS: [&str; 14] = [
    "id",
    "orgId",
    "server",
    "transport",
    "source",
    "createdTime",
    "lastUpdateTime",
    "domain",
    "authUser",
    "authPassword",
    "description",
    "cpsLimit",
    "cpsKey",
    "providerId",
];
/// The phone number page's field order.
const NUMBER_FIELDS: [&str; 12] = [
    "id",
    "orgId",
    "phoneNumber",
    "credentialsId",
    "createdTime",
    "lastUpdateTime",
    "registrationStatus",
    "description",
    "displayName",
    "registration",
    "providerId",
    "incomingCallsAgentId",
];

fn in_order(text: &str, fields: &[&str]) {
    let positions: Vec<usize> = fields
        .iter()
        .map(|f| {
            text.find(&format!("\"{f}\":"))
                .unwrap_or_else(|| panic!("{f} missing: {text}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
}

async fn create_credential(app: &TestApp, body: Value) -> Value {
    let (status, created) = send(v1(app, Method::POST, CREDS).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

async fn create_number(app: &TestApp, credential: &str, number: &str) -> Value {
    let (status, created) =
        send(v1(app, Method::POST, NUMBERS).json(&json!({"phoneNumber": number, "credentialsId": credential}))).await;
    assert_eq!(status, 201, "{created}");
    created
}

fn item(base: &str, id: &Value) -> String {
    format!("{base}/{}", id.as_str().unwrap())
}

async fn link(app: &TestApp, number: &Value, query: &str) -> Value {
    let path = format!("{}/agent-link?{query}", item(NUMBERS, &number["id"]));
    let (status, body) = send(v1(app, Method::PUT, &path)).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, body) = send(v1(app, Method::GET, &format!("{NUMBERS}?{query}"))).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn numbers_of(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["phoneNumber"].as_str().unwrap())
        .collect()
}

both_backends! {
    async fn credentials_match_the_pages_and_never_return_the_password(app) {
        let response = v1(&app, Method::POST, CREDS)
            .json(&json!({"server": "SIP.Provider.com:5061", "domain": "sip.provider.com", "authUser": "trunk-1",
                          "authPassword": "pw-canary-1", "transport": "tls", "description": "Main trunk",
                          "cpsLimit": 5, "cpsKey": "shared"}))
            .send().await.unwrap();
        assert_eq!(response.status(), 201);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let text = response.text().await.unwrap();
        in_order(&text, &CREDENTIAL_FIELDS);
        assert!(!text.contains("pw-canary"), "the password is never returned: {text}");
        let created: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(created.as_object().unwrap().len(), 14, "{created}");
        assert_eq!(created["authPassword"], Value::Null);
        assert_eq!(created["orgId"], "acme");
        assert_eq!(created["server"], "sip.provider.com:5061");
        assert_eq!(created["transport"], "tls");
        assert_eq!(created["source"], "manual");
        assert_eq!(created["providerId"], Value::Null);
        assert_eq!((created["cpsLimit"].as_i64(), created["cpsKey"].as_str()), (Some(5), Some("shared")));
        assert!(is_utc_z(&created["createdTime"]) && is_utc_z(&created["lastUpdateTime"]));
        let path = item(CREDS, &created["id"]);

        // Sealed, bound to its row: the store holds it, the API never shows it.
        let uuid = uuid::Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();
        let secrets = store::stored_secrets(&app.app, &app.org, ConfigurationKey::Uuid(uuid)).await;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), "pw-canary-1");
        let (status, got_etag, got) = send_with_etag(v1(&app, Method::GET, &path)).await;
        assert_eq!((status, got_etag.as_deref()), (200, Some(etag.as_str())));
        assert_eq!(got, created);

        // Defaults: udp, the default port not shown, no user.
        let plain = create_credential(&app, json!({"server": "sip.telnyx.com"})).await;
        assert_eq!((plain["server"].as_str(), plain["transport"].as_str()), (Some("sip.telnyx.com"), Some("udp")));
        assert_eq!(plain["authUser"], Value::Null);
        let v6 = create_credential(&app, json!({"server": "[2001:db8::1]:5080", "transport": "tcp"})).await;
        assert_eq!(v6["server"], "[2001:db8::1]:5080");

        // PATCH rotates the password (re-sealed, never echoed) and guards with If-Match.
        let (status, rotated) = send(v1(&app, Method::PATCH, &path).header("If-Match", &etag)
            .json(&json!({"authPassword": "pw-canary-2", "description": null}))).await;
        assert_eq!(status, 200, "{rotated}");
        assert_eq!(rotated["authPassword"], Value::Null);
        assert_eq!(rotated["description"], Value::Null);
        assert_eq!(rotated["server"], "sip.provider.com:5061", "untouched fields stay");
        let secrets = store::stored_secrets(&app.app, &app.org, ConfigurationKey::Uuid(uuid)).await;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), "pw-canary-2");
        problem(v1(&app, Method::PATCH, &path).header("If-Match", &etag).json(&json!({"cpsLimit": 9})), 412, &path).await;
        problem(v1(&app, Method::DELETE, &path).header("If-Match", &etag), 412, &path).await;
        let (_, moved) = send(v1(&app, Method::PATCH, &path).json(&json!({"server": "10.0.0.7", "authUser": null}))).await;
        assert_eq!((moved["server"].as_str(), moved["authUser"].as_str()), (Some("10.0.0.7"), None));

        // Bad input: every field named, 400, nothing stored, nothing echoed.
        let body = problem(v1(&app, Method::POST, CREDS).json(&json!({
            "server": "user:pw-canary-3@host/path", "domain": "sip:x", "transport": "sctp", "cpsLimit": 0,
            "authUser": "has space", "authPassword": "", "colour": "red"})), 400, CREDS).await;
        let names: Vec<&str> = body["errors"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["authPassword", "authUser", "colour", "cpsLimit", "domain", "server", "transport"]);
        assert!(!body.to_string().contains("pw-canary"));
        for bad in ["host:0", "host:65536", "::1", "a b", "", "host:5060/x", "sips:host"] {
            problem(v1(&app, Method::POST, CREDS).json(&json!({"server": bad})), 400, CREDS).await;
        }
        problem(v1(&app, Method::POST, CREDS).json(&json!({"domain": "d.com"})), 400, CREDS).await;
        let body = problem(v1(&app, Method::POST, CREDS).json(&json!({"server": "user@sip.example.com"})), 400, CREDS).await;
        assert!(body["errors"]["server"][0].as_str().unwrap().contains("user information"), "{body}");
        problem(v1(&app, Method::PATCH, &path).json(&json!({"server": null})), 400, &path).await;
        problem(v1(&app, Method::PATCH, &path).json(&json!({})), 400, &path).await;
        // The same user twice is a conflict (one configuration per SIP account, as in v2).
        create_credential(&app, json!({"server": "other.example.com", "authUser": "dup"})).await;
        problem(v1(&app, Method::POST, CREDS).json(&json!({"server": "third.example.com", "authUser": "dup"})), 409, CREDS).await;

        // Paging: default 20, 1..=1000.
        let (_, page) = send(v1(&app, Method::GET, CREDS)).await;
        assert_eq!((page["totalCount"].as_i64(), page["skip"].as_i64(), page["take"].as_i64()), (Some(4), Some(0), Some(20)));
        let (_, page) = send(v1(&app, Method::GET, &format!("{CREDS}?skip=1&take=2"))).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        assert_eq!(page["items"][0]["id"], plain["id"]);
        for q in ["take=0", "take=1001", "skip=-1", "take=x"] {
            problem(v1(&app, Method::GET, &format!("{CREDS}?{q}")), 400, CREDS).await;
        }
        assert!(!page.to_string().contains("pw-canary"));

        // One data model: v2 sees a `sip` configuration.
        let (_, v2) = send(app.admin(Method::GET, crate::support::CONFIGS)).await;
        assert!(v2.to_string().contains("sip.provider.com"), "{v2}");
        assert!(!v2.to_string().contains("pw-canary"));

        // Delete without numbers; then it is gone.
        let response = v1(&app, Method::DELETE, &item(CREDS, &plain["id"])).send().await.unwrap();
        assert_eq!(response.status(), 204);
        problem(v1(&app, Method::GET, &item(CREDS, &plain["id"])), 404, &item(CREDS, &plain["id"])).await;
    }

    async fn numbers_links_filters_and_deletes(app) {
        let cred = create_credential(&app, json!({"server": "sip.telnyx.com", "authUser": "u1", "authPassword": "p"})).await;
        let other = create_credential(&app, json!({"server": "sip.vonage.com", "authUser": "u2"})).await;
        let response = v1(&app, Method::POST, NUMBERS)
            .json(&json!({"phoneNumber": "+14155550100", "credentialsId": cred["id"], "displayName": "Sales",
                          "description": "Front desk", "registration": false}))
            .send().await.unwrap();
        assert_eq!(response.status(), 201);
        let text = response.text().await.unwrap();
        in_order(&text, &NUMBER_FIELDS);
        let a: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(a["credentialsId"], cred["id"]);
        assert_eq!((a["displayName"].as_str(), a["description"].as_str()), (Some("Sales"), Some("Front desk")));
        assert_eq!((a["registration"].as_bool(), a["registrationStatus"]["state"].as_str()), (Some(false), Some("Disabled")));
        assert_eq!((a["providerId"].clone(), a["incomingCallsAgentId"].clone()), (Value::Null, Value::Null));
        let b = create_number(&app, cred["id"].as_str().unwrap(), "+14155550101").await;
        let c = create_number(&app, other["id"].as_str().unwrap(), "+442071838750").await;

        // Bad input and conflicts.
        let body = problem(v1(&app, Method::POST, NUMBERS).json(&json!({"phoneNumber": "0155", "credentialsId": "nope", "registration": true})), 400, NUMBERS).await;
        let names: Vec<&str> = body["errors"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["credentialsId", "phoneNumber", "registration"]);
        problem(v1(&app, Method::POST, NUMBERS).json(&json!({"phoneNumber": "+15550000", "credentialsId": uuid::Uuid::new_v4()})), 400, NUMBERS).await;
        problem(v1(&app, Method::POST, NUMBERS).json(&json!({"phoneNumber": "+14155550100", "credentialsId": other["id"]})), 409, NUMBERS).await;

        // Links: one inbound agent per number (a new one replaces it); one outbound number per agent.
        let linked = link(&app, &a, "mode=inbound&agentId=agent-1").await;
        assert_eq!(linked["incomingCallsAgentId"], "agent-1");
        let linked = link(&app, &a, "agentId=agent-2").await;
        assert_eq!(linked["incomingCallsAgentId"], "agent-2", "the default mode is inbound; the previous agent is replaced");
        link(&app, &a, "mode=replaceOutbound&agentId=agent-3").await;
        link(&app, &b, "mode=replaceOutbound&agentId=agent-3").await;
        link(&app, &b, "mode=replaceOutbound&agentId=agent-2").await;
        let (_, impact) = send(v1(&app, Method::GET, &format!("{}/affected-agents", item(NUMBERS, &a["id"])))).await;
        assert_eq!(impact, json!({"id": a["id"], "phoneNumber": "+14155550100",
            "affectedAgents": [{"agentId": "agent-2", "agentName": null, "uses": ["inbound"]}]}),
            "agent-3's outbound number moved to b");
        let (_, impact) = send(v1(&app, Method::GET, &format!("{}/affected-agents", item(CREDS, &cred["id"])))).await;
        assert_eq!(impact["affectedCallsCount"], 0);
        let per_number: Vec<(String, usize)> = impact["phoneNumbers"].as_array().unwrap().iter()
            .map(|n| (n["phoneNumber"].as_str().unwrap().to_owned(), n["affectedAgents"].as_array().unwrap().len())).collect();
        assert_eq!(per_number, [("+14155550100".to_owned(), 1), ("+14155550101".to_owned(), 2)]);

        // Link input.
        let link_path = format!("{}/agent-link", item(NUMBERS, &a["id"]));
        problem(v1(&app, Method::PUT, &link_path), 400, &link_path).await;
        problem(v1(&app, Method::PUT, &format!("{link_path}?mode=outbound&agentId=x")), 400, &link_path).await;
        problem(v1(&app, Method::DELETE, &format!("{link_path}?mode=replaceOutbound")), 400, &link_path).await;

        // Filters and paging.
        assert_eq!(numbers_of(&list(&app, "").await), ["+14155550100", "+14155550101", "+442071838750"]);
        assert_eq!(list(&app, "").await["take"], 20);
        assert_eq!(numbers_of(&list(&app, "phoneNumber=%2B14155550101").await), ["+14155550101"]);
        assert_eq!(numbers_of(&list(&app, "linkedAgentId=agent-2").await), ["+14155550100", "+14155550101"]);
        assert_eq!(numbers_of(&list(&app, "unlinkedOnly=true").await), ["+442071838750"]);
        let page = list(&app, "skip=1&take=1").await;
        assert_eq!((numbers_of(&page), page["totalCount"].as_i64()), (vec!["+14155550101"], Some(3)));
        assert_eq!(list(&app, &format!("providerId={}", uuid::Uuid::new_v4())).await["totalCount"], 0);
        problem(v1(&app, Method::GET, &format!("{NUMBERS}?providerId=x")), 400, NUMBERS).await;
        problem(v1(&app, Method::GET, &format!("{NUMBERS}?unlinkedOnly=maybe")), 400, NUMBERS).await;

        // A number agents use refuses a delete (naming them) unless forced.
        let a_path = item(NUMBERS, &a["id"]);
        let body = problem(v1(&app, Method::DELETE, &a_path), 409, &a_path).await;
        assert_eq!(body["errors"]["affectedAgents"], json!(["agent-2 (inbound)"]));
        // Unlinking inbound, then it deletes; unlinking is idempotent.
        let (status, unlinked) = send(v1(&app, Method::DELETE, &link_path)).await;
        assert_eq!((status, unlinked["incomingCallsAgentId"].clone()), (200, Value::Null));
        let (status, _) = send(v1(&app, Method::DELETE, &link_path)).await;
        assert_eq!(status, 200);
        let (status, etag, _) = send_with_etag(v1(&app, Method::GET, &a_path)).await;
        assert_eq!(status, 200);
        problem(v1(&app, Method::DELETE, &a_path).header("If-Match", "\"999\""), 412, &a_path).await;
        let response = v1(&app, Method::DELETE, &a_path).header("If-Match", etag.unwrap()).send().await.unwrap();
        assert_eq!(response.status(), 204);
        problem(v1(&app, Method::GET, &a_path), 404, &a_path).await;

        // A credential with numbers refuses a delete unless forced; forced, its numbers go too.
        let cred_path = item(CREDS, &cred["id"]);
        let body = problem(v1(&app, Method::DELETE, &cred_path), 409, &cred_path).await;
        assert_eq!(body["errors"]["phoneNumbers"], json!(["+14155550101"]));
        let b_path = item(NUMBERS, &b["id"]);
        let body = problem(v1(&app, Method::DELETE, &b_path), 409, &b_path).await;
        assert_eq!(body["errors"]["affectedAgents"], json!(["agent-2 (outbound)", "agent-3 (outbound)"]));
        let response = v1(&app, Method::DELETE, &format!("{cred_path}?force=true")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        problem(v1(&app, Method::GET, &b_path), 404, &b_path).await;
        assert_eq!(numbers_of(&list(&app, "").await), ["+442071838750"]);
        assert_eq!(list(&app, "linkedAgentId=agent-3").await["totalCount"], 0, "the links went with the number");
        let c_path = item(NUMBERS, &c["id"]);
        let response = v1(&app, Method::DELETE, &format!("{c_path}?force=true")).send().await.unwrap();
        assert_eq!(response.status(), 204);
    }

    async fn tenancy_viewers_audit_and_idempotent_creates(app) {
        let key = "sip-create-1";
        let body = json!({"server": "sip.example.com", "authUser": "idem", "authPassword": "pw-canary-9"});
        let first = v1(&app, Method::POST, CREDS).header("Idempotency-Key", key).json(&body).send().await.unwrap();
        assert_eq!(first.status(), 201);
        let cred: Value = first.json().await.unwrap();
        let again = v1(&app, Method::POST, CREDS).header("Idempotency-Key", key).json(&body).send().await.unwrap();
        assert_eq!((again.status().as_u16(), again.headers()["idempotent-replayed"].to_str().unwrap()), (201, "true"));
        assert_eq!(again.json::<Value>().await.unwrap(), cred);
        let number_body = json!({"phoneNumber": "+14155550177", "credentialsId": cred["id"]});
        let first = v1(&app, Method::POST, NUMBERS).header("Idempotency-Key", "n-1").json(&number_body).send().await.unwrap();
        assert_eq!(first.status(), 201);
        let number: Value = first.json().await.unwrap();
        let again = v1(&app, Method::POST, NUMBERS).header("Idempotency-Key", "n-1").json(&number_body).send().await.unwrap();
        assert_eq!(again.status(), 201, "replayed, not a 409");
        assert_eq!(again.json::<Value>().await.unwrap(), number);
        let (_, all) = send(v1(&app, Method::GET, CREDS)).await;
        assert_eq!(all["totalCount"], 1);
        link(&app, &number, "agentId=agent-7").await;

        // Another organization: a plain 404 everywhere, and its lists are empty.
        let other = |m: Method, p: &str| v1_as(&app, &app.other_admin, m, p);
        let cred_path = item(CREDS, &cred["id"]);
        let num_path = item(NUMBERS, &number["id"]);
        for (m, p) in [
            (Method::GET, cred_path.clone()), (Method::PATCH, cred_path.clone()), (Method::DELETE, cred_path.clone()),
            (Method::GET, format!("{cred_path}/affected-agents")), (Method::GET, num_path.clone()),
            (Method::DELETE, num_path.clone()), (Method::GET, format!("{num_path}/affected-agents")),
        ] {
            let request = other(m.clone(), &p);
            let request = if m == Method::PATCH { request.json(&json!({"cpsLimit": 1})) } else { request };
            problem(request, 404, &p).await;
        }
        let link_path = format!("{num_path}/agent-link");
        problem(other(Method::PUT, &format!("{link_path}?agentId=x")), 404, &link_path).await;
        problem(other(Method::DELETE, &link_path), 404, &link_path).await;
        problem(other(Method::POST, NUMBERS).json(&number_body), 400, NUMBERS).await;
        let (_, theirs) = send(other(Method::GET, CREDS)).await;
        assert_eq!(theirs["totalCount"], 0);
        let (_, theirs) = send(other(Method::GET, NUMBERS)).await;
        assert_eq!(theirs["totalCount"], 0);
        problem(v1(&app, Method::GET, &format!("{CREDS}/not-a-uuid")), 404, &format!("{CREDS}/not-a-uuid")).await;
        problem(v1(&app, Method::GET, &format!("{NUMBERS}/not-a-uuid")), 404, &format!("{NUMBERS}/not-a-uuid")).await;
        problem(v1(&app, Method::GET, CREDS).header("Org-Handle", "globex"), 403, CREDS).await;

        // A viewer reads, never writes.
        let viewer = |m: Method, p: &str| v1_as(&app, &app.viewer, m, p);
        for p in [CREDS.to_owned(), cred_path.clone(), NUMBERS.to_owned(), num_path.clone(), format!("{num_path}/affected-agents")] {
            let (status, _) = send(viewer(Method::GET, &p)).await;
            assert_eq!(status, 200, "{p}");
        }
        problem(viewer(Method::POST, CREDS).json(&body), 403, CREDS).await;
        problem(viewer(Method::PATCH, &cred_path).json(&json!({"cpsLimit": 1})), 403, &cred_path).await;
        problem(viewer(Method::DELETE, &cred_path), 403, &cred_path).await;
        problem(viewer(Method::POST, NUMBERS).json(&number_body), 403, NUMBERS).await;
        problem(viewer(Method::DELETE, &num_path), 403, &num_path).await;
        problem(viewer(Method::PUT, &format!("{link_path}?agentId=x")), 403, &link_path).await;
        problem(viewer(Method::DELETE, &link_path), 403, &link_path).await;

        // Every change left an audit event, none with the password.
        let response = v1(&app, Method::DELETE, &format!("{cred_path}?force=true")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/")).await;
        let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..4], ["configuration.deleted", "phone_number.agent_linked", "phone_number.added", "configuration.created"], "{audit}");
        assert_eq!(audit["data"][1]["resource_id"], number["id"]);
        assert!(!audit.to_string().contains("pw-canary"));
    }

    async fn twilio_credentials_and_numbers_appear_read_only(app) {
        let (provider, sid, _) = create(&app, json!({"name": "Twilio main"})).await;
        let id = provider["id"].as_str().unwrap();
        let pn = app.twilio.add_incoming_number(&sid, "+14155550142");
        import(&app, id, &[&pn]).await;

        let (_, creds) = send(v1(&app, Method::GET, CREDS)).await;
        assert_eq!(creds["totalCount"], 1);
        let cred = &creds["items"][0];
        assert_eq!((cred["source"].as_str(), cred["providerId"].as_str(), cred["id"].as_str()), (Some("provider"), Some(id), Some(id)));
        let domain = provider["terminationUri"].as_str().unwrap().trim_start_matches("sip:");
        assert_eq!(cred["server"], domain);
        assert!(cred["authUser"].as_str().unwrap().starts_with("pb"));
        assert_eq!(cred["authPassword"], Value::Null, "the generated password is not shown either");
        let cred_path = item(CREDS, &cred["id"]);
        problem(v1(&app, Method::PATCH, &cred_path).json(&json!({"cpsLimit": 2})), 400, &cred_path).await;
        problem(v1(&app, Method::DELETE, &cred_path), 400, &cred_path).await;
        problem(v1(&app, Method::POST, NUMBERS).json(&json!({"phoneNumber": "+14155550143", "credentialsId": id})), 400, NUMBERS).await;

        let numbers = list(&app, &format!("providerId={id}")).await;
        assert_eq!(numbers_of(&numbers), ["+14155550142"]);
        let number = numbers["items"][0].clone();
        assert_eq!((number["providerId"].as_str(), number["credentialsId"].as_str()), (Some(id), Some(id)));
        link(&app, &number, "agentId=agent-9").await;

        // The Twilio family's delete now refuses a linked number unless forced.
        let path = format!("{PROVIDERS}/twilio/{id}/phone-numbers/{}", number["id"].as_str().unwrap());
        let body = problem(v1(&app, Method::DELETE, &path), 409, &path).await;
        assert_eq!(body["errors"]["affectedAgents"], json!(["agent-9 (inbound)"]));
        assert_eq!(list(&app, "").await["totalCount"], 1, "nothing was changed");
        problem(v1(&app, Method::DELETE, &format!("{path}?force=maybe")), 400, &path).await;
        let response = v1(&app, Method::DELETE, &format!("{path}?force=true")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        assert_eq!(list(&app, "").await["totalCount"], 0);
    }

    async fn key_rotation_reseals_sip_passwords(app) {
        // The password lives in the configuration's sealed bundle: the one rotation covers it.
        let cred = create_credential(&app, json!({"server": "sip.example.com", "authUser": "rot", "authPassword": "pw-rotate"})).await;
        let uuid = uuid::Uuid::parse_str(cred["id"].as_str().unwrap()).unwrap();
        const NEW_KEY: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";
        let rotated = open_patchbay(&app.database_url, &[NEW_KEY, TEST_KEY], &app.twilio.url()).await;
        assert!(rotated.rotate_secrets(10, std::time::Duration::ZERO, |_, _| {}).await.unwrap() > 0);
        let new_only = open_patchbay(&app.database_url, &[NEW_KEY], &app.twilio.url()).await;
        new_only.check_keys().await.unwrap();
        let secrets = store::stored_secrets(&new_only, &app.org, ConfigurationKey::Uuid(uuid)).await;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), "pw-rotate");
    }

    async fn the_pages_fetch_examples_run(app) {
        let scratch = tempfile::tempdir().unwrap();
        let run = |page: &str, fill: &dyn Fn(String) -> String| -> String {
            let script = std::fs::read_to_string(format!("{PAGES}/{page}.js")).unwrap()
                .replace("https://blackbox.dasha.ai", &app.url(""))
                .replace("<token>", &app.admin);
            let file = scratch.path().join(format!("{page}.js"));
            std::fs::write(&file, fill(script)).unwrap();
            let out = Command::new("node").arg(&file).output();
            match out {
                Ok(out) => {
                    assert!(out.status.success(), "{page}: {}", String::from_utf8_lossy(&out.stderr));
                    String::from_utf8_lossy(&out.stdout).into_owned()
                }
                Err(_) => String::new(),
            }
        };
        if Command::new("node").arg("--version").output().is_err() {
            crate::support::skip_without_tool("CI must install node for the pages' fetch examples", "node not installed: the pages' fetch examples were not run");
            return;
        }
        let printed = tokio::task::block_in_place(|| run("create-sip-credential", &|s| s.replacen("'<string>'", "'sip.provider.com:5061'", 1)));
        assert!(printed.contains("source: 'manual'") && printed.contains("authPassword: null"), "{printed}");
        let (_, creds) = send(v1(&app, Method::GET, CREDS)).await;
        let cred_id = creds["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(creds["items"][0]["server"], "sip.provider.com:5061");

        let printed = tokio::task::block_in_place(|| run("create-phone-number", &|s| {
            s.replacen("'<string>'", "'+14155550188'", 1).replace("3c90c3cc-0d44-4b50-8888-8dd25736052a", &cred_id)
        }));
        assert!(printed.contains("phoneNumber: '+14155550188'"), "{printed}");
        let numbers = list(&app, "").await;
        let number_id = numbers["items"][0]["id"].as_str().unwrap().to_owned();

        let printed = tokio::task::block_in_place(|| run("link-phone-number-to-agent", &|s| {
            s.replace("{id}/agent-link", &format!("{number_id}/agent-link?mode=inbound&agentId=agent-page"))
        }));
        assert!(printed.contains("incomingCallsAgentId: 'agent-page'"), "{printed}");
        assert_eq!(list(&app, "linkedAgentId=agent-page").await["totalCount"], 1);
    }

    // Found by Schemathesis on PostgreSQL: a NUL in a filter reached the query and was a 500
    // (PostgreSQL refuses NUL in text). Filters are parsed to their types; NUL is refused in
    // every query string, in either family's error shape.
    async fn bad_or_nul_filters_are_a_400_not_a_500(app) {
        for (query, field) in [
            ("linkedAgentId=%00T", "linkedAgentId"),
            ("linkedAgentId=has%20space", "linkedAgentId"),
            ("phoneNumber=%00", "phoneNumber"),
            ("phoneNumber=14155550100", "phoneNumber"),
        ] {
            let body = problem(v1(&app, Method::GET, &format!("{NUMBERS}?{query}")), 400, NUMBERS).await;
            assert!(body["errors"][field].is_array(), "{query}: {body}");
        }
        let (status, body) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_id=%00")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"]["resource_id"][0], "May not contain NUL characters.", "{body}");
        // A well-formed filter still answers.
        list(&app, "phoneNumber=%2B14155550100&linkedAgentId=agent-1").await;
    }
}
