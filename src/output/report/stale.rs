//! What `stale` found, for people (a table of the tasks with their status,
//! last edit, days idle and outcome; one headline) and for machines (its
//! run's document).

use super::run::{edited, linked_title, owners, status, text_table, with_owners, Found};
use super::{escape_markdown, plural};
use crate::jobs::run::Run;
use crate::jobs::stale::{Stale, StaleOutcome, StaleTask};

impl Found for Stale {
    fn failed(&self) -> usize {
        self.failed
    }

    fn anything(&self) -> bool {
        self.matched > 0
    }

    fn said(run: &Run<Self>) -> String {
        let found = &run.found;
        let n = found.matched;
        let looked = format!(
            "in {} untouched for {}+ {} in {}",
            either(&found.statuses),
            found.idle_days,
            plural(found.idle_days as usize, "day"),
            run.name()
        );
        if n == 0 {
            return format!("No tasks {looked}.");
        }
        let mut line = format!("{n} {} {looked}", plural(n, "task"));
        match &found.move_to {
            None => line.push('.'),
            Some(to) if run.dry_run => line.push_str(&format!(
                "; dry run: {} would move to '{to}', nothing was changed.",
                found.count(StaleOutcome::WouldMove)
            )),
            Some(to) => line.push_str(&format!("; {} moved to '{to}'.", found.moved)),
        }
        if found.failed > 0 {
            line.push_str(&format!(
                " {} could not be moved; run again to retry.",
                found.failed
            ));
        }
        let unknown = found.count(StaleOutcome::Unknown);
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
        let owned = with_owners(run.found.tasks.iter().map(|t| &t.task));
        let rows: Vec<_> = run
            .found
            .tasks
            .iter()
            .map(|t| {
                let mut cells = vec![
                    t.task.display_title(),
                    status(&t.task).to_string(),
                    edited(&t.task),
                    idle(t),
                ];
                if owned {
                    cells.push(owners(&t.task, false));
                }
                cells.push(t.outcome.word().to_string());
                (cells, t.error.as_ref().map(|e| e.message.clone()))
            })
            .collect();
        let mut headers = vec!["TASK", "STATUS", "LAST EDITED (UTC)", "IDLE"];
        let mut right = vec![false, false, false, true];
        if owned {
            headers.push("OWNER");
            right.push(false);
        }
        headers.push("OUTCOME");
        right.push(false);
        format!("{}\n", text_table(&headers, &right, &rows))
    }

    fn markdown(run: &Run<Self>) -> String {
        if run.found.tasks.is_empty() {
            return String::new();
        }
        let owned = with_owners(run.found.tasks.iter().map(|t| &t.task));
        let mut out = String::from(if owned {
            "| Task | Status | Last edited (UTC) | Days idle | Owner | Outcome |\n|---|---|---|--:|---|---|\n"
        } else {
            "| Task | Status | Last edited (UTC) | Days idle | Outcome |\n|---|---|---|--:|---|\n"
        });
        for t in &run.found.tasks {
            let mut outcome = t.outcome.word().to_string();
            if let Some(error) = &t.error {
                outcome.push_str(&format!(": {}", escape_markdown(&error.message)));
            }
            let owner = if owned {
                format!(" {} |", owners(&t.task, true))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} |{owner} {outcome} |\n",
                linked_title(&t.task),
                escape_markdown(status(&t.task)),
                edited(&t.task),
                t.idle_days.map_or("-".into(), |d| d.to_string()),
            ));
        }
        out.push('\n');
        out
    }

    fn totals(runs: &[Run<Self>]) -> String {
        let sum = |f: fn(&Stale) -> usize| runs.iter().map(|r| f(&r.found)).sum::<usize>();
        let (found, moved, failed) = (sum(|s| s.matched), sum(|s| s.moved), sum(|s| s.failed));
        format!(
            "{found} stale {} found, {moved} moved, {failed} failed",
            plural(found, "task")
        )
    }
}

/// Days idle as `12d`, or `-`.
fn idle(task: &StaleTask) -> String {
    task.idle_days.map_or("-".into(), |d| format!("{d}d"))
}

/// `'A'`, `'A' or 'B'`, `'A', 'B' or 'C'`.
pub(crate) fn either(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::run::{exit, headline, render};
    use super::super::Format;
    use super::*;
    use crate::jobs::stale::example;
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
        assert_eq!(exit(&run), Exit::Incomplete, "a task could not be moved");
    }

    #[test]
    fn headlines_of_a_listing_a_dry_run_and_nothing_found() {
        let listed = example::listed();
        assert_eq!(
            headline(&listed),
            "12 tasks in 'In Progress' untouched for 7+ days in Team Tasks. Summary posted to Slack."
        );
        let mut dry = example::run();
        dry.dry_run = true;
        for t in &mut dry.found.tasks {
            t.outcome = StaleOutcome::WouldMove;
            t.error = None;
        }
        (dry.found.moved, dry.found.failed) = (0, 0);
        assert!(headline(&dry).starts_with(
            "3 tasks in 'In Progress' or 'Review' untouched for 7+ days in Team Tasks; \
             dry run: 3 would move to 'Stalled', nothing was changed."
        ));
        let mut none = example::listed();
        none.found.tasks.clear();
        none.found.matched = 0;
        none.found.idle_days = 1;
        none.notifications.clear();
        none.notification.status = crate::jobs::summary::NotificationStatus::Skipped;
        assert_eq!(
            render(&none, Format::Text),
            "No tasks in 'In Progress' untouched for 1+ day in Team Tasks.\n"
        );
    }

    #[test]
    fn statuses_are_named_as_people_say_them() {
        let names = |n: &[&str]| either(&n.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&["A"]), "'A'");
        assert_eq!(names(&["A", "B"]), "'A' or 'B'");
        assert_eq!(names(&["A", "B", "C"]), "'A', 'B' or 'C'");
    }
}
