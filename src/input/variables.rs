//! The environment variables the program reads, and a warning for a
//! `SWEEP_*` or `NOTION_*` variable it does not: a typo such as
//! `SWEEP_DRY_RUNN=true` would otherwise run for real, silently.

use std::collections::BTreeSet;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

use crate::guards::lock::LOCK_DIR_ENV;
use crate::jobs::rule::did_you_mean;

/// Variables read that no flag names.
const OTHERS: [&str; 3] = ["NOTION_TOKEN", "NOTION_DATA_SOURCE_ID", LOCK_DIR_ENV];

/// Every variable the program reads: those of every flag of every command,
/// and the others.
pub(crate) fn known(command: &Command) -> BTreeSet<String> {
    let mut known: BTreeSet<String> = OTHERS.iter().map(|v| v.to_string()).collect();
    let mut commands = vec![command];
    while let Some(command) = commands.pop() {
        for arg in command.get_arguments() {
            if let Some(var) = arg.get_env() {
                known.insert(var.to_string_lossy().into_owned());
            }
        }
        commands.extend(command.get_subcommands());
    }
    known
}

/// A warning for each `SWEEP_*` or `NOTION_*` variable of `names` that is
/// neither `known` nor named by the settings file (`also`), with its near
/// miss.
pub(crate) fn unknown<'a>(
    names: impl IntoIterator<Item = &'a str>,
    known: &BTreeSet<String>,
    also: &BTreeSet<String>,
) -> Vec<String> {
    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    names
        .into_iter()
        .filter(|n| n.starts_with("SWEEP_") || n.starts_with("NOTION_"))
        .filter(|n| !known.contains(*n) && !also.contains(*n))
        .map(|name| {
            format!(
                "the variable {name} is not one notion-sweep reads, and is ignored{}",
                did_you_mean(name, &candidates)
            )
        })
        .collect()
}

/// A clap error about a value that came from a variable, said of the
/// variable (and `./.env` when it came from there) rather than the flag.
pub(crate) fn value_error(
    error: &clap::Error,
    command: &Command,
    typed: &[String],
    dotenv: &[String],
) -> Option<String> {
    if !matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let long = arg.split_whitespace().next()?.strip_prefix("--")?;
    let flag = format!("--{long}");
    if typed
        .iter()
        .any(|t| *t == flag || t.starts_with(&format!("{flag}=")))
    {
        return None;
    }
    let mut commands = vec![command];
    let mut var = None;
    while let (None, Some(command)) = (&var, commands.pop()) {
        var = command
            .get_arguments()
            .find(|a| a.get_long() == Some(long))
            .and_then(|a| a.get_env())
            .map(|v| v.to_string_lossy().into_owned());
        commands.extend(command.get_subcommands());
    }
    let var = var?;
    let value = match error.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(value)) => value.clone(),
        _ => String::new(),
    };
    let why = match (
        error.get(ContextKind::ValidValue),
        std::error::Error::source(error),
    ) {
        (Some(ContextValue::Strings(valid)), _) => format!("expected one of {}", valid.join(", ")),
        (_, Some(source)) => source.to_string(),
        _ => "not a valid value".to_string(),
    };
    let file = if dotenv.contains(&var) {
        " (in ./.env)"
    } else {
        ""
    };
    Some(format!("invalid value '{value}' in {var}{file}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::cli::Cli;
    use clap::CommandFactory;

    #[test]
    fn unknown_variables_are_named_with_their_near_miss() {
        let known = known(&Cli::command());
        assert!(known.contains("SWEEP_DRY_RUN") && known.contains("NOTION_TOKEN"));
        let also = BTreeSet::from(["NOTION_TOKEN_OPS".to_string()]);
        let warnings = unknown(
            [
                "SWEEP_DRY_RUNN",
                "SWEEP_TO",
                "NOTION_TOKEN_OPS",
                "HOME",
                "NOTION_COLOUR",
            ],
            &known,
            &also,
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("SWEEP_DRY_RUNN")
                && warnings[0].contains("did you mean 'SWEEP_DRY_RUN'")
        );
        assert!(warnings[1].contains("NOTION_COLOUR"));
    }
}
