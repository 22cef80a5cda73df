//! The OpenAPI 3.1 description of the API, generated from the handlers' annotations, served at
//! `/openapi.json` and rendered at `/docs` (Swagger UI, its assets compiled into the binary so
//! the page works in closed networks).
//!
//! Each family describes its own operations (`v1::ApiDoc`, `v2::ApiDoc`, `operations::ApiDoc`),
//! their schemas derived from the very types the handlers serialize; this merges them and adds
//! what is common to all. The Schemathesis run in CI checks every response against the document.

use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{AppState, operations, v1, v2};

#[derive(OpenApi)]
#[openapi(info(
    title = "Patchbay",
    description = "Telephony provider accounts of many organizations. Send `Authorization: Token <token>` (or `Bearer <token>`) and, on organization-scoped v2 endpoints, `Org-Handle: <handle>`.",
))]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <token>` or `Bearer <token>`",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("`Authorization: Bearer <token>` (`Token <token>` works too)"))
                    .build(),
            ),
        );
    }
}

/// Answers any API operation may give besides its own: throttling, a deadline passed, a fault.
/// In the v2 envelope on v2, as RFC 7807 problem details on v1.
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let (schema, content_type) = if path.starts_with("/api/v2/") {
                ("ErrorEnvelope", "application/json")
            } else if path.starts_with("/api/v1/") {
                ("Problem", v1::PROBLEM_CONTENT_TYPE)
            } else {
                continue;
            };
            let error_body = |description: &str| {
                let content = ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name(schema)))
                    .build();
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(content_type, content)
                        .build(),
                )
            };
            let v1 = path.starts_with("/api/v1/");
            for operation in operations_of(item) {
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                // The v1 operations share these answers word for word; described once here.
                if v1 {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error_body("No or invalid token"));
                }
                if v1 && has_body {
                    responses
                        .entry("413".into())
                        .or_insert_with(|| error_body("Body over 64 KiB"));
                    responses
                        .entry("415".into())
                        .or_insert_with(|| error_body("Not `Content-Type: application/json`"));
                }
                responses
                    .entry("429".into())
                    .or_insert_with(|| error_body("Throttled: see Retry-After and RateLimit-* headers"));
                responses
                    .entry("500".into())
                    .or_insert_with(|| error_body("Server fault; quote the request id"));
                responses
                    .entry("503".into())
                    .or_insert_with(|| error_body("The request outlived its deadline"));
            }
        }
    }
}

/// Operation ids unique across the families (both have `list_numbers`, `create_number`, …):
/// generated clients name their functions after them. `v1_`/`v2_` plus the handler's name.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(family) = ["v1", "v2"]
                .into_iter()
                .find(|f| path.starts_with(&format!("/api/{f}/")))
            else {
                continue;
            };
            for operation in operations_of(item) {
                if let Some(id) = &mut operation.operation_id
                    && !id.starts_with(family)
                {
                    *id = format!("{family}_{id}");
                }
            }
        }
    }
}

fn operations_of(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Paths that take a created resource's id without being under its collection's path.
const ALSO_BY_ID: [(&str, &str); 1] = [("/api/v1/providers/twilio", "/api/v1/providers/{")];

/// OpenAPI links from each create (a POST on a collection answering 201) to every operation
/// under that collection's `/{param}`: the id (or slug) comes from the created object (under
/// `data` in the v2 envelope) and, where the create answers an `ETag`, `If-Match` from it. Clients
/// and the stateful Schemathesis phase follow them. Derived from the paths, so new resources
/// get their links without a list to keep.
struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::link::LinkBuilder;
        use utoipa::openapi::path::ParameterIn;

        // (path, method, operation id, its path parameters, takes If-Match)
        let mut targets = Vec::new();
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("patch", &item.patch),
                ("delete", &item.delete),
            ] {
                let Some(operation) = operation else { continue };
                let Some(id) = &operation.operation_id else { continue };
                let params = operation.parameters.iter().flatten().filter_map(|p| match p {
                    RefOr::T(p) => Some(p),
                    RefOr::Ref(_) => None,
                });
                let in_path = params
                    .clone()
                    .filter(|p| p.parameter_in == ParameterIn::Path)
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>();
                let if_match = params
                    .clone()
                    .any(|p| p.parameter_in == ParameterIn::Header && p.name == "If-Match");
                targets.push((path.clone(), method, id.clone(), in_path, if_match));
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(create) = &mut item.post else { continue };
            let Some(RefOr::T(created)) = create.responses.responses.get_mut("201") else {
                continue;
            };
            let collection = path.trim_end_matches('/');
            let mut prefixes = vec![format!("{collection}/{{")];
            prefixes.extend(
                ALSO_BY_ID
                    .iter()
                    .filter(|(c, _)| *c == collection)
                    .map(|(_, p)| (*p).to_owned()),
            );
            let body = if path.starts_with("/api/v2/") { "/data" } else { "" };
            let etag = created.headers.contains_key("ETag");
            for (target, method, id, in_path, if_match) in &targets {
                let Some(first) = prefixes.iter().find_map(|p| target.strip_prefix(p.as_str())) else {
                    continue;
                };
                // The created object gives the first path parameter; others are the target's own.
                let Some(param) = first.split('}').next().filter(|p| in_path.iter().any(|n| n == p)) else {
                    continue;
                };
                let mut link = LinkBuilder::new()
                    .operation_id(id.clone())
                    .parameter(format!("path.{param}"), format!("$response.body#{body}/{param}"))
                    .description(format!("{} {target}", method.to_uppercase()));
                if etag && *if_match {
                    link = link.parameter("header.If-Match", "$response.header.ETag");
                }
                created.links.insert(id.clone(), RefOr::T(link.build()));
            }
        }
    }
}

/// OpenAPI requires every response to have a description (generators refuse the document
/// without one): where the annotation gave none, the status's reason phrase.
struct ResponseDescriptions;

impl Modify for ResponseDescriptions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_of(item) {
                for (status, response) in operation.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(response) = response
                        && response.description.is_empty()
                    {
                        response.description = status
                            .parse::<axum::http::StatusCode>()
                            .ok()
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("Answer")
                            .to_owned();
                    }
                }
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(v1::ApiDoc::openapi());
    doc.merge(v2::ApiDoc::openapi());
    doc.merge(operations::ApiDoc::openapi());
    // After the merge, so they see every family's operations.
    Security.modify(&mut doc);
    CommonAnswers.modify(&mut doc);
    OperationIds.modify(&mut doc);
    Links.modify(&mut doc);
    ResponseDescriptions.modify(&mut doc);
    doc
}

/// The document as `/openapi.json` serves it, pretty-printed with a final newline (the committed
/// clients are generated from this text; its key order is stable: `preserve_order`).
pub fn json() -> serde_json::Result<String> {
    Ok(serde_json::to_string_pretty(&document())? + "\n")
}

/// `/openapi.json` and the `/docs` page.
pub fn router() -> Router<AppState> {
    SwaggerUi::new("/docs").url("/openapi.json", document()).into()
}

#[cfg(test)]
pub(super) mod tests {
    //! The document against the validators: every constraint a schema states on a value (its
    //! `pattern`, lengths, bounds) is judged here by the very parser the server runs on that
    //! value, and the two must agree on every generated string, so neither can drift.

    use proptest::prelude::*;
    use serde_json::Value;

    use crate::error::Error;

    /// Does the server take this value for this property (all else aside)?
    pub type Judge = Box<dyn Fn(&Value) -> bool>;
    /// `(schema name, or "METHOD path" for a query parameter, property, its judge)`.
    pub type Judged = (&'static str, &'static str, Judge);

    /// Whether `result` refuses `field` (an error about another field is not about this value).
    pub fn refuses<T>(result: Result<T, Error>, field: &str) -> bool {
        match result {
            Err(Error::Validation { errors, .. }) => errors.contains_key(field),
            Err(_) => true,
            Ok(_) => false,
        }
    }

    /// A JSON value as it arrives in a query string.
    pub fn query_text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// Properties whose schema states a necessary condition only (a SIP server's length: host
    /// names, IPv4 octets, IPv6 literals and ports are the domain parser's to judge, see
    /// tests/schemathesis.rs; a webhook `url`'s syntax is the URL parser's, its scheme and host
    /// the SSRF rule's): what the schema refuses the server must refuse, not conversely.
    const LOOSER: [&str; 2] = ["server", "url"];

    fn judges() -> Vec<Judged> {
        let mut all = super::v1::judges();
        all.extend(super::v2::judges());
        all
    }

    /// Every constrained value of the document: `(location, property, its schema)`.
    fn constrained(doc: &Value) -> Vec<(String, String, Value)> {
        let constraint = |s: &Value| {
            ["pattern", "maxLength", "minLength", "maximum", "minimum"]
                .iter()
                .any(|k| s.get(k).is_some())
        };
        // The request bodies' schemas (answers' `minimum: 0` counts say what the server sends).
        let text = doc["paths"].to_string();
        let bodies: Vec<&str> = text
            .split("\"requestBody\":")
            .skip(1)
            .filter_map(|rest| rest.split("\"$ref\":\"#/components/schemas/").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        let mut found = Vec::new();
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            for (property, s) in schema["properties"].as_object().into_iter().flatten() {
                if bodies.contains(&name.as_str()) && constraint(s) {
                    found.push((name.clone(), property.clone(), s.clone()));
                }
            }
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["in"] == "query" && constraint(&p["schema"]) {
                        let location = format!("{} {path}", method.to_uppercase());
                        found.push((location, p["name"].as_str().unwrap().to_owned(), p["schema"].clone()));
                    }
                }
            }
        }
        found
    }

    /// What the schema says of `v`: its type, pattern, lengths (in characters) and bounds.
    fn schema_takes(schema: &Value, pattern: Option<&regex::Regex>, v: &Value) -> bool {
        let num = |k: &str| schema.get(k).and_then(Value::as_i64);
        match v {
            Value::String(s) => {
                let len = s.chars().count() as i64;
                pattern.is_none_or(|p| p.is_match(s))
                    && num("minLength").is_none_or(|m| len >= m)
                    && num("maxLength").is_none_or(|m| len <= m)
            }
            Value::Number(n) => {
                let n = n.as_i64().unwrap();
                num("minimum").is_none_or(|m| n >= m) && num("maximum").is_none_or(|m| n <= m)
            }
            _ => unreachable!(),
        }
    }

    /// Strings around a pattern: ones it generates, near misses (a character changed or cut,
    /// padding), any text with controls and whitespace, and lengths past the limits.
    fn strings(pattern: &str) -> BoxedStrategy<String> {
        let core = pattern.trim_start_matches('^').trim_end_matches('$');
        let matching = proptest::string::string_regex(core).unwrap().boxed();
        let near = (
            matching.clone(),
            any::<prop::sample::Index>(),
            "[ -~\t\n\u{0}\u{7f}\u{85}\u{a0}\u{2028}é]",
        )
            .prop_map(|(s, i, c)| {
                let mut chars: Vec<char> = s.chars().collect();
                if chars.is_empty() {
                    return c;
                }
                let i = i.index(chars.len());
                chars[i] = c.chars().next().unwrap();
                chars.into_iter().collect()
            });
        prop_oneof![
            3 => matching.clone(),
            3 => near,
            1 => matching.clone().prop_map(|s| s.repeat(3)),
            1 => matching.prop_map(|s| format!(" {s}")),
            2 => "[ -~\t\n\r\u{0}-\u{1f}\u{7f}-\u{9f}\u{a0}\u{2000}\u{3000}é€😀]{0,300}",
            1 => "\\s{0,3}",
        ]
        .boxed()
    }

    fn integers(schema: &Value) -> BoxedStrategy<i64> {
        let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
        let max = schema.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
        prop_oneof![
            Just(min),
            Just(min.saturating_sub(1)),
            Just(max),
            Just(max.saturating_add(1)),
            min..=max,
            any::<i64>(),
        ]
        .boxed()
    }

    #[test]
    fn every_constraint_of_the_document_is_the_validators() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let judges = judges();
        let mut unjudged = Vec::new();
        for (location, property, schema) in constrained(&doc) {
            let Some((_, _, judge)) = judges.iter().find(|(l, p, _)| *l == location && *p == property) else {
                unjudged.push(format!("{location} {property}"));
                continue;
            };
            let pattern = schema["pattern"].as_str();
            let regex = pattern.map(|p| regex::Regex::new(p).unwrap());
            let values: BoxedStrategy<Value> = if schema["type"] == "integer"
                || schema["type"].as_array().is_some_and(|t| t.contains(&"integer".into()))
            {
                integers(&schema).prop_map(Value::from).boxed()
            } else {
                strings(pattern.unwrap_or(".{0,300}")).prop_map(Value::from).boxed()
            };
            let looser = LOOSER.contains(&property.as_str());
            let config = ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::with_cases(400)
            };
            proptest::test_runner::TestRunner::new(config)
                .run(&values, |v| {
                    let says = schema_takes(&schema, regex.as_ref(), &v);
                    if looser && says {
                        return Ok(());
                    }
                    prop_assert_eq!(
                        says,
                        judge(&v),
                        "{} {}: the schema says {} {} but the server's parser disagrees",
                        location,
                        property,
                        if says { "takes" } else { "refuses" },
                        v
                    );
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(
            unjudged.is_empty(),
            "constraints no validator is held against: {unjudged:?}"
        );
    }
}
