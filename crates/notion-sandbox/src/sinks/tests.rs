//! Each sink's answers, driven without a server.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use super::inbox::Sinks;
use super::kinds::{SinkKind, SinkReply, JSON_PATH, SLACK_PATH, TEAMS_PATH};
use crate::bucket::RateLimit;
use crate::tests::bare;

fn post(s: &Sinks, path_and_query: &str, body: &str) -> (u16, String, Option<u64>) {
    let o = s
        .handle(&bare("POST", path_and_query, body.as_bytes()))
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
        .handle(&bare("POST", SLACK_PATH, br#"{"text":"x"}"#))
        .unwrap();
    assert_eq!(o.hang, Some(Duration::from_millis(200)));
    assert_eq!(o.reply.status, 200);
    assert_eq!(s.requests(SinkKind::Slack).last().unwrap().status, 0);
}

#[test]
fn messages_read_as_text() {
    let teams = json!({"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "3 overdue"},
        {"type": "FactSet", "facts": [{"title": "Moved", "value": "3"}]}]}}]});
    assert_eq!(SinkKind::Teams.message_text(&teams), "3 overdue\nMoved: 3");
    let discord = json!({"content": "hi", "embeds": [{"title": "T", "description": "D"}]});
    assert_eq!(SinkKind::Discord.message_text(&discord), "hi\nT\nD");
    assert_eq!(SinkKind::Slack.message_text(&json!({"text": "ok"})), "ok");
    assert_eq!(SinkKind::Json.message_text(&json!("raw")), "raw");
}
