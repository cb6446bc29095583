//! What `undo` did, for people (a table of the tasks with the status the
//! sweep set, the status they go back to, their status now and the
//! outcome; one headline) and for machines (its run's document).

use super::run::{text_table, Found};
use super::{escape_markdown, plural};
use crate::jobs::run::Run;
use crate::jobs::undo::{Undo, UndoOutcome, UndoTask};

impl Found for Undo {
    fn failed(&self) -> usize {
        self.failed
    }

    fn anything(&self) -> bool {
        self.listed > 0
    }

    fn said(run: &Run<Self>) -> String {
        let found = &run.found;
        let n = found.listed;
        let name = run.name();
        if n == 0 {
            return format!(
                "Nothing to undo in {name}: the sweep's document lists no task it moved."
            );
        }
        let mut line = if run.dry_run {
            format!(
                "Dry run: {} of {n} {} the sweep moved in {name} would move back; nothing was changed.",
                found.count(UndoOutcome::WouldUndo),
                plural(n, "task")
            )
        } else {
            format!(
                "Moved back {} of {n} {} the sweep moved in {name}.",
                found.undone,
                plural(n, "task")
            )
        };
        if found.conflicts > 0 {
            line.push_str(&format!(
                " {} changed since the sweep and left alone (conflict).",
                found.conflicts
            ));
        }
        if found.failed > 0 {
            line.push_str(&format!(
                " {} could not be moved back; run again to retry.",
                found.failed
            ));
        }
        let unknown = found.count(UndoOutcome::Unknown);
        if unknown > 0 {
            line.push_str(&format!(
                " {unknown} unknown: the run stopped before Notion answered, so they may or may not have moved; check Notion."
            ));
        }
        line
    }

    fn text(run: &Run<Self>) -> String {
        if run.found.tasks.is_empty() {
            return String::new();
        }
        let rows: Vec<_> = run
            .found
            .tasks
            .iter()
            .map(|t| {
                let cells = vec![
                    t.display_title(),
                    t.swept_to.clone(),
                    t.back_to.clone(),
                    now(t).to_string(),
                    t.outcome.word().to_string(),
                ];
                (cells, t.error.as_ref().map(|e| e.message.clone()))
            })
            .collect();
        let headers = ["TASK", "SWEPT TO", "BACK TO", "NOW", "OUTCOME"];
        format!("{}\n", text_table(&headers, &[false; 5], &rows))
    }

    fn markdown(run: &Run<Self>) -> String {
        if run.found.tasks.is_empty() {
            return String::new();
        }
        let mut out =
            String::from("| Task | Swept to | Back to | Now | Outcome |\n|---|---|---|---|---|\n");
        for t in &run.found.tasks {
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
                "| {task} | {} | {} | {} | {outcome} |\n",
                escape_markdown(&t.swept_to),
                escape_markdown(&t.back_to),
                escape_markdown(now(t)),
            ));
        }
        out.push('\n');
        out
    }

    fn totals(runs: &[Run<Self>]) -> String {
        let sum = |f: fn(&Undo) -> usize| runs.iter().map(|r| f(&r.found)).sum::<usize>();
        let (listed, undone) = (sum(|u| u.listed), sum(|u| u.undone));
        let (conflicts, failed) = (sum(|u| u.conflicts), sum(|u| u.failed));
        format!(
            "{listed} {} listed, {undone} moved back, {conflicts} {}, {failed} failed",
            plural(listed, "task"),
            plural(conflicts, "conflict")
        )
    }
}

/// A task's status when read again, or `-`.
fn now(task: &UndoTask) -> &str {
    task.status.as_deref().unwrap_or("-")
}

#[cfg(test)]
mod tests {
    use super::super::run::{exit, headline, render, render_boards};
    use super::super::Format;
    use super::*;
    use crate::jobs::undo::example;
    use crate::output::exit::Exit;

    #[test]
    fn the_text_table() {
        insta::assert_snapshot!(render(&example::run(), Format::Text));
    }

    #[test]
    fn the_markdown_table() {
        insta::assert_snapshot!(render(&example::run(), Format::Markdown));
    }

    #[test]
    fn the_json_document() {
        let run = example::run();
        insta::assert_snapshot!(render(&run, Format::Json));
        assert_eq!(
            exit(&run),
            Exit::Incomplete,
            "a task could not be moved back"
        );
    }

    #[test]
    fn the_dry_run_in_text() {
        insta::assert_snapshot!(render(&example::dry_run(), Format::Text));
    }

    #[test]
    fn conflicts_alone_are_exit_0() {
        let mut run = example::run();
        run.found.tasks.retain(|t| t.outcome != UndoOutcome::Failed);
        run.found.tally();
        assert_eq!(exit(&run), Exit::Done);
        assert_eq!(
            headline(&run),
            "Moved back 3 of 4 tasks the sweep moved in Team Tasks. 1 changed since the sweep \
             and left alone (conflict). Summary posted to Slack."
        );
    }

    #[test]
    fn several_boards_have_totals() {
        let mut other = example::dry_run();
        other.board = Some("Ops".into());
        let mut first = example::run();
        first.board = Some("Eng".into());
        let out = render_boards(&[first, other], Exit::Incomplete, Format::Text);
        assert!(out.starts_with("== Eng\n"), "{out}");
        assert!(out.contains("\n== Ops\n"), "{out}");
        assert!(
            out.ends_with(
                "2 boards: 10 tasks listed, 3 moved back, 2 conflicts, 1 failed; exit code 4.\n"
            ),
            "{out}"
        );
    }
}
