//! Call routing: service tokens (`service_tokens`, `service_token_orgs`), the one-query route
//! look-ups, the shared CPS windows (`cps_windows`), batched audit events of released secrets,
//! and which organizations' routing data changed (migration 0012: appended to `routing_changes`
//! by triggers on SQLite, notified with the organization's id on PostgreSQL).

use chrono::{DateTime, Utc};

use super::audit_events::{self, AuditEvent};
use super::configurations::CONFIG_COLUMNS;
use super::{ConfigurationRecord, Result, Store, on_backend};
use crate::domain::routing::CpsWindow;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceTokenRecord {
    pub id: i64,
    pub label: Option<String>,
    pub token_prefix: String,
    /// Routes calls of every organization; otherwise only of [`ServiceTokenGrant::org_ids`].
    pub all_orgs: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ServiceTokenRecord {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// A service token and the organizations it may route (ids and handles, oldest first).
#[derive(Debug, Clone)]
pub struct ServiceTokenGrant {
    pub token: ServiceTokenRecord,
    pub org_ids: Vec<i64>,
    pub org_handles: Vec<String>,
}

/// What a new service token row holds; the token itself is never stored.
pub struct NewServiceTokenRecord<'a> {
    pub label: Option<&'a str>,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    /// `None`: every organization.
    pub org_ids: Option<&'a [i64]>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A number with everything a routing answer needs: its organization, bridge, inbound agent
/// and whole configuration (sealed secrets included, opened only for an outbound answer).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RouteRecord {
    #[sqlx(flatten)]
    pub configuration: ConfigurationRecord,
    pub number_id: i64,
    pub number: String,
    pub org_handle: String,
    pub bridge_slug: Option<String>,
    pub inbound_agent_id: Option<String>,
}

const TOKEN_COLUMNS: &str = "id, label, token_prefix, all_orgs, created_at, expires_at, revoked_at";

fn route_select(filter: &str) -> String {
    let columns: String = CONFIG_COLUMNS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns}, n.id AS number_id, n.phone_number AS number, o.handle AS org_handle, \
         b.slug AS bridge_slug, il.agent_id AS inbound_agent_id \
         FROM phone_numbers n JOIN provider_configurations c ON c.id = n.configuration_id \
         JOIN organizations o ON o.id = n.org_id \
         LEFT JOIN bridge_numbers bn ON bn.number_id = n.id LEFT JOIN bridges b ON b.id = bn.bridge_id \
         LEFT JOIN agent_links il ON il.number_id = n.id AND il.mode = 'inbound' WHERE {filter}"
    )
}

impl Store {
    pub async fn create_service_token(
        &self,
        t: NewServiceTokenRecord<'_>,
        audit: &AuditEvent,
    ) -> Result<ServiceTokenRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let token = sqlx::query_as::<_, ServiceTokenRecord>(sqlx::AssertSqlSafe(format!(
                "INSERT INTO service_tokens (label, token_hash, token_prefix, all_orgs, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLUMNS}"
            )))
            .bind(t.label)
            .bind(t.token_hash)
            .bind(t.token_prefix)
            .bind(t.org_ids.is_none())
            .bind(t.created_at)
            .bind(t.expires_at)
            .fetch_one(&mut *tx)
            .await?;
            for org_id in t.org_ids.unwrap_or_default() {
                sqlx::query("INSERT INTO service_token_orgs (token_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(token.id)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
            }
            audit_events::insert(&mut tx, audit, None, token.id).await?;
            tx.commit().await?;
            Ok(token)
        })
    }

    /// The service token with this hash and its organizations, whether or not it is active.
    pub async fn service_token_by_hash(&self, hash: &str) -> Result<Option<ServiceTokenGrant>> {
        let token: Option<ServiceTokenRecord> = on_backend!(self, read, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TOKEN_COLUMNS} FROM service_tokens WHERE token_hash = $1"
            )))
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        match token {
            Some(token) => Ok(Some(self.with_grants(token).await?)),
            None => Ok(None),
        }
    }

    async fn with_grants(&self, token: ServiceTokenRecord) -> Result<ServiceTokenGrant> {
        let orgs: Vec<(i64, String)> = if token.all_orgs {
            Vec::new()
        } else {
            on_backend!(self, read, |pool| {
                sqlx::query_as(
                    "SELECT o.id, o.handle FROM service_token_orgs g JOIN organizations o ON o.id = g.org_id \
                     WHERE g.token_id = $1 ORDER BY o.id",
                )
                .bind(token.id)
                .fetch_all(pool)
                .await?
            })
        };
        let (org_ids, org_handles) = orgs.into_iter().unzip();
        Ok(ServiceTokenGrant {
            token,
            org_ids,
            org_handles,
        })
    }

    pub async fn list_service_tokens(&self) -> Result<Vec<ServiceTokenGrant>> {
        let tokens: Vec<ServiceTokenRecord> = on_backend!(self, read, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {TOKEN_COLUMNS} FROM service_tokens ORDER BY id"
            )))
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(tokens.len());
        for token in tokens {
            out.push(self.with_grants(token).await?);
        }
        Ok(out)
    }

    /// `Ok(false)` when no active service token has this id.
    pub async fn revoke_service_token(&self, id: i64, now: DateTime<Utc>, audit: &AuditEvent) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE service_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            audit_events::insert(&mut tx, audit, None, id).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The number (E.164) with its route, in one query.
    pub async fn route_by_number(&self, number: &str) -> Result<Option<RouteRecord>> {
        let sql = route_select("n.phone_number = $1");
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(number)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// The bridge's first number (its caller id) with its route. `Ok(None)` for an unknown bridge;
    /// `Ok(Some(None))` for a bridge with no number (a draft).
    pub async fn route_by_bridge(&self, org_id: i64, slug: &str) -> Result<Option<Option<RouteRecord>>> {
        let sql = route_select(
            "n.id = (SELECT bn2.number_id FROM bridge_numbers bn2 WHERE bn2.bridge_id = $1 ORDER BY bn2.id LIMIT 1)",
        );
        on_backend!(self, read, |pool| {
            let bridge: Option<i64> = sqlx::query_scalar("SELECT id FROM bridges WHERE org_id = $1 AND slug = $2")
                .bind(org_id)
                .bind(slug)
                .fetch_optional(pool)
                .await?;
            let Some(bridge) = bridge else { return Ok(None) };
            Ok(Some(
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(bridge)
                    .fetch_optional(pool)
                    .await?,
            ))
        })
    }

    /// Counts one call in `key`'s window starting at `window_start` (a new window resets the
    /// count) and returns the window as it stands. One atomic row update: concurrent calls of
    /// every instance on the same database count in the same row.
    pub async fn count_cps_call(&self, key: &str, window_start: i64) -> Result<CpsWindow> {
        on_backend!(self, write, |pool| {
            let (window_start, calls): (i64, i64) = sqlx::query_as(
                "INSERT INTO cps_windows (cps_key, window_start, calls) VALUES ($1, $2, 1) \
                 ON CONFLICT (cps_key) DO UPDATE SET \
                 calls = CASE WHEN cps_windows.window_start = excluded.window_start THEN cps_windows.calls + 1 ELSE 1 END, \
                 window_start = excluded.window_start RETURNING window_start, calls",
            )
            .bind(key)
            .bind(window_start)
            .fetch_one(pool)
            .await?;
            Ok(CpsWindow { window_start, calls })
        })
    }

    /// Writes a batch of audit events in one transaction (the released-secrets ledger).
    pub async fn insert_audit_batch(&self, events: &[AuditEvent]) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            audit_events::insert_many(&mut tx, events).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// SQLite: the changes after sequence number `after` (none, with the newest sequence number,
    /// when `after` is `None`). PostgreSQL notifies instead (see [`Self::routing_listener`]).
    pub async fn routing_changes_since(&self, after: Option<i64>) -> Result<RoutingChanges> {
        const MOST: i64 = 10_000;
        let super::Pools::Sqlite { read, .. } = &self.pools else {
            return Ok(RoutingChanges::default());
        };
        let Some(after) = after else {
            let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM routing_changes")
                .fetch_one(read)
                .await?;
            return Ok(RoutingChanges {
                last,
                ..Default::default()
            });
        };
        let rows: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT seq, org_id FROM routing_changes WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(MOST + 1)
                .fetch_all(read)
                .await?;
        // Sequence numbers have no holes (one writer, rolled-back rows take none): a hole is
        // rows pruned before they were seen, and too many rows are as good as everything.
        let gap = rows.first().is_some_and(|(seq, _)| *seq != after + 1) || rows.len() as i64 > MOST;
        Ok(RoutingChanges {
            last: rows.last().map_or(after, |(seq, _)| *seq),
            orgs: rows.into_iter().map(|(_, org)| org).collect(),
            gap,
        })
    }

    /// SQLite: forgets changes older than `older_than` (every server has long seen them).
    pub async fn prune_routing_changes(&self, older_than: std::time::Duration) -> Result<()> {
        if let super::Pools::Sqlite { write, .. } = &self.pools {
            sqlx::query("DELETE FROM routing_changes WHERE changed_at < unixepoch() - $1")
                .bind(older_than.as_secs() as i64)
                .execute(write)
                .await?;
        }
        Ok(())
    }

    /// A PostgreSQL listener on the routing change channel; `None` on SQLite.
    pub async fn routing_listener(&self) -> Result<Option<sqlx::postgres::PgListener>> {
        match &self.pools {
            super::Pools::Sqlite { .. } => Ok(None),
            super::Pools::Postgres(pool) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(ROUTING_CHANNEL).await?;
                Ok(Some(listener))
            }
        }
    }
}

/// What [`Store::routing_changes_since`] found.
#[derive(Debug, Default)]
pub struct RoutingChanges {
    /// The newest sequence number seen: where the next look starts.
    pub last: i64,
    /// The organizations whose data changed; `None`: any organization's may have.
    pub orgs: Vec<Option<i64>>,
    /// Changes were missed (pruned before they were seen): forget everything.
    pub gap: bool,
}

/// The organization a notification on [`ROUTING_CHANNEL`] concerns (`None`: any).
pub fn changed_org(payload: &str) -> Option<i64> {
    payload.parse().ok()
}

/// The channel migrations 0009 and 0012's triggers notify on PostgreSQL (payload: the
/// organization's id, or empty for any).
pub const ROUTING_CHANNEL: &str = "patchbay_routing";
