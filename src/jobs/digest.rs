//! `digest`: the standup summary of a board. The tasks per status option,
//! in the schema's order with zeros, counted by paging through the whole
//! data source asking only for the status, one chain of queries per option
//! side by side (counts are kept, never rows);
//! then the tasks edited in the last `--since` hours, the newest first.
//! Writes nothing. What it found is a [`Run`] of [`Digest`].

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use super::board::Board;
use super::paging::{Order, Paging, PagingError, Stamp};
use super::resolve::notion_setup_message;
use super::rule::{Columns, StatusKind};
use super::run::{self, Opened, Run};
use super::summary::{RunError, RunErrorKind};
use super::sweep::rows::{read_row, Row};
use super::sweep::stopped;
use super::task::{self, Task};
use crate::guards::scrub::escape_control;
use crate::guards::stop::{Stop, StopReason};
use crate::notion::{NotionClient, NotionError};

/// Tasks per status option, in the schema's order, zeros included; a
/// status the schema does not list (renamed mid-run) comes after them.
/// Shown to machines as an object in that order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts(Vec<(String, usize)>);

impl Counts {
    /// A zero for every option.
    fn of(options: &[String]) -> Counts {
        Counts(options.iter().map(|o| (o.clone(), 0)).collect())
    }

    /// One more task in `status`.
    #[cfg(test)]
    fn add(&mut self, status: &str) {
        self.add_n(status, 1);
    }

    /// `rows` more tasks in `status`.
    fn add_n(&mut self, status: &str, rows: usize) {
        match self.0.iter_mut().find(|(name, _)| name == status) {
            Some((_, n)) => *n += rows,
            None => self.0.push((status.to_string(), rows)),
        }
    }

    /// Each status and its count, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.0.iter().map(|(name, n)| (name.as_str(), *n))
    }

    /// Where `status` stands in the order; statuses the counts do not know last.
    fn rank(&self, status: Option<&str>) -> usize {
        status
            .and_then(|s| self.0.iter().position(|(name, _)| name == s))
            .unwrap_or(self.0.len())
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, n) in &self.0 {
            map.serialize_entry(name, n)?;
        }
        map.end()
    }
}

/// What `digest` found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Digest {
    /// Tasks per status option.
    pub(crate) counts: Counts,
    /// Tasks without a status (an empty select).
    pub(crate) no_status: usize,
    /// Every task counted.
    pub(crate) total: usize,
    /// Tasks edited since this instant are listed.
    pub(crate) since: DateTime<Utc>,
    /// `--since`: that many hours before the run.
    pub(crate) since_hours: u32,
    /// The tasks edited since, by status in the order of `counts`, the
    /// most recently edited first.
    pub(crate) edited: Vec<Task>,
}

impl Digest {
    /// The tasks edited since, in the status `status`, in order.
    pub(crate) fn edited_in<'a>(
        &'a self,
        status: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Task> {
        self.edited
            .iter()
            .filter(move |t| t.status.as_deref() == status)
    }

    /// The statuses of the edited tasks, in the order of `counts`, each once.
    pub(crate) fn edited_statuses(&self) -> Vec<Option<&str>> {
        let mut statuses: Vec<Option<&str>> = Vec::new();
        for task in &self.edited {
            if !statuses.contains(&task.status.as_deref()) {
                statuses.push(task.status.as_deref());
            }
        }
        statuses
    }
}

/// The digest of one board. Never fails as a whole: what went wrong is in
/// the run.
pub(crate) async fn digest(board: &Board, stop: &Stop) -> Run<Digest> {
    let since_hours = board.digest.since_hours;
    // To the second, as the filter sends it.
    let since = Utc::now().trunc_subsecs(0) - Duration::hours(since_hours.into());
    let mut run = Run::new(
        board,
        Digest {
            counts: Counts::default(),
            no_status: 0,
            total: 0,
            since,
            since_hours,
            edited: Vec::new(),
        },
    );
    let Some(opened) = run::open(&mut run, board, stop, "the digest", &[]).await else {
        return run;
    };
    run.started = true;
    run.found.counts = Counts::of(&opened.columns.options);
    let halt = match count(&opened, &mut run.found, stop).await {
        Ok(()) => edited(&opened, &mut run.found, stop).await.err(),
        Err(halt) => Some(halt),
    };
    let token = opened.client.token_source();
    run.error = halt.map(|halt| halted(halt, token));
    run.requests = opened.client.counts();
    run
}

/// Why a digest stopped before it had read everything.
enum Halt {
    Stopped(StopReason),
    Paging(&'static str, PagingError),
}

/// Counts every task by its status: one chain of queries per status option
/// (and, for a select, one for tasks without a status), all under way at
/// once through the one limiter, each asking only for the status and
/// holding a count, not rows. A chain is sequential (each page waits for
/// the cursor of the one before), so the chains side by side keep the
/// limiter busy when Notion answers slower than the rate allows. Costs
/// one query per hundred tasks of each status, one for a status without
/// any.
async fn count(opened: &Opened, digest: &mut Digest, stop: &Stop) -> Result<(), Halt> {
    let columns = &opened.columns;
    let key = columns.status_kind.key();
    let mut conditions: Vec<(Option<String>, Value)> = columns
        .options
        .iter()
        .map(|name| {
            let condition = json!({ "property": columns.status.id, key: { "equals": name } });
            (Some(name.clone()), condition)
        })
        .collect();
    if columns.status_kind == StatusKind::Select {
        let condition = json!({ "property": columns.status.id, key: { "is_empty": true } });
        conditions.push((None, condition));
    }
    let mut chains = JoinSet::new();
    for (slot, (_, condition)) in conditions.iter().enumerate() {
        let (client, source, stop) = (
            opened.client.clone(),
            opened.data_source_id.clone(),
            stop.clone(),
        );
        let mut paging = Paging::new(
            vec![condition.clone()],
            Stamp::Created,
            Order::Oldest,
            vec![columns.status.id.clone()],
        );
        chains.spawn(async move {
            let mut rows = 0;
            while let Some(page) =
                next(&mut paging, &client, &source, &stop, "count the tasks").await?
            {
                rows += page
                    .into_iter()
                    .map(read_row)
                    .filter(|row| !matches!(row, Row::Ignored))
                    .count();
            }
            Ok::<_, Halt>((slot, rows))
        });
    }
    let mut halt = None;
    while let Some(joined) = chains.join_next().await {
        match joined {
            Ok(Ok((slot, rows))) => {
                digest.total += rows;
                match &conditions[slot].0 {
                    Some(status) => digest.counts.add_n(status, rows),
                    None => digest.no_status += rows,
                }
            }
            Ok(Err(error)) => {
                // The first reason is the one told; the other chains end.
                halt.get_or_insert(error);
                chains.abort_all();
            }
            Err(joined) if joined.is_cancelled() => {}
            Err(joined) => {
                halt.get_or_insert(Halt::Paging(
                    "count the tasks",
                    PagingError::Bad(format!("a counting chain ended unexpectedly: {joined}")),
                ));
                chains.abort_all();
            }
        }
    }
    halt.map_or(Ok(()), Err)
}

/// Lists the tasks edited since `digest.since`, by status, the newest first.
async fn edited(opened: &Opened, digest: &mut Digest, stop: &Stop) -> Result<(), Halt> {
    let columns: &Columns = &opened.columns;
    let since = digest
        .since
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut paging = Paging::new(
        vec![Stamp::Edited.condition("on_or_after", &since)],
        Stamp::Edited,
        Order::Newest,
        columns.listed(),
    );
    let mut edited = Vec::new();
    let result = loop {
        let rows = match next(
            &mut paging,
            &opened.client,
            &opened.data_source_id,
            stop,
            "list the tasks edited lately",
        )
        .await
        {
            Ok(Some(rows)) => rows,
            Ok(None) => break Ok(()),
            Err(halt) => break Err(halt),
        };
        for raw in rows {
            let Row::Page(page) = read_row(raw) else {
                continue;
            };
            match task::read(&page, columns) {
                Ok(task) if task.last_edited.is_some_and(|t| t >= digest.since) => {
                    edited.push(task)
                }
                Ok(_) => {}
                Err(why) => {
                    tracing::warn!(task = %page.id, "could not read a task edited lately; left out: {}", escape_control(&why));
                }
            }
        }
    };
    // Stable: within a status, the newest edit stays first.
    edited.sort_by_key(|t: &Task| digest.counts.rank(t.status.as_deref()));
    digest.edited = edited;
    result
}

/// The next rows of a query, or why the digest stops (`doing` says what
/// it was doing).
async fn next(
    paging: &mut Paging,
    client: &NotionClient,
    data_source_id: &str,
    stop: &Stop,
    doing: &'static str,
) -> Result<Option<Vec<Value>>, Halt> {
    if let Some(reason) = stop.reason() {
        return Err(Halt::Stopped(reason));
    }
    match paging.next(client, data_source_id).await {
        Ok(rows) => Ok(rows),
        Err(PagingError::Notion(error)) if error.stop_reason().is_some() => Err(Halt::Stopped(
            error.stop_reason().unwrap_or(StopReason::Interrupted),
        )),
        Err(error) => {
            if let PagingError::Notion(error) = &error {
                if error.is_unauthorized() {
                    stop.trigger(StopReason::TokenRefused);
                }
                tracing::error!("query failed: {error}");
            }
            Err(Halt::Paging(doing, error))
        }
    }
}

/// The run's error. A digest writes nothing: a refusal is a setup error (exit 3).
fn halted(halt: Halt, token: &str) -> RunError {
    let refused = |kind: RunErrorKind, refusal: bool| {
        if refusal {
            RunErrorKind::Setup
        } else {
            kind
        }
    };
    match halt {
        Halt::Stopped(reason) => stopped(reason, token, refused),
        Halt::Paging(doing, PagingError::Notion(error)) => RunError::new(
            refused(RunErrorKind::QueryFailed, error.is_refusal()),
            notion_setup_message(&format!("could not {doing}"), &error, token),
            Some(&error),
        ),
        Halt::Paging(doing, PagingError::Bad(why)) => RunError::new(
            RunErrorKind::QueryFailed,
            format!("could not {doing}: {why}"),
            None::<&NotionError>,
        ),
        Halt::Paging(doing, PagingError::RowCap(minute)) => RunError::new(
            RunErrorKind::RowCap,
            format!(
                "could not {doing}: more rows than Notion returns for one query share the minute \
                 of {minute}; the rest were not read"
            ),
            None,
        ),
    }
}

#[cfg(test)]
pub(crate) mod example {
    //! A digest with every kind of row, for the snapshot tests of what people see.

    use super::*;
    use crate::jobs::board::ChannelKind;
    use crate::jobs::summary::{Notification, NotificationStatus, TargetNotification};
    use crate::notion::RequestCounts;

    /// The instant the example digest looked.
    pub(crate) fn now() -> DateTime<Utc> {
        "2026-11-22T09:30:00Z".parse().unwrap()
    }

    fn task(n: u32, title: &str, status: &str, minutes_ago: i64) -> Task {
        Task {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            title: title.into(),
            url: format!("https://www.notion.so/Task-{n:032}"),
            status: Some(status.into()),
            last_edited: Some(now() - Duration::minutes(minutes_ago)),
            assignees: Some(crate::jobs::summary::example::owners_of(n)),
        }
    }

    /// Counts of one task for each of `names`.
    pub(crate) fn counts(names: &[String]) -> Counts {
        let mut counts = Counts::of(names);
        for name in names {
            counts.add(name);
        }
        counts
    }

    /// Four statuses (one without tasks), tasks without a status, twelve
    /// tasks edited in one status and one in two others; posted to Slack
    /// and Teams.
    pub(crate) fn run() -> Run<Digest> {
        let mut edited = vec![task(1, "Plan the <Q4> review & *party*", "To Do", 30)];
        edited.extend((0..12).map(|n| {
            task(
                n + 2,
                &format!("Task {}", n + 2),
                "In Progress",
                60 * i64::from(n + 1),
            )
        }));
        edited.push(task(14, "Ship it", "Done", 600));
        let mut counts = Counts::of(&[
            "To Do".into(),
            "In Progress".into(),
            "Review".into(),
            "Done".into(),
        ]);
        for status in ["To Do", "To Do", "Done"] {
            counts.add(status);
        }
        for _ in 0..12 {
            counts.add("In Progress");
        }
        let sent = |kind| TargetNotification {
            kind,
            status: NotificationStatus::Sent,
            error: None,
        };
        Run {
            board: None,
            database_id: Some("2f26ee68-df30-4251-aad4-8ddc420cba3d".into()),
            data_source_id: Some("248104cd-477e-80af-bc30-000bd28de8f9".into()),
            dry_run: false,
            found: Digest {
                counts,
                no_status: 2,
                total: 17,
                since: now() - Duration::hours(24),
                since_hours: 24,
                edited,
            },
            notification: Notification::of(NotificationStatus::Sent),
            notifications: vec![sent(ChannelKind::Slack), sent(ChannelKind::Teams)],
            requests: RequestCounts {
                sent: 4,
                retried: 0,
                rate_limited: 0,
            },
            elapsed_ms: 512,
            error: None,
            title: "Team Tasks".into(),
            started: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_keep_the_schemas_order_with_zeros_and_show_as_an_object() {
        let mut counts = Counts::of(&["To Do".into(), "Doing".into(), "Done".into()]);
        for status in ["Done", "To Do", "Done", "Archived"] {
            counts.add(status);
        }
        assert_eq!(
            serde_json::to_string(&counts).unwrap(),
            r#"{"To Do":1,"Doing":0,"Done":2,"Archived":1}"#
        );
        assert_eq!(counts.rank(Some("Doing")), 1);
        assert_eq!(counts.rank(Some("Gone")), 4);
        assert_eq!(counts.rank(None), 4);
    }
}
