//! The result of a run for people (text, markdown) and for machines (JSON).
//! It reads a [`Summary`] and nothing else: no flags, no sweep internals.

use crate::summary::{plural, NotificationStatus, Outcome, Summary, TaskResult};

/// Result format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// Renders the summary for standard output.
pub(crate) fn render(summary: &Summary, format: Format) -> String {
    match format {
        Format::Json => json(summary),
        Format::Text => text(summary),
        Format::Markdown => markdown(summary),
    }
}

/// Several boards: a section (text) or a table (markdown) per board, then
/// one line of totals; in JSON `{"boards": [...], "exit_code": N}`, each
/// board's document with its `name`.
pub(crate) fn render_boards(summaries: &[Summary], exit: u8, format: Format) -> String {
    if format == Format::Json {
        let boards: Vec<serde_json::Value> = summaries
            .iter()
            .map(|s| {
                let mut doc = serde_json::to_value(s).unwrap_or_default();
                if let Some(doc) = doc.as_object_mut() {
                    doc.insert("name".into(), s.name.clone().into());
                }
                doc
            })
            .collect();
        return json(&serde_json::json!({ "boards": boards, "exit_code": exit }));
    }
    let mut out = String::new();
    for summary in summaries {
        match format {
            Format::Markdown => out.push_str(&markdown(summary)),
            _ if summary.read_nothing() => out.push_str(&format!(
                "== {}
Nothing was changed: the error is on standard error.
",
                summary.name
            )),
            _ => out.push_str(&format!(
                "== {}
{}",
                summary.name,
                text(summary)
            )),
        }
        out.push('\n');
    }
    let totals = totals(summaries, exit);
    match format {
        Format::Markdown => out.push_str(&format!("**{totals}**\n")),
        _ => out.push_str(&format!("{totals}\n")),
    }
    out
}

/// One line of totals over several boards.
pub(crate) fn totals(summaries: &[Summary], exit: u8) -> String {
    let sum = |f: fn(&Summary) -> usize| summaries.iter().map(f).sum::<usize>();
    let (found, updated, failed) = (sum(|s| s.matched), sum(|s| s.updated), sum(|s| s.failed));
    let stopped = summaries.iter().filter(|s| s.error.is_some()).count();
    let mut line = format!(
        "{} {}: {found} overdue {} found, {updated} moved, {failed} failed",
        summaries.len(),
        plural(summaries.len(), "board"),
        plural(found, "task")
    );
    if stopped > 0 {
        line.push_str(&format!(", {stopped} stopped early"));
    }
    line.push_str(&format!("; exit code {exit}."));
    line
}

/// A JSON document and a line break.
pub(crate) fn json(document: &impl serde::Serialize) -> String {
    let mut json = serde_json::to_string_pretty(document)
        .unwrap_or_else(|e| format!("{{\"error\": \"the report could not be serialized: {e}\"}}"));
    json.push('\n');
    json
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
    let late = summary.matched;
    let to = &summary.to;
    let name = &summary.name;
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
    line.push_str(&where_posted(summary));
    line
}

/// " Summary posted to Slack and Discord." and, for each target that failed,
/// " The summary could not be posted to Teams: …."
fn where_posted(summary: &Summary) -> String {
    let targets = &summary.notifications;
    if targets.is_empty() {
        // A summary from before targets were recorded one by one.
        return match (&summary.notification.status, &summary.notification.error) {
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
        match services.iter_mut().find(|(s, _)| *s == t.service) {
            Some((_, n)) => *n += 1,
            None => services.push((t.service, 1)),
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
            t.service,
            error.trim_end_matches('.')
        ));
    }
    out
}

fn text(summary: &Summary) -> String {
    let mut out = String::new();
    if !summary.tasks.is_empty() {
        let width = summary
            .tasks
            .iter()
            .map(|t| t.display_title().chars().count())
            .max()
            .unwrap_or(0)
            .clamp(5, 50);
        out.push_str(&format!(
            "{:<width$}  {:<10}  {:>4}  OUTCOME\n",
            "TASK", "DUE", "LATE"
        ));
        for t in &summary.tasks {
            let title: String = truncate(&t.display_title(), width);
            out.push_str(&format!(
                "{title:<width$}  {:<10}  {:>4}  {}\n",
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

fn markdown(summary: &Summary) -> String {
    let mut out = format!("### notion-sweep: {}\n\n", escape_markdown(&summary.name));
    if !summary.tasks.is_empty() {
        out.push_str("| Task | Due | Days overdue | Outcome |\n|---|---|--:|---|\n");
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
            out.push_str(&format!(
                "| {task} | {} | {} | {outcome} |\n",
                due(t),
                summary.days_late(t).map_or("-".into(), |d| d.to_string())
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("**{}**\n", escape_markdown(&headline(summary))));
    out
}

/// The due date, or `-` for a row that could not be read.
fn due(task: &TaskResult) -> String {
    task.due.map_or("-".into(), |d| d.to_string())
}

/// Days overdue as `3d`, or `-`.
fn late(summary: &Summary, task: &TaskResult) -> String {
    summary
        .days_late(task)
        .map_or("-".into(), |d| format!("{d}d"))
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

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

/// What `check` found: everything a sweep would use.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CheckReport {
    pub(crate) ok: bool,
    pub(crate) database_id: Option<String>,
    pub(crate) data_source_id: String,
    pub(crate) name: String,
    pub(crate) status_property: serde_json::Value,
    pub(crate) date_property: serde_json::Value,
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) as_of: chrono::NaiveDate,
    pub(crate) tz: String,
    pub(crate) filter: serde_json::Value,
    /// Some open task matches the filter now.
    pub(crate) candidates: bool,
    /// Where a sweep would post its summary.
    pub(crate) notify: Vec<&'static str>,
    pub(crate) requests: crate::notion::RequestCounts,
}

/// Renders what `check` found.
pub(crate) fn render_check(check: &CheckReport, format: Format) -> String {
    let field = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    let lines = [
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
                field(&check.status_property, "name"),
                field(&check.status_property, "type"),
                check
                    .from
                    .iter()
                    .map(|f| format!("'{f}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                check.to
            ),
        ),
        (
            "Due date",
            format!("'{}' (date)", field(&check.date_property, "name")),
        ),
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
        (
            "Notify",
            if check.notify.is_empty() {
                "not configured".to_string()
            } else {
                check.notify.join(", ")
            },
        ),
    ];
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

/// One property of a data source, as `schema` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct PropertyReport {
    pub(crate) name: String,
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) options: Option<Vec<String>>,
}

/// One data source, as `schema` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SourceReport {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) properties: Vec<PropertyReport>,
}

/// What `schema` found.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SchemaReport {
    pub(crate) database_id: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) data_sources: Vec<SourceReport>,
}

/// Renders what `schema` found.
pub(crate) fn render_schema(schema: &SchemaReport, format: Format) -> String {
    let options = |p: &PropertyReport| {
        p.options.as_ref().map(|o| {
            o.iter()
                .map(|o| format!("'{o}'"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let count = schema.data_sources.len();
    match format {
        Format::Json => json(schema),
        Format::Text => {
            let mut out = String::new();
            if let (Some(title), Some(id)) = (&schema.title, &schema.database_id) {
                out.push_str(&format!(
                    "Database '{title}' ({id}): {count} data {}\n",
                    plural(count, "source")
                ));
            }
            for source in &schema.data_sources {
                out.push_str(&format!(
                    "\nData source '{}' ({})\n",
                    source.name, source.id
                ));
                for p in &source.properties {
                    match options(p) {
                        Some(o) => {
                            out.push_str(&format!("  {:<24} {:<10} options: {o}\n", p.name, p.kind))
                        }
                        None => out.push_str(&format!("  {:<24} {}\n", p.name, p.kind)),
                    }
                }
            }
            out
        }
        Format::Markdown => {
            let mut out = String::new();
            if let (Some(title), Some(id)) = (&schema.title, &schema.database_id) {
                out.push_str(&format!(
                    "### Database {} (`{id}`)\n",
                    escape_markdown(title)
                ));
            }
            for source in &schema.data_sources {
                out.push_str(&format!(
                    "\n#### Data source {} (`{}`)\n\n| Property | Type | Options |\n|---|---|---|\n",
                    escape_markdown(&source.name),
                    source.id
                ));
                for p in &source.properties {
                    out.push_str(&format!(
                        "| {} | {} | {} |\n",
                        escape_markdown(&p.name),
                        p.kind,
                        escape_markdown(&options(p).unwrap_or_default())
                    ));
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::example;

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
        use crate::summary::TargetNotification;
        let target = |kind, service, status, error: Option<&str>| TargetNotification {
            kind,
            service,
            status,
            error: error.map(str::to_string),
        };
        let mut summary = example::summary();
        summary.notifications = vec![
            target("slack", "Slack", NotificationStatus::Sent, None),
            target("discord", "Discord", NotificationStatus::Sent, None),
            target("json", "the JSON endpoint", NotificationStatus::Sent, None),
            target("slack", "Slack", NotificationStatus::Sent, None),
        ];
        assert!(headline(&summary)
            .ends_with(" Summary posted to Slack (2 webhooks), Discord and the JSON endpoint."));
        summary.notifications = vec![
            target("slack", "Slack", NotificationStatus::Sent, None),
            target(
                "teams",
                "Teams",
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
        failed.name = "2f26ee68-df30-4251-aad4-8ddc420cba3d".into();
        failed.error = Some(crate::summary::RunError::new(
            crate::summary::RunErrorKind::Setup,
            "could not open database 2f26ee68-df30-4251-aad4-8ddc420cba3d: not shared".into(),
            None,
        ));
        assert_eq!(
            headline(&failed),
            "Nothing was changed: could not open database 2f26ee68-df30-4251-aad4-8ddc420cba3d: not shared"
        );
        failed.data_source_id = Some("248104cd-477e-80af-bc30-000bd28de8f9".into());
        failed.name = "Tasks".into();
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
        dry.notification.status = NotificationStatus::Skipped;
        dry.notifications[0].status = NotificationStatus::Skipped;
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
