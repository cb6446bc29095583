//! One module per command, each from parsed flags to an exit code; this
//! one dispatches, sets up logging and the runtime, and prints.

mod boards;
mod check;
#[cfg(feature = "sandbox")]
mod demo;
#[cfg(feature = "sandbox")]
mod sandbox;
mod schema;
mod shell;
mod sweep;

use std::io::{IsTerminal, Write};

use crate::cli::{Cli, Command, LogArgs};
use crate::notion::ClientConfig;
use crate::report::{self, Format};
use crate::resolve::SetupError;
use crate::scrub::{self, Scrubber};
use crate::settings::{Env, UsageError};
use crate::summary::{Exit, Summary};

/// Runs one command and returns its exit code.
pub(crate) fn run(cli: Cli, matches: &clap::ArgMatches) -> Exit {
    let given = matches
        .subcommand()
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    let env = |name: &str| std::env::var(name).ok();
    let log = match &cli.command {
        Command::Sweep(a) => a.board.connection.log,
        Command::Check(a) => a.board.connection.log,
        Command::Schema(a) => a.board.connection.log,
        #[cfg(feature = "sandbox")]
        Command::Demo(a) => a.log,
        #[cfg(feature = "sandbox")]
        Command::Sandbox(a) => a.log,
        Command::Completions(_) | Command::Man => LogArgs::default(),
    };
    init_logging(log, &env);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return Exit::Internal;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sweep(args) => sweep::run(&args, &given, &env).await,
            Command::Check(args) => check::run(&args, &given, &env).await,
            Command::Schema(args) => schema::run(&args, &given, &env).await,
            #[cfg(feature = "sandbox")]
            Command::Demo(args) => demo::run(&args).await,
            #[cfg(feature = "sandbox")]
            Command::Sandbox(args) => sandbox::run(&args).await,
            Command::Completions(args) => shell::completions(args.shell).await,
            Command::Man => shell::man().await,
        }
    });
    // Requests abandoned after a stop must not hold the process open.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(exit) => exit,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            Exit::Usage
        }
    }
}

fn init_logging(log: LogArgs, env: Env) {
    let filter = tracing_subscriber::EnvFilter::try_new(log_filter(log, env))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = env("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Every log line is scrubbed of the run's secrets, at any verbosity.
        .with_writer(scrub::ScrubbedStderr)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

/// Log detail for `-q`/`-v`/`-vv`; `RUST_LOG` wins when set.
fn log_filter(log: LogArgs, env: Env) -> String {
    if let Some(filter) = env("RUST_LOG").filter(|f| !f.trim().is_empty()) {
        return filter;
    }
    match (log.quiet, log.verbose) {
        (true, _) => "error".into(),
        (false, 0) => "warn,notion_sweep::progress=info,notion_sweep::summary=info".into(),
        (false, 1) => "warn,notion_sweep=info".into(),
        (false, 2) => "warn,notion_sweep=debug".into(),
        (false, _) => "info,notion_sweep=trace".into(),
    }
}

/// From here on, the token and the webhook URLs are scrubbed from every
/// log line and everything printed, whatever a server sends back.
fn guard_secrets(client: &ClientConfig, webhooks: &[&secrecy::SecretString]) {
    use secrecy::ExposeSecret;
    scrub::install(Scrubber::from_secrets(
        [client.token.expose_secret()],
        webhooks.iter().map(|w| w.expose_secret()),
    ));
}

/// Writes text for people, scrubbed of the run's secrets, line by line (a
/// report of 20,000 tasks is not copied whole again). Our own line breaks
/// stay; any other control character (from a title, a name, a server's
/// message) is shown escaped.
fn write_safe(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let scrubbed = scrub::redacted(text);
    let mut lines = scrubbed.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.write_all(scrub::escape_control(line).as_bytes())?;
        if lines.peek().is_some() {
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// Writes to standard output, scrubbed of the run's secrets; a closed pipe
/// (`| head`) is not an error worth a panic.
fn print(text: &str) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = write_safe(&mut out, text);
    let _ = out.flush();
}

/// Prints the result on standard output (for a run that read something,
/// or a document for machines), every error once on standard error, and a
/// summary line on standard error when standard output is for machines.
fn print_summary(summary: &Summary, format: Format, quiet: bool) {
    let quiet_and_well = quiet && summary.matched == 0 && summary.exit() == Exit::Done;
    let text_without_result = format == Format::Text && (quiet_and_well || summary.read_nothing());
    if !text_without_result {
        print(&report::render(summary, format));
    }
    if summary.read_nothing() {
        tracing::error!("{}", report::headline(summary));
        return;
    }
    if let Some(error) = &summary.error {
        // Where cron mail and CI logs look for errors.
        tracing::error!("{}", error.message);
    }
    if format != Format::Text {
        if summary.exit() == Exit::Done {
            tracing::info!(target: "notion_sweep::summary", "{}", report::short_headline(summary));
        } else {
            tracing::warn!(target: "notion_sweep::summary", "{}", report::short_headline(summary));
        }
    }
}

/// GitHub Actions: the markdown summary appended to the job's step summary
/// file, whatever `--output` is, so a workflow needs no redirection.
fn append_step_summary(path: &std::path::Path, summary: &Summary) {
    append_text(path, &report::render(summary, Format::Markdown));
}

/// Appends markdown to the step summary file (scrubbed and escaped as
/// everything printed).
fn append_text(path: &std::path::Path, markdown: &str) {
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|file| {
            let mut file = std::io::BufWriter::new(file);
            write_safe(&mut file, markdown)?;
            file.flush()
        });
    if let Err(e) = appended {
        tracing::warn!(
            "could not append the summary to GITHUB_STEP_SUMMARY ({}): {e}",
            path.display()
        );
    }
}

/// `check` or `schema` of several boards: a section each (text, markdown),
/// or `{"boards": [...], "exit_code": N}`; every error once on stderr; the
/// exit code the worst of the boards'.
fn print_boards<T: serde::Serialize>(
    results: Vec<(String, Result<T, SetupError>)>,
    output: Format,
    render: impl Fn(&T, Format) -> String,
) -> Exit {
    let exit_of = |r: &Result<T, SetupError>| match r {
        Ok(_) => Exit::Done,
        Err(e) if e.is_refusal() => Exit::Setup,
        Err(_) => Exit::Incomplete,
    };
    let exit = Exit::worst(results.iter().map(|(_, r)| exit_of(r)));
    for (name, result) in &results {
        if let Err(error) = result {
            eprintln!("error: {name}: {}", scrub::redacted(&error.to_string()));
        }
    }
    if output == Format::Json {
        let boards: Vec<serde_json::Value> = results
            .iter()
            .map(|(name, result)| {
                let mut doc = match result {
                    Ok(found) => serde_json::to_value(found).unwrap_or_default(),
                    Err(error) => serde_json::json!({ "ok": false, "error": error.to_string() }),
                };
                if let Some(doc) = doc.as_object_mut() {
                    doc.insert("name".into(), name.clone().into());
                    doc.insert("exit_code".into(), exit_of(result).code().into());
                }
                doc
            })
            .collect();
        print(&report::json(
            &serde_json::json!({ "boards": boards, "exit_code": exit.code() }),
        ));
        return exit;
    }
    let mut out = String::new();
    for (name, result) in &results {
        out.push_str(&format!("== {name}\n"));
        match result {
            Ok(found) => out.push_str(&render(found, output)),
            Err(_) => out.push_str("Could not be read: the error is on standard error.\n"),
        }
        out.push('\n');
    }
    print(&out);
    exit
}

/// Says why `check` or `schema` could not go on; its exit code.
fn report_setup_error(error: &SetupError, output: Format) -> Exit {
    let exit = if error.is_refusal() {
        Exit::Setup
    } else {
        Exit::Incomplete
    };
    eprintln!("error: {}", scrub::redacted(&error.to_string()));
    if output == Format::Json {
        let doc = serde_json::json!({ "ok": false, "error": error.to_string(), "exit_code": exit.code() });
        print(&report::json(&doc));
    }
    exit
}
