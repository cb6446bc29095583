//! What the user gives, read once into trusted boards: the command line
//! (`cli`, with every default in `defaults` and each value's parser in
//! `values`), `./.env` (`dotenv`), the settings file (`config`), each a typed [`layer::Layer`], merged by the
//! contract's precedence into the boards the jobs run (`settings`), with
//! notification URLs told apart by `targets`, and the sweep's document
//! `undo` reads (`undo`). Every check happens here,
//! before any request is sent.

pub(crate) mod cli;
pub(crate) mod config;
pub(crate) mod defaults;
pub(crate) mod dotenv;
pub(crate) mod layer;
pub(crate) mod settings;
pub(crate) mod targets;
pub(crate) mod undo;
pub(crate) mod values;
pub(crate) mod variables;

/// Reads the environment; a function so that tests can give their own.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What kind of mistake a usage error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UsageKind {
    /// A flag or variable with a value that cannot be used.
    Value,
    /// Something required is missing (the token, the database).
    Missing,
    /// The settings file (`--config`) is wrong.
    Config,
    /// `./.env` is wrong.
    Dotenv,
}

/// A bad flag, value, variable or file: exit code 2, nothing sent. The
/// message says what is wrong and what to do, and never holds a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub(crate) struct UsageError {
    pub(crate) kind: UsageKind,
    pub(crate) message: String,
}

impl UsageError {
    /// A value that cannot be used.
    pub(crate) fn value(message: impl Into<String>) -> UsageError {
        UsageError {
            kind: UsageKind::Value,
            message: message.into(),
        }
    }

    /// Something required that is missing.
    pub(crate) fn missing(message: impl Into<String>) -> UsageError {
        UsageError {
            kind: UsageKind::Missing,
            message: message.into(),
        }
    }

    /// A mistake in the settings file.
    pub(crate) fn config(message: impl Into<String>) -> UsageError {
        UsageError {
            kind: UsageKind::Config,
            message: message.into(),
        }
    }

    /// A mistake in `./.env`.
    pub(crate) fn dotenv(message: impl Into<String>) -> UsageError {
        UsageError {
            kind: UsageKind::Dotenv,
            message: message.into(),
        }
    }

    /// The same mistake, said of one board of the settings file.
    pub(crate) fn of_board(self, name: &str) -> UsageError {
        UsageError {
            message: format!("board '{name}': {}", self.message),
            ..self
        }
    }
}
