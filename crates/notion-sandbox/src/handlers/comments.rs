//! `GET /v1/comments?block_id=…` and `POST /v1/comments`: comments on
//! pages, started or answered in a discussion.

use serde_json::{json, Value};

use super::paging::{list, query_page, window};
use super::people::bot_id;
use super::rich_text::parse_rich_text;
use crate::http::{check_keys, query_values, write_body, ApiError};
use crate::model::{format_id, format_time, parse_id, to_minute};
use crate::workspace::Workspace;

/// `GET /v1/comments?block_id=…`: the comments of a page.
pub(crate) fn list_comments(ws: &Workspace, query: Option<&str>) -> Result<Value, ApiError> {
    let (offset, size) = query_page(ws.seed, query)?;
    let raw = query_values(query, "block_id").next().ok_or_else(|| {
        ApiError::validation(
            "query failed validation: query.block_id should be defined, instead was `undefined`.",
        )
    })?;
    let key = parse_id(&raw).ok_or_else(|| {
        ApiError::validation(format!(
            "query failed validation: query.block_id should be a valid uuid, instead was `\"{raw}\"`."
        ))
    })?;
    let st = ws.lock();
    let comments: &[Value] = match st.page_at(&raw) {
        Ok((d, i, p)) => &st.board.databases[d].data_sources[i].pages[p].comments,
        Err(_) if st.locate_block(key).is_some() => &[],
        Err(_) => return Err(ApiError::not_found("block", &format_id(key))),
    };
    let (start, end, next) = window(ws.seed, comments.len(), offset, size);
    Ok(list(
        comments[start..end].to_vec(),
        next,
        "comment",
        json!({}),
    ))
}

/// `POST /v1/comments` on a page, or in an existing discussion.
pub(crate) fn create_comment(ws: &Workspace, body: &Value) -> Result<Value, ApiError> {
    // an integration without the "Insert comments" capability
    if !ws.can_comment {
        return Err(ApiError::restricted());
    }
    let body = write_body(
        ws.read_only,
        body,
        &[
            "parent",
            "discussion_id",
            "rich_text",
            "attachments",
            "display_name",
            "markdown",
        ],
    )?;
    for k in ["attachments", "display_name", "markdown"] {
        if body.get(k).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox does not support `{k}` on comments."
            )));
        }
    }
    let text = parse_rich_text(
        body.get("rich_text").unwrap_or(&Value::Null),
        "body.rich_text",
    )?;
    let mut st = ws.lock();
    let (d, i, p, discussion) = match (body.get("parent"), body.get("discussion_id")) {
        (Some(parent), None) => {
            let o = parent.as_object().ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.parent should be an object, instead was `{parent}`."
                ))
            })?;
            if o.contains_key("block_id") {
                return Err(ApiError::invalid_request(
                    "The notion-sandbox takes comments on pages only (parent.page_id).",
                ));
            }
            check_keys(o, "body.parent", &["type", "page_id"])?;
            let raw = o.get("page_id").and_then(Value::as_str).ok_or_else(|| {
                ApiError::validation(
                    "body failed validation: body.parent.page_id should be defined, instead was `undefined`.",
                )
            })?;
            let (d, i, p) = st.page_at(raw)?;
            (d, i, p, ws.new_id())
        }
        (None, Some(disc)) => {
            let want = disc.as_str().and_then(parse_id).ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.discussion_id should be a valid uuid, instead was `{disc}`."
                ))
            })?;
            let mut found = None;
            'outer: for (d, db) in st.board.databases.iter().enumerate() {
                for (i, ds) in db.data_sources.iter().enumerate() {
                    if !st.visible(d, i) {
                        continue;
                    }
                    for (p, page) in ds.pages.iter().enumerate() {
                        if page
                            .comments
                            .iter()
                            .any(|c| c["discussion_id"].as_str().and_then(parse_id) == Some(want))
                        {
                            found = Some((d, i, p));
                            break 'outer;
                        }
                    }
                }
            }
            let (d, i, p) =
                found.ok_or_else(|| ApiError::not_found("discussion", &format_id(want)))?;
            (d, i, p, format_id(want))
        }
        _ => return Err(ApiError::validation(
            "body failed validation: body should have exactly one of `parent` or `discussion_id`.",
        )),
    };
    let at = format_time(&to_minute(st.now()));
    let page = &mut st.board.databases[d].data_sources[i].pages[p];
    let comment = json!({
        "object": "comment",
        "id": ws.new_id(),
        "parent": {"type": "page_id", "page_id": page.id},
        "discussion_id": discussion,
        "created_time": at,
        "last_edited_time": at,
        "created_by": {"object": "user", "id": bot_id()},
        "rich_text": text,
        "display_name": {"type": "integration", "resolved_name": "notion-sandbox"},
    });
    page.comments.push(comment.clone());
    Ok(comment)
}
