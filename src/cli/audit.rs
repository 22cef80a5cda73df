//! `patchbay audit tail`.

use std::time::Duration;

use clap::Subcommand;
use serde_json::json;

use patchbay::service::Patchbay;
use patchbay::storage::AuditQuery;

use super::org_by_handle;

#[derive(Subcommand)]
pub enum AuditCommand {
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

pub async fn run(app: &Patchbay, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Tail { org, lines, follow } = command;
    let org = org_by_handle(app, &org).await?;
    let mut last_id = None;
    loop {
        let query = AuditQuery {
            after_id: last_id,
            limit: lines,
            ..Default::default()
        };
        let (mut events, _) = app.audit_events(&org, query).await?;
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
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
