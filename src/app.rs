//! Runs a command from start to exit code: settings, client, sweep, report, Slack.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use crate::cli::{Cli, Command, LogArgs, OutputFormat, SchemaArgs, SweepArgs};
use crate::notion::wire::{self, QueryBody};
use crate::notion::{NotionClient, RequestCounts};
use crate::progress::Progress;
use crate::report::{setup_exit, Exit, Notification, NotificationStatus, Summary};
use crate::settings::{self, SchemaSettings, SweepSettings, UsageError};
use crate::stop::Stop;
use crate::sweep::{self, SetupError, SweepOptions};

/// Reads `.env` from the working directory (real variables win). Returns a
/// warning to log once logging is set up; never the content of a line,
/// which may hold a secret.
pub fn load_dotenv() -> Option<String> {
    match dotenvy::dotenv() {
        Ok(_) => None,
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(dotenvy::Error::LineParse(_, index)) => Some(format!(
            ".env: could not read it past position {index}: each line must be KEY=VALUE; the file was not fully loaded"
        )),
        Err(dotenvy::Error::Io(e)) => Some(format!(".env could not be read: {}", e.kind())),
        Err(_) => Some(".env could not be read".into()),
    }
}

/// Runs one command and returns its exit code.
pub fn run(cli: Cli, dotenv_warning: Option<String>) -> Exit {
    let env = |name: &str| std::env::var(name).ok();
    let log = match &cli.command {
        Command::Sweep(a) | Command::Check(a) => a.connection.log,
        Command::Schema(a) => a.connection.log,
        Command::Demo(a) => a.log,
        Command::Sandbox(a) => a.log,
    };
    init_logging(log, &env);
    if let Some(warning) = dotenv_warning {
        tracing::warn!("{warning}");
    }
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
            Command::Sweep(args) => sweep_command(&args, &env, false).await,
            Command::Check(args) => sweep_command(&args, &env, true).await,
            Command::Schema(args) => schema_command(&args, &env).await,
            Command::Demo(args) => crate::demo::run(&args).await,
            Command::Sandbox(args) => crate::demo::serve(&args).await,
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

fn init_logging(log: LogArgs, env: &dyn Fn(&str) -> Option<String>) {
    let filter = tracing_subscriber::EnvFilter::try_new(settings::log_filter(log, env))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = env("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false)
        .try_init();
}

async fn sweep_command(
    args: &SweepArgs,
    env: &dyn Fn(&str) -> Option<String>,
    check_only: bool,
) -> Result<Exit, UsageError> {
    let settings = SweepSettings::from_args(args, env)?;
    let stop = Stop::default();
    stop.on_signals();
    let progress = Progress::new(args.connection.log.quiet);
    if check_only {
        return check(&settings, &stop).await;
    }
    let summary = run_sweep(&settings, &stop, &progress).await?;
    print_summary(&summary, settings.output, args.connection.log.quiet);
    Ok(summary.exit())
}

/// The whole sweep for validated settings; also what `demo` runs.
pub async fn run_sweep(
    settings: &SweepSettings,
    stop: &Stop,
    progress: &Progress,
) -> Result<Summary, UsageError> {
    let started = Instant::now();
    let client = Arc::new(
        NotionClient::new(settings.client.clone(), stop.clone())
            .map_err(|e| UsageError(e.to_string()))?,
    );
    let rule = &settings.rule;
    let mut summary = Summary {
        database_id: settings.target.database.as_ref().map(|d| d.to_string()),
        data_source_id: None,
        as_of: rule.as_of,
        dry_run: settings.dry_run,
        from: rule.from.clone(),
        to: rule.to.clone(),
        matched: 0,
        updated: 0,
        failed: 0,
        tasks: Vec::new(),
        notification: Notification {
            status: NotificationStatus::Skipped,
            error: None,
        },
        requests: RequestCounts::default(),
        elapsed_ms: 0,
        exit_code: 0,
        error: None,
        name: settings
            .target
            .database
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        limit: settings.limit,
        limit_reached: false,
    };

    let (resolved, plan) = match sweep::prepare(&client, &settings.target, rule).await {
        Ok(ready) => ready,
        Err(error) => {
            summary.notification.status = if settings.notify.webhook.is_some() {
                NotificationStatus::Skipped
            } else {
                NotificationStatus::NotConfigured
            };
            summary.requests = client.counts();
            summary.elapsed_ms = started.elapsed().as_millis() as u64;
            return Ok(summary.setup_failed(&error));
        }
    };
    summary.database_id = resolved.database_id.clone();
    summary.data_source_id = Some(resolved.data_source_id.clone());
    summary.name = resolved.name.clone();
    tracing::info!(
        "sweeping '{}' ({}): '{}' in {:?} due before {} becomes '{}'",
        resolved.name,
        resolved.data_source_id,
        plan.status.name,
        plan.from,
        rule.as_of,
        plan.to
    );

    let options = SweepOptions {
        rule: rule.overdue(),
        dry_run: settings.dry_run,
        limit: settings.limit,
    };
    let outcome = sweep::sweep(
        client.clone(),
        &resolved.data_source_id,
        &plan,
        &options,
        stop,
        progress,
    )
    .await;
    summary.finish(outcome);
    summary.notification = notify(settings, &summary).await;
    summary.requests = client.counts();
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    summary.exit_code = summary.exit().code();
    Ok(summary)
}

/// Posts the Slack summary when one is due.
async fn notify(settings: &SweepSettings, summary: &Summary) -> Notification {
    let skipped = Notification {
        status: NotificationStatus::Skipped,
        error: None,
    };
    let Some(webhook) = &settings.notify.webhook else {
        return Notification {
            status: NotificationStatus::NotConfigured,
            error: None,
        };
    };
    let nothing_to_say = summary.matched == 0 && summary.error.is_none();
    // A run refused before its first write changed nothing: no news for the channel.
    let nothing_done = summary.exit() == Exit::Setup;
    if nothing_done
        || settings.notify.disabled
        || settings.dry_run
        || (nothing_to_say && !settings.notify.when_empty)
    {
        return skipped;
    }
    match crate::slack::post(webhook, &crate::slack::message(summary)).await {
        Ok(()) => Notification {
            status: NotificationStatus::Sent,
            error: None,
        },
        Err(error) => {
            tracing::error!("the Slack summary could not be posted: {error}");
            Notification {
                status: NotificationStatus::Failed,
                error: Some(error.to_string()),
            }
        }
    }
}

/// Prints the result on standard output, and a summary line on standard error
/// when standard output is for machines.
pub fn print_summary(summary: &Summary, format: OutputFormat, quiet: bool) {
    let quiet_and_well = quiet && summary.matched == 0 && summary.exit() == Exit::Done;
    if !(format == OutputFormat::Text && quiet_and_well) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = out.write_all(summary.render(format).as_bytes());
        let _ = out.flush();
    }
    if let Some(error) = &summary.error {
        // Also on stderr, where cron mail and CI logs look for errors.
        tracing::error!("{}", error.message);
    }
    if format != OutputFormat::Text {
        if summary.exit() == Exit::Done {
            tracing::info!(target: "notion_sweep::summary", "{}", summary.headline());
        } else {
            tracing::warn!(target: "notion_sweep::summary", "{}", summary.headline());
        }
    }
}

/// `check`: everything a sweep would verify, plus one query to prove the filter is accepted.
async fn check(settings: &SweepSettings, stop: &Stop) -> Result<Exit, UsageError> {
    let client = NotionClient::new(settings.client.clone(), stop.clone())
        .map_err(|e| UsageError(e.to_string()))?;
    let rule = &settings.rule;
    let (resolved, plan) = match sweep::prepare(&client, &settings.target, rule).await {
        Ok(ready) => ready,
        Err(error) => return Ok(report_setup_error(&error, settings.output)),
    };
    let overdue = rule.overdue();
    let filter = overdue.filter(&plan, None);
    let probe = QueryBody {
        filter: filter.clone(),
        sorts: overdue.sorts(&plan),
        start_cursor: None,
        page_size: 1,
    };
    let properties = vec![plan.title.id.clone()];
    let candidates = match client
        .query(&resolved.data_source_id, &probe, &properties)
        .await
    {
        Ok((page, _)) => !page.results.is_empty(),
        Err(error) => {
            let error = SetupError::Notion {
                during: "Notion refused the overdue filter".into(),
                error,
            };
            return Ok(report_setup_error(&error, settings.output));
        }
    };
    let slack = match (&settings.notify.webhook, settings.notify.disabled) {
        (None, _) => "not configured",
        (Some(_), true) => "configured, but --no-notify is set",
        (Some(_), false) => "configured",
    };
    match settings.output {
        OutputFormat::Json => {
            let doc = json!({
                "ok": true,
                "database_id": resolved.database_id,
                "data_source_id": resolved.data_source_id,
                "name": resolved.name,
                "status_property": { "id": plan.status.id, "name": plan.status.name, "type": plan.status_kind },
                "date_property": plan.date,
                "from": plan.from,
                "to": plan.to,
                "as_of": rule.as_of,
                "tz": rule.tz.name(),
                "filter": filter,
                "candidates": candidates,
                "slack": slack,
                "requests": client.counts(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("serializes")
            );
        }
        _ => {
            println!(
                "Database:     {} ({})",
                resolved.name,
                resolved.database_id.as_deref().unwrap_or("not looked up")
            );
            println!("Data source:  {}", resolved.data_source_id);
            println!(
                "Status:       '{}' ({}): {} → '{}'",
                plan.status.name,
                plan.status_kind.key(),
                plan.from
                    .iter()
                    .map(|f| format!("'{f}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                plan.to
            );
            println!("Due date:     '{}' (date)", plan.date.name);
            println!(
                "Overdue:      due before {} in {}; {}",
                rule.as_of,
                rule.tz.name(),
                if candidates {
                    "some open tasks match now"
                } else {
                    "no open task matches now"
                }
            );
            println!("Filter:       {filter}");
            println!("Slack:        {slack}");
            println!("OK: a sweep can run; nothing was changed.");
        }
    }
    Ok(Exit::Done)
}

fn report_setup_error(error: &SetupError, output: OutputFormat) -> Exit {
    let exit = setup_exit(error);
    eprintln!("error: {error}");
    if output == OutputFormat::Json {
        let doc = json!({ "ok": false, "error": error.to_string(), "exit_code": exit.code() });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("serializes")
        );
    }
    exit
}

/// `schema`: data sources, properties with types, options of status and select properties.
async fn schema_command(
    args: &SchemaArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Exit, UsageError> {
    let settings = SchemaSettings::from_args(args, env)?;
    let stop = Stop::default();
    stop.on_signals();
    let client =
        NotionClient::new(settings.client.clone(), stop).map_err(|e| UsageError(e.to_string()))?;
    let fail = |during: String| move |error| SetupError::Notion { during, error };
    let gathered: Result<_, SetupError> = async {
        let (database_title, ids) = match (&settings.target.data_source, &settings.target.database)
        {
            (Some(settings::DataSourceChoice::Id(id)), _) => (None, vec![id.to_string()]),
            (_, Some(database)) => {
                let db = client
                    .database(database.as_str())
                    .await
                    .map_err(fail(format!("could not open database {database}")))?;
                let wanted = match &settings.target.data_source {
                    Some(settings::DataSourceChoice::Name(name)) => Some(name.clone()),
                    _ => None,
                };
                let ids = db
                    .data_sources
                    .iter()
                    .filter(|s| wanted.as_ref().is_none_or(|w| *w == s.name))
                    .map(|s| s.id.clone())
                    .collect();
                (Some(wire::plain_text(&db.title)), ids)
            }
            (_, None) => unreachable!("settings require a database"),
        };
        let mut sources = Vec::new();
        for id in ids {
            sources.push(
                client
                    .data_source(&id)
                    .await
                    .map_err(fail(format!("could not open data source {id}")))?,
            );
        }
        Ok((database_title, sources))
    }
    .await;
    let (database_title, sources) = match gathered {
        Ok(found) => found,
        Err(error) => return Ok(report_setup_error(&error, settings.output)),
    };
    let described: Vec<_> = sources
        .iter()
        .map(|s| {
            let properties: Vec<_> = s
                .properties
                .values()
                .map(|p| {
                    let options: Option<Vec<&str>> = p
                        .status
                        .as_ref()
                        .or(p.select.as_ref())
                        .map(|o| o.options.iter().map(|o| o.name.as_str()).collect());
                    json!({ "name": p.name, "id": p.id, "type": p.kind, "options": options })
                })
                .collect();
            json!({ "id": s.id, "name": wire::plain_text(&s.title), "properties": properties })
        })
        .collect();
    match settings.output {
        OutputFormat::Json => {
            let doc = json!({
                "database_id": settings.target.database.as_ref().map(|d| d.to_string()),
                "title": database_title,
                "data_sources": described,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("serializes")
            );
        }
        _ => {
            if let (Some(title), Some(id)) = (&database_title, &settings.target.database) {
                println!(
                    "Database '{title}' ({id}): {} data {}",
                    sources.len(),
                    crate::report::plural(sources.len(), "source")
                );
            }
            for source in &sources {
                println!(
                    "\nData source '{}' ({})",
                    wire::plain_text(&source.title),
                    source.id
                );
                for p in source.properties.values() {
                    let options = p.status.as_ref().or(p.select.as_ref()).map(|o| {
                        o.options
                            .iter()
                            .map(|o| format!("'{}'", o.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    });
                    match options {
                        Some(options) => {
                            println!("  {:<24} {:<10} options: {options}", p.name, p.kind)
                        }
                        None => println!("  {:<24} {}", p.name, p.kind),
                    }
                }
            }
        }
    }
    Ok(Exit::Done)
}
