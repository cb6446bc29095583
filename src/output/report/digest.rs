//! What `digest` found, for people (the tasks per status, then the tasks
//! edited lately, up to ten per status; one headline) and for machines
//! (its run's document).

use super::run::{edited, linked_title, owners, status, text_table, with_owners, Found};
use super::{escape_markdown, plural};
use crate::jobs::digest::Digest;
use crate::jobs::run::Run;
use crate::jobs::task::Task;

/// Edited tasks listed per status at most; the rest are counted.
const LISTED: usize = 10;

impl Found for Digest {
    fn anything(&self) -> bool {
        true
    }

    fn said(run: &Run<Self>) -> String {
        let found = &run.found;
        format!(
            "{} {} in {}; {} edited in the last {}.",
            found.total,
            plural(found.total, "task"),
            run.name(),
            found.edited.len(),
            hours(found.since_hours)
        )
    }

    fn text(run: &Run<Self>) -> String {
        let found = &run.found;
        let rows: Vec<_> = counts(found)
            .into_iter()
            .map(|(name, n)| (vec![name, n.to_string()], None))
            .collect();
        let mut out = text_table(&["STATUS", "TASKS"], &[false, true], &rows);
        out.push('\n');
        if found.edited.is_empty() {
            out.push_str(&format!("{}: none.\n\n", edited_since(found)));
            return out;
        }
        out.push_str(&format!("{}:\n", edited_since(found)));
        let owned = with_owners(&found.edited);
        // A line of its own (a status, a count): empty cells after the first.
        let alone = |first: String| {
            let mut cells = vec![first, String::new()];
            if owned {
                cells.push(String::new());
            }
            (cells, None)
        };
        let mut rows = Vec::new();
        for (status, tasks, more) in groups(found) {
            rows.push(alone(status.to_string()));
            for task in tasks {
                let mut cells = vec![format!("  {}", task.display_title()), edited(task)];
                if owned {
                    cells.push(owners(task, false));
                }
                rows.push((cells, None));
            }
            if more > 0 {
                rows.push(alone(format!("  …and {more} more")));
            }
        }
        let headers: &[&str] = if owned {
            &["TASK", "LAST EDITED (UTC)", "OWNER"]
        } else {
            &["TASK", "LAST EDITED (UTC)"]
        };
        out.push_str(&text_table(headers, &[false, false, false], &rows));
        out.push('\n');
        out
    }

    fn markdown(run: &Run<Self>) -> String {
        let found = &run.found;
        let mut out = String::from("| Status | Tasks |\n|---|--:|\n");
        for (name, n) in counts(found) {
            out.push_str(&format!("| {} | {n} |\n", escape_markdown(&name)));
        }
        out.push('\n');
        if found.edited.is_empty() {
            out.push_str(&format!("{}: none.\n\n", edited_since(found)));
            return out;
        }
        let owned = with_owners(&found.edited);
        let (owner_head, owner_rule, owner_none) = if owned {
            (" Owner |", "---|", " |")
        } else {
            ("", "", "")
        };
        out.push_str(&format!(
            "{}:\n\n| Task | Status | Last edited (UTC) |{owner_head}\n|---|---|---|{owner_rule}\n",
            edited_since(found)
        ));
        for (status_name, tasks, more) in groups(found) {
            let status_name = escape_markdown(status_name);
            for task in tasks {
                let owner = if owned {
                    format!(" {} |", owners(task, true))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "| {} | {} | {} |{owner}\n",
                    linked_title(task),
                    escape_markdown(status(task)),
                    edited(task)
                ));
            }
            if more > 0 {
                out.push_str(&format!(
                    "| …and {more} more | {status_name} | |{owner_none}\n"
                ));
            }
        }
        out.push('\n');
        out
    }

    fn totals(runs: &[Run<Self>]) -> String {
        let total: usize = runs.iter().map(|r| r.found.total).sum();
        let edited: usize = runs.iter().map(|r| r.found.edited.len()).sum();
        format!("{total} {}, {edited} edited lately", plural(total, "task"))
    }
}

/// Each status and its count, in the schema's order; tasks without a
/// status last, when there are any.
fn counts(digest: &Digest) -> Vec<(String, usize)> {
    let mut rows: Vec<(String, usize)> = digest
        .counts
        .iter()
        .map(|(name, n)| (name.to_string(), n))
        .collect();
    if digest.no_status > 0 {
        rows.push(("(no status)".into(), digest.no_status));
    }
    rows
}

/// The edited tasks by status: the status, at most [`LISTED`] of its
/// tasks, and how many more there are.
fn groups(digest: &Digest) -> Vec<(&str, Vec<&Task>, usize)> {
    digest
        .edited_statuses()
        .into_iter()
        .map(|status| {
            let all: Vec<&Task> = digest.edited_in(status).collect();
            let more = all.len().saturating_sub(LISTED);
            let shown = all.into_iter().take(LISTED).collect();
            (status.unwrap_or("(no status)"), shown, more)
        })
        .collect()
}

/// "Edited since 2026-11-21 09:30 UTC (the last 24 hours)".
fn edited_since(digest: &Digest) -> String {
    format!(
        "Edited since {} UTC (the last {})",
        digest.since.format("%Y-%m-%d %H:%M"),
        hours(digest.since_hours)
    )
}

/// "24 hours", "hour".
pub(crate) fn hours(n: u32) -> String {
    if n == 1 {
        "hour".into()
    } else {
        format!("{n} hours")
    }
}

#[cfg(test)]
mod tests {
    use super::super::run::{headline, render};
    use super::super::Format;
    use crate::jobs::digest::example;

    #[test]
    fn the_text_tables() {
        insta::assert_snapshot!(render(&example::run(), Format::Text));
    }

    #[test]
    fn the_markdown_tables() {
        insta::assert_snapshot!(render(&example::run(), Format::Markdown));
    }

    #[test]
    fn the_json_document_keeps_the_schemas_order() {
        let json = render(&example::run(), Format::Json);
        insta::assert_snapshot!(json);
        let to_do = json.find("\"To Do\": 2").unwrap();
        let review = json.find("\"Review\": 0").unwrap();
        let done = json.find("\"Done\": 1").unwrap();
        assert!(to_do < review && review < done, "{json}");
    }

    #[test]
    fn a_digest_says_how_many_and_how_many_edited() {
        let mut run = example::run();
        assert_eq!(
            headline(&run),
            "17 tasks in Team Tasks; 14 edited in the last 24 hours. Summary posted to Slack and Teams."
        );
        run.found.edited.clear();
        run.found.since_hours = 1;
        assert!(render(&run, Format::Text).contains("(the last hour): none."));
    }
}
