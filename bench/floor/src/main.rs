//! The floor: the least an axum server on this machine can do per request. It answers every
//! GET with the same static JSON body (bench/run passes it a real get-by-id response, so the
//! size matches), with no database, auth or logging. Patchbay's throughput is reported as a
//! ratio of this one's under the same load.
//!
//!     bench-floor <listen addr> <body file>

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(body_file)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: bench-floor <listen addr> <body file>");
    };
    let body = Bytes::from(std::fs::read(&body_file).with_context(|| format!("read {body_file}"))?);
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }
    });
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("listen on {listen}"))?;
    axum::serve(listener, app).await?;
    Ok(())
}
