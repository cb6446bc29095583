//! `body.sorts` read against the schema, and the order of query results:
//! by the sorts, else (and for ties) by a seeded rank of each page.

use std::cmp::Ordering;

use serde_json::Value;

use super::eval::page_date;
use super::parse::invalid;
use crate::model::{fnv, DataSource, PageState, PropertyKind, PropertySchema, PropertyValue, User};

/// One sort criterion.
#[derive(Debug, Clone)]
pub(crate) struct Sort {
    key: SortKey,
    descending: bool,
}

#[derive(Debug, Clone)]
enum SortKey {
    /// `order`: for status, select and multi_select, option names in the
    /// order Notion sorts them (the schema's order); for people, user ids
    /// by name.
    Prop {
        name: String,
        kind: PropertyKind,
        order: Vec<String>,
    },
    Created,
    Edited,
}

/// Parses `body.sorts` against the schema (`users`: the board's users, by
/// whose names people values sort).
pub(crate) fn parse_sorts(v: &Value, ds: &DataSource, users: &[User]) -> Result<Vec<Sort>, String> {
    let arr = v
        .as_array()
        .ok_or_else(|| invalid("body.sorts", "an array", v))?;
    let mut out = Vec::new();
    for (i, s) in arr.iter().enumerate() {
        let path = format!("body.sorts[{i}]");
        let obj = s
            .as_object()
            .ok_or_else(|| invalid(&path, "an object", s))?;
        let descending = match obj.get("direction").and_then(Value::as_str) {
            Some("ascending") => false,
            Some("descending") => true,
            _ => {
                return Err(invalid(
                    &format!("{path}.direction"),
                    "`\"ascending\"` or `\"descending\"`",
                    obj.get("direction").unwrap_or(&Value::Null),
                ))
            }
        };
        let key = if let Some(p) = obj.get("property") {
            let name = p
                .as_str()
                .ok_or_else(|| invalid(&format!("{path}.property"), "a string", p))?;
            let schema = ds
                .property(name)
                .ok_or_else(|| format!("Could not find sort property with name or id: {name}"))?;
            SortKey::Prop {
                name: schema.name.clone(),
                kind: schema.kind,
                order: if schema.kind == PropertyKind::People {
                    people_order(users)
                } else {
                    option_order(schema)
                },
            }
        } else {
            match obj.get("timestamp").and_then(Value::as_str) {
                Some("created_time") => SortKey::Created,
                Some("last_edited_time") => SortKey::Edited,
                _ => {
                    return Err(format!(
                        "body failed validation: {path} should have `property` or `timestamp` (`created_time` or `last_edited_time`)."
                    ))
                }
            }
        };
        out.push(Sort { key, descending });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Str(String),
    Num(f64),
    Time(i64),
    Bool(bool),
}

/// Option names in sort order: the order of the options in the schema
/// (as the data source lists them), not their names.
fn option_order(schema: &PropertySchema) -> Vec<String> {
    schema.options.iter().map(|o| o.name.clone()).collect()
}

/// User ids by name (case-insensitive): the order people values sort in.
fn people_order(users: &[User]) -> Vec<String> {
    let mut by_name: Vec<&User> = users.iter().collect();
    by_name.sort_by_key(|u| u.name.to_lowercase());
    by_name.into_iter().map(|u| u.id.clone()).collect()
}

fn key_of(page: &PageState, key: &SortKey) -> Option<Key> {
    match key {
        SortKey::Created => Some(Key::Time(page.created_time.timestamp_millis())),
        SortKey::Edited => Some(Key::Time(page.last_edited_time.timestamp_millis())),
        SortKey::Prop { name, kind, order } => {
            let v = page.get(name);
            match kind {
                PropertyKind::Title | PropertyKind::RichText => v
                    .as_text()
                    .filter(|s| !s.is_empty())
                    .map(|s| Key::Str(s.to_lowercase())),
                // status and select sort by the option's place in the
                // schema, not by name; a value outside it comes after
                PropertyKind::Status | PropertyKind::Select => {
                    v.as_text().filter(|s| !s.is_empty()).map(|s| {
                        Key::Num(order.iter().position(|o| o == s).unwrap_or(order.len()) as f64)
                    })
                }
                PropertyKind::Date => page_date(v).map(|t| Key::Time(t.timestamp_millis())),
                PropertyKind::Checkbox => {
                    Some(Key::Bool(matches!(v, PropertyValue::Checkbox(true))))
                }
                PropertyKind::Number => match v {
                    PropertyValue::Number(n) => Some(Key::Num(*n)),
                    _ => None,
                },
                // a list sorts by its first value: an option's place in the
                // schema, a person's place by name; unknown ones after
                PropertyKind::MultiSelect | PropertyKind::People => match v {
                    PropertyValue::Options(x) | PropertyValue::People(x) => x.first().map(|s| {
                        Key::Num(order.iter().position(|o| o == s).unwrap_or(order.len()) as f64)
                    }),
                    _ => None,
                },
            }
        }
    }
}

/// The position of a page when no sort decides: a hash of its id keyed by
/// the sandbox seed. Stable between calls and edits, unrelated to creation
/// order (Notion promises no order without sorts; a client must not rely
/// on one).
///
/// Recorded truth (docs/sandbox.md, "Order without sorts"): the harder
/// choice for a client is an order that is neither creation order nor board
/// order nor last-edited order, so that code which silently relies on one
/// fails here; the sandbox takes it. The same rank breaks ties between rows
/// whose sort keys are equal, and empty values sort last in both
/// directions.
pub(crate) fn default_rank(seed: u64, page: &PageState) -> u64 {
    fnv(seed, &[page.id.as_bytes()])
}

/// Orders `rows` (indexes into `pages`): by the sorts, empty values last in
/// either direction, ties (and everything, without sorts) by `ranks`
/// (each page's [`default_rank`]).
pub(crate) fn order(pages: &[PageState], rows: &mut Vec<usize>, sorts: &[Sort], ranks: &[u64]) {
    if sorts.is_empty() {
        rows.sort_unstable_by_key(|&i| (ranks[i], i));
        return;
    }
    let mut keyed: Vec<(Vec<Option<Key>>, u64, usize)> = rows
        .iter()
        .map(|&i| {
            let p = &pages[i];
            let keys = sorts.iter().map(|s| key_of(p, &s.key)).collect();
            (keys, ranks[i], i)
        })
        .collect();
    keyed.sort_by(|a, b| {
        for (s, (ka, kb)) in sorts.iter().zip(a.0.iter().zip(b.0.iter())) {
            let o = match (ka, kb) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
                    if s.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        (a.1, a.2).cmp(&(b.1, b.2))
    });
    *rows = keyed.into_iter().map(|k| k.2).collect();
}
