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
pub struct RichText {
    #[serde(default)]
    pub plain_text: String,
}

/// Joins every `plain_text` of a rich text array.
pub fn plain_text(parts: &[RichText]) -> String {
    parts.iter().map(|p| p.plain_text.as_str()).collect()
}

/// `GET /v1/databases/{id}`: a container of data sources, without properties.
#[derive(Debug, Clone, Deserialize)]
pub struct Database {
    pub id: String,
    #[serde(default)]
    pub title: Vec<RichText>,
    #[serde(default)]
    pub data_sources: Vec<DataSourceRef>,
    #[serde(default)]
    pub in_trash: bool,
}

/// A data source as a database lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct DataSourceRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// `GET /v1/data_sources/{id}`: the schema.
#[derive(Debug, Clone, Deserialize)]
pub struct DataSource {
    pub id: String,
    #[serde(default)]
    pub title: Vec<RichText>,
    #[serde(default)]
    pub parent: Option<DataSourceParent>,
    #[serde(default)]
    pub properties: BTreeMap<String, PropertyConfig>,
    #[serde(default)]
    pub in_trash: bool,
}

/// Where a data source lives.
#[derive(Debug, Clone, Deserialize)]
pub struct DataSourceParent {
    #[serde(default)]
    pub database_id: Option<String>,
}

/// One property of a schema.
#[derive(Debug, Clone, Deserialize)]
pub struct PropertyConfig {
    /// URL-encoded as Notion sends it (e.g. `fk%5EY`); sent back as it is.
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub status: Option<Options>,
    #[serde(default)]
    pub select: Option<Options>,
}

/// The options of a status or select property.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Options {
    #[serde(default)]
    pub options: Vec<NamedOption>,
}

/// An option, as a schema lists it or a page holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct NamedOption {
    pub name: String,
}

/// `POST /v1/data_sources/{id}/query` body.
#[derive(Debug, Clone, Serialize)]
pub struct QueryBody {
    pub filter: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sorts: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_cursor: Option<String>,
    pub page_size: u32,
}

/// One page of query results. Results stay raw JSON so that one odd row
/// cannot make the whole page unreadable.
#[derive(Debug, Clone, Deserialize)]
pub struct QueryPage {
    #[serde(default)]
    pub results: Vec<Value>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub request_status: Option<RequestStatus>,
}

/// Present when Notion stopped a query early (the 10,000-row cap).
#[derive(Debug, Clone, Deserialize)]
pub struct RequestStatus {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub incomplete_reason: Option<String>,
}

/// A row of a data source.
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub in_trash: bool,
    /// Raw values by name, read one at a time with [`PropertyValue`], so an
    /// odd property the sweep does not use cannot make the page unreadable.
    #[serde(default)]
    pub properties: BTreeMap<String, Value>,
}

/// One property value of a page. Only the kinds notion-sweep reads have fields.
#[derive(Debug, Clone, Deserialize)]
pub struct PropertyValue {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub title: Option<Vec<RichText>>,
    #[serde(default)]
    pub status: Option<NamedOption>,
    #[serde(default)]
    pub select: Option<NamedOption>,
    #[serde(default)]
    pub date: Option<DateValue>,
}

/// A date property value: a date (`2026-11-20`) or a datetime with offset.
#[derive(Debug, Clone, Deserialize)]
pub struct DateValue {
    pub start: String,
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// Notion's error body.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub additional_data: Option<Value>,
}

/// `PATCH /v1/pages/{id}` body that sets one status or select property.
pub fn status_update(property_id: &str, kind: &str, option: &str) -> Value {
    let mut value = serde_json::Map::new();
    value.insert(kind.to_string(), serde_json::json!({ "name": option }));
    let mut properties = serde_json::Map::new();
    properties.insert(property_id.to_string(), Value::Object(value));
    serde_json::json!({ "properties": properties })
}
