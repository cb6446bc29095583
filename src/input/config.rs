//! `--config boards.toml`: several boards in one run, read once into typed
//! layers.
//!
//! The file's top-level keys are defaults for every board, named as the long
//! flags with `_` for `-`; each `[[board]]` has a unique `name`, a
//! `database` or a `data_source`, any of the same keys as overrides, and
//! optionally `token_env`. Every value is checked by the same parser as its
//! flag. Secrets are never literal: a `notify` or `slack_webhook` entry is
//! made of `${VAR}` references, expanded from the environment. The file is
//! loaded whole or not at all.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::layer::Layer;
use super::values;
use super::{Env, UsageError};
use crate::guards::limits;
use crate::jobs::board::People;
use crate::jobs::rule::GivenBy;

/// The most a settings file may hold.
const FILE_LIMIT: u64 = 1024 * 1024;

/// A settings file, read.
#[derive(Debug, Clone)]
pub(crate) struct ConfigFile {
    pub(crate) path: PathBuf,
    /// The top-level keys: defaults for every board.
    pub(crate) top: Layer,
    pub(crate) boards: Vec<BoardEntry>,
    /// The variables the file names (`token_env`, `${VAR}`).
    pub(crate) variables: BTreeSet<String>,
    /// `[people]`: Notion users and their chat identities.
    pub(crate) people: People,
}

/// One `[[board]]` of the file.
#[derive(Debug, Clone)]
pub(crate) struct BoardEntry {
    pub(crate) name: String,
    /// Its database, as written (an ID or a URL).
    pub(crate) database: Option<String>,
    /// The variable that holds its token, if not `NOTION_TOKEN`.
    pub(crate) token_env: Option<String>,
    /// Its own settings (its data source among them).
    pub(crate) layer: Layer,
    /// The variables its keys name (`${VAR}`).
    pub(crate) variables: BTreeSet<String>,
}

impl ConfigFile {
    /// Reads `path`; `env` expands `${VAR}` in secrets and checks `token_env`.
    pub(crate) fn load(path: &Path, env: Env) -> Result<ConfigFile, UsageError> {
        let file = path.display().to_string();
        let mut table = parse(&read(path)?, &file)?;
        let boards = match table.remove("board") {
            Some(Value::Array(boards)) if !boards.is_empty() => boards,
            Some(_) | None => {
                return Err(UsageError::config(format!(
                    "{file}: no [[board]] table; each board needs one, with a name and a database"
                )))
            }
        };
        let people = people::read(table.remove("people"), &file)?;
        let mut keys = Keys::new(&table, &file, "at the top level".into(), env);
        let top = keys.layer()?;
        keys.finish()?;
        let mut entries: Vec<BoardEntry> = Vec::new();
        for (index, board) in boards.iter().enumerate() {
            let Value::Table(board) = board else {
                return Err(UsageError::config(format!(
                    "{file}: board {} is not a table",
                    index + 1
                )));
            };
            let entry = board_entry(board, &file, env)?;
            if entries.iter().any(|e| e.name == entry.name) {
                return Err(UsageError::config(format!(
                    "{file}: two boards are named '{}'; each name must be unique",
                    entry.name
                )));
            }
            entries.push(entry);
        }
        let mut variables: BTreeSet<String> = keys.variables.take();
        for entry in &entries {
            variables.extend(entry.token_env.clone());
            variables.extend(entry.variables.iter().cloned());
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            top,
            boards: entries,
            variables,
            people,
        })
    }

    /// The boards `picked` by name (all when none is).
    pub(crate) fn pick(&self, picked: &[String]) -> Result<Vec<&BoardEntry>, UsageError> {
        if let Some(unknown) = picked
            .iter()
            .find(|p| !self.boards.iter().any(|b| &b.name == *p))
        {
            let names: Vec<&str> = self.boards.iter().map(|b| b.name.as_str()).collect();
            return Err(UsageError::config(format!(
                "--board '{unknown}' is not in {}; its boards are {}",
                self.path.display(),
                names.join(", ")
            )));
        }
        Ok(self
            .boards
            .iter()
            .filter(|b| picked.is_empty() || picked.contains(&b.name))
            .collect())
    }
}

/// The file's text: at most 1 MiB, read within a time limit (a FIFO or
/// `<(command)` that gives nothing cannot hang the run).
fn read(path: &Path) -> Result<String, UsageError> {
    let file = path.display();
    let bytes = limits::read_file(path, FILE_LIMIT)
        .map_err(|e| UsageError::config(format!("could not read the settings file {file}: {e}")))?;
    if bytes.len() as u64 > FILE_LIMIT {
        return Err(UsageError::config(format!(
            "the settings file {file} is larger than 1 MiB; check that it is the right file"
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        UsageError::config(format!(
            "the settings file {file} is not UTF-8 text; save it as UTF-8"
        ))
    })
}

/// The file as TOML. A syntax error names the line and column, never the
/// line's text: it may hold a secret.
fn parse(text: &str, file: &str) -> Result<Table, UsageError> {
    text.parse::<Table>().map_err(|e| {
        let place = match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                format!(", line {line}, column {column}")
            }
            None => String::new(),
        };
        UsageError::config(format!(
            "{file} is not valid TOML{place}: {} (the line is not shown: it may hold a secret)",
            e.message().trim()
        ))
    })
}

fn board_entry(board: &Table, file: &str, env: Env) -> Result<BoardEntry, UsageError> {
    let name = match board.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_string(),
        _ => {
            return Err(UsageError::config(format!(
                "{file}: a [[board]] has no name; give each one `name = \"…\"`"
            )))
        }
    };
    let mut keys = Keys::new(board, file, format!("board '{name}'"), env);
    keys.text("name")?;
    let database = keys.text("database")?;
    let token_env = keys.text("token_env")?;
    let data_source = keys.text("data_source")?;
    let mut layer = keys.layer()?;
    layer.data_source = data_source;
    keys.finish()?;
    if database.is_none() && layer.data_source.is_none() {
        return Err(UsageError::config(format!(
            "{file}: board '{name}' has neither a database nor a data_source"
        )));
    }
    if let Some(var) = &token_env {
        if env(var).is_none_or(|v| v.trim().is_empty()) {
            return Err(UsageError::config(format!(
                "board '{name}': its token_env names {var}, which is not set; export {var}=ntn_… (that workspace's integration secret)"
            )));
        }
    }
    Ok(BoardEntry {
        name,
        database,
        token_env,
        layer,
        variables: keys.variables.take(),
    })
}

/// Reads the keys of one table, each by the same parser as its flag, and
/// knows which keys it was asked for: any other key is a mistake.
struct Keys<'a> {
    table: &'a Table,
    file: &'a str,
    place: String,
    env: Env<'a>,
    known: BTreeSet<&'static str>,
    /// Where each key read came from, as a message names it.
    origins: GivenBy,
    /// The variables its secrets name.
    variables: RefCell<BTreeSet<String>>,
}

impl<'a> Keys<'a> {
    fn new(table: &'a Table, file: &'a str, place: String, env: Env<'a>) -> Keys<'a> {
        Keys {
            table,
            file,
            place,
            env,
            known: BTreeSet::new(),
            origins: GivenBy::default(),
            variables: RefCell::default(),
        }
    }

    fn error(&self, key: &str, why: impl std::fmt::Display) -> UsageError {
        UsageError::config(format!("{}: {}: '{key}' {why}", self.file, self.place))
    }

    /// The settings every board (and the top level) may set.
    fn layer(&mut self) -> Result<Layer, UsageError> {
        Ok(Layer {
            data_source: None,
            status_property: self.text("status_property")?,
            date_property: self.text("date_property")?,
            from: self.list("from")?,
            to: self.text("to")?,
            as_of: self.parsed("as_of", values::date)?,
            tz: self.parsed("tz", values::zone)?,
            restore: self.switch("restore")?,
            restore_to: self.text("restore_to")?,
            due_soon: self.parsed("due_soon", values::due_soon)?,
            exempt: self.parsed_list("exempt", values::exempt)?,
            snooze_property: self.text("snooze_property")?,
            assignee_property: self.text("assignee_property")?,
            comment: self.switch("comment")?,
            max_changes: self.parsed("max_changes", values::max_changes)?,
            status: self.list("status")?,
            idle: self.parsed("idle", values::idle)?,
            move_to: self.text("move_to")?,
            since: self.parsed("since", values::since)?,
            dry_run: self.switch("dry_run")?,
            limit: self.parsed("limit", values::limit)?,
            lock_wait: self.parsed("lock_wait", values::wait)?.map(|s| s.0),
            rate: self.parsed("rate", values::rate)?,
            max_retries: self.parsed("max_retries", values::retries)?,
            timeout: self.parsed("timeout", values::seconds)?.map(|s| s.0),
            deadline: self.parsed("deadline", values::seconds)?.map(|s| s.0),
            api_url: self.text("api_url")?,
            notion_version: self.text("notion_version")?,
            notify_empty: self.switch("notify_empty")?,
            no_notify: self.switch("no_notify")?,
            slack_webhook: self.secret("slack_webhook")?,
            notify: self.secrets("notify")?,
            // Last: every key above has recorded where it came from.
            origins: std::mem::take(&mut self.origins),
        })
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.insert(key);
        let value = self.table.get(key)?;
        let origin = match self.place.strip_prefix("at ") {
            Some(top) => format!("'{key}' at the {top} of {}", self.file),
            None => format!("'{key}' of {} in {}", self.place, self.file),
        };
        self.origins.set(key, origin);
        Some(value)
    }

    /// A value as the text its flag would be given.
    fn scalar(&self, key: &str, value: &Value) -> Result<String, UsageError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Integer(n) => Ok(n.to_string()),
            Value::Float(x) => Ok(x.to_string()),
            Value::Datetime(d) => Ok(d.to_string()),
            _ => Err(self.error(key, "must be text or a number")),
        }
    }

    fn text(&mut self, key: &'static str) -> Result<Option<String>, UsageError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Some(_) => Err(self.error(key, "must be a text value")),
        }
    }

    fn parsed<T>(
        &mut self,
        key: &'static str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, UsageError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let raw = self.scalar(key, value)?;
        parse(&raw)
            .map(Some)
            .map_err(|why| self.error(key, format_args!("is not valid: {why}")))
    }

    /// One value or a list of them, each by the same parser as its flag.
    fn parsed_list<T>(
        &mut self,
        key: &'static str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Result<Option<Vec<T>>, UsageError> {
        let Some(items) = self.list(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|raw| {
                parse(raw).map_err(|why| self.error(key, format_args!("is not valid: {why}")))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// One text or a list of texts.
    fn list(&mut self, key: &'static str) -> Result<Option<Vec<String>>, UsageError> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        let items = match value {
            Value::Array(items) => items
                .iter()
                .map(|v| self.scalar(key, v))
                .collect::<Result<Vec<_>, _>>()?,
            other => vec![self.scalar(key, other)?],
        };
        Ok(Some(items))
    }

    fn switch(&mut self, key: &'static str) -> Result<Option<bool>, UsageError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Boolean(on)) => Ok(Some(*on)),
            Some(_) => Err(self.error(key, "must be true or false")),
        }
    }

    /// A secret, expanded from the environment.
    fn secret(&mut self, key: &'static str) -> Result<Option<String>, UsageError> {
        match self.text(key)? {
            None => Ok(None),
            Some(raw) => self.expand(key, &raw).map(Some),
        }
    }

    /// One secret or a list of them, each expanded from the environment.
    fn secrets(&mut self, key: &'static str) -> Result<Option<Vec<String>>, UsageError> {
        let Some(raws) = self.list(key)? else {
            return Ok(None);
        };
        raws.iter()
            .map(|raw| self.expand(key, raw))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// Every `${VAR}` of a secret expanded from the environment. A secret is
    /// never literal: after an optional kind prefix (`discord+`) the entry
    /// is made of `${VAR}` references and nothing else.
    fn expand(&self, key: &str, raw: &str) -> Result<String, UsageError> {
        let raw = raw.trim();
        let (prefix, mut rest) = match raw.split_once('+') {
            Some((kind, rest))
                if !kind.contains("${") && kind.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                (format!("{kind}+"), rest)
            }
            _ => (String::new(), raw),
        };
        let literal = || {
            self.error(
                key,
                "must come from the environment as ${VAR} (several may follow each other, \
                 optionally after a kind prefix such as discord+): a webhook URL is a secret \
                 and is never written in the file (value not shown)",
            )
        };
        let mut value = prefix;
        if rest.is_empty() {
            return Err(literal());
        }
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix("${") else {
                return Err(literal());
            };
            let Some((var, after)) = inner.split_once('}') else {
                return Err(self.error(key, "has a '${' without its closing '}'"));
            };
            self.variables.borrow_mut().insert(var.to_string());
            match (self.env)(var).filter(|v| !v.trim().is_empty()) {
                Some(expanded) => value.push_str(expanded.trim()),
                None => {
                    return Err(UsageError::config(format!(
                        "{}: {}: {var} (in '{key}') is not set in the environment",
                        self.file, self.place
                    )))
                }
            }
            rest = after;
        }
        Ok(value)
    }

    /// Any key not asked for is a mistake, named with the keys there are.
    fn finish(&self) -> Result<(), UsageError> {
        match self.table.keys().find(|k| !self.known.contains(k.as_str())) {
            None => Ok(()),
            Some(key) => Err(UsageError::config(format!(
                "{}: unknown key '{key}' {}; the keys are {}",
                self.file,
                if self.place.starts_with("board") {
                    format!("in {}", self.place)
                } else {
                    self.place.clone()
                },
                self.known.iter().copied().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

mod people;

#[cfg(test)]
mod tests;
