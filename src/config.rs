//! The settings, in one place: [`Settings`] read from, lowest first, defaults, the TOML file
//! given by `--config` (or `PATCHBAY_CONFIG`), `PATCHBAY_*` environment variables, flags; and
//! what is more than a flag: the layered config file, and where the master key comes from.
//!
//! The layering is clap's env < flag precedence over an environment the config file filled in
//! beforehand ([`apply_config_file`]), so every setting has one name in all three places.

use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::carriers::CarrierSettings;
use crate::crypto::{KeyError, Keyring};
use crate::domain::access::parse_duration;
use crate::http::{HttpSettings, RateLimit};
use crate::worker::VerifierSettings;

/// Settings every command takes (flags valid before or after the subcommand).
#[derive(clap::Args, Debug, Clone)]
pub struct CommonSettings {
    /// A TOML file of settings (keys as in the README: database_url, listen, ...).
    #[arg(long, env = "PATCHBAY_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Database: a SQLite file (default) or a postgres:// URL.
    #[arg(
        long,
        env = "PATCHBAY_DATABASE_URL",
        default_value = "sqlite://patchbay.db",
        global = true
    )]
    pub database_url: String,
    /// Master key file; by default `<database file>.key` for SQLite. The key itself can be given
    /// in PATCHBAY_MASTER_KEY (base64), never on the command line.
    #[arg(long, env = "PATCHBAY_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    #[arg(long, env = "PATCHBAY_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, clap::ValueEnum, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// Settings of the server, taken by `serve` and `config check`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerSettings {
    #[arg(long, env = "PATCHBAY_LISTEN", default_value = "127.0.0.1:3001")]
    pub listen: SocketAddr,
    /// Where `GET /metrics` (Prometheus) is served, apart from the API; unset: no metrics page.
    #[arg(long, env = "PATCHBAY_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// How often each configuration is re-verified with its carrier (e.g. 1h, 30m, 30s).
    #[arg(long, env = "PATCHBAY_VERIFY_INTERVAL", default_value = "1h", value_parser = parse_interval)]
    pub verify_interval: Duration,
    /// Carrier verification calls in flight at once.
    #[arg(long, env = "PATCHBAY_VERIFY_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub verify_concurrency: u16,
    /// Sustained requests per second per API token; 0 disables rate limiting.
    #[arg(long, env = "PATCHBAY_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    pub rate_limit_per_second: u32,
    /// Requests a token may send at once before the sustained rate applies.
    #[arg(long, env = "PATCHBAY_RATE_LIMIT_BURST", default_value_t = 100)]
    pub rate_limit_burst: u32,
    /// A request still running after this is cancelled with a 503.
    #[arg(long, env = "PATCHBAY_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_interval)]
    pub request_timeout: Duration,
    /// Provider configurations one organization may hold (v1 providers included).
    #[arg(long, env = "PATCHBAY_MAX_CONFIGURATIONS_PER_ORG", default_value_t = crate::service::DEFAULT_MAX_CONFIGURATIONS_PER_ORG, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_configurations_per_org: i64,
    /// Numbers one organization may hold (v1 and v2, imported or added).
    #[arg(long, env = "PATCHBAY_MAX_NUMBERS_PER_ORG", default_value_t = crate::service::DEFAULT_MAX_NUMBERS_PER_ORG, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_numbers_per_org: i64,
    /// Idempotency keys one organization may hold at once (each is kept 24 hours).
    #[arg(long, env = "PATCHBAY_MAX_IDEMPOTENCY_KEYS_PER_ORG", default_value_t = crate::service::DEFAULT_MAX_IDEMPOTENCY_KEYS_PER_ORG, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_idempotency_keys_per_org: i64,
    /// Audit events older than this are purged by the background worker (e.g. 400d).
    #[arg(long, env = "PATCHBAY_AUDIT_RETENTION", default_value = "400d", value_parser = parse_interval)]
    pub audit_retention: Duration,
    /// A connection that has not sent a complete request head this long after opening (or after
    /// its last answer, when kept alive) is closed.
    #[arg(long, env = "PATCHBAY_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_interval)]
    pub header_read_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, env = "PATCHBAY_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// After SIGTERM/SIGINT, how long in-flight requests may take before the process exits.
    #[arg(long, env = "PATCHBAY_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_interval)]
    pub shutdown_grace: Duration,
}

impl ServerSettings {
    pub fn http(&self) -> HttpSettings {
        let rate_limit = NonZeroU32::new(self.rate_limit_per_second).map(|per_second| RateLimit {
            per_second,
            burst: NonZeroU32::new(self.rate_limit_burst).unwrap_or(per_second),
        });
        HttpSettings {
            rate_limit,
            request_timeout: self.request_timeout,
            shutdown_grace: self.shutdown_grace,
            header_read_timeout: self.header_read_timeout,
            max_connections: self.max_connections as usize,
            ..HttpSettings::default()
        }
    }

    pub fn worker(&self) -> VerifierSettings {
        VerifierSettings {
            concurrency: self.verify_concurrency.into(),
            ..VerifierSettings::default()
        }
    }
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    parse_duration(s)?.to_std().map_err(|e| e.to_string())
}

/// Everything a command runs with. Its `Debug` is the redacted JSON `config check` prints.
#[derive(Clone)]
pub struct Settings {
    pub common: CommonSettings,
    /// Present for the commands that run the server (`serve`, `config check`).
    pub server: Option<ServerSettings>,
    /// The carrier endpoints and timeouts (`PATCHBAY_*_BASE_URL`, `PATCHBAY_CARRIER_*`).
    pub carriers: CarrierSettings,
}

impl Settings {
    /// Completes what clap parsed with the settings that come only from the environment.
    pub fn load(common: CommonSettings, server: Option<ServerSettings>) -> anyhow::Result<Self> {
        Ok(Self {
            common,
            server,
            carriers: CarrierSettings::from_env()?,
        })
    }

    /// The master key as it would be loaded; an error for one that would stop `serve`.
    pub fn master_key(&self) -> anyhow::Result<serde_json::Value> {
        describe_master_key(&self.common.database_url, self.common.master_key_file.as_deref())
    }

    fn redacted(&self) -> serde_json::Value {
        let c = &self.common;
        let carriers = &self.carriers;
        let mut out = json!({
            "config_file": c.config.as_ref().map(|p| p.display().to_string()),
            "database_url": redact_url(&c.database_url),
            "master_key": self.master_key().unwrap_or_else(|e| json!({"error": e.to_string()})),
            "log_format": c.log_format.as_str(),
        });
        if let Some(server) = &self.server {
            let http = server.http();
            let fields = json!({
                "listen": server.listen.to_string(),
                "metrics_listen": server.metrics_listen.map(|a| a.to_string()),
                "verify_interval_seconds": server.verify_interval.as_secs(),
                "verify_concurrency": server.verify_concurrency,
                "rate_limit": http.rate_limit.map(|l| json!({"per_second": l.per_second.get(), "burst": l.burst.get()})),
                "request_timeout_seconds": http.request_timeout.as_secs(),
                "shutdown_grace_seconds": http.shutdown_grace.as_secs(),
                "header_read_timeout_seconds": http.header_read_timeout.as_secs(),
                "max_connections": http.max_connections,
                "max_configurations_per_org": server.max_configurations_per_org,
                "max_numbers_per_org": server.max_numbers_per_org,
                "max_idempotency_keys_per_org": server.max_idempotency_keys_per_org,
                "audit_retention_seconds": server.audit_retention.as_secs(),
            });
            if let (Some(out), serde_json::Value::Object(fields)) = (out.as_object_mut(), fields) {
                out.extend(fields);
            }
        }
        out["carriers"] = json!({
            "twilio_base_url": redact_url(&carriers.twilio_base_url),
            "twilio_trunking_base_url": redact_url(&carriers.twilio_trunking_base_url),
            "plivo_base_url": redact_url(&carriers.plivo_base_url),
            "telnyx_base_url": redact_url(&carriers.telnyx_base_url),
            "vonage_base_url": redact_url(&carriers.vonage_base_url),
            "exotel_base_url": carriers.exotel_base_url.as_deref().map(redact_url),
            "signalwire_base_url": carriers.signalwire_base_url.as_deref().map(redact_url),
            "connect_timeout_ms": carriers.connect_timeout.as_millis() as u64,
            "request_timeout_ms": carriers.request_timeout.as_millis() as u64,
            "max_retries": carriers.max_retries,
        });
        out
    }
}

/// Pretty JSON, every secret redacted: what `patchbay config check` prints.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(&self.redacted()).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

pub const MASTER_KEY_ENV: &str = "PATCHBAY_MASTER_KEY";

/// Loads the master key(s), in this order:
/// 1. `PATCHBAY_MASTER_KEY`: base64 keys, comma-separated; the first is active for writes, the
///    others only open older secrets (for a rotation);
/// 2. an explicit key file (`--master-key-file` / `PATCHBAY_MASTER_KEY_FILE`), created if missing;
/// 3. for SQLite, `<database file>.key` beside the database, created (mode 0600) if missing.
///
/// PostgreSQL has no "beside the database", so it needs 1 or 2.
pub fn load_keyring(database_url: &str, key_file: Option<&Path>) -> Result<Keyring, KeyError> {
    if let Ok(keys) = std::env::var(MASTER_KEY_ENV)
        && !keys.trim().is_empty()
    {
        return Keyring::from_base64_keys(keys.split(',').map(str::trim).filter(|k| !k.is_empty()));
    }
    if let Some(path) = key_file {
        return Keyring::load_or_create_file(path);
    }
    match crate::storage::sqlite_path(database_url) {
        Some(db) if !is_postgres(database_url) => Keyring::load_or_create_file(&default_key_file(&db)),
        _ => Err(KeyError::Missing),
    }
}

/// Settings a config file may hold: each `key` is the environment variable `PATCHBAY_<KEY>`.
pub const FILE_SETTINGS: &[&str] = &[
    "database_url",
    "master_key",
    "master_key_file",
    "log_format",
    "log",
    "listen",
    "metrics_listen",
    "verify_interval",
    "verify_concurrency",
    "rate_limit_per_second",
    "rate_limit_burst",
    "request_timeout",
    "shutdown_grace",
    "header_read_timeout",
    "max_configurations_per_org",
    "max_numbers_per_org",
    "max_idempotency_keys_per_org",
    "audit_retention",
    "max_connections",
    "twilio_base_url",
    "twilio_trunking_base_url",
    "plivo_base_url",
    "telnyx_base_url",
    "vonage_base_url",
    "exotel_base_url",
    "signalwire_base_url",
    "carrier_connect_timeout_ms",
    "carrier_timeout_ms",
    "carrier_max_retries",
];

/// The `--config` (or `PATCHBAY_CONFIG`) file named on a command line, if any.
fn config_path(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("PATCHBAY_CONFIG").map(PathBuf::from)
}

/// Reads a config file into `(environment variable, value)` pairs, refusing unknown keys (a
/// typo must not be silently ignored) and non-scalar values.
pub fn parse_config_file(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    let table: toml::Table = toml::from_str(text)?;
    table
        .into_iter()
        .map(|(key, value)| {
            anyhow::ensure!(
                FILE_SETTINGS.contains(&key.as_str()),
                "unknown setting '{key}' (known: {})",
                FILE_SETTINGS.join(", ")
            );
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => anyhow::bail!(
                    "setting '{key}' must be a string, integer or boolean, not {}",
                    other.type_str()
                ),
            };
            Ok((format!("PATCHBAY_{}", key.to_ascii_uppercase()), value))
        })
        .collect()
}

/// Layers the config file under the environment: each of its settings becomes the environment
/// variable of the same name unless that is already set. Call before any thread starts.
pub fn apply_config_file(args: impl IntoIterator<Item = OsString>) -> anyhow::Result<()> {
    let Some(path) = config_path(args) else { return Ok(()) };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
    let settings = parse_config_file(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
    for (var, value) in settings {
        if std::env::var_os(&var).is_none() {
            // SAFETY: called from `main` before the runtime or any other thread exists.
            unsafe { std::env::set_var(var, value) };
        }
    }
    Ok(())
}

/// Where the master key will come from, for `config check`, without creating anything.
pub fn describe_master_key(database_url: &str, key_file: Option<&Path>) -> anyhow::Result<serde_json::Value> {
    if let Ok(keys) = std::env::var(MASTER_KEY_ENV)
        && !keys.trim().is_empty()
    {
        let ring = Keyring::from_base64_keys(keys.split(',').map(str::trim).filter(|k| !k.is_empty()))?;
        return Ok(
            serde_json::json!({"source": MASTER_KEY_ENV, "key_ids": ring.key_ids(), "active_key_id": ring.active_key_id()}),
        );
    }
    let path = match (key_file, crate::storage::sqlite_path(database_url)) {
        (Some(path), _) => path.to_owned(),
        (None, Some(db)) if !is_postgres(database_url) => default_key_file(&db),
        _ => return Err(KeyError::Missing.into()),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let ring = Keyring::from_base64_keys([text.as_str()])?;
            Ok(serde_json::json!({"source": path.display().to_string(), "active_key_id": ring.active_key_id()}))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(serde_json::json!({"source": path.display().to_string(), "note": "will be created at first start"}))
        }
        Err(e) => anyhow::bail!("cannot read the key file {}: {e}", path.display()),
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn default_key_file(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".key");
    db.with_file_name(name)
}

/// A URL with every credential replaced, for logs, errors and `config check`: the userinfo
/// password, and the value of any query parameter that can hold one (`password=`,
/// `sslpassword=`, anything named like a secret, token or key). A URL that does not parse but
/// might hold one is replaced whole.
pub fn redact_url(url: &str) -> String {
    if !url.contains("://") && !url.contains('@') && !url.contains('?') {
        return url.to_owned(); // a plain file path
    }
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        return format!("{scheme}:<unparseable URL, redacted>");
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let secret = ["pass", "secret", "token", "key", "auth", "cred"]
                    .iter()
                    .any(|w| k.to_ascii_lowercase().contains(w));
                (k.into_owned(), if secret { "***".to_owned() } else { v.into_owned() })
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_sits_beside_the_database() {
        assert_eq!(
            default_key_file(Path::new("data/patchbay.db")),
            PathBuf::from("data/patchbay.db.key")
        );
        assert_eq!(
            default_key_file(Path::new("patchbay.db")),
            PathBuf::from("patchbay.db.key")
        );
    }

    #[test]
    fn config_files_are_strict() {
        let parsed = parse_config_file("listen = \"0.0.0.0:8080\"\nverify_concurrency = 8\n").unwrap();
        assert_eq!(
            parsed,
            [
                ("PATCHBAY_LISTEN".into(), "0.0.0.0:8080".into()),
                ("PATCHBAY_VERIFY_CONCURRENCY".into(), "8".into())
            ]
        );
        assert!(
            parse_config_file("lisen = \"x\"")
                .unwrap_err()
                .to_string()
                .contains("unknown setting 'lisen'")
        );
        assert!(parse_config_file("listen = [1]").is_err());
        assert!(parse_config_file("not toml").is_err());
    }

    #[test]
    fn config_path_from_args() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_path(args(&["patchbay", "--config", "a.toml", "serve"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_path(args(&["patchbay", "serve", "--config=b.toml"])),
            Some(PathBuf::from("b.toml"))
        );
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://patchbay.db"), "sqlite://patchbay.db");
        assert!(!redact_url("postgres://u:p@ss@h/x").contains("ss"));
        for url in [
            "postgres://u@h/x?password=hunter2",
            "postgres://u@h/x?sslmode=require&PASSWORD=hunter2",
            "postgresql://h/x?user=u&sslpassword=hunter2",
            "postgres://u:hunter2@h1:5432,h2:5433/x",
            "postgres://u:hun%40ter2@h/x",
            "postgres://u:hunter2@[::1]:5432/x?application_name=pb",
            "postgres://u:hunter2@h/x?options=-c%20x",
        ] {
            let redacted = redact_url(url);
            assert!(
                !redacted.contains("hunter2") && !redacted.contains("hun%40"),
                "{url} -> {redacted}"
            );
        }
        assert_eq!(
            redact_url("postgres://u@h/x?sslmode=require&password=hunter2"),
            "postgres://u@h/x?sslmode=require&password=***"
        );
        assert_eq!(redact_url("patchbay.db"), "patchbay.db");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }
}
