//! The log of Notion requests: each as received, with the status it got.

use std::sync::Mutex;
use std::time::Instant;

use crate::http::{lock, RawRequest, RecordedRequest};

/// Every Notion request received, in order of arrival.
#[derive(Default)]
pub(crate) struct RequestLog(Mutex<Vec<RecordedRequest>>);

impl RequestLog {
    /// Records a request that arrived at `at`; returns its index.
    pub(crate) fn record(&self, req: &RawRequest, at: Instant) -> usize {
        let mut log = lock(&self.0);
        log.push(RecordedRequest::of(req, at));
        log.len() - 1
    }

    /// Sets the status the request at `index` was answered with.
    pub(crate) fn set_status(&self, index: usize, status: u16) {
        if let Some(r) = lock(&self.0).get_mut(index) {
            r.status = status;
        }
    }

    /// A copy of the log.
    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.0).clone()
    }
}
