//! The v1 family's client side: its paths, `Bearer` requests, provider creation against the
//! Twilio stand-in, and RFC 7807 answers.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::app::TestApp;
use super::http::send;

pub const PROVIDERS: &str = "/api/v1/providers";
pub const CREATE: &str = "/api/v1/providers/twilio";

pub fn v1(app: &TestApp, method: Method, path: &str) -> RequestBuilder {
    v1_as(app, &app.admin, method, path)
}

pub fn v1_as(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    app.bare(method, path)
        .header("Authorization", format!("Bearer {token}"))
}

pub fn item(id: &str) -> String {
    format!("{PROVIDERS}/twilio/{id}")
}

/// A Twilio account at the stand-in with a page-shaped (32 hex) token.
pub fn account(app: &TestApp) -> (String, String) {
    let (sid, token) = (standin::sid("AC"), standin::random_hex(32));
    app.twilio.put_account(&sid, &token);
    (sid, token)
}

pub async fn create(app: &TestApp, extra: Value) -> (Value, String, String) {
    let (sid, token) = account(app);
    let mut body = json!({"accountSid": sid, "authToken": token});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let (status, created) = send(v1(app, Method::POST, CREATE).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    (created, sid, token)
}

/// Sends and checks an RFC 7807 answer: status, content type, members; returns the body.
pub async fn problem(request: RequestBuilder, status: u16, instance: &str) -> Value {
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["type"].as_str().unwrap().starts_with("https://tools.ietf.org/"),
        "{body}"
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    assert_eq!(body["instance"], instance);
    body
}

pub fn is_utc_z(v: &Value) -> bool {
    chrono::NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%SZ").is_ok()
}

pub async fn import(app: &TestApp, id: &str, sids: &[&str]) -> Value {
    let (status, body) =
        send(v1(app, Method::POST, &format!("{}/import-numbers", item(id))).json(&json!({"phoneNumberSids": sids})))
            .await;
    assert_eq!(status, 200, "{body}");
    body
}
