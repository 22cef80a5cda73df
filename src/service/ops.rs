//! What operating the service needs from the store: readiness, pool gauges, shutdown.

use crate::error::Result;
use crate::service::Patchbay;

impl Patchbay {
    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// The database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// The key id new secrets are sealed with (readiness reports it).
    pub fn active_key_id(&self) -> &str {
        self.keyring.active_key_id()
    }

    /// (connections, idle connections) of the database pool.
    pub fn pool_stats(&self) -> (u32, usize) {
        self.store.pool_stats()
    }

    /// Closes the database pool (after the server stopped).
    pub async fn close(&self) {
        self.store.close().await;
    }
}
