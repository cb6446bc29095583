//! The ground floor: what keeps a run safe whatever comes in. Secrets and
//! terminal control scrubbed from every text that leaves the process,
//! reads bounded in size, one sweep per data source at a time, the stop
//! switch that signals, refusals and the deadline pull, and the check of
//! every URL the program sends to. Nothing here knows Notion or a command.

pub(crate) mod limits;
pub(crate) mod lock;
pub(crate) mod scrub;
pub(crate) mod stop;
pub(crate) mod urls;
