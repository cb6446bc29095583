//! `GET /v1/users/me`, `GET /v1/users` and `GET /v1/users/{id}`: the
//! integration's bot, the sandbox's own person and the board's users.

use serde_json::{json, Value};

use super::paging::{list, query_page, window};
use super::people::{bot_user, Directory};
use crate::http::ApiError;
use crate::model::{format_id, parse_id};
use crate::workspace::Workspace;

/// `GET /v1/users/me`: the integration itself.
pub(crate) fn me() -> Value {
    bot_user()
}

/// `GET /v1/users`: every user, paginated.
pub(crate) fn list_users(ws: &Workspace, query: Option<&str>) -> Result<Value, ApiError> {
    let (offset, size) = query_page(ws.seed, query)?;
    let st = ws.lock();
    let all = Directory::of(ws, &st).all();
    let (start, end, next) = window(ws.seed, all.len(), offset, size);
    Ok(list(all[start..end].to_vec(), next, "user", json!({})))
}

/// `GET /v1/users/{id}`.
pub(crate) fn retrieve(ws: &Workspace, raw: &str) -> Result<Value, ApiError> {
    let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("user_id", raw))?;
    let st = ws.lock();
    Directory::of(ws, &st)
        .all()
        .into_iter()
        .find(|u| u["id"].as_str().and_then(parse_id) == Some(key))
        .ok_or_else(|| ApiError::not_found("user", &format_id(key)))
}
