//! JSON shapes of Notion objects (database, data source, page, user) as
//! sent under Notion-Version 2025-09-03.

use serde_json::{json, Map, Value};

use super::people::{user, Directory};
use crate::model::{
    derived_uuid, format_time, DataSource, Database, PageState, PropertyKind, PropertySchema,
    PropertyValue, SelectOption,
};

/// Fixed creation time of databases and data sources.
pub(crate) const CONTAINER_TIME: &str = "2025-01-06T09:00:00.000Z";

pub(crate) fn rich_text_item(content: &str, bold: bool) -> Value {
    json!({
        "type": "text",
        "text": {"content": content, "link": null},
        "annotations": {
            "bold": bold, "italic": false, "strikethrough": false,
            "underline": false, "code": false, "color": "default"
        },
        "plain_text": content,
        "href": null
    })
}

/// A rich text array. Text with a `": "` is split in two items (the first
/// bold), as Notion does for mixed formatting: clients must join every
/// `plain_text`.
pub(crate) fn rich_text(s: &str) -> Value {
    if s.is_empty() {
        return json!([]);
    }
    match s.find(": ") {
        Some(i) if i > 0 => {
            json!([
                rich_text_item(&s[..=i], true),
                rich_text_item(&s[i + 1..], false)
            ])
        }
        _ => json!([rich_text_item(s, false)]),
    }
}

fn hex(id: &str) -> String {
    id.replace('-', "")
}

/// `https://www.notion.so/<Title-slug>-<32hex>`.
pub(crate) fn page_url(title: &str, id: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("https://www.notion.so/{}", hex(id))
    } else {
        format!("https://www.notion.so/{slug}-{}", hex(id))
    }
}

/// The database container (no `properties` under 2025-09-03).
pub(crate) fn database_json(db: &Database) -> Value {
    let sources: Vec<Value> = db
        .data_sources
        .iter()
        .map(|ds| json!({"id": ds.id, "name": ds.name}))
        .collect();
    json!({
        "object": "database",
        "id": db.id,
        "created_time": CONTAINER_TIME,
        "last_edited_time": CONTAINER_TIME,
        "created_by": user(),
        "last_edited_by": user(),
        "title": rich_text(&db.title),
        "description": [],
        "icon": null,
        "cover": null,
        "parent": {"type": "page_id", "page_id": derived_uuid(0, &format!("parent/{}", db.id))},
        "is_inline": false,
        "in_trash": false,
        "archived": false,
        "is_locked": false,
        "data_sources": sources,
        "url": format!("https://www.notion.so/{}", hex(&db.id)),
        "public_url": null
    })
}

fn option_json(o: &SelectOption) -> Value {
    json!({"id": o.id, "name": o.name, "color": o.color, "description": o.description})
}

fn property_config(p: &PropertySchema) -> Value {
    let inner = match p.kind {
        PropertyKind::Status => {
            let groups: Vec<Value> = p
                .groups
                .iter()
                .map(|g| {
                    let ids: Vec<&str> = g
                        .options
                        .iter()
                        .filter_map(|n| p.option(n).map(|o| o.id.as_str()))
                        .collect();
                    json!({"id": g.id, "name": g.name, "color": g.color, "option_ids": ids})
                })
                .collect();
            let options: Vec<Value> = p.options.iter().map(option_json).collect();
            json!({"options": options, "groups": groups})
        }
        PropertyKind::Select | PropertyKind::MultiSelect => {
            let options: Vec<Value> = p.options.iter().map(option_json).collect();
            json!({"options": options})
        }
        PropertyKind::Number => json!({"format": "number"}),
        _ => json!({}),
    };
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert("name".into(), json!(p.name));
    m.insert("description".into(), json!(""));
    m.insert("type".into(), json!(p.kind.as_str()));
    m.insert(p.kind.as_str().into(), inner);
    Value::Object(m)
}

/// The data source: its schema and parent database.
pub(crate) fn data_source_json(db: &Database, ds: &DataSource) -> Value {
    let mut props = Map::new();
    for p in &ds.properties {
        props.insert(p.name.clone(), property_config(p));
    }
    json!({
        "object": "data_source",
        "id": ds.id,
        "created_time": CONTAINER_TIME,
        "last_edited_time": CONTAINER_TIME,
        "created_by": user(),
        "last_edited_by": user(),
        "title": rich_text(&ds.name),
        "description": [],
        "icon": null,
        // `cover` is required by the official SDK's DataSourceObjectResponse
        // (5.26); found by conformance/sdk.mjs
        "cover": null,
        "properties": props,
        "parent": {"type": "database_id", "database_id": db.id},
        "database_parent": {"type": "page_id", "page_id": derived_uuid(0, &format!("parent/{}", db.id))},
        "is_inline": false,
        "in_trash": false,
        "archived": false,
        "url": format!("https://www.notion.so/{}", hex(&db.id)),
        "public_url": null
    })
}

/// An option as a value names it: `{id, name, color}`.
fn chosen(p: &PropertySchema, name: &str) -> Value {
    match p.option(name) {
        Some(o) => json!({"id": o.id, "name": o.name, "color": o.color}),
        // a value set outside the schema (only a test can do that)
        None => json!({"id": derived_uuid(0, name), "name": name, "color": "default"}),
    }
}

/// A page's value of a property, as Notion sends it; `people` shows each
/// user whole, as the integration may see them.
pub(crate) fn value_json(p: &PropertySchema, v: &PropertyValue, people: &Directory) -> Value {
    match p.kind {
        PropertyKind::Title | PropertyKind::RichText => rich_text(v.as_text().unwrap_or("")),
        PropertyKind::Status | PropertyKind::Select => {
            match v.as_text().filter(|s| !s.is_empty()) {
                None => Value::Null,
                Some(name) => chosen(p, name),
            }
        }
        PropertyKind::MultiSelect => Value::Array(
            v.as_options()
                .unwrap_or_default()
                .iter()
                .map(|name| chosen(p, name))
                .collect(),
        ),
        PropertyKind::People => Value::Array(
            v.as_people()
                .unwrap_or_default()
                .iter()
                .map(|id| people.person(id))
                .collect(),
        ),
        PropertyKind::Date => match v.as_date() {
            Some(d) => json!({"start": d.start, "end": d.end, "time_zone": d.time_zone}),
            None => Value::Null,
        },
        PropertyKind::Checkbox => json!(matches!(v, PropertyValue::Checkbox(true))),
        PropertyKind::Number => match v {
            // Notion writes whole numbers without a fraction (`3`, not `3.0`)
            PropertyValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => json!(*n as i64),
            PropertyValue::Number(n) => json!(n),
            _ => Value::Null,
        },
    }
}

/// A page; `only` limits `properties` to these schema indexes
/// (`filter_properties`).
pub(crate) fn page_json(
    database_id: &str,
    ds: &DataSource,
    page: &PageState,
    only: Option<&[usize]>,
    people: &Directory,
) -> Value {
    let mut props = Map::new();
    for (i, p) in ds.properties.iter().enumerate() {
        if only.is_some_and(|o| !o.contains(&i)) {
            continue;
        }
        let mut m = Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("type".into(), json!(p.kind.as_str()));
        m.insert(
            p.kind.as_str().into(),
            value_json(p, page.get(&p.name), people),
        );
        props.insert(p.name.clone(), Value::Object(m));
    }
    let title = ds
        .title_property()
        .and_then(|t| page.get(&t.name).as_text())
        .unwrap_or("");
    json!({
        "object": "page",
        "id": page.id,
        "created_time": format_time(&page.created_time),
        "last_edited_time": format_time(&page.last_edited_time),
        "created_by": user(),
        "last_edited_by": user(),
        "cover": page.cover.clone().unwrap_or(Value::Null),
        "icon": page.icon.clone().unwrap_or(Value::Null),
        "parent": {"type": "data_source_id", "data_source_id": ds.id, "database_id": database_id},
        "archived": page.in_trash,
        "in_trash": page.in_trash,
        // required by the official SDK's PageObjectResponse (5.26); found by
        // conformance/sdk.mjs. The sandbox has no archive apart from the
        // trash, so it is always false.
        "is_archived": false,
        "is_locked": page.is_locked,
        "properties": props,
        "url": page_url(title, &page.id),
        "public_url": null
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_rich_text() {
        let id = "248104cd-477e-80fd-b757-e945d38000bd";
        assert_eq!(
            page_url("Fix login bug", id),
            "https://www.notion.so/Fix-login-bug-248104cd477e80fdb757e945d38000bd"
        );
        assert_eq!(
            page_url("Review PR #482: retry & backoff", id),
            "https://www.notion.so/Review-PR-482-retry-backoff-248104cd477e80fdb757e945d38000bd"
        );
        assert_eq!(
            page_url("", id),
            "https://www.notion.so/248104cd477e80fdb757e945d38000bd"
        );
        let rt = rich_text("Q3 budget: finance sign-off");
        let joined: String = rt
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["plain_text"].as_str().unwrap())
            .collect();
        assert_eq!(rt.as_array().unwrap().len(), 2);
        assert_eq!(joined, "Q3 budget: finance sign-off");
    }
}
