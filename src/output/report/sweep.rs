//! One sweep's result for people (text, markdown) and for machines (the
//! JSON document of the contract). Reads a [`Summary`] and nothing else.

use serde::Serialize;

use super::{escape_markdown, json, plural, truncate, where_posted, Format};
use crate::jobs::summary::{Outcome, Person, RunError, Summary, TaskResult};
use crate::output::exit::{exit_of, Ending};

/// The JSON document: the summary, its exit code and its error.
#[derive(Serialize)]
pub(crate) struct Document<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RunError>,
}

/// The JSON document of one sweep.
pub(crate) fn document(summary: &Summary) -> Document<'_> {
    Document {
        summary,
        exit_code: exit_of(Ending::Swept(summary)).code(),
        error: summary.error.as_ref(),
    }
}

/// Renders the summary for standard output.
pub(crate) fn render(summary: &Summary, format: Format) -> String {
    match format {
        Format::Json => json(&document(summary)),
        Format::Text => text(summary),
        Format::Markdown => markdown(summary),
    }
}

/// The one line that says how the run went, the run's error included.
pub(crate) fn headline(summary: &Summary) -> String {
    headline_with(summary, true)
}

/// The one line that says how the run went; the run's error, if any, only
/// as "stopped early" (for where the error itself is shown apart).
pub(crate) fn short_headline(summary: &Summary) -> String {
    headline_with(summary, false)
}

fn headline_with(summary: &Summary, with_error: bool) -> String {
    let late = summary.overdue();
    let to = &summary.to;
    let name = summary.name();
    let as_of = summary.as_of;
    if let Some(error) = summary.error.as_ref().filter(|_| summary.read_nothing()) {
        // Before the data source was found, the message names what could not be opened.
        return match summary.data_source_id {
            Some(_) => format!("Nothing was changed in {name}: {}", error.message),
            None => format!("Nothing was changed: {}", error.message),
        };
    }
    let mut line = if late == 0 {
        format!("No overdue tasks in {name} as of {as_of}.")
    } else if summary.dry_run {
        let would = summary.count(Outcome::WouldUpdate);
        format!("Dry run: {would} of {late} overdue {} in {name} would move to '{to}' (as of {as_of}); nothing was changed.", plural(late, "task"))
    } else if summary.updated == late {
        format!(
            "Moved {late} overdue {} in {name} to '{to}' (as of {as_of}).",
            plural(late, "task")
        )
    } else {
        format!(
            "Moved {} of {late} overdue {} in {name} to '{to}' (as of {as_of}).",
            summary.updated,
            plural(late, "task")
        )
    };
    let restores = summary.matched - late;
    if restores > 0 {
        let to = summary.restore_to.as_deref().unwrap_or_default();
        if summary.dry_run {
            line.push_str(&format!(
                " {} of {restores} {} whose due date moved on would move back to '{to}'.",
                summary.count(Outcome::WouldRestore),
                plural(restores, "task")
            ));
        } else {
            line.push_str(&format!(
                " Moved {} of {restores} {} whose due date moved on back to '{to}'.",
                summary.restored,
                plural(restores, "task")
            ));
        }
    }
    if summary.due_soon > 0 {
        line.push_str(&format!(" {} due soon.", summary.due_soon));
    }
    if summary.failed > 0 {
        line.push_str(&format!(
            " {} could not be updated; run again to retry.",
            summary.failed
        ));
    }
    let unknown = summary.count(Outcome::Unknown);
    if unknown > 0 {
        line.push_str(&format!(
            " {unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
        ));
    }
    if summary.limit_reached {
        line.push_str(&format!(
            " Stopped at --limit {}; run again for the rest.",
            summary.limit.unwrap_or(0)
        ));
    }
    match &summary.error {
        Some(error) if with_error => line.push_str(&format!(
            " Stopped early: {}. Run again to finish.",
            error.message
        )),
        Some(_) => {
            line.push_str(" Stopped early (the error is on standard error); run again to finish.")
        }
        None => {}
    }
    line.push_str(&where_posted(&summary.notifications, &summary.notification));
    line
}

pub(super) fn text(summary: &Summary) -> String {
    let mut out = String::new();
    if !summary.tasks.is_empty() {
        let width = summary
            .tasks
            .iter()
            .map(|t| t.display_title().chars().count())
            .max()
            .unwrap_or(0)
            .clamp(5, 50);
        // Wide enough for "in 12d" when a task is due ahead.
        let late_width = summary
            .tasks
            .iter()
            .map(|t| late(summary, t).chars().count())
            .max()
            .unwrap_or(0)
            .max(4);
        // An owner column when the board names owners.
        let owner_width = summary
            .tasks
            .iter()
            .filter_map(|t| t.assignees.as_ref())
            .map(|a| owners(a).chars().count())
            .max()
            .map(|w| w.clamp(5, 30));
        let owner_heading = owner_width.map_or(String::new(), |w| format!("{:<w$}  ", "OWNER"));
        out.push_str(&format!(
            "{:<width$}  {:<10}  {:>late_width$}  {owner_heading}OUTCOME\n",
            "TASK", "DUE", "LATE"
        ));
        for t in &summary.tasks {
            let title: String = truncate(&t.display_title(), width);
            let owner = owner_width.map_or(String::new(), |w| {
                let names = t.assignees.as_deref().map(owners).unwrap_or_default();
                format!("{:<w$}  ", truncate(&names, w))
            });
            out.push_str(&format!(
                "{title:<width$}  {:<10}  {:>late_width$}  {owner}{}\n",
                due(t),
                late(summary, t),
                t.outcome.word()
            ));
            if let Some(error) = &t.error {
                out.push_str(&format!("{:width$}  ↳ {}\n", "", error.message));
            }
        }
        out.push('\n');
    }
    out.push_str(&short_headline(summary));
    out.push('\n');
    out
}

pub(super) fn markdown(summary: &Summary) -> String {
    let mut out = format!("### notion-sweep: {}\n\n", escape_markdown(summary.name()));
    let with_owners = summary.tasks.iter().any(|t| t.assignees.is_some());
    if !summary.tasks.is_empty() {
        if with_owners {
            out.push_str(
                "| Task | Due | Days overdue | Owner | Outcome |\n|---|---|--:|---|---|\n",
            );
        } else {
            out.push_str("| Task | Due | Days overdue | Outcome |\n|---|---|--:|---|\n");
        }
        for t in &summary.tasks {
            let title = escape_markdown(&t.display_title());
            let task = if t.url.is_empty() {
                title
            } else {
                format!("[{title}]({})", t.url)
            };
            let mut outcome = t.outcome.word().to_string();
            if let Some(error) = &t.error {
                outcome.push_str(&format!(": {}", escape_markdown(&error.message)));
            }
            let owner = if with_owners {
                let names = t.assignees.as_deref().map(owners).unwrap_or_default();
                format!(" {} |", escape_markdown(&names))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "| {task} | {} | {} |{owner} {outcome} |\n",
                due(t),
                match summary.days_late(t) {
                    None => "-".into(),
                    Some(d) if d < 0 => format!("in {}d", -d),
                    Some(d) => d.to_string(),
                }
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("**{}**\n", escape_markdown(&headline(summary))));
    out
}

/// A task's owners by name, or `-`.
fn owners(people: &[Person]) -> String {
    if people.is_empty() {
        return "-".into();
    }
    people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The due date, or `-` for a row that could not be read.
fn due(task: &TaskResult) -> String {
    task.due.map_or("-".into(), |d| d.to_string())
}

/// Days overdue as `3d`, days ahead (due soon, restored) as `in 3d`, or `-`.
fn late(summary: &Summary, task: &TaskResult) -> String {
    match summary.days_late(task) {
        None => "-".into(),
        Some(d) if d < 0 => format!("in {}d", -d),
        Some(d) => format!("{d}d"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::summary::example;

    #[test]
    fn a_run_both_ways_in_text_and_markdown() {
        let summary = example::both_ways();
        insta::assert_snapshot!(format!(
            "{}\n{}",
            render(&summary, Format::Text),
            render(&summary, Format::Markdown)
        ));
    }

    #[test]
    fn owners_in_text_and_markdown() {
        let summary = example::with_owners();
        insta::assert_snapshot!(format!(
            "{}\n{}",
            render(&summary, Format::Text),
            render(&summary, Format::Markdown)
        ));
    }

    #[test]
    fn the_text_table() {
        insta::assert_snapshot!(render(&example::summary(), Format::Text));
    }

    #[test]
    fn the_markdown_table() {
        insta::assert_snapshot!(render(&example::summary(), Format::Markdown));
    }

    #[test]
    fn the_json_document() {
        insta::assert_snapshot!(render(&example::summary(), Format::Json));
    }

    #[test]
    fn the_headline_names_where_the_summary_went() {
        use crate::jobs::board::ChannelKind;
        use crate::jobs::summary::{NotificationStatus, TargetNotification};
        let target = |kind, status, error: Option<&str>| TargetNotification {
            kind,
            status,
            error: error.map(str::to_string),
        };
        let mut summary = example::summary();
        summary.notifications = vec![
            target(ChannelKind::Slack, NotificationStatus::Sent, None),
            target(ChannelKind::Discord, NotificationStatus::Sent, None),
            target(ChannelKind::Json, NotificationStatus::Sent, None),
            target(ChannelKind::Slack, NotificationStatus::Sent, None),
        ];
        assert!(headline(&summary)
            .ends_with(" Summary posted to Slack (2 webhooks), Discord and the JSON endpoint."));
        summary.notifications = vec![
            target(ChannelKind::Slack, NotificationStatus::Sent, None),
            target(
                ChannelKind::Teams,
                NotificationStatus::Failed,
                Some("the webhook answered 400: InvalidRequestContent: not valid."),
            ),
        ];
        let line = headline(&summary);
        assert!(
            line.ends_with(
                " Summary posted to Slack. The summary could not be posted to Teams: \
                 the webhook answered 400: InvalidRequestContent: not valid."
            ),
            "{line}"
        );
    }

    #[test]
    fn a_run_stopped_before_its_data_source_names_what_failed_once() {
        let mut failed = example::summary();
        failed.tasks.clear();
        failed.matched = 0;
        failed.data_source_id = None;
        failed.title = "2f26ee68-df30-4251-aad4-8ddc420cba3d".into();
        failed.error = Some(crate::jobs::summary::RunError::new(
            crate::jobs::summary::RunErrorKind::Setup,
            "could not open database 2f26ee68-df30-4251-aad4-8ddc420cba3d: not shared".into(),
            None,
        ));
        assert_eq!(
            headline(&failed),
            "Nothing was changed: could not open database 2f26ee68-df30-4251-aad4-8ddc420cba3d: not shared"
        );
        failed.data_source_id = Some("248104cd-477e-80af-bc30-000bd28de8f9".into());
        failed.title = "Tasks".into();
        assert!(headline(&failed).starts_with("Nothing was changed in Tasks: "));
    }

    #[test]
    fn a_dry_run_and_an_empty_run() {
        let mut dry = example::summary();
        dry.dry_run = true;
        for t in &mut dry.tasks {
            t.outcome = Outcome::WouldUpdate;
        }
        dry.updated = 0;
        dry.failed = 0;
        dry.notification.status = crate::jobs::summary::NotificationStatus::Skipped;
        dry.notifications[0].status = crate::jobs::summary::NotificationStatus::Skipped;
        let mut empty = example::summary();
        empty.tasks.clear();
        empty.matched = 0;
        empty.updated = 0;
        empty.failed = 0;
        insta::assert_snapshot!(format!(
            "{}\n{}",
            render(&dry, Format::Text),
            render(&empty, Format::Text)
        ));
    }
}
