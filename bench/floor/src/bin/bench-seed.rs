//! Bulk seeding for `bench/run --scale`: a SQLite database holding `<configs>` provider
//! configurations across `<orgs>` organizations, each org with one admin token.
//!
//!     PATCHBAY_MASTER_KEY=... bench-seed <sqlite url> <orgs> <configs> <bench org configs> [<numbers>]
//!
//! With `<numbers>`, each organization also gets a bridge `main`, and `<numbers>` numbers
//! (`+1650` and seven digits: number n is `+1650{n:07}`) are spread over the organizations in a
//! shuffled order, each on its organization's first configuration and connected to its bridge,
//! so every one of them is routable (for call routing's inbound look-up at scale).
//!
//! The schema comes from the project's migrations (through `patchbay::storage::connect`); the
//! rows are the ones the API would write (same columns, sealed secrets bound to their row),
//! written in large transactions with `synchronous=OFF` for speed. The org `bench` (in the
//! middle of the id range) gets `<bench org configs>` rows; the others share the rest. Rows of
//! all organizations are interleaved in a shuffled order, as years of traffic would leave
//! them, not grouped per organization. Rows are in the steady state of a live deployment:
//! verified, next re-check due 1–2 hours from now (so the background verifier has nothing due
//! while the benchmark runs; that load is a separate question). At the end a sample of rows is read back through the
//! library and its secrets opened, so a sealing mismatch fails here, not in the benchmark.
//!
//! Prints `{"org": "bench", "token": "..."}` on stdout; progress goes to stderr.

use std::collections::BTreeMap;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;
use secrecy::ExposeSecret as _;
use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::types::Json;

use patchbay::carriers::{CarrierSettings, Carriers};
use patchbay::domain::access::NewApiToken;
use patchbay::service::Patchbay;
use patchbay::storage::ConfigurationKey;

const BENCH_ORG: &str = "bench";
const BATCH: usize = 20_000;

/// Must match `service::secret_aad` (private there); the read-back check below catches drift.
fn secret_aad(uuid: uuid::Uuid, org_id: i64) -> Vec<u8> {
    format!("patchbay/provider_configuration/{uuid}/org/{org_id}").into_bytes()
}

fn auth_token(n: usize) -> String {
    format!("seed-token-{n:010}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, orgs, configs, bench_configs, numbers) = match args.as_slice() {
        [u, o, c, b] => (u, o, c, b, 0),
        [u, o, c, b, n] => (u, o, c, b, n.parse()?),
        _ => anyhow::bail!("usage: bench-seed <sqlite url> <orgs> <configs> <bench org configs> [<numbers>]"),
    };
    let (orgs, configs, bench_configs): (usize, usize, usize) =
        (orgs.parse()?, configs.parse()?, bench_configs.parse()?);
    anyhow::ensure!(numbers < 10_000_000, "at most 9,999,999 numbers (+1650 and seven digits)");
    anyhow::ensure!(
        orgs >= 2 && bench_configs <= configs,
        "need 2+ orgs and bench configs <= configs"
    );
    let started = Instant::now();
    let keyring = Arc::new(patchbay::config::load_keyring(url, None)?);

    // Schema and indexes through the project's own migrations.
    patchbay::storage::connect(url).await?.close().await;

    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;

    // Organizations, one admin token each.
    let bench_index = orgs / 2;
    let mut org_ids = Vec::with_capacity(orgs);
    let mut bench_token = None;
    let mut tx = conn.begin().await?;
    for i in 0..orgs {
        let handle = if i == bench_index {
            BENCH_ORG.to_owned()
        } else {
            format!("org-{i:05}")
        };
        let now = chrono::Utc::now();
        let id: i64 =
            sqlx::query_scalar("INSERT INTO organizations (handle, name, created_at) VALUES ($1, $1, $2) RETURNING id")
                .bind(&handle)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        let token = NewApiToken::generate();
        sqlx::query(
            "INSERT INTO api_tokens (org_id, role, label, token_hash, token_prefix, created_at) \
             VALUES ($1, 'admin', 'seed', $2, $3, $4)",
        )
        .bind(id)
        .bind(&token.hash)
        .bind(&token.display_prefix)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if i == bench_index {
            bench_token = Some(token.expose().to_owned());
        }
        org_ids.push(id);
    }
    tx.commit().await?;
    eprintln!("seed: {orgs} organizations in {:.1}s", started.elapsed().as_secs_f64());

    // Which org each row goes to, shuffled (fixed seed: every run seeds the same layout).
    let mut owners: Vec<usize> = std::iter::repeat_n(bench_index, bench_configs).collect();
    let others: Vec<usize> = (0..orgs).filter(|&i| i != bench_index).collect();
    owners.extend((0..configs - bench_configs).map(|n| others[n % others.len()]));
    owners.shuffle(&mut rand::rngs::StdRng::seed_from_u64(0x5eed));

    let settings = Json(BTreeMap::<String, String>::new());
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    for (batch_no, batch) in owners.chunks(BATCH).enumerate() {
        let mut tx = conn.begin().await?;
        for (offset, &owner) in batch.iter().enumerate() {
            let n = batch_no * BATCH + offset;
            let (uuid, org_id, now) = (uuid::Uuid::new_v4(), org_ids[owner], chrono::Utc::now());
            let plaintext = serde_json::to_vec(&serde_json::json!({"auth_token": auth_token(n)}))?;
            let sealed = keyring.seal(&plaintext, &secret_aad(uuid, org_id));
            sqlx::query(
                "INSERT INTO provider_configurations (uuid, org_id, provider, account_sid, name, settings, \
                 secret_key_id, secret_ciphertext, verification_status, verification_details, last_verified_at, \
                 next_verification_at, region, supports_call_transfer, trunk_sid, termination_uri, created_at, \
                 updated_at) VALUES ($1, $2, 'twilio', $3, NULL, $4, $5, $6, 'verified', NULL, $7, $8, NULL, \
                 FALSE, NULL, NULL, $7, $7)",
            )
            .bind(uuid)
            .bind(org_id)
            .bind(format!("AC{n:032x}"))
            .bind(&settings)
            .bind(&sealed.key_id)
            .bind(&sealed.blob)
            .bind(now)
            .bind(now + chrono::Duration::seconds(3600 + rand::Rng::random_range(&mut rng, 0..3600)))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let done = (batch_no + 1) * BATCH;
        if done.is_multiple_of(200_000) {
            eprintln!("seed: {done} configurations, {:.1}s", started.elapsed().as_secs_f64());
        }
    }
    if numbers > 0 {
        seed_numbers(&mut conn, &org_ids, numbers).await?;
        eprintln!("seed: {numbers} routable numbers, {:.1}s", started.elapsed().as_secs_f64());
    }
    // The triggers logged every seeded row for the caches of running servers; there are none
    // yet, and a server would otherwise prune millions of rows a minute into its measurements.
    sqlx::query("DELETE FROM routing_changes").execute(&mut conn).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    eprintln!(
        "seed: {configs} configurations written, {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // Read a sample back through the library: the rows must be what the API would serve.
    // Nothing here calls a carrier; they point at a closed local port all the same.
    let carriers = Carriers::try_new(CarrierSettings::from_lookup(|var| {
        var.ends_with("_BASE_URL").then(|| "http://127.0.0.1:9".to_owned())
    })?)?;
    let app = Patchbay::new(patchbay::storage::connect(url).await?, keyring, carriers);
    app.check_keys().await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let by_id: std::collections::HashMap<i64, _> =
        app.list_organizations().await?.into_iter().map(|o| (o.id, o)).collect();
    let listed = by_id.len();
    anyhow::ensure!(listed == orgs, "expected {orgs} organizations, found {listed}");
    for _ in 0..200 {
        let id = rand::Rng::random_range(&mut rng, 1..=configs as i64);
        let owner_org = org_ids[owners[(id - 1) as usize]];
        let org = by_id.get(&owner_org).context("owner organization missing")?;
        let record = app
            .get_configuration(org, ConfigurationKey::Id(id))
            .await
            .map_err(|e| anyhow::anyhow!("row {id} missing from org {owner_org}: {e}"))?;
        let n = usize::from_str_radix(&record.account_sid[2..], 16)?;
        let secrets = app
            .open_secrets(&record)
            .map_err(|e| anyhow::anyhow!("row {id}: {e}"))?;
        let token = secrets.get("auth_token").context("no auth_token")?;
        anyhow::ensure!(token.expose_secret() == auth_token(n), "row {id}: wrong secret");
    }
    app.close().await;
    eprintln!(
        "seed: sample of 200 rows opened through the library; total {:.1}s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "{}",
        serde_json::json!({"org": BENCH_ORG, "token": bench_token.context("no bench org")?})
    );
    Ok(())
}

/// A bridge `main` per organization and `numbers` numbers shuffled over the organizations, each
/// on its organization's first configuration and connected to its bridge.
async fn seed_numbers(conn: &mut sqlx::SqliteConnection, org_ids: &[i64], numbers: usize) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let firsts: std::collections::HashMap<i64, i64> =
        sqlx::query_as("SELECT org_id, MIN(id) FROM provider_configurations GROUP BY org_id")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let now = chrono::Utc::now();
    let mut bridges = std::collections::HashMap::new();
    let mut tx = conn.begin().await?;
    for &org in org_ids {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bridges (org_id, slug, name, created_at, updated_at) VALUES ($1, 'main', 'main', $2, $2) \
             RETURNING id",
        )
        .bind(org)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        bridges.insert(org, id);
    }
    tx.commit().await?;
    let mut owners: Vec<i64> = (0..numbers).map(|n| org_ids[n % org_ids.len()]).collect();
    owners.shuffle(&mut rand::rngs::StdRng::seed_from_u64(0x9a1e));
    for (batch_no, batch) in owners.chunks(BATCH).enumerate() {
        let mut tx = conn.begin().await?;
        for (offset, &org) in batch.iter().enumerate() {
            let n = batch_no * BATCH + offset;
            let config = *firsts.get(&org).context("an organization without a configuration")?;
            let number_id: i64 = sqlx::query_scalar(
                "INSERT INTO phone_numbers (uuid, org_id, configuration_id, phone_number, carrier_sid, created_at) \
                 VALUES ($1, $2, $3, $4, NULL, $5) RETURNING id",
            )
            .bind(uuid::Uuid::new_v4())
            .bind(org)
            .bind(config)
            .bind(format!("+1650{n:07}"))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO bridge_numbers (bridge_id, number_id, created_at) VALUES ($1, $2, $3)")
                .bind(bridges[&org])
                .bind(number_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
