//! The SQL both backends share. SQLite and PostgreSQL accept the same statements here
//! (`$n` placeholders, `RETURNING`), so one macro writes the shared part of each
//! `Storage` implementation instead of two hand-kept copies.

pub(super) const CONFIG_COLUMNS: &str = "id, uuid, org_id, provider, account_sid, name, settings, secret_key_id, \
    secret_ciphertext, version, verification_status, last_verified_at, verification_details, next_verification_at, \
    region, supports_call_transfer, trunk_sid, termination_uri, created_at, updated_at";

macro_rules! config_sql {
    ($($part:expr),+ $(,)?) => {
        sqlx::AssertSqlSafe(format!($($part),+))
    };
}
pub(super) use config_sql;

/// Binds the columns a `ConfigurationState` writes, in the order both the INSERT and the UPDATE
/// of a configuration list them.
macro_rules! bind_state {
    ($query:expr, $s:expr) => {
        $query
            .bind(&$s.account_sid)
            .bind(&$s.name)
            .bind(Json(&$s.settings))
            .bind(&$s.sealed.key_id)
            .bind(&$s.sealed.blob)
            .bind(&$s.verification.status)
            .bind($s.verification.details.as_ref().map(Json))
            .bind($s.verification.last_verified_at)
            .bind($s.verification.next_at)
            .bind(&$s.region)
            .bind($s.supports_call_transfer)
            .bind(&$s.trunk_sid)
            .bind(&$s.termination_uri)
    };
}
pub(super) use bind_state;

/// Writes `$audit` inside the transaction `$tx`, for organization `$org`, naming the resource
/// `$created_id` when the event leaves it open (the row was just created).
macro_rules! audit_insert {
    ($db:ty, $tx:ident, $audit:expr, $org:expr, $created_id:expr) => {{
        let audit: &AuditEvent = $audit;
        sqlx::query::<$db>(
            "INSERT INTO audit_events (org_id, actor_token_id, actor, action, resource_type, resource_id, fields, \
             request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(audit.org_id.or($org))
        .bind(audit.actor_token_id)
        .bind(&audit.actor)
        .bind(audit.action)
        .bind(audit.resource_type)
        .bind(audit.resource_id.clone().unwrap_or_else(|| $created_id))
        .bind(Json(&audit.fields))
        .bind(&audit.request_id)
        .bind(audit.at)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(super) use audit_insert;

/// Implements `Storage` for `$store` (a struct with a `pool` of database `$db`): the shared
/// methods here, plus the backend-specific ones passed in `{ ... }`.
macro_rules! storage_impl {
    ($store:ty, $db:ty, { $($specific:tt)* }) => {
        #[async_trait::async_trait]
        impl Storage for $store {
        $($specific)*

        async fn ping(&self) -> Result<()> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        fn pool_stats(&self) -> (u32, usize) {
            (self.pool.size(), self.pool.num_idle())
        }

        async fn close(&self) {
            self.writer.close().await;
            self.pool.close().await;
        }

        async fn create_organization(
            &self,
            handle: &str,
            name: &str,
            now: DateTime<Utc>,
            audit: &AuditEvent,
        ) -> Result<Organization> {
            let mut tx = self.writer.begin().await?;
            let org = sqlx::query_as::<$db, Organization>(
                "INSERT INTO organizations (handle, name, created_at) VALUES ($1, $2, $3) RETURNING id, handle, name, created_at",
            )
            .bind(handle)
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit_insert!($db, tx, audit, Some(org.id), org.id.to_string());
            tx.commit().await?;
            Ok(org)
        }

        async fn organization_by_handle(&self, handle: &str) -> Result<Option<Organization>> {
            Ok(sqlx::query_as::<$db, Organization>("SELECT id, handle, name, created_at FROM organizations WHERE handle = $1")
                .bind(handle)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn list_organizations(&self) -> Result<Vec<Organization>> {
            Ok(sqlx::query_as::<$db, Organization>("SELECT id, handle, name, created_at FROM organizations ORDER BY id")
                .fetch_all(&self.pool)
                .await?)
        }

        async fn create_api_token(&self, t: NewApiTokenRecord<'_>, audit: &AuditEvent) -> Result<ApiTokenRecord> {
            let mut tx = self.writer.begin().await?;
            let token = sqlx::query_as::<$db, ApiTokenRecord>(
                "INSERT INTO api_tokens (org_id, role, label, token_hash, token_prefix, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 RETURNING id, org_id, role, label, token_prefix, created_at, expires_at, revoked_at",
            )
            .bind(t.org_id)
            .bind(t.role)
            .bind(t.label)
            .bind(t.token_hash)
            .bind(t.token_prefix)
            .bind(t.created_at)
            .bind(t.expires_at)
            .fetch_one(&mut *tx)
            .await?;
            audit_insert!($db, tx, audit, Some(token.org_id), token.id.to_string());
            tx.commit().await?;
            Ok(token)
        }

        async fn api_token_by_hash(&self, hash: &str) -> Result<Option<(ApiTokenRecord, Organization)>> {
            // One query per authenticated request: the token and its organization together.
            let row = sqlx::query_as::<$db, TokenWithOrganization>(
                "SELECT t.id, t.org_id, t.role, t.label, t.token_prefix, t.created_at, t.expires_at, t.revoked_at, \
                 o.handle AS org_handle, o.name AS org_name, o.created_at AS org_created_at \
                 FROM api_tokens t JOIN organizations o ON o.id = t.org_id WHERE t.token_hash = $1",
            )
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(|r| {
                let org = Organization { id: r.token.org_id, handle: r.org_handle, name: r.org_name, created_at: r.org_created_at };
                (r.token, org)
            }))
        }

        async fn list_api_tokens(&self, org_id: i64) -> Result<Vec<ApiTokenRecord>> {
            Ok(sqlx::query_as::<$db, ApiTokenRecord>(
                "SELECT id, org_id, role, label, token_prefix, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = $1 ORDER BY id",
            )
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn revoke_api_token(&self, id: i64, now: DateTime<Utc>, audit: &AuditEvent) -> Result<bool> {
            let mut tx = self.writer.begin().await?;
            let org_id = sqlx::query_scalar::<$db, i64>(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING org_id",
            )
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(org_id) = org_id else { return Ok(false) };
            audit_insert!($db, tx, audit, Some(org_id), id.to_string());
            tx.commit().await?;
            Ok(true)
        }

        async fn insert_configuration(
            &self,
            uuid: Uuid,
            org_id: i64,
            provider: &str,
            s: &ConfigurationState,
            now: DateTime<Utc>,
            audit: &AuditEvent,
        ) -> Result<ConfigurationRecord> {
            let mut tx = self.writer.begin().await?;
            let insert = sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                "INSERT INTO provider_configurations (uuid, org_id, provider, account_sid, name, settings, secret_key_id, \
                 secret_ciphertext, verification_status, verification_details, last_verified_at, next_verification_at, \
                 region, supports_call_transfer, trunk_sid, termination_uri, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING {}",
                CONFIG_COLUMNS
            ))
            .bind(uuid)
            .bind(org_id)
            .bind(provider);
            let row = bind_state!(insert, s)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit_insert!($db, tx, audit, Some(org_id), row.uuid.to_string());
            tx.commit().await?;
            Ok(row)
        }

        async fn list_configurations(&self, org_id: i64, q: ListQuery<'_>) -> Result<(Vec<ConfigurationRecord>, i64)> {
            let (limit, offset) = q.page.unwrap_or((i64::MAX, 0));
            let rows = sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                "SELECT {} FROM provider_configurations WHERE org_id = $1 AND ($2 IS NULL OR provider = $2) \
                 ORDER BY id LIMIT $3 OFFSET $4",
                CONFIG_COLUMNS
            ))
            .bind(org_id)
            .bind(q.provider)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
            // Unpaged lists hold every row already; only a page needs a separate count.
            let total = if q.page.is_none() {
                rows.len() as i64
            } else {
                sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1 AND ($2 IS NULL OR provider = $2)",
                )
                .bind(org_id)
                .bind(q.provider)
                .fetch_one(&self.pool)
                .await?
            };
            Ok((rows, total))
        }

        async fn get_configuration(&self, org_id: i64, key: ConfigurationKey) -> Result<Option<ConfigurationRecord>> {
            let query = match key {
                ConfigurationKey::Id(id) => sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                    "SELECT {} FROM provider_configurations WHERE org_id = $1 AND id = $2",
                    CONFIG_COLUMNS
                ))
                .bind(org_id)
                .bind(id),
                ConfigurationKey::Uuid(uuid) => sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                    "SELECT {} FROM provider_configurations WHERE org_id = $1 AND uuid = $2",
                    CONFIG_COLUMNS
                ))
                .bind(org_id)
                .bind(uuid),
            };
            Ok(query.fetch_optional(&self.pool).await?)
        }

        async fn configuration_exists(
            &self,
            org_id: i64,
            provider: &str,
            account_sid: &str,
            except_id: Option<i64>,
        ) -> Result<bool> {
            let found = sqlx::query_scalar::<$db, i64>(
                "SELECT id FROM provider_configurations WHERE org_id = $1 AND provider = $2 AND account_sid = $3 \
                 AND ($4 IS NULL OR id <> $4) LIMIT 1",
            )
            .bind(org_id)
            .bind(provider)
            .bind(account_sid)
            .bind(except_id)
            .fetch_optional(&self.pool)
            .await?;
            Ok(found.is_some())
        }

        async fn update_configuration(
            &self,
            org_id: i64,
            id: i64,
            expected_version: i64,
            s: &ConfigurationState,
            now: DateTime<Utc>,
            audit: &AuditEvent,
        ) -> Result<ConfigurationRecord> {
            let mut tx = self.writer.begin().await?;
            let update = sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                "UPDATE provider_configurations SET account_sid = $1, name = $2, settings = $3, secret_key_id = $4, \
                 secret_ciphertext = $5, verification_status = $6, verification_details = $7, last_verified_at = $8, \
                 next_verification_at = $9, region = $10, supports_call_transfer = $11, trunk_sid = $12, \
                 termination_uri = $13, updated_at = $14, version = version + 1 \
                 WHERE org_id = $15 AND id = $16 AND version = $17 RETURNING {}",
                CONFIG_COLUMNS
            ));
            let updated = bind_state!(update, s)
            .bind(now)
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            match updated {
                Some(row) => {
                    audit_insert!($db, tx, audit, Some(org_id), row.uuid.to_string());
                    tx.commit().await?;
                    Ok(row)
                }
                None => match self.get_configuration(org_id, ConfigurationKey::Id(id)).await? {
                    Some(_) => Err(StorageError::VersionMismatch),
                    None => Err(StorageError::NotFound),
                },
            }
        }

        async fn delete_configuration(
            &self,
            org_id: i64,
            id: i64,
            expected_version: Option<i64>,
            audit: &AuditEvent,
        ) -> Result<()> {
            let mut tx = self.writer.begin().await?;
            let deleted = sqlx::query_scalar::<$db, Uuid>(
                "DELETE FROM provider_configurations WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) RETURNING uuid",
            )
            .bind(org_id)
            .bind(id)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(uuid) = deleted {
                audit_insert!($db, tx, audit, Some(org_id), uuid.to_string());
                tx.commit().await?;
                return Ok(());
            }
            drop(tx);
            match self.get_configuration(org_id, ConfigurationKey::Id(id)).await? {
                Some(_) => Err(StorageError::VersionMismatch),
                None => Err(StorageError::NotFound),
            }
        }

        async fn record_verification(&self, id: i64, version: i64, v: &VerificationRecord) -> Result<bool> {
            let done = sqlx::query(
                "UPDATE provider_configurations SET verification_status = $1, verification_details = $2, \
                 last_verified_at = $3, next_verification_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(&v.status)
            .bind(v.details.as_ref().map(Json))
            .bind(v.last_verified_at)
            .bind(v.next_at)
            .bind(id)
            .bind(version)
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn configurations_sealed_with_other_keys(
            &self,
            active_key_id: &str,
            limit: i64,
        ) -> Result<Vec<ConfigurationRecord>> {
            Ok(sqlx::query_as::<$db, ConfigurationRecord>(config_sql!(
                "SELECT {} FROM provider_configurations WHERE secret_key_id <> $1 ORDER BY id LIMIT $2",
                CONFIG_COLUMNS
            ))
            .bind(active_key_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn count_sealed_with_other_keys(&self, active_key_id: &str) -> Result<i64> {
            Ok(sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM provider_configurations WHERE secret_key_id <> $1")
                .bind(active_key_id)
                .fetch_one(&self.pool)
                .await?)
        }

        async fn reseal_configuration(&self, id: i64, version: i64, sealed: &Sealed) -> Result<bool> {
            let done = sqlx::query(
                "UPDATE provider_configurations SET secret_key_id = $1, secret_ciphertext = $2 WHERE id = $3 AND version = $4",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.blob)
            .bind(id)
            .bind(version)
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn unknown_secret_key(&self, loaded: &[&str]) -> Result<Option<String>> {
            // "Any key id outside the loaded ones" as ranges between them, so each table answers
            // from its secret_key_id index instead of reading every row.
            let mut loaded = loaded.to_vec();
            loaded.sort_unstable();
            loaded.dedup();
            let mut gaps = vec!["secret_key_id < $1".to_owned()];
            for i in 2..=loaded.len() {
                gaps.push(format!("(secret_key_id > ${} AND secret_key_id < ${i})", i - 1));
            }
            gaps.push(format!("secret_key_id > ${}", loaded.len().max(1)));
            let filter = gaps.join(" OR ");
            // Provisioning journals hold sealed secrets too (recovery must open them).
            for table in ["provider_configurations", "twilio_provisioning"] {
                let sql = format!("SELECT secret_key_id FROM {table} WHERE {filter} LIMIT 1");
                let mut query = sqlx::query_scalar::<$db, String>(sqlx::AssertSqlSafe(sql));
                if loaded.is_empty() {
                    query = query.bind("");
                }
                for key in &loaded {
                    query = query.bind(*key);
                }
                if let Some(found) = query.fetch_optional(&self.pool).await? {
                    return Ok(Some(found));
                }
            }
            Ok(None)
        }

        async fn list_configurations_with_counts(
            &self,
            org_id: i64,
            provider: &str,
            limit: i64,
            offset: i64,
        ) -> Result<(Vec<ConfigurationWithCount>, i64)> {
            // A correlated count per row of the page only, over the (configuration_id, …) index.
            let rows = sqlx::query_as::<$db, ConfigurationWithCount>(config_sql!(
                "SELECT {}, (SELECT COUNT(*) FROM provider_phone_numbers n \
                 WHERE n.configuration_id = provider_configurations.id) AS phone_number_count \
                 FROM provider_configurations WHERE org_id = $1 AND provider = $2 ORDER BY id LIMIT $3 OFFSET $4",
                CONFIG_COLUMNS
            ))
            .bind(org_id)
            .bind(provider)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
            let total = sqlx::query_scalar::<$db, i64>(
                "SELECT COUNT(*) FROM provider_configurations WHERE org_id = $1 AND provider = $2",
            )
            .bind(org_id)
            .bind(provider)
            .fetch_one(&self.pool)
            .await?;
            Ok((rows, total))
        }

        async fn phone_number_count(&self, configuration_id: i64) -> Result<i64> {
            Ok(sqlx::query_scalar::<$db, i64>(
                "SELECT COUNT(*) FROM provider_phone_numbers WHERE configuration_id = $1",
            )
            .bind(configuration_id)
            .fetch_one(&self.pool)
            .await?)
        }

        async fn insert_phone_number(&self, n: &PhoneNumberRecord, audit: &AuditEvent) -> Result<()> {
            let mut tx = self.writer.begin().await?;
            sqlx::query(
                "INSERT INTO provider_phone_numbers (id, configuration_id, org_id, phone_number_sid, phone_number, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(n.id)
            .bind(n.configuration_id)
            .bind(n.org_id)
            .bind(&n.phone_number_sid)
            .bind(&n.phone_number)
            .bind(n.created_at)
            .execute(&mut *tx)
            .await?;
            audit_insert!($db, tx, audit, Some(n.org_id), n.id.to_string());
            tx.commit().await?;
            Ok(())
        }

        async fn list_phone_numbers(&self, configuration_id: i64) -> Result<Vec<PhoneNumberRecord>> {
            Ok(sqlx::query_as::<$db, PhoneNumberRecord>(
                "SELECT id, configuration_id, org_id, phone_number_sid, phone_number, created_at \
                 FROM provider_phone_numbers WHERE configuration_id = $1 ORDER BY created_at, phone_number_sid",
            )
            .bind(configuration_id)
            .fetch_all(&self.pool)
            .await?)
        }

        async fn get_phone_number(&self, configuration_id: i64, id: Uuid) -> Result<Option<PhoneNumberRecord>> {
            Ok(sqlx::query_as::<$db, PhoneNumberRecord>(
                "SELECT id, configuration_id, org_id, phone_number_sid, phone_number, created_at \
                 FROM provider_phone_numbers WHERE configuration_id = $1 AND id = $2",
            )
            .bind(configuration_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
        }

        async fn delete_phone_number(&self, configuration_id: i64, id: Uuid, audit: &AuditEvent) -> Result<bool> {
            let mut tx = self.writer.begin().await?;
            let org_id = sqlx::query_scalar::<$db, i64>(
                "DELETE FROM provider_phone_numbers WHERE configuration_id = $1 AND id = $2 RETURNING org_id",
            )
            .bind(configuration_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(org_id) = org_id else { return Ok(false) };
            audit_insert!($db, tx, audit, Some(org_id), id.to_string());
            tx.commit().await?;
            Ok(true)
        }

        async fn list_audit_events(&self, org_id: i64, q: AuditQuery<'_>) -> Result<(Vec<AuditRecord>, i64)> {
            const FILTER: &str = "org_id = $1 AND ($2 IS NULL OR resource_type = $2) AND ($3 IS NULL OR resource_id = $3) \
                AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at <= $5) AND ($6 IS NULL OR id > $6)";
            let rows = sqlx::query_as::<$db, AuditRecord>(config_sql!(
                "SELECT id, org_id, actor_token_id, actor, action, resource_type, resource_id, fields, request_id, created_at \
                 FROM audit_events WHERE {} ORDER BY id DESC LIMIT $7 OFFSET $8",
                FILTER
            ))
            .bind(org_id)
            .bind(q.resource_type)
            .bind(q.resource_id)
            .bind(q.since)
            .bind(q.until)
            .bind(q.after_id)
            .bind(q.limit)
            .bind(q.offset)
            .fetch_all(&self.pool)
            .await?;
            let total = sqlx::query_scalar::<$db, i64>(config_sql!("SELECT COUNT(*) FROM audit_events WHERE {}", FILTER))
                .bind(org_id)
                .bind(q.resource_type)
                .bind(q.resource_id)
                .bind(q.since)
                .bind(q.until)
                .bind(q.after_id)
                .fetch_one(&self.pool)
                .await?;
            Ok((rows, total))
        }

        async fn purge_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64> {
            let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before).execute(&self.writer).await?;
            Ok(done.rows_affected())
        }

        async fn claim_idempotency_key(
            &self,
            org_id: i64,
            key: &str,
            request_hash: &str,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
        ) -> Result<IdempotencyClaim> {
            // Two rounds at most: a stale or expired record found in the first is removed, then
            // the insert is tried again.
            for _ in 0..2 {
                let inserted = sqlx::query(
                    "INSERT INTO idempotency_keys (org_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (org_id, key) DO NOTHING",
                )
                .bind(org_id)
                .bind(key)
                .bind(request_hash)
                .bind(now)
                .execute(&self.writer)
                .await?;
                if inserted.rows_affected() == 1 {
                    return Ok(IdempotencyClaim::New);
                }
                let found = sqlx::query_as::<$db, (String, Option<i32>, Option<String>, Option<Vec<u8>>, DateTime<Utc>)>(
                    "SELECT request_hash, status, content_type, body, created_at FROM idempotency_keys WHERE org_id = $1 AND key = $2",
                )
                .bind(org_id)
                .bind(key)
                .fetch_optional(&self.writer)
                .await?;
                let Some((hash, status, content_type, body, created_at)) = found else { continue };
                if status.is_none() && created_at < stale_before {
                    // The first request died without an answer: let this one run.
                    sqlx::query("DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND created_at = $3")
                        .bind(org_id)
                        .bind(key)
                        .bind(created_at)
                        .execute(&self.writer)
                        .await?;
                    continue;
                }
                if hash != request_hash {
                    return Ok(IdempotencyClaim::Mismatch);
                }
                return Ok(match status {
                    Some(status) => IdempotencyClaim::Replay {
                        status: u16::try_from(status).unwrap_or(500),
                        content_type,
                        body: body.unwrap_or_default(),
                    },
                    None => IdempotencyClaim::InProgress,
                });
            }
            Ok(IdempotencyClaim::InProgress)
        }

        async fn complete_idempotency_key(
            &self,
            org_id: i64,
            key: &str,
            status: u16,
            content_type: Option<&str>,
            body: &[u8],
        ) -> Result<()> {
            sqlx::query("UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE org_id = $4 AND key = $5")
                .bind(i32::from(status))
                .bind(content_type)
                .bind(body)
                .bind(org_id)
                .bind(key)
                .execute(&self.writer)
                .await?;
            Ok(())
        }

        async fn release_idempotency_key(&self, org_id: i64, key: &str) -> Result<()> {
            sqlx::query("DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND status IS NULL")
                .bind(org_id)
                .bind(key)
                .execute(&self.writer)
                .await?;
            Ok(())
        }

        async fn insert_provisioning(&self, j: &ProvisioningRecord) -> Result<()> {
            sqlx::query(
                "INSERT INTO twilio_provisioning (id, org_id, account_sid, secret_key_id, secret_ciphertext, stage, \
                 domain_name, credential_list_name, trunk_sid, credential_list_sid, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(j.id)
            .bind(j.org_id)
            .bind(&j.account_sid)
            .bind(&j.secret_key_id)
            .bind(&j.secret_ciphertext)
            .bind(&j.stage)
            .bind(&j.domain_name)
            .bind(&j.credential_list_name)
            .bind(&j.trunk_sid)
            .bind(&j.credential_list_sid)
            .bind(j.created_at)
            .bind(j.updated_at)
            .execute(&self.writer)
            .await?;
            Ok(())
        }

        async fn update_provisioning(
            &self,
            id: Uuid,
            stage: &str,
            trunk_sid: Option<&str>,
            credential_list_sid: Option<&str>,
            now: DateTime<Utc>,
        ) -> Result<bool> {
            let done = sqlx::query(
                "UPDATE twilio_provisioning SET stage = $1, trunk_sid = $2, credential_list_sid = $3, updated_at = $4 \
                 WHERE id = $5",
            )
            .bind(stage)
            .bind(trunk_sid)
            .bind(credential_list_sid)
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        async fn delete_provisioning(&self, id: Uuid) -> Result<()> {
            sqlx::query("DELETE FROM twilio_provisioning WHERE id = $1")
                .bind(id)
                .execute(&self.writer)
                .await?;
            Ok(())
        }

        async fn claim_stale_provisioning(
            &self,
            stale_before: DateTime<Utc>,
            now: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<ProvisioningRecord>> {
            // The staleness test is repeated outside the subquery: PostgreSQL re-checks it on a
            // row another instance just claimed (and skips it); SQLite has one writer anyway.
            Ok(sqlx::query_as::<$db, ProvisioningRecord>(
                "UPDATE twilio_provisioning SET updated_at = $1 WHERE updated_at < $2 AND id IN \
                 (SELECT id FROM twilio_provisioning WHERE updated_at < $2 ORDER BY updated_at LIMIT $3) \
                 RETURNING id, org_id, account_sid, secret_key_id, secret_ciphertext, stage, domain_name, \
                 credential_list_name, trunk_sid, credential_list_sid, created_at, updated_at",
            )
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_all(&self.writer)
            .await?)
        }
        }
    };
}
pub(super) use storage_impl;
