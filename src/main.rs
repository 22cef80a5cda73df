//! The `patchbay` binary: the server, and organization/token administration on the same database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use patchbay::carriers::{CarrierSettings, Carriers};
use patchbay::domain::access::{OrgHandle, Role, parse_duration};
use patchbay::service::Patchbay;
use patchbay::storage::Organization;
use patchbay::verifier::VerifierSettings;

#[derive(Parser)]
#[command(
    name = "patchbay",
    version,
    about = "Telephony provider accounts of many organizations, behind one REST API"
)]
struct Cli {
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

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        #[arg(long, env = "PATCHBAY_LISTEN", default_value = "127.0.0.1:3001")]
        listen: SocketAddr,
        /// How often each configuration is re-verified with its carrier (e.g. 1h, 30m, 30s).
        #[arg(long, env = "PATCHBAY_VERIFY_INTERVAL", default_value = "1h", value_parser = parse_interval)]
        verify_interval: std::time::Duration,
        /// Carrier verification calls in flight at once.
        #[arg(long, env = "PATCHBAY_VERIFY_CONCURRENCY", default_value_t = 4)]
        verify_concurrency: usize,
    },
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

fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s)?.to_std().map_err(|e| e.to_string())
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PATCHBAY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Logs go to stderr; stdout is kept for what commands print (tokens shown once, JSON).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let app = open(&cli).await?;
    match cli.command {
        Command::Serve {
            listen,
            verify_interval,
            verify_concurrency,
        } => {
            let app = app.with_verify_interval(verify_interval);
            let verifier = VerifierSettings {
                concurrency: verify_concurrency,
                ..VerifierSettings::default()
            };
            serve(app, listen, verifier).await?
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
            let revoked = app.store.revoke_api_token(id, chrono::Utc::now()).await?;
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

async fn serve(app: Patchbay, listen: SocketAddr, verifier: VerifierSettings) -> anyhow::Result<()> {
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
    let verifier = patchbay::verifier::spawn(app.clone(), verifier);
    tracing::info!(listen = %listener.local_addr()?, backend = app.store.backend(), "patchbay ready");
    patchbay::http::serve(listener, app.clone(), shutdown_signal()).await?;
    verifier.abort();
    app.store.close().await;
    tracing::info!("patchbay stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
