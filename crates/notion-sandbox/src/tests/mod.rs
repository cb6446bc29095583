//! The sandbox's own tests of what a request gets, through the engine
//! (`engine`, `queries`, `pages`, `resources`) and over real HTTP (`http`),
//! and the one set of functions every test of the crate shares.

mod engine;
mod http;
mod pages;
mod queries;
mod resources;

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
