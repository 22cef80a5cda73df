//! `patchbay user create|add|remove|list|reset-password|token`: people and their memberships.

use std::io::Read as _;

use anyhow::Context as _;
use clap::Subcommand;
use serde_json::json;

use patchbay::domain::access::Role;
use patchbay::domain::user::{Email, Password};
use patchbay::service::Patchbay;

use super::org_by_handle;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user with a role in an organization; the password is read from stdin.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = ["admin", "member", "viewer"])]
        role: String,
        /// Read the password from standard input (it never appears in the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Give an existing user a role in an organization (or change it).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = ["admin", "member", "viewer"])]
        role: String,
        #[arg(long)]
        json: bool,
    },
    /// Take a user out of an organization.
    Remove {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// List an organization's members.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (read from stdin); every console session of the user ends.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Create a personal API token: it acts for every organization of the user (Org-Handle
    /// chooses), with the user's role there. Printed once.
    Token {
        #[arg(long)]
        email: String,
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).map_err(anyhow::Error::msg)
}

fn role(raw: &str) -> anyhow::Result<Role> {
    raw.parse().map_err(anyhow::Error::msg)
}

/// The password from stdin: one line, its line ending dropped.
fn password_from_stdin() -> anyhow::Result<Password> {
    let mut raw = String::new();
    std::io::stdin()
        .take(Password::MAX_LEN as u64 + 2)
        .read_to_string(&mut raw)
        .context("cannot read the password from stdin")?;
    let raw = raw.strip_suffix('\n').unwrap_or(&raw);
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    Password::parse(raw).map_err(anyhow::Error::msg)
}

pub async fn run(app: &Patchbay, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            email: e,
            org,
            role: r,
            json,
            ..
        } => {
            let (email, role) = (email(&e)?, role(&r)?);
            let org = org_by_handle(app, &org).await?;
            let password = password_from_stdin()?;
            let user = app.create_user(&email, password, &org, role).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": user.id, "email": user.email, "org": org.handle, "role": role})
                );
            } else {
                println!(
                    "created user {} ({}) as {} of '{}'",
                    user.email,
                    user.id,
                    role.as_str(),
                    org.handle
                );
            }
        }
        UserCommand::Add {
            email: e,
            org,
            role: r,
            json,
        } => {
            let (email, role) = (email(&e)?, role(&r)?);
            let org = org_by_handle(app, &org).await?;
            let user = app.set_member(&email, &org, role).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": user.id, "email": user.email, "org": org.handle, "role": role})
                );
            } else {
                println!("{} is {} of '{}'", user.email, role.as_str(), org.handle);
            }
        }
        UserCommand::Remove { email: e, org, json } => {
            let email = email(&e)?;
            let org = org_by_handle(app, &org).await?;
            let user = app.user_by_email(&email).await?;
            app.remove_member(&org, user.id).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": user.id, "email": user.email, "org": org.handle, "removed": true})
                );
            } else {
                println!("{} is no longer a member of '{}'", user.email, org.handle);
            }
        }
        UserCommand::List { org, json } => {
            let org = org_by_handle(app, &org).await?;
            for m in app.list_members(&org).await? {
                if json {
                    println!(
                        "{}",
                        json!({"id": m.user_id, "email": m.email, "org": org.handle, "role": m.role,
                        "since": m.created_at.to_rfc3339()})
                    );
                } else {
                    println!("{}\t{}\t{}", m.user_id, m.email, m.role.as_str());
                }
            }
        }
        UserCommand::ResetPassword { email: e, json, .. } => {
            let email = email(&e)?;
            let password = password_from_stdin()?;
            app.reset_password(&email, password).await?;
            if json {
                println!("{}", json!({"email": email.as_str(), "password_reset": true}));
            } else {
                println!("new password set for {email}; its console sessions have ended");
            }
        }
        UserCommand::Token { email: e, label, json } => {
            let user = app.user_by_email(&email(&e)?).await?;
            let (record, token) = app.create_user_token(&user, label.as_deref()).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": record.id, "token": token.expose(), "email": user.email})
                );
            } else {
                println!(
                    "personal token {} for {} (acts for each of the user's organizations; Org-Handle chooses); \
                     shown once, store it now:\n{}",
                    record.id,
                    user.email,
                    token.expose()
                );
            }
        }
    }
    Ok(())
}
