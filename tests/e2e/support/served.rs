//! Generated boards served by sandboxes of their own, as the tests set
//! them up: the board, the sandbox's settings (faults, latency), and what
//! a sweep of it must change.

use std::collections::BTreeSet;
use std::time::Duration;

use notion_sandbox::{
    Board, FaultConfig, FaultKind, GeneratedBoard, PageState, PropertyKind, Sandbox, SandboxConfig,
};

use super::binary::{as_of, env_for, notion_sweep, Run};
use super::expected::{overdue, patched_id, requests, text};

/// A generated board on a sandbox of its own.
pub fn serve(spec: &GeneratedBoard, config: SandboxConfig) -> Sandbox {
    Sandbox::spawn(Board::generated(spec), config).unwrap()
}

/// A board of `tasks` whose status is a select named `Stage` with two open
/// states (`Backlog`, `Todo`), `Late` for the late ones and `Doing` and
/// `Shipped` besides, due on a date named `Deadline`.
pub fn select_board(seed: u64, tasks: usize) -> GeneratedBoard {
    GeneratedBoard {
        seed,
        status_kind: PropertyKind::Select,
        status_property: "Stage".into(),
        date_property: "Deadline".into(),
        open_statuses: vec!["Backlog".into(), "Todo".into()],
        late_status: "Late".into(),
        other_statuses: vec!["Doing".into(), "Shipped".into()],
        ..GeneratedBoard::new(tasks, as_of())
    }
}

/// Settings whose first `n` Notion requests get `kind`.
pub fn scripted(kind: FaultKind, n: usize) -> SandboxConfig {
    SandboxConfig {
        faults: FaultConfig::default().with_scripted(kind, n),
        ..SandboxConfig::default()
    }
}

/// Settings that answer every Notion request after `ms` milliseconds.
pub fn latency(ms: u64) -> SandboxConfig {
    SandboxConfig {
        latency: Duration::from_millis(ms),
        ..SandboxConfig::default()
    }
}

/// A generated board served with given settings, as it was before any
/// sweep, and the overdue tasks a sweep must move (default names, UTC).
pub struct Served {
    pub spec: GeneratedBoard,
    pub sandbox: Sandbox,
    /// The pages before any sweep, in board order.
    pub before: Vec<PageState>,
    /// The ids a sweep must move.
    pub expected: BTreeSet<String>,
}

impl Served {
    /// Serves `spec` with `config`.
    pub fn new(spec: GeneratedBoard, config: SandboxConfig) -> Served {
        let sandbox = serve(&spec, config);
        let before = sandbox.pages(&spec.data_source_id());
        let expected = overdue(&sandbox, &spec);
        Served {
            spec,
            sandbox,
            before,
            expected,
        }
    }

    /// The environment a cron job against this sandbox would have.
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.sandbox)
    }

    /// `notion-sweep sweep <its database> args…` in that environment.
    pub fn sweep(&self, args: &[&str]) -> Run {
        let database = self.spec.database_id();
        let mut all = vec!["sweep", database.as_str()];
        all.extend_from_slice(args);
        notion_sweep(&all, &self.env())
    }

    /// The pages whose status differs from what it was before.
    pub fn moved(&self) -> BTreeSet<String> {
        let after = self.sandbox.pages(&self.spec.data_source_id());
        self.before
            .iter()
            .zip(&after)
            .filter(|(b, a)| text(b, "Status") != text(a, "Status"))
            .map(|(b, _)| b.id.clone())
            .collect()
    }

    /// The pages a PATCH was sent to.
    pub fn patched(&self) -> BTreeSet<String> {
        requests(&self.sandbox, "PATCH")
            .iter()
            .map(patched_id)
            .collect()
    }
}
