//! The bare insert loop: how fast sqlx can commit rows shaped like Patchbay's configurations
//! into SQLite with the server's durability settings (WAL, synchronous=FULL, a pool of 8),
//! one transaction per insert. Patchbay's create rate is reported as a ratio of this one's.
//!
//!     bench-sqlite-insert <database file> <seconds> <concurrent tasks>
//!
//! Prints one line: `inserts=<n> seconds=<s> rate=<n/s>`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::RngCore as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;

/// The project's own schema, indexes included.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// nonce (12) + `{"auth_token":"<32 chars>"}` (29+) + tag (16): what a sealed Twilio secret weighs.
const SEALED_LEN: usize = 12 + 47 + 16;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, seconds, tasks] = args.as_slice() else {
        anyhow::bail!("usage: bench-sqlite-insert <database file> <seconds> <concurrent tasks>");
    };
    let seconds: f64 = seconds.parse().context("seconds")?;
    let tasks: u64 = tasks.parse().context("concurrent tasks")?;
    // The same connection settings as patchbay's SQLite store (src/storage/sqlite.rs).
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    let org_id: i64 =
        sqlx::query_scalar("INSERT INTO organizations (handle, name, created_at) VALUES ($1, $1, $2) RETURNING id")
            .bind(format!("insert-{}", uuid::Uuid::new_v4().simple()))
            .bind(chrono::Utc::now())
            .fetch_one(&pool)
            .await?;

    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut workers = Vec::new();
    for _ in 0..tasks {
        let (pool, counter) = (pool.clone(), counter.clone());
        workers.push(tokio::spawn(async move {
            let mut blob = vec![0u8; SEALED_LEN];
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                rand::rng().fill_bytes(&mut blob);
                let now = chrono::Utc::now();
                sqlx::query(
                    "INSERT INTO provider_configurations (uuid, org_id, provider, account_sid, name, settings, \
                     secret_key_id, secret_ciphertext, verification_status, next_verification_at, \
                     supports_call_transfer, created_at, updated_at) \
                     VALUES ($1, $2, 'twilio', $3, NULL, $4, 'k0123456789abcdef', $5, 'pending', $6, FALSE, $6, $6)",
                )
                .bind(uuid::Uuid::new_v4())
                .bind(org_id)
                .bind(format!("AC{n:032x}"))
                .bind(Json(BTreeMap::<String, String>::new()))
                .bind(&blob)
                .bind(now)
                .execute(&pool)
                .await?;
            }
            anyhow::Ok(())
        }));
    }
    for worker in workers {
        worker.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let inserted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    println!(
        "inserts={inserted} seconds={elapsed:.2} rate={:.1}",
        inserted as f64 / elapsed
    );
    Ok(())
}
