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
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            let v1 = path.starts_with("/api/v1/");
            for operation in operations.into_iter().flatten() {
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

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(v1::ApiDoc::openapi());
    doc.merge(v2::ApiDoc::openapi());
    doc.merge(operations::ApiDoc::openapi());
    // After the merge, so they see every family's operations.
    Security.modify(&mut doc);
    CommonAnswers.modify(&mut doc);
    doc
}

/// `/openapi.json` and the `/docs` page.
pub fn router() -> Router<AppState> {
    SwaggerUi::new("/docs").url("/openapi.json", document()).into()
}
