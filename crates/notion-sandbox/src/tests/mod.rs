//! The sandbox's own tests of what a request gets, through the engine
//! (`engine`, `queries`, `pages`, `resources`) and over real HTTP (`http`),
//! and the one set of functions every test of the crate shares.

mod demo;
mod engine;
mod http;
mod kinds;
mod pages;
mod people;
mod queries;
mod resources;
mod sinks;

use std::time::Duration;

use chrono::NaiveDate;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::engine::{Engine, Outcome, SandboxConfig, NOTION_VERSION, SANDBOX_TOKEN};
use crate::http::RawRequest;
use crate::model::{Board, DEMO_DATA_SOURCE_ID};
use crate::Sandbox;

/// The day every test board is made for.
pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// An engine over `board`.
pub(crate) fn engine(board: Board, config: SandboxConfig) -> Engine {
    Engine::new(board, config).unwrap()
}

/// The demo board, made for [`today`].
pub(crate) fn demo_board() -> Board {
    Board::demo(today())
}

/// An engine over the demo board, with the default settings.
pub(crate) fn demo() -> Engine {
    engine(demo_board(), SandboxConfig::default())
}

/// A request as received, its query string split from `path`; no headers.
pub(crate) fn bare(method: &str, path: &str, body: &[u8]) -> RawRequest {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (path.to_string(), None),
    };
    RawRequest {
        method: method.into(),
        path,
        query,
        headers: Vec::new(),
        body: body.to_vec(),
    }
}

/// A Notion request with the sandbox's token and Notion-Version; the query
/// string may be part of `path`.
pub(crate) fn req(method: &str, path: &str, body: Option<Value>) -> RawRequest {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    RawRequest {
        headers: vec![
            ("authorization".into(), format!("Bearer {SANDBOX_TOKEN}")),
            ("notion-version".into(), NOTION_VERSION.into()),
        ],
        ..bare(method, path, &body)
    }
}

/// Status and body (JSON, or the raw body as a string) of the answer to `r`.
pub(crate) fn dispatch(e: &Engine, r: &RawRequest) -> (u16, Value) {
    match e.dispatch(r) {
        Outcome::Reply(r) => (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::String(r.body)),
        ),
        other => panic!("unexpected {other:?}"),
    }
}

/// Status and body of the answer to a request built by [`req`].
pub(crate) fn call(e: &Engine, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    dispatch(e, &req(method, path, body))
}

/// The query path of the demo board's data source.
pub(crate) fn query_path() -> String {
    format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query")
}

/// The id of the first page of the engine's first data source.
pub(crate) fn first_page(e: &Engine) -> String {
    e.workspace.lock().board.databases[0].data_sources[0].pages[0]
        .id
        .clone()
}

/// Sends one HTTP/1.1 request on a fresh connection and reads until close.
pub(crate) async fn raw(sb: &Sandbox, method: &str, path: &str, body: Option<&Value>) -> String {
    let mut s = TcpStream::connect(sb.addr()).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nNotion-Version: 2025-09-03\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        sb.token(),
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut out)).await;
    out
}

/// Status, lowercased head and body (JSON, or the raw body as a string).
pub(crate) fn split(resp: &str) -> (u16, String, Value) {
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((resp, ""));
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::String(body.into())),
    )
}

/// Status and body of a Notion request over HTTP (see [`raw`]).
pub(crate) async fn api(
    sb: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, body) = split(&raw(sb, method, path, body.as_ref()).await);
    (status, body)
}

/// Ids of the pages of [`team_board`], in board order.
pub(crate) const TEAM_PAGES: [&str; 5] = [
    "10000000-0000-4000-8000-000000000001",
    "10000000-0000-4000-8000-000000000002",
    "10000000-0000-4000-8000-000000000003",
    "10000000-0000-4000-8000-000000000004",
    "10000000-0000-4000-8000-000000000005",
];

/// The data source of [`team_board`].
pub(crate) const TEAM_SOURCE: &str = "20000000-0000-4000-8000-000000000002";

/// A user who has left the workspace: named by id alone in [`team_board`].
pub(crate) const DEPARTED: &str = "30000000-0000-4000-8000-000000000003";

/// A hand-written board with people, a bot, a multi_select, a people
/// property and a checkbox, made for [`today`]: "Pinned chore" (pinned,
/// infra; Ada), "Write the docs" (docs; Ada and Grace; on hold), "Nothing
/// set", "The bot's" (infra; the bot), "Left behind" (the departed user).
pub(crate) fn team_board() -> Board {
    Board::from_json(&format!(
        r#"{{"today": "2026-11-22",
        "users": [
          {{"id": "{ada}", "name": "Ada Lovelace", "type": "person", "email": "ada@acme.com"}},
          {{"id": "{grace}", "name": "Grace Hopper", "email": "grace@acme.com"}},
          {{"id": "{bot}", "name": "Build Bot", "type": "bot"}}
        ],
        "databases": [{{"id": "20000000-0000-4000-8000-000000000001", "title": "Team",
          "data_sources": [{{"id": "{TEAM_SOURCE}", "name": "Team",
            "properties": [
              {{"name": "Name", "type": "title"}},
              {{"name": "Status", "type": "status", "options": [{{"name": "To Do"}}, {{"name": "In Progress"}}, {{"name": "Done"}}]}},
              {{"name": "Tags", "type": "multi_select", "id": "tg", "options": [{{"name": "pinned", "color": "red"}}, {{"name": "infra"}}, {{"name": "docs"}}]}},
              {{"name": "Assignee", "type": "people", "id": "as"}},
              {{"name": "On hold", "type": "checkbox"}}
            ],
            "pages": [
              {{"id": "{p1}", "last_edited_time": "2026-11-21T10:00:00Z",
                "properties": {{"Name": "Pinned chore", "Status": "To Do", "Tags": ["pinned", "infra"], "Assignee": ["ada@acme.com"], "On hold": false}}}},
              {{"id": "{p2}", "last_edited_time": "2026-11-01T09:00:00Z",
                "properties": {{"Name": "Write the docs", "Status": "In Progress", "Tags": ["docs"], "Assignee": ["ADA@acme.com", "{grace}"], "On hold": true}}}},
              {{"id": "{p3}", "last_edited_time": "2026-10-01T09:00:00Z",
                "properties": {{"Name": "Nothing set", "Status": "To Do"}}}},
              {{"id": "{p4}", "last_edited_time": "2026-11-22T00:00:00Z",
                "properties": {{"Name": "The bot's", "Status": "Done", "Tags": ["infra"], "Assignee": ["{bot}"]}}}},
              {{"id": "{p5}", "last_edited_time": "2026-11-15T08:30:00Z",
                "properties": {{"Name": "Left behind", "Status": "To Do", "Tags": [], "Assignee": ["{departed}"]}}}}
            ]}}]}}]}}"#,
        ada = ADA,
        grace = GRACE,
        bot = BOT,
        departed = DEPARTED.replace('-', ""),
        p1 = TEAM_PAGES[0],
        p2 = TEAM_PAGES[1],
        p3 = TEAM_PAGES[2],
        p4 = TEAM_PAGES[3],
        p5 = TEAM_PAGES[4],
    ))
    .unwrap()
}

/// Ada Lovelace of [`team_board`].
pub(crate) const ADA: &str = "30000000-0000-4000-8000-000000000001";
/// Grace Hopper of [`team_board`].
pub(crate) const GRACE: &str = "30000000-0000-4000-8000-000000000002";
/// The bot of [`team_board`].
pub(crate) const BOT: &str = "30000000-0000-4000-8000-000000000004";
