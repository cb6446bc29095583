//! A stateful fake of the Notion API (Notion-Version 2025-09-03) plus a
//! fake Slack incoming webhook, served over real HTTP on loopback.
//!
//! Used by `notion-sweep demo`, by the end-to-end tests (the real binary
//! against a [`Sandbox`]) and by benchmarks. It is faithful where clients
//! get hurt: database and data source ids differ, filters are evaluated
//! server side with Notion's type checks and UTC-day date semantics, the
//! cursor is an offset into the *current* results (rows patched out of the
//! filter make a naive client skip rows), a query chain stops at 10,000
//! rows, unknown select options are silently added on PATCH, and errors,
//! rate limits and edge failures look like Notion's.
//!
//! ```
//! use notion_sandbox::*;
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
//! let sb = Sandbox::spawn(Board::demo(today), SandboxConfig::default()).unwrap();
//! // Point a client at sb.url() with sb.token(), then inspect the board:
//! let rows = sb.pages(DEMO_DATA_SOURCE_ID);
//! assert!(rows.len() > 20);
//! assert!(sb.requests().is_empty());
//! ```

mod api;
mod endpoints;
mod events;
mod faults;
mod filter;
mod http;
mod model;
mod objects;
pub mod serve;
mod server;
mod sinks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use api::{NOTION_VERSION, SUPPORTED_ENDPOINTS};
pub use faults::{FaultConfig, FaultKind, FaultsHandle, RateLimit, ScheduledEdit, TokenBucket};
pub use model::{
    normalize_id, Board, DataSource, Database, DateValue, GeneratedBoard, PageState, PropertyKind,
    PropertySchema, PropertyValue, SelectOption, StatusGroup, DEMO_BUGS_DATA_SOURCE_ID,
    DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID, DEMO_DATE_PROPERTY_ID, DEMO_STATUS_PROPERTY_ID,
};
pub use serve::{serve, ServeError, ServeOptions};
pub use sinks::{
    SinkKind, SinkReply, DISCORD_PATH, JSON_PATH, SLACK_PATH, TEAMS_PATH, TEAMS_QUERY,
};

use api::Engine;
use http::lock;

/// The token the sandbox accepts by default.
pub const SANDBOX_TOKEN: &str = "ntn_sandbox_token";

/// Settings of a sandbox. `Default` is faithful: no latency, no faults, no
/// rate limit, Notion's 10,000-row cap.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The accepted integration token.
    pub token: String,
    /// Added to every Notion request before it is handled.
    pub latency: Duration,
    /// Plus a uniformly drawn extra in `0..=jitter`.
    pub jitter: Duration,
    /// Token bucket; `None` for no limit.
    pub rate_limit: Option<RateLimit>,
    /// At most this many rows per query chain (Notion: 10,000).
    pub row_cap: usize,
    /// Seed for faults, jitter, request ids, cursors and the order of
    /// unsorted results.
    pub seed: u64,
    /// Faults at start (change them later with [`Sandbox::faults`]).
    pub faults: FaultConfig,
    /// A read-only integration: PATCH answers 403 `restricted_resource`.
    pub read_only: bool,
    /// Loopback port to listen on; 0 for any free port.
    pub port: u16,
    /// Pins the sandbox's clock to this day (the time of day stays real):
    /// relative date filters (`past_week`, …) and the `last_edited_time` of
    /// writes use it. `None`: the board's `today` if it has one, else the
    /// real date.
    pub today: Option<chrono::NaiveDate>,
    /// Seed of the ids the sandbox makes up (request ids, created pages,
    /// blocks and comments; all v4 UUIDs). `None` (the default): drawn
    /// afresh for each instance, so ids never repeat across restarts.
    pub id_seed: Option<u64>,
    /// A token bucket per webhook sink, past which it answers 429 as its
    /// service does (Slack allows about one message per second per webhook,
    /// Discord about 5 per 2 seconds); a sink not named has no limit.
    pub sink_rate_limits: HashMap<SinkKind, RateLimit>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            token: SANDBOX_TOKEN.to_string(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            rate_limit: None,
            row_cap: 10_000,
            seed: 0,
            faults: FaultConfig::default(),
            read_only: false,
            port: 0,
            today: None,
            id_seed: None,
            sink_rate_limits: HashMap::new(),
        }
    }
}

/// One Notion request as the sandbox received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, `PATCH`…
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers with lowercase names, in order.
    pub headers: Vec<(String, String)>,
    /// The body as JSON; a body that is not JSON is kept as a JSON string;
    /// `None` when empty.
    pub body: Option<serde_json::Value>,
    /// Status sent; 0 when the connection was dropped, or while a
    /// [`FaultKind::Hang`] is still hanging.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

impl RecordedRequest {
    /// A request as it arrived at `at`, its body read as JSON (or kept as a
    /// JSON string when it is not JSON); the status is set once answered.
    pub(crate) fn of(req: &http::RawRequest, at: Instant) -> RecordedRequest {
        let body = (!req.body.is_empty()).then(|| {
            serde_json::from_slice(&req.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&req.body).into_owned())
            })
        });
        RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body,
            status: 0,
            at,
        }
    }

    /// A header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A running sandbox. Dropping it shuts the server down.
pub struct Sandbox {
    engine: Arc<Engine>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts the server on a free loopback port, inside the current tokio
    /// runtime. Fails if the board is invalid or no port can be bound.
    pub async fn start(board: Board, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let port = config.port;
        let engine = Arc::new(Engine::new(board, config)?);
        let (listener, addr) = server::bind(port).await?;
        let (shutdown, rx) = watch::channel(false);
        tokio::spawn(server::serve(listener, engine.clone(), rx));
        Ok(Sandbox {
            engine,
            addr,
            shutdown,
            thread: None,
        })
    }

    /// Starts the server from sync code: it runs its own multi-thread
    /// runtime on a background thread, stopped when the sandbox is dropped.
    pub fn spawn(board: Board, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let port = config.port;
        let engine = Arc::new(Engine::new(board, config)?);
        let (shutdown, rx) = watch::channel(false);
        let (tx, ready) = std::sync::mpsc::channel();
        let server_engine = engine.clone();
        let thread = std::thread::Builder::new()
            .name("notion-sandbox".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("notion-sandbox-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(async move {
                    match server::bind(port).await {
                        Ok((listener, addr)) => {
                            let _ = tx.send(Ok(addr));
                            server::serve(listener, server_engine, rx).await;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
                // dropping the runtime cancels connections still hanging
                rt.shutdown_background();
            })?;
        let addr = ready
            .recv()
            .map_err(|_| std::io::Error::other("sandbox thread died before binding"))??;
        Ok(Sandbox {
            engine,
            addr,
            shutdown,
            thread: Some(thread),
        })
    }

    /// The API base, `http://127.0.0.1:PORT` (requests go to `{url}/v1/…`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted token.
    pub fn token(&self) -> String {
        self.engine.config.token.clone()
    }

    /// Every Notion request received, in order of arrival (not the sinks').
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.engine.requests).clone()
    }

    /// The webhook URL of a sink. The secret part of each (Slack's path,
    /// Discord's token, Teams' `sig`) contains `sandboxsecret` or
    /// `sandboxsig`, so tests can check it never leaks.
    pub fn sink_url(&self, kind: SinkKind) -> String {
        format!("http://{}{}", self.addr, kind.path_and_query())
    }

    /// Every body a sink received, accepted or refused, in order (a body
    /// that is not JSON is kept as a JSON string; an empty one as `null`).
    pub fn sink_messages(&self, kind: SinkKind) -> Vec<serde_json::Value> {
        self.engine.sinks.messages(kind)
    }

    /// Queues a scripted answer of a sink, used for its next well-formed
    /// message (after those already queued).
    pub fn push_sink_reply(&self, kind: SinkKind, reply: SinkReply) {
        self.engine.sinks.push_reply(kind, reply);
    }

    /// Every request a sink received (headers included), in order.
    pub fn sink_requests(&self, kind: SinkKind) -> Vec<RecordedRequest> {
        self.engine.sinks.requests(kind)
    }

    /// Today by the sandbox's clock (pinned, or the real UTC date).
    pub fn today(&self) -> chrono::NaiveDate {
        lock(&self.engine.state).today()
    }

    /// Tells `f` of every request and webhook message (once per sandbox).
    pub(crate) fn watch(&self, f: events::Observer) {
        let _ = self.engine.observer.set(f);
    }

    /// The board as it is now, as JSON that [`Board::from_json`] (and
    /// `--board`) reads back; also served at `GET /_sandbox/board`.
    pub fn board_json(&self) -> String {
        self.engine.export_board()
    }

    /// Current state of a page (id with or without dashes), whatever its
    /// sharing or trash state.
    pub fn page(&self, id: &str) -> Option<PageState> {
        let st = lock(&self.engine.state);
        let (d, i, p) = st.locate_page(id)?;
        Some(st.board.databases[d].data_sources[i].pages[p].clone())
    }

    /// Every page of a data source (trashed ones included), in board order.
    pub fn pages(&self, data_source_id: &str) -> Vec<PageState> {
        let st = lock(&self.engine.state);
        match st.locate_data_source(data_source_id) {
            Some((d, i)) => st.board.databases[d].data_sources[i].pages.clone(),
            None => Vec::new(),
        }
    }

    /// A copy of the whole board as it is now (schema changes included).
    pub fn board(&self) -> Board {
        lock(&self.engine.state).board.clone()
    }

    /// A person edits a page: sets a property (name or id) and bumps
    /// `last_edited_time`. A select option that does not exist is added.
    ///
    /// # Panics
    /// If the page or the property does not exist (a typo in a test).
    pub fn set_property(&self, page_id: &str, property: &str, value: PropertyValue) {
        if let Err(e) = lock(&self.engine.state).set_value(page_id, property, value) {
            panic!("Sandbox::set_property: {e}");
        }
    }

    /// A handle to change faults while running.
    pub fn faults(&self) -> FaultsHandle {
        FaultsHandle {
            state: self.engine.faults.clone(),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
