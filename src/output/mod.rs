//! What leaves the process, from plain data: the result on standard output
//! (`report`: text, markdown, JSON, one module per document), the exit code
//! (`exit`), errors and the step summary (`print`), logs (`log`), progress
//! on standard error (`progress`) and the summary posted to every channel
//! (`notify`). Knows no flag: the commands hand it summaries and reports.

pub(crate) mod exit;
pub(crate) mod log;
pub(crate) mod notify;
pub(crate) mod print;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod show;
