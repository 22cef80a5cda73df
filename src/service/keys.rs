//! The master keys: the start-up check and re-sealing under a new key.

use crate::error::Result;
use crate::service::{Patchbay, RowBinding};

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

    /// Re-seals every secret under the active key, `batch` rows at a time. Safe to run on a live
    /// system and to resume after an interruption: each row is re-sealed in its own write, and
    /// what remains is found again by its key id. `progress` is told (done, remaining) per batch.
    pub async fn rotate_secrets(&self, batch: i64, mut progress: impl FnMut(u64, i64)) -> Result<u64> {
        let active = self.keyring.active_key_id().to_owned();
        let mut done = 0u64;
        loop {
            let rows = self.store.configurations_sealed_with_other_keys(&active, batch).await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut progressed = false;
            for row in rows {
                let sealed = self
                    .sealer()
                    .reseal(RowBinding::configuration(row.uuid, row.org_id), &row.sealed())?;
                // A miss means a concurrent write re-sealed the row under the active key already.
                if self.store.reseal_configuration(row.id, row.version, &sealed).await? {
                    done += 1;
                }
                progressed = true;
            }
            progress(done, self.store.count_sealed_with_other_keys(&active).await?);
            if !progressed {
                return Ok(done);
            }
        }
    }
}
