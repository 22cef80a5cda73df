//! The providers-configurations API (v2) over HTTP, on every backend: the seed pages' examples,
//! the error matrix, tenant isolation, and secrets handling.

use crate::support::{
    self, CONFIGS, CONFIGS_UNVERIFIED, PLIVO_ID, TWILIO_SID, TWILIO_SID_2, TestApp, both_backends, config_path,
    join_all, process, send, store,
};
use patchbay::storage::ConfigurationKey;
use reqwest::Method;
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

fn is_page_timestamp(s: &Value) -> bool {
    let s = s.as_str().unwrap();
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

/// Every configuration endpoint, as (method, path) for a given id.
fn config_endpoints(id: &str) -> Vec<(Method, String)> {
    vec![
        (Method::GET, config_path(id)),
        (Method::PATCH, config_path(id)),
        (Method::DELETE, config_path(id)),
    ]
}

async fn assert_untouched(app: &TestApp, id: i64, sid: &str) {
    let (status, body) = send(app.admin(Method::GET, &config_path(id))).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["account_sid"], sid);
}

both_backends! {
    // ---- the seed pages -----------------------------------------------------------------

    async fn seed_create_then_list_get_patch(app) {
        // 001: create (with a well-formed SID; the page's placeholder is not one). The account
        // exists at the Twilio stand-in, so the live check passes.
        app.twilio.put_account(TWILIO_SID, "your_auth_token");
        let (status, body) = send(app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "your_auth_token"}))).await;
        assert_eq!(status, 201);
        assert_eq!(keys(&body), ["data", "message", "status_code"]);
        assert_eq!(body["status_code"], 201);
        assert_eq!(body["message"], "Provider configuration created successfully.");
        let data = &body["data"];
        assert!(data["id"].is_i64());
        assert_eq!(data["provider"], "twilio");
        assert_eq!(data["account_sid"], TWILIO_SID);
        assert!(is_page_timestamp(&data["created_at"]), "{}", data["created_at"]);
        assert!(data.get("auth_token").is_none());
        let id = data["id"].as_i64().unwrap();

        let (_, plivo) = send(app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": "plivo", "account_sid": PLIVO_ID, "auth_token": "p"}))).await;

        // 003: list.
        let (status, body) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Provider configurations fetched successfully.");
        assert_eq!(body["status_code"], 200);
        assert_eq!(body["count"], 2);
        let data = body["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!((data[0]["id"].as_i64().unwrap(), data[0]["provider"].as_str().unwrap()), (id, "twilio"));
        assert_eq!(data[1]["provider"], "plivo");
        assert_eq!(data[1]["id"], plivo["data"]["id"]);
        for item in data {
            for field in ["id", "provider", "account_sid", "created_at"] {
                assert!(item.get(field).is_some(), "{field} missing");
            }
        }

        // Get by id.
        let (status, body) = send(app.admin(Method::GET, &config_path(id))).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Provider configuration fetched successfully.");
        assert_eq!(body["data"]["id"], id);

        // 000: patch rotates the token and nothing else (rotated at Twilio first, as a user would).
        app.twilio.set_auth_token(TWILIO_SID, "new_auth_token");
        let before = body["data"].clone();
        let (status, body) = send(app.admin(Method::PATCH, &config_path(id)).json(&json!({"auth_token": "new_auth_token"}))).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Provider configuration updated successfully.");
        assert_eq!(body["status_code"], 200);
        for field in ["id", "provider", "account_sid", "created_at", "name"] {
            assert_eq!(body["data"][field], before[field], "{field}");
        }
        let secrets = store::stored_secrets(&app.app, &app.org, ConfigurationKey::Id(id)).await;
        use secrecy::ExposeSecret as _;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), "new_auth_token");
    }

    async fn bearer_scheme_and_trailing_slash_and_singular_spelling(app) {
        let data = app.create_twilio(TWILIO_SID, "t").await;
        let id = data["id"].as_i64().unwrap();
        for path in [
            format!("/api/v2/platform/telephony/providers-configurations/{id}"),
            format!("/api/v2/platform/telephony/provider-configurations/{id}/"),
            format!("/api/v2/platform/telephony/provider-configurations/{id}"),
        ] {
            let (status, body) = send(app.bare(Method::GET, &path)
                .header("Authorization", format!("Bearer {}", app.admin)).header("Org-Handle", "acme")).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(body["data"]["id"], id);
        }
        let (status, body) = send(app.admin(Method::GET, "/api/v2/platform/telephony/provider-configurations")).await;
        assert_eq!((status, body["count"].as_i64()), (200, Some(1)));
    }

    async fn organizations_and_catalogue(app) {
        // The organizations list needs no Org-Handle: it is how a client finds its handle.
        let (status, body) = send(app.bare(Method::GET, "/api/v2/platform/organizations/")
            .header("Authorization", format!("Token {}", app.admin))).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Organizations fetched successfully");
        assert_eq!(body["count"], 1);
        let org = &body["data"][0];
        assert_eq!(keys(org), ["created_at", "domain_handle", "id", "name"]);
        assert_eq!((org["domain_handle"].as_str(), org["name"].as_str()), (Some("acme"), Some("Acme Voice")));

        let (status, body) = send(app.admin(Method::GET, "/api/v2/platform/telephony/providers/")).await;
        assert_eq!(status, 200);
        assert_eq!(body["message"], "Voice infra providers fetched successfully.");
        let slugs: Vec<(i64, &str)> = body["data"].as_array().unwrap().iter()
            .map(|p| (p["id"].as_i64().unwrap(), p["slug"].as_str().unwrap())).collect();
        assert_eq!(slugs, [(1, "twilio"), (2, "plivo"), (3, "telnyx"), (4, "vonage"), (5, "exotel"), (6, "signalwire"), (7, "sip")]);
        let signalwire = &body["data"][5];
        assert_eq!(signalwire["extra_fields"][0]["name"], "space_url");
        assert_eq!(signalwire["extra_fields"][0]["required"], true);
        assert_eq!(body["data"][0]["auth_token"]["secret"], true);
    }

    async fn provider_by_numeric_id_and_extra_fields(app) {
        let (status, body) = send(app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": 2, "account_sid": PLIVO_ID, "auth_token": "t", "name": "Plivo EU"}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!((body["data"]["provider"].as_str(), body["data"]["name"].as_str()), (Some("plivo"), Some("Plivo EU")));

        let (status, body) = send(app.admin(Method::POST, CONFIGS).json(&json!({
            "provider": "signalwire", "account_sid": "0d3c4e5f-0000-4000-8000-000000000001",
            "auth_token": "PTsecret", "space_url": "example.signalwire.com"}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["data"]["space_url"], "example.signalwire.com");

        // sip: the account id is derived when omitted; defaults are applied and shown.
        let (status, body) = send(app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": "sip", "host": "sip.example.com", "transport": "tls", "auth_token": "pw"}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["data"]["account_sid"], "sip.example.com:5060/tls");
        assert_eq!(body["data"]["verification_status"], "verified", "checked syntactically, never probed");
        assert_eq!(body["data"]["port"], "5060");
        assert!(body["data"].get("auth_token").is_none());

        let (_, list) = send(app.admin(Method::GET, &format!("{CONFIGS}?provider=sip"))).await;
        assert_eq!(list["count"], 1);
    }

    // ---- errors ---------------------------------------------------------------------------

    async fn authentication_errors(app) {
        let (status, body) = send(app.bare(Method::GET, CONFIGS).header("Org-Handle", "acme")).await;
        assert_eq!(status, 401);
        assert_eq!(body, json!({"status_code": 401, "message": "Authentication credentials were not provided."}));

        let revoked = {
            let (record, token) = app.app.create_token(&app.org, patchbay::domain::access::Role::Admin, None, None).await.unwrap();
            process::revoke_token(&app.database_url, record.id);
            token.expose().to_owned()
        };
        let expired = {
            let past = chrono::Utc::now() - chrono::Duration::seconds(1);
            let (_, token) = app.app.create_token(&app.org, patchbay::domain::access::Role::Admin, None, Some(past)).await.unwrap();
            token.expose().to_owned()
        };
        let unknown = format!("pbk_{}", "A".repeat(43));
        for header in [
            format!("Token {unknown}"), format!("Token {revoked}"), format!("Token {expired}"),
            "Token".to_owned(), "Basic dXNlcjpwYXNz".to_owned(), format!("Token {}x", app.admin), "Token ".to_owned(),
        ] {
            let (status, body) = send(app.bare(Method::GET, CONFIGS).header("Authorization", &header).header("Org-Handle", "acme")).await;
            assert_eq!(status, 401, "{header}");
            assert_eq!(body["status_code"], 401);
            assert_eq!(body["message"], "Invalid token.");
        }
    }

    async fn org_handle_errors(app) {
        let (status, body) = send(app.bare(Method::GET, CONFIGS).header("Authorization", format!("Token {}", app.admin))).await;
        assert_eq!(status, 400);
        assert_eq!(body, json!({"status_code": 400, "message": "Org-Handle header is required."}));
        // A handle that does not exist and one that exists but is not the caller's: same answer.
        let (s1, b1) = send(app.as_(&app.admin, "no-such-org", Method::GET, CONFIGS)).await;
        let (s2, b2) = send(app.as_(&app.admin, "globex", Method::GET, CONFIGS)).await;
        assert_eq!((s1, s2), (403, 403));
        assert_eq!(b1, b2);
        assert_eq!(b1["status_code"], 403);
    }

    async fn viewers_read_but_do_not_write(app) {
        let data = app.create_twilio(TWILIO_SID, "t").await;
        let id = data["id"].as_i64().unwrap();
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, &config_path(id))).await;
        assert_eq!(status, 200);
        let writes = [
            app.as_(&app.viewer, "acme", Method::POST, CONFIGS).json(&json!({"provider": "twilio", "account_sid": TWILIO_SID_2, "auth_token": "x"})),
            app.as_(&app.viewer, "acme", Method::PATCH, &config_path(id)).json(&json!({"auth_token": "x"})),
            app.as_(&app.viewer, "acme", Method::DELETE, &config_path(id)),
        ];
        for request in writes {
            let (status, body) = send(request).await;
            assert_eq!(status, 403);
            assert_eq!(body["message"], "You do not have permission to perform this action.");
        }
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 1);
    }

    async fn not_found_for_missing_foreign_and_non_numeric_ids(app) {
        let theirs = {
            let (status, body) = send(app.as_(&app.other_admin, "globex", Method::POST, CONFIGS_UNVERIFIED)
                .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "theirs"}))).await;
            assert_eq!(status, 201);
            body["data"]["id"].as_i64().unwrap()
        };
        let expected = json!({"status_code": 404, "message": "Provider configuration not found."});
        for id in [theirs.to_string(), "999999".into(), "abc".into(), "-1".into(), "0".into(), "1.5".into(), "99999999999999999999".into()] {
            for (method, path) in config_endpoints(&id) {
                let mut request = app.admin(method.clone(), &path);
                if method == Method::PATCH {
                    request = request.json(&json!({"auth_token": "mine"}));
                }
                let (status, body) = send(request).await;
                assert_eq!((status, &body), (404, &expected), "{method} {path}");
            }
        }
        // Theirs is untouched.
        let (status, body) = send(app.as_(&app.other_admin, "globex", Method::GET, &config_path(theirs))).await;
        assert_eq!((status, body["data"]["account_sid"].as_str()), (200, Some(TWILIO_SID)));
    }

    async fn validation_errors_name_each_field(app) {
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (json!({}), vec!["provider"]),
            (json!({"provider": "twilio"}), vec!["account_sid", "auth_token"]),
            (json!({"provider": "twillio", "account_sid": TWILIO_SID, "auth_token": "x"}), vec!["provider"]),
            (json!({"provider": "twilio", "account_sid": "ACxxxxxxxxxxxxxxxx", "auth_token": "x"}), vec!["account_sid"]),
            (json!({"provider": "plivo", "account_sid": "mayyyyyyyyyyyyyyyyyy", "auth_token": "x"}), vec!["account_sid"]),
            (json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_tokn": "x"}), vec!["auth_token", "auth_tokn"]),
            (json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": ""}), vec!["auth_token"]),
            (json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "x".repeat(256)}), vec!["auth_token"]),
            (json!({"provider": "twilio", "account_sid": 5, "auth_token": ["x"]}), vec!["account_sid", "auth_token"]),
            (json!({"provider": true, "account_sid": TWILIO_SID, "auth_token": "x"}), vec!["provider"]),
            (json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "x", "name": "n".repeat(101)}), vec!["name"]),
            (json!({"provider": "sip", "port": "70000"}), vec!["host", "port"]),
        ];
        for (body, fields) in cases {
            let (status, answer) = send(app.admin(Method::POST, CONFIGS).json(&body)).await;
            assert_eq!(status, 400, "{body} -> {answer}");
            assert_eq!(answer["status_code"], 400);
            assert_eq!(keys(&answer["errors"]), fields, "{body} -> {answer}");
        }
        let (_, answer) = send(app.admin(Method::POST, CONFIGS).json(&json!({"provider": "twillio"}))).await;
        assert!(answer["errors"]["provider"][0].as_str().unwrap().contains("twilio, plivo, telnyx, vonage, exotel, signalwire, sip"));

        // Malformed JSON, a non-object, wrong content type, too large: the envelope every time.
        for (body, content_type, expected) in [
            ("{\"provider\": ", "application/json", 400),
            ("[1, 2]", "application/json", 400),
            ("provider=twilio", "application/x-www-form-urlencoded", 415),
            ("{}", "text/plain", 415),
        ] {
            let (status, answer) = send(app.admin(Method::POST, CONFIGS).header("Content-Type", content_type).body(body)).await;
            assert_eq!((status, answer["status_code"].as_u64()), (expected, Some(expected as u64)), "{body}");
            assert!(answer["message"].is_string());
        }
        let (status, answer) = send(app.admin(Method::POST, CONFIGS).header("Content-Type", "application/json").body(" ".repeat(70 * 1024))).await;
        assert_eq!((status, answer["status_code"].as_u64()), (413, Some(413)));
        let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 0, "no half-written rows");
    }

    async fn patch_validation(app) {
        let data = app.create_twilio(TWILIO_SID, "t").await;
        let id = data["id"].as_i64().unwrap();
        for (body, field) in [
            (json!({"auth_tokn": "x"}), "auth_tokn"),
            (json!({"account_sid": "AC123"}), "account_sid"),
            (json!({"auth_token": null}), "auth_token"),
            (json!({"auth_token": 42}), "auth_token"),
            (json!({"provider": "plivo"}), "provider"),
        ] {
            let (status, answer) = send(app.admin(Method::PATCH, &config_path(id)).json(&body)).await;
            assert_eq!(status, 400, "{body}");
            assert!(answer["errors"][field].is_array(), "{body} -> {answer}");
        }
        assert_untouched(&app, id, TWILIO_SID).await;

        // Only the fields sent change.
        let (status, answer) = send(app.admin(Method::PATCH, &config_path(id)).json(&json!({"name": "Main"}))).await;
        assert_eq!(status, 200);
        assert_eq!((answer["data"]["name"].as_str(), answer["data"]["account_sid"].as_str()), (Some("Main"), Some(TWILIO_SID)));
        let (status, answer) = send(app.admin(Method::PATCH, &format!("{}?verify=false", config_path(id))).json(&json!({"account_sid": TWILIO_SID_2}))).await;
        assert_eq!(status, 200);
        assert_eq!((answer["data"]["name"].as_str(), answer["data"]["account_sid"].as_str()), (Some("Main"), Some(TWILIO_SID_2)));
    }

    async fn method_not_allowed_and_unknown_paths(app) {
        let (status, body) = send(app.admin(Method::PUT, CONFIGS).json(&json!({}))).await;
        assert_eq!((status, body["status_code"].as_u64()), (405, Some(405)));
        let (status, body) = send(app.admin(Method::POST, &config_path(1)).json(&json!({}))).await;
        assert_eq!((status, body["status_code"].as_u64()), (405, Some(405)));
        let (status, body) = send(app.admin(Method::GET, "/api/v2/nothing-here/")).await;
        assert_eq!((status, body["status_code"].as_u64()), (404, Some(404)));
    }

    async fn duplicates_conflict_on_create_and_patch(app) {
        let first = app.create_twilio(TWILIO_SID, "a").await;
        let (status, body) = send(app.admin(Method::POST, CONFIGS)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "b"}))).await;
        assert_eq!(status, 409);
        assert_eq!(body, json!({"status_code": 409, "message": "Configuration already exists"}));

        let second = app.create_twilio(TWILIO_SID_2, "c").await;
        let (status, body) = send(app.admin(Method::PATCH, &config_path(&second["id"])).json(&json!({"account_sid": TWILIO_SID}))).await;
        assert_eq!((status, body["message"].as_str()), (409, Some("Configuration already exists")));
        assert_untouched(&app, second["id"].as_i64().unwrap(), TWILIO_SID_2).await;

        // Another organization may hold the same account.
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": "d"}))).await;
        assert_eq!(status, 201);
        assert_eq!(first["provider"], "twilio");
    }

    async fn racing_duplicate_creates_have_one_winner(app) {
        let requests = (0..8).map(|i| send(app.admin(Method::POST, CONFIGS_UNVERIFIED)
            .json(&json!({"provider": "twilio", "account_sid": TWILIO_SID, "auth_token": format!("t{i}")}))));
        let statuses: Vec<u16> = join_all(requests).await.into_iter().map(|(s, _)| s).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    }

    async fn delete_then_gone(app) {
        let data = app.create_twilio(TWILIO_SID, "t").await;
        let path = config_path(&data["id"]);
        let response = app.admin(Method::DELETE, &path).send().await.unwrap();
        assert_eq!(response.status(), 204);
        assert!(response.bytes().await.unwrap().is_empty());
        let (status, _) = send(app.admin(Method::GET, &path)).await;
        assert_eq!(status, 404);
        let (status, _) = send(app.admin(Method::DELETE, &path)).await;
        assert_eq!(status, 404);
        // The account can be added again.
        app.create_twilio(TWILIO_SID, "t2").await;
    }

    async fn paging_and_filter(app) {
        for i in 0..5 {
            let sid = format!("AC{:032x}", i + 1);
            app.create_twilio(&sid, "t").await;
        }
        send(app.admin(Method::POST, CONFIGS).json(&json!({"provider": "plivo", "account_sid": PLIVO_ID, "auth_token": "p"}))).await;
        let (_, all) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!((all["count"].as_i64(), all["data"].as_array().unwrap().len()), (Some(6), 6));
        let (_, page) = send(app.admin(Method::GET, &format!("{CONFIGS}?page=2&page_size=2"))).await;
        assert_eq!(page["count"], 6);
        assert_eq!(page["data"].as_array().unwrap().len(), 2);
        assert_eq!(page["data"][0]["id"], all["data"][2]["id"]);
        let (_, last) = send(app.admin(Method::GET, &format!("{CONFIGS}?page=2&page_size=5&provider=twilio"))).await;
        assert_eq!((last["count"].as_i64(), last["data"].as_array().unwrap().len()), (Some(5), 0));
        for bad in ["?page=0", "?page_size=1001", "?page=x", "?provider=nope"] {
            let (status, body) = send(app.admin(Method::GET, &format!("{CONFIGS}{bad}"))).await;
            assert_eq!((status, body["status_code"].as_u64()), (400, Some(400)), "{bad}");
        }
    }

    async fn if_match_guards_writes(app) {
        let data = app.create_twilio(TWILIO_SID, "t").await;
        let path = config_path(&data["id"]);
        let etag = app.admin(Method::GET, &path).send().await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
        let (status, _) = send(app.admin(Method::PATCH, &path).header("If-Match", &etag).json(&json!({"name": "a"}))).await;
        assert_eq!(status, 200);
        let (status, body) = send(app.admin(Method::PATCH, &path).header("If-Match", &etag).json(&json!({"name": "b"}))).await;
        assert_eq!((status, body["status_code"].as_u64()), (412, Some(412)));
        let (status, _) = send(app.admin(Method::DELETE, &path).header("If-Match", &etag)).await;
        assert_eq!(status, 412);
        // Preconditions are judged once the request is otherwise valid (RFC 9110 §13.2.1): a
        // bad body is a 400 whatever the If-Match; a malformed If-Match matches nothing.
        let (status, body) = send(app.admin(Method::PATCH, &path).header("If-Match", &etag).json(&json!({"name": ""}))).await;
        assert_eq!(status, 400, "{body}");
        let (status, _) = send(app.admin(Method::PATCH, &path).header("If-Match", "").body("not json")).await;
        assert_ne!(status, 412);
        let (status, _) = send(app.admin(Method::PATCH, &path).header("If-Match", "garbage").json(&json!({"name": "c"}))).await;
        assert_eq!(status, 412);
        let (_, now) = send(app.admin(Method::GET, &path)).await;
        assert_eq!(now["data"]["name"], "a");
    }

    // ---- tenancy --------------------------------------------------------------------------

    async fn other_tenants_can_neither_see_nor_change(app) {
        let mine = app.create_twilio(TWILIO_SID, "mine").await;
        let id = mine["id"].as_i64().unwrap();
        let (_, list) = send(app.as_(&app.other_admin, "globex", Method::GET, CONFIGS)).await;
        assert_eq!(list["count"], 0);
        // Their token with their handle: our id is the same 404 as a missing one (README). Their
        // token with our handle, or ours with theirs: the Org-Handle is not the caller's, 403.
        let missing = json!({"status_code": 404, "message": "Provider configuration not found."});
        let (_, not_theirs) = send(app.as_(&app.other_admin, "acme", Method::GET, CONFIGS)).await;
        for (token, handle, expected) in [(&app.other_admin, "globex", (404, &missing)), (&app.other_admin, "acme", (403, &not_theirs)), (&app.admin, "globex", (403, &not_theirs))] {
            for (method, path) in config_endpoints(&id.to_string()) {
                let mut request = app.as_(token, handle, method.clone(), &path);
                if method == Method::PATCH {
                    request = request.json(&json!({"auth_token": "stolen"}));
                }
                let (status, body) = send(request).await;
                assert_eq!((status, &body), expected, "{method} {path} as {handle}");
            }
        }
        assert_eq!(not_theirs["status_code"], 403, "{not_theirs}");
        use secrecy::ExposeSecret as _;
        assert_eq!(store::stored_secrets(&app.app, &app.org, ConfigurationKey::Id(id)).await.get("auth_token").unwrap().expose_secret(), "mine");
    }

    // ---- secrets ---------------------------------------------------------------------------

    async fn secrets_never_leave_and_are_bound_to_their_row(app) {
        let token = "tok_e2c9d0f1b7a84cbbb3f7deadbeef0001";
        let a = app.create_twilio(TWILIO_SID, token).await;
        let b = app.create_twilio(TWILIO_SID_2, "other-secret-value").await;
        for path in [CONFIGS.to_owned(), config_path(&a["id"])] {
            let response = app.admin(Method::GET, &path).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}: the answer must be the one holding the row");
            let text = response.text().await.unwrap();
            assert!(text.contains(TWILIO_SID), "{path}: {text}");
            assert!(!text.contains(token));
        }
        // Copying a's ciphertext into b's row must not give b a's secret.
        let (ida, idb) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
        let (ra, rb) = store::copy_sealed_secrets(&app.app, &app.org, ida, idb).await;
        assert!(app.app.open_secrets(&rb).is_err(), "a moved ciphertext must fail to open");
        assert!(app.app.open_secrets(&ra).is_ok());
    }
}

/// The SQLite file never holds a secret in the clear.
#[tokio::test]
async fn sqlite_file_holds_no_plaintext_secret() {
    let app = support::spawn_app(support::Backend::Sqlite).await.unwrap();
    let token = "plaintext-canary-4f6a1c2e9b";
    app.create_twilio(TWILIO_SID, token).await;
    let path = app.database_url.trim_start_matches("sqlite://").to_owned();
    store::close_database(&app.app).await;
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    assert!(
        bytes.windows(TWILIO_SID.len()).any(|w| w == TWILIO_SID.as_bytes()),
        "the row is there"
    );
    assert!(
        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
        "but not its secret"
    );
}
