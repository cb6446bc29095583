//! The sandbox over real HTTP: a sweep, faults on the wire, the sinks,
//! the board export, the request id of every answer.

use std::time::Duration;

use serde_json::{json, Value};

use super::{raw, split, today};
use crate::{
    Board, FaultConfig, FaultKind, PropertyValue, Sandbox, SandboxConfig, ServeError, ServeOptions,
    SinkKind, SinkReply, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_over_http() {
    let sb = Sandbox::start(Board::demo(today()), SandboxConfig::default())
        .await
        .unwrap();
    let (s, head, db) = split(
        &raw(
            &sb,
            "GET",
            &format!("/v1/databases/{DEMO_DATABASE_ID}"),
            None,
        )
        .await,
    );
    assert_eq!(s, 200);
    assert!(head.contains("x-notion-request-id:"));
    let ds_id = db["data_sources"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(ds_id, DEMO_DATA_SOURCE_ID);
    // as a sweep with --exempt Tags=pinned --exempt "On hold=true"
    // --snooze-property "Snoozed until" asks
    let filter = json!({"filter": {"and": [
        {"property": "Status", "status": {"equals": "To Do"}},
        {"property": "Due Date", "date": {"before": "2026-11-22"}},
        {"property": "Tags", "multi_select": {"does_not_contain": "pinned"}},
        {"property": "On hold", "checkbox": {"equals": false}},
        {"or": [
            {"property": "Snoozed until", "date": {"is_empty": true}},
            {"property": "Snoozed until", "date": {"before": "2026-11-22"}}
        ]}
    ]}});
    // loop like a careful client: restart from the top after each page
    let mut moved = 0;
    loop {
        let (s, _, page) = split(
            &raw(
                &sb,
                "POST",
                &format!("/v1/data_sources/{ds_id}/query"),
                Some(&filter),
            )
            .await,
        );
        assert_eq!(s, 200);
        let rows = page["results"].as_array().unwrap().clone();
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let id = r["id"].as_str().unwrap();
            let patch = json!({"properties": {"Status": {"status": {"name": "Overdue"}}}});
            let (s, _, _) =
                split(&raw(&sb, "PATCH", &format!("/v1/pages/{id}"), Some(&patch)).await);
            assert_eq!(s, 200);
            moved += 1;
        }
    }
    assert_eq!(moved, 12);
    let overdue = sb
        .pages(DEMO_DATA_SOURCE_ID)
        .iter()
        .filter(|p| p.get("Status").as_text() == Some("Overdue"))
        .count();
    assert_eq!(overdue, 15); // and the three that were Overdue already
    assert!(sb.requests().iter().all(|r| r.status == 200));
    assert_eq!(
        sb.requests()[0].header("Notion-Version"),
        Some("2025-09-03")
    );

    // Slack sink over HTTP
    let client = reqwest::Client::new();
    let r = client
        .post(sb.sink_url(SinkKind::Slack))
        .json(&json!({"text": "moved 12 tasks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
    assert_eq!(
        sb.sink_messages(SinkKind::Slack)[0]["text"],
        "moved 12 tasks"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_hung_and_html_answers() {
    let config = SandboxConfig {
        faults: FaultConfig {
            hang_for: Duration::from_millis(300),
            ..Default::default()
        },
        ..Default::default()
    };
    let sb = Sandbox::start(Board::demo(today()), config).await.unwrap();
    let path = format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}");
    sb.faults().push(FaultKind::DropConnection, 1);
    assert_eq!(raw(&sb, "GET", &path, None).await, "");
    sb.faults().push(FaultKind::BadGateway, 1);
    let (s, head, body) = split(&raw(&sb, "GET", &path, None).await);
    assert_eq!(s, 502);
    assert!(head.contains("content-type: text/html"));
    assert!(body.as_str().unwrap().contains("Bad Gateway"));
    sb.faults().rate_limit_next(1, 2);
    let (s, head, body) = split(&raw(&sb, "GET", &path, None).await);
    assert_eq!((s, body["code"].as_str()), (429, Some("rate_limited")));
    assert!(head.contains("retry-after: 2"));
    sb.faults().push(FaultKind::Hang, 1);
    let t0 = std::time::Instant::now();
    let (s, _, _) = split(&raw(&sb, "GET", &path, None).await);
    assert_eq!(s, 504);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![0, 502, 429, 504]);
}

#[test]
fn spawn_from_sync_code_and_drop() {
    let sb = Sandbox::spawn(Board::demo(today()), SandboxConfig::default()).unwrap();
    let addr = sb.addr();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (s, _, v) = rt.block_on(async {
        split(
            &raw(
                &sb,
                "GET",
                &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
                None,
            )
            .await,
        )
    });
    assert_eq!(s, 200);
    assert_eq!(v["object"], "data_source");
    let page = sb.pages(DEMO_DATA_SOURCE_ID)[0].id.clone();
    sb.set_property(&page, "Status", PropertyValue::option("Done"));
    assert_eq!(
        sb.page(&page.replace('-', ""))
            .unwrap()
            .get("Status")
            .as_text(),
        Some("Done")
    );
    drop(sb);
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_sinks_over_http() {
    let sb = Sandbox::start(Board::default(), SandboxConfig::default())
        .await
        .unwrap();
    let client = reqwest::Client::new();
    for kind in SinkKind::ALL {
        let url = sb.sink_url(kind);
        assert!(url.starts_with(&sb.url()));
        assert!(
            url.contains("sandboxsecret") || url.contains("sig=sandboxsig"),
            "{url}"
        );
    }
    // Discord: 204, then a scripted 429 with the header and JSON body
    let discord = sb.sink_url(SinkKind::Discord);
    let r = client
        .post(&discord)
        .json(&json!({"content": "3 overdue"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    sb.push_sink_reply(SinkKind::Discord, SinkReply::discord_rate_limited(0.5));
    let r = client
        .post(&discord)
        .json(&json!({"content": "again"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["retry_after"], 0.5);
    // Teams: 202 for a card; a hang answers late
    let teams = sb.sink_url(SinkKind::Teams);
    let card = json!({"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "version": "1.4", "body": []}}]});
    sb.push_sink_reply(SinkKind::Teams, SinkReply::hang(0.3));
    let t0 = std::time::Instant::now();
    let r = client.post(&teams).json(&card).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let r = client
        .post(&teams)
        .timeout(Duration::from_millis(100))
        .json(&card)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    sb.push_sink_reply(SinkKind::Teams, SinkReply::hang(2.0));
    let timed_out = client
        .post(&teams)
        .timeout(Duration::from_millis(200))
        .json(&card)
        .send()
        .await;
    assert!(timed_out.is_err());
    // JSON: any JSON body; a non-JSON one is kept as a string
    let json_url = sb.sink_url(SinkKind::Json);
    let r = client.post(&json_url).body("plain").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(sb.sink_messages(SinkKind::Json), vec![json!("plain")]);
    assert_eq!(sb.sink_messages(SinkKind::Discord).len(), 2);
    let reqs = sb.sink_requests(SinkKind::Teams);
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].status, 202);
    assert!(reqs[0].query.as_deref().unwrap().contains("sig=sandboxsig"));
    // sinks are not Notion requests
    assert!(sb.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_export_round_trips_with_its_day() {
    let pinned = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
    let sb = Sandbox::start(
        Board::demo(pinned),
        SandboxConfig {
            today: Some(pinned),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = sb.pages(DEMO_DATA_SOURCE_ID)[0].id.clone();
    let patch =
        json!({"properties": {"Status": {"status": {"name": "Done"}}}, "icon": {"emoji": "✅"}});
    let (s, _, _) = split(&raw(&sb, "PATCH", &format!("/v1/pages/{page}"), Some(&patch)).await);
    assert_eq!(s, 200);
    let text = reqwest::get(format!("{}/_sandbox/board", sb.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let board = Board::from_json(&text).unwrap();
    assert_eq!(board.today, Some(pinned));
    let p = board.data_source(DEMO_DATA_SOURCE_ID).unwrap().pages[0].clone();
    assert_eq!(p.get("Status").as_text(), Some("Done"));
    assert_eq!(p.icon, Some(json!({"type": "emoji", "emoji": "✅"})));
    assert_eq!(p.last_edited_time.date_naive(), pinned);
    assert_eq!(text, sb.board_json());
    // a replay serves the same day
    let again = Sandbox::start(board, SandboxConfig::default())
        .await
        .unwrap();
    assert_eq!(again.today(), pinned);
}

/// Notion puts the request id in the body of every answer, as in the
/// `x-notion-request-id` header: a page, a list, a data source, a database,
/// a user, a property item, a comment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn successful_answers_carry_their_request_id() {
    let sb = Sandbox::start(Board::demo(today()), SandboxConfig::default())
        .await
        .unwrap();
    let page = sb.pages(DEMO_DATA_SOURCE_ID)[0].id.clone();
    let text = |s: &str| json!([{"text": {"content": s}}]);
    let calls: Vec<(&str, String, Option<Value>, &str)> = vec![
        (
            "GET",
            format!("/v1/databases/{DEMO_DATABASE_ID}"),
            None,
            "database",
        ),
        (
            "GET",
            format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
            None,
            "data_source",
        ),
        (
            "POST",
            format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query"),
            Some(json!({"page_size": 2})),
            "list",
        ),
        ("GET", format!("/v1/pages/{page}"), None, "page"),
        (
            "PATCH",
            format!("/v1/pages/{page}"),
            Some(json!({"properties": {}})),
            "page",
        ),
        (
            "POST",
            "/v1/pages".into(),
            Some(json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID},
                        "properties": {"Name": {"title": text("New task")}}})),
            "page",
        ),
        (
            "GET",
            format!("/v1/pages/{page}/properties/Status"),
            None,
            "property_item",
        ),
        (
            "GET",
            format!("/v1/pages/{page}/properties/title"),
            None,
            "list",
        ),
        ("GET", "/v1/users/me".into(), None, "user"),
        ("GET", "/v1/users".into(), None, "list"),
        (
            "POST",
            "/v1/search".into(),
            Some(json!({"page_size": 1})),
            "list",
        ),
        (
            "PATCH",
            format!("/v1/blocks/{page}/children"),
            Some(json!({"children": [{"paragraph": {"rich_text": text("Hello")}}]})),
            "list",
        ),
        ("GET", format!("/v1/blocks/{page}/children"), None, "list"),
        (
            "POST",
            "/v1/comments".into(),
            Some(json!({"parent": {"page_id": page}, "rich_text": text("Late")})),
            "comment",
        ),
        ("GET", format!("/v1/comments?block_id={page}"), None, "list"),
    ];
    for (method, path, body, object) in calls {
        let (s, head, v) = split(&raw(&sb, method, &path, body.as_ref()).await);
        assert_eq!(
            (s, v["object"].as_str()),
            (200, Some(object)),
            "{path}: {v}"
        );
        let id = v["request_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no request_id in {v}"));
        assert!(
            head.contains(&format!("x-notion-request-id: {id}")),
            "{method} {path}: the header and the body differ\n{head}"
        );
    }
}

#[tokio::test]
async fn a_port_in_use_is_said_plainly_and_dropping_ends_serving() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = Sandbox::serve(&ServeOptions {
        port,
        ..Default::default()
    })
    .await
    .err()
    .unwrap();
    assert!(
        matches!(err, ServeError::PortInUse(p) if p == port),
        "{err}"
    );
    assert!(err.to_string().contains("already in use"));
    // a free port: serves, until the sandbox is dropped
    let sb = Sandbox::serve(&ServeOptions::default()).await.unwrap();
    let (s, _, v) = split(&raw(&sb, "GET", "/v1/users/me", None).await);
    assert_eq!((s, v["object"].as_str()), (200, Some("user")));
    let addr = sb.addr();
    drop(sb);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
