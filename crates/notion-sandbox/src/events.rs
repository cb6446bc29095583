//! What the server did, for a watcher (`notion-sweep sandbox --verbose`).

use crate::sinks::SinkKind;

/// A watcher of the server (see [`Event`]).
pub(crate) type Observer = Box<dyn Fn(&Event) + Send + Sync>;

/// Something the server did, told to the watcher set with
/// [`crate::Sandbox::watch`].
#[derive(Clone, Debug)]
pub enum Event {
    /// A Notion request was answered (status 0: dropped).
    Request {
        /// `GET`, `POST`, `PATCH`…
        method: String,
        /// Path without the query string.
        path: String,
        /// Status sent; 0 when the connection was dropped.
        status: u16,
        /// From arrival to answer, latency included.
        elapsed: std::time::Duration,
    },
    /// A webhook sink received a body.
    Sink {
        /// Which sink.
        kind: SinkKind,
        /// The body as JSON (a string when it was not JSON, `null` when empty).
        body: serde_json::Value,
        /// Status sent.
        status: u16,
    },
}
