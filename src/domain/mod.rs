//! The domain: what Patchbay knows about carriers, credentials and access, free of HTTP and SQL.

pub mod access;
pub mod bridge;
pub mod catalogue;
pub mod configuration;
pub mod phone;
pub mod routing;
pub mod sip;
pub mod twilio;
pub mod user;
pub mod verification;
pub mod webhook;
