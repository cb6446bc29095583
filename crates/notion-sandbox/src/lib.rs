//! A stateful fake of the Notion API (Notion-Version 2025-09-03) plus
//! webhook sinks (Slack, Discord, Teams, any JSON endpoint), served over
//! real HTTP on loopback.
//!
//! Used by `notion-sweep demo` and `notion-sweep sandbox`, by the
//! end-to-end tests (the real binary against a [`Sandbox`]) and by
//! benchmarks. It is faithful where clients get hurt: database and data
//! source ids differ, filters are evaluated server side with Notion's type
//! checks and UTC-day date semantics, the cursor is an offset into the
//! *current* results (rows patched out of the filter make a naive client
//! skip rows), a query chain stops at 10,000 rows, unknown select options
//! are silently added on PATCH, and errors, rate limits and edge failures
//! look like Notion's.
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
//!
//! The rooms, top down: this face with the [`Sandbox`] handle; `serve`
//! (what a person asks of a served sandbox) and `server` (hyper);
//! `engine` (gates, faults, routes, the request log); `handlers` (one file
//! per resource); `sinks` (webhooks); `workspace` (the board as it is
//! now); `filter` (queries); `model` (the board, ids and encodings,
//! fixtures); `http`, `events` and `bucket` (plumbing any room may use).
//! Imports only run down.

mod bucket;
mod engine;
mod events;
mod filter;
mod handlers;
mod http;
mod model;
mod serve;
mod server;
mod sinks;
mod workspace;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;

pub use bucket::{RateLimit, TokenBucket};
pub use engine::{
    FaultConfig, FaultKind, FaultsHandle, SandboxConfig, ScheduledEdit, NOTION_VERSION,
    SANDBOX_TOKEN, SUPPORTED_ENDPOINTS,
};
pub use events::Event;
pub use http::RecordedRequest;
pub use model::{
    normalize_id, Board, DataSource, Database, DateValue, GeneratedBoard, PageState, PropertyKind,
    PropertySchema, PropertyValue, SelectOption, StatusGroup, User, UserKind,
    DEMO_BUGS_DATA_SOURCE_ID, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID, DEMO_DATE_PROPERTY_ID,
    DEMO_STATUS_PROPERTY_ID,
};
pub use serve::{ServeError, ServeOptions};
pub use sinks::{
    SinkKind, SinkReply, DISCORD_PATH, JSON_PATH, SLACK_PATH, TEAMS_PATH, TEAMS_QUERY,
};

use engine::Engine;

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

    /// Serves what a person asked for (`notion-sweep sandbox`, the crate's
    /// `serve` example) on loopback, inside the current tokio runtime,
    /// until the sandbox is dropped. Errors are messages for that person:
    /// a board file that cannot be read or is not a board, a fault rate or
    /// rate limit out of range, an empty token, a port in use. What to
    /// print (where the sandbox is, every request with [`Sandbox::watch`])
    /// is the caller's.
    pub async fn serve(options: &ServeOptions) -> Result<Sandbox, ServeError> {
        let (board, config) = options.prepare()?;
        Sandbox::start(board, config)
            .await
            .map_err(|source| ServeError::listen(options.port, source))
    }

    /// Starts the server from sync code: it runs its own multi-thread
    /// runtime on a background thread, stopped when the sandbox is dropped.
    pub fn spawn(board: Board, config: SandboxConfig) -> std::io::Result<Sandbox> {
        let port = config.port;
        let engine = Arc::new(Engine::new(board, config)?);
        let (shutdown, rx) = watch::channel(false);
        let (addr, thread) = server::spawn(port, engine.clone(), rx)?;
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
        self.engine.requests()
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
        self.engine.workspace.lock().today()
    }

    /// Tells `observer` of every Notion request answered and every webhook
    /// message received. Only the first observer set is kept.
    pub fn watch(&self, observer: impl Fn(&Event) + Send + Sync + 'static) {
        self.engine.watch(Box::new(observer));
    }

    /// The board as it is now, as JSON that [`Board::from_json`] (and
    /// `--board`) reads back; also served at `GET /_sandbox/board`.
    pub fn board_json(&self) -> String {
        self.engine.workspace.export()
    }

    /// Current state of a page (id with or without dashes), whatever its
    /// sharing or trash state.
    pub fn page(&self, id: &str) -> Option<PageState> {
        self.engine.workspace.page(id)
    }

    /// The comments on a page (id with or without dashes), oldest first, as
    /// `GET /v1/comments` gives them; empty when there is no such page.
    pub fn comments(&self, page_id: &str) -> Vec<serde_json::Value> {
        self.page(page_id).map(|p| p.comments).unwrap_or_default()
    }

    /// Every page of a data source (trashed ones included), in board order.
    pub fn pages(&self, data_source_id: &str) -> Vec<PageState> {
        self.engine.workspace.pages(data_source_id)
    }

    /// A copy of the whole board as it is now (schema changes included).
    pub fn board(&self) -> Board {
        self.engine.workspace.lock().board.clone()
    }

    /// A person edits a page: sets a property (name or id) and bumps
    /// `last_edited_time`. A select option that does not exist is added.
    ///
    /// # Panics
    /// If the page or the property does not exist (a typo in a test).
    pub fn set_property(&self, page_id: &str, property: &str, value: PropertyValue) {
        if let Err(e) = self
            .engine
            .workspace
            .lock()
            .set_value(page_id, property, value)
        {
            panic!("Sandbox::set_property: {e}");
        }
    }

    /// A handle to change faults while running.
    pub fn faults(&self) -> FaultsHandle {
        self.engine.faults()
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
