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
    doc
}

/// The document as `/openapi.json` serves it, pretty-printed (the committed clients are generated
/// from this text, so its key order is stable: `preserve_order`).
pub fn json() -> serde_json::Result<String> {
    serde_json::to_string_pretty(&document())
}

/// `/openapi.json` and the `/docs` page.
pub fn router() -> Router<AppState> {
    SwaggerUi::new("/docs").url("/openapi.json", document()).into()
}
