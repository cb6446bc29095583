//! A run of `stale` or `digest` for people and machines, whatever the job
//! found: its JSON document, its headline, its exit code, several boards'
//! results; and the cells of a listed task, the same in both jobs' tables.
//! What each job found is shown by its own module ([`Found`]).

use serde::Serialize;

use super::{escape_markdown, json, plural, truncate, where_posted, Format};
use crate::jobs::run::Run;
use crate::jobs::summary::RunError;
use crate::jobs::task::Task;
use crate::notion::RequestCounts;
use crate::output::exit::{exit_of, Ending, Exit};

/// What a job found, as people read it.
pub(crate) trait Found: Serialize + Sized {
    /// Tasks that could not be written: the run is incomplete.
    fn failed(&self) -> usize {
        0
    }

    /// Something was found (`-q` prints nothing when all is well and nothing was).
    fn anything(&self) -> bool;

    /// What was found, in one sentence: the start of the headline.
    fn said(run: &Run<Self>) -> String;

    /// The tables of a run in text, before the headline.
    fn text(run: &Run<Self>) -> String;

    /// The tables of a run in markdown, before the headline.
    fn markdown(run: &Run<Self>) -> String;

    /// Several boards' totals, before the exit code: "5 stale tasks, 3 moved".
    fn totals(runs: &[Run<Self>]) -> String;
}

/// The exit code of a run.
pub(crate) fn exit<T: Found>(run: &Run<T>) -> Exit {
    exit_of(Ending::Ran {
        error: run.error.as_ref(),
        failed: run.found.failed(),
        notification: run.notification.status,
    })
}

/// The run stopped before it could show anything but its error.
pub(crate) fn read_nothing<T: Found>(run: &Run<T>) -> bool {
    run.error.is_some() && (run.stopped_before_reading() || !run.found.anything())
}

/// The JSON document: the run, its exit code and its error.
#[derive(Serialize)]
pub(crate) struct Document<'a, T> {
    #[serde(flatten)]
    run: &'a Run<T>,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RunError>,
}

/// The JSON document of one run.
pub(crate) fn document<T: Found>(run: &Run<T>) -> Document<'_, T> {
    Document {
        run,
        exit_code: exit(run).code(),
        error: run.error.as_ref(),
    }
}

/// The document a JSON channel gets: the run's document as it stands
/// before any notification is sent, so without `notification` and
/// `notifications`, its keys in the same order.
#[derive(Serialize)]
pub(crate) struct Posted<'a, T> {
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    board: Option<&'a str>,
    database_id: Option<&'a str>,
    data_source_id: Option<&'a str>,
    dry_run: bool,
    #[serde(flatten)]
    found: &'a T,
    requests: RequestCounts,
    elapsed_ms: u64,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RunError>,
}

/// The document a JSON channel gets for one run.
pub(crate) fn posted<T: Found>(run: &Run<T>) -> Posted<'_, T> {
    Posted {
        board: run.board.as_deref(),
        database_id: run.database_id.as_deref(),
        data_source_id: run.data_source_id.as_deref(),
        dry_run: run.dry_run,
        found: &run.found,
        requests: run.requests,
        elapsed_ms: run.elapsed_ms,
        exit_code: exit(run).code(),
        error: run.error.as_ref(),
    }
}

/// Renders the run for standard output.
pub(crate) fn render<T: Found>(run: &Run<T>, format: Format) -> String {
    match format {
        Format::Json => json(&document(run)),
        Format::Text => format!("{}{}\n", T::text(run), short_headline(run)),
        Format::Markdown => markdown(run),
    }
}

fn markdown<T: Found>(run: &Run<T>) -> String {
    format!(
        "### notion-sweep: {}\n\n{}**{}**\n",
        escape_markdown(run.name()),
        T::markdown(run),
        escape_markdown(&headline(run))
    )
}

/// The one line that says how the run went, the run's error included.
pub(crate) fn headline<T: Found>(run: &Run<T>) -> String {
    headline_with(run, true)
}

/// The one line that says how the run went; the run's error, if any, only
/// as "stopped early" (for where the error itself is shown apart).
pub(crate) fn short_headline<T: Found>(run: &Run<T>) -> String {
    headline_with(run, false)
}

fn headline_with<T: Found>(run: &Run<T>, with_error: bool) -> String {
    if let Some(error) = run.error.as_ref().filter(|_| read_nothing(run)) {
        return match run.data_source_id {
            Some(_) => format!("Nothing was read in {}: {}", run.name(), error.message),
            None => format!("Nothing was read: {}", error.message),
        };
    }
    let mut line = T::said(run);
    match &run.error {
        Some(error) if with_error => line.push_str(&format!(
            " Stopped early: {}. Run again to finish.",
            error.message
        )),
        Some(_) => {
            line.push_str(" Stopped early (the error is on standard error); run again to finish.")
        }
        None => {}
    }
    line.push_str(&where_posted(&run.notifications, &run.notification));
    line
}

/// Several boards: a section (text) or a table (markdown) per board, then
/// one line of totals; in JSON `{"boards": [...], "exit_code": N}`, each
/// board's document with its `name`.
pub(crate) fn render_boards<T: Found>(runs: &[Run<T>], exit: Exit, format: Format) -> String {
    if format == Format::Json {
        let boards: Vec<_> = runs.iter().map(document).collect();
        return json(&serde_json::json!({ "boards": boards, "exit_code": exit.code() }));
    }
    let mut out = String::new();
    for run in runs {
        match format {
            Format::Markdown => out.push_str(&markdown(run)),
            _ if read_nothing(run) => out.push_str(&format!(
                "== {}\nNothing was read: the error is on standard error.\n",
                run.name()
            )),
            _ => out.push_str(&format!("== {}\n{}", run.name(), render(run, format))),
        }
        out.push('\n');
    }
    let stopped = runs.iter().filter(|r| r.error.is_some()).count();
    let mut totals = format!(
        "{} {}: {}",
        runs.len(),
        plural(runs.len(), "board"),
        T::totals(runs)
    );
    if stopped > 0 {
        totals.push_str(&format!(", {stopped} stopped early"));
    }
    totals.push_str(&format!("; exit code {}.", exit.code()));
    match format {
        Format::Markdown => out.push_str(&format!("**{totals}**\n")),
        _ => out.push_str(&format!("{totals}\n")),
    }
    out
}

/// When a task was last edited, in UTC to the minute, or `-`.
pub(super) fn edited(task: &Task) -> String {
    task.last_edited
        .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

/// A task's title in a markdown table, linked to the task when it has a link.
pub(super) fn linked_title(task: &Task) -> String {
    let title = escape_markdown(&task.display_title());
    if task.url.is_empty() {
        title
    } else {
        format!("[{title}]({})", task.url)
    }
}

/// The most characters of an owner cell in a text table.
const OWNER_CHARS: usize = 30;

/// Whether a listing has an owner column: the board names owners
/// (`--assignee-property`, or a people property named Assignee).
pub(super) fn with_owners<'a>(tasks: impl IntoIterator<Item = &'a Task>) -> bool {
    tasks.into_iter().any(|t| t.assignees.is_some())
}

/// A task's owners by name, as a table's cell shows them: `-` for none;
/// in text (`markdown` false) at most 30 characters, in markdown escaped.
pub(super) fn owners(task: &Task, markdown: bool) -> String {
    let names: Vec<&str> = task
        .assignees
        .iter()
        .flatten()
        .map(|p| p.name.as_str())
        .collect();
    if names.is_empty() {
        "-".into()
    } else if markdown {
        escape_markdown(&names.join(", "))
    } else {
        truncate(&names.join(", "), OWNER_CHARS)
    }
}

/// A task's status, or `-`.
pub(super) fn status(task: &Task) -> &str {
    task.status.as_deref().unwrap_or("-")
}

/// A text table: a header line, then each row with, under it, its note
/// (`↳ …`) if it has one. The first column holds titles (at most 50
/// characters, cut with an ellipsis); `right` says which columns are
/// aligned right.
pub(super) fn text_table(
    headers: &[&str],
    right: &[bool],
    rows: &[(Vec<String>, Option<String>)],
) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (cells, _) in rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    if let Some(first) = widths.first_mut() {
        *first = (*first).clamp(5, 50);
    }
    let line = |cells: Vec<String>| -> String {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, (cell, width)) in cells.into_iter().zip(&widths).enumerate() {
            let cell = if i == 0 {
                truncate(&cell, *width)
            } else {
                cell
            };
            let padded = if right.get(i) == Some(&true) {
                format!("{cell:>width$}")
            } else if i == last {
                cell
            } else {
                format!("{cell:<width$}")
            };
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(&padded);
        }
        let mut out = out.trim_end().to_string();
        out.push('\n');
        out
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    for (cells, note) in rows {
        out.push_str(&line(cells.clone()));
        if let Some(note) = note {
            out.push_str(&format!("{:width$}  ↳ {note}\n", "", width = widths[0]));
        }
    }
    out
}
