//! Audit events: who changed what, written in the same transaction as the change.

use std::fmt::Display;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{Database, Encode, Executor, IntoArguments, Transaction, Type};

use super::{Result, Store, on_backend, webhooks};
use crate::domain::webhook::EventType;

/// An audit event, written in the same transaction as the change it describes.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub org_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    /// `token:<id>` for API calls, `cli` for administration commands.
    pub actor: String,
    /// e.g. `configuration.created`, `configuration.updated`, `token.revoked`.
    pub action: &'static str,
    pub resource_type: &'static str,
    /// `None`: the id of the row the write creates.
    pub resource_id: Option<String>,
    /// Names of the fields that changed: never values (`auth_token`, not the token).
    pub fields: Vec<String>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
    /// What the webhook event of this change carries beside the resource's type and id (the
    /// resource as the API shows it, old and new states): never a secret. Not stored in the
    /// audit trail, which keeps field names only.
    pub data: Option<serde_json::Value>,
}

impl AuditEvent {
    /// This event with what its webhook event carries (see [`AuditEvent::data`]).
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub org_id: Option<i64>,
    pub actor_token_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub fields: Json<Vec<String>>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events with a greater id (for `audit tail --follow`).
    pub after_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Writes `audit` inside the transaction `tx`, for organization `org_id`, naming the resource
/// `created_id` when the event leaves it open (the row was just created).
pub(super) async fn insert<'a, DB>(
    tx: &mut Transaction<'_, DB>,
    audit: &'a AuditEvent,
    org_id: Option<i64>,
    created_id: impl Display,
) -> Result<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    Json<&'a Vec<String>>: Encode<'a, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    let resource_id = audit.resource_id.clone().unwrap_or_else(|| created_id.to_string());
    sqlx::query(
        "INSERT INTO audit_events (org_id, actor_token_id, actor, action, resource_type, resource_id, fields, \
         request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(audit.org_id.or(org_id))
    .bind(audit.actor_token_id)
    .bind(&audit.actor)
    .bind(audit.action)
    .bind(audit.resource_type)
    .bind(resource_id.clone())
    .bind(Json(&audit.fields))
    .bind(&audit.request_id)
    .bind(audit.at)
    .execute(&mut **tx)
    .await?;
    // The outbox: in this same transaction, so the event exists exactly when the change does.
    if let (Some(event_type), Some(org_id)) = (EventType::for_audit_action(audit.action), audit.org_id.or(org_id)) {
        let msg_id = new_message_id();
        let payload = event_payload(event_type, org_id, audit, &resource_id);
        webhooks::enqueue(tx, org_id, event_type, msg_id, payload, audit.at).await?;
    }
    Ok(())
}

/// Rows a multi-row `INSERT` of [`insert_many`] carries: 9 parameters each, well under
/// SQLite's (32,766) and PostgreSQL's (65,535) limits.
const ROWS_PER_INSERT: usize = 200;

/// Writes `events` inside `tx`, as [`insert`] does, but several rows per statement: the
/// released-secrets ledger writes hundreds a second, and one statement per row (a round trip to
/// the database, on SQLite a hand-off to its connection's thread) was most of its cost. Events
/// with a webhook go through [`insert`], for their outbox row.
pub(super) async fn insert_many<'a, DB>(tx: &mut Transaction<'_, DB>, events: &'a [AuditEvent]) -> Result<()>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
    Json<&'a Vec<String>>: Encode<'a, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    let (plain, with_webhook): (Vec<&AuditEvent>, Vec<&AuditEvent>) = events
        .iter()
        .partition(|e| EventType::for_audit_action(e.action).is_none() && e.resource_id.is_some());
    for event in with_webhook {
        insert(tx, event, None, "").await?;
    }
    for chunk in plain.chunks(ROWS_PER_INSERT) {
        let mut query = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO audit_events (org_id, actor_token_id, actor, action, resource_type, resource_id, fields, \
             request_id, created_at) ",
        );
        query.push_values(chunk, |mut row, event| {
            row.push_bind(event.org_id)
                .push_bind(event.actor_token_id)
                .push_bind(event.actor.as_str())
                .push_bind(event.action)
                .push_bind(event.resource_type)
                .push_bind(event.resource_id.as_deref())
                .push_bind(Json(&event.fields))
                .push_bind(event.request_id.as_deref())
                .push_bind(event.at);
        });
        query.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// A `webhook-id`: `msg_` + 32 hex digits, unique per event.
pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// The body of the webhook event announcing `audit`: `{type, timestamp, data}` as Standard
/// Webhooks has it, `data` being what the service passed plus who did what to which resource.
fn event_payload(event_type: EventType, org_id: i64, audit: &AuditEvent, resource_id: &str) -> String {
    let mut data = match &audit.data {
        Some(serde_json::Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    data.insert("organization_id".into(), org_id.into());
    data.insert("resource_type".into(), audit.resource_type.into());
    data.insert("resource_id".into(), resource_id.into());
    data.insert("changed_fields".into(), audit.fields.clone().into());
    data.insert("actor".into(), audit.actor.clone().into());
    data.insert("request_id".into(), audit.request_id.clone().into());
    envelope(event_type, audit.at, data.into())
}

/// `{type, timestamp, data}`, the body of every event.
pub fn envelope(event_type: EventType, at: DateTime<Utc>, data: serde_json::Value) -> String {
    serde_json::json!({
        "type": event_type.as_str(),
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

impl Store {
    /// Forgets audit events created before `before` (the retention); returns how many.
    pub async fn purge_audit_events(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, write, |pool| {
            let done = sqlx::query("DELETE FROM audit_events WHERE created_at < $1")
                .bind(before)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }

    pub async fn list_audit_events(&self, org_id: i64, q: AuditQuery<'_>) -> Result<(Vec<AuditRecord>, i64)> {
        const FILTER: &str = "org_id = $1 AND ($2 IS NULL OR resource_type = $2) AND ($3 IS NULL OR resource_id = $3) \
            AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at <= $5) AND ($6 IS NULL OR id > $6)";
        on_backend!(self, read, |pool| {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, org_id, actor_token_id, actor, action, resource_type, resource_id, fields, request_id, \
                 created_at FROM audit_events WHERE {FILTER} ORDER BY id DESC LIMIT $7 OFFSET $8"
            )))
            .bind(org_id)
            .bind(q.resource_type)
            .bind(q.resource_id)
            .bind(q.since)
            .bind(q.until)
            .bind(q.after_id)
            .bind(q.limit)
            .bind(q.offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM audit_events WHERE {FILTER}"
            )))
            .bind(org_id)
            .bind(q.resource_type)
            .bind(q.resource_id)
            .bind(q.since)
            .bind(q.until)
            .bind(q.after_id)
            .fetch_one(pool)
            .await?;
            Ok((rows, total))
        })
    }
}
