//! What a command shows when its work is done (a sweep, a run of `stale`
//! or `digest`, what `check` or `schema` read), and its exit code: the
//! result on standard output (for a run that read something, or a document
//! for machines), every error once on standard error, the markdown summary
//! in GitHub's step summary file, and a summary line on standard error when
//! standard output is for machines.

use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};

use super::exit::{exit_of, Ending, Exit};
use super::log::SUMMARY;
use super::print::{self, print, print_document};
use super::report::run::{self, Found};
use super::report::{self, Format};
use crate::guards::scrub::escape_control;
use crate::jobs::resolve::SetupError;
use crate::jobs::run::Run;
use crate::jobs::summary::Summary;

/// Writes a result in `format`: a document for machines as JSON escapes
/// it, text for people with control characters shown escaped.
fn emit(text: &str, format: Format) {
    match format {
        Format::Json => print_document(text),
        Format::Text | Format::Markdown => print(text),
    }
}

/// How a command shows its results.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shown<'a> {
    pub(crate) format: Format,
    /// `-q`: nothing on standard output when all is well and nothing was found.
    pub(crate) quiet: bool,
    /// Boards of a settings file: a section per board and a line of totals.
    pub(crate) several: bool,
    /// `GITHUB_STEP_SUMMARY`, when set.
    pub(crate) step_summary: Option<&'a Path>,
}

/// Shows the sweeps of one board or several; the exit code.
pub(crate) fn sweeps(summaries: &[Summary], shown: Shown) -> Exit {
    let exit = Exit::worst(summaries.iter().map(|s| exit_of(Ending::Swept(s))));
    match summaries {
        [summary] if !shown.several => one_sweep(summary, shown),
        _ => several_sweeps(summaries, exit, shown),
    }
    exit
}

fn one_sweep(summary: &Summary, shown: Shown) {
    let exit = exit_of(Ending::Swept(summary));
    let quiet_and_well = shown.quiet && summary.matched == 0 && exit == Exit::Done;
    let text_without_result =
        shown.format == Format::Text && (quiet_and_well || summary.read_nothing());
    if !text_without_result {
        emit(&report::render(summary, shown.format), shown.format);
    }
    if summary.read_nothing() {
        print::error(&report::headline(summary));
    } else {
        if let Some(error) = &summary.error {
            // Where cron mail and CI logs look for errors.
            print::error(&error.message);
        }
        if shown.format != Format::Text {
            if exit == Exit::Done {
                tracing::info!(target: SUMMARY, "{}", escape_control(&report::short_headline(summary)));
            } else {
                tracing::warn!(target: SUMMARY, "{}", escape_control(&report::short_headline(summary)));
            }
        }
    }
    if let Some(path) = shown.step_summary {
        print::append_step_summary(path, &report::render(summary, Format::Markdown));
    }
}

fn several_sweeps(summaries: &[Summary], exit: Exit, shown: Shown) {
    let quiet_and_well =
        shown.quiet && exit == Exit::Done && summaries.iter().all(|s| s.matched == 0);
    if !(shown.format == Format::Text && quiet_and_well) {
        emit(
            &report::render_boards(summaries, exit.code(), shown.format),
            shown.format,
        );
    }
    for summary in summaries {
        if let Some(error) = &summary.error {
            print::error(&format!("{}: {}", summary.name(), error.message));
        }
    }
    if let Some(path) = shown.step_summary {
        print::append_step_summary(
            path,
            &report::render_boards(summaries, exit.code(), Format::Markdown),
        );
    }
}

/// Shows the runs of `stale` or `digest` on one board or several; the exit code.
pub(crate) fn runs<T: Found>(runs: &[Run<T>], shown: Shown) -> Exit {
    let exit = Exit::worst(runs.iter().map(run::exit));
    match runs {
        [one] if !shown.several => one_run(one, shown),
        _ => several_runs(runs, exit, shown),
    }
    exit
}

fn one_run<T: Found>(one: &Run<T>, shown: Shown) {
    let exit = run::exit(one);
    let quiet_and_well = shown.quiet && !one.found.anything() && exit == Exit::Done;
    let read_nothing = run::read_nothing(one);
    if !(shown.format == Format::Text && (quiet_and_well || read_nothing)) {
        emit(&run::render(one, shown.format), shown.format);
    }
    if read_nothing {
        print::error(&run::headline(one));
    } else {
        if let Some(error) = &one.error {
            print::error(&error.message);
        }
        if shown.format != Format::Text {
            let line = escape_control(&run::short_headline(one));
            if exit == Exit::Done {
                tracing::info!(target: SUMMARY, "{line}");
            } else {
                tracing::warn!(target: SUMMARY, "{line}");
            }
        }
    }
    if let Some(path) = shown.step_summary {
        print::append_step_summary(path, &run::render(one, Format::Markdown));
    }
}

fn several_runs<T: Found>(runs: &[Run<T>], exit: Exit, shown: Shown) {
    let quiet_and_well =
        shown.quiet && exit == Exit::Done && runs.iter().all(|r| !r.found.anything());
    if !(shown.format == Format::Text && quiet_and_well) {
        emit(&run::render_boards(runs, exit, shown.format), shown.format);
    }
    for one in runs {
        if let Some(error) = &one.error {
            print::error(&format!("{}: {}", one.name(), error.message));
        }
    }
    if let Some(path) = shown.step_summary {
        print::append_step_summary(path, &run::render_boards(runs, exit, Format::Markdown));
    }
}

/// What one board of `check` or `schema` came to: its name in the settings
/// file (several boards only) and what was read, or why it was not.
pub(crate) type Read<'a, T> = (Option<&'a str>, &'a Result<T, SetupError>);

/// A board's document of `check` or `schema` for machines: what was read
/// (or `ok: false` and the error), its exit code, and with several boards
/// its name in the settings file.
fn read_document<T: Serialize>(name: Option<&str>, result: &Result<T, SetupError>) -> Value {
    let mut document = match result {
        Ok(found) => serde_json::to_value(found).unwrap_or_else(|_| json!({})),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    };
    if let Some(fields) = document.as_object_mut() {
        if let Some(name) = name {
            fields.insert("name".into(), name.into());
        }
        fields.insert("exit_code".into(), exit_of_read(result).code().into());
    }
    document
}

fn exit_of_read<T>(result: &Result<T, SetupError>) -> Exit {
    match result {
        Ok(_) => exit_of(Ending::Done),
        Err(error) => exit_of(Ending::NotRead(error)),
    }
}

/// Shows what `check` or `schema` read of one board or several, each
/// rendered by `render`; every error once on standard error. The exit code
/// is the worst of the boards'.
pub(crate) fn reads<T: Serialize>(
    results: &[Read<'_, T>],
    shown: Shown,
    render: impl Fn(&T, Format) -> String,
) -> Exit {
    let exit = Exit::worst(results.iter().map(|(_, r)| exit_of_read(r)));
    for (name, result) in results {
        if let Err(error) = result {
            match name {
                Some(name) if shown.several => print::error(&format!("{name}: {error}")),
                _ => print::error(&error.to_string()),
            }
        }
    }
    let documents: Vec<Value> = results
        .iter()
        .map(|(name, result)| read_document(*name, result))
        .collect();
    match (shown.format, shown.several, results) {
        (Format::Json, true, _) => print_document(&report::json(
            &json!({ "boards": documents, "exit_code": exit.code() }),
        )),
        (Format::Json, false, [(_, Ok(found))]) => print_document(&report::json(found)),
        (Format::Json, false, _) => {
            for document in &documents {
                print_document(&report::json(document));
            }
        }
        (format, false, [(_, Ok(found))]) => print(&render(found, format)),
        (_, false, _) => {}
        (format, true, _) => {
            let mut out = String::new();
            for (name, result) in results {
                out.push_str(&format!("== {}\n", name.unwrap_or_default()));
                match result {
                    Ok(found) => out.push_str(&render(found, format)),
                    Err(_) => out.push_str("Could not be read: the error is on standard error.\n"),
                }
                out.push('\n');
            }
            print(&out);
        }
    }
    exit
}
