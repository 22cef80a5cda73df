//! The audit trail: events are built here, with typed actions, and read back.

use crate::error::Result;
use crate::service::{Caller, Patchbay, now};
use crate::storage::{AuditEvent, AuditQuery, AuditRecord, Organization};

/// Every change Patchbay audits, with the stored action name and the resource type it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    OrganizationCreated,
    TokenCreated,
    TokenRevoked,
    ConfigurationCreated,
    ConfigurationUpdated,
    ConfigurationDeleted,
    ProviderCreated,
    ProviderUpdated,
    ProviderAuthTokenRotated,
    ProviderDeleted,
    /// Deleted with `?force=true` while Twilio could not be cleaned up: its fields list what
    /// was left in the Twilio account.
    ProviderForceDeleted,
    PhoneNumberImported,
    PhoneNumberAdded,
    PhoneNumberRemoved,
    AgentLinked,
    AgentUnlinked,
    BridgeCreated,
    BridgeUpdated,
    BridgeDeleted,
    BridgeNumberConnected,
    BridgeNumberDisconnected,
    UserCreated,
    MembershipSet,
    MembershipRemoved,
    PasswordReset,
    UserTokenCreated,
    UserTokenRevoked,
    /// A verification changed the status (not audited before webhooks: the platform is told).
    VerificationStatusChanged,
    WebhookEndpointCreated,
    WebhookEndpointUpdated,
    WebhookEndpointSecretRotated,
    WebhookEndpointDeleted,
    /// Its deliveries failed for the whole retry schedule (by the delivery worker).
    WebhookEndpointDisabled,
    ServiceTokenCreated,
    ServiceTokenRevoked,
    /// A trunk's password left in an outbound route answer (fields: the call's `to`/`from`).
    RouteSecretReleased,
}

impl AuditAction {
    /// The action as stored and listed (`configuration.created`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationCreated => "organization.created",
            Self::TokenCreated => "token.created",
            Self::TokenRevoked => "token.revoked",
            Self::ConfigurationCreated => "configuration.created",
            Self::ConfigurationUpdated => "configuration.updated",
            Self::ConfigurationDeleted => "configuration.deleted",
            Self::ProviderCreated => "provider.created",
            Self::ProviderUpdated => "provider.updated",
            Self::ProviderAuthTokenRotated => "provider.auth_token_rotated",
            Self::ProviderDeleted => "provider.deleted",
            Self::ProviderForceDeleted => "provider.force_deleted",
            Self::PhoneNumberImported => "phone_number.imported",
            Self::PhoneNumberAdded => "phone_number.added",
            Self::PhoneNumberRemoved => "phone_number.removed",
            Self::AgentLinked => "phone_number.agent_linked",
            Self::AgentUnlinked => "phone_number.agent_unlinked",
            Self::BridgeCreated => "bridge.created",
            Self::BridgeUpdated => "bridge.updated",
            Self::BridgeDeleted => "bridge.deleted",
            Self::BridgeNumberConnected => "bridge.number_connected",
            Self::BridgeNumberDisconnected => "bridge.number_disconnected",
            Self::UserCreated => "user.created",
            Self::MembershipSet => "membership.set",
            Self::MembershipRemoved => "membership.removed",
            Self::PasswordReset => "user.password_reset",
            Self::UserTokenCreated => "user_token.created",
            Self::UserTokenRevoked => "user_token.revoked",
            Self::VerificationStatusChanged => "configuration.verification_status_changed",
            Self::WebhookEndpointCreated => "webhook_endpoint.created",
            Self::WebhookEndpointUpdated => "webhook_endpoint.updated",
            Self::WebhookEndpointSecretRotated => "webhook_endpoint.secret_rotated",
            Self::WebhookEndpointDeleted => "webhook_endpoint.deleted",
            Self::WebhookEndpointDisabled => "webhook_endpoint.disabled",
            Self::ServiceTokenCreated => "service_token.created",
            Self::ServiceTokenRevoked => "service_token.revoked",
            Self::RouteSecretReleased => "route.secret_released",
        }
    }

    pub fn resource_type(self) -> &'static str {
        match self {
            Self::OrganizationCreated => "organization",
            Self::TokenCreated | Self::TokenRevoked => "api_token",
            Self::ConfigurationCreated
            | Self::ConfigurationUpdated
            | Self::ConfigurationDeleted
            | Self::VerificationStatusChanged => "configuration",
            Self::WebhookEndpointCreated
            | Self::WebhookEndpointUpdated
            | Self::WebhookEndpointSecretRotated
            | Self::WebhookEndpointDeleted
            | Self::WebhookEndpointDisabled => "webhook_endpoint",
            Self::ProviderCreated
            | Self::ProviderUpdated
            | Self::ProviderAuthTokenRotated
            | Self::ProviderDeleted
            | Self::ProviderForceDeleted => "twilio_provider",
            Self::PhoneNumberImported
            | Self::PhoneNumberAdded
            | Self::PhoneNumberRemoved
            | Self::AgentLinked
            | Self::AgentUnlinked => "phone_number",
            Self::BridgeCreated
            | Self::BridgeUpdated
            | Self::BridgeDeleted
            | Self::BridgeNumberConnected
            | Self::BridgeNumberDisconnected => "bridge",
            Self::UserCreated | Self::PasswordReset => "user",
            Self::MembershipSet | Self::MembershipRemoved => "membership",
            Self::UserTokenCreated | Self::UserTokenRevoked => "user_token",
            Self::ServiceTokenCreated | Self::ServiceTokenRevoked => "service_token",
            Self::RouteSecretReleased => "configuration",
        }
    }

    /// This change, made now by the current caller, on `resource_id` of `org_id`.
    pub fn event(self, org_id: Option<i64>, resource_id: Option<String>, fields: Vec<String>) -> AuditEvent {
        audit(org_id, self.as_str(), self.resource_type(), resource_id, fields)
    }
}

/// An audit event for a change made now by the current caller (`cli` outside a request). Inside
/// Patchbay use [`AuditAction::event`]; this raw form stays for tests that forge events.
pub fn audit(
    org_id: Option<i64>,
    action: &'static str,
    resource_type: &'static str,
    resource_id: Option<String>,
    fields: Vec<String>,
) -> AuditEvent {
    // A person (personal token, console session) is named by e-mail; their token ids are not
    // organization tokens' ids, so `actor_token_id` stays empty for them.
    let user = crate::telemetry::current_user();
    let token = crate::telemetry::current_token_id().filter(|_| user.is_none());
    let actor = match (user, token) {
        (Some(email), _) => format!("user:{email}"),
        (None, Some(t)) => format!("token:{t}"),
        (None, None) => "cli".to_owned(),
    };
    AuditEvent {
        org_id,
        actor_token_id: token,
        actor,
        action,
        resource_type,
        resource_id,
        fields,
        request_id: crate::telemetry::current_request_id(),
        at: now(),
        data: None,
    }
}

impl Patchbay {
    /// A page of the caller's organization's audit events (newest first) and the total.
    pub async fn list_audit_events(&self, caller: &Caller, query: AuditQuery<'_>) -> Result<(Vec<AuditRecord>, i64)> {
        self.audit_events(&caller.org, query).await
    }

    /// [`Self::list_audit_events`] for an organization named outside a request (`audit tail`).
    pub async fn audit_events(&self, org: &Organization, query: AuditQuery<'_>) -> Result<(Vec<AuditRecord>, i64)> {
        Ok(self.store.list_audit_events(org.id, query).await?)
    }
}
