//! The board every contender sweeps, the sandbox that serves it, and what
//! changed on it: the generated board spec, the sandbox's config, and the
//! count of tasks moved (and of pages that should not have been).

use std::collections::{HashMap, HashSet};

use notion_sandbox::{
    Board, FaultConfig, FaultKind, GeneratedBoard, PageState, RateLimit, Sandbox, SandboxConfig,
};

use crate::setup::{today, Setup, AS_OF};

/// `setup.tasks` tasks of which `overdue` are overdue, generated from `seed`:
/// the same arguments give the same board, ids included.
pub fn board_spec(setup: &Setup, overdue: usize, seed: u64) -> GeneratedBoard {
    GeneratedBoard {
        seed,
        overdue_fraction: if setup.tasks == 0 {
            0.0
        } else {
            overdue as f64 / setup.tasks as f64
        },
        ..GeneratedBoard::new(setup.tasks, today())
    }
}

/// Latency plus jitter, a token bucket of `server_burst` at `rate` (none at
/// 0), and `fault_rate` shared equally by 500, 502, 503 and 504.
pub fn sandbox_config(setup: &Setup) -> SandboxConfig {
    let share = setup.fault_rate / 4.0;
    let mut faults = FaultConfig::default();
    if share > 0.0 {
        for kind in [
            FaultKind::InternalServerError,
            FaultKind::BadGateway,
            FaultKind::ServiceUnavailable,
            FaultKind::GatewayTimeout,
        ] {
            faults = faults.with_random(kind, share);
        }
    }
    SandboxConfig {
        latency: setup.latency,
        jitter: setup.jitter,
        rate_limit: (setup.server_burst > 0).then_some(RateLimit {
            per_second: setup.rate,
            burst: setup.server_burst,
        }),
        seed: setup.seed,
        faults,
        ..SandboxConfig::default()
    }
}

/// A sandbox serving `board` on loopback.
pub fn serve(board: Board, config: SandboxConfig) -> Result<Sandbox, String> {
    Sandbox::spawn(board, config).map_err(|e| format!("could not start the sandbox: {e}"))
}

fn status_of(page: &PageState) -> Option<&str> {
    page.properties.get("Status").and_then(|v| v.as_text())
}

/// Each page's status, by id.
pub fn statuses(board: &Board, ds_id: &str) -> HashMap<String, String> {
    board
        .data_source(ds_id)
        .map(|ds| {
            ds.pages
                .iter()
                .map(|p| (p.id.clone(), status_of(p).unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Live pages in "To Do" with a due date before [`AS_OF`].
pub fn overdue_ids(board: &Board, ds_id: &str) -> HashSet<String> {
    let Some(ds) = board.data_source(ds_id) else {
        return HashSet::new();
    };
    ds.pages
        .iter()
        .filter(|p| !p.in_trash && status_of(p) == Some("To Do"))
        .filter(|p| {
            p.properties
                .get("Due Date")
                .and_then(|v| v.as_date())
                .is_some_and(|d| d.start.get(..10).is_some_and(|day| day < AS_OF))
        })
        .map(|p| p.id.clone())
        .collect()
}

/// (overdue tasks now in "Overdue", other pages whose status changed).
pub fn changes(
    before: &HashMap<String, String>,
    after: &[PageState],
    overdue: &HashSet<String>,
) -> (usize, usize) {
    let mut updated = 0;
    let mut stray = 0;
    for page in after {
        let now = status_of(page).unwrap_or("");
        if overdue.contains(&page.id) {
            updated += usize::from(now == "Overdue");
        } else if before.get(&page.id).map(String::as_str) != Some(now) {
            stray += 1;
        }
    }
    (updated, stray)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use notion_sandbox::PropertyValue;

    use super::*;

    fn setup(tasks: usize) -> Setup {
        Setup {
            latency: Duration::from_millis(600),
            jitter: Duration::from_millis(100),
            rate: 3.0,
            tasks,
            overdue: 0,
            fault_rate: 0.0,
            server_burst: 2,
            strategies: Vec::new(),
            seed: 1,
            runs: 1,
            log_dir: None,
        }
    }

    /// A 40-task board with 10 overdue, its data source id, and its pages.
    fn board() -> (Board, String, Vec<PageState>) {
        let spec = board_spec(&setup(40), 10, 7);
        let board = Board::generated(&spec);
        let ds_id = spec.data_source_id();
        let pages = board.data_source(&ds_id).unwrap().pages.clone();
        (board, ds_id, pages)
    }

    fn set_status(pages: &mut [PageState], id: &str, status: &str) {
        let page = pages.iter_mut().find(|p| p.id == id).unwrap();
        page.properties
            .insert("Status".into(), PropertyValue::option(status));
    }

    #[test]
    fn the_same_seed_gives_the_same_board_and_the_overdue_count_asked() {
        let spec = board_spec(&setup(40), 10, 7);
        assert_eq!(spec.overdue_count(), 10);
        let (board, ds_id, _) = board();
        assert_eq!(overdue_ids(&board, &ds_id).len(), 10);
        assert_eq!(
            board_spec(&setup(40), 10, 7).database_id(),
            spec.database_id()
        );
        assert_ne!(
            board_spec(&setup(40), 10, 8).database_id(),
            spec.database_id()
        );
        assert_eq!(board_spec(&setup(0), 0, 1).overdue_fraction, 0.0);
    }

    #[test]
    fn an_untouched_board_shows_no_change() {
        let (board, ds_id, pages) = board();
        let counts = changes(
            &statuses(&board, &ds_id),
            &pages,
            &overdue_ids(&board, &ds_id),
        );
        assert_eq!(counts, (0, 0));
    }

    #[test]
    fn overdue_tasks_moved_count_as_updated_and_any_other_change_as_stray() {
        let (board, ds_id, mut pages) = board();
        let overdue = overdue_ids(&board, &ds_id);
        let mut moved: Vec<&String> = overdue.iter().collect();
        moved.sort();
        for id in &moved[..7] {
            set_status(&mut pages, id, "Overdue");
        }
        // An overdue task set to something else is not updated, nor stray.
        set_status(&mut pages, moved[7], "Done");
        // A task that was not overdue and changed is stray, whatever its new status.
        let other = pages
            .iter()
            .find(|p| !overdue.contains(&p.id))
            .unwrap()
            .id
            .clone();
        set_status(&mut pages, &other, "Overdue");
        let counts = changes(&statuses(&board, &ds_id), &pages, &overdue);
        assert_eq!(counts, (7, 1));
    }

    #[test]
    fn the_sandbox_limit_is_the_rate_with_the_burst_and_none_at_burst_zero() {
        let limit = sandbox_config(&setup(40)).rate_limit.unwrap();
        assert_eq!((limit.per_second, limit.burst), (3.0, 2));
        let unlimited = Setup {
            server_burst: 0,
            ..setup(40)
        };
        assert!(sandbox_config(&unlimited).rate_limit.is_none());
    }

    #[test]
    fn the_fault_rate_is_shared_equally_by_four_server_errors() {
        let faulty = Setup {
            fault_rate: 0.2,
            ..setup(40)
        };
        let random = sandbox_config(&faulty).faults.random;
        assert_eq!(random.len(), 4);
        assert!(random.iter().all(|(_, p)| (*p - 0.05).abs() < 1e-12));
        assert!(sandbox_config(&setup(40)).faults.random.is_empty());
    }
}
