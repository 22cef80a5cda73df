//! People: users, their memberships (a role per organization), their personal API tokens and
//! their console sessions. Passwords are stored as argon2id hashes, tokens and session secrets
//! as SHA-256 hashes: nothing here can be used to sign in if read.

use chrono::{DateTime, Utc};

use crate::domain::access::Role;

use super::audit_events::{self, AuditEvent};
use super::organizations::Organization;
use super::{Duplicate, Result, StorageError, Store, on_backend, unique_violation};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// A user row with its password hash: only for checking a password, never shown.
#[derive(Clone, sqlx::FromRow)]
pub struct UserCredentials {
    #[sqlx(flatten)]
    pub user: UserRecord,
    pub password_hash: String,
}

/// One person's role in one organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRecord {
    pub user_id: i64,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// An organization a user belongs to, with the user's role there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRecord {
    #[sqlx(flatten)]
    pub org: Organization,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub label: Option<String>,
    pub token_prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// `users_email_key` is a second account with the same e-mail.
fn on_user_constraint(err: sqlx::Error) -> StorageError {
    match unique_violation(&err) {
        Some(what) if what.contains("users_email_key") || what.contains("users.email") => {
            StorageError::Duplicate(Duplicate::Other)
        }
        _ => err.into(),
    }
}

impl Store {
    /// A new user and its first membership, in one transaction.
    pub async fn create_user(
        &self,
        email: &str,
        password_hash: &str,
        membership: (i64, Role),
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<UserRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let user = sqlx::query_as::<_, UserRecord>(
                "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) \
                 RETURNING id, email, created_at",
            )
            .bind(email)
            .bind(password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(on_user_constraint)?;
            sqlx::query("INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(user.id)
                .bind(membership.0)
                .bind(membership.1.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            audit_events::insert(&mut tx, audit, Some(membership.0), user.id).await?;
            tx.commit().await?;
            Ok(user)
        })
    }

    pub async fn user_credentials(&self, email: &str) -> Result<Option<UserCredentials>> {
        on_backend!(self, read, |pool| {
            Ok(
                sqlx::query_as("SELECT u.id, u.email, u.created_at, u.password_hash FROM users u WHERE u.email = $1")
                    .bind(email)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Sets `user_id`'s role in `org_id` (adding the membership, or changing its role).
    pub async fn set_membership(
        &self,
        user_id: i64,
        org_id: i64,
        role: Role,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user_id)
            .bind(org_id)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit_events::insert(&mut tx, audit, Some(org_id), user_id).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// `Ok(false)` when the user was not a member.
    pub async fn remove_membership(&self, user_id: i64, org_id: i64, audit: &AuditEvent) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                .bind(user_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            audit_events::insert(&mut tx, audit, Some(org_id), user_id).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn list_members(&self, org_id: i64) -> Result<Vec<MemberRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT u.id AS user_id, u.email, m.role, m.created_at FROM memberships m \
                 JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.email",
            )
            .bind(org_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The organizations `user_id` belongs to, by handle.
    pub async fn memberships_of(&self, user_id: i64) -> Result<Vec<MembershipRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(                "SELECT o.id, o.handle, o.name, o.created_at, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id \
                 WHERE m.user_id = $1 ORDER BY o.handle")
            .bind(user_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The user's membership in the organization with this handle, if any.
    pub async fn membership(&self, user_id: i64, handle: &str) -> Result<Option<MembershipRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(                "SELECT o.id, o.handle, o.name, o.created_at, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id \
                 WHERE m.user_id = $1 AND o.handle = $2")
            .bind(user_id)
            .bind(handle)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A new password; every session of the user ends with the old one.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, audit: &AuditEvent) -> Result<()> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            audit_events::insert(&mut tx, audit, None, user_id).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn create_user_token(
        &self,
        user_id: i64,
        label: Option<&str>,
        (token_hash, token_prefix): (&str, &str),
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<UserTokenRecord> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let token = sqlx::query_as::<_, UserTokenRecord>(
                "INSERT INTO user_tokens (user_id, label, token_hash, token_prefix, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, user_id, label, token_prefix, created_at, revoked_at",
            )
            .bind(user_id)
            .bind(label)
            .bind(token_hash)
            .bind(token_prefix)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit_events::insert(&mut tx, audit, None, token.id).await?;
            tx.commit().await?;
            Ok(token)
        })
    }

    /// The active personal token with this hash, and its user.
    pub async fn user_by_token_hash(&self, hash: &str) -> Result<Option<(i64, UserRecord)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            token_id: i64,
            #[sqlx(flatten)]
            user: UserRecord,
        }
        let row: Option<Row> = on_backend!(self, read, |pool| {
            sqlx::query_as(                "SELECT t.id AS token_id, u.id, u.email, u.created_at FROM user_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL")
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| (r.token_id, r.user)))
    }

    pub async fn list_user_tokens(&self, user_id: i64) -> Result<Vec<UserTokenRecord>> {
        on_backend!(self, read, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, user_id, label, token_prefix, created_at, revoked_at FROM user_tokens \
                 WHERE user_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// `Ok(false)` when `user_id` has no active token with this id.
    pub async fn revoke_user_token(
        &self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<bool> {
        on_backend!(self, write, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE user_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(user_id)
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

    pub async fn create_session(
        &self,
        user_id: i64,
        session_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<SessionRecord> {
        on_backend!(self, write, |pool| {
            // Expired sessions of anyone are dropped on the way: sign-ins are rare enough.
            sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?;
            Ok(sqlx::query_as(
                "INSERT INTO console_sessions (user_id, session_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id, user_id, created_at, expires_at",
            )
            .bind(user_id)
            .bind(session_hash)
            .bind(now)
            .bind(expires_at)
            .fetch_one(pool)
            .await?)
        })
    }

    /// The unexpired session with this hash, and its user.
    pub async fn session_by_hash(&self, hash: &str, now: DateTime<Utc>) -> Result<Option<(SessionRecord, UserRecord)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            session_id: i64,
            session_created_at: DateTime<Utc>,
            expires_at: DateTime<Utc>,
            #[sqlx(flatten)]
            user: UserRecord,
        }
        let row: Option<Row> = on_backend!(self, read, |pool| {
            sqlx::query_as(                "SELECT s.id AS session_id, s.created_at AS session_created_at, s.expires_at, u.id, u.email, u.created_at \
                 FROM console_sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.session_hash = $1 AND s.expires_at > $2")
            .bind(hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| {
            let session = SessionRecord {
                id: r.session_id,
                user_id: r.user.id,
                created_at: r.session_created_at,
                expires_at: r.expires_at,
            };
            (session, r.user)
        }))
    }

    pub async fn delete_session(&self, id: i64) -> Result<()> {
        on_backend!(self, write, |pool| {
            sqlx::query("DELETE FROM console_sessions WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of the user; returns how many there were.
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
        on_backend!(self, write, |pool| {
            Ok(sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected())
        })
    }
}
