//! Page properties: `GET /v1/pages/{id}/properties/{property}` (a
//! property item), the values a create or update body gives (each checked
//! against its property, as Notion checks it), and `filter_properties`.

use serde_json::{json, Map, Value};

use super::objects::{rich_text, value_json};
use super::paging::{list, query_page, window};
use super::people::Directory;
use crate::http::{body_array, check_keys, query_values, ApiError};
use crate::model::{
    format_id, parse_date_start, parse_id, percent_decode, DataSource, DateValue, PropertyKind,
    PropertySchema, PropertyValue,
};
use crate::workspace::Workspace;

/// `GET /v1/pages/{page_id}/properties/{property_id}`.
pub(crate) fn retrieve(
    ws: &Workspace,
    page: &str,
    prop: &str,
    query: Option<&str>,
) -> Result<Value, ApiError> {
    let (offset, size) = query_page(ws.seed, query)?;
    let st = ws.lock();
    let (d, i, p) = st.page_at(page)?;
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
    let people = Directory::of(ws, &st);
    match schema.kind {
        // title, rich_text and people come as a paginated list of items
        PropertyKind::Title | PropertyKind::RichText | PropertyKind::People => {
            let items: Vec<Value> = if schema.kind == PropertyKind::People {
                value_json(schema, value, &people)
            } else {
                rich_text(value.as_text().unwrap_or(""))
            }
            .as_array()
            .cloned()
            .unwrap_or_default();
            let (start, end, next) = window(ws.seed, items.len(), offset, size);
            let results = items[start..end].iter().cloned().map(item).collect();
            Ok(list(
                results,
                next,
                "property_item",
                json!({"id": schema.id, "next_url": null, "type": kind, kind: {}}),
            ))
        }
        _ => Ok(item(value_json(schema, value, &people))),
    }
}

/// The `properties` of a create or update body, by schema index, each
/// value checked against its property (`people` names users of the
/// workspace).
pub(crate) fn new_values(
    ds: &DataSource,
    body: &Map<String, Value>,
    people: &Directory,
) -> Result<Vec<(usize, PropertyValue)>, ApiError> {
    let mut values = Vec::new();
    match body.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(props)) => {
            for (key, v) in props {
                let k = ds.property_index(key).ok_or_else(|| {
                    ApiError::validation(format!("{key} is not a property that exists."))
                })?;
                values.push((k, parse_new_value(ds, k, v, people)?));
            }
        }
        Some(v) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.properties should be an object, instead was `{v}`."
            )))
        }
    }
    Ok(values)
}

fn parse_new_value(
    ds: &DataSource,
    k: usize,
    v: &Value,
    people: &Directory,
) -> Result<PropertyValue, ApiError> {
    let prop = &ds.properties[k];
    let kind = prop.kind.as_str();
    let expected = || ApiError::validation(format!("{} is expected to be {kind}.", prop.name));
    let inner = v
        .as_object()
        .and_then(|o| o.get(kind))
        .ok_or_else(expected)?;
    let path = format!("body.properties.{}.{kind}", prop.name);
    match prop.kind {
        PropertyKind::Status | PropertyKind::Select => {
            if inner.is_null() {
                return Ok(PropertyValue::Empty);
            }
            let o = inner.as_object().ok_or_else(expected)?;
            if let Some(name) = o.get("name").and_then(Value::as_str) {
                if prop.option(name).is_some() {
                    return Ok(PropertyValue::option(name));
                }
                if prop.kind == PropertyKind::Status {
                    return Err(ApiError::validation(format!(
                        "Invalid status option. Status option \"{name}\" does not exist for property \"{}\".",
                        prop.name
                    )));
                }
                if name.contains(',') {
                    return Err(ApiError::validation(format!(
                        "Select option names cannot contain commas: \"{name}\"."
                    )));
                }
                return Ok(PropertyValue::option(name));
            }
            if let Some(id) = o.get("id").and_then(Value::as_str) {
                return match prop.options.iter().find(|x| x.id == id) {
                    Some(x) => Ok(PropertyValue::option(x.name.clone())),
                    None => Err(ApiError::validation(format!(
                        "Invalid {kind} option id \"{id}\" for property \"{}\".",
                        prop.name
                    ))),
                };
            }
            Err(ApiError::validation(format!(
                "body failed validation: {path} should have `name` or `id`."
            )))
        }
        PropertyKind::Date => {
            if inner.is_null() {
                return Ok(PropertyValue::Empty);
            }
            let o = inner.as_object().ok_or_else(expected)?;
            let start = o
                .get("start")
                .and_then(Value::as_str)
                .filter(|s| parse_date_start(s).is_some())
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: {path}.start should be a valid ISO 8601 date string."
                    ))
                })?;
            let end = match o.get("end") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if parse_date_start(s).is_some() => Some(s.clone()),
                Some(_) => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {path}.end should be a valid ISO 8601 date string."
                    )))
                }
            };
            let time_zone = o
                .get("time_zone")
                .and_then(Value::as_str)
                .map(str::to_string);
            Ok(PropertyValue::Date(DateValue {
                start: start.to_string(),
                end,
                time_zone,
            }))
        }
        PropertyKind::Title | PropertyKind::RichText => {
            let arr = inner.as_array().ok_or_else(expected)?;
            let mut s = String::new();
            for item in arr {
                let content = item
                    .get("text")
                    .and_then(|t| t.get("content"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ApiError::validation(format!(
                            "body failed validation: {path}[].text.content should be defined."
                        ))
                    })?;
                s.push_str(content);
            }
            Ok(PropertyValue::Text(s))
        }
        PropertyKind::Checkbox => inner
            .as_bool()
            .map(PropertyValue::Checkbox)
            .ok_or_else(expected),
        PropertyKind::Number => match inner {
            Value::Null => Ok(PropertyValue::Empty),
            v => v.as_f64().map(PropertyValue::Number).ok_or_else(expected),
        },
        PropertyKind::MultiSelect => new_options(prop, inner, &path),
        PropertyKind::People => new_people(inner, &path, people),
    }
}

/// A multi_select value as Notion takes it: up to 100 options, each by
/// `name` (an option that does not exist is added to the schema, as for
/// select) or by `id` (which must exist); `[]` empties it.
fn new_options(
    prop: &PropertySchema,
    inner: &Value,
    path: &str,
) -> Result<PropertyValue, ApiError> {
    let mut names: Vec<String> = Vec::new();
    for (i, o) in body_array(inner, path, 100)?.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let o = o.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p} should be an object, instead was `{o}`."
            ))
        })?;
        check_keys(o, &p, &["id", "name", "color"])?;
        let name = if let Some(name) = o.get("name").and_then(Value::as_str) {
            if name.contains(',') {
                return Err(ApiError::validation(format!(
                    "Select option names cannot contain commas: \"{name}\"."
                )));
            }
            name.to_string()
        } else if let Some(id) = o.get("id").and_then(Value::as_str) {
            match prop.options.iter().find(|x| x.id == id) {
                Some(x) => x.name.clone(),
                None => {
                    return Err(ApiError::validation(format!(
                        "Invalid multi_select option id \"{id}\" for property \"{}\".",
                        prop.name
                    )))
                }
            }
        } else {
            return Err(ApiError::validation(format!(
                "body failed validation: {p} should have `name` or `id`."
            )));
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(PropertyValue::Options(names))
}

/// A people value as Notion takes it under 2025-09-03: up to 100 users,
/// each `{"id"}` (and optionally `"object": "user"`) only. A user object
/// as a page gives it back (with `name`, `type`, `person`…) is refused, as
/// Notion refuses it; an id that is no user of the workspace too.
fn new_people(inner: &Value, path: &str, people: &Directory) -> Result<PropertyValue, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    for (i, u) in body_array(inner, path, 100)?.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let o = u.as_object().ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p} should be an object, instead was `{u}`."
            ))
        })?;
        let extra: Vec<String> = o
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "id" | "object"))
            .map(|(k, v)| format!("{p}.{k} should be not present, instead was `{v}`."))
            .collect();
        if !extra.is_empty() {
            return Err(ApiError::validation(format!(
                "body failed validation. Fix one:\n{}",
                extra.join("\n")
            )));
        }
        match o.get("object") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "user" => {}
            Some(v) => {
                return Err(ApiError::validation(format!(
                    "body failed validation: {p}.object should be `\"user\"` or `undefined`, instead was `{v}`."
                )))
            }
        }
        let raw = o.get("id").unwrap_or(&Value::Null);
        let key = raw.as_str().and_then(parse_id).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: {p}.id should be a valid uuid, instead was `{raw}`."
            ))
        })?;
        let id = format_id(key);
        if !people.knows(key) {
            return Err(ApiError::validation(format!(
                "Could not find user with ID: {id}."
            )));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(PropertyValue::People(ids))
}

/// `filter_properties` values (already percent-decoded once, as any
/// server decodes a query string).
///
/// Property ids are shown URL-encoded (`fk%5EY` is the id `fk^Y`). On
/// the wire Notion wants that id encoded once (`?filter_properties=fk%5EY`,
/// which decodes to `fk^Y`): the official SDK decodes ids before it
/// builds the query string for exactly this reason, because Notion
/// refused the twice-encoded form (makenotion/notion-sdk-js#402). The
/// sandbox refuses it too (400 `validation_error`): the harder reading.
pub(crate) fn filter_properties(
    ds: &DataSource,
    query: Option<&str>,
) -> Result<Option<Vec<usize>>, ApiError> {
    let wanted: Vec<String> = query_values(query, "filter_properties").collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    wanted
        .iter()
        .map(|w| {
            let found = ds
                .properties
                .iter()
                .position(|p| p.name == *w || percent_decode(&p.id) == *w);
            found.ok_or_else(|| {
                ApiError::validation(format!("Could not find property with name or id: {w}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
