//! Plain SIP: syntactic validation only. We never probe the user's host
//! (that would be an SSRF and port-scan vector); the checks say what we could
//! and could not establish.

use std::net::IpAddr;

use super::ssrf::{is_dns_name, is_public};
use super::{Carrier, Check, CheckStatus, Credentials, VerifyOutcome, check_names::*};

pub const TRANSPORTS: [&str; 3] = ["udp", "tcp", "tls"];

#[derive(Clone, Copy, Debug, Default)]
pub struct SipChecker;

impl Carrier for SipChecker {
    const SLUG: &'static str = "sip";

    async fn verify(&self, creds: &Credentials) -> VerifyOutcome {
        VerifyOutcome::from_checks(sip_checks(creds))
    }
}

/// RFC 3261 `user` part, restricted to the unreserved characters a trunk username needs.
fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 128
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/".contains(&b))
}

fn host_check(host: Option<&str>) -> Check {
    let Some(host) = host else {
        return Check::new("host", CheckStatus::Failed, "host is missing");
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) if is_public(ip) => Check::new("host", CheckStatus::Passed, "public IP address"),
        Ok(_) => Check::new(
            "host",
            CheckStatus::Warning,
            "IP address is not publicly routable; carriers cannot reach it",
        ),
        Err(_) if is_dns_name(&host.to_ascii_lowercase()) && host.contains('.') => {
            Check::new("host", CheckStatus::Passed, "valid host name")
        }
        Err(_) => Check::new(
            "host",
            CheckStatus::Failed,
            "host is not a valid host name or IP address",
        ),
    }
}

fn sip_checks(creds: &Credentials) -> Vec<Check> {
    let username = creds.account_sid.trim();
    // Without a user name the catalogue fills account_sid with the trunk's identity,
    // `host:port/transport`: that is not a user name to check.
    let derived = format!(
        "{}:{}/{}",
        creds.field("host").unwrap_or_default(),
        creds.field("port").unwrap_or("5060"),
        creds.field("transport").unwrap_or("udp")
    );
    let user = if username == derived {
        Check::new(
            CREDENTIALS_VALID,
            CheckStatus::Skipped,
            "no username: IP-authenticated trunk",
        )
    } else if valid_username(username) {
        Check::new(
            CREDENTIALS_VALID,
            CheckStatus::Passed,
            "username is well-formed (not checked against a server)",
        )
    } else {
        Check::new(
            CREDENTIALS_VALID,
            CheckStatus::Failed,
            "username is empty or has characters SIP does not allow",
        )
    };
    let transport = creds.field("transport").unwrap_or("udp").to_ascii_lowercase();
    let transport_check = if TRANSPORTS.contains(&transport.as_str()) {
        Check::new("transport", CheckStatus::Passed, format!("transport {transport}"))
    } else {
        Check::new("transport", CheckStatus::Failed, "transport must be udp, tcp or tls")
    };
    let port = match creds.field("port") {
        None => Check::new("port", CheckStatus::Passed, "default port"),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => Check::new("port", CheckStatus::Passed, format!("port {n}")),
            _ => Check::new("port", CheckStatus::Failed, "port must be 1-65535"),
        },
    };
    let password = match &creds.auth_token {
        Some(_) => Check::new("password", CheckStatus::Passed, "password set"),
        None => Check::new("password", CheckStatus::Skipped, "no password: IP-authenticated trunk"),
    };
    vec![
        user,
        host_check(creds.field("host")),
        port,
        transport_check,
        password,
        Check::new(ACCOUNT_ACTIVE, CheckStatus::Skipped, "SIP endpoints are not probed"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_forms() {
        assert_eq!(host_check(Some("sip.example.com")).status, CheckStatus::Passed);
        assert_eq!(host_check(Some("8.8.8.8")).status, CheckStatus::Passed);
        assert_eq!(host_check(Some("192.168.1.10")).status, CheckStatus::Warning);
        assert_eq!(host_check(Some("[::1]")).status, CheckStatus::Warning);
        assert_eq!(host_check(Some("bad host")).status, CheckStatus::Failed);
        assert_eq!(host_check(Some("localhost")).status, CheckStatus::Failed);
        assert_eq!(host_check(None).status, CheckStatus::Failed);
    }

    #[test]
    fn a_trunk_without_username_is_verified() {
        let creds = |account_sid: &str| Credentials {
            provider: "sip".into(),
            account_sid: account_sid.into(),
            auth_token: None,
            fields: [
                ("host".to_owned(), "sip.example.com".to_owned()),
                ("transport".to_owned(), "tls".to_owned()),
            ]
            .into_iter()
            .collect(),
            secret_fields: Default::default(),
        };
        // The catalogue derives `host:port/transport` when no username is given.
        let derived = VerifyOutcome::from_checks(sip_checks(&creds("sip.example.com:5060/tls")));
        assert_eq!(derived.status(), super::super::VerificationStatus::Verified);
        let bad = VerifyOutcome::from_checks(sip_checks(&creds("bad user:name")));
        assert_eq!(bad.status(), super::super::VerificationStatus::Failed);
    }
}
