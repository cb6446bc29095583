//! Server-side evaluation of query filters and sorts, checked against the
//! data source's schema the way Notion checks them (400 `validation_error`
//! messages are returned as `Err(String)`).

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::{Map, Value};

use super::model::{
    fnv, parse_date_start, parse_day, DataSource, PageState, PropertyKind, PropertySchema,
    PropertyValue,
};

/// A parsed filter.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Prop {
        name: String,
        index: usize,
        cond: Cond,
    },
    Timestamp {
        created: bool,
        cond: DateCond,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Option(OptCond),
    Date(DateCond),
    Text(TextCond),
    Checkbox { equals: bool },
    Number(NumCond),
}

#[derive(Debug, Clone)]
pub(crate) enum OptCond {
    /// Name, and its option index in the schema (None: no such option).
    Equals(String, Option<u32>),
    NotEquals(String, Option<u32>),
    IsEmpty,
    IsNotEmpty,
}

#[derive(Debug, Clone, Copy)]
enum DateOp {
    Before,
    After,
    OnOrBefore,
    OnOrAfter,
    Equals,
    IsEmpty,
    IsNotEmpty,
    /// A relative filter (`past_week`, …): `lo..hi` is its span of days.
    Within,
}

/// The days (both included) a relative date filter covers, counted from
/// `today` in UTC: `past_week` is the 7 days before today and today,
/// `next_month` today and the month after, `this_week` Monday to Sunday.
fn relative_span(op: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    use chrono::{Datelike, Days, Months};
    let span = match op {
        "past_week" => (today.checked_sub_days(Days::new(7))?, today),
        "next_week" => (today, today.checked_add_days(Days::new(7))?),
        "past_month" => (today.checked_sub_months(Months::new(1))?, today),
        "next_month" => (today, today.checked_add_months(Months::new(1))?),
        "past_year" => (today.checked_sub_months(Months::new(12))?, today),
        "next_year" => (today, today.checked_add_months(Months::new(12))?),
        "this_week" => {
            let monday = today
                .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?;
            (monday, monday.checked_add_days(Days::new(6))?)
        }
        _ => return None,
    };
    Some(span)
}

/// A date condition: `lo..hi` (Unix milliseconds) is the filter value as a
/// span: a whole UTC day for a date-only value, one instant for a datetime.
#[derive(Debug, Clone)]
pub(crate) struct DateCond {
    op: DateOp,
    lo: i64,
    hi: i64,
}

/// What a filter needs to know of one cell, precomputed per page so that a
/// query over 100,000 rows does not chase strings (see `State` in api.rs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fact {
    Empty,
    /// Index of the option in the schema.
    Opt(u32),
    /// Start of the date, Unix milliseconds.
    Date(i64),
    /// Anything else: evaluate from the page itself.
    Other,
}

/// The fact of one cell.
pub(crate) fn fact(schema: &PropertySchema, v: &PropertyValue) -> Fact {
    match schema.kind {
        PropertyKind::Status | PropertyKind::Select => match v.as_text() {
            None | Some("") => Fact::Empty,
            Some(name) => schema
                .options
                .iter()
                .position(|o| o.name == name)
                .map_or(Fact::Other, |i| Fact::Opt(i as u32)),
        },
        PropertyKind::Date => {
            page_date(v).map_or(Fact::Empty, |t| Fact::Date(t.timestamp_millis()))
        }
        _ => Fact::Other,
    }
}

/// Appends the facts of a page, one per schema property, in schema order.
pub(crate) fn facts_of(ds: &DataSource, page: &PageState, out: &mut Vec<Fact>) {
    out.extend(ds.properties.iter().map(|p| fact(p, page.get(&p.name))));
}

#[derive(Debug, Clone)]
pub(crate) enum TextCond {
    Equals(String),
    NotEquals(String),
    Contains(String),
    NotContains(String),
    StartsWith(String),
    EndsWith(String),
    IsEmpty,
    IsNotEmpty,
}

#[derive(Debug, Clone)]
pub(crate) enum NumCond {
    Equals(f64),
    NotEquals(f64),
    Greater(f64),
    Less(f64),
    GreaterEq(f64),
    LessEq(f64),
    IsEmpty,
    IsNotEmpty,
}

fn invalid(path: &str, what: &str, v: &Value) -> String {
    format!("body failed validation: {path} should be {what}, instead was `{v}`.")
}

/// Parses `body.filter` against the schema.
/// Parses `body.filter` against the schema; relative date filters
/// (`past_week`, …) count from `today`.
pub(crate) fn parse_filter(v: &Value, ds: &DataSource, today: NaiveDate) -> Result<Filter, String> {
    parse(v, ds, 0, "body.filter", today)
}

fn parse(
    v: &Value,
    ds: &DataSource,
    depth: usize,
    path: &str,
    today: NaiveDate,
) -> Result<Filter, String> {
    let obj = v.as_object().ok_or_else(|| invalid(path, "an object", v))?;
    for (key, is_and) in [("and", true), ("or", false)] {
        let Some(list) = obj.get(key) else { continue };
        // compound filters nest at most two levels: and → or → property
        if depth >= 2 {
            return Err(format!(
                "body failed validation: {path}.{key} should be not present: compound filters can only be nested two levels deep."
            ));
        }
        if obj.len() != 1 {
            return Err(format!(
                "body failed validation: {path} should have only one of `and`, `or`, or a property filter."
            ));
        }
        let arr = list
            .as_array()
            .ok_or_else(|| invalid(&format!("{path}.{key}"), "an array", list))?;
        let items = arr
            .iter()
            .enumerate()
            .map(|(i, f)| parse(f, ds, depth + 1, &format!("{path}.{key}[{i}]"), today))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if is_and {
            Filter::And(items)
        } else {
            Filter::Or(items)
        });
    }
    if let Some(ts) = obj.get("timestamp") {
        let created = match ts.as_str() {
            Some("created_time") => true,
            Some("last_edited_time") => false,
            _ => {
                return Err(invalid(
                    &format!("{path}.timestamp"),
                    "`\"created_time\"` or `\"last_edited_time\"`",
                    ts,
                ))
            }
        };
        let key = if created {
            "created_time"
        } else {
            "last_edited_time"
        };
        let body = obj
            .get(key)
            .ok_or_else(|| format!("body failed validation: {path}.{key} should be defined."))?;
        let cond = parse_date_cond(body, &format!("{path}.{key}"), today)?;
        return Ok(Filter::Timestamp { created, cond });
    }
    let Some(prop_v) = obj.get("property") else {
        return Err(format!(
            "body failed validation: {path} should be defined as a property filter, `and`, `or`, or a timestamp filter."
        ));
    };
    let prop = prop_v
        .as_str()
        .ok_or_else(|| invalid(&format!("{path}.property"), "a string", prop_v))?;
    let schema = ds
        .property(prop)
        .ok_or_else(|| format!("Could not find property with name or id: {prop}"))?;
    let keys: Vec<&String> = obj
        .keys()
        .filter(|k| k.as_str() != "property" && k.as_str() != "type")
        .collect();
    let [key] = keys.as_slice() else {
        return Err(format!(
            "body failed validation: {path} should have exactly one filter type (e.g. `{}`).",
            schema.kind.as_str()
        ));
    };
    if key.as_str() != schema.kind.as_str() {
        return Err(format!(
            "database property {} does not match filter {key}",
            schema.kind.as_str()
        ));
    }
    let body = &obj[key.as_str()];
    let cpath = format!("{path}.{key}");
    let cond = match schema.kind {
        PropertyKind::Status | PropertyKind::Select => {
            Cond::Option(parse_opt_cond(body, &cpath, schema)?)
        }
        PropertyKind::Date => Cond::Date(parse_date_cond(body, &cpath, today)?),
        PropertyKind::Title | PropertyKind::RichText => Cond::Text(parse_text_cond(body, &cpath)?),
        PropertyKind::Checkbox => {
            let (op, val) = single(body, &cpath, &["equals", "does_not_equal"])?;
            let b = val
                .as_bool()
                .ok_or_else(|| invalid(&format!("{cpath}.{op}"), "a boolean", val))?;
            Cond::Checkbox {
                equals: if op == "equals" { b } else { !b },
            }
        }
        PropertyKind::Number => Cond::Number(parse_num_cond(body, &cpath)?),
    };
    Ok(Filter::Prop {
        name: schema.name.clone(),
        index: ds.property_index(prop).unwrap_or(0),
        cond,
    })
}

/// The one condition of a condition object, checked against allowed names.
fn single<'a>(
    body: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<(&'a str, &'a Value), String> {
    let obj: &Map<String, Value> = body
        .as_object()
        .ok_or_else(|| invalid(path, "an object", body))?;
    if obj.len() != 1 {
        return Err(format!(
            "body failed validation: {path} should have exactly one of: {}.",
            allowed.join(", ")
        ));
    }
    let (k, v) = obj.iter().next().expect("one entry");
    if !allowed.contains(&k.as_str()) {
        return Err(format!(
            "body failed validation: {path}.{k} should be not present; expected one of: {}.",
            allowed.join(", ")
        ));
    }
    Ok((k.as_str(), v))
}

fn want_true(v: &Value, path: &str) -> Result<(), String> {
    if v == &Value::Bool(true) {
        Ok(())
    } else {
        Err(invalid(path, "`true`", v))
    }
}

fn want_str(v: &Value, path: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| invalid(path, "a string", v))
}

fn parse_opt_cond(body: &Value, path: &str, schema: &PropertySchema) -> Result<OptCond, String> {
    let idx = |name: &str| {
        schema
            .options
            .iter()
            .position(|o| o.name == name)
            .map(|i| i as u32)
    };
    let (op, v) = single(
        body,
        path,
        &["equals", "does_not_equal", "is_empty", "is_not_empty"],
    )?;
    let p = format!("{path}.{op}");
    Ok(match op {
        "equals" => {
            let name = want_str(v, &p)?;
            let i = idx(&name);
            OptCond::Equals(name, i)
        }
        "does_not_equal" => {
            let name = want_str(v, &p)?;
            let i = idx(&name);
            OptCond::NotEquals(name, i)
        }
        "is_empty" => want_true(v, &p).map(|_| OptCond::IsEmpty)?,
        _ => want_true(v, &p).map(|_| OptCond::IsNotEmpty)?,
    })
}

fn parse_text_cond(body: &Value, path: &str) -> Result<TextCond, String> {
    let (op, v) = single(
        body,
        path,
        &[
            "equals",
            "does_not_equal",
            "contains",
            "does_not_contain",
            "starts_with",
            "ends_with",
            "is_empty",
            "is_not_empty",
        ],
    )?;
    let p = format!("{path}.{op}");
    Ok(match op {
        "equals" => TextCond::Equals(want_str(v, &p)?),
        "does_not_equal" => TextCond::NotEquals(want_str(v, &p)?),
        "contains" => TextCond::Contains(want_str(v, &p)?.to_lowercase()),
        "does_not_contain" => TextCond::NotContains(want_str(v, &p)?.to_lowercase()),
        "starts_with" => TextCond::StartsWith(want_str(v, &p)?),
        "ends_with" => TextCond::EndsWith(want_str(v, &p)?),
        "is_empty" => want_true(v, &p).map(|_| TextCond::IsEmpty)?,
        _ => want_true(v, &p).map(|_| TextCond::IsNotEmpty)?,
    })
}

fn parse_num_cond(body: &Value, path: &str) -> Result<NumCond, String> {
    let (op, v) = single(
        body,
        path,
        &[
            "equals",
            "does_not_equal",
            "greater_than",
            "less_than",
            "greater_than_or_equal_to",
            "less_than_or_equal_to",
            "is_empty",
            "is_not_empty",
        ],
    )?;
    let p = format!("{path}.{op}");
    let num = || v.as_f64().ok_or_else(|| invalid(&p, "a number", v));
    Ok(match op {
        "equals" => NumCond::Equals(num()?),
        "does_not_equal" => NumCond::NotEquals(num()?),
        "greater_than" => NumCond::Greater(num()?),
        "less_than" => NumCond::Less(num()?),
        "greater_than_or_equal_to" => NumCond::GreaterEq(num()?),
        "less_than_or_equal_to" => NumCond::LessEq(num()?),
        "is_empty" => want_true(v, &p).map(|_| NumCond::IsEmpty)?,
        _ => want_true(v, &p).map(|_| NumCond::IsNotEmpty)?,
    })
}

fn parse_date_cond(body: &Value, path: &str, today: NaiveDate) -> Result<DateCond, String> {
    let (op, v) = single(
        body,
        path,
        &[
            "before",
            "after",
            "on_or_before",
            "on_or_after",
            "equals",
            "is_empty",
            "is_not_empty",
            "past_week",
            "past_month",
            "past_year",
            "next_week",
            "next_month",
            "next_year",
            "this_week",
        ],
    )?;
    let p = format!("{path}.{op}");
    if let Some((from, to)) = relative_span(op, today) {
        if !v.as_object().is_some_and(Map::is_empty) {
            return Err(invalid(&p, "an empty object (`{}`)", v));
        }
        let ms = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp_millis();
        return Ok(DateCond {
            op: DateOp::Within,
            lo: ms(from),
            hi: ms(to) + 86_400_000,
        });
    }
    let op = match op {
        "before" => DateOp::Before,
        "after" => DateOp::After,
        "on_or_before" => DateOp::OnOrBefore,
        "on_or_after" => DateOp::OnOrAfter,
        "equals" => DateOp::Equals,
        "is_empty" => {
            want_true(v, &p)?;
            return Ok(DateCond {
                op: DateOp::IsEmpty,
                lo: 0,
                hi: 0,
            });
        }
        _ => {
            want_true(v, &p)?;
            return Ok(DateCond {
                op: DateOp::IsNotEmpty,
                lo: 0,
                hi: 0,
            });
        }
    };
    let s = v
        .as_str()
        .ok_or_else(|| invalid(&p, "a valid ISO 8601 date string", v))?;
    let (lo, hi) = filter_span(s).ok_or_else(|| invalid(&p, "a valid ISO 8601 date string", v))?;
    Ok(DateCond { op, lo, hi })
}

/// A date-only filter value without a time zone is the whole UTC day; a
/// datetime is one instant (`hi` one millisecond later, so the same
/// comparisons serve both; Notion times have millisecond precision).
///
/// Recorded truth (docs/sandbox.md, "Date-only against datetime"): Notion
/// says a date without a time zone is taken as UTC, and leaves open how a
/// datetime value compares with a date-only filter. The sandbox takes the
/// harder reading for a client: a page's datetime is compared by its UTC
/// instant against the filter's UTC day, so `before: "2026-11-22"` misses a
/// task due 2026-11-21 22:30 in Los Angeles (06:30 UTC on the 22nd) and
/// catches one due 2026-11-22 07:00 in Tokyo (22:00 UTC on the 21st). A
/// client that wants calendar days in its own zone must widen the server
/// filter and decide each row itself. A date range counts by its start;
/// `time_zone` is echoed but not used (a datetime without offset is UTC).
fn filter_span(s: &str) -> Option<(i64, i64)> {
    if let Some(d) = parse_day(s) {
        let lo = d.and_time(NaiveTime::MIN).and_utc().timestamp_millis();
        return Some((lo, lo + 86_400_000));
    }
    let t = parse_date_start(s)?.timestamp_millis();
    Some((t, t + 1))
}

impl DateCond {
    /// Compares the page date's start (a date-only page value is UTC
    /// midnight of its day). Empty dates match only `is_empty`.
    fn eval(&self, start: Option<i64>) -> bool {
        match (self.op, start) {
            (DateOp::IsEmpty, s) => s.is_none(),
            (DateOp::IsNotEmpty, s) => s.is_some(),
            (_, None) => false,
            (DateOp::Before, Some(p)) => p < self.lo,
            (DateOp::After, Some(p)) => p >= self.hi,
            (DateOp::OnOrBefore, Some(p)) => p < self.hi,
            (DateOp::OnOrAfter, Some(p)) => p >= self.lo,
            (DateOp::Equals | DateOp::Within, Some(p)) => self.lo <= p && p < self.hi,
        }
    }
}

fn page_date(v: &PropertyValue) -> Option<DateTime<Utc>> {
    match v {
        PropertyValue::Date(d) => parse_date_start(&d.start),
        PropertyValue::Text(s) => parse_date_start(s),
        _ => None,
    }
}

impl Filter {
    /// Does the page match? `facts` are the page's [`Fact`]s in schema order.
    pub(crate) fn matches(&self, page: &PageState, facts: &[Fact]) -> bool {
        match self {
            Filter::And(fs) => fs.iter().all(|f| f.matches(page, facts)),
            Filter::Or(fs) => fs.iter().any(|f| f.matches(page, facts)),
            Filter::Timestamp { created, cond } => cond.eval(Some(
                if *created {
                    page.created_time
                } else {
                    page.last_edited_time
                }
                .timestamp_millis(),
            )),
            Filter::Prop { name, index, cond } => {
                let fact = facts.get(*index).copied().unwrap_or(Fact::Other);
                match (cond, fact) {
                    (Cond::Option(c), Fact::Opt(i)) => match c {
                        OptCond::Equals(_, x) => *x == Some(i),
                        OptCond::NotEquals(_, x) => *x != Some(i),
                        OptCond::IsEmpty => false,
                        OptCond::IsNotEmpty => true,
                    },
                    (Cond::Option(c), Fact::Empty) => {
                        matches!(c, OptCond::IsEmpty | OptCond::NotEquals(..))
                    }
                    (Cond::Date(c), Fact::Date(ms)) => c.eval(Some(ms)),
                    (Cond::Date(c), Fact::Empty) => c.eval(None),
                    _ => Self::slow(cond, page.get(name)),
                }
            }
        }
    }

    /// Evaluates a condition from the value itself.
    fn slow(cond: &Cond, v: &PropertyValue) -> bool {
        match cond {
            Cond::Option(c) => {
                let name = v.as_text().filter(|s| !s.is_empty());
                match c {
                    OptCond::Equals(x, _) => name == Some(x.as_str()),
                    OptCond::NotEquals(x, _) => name != Some(x.as_str()),
                    OptCond::IsEmpty => name.is_none(),
                    OptCond::IsNotEmpty => name.is_some(),
                }
            }
            Cond::Date(c) => c.eval(page_date(v).map(|t| t.timestamp_millis())),
            Cond::Text(c) => {
                let s = v.as_text().unwrap_or("");
                match c {
                    TextCond::Equals(x) => s == x,
                    TextCond::NotEquals(x) => s != x,
                    TextCond::Contains(x) => s.to_lowercase().contains(x.as_str()),
                    TextCond::NotContains(x) => !s.to_lowercase().contains(x.as_str()),
                    TextCond::StartsWith(x) => s.starts_with(x.as_str()),
                    TextCond::EndsWith(x) => s.ends_with(x.as_str()),
                    TextCond::IsEmpty => s.is_empty(),
                    TextCond::IsNotEmpty => !s.is_empty(),
                }
            }
            Cond::Checkbox { equals } => matches!(v, PropertyValue::Checkbox(true)) == *equals,
            Cond::Number(c) => {
                let n = match v {
                    PropertyValue::Number(n) => Some(*n),
                    _ => None,
                };
                match (c, n) {
                    (NumCond::IsEmpty, n) => n.is_none(),
                    (NumCond::IsNotEmpty, n) => n.is_some(),
                    (_, None) => false,
                    (NumCond::Equals(x), Some(n)) => n == *x,
                    (NumCond::NotEquals(x), Some(n)) => n != *x,
                    (NumCond::Greater(x), Some(n)) => n > *x,
                    (NumCond::Less(x), Some(n)) => n < *x,
                    (NumCond::GreaterEq(x), Some(n)) => n >= *x,
                    (NumCond::LessEq(x), Some(n)) => n <= *x,
                }
            }
        }
    }
}

// ---------------------------------------------------------------- sorts

/// One sort criterion.
#[derive(Debug, Clone)]
pub(crate) struct Sort {
    key: SortKey,
    descending: bool,
}

#[derive(Debug, Clone)]
enum SortKey {
    /// `order`: for status and select, option names in the order Notion
    /// sorts them (the schema's order).
    Prop {
        name: String,
        kind: PropertyKind,
        order: Vec<String>,
    },
    Created,
    Edited,
}

/// Parses `body.sorts` against the schema.
pub(crate) fn parse_sorts(v: &Value, ds: &DataSource) -> Result<Vec<Sort>, String> {
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
                order: option_order(schema),
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

#[cfg(test)]
mod tests {
    use super::super::model::{Board, DEMO_DATA_SOURCE_ID};
    use super::*;
    use serde_json::json;

    fn pf(v: &Value, ds: &DataSource) -> Result<Filter, String> {
        parse_filter(v, ds, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    }

    fn demo() -> Board {
        Board::demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    }

    /// Evaluates with facts, and checks the slow path agrees.
    fn m(f: &Filter, ds: &DataSource, page: &PageState) -> bool {
        let mut facts = Vec::new();
        facts_of(ds, page, &mut facts);
        let fast = f.matches(page, &facts);
        assert_eq!(fast, f.matches(page, &[]), "fast and slow paths differ");
        fast
    }

    impl Filter {
        fn on(&self, page: &PageState) -> bool {
            let b = demo();
            m(self, &b.databases[0].data_sources[0], page)
        }
    }

    fn ranks(seed: u64, ds: &DataSource) -> Vec<u64> {
        ds.pages.iter().map(|p| default_rank(seed, p)).collect()
    }

    fn titles(ds: &DataSource, f: &Value) -> Vec<String> {
        let f = pf(f, ds).unwrap();
        ds.pages
            .iter()
            .filter(|p| !p.in_trash && m(&f, ds, p))
            .map(|p| p.get("Name").as_text().unwrap().to_string())
            .collect()
    }

    fn page(due: &str) -> PageState {
        let mut p = demo().databases[0].data_sources[0].pages[0].clone();
        p.properties
            .insert("Due Date".into(), PropertyValue::date(due.to_string()));
        p
    }

    fn date_filter(op: &str, v: &str) -> Filter {
        let b = demo();
        pf(
            &json!({"property": "Due Date", "date": {op: v}}),
            &b.databases[0].data_sources[0],
        )
        .unwrap()
    }

    #[test]
    fn and_or_filter_finds_overdue_open_tasks() {
        let b = demo();
        let ds = b.data_source(DEMO_DATA_SOURCE_ID).unwrap();
        let f = json!({"and": [
            {"or": [
                {"property": "Status", "status": {"equals": "To Do"}},
                {"property": "fk%5EY", "status": {"equals": "Backlog"}}
            ]},
            {"property": "Due Date", "date": {"before": "2026-11-22"}}
        ]});
        let got = titles(ds, &f);
        assert!(got.contains(&"Fix login bug".to_string()));
        assert!(got.contains(&"Review PR #482: retry & backoff".to_string()));
        // east-of-UTC morning datetime falls on the previous UTC day: matches
        assert!(got.contains(&"Send invoice to Globex".to_string()));
        // west-of-UTC evening datetime is today in UTC: does not match
        assert!(!got.contains(&"Deploy hotfix to EU region".to_string()));
        assert!(!got.contains(&"Plan team offsite".to_string()));
        assert!(!got.contains(&"Clean up feature flags".to_string()));
        assert!(!got.contains(&"Write onboarding guide".to_string()));
        assert_eq!(got.len(), 12, "{got:?}");
    }

    #[test]
    fn date_only_filter_is_utc_day() {
        // 2026-11-21 22:30 at -08:00 is 2026-11-22 06:30 UTC
        let p = page("2026-11-21T22:30:00.000-08:00");
        assert!(!date_filter("before", "2026-11-22").on(&p));
        assert!(date_filter("equals", "2026-11-22").on(&p));
        assert!(date_filter("on_or_before", "2026-11-22").on(&p));
        assert!(date_filter("on_or_after", "2026-11-22").on(&p));
        assert!(!date_filter("after", "2026-11-22").on(&p));
        assert!(date_filter("after", "2026-11-21").on(&p));
        assert!(date_filter("before", "2026-11-23").on(&p));
        // a datetime filter value compares instants
        assert!(date_filter("after", "2026-11-22T06:00:00Z").on(&p));
        assert!(date_filter("before", "2026-11-22T07:00:00+00:00").on(&p));
        // date-only page values
        let d = page("2026-11-21");
        assert!(date_filter("before", "2026-11-22").on(&d));
        assert!(!date_filter("before", "2026-11-21").on(&d));
        assert!(date_filter("on_or_before", "2026-11-21").on(&d));
        assert!(date_filter("equals", "2026-11-21").on(&d));
        assert!(!date_filter("after", "2026-11-21").on(&d));
        // empty dates match nothing but is_empty
        let mut e = d.clone();
        e.properties.remove("Due Date");
        assert!(!date_filter("before", "2030-01-01").on(&e));
        assert!(!date_filter("after", "2000-01-01").on(&e));
        let b = demo();
        let ds = &b.databases[0].data_sources[0];
        let is_empty = pf(&json!({"property":"Due Date","date":{"is_empty":true}}), ds).unwrap();
        assert!(is_empty.on(&e));
        assert!(!is_empty.on(&d));
    }

    #[test]
    fn filter_errors() {
        let b = demo();
        let ds = &b.databases[0].data_sources[0];
        let e = pf(
            &json!({"property":"Status","select":{"equals":"To Do"}}),
            ds,
        )
        .unwrap_err();
        assert!(e.contains("does not match filter select"), "{e}");
        let e = pf(&json!({"property":"status","status":{"equals":"x"}}), ds).unwrap_err();
        assert_eq!(e, "Could not find property with name or id: status");
        let e = pf(
            &json!({"and":[{"or":[{"and":[{"property":"Status","status":{"is_empty":true}}]}]}]}),
            ds,
        )
        .unwrap_err();
        assert!(e.contains("two levels"), "{e}");
        assert!(pf(
            &json!({"property":"Due Date","date":{"before":"yesterday"}}),
            ds
        )
        .is_err());
        assert!(pf(&json!({"property":"Status","status":{"contains":"To"}}), ds).is_err());
    }

    #[test]
    fn text_select_and_negation() {
        let b = demo();
        let ds = &b.databases[0].data_sources[0];
        let got = titles(ds, &json!({"property":"Name","title":{"contains":"ssl"}}));
        assert_eq!(got, vec!["Renew SSL certificate for api.example.com"]);
        let high = titles(
            ds,
            &json!({"property":"Priority","select":{"equals":"High"}}),
        );
        let not_high = titles(
            ds,
            &json!({"property":"Priority","select":{"does_not_equal":"High"}}),
        );
        let live = ds.pages.iter().filter(|p| !p.in_trash).count();
        assert_eq!(high.len() + not_high.len(), live);
    }

    #[test]
    fn sorts_put_empty_last_and_default_order_is_not_creation_order() {
        let b = demo();
        let ds = &b.databases[0].data_sources[0];
        let sorts = parse_sorts(
            &json!([{"property":"Due Date","direction":"descending"}]),
            ds,
        )
        .unwrap();
        let mut rows: Vec<usize> = (0..ds.pages.len()).collect();
        order(&ds.pages, &mut rows, &sorts, &ranks(1, ds));
        let dates: Vec<Option<DateTime<Utc>>> = rows
            .iter()
            .map(|&i| page_date(ds.pages[i].get("Due Date")))
            .collect();
        let first_none = dates.iter().position(Option::is_none).unwrap();
        assert!(dates[first_none..].iter().all(Option::is_none));
        assert!(dates[..first_none].windows(2).all(|w| w[0] >= w[1]));

        let mut unsorted: Vec<usize> = (0..ds.pages.len()).collect();
        order(&ds.pages, &mut unsorted, &[], &ranks(1, ds));
        assert_ne!(unsorted, (0..ds.pages.len()).collect::<Vec<_>>());
        let mut again: Vec<usize> = (0..ds.pages.len()).collect();
        order(&ds.pages, &mut again, &[], &ranks(1, ds));
        assert_eq!(unsorted, again);
        assert!(parse_sorts(&json!([{"property":"Nope","direction":"ascending"}]), ds).is_err());
        assert!(parse_sorts(&json!([{"timestamp":"created_time","direction":"up"}]), ds).is_err());
    }
}
