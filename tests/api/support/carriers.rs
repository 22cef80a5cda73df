//! The stand-in carriers: where a test app's carriers point, and carrier clients wired to a
//! freshly started stand-in with short timeouts.

use std::collections::BTreeMap;
use std::time::Duration;

use patchbay::carriers::{CarrierSettings, Carriers, Credentials};
use secrecy::SecretString;
use standin::simple::{self, Carrier};
use standin::twilio;

/// Where a test app's carriers live: Twilio at its stand-in, every other carrier at a closed
/// local port (connection refused at once: "unreachable"), never the internet.
pub fn carrier_settings(twilio_url: &str) -> CarrierSettings {
    let closed = super::process::CLOSED_PORT.to_owned();
    CarrierSettings {
        twilio_base_url: twilio_url.to_owned(),
        twilio_trunking_base_url: twilio_url.to_owned(),
        plivo_base_url: closed.clone(),
        telnyx_base_url: closed.clone(),
        vonage_base_url: closed.clone(),
        exotel_base_url: Some(closed.clone()),
        signalwire_base_url: Some(closed),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(2),
        max_retries: 1,
        retry_base_delay: Duration::from_millis(20),
        ..CarrierSettings::default()
    }
}

/// Short timeouts and backoff so failure paths run in milliseconds.
pub fn fast_settings() -> CarrierSettings {
    CarrierSettings {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(300),
        retry_base_delay: Duration::from_millis(5),
        max_retries: 2,
        ..CarrierSettings::default()
    }
}

pub fn creds(provider: &str, sid: &str, token: Option<&str>, fields: &[(&str, &str)]) -> Credentials {
    Credentials {
        provider: provider.to_owned(),
        account_sid: sid.to_owned(),
        auth_token: token.map(SecretString::from),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        secret_fields: BTreeMap::new(),
    }
}

pub async fn twilio_setup() -> (twilio::TwilioStandin, Carriers) {
    let tw = twilio::start().await.unwrap();
    let settings = CarrierSettings {
        twilio_base_url: tw.url(),
        twilio_trunking_base_url: tw.url(),
        ..fast_settings()
    };
    (tw, Carriers::new(settings))
}

pub async fn simple_setup(carrier: Carrier) -> (simple::SimpleStandin, Carriers) {
    let st = simple::start(carrier).await.unwrap();
    let url = st.url();
    let mut settings = fast_settings();
    point_at(&mut settings, carrier, url);
    (st, Carriers::new(settings))
}

/// Points `carrier`'s base URL in `settings` at `url` (a stand-in).
pub fn point_at(settings: &mut CarrierSettings, carrier: Carrier, url: String) {
    match carrier {
        Carrier::Plivo => settings.plivo_base_url = url,
        Carrier::Telnyx => settings.telnyx_base_url = url,
        Carrier::Vonage => settings.vonage_base_url = url,
        Carrier::Exotel => settings.exotel_base_url = Some(url),
        Carrier::SignalWire => settings.signalwire_base_url = Some(url),
    }
}

/// Credentials for a simple stand-in account, shaped as each carrier stores them.
pub fn simple_creds(carrier: Carrier, acc: &simple::SimpleAccount) -> Credentials {
    match carrier {
        Carrier::Exotel => creds(
            "exotel",
            &acc.id,
            Some(&acc.secret),
            &[("api_key", &acc.key), ("subdomain", "api.exotel.com")],
        ),
        Carrier::SignalWire => creds(
            "signalwire",
            &acc.id,
            Some(&acc.secret),
            &[("space_url", "example.signalwire.com")],
        ),
        other => creds(other.slug(), &acc.id, Some(&acc.secret), &[]),
    }
}

/// Counts TCP connections accepted on an address (and closes them): where a request that must
/// not be sent would have gone, whatever its protocol (a refused `https://` fetch included).
pub struct ConnectionTrap {
    pub addr: std::net::SocketAddr,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ConnectionTrap {
    pub async fn bind(addr: std::net::SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let task = tokio::spawn({
            let hits = hits.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    drop(stream);
                }
            }
        });
        Ok(Self { addr, hits, task })
    }

    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for ConnectionTrap {
    fn drop(&mut self) {
        self.task.abort();
    }
}
