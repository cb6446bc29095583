//! The jobs: from a board, given as plain data, to what was found and done,
//! again as plain data. `sweep` finds overdue tasks and moves them; `check`
//! proves a sweep could run; `schema` reads what a database holds; `stale`
//! finds tasks nobody has touched for days (and may move them); `digest`
//! counts tasks per status and lists the ones edited lately; `undo` moves
//! back what a sweep moved (the last three each a `run` of their own
//! findings, reading `task`s with `paging`). Each
//! resolves the board's data source and checks its schema first
//! (`resolve`, `rule`). No job prints, posts or decides an exit code: the
//! commands hand their results to the output.

pub(crate) mod board;
pub(crate) mod check;
pub(crate) mod digest;
pub(crate) mod paging;
pub(crate) mod resolve;
pub(crate) mod rule;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod stale;
pub(crate) mod summary;
pub(crate) mod sweep;
pub(crate) mod task;
pub(crate) mod undo;
