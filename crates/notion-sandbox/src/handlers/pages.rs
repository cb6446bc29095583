//! `GET`, `PATCH /v1/pages/{id}` and `POST /v1/pages`: a row of a data
//! source, read, updated (properties, trash, icon, cover, lock) or created.

use serde_json::{json, Value};

use super::blocks::parse_blocks;
use super::objects::page_json;
use super::people::Directory;
use super::properties::{filter_properties, new_values};
use crate::http::{body_object, check_keys, write_body, ApiError};
use crate::model::{format_id, parse_id, to_minute, PageState, PropertyKind};
use crate::workspace::Workspace;

/// `GET /v1/pages/{id}` (`filter_properties` too).
pub(crate) fn retrieve(ws: &Workspace, raw: &str, query: Option<&str>) -> Result<Value, ApiError> {
    let st = ws.lock();
    let (d, i, p) = st.page_at(raw)?;
    let db = &st.board.databases[d];
    let ds = &db.data_sources[i];
    let only = filter_properties(ds, query)?;
    Ok(page_json(
        &db.id,
        ds,
        &ds.pages[p],
        only.as_deref(),
        &Directory::of(ws, &st),
    ))
}

/// `PATCH /v1/pages/{id}`. `scripted_lock`: a fault script has locked the
/// page, so that it refuses edits whatever its state.
pub(crate) fn update(
    ws: &Workspace,
    raw: &str,
    body: &Value,
    scripted_lock: bool,
) -> Result<Value, ApiError> {
    if ws.read_only {
        return Err(ApiError::restricted());
    }
    let mut st = ws.lock();
    let (d, i, p) = st.page_at(raw)?;
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
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox does not support `{k}` in a page update."
            )));
        }
    }
    let icon = parse_icon(body.get("icon"), "body.icon", false)?;
    let cover = parse_icon(body.get("cover"), "body.cover", true)?;
    let set_lock = match body.get("is_locked") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(v) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.is_locked should be a boolean, instead was `{v}`."
            )))
        }
    };
    let page_locked = st.board.databases[d].data_sources[i].pages[p].is_locked;
    // a locked page takes no edits but the unlocking itself
    let edits_content =
        body.get("properties").is_some_and(|v| !v.is_null()) || icon.is_some() || cover.is_some();
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
    if st.board.databases[d].data_sources[i].pages[p].in_trash && trash != Some(false) {
        return Err(ApiError::validation(
            "Can't edit block that is archived. You must unarchive the block before editing.",
        ));
    }
    let changes = new_values(
        &st.board.databases[d].data_sources[i],
        body,
        &Directory::of(ws, &st),
    )?;
    let ds = &mut st.board.databases[d].data_sources[i];
    for (k, value) in changes {
        // faithful: an unknown select option is added silently
        ds.add_missing_option(k, &value);
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
    ds.pages[p].touch(now);
    st.refresh(d, i, p);
    let ds = &st.board.databases[d].data_sources[i];
    Ok(page_json(
        &db_id,
        ds,
        &ds.pages[p],
        None,
        &Directory::of(ws, &st),
    ))
}

/// `POST /v1/pages` in a data source.
pub(crate) fn create(ws: &Workspace, body: &Value) -> Result<Value, ApiError> {
    let body = write_body(
        ws.read_only,
        body,
        &[
            "parent",
            "properties",
            "children",
            "icon",
            "cover",
            "template",
            "content",
            "markdown",
            "position",
            "allow_async",
        ],
    )?;
    for k in ["template", "content", "markdown", "position", "allow_async"] {
        if body.get(k).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::invalid_request(format!(
                "The notion-sandbox does not support `{k}` when creating a page."
            )));
        }
    }
    let parent = body
        .get("parent")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::validation(
                "body failed validation: body.parent should be defined, instead was `undefined`.",
            )
        })?;
    let icon = parse_icon(body.get("icon"), "body.icon", false)?.flatten();
    let cover = parse_icon(body.get("cover"), "body.cover", true)?.flatten();
    let mut st = ws.lock();
    let (d, i) = if let Some(v) = parent.get("data_source_id") {
        check_keys(parent, "body.parent", &["type", "data_source_id"])?;
        let raw = v.as_str().unwrap_or("");
        st.data_source_at(raw)?
    } else if let Some(v) = parent.get("database_id") {
        check_keys(parent, "body.parent", &["type", "database_id"])?;
        let raw = v.as_str().unwrap_or("");
        let key = parse_id(raw).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: body.parent.database_id should be a valid uuid, instead was `\"{raw}\"`."
            ))
        })?;
        let d = st
            .board
            .databases
            .iter()
            .position(|db| parse_id(&db.id) == Some(key) && db.shared)
            .ok_or_else(|| ApiError::not_found("database", &format_id(key)))?;
        if st.board.databases[d].data_sources.len() != 1 {
            return Err(ApiError::validation(format!(
                "Database with ID {} has more than one data source: give parent.data_source_id instead.",
                st.board.databases[d].id
            )));
        }
        if !st.visible(d, 0) {
            return Err(ApiError::not_found(
                "data source",
                &st.board.databases[d].data_sources[0].id,
            ));
        }
        (d, 0)
    } else if parent.contains_key("page_id") || parent.contains_key("workspace") {
        return Err(ApiError::invalid_request(
            "The notion-sandbox creates pages only in a data source: give parent.data_source_id.",
        ));
    } else {
        return Err(ApiError::validation(
            "body failed validation: body.parent.data_source_id should be defined, instead was `undefined`.",
        ));
    };
    let now = st.now();
    let id = ws.new_id();
    let children = match body.get("children") {
        None | Some(Value::Null) => Vec::new(),
        Some(c) => parse_blocks(ws, c, "body.children", &id, now)?,
    };
    let values = new_values(
        &st.board.databases[d].data_sources[i],
        body,
        &Directory::of(ws, &st),
    )?;
    let ds = &mut st.board.databases[d].data_sources[i];
    let title = ds
        .properties
        .iter()
        .position(|p| p.kind == PropertyKind::Title);
    if let Some(t) = title {
        if !values.iter().any(|(k, _)| *k == t) {
            return Err(ApiError::validation(format!(
                "body failed validation: body.properties.{} should be defined: a page needs its title property.",
                ds.properties[t].name
            )));
        }
    }
    let mut page = PageState::new(id, to_minute(now));
    for (k, value) in values {
        ds.add_missing_option(k, &value);
        page.properties.insert(ds.properties[k].name.clone(), value);
    }
    page.icon = icon;
    page.cover = cover;
    page.children = children;
    let p = st.insert_page(d, i, page);
    let db = &st.board.databases[d];
    let ds = &db.data_sources[i];
    Ok(page_json(
        &db.id,
        ds,
        &ds.pages[p],
        None,
        &Directory::of(ws, &st),
    ))
}

/// `icon` / `cover` of a request: `None` when absent, `Some(None)` to
/// clear, else the value as Notion answers it (`{"type": …, …}`).
fn parse_icon(
    v: Option<&Value>,
    path: &str,
    cover: bool,
) -> Result<Option<Option<Value>>, ApiError> {
    let v = match v {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(v) => v,
    };
    let kinds: &[&str] = if cover {
        &["external", "file_upload"]
    } else {
        &["emoji", "external", "file_upload", "custom_emoji"]
    };
    let bad = || {
        ApiError::validation(format!(
            "body failed validation: {path} should be one of {}, instead was `{v}`.",
            kinds
                .iter()
                .map(|k| format!("`{{\"{k}\": …}}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let o = v.as_object().ok_or_else(bad)?;
    let kind = match o.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None => kinds
            .iter()
            .copied()
            .find(|k| o.contains_key(*k))
            .ok_or_else(bad)?,
    };
    if !kinds.contains(&kind) {
        return Err(bad());
    }
    check_keys(o, path, &["type", kind])?;
    let inner = o.get(kind).ok_or_else(bad)?;
    let ok = match kind {
        "emoji" => inner.as_str().is_some_and(|s| !s.is_empty()),
        "external" => inner.get("url").and_then(Value::as_str).is_some(),
        _ => inner.get("id").and_then(Value::as_str).is_some(),
    };
    if !ok {
        return Err(bad());
    }
    Ok(Some(Some(json!({"type": kind, kind: inner}))))
}
