//! E.164 phone numbers, as carriers report them (`+14155550100`).

use std::fmt;

/// A phone number in E.164: `+`, a country code not starting with 0, at most 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct E164(String);

impl E164 {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let digits = s.strip_prefix('+').ok_or("an E.164 number starts with '+'")?;
        if !(2..=15).contains(&digits.len()) {
            return Err("an E.164 number has 2 to 15 digits");
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("an E.164 number has only digits after '+'");
        }
        if digits.starts_with('0') {
            return Err("an E.164 country code does not start with 0");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Stored numbers were checked on the way in; reading one back checks it again.
impl TryFrom<String> for E164 {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        for ok in ["+14155550100", "+442071838750", "+12", "+123456789012345"] {
            assert_eq!(E164::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "+",
            "14155550100",
            "+0155550100",
            "+1415555010a",
            "+1 415 555 0100",
            "+1234567890123456",
            "++1415",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn accepts_exactly_the_e164_shape(s in "\\PC{0,20}") {
            let shaped = s.len() >= 3 && s.len() <= 16 && s.starts_with('+')
                && s[1..].bytes().all(|b| b.is_ascii_digit()) && !s[1..].starts_with('0');
            prop_assert_eq!(E164::parse(&s).is_ok(), shaped);
        }

        #[test]
        fn every_valid_number_round_trips(cc in 1u8..=9, rest in "[0-9]{1,14}") {
            let s = format!("+{cc}{rest}");
            prop_assert_eq!(E164::parse(&s).unwrap().to_string(), s);
        }
    }
}
