//! Rebuilding on change: a file system watcher on the rules folder, a quiet
//! period (debounce) so that an editor's burst of writes makes one build,
//! and the build itself on a blocking thread so requests never wait for it.
//!
//! A good build replaces the current one; a failed build leaves it serving
//! and records the diagnostics for the overlay. Either way the generation
//! moves on, and open pages reload.

use crate::build;
use crate::state::AppState;
use crate::{Event, ServeError};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) type Events = Arc<dyn Fn(Event) + Send + Sync>;

/// Builds once and installs the result; reports it.
pub(crate) fn rebuild(state: &AppState, dir: &Path, theme: Option<&Path>, events: &Events) {
    let started = Instant::now();
    match build::from_rules(dir, theme) {
        Ok(b) => {
            let warnings = b.warnings.clone();
            let generation = state.publish(b);
            events(Event::Built {
                millis: started.elapsed().as_millis(),
                generation,
                warnings,
            });
        }
        Err(text) => {
            let generation = state.fail(text.clone());
            events(Event::Failed { text, generation });
        }
    }
}

/// Whether a file system event can change the build: reads (which the
/// build itself causes) cannot.
fn relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Watches `dir` and rebuilds after each burst of changes, once `debounce`
/// has passed without another. The watcher stops when the returned value is
/// dropped.
pub(crate) fn start(
    dir: PathBuf,
    theme: Option<PathBuf>,
    state: Arc<AppState>,
    debounce: Duration,
    events: Events,
) -> Result<notify::RecommendedWatcher, ServeError> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if res.is_ok_and(|ev| relevant(&ev.kind)) {
            let _ = tx.send(());
        }
    })
    .map_err(|e| ServeError::Watch {
        path: dir.clone(),
        message: e.to_string(),
    })?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(|e| ServeError::Watch {
            path: dir.clone(),
            message: e.to_string(),
        })?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Wait for a quiet period.
            loop {
                match tokio::time::timeout(debounce, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            let (state, dir, theme, events) =
                (state.clone(), dir.clone(), theme.clone(), events.clone());
            let _ = tokio::task::spawn_blocking(move || {
                rebuild(&state, &dir, theme.as_deref(), &events)
            })
            .await;
        }
    });
    Ok(watcher)
}
