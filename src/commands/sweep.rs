//! `notion-sweep sweep`: the main job.

use crate::cli::SweepArgs;
use crate::progress::Progress;
use crate::settings::{Env, SweepSettings, UsageError};
use crate::stop::Stop;
use crate::summary::Exit;

/// Resolves, checks, sweeps, notifies, prints; the exit code says how it went.
pub(super) async fn run(args: &SweepArgs, env: Env<'_>) -> Result<Exit, UsageError> {
    let settings = SweepSettings::from_args(args, env)?;
    let webhooks: Vec<_> = settings.notify.targets.iter().map(|t| &t.url).collect();
    super::guard_secrets(&settings.client, &webhooks);
    let stop = Stop::default();
    stop.on_signals();
    let quiet = args.connection.log.quiet;
    let summary = crate::run::sweep(&settings, &stop, &Progress::new(quiet)).await?;
    super::print_summary(&summary, settings.output, quiet);
    if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.trim().is_empty()) {
        super::append_step_summary(std::path::Path::new(&path), &summary);
    }
    Ok(summary.exit())
}
