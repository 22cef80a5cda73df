//! Behaviour of the carrier connectors against the stand-in carrier servers,
//! over real HTTP on loopback.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use patchbay::carriers::twilio::{NewTrunk, TransferMode, TrunkUpdate};
use patchbay::carriers::{
    CarrierError, CarrierSettings, Carriers, CheckStatus, TwilioAuth, VerificationStatus, VerifyOutcome,
};
use secrecy::SecretString;
use standin::simple::{self, Carrier, routes as sroutes};
use standin::twilio::routes;
use standin::{Fault, Recorder};

use crate::support::carriers::{creds, fast_settings, simple_creds, simple_setup, twilio_setup};

fn check(outcome: &VerifyOutcome, name: &str) -> CheckStatus {
    match outcome {
        VerifyOutcome::Completed { checks, .. } => {
            checks
                .iter()
                .find(|c| c.check_name == name)
                .unwrap_or_else(|| panic!("no check {name} in {checks:?}"))
                .status
        }
        other => panic!("expected Completed, got {other:?}"),
    }
}

fn assert_rejected(outcome: &VerifyOutcome) {
    match outcome {
        VerifyOutcome::Completed {
            status,
            credentials_rejected,
            ..
        } => {
            assert_eq!(*status, VerificationStatus::Failed, "{outcome:?}");
            assert!(*credentials_rejected, "{outcome:?}");
        }
        other => panic!("expected rejection, got {other:?}"),
    }
}

fn assert_unavailable(outcome: &VerifyOutcome) -> Option<Duration> {
    match outcome {
        VerifyOutcome::Unavailable { reason, retry_after } => {
            assert!(!reason.is_empty());
            *retry_after
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

// ---------------------------------------------------------------- Twilio

#[tokio::test]
async fn twilio_good_credentials_verify() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(out.status(), VerificationStatus::Verified, "{out:?}");
    assert_eq!(check(&out, "credentials_valid"), CheckStatus::Passed);
    assert_eq!(check(&out, "account_active"), CheckStatus::Passed);
    assert_eq!(check(&out, "account_type"), CheckStatus::Passed);
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 1);
    // The account JSON carries the auth token; it must not leak into the outcome.
    let shown = format!("{out:?}");
    assert!(!shown.contains(&token), "{shown}");
}

#[tokio::test]
async fn twilio_api_key_credentials_verify() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, _token) = tw.add_account();
    let (key, secret) = tw.add_api_key(&sid);
    let good = creds("twilio", &sid, Some(&secret), &[("api_key_sid", &key)]);
    assert_eq!(carriers.verify(&good).await.status(), VerificationStatus::Verified);
    let bad = creds("twilio", &sid, Some("wrong"), &[("api_key_sid", &key)]);
    assert_rejected(&carriers.verify(&bad).await);
}

#[tokio::test]
async fn twilio_rejected_token_is_not_retried() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.set_auth_token(&sid, "rotated-token-0000000000000000000");
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_rejected(&out);
    assert_eq!(check(&out, "credentials_valid"), CheckStatus::Failed);
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 1, "4xx must not be retried");
}

#[tokio::test]
async fn twilio_other_4xx_is_failed_once_not_rejected() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder.inject(routes::FETCH_ACCOUNT, Fault::Status(400), 1);
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    match &out {
        VerifyOutcome::Completed {
            status,
            credentials_rejected,
            ..
        } => {
            assert_eq!(*status, VerificationStatus::Failed);
            assert!(!credentials_rejected);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 1);
}

#[tokio::test]
async fn twilio_account_states() {
    let (tw, carriers) = twilio_setup().await;
    let cases = [
        ("suspended", "Full", VerificationStatus::Warning, "account_active"),
        ("closed", "Full", VerificationStatus::Failed, "account_active"),
        ("active", "Trial", VerificationStatus::Warning, "account_type"),
    ];
    for (state, kind, expected, deciding_check) in cases {
        let (sid, token) = tw.add_account_with(state, kind);
        let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
        assert_eq!(out.status(), expected, "{state}/{kind}: {out:?}");
        assert_ne!(check(&out, deciding_check), CheckStatus::Passed, "{state}/{kind}");
        assert_eq!(check(&out, "credentials_valid"), CheckStatus::Passed);
        if let VerifyOutcome::Completed {
            credentials_rejected, ..
        } = out
        {
            assert!(!credentials_rejected, "{state}: the token itself was fine");
        }
    }
}

#[tokio::test]
async fn twilio_timeout_is_unavailable_after_retries() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder
        .inject(routes::FETCH_ACCOUNT, Fault::Hang(Duration::from_secs(5)), 3);
    let started = Instant::now();
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(assert_unavailable(&out), None);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 3, "1 try + 2 retries");
}

#[tokio::test]
async fn twilio_5xx_then_recovery_is_retried() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder.inject(routes::FETCH_ACCOUNT, Fault::Status(503), 2);
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(out.status(), VerificationStatus::Verified, "{out:?}");
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 3);
}

#[tokio::test]
async fn twilio_persistent_5xx_is_unavailable() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder.inject(routes::FETCH_ACCOUNT, Fault::Status(500), 10);
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_unavailable(&out);
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 3);
}

#[tokio::test]
async fn twilio_429_long_retry_after_is_returned_not_slept() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder
        .inject(routes::FETCH_ACCOUNT, Fault::RateLimited { retry_after_secs: 120 }, 1);
    let started = Instant::now();
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(assert_unavailable(&out), Some(Duration::from_secs(120)));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 1);
}

#[tokio::test]
async fn twilio_429_short_retry_after_is_retried_once() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    tw.recorder
        .inject(routes::FETCH_ACCOUNT, Fault::RateLimited { retry_after_secs: 1 }, 1);
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(out.status(), VerificationStatus::Verified, "{out:?}");
    assert_eq!(tw.recorder.count(routes::FETCH_ACCOUNT), 2);

    // A second short 429 in the same request is handed back, not waited out again.
    tw.recorder
        .inject(routes::FETCH_ACCOUNT, Fault::RateLimited { retry_after_secs: 1 }, 2);
    let out = carriers.verify(&creds("twilio", &sid, Some(&token), &[])).await;
    assert_eq!(assert_unavailable(&out), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn twilio_connection_refused_is_unavailable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let settings = CarrierSettings {
        twilio_base_url: format!("http://127.0.0.1:{port}"),
        ..fast_settings()
    };
    let out = Carriers::new(settings)
        .verify(&creds("twilio", &format!("AC{}", "0".repeat(32)), Some("t"), &[]))
        .await;
    assert_unavailable(&out);
}

#[tokio::test]
async fn twilio_malformed_sid_or_missing_token_sends_nothing() {
    let (tw, carriers) = twilio_setup().await;
    let out = carriers.verify(&creds("twilio", "not-a-sid", Some("t"), &[])).await;
    assert_eq!(out.status(), VerificationStatus::Failed);
    let (sid, _) = tw.add_account();
    let out = carriers.verify(&creds("twilio", &sid, None, &[])).await;
    assert_eq!(out.status(), VerificationStatus::Failed);
    assert_eq!(tw.recorder.total(), 0);
}

#[tokio::test]
async fn secrets_never_in_debug_or_errors() {
    let (tw, carriers) = twilio_setup().await;
    let (sid, token) = tw.add_account();
    let wrong = "wrong-secret-value-1234567890";
    let c = creds("twilio", &sid, Some(wrong), &[]);
    assert!(!format!("{c:?}").contains(wrong));
    let out = carriers.verify(&c).await;
    assert!(!format!("{out:?}").contains(wrong));

    let auth = TwilioAuth::new(&sid, SecretString::from(token.clone()));
    assert!(!format!("{auth:?}").contains(&token));
    let list = carriers.twilio().create_credential_list(&auth, "l").await.unwrap();
    let password = SecretString::from("weakpass".to_owned());
    let err = carriers
        .twilio()
        .create_credential(&auth, &list.sid, "alice", &password)
        .await
        .unwrap_err();
    for shown in [format!("{err}"), format!("{err:?}")] {
        assert!(!shown.contains("weakpass") && !shown.contains(&token), "{shown}");
    }
    tw.recorder
        .inject(routes::FETCH_ACCOUNT, Fault::Hang(Duration::from_secs(5)), 3);
    let err = carriers.twilio().fetch_account(&auth).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&token));
}

#[tokio::test]
async fn twilio_trunk_provisioning_round_trip() {
    let (tw, carriers) = twilio_setup().await;
    let client = carriers.twilio();
    let (sid, token) = tw.add_account();
    let auth = TwilioAuth::new(&sid, SecretString::from(token));
    tw.set_max_page_size(2);
    let seeded: Vec<String> = (0..5)
        .map(|i| tw.add_incoming_number(&sid, &format!("+1415555000{i}")))
        .collect();

    let numbers = client.list_incoming_phone_numbers(&auth).await.unwrap();
    assert_eq!(numbers.len(), 5, "all pages followed");
    assert_eq!(tw.recorder.count(routes::LIST_NUMBERS), 3);
    let one = client.fetch_incoming_phone_number(&auth, &seeded[0]).await.unwrap();
    assert_eq!(one.phone_number.as_deref(), Some("+14155550000"));

    let trunk = client
        .create_trunk(
            &auth,
            &NewTrunk {
                friendly_name: Some("org-1".into()),
                domain_name: Some("org-1-abc.pstn.twilio.com".into()),
                transfer_mode: Some(TransferMode::SipOnly),
            },
        )
        .await
        .unwrap();
    assert_eq!(trunk.transfer_mode, Some(TransferMode::SipOnly));
    assert_eq!(tw.trunks().len(), 1);
    assert_eq!(tw.trunks()[0].domain_name.as_deref(), Some("org-1-abc.pstn.twilio.com"));

    let list = client.create_credential_list(&auth, "org-1 users").await.unwrap();
    let password = SecretString::from("Str0ngPassword!".to_owned());
    let cred = client
        .create_credential(&auth, &list.sid, "alice", &password)
        .await
        .unwrap();
    assert_eq!(cred.username.as_deref(), Some("alice"));
    assert_eq!(tw.credentials(&list.sid)[0].password, "Str0ngPassword!");

    client
        .attach_credential_list(&auth, &trunk.sid, &list.sid)
        .await
        .unwrap();
    for pn in &seeded[..3] {
        client.attach_phone_number(&auth, &trunk.sid, pn).await.unwrap();
    }
    let attached = client.list_trunk_phone_numbers(&auth, &trunk.sid).await.unwrap();
    assert_eq!(attached.len(), 3, "trunking pages followed via meta.next_page_url");
    let lists = client.list_trunk_credential_lists(&auth, &trunk.sid).await.unwrap();
    assert_eq!(
        lists.iter().map(|l| l.sid.as_str()).collect::<Vec<_>>(),
        [list.sid.as_str()]
    );

    let updated = client
        .update_trunk(
            &auth,
            &trunk.sid,
            &TrunkUpdate {
                friendly_name: Some("renamed".into()),
                transfer_mode: Some(TransferMode::DisableAll),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.friendly_name.as_deref(), Some("renamed"));
    assert_eq!(
        client.fetch_trunk(&auth, &trunk.sid).await.unwrap().transfer_mode,
        Some(TransferMode::DisableAll)
    );

    client.detach_phone_number(&auth, &trunk.sid, &seeded[0]).await.unwrap();
    assert_eq!(tw.trunk_phone_numbers(&trunk.sid).len(), 2);
    client
        .detach_credential_list(&auth, &trunk.sid, &list.sid)
        .await
        .unwrap();
    assert!(tw.trunk_credential_lists(&trunk.sid).is_empty());
    client.delete_trunk(&auth, &trunk.sid).await.unwrap();
    client.delete_credential_list(&auth, &list.sid).await.unwrap();
    assert!(tw.trunks().is_empty() && tw.credential_lists().is_empty());
    assert!(tw.numbers().iter().all(|n| n.trunk_sid.is_none()));

    assert_eq!(
        client.fetch_trunk(&auth, &trunk.sid).await.unwrap_err(),
        CarrierError::NotFound
    );
}

#[tokio::test]
async fn twilio_errors_map_to_variants() {
    let (tw, carriers) = twilio_setup().await;
    let client = carriers.twilio();
    let (sid, token) = tw.add_account();
    let auth = TwilioAuth::new(&sid, SecretString::from(token));
    let bad = TwilioAuth::new(&sid, SecretString::from("nope".to_owned()));
    assert_eq!(
        client.fetch_account(&bad).await.unwrap_err(),
        CarrierError::Rejected { status: 401 }
    );
    let list = client.create_credential_list(&auth, "l").await.unwrap();
    let weak = SecretString::from("short".to_owned());
    match client.create_credential(&auth, &list.sid, "bob", &weak).await {
        Err(CarrierError::BadRequest { status, code, message }) => {
            assert_eq!((status, code), (400, Some(21623)));
            assert!(message.contains("strong"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn twilio_failed_create_is_not_retried_and_leaves_no_state() {
    let (tw, carriers) = twilio_setup().await;
    let client = carriers.twilio();
    let (sid, token) = tw.add_account();
    let auth = TwilioAuth::new(&sid, SecretString::from(token));
    let trunk = client.create_trunk(&auth, &NewTrunk::default()).await.unwrap();
    let list = client.create_credential_list(&auth, "l").await.unwrap();
    tw.recorder
        .inject(routes::ATTACH_CREDENTIAL_LIST, Fault::Status(500), 1);
    let err = client
        .attach_credential_list(&auth, &trunk.sid, &list.sid)
        .await
        .unwrap_err();
    assert!(matches!(err, CarrierError::Unavailable { .. }), "{err:?}");
    assert_eq!(
        tw.recorder.count(routes::ATTACH_CREDENTIAL_LIST),
        1,
        "creates are not retried on 5xx"
    );
    assert!(tw.trunk_credential_lists(&trunk.sid).is_empty());
    // Idempotent deletes are retried through a transient 5xx.
    tw.recorder.inject(routes::DELETE_TRUNK, Fault::Status(502), 1);
    client.delete_trunk(&auth, &trunk.sid).await.unwrap();
    assert_eq!(tw.recorder.count(routes::DELETE_TRUNK), 2);
}

// ---------------------------------------------------- Other HTTP carriers

const SIMPLE: [(Carrier, &str); 5] = [
    (Carrier::Plivo, sroutes::PLIVO_ACCOUNT),
    (Carrier::Telnyx, sroutes::TELNYX_BALANCE),
    (Carrier::Vonage, sroutes::VONAGE_BALANCE),
    (Carrier::Exotel, sroutes::EXOTEL_BALANCE),
    (Carrier::SignalWire, sroutes::SIGNALWIRE_ACCOUNT),
];

#[tokio::test]
async fn every_carrier_verifies_good_credentials() {
    for (carrier, route) in SIMPLE {
        let (st, carriers) = simple_setup(carrier).await;
        let acc = st.add_account();
        let out = carriers.verify(&simple_creds(carrier, &acc)).await;
        assert_eq!(out.status(), VerificationStatus::Verified, "{carrier:?}: {out:?}");
        assert_eq!(check(&out, "credentials_valid"), CheckStatus::Passed);
        assert_eq!(st.recorder.count(route), 1, "{carrier:?}");
        assert!(
            !format!("{out:?}").contains(&acc.secret),
            "{carrier:?} leaked its secret"
        );
    }
}

#[tokio::test]
async fn every_carrier_reports_rejected_credentials_after_one_request() {
    for (carrier, route) in SIMPLE {
        let (st, carriers) = simple_setup(carrier).await;
        let mut acc = st.add_account();
        st.update(&acc.id, |a| a.secret = "revoked".into());
        let out = carriers.verify(&simple_creds(carrier, &acc)).await;
        assert_rejected(&out);
        assert_eq!(st.recorder.count(route), 1, "{carrier:?}: no retry on 4xx");
        acc.secret = "revoked".into();
        assert_eq!(
            carriers.verify(&simple_creds(carrier, &acc)).await.status(),
            VerificationStatus::Verified,
            "{carrier:?} with the new secret"
        );
    }
}

#[tokio::test]
async fn every_carrier_retries_5xx_and_surfaces_timeouts_and_429() {
    for (carrier, route) in SIMPLE {
        let (st, carriers) = simple_setup(carrier).await;
        let acc = st.add_account();
        let c = simple_creds(carrier, &acc);
        let rec: &Recorder = &st.recorder;

        rec.inject(route, Fault::Status(502), 1);
        assert_eq!(
            carriers.verify(&c).await.status(),
            VerificationStatus::Verified,
            "{carrier:?}"
        );
        assert_eq!(rec.count(route), 2, "{carrier:?}");

        rec.reset();
        rec.inject(route, Fault::Hang(Duration::from_secs(5)), 3);
        assert_unavailable(&carriers.verify(&c).await);
        assert_eq!(rec.count(route), 3, "{carrier:?}");

        rec.reset();
        rec.inject(route, Fault::RateLimited { retry_after_secs: 30 }, 1);
        let out = carriers.verify(&c).await;
        assert_eq!(assert_unavailable(&out), Some(Duration::from_secs(30)), "{carrier:?}");
        assert_eq!(rec.count(route), 1, "{carrier:?}");
    }
}

#[tokio::test]
async fn balances_and_account_kinds_degrade_to_warning() {
    for carrier in [Carrier::Telnyx, Carrier::Vonage, Carrier::Plivo, Carrier::Exotel] {
        let (st, carriers) = simple_setup(carrier).await;
        let acc = st.add_account();
        st.update(&acc.id, |a| a.balance = -3.5);
        let out = carriers.verify(&simple_creds(carrier, &acc)).await;
        assert_eq!(out.status(), VerificationStatus::Warning, "{carrier:?}: {out:?}");
        assert_eq!(check(&out, "balance"), CheckStatus::Warning);
    }
    let (st, carriers) = simple_setup(Carrier::Plivo).await;
    let acc = st.add_account();
    st.update(&acc.id, |a| a.account_type = "developer".into());
    let out = carriers.verify(&simple_creds(Carrier::Plivo, &acc)).await;
    assert_eq!(check(&out, "account_type"), CheckStatus::Warning);

    let (st, carriers) = simple_setup(Carrier::SignalWire).await;
    let acc = st.add_account();
    st.update(&acc.id, |a| a.status = "suspended".into());
    let out = carriers.verify(&simple_creds(Carrier::SignalWire, &acc)).await;
    assert_eq!(out.status(), VerificationStatus::Warning, "{out:?}");
}

// ------------------------------------------------------------------ SSRF

#[tokio::test]
async fn user_hosts_resolving_to_private_addresses_are_refused_without_a_request() {
    let exotel = simple::start(Carrier::Exotel).await.unwrap();
    let signalwire = simple::start(Carrier::SignalWire).await.unwrap();
    let ex_acc = exotel.add_account();
    let sw_acc = signalwire.add_account();
    // No base-URL override: the user's host is used, pinned to loopback/private addresses.
    let settings = CarrierSettings {
        resolve_overrides: BTreeMap::from([
            ("api.exotel.com".to_owned(), vec!["127.0.0.1".parse().unwrap()]),
            (
                "evil.signalwire.com".to_owned(),
                vec!["8.8.8.8".parse().unwrap(), "10.0.0.7".parse().unwrap()],
            ),
        ]),
        ..fast_settings()
    };
    let carriers = Carriers::new(settings);
    let port = exotel.addr().port();
    let exotel_hosts = [
        "api.exotel.com".to_owned(),
        "127.0.0.1".to_owned(),
        format!("localhost:{port}"),
        "169.254.169.254".to_owned(),
    ];
    for host in exotel_hosts {
        let c = creds(
            "exotel",
            &ex_acc.id,
            Some(&ex_acc.secret),
            &[("api_key", &ex_acc.key), ("subdomain", &host)],
        );
        let out = carriers.verify(&c).await;
        assert_eq!(check(&out, "host_allowed"), CheckStatus::Failed, "{host}: {out:?}");
        assert_eq!(out.status(), VerificationStatus::Failed);
        assert!(matches!(
            out,
            VerifyOutcome::Completed {
                credentials_rejected: false,
                ..
            }
        ));
    }
    let sw_port = signalwire.addr().port();
    for host in [
        "evil.signalwire.com".to_owned(),
        format!("127.0.0.1:{sw_port}"),
        "a.b.signalwire.com".to_owned(),
    ] {
        let c = creds("signalwire", &sw_acc.id, Some(&sw_acc.secret), &[("space_url", &host)]);
        let out = carriers.verify(&c).await;
        assert_eq!(check(&out, "host_allowed"), CheckStatus::Failed, "{host}: {out:?}");
    }
    assert_eq!(exotel.recorder.total(), 0);
    assert_eq!(signalwire.recorder.total(), 0);
}

// ------------------------------------------------------------------- SIP

#[tokio::test]
async fn sip_is_validated_syntactically() {
    let carriers = Carriers::new(fast_settings());
    let good = creds(
        "sip",
        "trunk-user",
        Some("pw"),
        &[("host", "sip.example.com"), ("port", "5061"), ("transport", "tls")],
    );
    let out = carriers.verify(&good).await;
    assert_eq!(out.status(), VerificationStatus::Verified, "{out:?}");
    assert_eq!(check(&out, "account_active"), CheckStatus::Skipped);
    let bad = creds(
        "sip",
        "trunk user",
        None,
        &[("host", "sip.example.com"), ("port", "99999"), ("transport", "sctp")],
    );
    let out = carriers.verify(&bad).await;
    assert_eq!(out.status(), VerificationStatus::Failed);
    assert_eq!(check(&out, "port"), CheckStatus::Failed);
    assert_eq!(check(&out, "transport"), CheckStatus::Failed);
    assert_eq!(check(&out, "credentials_valid"), CheckStatus::Failed);
}

#[tokio::test]
async fn unknown_provider_fails_cleanly() {
    let out = Carriers::new(fast_settings())
        .verify(&creds("carrier-pigeon", "x", None, &[]))
        .await;
    assert_eq!(out.status(), VerificationStatus::Failed);
}
