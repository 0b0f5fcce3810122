//! `kbc serve` through the real binary: each test starts the server on a
//! free loopback port (`--port 0`, address read from its first line) and
//! talks HTTP to it over plain TCP — raw bytes, so malformed requests are
//! as easy to send as good ones.

use crate::support::{kbc, root, transcript};
use serde_json::Value as J;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ the server

/// A running `kbc serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = kbc()
            .current_dir(root())
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kbc serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.strip_suffix('/'))
            .and_then(|a| a.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!(
                "kbc serve did not start: stdout {line:?}\n{}",
                stderr.lock().expect("lock")
            );
        };
        Server {
            child,
            addr,
            stderr,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    fn get(&self, path: &str) -> Response {
        self.raw(format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes())
    }

    fn post(&self, path: &str, body: &[u8]) -> Response {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        self.raw(&req)
    }

    /// Sends `bytes` as they are and reads the answer to the end.
    fn raw(&self, bytes: &[u8]) -> Response {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        // A server may answer before reading everything (an error): keep
        // going to read what it said.
        let _ = s.write_all(bytes);
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        Response::parse(&buf)
    }

    fn sigterm(&self) {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(ok.success());
    }

    /// Waits for the process to exit; `None` on timeout.
    fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(buf: &[u8]) -> Response {
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Response {
                status: 0,
                headers: Vec::new(),
                body: buf.to_vec(),
            };
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    fn json(&self) -> J {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an API error: status, JSON content type, code.
    fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        let j = self.json();
        assert_eq!(j["error"]["code"], code, "{j}");
        j["error"]["message"].as_str().expect("message").to_string()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..nl]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < nl + 2 + size {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[(nl + 4 + size).min(b.len())..];
    }
    out
}

/// Polls `f` until it holds or `limit` passes.
fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// A copy of the shipped rules in a temporary folder, to edit.
fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    copy_dir(&root().join("rules"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read rules") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// `kbc diagnose --json` for the same facts, from a facts file.
fn cli_diagnose(facts: &str, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("facts.json");
    std::fs::write(&file, facts).expect("write facts");
    let out = kbc()
        .current_dir(root())
        .args(["diagnose", "--json", "--facts"])
        .arg(&file)
        .args(extra)
        .output()
        .expect("run kbc diagnose");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    out.stdout
}

const CREDSSP: &str = r#"{"error_code": "0x904", "extended_code": "0x7", "domain_joined": true, "client_os": "windows11", "host_os": "server2019"}"#;

// ----------------------------------------------------------------- tests

#[test]
fn serve_health_facts_and_symptoms() {
    let s = Server::start(&["rules"]);
    let h = s.get("/api/health");
    assert_eq!(h.status, 200, "{}", h.text());
    let j = h.json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["last_build"], "ok");

    let f = s.get("/api/facts").json();
    let facts = f["facts"].as_array().expect("facts");
    assert_eq!(facts.len(), 14);
    let host = facts
        .iter()
        .find(|x| x["id"] == "host_os")
        .expect("host_os");
    assert_eq!(host["type"], "enum");
    assert!(host["question"].as_str().expect("question").ends_with('?'));
    assert!(host["values"]
        .as_array()
        .expect("values")
        .iter()
        .any(|v| v["id"] == "server2019" && v["label"] == "Windows Server 2019"));
    assert_eq!(f["message_fact"], "message");

    let sy = s.get("/api/symptoms").json();
    let main = sy["symptoms"]
        .as_array()
        .expect("symptoms")
        .iter()
        .find(|x| x["id"] == "rdp_0x904_0x7")
        .expect("0x904 / 0x7")
        .clone();
    assert_eq!(
        main["facts"],
        serde_json::json!({"error_code": "0x904", "extended_code": "0x7"})
    );
    let guide = main["guide"].as_str().expect("guide");
    assert_eq!(s.get(&format!("/{guide}")).status, 200);

    // The site: the index, the troubleshooter and their assets.
    let index = s.get("/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("troubleshoot.html"));
    assert!(index
        .header("content-security-policy")
        .is_some_and(|c| c.contains("script-src 'self'")));
    let ts = s.get("/troubleshoot.html");
    assert_eq!(ts.status, 200);
    assert!(ts.text().contains("assets/troubleshoot.js"));
    assert_eq!(s.get("/assets/troubleshoot.js").status, 200);
}

#[test]
fn serve_diagnose_is_byte_for_byte_kbc_diagnose_json() {
    let s = Server::start(&["rules"]);
    for facts in [
        CREDSSP,
        r#"{"error_code": 2308, "extended_code": 7}"#,
        r#"{"error_code": "0x904", "via_vpn": "yes", "fails_when": "intermittently", "message": "This computer can't connect to the remote computer"}"#,
        r#"{}"#,
    ] {
        let r = s.post("/api/diagnose", facts.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.text(),
            String::from_utf8_lossy(&cli_diagnose(facts, &[])),
            "for {facts}"
        );
    }
    // The envelope: facts, then the message, as --facts then --message.
    let r = s.post(
        "/api/diagnose",
        br#"{"facts": {"error_code": "0x904"}, "message": "An authentication error has occurred (CredSSP)"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let cli = cli_diagnose(
        r#"{"error_code": "0x904"}"#,
        &[
            "--message",
            "An authentication error has occurred (CredSSP)",
        ],
    );
    assert_eq!(r.text(), String::from_utf8_lossy(&cli));
    // "I don't know": the next question skips the fact, nothing else moves.
    let a = s.post("/api/diagnose", CREDSSP.as_bytes()).json();
    let q = a["next_question"]["fact"]
        .as_str()
        .expect("a question")
        .to_string();
    let b = s
        .post(
            "/api/diagnose",
            format!(r#"{{"facts": {CREDSSP}, "skip": ["{q}"]}}"#).as_bytes(),
        )
        .json();
    assert_eq!(a["causes"], b["causes"]);
    assert_ne!(b["next_question"]["fact"].as_str(), Some(q.as_str()));
}

#[test]
fn serve_errors_are_json_with_the_cli_messages_and_status_codes() {
    let s = Server::start(&["rules", "--max-facts", "4", "--max-message", "100"]);
    let msg = s
        .post("/api/diagnose", br#"{"domain_joind": true}"#)
        .error(422, "unknown_fact");
    // The same sentence as the CLI's `error:` line.
    let cli = kbc()
        .current_dir(root())
        .args(["diagnose", "--fact", "domain_joind=true"])
        .output()
        .expect("run");
    let first = String::from_utf8_lossy(&cli.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(first, format!("error: {msg}"));
    let r = s.post("/api/diagnose", br#"{"domain_joind": true}"#).json();
    assert!(r["error"]["help"]
        .as_str()
        .is_some_and(|h| h.starts_with("the facts are error_code")));

    let m = s
        .post("/api/diagnose", br#"{"host_os": "server2109"}"#)
        .error(422, "bad_value");
    assert_eq!(
        m,
        "`server2109` is not a value of `host_os`; expected one of windows10, windows11, server2012r2, server2016, server2019, server2022; did you mean `server2019`?"
    );
    s.post("/api/diagnose", br#"{"error_code": "nine"}"#)
        .error(422, "bad_value");
    let m = s
        .post("/api/diagnose", b"{\"error_code\": ")
        .error(400, "bad_json");
    assert!(m.starts_with("the request body is not valid JSON"), "{m}");
    s.post("/api/diagnose", b"").error(400, "bad_json");
    let m = s.post("/api/diagnose", b"[1, 2]").error(400, "bad_request");
    assert_eq!(
        m,
        "facts must be a JSON object of `name: value`, not a JSON array"
    );
    s.post("/api/diagnose", br#"{"facts": {}, "extra": 1}"#)
        .error(400, "bad_request");
    s.post("/api/diagnose", br#"{"facts": {}, "skip": ["nope"]}"#)
        .error(422, "unknown_fact");
    s.post(
        "/api/diagnose",
        br#"{"ping_ok": 1, "via_vpn": 0, "host_is_vm": 1, "via_gateway": 0, "recent_upgrade": 1}"#,
    )
    .error(413, "too_many_facts");
    let long = format!(r#"{{"facts": {{}}, "message": "{}"}}"#, "x".repeat(101));
    s.post("/api/diagnose", long.as_bytes())
        .error(413, "message_too_long");

    let r = s.get("/api/diagnose");
    r.error(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("POST"));
    let r = s.post("/api/health", b"{}");
    r.error(405, "method_not_allowed");
    s.get("/api/nothing-here").error(404, "not_found");
    s.get("/api").error(404, "not_found");
    let r = s.post("/index.html", b"{}");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    assert_eq!(s.get("/no-such-page.html").status, 404);
}

#[test]
fn serve_refuses_bodies_over_the_limit() {
    let s = Server::start(&["rules", "--max-body", "4096"]);
    // 10 MB declared and sent: read, thrown away, answered 413.
    let big = vec![b' '; 10 << 20];
    s.post("/api/diagnose", &big).error(413, "body_too_large");
    // Chunked, no length given: cut off at the limit.
    let mut req = b"POST /api/diagnose HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..4 {
        req.extend_from_slice(b"800\r\n");
        req.extend_from_slice(&[b' '; 0x800]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    s.raw(&req).error(413, "body_too_large");
    // Just under the limit is fine.
    let mut ok = CREDSSP.as_bytes().to_vec();
    ok.resize(4000, b' ');
    assert_eq!(s.post("/api/diagnose", &ok).status, 200);
}

#[test]
fn serve_never_serves_a_path_outside_the_site() {
    let s = Server::start(&["rules"]);
    for path in [
        "/../../etc/passwd",
        "/../../../../../../etc/passwd",
        "/guides/../../../etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/assets/..\\..\\..\\etc\\passwd",
        "/./../Cargo.toml",
        "/../Cargo.toml",
        "/../rules/facts.kb",
        "/facts.kb",
        "/%00/etc/passwd",
    ] {
        let r = s
            .raw(format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(
            r.status == 404 || r.status == 400,
            "{path}: {} {}",
            r.status,
            r.text()
        );
        let t = r.text();
        assert!(
            !t.contains("root:") && !t.contains("[workspace]") && !t.contains("fact "),
            "{path} leaked: {t}"
        );
    }
    // Absolute-form request targets too.
    let r =
        s.raw(b"GET http://t/../../etc/passwd HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(r.status == 404 || r.status == 400, "{}", r.status);
    assert_eq!(s.get("/guides/../index.html").status, 404);
    assert_eq!(s.get("/index.html").status, 200);
}

#[test]
fn serve_rebuilds_on_change_and_shows_errors_over_the_last_good_build() {
    let rules = rules_copy();
    let dir = rules.path().to_str().expect("utf-8 path").to_string();
    let s = Server::start(&[&dir]);
    let page = "/fixes/install_credssp_updates.html";
    let first = s.get(page).text();
    assert!(first.contains("Install current updates on both computers"));
    assert!(first.contains("/__kbc/live.js"), "the live-reload script");
    let g1 = s.get("/api/health").json()["generation"]
        .as_u64()
        .expect("gen");

    // Edit a rule: the page changes by itself.
    let fixes = rules.path().join("fixes/authentication.kb");
    let text = std::fs::read_to_string(&fixes).expect("read");
    assert!(text.contains("\"Install current updates on both computers\""));
    std::fs::write(
        &fixes,
        text.replace(
            "\"Install current updates on both computers\"",
            "\"Install current updates on both computers <now>\"",
        ),
    )
    .expect("write");
    assert!(
        eventually(Duration::from_secs(20), || s
            .get(page)
            .text()
            .contains("both computers &lt;now&gt;")),
        "the page did not change:\n{}",
        s.stderr()
    );
    let g2 = s.get("/api/health").json()["generation"]
        .as_u64()
        .expect("gen");
    assert!(g2 > g1);

    // Break a rule: an overlay with the diagnostics, HTML-escaped; the
    // last good build still serves the page and the API.
    let facts = rules.path().join("facts.kb");
    let good = std::fs::read_to_string(&facts).expect("read");
    std::fs::write(&facts, format!("{good}\nfact <b>broken: nope\n")).expect("write");
    assert!(
        eventually(Duration::from_secs(20), || s
            .get(page)
            .text()
            .contains("kbc-live-overlay")),
        "no overlay:\n{}",
        s.stderr()
    );
    let broken = s.get(page).text();
    assert!(
        broken.contains("both computers &lt;now&gt;"),
        "the last good build"
    );
    assert!(broken.contains("facts.kb"), "the overlay names the file");
    assert!(
        broken.contains("&lt;b&gt;broken"),
        "the overlay escapes the rule text"
    );
    assert!(!broken.contains("<b>broken"));
    let health = s.get("/api/health").json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["last_build"], "failed");
    let d = s.post("/api/diagnose", CREDSSP.as_bytes());
    assert_eq!(d.status, 200);
    assert_eq!(d.json()["causes"][0]["id"], "credssp_oracle_mismatch");
    // The same text as `kbc check`.
    let check = kbc()
        .args(["check"])
        .arg(rules.path())
        .output()
        .expect("run");
    let check_text = String::from_utf8_lossy(&check.stderr).to_string();
    let first_line = check_text.lines().next().expect("a line");
    let escaped = first_line
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(broken.contains(&escaped), "{first_line}");

    // Fix it: the overlay goes.
    std::fs::write(&facts, good).expect("write");
    assert!(eventually(Duration::from_secs(20), || !s
        .get(page)
        .text()
        .contains("kbc-live-overlay")));
    assert_eq!(s.get("/api/health").json()["last_build"], "ok");
}

#[test]
fn serve_starts_on_broken_rules_and_recovers() {
    let rules = rules_copy();
    let facts = rules.path().join("facts.kb");
    let good = std::fs::read_to_string(&facts).expect("read");
    std::fs::write(&facts, format!("{good}\nfact broken\n")).expect("write");
    let dir = rules.path().to_str().expect("utf-8 path").to_string();
    let s = Server::start(&[&dir]);
    // Nothing to answer from yet: 503, and the overlay on the index.
    let h = s.get("/api/health");
    assert_eq!(h.status, 503, "{}", h.text());
    s.post("/api/diagnose", CREDSSP.as_bytes())
        .error(503, "no_build");
    s.get("/api/facts").error(503, "no_build");
    let index = s.get("/");
    assert_eq!(index.status, 200);
    assert!(index.text().contains("kbc-live-overlay"));
    assert!(s.stderr().contains("facts.kb"), "{}", s.stderr());
    // Fixed: everything answers.
    std::fs::write(&facts, good).expect("write");
    assert!(eventually(Duration::from_secs(20), || s
        .get("/api/health")
        .status
        == 200));
    assert_eq!(s.post("/api/diagnose", CREDSSP.as_bytes()).status, 200);
    assert!(!s.get("/").text().contains("kbc-live-overlay"));
}

#[test]
fn serve_live_events_announce_each_build() {
    let rules = rules_copy();
    let dir = rules.path().to_str().expect("utf-8 path").to_string();
    let s = Server::start(&[&dir]);
    let mut c = TcpStream::connect(s.addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(20))).ok();
    c.write_all(b"GET /__kbc/events HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    let mut seen = String::new();
    let read_until = |c: &mut TcpStream, seen: &mut String, what: &str| {
        let end = Instant::now() + Duration::from_secs(20);
        let mut buf = [0u8; 1024];
        while !seen.contains(what) && Instant::now() < end {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        seen.contains(what)
    };
    assert!(read_until(&mut c, &mut seen, "data: 1\n"), "{seen}");
    assert!(seen.contains("text/event-stream"));
    let f = rules.path().join("rules_touch.kb");
    std::fs::write(&f, "# a new, empty rule file\n").expect("write");
    assert!(read_until(&mut c, &mut seen, "data: 2\n"), "{seen}");
}

#[test]
fn serve_kb_serves_a_compiled_artifact_read_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let input = kbc_compiler::load_dir(&root().join("rules")).expect("load");
    let model = kbc_compiler::check(&input).model.expect("check");
    let files = kbc_compiler::emit::artifact_files(&model).expect("emit");
    let kb = dir.path().join("kb.kbc");
    std::fs::write(&kb, &files[0].1).expect("write");
    let kb = kb.to_str().expect("utf-8").to_string();
    let s = Server::start(&["--kb", &kb]);
    assert_eq!(s.get("/api/health").json()["status"], "ok");
    let r = s.post("/api/diagnose", CREDSSP.as_bytes());
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        String::from_utf8_lossy(&cli_diagnose(CREDSSP, &["--kb", &kb]))
    );
    let index = s.get("/index.html");
    assert_eq!(index.status, 200);
    assert!(
        !index.text().contains("__kbc"),
        "no live reload for an artifact"
    );
    assert_eq!(s.get("/troubleshoot.html").status, 200);
    assert_eq!(s.get("/__kbc/events").status, 404);

    // A damaged artifact is refused as the CLI refuses it.
    let bad = dir.path().join("bad.kbc");
    std::fs::write(&bad, b"not an artifact").expect("write");
    let out = kbc()
        .args(["serve", "--port", "0", "--kb"])
        .arg(&bad)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a kbc artifact"));
}

#[test]
fn serve_usage_errors_exit_2() {
    let out = kbc()
        .current_dir(root())
        .args(["serve", "no-such-folder", "--port", "0"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`no-such-folder` is not a knowledge base folder"));
    let out = kbc()
        .current_dir(root())
        .args(["serve", "rules", "--port", "0", "--cors", "not an origin"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    // A port in use.
    let s = Server::start(&["rules"]);
    let out = kbc()
        .current_dir(root())
        .args(["serve", "rules", "--port", &s.addr.port().to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
}

#[test]
fn serve_cors_is_off_unless_asked_for() {
    let origin = "Origin: https://portal.example.com\r\n";
    let s = Server::start(&["rules"]);
    let r = s.raw(
        format!("GET /api/health HTTP/1.1\r\nHost: t\r\n{origin}Connection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    drop(s);
    let s = Server::start(&["rules", "--cors", "https://portal.example.com"]);
    let r = s.raw(format!("OPTIONS /api/diagnose HTTP/1.1\r\nHost: t\r\n{origin}Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n").as_bytes());
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://portal.example.com")
    );
    let r = s.raw(
        format!("GET /api/health HTTP/1.1\r\nHost: t\r\n{origin}Connection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://portal.example.com")
    );
    // Another origin is never echoed: its browser refuses the answer.
    let r = s.raw(b"GET /api/health HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\nConnection: close\r\n\r\n");
    assert_ne!(
        r.header("access-control-allow-origin"),
        Some("https://evil.example")
    );
}

#[test]
fn serve_holds_connections_to_the_limit_and_frees_idle_ones() {
    let s = Server::start(&["rules", "--max-connections", "2", "--header-timeout", "800"]);
    // Two connections that say nothing take both places...
    let a = TcpStream::connect(s.addr).expect("connect");
    let b = TcpStream::connect(s.addr).expect("connect");
    std::thread::sleep(Duration::from_millis(100));
    // ...so a third waits in the listen queue, and is served once the
    // header timeout has closed them.
    let started = Instant::now();
    let r = s.get("/api/health");
    let waited = started.elapsed();
    assert_eq!(r.status, 200);
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(5),
        "served after {waited:?}"
    );
    drop((a, b));
}

#[test]
fn serve_stops_gracefully_on_sigterm() {
    let mut s = Server::start(&["rules"]);
    // An open live-reload stream and an idle keep-alive connection must
    // not hold the shutdown up.
    let mut events = TcpStream::connect(s.addr).expect("connect");
    events
        .write_all(b"GET /__kbc/events HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    events.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut buf = [0u8; 512];
    let n = events.read(&mut buf).expect("first event");
    assert!(n > 0);
    let mut idle = TcpStream::connect(s.addr).expect("connect");
    idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("send");
    let _ = idle.read(&mut buf);
    let started = Instant::now();
    s.sigterm();
    let status = s
        .wait(Duration::from_secs(15))
        .expect("exited after SIGTERM");
    assert!(status.success(), "exit {status:?}\n{}", s.stderr());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(s.stderr().contains("shutting down"));
    // The stream was ended, not cut: reading reaches the end.
    let mut rest = Vec::new();
    let _ = events.read_to_end(&mut rest);
    assert!(TcpStream::connect(s.addr).is_err(), "still accepting");
}

#[test]
fn serve_answers_malformed_requests_right_under_concurrency() {
    let s = Arc::new(Server::start(&[
        "rules",
        "--max-body",
        "65536",
        "--header-timeout",
        "700",
    ]));
    let expected = cli_diagnose(CREDSSP, &[]);

    // Slow clients: headers one byte at a time, never finished. They are
    // cut off after the header timeout, and meanwhile others are served.
    let slow: Vec<_> = (0..8)
        .map(|_| {
            let addr = s.addr;
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(addr).expect("connect");
                c.set_read_timeout(Some(Duration::from_secs(10))).ok();
                let started = Instant::now();
                for b in b"GET /index.html HTTP/1.1\r\nHost: t\r\nX-Slow: "
                    .iter()
                    .cycle()
                    .take(400)
                {
                    if c.write_all(&[*b]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(25));
                    if started.elapsed() > Duration::from_secs(8) {
                        break;
                    }
                }
                let mut buf = Vec::new();
                let _ = c.read_to_end(&mut buf);
                started.elapsed()
            })
        })
        .collect();

    let workers: Vec<_> = (0..16)
        .map(|i| {
            let s = s.clone();
            let expected = expected.clone();
            std::thread::spawn(move || {
                let mut worst = Duration::ZERO;
                for round in 0..10 {
                    let t = Instant::now();
                    match (i + round) % 6 {
                        0 => {
                            let r = s.post("/api/diagnose", CREDSSP.as_bytes());
                            assert_eq!(r.status, 200);
                            assert_eq!(r.body, expected);
                        }
                        1 => {
                            s.post("/api/diagnose", b"{bad json").error(400, "bad_json");
                        }
                        2 => {
                            s.post("/api/diagnose", br#"{"hostos": "x"}"#)
                                .error(422, "unknown_fact");
                        }
                        3 => {
                            let r = s.get("/../../etc/passwd");
                            assert_eq!(r.status, 404);
                        }
                        4 => {
                            s.post("/api/diagnose", &vec![b' '; 200_000])
                                .error(413, "body_too_large");
                        }
                        _ => {
                            assert_eq!(s.get("/api/health").status, 200);
                        }
                    }
                    worst = worst.max(t.elapsed());
                }
                worst
            })
        })
        .collect();
    let worst = workers
        .into_iter()
        .map(|w| w.join().expect("worker"))
        .max()
        .unwrap_or_default();
    assert!(worst < Duration::from_secs(5), "a request took {worst:?}");
    for t in slow {
        let took = t.join().expect("slow client");
        assert!(
            took < Duration::from_secs(5),
            "a slow client was kept {took:?}"
        );
    }
}
