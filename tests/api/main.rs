//! The integration tests that run in-process or briefly spawn the binary, in one test binary
//! (one link of the crate instead of one per file). Crash safety, multi-instance and
//! Schemathesis stay binaries of their own: they run long or need outside tools.

mod support;

mod audit_idempotency;
mod bridges;
mod carriers;
mod cli;
mod clients;
mod console;
mod console_browser;
mod cross_family;
mod hardening;
mod key_rotation;
mod numbers;
mod openapi;
mod operability;
mod pages_examples;
mod people;
mod routing;
mod sip;
mod ssrf;
mod twilio_contract;
mod v1;
mod v2;
mod verification;
mod webhooks;
mod worker;
