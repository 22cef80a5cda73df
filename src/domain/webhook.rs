//! Webhooks: the versioned event types an endpoint subscribes to, which audited change each one
//! announces, the signing secret's format and the Standard Webhooks signature.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// An event type. The `.v1` suffix is its payload version: a changed payload shape gets a new
/// type, and endpoints keep receiving the version they subscribed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    ConfigurationCreated,
    ConfigurationUpdated,
    ConfigurationDeleted,
    ConfigurationVerificationChanged,
    NumberAdded,
    NumberImported,
    NumberReleased,
    NumberConnected,
    NumberDisconnected,
    BridgeCreated,
    BridgeUpdated,
    BridgeDeleted,
    TwilioProviderProvisioned,
    TwilioProviderUpdated,
    TwilioProviderDeprovisioned,
    TokenCreated,
    TokenRevoked,
    WebhookEndpointDisabled,
    /// Sent only by `POST …/webhooks/{id}/test/`, to that endpoint, whatever it subscribed to.
    Ping,
}

impl EventType {
    pub const ALL: [Self; 19] = [
        Self::ConfigurationCreated,
        Self::ConfigurationUpdated,
        Self::ConfigurationDeleted,
        Self::ConfigurationVerificationChanged,
        Self::NumberAdded,
        Self::NumberImported,
        Self::NumberReleased,
        Self::NumberConnected,
        Self::NumberDisconnected,
        Self::BridgeCreated,
        Self::BridgeUpdated,
        Self::BridgeDeleted,
        Self::TwilioProviderProvisioned,
        Self::TwilioProviderUpdated,
        Self::TwilioProviderDeprovisioned,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::WebhookEndpointDisabled,
        Self::Ping,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigurationCreated => "configuration.created.v1",
            Self::ConfigurationUpdated => "configuration.updated.v1",
            Self::ConfigurationDeleted => "configuration.deleted.v1",
            Self::ConfigurationVerificationChanged => "configuration.verification_status_changed.v1",
            Self::NumberAdded => "number.added.v1",
            Self::NumberImported => "number.imported.v1",
            Self::NumberReleased => "number.released.v1",
            Self::NumberConnected => "number.connected.v1",
            Self::NumberDisconnected => "number.disconnected.v1",
            Self::BridgeCreated => "bridge.created.v1",
            Self::BridgeUpdated => "bridge.updated.v1",
            Self::BridgeDeleted => "bridge.deleted.v1",
            Self::TwilioProviderProvisioned => "twilio_provider.provisioned.v1",
            Self::TwilioProviderUpdated => "twilio_provider.updated.v1",
            Self::TwilioProviderDeprovisioned => "twilio_provider.deprovisioned.v1",
            Self::TokenCreated => "token.created.v1",
            Self::TokenRevoked => "token.revoked.v1",
            Self::WebhookEndpointDisabled => "webhook_endpoint.disabled.v1",
            Self::Ping => "webhook.ping.v1",
        }
    }

    /// What the event announces (the OpenAPI document and the README list these).
    pub fn description(self) -> &'static str {
        match self {
            Self::ConfigurationCreated => "A provider configuration (v2, or a v1 SIP credential) was created.",
            Self::ConfigurationUpdated => {
                "A configuration changed (`changed_fields` names the fields; a rotated secret by name only)."
            }
            Self::ConfigurationDeleted => "A configuration was deleted (with its numbers).",
            Self::ConfigurationVerificationChanged => {
                "A verification (live, `/verify` or the background verifier) changed the status: `old_status`, `new_status`, `failing_checks`."
            }
            Self::NumberAdded => "A number was added by hand (SIP numbers).",
            Self::NumberImported => "A number was imported from a carrier account.",
            Self::NumberReleased => "A number was released (deleted).",
            Self::NumberConnected => "A number was connected to a bridge.",
            Self::NumberDisconnected => "A number was disconnected from a bridge.",
            Self::BridgeCreated => "A bridge was created.",
            Self::BridgeUpdated => "A bridge was renamed.",
            Self::BridgeDeleted => "A bridge was deleted.",
            Self::TwilioProviderProvisioned => "A v1 Twilio provider and its Elastic SIP Trunk were provisioned.",
            Self::TwilioProviderUpdated => "A v1 Twilio provider changed, or its auth token was rotated.",
            Self::TwilioProviderDeprovisioned => "A v1 Twilio provider was deleted (force-deleted included).",
            Self::TokenCreated => "An API token was created (never the token itself).",
            Self::TokenRevoked => "An API token was revoked.",
            Self::WebhookEndpointDisabled => {
                "A webhook endpoint was disabled after its deliveries kept failing for the whole retry schedule."
            }
            Self::Ping => "A test event sent by `POST /webhooks/{id}/test/`.",
        }
    }

    /// The event an audited change announces (by its audit action), if any.
    pub fn for_audit_action(action: &str) -> Option<Self> {
        Some(match action {
            "configuration.created" => Self::ConfigurationCreated,
            "configuration.updated" => Self::ConfigurationUpdated,
            "configuration.deleted" => Self::ConfigurationDeleted,
            "configuration.verification_status_changed" => Self::ConfigurationVerificationChanged,
            "phone_number.added" => Self::NumberAdded,
            "phone_number.imported" => Self::NumberImported,
            "phone_number.removed" => Self::NumberReleased,
            "bridge.number_connected" => Self::NumberConnected,
            "bridge.number_disconnected" => Self::NumberDisconnected,
            "bridge.created" => Self::BridgeCreated,
            "bridge.updated" => Self::BridgeUpdated,
            "bridge.deleted" => Self::BridgeDeleted,
            "provider.created" => Self::TwilioProviderProvisioned,
            "provider.updated" | "provider.auth_token_rotated" => Self::TwilioProviderUpdated,
            "provider.deleted" | "provider.force_deleted" => Self::TwilioProviderDeprovisioned,
            "token.created" => Self::TokenCreated,
            "token.revoked" => Self::TokenRevoked,
            "webhook_endpoint.disabled" => Self::WebhookEndpointDisabled,
            _ => return None,
        })
    }

    /// The pattern (SQL `LIKE`, `\` escapes) that finds this type in a stored JSON array of
    /// subscribed types.
    pub fn subscription_pattern(self) -> String {
        format!("%\"{}\"%", self.as_str().replace('_', "\\_"))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("Unknown event type {s:?}."))
    }
}

/// The prefix of a signing secret, as Standard Webhooks libraries expect it.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` + base64 of 32 random bytes.
pub fn new_signing_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` entry for one secret: `v1,` + base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the secret's decoded bytes. `None` for a secret that
/// is not `whsec_` + base64 (never stored: every secret is made by [`new_signing_secret`]).
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The delay before retry `n` (1 = the first retry) on a `schedule`, stretched by up to 20%
/// jitter so endpoints that failed together are not retried together. `None`: the schedule is
/// exhausted.
pub fn retry_delay(schedule: &[std::time::Duration], n: usize, jitter: f64) -> Option<std::time::Duration> {
    let base = *schedule.get(n.checked_sub(1)?)?;
    Some(base.mul_f64(1.0 + jitter.clamp(0.0, 0.2)))
}

/// A webhook target URL, syntactically: `http` or `https`, a host, no user info or fragment,
/// at most [`WebhookUrl::MAX_LEN`] characters. Which schemes and hosts may be used is the
/// SSRF rule's (see `carriers::webhooks`), which needs the settings and DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(reqwest::Url);

impl WebhookUrl {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(s: &str) -> Result<Self, String> {
        if s.len() > Self::MAX_LEN {
            return Err(format!(
                "Ensure this field has no more than {} characters.",
                Self::MAX_LEN
            ));
        }
        let url = reqwest::Url::parse(s).map_err(|_| "Enter a valid URL.".to_owned())?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err("The URL must use https.".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("The URL must name a host.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The URL may not hold user info (credentials would be stored and shown).".into());
        }
        if url.fragment().is_some() {
            return Err("The URL may not have a fragment.".into());
        }
        Ok(Self(url))
    }

    pub fn url(&self) -> &reqwest::Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

pub const DESCRIPTION_MAX: usize = 200;

/// A create body: `url`, `event_types`, optional `description`.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: WebhookUrl,
    pub description: Option<String>,
    pub event_types: Vec<EventType>,
}

/// A PATCH body: only the fields sent change (`description: null` clears it).
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<WebhookUrl>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

impl EndpointPatch {
    pub fn field_names(&self) -> Vec<String> {
        [
            ("url", self.url.is_some()),
            ("description", self.description.is_some()),
            ("event_types", self.event_types.is_some()),
            ("enabled", self.enabled.is_some()),
        ]
        .into_iter()
        .filter(|(_, sent)| *sent)
        .map(|(name, _)| name.to_owned())
        .collect()
    }
}

type FieldErrors = crate::domain::configuration::FieldErrors;

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

fn parse_url(errors: &mut FieldErrors, v: &serde_json::Value) -> Option<WebhookUrl> {
    match v.as_str().map(WebhookUrl::parse) {
        Some(Ok(url)) => Some(url),
        Some(Err(e)) => {
            push(errors, "url", e);
            None
        }
        None => {
            push(errors, "url", "Must be a string.");
            None
        }
    }
}

fn parse_description(errors: &mut FieldErrors, v: &serde_json::Value) -> Option<Option<String>> {
    match v {
        serde_json::Value::Null => Some(None),
        serde_json::Value::String(s) if s.chars().count() > DESCRIPTION_MAX => {
            push(
                errors,
                "description",
                format!("Ensure this field has no more than {DESCRIPTION_MAX} characters."),
            );
            None
        }
        serde_json::Value::String(s) if s.contains('\0') => {
            push(errors, "description", "Null characters are not allowed.");
            None
        }
        serde_json::Value::String(s) => Some(Some(s.clone())),
        _ => {
            push(errors, "description", "Must be a string or null.");
            None
        }
    }
}

/// A non-empty list of event types an endpoint can subscribe to (not the ping).
fn parse_event_types(errors: &mut FieldErrors, v: &serde_json::Value) -> Option<Vec<EventType>> {
    let Some(items) = v.as_array() else {
        push(errors, "event_types", "Must be a list of event types.");
        return None;
    };
    if items.is_empty() {
        push(errors, "event_types", "Name at least one event type.");
        return None;
    }
    let mut out = Vec::new();
    for item in items {
        match item.as_str().map(str::parse::<EventType>) {
            Some(Ok(EventType::Ping)) => push(errors, "event_types", "The ping is sent by the test action only."),
            // A type listed twice is one subscription.
            Some(Ok(t)) if !out.contains(&t) => out.push(t),
            Some(Ok(_)) => {}
            Some(Err(e)) => push(errors, "event_types", e),
            None => push(errors, "event_types", "Each event type is a string."),
        }
    }
    errors.get("event_types").is_none().then_some(out)
}

fn unknown_fields(errors: &mut FieldErrors, body: &serde_json::Map<String, serde_json::Value>, known: &[&str]) {
    for key in body.keys().filter(|k| !known.contains(&k.as_str())) {
        push(errors, key, "Unknown field.");
    }
}

pub fn parse_new_endpoint(body: &serde_json::Map<String, serde_json::Value>) -> Result<NewEndpoint, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["url", "description", "event_types"]);
    let url = match body.get("url") {
        Some(v) => parse_url(&mut errors, v),
        None => {
            push(&mut errors, "url", "This field is required.");
            None
        }
    };
    let description = body
        .get("description")
        .and_then(|v| parse_description(&mut errors, v))
        .flatten();
    let event_types = match body.get("event_types") {
        Some(v) => parse_event_types(&mut errors, v),
        None => {
            push(&mut errors, "event_types", "This field is required.");
            None
        }
    };
    match (url, event_types) {
        (Some(url), Some(event_types)) if errors.is_empty() => Ok(NewEndpoint {
            url,
            description,
            event_types,
        }),
        _ => Err(errors),
    }
}

pub fn parse_endpoint_patch(body: &serde_json::Map<String, serde_json::Value>) -> Result<EndpointPatch, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["url", "description", "event_types", "enabled"]);
    let patch = EndpointPatch {
        url: body.get("url").and_then(|v| parse_url(&mut errors, v)),
        description: body.get("description").and_then(|v| parse_description(&mut errors, v)),
        event_types: body.get("event_types").and_then(|v| parse_event_types(&mut errors, v)),
        enabled: match body.get("enabled") {
            None => None,
            Some(serde_json::Value::Bool(b)) => Some(*b),
            Some(_) => {
                push(&mut errors, "enabled", "Must be true or false.");
                None
            }
        },
    };
    if errors.is_empty() { Ok(patch) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bodies_are_parsed_with_field_errors() {
        let body = |v: serde_json::Value| v.as_object().unwrap().clone();
        let ok = parse_new_endpoint(&body(serde_json::json!({
            "url": "https://hooks.example.com/in", "event_types": ["bridge.created.v1"]
        })))
        .unwrap();
        assert_eq!(ok.event_types, [EventType::BridgeCreated]);
        let bad = parse_new_endpoint(&body(serde_json::json!({
            "url": "ftp://x", "event_types": ["nope", "webhook.ping.v1"], "extra": 1
        })))
        .unwrap_err();
        assert_eq!(bad.keys().collect::<Vec<_>>(), ["event_types", "extra", "url"]);
        assert_eq!(bad["event_types"].len(), 2);
        for url in [
            "https://u:p@h.example.com/",
            "https://h.example.com/#x",
            "not a url",
            "https://",
            "mailto:a@b.c",
        ] {
            assert!(WebhookUrl::parse(url).is_err(), "{url}");
        }
        let patch = parse_endpoint_patch(&body(serde_json::json!({"description": null, "enabled": false}))).unwrap();
        assert_eq!(patch.field_names(), ["description", "enabled"]);
        assert!(parse_endpoint_patch(&body(serde_json::json!({"enabled": "no"}))).is_err());
    }

    #[test]
    fn types_round_trip_and_audit_actions_map() {
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
            assert!(t.as_str().ends_with(".v1"));
        }
        assert_eq!(
            EventType::for_audit_action("phone_number.removed"),
            Some(EventType::NumberReleased)
        );
        assert_eq!(EventType::for_audit_action("organization.created"), None);
        assert!("configuration.created".parse::<EventType>().is_err());
    }

    /// The example of the Standard Webhooks specification (its test vector).
    #[test]
    fn signs_the_specification_example() {
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assert_eq!(sign("not-a-secret", "m", 1, b""), None);
    }

    #[test]
    fn secrets_have_the_prefix_and_32_bytes() {
        let s = new_signing_secret();
        let raw = STANDARD.decode(s.strip_prefix(SECRET_PREFIX).unwrap()).unwrap();
        assert_eq!(raw.len(), 32);
        assert_ne!(s, new_signing_secret());
    }

    #[test]
    fn retries_follow_the_schedule_with_bounded_jitter() {
        let schedule = [Duration::from_secs(1), Duration::from_secs(10)];
        assert_eq!(retry_delay(&schedule, 0, 0.0), None);
        assert_eq!(retry_delay(&schedule, 1, 0.0), Some(Duration::from_secs(1)));
        assert_eq!(retry_delay(&schedule, 2, 5.0), Some(Duration::from_secs(12)));
        assert_eq!(retry_delay(&schedule, 3, 0.0), None);
    }
}
