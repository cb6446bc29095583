//! Several boards' results: a section (text) or a table (markdown) per
//! board, then one line of totals; in JSON `{"boards": [...], "exit_code": N}`.

use super::sweep::{document, markdown, text};
use super::{json, plural, Format};
use crate::jobs::summary::Summary;

/// Several boards: a section (text) or a table (markdown) per board, then
/// one line of totals; in JSON `{"boards": [...], "exit_code": N}`, each
/// board's document with its `name`.
pub(crate) fn render_boards(summaries: &[Summary], exit: u8, format: Format) -> String {
    if format == Format::Json {
        let boards: Vec<_> = summaries.iter().map(document).collect();
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
                summary.name()
            )),
            _ => out.push_str(&format!(
                "== {}
{}",
                summary.name(),
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
fn totals(summaries: &[Summary], exit: u8) -> String {
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
