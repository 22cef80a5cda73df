//! Which `Duplicate` each unique rule maps to, on both backends: PostgreSQL names the
//! constraint, SQLite names the columns, and each resource file checks both spellings.

use std::collections::BTreeMap;

use chrono::Utc;
use uuid::Uuid;

use super::*;
use crate::crypto::Sealed;

fn audit() -> AuditEvent {
    AuditEvent {
        org_id: None,
        actor_token_id: None,
        actor: "cli".to_owned(),
        action: "test",
        resource_type: "test",
        resource_id: None,
        fields: Vec::new(),
        request_id: None,
        at: Utc::now(),
        data: None,
    }
}

fn state(account_sid: &str) -> ConfigurationState {
    ConfigurationState {
        account_sid: account_sid.to_owned(),
        name: None,
        settings: BTreeMap::new(),
        sealed: Sealed {
            key_id: "k1".to_owned(),
            blob: vec![1, 2, 3],
        },
        verification: VerificationRecord {
            status: crate::domain::verification::VerificationStatus::Pending,
            details: None,
            last_verified_at: None,
            next_at: None,
        },
        region: None,
        supports_call_transfer: false,
        trunk_sid: None,
        termination_uri: None,
    }
}

fn duplicate<T: std::fmt::Debug>(result: Result<T>) -> Duplicate {
    match result {
        Err(StorageError::Duplicate(which)) => which,
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

async fn unique_rules_map_to_their_resource(store: &Store) {
    let now = Utc::now();
    let org = store.create_organization("acme", "Acme", now, &audit()).await.unwrap();
    let again = store.create_organization("acme", "Acme again", now, &audit()).await;
    assert_eq!(duplicate(again), Duplicate::OrganizationHandle);

    let uuid = Uuid::new_v4();
    let first = store
        .insert_configuration(uuid, org.id, "twilio", &state("AC1"), now, &audit())
        .await
        .unwrap();
    let same_account = store
        .insert_configuration(Uuid::new_v4(), org.id, "twilio", &state("AC1"), now, &audit())
        .await;
    assert_eq!(duplicate(same_account), Duplicate::Configuration);
    let same_uuid = store
        .insert_configuration(uuid, org.id, "twilio", &state("AC2"), now, &audit())
        .await;
    assert_eq!(duplicate(same_uuid), Duplicate::Other);
    let second = store
        .insert_configuration(Uuid::new_v4(), org.id, "twilio", &state("AC3"), now, &audit())
        .await
        .unwrap();
    let onto_first = store
        .update_configuration(org.id, second.id, second.version, &state("AC1"), now, &audit())
        .await;
    assert_eq!(duplicate(onto_first), Duplicate::Configuration);

    let number = NewPhoneNumber {
        uuid: Uuid::new_v4(),
        org_id: org.id,
        configuration_id: first.id,
        phone_number: crate::domain::phone::E164::parse("+15550100").unwrap(),
        carrier_sid: Some("PN1".to_owned()),
        created_at: now,
        display_name: None,
        description: None,
    };
    store.insert_phone_number(&number, &audit()).await.unwrap();
    let same_sid = NewPhoneNumber {
        uuid: Uuid::new_v4(),
        phone_number: crate::domain::phone::E164::parse("+15550101").unwrap(),
        ..number.clone()
    };
    assert_eq!(
        duplicate(store.insert_phone_number(&same_sid, &audit()).await),
        Duplicate::PhoneNumber
    );
    // A number is stored once, whichever configuration or organization claims it.
    let other_org = store
        .create_organization("globex", "Globex", now, &audit())
        .await
        .unwrap();
    let theirs = store
        .insert_configuration(Uuid::new_v4(), other_org.id, "twilio", &state("AC1"), now, &audit())
        .await
        .unwrap();
    let same_number = NewPhoneNumber {
        uuid: Uuid::new_v4(),
        org_id: other_org.id,
        configuration_id: theirs.id,
        carrier_sid: Some("PN2".to_owned()),
        ..number.clone()
    };
    assert_eq!(
        duplicate(store.insert_phone_number(&same_number, &audit()).await),
        Duplicate::PhoneNumber
    );
    let same_uuid = NewPhoneNumber {
        phone_number: crate::domain::phone::E164::parse("+15550102").unwrap(),
        carrier_sid: Some("PN3".to_owned()),
        ..number.clone()
    };
    assert_eq!(
        duplicate(store.insert_phone_number(&same_uuid, &audit()).await),
        Duplicate::Other
    );

    let slug = crate::domain::bridge::BridgeSlug::parse("sales").unwrap();
    store
        .insert_bridge(org.id, &slug, "Sales", now, &audit())
        .await
        .unwrap();
    assert_eq!(
        duplicate(store.insert_bridge(org.id, &slug, "Sales again", now, &audit()).await),
        Duplicate::Bridge
    );
    // Slugs are per organization.
    store
        .insert_bridge(other_org.id, &slug, "Their sales", now, &audit())
        .await
        .unwrap();
}

/// Migration 0012: a write names the organization it concerns to every server (appended to
/// `routing_changes` on SQLite, the payload of `NOTIFY patchbay_routing` on PostgreSQL).
async fn changes_name_their_organization(store: &Store) {
    let now = Utc::now();
    if let Some(mut listener) = store.routing_listener().await.unwrap() {
        let org = store
            .create_organization("changes-pg", "Changes", now, &audit())
            .await
            .unwrap();
        let note = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
            .await
            .expect("a notification within 5 s")
            .unwrap();
        assert_eq!(changed_org(note.payload()), Some(org.id));
        return;
    }
    let start = store.routing_changes_since(None).await.unwrap();
    let org = store
        .create_organization("changes-a", "Changes", now, &audit())
        .await
        .unwrap();
    let changes = store.routing_changes_since(Some(start.last)).await.unwrap();
    assert_eq!(changes.orgs, [Some(org.id)]);
    assert!(!changes.gap);
    // Pruned before a reader saw them: the reader learns it missed some.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    store.prune_routing_changes(std::time::Duration::ZERO).await.unwrap();
    let other = store
        .create_organization("changes-b", "Changes", now, &audit())
        .await
        .unwrap();
    let changes = store.routing_changes_since(Some(start.last)).await.unwrap();
    assert_eq!(changes.orgs, [Some(other.id)]);
    assert!(changes.gap, "the first change was pruned unseen");
}

/// The released-secrets ledger's batches: more rows than one multi-row `INSERT` carries, each
/// written once with what it says, beside an event that has a webhook (written row by row).
async fn an_audit_batch_is_written_whole(store: &Store) {
    let org = store
        .create_organization("ledger", "Ledger", Utc::now(), &audit())
        .await
        .unwrap();
    let mut events: Vec<AuditEvent> = (0..450)
        .map(|i| AuditEvent {
            org_id: Some(org.id),
            actor: "service-token:7".to_owned(),
            action: "route.secret_released",
            resource_type: "provider_configuration",
            resource_id: Some(format!("cfg-{i}")),
            fields: vec!["auth_password".to_owned(), format!("to:+1415555{i:04}")],
            request_id: (i % 2 == 0).then(|| format!("req-{i}")),
            ..audit()
        })
        .collect();
    events.insert(
        200,
        AuditEvent {
            org_id: Some(org.id),
            action: "token.revoked",
            resource_type: "api_token",
            resource_id: Some("9".to_owned()),
            ..audit()
        },
    );
    store.insert_audit_batch(&events).await.unwrap();
    let query = |resource_type| AuditQuery {
        resource_type: Some(resource_type),
        limit: 1000,
        ..Default::default()
    };
    let (released, total) = store
        .list_audit_events(org.id, query("provider_configuration"))
        .await
        .unwrap();
    assert_eq!((released.len(), total), (450, 450));
    let mut ids: Vec<_> = released.iter().map(|e| e.resource_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 450, "each event once");
    let last = released.iter().find(|e| e.resource_id == "cfg-449").unwrap();
    assert_eq!(last.fields.0, ["auth_password", "to:+14155550449"]);
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("route.secret_released", "service-token:7")
    );
    assert_eq!(last.request_id, None);
    let even = released.iter().find(|e| e.resource_id == "cfg-448").unwrap();
    assert_eq!(even.request_id.as_deref(), Some("req-448"));
    let (revoked, _) = store.list_audit_events(org.id, query("api_token")).await.unwrap();
    assert_eq!(revoked.len(), 1);
}

#[tokio::test]
async fn sqlite_unique_rules_map_to_their_resource() {
    let dir = tempfile::tempdir().unwrap();
    let store = connect(dir.path().join("p.db").to_str().unwrap()).await.unwrap();
    unique_rules_map_to_their_resource(&store).await;
    changes_name_their_organization(&store).await;
    an_audit_batch_is_written_whole(&store).await;
    store.close().await;
}

/// Runs on a scratch database when `PATCHBAY_TEST_POSTGRES_URL` names a server.
#[tokio::test]
async fn postgres_unique_rules_map_to_their_resource() {
    use sqlx::Connection as _;
    let Ok(admin_url) = std::env::var("PATCHBAY_TEST_POSTGRES_URL") else {
        return;
    };
    let name = format!("pb_unit_{}", Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let create = format!("CREATE DATABASE {name}");
    sqlx::query(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await
        .unwrap();
    let (server, _) = admin_url.rsplit_once('/').expect("the URL ends with /<database>");
    let url = format!("{server}/{name}");
    // On its own task, so a failed assertion still drops the scratch database below.
    let run = tokio::spawn(async move {
        let store = connect(&url).await.unwrap();
        unique_rules_map_to_their_resource(&store).await;
        changes_name_their_organization(&store).await;
        an_audit_batch_is_written_whole(&store).await;
        store.close().await;
    })
    .await;
    let drop = format!("DROP DATABASE {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut admin)
        .await
        .unwrap();
    run.unwrap();
}
