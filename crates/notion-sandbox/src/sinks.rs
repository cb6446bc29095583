//! Webhook sinks beside the fake Notion: Slack incoming webhooks, Discord
//! webhooks, Teams Workflows triggers and a generic JSON endpoint, each
//! answering as the service does (see docs/sandbox.md, "Webhook sinks").
//! Every body received is recorded, accepted or refused.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::faults::{RateLimit, TokenBucket};
use super::http::{lock, query_values, RawRequest, Reply};
use super::RecordedRequest;

/// Path of the Slack webhook sink (see [`super::Sandbox::sink_url`]).
pub const SLACK_PATH: &str = "/slack/services/T000/B000/sandboxsecret";
/// Path of the Discord webhook sink (`/api/webhooks/{id}/{token}`; the
/// token is the secret).
pub const DISCORD_PATH: &str = "/discord/api/webhooks/1234567890123456789/sandboxsecret-discord";
/// Path of the Teams Workflows sink; the `sig` query value is the secret.
pub const TEAMS_PATH: &str = "/teams/workflows/sandbox/triggers/manual/paths/invoke";
/// Query string of the Teams sink URL.
pub const TEAMS_QUERY: &str =
    "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=sandboxsig";
/// Path of the generic JSON sink.
pub const JSON_PATH: &str = "/json/hooks/sandboxsecret-json";

/// The kinds of webhook the sandbox can receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Slack incoming webhook: `200 ok`, plain-text errors.
    Slack,
    /// Discord webhook: `204`, JSON errors with Discord codes.
    Discord,
    /// Microsoft Teams Workflows trigger: `202`, Adaptive Cards only.
    Teams,
    /// Any HTTP endpoint taking JSON: `200`.
    Json,
}

impl SinkKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SinkKind; 4] = [
        SinkKind::Slack,
        SinkKind::Discord,
        SinkKind::Teams,
        SinkKind::Json,
    ];

    /// `slack`, `discord`, `teams`, `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Slack => "slack",
            SinkKind::Discord => "discord",
            SinkKind::Teams => "teams",
            SinkKind::Json => "json",
        }
    }

    /// Path and query of the sink's URL.
    pub fn path_and_query(self) -> String {
        match self {
            SinkKind::Slack => SLACK_PATH.to_string(),
            SinkKind::Discord => DISCORD_PATH.to_string(),
            SinkKind::Teams => format!("{TEAMS_PATH}?{TEAMS_QUERY}"),
            SinkKind::Json => JSON_PATH.to_string(),
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The sink a request path belongs to (by its first segment).
    pub(crate) fn of_path(path: &str) -> Option<SinkKind> {
        let first = path.trim_start_matches('/').split('/').next()?;
        SinkKind::ALL.into_iter().find(|k| k.as_str() == first)
    }
}

/// A scripted answer of a sink, used for the next well-formed message.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkReply {
    /// HTTP status; 0 answers as the sink normally would (useful with
    /// `hang`).
    pub status: u16,
    /// Raw body, as the service sends it.
    pub body: String,
    /// `Retry-After` seconds, if any (Discord also puts it in the body).
    pub retry_after: Option<f64>,
    /// Answer only after this long, to test client timeouts.
    pub hang: Option<Duration>,
}

impl SinkReply {
    /// Any status and raw body.
    pub fn new(status: u16, body: &str) -> Self {
        SinkReply {
            status,
            body: body.to_string(),
            retry_after: None,
            hang: None,
        }
    }
    /// The sink's normal answer, but only after `secs` seconds.
    pub fn hang(secs: f64) -> Self {
        SinkReply {
            hang: Some(Duration::from_secs_f64(secs.max(0.0))),
            ..SinkReply::new(0, "")
        }
    }
    /// The same answer, given only after `wait`.
    pub fn after(mut self, wait: Duration) -> Self {
        self.hang = Some(wait);
        self
    }
    /// Slack's 429 `rate_limited` with `Retry-After`.
    pub fn slack_rate_limited(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(429, "rate_limited")
        }
    }
    /// Discord's 429 with `retry_after` (seconds, a float) in the body and
    /// the `Retry-After` header.
    pub fn discord_rate_limited(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(429, &discord_rate_limit_body(retry_after))
        }
    }
    /// Discord's 404 for a deleted or unknown webhook.
    pub fn discord_unknown_webhook() -> Self {
        SinkReply::new(404, r#"{"message": "Unknown Webhook", "code": 10015}"#)
    }
    /// Discord's 401 for a wrong webhook token.
    pub fn discord_invalid_token() -> Self {
        SinkReply::new(
            401,
            r#"{"message": "Invalid Webhook Token", "code": 50027}"#,
        )
    }
    /// A Teams Workflows 400 (the trigger could not take the body).
    pub fn teams_bad_request() -> Self {
        SinkReply::new(
            400,
            &teams_error(
                "InvalidRequestContent",
                "The request content is not valid and could not be deserialized.",
            ),
        )
    }
    /// A Teams Workflows 401 (bad or missing signature).
    pub fn teams_unauthorized() -> Self {
        SinkReply::new(
            401,
            &teams_error(
                "DirectApiAuthorizationRequired",
                "The request must be authenticated only by Shared Access scheme.",
            ),
        )
    }
    /// A Teams Workflows 403 (the flow or its connection is not allowed).
    pub fn teams_forbidden() -> Self {
        SinkReply::new(
            403,
            &teams_error(
                "AuthorizationFailed",
                "The client does not have authorization to perform this action.",
            ),
        )
    }
    /// A Teams Workflows 429 with `Retry-After`.
    pub fn teams_throttled(retry_after: f64) -> Self {
        SinkReply {
            retry_after: Some(retry_after),
            ..SinkReply::new(
                429,
                &teams_error(
                    "WorkflowTriggerIsThrottled",
                    "The workflow trigger is throttled. Retry the request after some time.",
                ),
            )
        }
    }
    /// A plain status from the generic JSON sink (e.g. 500, 503).
    pub fn status(status: u16) -> Self {
        SinkReply::new(status, "")
    }
}

fn discord_rate_limit_body(retry_after: f64) -> String {
    json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false})
        .to_string()
}

fn teams_error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message}}).to_string()
}

/// State of one sink.
#[derive(Default)]
struct SinkState {
    messages: Vec<Value>,
    requests: Vec<RecordedRequest>,
    replies: VecDeque<SinkReply>,
    bucket: Option<TokenBucket>,
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

fn reply(status: u16, content_type: &'static str, body: impl Into<String>) -> Reply {
    Reply {
        status,
        content_type,
        body: body.into(),
        retry_after: None,
        request_id: None,
        headers: Vec::new(),
    }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

impl Sinks {
    /// Every sink, each with its own token bucket if `limits` names it.
    pub(crate) fn new(limits: &HashMap<SinkKind, RateLimit>) -> Sinks {
        let now = Instant::now();
        let slot = |kind: SinkKind| {
            Mutex::new(SinkState {
                bucket: limits.get(&kind).map(|r| TokenBucket::new(*r, now)),
                ..SinkState::default()
            })
        };
        Sinks {
            slots: SinkKind::ALL.map(slot),
        }
    }

    pub(crate) fn messages(&self, kind: SinkKind) -> Vec<Value> {
        lock(&self.slots[kind.index()]).messages.clone()
    }

    pub(crate) fn requests(&self, kind: SinkKind) -> Vec<RecordedRequest> {
        lock(&self.slots[kind.index()]).requests.clone()
    }

    pub(crate) fn push_reply(&self, kind: SinkKind, r: SinkReply) {
        lock(&self.slots[kind.index()]).replies.push_back(r);
    }

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
        let (reply, hang) = match kind {
            SinkKind::Slack => slack(&mut st, req, parsed),
            SinkKind::Discord => discord(&mut st, req, parsed),
            SinkKind::Teams => teams(&mut st, req, parsed),
            SinkKind::Json => generic(&mut st, req, parsed),
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

/// The next scripted reply, if any: `Some(answer)` unless it only hangs
/// before the normal answer (status 0), in which case the hang is kept.
fn scripted(
    st: &mut SinkState,
    content_type: &'static str,
    hang: &mut Option<Duration>,
) -> Option<Reply> {
    let r = st.replies.pop_front()?;
    *hang = r.hang;
    if r.status == 0 {
        return None;
    }
    let mut out = reply(r.status, content_type, r.body);
    if let Some(secs) = r.retry_after {
        out.retry_after = Some(secs.ceil().max(0.0) as u64);
    }
    Some(out)
}

fn take_token(st: &mut SinkState) -> Result<(), u64> {
    match st.bucket.as_mut() {
        Some(b) => b.try_take(Instant::now()),
        None => Ok(()),
    }
}

/// Slack: `ok`, or plain-text errors.
fn slack(st: &mut SinkState, req: &RawRequest, parsed: Option<Value>) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (reply(405, TEXT, "invalid_method"), None);
    }
    if req.path != SLACK_PATH {
        return (reply(404, TEXT, "no_service"), None);
    }
    let Some(msg) = parsed.filter(|v| v.get("text").is_some_and(Value::is_string)) else {
        return (reply(400, TEXT, "invalid_payload"), None);
    };
    if msg
        .get("blocks")
        .and_then(Value::as_array)
        .is_some_and(|b| b.len() > 50)
    {
        return (reply(400, TEXT, "invalid_blocks"), None);
    }
    if let Err(secs) = take_token(st) {
        let mut r = reply(429, TEXT, "rate_limited");
        r.retry_after = Some(secs);
        return (r, None);
    }
    let mut hang = None;
    let r = scripted(st, TEXT, &mut hang).unwrap_or_else(|| reply(200, TEXT, "ok"));
    (r, hang)
}

fn discord_error(status: u16, code: u32, message: &str) -> Reply {
    reply(
        status,
        JSON,
        json!({"message": message, "code": code}).to_string(),
    )
}

fn form_error(field: Value) -> Reply {
    reply(
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
fn discord(
    st: &mut SinkState,
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
    if let Err(secs) = take_token(st) {
        let wait = secs as f64;
        let mut r = reply(429, JSON, discord_rate_limit_body(wait));
        r.retry_after = Some(secs);
        r.headers.push(("x-ratelimit-remaining".into(), "0".into()));
        r.headers
            .push(("x-ratelimit-reset-after".into(), format!("{wait:.3}")));
        r.headers.push(("x-ratelimit-scope".into(), "user".into()));
        return (r, None);
    }
    let mut hang = None;
    if let Some(r) = scripted(st, JSON, &mut hang) {
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
        reply(200, JSON, message.to_string())
    } else {
        reply(204, JSON, "")
    };
    (r, hang)
}

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
fn teams(st: &mut SinkState, req: &RawRequest, parsed: Option<Value>) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (
            reply(
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
            reply(
                404,
                JSON,
                teams_error("WorkflowNotFound", "The workflow could not be found."),
            ),
            None,
        );
    }
    let sig = query_values(req.query.as_deref(), "sig").next();
    if sig.as_deref() != Some("sandboxsig") {
        return (reply(401, JSON, SinkReply::teams_unauthorized().body), None);
    }
    if !parsed.as_ref().is_some_and(is_adaptive_card_message) {
        return (reply(400, JSON, SinkReply::teams_bad_request().body), None);
    }
    if let Err(secs) = take_token(st) {
        let mut r = reply(429, JSON, SinkReply::teams_throttled(secs as f64).body);
        r.retry_after = Some(secs);
        return (r, None);
    }
    let mut hang = None;
    let r = scripted(st, JSON, &mut hang).unwrap_or_else(|| reply(202, JSON, ""));
    (r, hang)
}

/// Any endpoint: 200 for JSON.
fn generic(
    st: &mut SinkState,
    req: &RawRequest,
    parsed: Option<Value>,
) -> (Reply, Option<Duration>) {
    if req.method != "POST" {
        return (reply(405, TEXT, "method not allowed"), None);
    }
    if req.path != JSON_PATH {
        return (reply(404, TEXT, "not found"), None);
    }
    if parsed.is_none() {
        return (reply(400, TEXT, "the body is not JSON"), None);
    }
    let mut hang = None;
    let r = scripted(st, JSON, &mut hang).unwrap_or_else(|| reply(200, JSON, ""));
    (r, hang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(s: &Sinks, path_and_query: &str, body: &str) -> (u16, String, Option<u64>) {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path_and_query.to_string(), None),
        };
        let o = s
            .handle(&RawRequest {
                method: "POST".into(),
                path,
                query,
                body: body.as_bytes().to_vec(),
                ..Default::default()
            })
            .unwrap();
        (o.reply.status, o.reply.body, o.reply.retry_after)
    }

    #[test]
    fn discord_answers() {
        let s = Sinks::new(&HashMap::from([(
            SinkKind::Discord,
            RateLimit {
                per_second: 0.5,
                burst: 3,
            },
        )]));
        let url = SinkKind::Discord.path_and_query();
        assert_eq!(post(&s, &url, r#"{"content":"hi"}"#).0, 204);
        let (st, body, _) = post(&s, &url, r#"{"username":"x"}"#);
        assert_eq!(st, 400);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], 50006);
        assert_eq!(v["message"], "Cannot send an empty message");
        let long = json!({"content": "x".repeat(2001)}).to_string();
        let (st, body, _) = post(&s, &url, &long);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((st, v["code"].as_u64()), (400, Some(50035)));
        assert_eq!(
            v["errors"]["content"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
        s.push_reply(SinkKind::Discord, SinkReply::discord_unknown_webhook());
        let (st, body, _) = post(&s, &url, r#"{"content":"hi"}"#);
        assert_eq!(st, 404);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!({"message":"Unknown Webhook","code":10015})
        );
        s.push_reply(SinkKind::Discord, SinkReply::discord_rate_limited(0.5));
        let (st, body, ra) = post(&s, &url, r#"{"content":"hi"}"#);
        assert_eq!((st, ra), (429, Some(1)));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["retry_after"], 0.5);
        assert_eq!(v["global"], false);
        assert_eq!(v["message"], "You are being rate limited.");
        // the bucket of 3: the 204, the 404 and the scripted 429 took one
        // each (refused bodies take none)
        let (st, body, ra) = post(&s, &url, r#"{"content":"hi"}"#);
        assert_eq!(st, 429, "{body}");
        assert!(ra.unwrap() >= 1);
        assert_eq!(s.messages(SinkKind::Discord).len(), 6);
        let wrong = post(&s, "/discord/api/webhooks/1/nope", r#"{"content":"hi"}"#);
        assert_eq!(wrong.0, 404);
        assert_eq!(s.requests(SinkKind::Discord)[0].status, 204);
    }

    #[test]
    fn teams_answers() {
        let s = Sinks::new(&HashMap::new());
        let url = SinkKind::Teams.path_and_query();
        let card = json!({"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
            "content": {"type": "AdaptiveCard", "version": "1.4", "body": []}}]});
        assert_eq!(post(&s, &url, &card.to_string()).0, 202);
        assert_eq!(post(&s, &url, r#"{"text":"hi"}"#).0, 400);
        assert_eq!(post(&s, TEAMS_PATH, &card.to_string()).0, 401);
        s.push_reply(SinkKind::Teams, SinkReply::teams_forbidden());
        assert_eq!(post(&s, &url, &card.to_string()).0, 403);
        s.push_reply(SinkKind::Teams, SinkReply::teams_throttled(2.0));
        let (st, _, ra) = post(&s, &url, &card.to_string());
        assert_eq!((st, ra), (429, Some(2)));
        assert_eq!(s.messages(SinkKind::Teams).len(), 5);
    }

    #[test]
    fn json_and_slack_answers() {
        let s = Sinks::new(&HashMap::new());
        s.push_reply(SinkKind::Slack, SinkReply::new(404, "channel_not_found"));
        assert_eq!(post(&s, JSON_PATH, r#"{"a":1}"#).0, 200);
        assert_eq!(post(&s, JSON_PATH, "nope").0, 400);
        s.push_reply(SinkKind::Json, SinkReply::status(503));
        assert_eq!(post(&s, JSON_PATH, "{}").0, 503);
        assert_eq!(
            s.messages(SinkKind::Json),
            vec![json!({"a":1}), json!("nope"), json!({})]
        );
        assert_eq!(
            post(&s, SLACK_PATH, r#"{"text":"x"}"#).1,
            "channel_not_found"
        );
        assert_eq!(post(&s, SLACK_PATH, r#"{"text":"x"}"#).1, "ok");
        s.push_reply(SinkKind::Slack, SinkReply::hang(0.2));
        let o = s
            .handle(&RawRequest {
                method: "POST".into(),
                path: SLACK_PATH.into(),
                body: br#"{"text":"x"}"#.to_vec(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(o.hang, Some(Duration::from_millis(200)));
        assert_eq!(o.reply.status, 200);
        assert_eq!(s.requests(SinkKind::Slack).last().unwrap().status, 0);
    }
}
