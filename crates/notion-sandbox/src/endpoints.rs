//! The endpoints beyond the sweep's own: users, search, page creation,
//! page property items, page content blocks and comments (Notion-Version
//! 2025-09-03). Shared pieces: strict bodies, pagination from the query
//! string, rich text and icon input.

use serde_json::{json, Map, Value};

use super::api::{decode_cursor, encode_cursor, new_values, start_offset, touch, Engine, State};
use super::http::{body_object, check_keys, lock, query_values, ApiError};
use super::model::{format_time, parse_id, percent_decode, to_minute, PageState, PropertyKind};
use super::objects::{
    bot_id, bot_user, data_source_json, page_json, parse_icon, rich_text, user, value_json,
    CONTAINER_TIME,
};

/// The one person of the workspace (also `created_by` of every page).
fn person_user() -> Value {
    let mut u = user();
    u["name"] = json!("Sandbox Person");
    u["avatar_url"] = Value::Null;
    u["type"] = json!("person");
    u["person"] = json!({"email": "person@sandbox.invalid"});
    u
}

/// Block types the sandbox stores.
const BLOCK_TYPES: &[&str] = &["paragraph", "heading_1", "heading_2", "heading_3", "to_do"];

fn invalid_request(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "invalid_request", message)
}

/// `page_size` and `start_cursor` of a GET list endpoint.
fn query_page(engine: &Engine, query: Option<&str>) -> Result<(usize, usize), ApiError> {
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
        Some(c) => decode_cursor(engine.config.seed, &c).ok_or_else(|| {
            ApiError::validation(format!(
                "query failed validation: query.start_cursor should be a valid cursor returned by a previous call, instead was `\"{c}\"`."
            ))
        })?,
    };
    Ok((offset, size))
}

/// `page_size` and `start_cursor` of a POST list endpoint.
fn body_page(engine: &Engine, body: &Map<String, Value>) -> Result<(usize, usize), ApiError> {
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
    let offset = start_offset(engine.config.seed, body, "call")?;
    Ok((offset, size))
}

/// The range of `total` items a page covers, and the next cursor.
fn window(engine: &Engine, total: usize, offset: usize, size: usize) -> (usize, usize, Value) {
    let start = offset.min(total);
    let end = offset.saturating_add(size).min(total);
    let next = if end < total {
        json!(encode_cursor(engine.config.seed, end))
    } else {
        Value::Null
    };
    (start, end, next)
}

/// A list object of `kind` (`"user"`, `"block"`, …).
fn list(results: Vec<Value>, next: Value, kind: &str, extra: Value) -> Value {
    json!({
        "object": "list",
        "results": results,
        "next_cursor": next,
        "has_more": !next.is_null(),
        "type": kind,
        kind: extra,
    })
}

/// Rich text as a request gives it, as Notion stores it: text items only.
pub(crate) fn parse_rich_text(v: &Value, path: &str) -> Result<Vec<Value>, ApiError> {
    let arr = v.as_array().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an array, instead was `{v}`."
        ))
    })?;
    if arr.len() > 100 {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `100`, instead was `{}`.",
            arr.len()
        )));
    }
    let mut out = Vec::new();
    for (i, item) in arr.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let o = item.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p} should be an object, instead was `{item}`."
            ))
        })?;
        check_keys(
            o,
            &p,
            &["type", "text", "annotations", "plain_text", "href"],
        )?;
        if let Some(t) = o
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| *t != "text")
        {
            return Err(invalid_request(format!(
                "The notion-sandbox supports only `text` rich text items; {p}.type was `{t}`."
            )));
        }
        let text = o.get("text").and_then(Value::as_object).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.text should be defined, instead was `undefined`."
            ))
        })?;
        check_keys(text, &format!("{p}.text"), &["content", "link"])?;
        let content = text.get("content").and_then(Value::as_str).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.text.content should be a string."
            ))
        })?;
        let len = content.encode_utf16().count();
        if len > 2000 {
            return Err(ApiError::validation(format!(
                "body failed validation: {p}.text.content.length should be ≤ `2000`, instead was `{len}`."
            )));
        }
        let link = match text.get("link") {
            None | Some(Value::Null) => Value::Null,
            Some(l) => match l.get("url").and_then(Value::as_str) {
                Some(u) => json!({"url": u}),
                None => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {p}.text.link.url should be defined, instead was `undefined`."
                    )))
                }
            },
        };
        let mut annotations = json!({
            "bold": false, "italic": false, "strikethrough": false,
            "underline": false, "code": false, "color": "default"
        });
        if let Some(a) = o.get("annotations") {
            let a = a.as_object().ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: {p}.annotations should be an object, instead was `{a}`."
                ))
            })?;
            for (k, v) in a {
                let ok = match k.as_str() {
                    "bold" | "italic" | "strikethrough" | "underline" | "code" => v.is_boolean(),
                    "color" => v.is_string(),
                    _ => false,
                };
                if !ok {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {p}.annotations.{k} should be not present, instead was `{v}`."
                    )));
                }
                annotations[k] = v.clone();
            }
        }
        let href = link.get("url").cloned().unwrap_or(Value::Null);
        out.push(json!({
            "type": "text",
            "text": {"content": content, "link": link},
            "annotations": annotations,
            "plain_text": content,
            "href": href
        }));
    }
    Ok(out)
}

fn read_only() -> ApiError {
    ApiError::new(
        403,
        "restricted_resource",
        "Insufficient permissions for this endpoint.",
    )
}

/// Where a block (a page's child) lives: page location and index.
fn locate_block(st: &State, key: u128) -> Option<(usize, usize, usize, usize)> {
    for (d, db) in st.board.databases.iter().enumerate() {
        for (i, ds) in db.data_sources.iter().enumerate() {
            if !st.visible(d, i) {
                continue;
            }
            for (p, page) in ds.pages.iter().enumerate() {
                for (b, block) in page.children.iter().enumerate() {
                    if block["id"].as_str().and_then(parse_id) == Some(key) {
                        return Some((d, i, p, b));
                    }
                }
            }
        }
    }
    None
}

impl Engine {
    pub(crate) fn list_users(&self, query: Option<&str>) -> Result<Value, ApiError> {
        let (offset, size) = query_page(self, query)?;
        let all = [bot_user(), person_user()];
        let (start, end, next) = window(self, all.len(), offset, size);
        Ok(list(all[start..end].to_vec(), next, "user", json!({})))
    }

    pub(crate) fn get_user(&self, raw: &str) -> Result<Value, ApiError> {
        let key = parse_id(raw).ok_or_else(|| {
            ApiError::validation(format!(
                "path failed validation: path.user_id should be a valid uuid, instead was `\"{raw}\"`."
            ))
        })?;
        [bot_user(), person_user()]
            .into_iter()
            .find(|u| u["id"].as_str().and_then(parse_id) == Some(key))
            .ok_or_else(|| ApiError::not_found("user", &super::model::format_id(key)))
    }

    /// `POST /v1/search`: pages and data sources whose title contains the
    /// query (case-insensitive), most recently edited first by default.
    pub(crate) fn search(&self, body: &Value) -> Result<Value, ApiError> {
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
        let (offset, size) = body_page(self, body)?;
        let st = lock(&self.state);
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
        let (start, end, next) = window(self, hits.len(), offset, size);
        let results = hits[start..end]
            .iter()
            .map(|(_, _, d, i, p)| {
                let db = &st.board.databases[*d];
                let ds = &db.data_sources[*i];
                match p {
                    Some(p) => page_json(&db.id, ds, &ds.pages[*p], None),
                    None => data_source_json(db, ds),
                }
            })
            .collect();
        Ok(list(results, next, "page_or_data_source", json!({})))
    }

    /// `POST /v1/pages` in a data source.
    pub(crate) fn create_page(&self, body: &Value) -> Result<Value, ApiError> {
        if self.config.read_only {
            return Err(read_only());
        }
        let body = body_object(body)?;
        check_keys(
            body,
            "body",
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
                return Err(invalid_request(format!(
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
        let mut st = lock(&self.state);
        let (d, i) = if let Some(v) = parent.get("data_source_id") {
            check_keys(parent, "body.parent", &["type", "data_source_id"])?;
            let raw = v.as_str().unwrap_or("");
            self.data_source_at(&st, raw)?
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
                .ok_or_else(|| ApiError::not_found("database", &super::model::format_id(key)))?;
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
            return Err(invalid_request(
                "The notion-sandbox creates pages only in a data source: give parent.data_source_id.",
            ));
        } else {
            return Err(ApiError::validation(
                "body failed validation: body.parent.data_source_id should be defined, instead was `undefined`.",
            ));
        };
        let now = st.now();
        let id = self.new_id();
        let children = match body.get("children") {
            None | Some(Value::Null) => Vec::new(),
            Some(c) => self.parse_blocks(c, "body.children", &id, now)?,
        };
        let ds = &mut st.board.databases[d].data_sources[i];
        let values = new_values(ds, body)?;
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
            if ds.properties[k].kind == PropertyKind::Select {
                if let Some(name) = value.as_text().filter(|s| !s.is_empty()) {
                    super::api::add_select_option(ds, k, name);
                }
            }
            page.properties.insert(ds.properties[k].name.clone(), value);
        }
        page.icon = icon;
        page.cover = cover;
        page.children = children;
        let p = st.insert_page(d, i, page);
        let db = &st.board.databases[d];
        let ds = &db.data_sources[i];
        Ok(page_json(&db.id, ds, &ds.pages[p], None))
    }

    /// `GET /v1/pages/{page_id}/properties/{property_id}`.
    pub(crate) fn property_item(
        &self,
        page: &str,
        prop: &str,
        query: Option<&str>,
    ) -> Result<Value, ApiError> {
        let (offset, size) = query_page(self, query)?;
        let st = lock(&self.state);
        let (d, i, p) = self.page_at(&st, page)?;
        let ds = &st.board.databases[d].data_sources[i];
        let once = percent_decode(prop);
        let twice = percent_decode(&once);
        let schema = ds
            .properties
            .iter()
            .find(|s| {
                let id = percent_decode(&s.id);
                [prop, once.as_str(), twice.as_str()]
                    .iter()
                    .any(|c| *c == s.id || *c == id || *c == s.name)
            })
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "object_not_found",
                    format!("Could not find property with ID: {once}."),
                )
            })?;
        let value = ds.pages[p].get(&schema.name);
        let kind = schema.kind.as_str();
        let item =
            |v: Value| json!({"object": "property_item", "id": schema.id, "type": kind, kind: v});
        match schema.kind {
            PropertyKind::Title | PropertyKind::RichText => {
                let items: Vec<Value> = rich_text(value.as_text().unwrap_or(""))
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let (start, end, next) = window(self, items.len(), offset, size);
                let results = items[start..end].iter().cloned().map(item).collect();
                Ok(list(
                    results,
                    next,
                    "property_item",
                    json!({"id": schema.id, "next_url": null, "type": kind, kind: {}}),
                ))
            }
            _ => Ok(item(value_json(schema, value))),
        }
    }

    /// Blocks of a request (`children`), as Notion stores them.
    fn parse_blocks(
        &self,
        v: &Value,
        path: &str,
        page_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Value>, ApiError> {
        let arr = v.as_array().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {path} should be an array, instead was `{v}`."
            ))
        })?;
        if arr.len() > 100 {
            return Err(ApiError::validation(format!(
                "body failed validation: {path}.length should be ≤ `100`, instead was `{}`.",
                arr.len()
            )));
        }
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
                return Err(invalid_request(format!(
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
                return Err(invalid_request(format!(
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
                "id": self.new_id(),
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
    pub(crate) fn list_children(&self, raw: &str, query: Option<&str>) -> Result<Value, ApiError> {
        let (offset, size) = query_page(self, query)?;
        let key = parse_id(raw).ok_or_else(|| bad_block_id(raw))?;
        let st = lock(&self.state);
        let blocks: &[Value] = match self.page_at(&st, raw) {
            Ok((d, i, p)) => &st.board.databases[d].data_sources[i].pages[p].children,
            Err(_) if locate_block(&st, key).is_some() => &[],
            Err(_) => return Err(ApiError::not_found("block", &super::model::format_id(key))),
        };
        let (start, end, next) = window(self, blocks.len(), offset, size);
        Ok(list(blocks[start..end].to_vec(), next, "block", json!({})))
    }

    /// `PATCH /v1/blocks/{block_id}/children` on a page.
    pub(crate) fn append_children(&self, raw: &str, body: &Value) -> Result<Value, ApiError> {
        if self.config.read_only {
            return Err(read_only());
        }
        let body = body_object(body)?;
        check_keys(body, "body", &["children", "after", "position"])?;
        if body.get("position").is_some_and(|v| !v.is_null()) {
            return Err(invalid_request(
                "The notion-sandbox does not support `position`; use `after` or append at the end.",
            ));
        }
        let key = parse_id(raw).ok_or_else(|| bad_block_id(raw))?;
        let mut st = lock(&self.state);
        let (d, i, p) = match self.page_at(&st, raw) {
            Ok(x) => x,
            Err(_) if locate_block(&st, key).is_some() => {
                return Err(invalid_request(
                    "The notion-sandbox appends blocks to pages only, not to other blocks.",
                ))
            }
            Err(_) => return Err(ApiError::not_found("block", &super::model::format_id(key))),
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
        let new = self.parse_blocks(children, "body.children", &page_id, now)?;
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
        touch(page, now);
        Ok(list(new, Value::Null, "block", json!({})))
    }

    /// `GET /v1/comments?block_id=…`: the comments of a page.
    pub(crate) fn list_comments(&self, query: Option<&str>) -> Result<Value, ApiError> {
        let (offset, size) = query_page(self, query)?;
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
        let st = lock(&self.state);
        let comments: &[Value] = match self.page_at(&st, &raw) {
            Ok((d, i, p)) => &st.board.databases[d].data_sources[i].pages[p].comments,
            Err(_) if locate_block(&st, key).is_some() => &[],
            Err(_) => return Err(ApiError::not_found("block", &super::model::format_id(key))),
        };
        let (start, end, next) = window(self, comments.len(), offset, size);
        Ok(list(
            comments[start..end].to_vec(),
            next,
            "comment",
            json!({}),
        ))
    }

    /// `POST /v1/comments` on a page, or in an existing discussion.
    pub(crate) fn create_comment(&self, body: &Value) -> Result<Value, ApiError> {
        if self.config.read_only {
            return Err(read_only());
        }
        let body = body_object(body)?;
        check_keys(
            body,
            "body",
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
                return Err(invalid_request(format!(
                    "The notion-sandbox does not support `{k}` on comments."
                )));
            }
        }
        let text = parse_rich_text(
            body.get("rich_text").unwrap_or(&Value::Null),
            "body.rich_text",
        )?;
        let mut st = lock(&self.state);
        let (d, i, p, discussion) = match (body.get("parent"), body.get("discussion_id")) {
            (Some(parent), None) => {
                let o = parent.as_object().ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: body.parent should be an object, instead was `{parent}`."
                    ))
                })?;
                if o.contains_key("block_id") {
                    return Err(invalid_request(
                        "The notion-sandbox takes comments on pages only (parent.page_id).",
                    ));
                }
                check_keys(o, "body.parent", &["type", "page_id"])?;
                let raw = o.get("page_id").and_then(Value::as_str).ok_or_else(|| {
                    ApiError::validation(
                        "body failed validation: body.parent.page_id should be defined, instead was `undefined`.",
                    )
                })?;
                let (d, i, p) = self.page_at(&st, raw)?;
                (d, i, p, self.new_id())
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
                            if page.comments.iter().any(|c| {
                                c["discussion_id"].as_str().and_then(parse_id) == Some(want)
                            }) {
                                found = Some((d, i, p));
                                break 'outer;
                            }
                        }
                    }
                }
                let (d, i, p) = found.ok_or_else(|| {
                    ApiError::not_found("discussion", &super::model::format_id(want))
                })?;
                (d, i, p, super::model::format_id(want))
            }
            _ => {
                return Err(ApiError::validation(
                    "body failed validation: body should have exactly one of `parent` or `discussion_id`.",
                ))
            }
        };
        let at = format_time(&to_minute(st.now()));
        let page = &mut st.board.databases[d].data_sources[i].pages[p];
        let comment = json!({
            "object": "comment",
            "id": self.new_id(),
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
}

fn bad_block_id(raw: &str) -> ApiError {
    ApiError::validation(format!(
        "path failed validation: path.block_id should be a valid uuid, instead was `\"{raw}\"`."
    ))
}

#[cfg(test)]
mod tests {
    use super::super::api::{Outcome, NOTION_VERSION};
    use super::super::http::RawRequest;
    use super::super::model::{Board, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID};
    use super::super::{SandboxConfig, SANDBOX_TOKEN};
    use super::*;

    fn demo() -> Engine {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        Engine::new(Board::demo(today), SandboxConfig::default()).unwrap()
    }

    fn call(e: &Engine, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path.to_string(), None),
        };
        let r = RawRequest {
            method: method.into(),
            path,
            query,
            headers: vec![
                ("authorization".into(), format!("Bearer {SANDBOX_TOKEN}")),
                ("notion-version".into(), NOTION_VERSION.into()),
            ],
            body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        };
        match e.dispatch(&r) {
            Outcome::Reply(r) => (r.status, serde_json::from_str(&r.body).unwrap()),
            _ => panic!("no reply"),
        }
    }

    fn first_page(e: &Engine) -> String {
        lock(&e.state).board.databases[0].data_sources[0].pages[0]
            .id
            .clone()
    }

    #[test]
    fn users() {
        let e = demo();
        let (s, me) = call(&e, "GET", "/v1/users/me", None);
        assert_eq!((s, me["type"].as_str()), (200, Some("bot")));
        assert_eq!(me["bot"]["owner"]["workspace"], true);
        let (_, all) = call(&e, "GET", "/v1/users?page_size=1", None);
        assert_eq!(all["results"].as_array().unwrap().len(), 1);
        assert_eq!(all["type"], "user");
        let (_, rest) = call(
            &e,
            "GET",
            &format!(
                "/v1/users?start_cursor={}",
                all["next_cursor"].as_str().unwrap()
            ),
            None,
        );
        assert_eq!(rest["results"][0]["type"], "person");
        assert_eq!(rest["has_more"], false);
        let pid = rest["results"][0]["id"].as_str().unwrap();
        let (s, u) = call(&e, "GET", &format!("/v1/users/{pid}"), None);
        assert_eq!((s, &u["id"]), (200, &json!(pid)));
        let (s, _) = call(
            &e,
            "GET",
            "/v1/users/00000000-0000-4000-8000-000000000000",
            None,
        );
        assert_eq!(s, 404);
    }

    #[test]
    fn search_pages_and_data_sources() {
        let e = demo();
        let (s, v) = call(&e, "POST", "/v1/search", Some(json!({"query": "tasks"})));
        assert_eq!(s, 200, "{v}");
        assert!(v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["object"] == "data_source" && r["id"] == DEMO_DATA_SOURCE_ID));
        let (_, v) = call(
            &e,
            "POST",
            "/v1/search",
            Some(
                json!({"filter": {"property": "object", "value": "page"}, "page_size": 5,
                        "sort": {"direction": "ascending", "timestamp": "last_edited_time"}}),
            ),
        );
        let pages = v["results"].as_array().unwrap();
        assert_eq!(pages.len(), 5);
        assert!(pages.iter().all(|p| p["object"] == "page"));
        let times: Vec<&str> = pages
            .iter()
            .map(|p| p["last_edited_time"].as_str().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(v["has_more"], true);
        let (s, v) = call(
            &e,
            "POST",
            "/v1/search",
            Some(json!({"filter": {"property": "object", "value": "database"}})),
        );
        assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
        let (s, _) = call(&e, "POST", "/v1/search", Some(json!({"sorts": []})));
        assert_eq!(s, 400);
    }

    #[test]
    fn create_page_then_read_its_title_property() {
        let e = demo();
        let body = json!({
            "parent": {"data_source_id": DEMO_DATA_SOURCE_ID},
            "properties": {
                "Name": {"title": [{"text": {"content": "Write the report"}}]},
                "Status": {"status": {"name": "To Do"}},
                "Due Date": {"date": {"start": "2026-11-20"}}
            },
            "icon": {"emoji": "📝"},
            "children": [
                {"paragraph": {"rich_text": [{"text": {"content": "First"}}]}},
                {"type": "to_do", "to_do": {"rich_text": [{"text": {"content": "Check"}}], "checked": true}}
            ]
        });
        let (s, page) = call(&e, "POST", "/v1/pages", Some(body));
        assert_eq!(s, 200, "{page}");
        let id = page["id"].as_str().unwrap().to_string();
        assert_eq!(&id[14..15], "4");
        assert_eq!(page["properties"]["Status"]["status"]["name"], "To Do");
        assert_eq!(page["icon"]["emoji"], "📝");
        // it is a row now: the query sees it
        let (_, q) = call(
            &e,
            "POST",
            &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query"),
            Some(json!({"filter": {"property": "Name", "title": {"equals": "Write the report"}}})),
        );
        assert_eq!(q["results"][0]["id"], json!(id));
        let (s, t) = call(&e, "GET", &format!("/v1/pages/{id}/properties/title"), None);
        assert_eq!(s, 200, "{t}");
        assert_eq!(t["object"], "list");
        assert_eq!(t["results"][0]["title"]["plain_text"], "Write the report");
        let (_, st) = call(
            &e,
            "GET",
            &format!("/v1/pages/{id}/properties/Status"),
            None,
        );
        assert_eq!(st["object"], "property_item");
        assert_eq!(st["status"]["name"], "To Do");
        let (_, kids) = call(&e, "GET", &format!("/v1/blocks/{id}/children"), None);
        let kids = kids["results"].as_array().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1]["to_do"]["checked"], true);
        // refusals: no title, unknown key, a status that does not exist
        for (bad, code) in [
            (
                json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {}}),
                "validation_error",
            ),
            (
                json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {"Name": {"title": []}}, "propertys": {}}),
                "validation_error",
            ),
            (
                json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {"Name": {"title": []}, "Status": {"status": {"name": "Nope"}}}}),
                "validation_error",
            ),
            (
                json!({"parent": {"page_id": first_page(&e)}, "properties": {}}),
                "invalid_request",
            ),
        ] {
            let (s, v) = call(&e, "POST", "/v1/pages", Some(bad));
            assert_eq!((s, v["code"].as_str()), (400, Some(code)), "{v}");
        }
        // a database with one data source is a parent too
        let (s, _) = call(
            &e,
            "POST",
            "/v1/pages",
            Some(
                json!({"parent": {"database_id": DEMO_DATABASE_ID}, "properties": {"Name": {"title": []}}}),
            ),
        );
        assert_eq!(s, 200);
    }

    #[test]
    fn blocks_append_and_list() {
        let e = demo();
        let page = first_page(&e);
        let path = format!("/v1/blocks/{page}/children");
        let para = |t: &str| json!({"paragraph": {"rich_text": [{"text": {"content": t}}]}});
        let (s, v) = call(
            &e,
            "PATCH",
            &path,
            Some(json!({"children": [para("a"), para("c")]})),
        );
        assert_eq!(s, 200, "{v}");
        let a = v["results"][0]["id"].as_str().unwrap().to_string();
        let (s, _) = call(
            &e,
            "PATCH",
            &path,
            Some(
                json!({"children": [{"heading_2": {"rich_text": [{"text": {"content": "b"}}]}}], "after": a}),
            ),
        );
        assert_eq!(s, 200);
        let (_, v) = call(&e, "GET", &format!("{path}?page_size=2"), None);
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
        assert_eq!(v["results"][1]["type"], "heading_2");
        assert_eq!(v["has_more"], true);
        let (s, v) = call(
            &e,
            "PATCH",
            &path,
            Some(json!({"children": [{"image": {}}]})),
        );
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
        let (s, _) = call(
            &e,
            "PATCH",
            &path,
            Some(json!({"children": [para("x")], "oops": 1})),
        );
        assert_eq!(s, 400);
        let (s, v) = call(&e, "GET", &format!("/v1/blocks/{a}/children"), None);
        assert_eq!((s, v["results"].as_array().unwrap().len()), (200, 0));
    }

    #[test]
    fn comments() {
        let e = demo();
        let page = first_page(&e);
        let (s, c) = call(
            &e,
            "POST",
            "/v1/comments",
            Some(
                json!({"parent": {"page_id": page}, "rich_text": [{"text": {"content": "Looks late"}}]}),
            ),
        );
        assert_eq!(s, 200, "{c}");
        assert_eq!(c["object"], "comment");
        let (s, _) = call(
            &e,
            "POST",
            "/v1/comments",
            Some(
                json!({"discussion_id": c["discussion_id"], "rich_text": [{"text": {"content": "Agreed"}}]}),
            ),
        );
        assert_eq!(s, 200);
        let (_, v) = call(&e, "GET", &format!("/v1/comments?block_id={page}"), None);
        let all = v["results"].as_array().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1]["rich_text"][0]["plain_text"], "Agreed");
        assert_eq!(all[0]["discussion_id"], all[1]["discussion_id"]);
        let (s, _) = call(&e, "GET", "/v1/comments", None);
        assert_eq!(s, 400);
        let (s, _) = call(
            &e,
            "POST",
            "/v1/comments",
            Some(
                json!({"parent": {"page_id": page}, "rich_text": [{"text": {"content": "x"}}], "text": "x"}),
            ),
        );
        assert_eq!(s, 400);
    }
}
