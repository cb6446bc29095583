//! What `check` found, for people and for machines.

use super::{escape_markdown, json, Format};
use crate::jobs::check::CheckReport;

/// Renders what `check` found.
pub(crate) fn render_check(check: &CheckReport, format: Format) -> String {
    let mut lines = vec![
        (
            "Database",
            format!(
                "{} ({})",
                check.name,
                check.database_id.as_deref().unwrap_or("not looked up")
            ),
        ),
        ("Data source", check.data_source_id.clone()),
        (
            "Status",
            format!(
                "'{}' ({}): {} → '{}'",
                check.status_property.name,
                check.status_property.kind.key(),
                check
                    .from
                    .iter()
                    .map(|f| format!("'{f}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                check.to
            ),
        ),
        ("Due date", format!("'{}' (date)", check.date_property.name)),
        (
            "Overdue",
            format!(
                "due before {} in {}; {}",
                check.as_of,
                check.tz,
                if check.candidates {
                    "some open tasks match now"
                } else {
                    "no open task matches now"
                }
            ),
        ),
        ("Filter", check.filter.to_string()),
    ];
    if let (Some(to), Some(filter)) = (&check.restore_to, &check.restore_filter) {
        lines.push((
            "Restore",
            format!("'{}' due on or after {} → '{to}'", check.to, check.as_of),
        ));
        lines.push(("Restore query", filter.to_string()));
    }
    if let Some(days) = check.due_soon {
        lines.push((
            "Due soon",
            format!("open tasks due within {days} days are listed, never written"),
        ));
    }
    if !check.exempt.is_empty() {
        lines.push(("Exempt", check.exempt.join("; ")));
    }
    if let Some(assignee) = &check.assignee_property {
        let unmapped = if check.unmapped_owners.is_empty() {
            "every owner of the tasks found is mapped in [people], or there is none".to_string()
        } else {
            format!(
                "not in [people], so named, not mentioned: {}",
                check.unmapped_owners.join(", ")
            )
        };
        lines.push(("Owners", format!("'{assignee}' (people); {unmapped}")));
    }
    if let Some(snooze) = &check.snooze_property {
        lines.push((
            "Snoozed",
            format!(
                "'{snooze}' (date) on or after {} leaves a task alone",
                check.as_of
            ),
        ));
    }
    lines.push((
        "Notify",
        if check.notify.is_empty() {
            "not configured".to_string()
        } else {
            check
                .notify
                .iter()
                .map(|k| k.service())
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    let verdict = "OK: a sweep can run; nothing was changed.";
    match format {
        Format::Json => json(check),
        Format::Text => {
            let mut out = String::new();
            for (label, value) in lines {
                out.push_str(&format!("{:<14}{value}\n", format!("{label}:")));
            }
            out.push_str(verdict);
            out.push('\n');
            out
        }
        Format::Markdown => {
            let mut out = format!(
                "### notion-sweep check: {}\n\n| | |\n|---|---|\n",
                escape_markdown(&check.name)
            );
            for (label, value) in lines {
                out.push_str(&format!("| {label} | {} |\n", escape_markdown(&value)));
            }
            out.push_str(&format!("\n**{verdict}**\n"));
            out
        }
    }
}
