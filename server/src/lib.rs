//! `kbc serve`: the knowledge base over HTTP.
//!
//! One process, three jobs, because authors, portals and end users all want
//! the same compiled knowledge base and nothing else:
//!
//! - **live preview** for authors: the HTML site rendered in memory (the
//!   user's `generated-docs/` is never written), rebuilt whenever a file
//!   under the rules folder changes, open pages reloaded over server-sent
//!   events; a rule error shows as an overlay with the `kbc check` text while
//!   the last good build keeps serving;
//! - **a diagnosis API** for portals: `POST /api/diagnose` answers exactly the
//!   `kbc diagnose --json` document, `GET /api/facts` the vocabulary,
//!   `GET /api/symptoms` the symptoms with the facts that pick each,
//!   `GET /api/health`; errors are `{"error": {"code", "message"}}` with the
//!   CLI's messages;
//! - **the troubleshooter page** of the generated site, which asks the
//!   matcher's next question through that API.
//!
//! With [`Source::Artifact`] (`kbc serve --kb FILE`) it serves a compiled
//! artifact read-only, for deployment: nothing is watched or rebuilt, the
//! state never changes, so any number of replicas behind a load balancer
//! answer alike (docs/SERVE.md).
//!
//! ```text
//! rules/ ──notify──► watch (debounce) ──► build::compile (check, lower, render in memory)
//!                                              │ Arc<Build> swapped in, generation + 1
//!   TCP ──► net (connection limit, header timeout, graceful shutdown)
//!        ──► routes: api (diagnose, facts, symptoms, health) · site (pages, live reload)
//! ```
//!
//! **Why its own accept loop:** axum's `serve` sets neither a connection
//! limit nor a header read timeout; slow clients and floods of connections
//! are exactly what a server on a support portal meets, so `net` drives
//! hyper itself with both, and routes with axum.
//!
//! The matcher's work for one request is microseconds of CPU, so handlers
//! run it inline on the async workers; moving it to `spawn_blocking` would
//! cost more than it saves (measured in tests/load, docs/SERVE.md).

mod api;
mod build;
mod net;
mod site;
mod state;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What to serve.
#[derive(Debug, Clone)]
pub enum Source {
    /// A knowledge base folder: compiled and rendered in memory, rebuilt on
    /// every change.
    Rules(PathBuf),
    /// A compiled artifact (`kb.kbc`): served read-only, never rebuilt.
    Artifact(PathBuf),
}

/// The limits every request and connection is held to.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Most facts in one diagnosis request (413 above).
    pub max_facts: usize,
    /// Most bytes of message text in one request: the `message` field and
    /// strings given to text facts (413 above). A `log` is bounded by the
    /// body size only.
    pub max_message_bytes: usize,
    /// Most connections open at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Longest a request may take, body upload included (408 after).
    pub request_timeout: Duration,
    /// Longest a client may take to send a request's headers; slower
    /// connections are closed.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_facts: 64,
            max_message_bytes: 64 << 10,
            max_connections: 4096,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(5),
        }
    }
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to serve.
    pub source: Source,
    /// A theme folder overriding the default theme's files (as `kbc build
    /// --theme`).
    pub theme: Option<PathBuf>,
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The one origin allowed to call the API from a browser; no CORS
    /// headers at all when `None`.
    pub cors: Option<String>,
    /// Request and connection limits.
    pub limits: Limits,
    /// How long the rules folder must be quiet before a rebuild.
    pub debounce: Duration,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be bound.
    #[error("cannot listen on `{addr}`: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The artifact or the theme could not be loaded.
    #[error("{0}")]
    Load(String),
    /// The rules folder could not be watched.
    #[error("cannot watch `{}` for changes: {message}", path.display())]
    Watch {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
    /// `--cors` is not a valid origin.
    #[error(
        "`{0}` is not a valid origin for `--cors`; give one such as `https://portal.example.com`"
    )]
    BadOrigin(String),
}

/// What the server reports while it runs (the CLI prints it).
#[derive(Debug, Clone)]
pub enum Event {
    /// Listening; the first event.
    Listening(SocketAddr),
    /// A build succeeded (rules mode), in this many milliseconds.
    Built {
        /// Wall time of check, compile and render.
        millis: u128,
        /// Which build this is, from 1.
        generation: u64,
        /// The check's warnings as `kbc check` prints them (no colour);
        /// empty when there are none.
        warnings: String,
    },
    /// A build failed; the last good build, if any, keeps serving.
    Failed {
        /// The diagnostics as `kbc check` prints them (no colour), or the
        /// load or render error.
        text: String,
        /// Which build attempt this was.
        generation: u64,
    },
    /// Shutting down (a signal arrived).
    ShuttingDown,
}

/// Runs the server until SIGTERM or Ctrl-C, reporting to `events`.
/// Blocks; builds its own multi-threaded async runtime.
pub fn run(
    opts: Options,
    events: impl Fn(Event) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("kbc-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    rt.block_on(net::serve(opts, std::sync::Arc::new(events)))
}
