//! RFC 7807 problem details for the v1 family: a layer that re-renders any error response
//! (handler errors, extractor rejections, the 404/405 fallbacks) from the [`ErrorParts`] the
//! shared renderer leaves in the response extensions.

use axum::body::Body;
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::configuration::FieldErrors;
use crate::http::{ErrorParts, current_request_id};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// RFC 7807 problem details: every v1 error, served as `application/problem+json`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Problem {
    /// The RFC section defining the status (`about:blank` for others).
    #[serde(rename = "type")]
    #[schema(example = "https://tools.ietf.org/html/rfc9110#section-15.5.5")]
    kind: &'static str,
    /// The status's reason phrase.
    #[schema(example = "Not Found")]
    title: &'static str,
    #[schema(example = 404)]
    status: u16,
    #[schema(example = "Provider not found.")]
    detail: String,
    /// The request path.
    #[schema(example = "/api/v1/providers/twilio/3c90c3cc-0d44-4b50-8888-8dd25736052a")]
    instance: String,
    /// For invalid input: field name → messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<BTreeMap<String, Vec<String>>>)]
    errors: Option<FieldErrors>,
    /// On a 500 only: quote it when reporting the problem (the details are in the log).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    request_id: Option<String>,
}

/// The RFC 9110 section defining each status, as ASP.NET-style APIs give it in `type`.
fn type_uri(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    }
}

/// Middleware: `from_fn(problem::layer)` on the v1 router.
pub async fn layer(req: Request, next: Next) -> Response {
    render(req, |req| next.run(req)).await
}

/// Renders the answer `next` gives as RFC 7807 when it is one of the API's errors.
pub async fn render<N, F>(req: Request, next: N) -> Response
where
    N: FnOnce(Request) -> F,
    F: std::future::Future<Output = Response>,
{
    let instance = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let response = next(req).await;
    let Some(parts) = response.extensions().get::<ErrorParts>().cloned() else {
        return response;
    };
    let problem = Problem {
        kind: type_uri(parts.status),
        title: parts.status.canonical_reason().unwrap_or("Error"),
        status: parts.status.as_u16(),
        detail: parts.message,
        instance,
        // Field names as the v1 handlers report them: camelCase, or as the client sent them.
        errors: parts.errors,
        request_id: (parts.status == StatusCode::INTERNAL_SERVER_ERROR)
            .then(current_request_id)
            .flatten(),
    };
    let (mut head, _) = response.into_parts();
    // Rendered: a layer further out (see `problem_outside`) leaves it as it is.
    head.extensions.remove::<ErrorParts>();
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    head.headers.remove(header::CONTENT_LENGTH);
    head.headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Response::from_parts(head, Body::from(body))
}
