//! The commands of the binary, one file per group; each calls the service, never the store.

pub mod audit;
pub mod config;
pub mod keys;
pub mod openapi;
pub mod org;
pub mod serve;
mod service_token;
pub mod token;
pub mod user;

use std::sync::Arc;

use anyhow::Context as _;

use patchbay::carriers::Carriers;
use patchbay::config::{CommonSettings, LogFormat, Settings, load_keyring, redact_url};
use patchbay::service::Patchbay;
use patchbay::storage::Organization;

/// Lines queued for the log writer before a logging thread waits for it (see [`init_logging`]).
const LOG_QUEUE_LINES: usize = 4_096;

/// Logs go to stderr through a writer thread that batches lines into few writes (one per burst,
/// not one per request: a measurable share of a cached GET). Nothing is dropped: a full queue
/// makes the logging thread wait. The queue is short: with the default 128,000 lines, a server
/// under load (its writer thread sharing the core) held ~5 MB more (`/proc/<pid>/smaps`); 4,096
/// lines (~1 MB) still let the writer take thousands a turn. Keep the guard until the end of
/// `main`: dropping it writes out what is queued.
pub fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PATCHBAY_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"))
        // sqlx warns about connection-URL parameters it does not know with their values
        // (`sslpassword=…`): never at any log level.
        .add_directive(
            "sqlx_postgres::options::parse=error"
                .parse()
                .expect("a valid directive"),
        );
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("patchbay-log")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    // Logs go to stderr; stdout is kept for what commands print (tokens shown once, JSON).
    // Colours only for a person at a terminal, not in files or log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => builder.event_format(patchbay::telemetry::TextFormat::new(ansi)).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
    guard
}

/// The service over the configured database, after checking the master key matches it.
pub async fn open(common: &CommonSettings) -> anyhow::Result<Patchbay> {
    open_with(&Settings::load(common.clone(), None)?).await
}

pub async fn open_with(settings: &Settings) -> anyhow::Result<Patchbay> {
    let common = &settings.common;
    let keyring = load_keyring(&common.database_url, common.master_key_file.as_deref())?;
    let store = patchbay::storage::connect(&common.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(&common.database_url)))?;
    let carriers = Carriers::try_new(settings.carriers.clone())?;
    let app = Patchbay::new(store, Arc::new(keyring), carriers);
    app.check_keys().await?;
    Ok(app)
}

pub async fn org_by_handle(app: &Patchbay, handle: &str) -> anyhow::Result<Organization> {
    app.organization_by_handle(handle)
        .await?
        .with_context(|| format!("no organization with handle '{handle}'"))
}
