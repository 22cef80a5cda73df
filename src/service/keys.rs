//! The master keys: the start-up check and re-sealing under a new key.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::service::{Patchbay, RowBinding};

/// How often `rotate_secrets` goes round again when its final check still finds rows under
/// another key (each round re-seals what it finds; only a writer that keeps sealing with an
/// old key, i.e. a server not yet given the new key, can exhaust this).
const FINAL_CHECK_ROUNDS: usize = 10;

impl Patchbay {
    /// Refuses to start when stored secrets were sealed with a key that is not loaded: better
    /// a clear error now than undecryptable rows later.
    pub async fn check_keys(&self) -> anyhow::Result<()> {
        match self.store.unknown_secret_key(&self.keyring.key_ids()).await? {
            None => Ok(()),
            Some(missing) => anyhow::bail!(
                "stored secrets are sealed with master key id {missing} but the loaded key is {}: \
                 check PATCHBAY_MASTER_KEY / the key file beside the database",
                self.keyring.active_key_id()
            ),
        }
    }

    /// Re-seals every secret (configurations, provisioning journals, webhook signing secrets) under the active key,
    /// `batch` rows at a time, waiting `pause` between batches (to spread the load; tests use it
    /// to make live writes overlap the rotation). Safe to run on a live system and to resume
    /// after an interruption: each row is re-sealed in its own write (which bumps the row's
    /// version, so a write that read the old ciphertext cannot put it back), and what remains is
    /// found again by its key id. It returns only once a final count over every table finds no
    /// secret under another key. `progress` is told (done, remaining) per batch.
    pub async fn rotate_secrets(&self, batch: i64, pause: Duration, mut progress: impl FnMut(u64, i64)) -> Result<u64> {
        let active = self.keyring.active_key_id().to_owned();
        let mut done = 0u64;
        let mut final_checks = 0;
        loop {
            let rows = self.store.configurations_sealed_with_other_keys(&active, batch).await?;
            // Provisioning journals fill what the batch has room left for.
            let room = batch - rows.len() as i64;
            let journals = if room > 0 {
                self.store.journals_sealed_with_other_keys(&active, room).await?
            } else {
                Vec::new()
            };
            let room = room - journals.len() as i64;
            let endpoints = if room > 0 {
                self.store
                    .webhook_endpoints_sealed_with_other_keys(&active, room)
                    .await?
            } else {
                Vec::new()
            };
            if rows.is_empty() && journals.is_empty() && endpoints.is_empty() {
                // The final re-check, over every table at once: a write that sealed with an old
                // key after its table was scanned shows up here, and is re-sealed next round.
                let remaining = self.store.count_sealed_with_other_keys(&active).await?;
                if remaining == 0 {
                    return Ok(done);
                }
                final_checks += 1;
                if final_checks > FINAL_CHECK_ROUNDS {
                    return Err(Error::Internal(anyhow::anyhow!(
                        "{remaining} secret(s) are still sealed with another key after {FINAL_CHECK_ROUNDS} final \
                         rounds: is a server still running with an old key active?"
                    )));
                }
                continue;
            }
            for row in rows {
                let sealed = self
                    .sealer()
                    .reseal(RowBinding::configuration(row.uuid, row.org_id), &row.sealed())?;
                // A miss means a concurrent write changed the row: it is looked at again.
                if self.store.reseal_configuration(row.id, row.version, &sealed).await? {
                    done += 1;
                }
            }
            for journal in journals {
                let sealed = self
                    .sealer()
                    .reseal(RowBinding::configuration(journal.id, journal.org_id), &journal.sealed())?;
                if self
                    .store
                    .reseal_provisioning(journal.id, &journal.secret_key_id, &sealed)
                    .await?
                {
                    done += 1;
                }
            }
            for endpoint in endpoints {
                let sealed = self.sealer().reseal(
                    RowBinding::webhook_endpoint(endpoint.uuid, endpoint.org_id),
                    &endpoint.sealed(),
                )?;
                if self
                    .store
                    .reseal_webhook_endpoint(endpoint.id, endpoint.version, &sealed)
                    .await?
                {
                    done += 1;
                }
            }
            progress(done, self.store.count_sealed_with_other_keys(&active).await?);
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
        }
    }
}
