//! A query read page by page in the order of one of a page's timestamps
//! (`created_time` or `last_edited_time`), as `stale` and `digest` read
//! theirs. Past Notion's cap of rows per query, the query starts again
//! from the last timestamp read, and the rows already read at that very
//! minute are passed over by id: no board is too large, and no row is
//! given twice by one chain.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::notion::wire::{QueryBody, RequestStatusKind};
use crate::notion::{NotionClient, NotionError};

/// Rows per query page: Notion's maximum.
const PAGE_SIZE: u32 = 100;

/// One of a page's own timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Created,
    Edited,
}

impl Stamp {
    fn key(self) -> &'static str {
        match self {
            Stamp::Created => "created_time",
            Stamp::Edited => "last_edited_time",
        }
    }

    /// Notion's timestamp filter: this timestamp `op` (`before`,
    /// `on_or_after`…) `time` (an ISO 8601 datetime).
    pub(crate) fn condition(self, op: &str, time: &str) -> Value {
        let key = self.key();
        json!({ "timestamp": key, key: { op: time } })
    }
}

/// Which end of the timestamps comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Oldest,
    Newest,
}

/// Why a query could not be read to its end.
#[derive(Debug, Clone)]
pub(crate) enum PagingError {
    /// A query failed (after its retries).
    Notion(NotionError),
    /// Notion's paging went wrong: a cursor came back a second time, or
    /// `has_more` came without a cursor.
    Bad(String),
    /// More rows than one query returns share the minute named: the rest
    /// cannot be reached.
    RowCap(String),
}

/// A query under way.
pub(crate) struct Paging {
    /// The query's own conditions, all of which a row meets.
    conditions: Vec<Value>,
    stamp: Stamp,
    order: Order,
    /// The properties asked for (`filter_properties`), by id.
    properties: Vec<String>,
    /// The cursor to follow next; `None` to start from the beginning.
    cursor: Option<String>,
    /// Every cursor since the query last started, to catch one that comes back.
    cursors: HashSet<String>,
    /// Every row has been read.
    finished: bool,
    /// Past the row cap: the timestamp the query goes on from.
    floor: Option<String>,
    /// The rows already read at the floor's minute.
    at_floor: HashSet<String>,
    /// The last timestamp read since the query last started, and the rows
    /// read at it.
    last: Option<String>,
    last_ids: HashSet<String>,
}

impl Paging {
    /// A query for the rows meeting every one of `conditions` (none: every
    /// row), in the order of `stamp`, asking only for `properties`.
    pub(crate) fn new(
        conditions: Vec<Value>,
        stamp: Stamp,
        order: Order,
        properties: Vec<String>,
    ) -> Paging {
        Paging {
            conditions,
            stamp,
            order,
            properties,
            cursor: None,
            cursors: HashSet::new(),
            finished: false,
            floor: None,
            at_floor: HashSet::new(),
            last: None,
            last_ids: HashSet::new(),
        }
    }

    /// More rows may follow.
    pub(crate) fn has_more(&self) -> bool {
        !self.finished
    }

    /// Starts again from the beginning (past the row cap, from its floor):
    /// after writes that moved rows out of the results under the cursor.
    pub(crate) fn restart(&mut self) {
        self.cursor = None;
        self.cursors.clear();
        self.last = None;
        self.last_ids.clear();
        self.finished = false;
    }

    /// The filter sent: the conditions, and past the row cap the floor.
    pub(crate) fn filter(&self) -> Value {
        let mut all = self.conditions.clone();
        if let Some(floor) = &self.floor {
            let op = match self.order {
                Order::Oldest => "on_or_after",
                Order::Newest => "on_or_before",
            };
            all.push(self.stamp.condition(op, floor));
        }
        if all.is_empty() {
            Value::Null
        } else {
            json!({ "and": all })
        }
    }

    /// The rows of the next page that this chain has not given before;
    /// `None` once every row has been read.
    pub(crate) async fn next(
        &mut self,
        client: &NotionClient,
        data_source_id: &str,
    ) -> Result<Option<Vec<Value>>, PagingError> {
        if self.finished {
            return Ok(None);
        }
        let direction = match self.order {
            Order::Oldest => "ascending",
            Order::Newest => "descending",
        };
        let body = QueryBody {
            filter: self.filter(),
            sorts: vec![json!({ "timestamp": self.stamp.key(), "direction": direction })],
            start_cursor: self.cursor.take(),
            page_size: PAGE_SIZE,
        };
        let (page, _) = client
            .query(data_source_id, &body, &self.properties)
            .await
            .map_err(PagingError::Notion)?;
        let rows = page
            .results
            .into_iter()
            .filter(|row| self.is_new(row))
            .collect();
        let capped = page
            .request_status
            .as_ref()
            .is_some_and(|s| s.kind == RequestStatusKind::Incomplete);
        match (page.has_more, page.next_cursor) {
            (true, Some(next)) if self.cursors.insert(next.clone()) => self.cursor = Some(next),
            (true, Some(_)) => {
                return Err(PagingError::Bad(
                    "Notion sent the same cursor twice; the rest of the results could not be read"
                        .into(),
                ))
            }
            (true, None) => return Err(PagingError::Bad(
                "Notion said more results follow but sent no cursor; the rest could not be read"
                    .into(),
            )),
            (false, _) if capped => self.past_row_cap()?,
            (false, _) => self.finished = true,
        }
        Ok(Some(rows))
    }

    /// Notes the row's timestamp; false for a row already read at the floor.
    fn is_new(&mut self, row: &Value) -> bool {
        let id = row.get("id").and_then(Value::as_str);
        let time = row.get(self.stamp.key()).and_then(Value::as_str);
        let (Some(id), Some(time)) = (id, time) else {
            // Told apart by whoever reads it (a row without an id is passed over there).
            return true;
        };
        if self.floor.as_deref() == Some(time) && self.at_floor.contains(id) {
            return false;
        }
        if self.last.as_deref() != Some(time) {
            self.last = Some(time.to_string());
            self.last_ids.clear();
        }
        self.last_ids.insert(id.to_string());
        true
    }

    /// Past Notion's row cap: go on from the last timestamp read, unless
    /// the last query gave nothing new at that very minute.
    fn past_row_cap(&mut self) -> Result<(), PagingError> {
        let Some(last) = self.last.clone() else {
            return Err(PagingError::RowCap(self.floor.clone().unwrap_or_default()));
        };
        if self.floor.as_ref() == Some(&last) {
            let before = self.at_floor.len();
            self.at_floor.extend(self.last_ids.drain());
            if self.at_floor.len() == before {
                return Err(PagingError::RowCap(last));
            }
        } else {
            tracing::info!("Notion's row cap reached; going on from {last}");
            self.at_floor = std::mem::take(&mut self.last_ids);
            self.floor = Some(last);
        }
        self.restart();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, time: &str) -> Value {
        json!({ "object": "page", "id": id, "last_edited_time": time })
    }

    #[test]
    fn the_filter_is_the_conditions_and_past_the_row_cap_the_floor() {
        let before = Stamp::Edited.condition("before", "2026-11-15T10:00:00Z");
        assert_eq!(
            before,
            json!({ "timestamp": "last_edited_time", "last_edited_time": { "before": "2026-11-15T10:00:00Z" } })
        );
        let mut paging = Paging::new(vec![before.clone()], Stamp::Edited, Order::Oldest, vec![]);
        assert_eq!(paging.filter(), json!({ "and": [before] }));
        let everything = Paging::new(vec![], Stamp::Created, Order::Oldest, vec![]);
        assert_eq!(everything.filter(), Value::Null, "no filter: every row");
        for (id, time) in [("a", "T1"), ("b", "T2"), ("c", "T2")] {
            assert!(paging.is_new(&row(id, time)));
        }
        paging.past_row_cap().unwrap();
        assert_eq!(
            paging.filter()["and"][1],
            json!({ "timestamp": "last_edited_time", "last_edited_time": { "on_or_after": "T2" } })
        );
        // The rows read at the floor's minute are passed over; others are not.
        assert!(!paging.is_new(&row("b", "T2")));
        assert!(!paging.is_new(&row("c", "T2")));
        assert!(paging.is_new(&row("d", "T2")));
        assert!(paging.is_new(&row("e", "T3")));
    }

    #[test]
    fn a_minute_with_more_rows_than_a_query_returns_ends_the_chain() {
        let mut paging = Paging::new(vec![], Stamp::Edited, Order::Newest, vec![]);
        assert!(paging.is_new(&row("a", "T9")));
        paging.past_row_cap().unwrap();
        assert_eq!(
            paging.filter()["and"][0]["last_edited_time"]["on_or_before"],
            "T9"
        );
        // The next query gives one new row at the same minute: go on.
        assert!(!paging.is_new(&row("a", "T9")));
        assert!(paging.is_new(&row("b", "T9")));
        paging.past_row_cap().unwrap();
        // Then nothing new at that minute: the rest cannot be reached.
        assert!(!paging.is_new(&row("a", "T9")));
        assert!(!paging.is_new(&row("b", "T9")));
        assert!(matches!(paging.past_row_cap(), Err(PagingError::RowCap(t)) if t == "T9"));
    }
}
