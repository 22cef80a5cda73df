//! The provider catalogue: which carriers Patchbay knows, and what a credential for each looks like.
//!
//! The v2 pages use one generic pair for every carrier: `account_sid` (an account identifier,
//! not secret) and `auth_token` (the secret). Carriers that need more declare extra fields here;
//! the catalogue endpoint publishes them so a client can render a form, and the create/patch
//! validation accepts exactly these fields for that provider.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// How a provider's `account_sid` is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountSidSource {
    /// The client must send it.
    Required,
    /// The client may send it; when omitted it is derived (see [`Provider::derive_account_sid`]).
    Derived,
}

/// One credential field of a provider, as published by the catalogue endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Secret fields are encrypted at rest and never returned.
    pub secret: bool,
    /// A regular expression the whole value must match, if the format is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'static str>,
    pub max_length: usize,
    pub description: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: &'static str,
    pub slug: &'static str,
    pub description: &'static str,
    pub account_sid_source: AccountSidSource,
    pub account_sid: FieldSpec,
    pub auth_token: FieldSpec,
    /// Provider-specific fields beyond the generic pair.
    pub extra_fields: Vec<FieldSpec>,
}

const MAX_VALUE: usize = 255;

fn field(
    name: &'static str,
    label: &'static str,
    required: bool,
    secret: bool,
    pattern: Option<&'static str>,
    description: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        required,
        secret,
        pattern,
        max_length: MAX_VALUE,
        description,
        default: None,
    }
}

/// Ids 1 and 2 are fixed by the published pages (twilio = 1, plivo = 2); never renumber.
pub static CATALOGUE: LazyLock<Vec<Provider>> = LazyLock::new(|| {
    vec![
        Provider {
            id: 1,
            name: "Twilio",
            slug: "twilio",
            description: "Twilio Programmable Voice and Elastic SIP Trunking.",
            account_sid_source: AccountSidSource::Required,
            account_sid: field(
                "account_sid",
                "Account SID",
                true,
                false,
                Some("^AC[0-9a-f]{32}$"),
                "Twilio Account SID: AC followed by 32 lower-case hex digits.",
            ),
            auth_token: field(
                "auth_token",
                "Auth Token",
                true,
                true,
                None,
                "Twilio Auth Token, or the API key secret when api_key_sid is set.",
            ),
            extra_fields: vec![field(
                "api_key_sid",
                "API Key SID",
                false,
                false,
                Some("^SK[0-9a-f]{32}$"),
                "Optional Twilio API Key SID (SK...); when set, auth_token holds that key's secret.",
            )],
        },
        Provider {
            id: 2,
            name: "Plivo",
            slug: "plivo",
            description: "Plivo Voice API.",
            account_sid_source: AccountSidSource::Required,
            account_sid: field(
                "account_sid",
                "Auth ID",
                true,
                false,
                Some("^(MA|SA)[A-Z0-9]{18}$"),
                "Plivo Auth ID: MA or SA followed by 18 upper-case letters or digits.",
            ),
            auth_token: field("auth_token", "Auth Token", true, true, None, "Plivo Auth Token."),
            extra_fields: vec![],
        },
        Provider {
            id: 3,
            name: "Telnyx",
            slug: "telnyx",
            description: "Telnyx Voice API. The API key is the only credential.",
            account_sid_source: AccountSidSource::Derived,
            account_sid: field(
                "account_sid",
                "Key identifier",
                false,
                false,
                Some("^[A-Za-z0-9._@+-]{1,64}$"),
                "Optional non-secret label for this key; when omitted, Patchbay derives 'telnyx-' plus 16 hex digits of the key's SHA-256, so the same key cannot be added twice.",
            ),
            auth_token: field("auth_token", "API Key", true, true, None, "Telnyx API key (v2)."),
            extra_fields: vec![],
        },
        Provider {
            id: 4,
            name: "Vonage",
            slug: "vonage",
            description: "Vonage (Nexmo) Voice API.",
            account_sid_source: AccountSidSource::Required,
            account_sid: field(
                "account_sid",
                "API Key",
                true,
                false,
                Some("^[a-z0-9]{8}$"),
                "Vonage API key: 8 lower-case letters or digits.",
            ),
            auth_token: field("auth_token", "API Secret", true, true, None, "Vonage API secret."),
            extra_fields: vec![],
        },
        Provider {
            id: 5,
            name: "Exotel",
            slug: "exotel",
            description: "Exotel Voice API.",
            account_sid_source: AccountSidSource::Required,
            account_sid: field(
                "account_sid",
                "Account SID",
                true,
                false,
                Some("^[A-Za-z0-9_-]{1,64}$"),
                "Exotel account SID.",
            ),
            auth_token: field("auth_token", "API Token", true, true, None, "Exotel API token."),
            extra_fields: vec![
                field(
                    "api_key",
                    "API Key",
                    true,
                    false,
                    Some("^[A-Za-z0-9_-]{1,128}$"),
                    "Exotel API key (the Basic-auth user name).",
                ),
                FieldSpec {
                    default: Some("api.exotel.com"),
                    ..field(
                        "subdomain",
                        "API subdomain",
                        false,
                        false,
                        Some(r"^api(\.in)?\.exotel\.com$"),
                        "Exotel API host of the account's cluster, e.g. api.exotel.com or api.in.exotel.com.",
                    )
                },
            ],
        },
        Provider {
            id: 6,
            name: "SignalWire",
            slug: "signalwire",
            description: "SignalWire Compatibility (LaML) API.",
            account_sid_source: AccountSidSource::Required,
            account_sid: field(
                "account_sid",
                "Project ID",
                true,
                false,
                Some("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
                "SignalWire Project ID (a lower-case UUID).",
            ),
            auth_token: field("auth_token", "API Token", true, true, None, "SignalWire API token."),
            extra_fields: vec![field(
                "space_url",
                "Space URL",
                true,
                false,
                Some(r"^[a-z0-9][a-z0-9-]{0,62}\.signalwire\.com$"),
                "The SignalWire space host, e.g. example.signalwire.com.",
            )],
        },
        Provider {
            id: 7,
            name: "SIP trunk",
            slug: "sip",
            description: "A generic SIP trunk. Checked syntactically only: Patchbay never probes user-supplied hosts.",
            account_sid_source: AccountSidSource::Derived,
            account_sid: field(
                "account_sid",
                "SIP username",
                false,
                false,
                Some(r"^[A-Za-z0-9._~!$&'()*+,;=%-]{1,64}$"),
                "SIP auth user name; when omitted, Patchbay uses 'host:port/transport' so the same trunk cannot be added twice.",
            ),
            auth_token: field(
                "auth_token",
                "SIP password",
                false,
                true,
                None,
                "SIP auth password, if the trunk uses digest authentication.",
            ),
            extra_fields: vec![
                field(
                    "host",
                    "Host",
                    true,
                    false,
                    Some(
                        r"^(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$",
                    ),
                    "SIP registrar or proxy host name or IP address.",
                ),
                FieldSpec {
                    default: Some("5060"),
                    ..field(
                        "port",
                        "Port",
                        false,
                        false,
                        Some(
                            "^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
                        ),
                        "SIP port, 1-65535.",
                    )
                },
                FieldSpec {
                    default: Some("udp"),
                    ..field(
                        "transport",
                        "Transport",
                        false,
                        false,
                        Some("^(udp|tcp|tls)$"),
                        "udp, tcp or tls.",
                    )
                },
            ],
        },
    ]
});

static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    CATALOGUE
        .iter()
        .flat_map(|p| std::iter::once(&p.account_sid).chain(&p.extra_fields))
        .filter_map(|f| f.pattern)
        .map(|p| (p, Regex::new(p).expect("catalogue patterns are valid")))
        .collect()
});

impl FieldSpec {
    /// Whether `value` has this field's format (length and pattern).
    pub fn accepts(&self, value: &str) -> bool {
        if value.is_empty() || value.chars().count() > self.max_length {
            return false;
        }
        match self.pattern {
            None => true,
            Some(p) => PATTERNS
                .iter()
                .find(|(src, _)| *src == p)
                .is_some_and(|(_, re)| re.is_match(value)),
        }
    }
}

impl Provider {
    pub fn all() -> &'static [Provider] {
        &CATALOGUE
    }

    pub fn by_slug(slug: &str) -> Option<&'static Provider> {
        CATALOGUE.iter().find(|p| p.slug == slug)
    }

    pub fn by_id(id: i64) -> Option<&'static Provider> {
        CATALOGUE.iter().find(|p| p.id == id)
    }

    pub fn slugs() -> Vec<&'static str> {
        CATALOGUE.iter().map(|p| p.slug).collect()
    }

    pub fn extra_field(&self, name: &str) -> Option<&FieldSpec> {
        self.extra_fields.iter().find(|f| f.name == name)
    }

    /// For providers whose account identifier is optional, the identifier used when the client
    /// sends none. `fields` are the non-secret extra fields with defaults applied.
    pub fn derive_account_sid(
        &self,
        auth_token: Option<&str>,
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Option<String> {
        use sha2::{Digest, Sha256};
        match self.slug {
            // A digest prefix identifies the key without revealing it (64 bits of a 256-bit hash).
            "telnyx" => auth_token.map(|t| format!("telnyx-{}", &hex::encode(Sha256::digest(t.as_bytes()))[..16])),
            "sip" => {
                let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or_default();
                Some(format!("{}:{}/{}", get("host"), get("port"), get("transport")))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ids_are_fixed() {
        assert_eq!(Provider::by_slug("twilio").unwrap().id, 1);
        assert_eq!(Provider::by_slug("plivo").unwrap().id, 2);
        assert_eq!(
            Provider::slugs(),
            ["twilio", "plivo", "telnyx", "vonage", "exotel", "signalwire", "sip"]
        );
    }

    #[test]
    fn every_pattern_compiles_and_is_anchored() {
        assert!(!PATTERNS.is_empty());
        for (src, _) in PATTERNS.iter() {
            assert!(src.starts_with('^') && src.ends_with('$'), "{src} must be anchored");
        }
    }

    #[test]
    fn account_sid_formats() {
        let twilio = Provider::by_slug("twilio").unwrap();
        assert!(
            twilio
                .account_sid
                .accepts(&format!("AC{}", "0123456789abcdef".repeat(2)))
        );
        assert!(
            !twilio
                .account_sid
                .accepts(&format!("AC{}", "0123456789ABCDEF".repeat(2)))
        );
        assert!(!twilio.account_sid.accepts("ACxxxxxxxxxxxxxxxx"));
        let plivo = Provider::by_slug("plivo").unwrap();
        assert!(plivo.account_sid.accepts("MAABCDEFGHIJ01234567"));
        assert!(plivo.account_sid.accepts("SAABCDEFGHIJ01234567"));
        assert!(!plivo.account_sid.accepts("MAabcdefghij01234567"));
        assert!(!plivo.account_sid.accepts("XAABCDEFGHIJ01234567"));
    }

    #[test]
    fn sip_port_bounds() {
        let port = Provider::by_slug("sip").unwrap().extra_field("port").unwrap();
        for ok in ["1", "5060", "65535"] {
            assert!(port.accepts(ok), "{ok}");
        }
        for bad in ["0", "65536", "080", "-1", "99999"] {
            assert!(!port.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn derived_ids_do_not_contain_the_secret() {
        let telnyx = Provider::by_slug("telnyx").unwrap();
        let id = telnyx
            .derive_account_sid(Some("KEYsecretvalue"), &Default::default())
            .unwrap();
        assert!(id.starts_with("telnyx-") && id.len() == 23 && !id.contains("secret"));
        assert!(telnyx.account_sid.accepts(&id));
    }
}
