//! Start-up configuration that is more than a flag: where the master key comes from.

use std::path::{Path, PathBuf};

use crate::crypto::{KeyError, Keyring};

pub const MASTER_KEY_ENV: &str = "PATCHBAY_MASTER_KEY";

/// Loads the master key(s), in this order:
/// 1. `PATCHBAY_MASTER_KEY`: base64 keys, comma-separated; the first is active for writes, the
///    others only open older secrets (for a rotation);
/// 2. an explicit key file (`--master-key-file` / `PATCHBAY_MASTER_KEY_FILE`), created if missing;
/// 3. for SQLite, `<database file>.key` beside the database, created (mode 0600) if missing.
///
/// PostgreSQL has no "beside the database", so it needs 1 or 2.
pub fn load_keyring(database_url: &str, key_file: Option<&Path>) -> Result<Keyring, KeyError> {
    if let Ok(keys) = std::env::var(MASTER_KEY_ENV)
        && !keys.trim().is_empty()
    {
        return Keyring::from_base64_keys(keys.split(',').map(str::trim).filter(|k| !k.is_empty()));
    }
    if let Some(path) = key_file {
        return Keyring::load_or_create_file(path);
    }
    match crate::storage::sqlite_path(database_url) {
        Some(db) if !is_postgres(database_url) => Keyring::load_or_create_file(&default_key_file(&db)),
        _ => Err(KeyError::Missing),
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn default_key_file(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".key");
    db.with_file_name(name)
}

/// A database URL with any password replaced, for logs and `config check`.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_sits_beside_the_database() {
        assert_eq!(
            default_key_file(Path::new("data/patchbay.db")),
            PathBuf::from("data/patchbay.db.key")
        );
        assert_eq!(
            default_key_file(Path::new("patchbay.db")),
            PathBuf::from("patchbay.db.key")
        );
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://patchbay.db"), "sqlite://patchbay.db");
        assert!(!redact_url("postgres://u:p@ss@h/x").contains("p@ss"));
    }
}
