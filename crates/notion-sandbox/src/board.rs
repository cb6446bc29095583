//! The sandbox's state model (databases, data sources, schemas, pages) and
//! the builders that describe boards briefly in tests and in the demo.
//!
//! The JSON form of a [`Board`] is meant to be written by hand: ids may be
//! given with or without dashes, property ids and option ids may be left
//! out (they are derived deterministically), and page values are plain JSON
//! read according to the schema (`"Status": "To Do"`, `"Due Date":
//! "2026-11-20"`, `"Done": true`, `null` for empty).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// Database id of [`Board::demo`].
pub const DEMO_DATABASE_ID: &str = "2f26ee68-df30-4251-aad4-8ddc420cba3d";
/// Id of the "Tasks" data source of [`Board::demo`].
pub const DEMO_DATA_SOURCE_ID: &str = "248104cd-477e-80af-bc30-000bd28de8f9";
/// Id of the second ("Bugs") data source of [`Board::demo_multi_source`].
pub const DEMO_BUGS_DATA_SOURCE_ID: &str = "248104cd-477e-80b1-9c2e-00a3c5d1e7f2";
/// Property id of `Status` in the demo board (URL-encoded, as Notion sends it).
pub const DEMO_STATUS_PROPERTY_ID: &str = "fk%5EY";
/// Property id of `Due Date` in the demo board.
pub const DEMO_DATE_PROPERTY_ID: &str = "Pk%3Cr";

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
    /// Options of a status or select property.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SelectOption>,
    /// Groups of a status property (derived from option names if empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<StatusGroup>,
}

/// A status or select option.
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
    /// A date (`{"start": …, "end": …, "time_zone": …}`).
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
    /// `true` for [`PropertyValue::Empty`] and empty text.
    pub fn is_empty(&self) -> bool {
        match self {
            PropertyValue::Empty => true,
            PropertyValue::Text(s) => s.is_empty(),
            _ => false,
        }
    }
}

/// Parses the start of a Notion date into an instant: a date-only value is
/// UTC midnight of that day; a datetime with an offset is that instant; a
/// datetime without offset is read as UTC.
pub(crate) fn parse_date_start(s: &str) -> Option<DateTime<Utc>> {
    if let Some(d) = parse_day(s) {
        return Some(d.and_time(NaiveTime::MIN).and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    None
}

/// Parses a strict `YYYY-MM-DD` by hand: queries over 100,000 rows parse
/// every due date, and chrono's format parser is the hot spot there.
pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)
}

impl PageState {
    /// The value of a property by name (`Empty` when unset).
    pub fn get(&self, property: &str) -> &PropertyValue {
        static EMPTY: PropertyValue = PropertyValue::Empty;
        self.properties.get(property).unwrap_or(&EMPTY)
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

/// A timestamp as Notion writes it (`2026-11-20T10:00:00.000Z`).
pub(crate) fn format_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Rounds down to the minute, as Notion does for `last_edited_time`.
pub(crate) fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp();
    DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).unwrap_or(t)
}

// ---------------------------------------------------------------- ids

/// Parses an id with or without dashes (any case) into its 128 bits.
pub(crate) fn parse_id(s: &str) -> Option<u128> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    let dashed_ok = s.len() == 32 || (s.len() == 36 && dash_positions_ok(s));
    if hex.len() != 32 || !dashed_ok || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

fn dash_positions_ok(s: &str) -> bool {
    s.char_indices()
        .all(|(i, c)| (c == '-') == matches!(i, 8 | 13 | 18 | 23))
}

/// Formats 128 bits as a dashed lowercase UUID.
pub(crate) fn format_id(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The dashed lowercase form of an id, if it is one.
pub fn normalize_id(s: &str) -> Option<String> {
    parse_id(s).map(format_id)
}

/// FNV-1a over several parts, keyed by a seed: deterministic ids and orders.
pub(crate) fn fnv(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // final avalanche so that nearby inputs give unrelated outputs
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// A deterministic UUID (version 4 layout) from a seed and a label.
pub(crate) fn derived_uuid(seed: u64, label: &str) -> String {
    let hi = fnv(seed, &[label.as_bytes(), b"hi"]);
    let lo = fnv(seed, &[label.as_bytes(), b"lo"]);
    uuid_from_bits((u128::from(hi) << 64) | u128::from(lo))
}

pub(crate) fn uuid_from_bits(v: u128) -> String {
    // version 4 and RFC 4122 variant, so the ids look like real UUIDs
    let v = (v & !(0xf << 76)) | (0x4 << 76);
    let v = (v & !(0x3 << 62)) | (0x2 << 62);
    format_id(v)
}

fn derived_property_id(seed: u64, ds_id: &str, name: &str, salt: u32) -> String {
    // Notion property ids are short strings of printable ASCII, URL-encoded
    const ALPHABET: &[u8] =
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789^:;<=>?@[]`{|}~";
    let mut h = fnv(
        seed,
        &[ds_id.as_bytes(), name.as_bytes(), &salt.to_le_bytes()],
    );
    let mut raw = String::new();
    for _ in 0..4 {
        raw.push(ALPHABET[(h % ALPHABET.len() as u64) as usize] as char);
        h /= ALPHABET.len() as u64;
    }
    percent_encode(&raw)
}

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
pub(crate) fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// What stays as it is in a percent-encoded id: RFC 3986's unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Decodes `%XX` escapes (and `+` as a space, as in query strings when `plus`).
pub(crate) fn percent_decode_with(s: &str, plus: bool) -> String {
    let s = if plus {
        s.replace('+', " ")
    } else {
        s.to_string()
    };
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// Decodes `%XX` escapes.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_decode_with(s, false)
}

// ---------------------------------------------------------------- normalize

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

    /// Checks the board and fills what a hand-written board may leave out:
    /// dashed ids, property/option/group ids, status groups, the title id,
    /// and date strings turned into dates. Errors name the culprit.
    pub fn normalize(&mut self) -> Result<(), String> {
        let mut seen = HashSet::new();
        let mut check_id = |id: &mut String, what: &str| -> Result<(), String> {
            let n = normalize_id(id).ok_or_else(|| format!("{what} id {id:?} is not a UUID"))?;
            if !seen.insert(n.clone()) {
                return Err(format!("{what} id {n} is used twice"));
            }
            *id = n;
            Ok(())
        };
        for db in &mut self.databases {
            check_id(&mut db.id, "database")?;
            for ds in &mut db.data_sources {
                check_id(&mut ds.id, "data source")?;
                for p in &mut ds.pages {
                    check_id(&mut p.id, "page")?;
                }
            }
        }
        for db in &mut self.databases {
            for ds in &mut db.data_sources {
                normalize_data_source(ds)?;
            }
        }
        Ok(())
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

    /// Total number of pages.
    pub fn page_count(&self) -> usize {
        self.databases
            .iter()
            .flat_map(|d| &d.data_sources)
            .map(|ds| ds.pages.len())
            .sum()
    }
}

fn normalize_data_source(ds: &mut DataSource) -> Result<(), String> {
    let titles = ds
        .properties
        .iter()
        .filter(|p| p.kind == PropertyKind::Title)
        .count();
    if titles != 1 {
        return Err(format!(
            "data source {} must have exactly one title property, has {titles}",
            ds.id
        ));
    }
    let mut names = HashSet::new();
    let mut ids: HashSet<String> = ds
        .properties
        .iter()
        .filter(|p| !p.id.is_empty())
        .map(|p| p.id.clone())
        .collect();
    for p in &mut ds.properties {
        if !names.insert(p.name.clone()) {
            return Err(format!("property {:?} is defined twice", p.name));
        }
        if p.kind == PropertyKind::Title {
            p.id = "title".to_string();
        } else if p.id.is_empty() {
            let mut salt = 0;
            loop {
                let id = derived_property_id(0, &ds.id, &p.name, salt);
                if id != "title" && ids.insert(id.clone()) {
                    p.id = id;
                    break;
                }
                salt += 1;
            }
        }
        for o in &mut p.options {
            if o.id.is_empty() {
                o.id = derived_uuid(0, &format!("{}/{}/{}", ds.id, p.name, o.name));
            }
        }
        if p.kind == PropertyKind::Status {
            if p.groups.is_empty() {
                p.groups = default_groups(&p.options);
            }
            for g in &mut p.groups {
                if g.id.is_empty() {
                    g.id = derived_uuid(0, &format!("{}/{}/group/{}", ds.id, p.name, g.name));
                }
                for o in &g.options {
                    if !p.options.iter().any(|x| &x.name == o) {
                        return Err(format!(
                            "status group {:?} names unknown option {o:?}",
                            g.name
                        ));
                    }
                }
            }
        }
    }
    for page in &mut ds.pages {
        for (name, value) in page.properties.iter_mut() {
            let prop = ds
                .properties
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| format!("page {} has unknown property {name:?}", page.id))?;
            if prop.kind == PropertyKind::Date {
                if let PropertyValue::Text(s) = value {
                    if parse_date_start(s).is_none() {
                        return Err(format!("page {}: {s:?} is not a date", page.id));
                    }
                    *value = PropertyValue::date(s.clone());
                }
            }
        }
    }
    Ok(())
}

fn default_groups(options: &[SelectOption]) -> Vec<StatusGroup> {
    let mut groups = vec![
        StatusGroup {
            name: "To-do".into(),
            id: String::new(),
            color: "gray".into(),
            options: vec![],
        },
        StatusGroup {
            name: "In progress".into(),
            id: String::new(),
            color: "blue".into(),
            options: vec![],
        },
        StatusGroup {
            name: "Complete".into(),
            id: String::new(),
            color: "green".into(),
            options: vec![],
        },
    ];
    for o in options {
        let lower = o.name.to_lowercase();
        let g = if lower.contains("done") || lower.contains("complete") {
            2
        } else if lower.contains("progress") {
            1
        } else {
            0
        };
        groups[g].options.push(o.name.clone());
    }
    groups
}

// ---------------------------------------------------------------- builders

/// One row of the demo board: title, status, due, assignee, priority.
struct DemoTask {
    title: &'static str,
    status: &'static str,
    due: Due,
    assignee: &'static str,
    priority: &'static str,
    trashed: bool,
}

enum Due {
    None,
    Days(i64),
    /// Days from today, local time and UTC offset (e.g. "22:30:00", "-08:00").
    At(i64, &'static str, &'static str),
}

const fn t(title: &'static str, status: &'static str, due: Due, who: &'static str) -> DemoTask {
    DemoTask {
        title,
        status,
        due,
        assignee: who,
        priority: "Medium",
        trashed: false,
    }
}

const fn hi(mut task: DemoTask) -> DemoTask {
    task.priority = "High";
    task
}

const fn lo(mut task: DemoTask) -> DemoTask {
    task.priority = "Low";
    task
}

const fn trashed(mut task: DemoTask) -> DemoTask {
    task.trashed = true;
    task
}

use Due::{At, Days};

const DEMO_TASKS: &[DemoTask] = &[
    // overdue, still open: the sweep moves these
    hi(t("Fix login bug", "To Do", Days(-3), "Ana Silva")),
    t(
        "Review PR #482: retry & backoff",
        "To Do",
        Days(-1),
        "Ben Okafor",
    ),
    t(
        "Update <Header> component docs",
        "To Do",
        Days(-7),
        "Chloé Martin",
    ),
    hi(t(
        "Renew SSL certificate for api.example.com",
        "To Do",
        Days(-12),
        "Dev Patel",
    )),
    t(
        "Q3 budget: finance sign-off",
        "To Do",
        Days(-2),
        "Ana Silva",
    ),
    lo(t(
        "Migrate cron jobs to CI",
        "To Do",
        Days(-30),
        "Erik Lund",
    )),
    t(
        "Write postmortem for the 14:02 outage",
        "To Do",
        Days(-6),
        "Ben Okafor",
    ),
    hi(t(
        "Rotate leaked staging API keys",
        "To Do",
        Days(-15),
        "Dev Patel",
    )),
    lo(t(
        "Fix typo in pricing page",
        "To Do",
        Days(-1),
        "Chloé Martin",
    )),
    t(
        "Send contract draft to Initech",
        "To Do",
        Days(-4),
        "Fatima Zahra",
    ),
    t(
        "Reply to \"Q&A\" thread in #support",
        "To Do",
        Days(-2),
        "Erik Lund",
    ),
    // datetimes: due late in the evening west of UTC (UTC day is today), and
    // early in the morning east of UTC (UTC day is yesterday)
    hi(t(
        "Deploy hotfix to EU region",
        "To Do",
        At(-1, "22:30:00", "-08:00"),
        "Erik Lund",
    )),
    t(
        "Send invoice to Globex",
        "To Do",
        At(0, "01:00:00", "+09:00"),
        "Fatima Zahra",
    ),
    // overdue but done or in progress: left alone
    t("Write onboarding guide", "Done", Days(-5), "Ana Silva"),
    t("Ship v2.3 release notes", "Done", Days(-1), "Ben Okafor"),
    lo(t(
        "Close Q2 support tickets",
        "Done",
        Days(-20),
        "Fatima Zahra",
    )),
    t("Update privacy policy", "Done", Days(-2), "Chloé Martin"),
    hi(t(
        "Refactor billing service",
        "In Progress",
        Days(-4),
        "Dev Patel",
    )),
    t(
        "Investigate flaky e2e test",
        "In Progress",
        Days(-1),
        "Erik Lund",
    ),
    // already overdue
    t(
        "Customer call prep: Acme Corp",
        "Overdue",
        Days(-9),
        "Ana Silva",
    ),
    lo(t(
        "Book venue for the meetup",
        "Overdue",
        Days(-3),
        "Fatima Zahra",
    )),
    // due today: not overdue yet
    t("Plan team offsite", "To Do", Days(0), "Ben Okafor"),
    hi(t(
        "Triage new bug reports",
        "To Do",
        Days(0),
        "Chloé Martin",
    )),
    t("Update dependencies", "In Progress", Days(0), "Dev Patel"),
    // future
    t(
        "Design review: settings page",
        "To Do",
        Days(1),
        "Ana Silva",
    ),
    t("Prepare sprint demo", "To Do", Days(2), "Ben Okafor"),
    t(
        "Interview loop: backend hire",
        "To Do",
        Days(4),
        "Erik Lund",
    ),
    t(
        "Security audit follow-up",
        "In Progress",
        Days(5),
        "Dev Patel",
    ),
    lo(t("Draft Q4 roadmap", "To Do", Days(7), "Ana Silva")),
    t("Quarterly OKR check-in", "To Do", Days(10), "Fatima Zahra"),
    lo(t(
        "Localize checkout flow",
        "To Do",
        Days(14),
        "Chloé Martin",
    )),
    lo(t(
        "Archive old Slack channels",
        "To Do",
        Days(21),
        "Erik Lund",
    )),
    t("Set up status page", "Done", Days(3), "Dev Patel"),
    // no due date: never touched
    t("Clean up feature flags", "To Do", Due::None, "Ben Okafor"),
    lo(t(
        "Research vector search options",
        "To Do",
        Due::None,
        "Dev Patel",
    )),
    t(
        "Improve error messages",
        "In Progress",
        Due::None,
        "Chloé Martin",
    ),
    lo(t("Brainstorm team names", "Done", Due::None, "Ana Silva")),
    // trashed: never returned by queries
    trashed(t(
        "Old task from the previous board",
        "To Do",
        Days(-40),
        "Erik Lund",
    )),
];

impl Board {
    /// A believable team board: database "Tasks" ([`DEMO_DATABASE_ID`]) with
    /// one data source "Tasks" ([`DEMO_DATA_SOURCE_ID`]), properties `Name`
    /// (title), `Status` (To Do / In Progress / Done / Overdue), `Due Date`,
    /// `Assignee` (rich_text) and `Priority` (select), and 38 tasks around
    /// `today`: 11 overdue with a date-only due in To Do, two datetime dues
    /// whose day depends on the time zone, overdue ones that are Done or In
    /// Progress, some due today, some later, some without a date, one trashed.
    pub fn demo(today: NaiveDate) -> Board {
        let ds = demo_tasks_source(today);
        let mut board = Board {
            databases: vec![Database {
                id: DEMO_DATABASE_ID.to_string(),
                title: "Tasks".to_string(),
                shared: true,
                data_sources: vec![ds],
            }],
            today: None,
        };
        // the builder's data is fixed: normalization cannot fail
        board.normalize().expect("demo board is valid");
        board
    }

    /// [`Board::demo`] with a second data source "Bugs"
    /// ([`DEMO_BUGS_DATA_SOURCE_ID`]) in the same database, with the same
    /// property names and a few rows of its own.
    pub fn demo_multi_source(today: NaiveDate) -> Board {
        let mut board = Board::demo(today);
        let mut bugs = DataSource {
            id: DEMO_BUGS_DATA_SOURCE_ID.to_string(),
            name: "Bugs".to_string(),
            shared: true,
            properties: demo_schema(),
            pages: Vec::new(),
        };
        let rows = [
            ("Crash on empty search", "To Do", Some(-2)),
            ("Dark mode contrast too low", "To Do", Some(3)),
            ("CSV export drops unicode", "In Progress", Some(-1)),
            ("Session expires too early", "Done", Some(-8)),
        ];
        for (i, (title, status, due)) in rows.iter().enumerate() {
            let mut props = BTreeMap::new();
            props.insert("Name".to_string(), PropertyValue::text(*title));
            props.insert("Status".to_string(), PropertyValue::option(*status));
            if let Some(d) = due {
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::day(today + Duration::days(*d)),
                );
            }
            let created = day_at(today, -20 + i as i64, 11);
            bugs.pages.push(PageState {
                id: derived_uuid(0xb065, &format!("bug{i}")),
                created_time: created,
                last_edited_time: created + Duration::hours(3),
                in_trash: false,
                properties: props,
                ..PageState::new("", created)
            });
        }
        board.add_data_source(DEMO_DATABASE_ID, bugs);
        board.normalize().expect("demo board is valid");
        board
    }

    /// A generated board (see [`GeneratedBoard`]); cheap for 100,000 tasks.
    pub fn generated(spec: &GeneratedBoard) -> Board {
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let n = spec.tasks;
        let overdue = ((n as f64) * spec.overdue_fraction.clamp(0.0, 1.0)).round() as usize;
        let mut flags = vec![false; n];
        for f in flags.iter_mut().take(overdue) {
            *f = true;
        }
        rng.shuffle(&mut flags);

        let mut statuses: Vec<&str> = Vec::new();
        statuses.extend(spec.open_statuses.iter().map(String::as_str));
        statuses.extend(spec.other_statuses.iter().map(String::as_str));
        if !statuses.contains(&spec.late_status.as_str()) {
            statuses.push(&spec.late_status);
        }
        let mut status_prop = PropertySchema::status(&spec.status_property, &statuses);
        status_prop.kind = spec.status_kind;
        let ds_id = spec.data_source_id();
        let mut ds = DataSource {
            id: ds_id.clone(),
            name: spec.database_title.clone(),
            shared: true,
            properties: vec![
                PropertySchema::new(&spec.title_property, PropertyKind::Title),
                status_prop,
                PropertySchema::new(&spec.date_property, PropertyKind::Date),
                PropertySchema::select("Priority", &["High", "Medium", "Low"]),
            ],
            pages: Vec::with_capacity(n),
        };
        let open = |rng: &mut fastrand::Rng| -> String {
            match spec.open_statuses.len() {
                0 => spec.late_status.clone(),
                k => spec.open_statuses[rng.usize(..k)].clone(),
            }
        };
        let base = day_at(spec.today, -400, 8);
        for (i, is_overdue) in flags.into_iter().enumerate() {
            let trashed = !is_overdue && rng.f64() < spec.trashed_fraction;
            let (status, due) = if is_overdue {
                (open(&mut rng), Some(-1 - rng.i64(0..60)))
            } else {
                let r = rng.f64();
                if r < spec.no_date_fraction {
                    (open(&mut rng), None)
                } else if r < spec.no_date_fraction + 0.35 || spec.other_statuses.is_empty() {
                    (open(&mut rng), Some(rng.i64(0..45)))
                } else if r < 0.95 {
                    let k = spec.other_statuses.len();
                    (
                        spec.other_statuses[rng.usize(..k)].clone(),
                        Some(rng.i64(-60..45)),
                    )
                } else {
                    (spec.late_status.clone(), Some(-1 - rng.i64(0..30)))
                }
            };
            let mut props = BTreeMap::new();
            props.insert(
                spec.title_property.clone(),
                PropertyValue::Text(generated_title(&mut rng, i)),
            );
            props.insert(spec.status_property.clone(), PropertyValue::Text(status));
            if let Some(d) = due {
                props.insert(
                    spec.date_property.clone(),
                    PropertyValue::day(spec.today + Duration::days(d)),
                );
            }
            props.insert(
                "Priority".to_string(),
                PropertyValue::option(["High", "Medium", "Low"][rng.usize(..3)]),
            );
            let created = base + Duration::minutes(rng.i64(0..60 * 24 * 300));
            let edited = to_minute(created + Duration::minutes(rng.i64(0..60 * 24 * 90)));
            ds.pages.push(PageState {
                id: uuid_from_bits(rng.u128(..)),
                created_time: to_minute(created),
                last_edited_time: edited,
                in_trash: trashed,
                properties: props,
                ..PageState::new("", created)
            });
        }
        let mut board = Board {
            databases: vec![Database {
                id: spec.database_id(),
                title: spec.database_title.clone(),
                shared: true,
                data_sources: vec![ds],
            }],
            today: None,
        };
        if let Err(e) = board.normalize() {
            panic!("generated board is invalid (check the spec's names): {e}");
        }
        board
    }
}

fn day_at(today: NaiveDate, days: i64, hour: u32) -> DateTime<Utc> {
    (today + Duration::days(days))
        .and_hms_opt(hour, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

fn demo_schema() -> Vec<PropertySchema> {
    vec![
        PropertySchema::new("Name", PropertyKind::Title),
        PropertySchema::status("Status", &["To Do", "In Progress", "Done", "Overdue"])
            .with_id(DEMO_STATUS_PROPERTY_ID),
        PropertySchema::new("Due Date", PropertyKind::Date).with_id(DEMO_DATE_PROPERTY_ID),
        PropertySchema::new("Assignee", PropertyKind::RichText).with_id("%3BxQm"),
        PropertySchema::select("Priority", &["High", "Medium", "Low"]).with_id("Wv%40t"),
    ]
}

fn demo_tasks_source(today: NaiveDate) -> DataSource {
    let mut schema = demo_schema();
    // Overdue belongs with the open states in the To-do group, as teams set it up
    schema[1].groups = vec![
        StatusGroup {
            name: "To-do".into(),
            id: String::new(),
            color: "gray".into(),
            options: vec!["To Do".into(), "Overdue".into()],
        },
        StatusGroup {
            name: "In progress".into(),
            id: String::new(),
            color: "blue".into(),
            options: vec!["In Progress".into()],
        },
        StatusGroup {
            name: "Complete".into(),
            id: String::new(),
            color: "green".into(),
            options: vec!["Done".into()],
        },
    ];
    schema[1].options[0].color = "default".into();
    schema[1].options[3].color = "red".into();
    let mut pages = Vec::with_capacity(DEMO_TASKS.len());
    for (i, task) in DEMO_TASKS.iter().enumerate() {
        let mut props = BTreeMap::new();
        props.insert("Name".to_string(), PropertyValue::text(task.title));
        props.insert("Status".to_string(), PropertyValue::option(task.status));
        props.insert("Assignee".to_string(), PropertyValue::text(task.assignee));
        props.insert("Priority".to_string(), PropertyValue::option(task.priority));
        match task.due {
            Due::None => {}
            Due::Days(d) => {
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::day(today + Duration::days(d)),
                );
            }
            Due::At(d, time, offset) => {
                let day = (today + Duration::days(d)).format("%Y-%m-%d");
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::date(format!("{day}T{time}.000{offset}")),
                );
            }
        }
        let created = day_at(today, -45 + (i as i64 % 20), 9) + Duration::minutes(i as i64 * 7);
        let edited = day_at(today, -1 - (i as i64 % 6), 14) + Duration::minutes(i as i64 * 3);
        pages.push(PageState {
            id: derived_uuid(0xde40, &format!("task{i}")),
            created_time: to_minute(created),
            last_edited_time: to_minute(edited.max(created)),
            in_trash: task.trashed,
            properties: props,
            ..PageState::new("", created)
        });
    }
    DataSource {
        id: DEMO_DATA_SOURCE_ID.to_string(),
        name: "Tasks".to_string(),
        shared: true,
        properties: schema,
        pages,
    }
}

const VERBS: &[&str] = &[
    "Fix",
    "Review",
    "Update",
    "Write",
    "Refactor",
    "Investigate",
    "Migrate",
    "Document",
    "Test",
    "Deploy",
    "Design",
    "Plan",
    "Clean up",
    "Benchmark",
    "Automate",
];
const OBJECTS: &[&str] = &[
    "login flow",
    "billing service",
    "onboarding guide",
    "search index",
    "checkout page",
    "CI pipeline",
    "release notes",
    "API rate limiter",
    "settings page",
    "email templates",
    "R&D backlog",
    "<Header> component",
    "data export",
    "mobile push",
    "audit log",
];

fn generated_title(rng: &mut fastrand::Rng, i: usize) -> String {
    format!(
        "{} {} #{}",
        VERBS[rng.usize(..VERBS.len())],
        OBJECTS[rng.usize(..OBJECTS.len())],
        i + 1
    )
}

/// Recipe for [`Board::generated`].
#[derive(Clone, Debug)]
pub struct GeneratedBoard {
    /// Seed: same seed, same board (ids included).
    pub seed: u64,
    /// Number of tasks.
    pub tasks: usize,
    /// Fraction of tasks that are overdue (an open status and a due date
    /// before `today`); exactly `round(tasks * fraction)`, none trashed.
    /// No other task is both open and due before `today`.
    pub overdue_fraction: f64,
    /// Fraction of the rest that have an open status and no due date.
    pub no_date_fraction: f64,
    /// Fraction of the non-overdue tasks that are trashed.
    pub trashed_fraction: f64,
    /// The day due dates are relative to.
    pub today: NaiveDate,
    /// Database title (also the data source's name).
    pub database_title: String,
    /// Name of the title property.
    pub title_property: String,
    /// Name of the status property.
    pub status_property: String,
    /// Name of the date property.
    pub date_property: String,
    /// Type of the status property: `Status` or `Select`.
    pub status_kind: PropertyKind,
    /// Open states (the sweep's `--from`).
    pub open_statuses: Vec<String>,
    /// The late state (the sweep's `--to`); added to the options if absent.
    pub late_status: String,
    /// Other states (in progress, done…).
    pub other_statuses: Vec<String>,
}

impl Default for GeneratedBoard {
    fn default() -> Self {
        GeneratedBoard {
            seed: 1,
            tasks: 100,
            overdue_fraction: 0.3,
            no_date_fraction: 0.05,
            trashed_fraction: 0.0,
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            database_title: "Tasks".into(),
            title_property: "Name".into(),
            status_property: "Status".into(),
            date_property: "Due Date".into(),
            status_kind: PropertyKind::Status,
            open_statuses: vec!["To Do".into()],
            late_status: "Overdue".into(),
            other_statuses: vec!["In Progress".into(), "Done".into()],
        }
    }
}

impl GeneratedBoard {
    /// `tasks` tasks around `today`, other fields default.
    pub fn new(tasks: usize, today: NaiveDate) -> Self {
        GeneratedBoard {
            tasks,
            today,
            ..Default::default()
        }
    }
    /// The database id this spec produces (derived from the seed).
    pub fn database_id(&self) -> String {
        derived_uuid(self.seed, "database")
    }
    /// The data source id this spec produces (derived from the seed).
    pub fn data_source_id(&self) -> String {
        derived_uuid(self.seed, "data_source")
    }
    /// How many tasks are overdue.
    pub fn overdue_count(&self) -> usize {
        ((self.tasks as f64) * self.overdue_fraction.clamp(0.0, 1.0)).round() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn ids_parse_with_and_without_dashes() {
        let a = parse_id(DEMO_DATABASE_ID).unwrap();
        let b = parse_id(&DEMO_DATABASE_ID.replace('-', "").to_uppercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(format_id(a), DEMO_DATABASE_ID);
        assert!(parse_id("2f26ee68df304251aad48ddc420cba3").is_none());
        assert!(parse_id("2f26ee68-df304251-aad4-8ddc420cba3d").is_none());
        assert!(parse_id("zf26ee68df304251aad48ddc420cba3d").is_none());
    }

    #[test]
    fn demo_board_is_consistent() {
        let b = Board::demo(today());
        let ds = b.data_source(DEMO_DATA_SOURCE_ID).unwrap();
        assert_ne!(DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID);
        assert_eq!(ds.property("Status").unwrap().id, DEMO_STATUS_PROPERTY_ID);
        assert_eq!(ds.property("fk^Y").unwrap().name, "Status");
        assert_eq!(ds.property("title").unwrap().name, "Name");
        assert!(ds.pages.iter().any(|p| p.in_trash));
        assert!(ds
            .pages
            .iter()
            .any(|p| p.get("Name").as_text().is_some_and(|t| t.contains('&'))));
        // round trip through the JSON format
        let again = Board::from_json(&b.to_json()).unwrap();
        assert_eq!(again, b);
        let multi = Board::demo_multi_source(today());
        assert_eq!(multi.databases[0].data_sources.len(), 2);
    }

    #[test]
    fn hand_written_json_is_normalized() {
        let json = r#"{"databases":[{"id":"11111111111141118111111111111111","title":"T",
          "data_sources":[{"id":"22222222-2222-4222-8222-222222222222","name":"T","shared":false,
          "properties":[{"name":"Task","type":"title"},
                        {"name":"State","type":"select","options":[{"name":"Open"}]},
                        {"name":"Due","type":"date"},
                        {"name":"Done","type":"checkbox"}],
          "pages":[{"id":"33333333333343338333333333333333",
                    "properties":{"Task":"Hello","State":"Open","Due":"2026-11-20","Done":true}},
                   {"id":"44444444444444448444444444444444","in_trash":true,
                    "properties":{"Task":"","State":null,"Due":null}}]}]}]}"#;
        let b = Board::from_json(json).unwrap();
        let ds = &b.databases[0].data_sources[0];
        assert!(!ds.shared);
        assert_eq!(b.databases[0].id, "11111111-1111-4111-8111-111111111111");
        assert!(ds.properties[1].id.contains('%') || !ds.properties[1].id.is_empty());
        assert_eq!(
            ds.pages[0].get("Due"),
            &PropertyValue::date("2026-11-20".to_string())
        );
        assert_eq!(ds.pages[0].get("Done"), &PropertyValue::Checkbox(true));
        assert_eq!(ds.pages[1].get("State"), &PropertyValue::Empty);
        assert!(ds.pages[1].in_trash);
        let bad = json.replace("\"Due\":\"2026-11-20\"", "\"Nope\":1");
        assert!(Board::from_json(&bad).is_err());
    }

    #[test]
    fn generated_board_has_exact_overdue_count() {
        let spec = GeneratedBoard {
            tasks: 2_000,
            overdue_fraction: 0.25,
            trashed_fraction: 0.01,
            status_kind: PropertyKind::Select,
            status_property: "State".into(),
            ..GeneratedBoard::new(2_000, today())
        };
        let b = Board::generated(&spec);
        let ds = b.data_source(&spec.data_source_id()).unwrap();
        assert_eq!(ds.pages.len(), 2_000);
        let cutoff = today().and_time(NaiveTime::MIN).and_utc();
        let overdue = ds
            .pages
            .iter()
            .filter(|p| !p.in_trash)
            .filter(|p| p.get("State").as_text() == Some("To Do"))
            .filter(|p| {
                p.get("Due Date")
                    .as_date()
                    .and_then(|d| parse_date_start(&d.start))
                    .is_some_and(|d| d < cutoff)
            })
            .count();
        assert_eq!(overdue, spec.overdue_count());
        assert_eq!(Board::generated(&spec), b);
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_encode("fk^Y"), "fk%5EY");
        assert_eq!(percent_decode("fk%5EY"), "fk^Y");
        assert_eq!(percent_decode_with("Due+Date%", true), "Due Date%");
    }
}
