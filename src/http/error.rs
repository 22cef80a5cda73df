//! Rendering of [`Error`]: the v2 envelope `{status_code, message, errors?}` by default, and
//! RFC 7807 problem details on the v1 routes (see `problem_details`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::configuration::FieldErrors;
use crate::error::Error;

pub use crate::telemetry::current_request_id;

/// What a rendered error carries, kept as a response extension so a family-specific layer can
/// re-render it in its own format.
#[derive(Debug, Clone)]
pub struct ErrorParts {
    pub status: StatusCode,
    pub message: String,
    pub errors: Option<FieldErrors>,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    status_code: u16,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a FieldErrors>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (message, request_id) = match &self {
            Error::Internal(e) => {
                // The details go to the log only; the client gets the id to quote.
                tracing::error!(error = format!("{e:#}"), "internal error");
                ("Internal server error.".to_owned(), current_request_id())
            }
            other => (other.to_string(), None),
        };
        let retry_after = match &self {
            Error::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        let errors = match self {
            Error::Validation { errors, .. } | Error::Refused { errors, .. } => Some(errors),
            _ => None,
        };
        let body = ErrorEnvelope {
            status_code: status.as_u16(),
            message: &message,
            errors: errors.as_ref(),
            request_id,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(retry_after) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.as_secs().max(1)));
        }
        response.extensions_mut().insert(ErrorParts {
            status,
            message,
            errors,
        });
        response
    }
}
