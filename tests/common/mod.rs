//! Test support: start the real server on a random port, on SQLite or PostgreSQL, and talk HTTP.
#![allow(dead_code)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use patchbay::carriers::{CarrierSettings, Carriers};
use patchbay::crypto::Keyring;
use patchbay::domain::access::Role;
use patchbay::service::Patchbay;
use patchbay::storage::Organization;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TWILIO_SID_2: &str = "ACfedcba9876543210fedcba9876543210";
pub const PLIVO_ID: &str = "MAABCDEFGHIJ01234567";
pub const POSTGRES_ENV: &str = "PATCHBAY_TEST_POSTGRES_URL";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A scratch PostgreSQL database, dropped when the test ends.
pub struct ScratchPostgres {
    admin_url: String,
    name: String,
    pub url: String,
}

impl ScratchPostgres {
    /// `None` (after saying so once) when no server is configured; a panic under CI, where the
    /// PostgreSQL half of the suite must not silently vanish.
    pub async fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            if std::env::var_os("CI").is_some() {
                panic!("{POSTGRES_ENV} is not set but CI is: the PostgreSQL tests must run in CI");
            }
            static SAY_ONCE: Once = Once::new();
            // Written to the real stderr (not through the test harness's capture) so it shows.
            SAY_ONCE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: {POSTGRES_ENV} is not set: PostgreSQL variants of the API tests are skipped"
                );
            });
            return None;
        };
        use sqlx::Connection as _;
        let name = format!("pb_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to the test PostgreSQL server");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let url = match admin_url.rsplit_once('/') {
            Some((server, _db)) => format!("{server}/{name}"),
            None => panic!("{POSTGRES_ENV} must end with /<database>"),
        };
        Some(Self { admin_url, name, url })
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async code: use a short-lived runtime on its own thread.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    use sqlx::Connection as _;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                })
        })
        .join();
    }
}

/// Where a test app's carriers live: Twilio at its stand-in, every other carrier at a closed
/// local port (connection refused at once: "unreachable"), never the internet.
pub fn carrier_settings(twilio_url: &str) -> CarrierSettings {
    let closed = "http://127.0.0.1:9".to_owned();
    CarrierSettings {
        twilio_base_url: twilio_url.to_owned(),
        twilio_trunking_base_url: twilio_url.to_owned(),
        plivo_base_url: closed.clone(),
        telnyx_base_url: closed.clone(),
        vonage_base_url: closed.clone(),
        exotel_base_url: Some(closed.clone()),
        signalwire_base_url: Some(closed),
        connect_timeout: std::time::Duration::from_millis(500),
        request_timeout: std::time::Duration::from_secs(2),
        max_retries: 1,
        retry_base_delay: std::time::Duration::from_millis(20),
        ..CarrierSettings::default()
    }
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
    let store = patchbay::storage::connect(&database_url)
        .await
        .expect("open the test database");
    let keyring = Arc::new(Keyring::from_base64_keys([TEST_KEY]).unwrap());
    let twilio = standin::twilio::start().await.unwrap();
    let carriers = Carriers::new(carrier_settings(&twilio.url()));
    // Verification interval 0: every verified row is due again at once, so a test can drive the
    // background verifier round by round with `patchbay::verifier::run_round`.
    let app = Arc::new(Patchbay::new(store, keyring, carriers).with_verify_interval(std::time::Duration::ZERO));

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

    /// A request with no credentials at all.
    pub fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request as `token` acting for org `handle`, in the pages' `Token` scheme.
    pub fn as_(&self, token: &str, handle: &str, method: Method, path: &str) -> RequestBuilder {
        self.bare(method, path)
            .header("Authorization", format!("Token {token}"))
            .header("Org-Handle", handle)
    }

    /// A request as acme's admin.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.as_(&self.admin, "acme", method, path)
    }

    /// Creates a Twilio configuration as acme's admin (the account exists at the stand-in with
    /// this token, so it verifies) and returns its JSON `data`.
    pub async fn create_twilio(&self, sid: &str, token: &str) -> Value {
        self.twilio.put_account(sid, token);
        let (status, body) = send(self.admin(Method::POST, CONFIGS).json(&serde_json::json!({
            "provider": "twilio", "account_sid": sid, "auth_token": token
        })))
        .await;
        assert_eq!(status, 201, "{body}");
        body["data"].clone()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.app.store.close().await;
    }
}

pub const CONFIGS: &str = "/api/v2/platform/telephony/providers-configurations/";
/// Create without the live carrier check, where the test is not about verification.
pub const CONFIGS_UNVERIFIED: &str = "/api/v2/platform/telephony/providers-configurations/?verify=false";

pub fn config_path(id: impl std::fmt::Display) -> String {
    format!("{CONFIGS}{id}/")
}

/// Sends a request, returning the status and the JSON body (`Value::Null` for an empty body).
pub async fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request failed");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)))
    };
    (status, body)
}

/// Runs each test body once per backend: `sqlite::name` always, `postgres::name` when
/// PostgreSQL is configured.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
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
                    let Some($app) = common::spawn_app(common::Backend::Postgres).await else { return };
                    $body
                }
            )*
        }
    };
}

/// Where every carrier of a spawned binary points: a closed local port, nothing leaves the machine.
pub const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// The real `patchbay serve`, as a child process, on a loopback port.
pub struct ServerProcess {
    child: tokio::process::Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with the test master key, carriers pointed at a
    /// closed local port, and waits (bounded) for `/healthz` to answer 200.
    pub async fn start(database_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_patchbay"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("PATCHBAY_DATABASE_URL", database_url)
            .env("PATCHBAY_MASTER_KEY", TEST_KEY)
            .env("PATCHBAY_LOG", "warn")
            // Load tests send bursts from one token: they measure the service, not its rate limit.
            .env("PATCHBAY_RATE_LIMIT_PER_SECOND", "0")
            .env_remove("PATCHBAY_MASTER_KEY_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        for carrier in [
            "TWILIO",
            "TWILIO_TRUNKING",
            "PLIVO",
            "TELNYX",
            "VONAGE",
            "EXOTEL",
            "SIGNALWIRE",
        ] {
            command.env(format!("PATCHBAY_{carrier}_BASE_URL"), CLOSED_PORT);
        }
        let mut child = command.spawn().expect("spawn patchbay");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status() == 200
            {
                return Self { child, base };
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("patchbay exited before it was ready: {status}");
            }
            assert!(Instant::now() < deadline, "patchbay not ready within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL: no shutdown code runs.
    pub async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    /// SIGTERM, then waits for the graceful exit (bounded).
    pub async fn stop(mut self) {
        let pid = self.child.id().expect("running").to_string();
        let sent = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await;
        assert!(sent.is_ok_and(|s| s.success()), "could not signal patchbay");
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("patchbay did not stop within 15 s of SIGTERM")
            .unwrap();
        assert!(status.success(), "patchbay exited with {status} on SIGTERM");
    }
}
