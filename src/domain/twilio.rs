//! Twilio values Patchbay stores: the Region of a provider and the stages of provisioning.

use std::fmt;
use std::str::FromStr;

/// The Twilio Region a v1 provider's voice platform should use (stored and returned only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    #[default]
    Us1,
    Us2,
    Ie1,
    De1,
    Au1,
    Jp1,
    Br1,
    Sg1,
}

impl Region {
    pub const ALL: [Region; 8] = [
        Self::Us1,
        Self::Us2,
        Self::Ie1,
        Self::De1,
        Self::Au1,
        Self::Jp1,
        Self::Br1,
        Self::Sg1,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Us1 => "us1",
            Self::Us2 => "us2",
            Self::Ie1 => "ie1",
            Self::De1 => "de1",
            Self::Au1 => "au1",
            Self::Jp1 => "jp1",
            Self::Br1 => "br1",
            Self::Sg1 => "sg1",
        }
    }
}

/// The region names, in the order the v1 API lists them.
pub const REGIONS: [&str; Region::ALL.len()] = {
    let mut names = [""; Region::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Region::ALL[i].as_str();
        i += 1;
    }
    names
};

pub const DEFAULT_REGION: &str = Region::Us1.as_str();

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown Twilio region '{s}'"))
    }
}

/// Provisioning saga stages, in order; a journal's stage is the last one started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Started,
    Trunk,
    CredentialList,
    Credential,
    Attach,
    Commit,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Trunk => "trunk",
            Self::CredentialList => "credential_list",
            Self::Credential => "credential",
            Self::Attach => "attach",
            Self::Commit => "commit",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Started,
            Self::Trunk,
            Self::CredentialList,
            Self::Credential,
            Self::Attach,
            Self::Commit,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| format!("unknown provisioning stage '{s}'"))
    }
}

impl TryFrom<String> for Stage {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_ordered() {
        assert!(Stage::Attach > Stage::Trunk);
        assert!(Stage::Started < Stage::Trunk);
        assert_eq!("credential_list".parse(), Ok(Stage::CredentialList));
        assert!("nope".parse::<Stage>().is_err());
    }

    #[test]
    fn regions_parse_and_default_to_us1() {
        assert_eq!(Region::default(), Region::Us1);
        for r in Region::ALL {
            assert_eq!(r.as_str().parse(), Ok(r));
        }
        assert!("eu1".parse::<Region>().is_err());
    }
}
