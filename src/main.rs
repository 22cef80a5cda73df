//! The `patchbay` binary: the server, and organization/token administration on the same
//! database. This file only parses the command line and dispatches; the commands are in `cli/`.

mod cli;

// The system allocator was a sixth of a cached request's CPU (malloc, free, consolidation);
// mimalloc's thread-local free lists make the many small per-request allocations cheap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

use patchbay::config::{CommonSettings, ServerSettings, Settings};

#[derive(Parser)]
#[command(
    name = "patchbay",
    version,
    about = "Telephony provider accounts of many organizations, behind one REST API",
    after_help = "Settings come from, lowest first: defaults, the TOML file given by --config (or \
                  PATCHBAY_CONFIG), PATCHBAY_* environment variables, flags."
)]
struct Cli {
    #[command(flatten)]
    settings: CommonSettings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(ServerSettings),
    /// Manage organizations.
    Org {
        #[command(subcommand)]
        command: cli::org::OrgCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: cli::token::TokenCommand,
    },
    /// Manage people: users, their memberships and personal tokens.
    User {
        #[command(subcommand)]
        command: cli::user::UserCommand,
    },
    /// Read the audit trail.
    Audit {
        #[command(subcommand)]
        command: cli::audit::AuditCommand,
    },
    /// Master key operations.
    Keys {
        #[command(subcommand)]
        command: cli::keys::KeysCommand,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: cli::config::ConfigCommand,
    },
    /// Print the OpenAPI document the server serves at /openapi.json (no database needed).
    Openapi,
}

fn main() -> anyhow::Result<()> {
    // The config file is read before any thread exists: its values become environment
    // variables where none is set, so clap's env < flag precedence does the layering.
    patchbay::config::apply_config_file(std::env::args_os())?;
    let cli = Cli::parse();
    let _logs = cli::init_logging(cli.settings.log_format);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let common = cli.settings;
    match cli.command {
        // Checked without opening the database: it must create nothing.
        Command::Config { command } => cli::config::run(common, command),
        Command::Openapi => cli::openapi::run(),
        Command::Serve(server) => cli::serve::run(Settings::load(common, Some(server))?).await,
        Command::Org { command } => cli::org::run(&cli::open(&common).await?, command).await,
        Command::Token { command } => cli::token::run(&cli::open(&common).await?, command).await,
        Command::User { command } => cli::user::run(&cli::open(&common).await?, command).await,
        Command::Audit { command } => cli::audit::run(&cli::open(&common).await?, command).await,
        Command::Keys { command } => cli::keys::run(&cli::open(&common).await?, command).await,
    }
}
