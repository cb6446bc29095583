//! Every sink of a sandbox: what each received (accepted or refused), and
//! what decides its next answer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::answers::{discord, generic, slack, teams, Queue};
use super::kinds::{SinkKind, SinkReply};
use crate::bucket::{RateLimit, TokenBucket};
use crate::http::{lock, RawRequest, RecordedRequest, Reply};

/// State of one sink.
#[derive(Default)]
struct SinkState {
    messages: Vec<Value>,
    requests: Vec<RecordedRequest>,
    queue: Queue,
}

/// Every sink of a sandbox.
pub(crate) struct Sinks {
    slots: [Mutex<SinkState>; 4],
}

/// What the server does with a sink request.
pub(crate) struct SinkOutcome {
    pub(crate) kind: SinkKind,
    pub(crate) reply: Reply,
    /// Wait this long before answering.
    pub(crate) hang: Option<Duration>,
    /// Index of the recorded request (to set its status after a hang).
    pub(crate) index: usize,
}

impl Sinks {
    /// Every sink, each with its own token bucket if `limits` names it.
    pub(crate) fn new(limits: &HashMap<SinkKind, RateLimit>) -> Sinks {
        let now = Instant::now();
        let slot = |kind: SinkKind| {
            Mutex::new(SinkState {
                queue: Queue {
                    bucket: limits.get(&kind).map(|r| TokenBucket::new(*r, now)),
                    ..Queue::default()
                },
                ..SinkState::default()
            })
        };
        Sinks {
            slots: SinkKind::ALL.map(slot),
        }
    }

    /// Every body a sink received, in order.
    pub(crate) fn messages(&self, kind: SinkKind) -> Vec<Value> {
        lock(&self.slots[kind.index()]).messages.clone()
    }

    /// Every request a sink received, in order.
    pub(crate) fn requests(&self, kind: SinkKind) -> Vec<RecordedRequest> {
        lock(&self.slots[kind.index()]).requests.clone()
    }

    /// Queues a scripted answer of a sink.
    pub(crate) fn push_reply(&self, kind: SinkKind, r: SinkReply) {
        lock(&self.slots[kind.index()]).queue.replies.push_back(r);
    }

    /// Sets the status a recorded request was answered with (after a hang).
    pub(crate) fn set_status(&self, kind: SinkKind, index: usize, status: u16) {
        if let Some(r) = lock(&self.slots[kind.index()]).requests.get_mut(index) {
            r.status = status;
        }
    }

    /// Handles a request to a sink path; `None` if it is not one.
    pub(crate) fn handle(&self, req: &RawRequest) -> Option<SinkOutcome> {
        let kind = SinkKind::of_path(&req.path)?;
        let parsed: Option<Value> = serde_json::from_slice(&req.body).ok();
        let mut st = lock(&self.slots[kind.index()]);
        let recorded = RecordedRequest::of(req, Instant::now());
        st.messages
            .push(recorded.body.clone().unwrap_or(Value::Null));
        st.requests.push(recorded);
        let index = st.requests.len() - 1;
        let queue = &mut st.queue;
        let (reply, hang) = match kind {
            SinkKind::Slack => slack(queue, req, parsed),
            SinkKind::Discord => discord(queue, req, parsed),
            SinkKind::Teams => teams(queue, req, parsed),
            SinkKind::Json => generic(queue, req, parsed),
        };
        if hang.is_none() {
            st.requests[index].status = reply.status;
        }
        Some(SinkOutcome {
            kind,
            reply,
            hang,
            index,
        })
    }
}
