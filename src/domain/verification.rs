//! Where a configuration stands with its carrier.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A configuration's verification status, stored and sent as its lower-case name.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum VerificationStatus {
    Pending,
    Verified,
    Warning,
    Failed,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Warning => "warning",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for VerificationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VerificationStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Verified, Self::Warning, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown verification status '{s}'"))
    }
}

impl TryFrom<String> for VerificationStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for status in [
            VerificationStatus::Pending,
            VerificationStatus::Verified,
            VerificationStatus::Warning,
            VerificationStatus::Failed,
        ] {
            assert_eq!(status.as_str().parse::<VerificationStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("ok".parse::<VerificationStatus>().is_err());
    }
}
