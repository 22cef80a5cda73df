//! `patchbay config check`.

use clap::Subcommand;

use patchbay::config::{CommonSettings, ServerSettings, Settings};

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (secrets redacted); exit non-zero if it is invalid.
    Check {
        #[command(flatten)]
        serve: ServerSettings,
    },
}

/// Every setting as it will be used, secrets redacted; an error for any that would stop `serve`.
pub fn run(common: CommonSettings, command: ConfigCommand) -> anyhow::Result<()> {
    let ConfigCommand::Check { serve } = command;
    let settings = Settings::load(common, Some(serve))?;
    settings.master_key()?;
    println!("{settings:?}");
    Ok(())
}
