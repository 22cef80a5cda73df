//! Scratch PostgreSQL databases for the PostgreSQL variants of the tests.

use std::io::Write as _;
use std::sync::Once;

pub const POSTGRES_ENV: &str = "PATCHBAY_TEST_POSTGRES_URL";

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
