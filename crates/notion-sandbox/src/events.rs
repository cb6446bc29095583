//! What the server did, for a watcher (`serve --verbose`).

use super::sinks::SinkKind;

/// A watcher of the server (see [`Event`]).
pub(crate) type Observer = Box<dyn Fn(Event) + Send + Sync>;

/// Something the server did, for a watcher (`serve --verbose`).
#[derive(Clone, Debug)]
pub(crate) enum Event {
    /// A Notion request was answered (status 0: dropped).
    Request {
        method: String,
        path: String,
        status: u16,
        elapsed: std::time::Duration,
    },
    /// A webhook sink received a body.
    Sink {
        kind: SinkKind,
        body: serde_json::Value,
        status: u16,
    },
}
