//! A message as parts, before any channel says it in its shape: what
//! `stale` and `digest` post. Our own words stay as they are; names and
//! titles from Notion are cut to what a message shows, and escaped by each
//! channel as it shows them.

use super::message::{link, short, Note, Owner};
use crate::jobs::board::People;
use crate::jobs::task::Task;

/// One piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// Our own words: shown as they are.
    Ours(String),
    /// A name from Notion: escaped.
    Name(String),
    /// A name from Notion, in bold: escaped.
    Bold(String),
}

/// A line of a message, in pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Line(Vec<Piece>);

impl Line {
    /// This line, then our own `words`.
    pub(super) fn ours(mut self, words: impl Into<String>) -> Line {
        self.0.push(Piece::Ours(words.into()));
        self
    }

    /// This line, then a name from Notion.
    pub(super) fn name(mut self, name: &str) -> Line {
        self.0.push(Piece::Name(short(name)));
        self
    }

    /// This line, then a name from Notion in bold.
    pub(super) fn bold(mut self, name: &str) -> Line {
        self.0.push(Piece::Bold(short(name)));
        self
    }

    /// The line as a channel shows it: each name escaped by `escape`, the
    /// bold ones between two `bold`.
    pub(super) fn show(&self, escape: fn(&str) -> String, bold: &str) -> String {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Ours(words) => words.clone(),
                Piece::Name(name) => escape(name),
                Piece::Bold(name) => format!("{bold}{}{bold}", escape(name)),
            })
            .collect()
    }
}

/// A task as a message lists it: its title and its link, as cut for a
/// message, what is said of it after them, and its owners, whom each
/// channel names or mentions as it does in a sweep's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Item {
    /// At most 100 characters, not yet escaped.
    pub(super) title: String,
    /// Empty when it has none, or an absurdly long one.
    pub(super) url: String,
    pub(super) detail: Line,
    pub(super) owners: Vec<Owner>,
}

impl Item {
    /// `task` listed with `detail`, its owners as `people` maps them:
    /// where every listed task of `stale` and `digest` takes its fields from.
    pub(super) fn of(task: &Task, detail: Line, people: &People) -> Item {
        Item {
            title: short(&task.display_title()),
            url: link(&task.url).to_string(),
            detail,
            owners: Owner::all(task.assignees.as_deref().unwrap_or_default(), people),
        }
    }
}

/// A part of a message: a heading line (none for the first part, which
/// the message's first line announces) and the tasks it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Part {
    pub(super) heading: Option<Line>,
    pub(super) items: Vec<Item>,
}

/// What a run says to every channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Said {
    /// The first line.
    pub(super) head: Line,
    /// Counts by name (from Notion), in order: facts on a Teams card, one
    /// line under the first on the others.
    pub(super) facts: Vec<(String, usize)>,
    /// Each part lists at most ten tasks, then counts the rest.
    pub(super) parts: Vec<Part>,
    /// What a channel must know besides the list.
    pub(super) notes: Vec<Note>,
}

impl Said {
    /// The facts as one line (Slack, Discord): `To Do: 3 · Done: 12`,
    /// names escaped by `escape`; empty when there are none.
    pub(super) fn facts_line(&self, escape: fn(&str) -> String) -> String {
        if self.facts.is_empty() {
            return String::new();
        }
        let facts: Vec<String> = self
            .facts
            .iter()
            .map(|(name, n)| format!("{}: {n}", escape(name)))
            .collect();
        format!("\n{}", facts.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_cut_our_words_are_not() {
        let line = Line::default()
            .bold("A&B")
            .ours(": 3 <tasks> in ")
            .name(&"x".repeat(300));
        let shown = line.show(|s| s.replace('&', "&amp;"), "*");
        assert!(shown.starts_with("*A&amp;B*: 3 <tasks> in xxx"), "{shown}");
        assert_eq!(
            shown.chars().count(),
            "*A&amp;B*: 3 <tasks> in ".len() + 100
        );
        assert!(shown.ends_with('…'));
    }
}
