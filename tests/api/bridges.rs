//! Bridges (v2) over HTTP, on every backend: the pages' answers, the slug and connect rules,
//! refusing deletes of what is attached, isolation, read-only tokens, audit, ETags and
//! idempotent creates.

use crate::support::http::send_with_etag;
use crate::support::{
    BRIDGES, NUMBERS, both_backends, bridge_path, config_path, connect_path, disconnect_path, join_all, send,
};
use reqwest::Method;
use serde_json::{Value, json};

/// The object's keys, sorted (serde_json's map does not keep the wire order).
fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// Whether `keys` appear in the raw answer in this order (each after the one before).
fn in_order(raw: &str, keys: &[&str]) -> bool {
    let mut at = 0;
    keys.iter().all(|k| match raw[at..].find(&format!("\"{k}\":")) {
        Some(i) => {
            at += i + 1;
            true
        }
        None => false,
    })
}

/// Sends; the status, the raw body and it parsed.
async fn send_raw(request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let raw = response.text().await.unwrap();
    let body = serde_json::from_str(&raw).unwrap();
    (status, raw, body)
}

fn is_page_timestamp(s: &Value) -> bool {
    chrono::NaiveDateTime::parse_from_str(s.as_str().unwrap(), "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// The bridge's numbers as `(number, status)`.
fn numbers_of(bridge: &Value) -> Vec<(String, String)> {
    bridge["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["number"].as_str().unwrap().to_owned(),
                n["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_backends! {
    async fn the_pages_answers_from_draft_to_deleted(app) {
        let sip = app.create_sip("sip.example.com").await;
        let number = app.add_number(sip, "+14155550100").await;

        // create-bridge: 201, the page's fields in its order, then the state.
        let response = app.admin(Method::POST, BRIDGES)
            .json(&json!({"name": "Sales Bridge", "slug": "sales-bridge-001"})).send().await.unwrap();
        let etag = response.headers().get("etag").cloned();
        let (status, raw) = (response.status().as_u16(), response.text().await.unwrap());
        let body: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(status, 201, "{body}");
        assert!(in_order(&raw, &["status_code", "message", "data", "id", "name", "slug", "created_at", "provider", "state"]), "{raw}");
        assert_eq!((body["status_code"].as_i64(), body["message"].as_str()), (Some(201), Some("Bridge created successfully.")));
        let data = &body["data"];
        assert_eq!(keys(data), ["created_at", "id", "name", "provider", "slug", "state"]);
        assert_eq!((data["name"].as_str(), data["slug"].as_str()), (Some("Sales Bridge"), Some("sales-bridge-001")));
        assert!(is_page_timestamp(&data["created_at"]));
        assert_eq!((data["provider"].clone(), data["state"].as_str()), (Value::Null, Some("DRAFT")));
        assert!(etag.is_some());
        let id = data["id"].as_i64().unwrap();

        // get-all-bridges: count first, as the page shows it.
        let (status, raw, body) = send_raw(app.admin(Method::GET, BRIDGES)).await;
        assert_eq!(status, 200);
        assert!(in_order(&raw, &["count", "status_code", "message", "data", "id", "name", "slug", "provider", "numbers", "state", "created_at"]), "{raw}");
        assert_eq!((body["count"].as_i64(), body["message"].as_str()), (Some(1), Some("Bridges fetched successfully.")));
        assert_eq!(keys(&body["data"][0]), ["created_at", "id", "name", "numbers", "provider", "slug", "state"]);
        assert_eq!(body["data"][0]["numbers"], json!([]));

        // connect-provider: the page's data, then the bridge is active with the sip provider.
        let (status, raw, body) = send_raw(app.admin(Method::POST, &connect_path("sales-bridge-001"))
            .json(&json!({"provider_config_id": sip, "phone_number": "+14155550100"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["message"], "Provider connected to bridge successfully.");
        assert!(in_order(&raw, &["data", "message", "bridge_slug", "phone_number", "provider", "state"]), "{raw}");
        assert_eq!(body["data"]["message"], "Provider connected successfully");
        assert_eq!((body["data"]["bridge_slug"].as_str(), body["data"]["phone_number"].as_str()), (Some("sales-bridge-001"), Some("+14155550100")));
        assert_eq!((body["data"]["provider"].as_str(), body["data"]["state"].as_str()), (Some("sip"), Some("ACTIVE")));

        // get-bridge-by-slug: the detailed number object.
        let (status, raw, body) = send_raw(app.admin(Method::GET, &bridge_path("sales-bridge-001"))).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Bridge fetched successfully.");
        assert!(in_order(&raw, &["data", "id", "name", "slug", "numbers", "id", "number_id", "number", "state", "active",
            "channels_count", "status", "provider", "state", "created_at"]), "{raw}");
        let n = &body["data"]["numbers"][0];
        assert_eq!(keys(n).len(), 7);
        assert_eq!(n["number_id"], number["id"]);
        assert_eq!((n["number"].as_str(), n["state"].as_str(), n["active"].as_bool(), n["channels_count"].as_i64(), n["status"].as_str()),
            (Some("+14155550100"), Some("ASSIGNED"), Some(true), Some(0), Some("active")));

        // numbers: the page's object, now assigned.
        let (status, raw, body) = send_raw(app.admin(Method::GET, NUMBERS)).await;
        assert_eq!((status, body["message"].as_str()), (200, Some("Numbers fetched successfully.")));
        assert!(in_order(&raw, &["status_code", "message", "data", "id", "number", "provider", "bridge_slug", "status"]), "{raw}");
        assert_eq!((body["data"][0]["bridge_slug"].as_str(), body["data"][0]["status"].as_str()), (Some("sales-bridge-001"), Some("active")));

        // update-bridge: the name changes, the slug never; the list's short number objects.
        let (status, raw, body) = send_raw(app.admin(Method::PATCH, &bridge_path("sales-bridge-001"))
            .json(&json!({"name": "Sales Bridge — Updated"}))).await;
        assert_eq!(status, 200, "{body}");
        assert!(in_order(&raw, &["data", "id", "name", "slug", "numbers", "id", "number", "status"]), "{raw}");
        assert_eq!(body["message"], "Bridge updated successfully.");
        assert_eq!((body["data"]["id"].as_i64(), body["data"]["name"].as_str(), body["data"]["slug"].as_str()),
            (Some(id), Some("Sales Bridge — Updated"), Some("sales-bridge-001")));
        assert_eq!(keys(&body["data"]["numbers"][0]), ["id", "number", "status"]);

        // disconnect-provider: the page's data; the bridge is a draft again.
        let (status, body) = send(app.admin(Method::POST, &disconnect_path("sales-bridge-001"))
            .json(&json!({"phone_number": "+14155550100"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["message"], "Provider disconnected from bridge successfully.");
        assert_eq!((body["data"]["message"].as_str(), body["data"]["bridge_slug"].as_str(), body["data"]["state"].as_str()),
            (Some("Provider disconnected successfully"), Some("sales-bridge-001"), Some("DRAFT")));
        let (_, body) = send(app.admin(Method::GET, NUMBERS)).await;
        assert_eq!((body["data"][0]["bridge_slug"].clone(), body["data"][0]["status"].as_str()), (Value::Null, Some("inactive")));

        // delete-bridge: 204 with no body, then the page's 404.
        let response = app.admin(Method::DELETE, &bridge_path("sales-bridge-001")).send().await.unwrap();
        assert_eq!(response.status(), 204);
        assert!(response.bytes().await.unwrap().is_empty());
        let (status, body) = send(app.admin(Method::GET, &bridge_path("sales-bridge-001"))).await;
        assert_eq!((status, body), (404, json!({"status_code": 404, "message": "Bridge not found."})));
        // Trailing slashes are optional here too.
        let (status, _) = send(app.admin(Method::GET, "/api/v2/platform/telephony/bridges")).await;
        assert_eq!(status, 200);
    }

    async fn slugs_are_unique_per_organization_and_never_change(app) {
        app.create_bridge("Sales", "sales").await;
        let (status, body) = send(app.admin(Method::POST, BRIDGES).json(&json!({"name": "Again", "slug": "sales"}))).await;
        assert_eq!(status, 409);
        assert_eq!(body, json!({"status_code": 409, "message": "Bridge creation failed.",
            "errors": {"slug": ["A bridge with this slug already exists."]}}));
        // Another organization may have the same slug.
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::POST, BRIDGES).json(&json!({"name": "Theirs", "slug": "sales"}))).await;
        assert_eq!(status, 201);

        for (body, field) in [
            (json!({"slug": "x"}), "name"),
            (json!({"name": "x"}), "slug"),
            (json!({"name": "x", "slug": "has space"}), "slug"),
            (json!({"name": "", "slug": "ok"}), "name"),
            (json!({"name": "x", "slug": "ok", "provider": "twilio"}), "provider"),
            (json!({"name": 5, "slug": "ok"}), "name"),
        ] {
            let (status, answer) = send(app.admin(Method::POST, BRIDGES).json(&body)).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(answer["message"], "Bridge creation failed.");
            assert!(answer["errors"][field].is_array(), "{answer}");
        }

        let (status, body) = send(app.admin(Method::PATCH, &bridge_path("sales")).json(&json!({"slug": "renamed"}))).await;
        assert_eq!(status, 400);
        assert_eq!(body["message"], "Bridge update failed.");
        assert!(body["errors"]["slug"][0].as_str().unwrap().contains("cannot be changed"));
        // Sending the slug unchanged is fine.
        let (status, _) = send(app.admin(Method::PATCH, &bridge_path("sales")).json(&json!({"slug": "sales", "name": "S"}))).await;
        assert_eq!(status, 200);
        // A path that cannot be a slug is an unknown bridge.
        let (status, _) = send(app.admin(Method::GET, &bridge_path("no%20such"))).await;
        assert_eq!(status, 404);
    }

    async fn connect_rules(app) {
        let sip = app.create_sip("a.example.com").await;
        let other_sip = app.create_sip("b.example.com").await;
        app.add_number(sip, "+14155550100").await;
        app.add_number(sip, "+14155550101").await;
        app.add_number(other_sip, "+14155550200").await;
        let theirs = app.create_sip_as(&app.other_admin, "globex", "c.example.com").await;
        app.create_bridge("One", "one").await;
        app.create_bridge("Two", "two").await;

        // The configuration must be the organization's: 400 naming the field.
        let (status, body) = app.connect("one", theirs, "+14155550100").await;
        assert_eq!(status, 400);
        assert_eq!(body, json!({"status_code": 400, "message": "Failed to connect provider.",
            "errors": {"provider_config_id": ["Provider configuration not found."]}}));
        // The number must belong to that configuration.
        let (status, body) = app.connect("one", sip, "+14155550200").await;
        assert_eq!(status, 400);
        assert!(body["errors"]["phone_number"][0].as_str().unwrap().contains("is not a number of provider configuration"), "{body}");
        let (status, _) = app.connect("one", sip, "+19995550000").await;
        assert_eq!(status, 400);
        // Bad input names every field.
        let (status, body) = send(app.admin(Method::POST, &connect_path("one")).json(&json!({"provider_config_id": "x", "phone_number": "123"}))).await;
        assert_eq!(status, 400);
        assert_eq!(keys(&body["errors"]), ["phone_number", "provider_config_id"]);

        let (status, _) = app.connect("one", sip, "+14155550100").await;
        assert_eq!(status, 200);
        // Again on the same bridge: nothing changes, same answer.
        let (status, body) = app.connect("one", sip, "+14155550100").await;
        assert_eq!((status, body["data"]["state"].as_str()), (200, Some("ACTIVE")));
        // A number sits on at most one bridge.
        let (status, body) = app.connect("two", sip, "+14155550100").await;
        assert_eq!(status, 409);
        assert_eq!(body["message"], "Failed to connect provider.");
        assert!(body["errors"]["phone_number"][0].as_str().unwrap().contains("already connected to bridge one"), "{body}");
        // A bridge connects to one configuration.
        let (status, body) = app.connect("one", other_sip, "+14155550200").await;
        assert_eq!(status, 409);
        assert!(body["errors"]["provider_config_id"][0].as_str().unwrap().contains(&format!("provider configuration {sip}")), "{body}");
        // Another number of the same configuration joins.
        let (status, _) = app.connect("one", sip, "+14155550101").await;
        assert_eq!(status, 200);
        let (_, body) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!(numbers_of(&body["data"]), [("+14155550100".to_owned(), "active".to_owned()), ("+14155550101".to_owned(), "active".to_owned())]);
        let (_, list) = send(app.admin(Method::GET, BRIDGES)).await;
        assert_eq!((list["data"][0]["provider"].as_str(), list["data"][1]["provider"].clone()), (Some("sip"), Value::Null));

        // disconnect: the page's reason when the number is not on this bridge.
        let (status, body) = send(app.admin(Method::POST, &disconnect_path("two")).json(&json!({"phone_number": "+14155550100"}))).await;
        assert_eq!(status, 400);
        assert_eq!(body, json!({"status_code": 400, "message": "Failed to disconnect provider.",
            "errors": {"phone_number": ["Phone number is not connected to this bridge"]}}));
        let (status, _) = send(app.admin(Method::POST, &disconnect_path("one")).json(&json!({}))).await;
        assert_eq!(status, 400);
        // Unknown bridges are 404 on both.
        let (status, _) = app.connect("nope", sip, "+14155550100").await;
        assert_eq!(status, 404);
        let (status, _) = send(app.admin(Method::POST, &disconnect_path("nope")).json(&json!({"phone_number": "+14155550100"}))).await;
        assert_eq!(status, 404);
    }

    async fn deleting_what_is_attached_is_refused_unless_forced(app) {
        let sip = app.create_sip("a.example.com").await;
        app.add_number(sip, "+14155550100").await;
        app.create_bridge("One", "one").await;
        app.connect("one", sip, "+14155550100").await;

        // A bridge with numbers: 409 naming them; nothing changes.
        let (status, body) = send(app.admin(Method::DELETE, &bridge_path("one"))).await;
        assert_eq!(status, 409);
        assert_eq!(body["errors"]["numbers"], json!(["+14155550100 is connected to this bridge."]));
        let (status, _) = send(app.admin(Method::DELETE, &format!("{}?force=maybe", bridge_path("one")))).await;
        assert_eq!(status, 400);
        // A configuration whose numbers are on a bridge: 409 naming the number and the bridge.
        let (status, body) = send(app.admin(Method::DELETE, &config_path(sip))).await;
        assert_eq!(status, 409);
        assert_eq!(body["errors"]["numbers"], json!(["+14155550100 is connected to bridge one."]));
        let (_, body) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!(numbers_of(&body["data"]).len(), 1);

        // Forced, the configuration goes with its numbers; the bridge is a draft again.
        let (status, _) = send(app.admin(Method::DELETE, &format!("{}?force=true", config_path(sip)))).await;
        assert_eq!(status, 204);
        let (_, body) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!((body["data"]["numbers"].clone(), body["data"]["state"].as_str(), body["data"]["provider"].clone()), (json!([]), Some("DRAFT"), Value::Null));
        let (_, numbers) = send(app.admin(Method::GET, NUMBERS)).await;
        assert_eq!(numbers["data"], json!([]));

        // Forced, a bridge with numbers goes and its numbers stay, unassigned.
        let sip = app.create_sip("b.example.com").await;
        app.add_number(sip, "+14155550101").await;
        app.connect("one", sip, "+14155550101").await;
        let (status, _) = send(app.admin(Method::DELETE, &format!("{}?force=true", bridge_path("one")))).await;
        assert_eq!(status, 204);
        let (_, numbers) = send(app.admin(Method::GET, NUMBERS)).await;
        assert_eq!((numbers["data"][0]["number"].as_str(), numbers["data"][0]["bridge_slug"].clone()), (Some("+14155550101"), Value::Null));
    }

    async fn other_organizations_and_viewers(app) {
        let sip = app.create_sip("a.example.com").await;
        app.add_number(sip, "+14155550100").await;
        app.create_bridge("Ours", "ours").await;
        app.connect("ours", sip, "+14155550100").await;

        // Another organization's slug is a plain 404 on every bridge endpoint.
        let theirs = |m: Method, p: &str| app.as_(&app.other_admin, "globex", m, p);
        for (method, path, body) in [
            (Method::GET, bridge_path("ours"), None),
            (Method::PATCH, bridge_path("ours"), Some(json!({"name": "x"}))),
            (Method::DELETE, bridge_path("ours"), None),
            (Method::POST, connect_path("ours"), Some(json!({"provider_config_id": sip, "phone_number": "+14155550100"}))),
            (Method::POST, disconnect_path("ours"), Some(json!({"phone_number": "+14155550100"}))),
        ] {
            let request = theirs(method.clone(), &path);
            let request = match body { Some(b) => request.json(&b), None => request };
            let (status, answer) = send(request).await;
            assert_eq!((status, answer["message"].as_str()), (404, Some("Bridge not found.")), "{method} {path}");
        }
        let (_, list) = send(theirs(Method::GET, BRIDGES)).await;
        assert_eq!(list["count"], 0);
        let (_, numbers) = send(theirs(Method::GET, NUMBERS)).await;
        assert_eq!(numbers["data"], json!([]));

        // A viewer reads, and writes nothing.
        let viewer = |m: Method, p: &str| app.as_(&app.viewer, "acme", m, p);
        let (status, _) = send(viewer(Method::GET, &bridge_path("ours"))).await;
        assert_eq!(status, 200);
        for (method, path, body) in [
            (Method::POST, BRIDGES.to_owned(), json!({"name": "V", "slug": "v"})),
            (Method::PATCH, bridge_path("ours"), json!({"name": "V"})),
            (Method::POST, disconnect_path("ours"), json!({"phone_number": "+14155550100"})),
            (Method::POST, connect_path("ours"), json!({"provider_config_id": sip, "phone_number": "+14155550100"})),
        ] {
            let (status, _) = send(viewer(method.clone(), &path).json(&body)).await;
            assert_eq!(status, 403, "{method} {path}");
        }
        let (status, _) = send(viewer(Method::DELETE, &bridge_path("ours"))).await;
        assert_eq!(status, 403);
        let (_, body) = send(app.admin(Method::GET, &bridge_path("ours"))).await;
        assert_eq!((body["data"]["name"].as_str(), numbers_of(&body["data"]).len()), (Some("Ours"), 1));
    }

    async fn etags_audit_and_idempotent_creates(app) {
        // Idempotency-Key: the retry gets the first answer, and there is one bridge.
        let create = || app.admin(Method::POST, BRIDGES).header("Idempotency-Key", "bridge-1").json(&json!({"name": "B", "slug": "b"}));
        let first = create().send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first: Value = first.json().await.unwrap();
        let again = create().send().await.unwrap();
        assert_eq!((again.status().as_u16(), again.headers().get("idempotent-replayed").is_some()), (201, true));
        assert_eq!(again.json::<Value>().await.unwrap(), first);
        let (_, list) = send(app.admin(Method::GET, BRIDGES)).await;
        assert_eq!(list["count"], 1);

        // ETag / If-Match: a stale version is a 412 and changes nothing.
        let (_, etag, _) = send_with_etag(app.admin(Method::GET, &bridge_path("b"))).await;
        let etag = etag.unwrap();
        let (status, _, body) = send_with_etag(app.admin(Method::PATCH, &bridge_path("b")).header("If-Match", &etag).json(&json!({"name": "B2"}))).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["name"], "B2");
        let (status, _) = send(app.admin(Method::PATCH, &bridge_path("b")).header("If-Match", &etag).json(&json!({"name": "B3"}))).await;
        assert_eq!(status, 412);
        // The body is judged first (RFC 9110 §13.2.1): a bad body under a stale tag is its 400.
        let (status, body) = send(app.admin(Method::PATCH, &bridge_path("b")).header("If-Match", &etag).json(&json!({"name": {}}))).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"]["name"][0], "Must be a string.");
        let (status, _) = send(app.admin(Method::DELETE, &bridge_path("b")).header("If-Match", &etag)).await;
        assert_eq!(status, 412);
        let sip = app.create_sip("a.example.com").await;
        app.add_number(sip, "+14155550100").await;
        let (status, _) = send(app.admin(Method::POST, &connect_path("b")).header("If-Match", &etag)
            .json(&json!({"provider_config_id": sip, "phone_number": "+14155550100"}))).await;
        assert_eq!(status, 412);
        let (status, etag_after, _) = send_with_etag(app.admin(Method::POST, &connect_path("b"))
            .json(&json!({"provider_config_id": sip, "phone_number": "+14155550100"}))).await;
        assert_eq!(status, 200);
        assert_ne!(etag_after.unwrap(), etag, "a connect is a change of the bridge");
        send(app.admin(Method::POST, &disconnect_path("b")).json(&json!({"phone_number": "+14155550100"}))).await;
        let (status, _) = send(app.admin(Method::DELETE, &bridge_path("b"))).await;
        assert_eq!(status, 204);

        // Every change is in the audit trail, as bridge events.
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_type=bridge")).await;
        let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["bridge.deleted", "bridge.number_disconnected", "bridge.number_connected", "bridge.updated", "bridge.created"]);
        let bridge_id = first["data"]["id"].to_string();
        assert!(audit["data"].as_array().unwrap().iter().all(|e| e["resource_id"] == bridge_id.as_str()), "{audit}");
    }

    async fn a_number_raced_onto_many_bridges_lands_on_one(app) {
        let sip = app.create_sip("a.example.com").await;
        app.add_number(sip, "+14155550100").await;
        let slugs: Vec<String> = (0..6).map(|i| format!("race-{i}")).collect();
        for slug in &slugs {
            app.create_bridge(slug, slug).await;
        }
        let requests = slugs.iter().map(|slug| {
            send(app.admin(Method::POST, &connect_path(slug))
                .json(&json!({"provider_config_id": sip, "phone_number": "+14155550100"})))
        });
        let answers = join_all(requests).await;
        let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
        let (_, list) = send(app.admin(Method::GET, BRIDGES)).await;
        let on: usize = list["data"].as_array().unwrap().iter().map(|b| b["numbers"].as_array().unwrap().len()).sum();
        assert_eq!(on, 1);
    }

    async fn every_endpoint_answers_auth_errors_in_the_envelope(app) {
        let endpoints = [
            (Method::GET, NUMBERS.to_owned()),
            (Method::POST, NUMBERS.to_owned()),
            (Method::GET, format!("{NUMBERS}1/")),
            (Method::DELETE, format!("{NUMBERS}1/")),
            (Method::GET, BRIDGES.to_owned()),
            (Method::POST, BRIDGES.to_owned()),
            (Method::GET, bridge_path("b")),
            (Method::PATCH, bridge_path("b")),
            (Method::DELETE, bridge_path("b")),
            (Method::POST, connect_path("b")),
            (Method::POST, disconnect_path("b")),
            (Method::GET, format!("{}available-numbers/", config_path(1))),
            (Method::POST, format!("{}import-numbers/", config_path(1))),
        ];
        for (method, path) in endpoints {
            let (status, body) = send(app.bare(method.clone(), &path).header("Org-Handle", "acme").json(&json!({}))).await;
            assert_eq!((status, body["message"].as_str()), (401, Some("Authentication credentials were not provided.")), "{method} {path}");
            let (status, body) = send(app.bare(method.clone(), &path)
                .header("Authorization", format!("Token {}", app.admin)).json(&json!({}))).await;
            assert_eq!((status, body["message"].as_str()), (400, Some("Org-Handle header is required.")), "{method} {path}");
            let (status, _) = send(app.as_(&app.admin, "globex", method.clone(), &path).json(&json!({}))).await;
            assert_eq!(status, 403, "{method} {path}");
        }
        // Malformed JSON is a 400 in the envelope, not a framework's text.
        let (status, body) = send(app.admin(Method::POST, BRIDGES).header("Content-Type", "application/json").body("{nope")).await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().starts_with("JSON parse error"));
        let (status, _) = send(app.admin(Method::POST, BRIDGES).body("name=x")).await;
        assert_eq!(status, 415);
    }
}
