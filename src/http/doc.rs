//! Documentation-only shapes both families use: a header the handlers read through an
//! extractor, and the verification status they render from a stored string.

#![allow(dead_code)] // the types exist for their schemas

use utoipa::{IntoParams, ToSchema};

#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// An `ETag` from an earlier answer: the write applies only if the resource is still at that version (else 412).
    /// Judged once the request is otherwise valid (RFC 9110 §13.2.1): a bad body is a 400 whatever the `If-Match`.
    #[param(rename = "If-Match", nullable = false)]
    if_match: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForceParam {
    /// `true` disconnects the numbers from their bridges instead of answering 409.
    force: Option<bool>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum VerificationStatus {
    Pending,
    Verified,
    Warning,
    Failed,
}
