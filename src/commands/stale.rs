//! `notion-sweep stale`: the tasks nobody has touched for days, on one
//! board or every board of `--config`; escalated to every channel, and
//! moved with `--move-to`.

use super::boards::runs_on_boards;
use super::line::{on_boards, Given};
use crate::input::cli::StaleArgs;
use crate::input::{Env, UsageError};
use crate::jobs::board::Board;
use crate::jobs::stale::stale;
use crate::output::exit::Exit;
use crate::output::notify::post_stale;
use crate::output::show::{self, Shown};

/// Finds, posts, shows; the exit code says how it went.
pub(super) async fn run(args: &StaleArgs, given: &Given, env: Env<'_>) -> Result<Exit, UsageError> {
    on_boards(&args.board, args.report.output, given, env, stale_boards).await
}

/// Runs `stale` on every board at once, posts, shows; the exit code says how
/// it went.
pub(super) async fn stale_boards(boards: Vec<Board>, shown: Shown<'_>) -> Exit {
    let runs = runs_on_boards(boards, |board, stop| async move {
        let mut run = stale(&board, &stop).await;
        post_stale(&mut run, &board.notify, &stop).await;
        run
    })
    .await;
    show::runs(&runs, shown)
}
