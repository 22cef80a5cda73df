//! `patchbay serve`: the HTTP API and the background worker until SIGTERM/SIGINT.

use std::sync::Arc;

use anyhow::Context as _;

use patchbay::config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let server = settings.server.clone().context("serve needs the server settings")?;
    let app = super::open_with(&settings)
        .await?
        .with_verify_interval(server.verify_interval)
        .with_configuration_quota(server.max_configurations_per_org)
        .with_number_quota(server.max_numbers_per_org)
        .with_idempotency_key_quota(server.max_idempotency_keys_per_org)
        .with_audit_retention(server.audit_retention)
        .with_webhooks(patchbay::service::webhooks::WebhookSettings::from_env()?)?;
    let listen = server.listen;
    // The demo organization is for the embedded SQLite default only: on PostgreSQL (a shared,
    // provisioned database) organizations and tokens are created with the CLI.
    let demo = if patchbay::config::is_postgres(&settings.common.database_url) {
        None
    } else {
        app.bootstrap_demo().await?
    };
    if let Some((org, token)) = demo {
        let (email, password) = app.bootstrap_demo_user(&org).await?;
        // Printed to stdout once, never logged: they are credentials.
        println!(
            "Created the console user {email} (admin of '{handle}'); sign in at http://{listen}/console/ \
             with this password (shown once):\n\n  {password}\n",
            handle = org.handle,
            password = password.expose(),
        );
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
    let metrics = match server.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for metrics"))?;
            tracing::info!(metrics_listen = %listener.local_addr()?, "metrics served at /metrics");
            Some(tokio::spawn(patchbay::http::serve_metrics(listener, app.clone())))
        }
        None => None,
    };
    let worker = patchbay::worker::spawn(app.clone(), server.worker());
    let webhooks = patchbay::worker::spawn_webhooks(app.clone());
    let shutdown = shutdown_signal()?;
    tracing::info!(listen = %listener.local_addr()?, backend = app.backend(), "patchbay ready");
    patchbay::http::serve(listener, app.clone(), server.http(), shutdown).await?;
    // Bounded: it waits for the database to take back the unchecked rows' leases.
    if tokio::time::timeout(std::time::Duration::from_secs(5), worker.stop())
        .await
        .is_err()
    {
        tracing::warn!("the verifier did not stop within 5 s; its unchecked rows wait out their lease");
    }
    webhooks.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    app.close().await;
    tracing::info!("patchbay stopped");
    Ok(())
}

/// Installs the SIGTERM/SIGINT handlers now (before the server reports ready, so a stop signal
/// sent right after start is never the default "terminate at once") and returns the future that
/// resolves on the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
