//! `undo REPORT`: the JSON document of an earlier sweep, read bounded from
//! a file or standard input, checked whole before anything is sent, into
//! what `undo` is asked of each board (a [`Plan`]) and the boards it runs
//! on. The document is data: only its IDs (each checked), names and
//! statuses are used; no URL in it is ever contacted (the API's comes from
//! `--api-url` / `NOTION_API_URL`, as for every command).

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::settings::{self, CommandLine};
use super::{Env, UsageError};
use crate::guards::limits::{self, MIB};
use crate::jobs::board::Board;
use crate::jobs::undo::{Listed, Plan};
use crate::notion::ids::NotionId;

/// The largest document read: a sweep's document is about 400 bytes a task.
pub(crate) const REPORT_LIMIT: u64 = 64 * MIB as u64;

/// What to do with a document that is not a sweep's.
const EXPECTED: &str = "undo takes the document a sweep printed with --output json \
                        (notion-sweep sweep --output json > sweep.json; notion-sweep undo sweep.json)";

/// One board of the document: which data source, and what to undo there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Swept {
    /// Its name in the settings file the sweep read (several boards).
    pub(crate) name: Option<String>,
    pub(crate) database_id: Option<NotionId>,
    /// `None` only for a board whose sweep stopped before it found its
    /// data source: it moved nothing.
    pub(crate) data_source_id: Option<NotionId>,
    pub(crate) plan: Plan,
}

/// A sweep's document, read: one board, or several (`{"boards": [...]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    pub(crate) several: bool,
    pub(crate) boards: Vec<Swept>,
}

/// Reads REPORT (`-`: standard input), bounded, and checks it.
pub(crate) fn read(report: &str) -> Result<Report, UsageError> {
    let (bytes, what) = if report == "-" {
        if std::io::stdin().is_terminal() {
            return Err(UsageError::value(format!(
                "undo - reads the sweep's document from standard input, but standard input is a \
                 terminal: pipe the document in (notion-sweep undo - < sweep.json), or give its path; \
                 {EXPECTED}"
            )));
        }
        let bytes = limits::read_stdin(REPORT_LIMIT).map_err(|e| {
            UsageError::value(format!(
                "could not read the report from standard input: {e}"
            ))
        })?;
        (bytes, "the report on standard input".to_string())
    } else {
        let path = Path::new(report);
        let what = format!("the report {}", path.display());
        // A regular file says its size: refuse a large one without reading it.
        if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > REPORT_LIMIT) {
            return Err(too_large(&what));
        }
        let bytes = limits::read_file(path, REPORT_LIMIT).map_err(|e| {
            UsageError::value(format!(
                "could not read the report {}: {e}; give the path of a sweep's JSON document, or - \
                 for standard input",
                path.display()
            ))
        })?;
        (bytes, what)
    };
    if bytes.len() as u64 > REPORT_LIMIT {
        return Err(too_large(&what));
    }
    parse(&bytes).map_err(|why| UsageError::value(format!("{what} {why}")))
}

fn too_large(what: &str) -> UsageError {
    UsageError::value(format!(
        "{what} is larger than {} MiB, more than any sweep's document: check that it is one",
        REPORT_LIMIT / MIB as u64
    ))
}

/// Reads a document; what is wrong with it, said after the report's name.
pub(crate) fn parse(bytes: &[u8]) -> Result<Report, String> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("is not JSON ({e}); {EXPECTED}; nothing was sent to Notion"))?;
    let Some(object) = value.as_object() else {
        return Err(format!(
            "is JSON, but not a sweep's document (not an object); {EXPECTED}"
        ));
    };
    let report = match object.get("boards") {
        Some(Value::Array(boards)) if !object.contains_key("tasks") => {
            let mut read = Vec::with_capacity(boards.len());
            for (n, board) in boards.iter().enumerate() {
                read.push(one(board).map_err(|why| format!("(board {}) {why}", n + 1))?);
            }
            Report {
                several: true,
                boards: read,
            }
        }
        _ => Report {
            several: false,
            boards: vec![one(&value)?],
        },
    };
    let mut seen = HashSet::new();
    for listed in report.boards.iter().flat_map(|b| &b.plan.tasks) {
        if !seen.insert(listed.id.as_str()) {
            return Err(format!(
                "lists the task {} twice; a sweep lists each task once: was the document edited?",
                listed.id
            ));
        }
    }
    Ok(report)
}

/// One board's document, as far as `undo` reads it.
#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    database_id: Option<String>,
    #[serde(default)]
    data_source_id: Option<String>,
    dry_run: bool,
    to: String,
    status_property: String,
    #[serde(default)]
    restore_to: Option<String>,
    #[serde(default)]
    started_at: Option<String>,
    tasks: Vec<Task>,
}

/// A task of the document, as far as `undo` reads it.
#[derive(Deserialize)]
struct Task {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    status: Option<String>,
    outcome: String,
}

fn one(value: &Value) -> Result<Swept, String> {
    let has = |key: &str| value.get(key).is_some();
    if !value.is_object() || !has("tasks") || !has("to") || !has("dry_run") {
        let missing: Vec<&str> = ["to", "dry_run", "tasks"]
            .into_iter()
            .filter(|k| !has(k))
            .collect();
        return Err(format!(
            "is JSON, but not a sweep's document (it has no {}); {EXPECTED}",
            missing
                .iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !has("status_property") {
        return Err(
            "was written by an older notion-sweep: it does not name the status property the sweep \
             wrote ('status_property'), so undo cannot tell what to move back; move those tasks \
             back in Notion, and keep the --output json document of sweeps from this version, \
             which undo can read; nothing was sent to Notion"
                .into(),
        );
    }
    let doc: Document = serde_json::from_value(value.clone())
        .map_err(|e| format!("is not a sweep's document as undo reads it ({e}); {EXPECTED}"))?;
    if doc.dry_run {
        return Err(
            "is the document of a dry run (\"dry_run\": true), which changed nothing: there is \
             nothing to undo; give the document of the run that wrote"
                .into(),
        );
    }
    let name = |what: &str, value: &str| -> Result<String, String> {
        if value.trim().is_empty() {
            return Err(format!("has an empty {what}: was the document edited?"));
        }
        Ok(value.to_string())
    };
    let to = name("'to'", &doc.to)?;
    let status_property = name("'status_property'", &doc.status_property)?;
    let restore_to = doc
        .restore_to
        .as_deref()
        .map(|r| name("'restore_to'", r))
        .transpose()?;
    let id = |what: &str, raw: &str| {
        NotionId::parse(raw).ok_or_else(|| {
            format!(
                "has {what} '{}', which is not a Notion ID (32 hex digits): was the document edited?",
                cut(raw)
            )
        })
    };
    let database_id = doc
        .database_id
        .as_deref()
        .map(|d| id("the database_id", d))
        .transpose()?;
    let data_source_id = doc
        .data_source_id
        .as_deref()
        .map(|d| id("the data_source_id", d))
        .transpose()?;
    let swept_at = match doc.started_at.as_deref() {
        None => None,
        Some(at) => Some(
            DateTime::parse_from_rfc3339(at)
                .map_err(|_| format!("has a started_at '{}' that is not a time", cut(at)))?
                .with_timezone(&Utc),
        ),
    };
    let mut tasks = Vec::new();
    for task in &doc.tasks {
        let swept_to = match task.outcome.as_str() {
            "updated" => to.clone(),
            "restored" => restore_to.clone().ok_or_else(|| {
                "lists a restored task but names no 'restore_to': was the document edited?"
                    .to_string()
            })?,
            _ => continue,
        };
        let page = id("a task with the id", &task.id)?;
        let back_to = match task.status.as_deref().map(str::trim) {
            Some(status) if !status.is_empty() => status.to_string(),
            _ => {
                return Err(format!(
                    "lists the task {page} as {} but not the status it had before the sweep: \
                     was the document edited?",
                    task.outcome
                ))
            }
        };
        if back_to == swept_to {
            continue;
        }
        tasks.push(Listed {
            id: page.to_string(),
            title: task.title.clone().unwrap_or_default(),
            swept_to,
            back_to,
        });
    }
    if data_source_id.is_none() && !tasks.is_empty() {
        return Err(format!(
            "lists tasks the sweep moved but no data_source_id: was the document edited? {EXPECTED}"
        ));
    }
    Ok(Swept {
        name: doc.name,
        database_id,
        data_source_id,
        plan: Plan {
            status_property,
            to,
            restore_to,
            swept_at,
            tasks,
        },
    })
}

/// At most 60 characters of a value from the document, for a message.
fn cut(raw: &str) -> String {
    let mut out: String = raw.chars().take(60).collect();
    if raw.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// The boards `undo` runs on: one per board of the document that found
/// its data source, each under the command line's connection settings
/// (token, API, rate, retries, deadline, lock wait, channels), with the
/// document's data source and status property.
pub(crate) fn boards(
    line: &CommandLine,
    env: Env,
    report: &Report,
) -> Result<Vec<(Board, Plan)>, UsageError> {
    if line.layer.data_source.is_some() && line.layer.origins.of("data_source").starts_with("--") {
        return Err(UsageError::value(
            "undo works on the data source its document names: leave out --data-source",
        ));
    }
    let mut boards = Vec::new();
    for swept in &report.boards {
        let Some(data_source) = &swept.data_source_id else {
            continue;
        };
        let plan = &swept.plan;
        let mut line = line.clone();
        line.database = swept.database_id.as_ref().map(NotionId::to_string);
        line.database_typed = false;
        line.config = None;
        line.picked.clear();
        let layer = &mut line.layer;
        layer.data_source = Some(data_source.to_string());
        layer.status_property = Some(plan.status_property.clone());
        for (key, what) in [
            ("status_property", "'status_property'"),
            ("to", "'to'"),
            ("restore_to", "'restore_to'"),
            ("status", "a task's 'status'"),
        ] {
            layer.origins.set(key, format!("{what} of the report"));
        }
        let board = settings::boards(&line, env)?.into_iter().next();
        let Some(mut board) = board else {
            continue;
        };
        board.name = swept.name.clone();
        boards.push((board, plan.clone()));
    }
    Ok(boards)
}

#[cfg(test)]
mod tests;
