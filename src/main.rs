//! The `patchbay` binary: the server, and organization/token administration on the same database.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use patchbay::carriers::{CarrierSettings, Carriers};
use patchbay::domain::access::{OrgHandle, Role, parse_duration};
use patchbay::http::{HttpSettings, RateLimit};
use patchbay::service::Patchbay;
use patchbay::storage::Organization;
use patchbay::verifier::VerifierSettings;

#[derive(Parser)]
#[command(
    name = "patchbay",
    version,
    about = "Telephony provider accounts of many organizations, behind one REST API",
    after_help = "Settings come from, lowest first: defaults, the TOML file given by --config (or \
                  PATCHBAY_CONFIG), PATCHBAY_* environment variables, flags."
)]
struct Cli {
    /// A TOML file of settings (keys as in the README: database_url, listen, ...).
    #[arg(long, env = "PATCHBAY_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Database: a SQLite file (default) or a postgres:// URL.
    #[arg(
        long,
        env = "PATCHBAY_DATABASE_URL",
        default_value = "sqlite://patchbay.db",
        global = true
    )]
    database_url: String,
    /// Master key file; by default `<database file>.key` for SQLite. The key itself can be given
    /// in PATCHBAY_MASTER_KEY (base64), never on the command line.
    #[arg(long, env = "PATCHBAY_MASTER_KEY_FILE", global = true)]
    master_key_file: Option<PathBuf>,
    #[arg(long, env = "PATCHBAY_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, Debug)]
enum LogFormat {
    Text,
    Json,
}

/// Settings of the server, shared by `serve` and `config check`.
#[derive(clap::Args, Debug)]
struct ServeArgs {
    #[arg(long, env = "PATCHBAY_LISTEN", default_value = "127.0.0.1:3001")]
    listen: SocketAddr,
    /// How often each configuration is re-verified with its carrier (e.g. 1h, 30m, 30s).
    #[arg(long, env = "PATCHBAY_VERIFY_INTERVAL", default_value = "1h", value_parser = parse_interval)]
    verify_interval: Duration,
    /// Carrier verification calls in flight at once.
    #[arg(long, env = "PATCHBAY_VERIFY_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    verify_concurrency: u16,
    /// Sustained requests per second per API token; 0 disables rate limiting.
    #[arg(long, env = "PATCHBAY_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    rate_limit_per_second: u32,
    /// Requests a token may send at once before the sustained rate applies.
    #[arg(long, env = "PATCHBAY_RATE_LIMIT_BURST", default_value_t = 100)]
    rate_limit_burst: u32,
    /// A request still running after this is cancelled with a 503.
    #[arg(long, env = "PATCHBAY_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_interval)]
    request_timeout: Duration,
    /// After SIGTERM/SIGINT, how long in-flight requests may take before the process exits.
    #[arg(long, env = "PATCHBAY_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_interval)]
    shutdown_grace: Duration,
}

impl ServeArgs {
    fn http_settings(&self) -> HttpSettings {
        let rate_limit = NonZeroU32::new(self.rate_limit_per_second).map(|per_second| RateLimit {
            per_second,
            burst: NonZeroU32::new(self.rate_limit_burst).unwrap_or(per_second),
        });
        HttpSettings {
            rate_limit,
            request_timeout: self.request_timeout,
            shutdown_grace: self.shutdown_grace,
        }
    }

    fn verifier_settings(&self) -> VerifierSettings {
        VerifierSettings {
            concurrency: self.verify_concurrency.into(),
            ..VerifierSettings::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(ServeArgs),
    /// Manage organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Read the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Master key operations.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Print an organization's latest audit events, oldest first, one JSON object per line.
    Tail {
        #[arg(long)]
        org: String,
        /// How many of the latest events to print first.
        #[arg(short = 'n', long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=1000))]
        lines: i64,
        /// Keep printing new events as they happen.
        #[arg(long)]
        follow: bool,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every stored secret under the active key (the first of PATCHBAY_MASTER_KEY),
    /// in batches; resumable, and safe while servers run with old and new keys loaded.
    Rotate {
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        batch: i64,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (secrets redacted); exit non-zero if it is invalid.
    Check {
        #[command(flatten)]
        serve: ServeArgs,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organization.
    Create {
        handle: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List organizations.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "admin", value_parser = ["admin", "viewer"])]
        role: String,
        #[arg(long)]
        label: Option<String>,
        /// Lifetime, e.g. 30d, 12h, 90m; no expiry by default.
        #[arg(long)]
        expires_in: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List an organization's tokens (never their secrets).
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_duration(s)?.to_std().map_err(|e| e.to_string())
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PATCHBAY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Logs go to stderr; stdout is kept for what commands print (tokens shown once, JSON).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in files or log collectors.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

async fn open(cli: &Cli) -> anyhow::Result<Patchbay> {
    let keyring = patchbay::config::load_keyring(&cli.database_url, cli.master_key_file.as_deref())?;
    let store = patchbay::storage::connect(&cli.database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            patchbay::config::redact_url(&cli.database_url)
        )
    })?;
    let carriers = Carriers::try_new(CarrierSettings::from_env()?)?;
    let app = Patchbay::new(store, Arc::new(keyring), carriers);
    app.check_keys().await?;
    Ok(app)
}

async fn org_by_handle(app: &Patchbay, handle: &str) -> anyhow::Result<Organization> {
    app.store
        .organization_by_handle(handle)
        .await?
        .with_context(|| format!("no organization with handle '{handle}'"))
}

fn org_json(org: &Organization) -> serde_json::Value {
    json!({"id": org.id, "handle": org.handle, "name": org.name, "created_at": org.created_at.to_rfc3339()})
}

fn main() -> anyhow::Result<()> {
    // The config file is read before any thread exists: its values become environment
    // variables where none is set, so clap's env < flag precedence does the layering.
    patchbay::config::apply_config_file(std::env::args_os())?;
    let cli = Cli::parse();
    init_logging(cli.log_format);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Config {
        command: ConfigCommand::Check { serve },
    } = &cli.command
    {
        return config_check(&cli, serve);
    }
    let app = open(&cli).await?;
    match cli.command {
        Command::Serve(args) => serve(app.with_verify_interval(args.verify_interval), &args).await?,
        Command::Config { .. } => unreachable!("handled before opening the database"),
        Command::Audit {
            command: AuditCommand::Tail { org, lines, follow },
        } => {
            let org = org_by_handle(&app, &org).await?;
            let mut last_id = None;
            loop {
                let query = patchbay::storage::AuditQuery {
                    after_id: last_id,
                    limit: lines,
                    ..Default::default()
                };
                let (mut events, _) = app.store.list_audit_events(org.id, query).await?;
                events.reverse();
                for e in &events {
                    println!(
                        "{}",
                        json!({"id": e.id, "at": e.created_at.to_rfc3339(), "actor": e.actor, "action": e.action,
                            "resource_type": e.resource_type, "resource_id": e.resource_id, "fields": e.fields.0,
                            "request_id": e.request_id})
                    );
                }
                last_id = events.last().map(|e| e.id).or(last_id).or(Some(0));
                if !follow {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Command::Keys {
            command: KeysCommand::Rotate { batch },
        } => {
            let active = app.keyring.active_key_id().to_owned();
            let done = app
                .rotate_secrets(batch, |done, remaining| {
                    eprintln!("re-sealed {done} secret(s) under key {active}; {remaining} left");
                })
                .await?;
            println!("rotation complete: {done} secret(s) re-sealed under key {active}");
        }
        Command::Org {
            command: OrgCommand::Create { handle, name, json },
        } => {
            let handle = OrgHandle::parse(&handle).map_err(anyhow::Error::msg)?;
            let name = name.unwrap_or_else(|| handle.to_string());
            let org = app.create_organization(handle.as_str(), &name).await?;
            if json {
                println!("{}", org_json(&org));
            } else {
                println!(
                    "created organization '{}' (id {}, name {:?})",
                    org.handle, org.id, org.name
                );
            }
        }
        Command::Org {
            command: OrgCommand::List { json },
        } => {
            for org in app.store.list_organizations().await? {
                if json {
                    println!("{}", org_json(&org));
                } else {
                    println!("{}\t{}\t{}", org.id, org.handle, org.name);
                }
            }
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    org,
                    role,
                    label,
                    expires_in,
                    json,
                },
        } => {
            let org = org_by_handle(&app, &org).await?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let expires_at = expires_in
                .map(|d| parse_duration(&d).map(|d| chrono::Utc::now() + d))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let (record, token) = app.create_token(&org, role, label.as_deref(), expires_at).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": record.id, "token": token.expose(), "org": org.handle, "role": role,
                    "expires_at": record.expires_at.map(|t| t.to_rfc3339())})
                );
            } else {
                println!(
                    "token {} for '{}' ({}); shown once, store it now:\n{}",
                    record.id,
                    org.handle,
                    role.as_str(),
                    token.expose()
                );
            }
        }
        Command::Token {
            command: TokenCommand::List { org, json },
        } => {
            let org = org_by_handle(&app, &org).await?;
            for t in app.store.list_api_tokens(org.id).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.is_active(chrono::Utc::now()) {
                    "active"
                } else {
                    "expired"
                };
                if json {
                    println!(
                        "{}",
                        json!({"id": t.id, "org": org.handle, "role": t.role, "label": t.label, "prefix": t.token_prefix,
                        "state": state, "created_at": t.created_at.to_rfc3339(), "expires_at": t.expires_at.map(|x| x.to_rfc3339())})
                    );
                } else {
                    println!(
                        "{}\t{}\t{}…\t{}\t{}",
                        t.id,
                        t.role,
                        t.token_prefix,
                        state,
                        t.label.unwrap_or_default()
                    );
                }
            }
        }
        Command::Token {
            command: TokenCommand::Revoke { id, json },
        } => {
            let audit = patchbay::service::audit(None, "token.revoked", "api_token", Some(id.to_string()), vec![]);
            let revoked = app.store.revoke_api_token(id, chrono::Utc::now(), &audit).await?;
            anyhow::ensure!(revoked, "no active token with id {id}");
            if json {
                println!("{}", json!({"id": id, "revoked": true}));
            } else {
                println!("revoked token {id}");
            }
        }
    }
    Ok(())
}

async fn serve(app: Patchbay, args: &ServeArgs) -> anyhow::Result<()> {
    let listen = args.listen;
    if let Some((org, token)) = app.bootstrap_demo().await? {
        // Printed to stdout once, never logged: it is a credential.
        println!(
            "Created organization '{handle}' with an admin API token (shown once, store it now):\n\n  \
             export PATCHBAY_TOKEN={token}\n\n  \
             curl -H \"Authorization: Token $PATCHBAY_TOKEN\" -H \"Org-Handle: {handle}\" http://{listen}/api/v2/platform/telephony/providers/\n",
            handle = org.handle,
            token = token.expose(),
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let app = Arc::new(app);
    let verifier = patchbay::verifier::spawn(app.clone(), args.verifier_settings());
    let shutdown = shutdown_signal()?;
    tracing::info!(listen = %listener.local_addr()?, backend = app.store.backend(), "patchbay ready");
    patchbay::http::serve(listener, app.clone(), args.http_settings(), shutdown).await?;
    verifier.abort();
    app.store.close().await;
    tracing::info!("patchbay stopped");
    Ok(())
}

/// `config check`: every setting as it will be used, secrets redacted; an error for any that
/// would stop `serve`.
fn config_check(cli: &Cli, serve: &ServeArgs) -> anyhow::Result<()> {
    use patchbay::config::{describe_master_key, redact_url};
    let carriers = CarrierSettings::from_env()?;
    let master_key = describe_master_key(&cli.database_url, cli.master_key_file.as_deref())?;
    let http = serve.http_settings();
    let settings = json!({
        "config_file": cli.config.as_ref().map(|p| p.display().to_string()),
        "database_url": redact_url(&cli.database_url),
        "master_key": master_key,
        "log_format": format!("{:?}", cli.log_format).to_lowercase(),
        "listen": serve.listen.to_string(),
        "verify_interval_seconds": serve.verify_interval.as_secs(),
        "verify_concurrency": serve.verify_concurrency,
        "rate_limit": http.rate_limit.map(|l| json!({"per_second": l.per_second.get(), "burst": l.burst.get()})),
        "request_timeout_seconds": http.request_timeout.as_secs(),
        "shutdown_grace_seconds": http.shutdown_grace.as_secs(),
        "carriers": {
            "twilio_base_url": redact_url(&carriers.twilio_base_url),
            "twilio_trunking_base_url": redact_url(&carriers.twilio_trunking_base_url),
            "plivo_base_url": redact_url(&carriers.plivo_base_url),
            "telnyx_base_url": redact_url(&carriers.telnyx_base_url),
            "vonage_base_url": redact_url(&carriers.vonage_base_url),
            "exotel_base_url": carriers.exotel_base_url.as_deref().map(redact_url),
            "signalwire_base_url": carriers.signalwire_base_url.as_deref().map(redact_url),
            "connect_timeout_ms": carriers.connect_timeout.as_millis() as u64,
            "request_timeout_ms": carriers.request_timeout.as_millis() as u64,
            "max_retries": carriers.max_retries,
        },
    });
    println!("{}", serde_json::to_string_pretty(&settings)?);
    Ok(())
}

/// Installs the SIGTERM/SIGINT handlers now (before the server reports ready, so a stop signal
/// sent right after start is never the default "terminate at once") and returns the future that
/// resolves on the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
