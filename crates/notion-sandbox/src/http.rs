//! The plumbing between the server and what answers: a request as
//! received and as recorded, an answer to send, Notion's error, and the
//! readers of query strings and bodies every handler shares. It imports
//! nothing of the sandbox but the percent-decoding of the model, so every
//! module may use it.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::model::percent_decode_with;

/// The content type of Notion's JSON answers.
pub(crate) const NOTION_JSON: &str = "application/json; charset=utf-8";

/// A request as received.
#[derive(Clone, Debug)]
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

/// One request as the sandbox received it (a Notion request or a webhook
/// message).
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, `PATCH`…
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers with lowercase names, in order.
    pub headers: Vec<(String, String)>,
    /// The body as JSON; a body that is not JSON is kept as a JSON string;
    /// `None` when empty.
    pub body: Option<serde_json::Value>,
    /// Status sent; 0 when the connection was dropped, or while a
    /// [`crate::FaultKind::Hang`] is still hanging.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

impl RecordedRequest {
    /// A request as it arrived at `at`, its body read as JSON (or kept as a
    /// JSON string when it is not JSON); the status is set once answered.
    pub(crate) fn of(req: &RawRequest, at: Instant) -> RecordedRequest {
        let body = (!req.body.is_empty()).then(|| {
            serde_json::from_slice(&req.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&req.body).into_owned())
            })
        });
        RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body,
            status: 0,
            at,
        }
    }

    /// A header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
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

impl Reply {
    /// An answer with no request id, `Retry-After` or other headers.
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            retry_after: None,
            request_id: None,
            headers: Vec::new(),
        }
    }

    /// Notion's 200: the object, with the request id in the body (as
    /// Notion sends it in every answer, not only in errors) and the header.
    pub(crate) fn notion(mut v: Value, request_id: &str) -> Reply {
        if let Value::Object(o) = &mut v {
            o.insert("request_id".into(), json!(request_id));
        }
        Reply {
            request_id: Some(request_id.to_string()),
            ..Reply::new(200, NOTION_JSON, v.to_string())
        }
    }
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
    /// 400 `invalid_request`: a request Notion takes that the sandbox does not.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", message)
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
    /// A path parameter that is not a UUID.
    pub(crate) fn bad_id(param: &str, raw: &str) -> Self {
        Self::validation(format!(
            "path failed validation: path.{param} should be a valid uuid, instead was `\"{raw}\"`."
        ))
    }
    /// A write by a read-only integration.
    pub(crate) fn restricted() -> Self {
        Self::new(
            403,
            "restricted_resource",
            "Insufficient permissions for this endpoint.",
        )
    }
    /// 429 `rate_limited`, with `Retry-After` if given.
    pub(crate) fn rate_limited(retry_after: Option<u64>) -> Self {
        ApiError {
            retry_after,
            ..Self::new(
                429,
                "rate_limited",
                "You have been rate limited. Please try again in a few minutes.",
            )
        }
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
            retry_after: self.retry_after,
            request_id: Some(request_id.to_string()),
            ..Reply::new(self.status, NOTION_JSON, body.to_string())
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

/// The body of a write: 403 for a read-only integration before anything
/// is read, then an object with no key outside `allowed`.
pub(crate) fn write_body<'a>(
    read_only: bool,
    body: &'a Value,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, ApiError> {
    if read_only {
        return Err(ApiError::restricted());
    }
    let body = body_object(body)?;
    check_keys(body, "body", allowed)?;
    Ok(body)
}

/// An array of at most `max` items (children, rich text), or Notion's
/// message.
pub(crate) fn body_array<'a>(
    v: &'a Value,
    path: &str,
    max: usize,
) -> Result<&'a Vec<Value>, ApiError> {
    let arr = v.as_array().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an array, instead was `{v}`."
        ))
    })?;
    if arr.len() > max {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `{max}`, instead was `{}`.",
            arr.len()
        )));
    }
    Ok(arr)
}
