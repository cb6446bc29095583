//! The one skeleton every command that works on boards runs: every secret
//! of every board guarded, one limiter per token (boards under one token
//! share it, boards under different tokens run side by side at their own),
//! a stop switch per board that the signals and its `--deadline` pull, and
//! the job run on every board at once, its results in board order.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use secrecy::ExposeSecret;

use crate::guards::scrub::{self, Scrubber};
use crate::guards::stop::Stop;
use crate::jobs::board::Board;
use crate::jobs::run::Run;
use crate::notion::limiter::Limiter;
use crate::output::exit::{exit_of, Ending};

/// Runs `job` on every board at once and gives each board's result, in
/// the order of `boards`.
pub(super) async fn for_each_board<R, F, Fut>(mut boards: Vec<Board>, job: F) -> Vec<(Board, R)>
where
    F: Fn(Board, Stop) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    guard_secrets(&boards);
    share_limiters(&mut boards);
    let mut running = tokio::task::JoinSet::new();
    for (index, (board, stop)) in boards.iter().cloned().zip(stops(boards.len())).enumerate() {
        // Bounds the board's whole run, its posts included: past it no
        // request starts.
        let deadline = stop.after(board.client.retry.deadline);
        let work = job(board, stop);
        running.spawn(async move {
            let result = work.await;
            drop(deadline);
            (index, result)
        });
    }
    let mut results: Vec<Option<R>> = boards.iter().map(|_| None).collect();
    while let Some(done) = running.join_next().await {
        match done {
            Ok((index, result)) => results[index] = Some(result),
            // A job only ends without a result if it panicked: a bug.
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    boards
        .into_iter()
        .zip(results)
        .filter_map(|(board, result)| Some((board, result?)))
        .collect()
}

/// Runs `job` on every board at once, each run timed whole (its posts
/// included), and gives the runs in the order of `boards`.
pub(super) async fn runs_on_boards<T, F, Fut>(boards: Vec<Board>, job: F) -> Vec<Run<T>>
where
    F: Fn(Board, Stop) -> Fut,
    Fut: Future<Output = Run<T>> + Send + 'static,
    T: Send + 'static,
{
    for_each_board(boards, |board, stop| {
        let work = job(board, stop);
        async move {
            let started = Instant::now();
            let mut run = work.await;
            run.elapsed_ms = started.elapsed().as_millis() as u64;
            run
        }
    })
    .await
    .into_iter()
    .map(|(_, run)| run)
    .collect()
}

/// Every token and webhook of every board is scrubbed from all output.
fn guard_secrets(boards: &[Board]) {
    let tokens: Vec<&str> = boards
        .iter()
        .map(|b| b.client.token.expose_secret())
        .collect();
    let urls: Vec<&str> = boards
        .iter()
        .flat_map(|b| b.notify.channels.iter().map(|c| c.url.expose_secret()))
        .collect();
    scrub::install(Scrubber::from_secrets(tokens, urls));
}

/// Boards under one token (and one API) share one limiter, at the rate of
/// the first of them; boards under different tokens each have their own.
fn share_limiters(boards: &mut [Board]) {
    let mut limiters: HashMap<(String, String), Arc<Limiter>> = HashMap::new();
    for board in boards {
        let client = &mut board.client;
        let key = (
            client.token.expose_secret().to_string(),
            client.base_url.to_string(),
        );
        let rate = client.rate;
        let limiter = limiters
            .entry(key)
            .or_insert_with(|| Arc::new(Limiter::new(rate)));
        client.limiter = Some(limiter.clone());
    }
}

/// A stop switch per board: a 401 on one board stops that board only, a
/// signal stops them all (and a second one ends the process).
fn stops(count: usize) -> Vec<Stop> {
    let all = Stop::default();
    all.on_signals(abandon);
    (0..count)
        .map(|_| {
            let board = Stop::default();
            let (from, to) = (all.clone(), board.clone());
            tokio::spawn(async move { to.trigger(from.stopped().await) });
            board
        })
        .collect()
}

/// A second SIGINT or SIGTERM: the process ends at once.
fn abandon() {
    eprintln!("notion-sweep: second interrupt: exiting at once (exit 4); requests in flight may or may not have reached Notion");
    std::process::exit(exit_of(Ending::Abandoned).code().into());
}
