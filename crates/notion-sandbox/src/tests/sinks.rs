//! The sinks over HTTP refuse what each service refuses, so that a test
//! catches a message that breaks a limit: Slack's Block Kit limits, a
//! Teams message past 28 KB, Discord's `allowed_mentions`.

use serde_json::{json, Value};

use crate::{Board, Sandbox, SandboxConfig, SinkKind};

/// Status and body of a post to a sink.
async fn post(sb: &Sandbox, kind: SinkKind, body: &Value) -> (u16, String) {
    let r = reqwest::Client::new()
        .post(sb.sink_url(kind))
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_refuses_blocks_past_block_kit_limits() {
    let sb = Sandbox::start(Board::default(), SandboxConfig::default())
        .await
        .unwrap();
    let message = |blocks: Vec<Value>| json!({"text": "fallback", "blocks": blocks});
    // 3,000 characters (not bytes) fit; one more does not
    let fits = "é".repeat(3000);
    assert_eq!(
        post(&sb, SinkKind::Slack, &message(vec![section(&fits)])).await,
        (200, "ok".into())
    );
    let over = "x".repeat(3001);
    let refusals = [
        message(vec![section(&over)]),
        message(vec![section("a"); 51]),
        message(vec![
            json!({"type": "header", "text": {"type": "plain_text", "text": "h".repeat(151)}}),
        ]),
        message(vec![
            json!({"type": "section", "fields": vec![json!({"type": "mrkdwn", "text": "f"}); 11]}),
        ]),
        message(vec![
            json!({"type": "section", "fields": [{"type": "mrkdwn", "text": "f".repeat(2001)}]}),
        ]),
    ];
    for body in &refusals {
        assert_eq!(
            post(&sb, SinkKind::Slack, body).await,
            (400, "invalid_blocks".into())
        );
    }
    assert_eq!(
        post(&sb, SinkKind::Slack, &message(vec![section("a"); 50]))
            .await
            .0,
        200
    );
    // every body is recorded, refused ones too
    assert_eq!(sb.sink_messages(SinkKind::Slack).len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_refuses_a_message_past_28_kb() {
    let sb = Sandbox::start(Board::default(), SandboxConfig::default())
        .await
        .unwrap();
    let card = |text: &str| {
        json!({"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
            "content": {"type": "AdaptiveCard", "version": "1.4",
                        "body": [{"type": "TextBlock", "text": text}]}}]})
    };
    let size = |v: &Value| v.to_string().len();
    let small = card("3 overdue");
    let pad = 28 * 1024 - size(&small);
    // exactly 28 KB is taken; one byte more is not
    let full = card(&format!("3 overdue{}", "x".repeat(pad)));
    assert_eq!(size(&full), 28 * 1024);
    assert_eq!(post(&sb, SinkKind::Teams, &full).await.0, 202);
    let over = card(&format!("3 overdue{}", "x".repeat(pad + 1)));
    let (status, body) = post(&sb, SinkKind::Teams, &over).await;
    assert_eq!(status, 413);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "RequestEntityTooLarge");
    // bytes, not characters
    let wide = card(&"é".repeat(pad));
    assert_eq!(post(&sb, SinkKind::Teams, &wide).await.0, 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_refuses_allowed_mentions_it_cannot_take() {
    let sb = Sandbox::start(Board::default(), SandboxConfig::default())
        .await
        .unwrap();
    let ids = |n: usize| -> Vec<String> {
        (0..n)
            .map(|i| format!("{}", 80351110224678912u64 + i as u64))
            .collect()
    };
    let mention = |users: Vec<String>, parse: Value| {
        json!({"content": "<@80351110224678912> 3 overdue",
               "allowed_mentions": {"parse": parse, "users": users}})
    };
    assert_eq!(
        post(&sb, SinkKind::Discord, &mention(ids(100), json!([])))
            .await
            .0,
        204
    );
    let (status, body) = post(&sb, SinkKind::Discord, &mention(ids(101), json!([]))).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], 50035);
    assert_eq!(
        v["errors"]["allowed_mentions"]["users"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );
    let (status, body) = post(&sb, SinkKind::Discord, &mention(ids(1), json!(["users"]))).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["errors"]["allowed_mentions"]["_errors"][0]["code"],
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"
    );
    // the content limit still holds
    let long = json!({"content": "x".repeat(2001), "allowed_mentions": {"parse": []}});
    assert_eq!(post(&sb, SinkKind::Discord, &long).await.0, 400);
}
