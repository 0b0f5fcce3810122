//! Load test client for `kbc serve` (tests/load/run.sh starts the server
//! and runs this). Three phases, each bounded in time (`--seconds`) and in
//! requests (`--max-requests`):
//!
//! 1. **saturation:** `--connections` keep-alive connections send
//!    `POST /api/diagnose` back to back: the most requests per second.
//! 2. **paced:** the same connections send `--rate` requests per second
//!    in all, latency counted from when each request was due: the latency
//!    of normal traffic.
//! 3. **paced under abuse:** the same, while `--abusers` more connections
//!    (1,000 by default) each send, every `--abuse-interval-ms`, one of:
//!    bad JSON (400), an unknown fact (422), a bad value (422),
//!    `/../../etc/passwd` and its percent-encoded twin (404), a GET on the
//!    POST endpoint (405), an unknown endpoint (404); `--big-bodies` clients
//!    send 10 MB bodies (413); `--slow-clients` trickle request headers a
//!    byte every 100 ms (the server must hang up on them).
//!
//! Every normal answer must be 200 and the same bytes; every abusive one
//! must carry the status and error code its request deserves.
//!
//! ```text
//! cargo run --release -p kbc-server --example load -- --addr 127.0.0.1:8690
//! ```
//!
//! Exit 1 if any answer was wrong or any normal request failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const FACTS: &str = r#"{"error_code": "0x904", "extended_code": "0x7", "domain_joined": true, "client_os": "windows11", "host_os": "server2019"}"#;

struct Args {
    addr: SocketAddr,
    seconds: u64,
    connections: usize,
    max_requests: u64,
    abusers: usize,
    abuse_interval: Duration,
    big_bodies: usize,
    slow_clients: usize,
    rate: f64,
}

fn args() -> Args {
    let mut a = Args {
        addr: "127.0.0.1:8690".parse().unwrap(),
        seconds: 10,
        connections: 16,
        max_requests: 2_000_000,
        abusers: 1000,
        abuse_interval: Duration::from_millis(1000),
        big_bodies: 1,
        slow_clients: 50,
        rate: 500.0,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        let x = &v[i + 1];
        match v[i].as_str() {
            "--addr" => a.addr = x.parse().expect("--addr HOST:PORT"),
            "--seconds" => a.seconds = x.parse().expect("--seconds N"),
            "--connections" => a.connections = x.parse().expect("--connections N"),
            "--max-requests" => a.max_requests = x.parse().expect("--max-requests N"),
            "--abusers" => a.abusers = x.parse().expect("--abusers N"),
            "--abuse-interval-ms" => {
                a.abuse_interval = Duration::from_millis(x.parse().expect("--abuse-interval-ms N"))
            }
            "--big-bodies" => a.big_bodies = x.parse().expect("--big-bodies N"),
            "--slow-clients" => a.slow_clients = x.parse().expect("--slow-clients N"),
            "--rate" => a.rate = x.parse().expect("--rate REQUESTS_PER_SECOND"),
            other => panic!("unknown flag {other}"),
        }
        i += 2;
    }
    a
}

/// One keep-alive HTTP/1.1 connection that reconnects when the server
/// closes it.
struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Conn {
        Conn {
            addr,
            stream: None,
            buf: Vec::with_capacity(16 << 10),
        }
    }

    async fn send(&mut self, req: &[u8]) -> std::io::Result<Answer> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr).await?;
            s.set_nodelay(true)?;
            self.stream = Some(s);
            self.buf.clear();
        }
        let r = self.exchange(req).await;
        match &r {
            Ok(_) => {}
            Err(_) => self.stream = None,
        }
        r
    }

    async fn exchange(&mut self, req: &[u8]) -> std::io::Result<Answer> {
        let s = self
            .stream
            .as_mut()
            .ok_or(std::io::ErrorKind::NotConnected)?;
        // A server may answer before reading the whole body (and close):
        // write errors are only errors if no answer comes.
        let wrote = s.write_all(req).await;
        let mut tmp = [0u8; 16 << 10];
        let head_end = loop {
            if let Some(p) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let n = s.read(&mut tmp).await?;
            if n == 0 {
                wrote?;
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&tmp[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|x| x.trim().parse().ok())
            .unwrap_or(0);
        let close = head.contains("connection: close");
        let total = head_end + 4 + len;
        while self.buf.len() < total {
            let n = s.read(&mut tmp).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&tmp[..n]);
        }
        let body = self.buf[head_end + 4..total].to_vec();
        self.buf.drain(..total);
        if close || wrote.is_err() {
            self.stream = None;
        }
        Ok(Answer { status, body })
    }
}

fn post(path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: load\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: load\r\n\r\n").into_bytes()
}

#[derive(Default)]
struct Stats {
    latencies_us: Mutex<Vec<u32>>,
    ok: AtomicU64,
    errors: AtomicU64,
}

impl Stats {
    fn report(&self, label: &str, took: Duration) -> (f64, u32, u32) {
        let mut l = self.latencies_us.lock().unwrap();
        l.sort_unstable();
        let pct = |p: f64| -> u32 {
            if l.is_empty() {
                return 0;
            }
            let i = ((l.len() as f64 - 1.0) * p).round() as usize;
            l[i.min(l.len() - 1)]
        };
        let n = self.ok.load(Ordering::Relaxed);
        let rps = n as f64 / took.as_secs_f64();
        println!(
            "{label}: {n} requests in {:.1} s = {rps:.0} req/s; latency p50 {} µs, p90 {} µs, p99 {} µs, p99.9 {} µs, max {} µs; {} errors",
            took.as_secs_f64(),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(0.999),
            l.last().copied().unwrap_or(0),
            self.errors.load(Ordering::Relaxed)
        );
        (rps, pct(0.5), pct(0.99))
    }
}

/// Normal load: diagnoses back to back until `stop` (closed loop), or one
/// every `every` (paced; latency counted from when the request was due, so
/// a stalled server is not hidden by requests not sent).
async fn normal(
    addr: SocketAddr,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    budget: Arc<AtomicU64>,
    expected: Arc<Vec<u8>>,
    every: Option<Duration>,
) {
    let req = post("/api/diagnose", FACTS.as_bytes());
    let mut c = Conn::new(addr);
    let mut local = Vec::with_capacity(1 << 16);
    let start = Instant::now();
    let mut k: u32 = 0;
    while !stop.load(Ordering::Relaxed) && budget.fetch_sub(1, Ordering::Relaxed) > 0 {
        let t = match every {
            Some(every) => {
                let due = start + every * k;
                k += 1;
                tokio::time::sleep_until(due.into()).await;
                due
            }
            None => Instant::now(),
        };
        match c.send(&req).await {
            Ok(a) if a.status == 200 && a.body == *expected => {
                local.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                stats.ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(a) => {
                eprintln!(
                    "normal request answered {}: {}",
                    a.status,
                    String::from_utf8_lossy(&a.body)
                );
                stats.errors.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                eprintln!("normal request failed: {e}");
                stats.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    stats.latencies_us.lock().unwrap().extend(local);
}

#[derive(Default)]
struct Abuse {
    sent: AtomicU64,
    right: AtomicU64,
    wrong: AtomicU64,
    failed: AtomicU64,
    big_right: AtomicU64,
    slow_closed: AtomicU64,
    slow_kept: AtomicU64,
    slow_worst_ms: AtomicU64,
}

/// The malformed requests and the status and error code each deserves.
fn abusive() -> Vec<(Vec<u8>, u16, &'static str)> {
    vec![
        (post("/api/diagnose", b"{\"error_code\": "), 400, "bad_json"),
        (
            post("/api/diagnose", br#"{"domain_joind": true, "hostos": "x"}"#),
            422,
            "unknown_fact",
        ),
        (
            post("/api/diagnose", br#"{"host_os": "server2109"}"#),
            422,
            "bad_value",
        ),
        (get("/../../etc/passwd"), 404, ""),
        (get("/%2e%2e/%2e%2e/etc/passwd"), 404, ""),
        (get("/api/diagnose"), 405, "method_not_allowed"),
        (post("/api/nope", b"{}"), 404, "not_found"),
    ]
}

async fn abuser(
    addr: SocketAddr,
    i: usize,
    every: Duration,
    stop: Arc<AtomicBool>,
    abuse: Arc<Abuse>,
) {
    let kinds = abusive();
    let mut c = Conn::new(addr);
    // Spread the connections' first requests over one interval.
    tokio::time::sleep(every.mul_f64((i % 100) as f64 / 100.0)).await;
    let mut k = i;
    while !stop.load(Ordering::Relaxed) {
        let (req, status, code) = &kinds[k % kinds.len()];
        k += 1;
        abuse.sent.fetch_add(1, Ordering::Relaxed);
        match c.send(req).await {
            Ok(a) => {
                let body = String::from_utf8_lossy(&a.body);
                if a.status == *status
                    && (code.is_empty() || body.contains(&format!("\"code\": \"{code}\"")))
                {
                    abuse.right.fetch_add(1, Ordering::Relaxed);
                } else {
                    eprintln!(
                        "abusive request: expected {status} {code}, got {} {body}",
                        a.status
                    );
                    abuse.wrong.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(_) => {
                abuse.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(every).await;
    }
}

async fn big_body(addr: SocketAddr, stop: Arc<AtomicBool>, abuse: Arc<Abuse>) {
    let req = post("/api/diagnose", &vec![b' '; 10 << 20]);
    while !stop.load(Ordering::Relaxed) {
        let mut c = Conn::new(addr);
        abuse.sent.fetch_add(1, Ordering::Relaxed);
        match c.send(&req).await {
            Ok(a)
                if a.status == 413
                    && String::from_utf8_lossy(&a.body).contains("body_too_large") =>
            {
                abuse.big_right.fetch_add(1, Ordering::Relaxed);
            }
            Ok(a) => {
                eprintln!("10 MB body: expected 413, got {}", a.status);
                abuse.wrong.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                abuse.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Sends request headers one byte every 100 ms, forever; the server must
/// hang up.
async fn slow_client(addr: SocketAddr, abuse: Arc<Abuse>, limit: Duration) {
    let Ok(mut s) = TcpStream::connect(addr).await else {
        abuse.failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let started = Instant::now();
    let head = b"GET /index.html HTTP/1.1\r\nHost: load\r\nX-Slow: ";
    let mut i = 0;
    let closed = loop {
        if started.elapsed() > limit {
            break false;
        }
        let b = head.get(i).copied().unwrap_or(b'a');
        i += 1;
        if s.write_all(&[b]).await.is_err() {
            break true;
        }
        // A closed connection reads as end of file (or a reset).
        let mut one = [0u8; 64];
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut one)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(_)) => break true,
            Err(_) => {}
        }
    };
    if closed {
        abuse.slow_closed.fetch_add(1, Ordering::Relaxed);
        abuse
            .slow_worst_ms
            .fetch_max(started.elapsed().as_millis() as u64, Ordering::Relaxed);
    } else {
        abuse.slow_kept.fetch_add(1, Ordering::Relaxed);
    }
}

async fn phase(
    a: &Args,
    expected: Arc<Vec<u8>>,
    with_abuse: bool,
    rate: Option<f64>,
) -> ((f64, u32, u32), u64, Option<Arc<Abuse>>) {
    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let budget = Arc::new(AtomicU64::new(a.max_requests));
    let abuse = Arc::new(Abuse::default());
    let mut tasks = Vec::new();
    let mut side = Vec::new();
    if with_abuse {
        for i in 0..a.abusers {
            side.push(tokio::spawn(abuser(
                a.addr,
                i,
                a.abuse_interval,
                stop.clone(),
                abuse.clone(),
            )));
        }
        for _ in 0..a.big_bodies {
            side.push(tokio::spawn(big_body(a.addr, stop.clone(), abuse.clone())));
        }
        for _ in 0..a.slow_clients {
            side.push(tokio::spawn(slow_client(
                a.addr,
                abuse.clone(),
                Duration::from_secs(a.seconds + 5),
            )));
        }
        // Let the abusive connections open before measuring.
        tokio::time::sleep(a.abuse_interval * 2).await;
    }
    let started = Instant::now();
    let every = rate.map(|r| Duration::from_secs_f64(a.connections as f64 / r.max(1.0)));
    let n_conn = a.connections as f64;
    for i in 0..a.connections {
        let (st, sp, b, e) = (
            stats.clone(),
            stop.clone(),
            budget.clone(),
            expected.clone(),
        );
        let addr = a.addr;
        tasks.push(tokio::spawn(async move {
            // Stagger paced connections over one interval.
            if let Some(every) = every {
                tokio::time::sleep(every.mul_f64(i as f64 / n_conn)).await;
            }
            normal(addr, st, sp, b, e, every).await
        }));
    }
    let deadline = started + Duration::from_secs(a.seconds);
    while Instant::now() < deadline && budget.load(Ordering::Relaxed) > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let took = started.elapsed();
    for t in side {
        let _ = tokio::time::timeout(Duration::from_secs(15), t).await;
    }
    let label = match (with_abuse, rate) {
        (false, None) => "saturation (closed loop)".to_string(),
        (false, Some(r)) => format!("paced at {r:.0} req/s"),
        (true, Some(r)) => format!("paced at {r:.0} req/s under abuse"),
        (true, None) => "closed loop under abuse".to_string(),
    };
    let r = stats.report(&label, took);
    (
        r,
        stats.errors.load(Ordering::Relaxed),
        with_abuse.then_some(abuse),
    )
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let failed = rt.block_on(async {
        // The answer every normal request must get.
        let mut c = Conn::new(a.addr);
        let first = c.send(&post("/api/diagnose", FACTS.as_bytes())).await.expect("server answers");
        assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
        let expected = Arc::new(first.body);
        println!(
            "kbc serve at {}: {} connections, {} s per phase, at most {} requests",
            a.addr, a.connections, a.seconds, a.max_requests
        );
        let (sat, sat_err, _) = phase(&a, expected.clone(), false, None).await;
        let (base, base_err, _) = phase(&a, expected.clone(), false, Some(a.rate)).await;
        println!(
            "abuse: {} connections, one request each every {} ms (bad JSON, unknown fact, bad value, traversal, wrong method, unknown endpoint), {} clients sending 10 MB bodies, {} slow clients",
            a.abusers,
            a.abuse_interval.as_millis(),
            a.big_bodies,
            a.slow_clients
        );
        let (under, under_err, abuse) = phase(&a, expected, true, Some(a.rate)).await;
        let abuse = abuse.unwrap();
        let g = |x: &AtomicU64| x.load(Ordering::Relaxed);
        println!(
            "abusive requests: {} sent, {} answered right, {} 10 MB bodies refused with 413, {} wrong, {} connection errors",
            g(&abuse.sent),
            g(&abuse.right),
            g(&abuse.big_right),
            g(&abuse.wrong),
            g(&abuse.failed)
        );
        println!(
            "slow clients: {} hung up on by the server (the last after {} ms), {} still open at the end",
            g(&abuse.slow_closed),
            g(&abuse.slow_worst_ms),
            g(&abuse.slow_kept)
        );
        println!(
            "summary: saturation {:.0} req/s (p50 {} µs, p99 {} µs) | at {:.0} req/s: p50 {} µs, p99 {} µs | the same under abuse: p50 {} µs, p99 {} µs",
            sat.0, sat.1, sat.2, a.rate, base.1, base.2, under.1, under.2
        );
        sat_err
            + base_err
            + under_err
            + g(&abuse.wrong)
            + g(&abuse.failed)
            + g(&abuse.slow_kept)
            > 0
    });
    if failed {
        eprintln!("load test: FAILED");
        std::process::exit(1);
    }
    println!("load test: passed");
}
