//! Numbers (v2) over HTTP, on every backend: adding one to a sip configuration, deleting one,
//! a Twilio account's numbers and importing them, and the rows shared with the v1 family.

use crate::support::http::send_with_etag;
use crate::support::v1::{self, item, v1};
use crate::support::{NUMBERS, TWILIO_SID, both_backends, bridge_path, config_path, number_path, send};
use reqwest::Method;
use serde_json::{Value, json};

fn available(id: i64) -> String {
    format!("{}available-numbers/", config_path(id))
}

fn import(id: i64) -> String {
    format!("{}import-numbers/", config_path(id))
}

/// The organization's numbers as `(number, provider)`.
async fn listed(app: &crate::support::TestApp) -> Vec<(String, String)> {
    let (status, body) = send(app.admin(Method::GET, NUMBERS)).await;
    assert_eq!(status, 200);
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["number"].as_str().unwrap().to_owned(),
                n["provider"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_backends! {
    async fn numbers_are_added_to_sip_configurations_once(app) {
        let sip = app.create_sip("sip.example.com").await;
        let (status, etag, body) = send_with_etag(app.admin(Method::POST, NUMBERS)
            .json(&json!({"provider_config_id": sip, "number": "+14155550100"}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["message"], "Number created successfully.");
        let data = &body["data"];
        assert_eq!((data["number"].as_str(), data["provider"].as_str(), data["bridge_slug"].clone(), data["status"].as_str(), data["provider_config_id"].as_i64()),
            (Some("+14155550100"), Some("sip"), Value::Null, Some("inactive"), Some(sip)));
        let id = data["id"].as_i64().unwrap();
        let (status, got_etag, got) = send_with_etag(app.admin(Method::GET, &number_path(id))).await;
        assert_eq!((status, &got["data"], got_etag), (200, data, etag));

        // Stored once: again, or by another organization, is a 409.
        let (status, body) = send(app.admin(Method::POST, NUMBERS).json(&json!({"provider_config_id": sip, "number": "+14155550100"}))).await;
        assert_eq!(status, 409);
        assert_eq!(body["message"], "Number creation failed.");
        assert!(body["errors"]["number"].is_array());
        let theirs = app.create_sip_as(&app.other_admin, "globex", "sip.globex.example").await;
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::POST, NUMBERS).json(&json!({"provider_config_id": theirs, "number": "+14155550100"}))).await;
        assert_eq!(status, 409);

        // Only sip configurations, only the organization's, only E.164.
        let twilio = app.create_twilio(TWILIO_SID, "t").await["id"].as_i64().unwrap();
        let (status, body) = send(app.admin(Method::POST, NUMBERS).json(&json!({"provider_config_id": twilio, "number": "+14155550199"}))).await;
        assert_eq!(status, 400);
        assert!(body["errors"]["provider_config_id"][0].as_str().unwrap().contains("import-numbers"), "{body}");
        let (status, body) = send(app.admin(Method::POST, NUMBERS).json(&json!({"provider_config_id": theirs, "number": "+14155550199"}))).await;
        assert_eq!((status, body["errors"]["provider_config_id"][0].as_str()), (400, Some("Provider configuration not found.")));
        let (status, body) = send(app.admin(Method::POST, NUMBERS).json(&json!({"provider_config_id": sip, "number": "4155550199", "x": 1}))).await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"].as_object().unwrap().keys().collect::<Vec<_>>(), ["number", "x"]);

        // A viewer reads and adds nothing; another organization does not see it.
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::POST, NUMBERS).json(&json!({"provider_config_id": sip, "number": "+14155550198"}))).await;
        assert_eq!(status, 403);
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::GET, NUMBERS)).await;
        assert_eq!(status, 200);
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::GET, &number_path(id))).await;
        assert_eq!(status, 404);

        // Idempotency-Key: the retry gets the first answer and adds nothing.
        let create = || app.admin(Method::POST, NUMBERS).header("Idempotency-Key", "number-1")
            .json(&json!({"provider_config_id": sip, "number": "+14155550150"}));
        let (status, first) = send(create()).await;
        assert_eq!(status, 201);
        let (status, again) = send(create()).await;
        assert_eq!((status, &again), (201, &first));

        // Audit: added by whom, never a secret.
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/?resource_type=phone_number")).await;
        assert_eq!(audit["data"][0]["action"], "phone_number.added");
    }

    async fn deleting_a_number_on_a_bridge_needs_force(app) {
        let sip = app.create_sip("sip.example.com").await;
        let n = app.add_number(sip, "+14155550100").await;
        let id = n["id"].as_i64().unwrap();
        app.create_bridge("One", "one").await;
        app.connect("one", sip, "+14155550100").await;

        let (status, body) = send(app.admin(Method::DELETE, &number_path(id))).await;
        assert_eq!(status, 409);
        assert_eq!(body["message"], "Number deletion failed.");
        assert!(body["errors"]["number"][0].as_str().unwrap().contains("connected to bridge one"), "{body}");
        // Another organization's number id is a plain 404; so is a viewer's delete refused.
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::DELETE, &number_path(id))).await;
        assert_eq!(status, 404);
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::DELETE, &number_path(id))).await;
        assert_eq!(status, 403);
        // A stale If-Match is a 412 (the connect moved the number's version on).
        let (status, _) = send(app.admin(Method::DELETE, &format!("{}?force=true", number_path(id))).header("If-Match", "\"1\"")).await;
        assert_eq!(status, 412);

        let (status, _) = send(app.admin(Method::DELETE, &format!("{}?force=true", number_path(id)))).await;
        assert_eq!(status, 204);
        let (_, bridge) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!((bridge["data"]["numbers"].clone(), bridge["data"]["state"].as_str()), (json!([]), Some("DRAFT")));
        let (status, _) = send(app.admin(Method::DELETE, &number_path(id))).await;
        assert_eq!(status, 404);
        let (status, _) = send(app.admin(Method::DELETE, &number_path("abc"))).await;
        assert_eq!(status, 404);

        // An unassigned number goes without force.
        let n = app.add_number(sip, "+14155550101").await;
        let (status, _) = send(app.admin(Method::DELETE, &number_path(n["id"].as_i64().unwrap()))).await;
        assert_eq!(status, 204);
        let (_, audit) = send(app.admin(Method::GET, "/api/v2/platform/audit-events/")).await;
        let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..4], ["phone_number.removed", "phone_number.added", "phone_number.removed", "bridge.number_disconnected"]);
    }

    async fn twilio_account_numbers_are_listed_and_imported(app) {
        let config = app.create_twilio(TWILIO_SID, "tok").await["id"].as_i64().unwrap();
        let pn = app.twilio.add_incoming_number(TWILIO_SID, "+14155550100");
        app.twilio.add_incoming_number(TWILIO_SID, "+14155550101");

        let (status, body) = send(app.admin(Method::GET, &available(config))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["count"].as_i64(), body["message"].as_str()), (Some(2), Some("Available numbers fetched successfully.")));
        let first = body["data"].as_array().unwrap().iter().find(|n| n["number"] == "+14155550100").unwrap();
        assert_eq!((first["sid"].as_str(), first["is_imported"].as_bool()), (Some(pn.as_str()), Some(false)));

        let (status, body) = send(app.admin(Method::POST, &import(config))
            .json(&json!({"numbers": ["+14155550100", "+19995550000", "not-a-number", "+14155550100"]}))).await;
        assert_eq!(status, 200, "{body}");
        let data = &body["data"];
        assert_eq!((data["success_count"].as_i64(), data["failed_count"].as_i64()), (Some(1), Some(2)));
        assert_eq!((data["imported"][0]["number"].as_str(), data["imported"][0]["provider"].as_str()), (Some("+14155550100"), Some("twilio")));
        assert_eq!(data["failed"][0]["number"], "+19995550000");
        assert!(data["failed"][0]["error_message"].as_str().unwrap().contains("not found in this Twilio account"));
        assert_eq!(data["failed"][1]["number"], "not-a-number");
        // Imported again: reported per number, not an error of the request.
        let (_, body) = send(app.admin(Method::POST, &import(config)).json(&json!({"numbers": ["+14155550100"]}))).await;
        assert_eq!((body["data"]["success_count"].as_i64(), body["data"]["failed_count"].as_i64()), (Some(0), Some(1)));

        let (_, body) = send(app.admin(Method::GET, &available(config))).await;
        let first = body["data"].as_array().unwrap().iter().find(|n| n["number"] == "+14155550100").unwrap();
        assert_eq!(first["is_imported"], true);
        assert_eq!(first["number_id"], data["imported"][0]["id"]);
        assert_eq!(listed(&app).await, [("+14155550100".to_owned(), "twilio".to_owned())]);

        // Bad bodies, unknown or foreign configurations, sip, viewers.
        for bad in [json!({}), json!({"numbers": []}), json!({"numbers": "+1415"}), json!({"numbers": [1]})] {
            let (status, _) = send(app.admin(Method::POST, &import(config)).json(&bad)).await;
            assert_eq!(status, 400, "{bad}");
        }
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::GET, &available(config))).await;
        assert_eq!(status, 404);
        let (status, _) = send(app.as_(&app.other_admin, "globex", Method::POST, &import(config)).json(&json!({"numbers": ["+14155550101"]}))).await;
        assert_eq!(status, 404);
        let (status, _) = send(app.as_(&app.viewer, "acme", Method::POST, &import(config)).json(&json!({"numbers": ["+14155550101"]}))).await;
        assert_eq!(status, 403);
        let sip = app.create_sip("sip.example.com").await;
        let (status, body) = send(app.admin(Method::GET, &available(sip))).await;
        assert_eq!(status, 400);
        assert!(body["message"].as_str().unwrap().contains("POST /api/v2/platform/telephony/numbers/"));

        // Twilio refusing the stored token is the client's problem to fix, not a 500.
        app.twilio.set_auth_token(TWILIO_SID, "rotated-elsewhere");
        let (status, body) = send(app.admin(Method::GET, &available(config))).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap().contains("refused the stored credentials"));
    }

    async fn one_table_for_both_families(app) {
        // A v1 provider (with its trunk) and a number imported through v1 ...
        let (created, sid, _) = v1::create(&app, json!({"name": "Main"})).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let trunk = created["trunkSid"].as_str().unwrap().to_owned();
        let pn = app.twilio.add_incoming_number(&sid, "+14155550100");
        let second = app.twilio.add_incoming_number(&sid, "+14155550101");
        v1::import(&app, &id, &[&pn]).await;

        // ... is a v2 number with provider "twilio".
        let (_, body) = send(app.admin(Method::GET, NUMBERS)).await;
        let v2_number = &body["data"][0];
        assert_eq!((v2_number["number"].as_str(), v2_number["provider"].as_str()), (Some("+14155550100"), Some("twilio")));

        // Imported through v2 onto the v1 provider: attached to its trunk, seen by v1.
        let config = v2_number["provider_config_id"].as_i64().unwrap();
        let (_, body) = send(app.admin(Method::POST, &import(config)).json(&json!({"numbers": ["+14155550101"]}))).await;
        assert_eq!(body["data"]["success_count"], 1, "{body}");
        assert!(app.twilio.trunk_phone_numbers(&trunk).contains(&second));
        let (_, avail) = send(v1(&app, Method::GET, &format!("{}/available-numbers", item(&id)))).await;
        assert!(avail["items"].as_array().unwrap().iter().all(|n| n["isImported"] == true), "{avail}");

        // On a bridge, v1 cannot remove it either (409 problem) unless forced.
        app.create_bridge("One", "one").await;
        let (status, _) = app.connect("one", config, "+14155550100").await;
        assert_eq!(status, 200);
        let number_uuid = avail["items"].as_array().unwrap().iter().find(|n| n["phoneNumberSid"] == pn.as_str()).unwrap()["phoneNumberId"].as_str().unwrap().to_owned();
        let v1_delete = format!("{}/phone-numbers/{number_uuid}", item(&id));
        v1::problem(v1(&app, Method::DELETE, &v1_delete), 409, &v1_delete).await;
        let (status, _) = send(v1(&app, Method::DELETE, &format!("{v1_delete}?force=true"))).await;
        assert_eq!(status, 204);
        // Removed in v1: gone in v2 (and from the bridge), detached from the trunk.
        assert_eq!(listed(&app).await, [("+14155550101".to_owned(), "twilio".to_owned())]);
        let (_, bridge) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!(bridge["data"]["numbers"], json!([]));
        assert!(!app.twilio.trunk_phone_numbers(&trunk).contains(&pn));

        // Removed in v2: detached from the trunk, no longer imported in v1.
        let (_, body) = send(app.admin(Method::GET, NUMBERS)).await;
        let (status, _) = send(app.admin(Method::DELETE, &number_path(body["data"][0]["id"].as_i64().unwrap()))).await;
        assert_eq!(status, 204);
        assert!(!app.twilio.trunk_phone_numbers(&trunk).contains(&second));
        let (_, avail) = send(v1(&app, Method::GET, &format!("{}/available-numbers", item(&id)))).await;
        assert!(avail["items"].as_array().unwrap().iter().all(|n| n["isImported"] == false), "{avail}");

        // A v1 provider whose number is on a bridge is not deleted unless forced.
        v1::import(&app, &id, &[&pn]).await;
        app.connect("one", config, "+14155550100").await;
        v1::problem(v1(&app, Method::DELETE, &item(&id)), 409, &item(&id)).await;
        let (status, _) = send(v1(&app, Method::DELETE, &format!("{}?force=true", item(&id)))).await;
        assert_eq!(status, 204);
        assert!(listed(&app).await.is_empty());
        let (_, bridge) = send(app.admin(Method::GET, &bridge_path("one"))).await;
        assert_eq!(bridge["data"]["state"], "DRAFT");
    }
}

// ---- every carrier whose API lists numbers, against its stand-in ------------------------------

use crate::support::{Backend, CONFIGS, spawn_app_configured, test_http_settings};
use standin::simple::{self, Carrier, SimpleAccount};

/// The v2 create body of a configuration of the stand-in account.
fn create_body(carrier: Carrier, acc: &SimpleAccount) -> Value {
    match carrier {
        Carrier::Telnyx => json!({"provider": "telnyx", "auth_token": acc.secret}),
        Carrier::Exotel => {
            json!({"provider": "exotel", "account_sid": acc.id, "auth_token": acc.secret, "api_key": acc.key})
        }
        Carrier::SignalWire => json!({"provider": "signalwire", "account_sid": acc.id, "auth_token": acc.secret,
            "space_url": "example.signalwire.com"}),
        other => json!({"provider": other.slug(), "account_sid": acc.id, "auth_token": acc.secret}),
    }
}

/// Lists the account's numbers (over several pages where the carrier pages), imports one that
/// is there and one that is not, and sees the import in both lists; then the carrier refuses
/// the stored secret and the answer says so.
async fn carrier_numbers(backend: Backend, carrier: Carrier, name: &str, count: usize) {
    let standin = simple::start(carrier).await.unwrap();
    let url = standin.url();
    let app = spawn_app_configured(backend, test_http_settings(), |s| {
        crate::support::carriers::point_at(s, carrier, url)
    })
    .await;
    let Some(app) = app else { return };
    let acc = standin.add_account();
    for i in 0..count {
        standin.add_number(&acc.id, &format!("+1415555{i:04}"));
    }
    let (status, body) = send(app.admin(Method::POST, CONFIGS).json(&create_body(carrier, &acc))).await;
    assert_eq!(status, 201, "{body}");
    let config = body["data"]["id"].as_i64().unwrap();

    let (status, body) = send(app.admin(Method::GET, &available(config))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"].as_i64(), Some(count as i64), "every page is read");
    assert_eq!(body["data"][0]["number"], "+14155550000", "in E.164, with the '+'");
    assert!(
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["is_imported"] == false)
    );

    let (status, body) = send(
        app.admin(Method::POST, &import(config))
            .json(&json!({"numbers": ["+14155550001", "+19990000000"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["data"]["success_count"].as_i64(),
            body["data"]["failed_count"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let reason = body["data"]["failed"][0]["error_message"].as_str().unwrap();
    assert!(
        reason.contains(&format!("not found in this {name} account")),
        "{reason}"
    );
    let (_, body) = send(app.admin(Method::GET, &available(config))).await;
    let imported: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["is_imported"] == true)
        .map(|n| n["number"].as_str().unwrap())
        .collect();
    assert_eq!(imported, ["+14155550001"]);
    assert_eq!(
        listed(&app).await,
        [("+14155550001".to_owned(), carrier.slug().to_owned())]
    );

    standin.update(&acc.id, |a| a.secret = "revoked".to_owned());
    let (status, body) = send(app.admin(Method::GET, &available(config))).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{name} refused the stored credentials")),
        "{body}"
    );
    app.stop().await;
}

macro_rules! carrier_cases {
    ($($name:ident: $carrier:expr, $display:expr, $count:expr;)*) => {
        $(
            mod $name {
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    carrier_numbers(Backend::Sqlite, $carrier, $display, $count).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    carrier_numbers(Backend::Postgres, $carrier, $display, $count).await;
                }
            }
        )*
    };
}

// Plivo pages by 20 and Vonage by 100: more numbers than a page.
carrier_cases! {
    plivo_numbers: Carrier::Plivo, "Plivo", 45;
    telnyx_numbers: Carrier::Telnyx, "Telnyx", 3;
    vonage_numbers: Carrier::Vonage, "Vonage", 150;
    exotel_numbers: Carrier::Exotel, "Exotel", 3;
    signalwire_numbers: Carrier::SignalWire, "SignalWire", 3;
}
