//! The request engine: everything a request does except the networking.
//! A Notion request is recorded, drawn a fault, passed through the gates
//! (token, route, version, rate limit, body), routed to its handler, and
//! followed by the edits scheduled after it; a webhook goes to its sink.
//! The hyper layer in `server.rs` only moves bytes and sleeps.

mod config;
mod faults;
mod gates;
mod log;
mod routes;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

pub use config::{SandboxConfig, SANDBOX_TOKEN};
pub use faults::{FaultConfig, FaultKind, FaultsHandle, ScheduledEdit};
pub use gates::NOTION_VERSION;
pub use routes::SUPPORTED_ENDPOINTS;

use crate::events::{Event, Observer};
use crate::handlers::{blocks, comments, databases, pages, properties, search, users};
use crate::http::{lock, ApiError, RawRequest, RecordedRequest, Reply};
use crate::model::{parse_id, Board};
use crate::sinks::Sinks;
use crate::workspace::{Settings, Workspace};
use faults::{fault_reply, FaultState};
use gates::{check_token, check_version, read_body, Latency, RateGate};
use log::RequestLog;
use routes::{route, unsupported, Route};

/// What the server does with a Notion request.
#[derive(Debug)]
pub(crate) enum Outcome {
    Reply(Reply),
    /// Close the connection without answering.
    Drop,
    /// Wait, then answer (and record the status at `index`).
    Hang {
        wait: Duration,
        reply: Reply,
        index: usize,
    },
}

/// Shared state of a running sandbox.
pub(crate) struct Engine {
    pub(crate) config: SandboxConfig,
    pub(crate) workspace: Workspace,
    faults: Arc<Mutex<FaultState>>,
    rate: RateGate,
    latency: Latency,
    log: RequestLog,
    /// Notion requests so far (request numbers are 1-based).
    counter: AtomicU64,
    pub(crate) sinks: Sinks,
    /// Told of every request and webhook message, if set.
    observer: OnceLock<Observer>,
}

impl Engine {
    /// Checks and indexes the board; fails if it is not a valid board.
    pub(crate) fn new(mut board: Board, config: SandboxConfig) -> std::io::Result<Engine> {
        board
            .normalize()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let now = Instant::now();
        let workspace = Workspace::new(
            board,
            Settings {
                seed: config.seed,
                today: config.today,
                id_seed: config.id_seed,
                row_cap: config.row_cap,
                read_only: config.read_only,
                user_emails: config.user_emails,
                can_comment: config.can_comment,
            },
        );
        Ok(Engine {
            workspace,
            faults: Arc::new(Mutex::new(FaultState::new(
                config.faults.clone(),
                config.seed,
            ))),
            rate: RateGate::new(config.rate_limit, now),
            latency: Latency::new(config.latency, config.jitter, config.seed),
            log: RequestLog::default(),
            counter: AtomicU64::new(0),
            sinks: Sinks::new(&config.sink_rate_limits),
            observer: OnceLock::new(),
            config,
        })
    }

    /// Sets the watcher of every request and webhook message; only the
    /// first one set is kept.
    pub(crate) fn watch(&self, observer: Observer) {
        let _ = self.observer.set(observer);
    }

    pub(crate) fn observe(&self, event: Event) {
        if let Some(f) = self.observer.get() {
            f(&event);
        }
    }

    /// A handle on the faults, to change them while running.
    pub(crate) fn faults(&self) -> FaultsHandle {
        FaultsHandle {
            state: self.faults.clone(),
        }
    }

    /// Every Notion request received, in order of arrival.
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.log.all()
    }

    /// Latency to add before answering (fixed plus seeded jitter).
    pub(crate) fn latency(&self) -> Duration {
        self.latency.next()
    }

    /// Handles a Notion request: faults, then routing, auth, version, rate
    /// limit, body and the handler. Records it and runs scheduled edits.
    pub(crate) fn dispatch(&self, req: &RawRequest) -> Outcome {
        let now = Instant::now();
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let rid = self.workspace.new_id();
        let index = self.log.record(req, now);
        let (fault, commit, hang_for) = {
            let mut f = lock(&self.faults);
            let k = f.draw();
            (k, f.config.commit_before_failure, f.config.hang_for)
        };
        let outcome = match fault {
            None => Outcome::Reply(self.process(n, &rid, req, now)),
            Some(FaultKind::DropConnection) => Outcome::Drop,
            Some(FaultKind::TruncatedBody) => {
                let mut reply = self.process(n, &rid, req, now);
                let mut half = reply.body.len() / 2;
                while !reply.body.is_char_boundary(half) {
                    half -= 1;
                }
                reply.body.truncate(half);
                Outcome::Reply(reply)
            }
            Some(FaultKind::Hang) => Outcome::Hang {
                wait: hang_for,
                reply: fault_reply(&FaultKind::Hang, &rid),
                index,
            },
            Some(k) => {
                let maybe_saved = matches!(
                    k,
                    FaultKind::InternalServerError
                        | FaultKind::ServiceUnavailable
                        | FaultKind::GatewayTimeout
                );
                if commit && maybe_saved && req.method == "PATCH" {
                    let _ = self.process(n, &rid, req, now);
                }
                Outcome::Reply(fault_reply(&k, &rid))
            }
        };
        if let Outcome::Reply(r) = &outcome {
            self.set_status(index, r.status);
        }
        self.run_scheduled_edits(n);
        outcome
    }

    /// Sets the status a recorded request was answered with (after a hang).
    pub(crate) fn set_status(&self, index: usize, status: u16) {
        self.log.set_status(index, status);
    }

    fn run_scheduled_edits(&self, n: u64) {
        let due: Vec<_> = {
            let mut f = lock(&self.faults);
            let (due, keep) = f
                .config
                .scheduled_edits
                .drain(..)
                .partition(|e| e.after_request <= n);
            f.config.scheduled_edits = keep;
            due
        };
        if due.is_empty() {
            return;
        }
        let mut st = self.workspace.lock();
        for e in due {
            if let Err(err) = st.set_value(&e.page_id, &e.property, e.value) {
                tracing::warn!("sandbox: scheduled edit failed: {err}");
            }
        }
    }

    /// The answer to request number `n`: its object, or Notion's error.
    fn process(&self, n: u64, rid: &str, req: &RawRequest, now: Instant) -> Reply {
        match self.answer(n, req, now) {
            Ok(v) => Reply::notion(v, rid),
            Err(e) => e.reply(rid),
        }
    }

    /// The gates in Notion's order, then the handler.
    fn answer(&self, n: u64, req: &RawRequest, now: Instant) -> Result<Value, ApiError> {
        let revoked = lock(&self.faults)
            .config
            .revoke_token_after
            .is_some_and(|k| n > k);
        check_token(req, &self.config.token, revoked)?;
        // routing comes after the token, as at Notion: a bad token is a 401
        // wherever the request goes
        let route = match route(&req.method, &req.path) {
            Some(Route::Unsupported(what)) => return Err(unsupported(&req.method, what)),
            Some(r) => r,
            None => {
                return Err(ApiError::new(
                    400,
                    "invalid_request_url",
                    "Invalid request URL.",
                ))
            }
        };
        check_version(req)?;
        self.rate.pass(now)?;
        let body = read_body(req)?;
        let query = req.query.as_deref();
        let ws = &self.workspace;
        match route {
            Route::Database(id) => databases::retrieve_database(ws, &id),
            Route::DataSource(id) => databases::retrieve_data_source(ws, &id),
            Route::Query(id) => databases::query(ws, &id, &body, query),
            Route::GetPage(id) => pages::retrieve(ws, &id, query),
            Route::PatchPage(id) => pages::update(ws, &id, &body, self.scripted_lock(&id)),
            Route::CreatePage => pages::create(ws, &body),
            Route::PropertyItem(page, prop) => properties::retrieve(ws, &page, &prop, query),
            Route::Me => Ok(users::me()),
            Route::Users => users::list_users(ws, query),
            Route::User(id) => users::retrieve(ws, &id),
            Route::Search => search::search(ws, &body),
            Route::BlockChildren(id) => blocks::list_children(ws, &id, query),
            Route::AppendChildren(id) => blocks::append_children(ws, &id, &body),
            Route::Comments => comments::list_comments(ws, query),
            Route::CreateComment => comments::create_comment(ws, &body),
            Route::Unsupported(_) => unreachable!("answered above"),
        }
    }

    /// Has a fault script locked this page against every edit?
    fn scripted_lock(&self, raw: &str) -> bool {
        lock(&self.faults)
            .config
            .locked_pages
            .iter()
            .any(|x| parse_id(x) == parse_id(raw))
    }
}
