//! `GET /v1/databases/{id}`, `GET /v1/data_sources/{id}` and
//! `POST /v1/data_sources/{id}/query`: a database is a container of data
//! sources; a data source has the schema and the rows a query pages through.

use serde_json::{json, Map, Value};

use super::objects::{data_source_json, database_json, page_json};
use super::paging::start_offset;
use super::people::Directory;
use super::properties::filter_properties;
use crate::filter::{parse_filter, parse_sorts};
use crate::http::{body_object, check_keys, ApiError};
use crate::model::encode_cursor;
use crate::workspace::Workspace;

/// `GET /v1/databases/{id}`: the container, its title and data sources.
pub(crate) fn retrieve_database(ws: &Workspace, raw: &str) -> Result<Value, ApiError> {
    let st = ws.lock();
    let d = st.database_at(raw)?;
    Ok(database_json(&st.board.databases[d]))
}

/// `GET /v1/data_sources/{id}`: the schema.
pub(crate) fn retrieve_data_source(ws: &Workspace, raw: &str) -> Result<Value, ApiError> {
    let st = ws.lock();
    let (d, i) = st.data_source_at(raw)?;
    let db = &st.board.databases[d];
    Ok(data_source_json(db, &db.data_sources[i]))
}

/// `POST /v1/data_sources/{id}/query`: a page of the rows that match the
/// filter, in the order of the sorts. The cursor counts positions in the
/// results as they are now (see `model::encode_cursor`); a chain stops at
/// the row cap with `request_status: incomplete`.
pub(crate) fn query(
    ws: &Workspace,
    raw: &str,
    body: &Value,
    query: Option<&str>,
) -> Result<Value, ApiError> {
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
    let offset = start_offset(ws.seed, body, "query")?;
    let st = ws.lock();
    let (d, i) = st.data_source_at(raw)?;
    let db = &st.board.databases[d];
    let ds = &db.data_sources[i];
    let filter = match body.get("filter") {
        None | Some(Value::Null) => None,
        Some(f) => Some(parse_filter(f, ds, st.today()).map_err(ApiError::validation)?),
    };
    let sorts = match body.get("sorts") {
        None | Some(Value::Null) => Vec::new(),
        Some(s) => parse_sorts(s, ds, &st.board.users).map_err(ApiError::validation)?,
    };
    let only = filter_properties(ds, query)?;
    let people = Directory::of(ws, &st);
    let rows = if no_rows {
        Vec::new()
    } else {
        st.rows(d, i, filter.as_ref(), &sorts)
    };

    let total = rows.len();
    let cap = ws.row_cap;
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
        .map(|&k| page_json(&db.id, ds, &ds.pages[k], only.as_deref(), &people))
        .collect();
    let mut out = Map::new();
    out.insert("object".into(), json!("list"));
    out.insert("results".into(), Value::Array(results));
    out.insert(
        "next_cursor".into(),
        if has_more {
            json!(encode_cursor(ws.seed, end))
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
