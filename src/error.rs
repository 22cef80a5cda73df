//! The one error type. Every failure, from a bad header to a database fault, becomes one of
//! these; `http::error` renders it as the v2 envelope or, on the v1 routes, as RFC 7807.

use std::time::Duration;

use crate::domain::configuration::FieldErrors;
use crate::storage::{Duplicate, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Authentication credentials were not provided.")]
    Unauthenticated,
    #[error("Invalid token.")]
    InvalidToken,
    #[error("Org-Handle header is required.")]
    MissingOrgHandle,
    /// Same answer whether the handle does not exist or the caller is not a member of it,
    /// so handles cannot be probed.
    #[error("You do not have permission to access this organization.")]
    OrgForbidden,
    #[error("You do not have permission to perform this action.")]
    ReadOnlyToken,
    /// A valid token used where its kind may not go (service tokens outside call routing,
    /// organization tokens on it).
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{message}")]
    Validation { message: String, errors: FieldErrors },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(&'static str),
    /// A 409 that names the fields at fault, like a 400 does (the bridges and numbers rules).
    #[error("{message}")]
    Refused { message: String, errors: FieldErrors },
    /// An organization's quota is used up (409, saying which limit).
    #[error("{0}")]
    QuotaExceeded(String),
    #[error("The resource has changed since it was read (If-Match does not match its ETag).")]
    PreconditionFailed,
    #[error("{0}")]
    UnprocessableEntity(&'static str),
    #[error("Request body is too large (the limit is 64 KiB).")]
    PayloadTooLarge,
    #[error("Unsupported media type: send Content-Type: application/json.")]
    UnsupportedMediaType,
    #[error("Method not allowed.")]
    MethodNotAllowed,
    #[error("Request was throttled.")]
    RateLimited { retry_after: Duration },
    #[error("{0}")]
    CarrierUnavailable(String),
    #[error("The request took too long and was cancelled.")]
    Timeout,
    /// A real server fault: logged in full, answered with a generic message and the request id.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn validation(errors: FieldErrors) -> Self {
        Error::Validation {
            message: "Invalid input.".into(),
            errors,
        }
    }

    /// A 409 naming one field: `message` says what failed, the field's message why.
    pub fn refused(message: &str, field: &str, reason: impl Into<String>) -> Self {
        Error::Refused {
            message: message.to_owned(),
            errors: FieldErrors::from([(field.to_owned(), vec![reason.into()])]),
        }
    }

    /// A 400 naming one field, under `message`.
    pub fn invalid(message: &str, field: &str, reason: impl Into<String>) -> Self {
        Error::Validation {
            message: message.to_owned(),
            errors: FieldErrors::from([(field.to_owned(), vec![reason.into()])]),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(FieldErrors::from([(field.to_owned(), vec![message.into()])]))
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::Unauthenticated | Error::InvalidToken => 401,
            Error::MissingOrgHandle | Error::Validation { .. } | Error::BadRequest(_) => 400,
            Error::OrgForbidden | Error::ReadOnlyToken | Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::MethodNotAllowed => 405,
            Error::Conflict(_) | Error::Refused { .. } | Error::QuotaExceeded(_) => 409,
            Error::PreconditionFailed => 412,
            Error::PayloadTooLarge => 413,
            Error::UnsupportedMediaType => 415,
            Error::UnprocessableEntity(_) => 422,
            Error::RateLimited { .. } => 429,
            Error::Internal(_) => 500,
            Error::CarrierUnavailable(_) | Error::Timeout => 503,
        }
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => Error::NotFound("Not found."),
            StorageError::Duplicate(Duplicate::Configuration) => Error::Conflict("Configuration already exists"),
            StorageError::Duplicate(Duplicate::OrganizationHandle) => {
                Error::Conflict("Organization handle already exists")
            }
            StorageError::Duplicate(Duplicate::Bridge) => Error::Conflict("Bridge already exists"),
            StorageError::Duplicate(Duplicate::PhoneNumber) => Error::Conflict("Phone number already exists"),
            StorageError::Duplicate(Duplicate::BridgeNumber) => Error::Conflict("Phone number is already on a bridge"),
            StorageError::Duplicate(Duplicate::Other) => Error::Conflict("Resource already exists"),
            StorageError::VersionMismatch => Error::PreconditionFailed,
            e => Error::Internal(e.into()),
        }
    }
}

impl From<crate::crypto::CryptoError> for Error {
    fn from(e: crate::crypto::CryptoError) -> Self {
        Error::Internal(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
