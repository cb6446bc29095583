//! How each service answers a webhook, as its documentation and its
//! observed behaviour say: Slack's plain-text `ok` and errors, Discord's
//! 204 and coded JSON errors, Teams Workflows' 202 for Adaptive Cards, and
//! any JSON endpoint's 200. A well-formed message first takes a token of
//! the sink's bucket, then the next scripted answer, if any.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::kinds::{
    discord_rate_limit_body, teams_error, SinkReply, DISCORD_PATH, JSON_PATH, SLACK_PATH,
    TEAMS_PATH,
};
use crate::bucket::TokenBucket;
use crate::http::{query_values, RawRequest, Reply};

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

/// What decides a sink's next answer besides the message: its scripted
/// answers and its token bucket.
#[derive(Default)]
pub(crate) struct Queue {
    pub(crate) replies: VecDeque<SinkReply>,
    pub(crate) bucket: Option<TokenBucket>,
}

impl Queue {
    /// The next scripted reply, if any: `Some(answer)` unless it only hangs
    /// before the normal answer (status 0), in which case the hang is kept.
    fn scripted(
        &mut self,
        content_type: &'static str,
        hang: &mut Option<Duration>,
    ) -> Option<Reply> {
        let r = self.replies.pop_front()?;
        *hang = r.hang;
        if r.status == 0 {
            return None;
        }
        let mut out = Reply::new(r.status, content_type, r.body);
        if let Some(secs) = r.retry_after {
            out.retry_after = Some(secs.ceil().max(0.0) as u64);
        }
        Some(out)
    }

    /// A token of the bucket, or after how many seconds one is back.
    fn take_token(&mut self) -> Result<(), u64> {
        match self.bucket.as_mut() {
            Some(b) => b.try_take(Instant::now()),
            None => Ok(()),
        }
    }
}

/// Slack: `ok`, or plain-text errors.
pub(crate) fn slack(
    queue: &mut Queue,
    req: &RawRequest,
    parsed: Option<Value>,
) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (Reply::new(405, TEXT, "invalid_method"), None);
    }
    if req.path != SLACK_PATH {
        return (Reply::new(404, TEXT, "no_service"), None);
    }
    let Some(msg) = parsed.filter(|v| v.get("text").is_some_and(Value::is_string)) else {
        return (Reply::new(400, TEXT, "invalid_payload"), None);
    };
    if msg
        .get("blocks")
        .and_then(Value::as_array)
        .is_some_and(|b| !slack_blocks_fit(b))
    {
        return (Reply::new(400, TEXT, "invalid_blocks"), None);
    }
    if let Err(secs) = queue.take_token() {
        let mut r = Reply::new(429, TEXT, "rate_limited");
        r.retry_after = Some(secs);
        return (r, None);
    }
    let mut hang = None;
    let r = queue
        .scripted(TEXT, &mut hang)
        .unwrap_or_else(|| Reply::new(200, TEXT, "ok"));
    (r, hang)
}

/// Do Slack's blocks keep to Block Kit's limits? At most 50 blocks; a
/// section's text at most 3,000 characters, its fields at most 10 of
/// 2,000 each; a header's text at most 150. Slack refuses a message that
/// does not with `invalid_blocks`.
fn slack_blocks_fit(blocks: &[Value]) -> bool {
    let text_of = |v: Option<&Value>| chars(v.and_then(|t| t.get("text")));
    blocks.len() <= 50
        && blocks
            .iter()
            .all(|b| match b.get("type").and_then(Value::as_str) {
                Some("section") => {
                    let fields = b
                        .get("fields")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    text_of(b.get("text")) <= 3000
                        && fields.len() <= 10
                        && fields.iter().all(|f| text_of(Some(f)) <= 2000)
                }
                Some("header") => text_of(b.get("text")) <= 150,
                _ => true,
            })
}

fn discord_error(status: u16, code: u32, message: &str) -> Reply {
    Reply::new(
        status,
        JSON,
        json!({"message": message, "code": code}).to_string(),
    )
}

fn form_error(field: Value) -> Reply {
    Reply::new(
        400,
        JSON,
        json!({"message": "Invalid Form Body", "code": 50035, "errors": field}).to_string(),
    )
}

fn max_length(n: usize) -> Value {
    json!({"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": format!("Must be {n} or fewer in length.")}]})
}

fn chars(v: Option<&Value>) -> usize {
    v.and_then(Value::as_str).map_or(0, |s| s.chars().count())
}

/// Discord: 204, or JSON errors with Discord's codes.
pub(crate) fn discord(
    queue: &mut Queue,
    req: &RawRequest,
    parsed: Option<Value>,
) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (discord_error(405, 0, "405: Method Not Allowed"), None);
    }
    if req.path != DISCORD_PATH {
        let id = DISCORD_PATH.rsplit_once('/').map_or("", |x| x.0);
        return if req.path.starts_with(&format!("{id}/")) {
            (discord_error(401, 50027, "Invalid Webhook Token"), None)
        } else {
            (discord_error(404, 10015, "Unknown Webhook"), None)
        };
    }
    let Some(msg) = parsed.filter(Value::is_object) else {
        return (
            discord_error(400, 50109, "The request body contains invalid JSON."),
            None,
        );
    };
    let content = chars(msg.get("content"));
    let embeds = msg.get("embeds").and_then(Value::as_array);
    if content == 0 && embeds.is_none_or(|e| e.is_empty()) {
        return (
            discord_error(400, 50006, "Cannot send an empty message"),
            None,
        );
    }
    if content > 2000 {
        return (form_error(json!({"content": max_length(2000)})), None);
    }
    if let Some(embeds) = embeds {
        if embeds.len() > 10 {
            return (form_error(json!({"embeds": max_length(10)})), None);
        }
        let mut total = 0;
        for (i, e) in embeds.iter().enumerate() {
            let d = chars(e.get("description"));
            if d > 4096 {
                return (
                    form_error(
                        json!({"embeds": {i.to_string(): {"description": max_length(4096)}}}),
                    ),
                    None,
                );
            }
            total += d + chars(e.get("title"));
            for (j, f) in e
                .get("fields")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let v = chars(f.get("value"));
                if v > 1024 {
                    return (
                        form_error(
                            json!({"embeds": {i.to_string(): {"fields": {j.to_string(): {"value": max_length(1024)}}}}}),
                        ),
                        None,
                    );
                }
                total += v + chars(f.get("name"));
            }
        }
        if total > 6000 {
            return (
                form_error(
                    json!({"embeds": {"_errors": [{"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}]}}),
                ),
                None,
            );
        }
    }
    if let Some(refusal) = msg
        .get("allowed_mentions")
        .and_then(allowed_mentions_refusal)
    {
        return (form_error(json!({ "allowed_mentions": refusal })), None);
    }
    if let Err(secs) = queue.take_token() {
        let wait = secs as f64;
        let mut r = Reply::new(429, JSON, discord_rate_limit_body(wait));
        r.retry_after = Some(secs);
        r.headers.push(("x-ratelimit-remaining".into(), "0".into()));
        r.headers
            .push(("x-ratelimit-reset-after".into(), format!("{wait:.3}")));
        r.headers.push(("x-ratelimit-scope".into(), "user".into()));
        return (r, None);
    }
    let mut hang = None;
    if let Some(r) = queue.scripted(JSON, &mut hang) {
        return (r, hang);
    }
    let wait = query_values(req.query.as_deref(), "wait")
        .next()
        .is_some_and(|v| v == "true");
    let r = if wait {
        let message = json!({
            "id": "1300000000000000000",
            "type": 0,
            "channel_id": "1200000000000000000",
            "webhook_id": "1234567890123456789",
            "content": msg.get("content").cloned().unwrap_or(json!("")),
            "embeds": msg.get("embeds").cloned().unwrap_or(json!([])),
            "author": {"id": "1234567890123456789", "username": msg.get("username").cloned().unwrap_or(json!("notion-sandbox")), "bot": true},
        });
        Reply::new(200, JSON, message.to_string())
    } else {
        Reply::new(204, JSON, "")
    };
    (r, hang)
}

/// What Discord says of `allowed_mentions` it refuses: more than 100
/// users or roles, or `parse` naming a kind that is also listed.
fn allowed_mentions_refusal(m: &Value) -> Option<Value> {
    let parse: Vec<&str> = m
        .get("parse")
        .and_then(Value::as_array)
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for kind in ["users", "roles"] {
        let listed = m.get(kind).and_then(Value::as_array);
        if listed.is_some_and(|l| l.len() > 100) {
            return Some(json!({ kind: max_length(100) }));
        }
        if listed.is_some_and(|l| !l.is_empty()) && parse.contains(&kind) {
            return Some(json!({"_errors": [{
                "code": "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                "message": format!("parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."),
            }]}));
        }
    }
    None
}

/// The most bytes of a message a Teams channel takes (28 KB).
pub(crate) const TEAMS_MAX_BYTES: usize = 28 * 1024;

/// Is this a message with an Adaptive Card attachment?
fn is_adaptive_card_message(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("message")
        && v.get("attachments")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                !a.is_empty()
                    && a.iter().all(|x| {
                        x.get("contentType").and_then(Value::as_str)
                            == Some("application/vnd.microsoft.card.adaptive")
                            && x.get("content")
                                .and_then(|c| c.get("type"))
                                .and_then(Value::as_str)
                                == Some("AdaptiveCard")
                    })
            })
}

/// Teams Workflows: 202, or Power Automate's JSON errors.
pub(crate) fn teams(
    queue: &mut Queue,
    req: &RawRequest,
    parsed: Option<Value>,
) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (
            Reply::new(
                405,
                JSON,
                teams_error(
                    "MethodNotAllowed",
                    "The HTTP method is not allowed for this trigger.",
                ),
            ),
            None,
        );
    }
    if req.path != TEAMS_PATH {
        return (
            Reply::new(
                404,
                JSON,
                teams_error("WorkflowNotFound", "The workflow could not be found."),
            ),
            None,
        );
    }
    let sig = query_values(req.query.as_deref(), "sig").next();
    if sig.as_deref() != Some("sandboxsig") {
        return (
            Reply::new(401, JSON, SinkReply::teams_unauthorized().body),
            None,
        );
    }
    // Recorded truth (docs/sandbox.md, "A Teams message too large"):
    // Workflows may take the request (202) and fail to post it to the
    // channel later; the sandbox refuses it at once, so a test sees it.
    if req.body.len() > TEAMS_MAX_BYTES {
        return (
            Reply::new(
                413,
                JSON,
                teams_error(
                    "RequestEntityTooLarge",
                    &format!(
                        "The message is {} bytes; a Teams message takes at most {TEAMS_MAX_BYTES} bytes (28 KB).",
                        req.body.len()
                    ),
                ),
            ),
            None,
        );
    }
    if !parsed.as_ref().is_some_and(is_adaptive_card_message) {
        return (
            Reply::new(400, JSON, SinkReply::teams_bad_request().body),
            None,
        );
    }
    if let Err(secs) = queue.take_token() {
        let mut r = Reply::new(429, JSON, SinkReply::teams_throttled(secs as f64).body);
        r.retry_after = Some(secs);
        return (r, None);
    }
    let mut hang = None;
    let r = queue
        .scripted(JSON, &mut hang)
        .unwrap_or_else(|| Reply::new(202, JSON, ""));
    (r, hang)
}

/// Any endpoint: 200 for JSON.
pub(crate) fn generic(
    queue: &mut Queue,
    req: &RawRequest,
    parsed: Option<Value>,
) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (Reply::new(405, TEXT, "method not allowed"), None);
    }
    if req.path != JSON_PATH {
        return (Reply::new(404, TEXT, "not found"), None);
    }
    if parsed.is_none() {
        return (Reply::new(400, TEXT, "the body is not JSON"), None);
    }
    let mut hang = None;
    let r = queue
        .scripted(JSON, &mut hang)
        .unwrap_or_else(|| Reply::new(200, JSON, ""));
    (r, hang)
}
