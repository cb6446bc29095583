//! The sandbox as a tool: serve a board on loopback until told to stop,
//! with a banner that says how to use it (`notion-sweep sandbox` calls
//! [`serve`]; so does `cargo run -p notion-sandbox --example serve`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

use crate::bucket::RateLimit;
use crate::engine::{FaultConfig, FaultKind, SandboxConfig, NOTION_VERSION, SANDBOX_TOKEN};
use crate::events::Event;
use crate::model::{Board, PropertyKind};
use crate::sinks::SinkKind;
use crate::Sandbox;

/// What to serve and how.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Loopback port; 0 for any free port (the banner prints it).
    pub port: u16,
    /// A board file (JSON, see docs/sandbox.md); `None` for the demo board.
    pub board: Option<PathBuf>,
    /// Added to every Notion request.
    pub latency: Duration,
    /// Notion's rate limit in requests per second (429 with Retry-After
    /// past it); `None` for no limit.
    pub rate_limit: Option<f64>,
    /// Fraction (0 to 1) of Notion requests answered with a random 500,
    /// 502, 503 or 504.
    pub fault_rate: f64,
    /// The token the sandbox accepts.
    pub token: String,
    /// Print every request and webhook message on stderr.
    pub verbose: bool,
    /// Pin the sandbox's day (else the board's `today`, else the real date).
    pub today: Option<NaiveDate>,
    /// Seed ids, faults and orders, to replay a session; `None`: fresh ids.
    pub seed: Option<u64>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            port: 0,
            board: None,
            latency: Duration::ZERO,
            rate_limit: None,
            fault_rate: 0.0,
            token: SANDBOX_TOKEN.to_string(),
            verbose: false,
            today: None,
            seed: None,
        }
    }
}

/// Why the sandbox could not be served (messages meant for a user).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The board file could not be read.
    #[error("could not read the board file {}: {source}", path.display())]
    BoardUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The board file is not a valid board.
    #[error("the board file {} is not a valid board: {message} (see crates/notion-sandbox/docs/sandbox.md for the format)", path.display())]
    BoardInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its place.
        message: String,
    },
    /// The fault rate is not a fraction.
    #[error("invalid fault rate {0}: expected a fraction from 0 to 1, e.g. 0.1")]
    FaultRate(f64),
    /// The rate limit is not a positive number.
    #[error("invalid rate limit {0}: expected requests per second greater than 0, e.g. 3")]
    RateLimit(f64),
    /// The token is empty.
    #[error("the sandbox token must not be empty")]
    EmptyToken,
    /// Something else listens on the port.
    #[error(
        "port {0} on 127.0.0.1 is already in use: choose another port, or 0 for any free port"
    )]
    PortInUse(u16),
    /// The port could not be bound for another reason.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads and checks the options into a board and a sandbox config.
pub fn prepare(options: &ServeOptions) -> Result<(Board, SandboxConfig), ServeError> {
    if !(0.0..=1.0).contains(&options.fault_rate) {
        return Err(ServeError::FaultRate(options.fault_rate));
    }
    let rate_limit = match options.rate_limit {
        None => None,
        Some(r) if r.is_finite() && r > 0.0 => Some(RateLimit {
            per_second: r,
            burst: (r.ceil() as u32).max(1),
        }),
        Some(r) => return Err(ServeError::RateLimit(r)),
    };
    if options.token.trim().is_empty() {
        return Err(ServeError::EmptyToken);
    }
    let board = match &options.board {
        None => Board::demo(
            options
                .today
                .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        ),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|source| ServeError::BoardUnreadable {
                    path: path.clone(),
                    source,
                })?;
            Board::from_json(&text).map_err(|e| ServeError::BoardInvalid {
                path: path.clone(),
                message: e.to_string(),
            })?
        }
    };
    let each = options.fault_rate / 4.0;
    let faults = [
        FaultKind::InternalServerError,
        FaultKind::BadGateway,
        FaultKind::ServiceUnavailable,
        FaultKind::GatewayTimeout,
    ]
    .into_iter()
    .filter(|_| each > 0.0)
    .fold(FaultConfig::default(), |f, kind| f.with_random(kind, each));
    let config = SandboxConfig {
        token: options.token.clone(),
        latency: options.latency,
        rate_limit,
        faults,
        port: options.port,
        today: options.today,
        seed: options.seed.unwrap_or(0),
        id_seed: options.seed,
        ..SandboxConfig::default()
    };
    Ok((board, config))
}

/// Serves a board on loopback until `shutdown` resolves: prints the banner
/// on stdout, with `verbose` every request and webhook message on stderr,
/// and at the end how many requests were served.
pub async fn serve(
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let (board, config) = prepare(&options)?;
    let port = options.port;
    let sandbox = Sandbox::start(board, config)
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => ServeError::PortInUse(port),
            _ => ServeError::Listen { port, source },
        })?;
    if options.verbose {
        sandbox.watch(|e| eprintln!("{}", render_event(e)));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner(&sandbox).as_bytes());
    let _ = out.flush();
    drop(out);
    shutdown.await;
    let notion = sandbox.requests().len();
    let hooks: usize = SinkKind::ALL
        .iter()
        .map(|k| sandbox.sink_messages(*k).len())
        .sum();
    println!("{notion} Notion requests served, {hooks} webhook messages received.");
    let _ = std::io::stdout().flush();
    Ok(())
}

/// Quotes a word for a POSIX shell if it needs it.
fn shell(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%^".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The banner: where the sandbox is, what it serves and a command to try.
pub(crate) fn banner(sandbox: &Sandbox) -> String {
    let board = sandbox.board();
    let today = sandbox.today();
    let mut b = String::new();
    let _ = writeln!(
        b,
        "Sandbox Notion (API {NOTION_VERSION}) listening on {}",
        sandbox.url()
    );
    let _ = writeln!(b, "Token:          {}", sandbox.token());
    let _ = writeln!(b, "Slack webhook:  {}", sandbox.sink_url(SinkKind::Slack));
    let _ = writeln!(b, "Discord:        {}", sandbox.sink_url(SinkKind::Discord));
    let _ = writeln!(b, "Teams:          {}", sandbox.sink_url(SinkKind::Teams));
    let _ = writeln!(b, "JSON webhook:   {}", sandbox.sink_url(SinkKind::Json));
    let _ = writeln!(b, "Board export:   {}/_sandbox/board", sandbox.url());
    let _ = writeln!(b, "Today:          {today}");
    let _ = writeln!(b, "Databases:");
    for db in &board.databases {
        let sources: Vec<String> = db
            .data_sources
            .iter()
            .map(|ds| {
                format!(
                    "{} ({}, {} pages{})",
                    ds.name,
                    ds.id,
                    ds.pages.len(),
                    if ds.shared { "" } else { ", not shared" }
                )
            })
            .collect();
        let _ = writeln!(
            b,
            "  {} ({}){}: {}",
            db.title,
            db.id,
            if db.shared { "" } else { " [not shared]" },
            sources.join("; ")
        );
    }
    if board.databases.is_empty() {
        let _ = writeln!(b, "  (none)");
    }
    match try_line(&board, today) {
        Some(cmd) => {
            let _ = writeln!(
                b,
                "\nTry: NOTION_TOKEN={} notion-sweep sweep --api-url {} {cmd} --dry-run",
                shell(&sandbox.token()),
                sandbox.url()
            );
        }
        None => {
            let _ = writeln!(
                b,
                "\nTry: curl -H 'Authorization: Bearer {}' -H 'Notion-Version: {NOTION_VERSION}' {}/v1/users/me",
                sandbox.token(),
                sandbox.url()
            );
        }
    }
    let _ = writeln!(b, "Stop with Ctrl-C.");
    b
}

/// The sweep arguments that fit the first shared database of the board:
/// its data source, status and date properties and their options.
fn try_line(board: &Board, today: NaiveDate) -> Option<String> {
    let (db, ds) = board.databases.iter().filter(|d| d.shared).find_map(|db| {
        db.data_sources
            .iter()
            .find(|ds| ds.shared && ds.properties.iter().any(|p| p.kind == PropertyKind::Date))
            .map(|ds| (db, ds))
    })?;
    let status = ds
        .properties
        .iter()
        .find(|p| p.kind == PropertyKind::Status)
        .or_else(|| {
            ds.properties
                .iter()
                .find(|p| p.kind == PropertyKind::Select)
        })?;
    let date = ds
        .properties
        .iter()
        .find(|p| p.kind == PropertyKind::Date)?;
    let mut args = vec![db.id.clone()];
    if db.data_sources.len() > 1 {
        args.push(format!("--data-source {}", ds.id));
    }
    if status.name != "Status" {
        args.push(format!("--status-property {}", shell(&status.name)));
    }
    if date.name != "Due Date" {
        args.push(format!("--date-property {}", shell(&date.name)));
    }
    let names: Vec<&str> = status.options.iter().map(|o| o.name.as_str()).collect();
    if !names.contains(&"To Do") {
        let from = status
            .groups
            .first()
            .and_then(|g| g.options.first())
            .map(String::as_str)
            .or(names.first().copied())?;
        args.push(format!("--from {}", shell(from)));
    }
    if !names.contains(&"Overdue") {
        let to = names
            .iter()
            .find(|n| n.to_lowercase().contains("overdue") || n.to_lowercase().contains("late"))
            .or(names.last())?;
        args.push(format!("--to {}", shell(to)));
    }
    if board.today.is_some() || today != chrono::Utc::now().date_naive() {
        args.push(format!("--as-of {today}"));
    }
    Some(args.join(" "))
}

/// One line (or a few) for `--verbose`.
pub(crate) fn render_event(e: &Event) -> String {
    match e {
        Event::Request {
            method,
            path,
            status,
            elapsed,
        } => {
            let status = if *status == 0 {
                "dropped".to_string()
            } else {
                status.to_string()
            };
            format!("{method} {path} {status} {} ms", elapsed.as_millis())
        }
        Event::Sink { kind, body, status } => {
            let text = kind.message_text(body);
            let mut out = format!("webhook {} answered {status}:", kind.as_str());
            for line in text.lines() {
                out.push_str("\n  | ");
                out.push_str(line);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let bad = |o: ServeOptions| prepare(&o).unwrap_err().to_string();
        assert!(bad(ServeOptions {
            fault_rate: 1.5,
            ..Default::default()
        })
        .contains("fraction from 0 to 1"));
        assert!(bad(ServeOptions {
            rate_limit: Some(0.0),
            ..Default::default()
        })
        .contains("greater than 0"));
        let dir = std::env::temp_dir().join(format!("sbx-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("board.json");
        std::fs::write(&file, r#"{"databases": [{"id": "nope"}]}"#).unwrap();
        let msg = bad(ServeOptions {
            board: Some(file.clone()),
            ..Default::default()
        });
        assert!(
            msg.contains("not a valid board") && msg.contains("board.json"),
            "{msg}"
        );
        let msg = bad(ServeOptions {
            board: Some(dir.join("missing.json")),
            ..Default::default()
        });
        assert!(msg.starts_with("could not read the board file"), "{msg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn port_in_use_is_said_plainly_and_shutdown_ends_serving() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = serve(
            ServeOptions {
                port,
                ..Default::default()
            },
            async {},
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, ServeError::PortInUse(p) if p == port),
            "{err}"
        );
        assert!(err.to_string().contains("already in use"));
        // a free port: serves, then returns when shutdown resolves
        let done = tokio::time::timeout(
            Duration::from_secs(5),
            serve(ServeOptions::default(), async {
                tokio::time::sleep(Duration::from_millis(50)).await
            }),
        )
        .await;
        assert!(matches!(done, Ok(Ok(()))));
    }

    #[test]
    fn banner_names_the_board_served() {
        let today = crate::tests::today();
        let spec = crate::model::GeneratedBoard {
            status_property: "State".into(),
            ..crate::model::GeneratedBoard::new(20, today)
        };
        let sb = Sandbox::spawn(
            Board::generated(&spec),
            SandboxConfig {
                today: Some(today),
                ..Default::default()
            },
        )
        .unwrap();
        let b = banner(&sb);
        assert!(b.contains(&format!("listening on {}", sb.url())));
        assert!(b.contains("/discord/api/webhooks/"));
        assert!(b.contains("sig=sandboxsig"));
        let try_line = b.lines().find(|l| l.starts_with("Try:")).unwrap();
        assert!(try_line.contains(&spec.database_id()), "{try_line}");
        assert!(!try_line.contains(crate::model::DEMO_DATABASE_ID));
        assert!(try_line.contains("--status-property State"), "{try_line}");
        assert!(try_line.contains("--as-of 2026-11-22"), "{try_line}");
        assert!(!b.contains("no new writes"));
    }

    #[test]
    fn events_render_as_lines() {
        let line = render_event(&Event::Request {
            method: "GET".into(),
            path: "/v1/users/me".into(),
            status: 200,
            elapsed: Duration::from_millis(3),
        });
        assert_eq!(line, "GET /v1/users/me 200 3 ms");
    }
}
