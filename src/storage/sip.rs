//! The v1 SIP families over the shared tables: SIP credentials are the provider configurations
//! that hold one (provider `sip`, and v1 Twilio providers with a provisioned trunk); SIP phone
//! numbers are the numbers on those configurations; `agent_links` ties numbers to agents.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit_events::{self, AuditEvent};
use super::configurations::CONFIG_COLUMNS;
use super::phone_numbers::{NUMBER_COLUMNS, PhoneNumberRecord};
use super::{ConfigurationRecord, Result, StorageError, Store, on_backend};

/// The configurations that are SIP credentials (`c` is `provider_configurations`).
const IS_SIP_CREDENTIAL: &str = "(c.provider = 'sip' OR (c.provider = 'twilio' AND c.trunk_sid IS NOT NULL))";

/// A SIP phone number with its credential (configuration) and its inbound agent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SipNumberListing {
    #[sqlx(flatten)]
    pub number: PhoneNumberRecord,
    /// The configuration's uuid: the credential's id.
    pub credentials_id: Uuid,
    pub provider: String,
    pub inbound_agent_id: Option<String>,
}

/// One agent link of a number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentLinkRecord {
    pub number_id: i64,
    pub agent_id: String,
    /// `inbound` or `outbound`.
    pub mode: String,
}

/// Filters of the SIP phone numbers list.
#[derive(Debug, Clone, Default)]
pub struct SipNumberFilter<'a> {
    pub phone_number: Option<&'a str>,
    pub linked_agent_id: Option<&'a str>,
    pub unlinked_only: bool,
    pub provider_id: Option<Uuid>,
    pub credentials_id: Option<i64>,
}

const SIP_NUMBER_FROM: &str = "FROM phone_numbers n JOIN provider_configurations c ON c.id = n.configuration_id \
    LEFT JOIN agent_links il ON il.number_id = n.id AND il.mode = 'inbound'";

const SIP_NUMBER_WHERE: &str = "WHERE n.org_id = $1 \
    AND ($2 IS NULL OR n.phone_number = $2) \
    AND ($3 IS NULL OR EXISTS (SELECT 1 FROM agent_links a WHERE a.number_id = n.id AND a.agent_id = $3)) \
    AND ($4 = FALSE OR NOT EXISTS (SELECT 1 FROM agent_links a WHERE a.number_id = n.id)) \
    AND ($5 IS NULL OR (c.uuid = $5 AND c.provider = 'twilio')) \
    AND ($6 IS NULL OR c.id = $6)";

/// Binds `$1`-`$6` of [`SIP_NUMBER_WHERE`] (the page query and its count share them).
macro_rules! bind_filter {
    ($query:expr, $org_id:expr, $f:expr) => {
        $query
            .bind($org_id)
            .bind($f.phone_number)
            .bind($f.linked_agent_id)
            .bind($f.unlinked_only)
            .bind($f.provider_id)
            .bind($f.credentials_id)
    };
}

fn number_select() -> String {
    let columns: String = NUMBER_COLUMNS
        .split(", ")
        .map(|c| format!("n.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {columns}, c.uuid AS credentials_id, c.provider, il.agent_id AS inbound_agent_id {SIP_NUMBER_FROM}")
}

impl Store {
    /// The organization's SIP credentials, oldest first, and how many there are.
    pub async fn list_sip_credentials(
        &self,
        org_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ConfigurationRecord>, i64)> {
        let columns: String = CONFIG_COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {columns} FROM provider_configurations c WHERE c.org_id = $1 AND {IS_SIP_CREDENTIAL} \
                 ORDER BY c.id LIMIT $2 OFFSET $3"
            )))
            .bind(org_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM provider_configurations c WHERE c.org_id = $1 AND {IS_SIP_CREDENTIAL}"
            )))
            .bind(org_id)
            .fetch_one(pool)
            .await?;
            Ok((rows, total))
        })
    }

    /// One SIP credential of the organization by its uuid.
    pub async fn get_sip_credential(&self, org_id: i64, uuid: Uuid) -> Result<Option<ConfigurationRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CONFIG_COLUMNS} FROM provider_configurations c WHERE c.org_id = $1 AND c.uuid = $2 \
                 AND {IS_SIP_CREDENTIAL}"
            )))
            .bind(org_id)
            .bind(uuid)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A page of the organization's SIP phone numbers (oldest first) and the filtered total.
    pub async fn list_sip_numbers(
        &self,
        org_id: i64,
        f: &SipNumberFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<SipNumberListing>, i64)> {
        let select = number_select();
        on_backend!(self, read, |pool| {
            let rows = bind_filter!(
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{select} {SIP_NUMBER_WHERE} AND {IS_SIP_CREDENTIAL} ORDER BY n.id LIMIT $7 OFFSET $8"
                ))),
                org_id,
                f
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = bind_filter!(
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) {SIP_NUMBER_FROM} {SIP_NUMBER_WHERE} AND {IS_SIP_CREDENTIAL}"
                ))),
                org_id,
                f
            )
            .fetch_one(pool)
            .await?;
            Ok((rows, total))
        })
    }

    /// One SIP phone number of the organization by its uuid.
    pub async fn get_sip_number(&self, org_id: i64, uuid: Uuid) -> Result<Option<SipNumberListing>> {
        let select = number_select();
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{select} WHERE n.org_id = $1 AND n.uuid = $2 AND {IS_SIP_CREDENTIAL}"
            )))
            .bind(org_id)
            .bind(uuid)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The agent links of the configuration's numbers (`by_configuration`) or of one number.
    pub async fn agent_links(&self, org_id: i64, by_configuration: bool, id: i64) -> Result<Vec<AgentLinkRecord>> {
        let column = if by_configuration { "n.configuration_id" } else { "n.id" };
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT a.number_id, a.agent_id, a.mode FROM agent_links a JOIN phone_numbers n ON n.id = a.number_id \
                 WHERE n.org_id = $1 AND {column} = $2 ORDER BY a.number_id, a.mode, a.agent_id"
            )))
            .bind(org_id)
            .bind(id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Links (`link` true) or unlinks an agent, bumping the number's version: an inbound link
    /// replaces the number's inbound agent; an outbound one replaces the agent's outbound
    /// number. Unlinking inbound ignores `agent_id`. `NotFound` / `VersionMismatch` as usual.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_agent_link(
        &self,
        org_id: i64,
        number_id: i64,
        expected_version: Option<i64>,
        mode: &str,
        agent_id: Option<&str>,
        link: bool,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let bumped: Option<Uuid> = sqlx::query_scalar(
                "UPDATE phone_numbers SET version = version + 1, updated_at = $4 \
                 WHERE org_id = $1 AND id = $2 AND ($3 IS NULL OR version = $3) RETURNING uuid",
            )
            .bind(org_id)
            .bind(number_id)
            .bind(expected_version)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(uuid) = bumped {
                let clear = match (mode, link) {
                    ("inbound", _) => "DELETE FROM agent_links WHERE number_id = $1 AND mode = 'inbound' AND $2 = $2",
                    (_, true) => "DELETE FROM agent_links WHERE org_id = $3 AND agent_id = $2 AND mode = 'outbound'",
                    (_, false) => {
                        "DELETE FROM agent_links WHERE number_id = $1 AND agent_id = $2 AND mode = 'outbound' AND $3 = $3"
                    }
                };
                sqlx::query(clear)
                    .bind(number_id)
                    .bind(agent_id.unwrap_or_default())
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await?;
                if link {
                    sqlx::query(
                        "INSERT INTO agent_links (org_id, number_id, agent_id, mode, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(org_id)
                    .bind(number_id)
                    .bind(agent_id.unwrap_or_default())
                    .bind(mode)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                audit_events::insert(&mut tx, audit, Some(org_id), uuid).await?;
                tx.commit().await?;
                return Ok(());
            }
            drop(tx);
        });
        match self.get_org_number(org_id, number_id).await? {
            Some(_) => Err(StorageError::VersionMismatch),
            None => Err(StorageError::NotFound),
        }
    }
}
