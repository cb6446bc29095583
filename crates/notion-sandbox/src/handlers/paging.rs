//! Pages of results, as every list endpoint pages them: `page_size` and
//! `start_cursor` read from the body or the query string, the window a
//! page covers, and the list object that carries it.

use serde_json::{json, Map, Value};

use crate::http::{query_values, ApiError};
use crate::model::{decode_cursor, encode_cursor};

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

/// `page_size` and `start_cursor` of a GET list endpoint.
pub(crate) fn query_page(seed: u64, query: Option<&str>) -> Result<(usize, usize), ApiError> {
    let size = match query_values(query, "page_size").next() {
        None => 100,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::validation(format!(
                    "query failed validation: query.page_size should be a number from 1 to 100, instead was `\"{v}\"`."
                )))
            }
        },
    };
    let offset = match query_values(query, "start_cursor").next() {
        None => 0,
        Some(c) => decode_cursor(seed, &c).ok_or_else(|| {
            ApiError::validation(format!(
                "query failed validation: query.start_cursor should be a valid cursor returned by a previous call, instead was `\"{c}\"`."
            ))
        })?,
    };
    Ok((offset, size))
}

/// `page_size` and `start_cursor` of a POST list endpoint.
pub(crate) fn body_page(seed: u64, body: &Map<String, Value>) -> Result<(usize, usize), ApiError> {
    let size = match body.get("page_size") {
        None | Some(Value::Null) => 100,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=100).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.page_size should be a number from 1 to 100, instead was `{v}`."
                )))
            }
        },
    };
    let offset = start_offset(seed, body, "call")?;
    Ok((offset, size))
}

/// The range of `total` items a page covers, and the next cursor.
pub(crate) fn window(seed: u64, total: usize, offset: usize, size: usize) -> (usize, usize, Value) {
    let start = offset.min(total);
    let end = offset.saturating_add(size).min(total);
    let next = if end < total {
        json!(encode_cursor(seed, end))
    } else {
        Value::Null
    };
    (start, end, next)
}

/// A list object of `kind` (`"user"`, `"block"`, …).
pub(crate) fn list(results: Vec<Value>, next: Value, kind: &str, extra: Value) -> Value {
    json!({
        "object": "list",
        "results": results,
        "next_cursor": next,
        "has_more": !next.is_null(),
        "type": kind,
        kind: extra,
    })
}
