//! SIP credentials and agent links (the v1 "sipcredentials" and "sipphonenumbers" families):
//! transports, the `server`/`domain` syntax (`host[:port]`, never contacted), where a credential
//! came from, and how a number is linked to an agent.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// SIP signalling transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

impl Transport {
    pub const ALL: [&'static str; 3] = ["udp", "tcp", "tls"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }
}

impl FromStr for Transport {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "udp" => Ok(Self::Udp),
            "tcp" => Ok(Self::Tcp),
            "tls" => Ok(Self::Tls),
            _ => Err("must be one of: udp, tcp, tls"),
        }
    }
}

/// The default SIP port when `server` names none (the v2 `sip` provider's default too).
pub const DEFAULT_PORT: u16 = 5060;

/// `host[:port]`: a DNS name (lower-cased), an IPv4 literal or a bracketed IPv6 literal, and an
/// optional port 1–65535. No scheme, userinfo, path, query or whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipServer {
    /// As stored in the `host` setting: a DNS name or IPv4 literal, or `[v6]`.
    pub host: String,
    pub port: Option<u16>,
}

impl SipServer {
    pub const MAX_LEN: usize = 261;

    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_PORT)
    }

    /// The server as the API shows it: the host, with the port unless it is the default.
    pub fn display(host: &str, port: Option<&str>) -> String {
        match port {
            Some(p) if p != DEFAULT_PORT.to_string() => format!("{host}:{p}"),
            _ => host.to_owned(),
        }
    }
}

/// LDH labels of 1–63 characters, no leading/trailing hyphen, at most 253 in all.
/// Rejects IP literals' colons, ports, paths, userinfo and non-ASCII.
pub fn is_dns_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        // A top-level label of digits only would make `1.2.3.4` a "name".
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_port(p: &str) -> Result<u16, &'static str> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port must be a number from 1 to 65535");
    }
    match p.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err("the port must be a number from 1 to 65535"),
    }
}

impl FromStr for SipServer {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err("must be a host name or IP address with an optional port (host[:port])");
        }
        if s.contains("://") || s.starts_with("sip:") || s.starts_with("sips:") {
            return Err("give the host only, without a scheme (e.g. sip.example.com:5060)");
        }
        if s.contains('@') {
            return Err("may not contain user information (user@); use authUser and authPassword");
        }
        if s.contains(['/', '?', '#', ';']) {
            return Err("may not contain a path, parameters or query; give host[:port] only");
        }
        if let Some(rest) = s.strip_prefix('[') {
            let (v6, after) = rest.split_once(']').ok_or("an IPv6 address must be enclosed in [ ]")?;
            v6.parse::<Ipv6Addr>().map_err(|_| "not a valid IPv6 address")?;
            let port = match after {
                "" => None,
                p => Some(parse_port(
                    p.strip_prefix(':').ok_or("expected :port after the IPv6 address")?,
                )?),
            };
            return Ok(Self {
                host: format!("[{}]", v6.to_ascii_lowercase()),
                port,
            });
        }
        let (host, port) = match s.split_once(':') {
            None => (s, None),
            Some((h, p)) => (h, Some(parse_port(p)?)),
        };
        if host.parse::<Ipv6Addr>().is_ok() {
            return Err("an IPv6 address must be enclosed in [ ]");
        }
        let host = host.to_ascii_lowercase();
        if host.parse::<Ipv4Addr>().is_err() && !is_dns_name(&host) {
            return Err("must be a host name or IP address with an optional port (host[:port])");
        }
        Ok(Self { host, port })
    }
}

impl fmt::Display for SipServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

/// How a SIP credential came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// Entered through `/api/v1/sip-credentials` (or a v2 `sip` configuration).
    Manual,
    /// Provisioned by a provider integration (a v1 Twilio provider's trunk credential).
    Provider,
}

impl CredentialSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Provider => "provider",
        }
    }
}

/// An agent link: the one agent answering a number's inbound calls, or a number an agent uses
/// as its (single) outbound caller id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    #[default]
    Inbound,
    ReplaceOutbound,
}

impl LinkMode {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::ReplaceOutbound => "replaceOutbound",
        }
    }

    /// The stored `agent_links.mode` (and the `uses` entry of affected agents).
    pub fn use_name(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::ReplaceOutbound => "outbound",
        }
    }

    pub fn from_use(s: &str) -> Option<Self> {
        match s {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::ReplaceOutbound),
            _ => None,
        }
    }
}

impl FromStr for LinkMode {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inbound" => Ok(Self::Inbound),
            "replaceOutbound" => Ok(Self::ReplaceOutbound),
            _ => Err("must be inbound or replaceOutbound"),
        }
    }
}

/// An agent id: opaque to Patchbay (the calling platform owns agents), 1–128 visible ASCII.
pub fn valid_agent_id(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        let ok = |s: &str| s.parse::<SipServer>().unwrap();
        assert_eq!(
            ok("sip.telnyx.com"),
            SipServer {
                host: "sip.telnyx.com".into(),
                port: None
            }
        );
        assert_eq!(ok("SIP.Provider.com:5061").to_string(), "sip.provider.com:5061");
        assert_eq!(ok("192.0.2.10:5080").port, Some(5080));
        assert_eq!(ok("[2001:DB8::1]:5060").host, "[2001:db8::1]");
        assert_eq!(ok("[::1]").port, None);
        for bad in [
            "",
            "sip:host",
            "sips:host",
            "udp://host",
            "user@host",
            "user:pw@host",
            "host/path",
            "host?x=1",
            "host;transport=tcp",
            "host:0",
            "host:65536",
            "host:",
            "host:abc",
            "::1",
            "[::1",
            "[zz]:5060",
            "-bad.com",
            "a..b",
            "host name",
            "höst.de",
            "[::1]5060",
        ] {
            assert!(bad.parse::<SipServer>().is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn server_display_hides_the_default_port() {
        assert_eq!(SipServer::display("sip.a.com", Some("5060")), "sip.a.com");
        assert_eq!(SipServer::display("sip.a.com", Some("5061")), "sip.a.com:5061");
        assert_eq!(SipServer::display("sip.a.com", None), "sip.a.com");
    }

    #[test]
    fn enums_round_trip() {
        for t in Transport::ALL {
            assert_eq!(t.parse::<Transport>().unwrap().as_str(), t);
        }
        assert!("UDP".parse::<Transport>().is_err());
        for m in ["inbound", "replaceOutbound"] {
            let mode = m.parse::<LinkMode>().unwrap();
            assert_eq!(mode.as_str(), m);
            assert_eq!(LinkMode::from_use(mode.use_name()), Some(mode));
        }
        assert!("outbound".parse::<LinkMode>().is_err());
        assert!(valid_agent_id("agent-42") && !valid_agent_id("") && !valid_agent_id("a b"));
    }

    proptest::proptest! {
        /// Whatever is parsed as a server prints back to something that parses to the same
        /// server, and never holds userinfo, a path or whitespace.
        #[test]
        fn parsed_servers_are_clean(s in "\\PC{0,40}") {
            if let Ok(server) = s.parse::<SipServer>() {
                let shown = server.to_string();
                proptest::prop_assert!(!shown.contains(['@', '/', ' ', '?', ';']));
                proptest::prop_assert_eq!(shown.parse::<SipServer>().unwrap(), server);
            }
        }
    }
}
