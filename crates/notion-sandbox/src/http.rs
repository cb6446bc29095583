//! The plumbing between the server and the handlers: a request as
//! received, an answer to send, and Notion's error. It imports nothing of
//! the sandbox but the percent-decoding of the board, so every module may
//! use it.

use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Map, Value};

use super::model::percent_decode_with;

/// A request as received.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Lowercase names.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawRequest {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer to send.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: String,
    pub(crate) retry_after: Option<u64>,
    pub(crate) request_id: Option<String>,
    /// More headers (lowercase names).
    pub(crate) headers: Vec<(String, String)>,
}

/// A Notion error.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) additional_data: Option<Value>,
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            additional_data: None,
            retry_after: None,
        }
    }
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "validation_error", message)
    }
    pub(crate) fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            404,
            "object_not_found",
            format!(
                "Could not find {kind} with ID: {id}. Make sure the relevant pages and databases are shared with your integration."
            ),
        )
    }

    pub(crate) fn reply(&self, request_id: &str) -> Reply {
        let mut body = json!({
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        });
        if let Some(extra) = &self.additional_data {
            body["additional_data"] = extra.clone();
        }
        Reply {
            status: self.status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
            retry_after: self.retry_after,
            request_id: Some(request_id.to_string()),
            headers: Vec::new(),
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // a panicking test thread must not poison the sandbox for the others
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn query_values<'a>(
    query: Option<&'a str>,
    key: &'a str,
) -> impl Iterator<Item = String> + 'a {
    query
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .filter(move |(k, _)| {
            let k = percent_decode_with(k, true);
            k == key || k == format!("{key}[]")
        })
        .map(|(_, v)| percent_decode_with(v, true))
}

/// Refuses body keys outside `allowed`, as Notion does.
pub(crate) fn check_keys(
    body: &Map<String, Value>,
    path: &str,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match body.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some((k, v)) => Err(ApiError::validation(format!(
            "body failed validation: {path}.{k} should be not present, instead was `{v}`."
        ))),
    }
}

/// The body as an object, or Notion's message.
pub(crate) fn body_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: body should be an object, instead was `{body}`."
        ))
    })
}
