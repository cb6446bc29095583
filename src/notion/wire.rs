//! Notion's JSON, as notion-sweep reads and writes it (Notion-Version 2025-09-03).
//!
//! Every type the client sends or receives is here and nowhere else. Fields
//! that notion-sweep does not use are left out; unknown fields are ignored, and
//! values that may be missing or `null` are `Option`s, so an odd page becomes a
//! readable error rather than a panic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A run of rich text; only its plain text matters here.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RichText {
    #[serde(default)]
    pub(crate) plain_text: String,
}

/// Joins every `plain_text` of a rich text array: the text as Notion has
/// it. It is escaped where it is shown (text, markdown, logs), and JSON is
/// escaped by its serializer.
pub(crate) fn plain_text(parts: &[RichText]) -> String {
    parts.iter().map(|p| p.plain_text.as_str()).collect()
}

/// `GET /v1/databases/{id}`: a container of data sources, without properties.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Database {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) title: Vec<RichText>,
    #[serde(default)]
    pub(crate) data_sources: Vec<DataSourceRef>,
}

/// A data source as a database lists it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DataSourceRef {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
}

/// `GET /v1/data_sources/{id}`: the schema.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DataSource {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) title: Vec<RichText>,
    #[serde(default)]
    pub(crate) parent: Option<DataSourceParent>,
    #[serde(default)]
    pub(crate) properties: BTreeMap<String, PropertyConfig>,
}

/// Where a data source lives.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DataSourceParent {
    #[serde(default)]
    pub(crate) database_id: Option<String>,
}

/// One property of a schema.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PropertyConfig {
    /// URL-encoded as Notion sends it (e.g. `fk%5EY`); sent back as it is.
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) status: Option<Options>,
    #[serde(default)]
    pub(crate) select: Option<Options>,
    #[serde(default)]
    pub(crate) multi_select: Option<Options>,
}

/// The options of a status or select property.
#[derive(Debug, Clone, Deserialize, Default)]
pub(crate) struct Options {
    #[serde(default)]
    pub(crate) options: Vec<NamedOption>,
}

/// An option, as a schema lists it or a page holds it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NamedOption {
    pub(crate) name: String,
}

/// `POST /v1/data_sources/{id}/query` body.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QueryBody {
    /// `Value::Null` asks for every row (no filter is sent).
    #[serde(skip_serializing_if = "Value::is_null")]
    pub(crate) filter: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) sorts: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) start_cursor: Option<String>,
    pub(crate) page_size: u32,
}

/// One page of query results. Results stay raw JSON so that one odd row
/// cannot make the whole page unreadable.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct QueryPage {
    #[serde(default)]
    pub(crate) results: Vec<Value>,
    #[serde(default)]
    pub(crate) next_cursor: Option<String>,
    #[serde(default)]
    pub(crate) has_more: bool,
    #[serde(default)]
    pub(crate) request_status: Option<RequestStatus>,
}

/// Present when Notion stopped a query early (the 10,000-row cap).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RequestStatus {
    #[serde(rename = "type", default)]
    pub(crate) kind: RequestStatusKind,
}

/// What a query's `request_status` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RequestStatusKind {
    /// The row cap stopped the query: more rows match than were returned.
    Incomplete,
    /// Anything else Notion may say.
    #[default]
    #[serde(other)]
    Other,
}

/// A row of a data source.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Page {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) url: Option<String>,
    /// When it was last edited, as Notion gives it (to the minute).
    #[serde(default)]
    pub(crate) last_edited_time: Option<String>,
    /// Raw values by name, read one at a time with [`PropertyValue`], so an
    /// odd property the sweep does not use cannot make the page unreadable.
    #[serde(default)]
    pub(crate) properties: BTreeMap<String, Value>,
}

/// One property value of a page. Only the kinds notion-sweep reads have fields.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PropertyValue {
    #[serde(default)]
    pub(crate) title: Option<Vec<RichText>>,
    #[serde(default)]
    pub(crate) status: Option<NamedOption>,
    #[serde(default)]
    pub(crate) select: Option<NamedOption>,
    #[serde(default)]
    pub(crate) date: Option<DateValue>,
    #[serde(default)]
    pub(crate) multi_select: Option<Vec<NamedOption>>,
    #[serde(default)]
    pub(crate) checkbox: Option<bool>,
    #[serde(default)]
    pub(crate) people: Option<Vec<User>>,
}

/// A user as a people property holds it: its id always, its name and email
/// when Notion gives them (the email only with the capability to read it).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) person: Option<PersonDetails>,
}

/// A person user's details.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PersonDetails {
    #[serde(default)]
    pub(crate) email: Option<String>,
}

/// A date property value: a date (`2026-11-20`) or a datetime with offset.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DateValue {
    pub(crate) start: String,
    #[serde(default)]
    pub(crate) time_zone: Option<String>,
}

/// Notion's error body.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) request_id: Option<String>,
    #[serde(default)]
    pub(crate) additional_data: Option<Value>,
}

/// Reads Notion's JSON. A lone UTF-16 surrogate escape (`\ud83d` without
/// its pair, which a title cut in the middle of an emoji can hold) is read
/// as U+FFFD: serde_json refuses it, and one odd title must not make a
/// whole page of results unreadable.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(bytes).or_else(|error| {
        let mended = without_lone_surrogates(bytes);
        if mended == bytes {
            return Err(error);
        }
        serde_json::from_slice(&mended)
    })
}

/// `bytes` with every `\uXXXX` escape of a surrogate that is not part of a
/// pair replaced by `\ufffd`.
fn without_lone_surrogates(bytes: &[u8]) -> Vec<u8> {
    let unit = |at: usize| -> Option<u16> {
        let escape = bytes.get(at..at + 6)?;
        if escape[0] != b'\\' || escape[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let high = |u: u16| (0xD800..0xDC00).contains(&u);
    let low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        match unit(at) {
            Some(u) if high(u) && unit(at + 6).is_some_and(low) => {
                out.extend_from_slice(&bytes[at..at + 12]);
                at += 12;
            }
            Some(u) if high(u) || low(u) => {
                out.extend_from_slice(b"\\ufffd");
                at += 6;
            }
            // Any other escape: its two first bytes as they are, so that
            // an escaped backslash is never read as the start of another.
            _ => {
                out.extend_from_slice(&bytes[at..(at + 2).min(bytes.len())]);
                at += 2;
            }
        }
    }
    out
}

/// `PATCH /v1/pages/{id}` body that sets one status or select property.
pub(crate) fn status_update(property_id: &str, kind: &str, option: &str) -> Value {
    let mut value = serde_json::Map::new();
    value.insert(kind.to_string(), serde_json::json!({ "name": option }));
    let mut properties = serde_json::Map::new();
    properties.insert(property_id.to_string(), Value::Object(value));
    serde_json::json!({ "properties": properties })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_surrogate_is_read_as_a_replacement_character() {
        let page = br#"{"results":[{"t":"a\ud83d b"},{"t":"\ude00"},{"t":"\ud83d\ude00"},{"t":"\\ud83d"}],"has_more":false}"#;
        assert!(serde_json::from_slice::<QueryPage>(page).is_err());
        let read: QueryPage = from_json(page).unwrap();
        let titles: Vec<&str> = read
            .results
            .iter()
            .map(|r| r["t"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["a\u{fffd} b", "\u{fffd}", "\u{1f600}", "\\ud83d"]);
        for end in 0..page.len() {
            let _ = from_json::<QueryPage>(&page[..end]);
        }
    }

    #[test]
    fn names_from_notion_are_read_as_they_are() {
        let source: DataSource = serde_json::from_value(serde_json::json!({
            "id": "x",
            "properties": {
                "S": {"id": "s", "name": "Sta\u{1b}[2Jtus", "type": "status",
                      "status": {"options": [{"name": "To\nDo"}]}}
            }
        }))
        .unwrap();
        let status = &source.properties["S"];
        assert_eq!(status.name, "Sta\u{1b}[2Jtus");
        assert_eq!(status.status.as_ref().unwrap().options[0].name, "To\nDo");
    }
}
