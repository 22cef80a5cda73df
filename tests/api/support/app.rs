//! The real router, in-process, on 127.0.0.1:0, on SQLite or PostgreSQL; and the library opened
//! on a database the way the binary opens it.

use std::net::SocketAddr;
use std::sync::Arc;

use patchbay::carriers::{CarrierSettings, Carriers};
use patchbay::crypto::Keyring;
use patchbay::domain::access::Role;
use patchbay::service::Patchbay;
use patchbay::storage::Organization;
use reqwest::{Method, RequestBuilder};

use super::TEST_KEY;
use super::carriers::carrier_settings;
use super::postgres::ScratchPostgres;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server's HTTP settings in tests: no rate limit (Schemathesis and racing tests send
/// bursts), a short shutdown grace.
pub fn test_http_settings() -> patchbay::http::HttpSettings {
    patchbay::http::HttpSettings {
        rate_limit: None,
        shutdown_grace: std::time::Duration::from_secs(5),
        ..Default::default()
    }
}

/// The library on `database_url` with these master keys (the first active), its Twilio calls
/// going to `twilio_url` and every other carrier's to a closed local port.
pub async fn open_patchbay(database_url: &str, keys: &[&str], twilio_url: &str) -> Patchbay {
    open_patchbay_with(database_url, keys, carrier_settings(twilio_url)).await
}

/// [`open_patchbay`] with chosen carrier settings.
pub async fn open_patchbay_with(database_url: &str, keys: &[&str], carriers: CarrierSettings) -> Patchbay {
    let store = patchbay::storage::connect(database_url)
        .await
        .expect("open the database");
    let keyring = Arc::new(Keyring::from_base64_keys(keys.iter().copied()).unwrap());
    Patchbay::new(store, keyring, Carriers::new(carriers))
}

/// Opens the library on `database_url` with the test key, creates organization `handle` and an
/// admin token for it: what an operator does with the CLI before clients connect.
pub async fn provision_org(database_url: &str, handle: &str, name: &str) -> (Patchbay, String) {
    let app = open_patchbay(database_url, &[TEST_KEY], super::process::CLOSED_PORT).await;
    let org = app.create_organization(handle, name).await.unwrap();
    let (_, token) = app.create_token(&org, Role::Admin, None, None).await.unwrap();
    (app, token.expose().to_owned())
}

pub enum DbGuard {
    Sqlite(tempfile::TempDir),
    Postgres(ScratchPostgres),
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub app: Arc<Patchbay>,
    pub database_url: String,
    pub backend: Backend,
    /// The Twilio stand-in every Twilio call of this app goes to (both hosts).
    pub twilio: standin::twilio::TwilioStandin,
    /// Organization `acme` with an admin and a viewer token.
    pub org: Organization,
    pub admin: String,
    pub viewer: String,
    /// A second organization, `globex`, for isolation tests.
    pub other_org: Organization,
    pub other_admin: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _db: DbGuard,
}

/// Starts the real router on 127.0.0.1:0. `None` when the backend is not available (see
/// [`ScratchPostgres::create`]).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, test_http_settings()).await
}

/// [`spawn_app`] with chosen HTTP settings (rate limits, deadlines).
pub async fn spawn_app_with(backend: Backend, http: patchbay::http::HttpSettings) -> Option<TestApp> {
    spawn_app_configured(backend, http, |_| {}).await
}

/// [`spawn_app_with`], the carrier settings (Twilio at the app's stand-in, the rest at a closed
/// port) changed by `carriers` first.
pub async fn spawn_app_configured(
    backend: Backend,
    http: patchbay::http::HttpSettings,
    carriers: impl FnOnce(&mut CarrierSettings),
) -> Option<TestApp> {
    spawn_app_custom(backend, http, carriers, |app| app).await
}

/// [`spawn_app_configured`], the service changed by `customize` before it serves (webhook
/// settings, quotas).
pub async fn spawn_app_custom(
    backend: Backend,
    http: patchbay::http::HttpSettings,
    carriers: impl FnOnce(&mut CarrierSettings),
    customize: impl FnOnce(Patchbay) -> Patchbay,
) -> Option<TestApp> {
    let (database_url, guard) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("patchbay.db").display());
            (url, DbGuard::Sqlite(dir))
        }
        Backend::Postgres => {
            let pg = ScratchPostgres::create().await?;
            (pg.url.clone(), DbGuard::Postgres(pg))
        }
    };
    let twilio = standin::twilio::start().await.unwrap();
    // Verification interval 0: every verified row is due again at once, so a test can drive the
    // background verifier round by round with `patchbay::worker::run_round`.
    let mut settings = carrier_settings(&twilio.url());
    carriers(&mut settings);
    let app = Arc::new(customize(
        open_patchbay_with(&database_url, &[TEST_KEY], settings)
            .await
            .with_verify_interval(std::time::Duration::ZERO),
    ));

    let org = app.create_organization("acme", "Acme Voice").await.unwrap();
    let (_, admin) = app
        .create_token(&org, Role::Admin, Some("test admin"), None)
        .await
        .unwrap();
    let (_, viewer) = app
        .create_token(&org, Role::Viewer, Some("test viewer"), None)
        .await
        .unwrap();
    let other_org = app.create_organization("globex", "Globex").await.unwrap();
    let (_, other_admin) = app.create_token(&other_org, Role::Admin, None, None).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn({
        let app = app.clone();
        async move {
            patchbay::http::serve(listener, app, http, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        }
    });
    Some(TestApp {
        addr,
        client: reqwest::Client::new(),
        app,
        database_url,
        backend,
        twilio,
        org,
        admin: admin.expose().to_owned(),
        viewer: viewer.expose().to_owned(),
        other_org,
        other_admin: other_admin.expose().to_owned(),
        shutdown: Some(tx),
        server: Some(server),
        _db: guard,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The Prometheus page, from a metrics listener of its own (as `PATCHBAY_METRICS_LISTEN`
    /// serves it; the recorder is the process's, so any such listener shows this app's metrics).
    pub async fn metrics_text(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/metrics", listener.local_addr().unwrap());
        let server = tokio::spawn(patchbay::http::serve_metrics(listener, self.app.clone()));
        let response = self.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        server.abort();
        text
    }

    /// A request with no credentials at all.
    pub fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        super::store::close_database(&self.app).await;
    }
}

/// Runs each test body once per backend: `sqlite::name` always, `postgres::name` when
/// PostgreSQL is configured.
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::support::spawn_app($crate::support::Backend::Sqlite).await.unwrap();
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($app) = $crate::support::spawn_app($crate::support::Backend::Postgres).await else { return };
                    $body
                }
            )*
        }
    };
}
pub(crate) use both_backends;
