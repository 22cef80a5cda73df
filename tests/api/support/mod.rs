//! Test support shared by every integration-test binary: the `api` binary declares it as
//! `mod support`, and the long-running binaries (crash safety, multi-instance, Schemathesis)
//! include it with `#[path = "api/support/mod.rs"]`.
// Each binary uses only part of it.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod app;
pub mod carriers;
pub mod http;
pub mod postgres;
pub mod process;
pub mod store;
pub mod v1;
pub mod v2;
pub mod webhooks;

pub(crate) use app::both_backends;
pub use app::{
    Backend, TestApp, spawn_app, spawn_app_configured, spawn_app_custom, spawn_app_with, test_http_settings,
};
pub use http::{join_all, send, wait_until};
pub use postgres::ScratchPostgres;
pub use v2::{
    BRIDGES, CONFIGS, CONFIGS_UNVERIFIED, NUMBERS, bridge_path, config_path, connect_path, disconnect_path, number_path,
};

pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TWILIO_SID_2: &str = "ACfedcba9876543210fedcba9876543210";
pub const PLIVO_ID: &str = "MAABCDEFGHIJ01234567";

/// A test whose outside tool is missing: fails under CI (with `ci_must`), else says `note` on
/// the real stderr (past the harness's capture) so the skip shows.
pub fn skip_without_tool(ci_must: &str, note: &str) {
    assert!(std::env::var_os("CI").is_none(), "{ci_must}");
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "NOTE: {note}");
}
