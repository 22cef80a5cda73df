//! SSRF refusal through the API, as a client meets it: a user-supplied carrier host (Exotel
//! `subdomain`, SignalWire `space_url`) that resolves to a private address is a 400 with nothing
//! stored and no connection made; a carrier's redirect is never followed. (The other API tests
//! point these carriers at operator base URLs, which bypass the rule by design.)

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::carriers::ConnectionTrap;
use crate::support::{self, Backend, CONFIGS, send, spawn_app_configured, test_http_settings};

const SIGNALWIRE_PROJECT: &str = "0d3c4e5f-0000-4000-8000-000000000001";

fn exotel(subdomain: &str) -> Value {
    json!({"provider": "exotel", "account_sid": "acme1", "auth_token": "exotel-token", "api_key": "key1", "subdomain": subdomain})
}

fn signalwire(space_url: &str) -> Value {
    json!({"provider": "signalwire", "account_sid": SIGNALWIRE_PROJECT, "auth_token": "PTtoken", "space_url": space_url})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_user_hosts_are_refused_through_the_api_without_a_connection() {
    // Exotel takes only its own API hosts, so its case is those hosts resolving privately (a
    // poisoned or split-horizon DNS); SignalWire spaces are any subdomain.
    // `https://<host>` connects to port 443 of what the host resolves to: a random loopback
    // address with a trap on that port sees any connection the rule failed to stop.
    let ip = IpAddr::V4(Ipv4Addr::new(
        127,
        rand::random_range(1..=254),
        rand::random(),
        rand::random_range(1..=254),
    ));
    let trap = match ConnectionTrap::bind(SocketAddr::new(ip, 443)).await {
        Ok(trap) => Some(trap),
        Err(e) => {
            support::skip_without_tool(
                &format!("CI must be able to listen on {ip}:443 (run as root): {e}"),
                &format!("cannot listen on {ip}:443 ({e}): SSRF test checks answers only, not connections"),
            );
            None
        }
    };
    let pinned = BTreeMap::from([
        ("api.exotel.com".to_owned(), vec![ip]),
        ("api.in.exotel.com".to_owned(), vec!["169.254.169.254".parse().unwrap()]),
        ("internal.signalwire.com".to_owned(), vec![ip]),
        // One public and one private address: refused all the same.
        ("mixed.signalwire.com".to_owned(), vec!["8.8.8.8".parse().unwrap(), ip]),
    ]);
    let app = spawn_app_configured(Backend::Sqlite, test_http_settings(), |c| {
        c.exotel_base_url = None;
        c.signalwire_base_url = None;
        c.resolve_overrides = pinned;
    })
    .await
    .unwrap();

    for body in [
        exotel("api.exotel.com"),
        exotel("api.in.exotel.com"),
        signalwire("internal.signalwire.com"),
        signalwire("mixed.signalwire.com"),
    ] {
        let (status, answer) = send(app.admin(Method::POST, CONFIGS).json(&body)).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert!(answer.to_string().contains("non-public address"), "{body} -> {answer}");
    }
    let (_, list) = send(app.admin(Method::GET, CONFIGS)).await;
    assert_eq!(list["count"], 0, "nothing stored: {list}");
    if let Some(trap) = &trap {
        assert_eq!(trap.hits(), 0, "a refused host was connected to");
    }
    app.stop().await;
}

/// A carrier answering with a redirect: the one request is made, its `Location` never fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_redirect_is_not_followed() {
    let target = ConnectionTrap::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let location = format!("http://{}/stolen", target.addr);
    let redirected = Arc::new(AtomicUsize::new(0));
    let redirector = axum::Router::new().fallback({
        let redirected = redirected.clone();
        move || async move {
            redirected.fetch_add(1, Ordering::SeqCst);
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, redirector).await });

    let app = spawn_app_configured(Backend::Sqlite, test_http_settings(), |c| {
        c.exotel_base_url = Some(redirector_url.clone());
        c.signalwire_base_url = Some(redirector_url.clone());
    })
    .await
    .unwrap();
    for body in [exotel("api.exotel.com"), signalwire("example.signalwire.com")] {
        let (status, answer) = send(app.admin(Method::POST, CONFIGS).json(&body)).await;
        assert!(status < 500, "{body} -> {status} {answer}");
    }
    assert!(redirected.load(Ordering::SeqCst) >= 2, "each carrier was asked");
    assert_eq!(target.hits(), 0, "a redirect was followed");
    app.stop().await;
    server.abort();
}
