//! The HTML site: pages of the current build from memory, and in rules
//! mode the live-reload machinery.
//!
//! A path is looked up in the build's map of rendered files and nothing
//! else: no file system path is ever formed from a request, so no request
//! can reach a file outside the site (`/../../etc/passwd` is simply not a
//! key). Paths with `..`, backslashes or control characters are refused
//! before the lookup all the same.
//!
//! Live reload: HTML pages get, before `</body>`, a stylesheet and a script
//! from `/__kbc/` (no inline script, so a strict Content-Security-Policy
//! holds) carrying the page's build generation; the script listens to
//! `/__kbc/events` (server-sent events) and reloads when the generation
//! changes. While the last build failed, pages also get an overlay with the
//! diagnostics, HTML-escaped, over the last good build.

use crate::build::{content_type, Asset};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use futures_util::stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

const LIVE_JS: &str = include_str!("../assets/live.js");
const LIVE_CSS: &str = include_str!("../assets/live.css");

/// Pages may load scripts, styles and data only from this server: no
/// inline script or handler runs, nothing comes from the network.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How often an idle event stream says it is alive (so proxies and dead
/// peers are noticed).
const KEEPALIVE: Duration = Duration::from_secs(15);

fn respond(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if content_type.starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    r
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn not_found_page() -> Response {
    respond(
        StatusCode::NOT_FOUND,
        "text/html; charset=utf-8",
        Body::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body><h1>Not found</h1><p>There is no such page. <a href=\"/index.html\">All guides</a>.</p></body></html>\n",
        ),
    )
}

/// The site path a request path names: no leading `/`, `index.html` for a
/// folder; `None` for anything that is not a plain relative path.
fn site_path(uri_path: &str) -> Option<String> {
    let p = uri_path.strip_prefix('/')?;
    if p.split('/').any(|seg| seg == ".." || seg == ".")
        || p.contains('\\')
        || p.starts_with('/')
        || p.contains("//")
        || p.chars().any(char::is_control)
        || p.contains('%')
    {
        return None;
    }
    if p.is_empty() || p.ends_with('/') {
        Some(format!("{p}index.html"))
    } else {
        Some(p.to_string())
    }
}

/// The live-reload tags and, after a failed build, the overlay.
fn live_snippet(generation: u64, failure: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(text) = failure {
        s.push_str(
            "<div class=\"kbc-live-overlay\" id=\"kbc-live-overlay\" role=\"alertdialog\" aria-labelledby=\"kbc-live-title\">\n<div class=\"kbc-live-box\">\n<h2 id=\"kbc-live-title\">The knowledge base has errors</h2>\n<p>This page shows the last good build. Fix the rules and it reloads by itself.</p>\n<pre class=\"kbc-live-diagnostics\">",
        );
        s.push_str(&escape_html(text));
        s.push_str("</pre>\n<button type=\"button\" class=\"kbc-live-close\" id=\"kbc-live-close\">Hide</button>\n</div>\n</div>\n");
    }
    s.push_str("<link rel=\"stylesheet\" href=\"/__kbc/live.css\">\n");
    s.push_str(&format!(
        "<script src=\"/__kbc/live.js\" data-generation=\"{generation}\"></script>\n"
    ));
    s
}

fn inject(page: &[u8], snippet: &str) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + snippet.len());
    out.extend_from_slice(page.get(..at).unwrap_or(page));
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(page.get(at..).unwrap_or_default());
    out
}

/// Every path that is not the API: the site's files (GET and HEAD).
pub(crate) async fn page(State(st): State<Arc<AppState>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            Body::from("method not allowed: the site is read with GET\n"),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let head = req.method() == Method::HEAD;
    let Some(path) = site_path(req.uri().path()) else {
        return not_found_page();
    };
    let snap = st.snapshot();
    let build = &snap.build;
    let failure = if st.live { snap.failure.clone() } else { None };
    let asset: Option<Asset> = build.as_ref().and_then(|b| b.site.get(&path).cloned());
    let asset = match asset {
        Some(a) => a,
        None if build.is_none() && path == "index.html" => Asset {
            bytes: Bytes::from_static(
                b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kbc serve</title></head>\n<body><h1>No build yet</h1></body></html>\n",
            ),
            content_type: content_type(&path),
        },
        // Browsers ask for an icon the site does not have: say "nothing"
        // rather than log a 404 on every page.
        None if path == "favicon.ico" => {
            return respond(StatusCode::NO_CONTENT, "image/x-icon", Body::empty())
        }
        None => return not_found_page(),
    };
    let bytes = if st.live && asset.content_type.starts_with("text/html") {
        Bytes::from(inject(
            &asset.bytes,
            &live_snippet(snap.generation, failure.as_deref()),
        ))
    } else {
        asset.bytes
    };
    let len = bytes.len();
    let mut r = respond(
        StatusCode::OK,
        asset.content_type,
        if head {
            Body::empty()
        } else {
            Body::from(bytes)
        },
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// `/__kbc/live.js`.
pub(crate) async fn live_js() -> Response {
    respond(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        Body::from(LIVE_JS),
    )
}

/// `/__kbc/live.css`.
pub(crate) async fn live_css() -> Response {
    respond(
        StatusCode::OK,
        "text/css; charset=utf-8",
        Body::from(LIVE_CSS),
    )
}

/// `/__kbc/events`: a server-sent event `generation` now and after every
/// build attempt, a comment every [`KEEPALIVE`]; ends at shutdown.
pub(crate) async fn events(State(st): State<Arc<AppState>>) -> Response {
    let mut gen_rx = st.subscribe();
    // The generation pages were rendered with: the snapshot's, which the
    // watch channel may trail by an instant.
    let now = (*gen_rx.borrow_and_update()).max(st.snapshot().generation);
    let stop = st.shutdown_signal();
    let s = stream::unfold(
        (gen_rx, stop, true),
        move |(mut gen_rx, mut stop, first)| async move {
            if first {
                let g = now;
                let frame = Bytes::from(format!("retry: 1000\nevent: generation\ndata: {g}\n\n"));
                return Some((Ok::<_, Infallible>(frame), (gen_rx, stop, false)));
            }
            if *stop.borrow() {
                return None;
            }
            // What happened first: a new generation (`Some(true)`), a quiet
            // keep-alive period (`None`), or the end (`Some(false)`).
            let outcome = {
                let changed = std::pin::pin!(gen_rx.changed());
                let stopped = std::pin::pin!(stop.changed());
                let either = futures_util::future::select(changed, stopped);
                match tokio::time::timeout(KEEPALIVE, either).await {
                    Err(_) => None,
                    Ok(futures_util::future::Either::Left((Ok(()), _))) => Some(true),
                    Ok(_) => Some(false),
                }
            };
            match outcome {
                None => Some((
                    Ok(Bytes::from_static(b": alive\n\n")),
                    (gen_rx, stop, false),
                )),
                Some(true) => {
                    let g = *gen_rx.borrow_and_update();
                    let frame = Bytes::from(format!("event: generation\ndata: {g}\n\n"));
                    Some((Ok(frame), (gen_rx, stop, false)))
                }
                // The state is gone or shutdown began.
                Some(false) => None,
            }
        },
    );
    let mut r = respond(StatusCode::OK, "text/event-stream", Body::from_stream(s));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn only_plain_relative_paths_name_site_files() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/guides/").as_deref(), Some("guides/index.html"));
        assert_eq!(site_path("/fixes/a.html").as_deref(), Some("fixes/a.html"));
        for bad in [
            "/../../etc/passwd",
            "/guides/../../x",
            "/./index.html",
            "/a\\b",
            "//etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a\u{0}b",
            "relative",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_overlay_escapes_the_diagnostics() {
        let s = live_snippet(3, Some("error: `<script>` & \"x\""));
        assert!(s.contains("error: `&lt;script&gt;` &amp; &quot;x&quot;"));
        assert!(!s.contains("<script>`"));
        assert!(s.contains("data-generation=\"3\""));
    }

    #[test]
    fn the_snippet_goes_before_the_last_body_end() {
        let out = inject(b"<html><body>x</body></html>", "S");
        assert_eq!(out, b"<html><body>xS</body></html>");
        assert_eq!(inject(b"no body", "S"), b"no bodyS");
    }
}
