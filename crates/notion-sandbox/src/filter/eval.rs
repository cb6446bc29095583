//! A parsed filter and how it matches a page: from facts precomputed per
//! page (option indexes, date instants) where it can, from the value itself
//! where it must.

use chrono::{DateTime, Utc};

use crate::model::{
    parse_date_start, DataSource, PageState, PropertyKind, PropertySchema, PropertyValue,
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
    Checkbox {
        equals: bool,
    },
    Number(NumCond),
    /// A multi_select (option names) or people (user ids) condition.
    List(ListCond),
}

/// A condition on a list of values: a multi_select's option names, or a
/// people value's user ids (dashed lowercase).
#[derive(Debug, Clone)]
pub(crate) enum ListCond {
    Contains(String),
    NotContains(String),
    IsEmpty,
    IsNotEmpty,
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
pub(crate) enum DateOp {
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

/// A date condition: `lo..hi` (Unix milliseconds) is the filter value as a
/// span: a whole UTC day for a date-only value, one instant for a datetime.
#[derive(Debug, Clone)]
pub(crate) struct DateCond {
    pub(crate) op: DateOp,
    pub(crate) lo: i64,
    pub(crate) hi: i64,
}

/// What a filter needs to know of one cell, precomputed per page so that a
/// query over 100,000 rows does not chase strings (see `State` in workspace.rs).
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

/// The start of a date value as an instant (a date-only value is UTC
/// midnight of its day).
pub(crate) fn page_date(v: &PropertyValue) -> Option<DateTime<Utc>> {
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
            Cond::List(c) => {
                let items = match v {
                    PropertyValue::Options(x) | PropertyValue::People(x) => x.as_slice(),
                    _ => &[],
                };
                match c {
                    ListCond::Contains(x) => items.contains(x),
                    ListCond::NotContains(x) => !items.contains(x),
                    ListCond::IsEmpty => items.is_empty(),
                    ListCond::IsNotEmpty => !items.is_empty(),
                }
            }
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
