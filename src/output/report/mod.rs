//! What people and machines read on standard output: one module per
//! document (a sweep, several boards, `check`, `schema`, `stale`,
//! `digest`, `undo`; the last three each a `run` of their findings), and the helpers
//! they share.

mod boards;
mod check;
pub(crate) mod digest;
pub(crate) mod run;
mod schema;
pub(crate) mod stale;
mod sweep;
mod undo;

use crate::jobs::summary::{Notification, NotificationStatus, TargetNotification};

pub(crate) use boards::render_boards;
pub(crate) use check::render_check;
pub(crate) use schema::render_schema;
pub(crate) use sweep::{document, headline, render, short_headline};

/// Result format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// A JSON document and a line break.
pub(crate) fn json(document: &impl serde::Serialize) -> String {
    let mut json = serde_json::to_string_pretty(document)
        .unwrap_or_else(|e| format!("{{\"error\": \"the report could not be serialized: {e}\"}}"));
    json.push('\n');
    json
}

/// Text shown literally in a markdown table: its markup escaped, line
/// breaks as spaces.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '[' | ']' | '*' | '_' | '`' | '\\' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// "1 task", "2 tasks".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// " Summary posted to Slack and Discord." and, for each target that failed,
/// " The summary could not be posted to Teams: …."
pub(super) fn where_posted(targets: &[TargetNotification], notification: &Notification) -> String {
    if targets.is_empty() {
        // A summary from before targets were recorded one by one.
        return match (&notification.status, &notification.error) {
            (NotificationStatus::Failed, Some(error)) => {
                format!(" The summary could not be posted: {error}.")
            }
            (NotificationStatus::Sent, _) => " Summary posted.".into(),
            _ => String::new(),
        };
    }
    let mut services: Vec<(&str, usize)> = Vec::new();
    for t in targets
        .iter()
        .filter(|t| t.status == NotificationStatus::Sent)
    {
        match services.iter_mut().find(|(s, _)| *s == t.kind.service()) {
            Some((_, n)) => *n += 1,
            None => services.push((t.kind.service(), 1)),
        }
    }
    let names: Vec<String> = services
        .into_iter()
        .map(|(s, n)| {
            if n == 1 {
                s.to_string()
            } else {
                format!("{s} ({n} webhooks)")
            }
        })
        .collect();
    let mut out = match names.split_last() {
        None => String::new(),
        Some((last, [])) => format!(" Summary posted to {last}."),
        Some((last, rest)) => format!(" Summary posted to {} and {last}.", rest.join(", ")),
    };
    for t in targets
        .iter()
        .filter(|t| t.status == NotificationStatus::Failed)
    {
        let error = t.error.as_deref().unwrap_or("failed");
        out.push_str(&format!(
            " The summary could not be posted to {}: {}.",
            t.kind.service(),
            error.trim_end_matches('.')
        ));
    }
    out
}

/// At most `width` characters, the last an ellipsis when cut.
pub(super) fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
