//! `patchbay token create|list|revoke`.

use clap::Subcommand;
use serde_json::json;

use patchbay::domain::access::{Role, parse_duration};
use patchbay::service::Patchbay;
use patchbay::service::access::TokenState;

use super::org_by_handle;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token; it is printed once and stored only as a hash.
    Create {
        /// The token's organization; with --service, each organization it may route (repeat
        /// it), none for every organization.
        #[arg(long, required_unless_present = "service")]
        org: Vec<String>,
        /// A service token: for the machines that route calls (see README, "Call routing").
        #[arg(long)]
        service: bool,
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
    /// List an organization's tokens, or with --service the service tokens (never their secrets).
    List {
        #[arg(long, required_unless_present = "service")]
        org: Option<String>,
        #[arg(long, conflicts_with = "org")]
        service: bool,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke {
        id: i64,
        /// The id is a service token's.
        #[arg(long)]
        service: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(app: &Patchbay, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            org,
            service,
            role,
            label,
            expires_in,
            json,
        } => {
            if service {
                return super::service_token::create(app, &org, label.as_deref(), expires_in.as_deref(), json).await;
            }
            let [org] = org.as_slice() else {
                anyhow::bail!("an organization token has exactly one --org");
            };
            let org = org_by_handle(app, org).await?;
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
        TokenCommand::List { org, service, json } => {
            let Some(org) = org.filter(|_| !service) else {
                return super::service_token::list(app, json).await;
            };
            let org = org_by_handle(app, &org).await?;
            for t in app.list_tokens(&org).await? {
                let state = TokenState::of(&t, chrono::Utc::now()).as_str();
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
                        t.role.as_str(),
                        t.token_prefix,
                        state,
                        t.label.unwrap_or_default()
                    );
                }
            }
        }
        TokenCommand::Revoke { id, service, json } => {
            if service {
                return super::service_token::revoke(app, id, json).await;
            }
            anyhow::ensure!(app.revoke_token(id).await?, "no active token with id {id}");
            // Servers cache tokens: return once every one of them refuses it.
            tokio::time::sleep(patchbay::service::routing::REVOCATION_SETTLES).await;
            if json {
                println!("{}", json!({"id": id, "revoked": true}));
            } else {
                println!("revoked token {id}");
            }
        }
    }
    Ok(())
}
