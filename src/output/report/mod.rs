//! What people and machines read on standard output: one module per
//! document (a sweep, several boards, `check`, `schema`), and the helpers
//! they share.

mod boards;
mod check;
mod schema;
mod sweep;

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
