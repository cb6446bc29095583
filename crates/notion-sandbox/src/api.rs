//! The request engine: everything a request does except the networking
//! (routing, auth, version, rate limit, faults, handlers, recording). The
//! hyper layer in `server.rs` only moves bytes and sleeps.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::events::Observer;
use super::faults::{FaultKind, FaultState, TokenBucket};
use super::filter::{default_rank, facts_of, order, parse_filter, parse_sorts, Fact};
use super::http::{body_object, check_keys, lock, query_values, ApiError, RawRequest, Reply};
use super::model::{
    derived_uuid, parse_date_start, parse_id, percent_decode, to_minute, Board, DateValue,
    PageState, PropertyKind, PropertyValue, SelectOption,
};
use super::objects::{data_source_json, database_json, page_json};
use super::{RecordedRequest, SandboxConfig};

/// The only Notion-Version the sandbox speaks.
pub const NOTION_VERSION: &str = "2025-09-03";

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

fn json_reply(v: &Value, request_id: &str) -> Reply {
    Reply {
        status: 200,
        content_type: "application/json; charset=utf-8",
        body: v.to_string(),
        retry_after: None,
        request_id: Some(request_id.to_string()),
        headers: Vec::new(),
    }
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

/// The answer to an injected fault (not used for drop).
pub(crate) fn fault_reply(kind: &FaultKind, request_id: &str) -> Reply {
    let e = match kind {
        FaultKind::BadGateway => {
            // from the edge: HTML, and no Notion request id
            return Reply {
                status: 502,
                content_type: "text/html",
                body: BAD_GATEWAY_HTML.to_string(),
                retry_after: None,
                request_id: None,
                headers: Vec::new(),
            };
        }
        FaultKind::InternalServerError => {
            ApiError::new(500, "internal_server_error", "Unexpected error occurred.")
        }
        FaultKind::ServiceUnavailable => ApiError::new(
            503,
            "service_unavailable",
            "Notion is unavailable, try again later. This can occur when the time to respond to a request takes longer than 60 seconds, the maximum request timeout.",
        ),
        FaultKind::GatewayTimeout
        | FaultKind::Hang
        | FaultKind::DropConnection
        | FaultKind::TruncatedBody => ApiError::new(
            504,
            "gateway_timeout",
            "Notion timed out while attempting to complete this request. Please try again later.",
        ),
        FaultKind::Conflict => ApiError::new(
            409,
            "conflict_error",
            "Conflict occurred while saving. Please try again.",
        ),
        FaultKind::ServiceOverload => ApiError::new(
            529,
            "service_overload",
            "Notion is currently overloaded. Please try again later.",
        ),
        FaultKind::RateLimited { retry_after } => {
            let mut e = rate_limited();
            e.retry_after = Some(*retry_after);
            e
        }
        FaultKind::RequestBlocked => {
            let mut e = ApiError::new(
                429,
                "rate_limited",
                "This integration's requests to the public API are blocked. Contact the workspace owner.",
            );
            e.additional_data = Some(json!({"rate_limit_reason": "public_api_request_blocked"}));
            e
        }
    };
    e.reply(request_id)
}

fn rate_limited() -> ApiError {
    ApiError::new(
        429,
        "rate_limited",
        "You have been rate limited. Please try again in a few minutes.",
    )
}

/// The board plus id indexes (ids never change while running) and, per
/// data source, what queries need without chasing strings.
pub(crate) struct State {
    pub(crate) board: Board,
    dbs: HashMap<u128, usize>,
    dss: HashMap<u128, (usize, usize)>,
    pages: HashMap<u128, (usize, usize, usize)>,
    /// `[database][data source]`.
    cache: Vec<Vec<SourceCache>>,
    /// The pinned day of the clock, if any (config, else the board's).
    pub(crate) today: Option<chrono::NaiveDate>,
    seed: u64,
}

/// Filter facts (flat, one per page and property) and default ranks of the
/// pages of one data source; refreshed on every write to a page.
struct SourceCache {
    stride: usize,
    facts: Vec<Fact>,
    ranks: Vec<u64>,
}

impl State {
    fn new(board: Board, seed: u64, today: Option<chrono::NaiveDate>) -> Self {
        let today = today.or(board.today);
        let mut s = State {
            board,
            dbs: HashMap::new(),
            dss: HashMap::new(),
            pages: HashMap::new(),
            cache: Vec::new(),
            today,
            seed,
        };
        for (d, db) in s.board.databases.iter().enumerate() {
            s.dbs.extend(parse_id(&db.id).map(|k| (k, d)));
            let mut caches = Vec::new();
            for (i, ds) in db.data_sources.iter().enumerate() {
                s.dss.extend(parse_id(&ds.id).map(|k| (k, (d, i))));
                let mut facts = Vec::with_capacity(ds.pages.len() * ds.properties.len());
                for (p, page) in ds.pages.iter().enumerate() {
                    s.pages.extend(parse_id(&page.id).map(|k| (k, (d, i, p))));
                    facts_of(ds, page, &mut facts);
                }
                caches.push(SourceCache {
                    stride: ds.properties.len(),
                    facts,
                    ranks: ds.pages.iter().map(|p| default_rank(seed, p)).collect(),
                });
            }
            s.cache.push(caches);
        }
        s
    }

    /// The sandbox's clock: the real time, on the pinned day if there is one.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        match self.today {
            Some(d) => d.and_time(now.time()).and_utc(),
            None => now,
        }
    }

    /// Today by the sandbox's clock (UTC).
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }

    /// Adds a page to a data source (indexes and filter facts included);
    /// returns its index.
    pub(crate) fn insert_page(&mut self, d: usize, i: usize, page: PageState) -> usize {
        let key = parse_id(&page.id);
        let ds = &mut self.board.databases[d].data_sources[i];
        ds.pages.push(page);
        let p = ds.pages.len() - 1;
        if let Some(k) = key {
            self.pages.insert(k, (d, i, p));
        }
        let ds = &self.board.databases[d].data_sources[i];
        let c = &mut self.cache[d][i];
        facts_of(ds, &ds.pages[p], &mut c.facts);
        c.ranks.push(default_rank(self.seed, &ds.pages[p]));
        p
    }

    /// Recomputes the facts of one page after a write.
    fn refresh(&mut self, d: usize, i: usize, p: usize) {
        let ds = &self.board.databases[d].data_sources[i];
        let c = &mut self.cache[d][i];
        let mut row = Vec::with_capacity(c.stride);
        facts_of(ds, &ds.pages[p], &mut row);
        c.facts[p * c.stride..(p + 1) * c.stride].copy_from_slice(&row);
    }

    /// Page location, whatever the sharing.
    pub(crate) fn locate_page(&self, id: &str) -> Option<(usize, usize, usize)> {
        self.pages.get(&parse_id(id)?).copied()
    }

    pub(crate) fn locate_data_source(&self, id: &str) -> Option<(usize, usize)> {
        self.dss.get(&parse_id(id)?).copied()
    }

    pub(crate) fn visible(&self, d: usize, i: usize) -> bool {
        let db = &self.board.databases[d];
        db.shared && db.data_sources[i].shared
    }

    /// A person (or a scheduled edit) sets a value; select options that do
    /// not exist are added, like in the Notion UI.
    pub(crate) fn set_value(
        &mut self,
        page_id: &str,
        property: &str,
        value: PropertyValue,
    ) -> Result<(), String> {
        let (d, i, p) = self
            .locate_page(page_id)
            .ok_or_else(|| format!("no page {page_id}"))?;
        let ds = &mut self.board.databases[d].data_sources[i];
        let k = ds
            .property_index(property)
            .ok_or_else(|| format!("no property {property:?} in data source {}", ds.id))?;
        let value = match (ds.properties[k].kind, value) {
            (PropertyKind::Date, PropertyValue::Text(s)) => PropertyValue::date(s),
            (_, v) => v,
        };
        if ds.properties[k].kind == PropertyKind::Select {
            if let Some(name) = value.as_text().filter(|s| !s.is_empty()) {
                add_select_option(ds, k, name);
            }
        }
        let name = ds.properties[k].name.clone();
        let now = self.now();
        let page = &mut self.board.databases[d].data_sources[i].pages[p];
        page.properties.insert(name, value);
        touch(page, now);
        self.refresh(d, i, p);
        Ok(())
    }
}

pub(crate) fn add_select_option(ds: &mut super::model::DataSource, k: usize, name: &str) {
    let prop = &mut ds.properties[k];
    if prop.option(name).is_none() {
        let mut o = SelectOption::new(name, "default");
        o.id = derived_uuid(0, &format!("{}/{}/{}", ds.id, prop.name, name));
        prop.options.push(o);
    }
}

/// Sets `last_edited_time` to the current minute of the sandbox's clock,
/// rounded down as Notion does: two writes in the same minute leave it
/// where it was.
pub(crate) fn touch(page: &mut PageState, now: DateTime<Utc>) {
    page.last_edited_time = to_minute(now);
}

/// Shared state of a running sandbox.
pub(crate) struct Engine {
    pub(crate) config: SandboxConfig,
    pub(crate) state: Mutex<State>,
    pub(crate) faults: Arc<Mutex<FaultState>>,
    bucket: Mutex<Option<TokenBucket>>,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    counter: AtomicU64,
    rng: Mutex<fastrand::Rng>,
    /// Made-up ids (request ids, new pages, blocks, comments).
    ids: Mutex<fastrand::Rng>,
    pub(crate) sinks: super::sinks::Sinks,
    /// Told of every request and webhook message, if set.
    pub(crate) observer: std::sync::OnceLock<Observer>,
}

pub(crate) enum Route {
    Database(String),
    DataSource(String),
    Query(String),
    GetPage(String),
    PatchPage(String),
    CreatePage,
    PropertyItem(String, String),
    Me,
    Users,
    User(String),
    Search,
    BlockChildren(String),
    AppendChildren(String),
    Comments,
    CreateComment,
    /// A documented endpoint the sandbox does not serve: its name.
    Unsupported(&'static str),
}

/// Every endpoint the sandbox serves (for messages and docs).
pub const SUPPORTED_ENDPOINTS: &[&str] = &[
    "GET /v1/users/me",
    "GET /v1/users",
    "GET /v1/users/{user_id}",
    "POST /v1/search",
    "GET /v1/databases/{database_id}",
    "GET /v1/data_sources/{data_source_id}",
    "POST /v1/data_sources/{data_source_id}/query",
    "POST /v1/pages",
    "GET /v1/pages/{page_id}",
    "PATCH /v1/pages/{page_id}",
    "GET /v1/pages/{page_id}/properties/{property_id}",
    "GET /v1/blocks/{block_id}/children",
    "PATCH /v1/blocks/{block_id}/children",
    "GET /v1/comments",
    "POST /v1/comments",
];

pub(crate) fn route(method: &str, path: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| s.to_string();
    let r = match (method, parts.as_slice()) {
        ("GET", ["v1", "databases", x]) => Route::Database(id(x)),
        ("GET", ["v1", "data_sources", x]) => Route::DataSource(id(x)),
        ("POST", ["v1", "data_sources", x, "query"]) => Route::Query(id(x)),
        ("GET", ["v1", "pages", x]) => Route::GetPage(id(x)),
        ("PATCH", ["v1", "pages", x]) => Route::PatchPage(id(x)),
        ("POST", ["v1", "pages"]) => Route::CreatePage,
        ("GET", ["v1", "pages", x, "properties", p]) => Route::PropertyItem(id(x), id(p)),
        ("GET", ["v1", "users", "me"]) => Route::Me,
        ("GET", ["v1", "users"]) => Route::Users,
        ("GET", ["v1", "users", x]) => Route::User(id(x)),
        ("POST", ["v1", "search"]) => Route::Search,
        (_, ["v1", "blocks", "meeting_notes", ..]) => Route::Unsupported("meeting notes"),
        ("GET", ["v1", "blocks", x, "children"]) => Route::BlockChildren(id(x)),
        ("PATCH", ["v1", "blocks", x, "children"]) => Route::AppendChildren(id(x)),
        ("GET", ["v1", "comments"]) => Route::Comments,
        ("POST", ["v1", "comments"]) => Route::CreateComment,
        // documented endpoints the sandbox does not serve
        ("GET", ["v1", "blocks", _]) => Route::Unsupported("retrieve a block"),
        ("PATCH", ["v1", "blocks", _]) => Route::Unsupported("update a block"),
        ("DELETE", ["v1", "blocks", _]) => Route::Unsupported("delete a block"),
        ("POST", ["v1", "databases"]) => Route::Unsupported("create a database"),
        ("PATCH", ["v1", "databases", _]) => Route::Unsupported("update a database"),
        ("POST", ["v1", "databases", _, "query"]) => Route::Unsupported(
            "query a database (removed in 2025-09-03: query its data source with POST /v1/data_sources/{data_source_id}/query)",
        ),
        ("POST", ["v1", "data_sources"]) => Route::Unsupported("create a data source"),
        ("PATCH", ["v1", "data_sources", _]) => Route::Unsupported("update a data source"),
        ("GET", ["v1", "data_sources", _, "templates"]) => {
            Route::Unsupported("list data source templates")
        }
        ("POST", ["v1", "pages", _, "move"]) => Route::Unsupported("move a page"),
        ("GET", ["v1", "pages", _, "markdown"]) => Route::Unsupported("retrieve a page as markdown"),
        ("PATCH", ["v1", "pages", _, "markdown"]) => Route::Unsupported("update a page's markdown"),
        ("GET", ["v1", "comments", _]) => Route::Unsupported("retrieve a comment"),
        ("PATCH", ["v1", "comments", _]) => Route::Unsupported("update a comment"),
        ("DELETE", ["v1", "comments", _]) => Route::Unsupported("delete a comment"),
        ("GET", ["v1", "custom_emojis"]) => Route::Unsupported("list custom emojis"),
        (_, ["v1", "views", ..]) => Route::Unsupported("views"),
        ("POST", ["v1", "file_uploads"]) => Route::Unsupported("create a file upload"),
        ("GET", ["v1", "file_uploads"]) => Route::Unsupported("list file uploads"),
        ("GET", ["v1", "file_uploads", _]) => Route::Unsupported("retrieve a file upload"),
        ("POST", ["v1", "file_uploads", _, "send"]) => Route::Unsupported("send a file upload"),
        ("POST", ["v1", "file_uploads", _, "complete"]) => {
            Route::Unsupported("complete a file upload")
        }
        ("POST", ["v1", "oauth", "token"]) => Route::Unsupported("create an OAuth token"),
        ("POST", ["v1", "oauth", "introspect"]) => Route::Unsupported("introspect an OAuth token"),
        ("POST", ["v1", "oauth", "revoke"]) => Route::Unsupported("revoke an OAuth token"),
        _ => return None,
    };
    Some(r)
}

/// The answer to a documented endpoint the sandbox does not serve.
fn unsupported(method: &str, what: &str) -> ApiError {
    ApiError::new(
        400,
        "invalid_request",
        format!(
            "The notion-sandbox does not support this endpoint ({method}: {what}). It supports: {}.",
            SUPPORTED_ENDPOINTS.join(", ")
        ),
    )
}

/// Where a page of results starts: `start_cursor` of the body (a cursor
/// returned by a previous `call`), or the beginning.
pub(crate) fn start_offset(
    seed: u64,
    body: &Map<String, Value>,
    call: &str,
) -> Result<usize, ApiError> {
    match body.get("start_cursor") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(c)) => decode_cursor(seed, c).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: body.start_cursor should be a valid cursor returned by a previous {call}, instead was `\"{c}\"`."
            ))
        }),
        Some(v) => Err(ApiError::validation(format!(
            "body failed validation: body.start_cursor should be a string, instead was `{v}`."
        ))),
    }
}

fn bad_id(param: &str, raw: &str) -> ApiError {
    ApiError::validation(format!(
        "path failed validation: path.{param} should be a valid uuid, instead was `\"{raw}\"`."
    ))
}

/// Cursors are opaque to clients but are just an offset into the current
/// results (re-filtered and re-sorted on every call), with a check value
/// so that a made-up cursor is refused.
///
/// Recorded truth (docs/sandbox.md, "Cursors under changes"): Notion does
/// not say what a cursor means once the rows it pages through change. The
/// sandbox takes the harder reading for a client: the cursor stays valid
/// but counts positions in the result set *as it is now*, so rows a client
/// patched out of its filter shift the rest forward and the next page skips
/// as many unseen rows. A client that writes while it pages must start the
/// query again rather than follow `next_cursor`.
pub(crate) fn encode_cursor(seed: u64, offset: usize) -> String {
    let check = super::model::fnv(seed, &[b"cursor", &offset.to_le_bytes()]) & 0xffff_ffff;
    URL_SAFE_NO_PAD.encode(format!("sbx1:{offset}:{check:08x}"))
}

pub(crate) fn decode_cursor(seed: u64, s: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    let mut it = raw.split(':');
    if it.next()? != "sbx1" {
        return None;
    }
    let offset: usize = it.next()?.parse().ok()?;
    let check = it.next()?;
    (it.next().is_none() && encode_cursor(seed, offset) == s && check.len() == 8).then_some(offset)
}

impl Engine {
    pub(crate) fn new(mut board: Board, config: SandboxConfig) -> std::io::Result<Engine> {
        board
            .normalize()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let faults = FaultState::new(config.faults.clone(), config.seed);
        let bucket = config
            .rate_limit
            .map(|r| TokenBucket::new(r, Instant::now()));
        let state = State::new(board, config.seed, config.today);
        Ok(Engine {
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed ^ 0x5eed)),
            sinks: super::sinks::Sinks::new(&config.sink_rate_limits),
            observer: std::sync::OnceLock::new(),
            ids: Mutex::new(match config.id_seed {
                Some(seed) => fastrand::Rng::with_seed(seed ^ 0x1d5),
                None => fastrand::Rng::new(),
            }),
            config,
            state: Mutex::new(state),
            faults: Arc::new(Mutex::new(faults)),
            bucket: Mutex::new(bucket),
            requests: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
        })
    }

    pub(crate) fn observe(&self, event: super::events::Event) {
        if let Some(f) = self.observer.get() {
            f(event);
        }
    }

    /// The board as it is now, with the pinned day, as board JSON.
    pub(crate) fn export_board(&self) -> String {
        let st = lock(&self.state);
        let mut board = st.board.clone();
        board.today = st.today;
        board.to_json()
    }

    /// Latency to add before answering (fixed plus seeded jitter).
    pub(crate) fn latency(&self) -> Duration {
        let jitter = self.config.jitter.as_nanos() as u64;
        let extra = if jitter == 0 {
            0
        } else {
            lock(&self.rng).u64(0..=jitter)
        };
        self.config.latency + Duration::from_nanos(extra)
    }

    fn request_id(&self) -> String {
        self.new_id()
    }

    /// A fresh random v4 UUID (seeded only by [`SandboxConfig::id_seed`]).
    pub(crate) fn new_id(&self) -> String {
        super::model::uuid_from_bits(lock(&self.ids).u128(..))
    }

    /// Handles a Notion request: faults, then routing, auth, version, rate
    /// limit, body and the handler. Records it and runs scheduled edits.
    pub(crate) fn dispatch(&self, req: &RawRequest) -> Outcome {
        let now = Instant::now();
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let rid = self.request_id();
        let index = {
            let mut r = lock(&self.requests);
            r.push(RecordedRequest::of(req, now));
            r.len() - 1
        };
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

    pub(crate) fn set_status(&self, index: usize, status: u16) {
        if let Some(r) = lock(&self.requests).get_mut(index) {
            r.status = status;
        }
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
        let mut st = lock(&self.state);
        for e in due {
            if let Err(err) = st.set_value(&e.page_id, &e.property, e.value) {
                tracing::warn!("sandbox: scheduled edit failed: {err}");
            }
        }
    }

    fn process(&self, n: u64, rid: &str, req: &RawRequest, now: Instant) -> Reply {
        match self.process_inner(n, req, now) {
            Ok(mut v) => {
                // as at Notion: the request id in the body of every answer
                // too, not only of errors
                if let Value::Object(o) = &mut v {
                    o.insert("request_id".into(), json!(rid));
                }
                json_reply(&v, rid)
            }
            Err(e) => e.reply(rid),
        }
    }

    fn process_inner(&self, n: u64, req: &RawRequest, now: Instant) -> Result<Value, ApiError> {
        let revoked = lock(&self.faults)
            .config
            .revoke_token_after
            .is_some_and(|k| n > k);
        let token = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if revoked || token != Some(self.config.token.as_str()) {
            return Err(ApiError::new(401, "unauthorized", "API token is invalid."));
        }
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
        match req.header("notion-version") {
            None => {
                return Err(ApiError::new(
                    400,
                    "missing_version",
                    "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
                ))
            }
            Some(v) if v.trim() != NOTION_VERSION => {
                return Err(ApiError::validation(format!(
                    "Notion-Version header failed validation: this sandbox only speaks `{NOTION_VERSION}`, instead was `{v}`."
                )))
            }
            Some(_) => {}
        }
        // one bucket for the whole integration, as at Notion: a 429 is about
        // every request, not only the one refused (see TokenBucket::try_take
        // for the Retry-After values)
        if let Some(b) = lock(&self.bucket).as_mut() {
            if let Err(secs) = b.try_take(now) {
                let mut e = rate_limited();
                e.retry_after = Some(secs);
                return Err(e);
            }
        }
        let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(&req.body)
                .map_err(|_| ApiError::new(400, "invalid_json", "Error parsing JSON body."))?
        };
        let query = req.query.as_deref();
        match route {
            Route::Database(id) => self.get_database(&id),
            Route::DataSource(id) => self.get_data_source(&id),
            Route::Query(id) => self.query(&id, &body, query),
            Route::GetPage(id) => self.get_page(&id, query),
            Route::PatchPage(id) => self.patch_page(&id, &body),
            Route::CreatePage => self.create_page(&body),
            Route::PropertyItem(page, prop) => self.property_item(&page, &prop, query),
            Route::Me => Ok(super::objects::bot_user()),
            Route::Users => self.list_users(query),
            Route::User(id) => self.get_user(&id),
            Route::Search => self.search(&body),
            Route::BlockChildren(id) => self.list_children(&id, query),
            Route::AppendChildren(id) => self.append_children(&id, &body),
            Route::Comments => self.list_comments(query),
            Route::CreateComment => self.create_comment(&body),
            Route::Unsupported(_) => unreachable!("answered above"),
        }
    }

    fn get_database(&self, raw: &str) -> Result<Value, ApiError> {
        let key = parse_id(raw).ok_or_else(|| bad_id("database_id", raw))?;
        let st = lock(&self.state);
        let d = st
            .dbs
            .get(&key)
            .copied()
            .filter(|&d| st.board.databases[d].shared)
            .ok_or_else(|| ApiError::not_found("database", &super::model::format_id(key)))?;
        Ok(database_json(&st.board.databases[d]))
    }

    pub(crate) fn data_source_at(&self, st: &State, raw: &str) -> Result<(usize, usize), ApiError> {
        let key = parse_id(raw).ok_or_else(|| bad_id("data_source_id", raw))?;
        st.dss
            .get(&key)
            .copied()
            .filter(|&(d, i)| st.visible(d, i))
            .ok_or_else(|| ApiError::not_found("data source", &super::model::format_id(key)))
    }

    fn get_data_source(&self, raw: &str) -> Result<Value, ApiError> {
        let st = lock(&self.state);
        let (d, i) = self.data_source_at(&st, raw)?;
        let db = &st.board.databases[d];
        Ok(data_source_json(db, &db.data_sources[i]))
    }

    /// `filter_properties` values (already percent-decoded once, as any
    /// server decodes a query string).
    ///
    /// Property ids are shown URL-encoded (`fk%5EY` is the id `fk^Y`). On
    /// the wire Notion wants that id encoded once (`?filter_properties=fk%5EY`,
    /// which decodes to `fk^Y`): the official SDK decodes ids before it
    /// builds the query string for exactly this reason, because Notion
    /// refused the twice-encoded form (makenotion/notion-sdk-js#402). The
    /// sandbox refuses it too (400 `validation_error`): the harder reading.
    fn filter_properties(
        &self,
        ds: &super::model::DataSource,
        query: Option<&str>,
    ) -> Result<Option<Vec<usize>>, ApiError> {
        let wanted: Vec<String> = query_values(query, "filter_properties").collect();
        if wanted.is_empty() {
            return Ok(None);
        }
        wanted
            .iter()
            .map(|w| {
                let found = ds
                    .properties
                    .iter()
                    .position(|p| p.name == *w || percent_decode(&p.id) == *w);
                found.ok_or_else(|| {
                    ApiError::validation(format!("Could not find property with name or id: {w}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn query(&self, raw: &str, body: &Value, query: Option<&str>) -> Result<Value, ApiError> {
        let body = body_object(body)?;
        check_keys(
            body,
            "body",
            &[
                "filter",
                "sorts",
                "start_cursor",
                "page_size",
                "in_trash",
                "archived",
                "result_type",
            ],
        )?;
        for k in ["in_trash", "archived"] {
            match body.get(k) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => {
                    return Err(ApiError::new(
                        400,
                        "invalid_request",
                        format!("The notion-sandbox does not support `{k}: true` in a query: trashed pages are never returned."),
                    ))
                }
                Some(v) => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.{k} should be a boolean, instead was `{v}`."
                    )))
                }
            }
        }
        // every row of a data source is a page; `data_source` asks for the
        // (wiki) data sources among the results, of which there are none
        let no_rows = match body.get("result_type") {
            None | Some(Value::Null) => false,
            Some(Value::String(t)) if t == "page" => false,
            Some(Value::String(t)) if t == "data_source" => true,
            Some(v) => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.result_type should be `\"page\"` or `\"data_source\"`, instead was `{v}`."
                )))
            }
        };
        let page_size = match body.get("page_size") {
            None | Some(Value::Null) => 100,
            Some(v) => match v.as_i64() {
                Some(n) if (1..=100).contains(&n) => n as usize,
                Some(n) if n > 100 => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.page_size should be ≤ `100`, instead was `{n}`."
                    )))
                }
                _ => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.page_size should be a positive integer, instead was `{v}`."
                    )))
                }
            },
        };
        let offset = start_offset(self.config.seed, body, "query")?;
        let st = lock(&self.state);
        let (d, i) = self.data_source_at(&st, raw)?;
        let db = &st.board.databases[d];
        let ds = &db.data_sources[i];
        let filter = match body.get("filter") {
            None | Some(Value::Null) => None,
            Some(f) => Some(parse_filter(f, ds, st.today()).map_err(ApiError::validation)?),
        };
        let sorts = match body.get("sorts") {
            None | Some(Value::Null) => Vec::new(),
            Some(s) => parse_sorts(s, ds).map_err(ApiError::validation)?,
        };
        let only = self.filter_properties(ds, query)?;
        let cache = &st.cache[d][i];
        let mut rows: Vec<usize> = ds
            .pages
            .iter()
            .enumerate()
            .filter(|(k, p)| {
                !no_rows
                    && !p.in_trash
                    && filter.as_ref().is_none_or(|f| {
                        f.matches(p, &cache.facts[k * cache.stride..(k + 1) * cache.stride])
                    })
            })
            .map(|(k, _)| k)
            .collect();
        order(&ds.pages, &mut rows, &sorts, &cache.ranks);

        let total = rows.len();
        let cap = self.config.row_cap;
        let start = offset.min(total);
        let mut end = offset.saturating_add(page_size).min(total);
        let capped = total > cap && offset.saturating_add(page_size) >= cap;
        if capped {
            end = end.min(cap).max(start.min(cap));
        }
        let start = start.min(end);
        let has_more = !capped && end < total;
        let results: Vec<Value> = rows[start..end]
            .iter()
            .map(|&k| page_json(&db.id, ds, &ds.pages[k], only.as_deref()))
            .collect();
        let mut out = Map::new();
        out.insert("object".into(), json!("list"));
        out.insert("results".into(), Value::Array(results));
        out.insert(
            "next_cursor".into(),
            if has_more {
                json!(encode_cursor(self.config.seed, end))
            } else {
                Value::Null
            },
        );
        out.insert("has_more".into(), json!(has_more));
        out.insert("type".into(), json!("page_or_data_source"));
        out.insert("page_or_data_source".into(), json!({}));
        if capped {
            out.insert(
                "request_status".into(),
                json!({"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}),
            );
        }
        Ok(Value::Object(out))
    }

    pub(crate) fn page_at(&self, st: &State, raw: &str) -> Result<(usize, usize, usize), ApiError> {
        let key = parse_id(raw).ok_or_else(|| bad_id("page_id", raw))?;
        st.pages
            .get(&key)
            .copied()
            .filter(|&(d, i, _)| st.visible(d, i))
            .ok_or_else(|| ApiError::not_found("page", &super::model::format_id(key)))
    }

    fn get_page(&self, raw: &str, query: Option<&str>) -> Result<Value, ApiError> {
        let st = lock(&self.state);
        let (d, i, p) = self.page_at(&st, raw)?;
        let db = &st.board.databases[d];
        let ds = &db.data_sources[i];
        let only = self.filter_properties(ds, query)?;
        Ok(page_json(&db.id, ds, &ds.pages[p], only.as_deref()))
    }

    fn patch_page(&self, raw: &str, body: &Value) -> Result<Value, ApiError> {
        if self.config.read_only {
            return Err(ApiError::new(
                403,
                "restricted_resource",
                "Insufficient permissions for this endpoint.",
            ));
        }
        let mut st = lock(&self.state);
        let (d, i, p) = self.page_at(&st, raw)?;
        let body = body_object(body)?;
        check_keys(
            body,
            "body",
            &[
                "properties",
                "in_trash",
                "archived",
                "icon",
                "cover",
                "is_locked",
                "template",
                "erase_content",
                "is_archived",
            ],
        )?;
        for k in ["template", "erase_content", "is_archived"] {
            if body
                .get(k)
                .is_some_and(|v| !v.is_null() && *v != Value::Bool(false))
            {
                return Err(ApiError::new(
                    400,
                    "invalid_request",
                    format!("The notion-sandbox does not support `{k}` in a page update."),
                ));
            }
        }
        let icon = super::objects::parse_icon(body.get("icon"), "body.icon", false)?;
        let cover = super::objects::parse_icon(body.get("cover"), "body.cover", true)?;
        let set_lock = match body.get("is_locked") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(v) => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.is_locked should be a boolean, instead was `{v}`."
                )))
            }
        };
        let scripted_lock = lock(&self.faults)
            .config
            .locked_pages
            .iter()
            .any(|x| parse_id(x) == parse_id(raw));
        let page_locked = st.board.databases[d].data_sources[i].pages[p].is_locked;
        // a locked page takes no edits but the unlocking itself
        let edits_content = body.get("properties").is_some_and(|v| !v.is_null())
            || icon.is_some()
            || cover.is_some();
        if scripted_lock || (page_locked && set_lock != Some(false) && edits_content) {
            return Err(ApiError::validation(
                "This page is locked and cannot be edited by integrations. Unlock it in Notion to allow edits.",
            ));
        }
        let trash = match body.get("in_trash").or_else(|| body.get("archived")) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(v) => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.in_trash should be a boolean, instead was `{v}`."
                )))
            }
        };
        let db_id = st.board.databases[d].id.clone();
        let now = st.now();
        let ds = &mut st.board.databases[d].data_sources[i];
        if ds.pages[p].in_trash && trash != Some(false) {
            return Err(ApiError::validation(
                "Can't edit block that is archived. You must unarchive the block before editing.",
            ));
        }
        let changes = new_values(ds, body)?;
        for (k, value) in changes {
            if ds.properties[k].kind == PropertyKind::Select {
                if let Some(name) = value.as_text().filter(|s| !s.is_empty()) {
                    // faithful: an unknown select option is added silently
                    add_select_option(ds, k, name);
                }
            }
            let name = ds.properties[k].name.clone();
            ds.pages[p].properties.insert(name, value);
        }
        if let Some(t) = trash {
            ds.pages[p].in_trash = t;
        }
        if let Some(icon) = icon {
            ds.pages[p].icon = icon;
        }
        if let Some(cover) = cover {
            ds.pages[p].cover = cover;
        }
        if let Some(l) = set_lock {
            ds.pages[p].is_locked = l;
        }
        touch(&mut ds.pages[p], now);
        st.refresh(d, i, p);
        let ds = &st.board.databases[d].data_sources[i];
        Ok(page_json(&db_id, ds, &ds.pages[p], None))
    }
}

/// The `properties` of a create or update body, by schema index, each
/// value checked against its property.
pub(crate) fn new_values(
    ds: &super::model::DataSource,
    body: &Map<String, Value>,
) -> Result<Vec<(usize, PropertyValue)>, ApiError> {
    let mut values = Vec::new();
    match body.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(props)) => {
            for (key, v) in props {
                let k = ds.property_index(key).ok_or_else(|| {
                    ApiError::validation(format!("{key} is not a property that exists."))
                })?;
                values.push((k, parse_new_value(ds, k, v)?));
            }
        }
        Some(v) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.properties should be an object, instead was `{v}`."
            )))
        }
    }
    Ok(values)
}

pub(crate) fn parse_new_value(
    ds: &super::model::DataSource,
    k: usize,
    v: &Value,
) -> Result<PropertyValue, ApiError> {
    let prop = &ds.properties[k];
    let kind = prop.kind.as_str();
    let expected = || ApiError::validation(format!("{} is expected to be {kind}.", prop.name));
    let inner = v
        .as_object()
        .and_then(|o| o.get(kind))
        .ok_or_else(expected)?;
    let path = format!("body.properties.{}.{kind}", prop.name);
    match prop.kind {
        PropertyKind::Status | PropertyKind::Select => {
            if inner.is_null() {
                return Ok(PropertyValue::Empty);
            }
            let o = inner.as_object().ok_or_else(expected)?;
            if let Some(name) = o.get("name").and_then(Value::as_str) {
                if prop.option(name).is_some() {
                    return Ok(PropertyValue::option(name));
                }
                if prop.kind == PropertyKind::Status {
                    return Err(ApiError::validation(format!(
                        "Invalid status option. Status option \"{name}\" does not exist for property \"{}\".",
                        prop.name
                    )));
                }
                if name.contains(',') {
                    return Err(ApiError::validation(format!(
                        "Select option names cannot contain commas: \"{name}\"."
                    )));
                }
                return Ok(PropertyValue::option(name));
            }
            if let Some(id) = o.get("id").and_then(Value::as_str) {
                return match prop.options.iter().find(|x| x.id == id) {
                    Some(x) => Ok(PropertyValue::option(x.name.clone())),
                    None => Err(ApiError::validation(format!(
                        "Invalid {kind} option id \"{id}\" for property \"{}\".",
                        prop.name
                    ))),
                };
            }
            Err(ApiError::validation(format!(
                "body failed validation: {path} should have `name` or `id`."
            )))
        }
        PropertyKind::Date => {
            if inner.is_null() {
                return Ok(PropertyValue::Empty);
            }
            let o = inner.as_object().ok_or_else(expected)?;
            let start = o
                .get("start")
                .and_then(Value::as_str)
                .filter(|s| parse_date_start(s).is_some())
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: {path}.start should be a valid ISO 8601 date string."
                    ))
                })?;
            let end = match o.get("end") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if parse_date_start(s).is_some() => Some(s.clone()),
                Some(_) => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {path}.end should be a valid ISO 8601 date string."
                    )))
                }
            };
            let time_zone = o
                .get("time_zone")
                .and_then(Value::as_str)
                .map(str::to_string);
            Ok(PropertyValue::Date(DateValue {
                start: start.to_string(),
                end,
                time_zone,
            }))
        }
        PropertyKind::Title | PropertyKind::RichText => {
            let arr = inner.as_array().ok_or_else(expected)?;
            let mut s = String::new();
            for item in arr {
                let content = item
                    .get("text")
                    .and_then(|t| t.get("content"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ApiError::validation(format!(
                            "body failed validation: {path}[].text.content should be defined."
                        ))
                    })?;
                s.push_str(content);
            }
            Ok(PropertyValue::Text(s))
        }
        PropertyKind::Checkbox => inner
            .as_bool()
            .map(PropertyValue::Checkbox)
            .ok_or_else(expected),
        PropertyKind::Number => match inner {
            Value::Null => Ok(PropertyValue::Empty),
            v => v.as_f64().map(PropertyValue::Number).ok_or_else(expected),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::faults::RateLimit;
    use super::super::model::{GeneratedBoard, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID};
    use super::super::SANDBOX_TOKEN;
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn engine(board: Board, config: SandboxConfig) -> Engine {
        Engine::new(board, config).unwrap()
    }

    fn demo() -> Engine {
        engine(Board::demo(today()), SandboxConfig::default())
    }

    fn req(method: &str, path: &str, body: Option<Value>) -> RawRequest {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path.to_string(), None),
        };
        RawRequest {
            method: method.into(),
            path,
            query,
            headers: vec![
                ("authorization".into(), format!("Bearer {SANDBOX_TOKEN}")),
                ("notion-version".into(), NOTION_VERSION.into()),
            ],
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        }
    }

    fn call(e: &Engine, r: &RawRequest) -> (u16, Value) {
        match e.dispatch(r) {
            Outcome::Reply(r) => (
                r.status,
                serde_json::from_str(&r.body).unwrap_or(Value::String(r.body)),
            ),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn query_path() -> String {
        format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query")
    }

    #[test]
    fn auth_and_version_errors() {
        let e = demo();
        let mut r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
        assert_eq!(call(&e, &r).0, 200);
        r.headers[0].1 = "Bearer wrong".into();
        let (s, v) = call(&e, &r);
        assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
        assert_eq!(v["object"], "error");
        assert!(v["request_id"].is_string());
        r.headers.remove(0);
        assert_eq!(call(&e, &r).0, 401);
        let mut r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
        r.headers.remove(1);
        let (s, v) = call(&e, &r);
        assert_eq!((s, v["code"].as_str()), (400, Some("missing_version")));
        r.headers
            .push(("notion-version".into(), "2022-06-28".into()));
        let (s, v) = call(&e, &r);
        assert_eq!(s, 400);
        assert!(v["message"].as_str().unwrap().contains("2025-09-03"));
        let (s, v) = call(&e, &req("GET", "/v1/tasks/1", None));
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request_url")));
        let mut bad = req("POST", &query_path(), None);
        bad.body = b"{not json".to_vec();
        let (s, v) = call(&e, &bad);
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_json")));
        assert_eq!(e.requests.lock().unwrap().len(), 7);
    }

    #[test]
    fn database_and_data_source_ids_are_not_interchangeable() {
        let e = demo();
        let (s, v) = call(
            &e,
            &req(
                "GET",
                &format!("/v1/databases/{}", DEMO_DATABASE_ID.replace('-', "")),
                None,
            ),
        );
        assert_eq!(s, 200);
        assert!(v.get("properties").is_none());
        assert_eq!(v["data_sources"][0]["id"], DEMO_DATA_SOURCE_ID);
        let (s, v) = call(
            &e,
            &req("GET", &format!("/v1/databases/{DEMO_DATA_SOURCE_ID}"), None),
        );
        assert_eq!((s, v["code"].as_str()), (404, Some("object_not_found")));
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("shared with your integration"));
        let (s, v) = call(
            &e,
            &req(
                "GET",
                &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
                None,
            ),
        );
        assert_eq!(s, 200);
        assert_eq!(v["properties"]["Status"]["id"], "fk%5EY");
        assert_eq!(v["properties"]["Name"]["id"], "title");
        assert_eq!(v["parent"]["database_id"], DEMO_DATABASE_ID);
        let groups = v["properties"]["Status"]["status"]["groups"]
            .as_array()
            .unwrap();
        assert_eq!(groups.len(), 3);
        assert_eq!(
            call(
                &e,
                &req("GET", &format!("/v1/data_sources/{DEMO_DATABASE_ID}"), None)
            )
            .0,
            404
        );
        assert_eq!(
            call(&e, &req("GET", "/v1/data_sources/not-an-id", None)).0,
            400
        );
    }

    #[test]
    fn unshared_and_read_only() {
        let mut b = Board::demo(today());
        b.set_shared(DEMO_DATA_SOURCE_ID, false);
        let page = b.databases[0].data_sources[0].pages[0].id.clone();
        let e = engine(
            b,
            SandboxConfig {
                read_only: true,
                ..Default::default()
            },
        );
        assert_eq!(
            call(
                &e,
                &req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None)
            )
            .0,
            200
        );
        assert_eq!(
            call(&e, &req("POST", &query_path(), Some(json!({})))).0,
            404
        );
        assert_eq!(
            call(&e, &req("GET", &format!("/v1/pages/{page}"), None)).0,
            404
        );
        let (s, v) = call(
            &e,
            &req(
                "PATCH",
                &format!("/v1/pages/{page}"),
                Some(json!({"properties":{}})),
            ),
        );
        assert_eq!((s, v["code"].as_str()), (403, Some("restricted_resource")));
    }

    #[test]
    fn query_pages_with_cursor_and_filter_properties() {
        let e = demo();
        let path = format!(
            "{}?filter_properties=title&filter_properties=fk%5EY",
            query_path()
        );
        let (s, v) = call(&e, &req("POST", &path, Some(json!({"page_size": 10}))));
        assert_eq!(s, 200);
        assert_eq!(v["results"].as_array().unwrap().len(), 10);
        assert_eq!(v["has_more"], true);
        let first = &v["results"][0];
        assert_eq!(first["object"], "page");
        let props = first["properties"].as_object().unwrap();
        assert_eq!(props.len(), 2, "{props:?}");
        assert!(props.contains_key("Name") && props.contains_key("Status"));
        assert_eq!(first["parent"]["data_source_id"], DEMO_DATA_SOURCE_ID);
        let mut seen = 10;
        let mut cursor = v["next_cursor"].clone();
        while !cursor.is_null() {
            let (s, v) = call(
                &e,
                &req(
                    "POST",
                    &query_path(),
                    Some(json!({"page_size": 10, "start_cursor": cursor})),
                ),
            );
            assert_eq!(s, 200);
            seen += v["results"].as_array().unwrap().len();
            cursor = v["next_cursor"].clone();
        }
        assert_eq!(seen, 37); // 38 tasks, one trashed
        for bad in [
            json!({"page_size": 101}),
            json!({"page_size": 0}),
            json!({"start_cursor": "abc"}),
        ] {
            let (s, v) = call(&e, &req("POST", &query_path(), Some(bad)));
            assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
        }
        let (s, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter": {"property": "Nope", "status": {"equals": "x"}}})),
            ),
        );
        assert_eq!(s, 400);
        assert_eq!(
            v["message"],
            "Could not find property with name or id: Nope"
        );
    }

    #[test]
    fn filter_properties_wants_the_id_encoded_once() {
        let e = demo();
        let body = Some(json!({"page_size": 1}));
        // as the official SDK sends it: `fk^Y` encoded once
        let path = format!(
            "{}?filter_properties=fk%5EY&filter_properties=Name",
            query_path()
        );
        let (s, v) = call(&e, &req("POST", &path, body.clone()));
        assert_eq!(s, 200, "{v}");
        let props = v["results"][0]["properties"].as_object().unwrap();
        assert!(props.contains_key("Status") && props.contains_key("Name"));
        // the id as shown, encoded again: Notion cannot find it
        let path = format!("{}?filter_properties=fk%255EY", query_path());
        let (s, v) = call(&e, &req("POST", &path, body));
        assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
    }

    #[test]
    fn cursor_is_an_offset_into_current_results() {
        let e = demo();
        let filter = json!({"property": "Status", "status": {"equals": "To Do"}});
        let (_, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter": filter, "page_size": 5})),
            ),
        );
        let first: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        // move the first page out of the filter, as a sweep does
        for id in &first {
            let (s, _) = call(
                &e,
                &req(
                    "PATCH",
                    &format!("/v1/pages/{id}"),
                    Some(json!({"properties": {"Status": {"status": {"name": "Overdue"}}}})),
                ),
            );
            assert_eq!(s, 200);
        }
        let (_, v2) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter": filter, "page_size": 5, "start_cursor": v["next_cursor"]})),
            ),
        );
        // a fresh query from the start shows what the naive client skipped
        let (_, fresh) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter": filter, "page_size": 5})),
            ),
        );
        let skipped: Vec<&Value> = fresh["results"].as_array().unwrap().iter().collect();
        let second: Vec<&Value> = v2["results"].as_array().unwrap().iter().collect();
        assert_ne!(skipped[0]["id"], second[0]["id"]);
        assert!(second
            .iter()
            .all(|p| !skipped.iter().any(|q| q["id"] == p["id"])));
    }

    #[test]
    fn row_cap_stops_the_chain() {
        let spec = GeneratedBoard {
            tasks: 300,
            overdue_fraction: 0.5,
            ..GeneratedBoard::new(300, today())
        };
        let e = engine(
            Board::generated(&spec),
            SandboxConfig {
                row_cap: 120,
                ..Default::default()
            },
        );
        let path = format!("/v1/data_sources/{}/query", spec.data_source_id());
        let mut cursor = Value::Null;
        let mut pages = Vec::new();
        loop {
            let (s, v) = call(
                &e,
                &req(
                    "POST",
                    &path,
                    Some(json!({"page_size": 50, "start_cursor": cursor})),
                ),
            );
            assert_eq!(s, 200);
            pages.push(v.clone());
            cursor = v["next_cursor"].clone();
            if v["has_more"] == false {
                break;
            }
        }
        let sizes: Vec<usize> = pages
            .iter()
            .map(|v| v["results"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, vec![50, 50, 20]);
        let last = pages.last().unwrap();
        assert!(last["next_cursor"].is_null());
        assert_eq!(
            last["request_status"]["incomplete_reason"],
            "query_result_limit_reached"
        );
        assert!(pages[0].get("request_status").is_none());
        // exactly at the cap with nothing beyond: complete
        let e = engine(
            Board::generated(&spec),
            SandboxConfig {
                row_cap: 300,
                ..Default::default()
            },
        );
        let (_, v) = call(
            &e,
            &req(
                "POST",
                &path,
                Some(json!({"page_size": 100, "start_cursor": encode_cursor(0, 200)})),
            ),
        );
        assert_eq!(v["results"].as_array().unwrap().len(), 100);
        assert!(v.get("request_status").is_none());
    }

    #[test]
    fn patch_rules() {
        let e = demo();
        let (id, trashed) = {
            let st = e.state.lock().unwrap();
            let pages = &st.board.databases[0].data_sources[0].pages;
            (
                pages[0].id.clone(),
                pages.iter().find(|p| p.in_trash).unwrap().id.clone(),
            )
        };
        let before =
            e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0].last_edited_time;
        let patch =
            |id: &str, body: Value| call(&e, &req("PATCH", &format!("/v1/pages/{id}"), Some(body)));
        let (s, v) = patch(
            &id,
            json!({"properties": {"Status": {"status": {"name": "Blocked"}}}}),
        );
        assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
        let (s, _) = patch(
            &id,
            json!({"properties": {"Status": {"select": {"name": "Done"}}}}),
        );
        assert_eq!(s, 400);
        let (s, v) = patch(
            &id,
            json!({"properties": {"Nope": {"status": {"name": "Done"}}}}),
        );
        assert_eq!(s, 400);
        assert_eq!(v["message"], "Nope is not a property that exists.");
        let (s, _) = patch(
            &trashed,
            json!({"properties": {"Status": {"status": {"name": "Done"}}}}),
        );
        assert_eq!(s, 400);
        let (s, v) = patch(
            &id.replace('-', ""),
            json!({"properties": {"fk%5EY": {"status": {"name": "Done"}}, "Priority": {"select": {"name": "Urgent"}}}}),
        );
        assert_eq!(s, 200);
        assert_eq!(v["properties"]["Status"]["status"]["name"], "Done");
        assert_eq!(v["properties"]["Priority"]["select"]["name"], "Urgent");
        let (_, ds) = call(
            &e,
            &req(
                "GET",
                &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
                None,
            ),
        );
        let opts = ds["properties"]["Priority"]["select"]["options"]
            .as_array()
            .unwrap();
        assert!(opts.iter().any(|o| o["name"] == "Urgent"));
        let after =
            e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0].last_edited_time;
        assert!(after > before);
        // locked pages
        lock(&e.faults).config.locked_pages.push(id.clone());
        let (s, _) = patch(
            &id,
            json!({"properties": {"Status": {"status": {"name": "Done"}}}}),
        );
        assert_eq!(s, 400);
    }

    #[test]
    fn rate_limit_and_scripted_faults() {
        let mut config = SandboxConfig {
            rate_limit: Some(RateLimit {
                per_second: 1.0,
                burst: 2,
            }),
            ..Default::default()
        };
        config.faults.scripted.push_back(FaultKind::RequestBlocked);
        config.faults.scripted.push_back(FaultKind::BadGateway);
        config.faults.revoke_token_after = Some(6);
        let e = engine(Board::demo(today()), config);
        let r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
        let (s, v) = call(&e, &r);
        assert_eq!(s, 429);
        assert_eq!(
            v["additional_data"]["rate_limit_reason"],
            "public_api_request_blocked"
        );
        match e.dispatch(&r) {
            Outcome::Reply(rep) => {
                assert_eq!(rep.status, 502);
                assert!(rep.body.contains("Bad Gateway"));
                assert_eq!(rep.content_type, "text/html");
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(call(&e, &r).0, 200);
        assert_eq!(call(&e, &r).0, 200);
        match e.dispatch(&r) {
            Outcome::Reply(rep) => {
                assert_eq!(rep.status, 429);
                assert_eq!(rep.retry_after, Some(1));
            }
            o => panic!("{o:?}"),
        }
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(call(&e, &r).0, 200);
        assert_eq!(call(&e, &r).0, 401); // request 7: token revoked
        let statuses: Vec<u16> = e
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.status)
            .collect();
        assert_eq!(statuses, vec![429, 502, 200, 200, 429, 200, 401]);
    }

    #[test]
    fn scheduled_edits_and_drop() {
        let e = demo();
        let id = e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0]
            .id
            .clone();
        {
            let mut f = lock(&e.faults);
            f.config
                .scheduled_edits
                .push(super::super::faults::ScheduledEdit {
                    after_request: 2,
                    page_id: id.clone(),
                    property: "Status".into(),
                    value: PropertyValue::option("Done"),
                });
            f.config.scripted.push_back(FaultKind::DropConnection);
        }
        let r = req("GET", &format!("/v1/pages/{id}"), None);
        assert!(matches!(e.dispatch(&r), Outcome::Drop));
        let (_, v) = call(&e, &r);
        assert_eq!(v["properties"]["Status"]["status"]["name"], "To Do");
        let (_, v) = call(&e, &r);
        assert_eq!(v["properties"]["Status"]["status"]["name"], "Done");
        assert_eq!(e.requests.lock().unwrap()[0].status, 0);
    }

    #[test]
    fn token_is_checked_before_the_url() {
        let e = demo();
        for (m, path) in [
            ("GET", "/v1/users/me"),
            ("GET", "/v1/tasks/1"),
            ("POST", "/v1/databases"),
            ("POST", "/v1/search"),
        ] {
            let mut r = req(m, path, None);
            r.headers[0].1 = "Bearer wrong".into();
            let (s, v) = call(&e, &r);
            assert_eq!(
                (s, v["code"].as_str()),
                (401, Some("unauthorized")),
                "{path}"
            );
        }
        let (s, v) = call(&e, &req("POST", "/v1/databases", Some(json!({}))));
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
        let msg = v["message"].as_str().unwrap();
        assert!(msg.contains("does not support") && msg.contains("create a database"));
        assert!(msg.contains("GET /v1/users/me") && msg.contains("POST /v1/comments"));
        let (s, _) = call(&e, &req("GET", "/v1/users/me", None));
        assert_eq!(s, 200);
    }

    #[test]
    fn unknown_body_keys_are_refused() {
        let e = demo();
        let (s, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"sort": [{"property": "Name", "direction": "ascending"}]})),
            ),
        );
        assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
        assert_eq!(
            v["message"],
            "body failed validation: body.sort should be not present, instead was `[{\"direction\":\"ascending\",\"property\":\"Name\"}]`."
        );
        let (s, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter_properties": ["title"]})),
            ),
        );
        assert_eq!(s, 400);
        assert!(v["message"]
            .as_str()
            .unwrap()
            .starts_with("body failed validation: body.filter_properties should be not present"));
        let id = e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0]
            .id
            .clone();
        let (s, v) = call(
            &e,
            &req(
                "PATCH",
                &format!("/v1/pages/{id}"),
                Some(json!({"propertys": {}})),
            ),
        );
        assert_eq!(s, 400);
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("body.propertys should be not present"));
    }

    #[test]
    fn query_result_type_and_trash_flags() {
        let e = demo();
        let (s, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"result_type": "page", "in_trash": false})),
            ),
        );
        assert_eq!(s, 200);
        assert_eq!(v["results"].as_array().unwrap().len(), 37);
        let (s, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"result_type": "data_source"})),
            ),
        );
        assert_eq!((s, v["results"].as_array().unwrap().len()), (200, 0));
        let (s, v) = call(
            &e,
            &req("POST", &query_path(), Some(json!({"in_trash": true}))),
        );
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
        let (s, _) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"result_type": "database"})),
            ),
        );
        assert_eq!(s, 400);
    }

    #[test]
    fn icon_cover_and_lock_are_applied() {
        let e = demo();
        let id = e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0]
            .id
            .clone();
        let path = format!("/v1/pages/{id}");
        let (s, v) = call(
            &e,
            &req(
                "PATCH",
                &path,
                Some(
                    json!({"icon": {"emoji": "🎯"}, "cover": {"type": "external", "external": {"url": "https://example.com/c.png"}}, "is_locked": true}),
                ),
            ),
        );
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["icon"], json!({"type": "emoji", "emoji": "🎯"}));
        assert_eq!(v["cover"]["external"]["url"], "https://example.com/c.png");
        assert_eq!(v["is_locked"], true);
        let (_, again) = call(&e, &req("GET", &path, None));
        assert_eq!(again["icon"], v["icon"]);
        // locked: no edits, but unlocking works
        let edit = json!({"properties": {"Status": {"status": {"name": "Done"}}}});
        let (s, _) = call(&e, &req("PATCH", &path, Some(edit.clone())));
        assert_eq!(s, 400);
        let (s, v) = call(
            &e,
            &req(
                "PATCH",
                &path,
                Some(json!({"is_locked": false, "icon": null})),
            ),
        );
        assert_eq!(
            (s, v["is_locked"].as_bool(), v["icon"].is_null()),
            (200, Some(false), true)
        );
        assert_eq!(call(&e, &req("PATCH", &path, Some(edit))).0, 200);
        let (s, _) = call(
            &e,
            &req("PATCH", &path, Some(json!({"icon": {"emoji": 3}}))),
        );
        assert_eq!(s, 400);
        let (s, _) = call(&e, &req("PATCH", &path, Some(json!({"in_trash": true}))));
        assert_eq!(s, 200);
        assert!(e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0].in_trash);
    }

    #[test]
    fn last_edited_time_is_the_current_minute() {
        let e = demo();
        let id = e.state.lock().unwrap().board.databases[0].data_sources[0].pages[0]
            .id
            .clone();
        let path = format!("/v1/pages/{id}");
        let body = |s: &str| Some(json!({"properties": {"Status": {"status": {"name": s}}}}));
        let (_, a) = call(&e, &req("PATCH", &path, body("Done")));
        let (_, b) = call(&e, &req("PATCH", &path, body("To Do")));
        let (_, c) = call(&e, &req("PATCH", &path, body("Done")));
        let now = to_minute(Utc::now());
        let t = |v: &Value| {
            DateTime::parse_from_rfc3339(v["last_edited_time"].as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        };
        // the same minute, not one more per write (a minute may tick over)
        assert!(t(&a) == t(&c) || t(&c) - t(&a) == chrono::Duration::minutes(1));
        assert_eq!(t(&b).timestamp() % 60, 0);
        assert!((t(&c) - now).num_minutes().abs() <= 1);
    }

    #[test]
    fn pinned_today_moves_the_clock_and_relative_filters() {
        let pinned = NaiveDate::from_ymd_opt(2030, 1, 15).unwrap();
        let e = engine(
            Board::demo(pinned),
            SandboxConfig {
                today: Some(pinned),
                ..Default::default()
            },
        );
        let (d, id) = {
            let st = e.state.lock().unwrap();
            (
                st.today(),
                st.board.databases[0].data_sources[0].pages[0].id.clone(),
            )
        };
        assert_eq!(d, pinned);
        let (_, v) = call(
            &e,
            &req(
                "PATCH",
                &format!("/v1/pages/{id}"),
                Some(json!({"properties": {}})),
            ),
        );
        assert!(v["last_edited_time"]
            .as_str()
            .unwrap()
            .starts_with("2030-01-15T"));
        let board = e.state.lock().unwrap().board.clone();
        let ds = &board.databases[0].data_sources[0];
        let due = |p: &PageState| {
            p.get("Due Date")
                .as_date()
                .and_then(|d| parse_date_start(&d.start))
                .map(|t| t.date_naive())
        };
        for (op, from, to) in [
            ("past_week", pinned - chrono::Duration::days(7), pinned),
            ("next_week", pinned, pinned + chrono::Duration::days(7)),
            (
                "this_week",
                NaiveDate::from_ymd_opt(2030, 1, 14).unwrap(),
                NaiveDate::from_ymd_opt(2030, 1, 20).unwrap(),
            ),
            (
                "past_month",
                NaiveDate::from_ymd_opt(2029, 12, 15).unwrap(),
                pinned,
            ),
            (
                "next_year",
                pinned,
                NaiveDate::from_ymd_opt(2031, 1, 15).unwrap(),
            ),
        ] {
            let mut want: Vec<String> = ds
                .pages
                .iter()
                .filter(|p| !p.in_trash && due(p).is_some_and(|d| from <= d && d <= to))
                .map(|p| p.id.clone())
                .collect();
            want.sort();
            let (s, v) = call(
                &e,
                &req(
                    "POST",
                    &query_path(),
                    Some(json!({"filter": {"property": "Due Date", "date": {op: {}}}})),
                ),
            );
            assert_eq!(s, 200, "{op}: {v}");
            let mut got: Vec<String> = v["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_string())
                .collect();
            got.sort();
            assert_eq!(got, want, "{op}");
            assert!(!want.is_empty() || op == "this_week", "{op} finds nothing");
        }
        let (s, _) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"filter": {"property": "Due Date", "date": {"past_week": true}}})),
            ),
        );
        assert_eq!(s, 400);
    }

    #[test]
    fn status_and_select_sort_by_option_order() {
        let e = demo();
        let (_, v) = call(
            &e,
            &req(
                "POST",
                &query_path(),
                Some(json!({"sorts": [{"property": "Priority", "direction": "ascending"}]})),
            ),
        );
        let (_, ds) = call(
            &e,
            &req(
                "GET",
                &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
                None,
            ),
        );
        let order: Vec<&str> = ds["properties"]["Priority"]["select"]["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        let ranks: Vec<usize> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["properties"]["Priority"]["select"]["name"].as_str())
            .map(|n| order.iter().position(|o| *o == n).unwrap())
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "{ranks:?} by {order:?}"
        );
        assert!(ranks.first() < ranks.last());
    }

    #[test]
    fn request_ids_are_random_v4_unless_seeded() {
        let id_of = |e: &Engine| {
            let (_, v) = call(e, &req("GET", "/v1/nope", None));
            v["request_id"].as_str().unwrap().to_string()
        };
        let (a, b) = (demo(), demo());
        let (x, y) = (id_of(&a), id_of(&b));
        assert_ne!(x, y);
        for id in [&x, &y] {
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "4", "{id}");
            assert!("89ab".contains(&id[19..20]), "{id}");
        }
        let seeded = || {
            engine(
                Board::demo(today()),
                SandboxConfig {
                    id_seed: Some(7),
                    ..Default::default()
                },
            )
        };
        assert_eq!(id_of(&seeded()), id_of(&seeded()));
    }

    #[test]
    fn cursor_round_trip() {
        for off in [0, 1, 99, 10_000, 123_456] {
            assert_eq!(decode_cursor(5, &encode_cursor(5, off)), Some(off));
        }
        assert_eq!(decode_cursor(6, &encode_cursor(5, 10)), None);
        assert_eq!(decode_cursor(5, "!!"), None);
    }
}
