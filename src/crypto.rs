//! Encryption of secrets at rest: AES-256-GCM with a fresh random nonce per write.
//!
//! Each ciphertext is stored with the id of the key that sealed it, so several keys can be
//! loaded at once (one active for writes, the others for reads during a rotation). The caller
//! passes the row's identity as associated data: a ciphertext copied into another row fails to
//! open instead of silently yielding another row's secret.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::Path;

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("a master key must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)")]
    Malformed,
    #[error("cannot read or create the key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("no master key given: set PATCHBAY_MASTER_KEY (base64, 32 bytes) or PATCHBAY_MASTER_KEY_FILE")]
    Missing,
    #[error(
        "the key file {path} can be read by other users (mode {mode:o}): restrict it with `chmod 600 {path}` \
         (and consider the key exposed)"
    )]
    Exposed { path: String, mode: u32 },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("secret sealed with key id {0}, which is not loaded")]
    UnknownKey(String),
    #[error("secret failed authentication (wrong key, or ciphertext not bound to this row)")]
    Unauthentic,
}

/// A sealed secret as stored: the key id and `nonce || ciphertext+tag`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub blob: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("len", &self.blob.len())
            .finish()
    }
}

struct MasterKey {
    cipher: Aes256Gcm,
    /// A key for [`Keyring::fingerprints`], derived from the master key (never the key itself).
    mac_key: Zeroizing<[u8; 32]>,
}

/// HMAC-SHA-256 (RFC 2104) over the concatenation of `parts`.
fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut ipad = Zeroizing::new([0x36u8; BLOCK]);
    let mut opad = Zeroizing::new([0x5cu8; BLOCK]);
    for (i, b) in key.iter().enumerate() {
        ipad[i] ^= b;
        opad[i] ^= b;
    }
    let mut inner = Sha256::new().chain_update(&ipad[..]);
    for part in parts {
        inner.update(part);
    }
    Sha256::new()
        .chain_update(&opad[..])
        .chain_update(inner.finalize())
        .finalize()
        .into()
}

/// The loaded master keys.
pub struct Keyring {
    active: String,
    keys: BTreeMap<String, MasterKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A key's id is derived from the key (a truncated, domain-separated hash), so a wrong key can
/// never pass for the right one and the id reveals nothing usable about the key.
fn key_id(key: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"patchbay master key id v1\0")
        .chain_update(key)
        .finalize();
    format!("k{}", &hex::encode(digest)[..16])
}

fn decode_key(b64: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| KeyError::Malformed)?,
    );
    if bytes.len() != 32 {
        return Err(KeyError::Malformed);
    }
    Ok(bytes)
}

impl Keyring {
    /// Builds a keyring; the first key is active, the others are kept for reading.
    pub fn from_base64_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, KeyError> {
        let mut active = None;
        let mut map = BTreeMap::new();
        for b64 in keys {
            let bytes = decode_key(b64)?;
            let id = key_id(&bytes);
            let key = Key::<Aes256Gcm>::try_from(&bytes[..]).map_err(|_| KeyError::Malformed)?;
            let mac_key = Zeroizing::new(
                Sha256::new()
                    .chain_update(b"patchbay request fingerprint key v1\0")
                    .chain_update(&bytes[..])
                    .finalize()
                    .into(),
            );
            map.insert(
                id.clone(),
                MasterKey {
                    cipher: Aes256Gcm::new(&key),
                    mac_key,
                },
            );
            active.get_or_insert(id);
        }
        Ok(Self {
            active: active.ok_or(KeyError::Missing)?,
            keys: map,
        })
    }

    /// Reads the key file, creating it (mode 0600) with a random key if it does not exist. A key
    /// file group or others can read is refused.
    pub fn load_or_create_file(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
                    if mode & 0o077 != 0 {
                        return Err(KeyError::Exposed {
                            path: path.display().to_string(),
                            mode,
                        });
                    }
                }
                Self::from_base64_keys([text.as_str()])
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key =
                    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(Key::<Aes256Gcm>::generate()));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io)?;
                file.write_all(key.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io)?;
                Self::from_base64_keys([key.as_str()])
            }
            Err(e) => Err(io(e)),
        }
    }

    pub fn active_key_id(&self) -> &str {
        &self.active
    }

    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.keys().map(String::as_str).collect()
    }

    pub fn has_key(&self, id: &str) -> bool {
        self.keys.contains_key(id)
    }

    /// Keyed fingerprints (hex HMAC-SHA-256) of `parts`, one per loaded key, the active key's
    /// first: a stored fingerprint cannot be checked against guesses without a master key, and
    /// one made under a key still loaded still matches during a rotation.
    pub fn fingerprints(&self, parts: &[&[u8]]) -> Vec<String> {
        let active = &self.keys[&self.active];
        std::iter::once(active)
            .chain(self.keys.iter().filter(|(id, _)| **id != self.active).map(|(_, k)| k))
            .map(|k| hex::encode(hmac_sha256(&k.mac_key, parts)))
            .collect()
    }

    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        let key = &self.keys[&self.active];
        let nonce = Nonce::generate();
        let ciphertext = key
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad })
            .expect("AES-GCM encryption of a small message cannot fail");
        let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.active.clone(),
            blob,
        }
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open_parts(&sealed.key_id, &sealed.blob, aad)
    }

    /// [`Keyring::open`] on a key id and blob borrowed from where they are kept (a cached row),
    /// without copying them into a [`Sealed`] first.
    pub fn open_parts(&self, key_id: &str, blob: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let key = self
            .keys
            .get(key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        if blob.len() < NONCE_LEN {
            return Err(CryptoError::Unauthentic);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| CryptoError::Unauthentic)?;
        key.cipher
            .decrypt(&nonce, Payload { msg: ciphertext, aad })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Unauthentic)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_matches_rfc_4231_and_fingerprints_are_keyed() {
        // RFC 4231 test case 2 has a 4-byte key; ours are 32 bytes, zero-padded the same way.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, &[b"what do ya want ", b"for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let a = Keyring::from_base64_keys(["AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]).unwrap();
        let b = Keyring::from_base64_keys(["HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="]).unwrap();
        let both = Keyring::from_base64_keys([
            "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ])
        .unwrap();
        let body: &[&[u8]] = &[b"POST /x\n", b"{\"sip_password\":\"hunter2\"}"];
        assert_ne!(a.fingerprints(body), b.fingerprints(body));
        assert_ne!(a.fingerprints(body)[0], hex::encode(Sha256::digest(body.concat())));
        assert_eq!(
            both.fingerprints(body),
            [b.fingerprints(body)[0].clone(), a.fingerprints(body)[0].clone()]
        );
    }

    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "HxcdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

    #[test]
    fn round_trip_with_fresh_nonces() {
        let ring = Keyring::from_base64_keys([K1]).unwrap();
        let a = ring.seal(b"token", b"row-1");
        let b = ring.seal(b"token", b"row-1");
        assert_ne!(a.blob, b.blob, "each seal uses a new nonce");
        assert_eq!(&ring.open(&a, b"row-1").unwrap()[..], b"token");
        assert!(!a.blob.windows(5).any(|w| w == b"token"));
    }

    #[test]
    fn bound_to_the_row() {
        let ring = Keyring::from_base64_keys([K1]).unwrap();
        let sealed = ring.seal(b"token", b"row-1");
        assert_eq!(ring.open(&sealed, b"row-2"), Err(CryptoError::Unauthentic));
    }

    #[test]
    fn wrong_key_is_detected_by_id() {
        let sealed = Keyring::from_base64_keys([K1]).unwrap().seal(b"token", b"r");
        let other = Keyring::from_base64_keys([K2]).unwrap();
        assert!(matches!(other.open(&sealed, b"r"), Err(CryptoError::UnknownKey(_))));
        // Rotation: new key active, old key still opens old rows.
        let both = Keyring::from_base64_keys([K2, K1]).unwrap();
        assert_eq!(&both.open(&sealed, b"r").unwrap()[..], b"token");
        assert_ne!(both.seal(b"x", b"r").key_id, sealed.key_id);
    }

    #[test]
    fn tampering_fails() {
        let ring = Keyring::from_base64_keys([K1]).unwrap();
        let mut sealed = ring.seal(b"token", b"r");
        let last = sealed.blob.len() - 1;
        sealed.blob[last] ^= 1;
        assert_eq!(ring.open(&sealed, b"r"), Err(CryptoError::Unauthentic));
    }

    #[test]
    fn malformed_keys() {
        assert!(matches!(
            Keyring::from_base64_keys(["not base64!"]),
            Err(KeyError::Malformed)
        ));
        assert!(matches!(Keyring::from_base64_keys(["AAAA"]), Err(KeyError::Malformed)));
        assert!(matches!(Keyring::from_base64_keys([]), Err(KeyError::Missing)));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.key");
        let a = Keyring::load_or_create_file(&path).unwrap();
        let b = Keyring::load_or_create_file(&path).unwrap();
        assert_eq!(a.active_key_id(), b.active_key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{a:?}").contains(&std::fs::read_to_string(&path).unwrap()));
    }
}
