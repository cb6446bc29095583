//! Several boards from `--config`: each board's settings (its command line
//! parsed as any other), limiters shared by boards under one token, and a
//! stop switch per board that the signals pull for all of them.

use std::collections::HashMap;
use std::sync::Arc;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use secrecy::{ExposeSecret, SecretString};

use crate::cli::{Cli, ConfigArgs};
use crate::config;
use crate::notion::limiter::Limiter;
use crate::notion::ClientConfig;
use crate::scrub::{self, Scrubber};
use crate::settings::{Env, UsageError};
use crate::stop::Stop;

/// A command's arguments whose database can be left out (a board that
/// names only its data source).
pub(super) trait Database {
    fn clear_database(&mut self);
}

macro_rules! database_of {
    ($($args:ty),*) => {$(
        impl Database for $args {
            fn clear_database(&mut self) {
                self.board.database = None;
            }
        }
    )*};
}
database_of!(
    crate::cli::SweepArgs,
    crate::cli::CheckArgs,
    crate::cli::SchemaArgs
);

/// The settings of every board picked from `--config`, in file order; a
/// mistake anywhere stops the run before anything is sent.
fn settings<A, S>(
    config: &ConfigArgs,
    command: &str,
    given: &ArgMatches,
    env: Env,
    build: impl Fn(&A, Env) -> Result<S, UsageError>,
) -> Result<Vec<(String, S)>, UsageError>
where
    A: FromArgMatches + Database,
{
    let (Some(path), Some(definition)) = (
        &config.config,
        Cli::command().find_subcommand(command).cloned(),
    ) else {
        return Ok(Vec::new());
    };
    if given.value_source("database") == Some(clap::parser::ValueSource::CommandLine) {
        return Err(UsageError(
            "with --config the databases come from the file: leave out <DATABASE>, or pick boards with --board NAME".into(),
        ));
    }
    let boards = config::load(path, &definition, given, &config.boards, env)?;
    let mut out = Vec::new();
    for board in boards {
        let argv: Vec<_> = std::env::args_os()
            .chain(board.args.iter().cloned())
            .collect();
        let in_words = |e: clap::Error| {
            let text = e.render().to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            UsageError(format!(
                "board '{}' of {}: {first}",
                board.name,
                path.display()
            ))
        };
        let matches = Cli::command()
            .try_get_matches_from(argv)
            .map_err(in_words)?;
        let (_, sub) = matches
            .subcommand()
            .ok_or_else(|| UsageError(format!("board '{}': no command", board.name)))?;
        let mut args = A::from_arg_matches(sub).map_err(in_words)?;
        if !board.has_database {
            args.clear_database();
        }
        let token_env = board.token_env.clone();
        let board_env = move |name: &str| match (&token_env, name) {
            (Some(var), "NOTION_TOKEN") => env(var),
            _ => env(name),
        };
        let settings = build(&args, &board_env)
            .map_err(|e| UsageError(format!("board '{}': {}", board.name, e.0)))?;
        out.push((board.name, settings));
    }
    Ok(out)
}

/// The settings of a command, as far as boards share or guard them.
pub(super) trait BoardSettings {
    fn client(&self) -> &ClientConfig;
    fn client_mut(&mut self) -> &mut ClientConfig;
    /// The webhook URLs it posts to (secrets).
    fn webhooks(&self) -> Vec<&SecretString> {
        Vec::new()
    }
}

macro_rules! board_settings {
    ($($settings:ty),*) => {$(
        impl BoardSettings for $settings {
            fn client(&self) -> &ClientConfig {
                &self.client
            }
            fn client_mut(&mut self) -> &mut ClientConfig {
                &mut self.client
            }
        }
    )*};
}
board_settings!(
    crate::settings::CheckSettings,
    crate::settings::SchemaSettings
);

impl BoardSettings for crate::settings::SweepSettings {
    fn client(&self) -> &ClientConfig {
        &self.client
    }
    fn client_mut(&mut self) -> &mut ClientConfig {
        &mut self.client
    }
    fn webhooks(&self) -> Vec<&SecretString> {
        self.notify.targets.iter().map(|t| &t.url).collect()
    }
}

/// Every board picked from `--config`, ready to run: its name, its
/// settings (limiters shared by token) and its stop switch; every secret of
/// every board guarded.
pub(super) fn prepare<A, S>(
    config: &ConfigArgs,
    command: &str,
    given: &ArgMatches,
    env: Env,
    build: impl Fn(&A, Env) -> Result<S, UsageError>,
) -> Result<Vec<(String, S, Stop)>, UsageError>
where
    A: FromArgMatches + Database,
    S: BoardSettings,
{
    let mut boards = settings(config, command, given, env, build)?;
    share_limiters(boards.iter_mut().map(|(_, s)| s.client_mut()));
    guard_secrets(
        boards.iter().map(|(_, s)| s.client()),
        boards.iter().flat_map(|(_, s)| s.webhooks()),
    );
    let stops = stops(boards.len());
    Ok(boards
        .into_iter()
        .zip(stops)
        .map(|((name, settings), stop)| (name, settings, stop))
        .collect())
}

/// Boards under one token (and one API) share one limiter, at the rate of
/// the first of them; boards under different tokens each have their own.
fn share_limiters<'a>(clients: impl Iterator<Item = &'a mut ClientConfig>) {
    let mut limiters: HashMap<(String, String), Arc<Limiter>> = HashMap::new();
    for client in clients {
        let key = (
            client.token.expose_secret().to_string(),
            client.base_url.to_string(),
        );
        let rate = client.rate;
        let limiter = limiters
            .entry(key)
            .or_insert_with(|| Arc::new(Limiter::new(rate)));
        client.limiter = Some(limiter.clone());
    }
}

/// Every token and webhook of every board is scrubbed from all output.
fn guard_secrets<'a>(
    clients: impl Iterator<Item = &'a ClientConfig>,
    webhooks: impl Iterator<Item = &'a SecretString>,
) {
    let tokens: Vec<&str> = clients.map(|c| c.token.expose_secret()).collect();
    let urls: Vec<&str> = webhooks.map(|w| w.expose_secret()).collect();
    scrub::install(Scrubber::from_secrets(tokens, urls));
}

/// A stop switch per board: a 401 on one board stops that board only, a
/// signal stops them all.
fn stops(count: usize) -> Vec<Stop> {
    let all = Stop::default();
    all.on_signals();
    (0..count)
        .map(|_| {
            let board = Stop::default();
            let (from, to) = (all.clone(), board.clone());
            tokio::spawn(async move { to.trigger(from.stopped().await) });
            board
        })
        .collect()
}
