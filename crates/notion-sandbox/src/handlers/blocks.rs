//! `GET` and `PATCH /v1/blocks/{id}/children`: a page's content blocks
//! (paragraphs, headings, to-dos; not nested), and the blocks a new page
//! is created with.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::paging::{list, query_page, window};
use super::people::user;
use super::rich_text::parse_rich_text;
use crate::http::{body_array, check_keys, write_body, ApiError};
use crate::model::{format_id, format_time, parse_id, to_minute};
use crate::workspace::Workspace;

/// Block types the sandbox stores.
const BLOCK_TYPES: &[&str] = &["paragraph", "heading_1", "heading_2", "heading_3", "to_do"];

/// Blocks of a request (`children`), as Notion stores them.
pub(crate) fn parse_blocks(
    ws: &Workspace,
    v: &Value,
    path: &str,
    page_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, ApiError> {
    let arr = body_array(v, path, 100)?;
    let at = format_time(&to_minute(now));
    let mut out = Vec::new();
    for (n, b) in arr.iter().enumerate() {
        let p = format!("{path}[{n}]");
        let o = b.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p} should be an object, instead was `{b}`."
            ))
        })?;
        let kind = match o.get("type").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => o
                .keys()
                .find(|k| !matches!(k.as_str(), "object" | "type"))
                .cloned()
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: {p} should have a block type such as `paragraph`."
                    ))
                })?,
        };
        if !BLOCK_TYPES.contains(&kind.as_str()) {
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox supports only {} blocks; {p} is `{kind}`.",
                BLOCK_TYPES.join(", ")
            )));
        }
        check_keys(o, &p, &["object", "type", kind.as_str()])?;
        let inner = o.get(&kind).and_then(Value::as_object).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.{kind} should be an object."
            ))
        })?;
        let ip = format!("{p}.{kind}");
        let mut allowed = vec!["rich_text", "color"];
        match kind.as_str() {
            "to_do" => allowed.push("checked"),
            "paragraph" => {}
            _ => allowed.push("is_toggleable"),
        }
        if inner.contains_key("children") {
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox does not support nested blocks ({ip}.children)."
            )));
        }
        check_keys(inner, &ip, &allowed)?;
        let text = parse_rich_text(
            inner.get("rich_text").unwrap_or(&Value::Null),
            &format!("{ip}.rich_text"),
        )?;
        let mut content = json!({
            "rich_text": text,
            "color": inner.get("color").and_then(Value::as_str).unwrap_or("default"),
        });
        match kind.as_str() {
            "to_do" => {
                content["checked"] = json!(inner
                    .get("checked")
                    .and_then(Value::as_bool)
                    .unwrap_or(false))
            }
            "paragraph" => {}
            _ => {
                content["is_toggleable"] = json!(inner
                    .get("is_toggleable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false))
            }
        }
        out.push(json!({
            "object": "block",
            "id": ws.new_id(),
            "parent": {"type": "page_id", "page_id": page_id},
            "created_time": at,
            "last_edited_time": at,
            "created_by": user(),
            "last_edited_by": user(),
            "has_children": false,
            "archived": false,
            "in_trash": false,
            "type": kind,
            kind.as_str(): content,
        }));
    }
    Ok(out)
}

/// `GET /v1/blocks/{block_id}/children`: a page's blocks (a block has
/// none: the sandbox does not nest).
pub(crate) fn list_children(
    ws: &Workspace,
    raw: &str,
    query: Option<&str>,
) -> Result<Value, ApiError> {
    let (offset, size) = query_page(ws.seed, query)?;
    let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("block_id", raw))?;
    let st = ws.lock();
    let blocks: &[Value] = match st.page_at(raw) {
        Ok((d, i, p)) => &st.board.databases[d].data_sources[i].pages[p].children,
        Err(_) if st.locate_block(key).is_some() => &[],
        Err(_) => return Err(ApiError::not_found("block", &format_id(key))),
    };
    let (start, end, next) = window(ws.seed, blocks.len(), offset, size);
    Ok(list(blocks[start..end].to_vec(), next, "block", json!({})))
}

/// `PATCH /v1/blocks/{block_id}/children` on a page.
pub(crate) fn append_children(ws: &Workspace, raw: &str, body: &Value) -> Result<Value, ApiError> {
    let body = write_body(ws.read_only, body, &["children", "after", "position"])?;
    if body.get("position").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::invalid_request(
            "The notion-sandbox does not support `position`; use `after` or append at the end.",
        ));
    }
    let key = parse_id(raw).ok_or_else(|| ApiError::bad_id("block_id", raw))?;
    let mut st = ws.lock();
    let (d, i, p) = match st.page_at(raw) {
        Ok(x) => x,
        Err(_) if st.locate_block(key).is_some() => {
            return Err(ApiError::invalid_request(
                "The notion-sandbox appends blocks to pages only, not to other blocks.",
            ))
        }
        Err(_) => return Err(ApiError::not_found("block", &format_id(key))),
    };
    let page_id = st.board.databases[d].data_sources[i].pages[p].id.clone();
    if st.board.databases[d].data_sources[i].pages[p].in_trash {
        return Err(ApiError::validation(
            "Can't edit block that is archived. You must unarchive the block before editing.",
        ));
    }
    let children = body.get("children").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.children should be defined, instead was `undefined`.",
        )
    })?;
    let now = st.now();
    let new = parse_blocks(ws, children, "body.children", &page_id, now)?;
    let page = &mut st.board.databases[d].data_sources[i].pages[p];
    let at = match body.get("after") {
        None | Some(Value::Null) => page.children.len(),
        Some(a) => {
            let want = a.as_str().and_then(parse_id);
            page.children
                .iter()
                .position(|b| b["id"].as_str().and_then(parse_id) == want && want.is_some())
                .map(|x| x + 1)
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: body.after should be the id of a child of this block, instead was `{a}`."
                    ))
                })?
        }
    };
    page.children.splice(at..at, new.iter().cloned());
    page.touch(now);
    Ok(list(new, Value::Null, "block", json!({})))
}
