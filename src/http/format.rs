//! How both families write times and versions on the wire.

use chrono::{DateTime, Utc};

/// Timestamps as the pages show them: ISO 8601, UTC, whole seconds, `Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Strong ETags carry the configuration's version: `"3"`.
pub mod etag {
    pub fn format(version: i64) -> String {
        format!("\"{version}\"")
    }

    pub fn parse(value: &str) -> Option<i64> {
        let value = value.strip_prefix("W/").unwrap_or(value);
        value.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
    }
}
