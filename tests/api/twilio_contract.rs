//! Contract test: `TwilioClient` against Prism mocks of Twilio's own OpenAPI
//! specs. Prism runs with `--errors`, so any request whose path, method,
//! auth, content type or form fields do not match the spec is answered with
//! an error status and fails here.
//!
//! Start the mocks with `eval "$(ci/prism-mock)"`. Without
//! `PATCHBAY_PRISM_TWILIO_API_URL` / `PATCHBAY_PRISM_TWILIO_TRUNKING_URL` the
//! test is skipped, except under `CI`, where it fails.

use patchbay::carriers::twilio::{NewTrunk, TransferMode, TrunkUpdate};
use patchbay::carriers::{CarrierError, CarrierSettings, Carriers, Credentials, TwilioAuth, VerifyOutcome};
use secrecy::SecretString;

fn prism_urls() -> Option<(String, String)> {
    let api = std::env::var("PATCHBAY_PRISM_TWILIO_API_URL").ok();
    let trunking = std::env::var("PATCHBAY_PRISM_TWILIO_TRUNKING_URL").ok();
    match (api, trunking) {
        (Some(a), Some(t)) if !a.is_empty() && !t.is_empty() => Some((a, t)),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but PATCHBAY_PRISM_TWILIO_API_URL / PATCHBAY_PRISM_TWILIO_TRUNKING_URL \
                 are not: run `eval \"$(ci/prism-mock)\"` first"
            );
            None
        }
    }
}

/// `AC`/`TK`/… followed by 32 hex digits, as the spec's path patterns demand.
fn sid(prefix: &str) -> String {
    format!("{prefix}{}", "0123456789abcdef".repeat(2))
}

/// Lists follow `next_page_uri`; Prism's generated links are random URLs, which
/// the client refuses to follow. Anything else (a 4xx from a spec violation) fails.
fn list_ok<T: std::fmt::Debug>(what: &str, res: Result<Vec<T>, CarrierError>) {
    match res {
        Ok(_) => {}
        Err(CarrierError::Protocol(m)) if m.contains("next page link") => {}
        Err(e) => panic!("{what}: {e:?}"),
    }
}

#[tokio::test]
async fn twilio_client_matches_twilio_openapi_specs() {
    let Some((api, trunking)) = prism_urls() else {
        println!("twilio_contract skipped: PATCHBAY_PRISM_TWILIO_API_URL is not set (start Prism with ci/prism-mock)");
        return;
    };
    let carriers = Carriers::new(CarrierSettings {
        twilio_base_url: api,
        twilio_trunking_base_url: trunking,
        // Prism's 5xx for a response-side violation is not something to retry.
        max_retries: 0,
        ..CarrierSettings::default()
    });
    let client = carriers.twilio();
    let account = sid("AC");
    let auth = TwilioAuth::new(&account, SecretString::from("token".to_owned()));
    let key_auth = TwilioAuth::with_api_key(&account, sid("SK"), SecretString::from("s".to_owned()));
    let (trunk, list, number) = (sid("TK"), sid("CL"), sid("PN"));

    client.fetch_account(&auth).await.expect("fetch account");
    client
        .fetch_account(&key_auth)
        .await
        .expect("fetch account with API key");
    list_ok("list numbers", client.list_incoming_phone_numbers(&auth).await);
    client
        .fetch_incoming_phone_number(&auth, &number)
        .await
        .expect("fetch number");

    let new_trunk = NewTrunk {
        friendly_name: Some("org-1".into()),
        domain_name: Some("org-1-abc.pstn.twilio.com".into()),
        transfer_mode: Some(TransferMode::SipOnly),
    };
    client.create_trunk(&auth, &new_trunk).await.expect("create trunk");
    list_ok("list trunks", client.list_trunks(&auth).await);
    list_ok("list credential lists", client.list_credential_lists(&auth).await);
    client.fetch_trunk(&auth, &trunk).await.expect("fetch trunk");
    let update = TrunkUpdate {
        friendly_name: Some("renamed".into()),
        transfer_mode: Some(TransferMode::EnableAll),
    };
    client.update_trunk(&auth, &trunk, &update).await.expect("update trunk");

    client
        .create_credential_list(&auth, "org-1")
        .await
        .expect("create credential list");
    let password = SecretString::from("Str0ngPassword!".to_owned());
    client
        .create_credential(&auth, &list, "alice", &password)
        .await
        .expect("create credential");
    client
        .attach_credential_list(&auth, &trunk, &list)
        .await
        .expect("attach credential list");
    list_ok(
        "list trunk credential lists",
        client.list_trunk_credential_lists(&auth, &trunk).await,
    );
    client
        .attach_phone_number(&auth, &trunk, &number)
        .await
        .expect("attach phone number");
    list_ok(
        "list trunk numbers",
        client.list_trunk_phone_numbers(&auth, &trunk).await,
    );

    client
        .detach_phone_number(&auth, &trunk, &number)
        .await
        .expect("detach number");
    client
        .detach_credential_list(&auth, &trunk, &list)
        .await
        .expect("detach list");
    client
        .delete_credential_list(&auth, &list)
        .await
        .expect("delete credential list");
    client.delete_trunk(&auth, &trunk).await.expect("delete trunk");

    // Prism enforces the spec's Basic security scheme: no credentials, no answer.
    let outcome = carriers
        .verify(&Credentials {
            provider: "twilio".into(),
            account_sid: account,
            auth_token: Some(SecretString::from("token".to_owned())),
            fields: Default::default(),
            secret_fields: Default::default(),
        })
        .await;
    assert!(
        matches!(
            outcome,
            VerifyOutcome::Completed {
                credentials_rejected: false,
                ..
            }
        ),
        "{outcome:?}"
    );
}
