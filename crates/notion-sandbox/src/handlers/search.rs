//! `POST /v1/search`: pages and data sources by title.

use serde_json::{json, Value};

use super::objects::{data_source_json, page_json, CONTAINER_TIME};
use super::paging::{body_page, list, window};
use super::people::Directory;
use crate::http::{body_object, check_keys, ApiError};
use crate::workspace::Workspace;

/// `POST /v1/search`: pages and data sources whose title contains the
/// query (case-insensitive), most recently edited first by default.
pub(crate) fn search(ws: &Workspace, body: &Value) -> Result<Value, ApiError> {
    let body = body_object(body)?;
    check_keys(
        body,
        "body",
        &["query", "filter", "sort", "start_cursor", "page_size"],
    )?;
    let needle = match body.get("query") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.to_lowercase(),
        Some(v) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.query should be a string, instead was `{v}`."
            )))
        }
    };
    let only = match body.get("filter") {
        None | Some(Value::Null) => None,
        Some(f) => {
            let o = f.as_object().ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.filter should be an object, instead was `{f}`."
                ))
            })?;
            check_keys(o, "body.filter", &["property", "value"])?;
            if o.get("property").and_then(Value::as_str) != Some("object") {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter.property should be `\"object\"`, instead was `{}`.",
                    o.get("property").unwrap_or(&Value::Null)
                )));
            }
            match o.get("value").and_then(Value::as_str) {
                Some(v @ ("page" | "data_source")) => Some(v == "page"),
                _ => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.filter.value should be `\"page\"` or `\"data_source\"`, instead was `{}`.",
                        o.get("value").unwrap_or(&Value::Null)
                    )))
                }
            }
        }
    };
    let ascending = match body.get("sort") {
        None | Some(Value::Null) => false,
        Some(s) => {
            let o = s.as_object().ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.sort should be an object, instead was `{s}`."
                ))
            })?;
            check_keys(o, "body.sort", &["direction", "timestamp"])?;
            if o.get("timestamp").and_then(Value::as_str) != Some("last_edited_time") {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.sort.timestamp should be `\"last_edited_time\"`, instead was `{}`.",
                    o.get("timestamp").unwrap_or(&Value::Null)
                )));
            }
            match o.get("direction").and_then(Value::as_str) {
                Some("ascending") => true,
                Some("descending") => false,
                _ => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.sort.direction should be `\"ascending\"` or `\"descending\"`, instead was `{}`.",
                        o.get("direction").unwrap_or(&Value::Null)
                    )))
                }
            }
        }
    };
    let (offset, size) = body_page(ws.seed, body)?;
    let st = ws.lock();
    let container = chrono::DateTime::parse_from_rfc3339(CONTAINER_TIME)
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    // (edited ms, id, database, data source, page or None)
    let mut hits: Vec<(i64, String, usize, usize, Option<usize>)> = Vec::new();
    for (d, db) in st.board.databases.iter().enumerate() {
        for (i, ds) in db.data_sources.iter().enumerate() {
            if !st.visible(d, i) {
                continue;
            }
            if only != Some(true) && ds.name.to_lowercase().contains(&needle) {
                hits.push((container, ds.id.clone(), d, i, None));
            }
            if only == Some(false) {
                continue;
            }
            let title = ds.title_property().map(|t| t.name.clone());
            for (p, page) in ds.pages.iter().enumerate() {
                if page.in_trash {
                    continue;
                }
                let t = title
                    .as_deref()
                    .and_then(|t| page.get(t).as_text())
                    .unwrap_or("");
                if needle.is_empty() || t.to_lowercase().contains(&needle) {
                    let ms = page.last_edited_time.timestamp_millis();
                    hits.push((ms, page.id.clone(), d, i, Some(p)));
                }
            }
        }
    }
    hits.sort_by(|a, b| {
        let o = a.0.cmp(&b.0);
        let o = if ascending { o } else { o.reverse() };
        o.then_with(|| a.1.cmp(&b.1))
    });
    let (start, end, next) = window(ws.seed, hits.len(), offset, size);
    let people = Directory::of(ws, &st);
    let results = hits[start..end]
        .iter()
        .map(|(_, _, d, i, p)| {
            let db = &st.board.databases[*d];
            let ds = &db.data_sources[*i];
            match p {
                Some(p) => page_json(&db.id, ds, &ds.pages[*p], None, &people),
                None => data_source_json(db, ds),
            }
        })
        .collect();
    Ok(list(results, next, "page_or_data_source", json!({})))
}
