//! Parsing of v2 create and patch bodies into validated values ("parse, don't validate").
//!
//! Bodies are read as JSON objects and checked field by field, so one answer can name every
//! bad field at once (unknown keys, wrong types, formats), which a derive with
//! `deny_unknown_fields` cannot do: it stops at the first problem.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::catalogue::{AccountSidSource, FieldSpec, Provider};

/// Field name → messages, rendered as the `errors` object of a 400 answer.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

pub const NAME_MAX: usize = 100;

/// The secret fields of a configuration (`auth_token` and any secret extra field).
/// Encrypted as one bundle at rest; `Debug` never shows a value.
#[derive(Clone, Default)]
pub struct SecretFields(BTreeMap<String, SecretString>);

impl SecretFields {
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.0.get(name)
    }

    pub fn set(&mut self, name: &str, value: SecretString) {
        self.0.insert(name.to_owned(), value);
    }

    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &SecretString)> {
        self.0.iter()
    }

    /// The plaintext to encrypt: a JSON object of name → value.
    pub fn to_plaintext(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let map: BTreeMap<&str, &str> = self.0.iter().map(|(k, v)| (k.as_str(), v.expose_secret())).collect();
        zeroize::Zeroizing::new(serde_json::to_vec(&map).expect("a map of strings serializes"))
    }

    pub fn from_plaintext(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let map: BTreeMap<String, String> = serde_json::from_slice(bytes)?;
        Ok(Self(map.into_iter().map(|(k, v)| (k, SecretString::from(v))).collect()))
    }

    /// The one field `name` of a plaintext bundle, without building the map: every other value
    /// is skipped unread, and the wanted one is moved, not copied, into its [`SecretString`].
    pub fn field_from_plaintext(bytes: &[u8], name: &str) -> Result<Option<SecretString>, serde_json::Error> {
        use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

        struct Field<'n>(&'n str);

        impl<'de> DeserializeSeed<'de> for Field<'_> {
            type Value = Option<SecretString>;

            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_map(self)
            }
        }

        impl<'de> Visitor<'de> for Field<'_> {
            type Value = Option<SecretString>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object of strings")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                // Keys are field names, not secrets: borrowed where they have no escapes.
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    // The last of duplicates wins, as in `from_plaintext`'s map.
                    if key == self.0 {
                        found = Some(SecretString::from(map.next_value::<String>()?));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }

        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let value = Field(name).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }
}

impl fmt::Debug for SecretFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.keys().map(|k| (k, "[REDACTED]"))).finish()
    }
}

/// A validated create request.
#[derive(Debug)]
pub struct NewConfiguration {
    pub provider: &'static Provider,
    pub account_sid: String,
    pub name: Option<String>,
    /// Non-secret extra fields, defaults applied.
    pub settings: BTreeMap<String, String>,
    pub secrets: SecretFields,
}

/// A validated partial update. `None` = not sent.
#[derive(Debug, Default)]
pub struct ConfigurationPatch {
    pub account_sid: Option<String>,
    pub name: Option<Option<String>>,
    /// `Some(None)` clears an optional field (back to its default, if any).
    pub settings: BTreeMap<String, Option<String>>,
    pub secrets: BTreeMap<String, Option<SecretString>>,
}

impl ConfigurationPatch {
    /// Whether the update touches anything a carrier checks (then it is verified again).
    pub fn changes_credentials(&self) -> bool {
        self.account_sid.is_some() || !self.secrets.is_empty() || !self.settings.is_empty()
    }

    /// Names of the fields this patch changes, for audit and logs (never values).
    pub fn field_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        if self.account_sid.is_some() {
            names.push("account_sid".into());
        }
        if self.name.is_some() {
            names.push("name".into());
        }
        names.extend(self.settings.keys().cloned());
        names.extend(self.secrets.keys().cloned());
        names
    }
}

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

/// Resolves the `provider` value of a create body: a slug, or the catalogue's numeric id
/// (as a JSON number or a string of digits).
pub fn resolve_provider(value: &Value) -> Result<&'static Provider, String> {
    let found = match value {
        Value::String(s) => match s.parse::<i64>() {
            Ok(id) => Provider::by_id(id),
            Err(_) => Provider::by_slug(s),
        },
        Value::Number(n) => n.as_i64().and_then(Provider::by_id),
        _ => return Err("Must be a provider slug or id.".into()),
    };
    found.ok_or_else(|| format!("Unknown provider. Valid providers: {}.", Provider::slugs().join(", ")))
}

/// Checks a string value against a field spec. Secrets are never echoed in messages.
fn parse_string(errors: &mut FieldErrors, spec: &FieldSpec, value: &Value) -> Option<String> {
    let Value::String(s) = value else {
        push(errors, spec.name, "Must be a string.");
        return None;
    };
    if s.trim().is_empty() {
        push(errors, spec.name, "May not be blank.");
    } else if s.chars().count() > spec.max_length {
        push(
            errors,
            spec.name,
            format!("Ensure this field has no more than {} characters.", spec.max_length),
        );
    } else if s.chars().any(char::is_control) {
        push(errors, spec.name, "May not contain control characters.");
    } else if !spec.accepts(s) {
        push(
            errors,
            spec.name,
            format!("Invalid format for {}: {}", spec.label, spec.description),
        );
    } else {
        return Some(s.clone());
    }
    None
}

fn parse_name(errors: &mut FieldErrors, value: &Value) -> Option<Option<String>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => {
            push(errors, "name", "May not be blank.");
            None
        }
        Value::String(s) if s.chars().count() > NAME_MAX => {
            push(
                errors,
                "name",
                format!("Ensure this field has no more than {NAME_MAX} characters."),
            );
            None
        }
        Value::String(s) if s.chars().any(char::is_control) => {
            push(errors, "name", "May not contain control characters.");
            None
        }
        Value::String(s) => Some(Some(s.clone())),
        _ => {
            push(errors, "name", "Must be a string or null.");
            None
        }
    }
}

fn check_unknown(errors: &mut FieldErrors, provider: &Provider, body: &Map<String, Value>) {
    for key in body.keys() {
        let known = matches!(key.as_str(), "provider" | "name" | "account_sid" | "auth_token")
            || provider.extra_field(key).is_some();
        if !known {
            push(errors, key, "Unknown field.");
        }
    }
}

/// Parses a v2 create body.
pub fn parse_new(body: &Map<String, Value>) -> Result<NewConfiguration, FieldErrors> {
    let mut errors = FieldErrors::new();
    let provider = match body.get("provider") {
        None | Some(Value::Null) => {
            push(&mut errors, "provider", "This field is required.");
            None
        }
        Some(v) => resolve_provider(v).map_err(|m| push(&mut errors, "provider", m)).ok(),
    };
    let Some(provider) = provider else {
        // Without a provider the other fields cannot be judged; report what we can.
        return Err(errors);
    };
    check_unknown(&mut errors, provider, body);

    let name = body.get("name").and_then(|v| parse_name(&mut errors, v)).flatten();

    let mut secrets = SecretFields::default();
    let mut settings = BTreeMap::new();
    for spec in std::iter::once(&provider.auth_token).chain(&provider.extra_fields) {
        match body.get(spec.name) {
            None | Some(Value::Null) => {
                if let Some(default) = spec.default {
                    settings.insert(spec.name.to_owned(), default.to_owned());
                } else if spec.required {
                    push(&mut errors, spec.name, "This field is required.");
                }
            }
            Some(v) => {
                if let Some(s) = parse_string(&mut errors, spec, v) {
                    if spec.secret {
                        secrets.set(spec.name, SecretString::from(s));
                    } else {
                        settings.insert(spec.name.to_owned(), s);
                    }
                }
            }
        }
    }

    let account_sid = match body.get("account_sid") {
        None | Some(Value::Null) if provider.account_sid_source == AccountSidSource::Derived => {
            let token = secrets.get("auth_token").map(|t| t.expose_secret().to_owned());
            provider.derive_account_sid(token.as_deref(), &settings)
        }
        None | Some(Value::Null) => {
            push(&mut errors, "account_sid", "This field is required.");
            None
        }
        Some(v) => parse_string(&mut errors, &provider.account_sid, v),
    };

    match account_sid {
        Some(account_sid) if errors.is_empty() => Ok(NewConfiguration {
            provider,
            account_sid,
            name,
            settings,
            secrets,
        }),
        _ => Err(errors),
    }
}

/// Parses a v2 patch body for a configuration of `provider`.
pub fn parse_patch(provider: &Provider, body: &Map<String, Value>) -> Result<ConfigurationPatch, FieldErrors> {
    let mut errors = FieldErrors::new();
    check_unknown(&mut errors, provider, body);
    let mut patch = ConfigurationPatch::default();

    if let Some(v) = body.get("provider") {
        match resolve_provider(v) {
            Ok(p) if p.slug == provider.slug => {}
            _ => push(
                &mut errors,
                "provider",
                "The provider of a configuration cannot be changed; create a new configuration instead.",
            ),
        }
    }
    if let Some(v) = body.get("name") {
        patch.name = parse_name(&mut errors, v);
    }
    if let Some(v) = body.get("account_sid") {
        match v {
            Value::Null => push(&mut errors, "account_sid", "May not be null."),
            v => patch.account_sid = parse_string(&mut errors, &provider.account_sid, v),
        }
    }
    for spec in std::iter::once(&provider.auth_token).chain(&provider.extra_fields) {
        let Some(v) = body.get(spec.name) else { continue };
        let parsed = match v {
            Value::Null if spec.required && spec.default.is_none() => {
                push(&mut errors, spec.name, "May not be null.");
                continue;
            }
            Value::Null => None,
            v => match parse_string(&mut errors, spec, v) {
                Some(s) => Some(s),
                None => continue,
            },
        };
        if spec.secret {
            patch
                .secrets
                .insert(spec.name.to_owned(), parsed.map(SecretString::from));
        } else {
            patch.settings.insert(spec.name.to_owned(), parsed);
        }
    }
    if errors.is_empty() { Ok(patch) } else { Err(errors) }
}

/// Applies a patch's extra-field changes to the stored values, restoring defaults on `null`.
pub fn apply_settings(provider: &Provider, settings: &mut BTreeMap<String, String>, patch: &ConfigurationPatch) {
    for (name, value) in &patch.settings {
        match (value, provider.extra_field(name).and_then(|f| f.default)) {
            (Some(v), _) => settings.insert(name.clone(), v.clone()),
            (None, Some(default)) => settings.insert(name.clone(), default.to_owned()),
            (None, None) => settings.remove(name),
        };
    }
}

/// Applies a patch's secret changes to the decrypted secrets.
pub fn apply_secrets(secrets: &mut SecretFields, patch: &ConfigurationPatch) {
    for (name, value) in &patch.secrets {
        match value {
            Some(v) => secrets.set(name, v.clone()),
            None => secrets.remove(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    const SID: &str = "AC0123456789abcdef0123456789abcdef";

    proptest! {
        #[test]
        fn one_field_reads_as_the_whole_bundle_does(
            fields in proptest::collection::btree_map("[a-z_\"\\\\é]{1,8}", "\\PC{0,12}", 0..5),
            probe in "[a-z_]{1,8}",
        ) {
            let mut bundle = SecretFields::default();
            for (name, value) in &fields {
                bundle.set(name, SecretString::from(value.clone()));
            }
            let plaintext = bundle.to_plaintext();
            let whole = SecretFields::from_plaintext(&plaintext).unwrap();
            for name in fields.keys().map(String::as_str).chain([probe.as_str()]) {
                let one = SecretFields::field_from_plaintext(&plaintext, name).unwrap();
                prop_assert_eq!(
                    one.as_ref().map(|s| s.expose_secret()),
                    whole.get(name).map(|s| s.expose_secret())
                );
            }
        }
    }

    #[test]
    fn one_field_refuses_what_is_not_a_map_of_strings() {
        for bad in [&b"[]"[..], b"{\"a\":1}", b"{\"a\":\"x\"} trailing", b"{\"a\":", b""] {
            assert!(
                SecretFields::field_from_plaintext(bad, "a").is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        // Other fields are skipped unread, whatever they hold (the bundle is authenticated: only
        // Patchbay wrote it).
        assert!(SecretFields::field_from_plaintext(b"{\"a\":\"x\",\"b\":[1]}", "a").is_ok());
    }

    #[test]
    fn parses_the_seed_create_body_with_a_real_sid() {
        let new = parse_new(&obj(
            json!({"provider": "twilio", "account_sid": SID, "auth_token": "your_auth_token"}),
        ))
        .unwrap();
        assert_eq!(new.provider.slug, "twilio");
        assert_eq!(new.account_sid, SID);
        assert_eq!(
            new.secrets.get("auth_token").unwrap().expose_secret(),
            "your_auth_token"
        );
        assert!(!format!("{new:?}").contains("your_auth_token"));
    }

    #[test]
    fn provider_by_numeric_id() {
        for p in [json!(2), json!("2")] {
            let new = parse_new(&obj(
                json!({"provider": p, "account_sid": "MAABCDEFGHIJ01234567", "auth_token": "x"}),
            ))
            .unwrap();
            assert_eq!(new.provider.slug, "plivo");
        }
    }

    #[test]
    fn names_every_bad_field() {
        let errors = parse_new(&obj(
            json!({"provider": "twilio", "account_sid": "ACxxxxxxxxxxxxxxxx", "auth_tokn": "x", "name": 5}),
        ))
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["account_sid", "auth_token", "auth_tokn", "name"]
        );
    }

    #[test]
    fn unknown_provider_lists_the_valid_slugs() {
        let errors = parse_new(&obj(json!({"provider": "twillio"}))).unwrap_err();
        assert!(errors["provider"][0].contains("twilio, plivo, telnyx, vonage, exotel, signalwire, sip"));
    }

    #[test]
    fn secret_values_are_never_echoed() {
        let long = "s".repeat(300);
        let errors = parse_new(&obj(
            json!({"provider": "twilio", "account_sid": SID, "auth_token": long}),
        ))
        .unwrap_err();
        assert!(!format!("{errors:?}").contains(&long));
    }

    #[test]
    fn derived_account_sids() {
        let sip = parse_new(&obj(json!({"provider": "sip", "host": "sip.example.com"}))).unwrap();
        assert_eq!(sip.account_sid, "sip.example.com:5060/udp");
        assert_eq!(sip.settings["transport"], "udp");
        let telnyx = parse_new(&obj(json!({"provider": "telnyx", "auth_token": "KEY123"}))).unwrap();
        assert!(telnyx.account_sid.starts_with("telnyx-"));
    }

    #[test]
    fn provider_specific_fields_only() {
        let errors = parse_new(&obj(
            json!({"provider": "twilio", "account_sid": SID, "auth_token": "t", "space_url": "x.signalwire.com"}),
        ))
        .unwrap_err();
        assert_eq!(errors["space_url"], ["Unknown field."]);
        let errors = parse_new(&obj(json!({"provider": "signalwire", "account_sid": "0d3c4e5f-0000-4000-8000-000000000001", "auth_token": "PT1"}))).unwrap_err();
        assert_eq!(errors["space_url"], ["This field is required."]);
    }

    #[test]
    fn patch_rejects_provider_change_and_null_token() {
        let twilio = Provider::by_slug("twilio").unwrap();
        let errors = parse_patch(twilio, &obj(json!({"provider": "plivo", "auth_token": null}))).unwrap_err();
        assert!(errors.contains_key("provider") && errors.contains_key("auth_token"));
        let patch = parse_patch(twilio, &obj(json!({"provider": "twilio", "auth_token": "new"}))).unwrap();
        assert!(patch.changes_credentials());
        assert_eq!(patch.field_names(), ["auth_token"]);
    }

    /// Values a field accepts, drawn from its own pattern (any visible ASCII where it has none)
    /// within its length limit.
    fn valid_value(spec: &FieldSpec) -> BoxedStrategy<String> {
        let max = spec.max_length;
        match spec.pattern {
            Some(pattern) => {
                let bare = pattern.trim_start_matches('^').trim_end_matches('$');
                proptest::string::string_regex(bare)
                    .unwrap()
                    .prop_filter("within the length limit", move |v| v.chars().count() <= max)
                    .boxed()
            }
            None => "[!-~]{1,40}".boxed(),
        }
    }

    /// A create body for a real provider of the catalogue, with every required field drawn from
    /// its own format, and which field (if any) was then spoiled.
    fn real_create_body() -> impl Strategy<Value = (&'static Provider, Map<String, Value>, Option<&'static str>)> {
        proptest::sample::select(Provider::all().iter().collect::<Vec<_>>()).prop_flat_map(|provider| {
            let specs: Vec<&'static FieldSpec> = [&provider.account_sid, &provider.auth_token]
                .into_iter()
                .chain(
                    provider
                        .extra_fields
                        .iter()
                        .filter(|f| f.required && f.default.is_none()),
                )
                .collect();
            let values: Vec<BoxedStrategy<String>> = specs.iter().map(|s| valid_value(s)).collect();
            let spoil = proptest::option::of(proptest::sample::select(vec!["account_sid", "auth_token"]));
            (Just(provider), values, spoil).prop_map(move |(provider, values, spoil)| {
                let mut body = Map::new();
                body.insert("provider".into(), json!(provider.slug));
                for (spec, value) in specs.iter().zip(values) {
                    let value = match spoil {
                        // No account pattern allows a space; 256 characters exceed every limit.
                        Some("account_sid") if spec.name == "account_sid" => format!("{value} {value}"),
                        Some("auth_token") if spec.name == "auth_token" => "t".repeat(256),
                        _ => value,
                    };
                    body.insert(spec.name.into(), json!(value));
                }
                (provider, body, spoil)
            })
        })
    }

    proptest! {
        // Every case reaches a real provider's rules: a body of valid values parses to that
        // provider with that account, and one spoiled value is named (and not echoed).
        #[test]
        fn real_provider_bodies_parse_or_name_the_spoiled_field((provider, body, spoiled) in real_create_body()) {
            match (parse_new(&body), spoiled) {
                (Ok(new), None) => {
                    prop_assert_eq!(new.provider.slug, provider.slug);
                    prop_assert_eq!(Some(new.account_sid.as_str()), body["account_sid"].as_str());
                }
                (Err(errors), Some(field)) => {
                    prop_assert_eq!(errors.keys().collect::<Vec<_>>(), vec![field], "{:?}", body);
                    if field == "auth_token" {
                        let shown = format!("{errors:?}");
                        prop_assert!(!shown.contains(body[field].as_str().unwrap()));
                    }
                }
                (Ok(_), Some(field)) => prop_assert!(false, "spoiled {field} accepted: {body:?}"),
                (Err(errors), None) => prop_assert!(false, "valid {} body refused: {errors:?} {body:?}", provider.slug),
            }
        }

        // Whatever a client sends, parsing answers Ok or named field errors; it never panics,
        // and a rejected value is never echoed back.
        #[test]
        fn parse_never_panics(provider in "[a-z0-9]{0,12}", sid in "\\PC{0,80}", token in "\\PC{0,300}", extra in "[a-z_]{1,12}") {
            let body = obj(json!({"provider": provider, "account_sid": sid, "auth_token": token, extra: "v"}));
            if let Err(errors) = parse_new(&body) {
                prop_assert!(!errors.is_empty());
                if token.len() > 8 {
                    let shown = format!("{:?}", errors);
                    prop_assert!(!shown.contains(&token));
                }
            }
            let _ = parse_patch(Provider::by_slug("twilio").unwrap(), &body);
        }

        #[test]
        fn twilio_sid_accepts_exactly_ac_and_32_lower_hex(s in "AC[0-9a-fA-Fx]{30,34}") {
            let ok = s.len() == 34 && s[2..].chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
            prop_assert_eq!(Provider::by_slug("twilio").unwrap().account_sid.accepts(&s), ok);
        }
    }
}
