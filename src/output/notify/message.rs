//! What every channel says about a run, before each says it in its own
//! shape: the headline, the tasks listed (at most [`LISTED`]) and the notes
//! under them. Plain text, not yet escaped for any service.

use crate::jobs::summary::{Outcome, RunErrorKind, Summary, TaskResult};
use crate::output::report::plural;

/// Tasks listed by name at most; the rest are counted.
pub(super) const LISTED: usize = 10;
/// The most characters of a name (the database's, a status's) or a title
/// a message shows.
const NAME_CHARS: usize = 100;
/// A link longer than this is left out (the title is still shown).
const URL_CHARS: usize = 500;

/// `text` cut to `max` characters, the last an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max - 1).collect();
    kept.push('…');
    kept
}

/// The board's name as a message shows it.
pub(super) fn name(summary: &Summary) -> String {
    cut(summary.name(), NAME_CHARS)
}

/// The late status as a message shows it.
pub(super) fn to(summary: &Summary) -> String {
    cut(&summary.to, NAME_CHARS)
}

/// The message text: `head`, then as many `lines` as fit in `max`
/// characters with `tail` (at most [`LISTED`]), then "…and N more" for the
/// rest, then `tail`; cut to `max` characters should even that not fit.
pub(super) fn fit(head: String, lines: &[String], tail: &str, max: usize) -> String {
    let length = |s: &str| s.chars().count();
    let more = |n: usize| format!("\n…and {n} more");
    let mut text = head;
    let mut shown = 0;
    for line in lines.iter().take(LISTED) {
        let rest = lines.len() - shown - 1;
        let after = if rest > 0 { more(rest) } else { String::new() };
        if length(&text) + length(line) + length(&after) + length(tail) > max {
            break;
        }
        text.push_str(line);
        shown += 1;
    }
    if shown < lines.len() {
        text.push_str(&more(lines.len() - shown));
    }
    text.push_str(tail);
    cut(&text, max)
}

/// The tasks a run moved, in the order they were found.
pub(super) fn moved(summary: &Summary) -> Vec<&TaskResult> {
    summary
        .tasks
        .iter()
        .filter(|t| t.outcome == Outcome::Updated)
        .collect()
}

/// The first line: `bold` wraps the (already escaped) names.
pub(super) fn header(summary: &Summary, name: &str, to: &str, bold: &str) -> String {
    let moved = moved(summary).len();
    if moved == 0 && summary.matched == 0 {
        format!(
            "No overdue tasks in {bold}{name}{bold} as of {}.",
            summary.as_of
        )
    } else {
        format!(
            "Moved {moved} overdue {} in {bold}{name}{bold} to {bold}{to}{bold}:",
            plural(moved, "task")
        )
    }
}

/// A moved task as listed: its title (at most 100 characters, not yet
/// escaped), its link (empty when there is none or it is absurdly long),
/// and when it was due.
pub(super) struct Listed<'a> {
    pub(super) title: String,
    pub(super) url: &'a str,
    /// "due 2026-11-20 (2 days overdue)"
    pub(super) due: String,
}

pub(super) fn listed<'a>(summary: &Summary, task: &'a TaskResult) -> Listed<'a> {
    let due = task.due.map_or("-".into(), |d| d.to_string());
    let days = summary.days_late(task).unwrap_or(0);
    Listed {
        title: cut(&task.display_title(), NAME_CHARS),
        url: if task.url.chars().count() <= URL_CHARS {
            &task.url
        } else {
            ""
        },
        due: format!(
            "due {due} ({days} {} overdue)",
            plural(days.max(0) as usize, "day")
        ),
    }
}

/// A line under the list; `warning` ones get the service's warning sign.
pub(super) struct Note {
    pub(super) warning: bool,
    pub(super) text: String,
}

/// What a channel must know besides the list: tasks in doubt, an
/// incomplete run, a limit reached. Counts only, nothing to escape.
pub(super) fn notes(summary: &Summary) -> Vec<Note> {
    let warn = |text: String| Note {
        warning: true,
        text,
    };
    let mut notes = Vec::new();
    let not_done = summary.matched - moved(summary).len();
    let unknown = summary.count(Outcome::Unknown);
    if unknown > 0 {
        notes.push(warn(format!(
            "{unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        )));
    }
    if let Some(error) = &summary.error {
        notes.push(warn(format!(
            "Incomplete run ({}): {not_done} overdue {} not updated; the next run will finish the job.",
            match error.kind {
                RunErrorKind::Interrupted => "interrupted",
                RunErrorKind::TokenRefused => "Notion refused the token",
                RunErrorKind::CapabilityMissing => "Notion refused the writes for a missing capability",
                RunErrorKind::Blocked => "Notion blocked the integration",
                RunErrorKind::DeadlineReached => "the --deadline passed",
                _ => "stopped early",
            },
            plural(not_done, "task")
        )));
    } else if summary.failed > 0 {
        notes.push(warn(format!(
            "Incomplete run: {} {} could not be updated; the next run will retry.",
            summary.failed,
            plural(summary.failed, "task")
        )));
    } else if summary.limit_reached {
        notes.push(Note {
            warning: false,
            text: format!(
                "Stopped at the limit of {} per run; the rest follow next run.",
                summary.limit.unwrap_or(0)
            ),
        });
    }
    notes
}
