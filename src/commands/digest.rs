//! `notion-sweep digest`: the standup summary, on one board or every
//! board of `--config`; posted to every channel each time it runs.

use super::boards::runs_on_boards;
use super::line::{on_boards, Given};
use crate::input::cli::DigestArgs;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::digest::digest;
use crate::output::exit::Exit;
use crate::output::notify::post_digest;
use crate::output::show::{self, Shown};

/// Counts, posts, shows; the exit code says how it went.
pub(super) async fn run(
    args: &DigestArgs,
    given: &Given,
    env: Env<'_>,
) -> Result<Exit, UsageError> {
    on_boards(&args.board, args.report.output, given, env, digest_boards).await
}

/// Runs `digest` on every board at once, posts, shows; the exit code says how
/// it went.
pub(super) async fn digest_boards(boards: Vec<Board>, shown: Shown<'_>) -> Exit {
    let runs = runs_on_boards(boards, |board, stop| async move {
        let mut run = digest(&board, &stop).await;
        post_digest(&mut run, &board.notify, &stop).await;
        run
    })
    .await;
    show::runs(&runs, shown)
}
