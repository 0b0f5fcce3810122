//! The server's shared state: the current build, the last failure, and a
//! generation counter that open pages watch.
//!
//! A build is immutable and swapped whole (`Arc`), so a request sees one
//! consistent knowledge base from start to end, and a rebuild never waits
//! for requests. The locks are held only to clone an `Arc`.

use crate::build::Build;
use crate::Limits;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Shared by every handler.
pub(crate) struct AppState {
    pub limits: Limits,
    /// Rules mode: pages get the live-reload script and the error overlay.
    pub live: bool,
    current: RwLock<Option<Arc<Build>>>,
    failure: RwLock<Option<Arc<str>>>,
    /// Bumped after every build attempt, good or bad.
    generation: watch::Sender<u64>,
    /// Set once, when the server starts shutting down.
    shutdown: watch::Sender<bool>,
}

impl AppState {
    pub fn new(limits: Limits, live: bool) -> AppState {
        AppState {
            limits,
            live,
            current: RwLock::new(None),
            failure: RwLock::new(None),
            generation: watch::channel(0).0,
            shutdown: watch::channel(false).0,
        }
    }

    /// The last good build, if there was one.
    pub fn build(&self) -> Option<Arc<Build>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The text of the last build's failure, while it is not fixed.
    pub fn failure(&self) -> Option<Arc<str>> {
        self.failure
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    /// Watches the generation.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Installs a good build; clears the failure. Returns its generation.
    pub fn publish(&self, build: Build) -> u64 {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(build));
        *self.failure.write().unwrap_or_else(|e| e.into_inner()) = None;
        self.bump()
    }

    /// Records a failed build; the last good build keeps serving.
    pub fn fail(&self, text: String) -> u64 {
        *self.failure.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::from(text));
        self.bump()
    }

    fn bump(&self) -> u64 {
        let mut g = 0;
        self.generation.send_modify(|n| {
            *n += 1;
            g = *n;
        });
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
