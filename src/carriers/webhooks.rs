//! The outbound client of webhook deliveries, under the SSRF rule of carrier hosts
//! ([`super::ssrf`]): https only, and only to public addresses, checked when an endpoint is
//! saved and again at connect time (in the resolver, so DNS rebinding is refused too); no
//! redirects, no proxy. Hosts the operator names (`PATCHBAY_WEBHOOK_TRUSTED_HOSTS`) are exempt
//! and may use plain http: the operator chose them, as with carrier base-URL overrides.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::ssrf::{GuardedResolver, SsrfError, is_public};
use crate::domain::webhook::WebhookUrl;

/// How long the check of a host at save time may wait for DNS.
const SAVE_RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Debug)]
pub struct WebhookClient {
    guarded: reqwest::Client,
    trusted_client: reqwest::Client,
    resolver: GuardedResolver,
    trusted_hosts: std::sync::Arc<BTreeSet<String>>,
}

/// What one POST came to.
#[derive(Debug, Clone)]
pub struct SendOutcome {
    pub status: Option<u16>,
    pub latency: Duration,
    /// Why there is no 2xx: transport failure, refused address, or the status.
    pub error: Option<String>,
}

impl SendOutcome {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

impl WebhookClient {
    pub fn new(trusted_hosts: BTreeSet<String>, timeout: Duration) -> Result<Self, reqwest::Error> {
        let resolver = GuardedResolver::default();
        let base = || {
            reqwest::Client::builder()
                .connect_timeout(timeout)
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("patchbay-webhooks/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Self {
            guarded: base().dns_resolver(resolver.clone()).build()?,
            trusted_client: base().build()?,
            resolver,
            trusted_hosts: std::sync::Arc::new(trusted_hosts),
        })
    }

    fn trusted(&self, url: &reqwest::Url) -> bool {
        url.host_str().is_some_and(|h| self.trusted_hosts.contains(h))
    }

    /// The rule at save time: https (http only for a trusted host), and a host that is trusted,
    /// a public IP literal, or a name none of whose addresses is non-public. A name that does
    /// not resolve now is accepted: it is checked again at every connect.
    pub async fn check_target(&self, url: &WebhookUrl) -> Result<(), String> {
        let u = url.url();
        if self.trusted(u) {
            return Ok(());
        }
        if u.scheme() != "https" {
            return Err("The URL must use https.".into());
        }
        if let Some(ip) = literal_ip(u) {
            return if is_public(ip) {
                Ok(())
            } else {
                Err(format!("{ip} is not a public address."))
            };
        }
        let host = u.host_str().unwrap_or_default();
        match tokio::time::timeout(SAVE_RESOLVE_TIMEOUT, self.resolver.resolve_public(host)).await {
            Ok(Err(e @ SsrfError::NonPublicAddress { .. })) => Err(format!("{e}: only public addresses may be used.")),
            _ => Ok(()),
        }
    }

    /// POSTs `body` with `headers`: the guarded client (public addresses only, resolved at
    /// connect) unless the host is trusted. Never follows a redirect (a 3xx is a failure).
    pub async fn post(&self, url: &str, headers: &[(&'static str, String)], body: String) -> SendOutcome {
        let started = Instant::now();
        let failed = |error: String| SendOutcome {
            status: None,
            latency: started.elapsed(),
            error: Some(error),
        };
        let parsed = match WebhookUrl::parse(url) {
            Ok(u) => u,
            Err(e) => return failed(e),
        };
        let u = parsed.url();
        let client = if self.trusted(u) {
            &self.trusted_client
        } else {
            if u.scheme() != "https" {
                return failed("the URL must use https".into());
            }
            // An IP literal never reaches the resolver: judge it here.
            if let Some(ip) = literal_ip(u).filter(|ip| !is_public(*ip)) {
                return failed(format!("{ip} is not a public address"));
            }
            &self.guarded
        };
        let mut request = client.post(u.clone()).header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.body(body).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                // The body is not read: the receiver's answer is not ours to store.
                SendOutcome {
                    status: Some(status),
                    latency: started.elapsed(),
                    error: (!(200..300).contains(&status)).then(|| format!("answered HTTP {status}")),
                }
            }
            Err(e) => failed(describe(&e)),
        }
    }
}

fn literal_ip(u: &reqwest::Url) -> Option<IpAddr> {
    let host = u.host_str()?;
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// A transport error, with its cause chain (the SSRF refusal is a cause), never a header.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let text = if causes.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", causes.join(": "))
    };
    text.chars().take(500).collect()
}
