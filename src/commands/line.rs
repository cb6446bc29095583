//! The command line as the commands read it, once: what the user gave
//! (the layer of settings, read from clap's matches) and the output format.

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

use std::path::PathBuf;

use clap::CommandFactory;

use crate::input::cli::{BoardArgs, Cli, ConnectionArgs, OutputFormat};
use crate::input::layer::Layer;
use crate::input::settings::CommandLine;
use crate::input::{variables, Env};
use crate::output::report::Format;

/// What the user gave on the command line and in variables, read once
/// from clap's matches: the layer of settings, and whether `<DATABASE>`
/// was typed.
#[derive(Debug, Default)]
pub(super) struct Given {
    layer: Layer,
    database_typed: bool,
}

impl Given {
    /// `lower`'s settings where this one has none.
    pub(super) fn add_below(&mut self, lower: Given) {
        self.layer = std::mem::take(&mut self.layer).or(&lower.layer);
    }

    /// `command` is the subcommand `matches` are of; `dotenv` the variables
    /// `./.env` set.
    pub(super) fn of(command: &Command, matches: &ArgMatches, dotenv: &[String]) -> Given {
        Given {
            layer: Layer::from_matches(command, matches, dotenv),
            database_typed: matches!(matches.try_contains_id("database"), Ok(true))
                && matches.value_source("database") == Some(ValueSource::CommandLine),
        }
    }
}

/// What `sweep` would take from the environment alone, read by its own
/// definitions (for `check` and `schema`, which have fewer flags).
pub(super) fn sweep_variables(command: &Command, dotenv: &[String]) -> Result<Given, clap::Error> {
    let sweep = command
        .find_subcommand("sweep")
        .cloned()
        .unwrap_or_else(|| Command::new("sweep"));
    let matches = sweep
        .clone()
        .no_binary_name(true)
        .try_get_matches_from(Vec::<String>::new())?;
    Ok(Given::of(&sweep, &matches, dotenv))
}

/// The command line of a command that works on boards, as the settings read it.
pub(super) fn command_line(board: &BoardArgs, given: &Given) -> CommandLine {
    CommandLine {
        database: board.database.clone(),
        database_typed: given.database_typed,
        config: board.config.config.clone(),
        picked: board.config.boards.clone(),
        token_file: board.connection.token_file.clone(),
        layer: given.layer.clone(),
        variables: std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .collect(),
        known: variables::known(&Cli::command()),
    }
}

/// The command line of `undo`: no database nor settings file of its own
/// (the document names its data sources), the connection as for any board.
pub(super) fn undo_line(connection: &ConnectionArgs, given: &Given) -> CommandLine {
    CommandLine {
        database: None,
        database_typed: false,
        config: None,
        picked: Vec::new(),
        token_file: connection.token_file.clone(),
        layer: given.layer.clone(),
        variables: std::env::vars_os()
            .filter_map(|(name, _)| name.into_string().ok())
            .collect(),
        known: variables::known(&Cli::command()),
    }
}

/// `GITHUB_STEP_SUMMARY`, when it is set.
pub(super) fn step_summary(env: Env) -> Option<PathBuf> {
    env("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
}

/// The output format for people or machines.
pub(super) fn format(output: OutputFormat) -> Format {
    match output {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    }
}
