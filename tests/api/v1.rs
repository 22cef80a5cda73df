//! The v1 Twilio provider API over HTTP, on every backend, against the stateful Twilio stand-in:
//! provisioning and its rollback, updates, rotation, numbers, verification, deletion,
//! cross-family visibility, tenant isolation, RFC 7807 errors, and saga recovery.

use crate::support::v1::{CREATE, PROVIDERS, account, create, import, is_utc_z, item, problem, v1, v1_as};
use crate::support::{CONFIGS, PLIVO_ID, TWILIO_SID, TestApp, both_backends, send, store};
use patchbay::carriers::TwilioAuth;
use patchbay::carriers::twilio::NewTrunk;
use patchbay::domain::configuration::SecretFields;
use patchbay::domain::twilio::Stage;
use patchbay::service::provisioning::RECOVER_AFTER;
use patchbay::storage::{ConfigurationKey, ProvisioningRecord};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use standin::Fault;
use standin::twilio::routes;

/// The page's field order.
const FIELDS: [&str; 13] = [
    "name",
    "providerType",
    "accountSid",
    "id",
    "verificationStatus",
    "lastVerifiedAt",
    "phoneNumberCount",
    "verificationDetails",
    "trunkSid",
    "terminationUri",
    "region",
    "supportsCallTransfer",
    // (sentinel, never present)
    "authToken",
];

async fn stored_secrets(app: &TestApp, id: &str) -> SecretFields {
    let uuid = uuid::Uuid::parse_str(id).unwrap();
    store::stored_secrets(&app.app, &app.org, ConfigurationKey::Uuid(uuid)).await
}

async fn open_journals(app: &TestApp) -> usize {
    store::open_provisioning_journals(&app.app).await
}

both_backends! {
    async fn if_match_guards_put_rotation_and_delete(app) {
        let (created, sid, _) = create(&app, json!({"name": "a"})).await;
        let path = item(created["id"].as_str().unwrap());
        let etag = v1(&app, Method::GET, &path).send().await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
        let put = v1(&app, Method::PUT, &path).header("If-Match", &etag).json(&json!({"name": "b"})).send().await.unwrap();
        assert_eq!(put.status(), 200);
        assert_ne!(put.headers()["etag"].to_str().unwrap(), etag, "the version moved");
        // The old ETag is stale now: nothing changes, here or at Twilio.
        let trunk_before = app.twilio.trunks()[0].clone();
        problem(v1(&app, Method::PUT, &path).header("If-Match", &etag).json(&json!({"name": "c"})), 412, &path).await;
        assert_eq!(app.twilio.trunks()[0].friendly_name, trunk_before.friendly_name);
        let token = standin::random_hex(32);
        app.twilio.set_auth_token(&sid, &token);
        problem(v1(&app, Method::PATCH, &format!("{path}/auth-token")).header("If-Match", &etag).json(&json!({"authToken": token})), 412, &format!("{path}/auth-token")).await;
        problem(v1(&app, Method::DELETE, &path).header("If-Match", &etag), 412, &path).await;
        assert_eq!(app.twilio.trunks().len(), 1, "a stale delete tears nothing down");
        let (_, now) = send(v1(&app, Method::GET, &path)).await;
        assert_eq!(now["name"], "b");
    }

    async fn create_provisions_trunk_and_matches_the_page(app) {
        let (sid, token) = account(&app);
        let response = v1(&app, Method::POST, CREATE)
            .json(&json!({"accountSid": sid, "authToken": token, "name": "Main line",
                          "region": "ie1", "supportsCallTransfer": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let text = response.text().await.unwrap();
        // Field order as the page shows it, and nothing else.
        let positions: Vec<usize> = FIELDS[..12]
            .iter()
            .map(|f| text.find(&format!("\"{f}\":")).unwrap_or_else(|| panic!("{f} missing: {text}")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body.as_object().unwrap().len(), 12, "{body}");
        assert_eq!(body["name"], "Main line");
        assert_eq!(body["providerType"], "twilio");
        assert_eq!(body["accountSid"], sid.as_str());
        let id = body["id"].as_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        assert_eq!(body["verificationStatus"], "verified");
        assert!(is_utc_z(&body["lastVerifiedAt"]), "{body}");
        assert_eq!(body["phoneNumberCount"], 0);
        let checks = body["verificationDetails"].as_array().unwrap();
        assert_eq!(checks[0]["checkName"], "credentials_valid");
        assert_eq!(checks[0]["status"], "passed");
        assert!(is_utc_z(&checks[0]["timestamp"]));
        for key in ["checkName", "message", "status", "timestamp", "details"] {
            assert!(checks[0].get(key).is_some(), "{key}");
        }
        assert_eq!(body["region"], "ie1");
        assert_eq!(body["supportsCallTransfer"], true);

        // At Twilio: one trunk with the recognisable domain, one list with one credential, attached.
        let trunks = app.twilio.trunks();
        assert_eq!(trunks.len(), 1);
        let trunk = &trunks[0];
        assert_eq!(body["trunkSid"], trunk.sid.as_str());
        let domain = trunk.domain_name.clone().unwrap();
        assert_eq!(domain, format!("pb-{}.pstn.twilio.com", uuid::Uuid::parse_str(&id).unwrap().simple()));
        assert_eq!(body["terminationUri"], format!("sip:{domain}"));
        assert_eq!(trunk.transfer_mode, "enable-all");
        assert_eq!(trunk.friendly_name.as_deref(), Some("Main line"));
        let lists = app.twilio.credential_lists();
        assert_eq!(lists.len(), 1);
        assert_eq!(app.twilio.trunk_credential_lists(&trunk.sid), vec![lists[0].sid.clone()]);
        let creds = app.twilio.credentials(&lists[0].sid);
        assert_eq!(creds.len(), 1);
        let password = creds[0].password.clone();
        assert!(password.len() >= 32);

        // The SIP password is sealed beside the auth token; neither is ever returned.
        let secrets = stored_secrets(&app, &id).await;
        assert_eq!(secrets.get("sip_password").unwrap().expose_secret(), password);
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), token);
        let (_, got) = send(v1(&app, Method::GET, &format!("{PROVIDERS}/{id}"))).await;
        let (_, list) = send(v1(&app, Method::GET, PROVIDERS)).await;
        for shown in [&text, &got.to_string(), &list.to_string()] {
            assert!(!shown.contains(&password) && !shown.contains(&token), "secret leaked: {shown}");
        }
        assert_eq!(got, body);
        let (_, twilio_path) = send(v1(&app, Method::GET, &item(&id))).await;
        assert_eq!(twilio_path, body);
        assert_eq!(open_journals(&app).await, 0);
    }

    async fn failure_at_each_provisioning_step_rolls_back(app) {
        for (step, route) in [
            ("trunk", routes::CREATE_TRUNK),
            ("credential list", routes::CREATE_CREDENTIAL_LIST),
            ("credential", routes::CREATE_CREDENTIAL),
            ("attach", routes::ATTACH_CREDENTIAL_LIST),
        ] {
            let (sid, token) = account(&app);
            app.twilio.recorder.inject(route, Fault::Status(500), 1);
            let body = problem(
                v1(&app, Method::POST, CREATE).json(&json!({"accountSid": sid, "authToken": token})),
                503,
                CREATE,
            )
            .await;
            assert!(body["detail"].as_str().unwrap().contains("Twilio"), "{step}: {body}");
            assert_eq!(app.twilio.recorder.count(route), 1, "{step}: the step was reached");
            assert!(app.twilio.trunks().is_empty(), "{step}: trunk left behind");
            assert!(app.twilio.credential_lists().is_empty(), "{step}: credential list left behind");
            let (_, list) = send(v1(&app, Method::GET, PROVIDERS)).await;
            assert_eq!(list["totalCount"], 0, "{step}: something was stored");
            assert_eq!(open_journals(&app).await, 0, "{step}: journal left");
        }
        // A 4xx from Twilio rolls back too, and says what Twilio said.
        let (sid, token) = account(&app);
        app.twilio.recorder.inject(routes::CREATE_CREDENTIAL, Fault::Status(400), 1);
        let body = problem(
            v1(&app, Method::POST, CREATE).json(&json!({"accountSid": sid, "authToken": token})),
            400,
            CREATE,
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains("Injected fault"), "{body}");
        assert!(app.twilio.trunks().is_empty() && app.twilio.credential_lists().is_empty());
    }

    async fn bad_credentials_are_a_problem_and_touch_nothing(app) {
        let (sid, _) = account(&app);
        let wrong = standin::random_hex(32);
        let body = problem(
            v1(&app, Method::POST, CREATE).json(&json!({"accountSid": sid, "authToken": wrong})),
            400,
            CREATE,
        )
        .await;
        assert!(body["errors"]["authToken"].is_array(), "{body}");
        assert!(!body.to_string().contains(&wrong));
        assert_eq!(app.twilio.recorder.count(routes::CREATE_TRUNK), 0);
        assert!(app.twilio.trunks().is_empty());
        // Format errors name each field, camelCase, before Twilio is asked at all.
        let body = problem(
            v1(&app, Method::POST, CREATE).json(&json!({"accountSid": "ACxyz", "authToken": "short",
                "region": "mars1", "name": "n".repeat(101), "supportsCallTransfer": 1, "auth_token": "x"})),
            400,
            CREATE,
        )
        .await;
        let mut fields: Vec<&str> = body["errors"].as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort();
        assert_eq!(fields, ["accountSid", "authToken", "auth_token", "name", "region", "supportsCallTransfer"]);
        assert_eq!(app.twilio.recorder.count(routes::FETCH_ACCOUNT), 1, "only the first create reached Twilio");
    }

    async fn put_applies_partial_updates_to_the_trunk(app) {
        let (created, _, _) = create(&app, json!({"name": "A"})).await;
        let id = created["id"].as_str().unwrap();
        let (status, body) = send(v1(&app, Method::PUT, &item(id)).json(&json!({"name": "B"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["name"], "B");
        assert_eq!(body["supportsCallTransfer"], false);
        assert_eq!(body["region"], "us1");
        let trunk = app.twilio.trunks().remove(0);
        assert_eq!(trunk.friendly_name.as_deref(), Some("B"));
        assert_eq!(trunk.transfer_mode, "disable-all");

        let (status, body) = send(v1(&app, Method::PUT, &item(id))
            .json(&json!({"supportsCallTransfer": true, "region": "de1"}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["name"].as_str(), body["region"].as_str()), (Some("B"), Some("de1")));
        assert_eq!(body["supportsCallTransfer"], true);
        assert_eq!(app.twilio.trunks()[0].transfer_mode, "enable-all");

        let path = item(id);
        let body = problem(v1(&app, Method::PUT, &path).json(&json!({"authToken": "0".repeat(32)})), 400, &path).await;
        assert!(body["errors"]["authToken"][0].as_str().unwrap().contains("/auth-token"), "{body}");
        let body = problem(v1(&app, Method::PUT, &path).json(&json!({"accountSid": "AC1"})), 400, &path).await;
        assert!(body["errors"]["accountSid"][0].as_str().unwrap().contains("new provider"), "{body}");
        let body = problem(v1(&app, Method::PUT, &path)
            .json(&json!({"name": "x".repeat(101), "region": "eu9", "colour": "red"})), 400, &path).await;
        for f in ["name", "region", "colour"] {
            assert!(body["errors"][f].is_array(), "{f}: {body}");
        }
        // Nothing of the refused bodies was applied.
        let (_, now) = send(v1(&app, Method::GET, &path)).await;
        assert_eq!((now["name"].as_str(), now["region"].as_str()), (Some("B"), Some("de1")));
    }

    async fn auth_token_rotation(app) {
        let (created, sid, old) = create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let path = format!("{}/auth-token", item(id));
        let sip_before = stored_secrets(&app, id).await.get("sip_password").unwrap().expose_secret().to_owned();

        // Bad: Twilio rejects it; the old token stays and still opens.
        let body = problem(v1(&app, Method::PATCH, &path).json(&json!({"authToken": standin::random_hex(32)})), 400, &path).await;
        assert!(body["errors"]["authToken"].is_array());
        assert_eq!(stored_secrets(&app, id).await.get("auth_token").unwrap().expose_secret(), old);
        problem(v1(&app, Method::PATCH, &path).json(&json!({"authToken": "not-hex"})), 400, &path).await;

        // Good: rotated at Twilio first, then swapped in.
        let new = standin::random_hex(32);
        app.twilio.set_auth_token(&sid, &new);
        let (status, body) = send(v1(&app, Method::PATCH, &path).json(&json!({"authToken": new}))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["verificationStatus"], "verified");
        assert!(!body.to_string().contains(&new));
        let secrets = stored_secrets(&app, id).await;
        assert_eq!(secrets.get("auth_token").unwrap().expose_secret(), new);
        assert_eq!(secrets.get("sip_password").unwrap().expose_secret(), sip_before);
        // The stored token works: a PUT reaches the trunk with it.
        let (status, _) = send(v1(&app, Method::PUT, &item(id)).json(&json!({"name": "after rotation"}))).await;
        assert_eq!(status, 200);
        assert_eq!(app.twilio.trunks()[0].friendly_name.as_deref(), Some("after rotation"));
    }

    async fn list_pages_and_shows_only_twilio(app) {
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(create(&app, json!({})).await.0["id"].as_str().unwrap().to_owned());
        }
        let (status, _) = send(app.admin(Method::POST, &format!("{CONFIGS}?verify=false"))
            .json(&json!({"provider": "plivo", "account_sid": PLIVO_ID, "auth_token": "p"}))).await;
        assert_eq!(status, 201);

        let (status, all) = send(v1(&app, Method::GET, PROVIDERS)).await;
        assert_eq!(status, 200);
        assert_eq!((all["totalCount"].as_i64(), all["skip"].as_i64(), all["take"].as_i64()), (Some(3), Some(0), Some(50)));
        let got: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(got, ids);
        let (_, page) = send(v1(&app, Method::GET, &format!("{PROVIDERS}?skip=1&take=1"))).await;
        assert_eq!(page["totalCount"], 3);
        assert_eq!((page["skip"].as_i64(), page["take"].as_i64()), (Some(1), Some(1)));
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["id"], ids[1].as_str());
        let (_, past) = send(v1(&app, Method::GET, &format!("{PROVIDERS}?skip=10"))).await;
        assert_eq!((past["items"].as_array().unwrap().len(), past["totalCount"].as_i64()), (0, Some(3)));
        let path = PROVIDERS;
        let body = problem(v1(&app, Method::GET, &format!("{path}?take=1001")), 400, path).await;
        assert!(body["errors"]["take"].is_array());
    }

    async fn cross_family_visibility(app) {
        let (created, sid, _) = create(&app, json!({"name": "from v1"})).await;
        let (_, v2) = send(app.admin(Method::GET, CONFIGS)).await;
        let row = &v2["data"][0];
        assert!(row["id"].is_i64(), "{v2}");
        assert_eq!(row["account_sid"], sid.as_str());
        assert_eq!(row["provider"], "twilio");
        assert_eq!(row["name"], "from v1");
        assert!(row.get("sip_password").is_none() && row.get("auth_token").is_none());

        // A v2-created Twilio configuration is a v1 provider without a trunk.
        let v2_sid = TWILIO_SID;
        let made = app.create_twilio(v2_sid, "v2token").await;
        let stored = store::configuration_record(&app.app, &app.org, ConfigurationKey::Id(made["id"].as_i64().unwrap())).await;
        let (_, list) = send(v1(&app, Method::GET, PROVIDERS)).await;
        assert_eq!(list["totalCount"], 2);
        let v2_item = list["items"].as_array().unwrap().iter()
            .find(|i| i["accountSid"] == v2_sid).unwrap().clone();
        assert_eq!(v2_item["id"], stored.uuid.to_string());
        assert!(v2_item["trunkSid"].is_null() && v2_item["terminationUri"].is_null());
        assert_eq!(v2_item["providerType"], "twilio");
        assert_ne!(v2_item["id"], created["id"]);

        // Other providers are not v1 Twilio providers.
        let (_, plivo) = send(app.admin(Method::POST, &format!("{CONFIGS}?verify=false"))
            .json(&json!({"provider": "plivo", "account_sid": PLIVO_ID, "auth_token": "p"}))).await;
        let plivo = store::configuration_record(&app.app, &app.org, ConfigurationKey::Id(plivo["data"]["id"].as_i64().unwrap())).await;
        let path = format!("{PROVIDERS}/{}", plivo.uuid);
        problem(v1(&app, Method::GET, &path), 404, &path).await;
        let path = item(&plivo.uuid.to_string());
        problem(v1(&app, Method::PUT, &path).json(&json!({"name": "x"})), 404, &path).await;
    }

    async fn import_available_and_delete_numbers(app) {
        let (created, sid, _) = create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let good = app.twilio.add_incoming_number(&sid, "+14155550100");
        let other = app.twilio.add_incoming_number(&sid, "+14155550101");
        let unknown = standin::sid("PN");
        let body = import(&app, id, &[&good, &unknown, "bogus"]).await;
        assert_eq!((body["successCount"].as_i64(), body["failedCount"].as_i64()), (Some(1), Some(2)), "{body}");
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors[0]["phoneNumberSid"], unknown.as_str());
        assert!(errors[0]["errorMessage"].as_str().unwrap().contains("not found"));
        assert_eq!(errors[1]["phoneNumberSid"], "bogus");
        let trunk = created["trunkSid"].as_str().unwrap();
        assert_eq!(app.twilio.trunk_phone_numbers(trunk), vec![good.clone()]);
        // Importing it again is reported, not duplicated.
        let again = import(&app, id, &[&good]).await;
        assert_eq!(again["failedCount"], 1);

        let (status, available) = send(v1(&app, Method::GET, &format!("{}/available-numbers", item(id)))).await;
        assert_eq!(status, 200, "{available}");
        let items = available["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let by_sid = |s: &str| items.iter().find(|i| i["phoneNumberSid"] == s).unwrap().clone();
        assert_eq!(by_sid(&good)["isImported"], true);
        assert_eq!(by_sid(&good)["phoneNumber"], "+14155550100");
        assert_eq!(by_sid(&other)["isImported"], false);
        let number_id = by_sid(&good)["phoneNumberId"].as_str().unwrap().to_owned();

        let (_, got) = send(v1(&app, Method::GET, &item(id))).await;
        assert_eq!(got["phoneNumberCount"], 1);

        let path = format!("{}/phone-numbers/{number_id}", item(id));
        let (status, _) = send(v1(&app, Method::DELETE, &path)).await;
        assert_eq!(status, 204);
        assert!(app.twilio.trunk_phone_numbers(trunk).is_empty());
        let (_, got) = send(v1(&app, Method::GET, &item(id))).await;
        assert_eq!(got["phoneNumberCount"], 0);
        problem(v1(&app, Method::DELETE, &path), 404, &path).await;
    }

    async fn verify_warns_when_a_number_left_the_trunk(app) {
        let (created, sid, token) = create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let pn = app.twilio.add_incoming_number(&sid, "+14155550123");
        import(&app, id, &[&pn]).await;
        let verify = format!("{PROVIDERS}/{id}/verify");
        let (status, body) = send(v1(&app, Method::POST, &verify)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "verified", "{body}");
        let names: Vec<&str> = body["checks"].as_array().unwrap().iter().map(|c| c["checkName"].as_str().unwrap()).collect();
        for name in ["credentials_valid", "account_active", "trunk_exists", "credential_list_attached", "phone_numbers_on_trunk"] {
            assert!(names.contains(&name), "{name} missing: {names:?}");
        }

        // Detached behind Patchbay's back, through the stand-in's own API.
        let trunk = created["trunkSid"].as_str().unwrap();
        let status = app.client
            .delete(format!("{}/v1/Trunks/{trunk}/PhoneNumbers/{pn}", app.twilio.url()))
            .basic_auth(&sid, Some(&token))
            .send().await.unwrap().status();
        assert_eq!(status, 204);
        let (_, body) = send(v1(&app, Method::POST, &verify)).await;
        assert_eq!(body["status"], "warning", "{body}");
        assert!(is_utc_z(&body["lastVerifiedAt"]));
        let check = body["checks"].as_array().unwrap().iter()
            .find(|c| c["checkName"] == "phone_numbers_on_trunk").unwrap().clone();
        assert_eq!(check["status"], "warning");
        assert_eq!(check["details"]["missingPhoneNumberSids"][0], pn.as_str());
        // Stored: GET shows it.
        let (_, got) = send(v1(&app, Method::GET, &item(id))).await;
        assert_eq!(got["verificationStatus"], "warning");
        assert_eq!(got["lastVerifiedAt"], body["lastVerifiedAt"]);
        assert!(got["verificationDetails"].as_array().unwrap().iter().any(|c| c["checkName"] == "phone_numbers_on_trunk"));

        // The trunk gone entirely is a failure.
        app.client.delete(format!("{}/v1/Trunks/{trunk}", app.twilio.url()))
            .basic_auth(&sid, Some(&token)).send().await.unwrap();
        let (_, body) = send(v1(&app, Method::POST, &verify)).await;
        assert_eq!(body["status"], "failed", "{body}");
    }

    async fn delete_provider_cleans_twilio(app) {
        let (created, sid, _) = create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let pn = app.twilio.add_incoming_number(&sid, "+14155550199");
        import(&app, id, &[&pn]).await;
        // Twilio down: nothing is forgotten, and the delete can be retried.
        app.twilio.recorder.inject(routes::DELETE_TRUNK, Fault::Status(503), 3);
        let path = format!("{PROVIDERS}/{id}");
        problem(v1(&app, Method::DELETE, &path), 503, &path).await;
        let (status, _) = send(v1(&app, Method::GET, &path)).await;
        assert_eq!(status, 200);

        let (status, _) = send(v1(&app, Method::DELETE, &path)).await;
        assert_eq!(status, 204);
        assert!(app.twilio.trunks().is_empty());
        assert!(app.twilio.credential_lists().is_empty());
        assert!(app.twilio.numbers().iter().all(|n| n.trunk_sid.is_none()));
        problem(v1(&app, Method::GET, &path), 404, &path).await;
        let (_, v2) = send(app.admin(Method::GET, CONFIGS)).await;
        assert_eq!(v2["count"], 0);
    }

    async fn tenant_isolation_and_org_handle(app) {
        let (created, sid, _) = create(&app, json!({})).await;
        let id = created["id"].as_str().unwrap();
        let pn = app.twilio.add_incoming_number(&sid, "+14155550111");
        import(&app, id, &[&pn]).await;
        let (_, available) = send(v1(&app, Method::GET, &format!("{}/available-numbers", item(id)))).await;
        let number_id = available["items"][0]["phoneNumberId"].as_str().unwrap().to_owned();
        let routes: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("{PROVIDERS}/{id}"), None),
            (Method::GET, item(id), None),
            (Method::PUT, item(id), Some(json!({"name": "stolen"}))),
            (Method::PATCH, format!("{}/auth-token", item(id)), Some(json!({"authToken": "a".repeat(32)}))),
            (Method::POST, format!("{PROVIDERS}/{id}/verify"), None),
            (Method::GET, format!("{}/available-numbers", item(id)), None),
            (Method::POST, format!("{}/import-numbers", item(id)), Some(json!({"phoneNumberSids": [pn]}))),
            (Method::DELETE, format!("{}/phone-numbers/{number_id}", item(id)), None),
            (Method::DELETE, format!("{PROVIDERS}/{id}"), None),
        ];
        for (method, path, body) in routes {
            let mut req = v1_as(&app, &app.other_admin, method.clone(), &path);
            if let Some(b) = body {
                req = req.json(&b);
            }
            problem(req, 404, &path).await;
        }
        let (_, list) = send(v1_as(&app, &app.other_admin, Method::GET, PROVIDERS)).await;
        assert_eq!(list["totalCount"], 0);
        // Untouched.
        let (_, got) = send(v1(&app, Method::GET, &item(id))).await;
        assert_eq!((got["phoneNumberCount"].as_i64(), got["name"].is_null()), (Some(1), true));
        assert_eq!(app.twilio.trunks().len(), 1);

        // Org-Handle is optional; another org's handle is a 403; Token scheme works too.
        let (status, _) = send(v1(&app, Method::GET, PROVIDERS).header("Org-Handle", "acme")).await;
        assert_eq!(status, 200);
        problem(v1(&app, Method::GET, PROVIDERS).header("Org-Handle", "globex"), 403, PROVIDERS).await;
        let (status, _) = send(app.bare(Method::GET, PROVIDERS).header("Authorization", format!("Token {}", app.admin))).await;
        assert_eq!(status, 200);
        // A viewer reads but does not write.
        let (status, _) = send(v1_as(&app, &app.viewer, Method::GET, &item(id))).await;
        assert_eq!(status, 200);
        problem(v1_as(&app, &app.viewer, Method::DELETE, &item(id)), 403, &item(id)).await;
    }

    async fn errors_are_rfc7807_problems(app) {
        let body = problem(app.bare(Method::GET, PROVIDERS), 401, PROVIDERS).await;
        assert_eq!(body["title"], "Unauthorized");
        problem(v1_as(&app, "pbk_not_a_real_token", Method::GET, PROVIDERS), 401, PROVIDERS).await;
        let body = problem(v1(&app, Method::GET, "/api/v1/nope"), 404, "/api/v1/nope").await;
        assert_eq!(body["title"], "Not Found");
        let path = format!("{PROVIDERS}/not-a-uuid");
        problem(v1(&app, Method::GET, &path), 404, &path).await;
        let path = format!("{PROVIDERS}/{}", uuid::Uuid::new_v4());
        problem(v1(&app, Method::GET, &path), 404, &path).await;
        let body = problem(v1(&app, Method::PATCH, PROVIDERS), 405, PROVIDERS).await;
        assert_eq!(body["title"], "Method Not Allowed");
        let body = problem(
            v1(&app, Method::POST, CREATE).header("Content-Type", "application/json").body("{not json"),
            400,
            CREATE,
        )
        .await;
        assert_eq!(body["title"], "Bad Request");
        problem(v1(&app, Method::POST, CREATE).header("Content-Type", "text/plain").body("x"), 415, CREATE).await;
        // v2 keeps its own envelope.
        let (status, v2) = send(app.bare(Method::GET, CONFIGS)).await;
        assert_eq!(status, 401);
        assert_eq!(v2["status_code"], 401);
    }

    async fn recovery_undoes_an_abandoned_provisioning(app) {
        let (sid, token) = account(&app);
        let twilio = app.app.carriers.twilio();
        let auth = TwilioAuth::new(&sid, SecretString::from(token.clone()));
        let journal_for = |id: uuid::Uuid, age: chrono::Duration, trunk: Option<String>| ProvisioningRecord {
            trunk_sid: trunk,
            ..store::provisioning_journal(&app.app, &app.org, id, (&sid, &token), age)
        };
        // Crashed after the trunk was recorded and while the credential list was being created
        // (created at Twilio, sid never recorded: found again by its name).
        let crashed = uuid::Uuid::new_v4();
        let j = journal_for(crashed, chrono::Duration::hours(1), None);
        let trunk = twilio.create_trunk(&auth, &NewTrunk {
            friendly_name: None, domain_name: Some(j.domain_name.clone()), transfer_mode: None,
        }).await.unwrap();
        let j = ProvisioningRecord { trunk_sid: Some(trunk.sid.clone()), ..j };
        twilio.create_credential_list(&auth, &j.credential_list_name).await.unwrap();
        store::insert_provisioning_journal(&app.app, &j).await;

        // A provisioning still in flight (fresh journal) is left alone.
        let live = uuid::Uuid::new_v4();
        let l = journal_for(live, chrono::Duration::zero(), None);
        let live_trunk = twilio.create_trunk(&auth, &NewTrunk {
            friendly_name: None, domain_name: Some(l.domain_name.clone()), transfer_mode: None,
        }).await.unwrap();
        store::insert_provisioning_journal(&app.app, &ProvisioningRecord { trunk_sid: Some(live_trunk.sid.clone()), stage: Stage::Trunk, ..l }).await;

        assert_eq!(app.twilio.trunks().len(), 2);
        assert_eq!(app.twilio.credential_lists().len(), 1);
        let resolved = app.app.recover_stale_provisioning(RECOVER_AFTER).await.unwrap();
        assert_eq!(resolved, 1);
        let left: Vec<String> = app.twilio.trunks().into_iter().map(|t| t.sid).collect();
        assert_eq!(left, vec![live_trunk.sid.clone()]);
        assert!(app.twilio.credential_lists().is_empty());
        // Done once: a second pass finds nothing stale.
        assert_eq!(app.app.recover_stale_provisioning(RECOVER_AFTER).await.unwrap(), 0);
        assert_eq!(open_journals(&app).await, 1);
    }
}
