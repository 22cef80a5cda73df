//! SQLite: the embedded default. WAL mode with `synchronous = FULL`, so an acknowledged
//! write survives a crash or power loss, and readers never wait for the writer.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::configurations::{CONFIG_COLUMNS, ConfigurationRecord};
use super::{Pools, Result};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// The file a SQLite URL or plain path names (`sqlite://x.db`, `sqlite:x.db`, `x.db`).
pub(super) fn file_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Creates an empty database file readable by its owner only (SQLite then gives its `-wal` and
/// `-shm` files the same mode), unless it exists. SQLite would create it with the umask's mode.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Read connections: each has its own worker thread and page cache.
const READERS: u32 = 8;
/// Each reader's page cache, in KiB (negative: a size, not a page count). SQLite's default is
/// 2,000 KiB; eight readers filled 8 × ~2.3 MB of a 1M-number database's pages (measured with
/// `/proc/<pid>/smaps`), a third of the server's memory. What a reader misses is still in the
/// kernel's page cache (one `pread`); the hot reads are answered from the routing caches anyway.
const READER_CACHE: &str = "-256";

pub(super) async fn connect(url: &str) -> anyhow::Result<Pools> {
    if let Some(path) = file_path(url) {
        anyhow::Context::with_context(create_private(&path), || {
            format!("cannot create the database file {}", path.display())
        })?;
    }
    let options = match file_path(url) {
        Some(path) if !url.starts_with("sqlite:") => SqliteConnectOptions::new().filename(path),
        _ => SqliteConnectOptions::from_str(url)?,
    }
    .create_if_missing(true)
    .journal_mode(SqliteJournalMode::Wal)
    .synchronous(SqliteSynchronous::Full)
    .foreign_keys(true)
    .busy_timeout(Duration::from_secs(10));
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    MIGRATOR.run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(READERS)
        .connect_with(options.pragma("cache_size", READER_CACHE))
        .await?;
    Ok(Pools::Sqlite { read, write })
}

/// See [`super::Store::claim_due_verifications`].
pub(super) async fn claim_due_verifications(
    write: &SqlitePool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ConfigurationRecord>> {
    // One writer at a time in SQLite, so the UPDATE itself is the lease.
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE provider_configurations SET next_verification_at = $1 WHERE id IN \
         (SELECT id FROM provider_configurations WHERE next_verification_at <= $2 \
          ORDER BY next_verification_at LIMIT $3) RETURNING {CONFIG_COLUMNS}"
    )))
    .bind(lease_until)
    .bind(now)
    .bind(limit)
    .fetch_all(write)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::file_path;

    /// Durability is a setting a SIGKILL test cannot see being lost (the page cache survives a
    /// killed process): read it back from every connection of both pools, with the readers'
    /// page cache bound (see `READER_CACHE`).
    #[tokio::test]
    async fn every_connection_is_wal_with_synchronous_full() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("durable.db").display());
        let super::Pools::Sqlite { read, write } = super::connect(&url).await.unwrap() else {
            unreachable!("a sqlite URL opens SQLite pools")
        };
        // Hold several read connections at once so more than the first is checked.
        let mut held = Vec::new();
        for pool in [&write, &read, &read, &read] {
            let mut conn = pool.acquire().await.unwrap();
            // 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA).
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(synchronous, 2, "synchronous must be FULL");
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(journal, "wal");
            // Readers keep a small page cache (memory); the writer SQLite's default.
            let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            let expected = if std::ptr::eq(pool, &write) {
                -2000
            } else {
                super::READER_CACHE.parse().unwrap()
            };
            assert_eq!(cache, expected, "page cache of a connection");
            held.push(conn);
        }
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(file_path("patchbay.db").unwrap().to_str(), Some("patchbay.db"));
        assert_eq!(
            file_path("sqlite://data/p.db?mode=rwc").unwrap().to_str(),
            Some("data/p.db")
        );
        assert_eq!(file_path("sqlite:p.db").unwrap().to_str(), Some("p.db"));
        assert!(file_path("sqlite::memory:").is_none());
    }
}
