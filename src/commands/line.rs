//! The command line as the commands read it, once: what the user gave
//! (the layer of settings, read from clap's matches) and the output format.

use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::input::cli::{BoardArgs, OutputFormat};
use crate::input::layer::Layer;
use crate::input::settings::CommandLine;
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
    pub(super) fn of(matches: &ArgMatches) -> Given {
        Given {
            layer: Layer::from_matches(matches),
            database_typed: matches!(matches.try_contains_id("database"), Ok(true))
                && matches.value_source("database") == Some(ValueSource::CommandLine),
        }
    }
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
    }
}

/// The output format for people or machines.
pub(super) fn format(output: OutputFormat) -> Format {
    match output {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
    }
}
