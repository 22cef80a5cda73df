//! HTTP: the router of both API families, the middleware every request passes, and serving.

mod doc;
mod error;
mod extract;
mod format;
pub mod idempotency;
pub mod limits;
mod middleware;
pub mod openapi;
mod operations;
// Each API family is a folder: its routes, its OpenAPI document and one file per resource.
// A new family (e.g. the console's) is one more folder and one more line in `api_routes`.
mod console;
mod v1;
mod v2;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Method;
use axum::middleware as axum_middleware;
use axum::routing::{MethodFilter, on};

pub use error::{ErrorParts, current_request_id};
pub use format::etag;

use crate::error::Error;
use crate::service::Patchbay;
use crate::telemetry;

pub type AppState = Arc<Patchbay>;

/// Request bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Registers routes and remembers each (method, path), so a test can check that the OpenAPI
/// document describes every route the router has.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, String)>,
}

impl Routes {
    fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn add<H, T>(mut self, method: Method, path: &str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        // Same path twice merges the method routers.
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path.to_owned()));
        self
    }

    /// Nests `inner` under `prefix` (its paths recorded as `prefix + path`); `wrap` gets the
    /// inner router first, for that family's own fallbacks and layers.
    pub fn nest(
        mut self,
        prefix: &str,
        inner: Routes,
        wrap: impl FnOnce(Router<AppState>) -> Router<AppState>,
    ) -> Self {
        self.router = self.router.nest(prefix, wrap(inner.router));
        let paths = inner.table.into_iter().map(|(m, p)| (m, format!("{prefix}{p}")));
        self.table.extend(paths);
        self
    }
}

fn api_routes() -> Routes {
    let routes =
        Routes::new()
            .add(Method::GET, "/healthz", operations::healthz)
            .add(Method::GET, "/readyz", operations::readyz);
    v1::routes(v2::routes(routes))
}

/// Every (method, path template) the API serves, besides the docs page and `/openapi.json`.
pub fn route_table() -> Vec<(Method, String)> {
    api_routes().table
}

pub use limits::{HttpSettings, RateLimit};

fn router_with(app: AppState, settings: &HttpSettings, limiting: Option<limits::RateLimiting>) -> Router {
    let routes = Router::new()
        .merge(api_routes().router)
        .merge(openapi::router())
        .merge(console::router(app.clone()));
    layered(routes, app, settings, limiting)
}

/// `routes` with the fallbacks and every layer a request passes.
fn layered(
    routes: Router<AppState>,
    app: AppState,
    settings: &HttpSettings,
    limiting: Option<limits::RateLimiting>,
) -> Router {
    let pipeline = Arc::new(middleware::Pipeline {
        app: app.clone(),
        deadline: settings.request_timeout,
        idempotency: settings.idempotency(),
        limiting,
    });
    // One layer: `Router::layer` wraps every route, and each wrapper is a boxed service cloned
    // and a boxed future on every request. The body limit is set outside the router
    // ([`app_service`]); panics are caught inside the pipeline.
    routes
        .fallback(|| async { Error::NotFound("Not found.") })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(axum_middleware::from_fn_with_state(pipeline, middleware::pipeline))
        .with_state(app)
}

/// What `serve` serves: the canonical path rewrite, the body limit and the router.
fn app_service(
    app: AppState,
    settings: &HttpSettings,
    limiting: Option<limits::RateLimiting>,
) -> impl tower::Service<Request, Response = axum::response::Response, Error = std::convert::Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    tower::ServiceBuilder::new()
        .map_request(middleware::canonical_api_path)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .service(router_with(app, settings, limiting))
}

/// Serves `GET /metrics` (Prometheus text) on `listener`, apart from the API, until aborted.
pub async fn serve_metrics(listener: tokio::net::TcpListener, app: AppState) -> std::io::Result<()> {
    telemetry::prometheus();
    let router = Router::new()
        .route("/metrics", axum::routing::get(operations::metrics))
        .with_state(app);
    axum::serve(listener, router).await
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes in-flight requests
/// (for at most `settings.shutdown_grace`). Slow clients are bounded: at most
/// `settings.max_connections` connections are served at once (more wait in the listen backlog),
/// and a connection that has not sent a complete request head within
/// `settings.header_read_timeout` (a trickled head, or an idle keep-alive) is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: AppState,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use hyper_util::service::TowerToHyperService;

    let limiting = settings.rate_limit.map(limits::RateLimiting::new);
    let cleanup = limiting.as_ref().map(limits::RateLimiting::spawn_cleanup);
    let routing = app.start_routing();
    let upkeep = telemetry::spawn_upkeep();
    let service = app_service(app, &settings, limiting);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(settings.header_read_timeout))
        .keep_alive_timeout(settings.header_read_timeout);
    let slots = Arc::new(tokio::sync::Semaphore::new(settings.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            tower::ServiceExt::map_request(service.clone(), move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                req.map(axum::body::Body::new)
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    let grace = settings.shutdown_grace;
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_seconds = grace.as_secs(), "in-flight requests did not finish in time; stopping anyway");
        }
    }
    if let Some(cleanup) = cleanup {
        cleanup.abort();
    }
    upkeep.abort();
    // Released secrets still queued reach the audit trail before the process ends.
    routing.stop().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use tower::ServiceExt as _;

    use super::*;

    async fn boom() -> &'static str {
        panic!("kaboom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_the_apis_own_500_with_its_request_id() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let store = crate::storage::connect(&url).await.unwrap();
        let keyring =
            crate::crypto::Keyring::from_base64_keys(["AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]).unwrap();
        let carriers = crate::carriers::Carriers::new(crate::carriers::CarrierSettings::default());
        let app = Arc::new(Patchbay::new(store, Arc::new(keyring), carriers));
        let routes = Router::new()
            .route("/api/v2/boom", axum::routing::get(boom))
            .route("/api/v1/boom", axum::routing::get(boom));
        let router = layered(routes, app, &HttpSettings::default(), None);
        for (path, content_type, status_field, id_field) in [
            ("/api/v2/boom", "application/json", "status_code", "request_id"),
            ("/api/v1/boom", "application/problem+json", "status", "requestId"),
        ] {
            let request = Request::get(path).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), 500, "{path}");
            assert_eq!(response.headers()["content-type"], content_type, "{path}");
            let id = response.headers()[REQUEST_ID_HEADER].to_str().unwrap().to_owned();
            let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body[status_field], 500, "{body}");
            assert_eq!(body[id_field].as_str(), Some(id.as_str()), "{body}");
            assert!(
                !body.to_string().contains("kaboom"),
                "the panic message stays in the log: {body}"
            );
        }
    }
}
