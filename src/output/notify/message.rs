//! What every channel says about a run, before each says it in its own
//! shape: the headline, the tasks listed (at most [`LISTED`]) and the notes
//! under them. Plain text, not yet escaped for any service.

use crate::jobs::board::{ChatIds, People};
use crate::jobs::summary::{Outcome, Person, RunErrorKind, Summary, TaskResult};
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

/// A name or a title from Notion as a message shows it: at most 100 characters.
pub(super) fn short(text: &str) -> String {
    cut(text, NAME_CHARS)
}

/// A task's link as a message gives it: none when it is absurdly long.
pub(super) fn link(url: &str) -> &str {
    if url.chars().count() <= URL_CHARS {
        url
    } else {
        ""
    }
}

/// The board's name as a message shows it.
pub(super) fn name(summary: &Summary) -> String {
    cut(summary.name(), NAME_CHARS)
}

/// The late status as a message shows it.
pub(super) fn to(summary: &Summary) -> String {
    cut(&summary.to, NAME_CHARS)
}

/// The message text: `head`, then each part (its heading line, then as
/// many of its lines as fit, at most [`LISTED`], then "…and N more" for
/// the rest), then `tail`, within `max` characters; cut to `max` should
/// even that not fit.
pub(super) fn fit(
    head: String,
    parts: &[(Option<String>, Vec<String>)],
    tail: &str,
    max: usize,
) -> String {
    let length = |s: &str| s.chars().count();
    let more = |n: usize| format!("\n…and {n} more");
    let mut text = head;
    for (index, (heading, lines)) in parts.iter().enumerate() {
        if let Some(heading) = heading {
            text.push_str(heading);
        }
        // Room kept for the parts after this one: their headings and a count.
        let later: usize = parts[index + 1..]
            .iter()
            .map(|(h, l)| h.as_deref().map_or(0, length) + length(&more(l.len())))
            .sum();
        let mut shown = 0;
        for line in lines.iter().take(LISTED) {
            let rest = lines.len() - shown - 1;
            let after = if rest > 0 { more(rest) } else { String::new() };
            if length(&text) + length(line) + length(&after) + later + length(tail) > max {
                break;
            }
            text.push_str(line);
            shown += 1;
        }
        if shown < lines.len() {
            text.push_str(&more(lines.len() - shown));
        }
    }
    text.push_str(tail);
    cut(&text, max)
}

/// The tasks of a run with this outcome, in the order they were found.
fn with(summary: &Summary, outcome: Outcome) -> Vec<&TaskResult> {
    summary
        .tasks
        .iter()
        .filter(|t| t.outcome == outcome)
        .collect()
}

/// The tasks a run moved to the late state.
pub(super) fn moved(summary: &Summary) -> Vec<&TaskResult> {
    with(summary, Outcome::Updated)
}

/// The parts of a message after its first line: the tasks moved (no
/// heading: the first line says it), then restored, then due soon, each
/// with a heading line; `bold` wraps the headings. Empty parts are left out.
pub(super) fn parts<'a>(
    summary: &'a Summary,
    bold: &str,
) -> Vec<(Option<String>, Vec<&'a TaskResult>)> {
    let restored = with(summary, Outcome::Restored);
    let due_soon = with(summary, Outcome::DueSoon);
    let mut parts = vec![(None, moved(summary))];
    if !restored.is_empty() {
        let heading = format!(
            "\n{bold}{} restored: due date moved on{bold}",
            restored.len()
        );
        parts.push((Some(heading), restored));
    }
    if !due_soon.is_empty() {
        parts.push((Some(format!("\n{bold}Due soon{bold}")), due_soon));
    }
    parts.retain(|(_, tasks)| !tasks.is_empty());
    parts
}

/// The first line: `bold` wraps the (already escaped) names.
pub(super) fn header(summary: &Summary, name: &str, to: &str, bold: &str) -> String {
    let moved = moved(summary).len();
    if moved == 0 && summary.overdue() == 0 {
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

/// A task as listed: its title (at most 100 characters, not yet escaped),
/// its link (empty when there is none or it is absurdly long), when it is
/// due, and its owners.
pub(super) struct Listed<'a> {
    pub(super) title: String,
    pub(super) url: &'a str,
    /// "due 2026-11-20 (2 days overdue)", "due 2026-11-25 (in 3 days)"
    pub(super) due: String,
    pub(super) owners: Vec<Owner>,
}

/// A task's owner as a message shows them: their name (cut, not yet
/// escaped), and who they are in the channels when the settings file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Owner {
    pub(super) name: String,
    pub(super) ids: Option<ChatIds>,
}

impl Owner {
    /// Each of `people` as a message shows them, by `[people]`.
    pub(super) fn all(people: &[Person], mapped: &People) -> Vec<Owner> {
        people
            .iter()
            .map(|person| Owner {
                name: cut(&person.name, NAME_CHARS),
                ids: mapped.of(&person.id, person.email.as_deref()).cloned(),
            })
            .collect()
    }

    /// Each owner as `shown` shows them, after a dash; nothing without owners.
    pub(super) fn list(owners: &[Owner], shown: impl FnMut(&Owner) -> String) -> String {
        if owners.is_empty() {
            return String::new();
        }
        let names: Vec<String> = owners.iter().map(shown).collect();
        format!(" — {}", names.join(", "))
    }
}

pub(super) fn listed<'a>(summary: &Summary, task: &'a TaskResult, people: &People) -> Listed<'a> {
    let due = task.due.map_or("-".into(), |d| d.to_string());
    let days = summary.days_late(task).unwrap_or(0);
    let when = match days {
        0 => "today".to_string(),
        late if late > 0 => format!("{late} {} overdue", plural(late as usize, "day")),
        ahead => format!("in {} {}", -ahead, plural((-ahead) as usize, "day")),
    };
    Listed {
        title: short(&task.display_title()),
        url: link(&task.url),
        due: format!("due {due} ({when})"),
        owners: Owner::all(task.assignees.as_deref().unwrap_or_default(), people),
    }
}

/// A line under the list; `warning` ones get the service's warning sign.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    let not_done = summary.matched - summary.updated - summary.restored;
    let unknown = summary.count(Outcome::Unknown);
    if unknown > 0 {
        notes.push(warn(format!(
            "{unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        )));
    }
    if let Some(error) = &summary.error {
        notes.push(warn(format!(
            "Incomplete run ({}): {not_done} overdue {} not updated; the next run will finish the job.",
            why_stopped(error.kind),
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

/// Why a run stopped early, as a note says it.
pub(super) fn why_stopped(kind: RunErrorKind) -> &'static str {
    match kind {
        RunErrorKind::Interrupted => "interrupted",
        RunErrorKind::TokenRefused => "Notion refused the token",
        RunErrorKind::CapabilityMissing => "Notion refused the writes for a missing capability",
        RunErrorKind::Blocked => "Notion blocked the integration",
        RunErrorKind::DeadlineReached => "the --deadline passed",
        _ => "stopped early",
    }
}
