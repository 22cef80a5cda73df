//! `patchbay token create|list|revoke --service`: tokens of the machines that route calls.

use serde_json::json;

use patchbay::domain::access::parse_duration;
use patchbay::service::Patchbay;
use patchbay::storage::ServiceTokenGrant;

use super::org_by_handle;

fn state(t: &ServiceTokenGrant) -> &'static str {
    if t.token.revoked_at.is_some() {
        "revoked"
    } else if t.token.is_active(chrono::Utc::now()) {
        "active"
    } else {
        "expired"
    }
}

fn orgs(t: &ServiceTokenGrant) -> serde_json::Value {
    if t.token.all_orgs {
        json!("*")
    } else {
        json!(t.org_handles)
    }
}

pub async fn create(
    app: &Patchbay,
    handles: &[String],
    label: Option<&str>,
    expires_in: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let mut orgs = Vec::with_capacity(handles.len());
    for handle in handles {
        orgs.push(org_by_handle(app, handle).await?);
    }
    let expires_at = expires_in
        .map(|d| parse_duration(d).map(|d| chrono::Utc::now() + d))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let scope = (!orgs.is_empty()).then_some(orgs.as_slice());
    let (grant, token) = app.create_service_token(scope, label, expires_at).await?;
    if json {
        println!(
            "{}",
            json!({"id": grant.token.id, "token": token.expose(), "service": true, "orgs": self::orgs(&grant),
            "expires_at": grant.token.expires_at.map(|t| t.to_rfc3339())})
        );
    } else {
        let scope = if grant.token.all_orgs {
            "every organization".to_owned()
        } else {
            grant.org_handles.join(", ")
        };
        println!(
            "service token {} for {scope}; shown once, store it now:\n{}",
            grant.token.id,
            token.expose()
        );
    }
    Ok(())
}

pub async fn list(app: &Patchbay, json: bool) -> anyhow::Result<()> {
    for t in app.list_service_tokens().await? {
        if json {
            println!(
                "{}",
                json!({"id": t.token.id, "service": true, "orgs": orgs(&t), "label": t.token.label,
                "prefix": t.token.token_prefix, "state": state(&t), "created_at": t.token.created_at.to_rfc3339(),
                "expires_at": t.token.expires_at.map(|x| x.to_rfc3339())})
            );
        } else {
            let scope = if t.token.all_orgs {
                "*".to_owned()
            } else {
                t.org_handles.join(",")
            };
            println!(
                "{}\tservice\t{}…\t{}\t{}\t{}",
                t.token.id,
                t.token.token_prefix,
                state(&t),
                scope,
                t.token.label.clone().unwrap_or_default()
            );
        }
    }
    Ok(())
}

pub async fn revoke(app: &Patchbay, id: i64, json: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        app.revoke_service_token(id).await?,
        "no active service token with id {id}"
    );
    // Servers cache tokens: return once every one of them refuses it.
    tokio::time::sleep(patchbay::service::routing::REVOCATION_SETTLES).await;
    if json {
        println!("{}", json!({"id": id, "service": true, "revoked": true}));
    } else {
        println!("revoked service token {id}");
    }
    Ok(())
}
