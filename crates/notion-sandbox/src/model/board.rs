//! The board: the databases, data sources, schemas and pages the fake
//! workspace holds, as plain data.
//!
//! The JSON form of a [`Board`] is meant to be written by hand: ids may be
//! given with or without dashes, property ids and option ids may be left
//! out (they are derived deterministically, see [`Board::normalize`]), and
//! page values are plain JSON read according to the schema (`"Status": "To
//! Do"`, `"Due Date": "2026-11-20"`, `"Done": true`, `null` for empty).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::codecs::{format_time, parse_date_start, percent_decode, to_minute};
use super::ids::{derived_uuid, parse_id};
use super::users::User;

/// The whole state of the sandbox: every database the workspace holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Board {
    /// Databases, each with one or more data sources.
    pub databases: Vec<Database>,
    /// The day the board was made for (`"today": "2026-11-22"` in JSON):
    /// when set, the sandbox's clock runs on this day (relative date
    /// filters, `last_edited_time` of writes), so a board can be replayed.
    /// [`crate::SandboxConfig::today`] wins over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<NaiveDate>,
    /// The workspace's people and bots (besides the integration itself and
    /// the sandbox's own person, who are always there); `people` values
    /// name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
}

/// A database: a container of data sources (Notion-Version 2025-09-03).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Database {
    /// UUID (dashes optional in JSON; normalized to dashed lowercase).
    pub id: String,
    /// Plain title.
    pub title: String,
    /// `false`: not shared with the integration, so every lookup is a 404
    /// (and so are its data sources and pages).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub shared: bool,
    /// The data sources of the database, in order.
    pub data_sources: Vec<DataSource>,
}

/// A data source: a schema and its rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSource {
    /// UUID, distinct from every database id.
    pub id: String,
    /// Name (also its title).
    pub name: String,
    /// `false`: not shared (404 for the data source and its pages).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub shared: bool,
    /// Ordered properties; exactly one must be of type `title`.
    pub properties: Vec<PropertySchema>,
    /// Rows.
    #[serde(default)]
    pub pages: Vec<PageState>,
}

/// Type of a property (the subset the sandbox understands).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    /// The title (one per data source, id always `title`).
    Title,
    /// Rich text.
    RichText,
    /// Status (options in groups).
    Status,
    /// Select.
    Select,
    /// Date or datetime, with optional end.
    Date,
    /// Checkbox.
    Checkbox,
    /// Number.
    Number,
    /// Several options of a list, like select's.
    MultiSelect,
    /// Users of the workspace.
    People,
}

impl PropertyKind {
    /// The type name as Notion writes it (`"rich_text"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyKind::Title => "title",
            PropertyKind::RichText => "rich_text",
            PropertyKind::Status => "status",
            PropertyKind::Select => "select",
            PropertyKind::Date => "date",
            PropertyKind::Checkbox => "checkbox",
            PropertyKind::Number => "number",
            PropertyKind::MultiSelect => "multi_select",
            PropertyKind::People => "people",
        }
    }
}

/// One property of a schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PropertySchema {
    /// Name (case-sensitive).
    pub name: String,
    /// URL-encoded id as Notion sends it (`"fk%5EY"`); derived if empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: PropertyKind,
    /// Options of a status, select or multi_select property.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SelectOption>,
    /// Groups of a status property (derived from option names if empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<StatusGroup>,
}

/// A status, select or multi_select option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectOption {
    /// Name (case-sensitive).
    pub name: String,
    /// Id; derived if empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Notion colour name.
    #[serde(default = "default_color")]
    pub color: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A group of status options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusGroup {
    /// Name ("To-do", "In progress", "Complete").
    pub name: String,
    /// Id; derived if empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Notion colour name.
    #[serde(default = "default_color")]
    pub color: String,
    /// Names of the options in the group.
    pub options: Vec<String>,
}

/// A row of a data source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// UUID.
    pub id: String,
    /// Creation time.
    #[serde(with = "ts", default = "default_time")]
    pub created_time: DateTime<Utc>,
    /// Last edit time (Notion rounds it down to the minute; so does the sandbox).
    #[serde(with = "ts", default = "default_time")]
    pub last_edited_time: DateTime<Utc>,
    /// Trashed pages are not returned by queries, and cannot be edited.
    #[serde(default, skip_serializing_if = "is_false")]
    pub in_trash: bool,
    /// Values by property NAME; a missing key is an empty value.
    #[serde(default)]
    pub properties: BTreeMap<String, PropertyValue>,
    /// Page icon as Notion sends it (`{"type":"emoji","emoji":"🎯"}`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<serde_json::Value>,
    /// Page cover as Notion sends it (`{"type":"external",…}`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<serde_json::Value>,
    /// A locked page cannot be edited by integrations.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_locked: bool,
    /// Content blocks of the page (block objects as the API returns them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<serde_json::Value>,
    /// Comments on the page (comment objects as the API returns them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<serde_json::Value>,
}

impl PageState {
    /// An empty page with this id, created and edited at `at`.
    pub fn new(id: impl Into<String>, at: DateTime<Utc>) -> Self {
        PageState {
            id: id.into(),
            created_time: at,
            last_edited_time: at,
            in_trash: false,
            properties: BTreeMap::new(),
            icon: None,
            cover: None,
            is_locked: false,
            children: Vec::new(),
            comments: Vec::new(),
        }
    }
}

/// A property value, read according to the property's type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PropertyValue {
    /// Empty (`null`).
    Empty,
    /// Checkbox.
    Checkbox(bool),
    /// Number.
    Number(f64),
    /// Text of a title or rich_text, or the option name of a status or
    /// select (in JSON also a date string, turned into [`PropertyValue::Date`]).
    Text(String),
    /// The option names of a multi_select, in order (in JSON an array of
    /// names).
    Options(Vec<String>),
    /// The user ids of a people value, in order (in JSON an array of ids,
    /// or of emails of the board's users, read as [`PropertyValue::Options`]
    /// and turned into this by the schema).
    People(Vec<String>),
    /// A date (`{"start": …, "end": …, "time_zone": …}`). Last, so that an
    /// array in JSON is read as a list, never as a date's fields.
    Date(DateValue),
}

/// A date value as Notion sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateValue {
    /// `YYYY-MM-DD` or an ISO 8601 datetime (with offset, or taken as UTC).
    pub start: String,
    /// Optional end.
    #[serde(default)]
    pub end: Option<String>,
    /// Optional IANA zone (kept and echoed; comparisons use `start` as written).
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl PropertyValue {
    /// A title or rich_text value.
    pub fn text(s: impl Into<String>) -> Self {
        PropertyValue::Text(s.into())
    }
    /// A status or select value (option name).
    pub fn option(name: impl Into<String>) -> Self {
        PropertyValue::Text(name.into())
    }
    /// A date value: `"2026-11-20"` or `"2026-11-20T22:30:00-08:00"`.
    pub fn date(start: impl Into<String>) -> Self {
        PropertyValue::Date(DateValue {
            start: start.into(),
            end: None,
            time_zone: None,
        })
    }
    /// A multi_select value: these option names, in order.
    pub fn options<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        PropertyValue::Options(names.into_iter().map(Into::into).collect())
    }
    /// A people value: these user ids (or, in a board, emails of its users).
    pub fn people<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Self {
        PropertyValue::People(ids.into_iter().map(Into::into).collect())
    }
    /// A date-only value from a [`NaiveDate`].
    pub fn day(d: NaiveDate) -> Self {
        Self::date(d.format("%Y-%m-%d").to_string())
    }
    /// The text or option name, if any.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            PropertyValue::Text(s) => Some(s),
            _ => None,
        }
    }
    /// The date, if any (a date-like text counts).
    pub fn as_date(&self) -> Option<DateValue> {
        match self {
            PropertyValue::Date(d) => Some(d.clone()),
            PropertyValue::Text(s) if parse_date_start(s).is_some() => Some(DateValue {
                start: s.clone(),
                end: None,
                time_zone: None,
            }),
            _ => None,
        }
    }
    /// The option names of a multi_select, if any.
    pub fn as_options(&self) -> Option<&[String]> {
        match self {
            PropertyValue::Options(v) => Some(v),
            _ => None,
        }
    }
    /// The user ids of a people value, if any.
    pub fn as_people(&self) -> Option<&[String]> {
        match self {
            PropertyValue::People(v) => Some(v),
            _ => None,
        }
    }
    /// `true` for [`PropertyValue::Empty`], empty text and empty lists.
    pub fn is_empty(&self) -> bool {
        match self {
            PropertyValue::Empty => true,
            PropertyValue::Text(s) => s.is_empty(),
            PropertyValue::Options(v) | PropertyValue::People(v) => v.is_empty(),
            _ => false,
        }
    }
}

impl PageState {
    /// The value of a property by name (`Empty` when unset).
    pub fn get(&self, property: &str) -> &PropertyValue {
        static EMPTY: PropertyValue = PropertyValue::Empty;
        self.properties.get(property).unwrap_or(&EMPTY)
    }

    /// Sets `last_edited_time` to the current minute of the sandbox's
    /// clock, rounded down as Notion does: two writes in the same minute
    /// leave it where it was.
    pub(crate) fn touch(&mut self, now: DateTime<Utc>) {
        self.last_edited_time = to_minute(now);
    }
}

impl DataSource {
    /// A property by name, by id as sent (`fk%5EY`), or by decoded id (`fk^Y`).
    pub fn property(&self, key: &str) -> Option<&PropertySchema> {
        self.property_index(key).map(|i| &self.properties[i])
    }

    pub(crate) fn property_index(&self, key: &str) -> Option<usize> {
        if let Some(i) = self.properties.iter().position(|p| p.name == key) {
            return Some(i);
        }
        self.properties
            .iter()
            .position(|p| p.id == key || percent_decode(&p.id) == key)
    }

    /// The title property.
    pub fn title_property(&self) -> Option<&PropertySchema> {
        self.properties
            .iter()
            .find(|p| p.kind == PropertyKind::Title)
    }

    /// Adds the options a select or multi_select value names when the
    /// schema does not have them, as Notion does on a write (a status
    /// option is never added).
    pub(crate) fn add_missing_option(&mut self, k: usize, value: &PropertyValue) {
        let prop = &mut self.properties[k];
        let names: Vec<&str> = match (prop.kind, value) {
            (PropertyKind::Select, PropertyValue::Text(name)) => vec![name.as_str()],
            (PropertyKind::MultiSelect, PropertyValue::Options(names)) => {
                names.iter().map(String::as_str).collect()
            }
            _ => return,
        };
        for name in names.into_iter().filter(|s| !s.is_empty()) {
            if prop.option(name).is_none() {
                let mut o = SelectOption::new(name, "default");
                o.id = derived_uuid(0, &format!("{}/{}/{}", self.id, prop.name, name));
                prop.options.push(o);
            }
        }
    }
}

impl PropertySchema {
    /// A property without options.
    pub fn new(name: &str, kind: PropertyKind) -> Self {
        PropertySchema {
            name: name.to_string(),
            id: String::new(),
            kind,
            options: Vec::new(),
            groups: Vec::new(),
        }
    }
    /// Sets an explicit (URL-encoded) id.
    pub fn with_id(mut self, id: &str) -> Self {
        self.id = id.to_string();
        self
    }
    /// A select property with these options (colours assigned in turn).
    pub fn select(name: &str, options: &[&str]) -> Self {
        let mut p = Self::new(name, PropertyKind::Select);
        p.options = options
            .iter()
            .enumerate()
            .map(|(i, o)| SelectOption::new(o, COLORS[i % COLORS.len()]))
            .collect();
        p
    }
    /// A multi_select property with these options (colours assigned in turn).
    pub fn multi_select(name: &str, options: &[&str]) -> Self {
        let mut p = Self::select(name, options);
        p.kind = PropertyKind::MultiSelect;
        p
    }
    /// A status property; groups are derived from option names
    /// ("done"/"complete" → Complete, "progress" → In progress, else To-do).
    pub fn status(name: &str, options: &[&str]) -> Self {
        let mut p = Self::select(name, options);
        p.kind = PropertyKind::Status;
        p
    }
    /// The option with this name.
    pub fn option(&self, name: &str) -> Option<&SelectOption> {
        self.options.iter().find(|o| o.name == name)
    }
}

impl SelectOption {
    /// An option with a colour; its id is derived later.
    pub fn new(name: &str, color: &str) -> Self {
        SelectOption {
            name: name.to_string(),
            id: String::new(),
            color: color.to_string(),
            description: None,
        }
    }
}

const COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "brown", "gray",
];

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
fn is_false(b: &bool) -> bool {
    !*b
}
fn default_color() -> String {
    "default".to_string()
}
fn default_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-06T09:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Serde for timestamps without chrono's `serde` feature.
mod ts {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("bad timestamp {s:?}: {e}")))
    }
}

impl Board {
    /// Parses a board from JSON and normalizes it (see [`Board::normalize`]).
    pub fn from_json(s: &str) -> Result<Board, serde_json::Error> {
        let mut b: Board = serde_json::from_str(s)?;
        b.normalize()
            .map_err(<serde_json::Error as serde::de::Error>::custom)?;
        Ok(b)
    }

    /// Pretty JSON, loadable with [`Board::from_json`].
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Marks a database or data source (by id) as shared or not; `false` if
    /// no such id. Unshared objects answer 404, as Notion does.
    pub fn set_shared(&mut self, id: &str, shared: bool) -> bool {
        let Some(want) = parse_id(id) else {
            return false;
        };
        for db in &mut self.databases {
            if parse_id(&db.id) == Some(want) {
                db.shared = shared;
                return true;
            }
            for ds in &mut db.data_sources {
                if parse_id(&ds.id) == Some(want) {
                    ds.shared = shared;
                    return true;
                }
            }
        }
        false
    }

    /// Adds a data source to a database; `false` if no such database.
    pub fn add_data_source(&mut self, database_id: &str, ds: DataSource) -> bool {
        let want = parse_id(database_id);
        match self
            .databases
            .iter_mut()
            .find(|d| parse_id(&d.id) == want && want.is_some())
        {
            Some(db) => {
                db.data_sources.push(ds);
                true
            }
            None => false,
        }
    }

    /// The data source with this id.
    pub fn data_source(&self, id: &str) -> Option<&DataSource> {
        let want = parse_id(id)?;
        self.databases
            .iter()
            .flat_map(|d| &d.data_sources)
            .find(|ds| parse_id(&ds.id) == Some(want))
    }

    /// The user with this id (with or without dashes) or email (any case).
    pub fn user(&self, id_or_email: &str) -> Option<&User> {
        self.users.iter().find(|u| u.is(id_or_email))
    }

    /// Total number of pages.
    pub fn page_count(&self) -> usize {
        self.databases
            .iter()
            .flat_map(|d| &d.data_sources)
            .map(|ds| ds.pages.len())
            .sum()
    }
}
