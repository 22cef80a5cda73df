//! What no API or CLI shows, read or written under the service: one helper per need, so each
//! can later be pointed at a service method. Everything else goes through HTTP or the binary.

use patchbay::domain::configuration::SecretFields;
use patchbay::service::Patchbay;
use patchbay::storage::{ConfigurationKey, ConfigurationRecord, Organization, ProvisioningRecord};

/// A configuration as stored (its uuid, verification schedule, sealed secrets).
pub async fn configuration_record(app: &Patchbay, org: &Organization, key: ConfigurationKey) -> ConfigurationRecord {
    app.get_configuration(org, key).await.unwrap()
}

/// A configuration's secrets, opened: the API never shows them.
pub async fn stored_secrets(app: &Patchbay, org: &Organization, key: ConfigurationKey) -> SecretFields {
    let record = configuration_record(app, org, key).await;
    app.open_secrets(&record).unwrap()
}

/// Provisioning journals still open, whatever their age (a read: claiming them to count them
/// would make every one fresh again).
pub async fn open_provisioning_journals(app: &Patchbay) -> usize {
    app.open_provisioning_journals().await.unwrap().try_into().unwrap()
}

/// The journal a v1 create writes for Twilio account `sid` (token sealed in it) when it starts
/// provisioning configuration `id`, last touched `age` ago, at the credential-list stage.
pub fn provisioning_journal(
    app: &Patchbay,
    org: &Organization,
    id: uuid::Uuid,
    (sid, token): (&str, &str),
    age: chrono::Duration,
) -> ProvisioningRecord {
    let mut secrets = SecretFields::default();
    secrets.set("auth_token", secrecy::SecretString::from(token.to_owned()));
    let sealed = app.seal(id, org.id, &secrets);
    ProvisioningRecord {
        stage: patchbay::domain::twilio::Stage::CredentialList,
        ..ProvisioningRecord::started(id, org.id, sid, sealed, chrono::Utc::now() - age)
    }
}

/// Leaves a provisioning journal behind, as a process that crashed mid-saga would.
pub async fn insert_provisioning_journal(app: &Patchbay, journal: &ProvisioningRecord) {
    app.store.insert_provisioning(journal).await.unwrap();
}

/// Moves every configuration's next check of `org` to now (as if the retry pause had passed).
pub async fn make_verification_due(app: &Patchbay, org: &Organization) {
    let (rows, _) = app.store.list_configurations(org.id, Default::default()).await.unwrap();
    for row in rows {
        let due = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
        assert!(
            app.store
                .reschedule_verification(row.id, row.version, due)
                .await
                .unwrap()
        );
    }
}

/// Tampering: copies configuration `from`'s sealed secrets into `to`'s row. Returns `from` and
/// `to` as stored afterwards.
pub async fn copy_sealed_secrets(
    app: &Patchbay,
    org: &Organization,
    from: i64,
    to: i64,
) -> (ConfigurationRecord, ConfigurationRecord) {
    let store = &app.store;
    let ra = store
        .get_configuration(org.id, ConfigurationKey::Id(from))
        .await
        .unwrap()
        .unwrap();
    let rb = store
        .get_configuration(org.id, ConfigurationKey::Id(to))
        .await
        .unwrap()
        .unwrap();
    let mut moved = rb.state();
    moved.sealed = ra.sealed();
    let audit = patchbay::service::audit(Some(org.id), "test.tamper", "configuration", None, vec![]);
    let rb = store
        .update_configuration(org.id, to, rb.version, &moved, chrono::Utc::now(), &audit)
        .await
        .unwrap();
    (ra, rb)
}

/// How many sealed secrets are under a key other than `active_key_id`.
pub async fn count_sealed_with_other_keys(app: &Patchbay, active_key_id: &str) -> i64 {
    app.store.count_sealed_with_other_keys(active_key_id).await.unwrap()
}

/// Closes the database pool (flushing SQLite's WAL; the server's readiness fails after it).
pub async fn close_database(app: &Patchbay) {
    app.store.close().await;
}

/// The organization with this handle.
pub async fn organization(app: &Patchbay, handle: &str) -> Organization {
    app.organization_by_handle(handle).await.unwrap().unwrap()
}

/// An `Idempotency-Key` claimed `age` ago by a request that never answered (its process died).
pub async fn leave_unanswered_idempotency_key(app: &Patchbay, org: &Organization, key: &str, age: chrono::Duration) {
    let then = chrono::Utc::now() - age;
    let claim = app
        .claim_idempotency_key(
            org.id,
            key,
            &["a request that died".to_owned()],
            then,
            then - chrono::Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(claim, patchbay::storage::IdempotencyClaim::New);
}
