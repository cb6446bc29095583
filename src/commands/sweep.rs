//! `notion-sweep sweep`: the main job.

use clap::ArgMatches;

use super::boards;
use crate::cli::SweepArgs;
use crate::progress::Progress;
use crate::report::{self, Format};
use crate::settings::{Env, SweepSettings, UsageError};
use crate::stop::Stop;
use crate::summary::{Exit, Summary};

/// Resolves, checks, sweeps, notifies, prints; the exit code says how it went.
pub(super) async fn run(
    args: &SweepArgs,
    given: &ArgMatches,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    if args.board.config.config.is_some() {
        return run_boards(args, given, env).await;
    }
    let settings = SweepSettings::from_args(args, env)?;
    let webhooks: Vec<_> = settings.notify.targets.iter().map(|t| &t.url).collect();
    super::guard_secrets(&settings.client, &webhooks);
    let stop = Stop::default();
    stop.on_signals();
    let quiet = args.board.connection.log.quiet;
    let summary = crate::run::sweep(&settings, &stop, &Progress::new(quiet)).await?;
    super::print_summary(&summary, settings.output, quiet);
    if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.trim().is_empty()) {
        super::append_step_summary(std::path::Path::new(&path), &summary);
    }
    Ok(summary.exit())
}

/// Every board of `--config` at once: boards under one token share its
/// limiter, boards under different tokens run side by side at their own.
async fn run_boards(
    args: &SweepArgs,
    given: &ArgMatches,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    let boards = boards::prepare(
        &args.board.config,
        "sweep",
        given,
        env,
        SweepSettings::from_args,
    )?;
    let quiet = args.board.connection.log.quiet;
    let output: Format = args.output.into();
    let mut running = tokio::task::JoinSet::new();
    for (index, (name, settings, stop)) in boards.into_iter().enumerate() {
        // Progress lines of several boards would interleave: a summary each at the end.
        running.spawn(async move {
            let summary = crate::run::sweep(&settings, &stop, &Progress::new(true)).await;
            // Each board is reported by the name the file gives it.
            (index, summary.map(|s| Summary { name, ..s }))
        });
    }
    let mut summaries = Vec::new();
    while let Some(done) = running.join_next().await {
        let (index, summary) =
            done.map_err(|e| UsageError(format!("a board's run failed: {e}")))?;
        summaries.push((index, summary?));
    }
    summaries.sort_by_key(|(index, _)| *index);
    let summaries: Vec<_> = summaries.into_iter().map(|(_, s)| s).collect();
    let exit = Exit::worst(summaries.iter().map(|s| s.exit()));
    let quiet_and_well = quiet && exit == Exit::Done && summaries.iter().all(|s| s.matched == 0);
    if !(output == Format::Text && quiet_and_well) {
        super::print(&report::render_boards(&summaries, exit.code(), output));
    }
    for summary in &summaries {
        if let Some(error) = &summary.error {
            tracing::error!("{}: {}", summary.name, error.message);
        }
    }
    if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.trim().is_empty()) {
        super::append_text(
            std::path::Path::new(&path),
            &report::render_boards(&summaries, exit.code(), Format::Markdown),
        );
    }
    Ok(exit)
}
