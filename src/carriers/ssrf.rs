//! Guard against server-side request forgery through user-supplied hosts.
//!
//! # Rule
//! A host that came from a user (Exotel `subdomain`, SignalWire `space_url`,
//! SIP `host`) is fetched only when **both** hold:
//! 1. it matches the carrier's domain pattern ([`HostPattern`]): Exotel
//!    `*.exotel.com` / `*.exotel.in`, SignalWire `<space>.signalwire.com`
//!    (exactly one label); IP literals, ports, paths and userinfo never match;
//! 2. **every** address it resolves to is public ([`is_public`]): no loopback,
//!    private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified,
//!    broadcast, documentation, benchmarking, reserved, and no IPv6 form that
//!    embeds such an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
//!
//! The check runs once before the request (to refuse with a clear message
//! and no traffic) and again inside the HTTP client's resolver
//! ([`GuardedResolver`]), so a DNS answer that changes between the two
//! (rebinding) is still refused. Redirects are not followed.
//!
//! An operator-set base URL (`PATCHBAY_EXOTEL_BASE_URL`, …) bypasses this:
//! the operator chose that host, the user did not.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::{Ipv4Net, Ipv6Net};

/// Why a user-supplied host was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsrfError {
    #[error("host {host:?} is not an allowed {carrier} host ({expected})")]
    HostNotAllowed {
        carrier: &'static str,
        host: String,
        expected: &'static str,
    },
    #[error("host {host} resolves to non-public address {addr}")]
    NonPublicAddress { host: String, addr: IpAddr },
    #[error("host {host} could not be resolved: {reason}")]
    Unresolvable { host: String, reason: String },
}

/// Which hosts a carrier's user-supplied host may name.
#[derive(Debug, Clone, Copy)]
pub struct HostPattern {
    pub carrier: &'static str,
    /// Registrable domains; a host must be a strict subdomain of one of them.
    pub domains: &'static [&'static str],
    /// `Some(n)`: exactly `n` labels before the domain (SignalWire spaces: 1).
    pub labels: Option<usize>,
    /// When not empty, the only hosts allowed (a carrier whose API hosts are a fixed list).
    pub exact: &'static [&'static str],
    /// Shown in errors.
    pub expected: &'static str,
}

/// Exotel's documented API hosts, one per cluster (developer.exotel.com, "Base URLs"): any
/// other host under its domains is not its API, and would be sent the account's token.
pub const EXOTEL_HOSTS: HostPattern = HostPattern {
    carrier: "Exotel",
    domains: &["exotel.com"],
    labels: None,
    exact: &["api.exotel.com", "api.in.exotel.com"],
    expected: "api.exotel.com (Singapore cluster) or api.in.exotel.com (Mumbai cluster)",
};

pub const SIGNALWIRE_HOSTS: HostPattern = HostPattern {
    carrier: "SignalWire",
    domains: &["signalwire.com"],
    labels: Some(1),
    exact: &[],
    expected: "<space>.signalwire.com",
};

impl HostPattern {
    /// Normalises what a user typed (`https://Example.signalwire.com/`,
    /// Exotel's documented `@api.exotel.com`) and returns the bare lower-case
    /// host if it matches this pattern.
    pub fn allowed_host(&self, input: &str) -> Result<String, SsrfError> {
        let refuse = || SsrfError::HostNotAllowed {
            carrier: self.carrier,
            host: input.chars().take(100).collect(),
            expected: self.expected,
        };
        let mut host = input.trim();
        host = host.strip_prefix("https://").unwrap_or(host);
        host = host.strip_prefix('@').unwrap_or(host);
        host = host.strip_suffix('/').unwrap_or(host);
        host = host.strip_suffix('.').unwrap_or(host);
        let host = host.to_ascii_lowercase();
        if !is_dns_name(&host) {
            return Err(refuse());
        }
        let matched = (self.exact.is_empty() || self.exact.contains(&host.as_str()))
            && self.domains.iter().any(|domain| {
                host.strip_suffix(domain)
                    .and_then(|prefix| prefix.strip_suffix('.'))
                    .is_some_and(|prefix| {
                        !prefix.is_empty() && self.labels.is_none_or(|n| prefix.split('.').count() == n)
                    })
            });
        if matched { Ok(host) } else { Err(refuse()) }
    }
}

/// Host names are the domain's rule (shared with the SIP `server` syntax).
pub use crate::domain::sip::is_dns_name;

// Special-purpose ranges (IANA registries) that must never be fetched.
const V4_BLOCKED: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network", unspecified
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // CGNAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local, cloud metadata
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, broadcast
];

const V6_BLOCKED: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::UNSPECIFIED, 128),
    (Ipv6Addr::LOCALHOST, 128),
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),      // discard-only
    (Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48),   // benchmarking
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28),  // ORCHID
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28),  // ORCHIDv2
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),     // documentation
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16),     // SRv6 SIDs
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),      // unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),     // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),     // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),      // multicast
];

fn in_v4(ip: Ipv4Addr, nets: &[(Ipv4Addr, u8)]) -> bool {
    nets.iter()
        .any(|&(net, len)| Ipv4Net::new(net, len).is_ok_and(|n| n.contains(&ip)))
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    Ipv6Net::new(net, len).is_ok_and(|n| n.contains(&ip))
}

/// True when `ip` is a globally routable unicast address we may connect to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !in_v4(v4, V4_BLOCKED),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if V6_BLOCKED.iter().any(|&(net, len)| in_v6(ip, net, len)) {
        return false;
    }
    let seg = ip.segments();
    let octets = ip.octets();
    let v4_at = |i: usize| Ipv4Addr::new(octets[i], octets[i + 1], octets[i + 2], octets[i + 3]);
    // Forms that carry an IPv4 address are judged by that address, and by
    // nothing else: a public IPv4 inside a mapped address is fine.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public(IpAddr::V4(v4));
    }
    if seg[..6] == [0; 6] {
        // IPv4-compatible (deprecated) ::a.b.c.d
        return is_public(IpAddr::V4(v4_at(12)));
    }
    if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96)
        || in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48)
    {
        return is_public(IpAddr::V4(v4_at(12))); // NAT64
    }
    if seg[0] == 0x2002 {
        return is_public(IpAddr::V4(v4_at(2))); // 6to4
    }
    if seg[0] == 0x2001 && seg[1] == 0 {
        // Teredo: the client address is stored inverted in the last 32 bits.
        let client = v4_at(12);
        return is_public(IpAddr::V4(Ipv4Addr::from(!u32::from(client))));
    }
    true
}

/// Resolves host names, refusing any name with a non-public address.
///
/// `overrides` pins names to addresses like curl's `--resolve` (split-horizon
/// DNS, tests); pinned addresses are still checked.
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    overrides: Arc<BTreeMap<String, Vec<IpAddr>>>,
}

impl GuardedResolver {
    pub fn new(overrides: BTreeMap<String, Vec<IpAddr>>) -> Self {
        Self {
            overrides: Arc::new(overrides),
        }
    }

    /// All addresses of `host`, or an error if there are none or any is non-public.
    pub async fn resolve_public(&self, host: &str) -> Result<Vec<IpAddr>, SsrfError> {
        let addrs: Vec<IpAddr> = match self.overrides.get(host) {
            Some(pinned) => pinned.clone(),
            None => tokio::net::lookup_host((host, 0))
                .await
                .map_err(|e| SsrfError::Unresolvable {
                    host: host.to_owned(),
                    reason: e.to_string(),
                })?
                .map(|sa| sa.ip())
                .collect(),
        };
        if addrs.is_empty() {
            return Err(SsrfError::Unresolvable {
                host: host.to_owned(),
                reason: "no addresses".to_owned(),
            });
        }
        if let Some(&addr) = addrs.iter().find(|a| !is_public(**a)) {
            return Err(SsrfError::NonPublicAddress {
                host: host.to_owned(),
                addr,
            });
        }
        Ok(addrs)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = this.resolve_public(&host).await?;
            let iter: reqwest::dns::Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(iter)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn classifies_known_addresses() {
        let blocked = [
            "127.0.0.1",
            "10.1.2.3",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        ];
        for a in blocked {
            assert!(!is_public(a.parse().unwrap()), "{a} must be blocked");
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "54.172.60.0",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ];
        for a in public {
            assert!(is_public(a.parse().unwrap()), "{a} must be allowed");
        }
    }

    #[test]
    fn host_patterns() {
        assert_eq!(EXOTEL_HOSTS.allowed_host("api.exotel.com").unwrap(), "api.exotel.com");
        assert_eq!(
            EXOTEL_HOSTS.allowed_host("@api.in.exotel.com").unwrap(),
            "api.in.exotel.com"
        );
        for other in [
            "api.exotel.in",
            "evil.exotel.com",
            "ccm-api.exotel.com",
            "my.exotel.com",
        ] {
            assert!(EXOTEL_HOSTS.allowed_host(other).is_err(), "{other} is not Exotel's API");
        }
        assert_eq!(
            SIGNALWIRE_HOSTS
                .allowed_host("https://Example.SignalWire.com/")
                .unwrap(),
            "example.signalwire.com"
        );
        for bad in [
            "exotel.com",
            "evilexotel.com",
            "api.exotel.com.evil.net",
            "127.0.0.1",
            "api.exotel.com:8080",
            "user@api.exotel.com",
            "api.exotel.com/x",
            "localhost",
            "http://api.exotel.com",
            "[::1]",
            "api..exotel.com",
            "-a.exotel.com",
        ] {
            assert!(EXOTEL_HOSTS.allowed_host(bad).is_err(), "{bad} must be refused");
        }
        assert!(SIGNALWIRE_HOSTS.allowed_host("a.b.signalwire.com").is_err());
        assert!(SIGNALWIRE_HOSTS.allowed_host("signalwire.com").is_err());
    }

    #[tokio::test]
    async fn resolver_refuses_pinned_private_address() {
        let pinned = BTreeMap::from([
            ("api.exotel.com".to_owned(), vec!["127.0.0.1".parse().unwrap()]),
            ("ok.exotel.com".to_owned(), vec!["8.8.8.8".parse().unwrap()]),
        ]);
        let r = GuardedResolver::new(pinned);
        assert!(matches!(
            r.resolve_public("api.exotel.com").await,
            Err(SsrfError::NonPublicAddress { .. })
        ));
        assert!(r.resolve_public("ok.exotel.com").await.is_ok());
        // IP literals resolve to themselves and are judged the same way.
        assert!(r.resolve_public("10.0.0.1").await.is_err());
    }

    fn v4_in(net: &str) -> impl Strategy<Value = Ipv4Addr> {
        let net: Ipv4Net = net.parse().unwrap();
        let (base, size) = (u32::from(net.network()), 1u64 << (32 - net.prefix_len()));
        (0..size).prop_map(move |off| Ipv4Addr::from(base.wrapping_add(off as u32)))
    }

    fn v6_in(net: &str) -> impl Strategy<Value = Ipv6Addr> {
        let net: Ipv6Net = net.parse().unwrap();
        let (base, host_bits) = (u128::from(net.network()), 128 - u32::from(net.prefix_len()));
        let mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        any::<u128>().prop_map(move |raw| Ipv6Addr::from(base | (raw & mask)))
    }

    proptest! {
        #[test]
        fn private_v4_ranges_are_blocked_in_every_form(
            ip in prop_oneof![
                v4_in("10.0.0.0/8"), v4_in("172.16.0.0/12"), v4_in("192.168.0.0/16"),
                v4_in("127.0.0.0/8"), v4_in("169.254.0.0/16"), v4_in("100.64.0.0/10"),
                v4_in("224.0.0.0/4"), v4_in("240.0.0.0/4"), v4_in("0.0.0.0/8"),
            ]
        ) {
            prop_assert!(!is_public(IpAddr::V4(ip)));
            prop_assert!(!is_public(IpAddr::V6(ip.to_ipv6_mapped())));
            prop_assert!(!is_public(IpAddr::V6(ip.to_ipv6_compatible())));
        }

        #[test]
        fn mapped_form_agrees_with_v4(raw in any::<u32>()) {
            let ip = Ipv4Addr::from(raw);
            prop_assert_eq!(is_public(IpAddr::V4(ip)), is_public(IpAddr::V6(ip.to_ipv6_mapped())));
        }

        /// Drawn from every range std calls special (so each case is one), not filtered out of
        /// random addresses (where ≈7% would be).
        #[test]
        fn what_std_calls_special_v4_is_blocked(
            ip in prop_oneof![
                v4_in("10.0.0.0/8"), v4_in("172.16.0.0/12"), v4_in("192.168.0.0/16"),
                v4_in("127.0.0.0/8"), v4_in("169.254.0.0/16"), v4_in("224.0.0.0/4"),
                v4_in("192.0.2.0/24"), v4_in("198.51.100.0/24"), v4_in("203.0.113.0/24"),
                Just(Ipv4Addr::UNSPECIFIED), Just(Ipv4Addr::BROADCAST),
            ]
        ) {
            prop_assert!(ip.is_private() || ip.is_loopback() || ip.is_link_local() || ip.is_multicast()
                || ip.is_unspecified() || ip.is_broadcast() || ip.is_documentation(), "{ip} is not special");
            prop_assert!(!is_public(IpAddr::V4(ip)), "{ip} must be blocked");
        }

        /// Drawn from ULA, link-local, multicast and loopback (≈1% of random addresses).
        #[test]
        fn ula_and_link_local_v6_blocked(
            ip in prop_oneof![
                v6_in("fc00::/7"), v6_in("fe80::/10"), v6_in("ff00::/8"), Just(Ipv6Addr::LOCALHOST),
            ]
        ) {
            prop_assert!(ip.is_unique_local() || ip.is_unicast_link_local() || ip.is_multicast() || ip.is_loopback());
            prop_assert!(!is_public(IpAddr::V6(ip)), "{ip} must be blocked");
        }

        #[test]
        fn only_subdomains_of_the_carrier_match(label in "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", tail in "[a-z]{2,10}") {
            let sub = format!("{label}.signalwire.com");
            prop_assert_eq!(SIGNALWIRE_HOSTS.allowed_host(&sub).ok(), Some(sub.clone()));
            let lookalike = format!("{label}.signalwire.com.{tail}");
            prop_assert!(SIGNALWIRE_HOSTS.allowed_host(&lookalike).is_err());
            let glued = format!("{label}signalwire.com");
            prop_assert!(SIGNALWIRE_HOSTS.allowed_host(&glued).is_err());
            let exotel = format!("{label}.exotel.com");
            prop_assert_eq!(EXOTEL_HOSTS.allowed_host(&exotel).is_ok(), label == "api");
        }
    }
}
