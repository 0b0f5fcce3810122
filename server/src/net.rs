//! The network side: routes, limits, the accept loop, graceful shutdown.
//!
//! - **Connections:** at most `max_connections` at once (a semaphore taken
//!   before `accept`, so more clients wait in the kernel's listen queue and
//!   none is refused); `TCP_NODELAY`; HTTP/1.1 with keep-alive.
//! - **Slow clients:** a client must send a request's headers within
//!   `header_timeout` (hyper closes it otherwise), and headers are capped at
//!   64 KiB; the whole request, body upload included, must finish within
//!   `request_timeout` (408 otherwise).
//! - **Shutdown:** on SIGTERM or Ctrl-C, stop accepting, end the live-reload
//!   streams, let requests in flight finish (up to 10 s), then return.

use crate::api::{self, ApiError};
use crate::state::AppState;
use crate::watch::{self, Events};
use crate::{build, site, Event, Options, ServeError, Source};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch as tokio_watch, Semaphore};

/// How long requests in flight may take to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(10);

/// Largest request head (request line and headers).
const MAX_HEAD_BYTES: usize = 64 << 10;

async fn timeout(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let limit = st.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {} ms to arrive and be answered",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

async fn method_not_allowed(req: Request) -> Response {
    let allow = if req.uri().path() == "/api/diagnose" {
        "POST"
    } else {
        "GET, HEAD"
    };
    let mut r = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "`{}` is not allowed on `{}`; use {allow}",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

fn cors_layer(origin: &str) -> Result<tower_http::cors::CorsLayer, ServeError> {
    let bad = || ServeError::BadOrigin(origin.to_string());
    let (scheme, rest) = origin.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https")
        || rest.is_empty()
        || rest.contains('/')
        || rest.contains(char::is_whitespace)
    {
        return Err(bad());
    }
    let value = HeaderValue::from_str(origin).map_err(|_| bad())?;
    Ok(tower_http::cors::CorsLayer::new()
        .allow_origin(value)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600)))
}

/// Every route, with the timeout and, if asked for, CORS.
fn routes(state: Arc<AppState>, cors: Option<&str>) -> Result<Router, ServeError> {
    let mut app = Router::new()
        .route("/api/health", get(api::health))
        .route("/api/facts", get(api::facts))
        .route("/api/symptoms", get(api::symptoms))
        .route("/api/diagnose", post(api::diagnose))
        .route("/api", any(api::not_found))
        .route("/api/", any(api::not_found))
        .route("/api/{*rest}", any(api::not_found));
    if state.live {
        app = app
            .route("/__kbc/live.js", get(site::live_js))
            .route("/__kbc/live.css", get(site::live_css))
            .route("/__kbc/events", get(site::events));
    }
    let mut app = app
        .fallback(site::page)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), timeout))
        .with_state(state);
    if let Some(origin) = cors {
        app = app.layer(cors_layer(origin)?);
    }
    Ok(app)
}

/// Resolves on SIGTERM or Ctrl-C.
async fn signalled() {
    let ctrl_c = std::pin::pin!(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    #[cfg(unix)]
    {
        let term = std::pin::pin!(async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        });
        futures_util::future::select(ctrl_c, term).await;
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Runs `fut` unless `stop` turns true first.
async fn or_stop<T>(
    fut: impl Future<Output = T>,
    stop: &mut tokio_watch::Receiver<bool>,
) -> Option<T> {
    let fut = std::pin::pin!(fut);
    let stopped = std::pin::pin!(stop.wait_for(|s| *s));
    match futures_util::future::select(fut, stopped).await {
        futures_util::future::Either::Left((v, _)) => Some(v),
        futures_util::future::Either::Right(_) => None,
    }
}

/// Builds, binds, serves until a signal; see the module docs.
pub(crate) async fn serve(opts: Options, events: Events) -> Result<(), ServeError> {
    let live = matches!(opts.source, Source::Rules(_));
    let state = Arc::new(AppState::new(opts.limits.clone(), live));
    let theme = opts.theme.clone();
    let _watcher = match &opts.source {
        Source::Artifact(path) => {
            let b = build::from_artifact(path, theme.as_deref()).map_err(ServeError::Load)?;
            state.publish(b);
            None
        }
        Source::Rules(dir) => {
            let (st, d, t, ev) = (state.clone(), dir.clone(), theme.clone(), events.clone());
            let _ = tokio::task::spawn_blocking(move || watch::rebuild(&st, &d, t.as_deref(), &ev))
                .await;
            Some(watch::start(
                dir.clone(),
                theme.clone(),
                state.clone(),
                opts.debounce,
                events.clone(),
            )?)
        }
    };
    let app = routes(state.clone(), opts.cors.as_deref())?;
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: opts.addr,
        source,
    })?;
    events(Event::Listening(addr));

    let (stop_tx, mut stop) = tokio_watch::channel(false);
    tokio::spawn(async move {
        signalled().await;
        stop_tx.send_replace(true);
    });

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(opts.limits.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(opts.limits.max_connections.max(1)));
    loop {
        let Some(Ok(permit)) = or_stop(slots.clone().acquire_owned(), &mut stop).await else {
            break;
        };
        let Some(accepted) = or_stop(listener.accept(), &mut stop).await else {
            break;
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors or a connection reset before
                // accept: back off briefly, keep serving.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let conn =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    events(Event::ShuttingDown);
    state.begin_shutdown();
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
    Ok(())
}
