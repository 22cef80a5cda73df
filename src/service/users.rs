//! People: users, their memberships, personal API tokens and console sessions.
//!
//! A user has a role per organization (admin, member, viewer). A personal token (`pbu_…`) acts
//! for every organization its user belongs to, with the user's role there: `Org-Handle`
//! chooses; once chosen, the request has an ordinary [`Caller`] and every rule of the API
//! applies to it unchanged. Console sessions resolve to the same [`Caller`].

use chrono::Duration;

use crate::domain::access::{NewApiToken, Role, hash_token};
use crate::domain::user::{Email, Password, SessionSecret, UserRef, decoy_hash, looks_like_user_token, new_user_token};
use crate::error::{Error, Result};
use crate::service::{AuditAction, Caller, Patchbay, names, now};
use crate::storage::{
    Duplicate, MemberRecord, MembershipRecord, Organization, SessionRecord, StorageError, UserRecord, UserTokenRecord,
};

/// How long a console session lasts from sign-in, however active (then sign in again).
pub const SESSION_TTL: Duration = Duration::hours(12);

/// The e-mail of the user `serve` creates on a new SQLite database.
pub const DEMO_EMAIL: &str = "demo@patchbay.local";

const NO_SUCH_USER: &str = "No user has this e-mail address.";

/// Runs an argon2 computation off the async workers (tens of milliseconds of CPU each).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

impl Caller {
    /// Managing API tokens and members: admins only (members and viewers are refused).
    pub fn require_admin(&self) -> Result<()> {
        if self.role.can_administer() {
            Ok(())
        } else {
            Err(Error::ReadOnlyToken)
        }
    }
}

impl Patchbay {
    /// Authenticates any token: organization tokens by [`Patchbay::authenticate`], personal
    /// tokens (`pbu_`) for the organization `org_handle` names. Without `Org-Handle` a personal
    /// token acts for its user's only organization, and is a 400 when there are several.
    /// An organization the user is not a member of is the same 403 as one that does not exist.
    pub async fn authenticate_request(&self, token: &str, org_handle: Option<&[u8]>) -> Result<Caller> {
        if !looks_like_user_token(token) {
            return self.authenticate(token).await;
        }
        let (token_id, user) = self.user_for_token(token).await?;
        let membership = match org_handle {
            Some(handle) => {
                let handle = std::str::from_utf8(handle).map_err(|_| Error::OrgForbidden)?;
                self.store
                    .membership(user.id, handle)
                    .await?
                    .ok_or(Error::OrgForbidden)?
            }
            None => {
                let mut all = self.store.memberships_of(user.id).await?;
                if all.len() != 1 {
                    return Err(Error::MissingOrgHandle);
                }
                all.remove(0)
            }
        };
        Ok(caller_of(token_id, user, membership))
    }

    /// The active personal token's id and its user.
    pub async fn user_for_token(&self, token: &str) -> Result<(i64, UserRecord)> {
        if !looks_like_user_token(token) {
            return Err(Error::InvalidToken);
        }
        self.store
            .user_by_token_hash(&hash_token(token))
            .await?
            .ok_or(Error::InvalidToken)
    }

    /// The organizations a user belongs to, with the user's role in each (by handle).
    pub async fn organizations_of(&self, user_id: i64) -> Result<Vec<MembershipRecord>> {
        Ok(self.store.memberships_of(user_id).await?)
    }

    /// The caller a signed-in user is in the organization `handle` (403 when not a member).
    pub async fn user_caller(&self, session_id: i64, user: &UserRecord, handle: &str) -> Result<Caller> {
        let membership = self
            .store
            .membership(user.id, handle)
            .await?
            .ok_or(Error::OrgForbidden)?;
        Ok(caller_of(session_id, user.clone(), membership))
    }

    /// A new user with a role in `org`. A second account with the same e-mail is a 409.
    pub async fn create_user(
        &self,
        email: &Email,
        password: Password,
        org: &Organization,
        role: Role,
    ) -> Result<UserRecord> {
        let hash = blocking(move || password.hash()).await?;
        let audit = AuditAction::UserCreated.event(Some(org.id), None, names(&["email", "role"]));
        match self
            .store
            .create_user(email.as_str(), &hash, (org.id, role), now(), &audit)
            .await
        {
            Err(StorageError::Duplicate(Duplicate::Other)) => {
                Err(Error::Conflict("A user with this e-mail already exists."))
            }
            other => Ok(other?),
        }
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<UserRecord> {
        Ok(self
            .store
            .user_credentials(email.as_str())
            .await?
            .ok_or(Error::NotFound(NO_SUCH_USER))?
            .user)
    }

    /// Gives an existing user `role` in `org` (or changes the role it has there).
    pub async fn set_member(&self, email: &Email, org: &Organization, role: Role) -> Result<UserRecord> {
        let user = self.user_by_email(email).await?;
        let audit = AuditAction::MembershipSet.event(Some(org.id), Some(user.id.to_string()), names(&["role"]));
        self.store.set_membership(user.id, org.id, role, now(), &audit).await?;
        Ok(user)
    }

    /// Takes a user out of `org`; 404 when not a member.
    pub async fn remove_member(&self, org: &Organization, user_id: i64) -> Result<()> {
        let audit = AuditAction::MembershipRemoved.event(Some(org.id), Some(user_id.to_string()), vec![]);
        if self.store.remove_membership(user_id, org.id, &audit).await? {
            Ok(())
        } else {
            Err(Error::NotFound(NO_SUCH_USER))
        }
    }

    pub async fn list_members(&self, org: &Organization) -> Result<Vec<MemberRecord>> {
        Ok(self.store.list_members(org.id).await?)
    }

    /// Sets a new password and ends every console session of the user.
    pub async fn reset_password(&self, email: &Email, password: Password) -> Result<()> {
        let user = self.user_by_email(email).await?;
        let hash = blocking(move || password.hash()).await?;
        let audit = AuditAction::PasswordReset.event(None, Some(user.id.to_string()), names(&["password"]));
        Ok(self.store.set_password(user.id, &hash, &audit).await?)
    }

    pub async fn create_user_token(
        &self,
        user: &UserRecord,
        label: Option<&str>,
    ) -> Result<(UserTokenRecord, NewApiToken)> {
        let token = new_user_token();
        let audit = AuditAction::UserTokenCreated.event(None, None, names(&["label"]));
        let record = self
            .store
            .create_user_token(user.id, label, (&token.hash, &token.display_prefix), now(), &audit)
            .await?;
        Ok((record, token))
    }

    pub async fn list_user_tokens(&self, user: &UserRecord) -> Result<Vec<UserTokenRecord>> {
        Ok(self.store.list_user_tokens(user.id).await?)
    }

    /// Revokes one of the user's own active tokens; 404 otherwise.
    pub async fn revoke_user_token(&self, user: &UserRecord, id: i64) -> Result<()> {
        let audit = AuditAction::UserTokenRevoked.event(None, Some(id.to_string()), vec![]);
        if self.store.revoke_user_token(user.id, id, now(), &audit).await? {
            Ok(())
        } else {
            Err(Error::NotFound("No active token with this id."))
        }
    }

    /// Checks an e-mail and password and opens a console session. `None` for a wrong pair,
    /// after the same argon2 work whether or not the account exists.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Option<(SessionSecret, SessionRecord)>> {
        let password = Password::parse(password).ok();
        let stored = match Email::parse(email) {
            Ok(email) => self.store.user_credentials(email.as_str()).await?,
            Err(_) => None,
        };
        let hash = stored
            .as_ref()
            .map_or_else(|| decoy_hash().to_owned(), |s| s.password_hash.clone());
        let matches = blocking(move || password.is_some_and(|p| p.verify(&hash))).await?;
        let Some(user) = stored.filter(|_| matches).map(|s| s.user) else {
            return Ok(None);
        };
        let secret = SessionSecret::generate();
        let at = now();
        let session = self
            .store
            .create_session(user.id, &secret.hash(), at, at + SESSION_TTL)
            .await?;
        Ok(Some((secret, session)))
    }

    /// The live session this cookie names, and its user.
    pub async fn session(&self, secret: &SessionSecret) -> Result<Option<(SessionRecord, UserRecord)>> {
        Ok(self.store.session_by_hash(&secret.hash(), now()).await?)
    }

    pub async fn sign_out(&self, session_id: i64) -> Result<()> {
        Ok(self.store.delete_session(session_id).await?)
    }

    /// Ends every session of the user, on every device.
    pub async fn sign_out_everywhere(&self, user_id: i64) -> Result<u64> {
        Ok(self.store.delete_user_sessions(user_id).await?)
    }

    /// On a new database (after [`Patchbay::bootstrap_demo`]): the demo user, admin of `org`,
    /// with a random password returned to print once.
    pub async fn bootstrap_demo_user(&self, org: &Organization) -> Result<(Email, Password)> {
        let email = Email::parse(DEMO_EMAIL).expect("the demo e-mail is valid");
        let password = Password::generate();
        let copy = Password::parse(password.expose()).expect("a generated password is long enough");
        self.create_user(&email, copy, org, Role::Admin).await?;
        Ok((email, password))
    }
}

fn caller_of(token_id: i64, user: UserRecord, membership: MembershipRecord) -> Caller {
    Caller {
        token_id,
        role: membership.role,
        org: std::sync::Arc::new(membership.org),
        user: Some(UserRef {
            id: user.id,
            email: user.email,
        }),
    }
}
