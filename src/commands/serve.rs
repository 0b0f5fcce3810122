//! `kbc serve [DIR]`: the knowledge base over HTTP — the HTML site with the
//! troubleshooter, rebuilt and reloaded as the rules change, and the JSON
//! diagnosis API (docs/SERVE.md). With `--kb FILE`, a compiled artifact is
//! served read-only, for deployment.
//!
//! The first line on standard output is `listening on http://ADDR/`, so a
//! script (and the tests) can start it with `--port 0` and read the port it
//! got. Builds and their diagnostics go to standard error, as `kbc check`
//! prints them. Exit 0 after SIGTERM or Ctrl-C, 2 when it cannot start.

use kbc_server::{Event, Limits, Options, Source};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `kbc serve`.
#[derive(clap::Args)]
pub struct Args {
    /// The knowledge base folder to serve and watch.
    #[arg(default_value = "rules")]
    dir: PathBuf,
    /// Serve a compiled knowledge base (`kb.kbc`) read-only instead: the API
    /// and the site rendered from it, never rebuilt.
    #[arg(long, value_name = "FILE")]
    kb: Option<PathBuf>,
    /// A theme folder whose files replace the default theme's (as `kbc
    /// build --theme`).
    #[arg(long, value_name = "DIR")]
    theme: Option<PathBuf>,
    /// The address to listen on. Anything but loopback makes the server
    /// reachable from the network.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The port; 0 picks a free one (printed on the first line).
    #[arg(long, value_name = "N", default_value_t = 8690)]
    port: u16,
    /// Allow browser pages from this origin to call the API
    /// (`https://portal.example.com`); no CORS headers without it.
    #[arg(long, value_name = "ORIGIN")]
    cors: Option<String>,
    /// Largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body: usize,
    /// Most facts in one diagnosis request.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_facts)]
    max_facts: usize,
    /// Most bytes of message text in one diagnosis request.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_message_bytes)]
    max_message: usize,
    /// Most connections open at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Longest a request may take, in milliseconds, upload included.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().request_timeout.as_millis() as u64)]
    timeout: u64,
    /// Longest a client may take to send a request's headers, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().header_timeout.as_millis() as u64)]
    header_timeout: u64,
}

/// Runs `kbc serve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = match args.kb {
        Some(kb) => Source::Artifact(kb),
        None => {
            if !args.dir.is_dir() {
                anyhow::bail!(
                    "`{}` is not a knowledge base folder; give one as `kbc serve DIR`, or a compiled knowledge base with `--kb FILE`",
                    args.dir.display()
                );
            }
            Source::Rules(args.dir)
        }
    };
    let opts = Options {
        source,
        theme: args.theme,
        addr: SocketAddr::new(args.bind, args.port),
        cors: args.cors,
        limits: Limits {
            max_body_bytes: args.max_body,
            max_facts: args.max_facts,
            max_message_bytes: args.max_message,
            max_connections: args.max_connections,
            request_timeout: Duration::from_millis(args.timeout),
            header_timeout: Duration::from_millis(args.header_timeout),
        },
        debounce: Duration::from_millis(200),
    };
    kbc_server::run(opts, report)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints what the server reports: the address on stdout (first line),
/// the rest on stderr.
fn report(e: Event) {
    match e {
        Event::Listening(addr) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{addr}/");
            let _ = out.flush();
            eprintln!("serving until Ctrl-C or SIGTERM; the troubleshooter is http://{addr}/troubleshoot.html");
        }
        Event::Built {
            millis,
            generation,
            warnings,
        } => {
            eprint!("{warnings}");
            eprintln!("build {generation}: ok in {millis} ms");
        }
        Event::Failed { text, generation } => {
            eprint!("{text}");
            eprintln!("build {generation}: failed; still serving the last good build");
        }
        Event::ShuttingDown => eprintln!("shutting down"),
    }
}
