//! The server's shared state: the current build, the last failure, and a
//! generation counter that open pages watch.
//!
//! All three live in one [`Snapshot`] swapped under one lock, so a request
//! that takes a snapshot sees a build, its failure and its generation that
//! belong together (a page never carries a generation older than its
//! content). A build is immutable and shared by `Arc`, so a request keeps
//! one consistent knowledge base from start to end and a rebuild never
//! waits for requests: the lock is held only to clone the snapshot.

use crate::build::Build;
use crate::Limits;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// What the server serves at one moment.
#[derive(Clone, Default)]
pub(crate) struct Snapshot {
    /// The last good build, if there was one.
    pub build: Option<Arc<Build>>,
    /// The text of the last build's failure, while it is not fixed.
    pub failure: Option<Arc<str>>,
    /// Bumped after every build attempt, good or bad.
    pub generation: u64,
}

/// Shared by every handler.
pub(crate) struct AppState {
    pub limits: Limits,
    /// Rules mode: pages get the live-reload script and the error overlay.
    pub live: bool,
    current: RwLock<Snapshot>,
    /// The generation, for event streams to wait on.
    generation: watch::Sender<u64>,
    /// Set once, when the server starts shutting down.
    shutdown: watch::Sender<bool>,
}

impl AppState {
    pub fn new(limits: Limits, live: bool) -> AppState {
        AppState {
            limits,
            live,
            current: RwLock::new(Snapshot::default()),
            generation: watch::channel(0).0,
            shutdown: watch::channel(false).0,
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The last good build, if there was one.
    pub fn build(&self) -> Option<Arc<Build>> {
        self.snapshot().build
    }

    /// Watches the generation.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Installs a good build and clears the failure; returns its generation.
    pub fn publish(&self, build: Build) -> u64 {
        self.update(|s| {
            s.build = Some(Arc::new(build));
            s.failure = None;
        })
    }

    /// Records a failed build (the last good build keeps serving); returns
    /// the attempt's generation.
    pub fn fail(&self, text: String) -> u64 {
        self.update(|s| s.failure = Some(Arc::from(text)))
    }

    fn update(&self, f: impl FnOnce(&mut Snapshot)) -> u64 {
        let g = {
            let mut s = self.current.write().unwrap_or_else(|e| e.into_inner());
            f(&mut s);
            s.generation += 1;
            s.generation
        };
        self.generation.send_replace(g);
        g
    }

    /// Tells long-lived responses (event streams) to end.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Watches for shutdown.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
