//! Bridges and the numbers on them: slugs, states, and the v2 request bodies of the bridges
//! and numbers endpoints, parsed field by field so one answer names every bad field.

use std::fmt;

use serde_json::{Map, Value};

use super::configuration::{FieldErrors, NAME_MAX};
use super::phone::E164;

/// The longest slug accepted (Django's `SlugField` default is 50; 100 leaves room).
pub const SLUG_MAX: usize = 100;

/// How many numbers one import request may name.
pub const IMPORT_MAX: usize = 1000;

/// A bridge's URL-friendly identifier: ASCII letters, digits, `-` and `_` (Django's slug
/// alphabet), starting with a letter or digit, at most [`SLUG_MAX`] characters. Compared as
/// given: `Sales` and `sales` are two slugs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BridgeSlug(String);

impl BridgeSlug {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Err("May not be blank.".into());
        }
        if s.chars().count() > SLUG_MAX {
            return Err(format!("Ensure this field has no more than {SLUG_MAX} characters."));
        }
        let ok_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !s.bytes().all(ok_char) || !s.as_bytes()[0].is_ascii_alphanumeric() {
            return Err(
                "Enter a valid slug: letters, numbers, hyphens or underscores, starting with a letter or number."
                    .into(),
            );
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BridgeSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BridgeSlug {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// Where a bridge is in its lifecycle (the overview page's `Create Bridge (DRAFT) → Connect
/// Provider → … → ACTIVE`): a draft has no provider and no number; connecting a provider's
/// number makes it active; disconnecting its last number makes it a draft again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeState {
    Draft,
    Active,
}

impl BridgeState {
    pub fn of(number_count: usize) -> Self {
        if number_count == 0 { Self::Draft } else { Self::Active }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Active => "ACTIVE",
        }
    }
}

/// Whether a number can carry calls: `active` when it is on a bridge and its configuration's
/// credentials have not failed verification; `inactive` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStatus {
    Active,
    Inactive,
}

impl NumberStatus {
    pub fn of(on_bridge: bool, credentials_failed: bool) -> Self {
        if on_bridge && !credentials_failed {
            Self::Active
        } else {
            Self::Inactive
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

/// The state of a number on a bridge (get-bridge-by-slug's `state`): every listed number is
/// assigned; `UNASSIGNED` is never listed, as a disconnected number leaves the bridge.
pub const ASSIGNED: &str = "ASSIGNED";

/// A validated create-bridge body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBridge {
    pub name: String,
    pub slug: BridgeSlug,
}

fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

fn unknown_fields(errors: &mut FieldErrors, body: &Map<String, Value>, known: &[&str]) {
    for key in body.keys().filter(|k| !known.contains(&k.as_str())) {
        push(errors, key, "Unknown field.");
    }
}

fn name(errors: &mut FieldErrors, value: Option<&Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => push(errors, "name", "This field is required."),
        Some(Value::String(s)) if s.trim().is_empty() => push(errors, "name", "May not be blank."),
        Some(Value::String(s)) if s.chars().count() > NAME_MAX => push(
            errors,
            "name",
            format!("Ensure this field has no more than {NAME_MAX} characters."),
        ),
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            push(errors, "name", "May not contain control characters.")
        }
        Some(Value::String(s)) => return Some(s.clone()),
        Some(_) => push(errors, "name", "Must be a string."),
    }
    None
}

fn slug(errors: &mut FieldErrors, value: Option<&Value>) -> Option<BridgeSlug> {
    match value {
        None | Some(Value::Null) => push(errors, "slug", "This field is required."),
        Some(Value::String(s)) => match BridgeSlug::parse(s) {
            Ok(slug) => return Some(slug),
            Err(e) => push(errors, "slug", e),
        },
        Some(_) => push(errors, "slug", "Must be a string."),
    }
    None
}

fn phone_number(errors: &mut FieldErrors, field: &str, value: Option<&Value>) -> Option<E164> {
    match value {
        None | Some(Value::Null) => push(errors, field, "This field is required."),
        Some(Value::String(s)) => match E164::parse(s) {
            Ok(n) => return Some(n),
            Err(e) => push(errors, field, format!("Enter a phone number in E.164 format: {e}.")),
        },
        Some(_) => push(errors, field, "Must be a string."),
    }
    None
}

/// A configuration id: a positive integer, or a string of digits (as the configuration
/// endpoints accept ids in paths).
fn config_id(errors: &mut FieldErrors, value: Option<&Value>) -> Option<i64> {
    let id = match value {
        None | Some(Value::Null) => {
            push(errors, "provider_config_id", "This field is required.");
            return None;
        }
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        Some(_) => None,
    };
    match id.filter(|id| *id > 0) {
        Some(id) => Some(id),
        None => {
            push(errors, "provider_config_id", "A valid integer is required.");
            None
        }
    }
}

/// `POST bridges/`: `{name, slug}`.
pub fn parse_new_bridge(body: &Map<String, Value>) -> Result<NewBridge, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["name", "slug"]);
    let name = name(&mut errors, body.get("name"));
    let slug = slug(&mut errors, body.get("slug"));
    match (name, slug) {
        (Some(name), Some(slug)) if errors.is_empty() => Ok(NewBridge { name, slug }),
        _ => Err(errors),
    }
}

/// `PATCH bridges/{slug}/`: only `name` changes. The slug may be sent unchanged (clients that
/// send back what they read); another slug is refused, as a slug never changes.
pub fn parse_bridge_patch(current: &str, body: &Map<String, Value>) -> Result<Option<String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["name", "slug"]);
    if let Some(v) = body.get("slug")
        && v.as_str() != Some(current)
    {
        push(
            &mut errors,
            "slug",
            "The slug of a bridge cannot be changed; create a new bridge instead.",
        );
    }
    let name = body.get("name").and_then(|v| name(&mut errors, Some(v)));
    if errors.is_empty() { Ok(name) } else { Err(errors) }
}

/// `POST bridges/{slug}/connect-provider/`: `{provider_config_id, phone_number}`.
pub fn parse_connect(body: &Map<String, Value>) -> Result<(i64, E164), FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["provider_config_id", "phone_number"]);
    let id = config_id(&mut errors, body.get("provider_config_id"));
    let number = phone_number(&mut errors, "phone_number", body.get("phone_number"));
    match (id, number) {
        (Some(id), Some(number)) if errors.is_empty() => Ok((id, number)),
        _ => Err(errors),
    }
}

/// `POST bridges/{slug}/disconnect-provider/`: `{phone_number}`.
pub fn parse_disconnect(body: &Map<String, Value>) -> Result<E164, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["phone_number"]);
    let number = phone_number(&mut errors, "phone_number", body.get("phone_number"));
    match number {
        Some(number) if errors.is_empty() => Ok(number),
        _ => Err(errors),
    }
}

/// `POST numbers/`: `{provider_config_id, number}`.
pub fn parse_new_number(body: &Map<String, Value>) -> Result<(i64, E164), FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["provider_config_id", "number"]);
    let id = config_id(&mut errors, body.get("provider_config_id"));
    let number = phone_number(&mut errors, "number", body.get("number"));
    match (id, number) {
        (Some(id), Some(number)) if errors.is_empty() => Ok((id, number)),
        _ => Err(errors),
    }
}

/// `POST providers-configurations/{id}/import-numbers/`: `{"numbers": ["+E164", …]}`. The
/// list's shape is checked here; each entry is judged on its own (a malformed one is reported
/// as that number's failure, as the v1 import does).
pub fn parse_import(body: &Map<String, Value>) -> Result<Vec<String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    unknown_fields(&mut errors, body, &["numbers"]);
    let numbers = match body.get("numbers") {
        None | Some(Value::Null) => {
            push(&mut errors, "numbers", "This field is required.");
            None
        }
        Some(Value::Array(items)) if items.is_empty() => {
            push(&mut errors, "numbers", "Send at least one number.");
            None
        }
        Some(Value::Array(items)) if items.len() > IMPORT_MAX => {
            push(
                &mut errors,
                "numbers",
                format!("Send at most {IMPORT_MAX} numbers per request."),
            );
            None
        }
        Some(Value::Array(items)) => match items.iter().map(|v| v.as_str().map(str::to_owned)).collect() {
            Some(list) => Some(list),
            None => {
                push(&mut errors, "numbers", "Must be a list of strings.");
                None
            }
        },
        Some(_) => {
            push(&mut errors, "numbers", "Must be a list of strings.");
            None
        }
    };
    match numbers {
        Some(list) if errors.is_empty() => Ok(list),
        _ => Err(errors),
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

    #[test]
    fn slugs() {
        for ok in ["sales-bridge-001", "a", "Sales_2", &"x".repeat(SLUG_MAX)] {
            assert_eq!(BridgeSlug::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "-lead",
            "_lead",
            "has space",
            "ümlaut",
            "a/b",
            "a.b",
            &"x".repeat(SLUG_MAX + 1),
        ] {
            assert!(BridgeSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_pages_bodies_parse() {
        let new = parse_new_bridge(&obj(json!({"name": "Sales Bridge", "slug": "sales-bridge-001"}))).unwrap();
        assert_eq!(
            (new.name.as_str(), new.slug.as_str()),
            ("Sales Bridge", "sales-bridge-001")
        );
        let (id, n) = parse_connect(&obj(json!({"provider_config_id": 42, "phone_number": "+1234567890"}))).unwrap();
        assert_eq!((id, n.as_str()), (42, "+1234567890"));
        assert_eq!(
            parse_disconnect(&obj(json!({"phone_number": "+1234567890"})))
                .unwrap()
                .as_str(),
            "+1234567890"
        );
        let slug = BridgeSlug::parse("sales-bridge-001").unwrap();
        assert_eq!(
            parse_bridge_patch(slug.as_str(), &obj(json!({"name": "Sales Bridge — Updated"}))).unwrap(),
            Some("Sales Bridge — Updated".to_owned())
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = parse_new_bridge(&obj(json!({"name": "", "slug": "no spaces", "extra": 1}))).unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), ["extra", "name", "slug"]);
        let e = parse_connect(&obj(json!({"provider_config_id": "x", "phone_number": "123"}))).unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), ["phone_number", "provider_config_id"]);
        let e = parse_connect(&obj(json!({}))).unwrap_err();
        assert_eq!(e["provider_config_id"], ["This field is required."]);
        let slug = BridgeSlug::parse("s").unwrap();
        assert!(
            parse_bridge_patch(slug.as_str(), &obj(json!({"slug": "s"})))
                .unwrap()
                .is_none()
        );
        assert!(
            parse_bridge_patch(slug.as_str(), &obj(json!({"slug": "t"})))
                .unwrap_err()
                .contains_key("slug")
        );
        assert!(parse_import(&obj(json!({"numbers": []}))).is_err());
        assert!(parse_import(&obj(json!({"numbers": ["+1", 2]}))).is_err());
        assert_eq!(parse_import(&obj(json!({"numbers": ["x"]}))).unwrap(), ["x"]);
    }

    #[test]
    fn states() {
        assert_eq!(BridgeState::of(0).as_str(), "DRAFT");
        assert_eq!(BridgeState::of(2).as_str(), "ACTIVE");
        assert_eq!(NumberStatus::of(true, false).as_str(), "active");
        assert_eq!(NumberStatus::of(true, true).as_str(), "inactive");
        assert_eq!(NumberStatus::of(false, false).as_str(), "inactive");
    }

    proptest! {
        #[test]
        fn slug_accepts_exactly_its_alphabet(s in "\\PC{0,12}") {
            let shaped = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && s.as_bytes()[0].is_ascii_alphanumeric();
            prop_assert_eq!(BridgeSlug::parse(&s).is_ok(), shaped);
        }

        #[test]
        fn bodies_never_panic(name in "\\PC{0,8}", slug in "\\PC{0,8}", id in any::<i64>(), n in "\\PC{0,18}") {
            let _ = parse_new_bridge(&obj(json!({"name": name, "slug": slug})));
            let _ = parse_connect(&obj(json!({"provider_config_id": id, "phone_number": n})));
            let _ = parse_new_number(&obj(json!({"provider_config_id": id, "number": n})));
        }
    }
}
