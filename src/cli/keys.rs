//! `patchbay keys rotate`.

use std::time::Duration;

use clap::Subcommand;

use patchbay::service::Patchbay;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every stored secret under the active key (the first of PATCHBAY_MASTER_KEY),
    /// in batches; resumable, and safe while servers run with old and new keys loaded.
    Rotate {
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        batch: i64,
        /// Milliseconds to wait between batches (spreads the load; tests use it to make live
        /// writes overlap the rotation and to interrupt it midway).
        #[arg(long, default_value_t = 0, hide = true)]
        pause_between_batches_ms: u64,
    },
}

pub async fn run(app: &Patchbay, command: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Rotate {
        batch,
        pause_between_batches_ms,
    } = command;
    let active = app.active_key_id().to_owned();
    let done = app
        .rotate_secrets(
            batch,
            Duration::from_millis(pause_between_batches_ms),
            |done, remaining| {
                eprintln!("re-sealed {done} secret(s) under key {active}; {remaining} left");
            },
        )
        .await?;
    println!("rotation complete: {done} secret(s) re-sealed under key {active}; none left under another key");
    Ok(())
}
