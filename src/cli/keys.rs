//! `patchbay keys rotate`.

use clap::Subcommand;

use patchbay::service::Patchbay;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every stored secret under the active key (the first of PATCHBAY_MASTER_KEY),
    /// in batches; resumable, and safe while servers run with old and new keys loaded.
    Rotate {
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        batch: i64,
    },
}

pub async fn run(app: &Patchbay, command: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Rotate { batch } = command;
    let active = app.active_key_id().to_owned();
    let done = app
        .rotate_secrets(batch, |done, remaining| {
            eprintln!("re-sealed {done} secret(s) under key {active}; {remaining} left");
        })
        .await?;
    println!("rotation complete: {done} secret(s) re-sealed under key {active}");
    Ok(())
}
