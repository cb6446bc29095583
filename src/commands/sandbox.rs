//! `notion-sweep sandbox`: the fake Notion served on loopback until
//! SIGINT/SIGTERM, a local Notion to try automations against. The library
//! serves; this command says where (the banner on stdout), shows what was
//! asked of it with `-v` (on stderr), and how much it served at the end.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use chrono::NaiveDate;
use notion_sandbox::{Board, Event, PropertyKind, Sandbox, ServeOptions, SinkKind, NOTION_VERSION};

use crate::input::cli::SandboxArgs;
use crate::input::UsageError;
use crate::output::exit::{exit_of, Ending, Exit};

/// Serves until a signal; a bad option or a busy port is a usage error.
pub(super) async fn run(args: &SandboxArgs) -> Result<Exit, UsageError> {
    let options = ServeOptions {
        port: args.port,
        board: args.board.clone(),
        latency: Duration::from_millis(args.latency_ms),
        rate_limit: args.rate_limit,
        fault_rate: args.fault_rate,
        token: args.token.clone(),
        today: args.today,
        seed: args.seed,
    };
    let sandbox = Sandbox::serve(&options)
        .await
        .map_err(|e| UsageError::value(e.to_string()))?;
    if args.log.verbose > 0 {
        sandbox.watch(|e| eprintln!("{}", event_line(e)));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner(&sandbox).as_bytes());
    let _ = out.flush();
    drop(out);
    interrupted().await;
    let notion = sandbox.requests().len();
    let hooks: usize = SinkKind::ALL
        .iter()
        .map(|k| sandbox.sink_messages(*k).len())
        .sum();
    println!("{notion} Notion requests served, {hooks} webhook messages received.");
    let _ = std::io::stdout().flush();
    Ok(exit_of(Ending::Done))
}

/// Resolves on SIGINT or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Quotes a word for a POSIX shell if it needs it.
fn shell(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%^".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The banner: where the sandbox is, what it serves and a command to try.
fn banner(sandbox: &Sandbox) -> String {
    let board = sandbox.board();
    let today = sandbox.today();
    let mut b = String::new();
    let _ = writeln!(
        b,
        "Sandbox Notion (API {NOTION_VERSION}) listening on {}",
        sandbox.url()
    );
    let _ = writeln!(b, "Token:          {}", sandbox.token());
    let _ = writeln!(b, "Slack webhook:  {}", sandbox.sink_url(SinkKind::Slack));
    let _ = writeln!(b, "Discord:        {}", sandbox.sink_url(SinkKind::Discord));
    let _ = writeln!(b, "Teams:          {}", sandbox.sink_url(SinkKind::Teams));
    let _ = writeln!(b, "JSON webhook:   {}", sandbox.sink_url(SinkKind::Json));
    let _ = writeln!(b, "Board export:   {}/_sandbox/board", sandbox.url());
    let _ = writeln!(b, "Today:          {today}");
    let _ = writeln!(b, "Databases:");
    for db in &board.databases {
        let sources: Vec<String> = db
            .data_sources
            .iter()
            .map(|ds| {
                format!(
                    "{} ({}, {} pages{})",
                    ds.name,
                    ds.id,
                    ds.pages.len(),
                    if ds.shared { "" } else { ", not shared" }
                )
            })
            .collect();
        let _ = writeln!(
            b,
            "  {} ({}){}: {}",
            db.title,
            db.id,
            if db.shared { "" } else { " [not shared]" },
            sources.join("; ")
        );
    }
    if board.databases.is_empty() {
        let _ = writeln!(b, "  (none)");
    }
    match try_line(&board, today) {
        Some(cmd) => {
            let _ = writeln!(
                b,
                "\nTry: NOTION_TOKEN={} notion-sweep sweep --api-url {} {cmd} --dry-run",
                shell(&sandbox.token()),
                sandbox.url()
            );
        }
        None => {
            let _ = writeln!(
                b,
                "\nTry: curl -H 'Authorization: Bearer {}' -H 'Notion-Version: {NOTION_VERSION}' {}/v1/users/me",
                sandbox.token(),
                sandbox.url()
            );
        }
    }
    let _ = writeln!(b, "Stop with Ctrl-C.");
    b
}

/// The sweep arguments that fit the first shared database of the board:
/// its data source, status and date properties and their options.
fn try_line(board: &Board, today: NaiveDate) -> Option<String> {
    let (db, ds) = board.databases.iter().filter(|d| d.shared).find_map(|db| {
        db.data_sources
            .iter()
            .find(|ds| ds.shared && ds.properties.iter().any(|p| p.kind == PropertyKind::Date))
            .map(|ds| (db, ds))
    })?;
    let status = ds
        .properties
        .iter()
        .find(|p| p.kind == PropertyKind::Status)
        .or_else(|| {
            ds.properties
                .iter()
                .find(|p| p.kind == PropertyKind::Select)
        })?;
    let date = ds
        .properties
        .iter()
        .find(|p| p.kind == PropertyKind::Date)?;
    let mut args = vec![db.id.clone()];
    if db.data_sources.len() > 1 {
        args.push(format!("--data-source {}", ds.id));
    }
    if status.name != "Status" {
        args.push(format!("--status-property {}", shell(&status.name)));
    }
    if date.name != "Due Date" {
        args.push(format!("--date-property {}", shell(&date.name)));
    }
    let names: Vec<&str> = status.options.iter().map(|o| o.name.as_str()).collect();
    if !names.contains(&"To Do") {
        let from = status
            .groups
            .first()
            .and_then(|g| g.options.first())
            .map(String::as_str)
            .or(names.first().copied())?;
        args.push(format!("--from {}", shell(from)));
    }
    if !names.contains(&"Overdue") {
        let to = names
            .iter()
            .find(|n| n.to_lowercase().contains("overdue") || n.to_lowercase().contains("late"))
            .or(names.last())?;
        args.push(format!("--to {}", shell(to)));
    }
    if board.today.is_some() || today != chrono::Utc::now().date_naive() {
        args.push(format!("--as-of {today}"));
    }
    Some(args.join(" "))
}

/// One line (or a few) for `--verbose`.
fn event_line(e: &Event) -> String {
    match e {
        Event::Request {
            method,
            path,
            status,
            elapsed,
        } => {
            let status = if *status == 0 {
                "dropped".to_string()
            } else {
                status.to_string()
            };
            format!("{method} {path} {status} {} ms", elapsed.as_millis())
        }
        Event::Sink { kind, body, status } => {
            let text = kind.message_text(body);
            let mut out = format!("webhook {} answered {status}:", kind.as_str());
            for line in text.lines() {
                out.push_str("\n  | ");
                out.push_str(line);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use notion_sandbox::{GeneratedBoard, SandboxConfig};

    use super::*;

    #[test]
    fn banner_names_the_board_served() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let spec = GeneratedBoard {
            status_property: "State".into(),
            ..GeneratedBoard::new(20, today)
        };
        let sb = Sandbox::spawn(
            Board::generated(&spec),
            SandboxConfig {
                today: Some(today),
                ..Default::default()
            },
        )
        .unwrap();
        let b = banner(&sb);
        assert!(b.contains(&format!("listening on {}", sb.url())));
        assert!(b.contains("/discord/api/webhooks/"));
        assert!(b.contains("sig=sandboxsig"));
        let try_line = b.lines().find(|l| l.starts_with("Try:")).unwrap();
        assert!(try_line.contains(&spec.database_id()), "{try_line}");
        assert!(!try_line.contains(notion_sandbox::DEMO_DATABASE_ID));
        assert!(try_line.contains("--status-property State"), "{try_line}");
        assert!(try_line.contains("--as-of 2026-11-22"), "{try_line}");
        assert!(!b.contains("no new writes"));
    }

    #[test]
    fn events_render_as_lines() {
        let line = event_line(&Event::Request {
            method: "GET".into(),
            path: "/v1/users/me".into(),
            status: 200,
            elapsed: Duration::from_millis(3),
        });
        assert_eq!(line, "GET /v1/users/me 200 3 ms");
    }
}
