//! The v1 request bodies and query: parsed from a raw JSON object (or query map) so that every
//! bad field is reported at once, in the v1 words, and a secret is never echoed. The shapes the
//! parsers accept are described for the OpenAPI document at the end.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::domain::configuration::{FieldErrors, NAME_MAX};
use crate::error::{Error, Result};
use crate::service::twilio::{DEFAULT_REGION, NewTwilioProvider, REGIONS, TwilioProviderUpdate};

pub(super) fn push(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

pub(super) fn reject_unknown(errors: &mut FieldErrors, body: &Map<String, Value>, known: &[&str]) {
    for key in body.keys().filter(|k| !known.contains(&k.as_str())) {
        push(errors, key, "Unknown field.");
    }
}

pub(super) fn done<T>(errors: FieldErrors, value: T) -> Result<T> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(Error::Validation {
            message: "One or more validation errors occurred.".into(),
            errors,
        })
    }
}

/// A present, non-null value of `field` (`null` counts as not sent, as the pages' DTOs do).
pub(super) fn present<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    body.get(field).filter(|v| !v.is_null())
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn parse_account_sid(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "accountSid") {
        None => push(errors, "accountSid", "The accountSid field is required."),
        Some(Value::String(s)) if s.len() == 34 && s.starts_with("AC") && is_lower_hex(&s[2..]) => {
            return Some(s.clone());
        }
        Some(_) => push(
            errors,
            "accountSid",
            "Must match ^AC[a-f0-9]{32}$ (AC followed by 32 lower-case hex digits).",
        ),
    }
    None
}

/// Never echoes the value: it is a secret.
fn parse_auth_token(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<SecretString> {
    match present(body, "authToken") {
        None => push(errors, "authToken", "The authToken field is required."),
        Some(Value::String(s)) if s.len() == 32 && is_lower_hex(s) => return Some(SecretString::from(s.clone())),
        Some(_) => push(
            errors,
            "authToken",
            "Must be 32 lower-case hex digits (^[a-f0-9]{32}$).",
        ),
    }
    None
}

fn parse_name(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "name")? {
        Value::String(s) if s.trim().is_empty() => push(errors, "name", "May not be blank."),
        Value::String(s) if s.chars().count() > NAME_MAX => push(
            errors,
            "name",
            format!("The field name must be a string with a maximum length of {NAME_MAX}."),
        ),
        Value::String(s) if s.chars().any(char::is_control) => {
            push(errors, "name", "May not contain control characters.")
        }
        Value::String(s) => return Some(s.clone()),
        _ => push(errors, "name", "Must be a string."),
    }
    None
}

fn parse_region(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<String> {
    match present(body, "region")? {
        Value::String(s) if REGIONS.contains(&s.as_str()) => return Some(s.clone()),
        _ => push(errors, "region", format!("Must be one of: {}.", REGIONS.join(", "))),
    }
    None
}

fn parse_transfer(errors: &mut FieldErrors, body: &Map<String, Value>) -> Option<bool> {
    match present(body, "supportsCallTransfer")? {
        Value::Bool(b) => return Some(*b),
        _ => push(errors, "supportsCallTransfer", "Must be true or false."),
    }
    None
}

pub(super) fn parse_new(body: &Map<String, Value>) -> Result<NewTwilioProvider> {
    let mut errors = FieldErrors::new();
    reject_unknown(
        &mut errors,
        body,
        &["accountSid", "authToken", "name", "region", "supportsCallTransfer"],
    );
    let account_sid = parse_account_sid(&mut errors, body);
    let auth_token = parse_auth_token(&mut errors, body);
    let name = parse_name(&mut errors, body);
    let region = parse_region(&mut errors, body);
    let supports_call_transfer = parse_transfer(&mut errors, body);
    done(errors, ())?;
    match (account_sid, auth_token) {
        (Some(account_sid), Some(auth_token)) => Ok(NewTwilioProvider {
            account_sid,
            auth_token,
            name,
            region: region.unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            supports_call_transfer: supports_call_transfer.unwrap_or(false),
        }),
        _ => Err(Error::BadRequest("accountSid and authToken are required.".into())),
    }
}

pub(super) fn parse_update(body: &Map<String, Value>) -> Result<TwilioProviderUpdate> {
    let mut errors = FieldErrors::new();
    if body.contains_key("authToken") {
        push(
            &mut errors,
            "authToken",
            "The auth token cannot be changed here: rotate it with PATCH /api/v1/providers/twilio/{id}/auth-token.",
        );
    }
    if body.contains_key("accountSid") {
        push(
            &mut errors,
            "accountSid",
            "The Account SID cannot be changed: create a new provider with the new credentials, import the \
             phone numbers to it, then delete this one.",
        );
    }
    let known = ["name", "region", "supportsCallTransfer", "authToken", "accountSid"];
    reject_unknown(&mut errors, body, &known);
    let update = TwilioProviderUpdate {
        name: parse_name(&mut errors, body),
        region: parse_region(&mut errors, body),
        supports_call_transfer: parse_transfer(&mut errors, body),
    };
    done(errors, update)
}

const MAX_IMPORT: usize = 1000;

pub(super) fn parse_import(body: &Map<String, Value>) -> Result<Vec<String>> {
    let mut errors = FieldErrors::new();
    reject_unknown(&mut errors, body, &["phoneNumberSids"]);
    let mut sids = Vec::new();
    match present(body, "phoneNumberSids") {
        None => push(&mut errors, "phoneNumberSids", "The phoneNumberSids field is required."),
        Some(Value::Array(items)) if items.is_empty() || items.len() > MAX_IMPORT => push(
            &mut errors,
            "phoneNumberSids",
            format!("Must list 1 to {MAX_IMPORT} phone number SIDs."),
        ),
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => sids.push(s.clone()),
                    _ => {
                        push(&mut errors, "phoneNumberSids", "Every item must be a string.");
                        break;
                    }
                }
            }
        }
        Some(_) => push(&mut errors, "phoneNumberSids", "Must be an array of strings."),
    }
    done(errors, sids)
}

/// The providers list's default page size (the SIP lists' is 20, as their pages say).
pub(super) const DEFAULT_TAKE: i64 = 50;
const MAX_TAKE: i64 = 1000;

pub(super) fn parse_paging(q: &BTreeMap<String, String>, default_take: i64) -> Result<(i64, i64)> {
    let mut errors = FieldErrors::new();
    let mut number = |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| -> i64 {
        match q.get(key).map(|v| v.parse::<i64>()) {
            None => default,
            Some(Ok(n)) if range.contains(&n) => n,
            Some(_) => {
                push(
                    &mut errors,
                    key,
                    format!("Must be an integer from {} to {}.", range.start(), range.end()),
                );
                default
            }
        }
    };
    let skip = number("skip", 0, 0..=i64::from(i32::MAX));
    let take = number("take", default_take, 1..=MAX_TAKE);
    done(errors, (skip, take))
}

/// The auth-token rotation body: `{"authToken": ...}` and nothing else.
pub(super) fn parse_rotate(body: &Map<String, Value>) -> Result<SecretString> {
    let mut errors = FieldErrors::new();
    reject_unknown(&mut errors, body, &["authToken"]);
    let token = parse_auth_token(&mut errors, body);
    done(errors, token)?.ok_or_else(|| Error::BadRequest("authToken is required.".into()))
}

// ---- documentation-only: the shapes the parsers accept ------------------------------------------

#[allow(dead_code)] // only described, never built
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PagingParams {
    /// Providers to skip (default 0).
    #[param(minimum = 0, maximum = 2147483647, nullable = false)]
    skip: Option<i64>,
    /// Providers to return at most (default 50).
    #[param(minimum = 1, maximum = 1000, nullable = false)]
    take: Option<i64>,
}

/// The Twilio Region the customer's voice platform should use for the trunk.
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwilioRegion {
    Us1,
    Us2,
    Ie1,
    De1,
    Au1,
    Jp1,
    Br1,
    Sg1,
}

/// Create body. Twilio must accept the credentials; Patchbay then provisions an Elastic SIP
/// Trunk in the account. Unknown fields are a 400.
#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTwilioProvider {
    #[schema(pattern = "^AC[a-f0-9]{32}$", example = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    account_sid: String,
    /// Encrypted at rest, never returned.
    #[schema(pattern = "^[a-f0-9]{32}$", write_only)]
    auth_token: String,
    /// Not blank, no control characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
    /// Default `us1`.
    region: Option<TwilioRegion>,
    /// Default false.
    supports_call_transfer: Option<bool>,
}

/// Update body: only the fields sent (and not null) change. The credentials cannot be changed
/// here (`accountSid` and `authToken` are a 400; rotate the token with the auth-token endpoint).
#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTwilioProvider {
    /// Not blank, no control characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
    region: Option<TwilioRegion>,
    supports_call_transfer: Option<bool>,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateAuthToken {
    /// The new auth token; Twilio must accept it.
    #[schema(pattern = "^[a-f0-9]{32}$", write_only)]
    auth_token: String,
}

#[allow(dead_code)] // only described, never built
#[derive(ToSchema, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportPhoneNumbers {
    /// Incoming phone number SIDs of the account (`PN` + 32 hex digits); each is reported
    /// on its own if it cannot be imported.
    #[schema(min_items = 1, max_items = 1000, example = json!(["PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]))]
    phone_number_sids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn field_errors(e: Error) -> FieldErrors {
        match e {
            Error::Validation { errors, .. } => errors,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn create_body_names_every_bad_field() {
        let e = parse_new(&obj(json!({
            "accountSid": "AC0123", "authToken": "XYZ", "name": "x".repeat(101),
            "region": "mars1", "supportsCallTransfer": "yes", "authTokn": "t"
        })))
        .unwrap_err();
        let errors = field_errors(e);
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "accountSid",
                "authToken",
                "authTokn",
                "name",
                "region",
                "supportsCallTransfer"
            ]
        );
        assert!(!format!("{errors:?}").contains("XYZ"), "the token is not echoed");
    }

    #[test]
    fn create_body_defaults() {
        let new = parse_new(&obj(json!({
            "accountSid": format!("AC{}", "ab".repeat(16)), "authToken": "0f".repeat(16)
        })))
        .unwrap();
        assert_eq!(new.region, "us1");
        assert!(!new.supports_call_transfer);
        assert!(new.name.is_none());
        assert!(!format!("{new:?}").contains(&"0f".repeat(16)));
    }

    #[test]
    fn update_refuses_credentials() {
        let errors = field_errors(parse_update(&obj(json!({"accountSid": "AC1", "authToken": "t"}))).unwrap_err());
        assert!(errors["authToken"][0].contains("auth-token"));
        assert!(errors["accountSid"][0].contains("new provider"));
        let ok = parse_update(&obj(json!({"name": null, "region": "ie1"}))).unwrap();
        assert_eq!((ok.name, ok.region.as_deref()), (None, Some("ie1")));
    }

    #[test]
    fn paging_bounds() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(parse_paging(&q(&[]), DEFAULT_TAKE).unwrap(), (0, 50));
        assert_eq!(
            parse_paging(&q(&[("skip", "5"), ("take", "1000")]), DEFAULT_TAKE).unwrap(),
            (5, 1000)
        );
        assert!(parse_paging(&q(&[("take", "1001")]), DEFAULT_TAKE).is_err());
        assert!(parse_paging(&q(&[("skip", "-1")]), DEFAULT_TAKE).is_err());
    }

    use crate::carriers::twilio::is_sid;

    /// Arbitrary JSON values, a few levels deep.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "\\PC{0,40}".prop_map(Value::String),
            "[0-9a-f]{32}".prop_map(Value::String),
            "AC[0-9a-f]{32}".prop_map(Value::String),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn any_body() -> impl proptest::strategy::Strategy<Value = Map<String, Value>> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("accountSid".to_owned()),
            Just("authToken".to_owned()),
            Just("name".to_owned()),
            Just("region".to_owned()),
            Just("supportsCallTransfer".to_owned()),
            Just("phoneNumberSids".to_owned()),
            "[a-zA-Z]{1,16}",
        ];
        proptest::collection::btree_map(key, any_json(), 0..6).prop_map(|m| m.into_iter().collect())
    }

    proptest::proptest! {
        /// Whatever a client sends, the v1 parsers answer a value or a client error: no panic,
        /// no 5xx, and anything accepted is well-formed.
        #[test]
        fn parsers_accept_only_well_formed_bodies(body in any_body()) {
            match parse_new(&body) {
                Ok(new) => {
                    proptest::prop_assert!(is_sid(&new.account_sid, "AC"));
                    proptest::prop_assert!(REGIONS.contains(&new.region.as_str()));
                }
                Err(e) => proptest::prop_assert!((400..500).contains(&e.status())),
            }
            if let Err(e) = parse_update(&body) {
                proptest::prop_assert!((400..500).contains(&e.status()));
            }
            match parse_import(&body) {
                Ok(sids) => proptest::prop_assert!(sids.len() <= 1000),
                Err(e) => proptest::prop_assert!((400..500).contains(&e.status())),
            }
        }
    }
}
