//! Secrets at rest are sealed bound to the row that holds them: the associated data names the
//! resource kind, its uuid and its organization, so a ciphertext copied into another row (or
//! another organization) fails to open.

use secrecy::SecretString;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::{Keyring, Sealed};
use crate::domain::configuration::SecretFields;
use crate::error::{Error, Result};
use crate::storage::ConfigurationRecord;

/// The kinds of rows that hold sealed secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKind {
    /// A configuration row, and the provisioning journal that becomes one (same uuid).
    ProviderConfiguration,
    /// A webhook endpoint's signing secrets.
    WebhookEndpoint,
}

impl SealedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProviderConfiguration => "provider_configuration",
            Self::WebhookEndpoint => "webhook_endpoint",
        }
    }
}

/// The row a secret belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowBinding {
    pub kind: SealedKind,
    pub uuid: Uuid,
    pub org_id: i64,
}

impl RowBinding {
    pub fn configuration(uuid: Uuid, org_id: i64) -> Self {
        Self {
            kind: SealedKind::ProviderConfiguration,
            uuid,
            org_id,
        }
    }

    pub fn webhook_endpoint(uuid: Uuid, org_id: i64) -> Self {
        Self {
            kind: SealedKind::WebhookEndpoint,
            uuid,
            org_id,
        }
    }

    /// `patchbay/<kind>/<uuid>/org/<org id>`: these exact bytes are in every stored ciphertext.
    fn aad(&self) -> Vec<u8> {
        // Written piecewise: `format!` through the uuid's `Display` was most of the cost of
        // binding an outbound call's password to its row (once per call).
        let mut uuid = Uuid::encode_buffer();
        let mut org = itoa::Buffer::new();
        [
            b"patchbay/",
            self.kind.as_str().as_bytes(),
            b"/",
            self.uuid.hyphenated().encode_lower(&mut uuid).as_bytes(),
            b"/org/",
            org.format(self.org_id).as_bytes(),
        ]
        .concat()
    }
}

/// An opened bundle that does not parse: authentic (it opened), so written wrong, never the
/// client's fault. Only the error's kind and position are kept: serde_json's message can quote
/// the offending value, which here would be (part of) a secret, and internal errors are logged.
fn not_a_map(e: serde_json::Error) -> Error {
    Error::Internal(anyhow::anyhow!(
        "sealed secrets are not a JSON map of strings ({:?} error at line {}, column {})",
        e.classify(),
        e.line(),
        e.column()
    ))
}

/// Seals and opens secret bundles for their rows with the loaded key ring.
pub struct Sealer<'a> {
    keyring: &'a Keyring,
}

impl<'a> Sealer<'a> {
    pub fn new(keyring: &'a Keyring) -> Self {
        Self { keyring }
    }

    pub fn seal(&self, row: RowBinding, secrets: &SecretFields) -> Sealed {
        self.keyring.seal(&secrets.to_plaintext(), &row.aad())
    }

    pub fn open(&self, row: RowBinding, sealed: &Sealed) -> Result<SecretFields> {
        let plaintext = self.open_raw(row, sealed)?;
        SecretFields::from_plaintext(&plaintext).map_err(not_a_map)
    }

    /// One field of a configuration's sealed bundle, opened in place from its cached row: the
    /// routing hot path needs only the trunk password, not the whole bundle as a map.
    pub fn open_field(&self, config: &ConfigurationRecord, field: &str) -> Result<Option<SecretString>> {
        let row = RowBinding::configuration(config.uuid, config.org_id);
        let plaintext = self
            .keyring
            .open_parts(&config.secret_key_id, &config.secret_ciphertext, &row.aad())?;
        SecretFields::field_from_plaintext(&plaintext, field).map_err(not_a_map)
    }

    /// Re-seals under the active key without decoding the bundle (key rotation).
    pub fn reseal(&self, row: RowBinding, sealed: &Sealed) -> Result<Sealed> {
        let plaintext = self.open_raw(row, sealed)?;
        Ok(self.keyring.seal(&plaintext, &row.aad()))
    }

    fn open_raw(&self, row: RowBinding, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>> {
        Ok(self.keyring.open(sealed, &row.aad())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The associated data is in every stored ciphertext: its bytes may never change.
        #[test]
        fn the_associated_data_is_the_documented_format(uuid: u128, org_id: i64, webhook: bool) {
            let uuid = Uuid::from_u128(uuid);
            let row = if webhook {
                RowBinding::webhook_endpoint(uuid, org_id)
            } else {
                RowBinding::configuration(uuid, org_id)
            };
            let expected = format!("patchbay/{}/{}/org/{}", row.kind.as_str(), uuid, org_id);
            proptest::prop_assert_eq!(row.aad(), expected.into_bytes());
        }
    }

    #[test]
    fn a_malformed_bundle_is_reported_without_its_values() {
        let e = SecretFields::field_from_plaintext(br#"{"auth_token":123456789}"#, "auth_token").unwrap_err();
        let message = not_a_map(e).to_string();
        assert!(message.contains("line 1"), "{message}");
        assert!(!message.contains("123456789"), "{message}");
    }

    #[test]
    fn configuration_aad_is_unchanged() {
        // Existing databases were sealed with exactly these bytes.
        let uuid = Uuid::nil();
        assert_eq!(
            RowBinding::configuration(uuid, 7).aad(),
            format!("patchbay/provider_configuration/{uuid}/org/7").into_bytes()
        );
    }
}
