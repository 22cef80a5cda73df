//! `patchbay org create|list`.

use clap::Subcommand;
use serde_json::json;

use patchbay::domain::access::OrgHandle;
use patchbay::service::Patchbay;
use patchbay::storage::Organization;

#[derive(Subcommand)]
pub enum OrgCommand {
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

fn org_json(org: &Organization) -> serde_json::Value {
    json!({"id": org.id, "handle": org.handle, "name": org.name, "created_at": org.created_at.to_rfc3339()})
}

pub async fn run(app: &Patchbay, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Create { handle, name, json } => {
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
        OrgCommand::List { json } => {
            for org in app.list_organizations().await? {
                if json {
                    println!("{}", org_json(&org));
                } else {
                    println!("{}\t{}\t{}", org.id, org.handle, org.name);
                }
            }
        }
    }
    Ok(())
}
