//! What every Notion request passes before its handler: the token, the
//! route, the version, the rate limit and scripted faults, in that order;
//! the request log; scheduled edits; request ids.

use std::time::Duration;

use serde_json::json;

use super::{call, demo, dispatch, engine, first_page, query_path, req, today};
use crate::bucket::RateLimit;
use crate::engine::{Engine, FaultKind, Outcome, SandboxConfig};
use crate::model::{Board, PropertyValue, DEMO_DATABASE_ID};

#[test]
fn auth_and_version_errors() {
    let e = demo();
    let mut r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
    assert_eq!(dispatch(&e, &r).0, 200);
    r.headers[0].1 = "Bearer wrong".into();
    let (s, v) = dispatch(&e, &r);
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
    assert_eq!(v["object"], "error");
    assert!(v["request_id"].is_string());
    r.headers.remove(0);
    assert_eq!(dispatch(&e, &r).0, 401);
    let mut r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
    r.headers.remove(1);
    let (s, v) = dispatch(&e, &r);
    assert_eq!((s, v["code"].as_str()), (400, Some("missing_version")));
    r.headers
        .push(("notion-version".into(), "2022-06-28".into()));
    let (s, v) = dispatch(&e, &r);
    assert_eq!(s, 400);
    assert!(v["message"].as_str().unwrap().contains("2025-09-03"));
    let (s, v) = call(&e, "GET", "/v1/tasks/1", None);
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request_url")));
    let mut bad = req("POST", &query_path(), None);
    bad.body = b"{not json".to_vec();
    let (s, v) = dispatch(&e, &bad);
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_json")));
    assert_eq!(e.requests().len(), 7);
}

#[test]
fn token_is_checked_before_the_url() {
    let e = demo();
    for (m, path) in [
        ("GET", "/v1/users/me"),
        ("GET", "/v1/tasks/1"),
        ("POST", "/v1/databases"),
        ("POST", "/v1/search"),
    ] {
        let mut r = req(m, path, None);
        r.headers[0].1 = "Bearer wrong".into();
        let (s, v) = dispatch(&e, &r);
        assert_eq!(
            (s, v["code"].as_str()),
            (401, Some("unauthorized")),
            "{path}"
        );
    }
    let (s, v) = call(&e, "POST", "/v1/databases", Some(json!({})));
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("does not support") && msg.contains("create a database"));
    assert!(msg.contains("GET /v1/users/me") && msg.contains("POST /v1/comments"));
    let (s, _) = call(&e, "GET", "/v1/users/me", None);
    assert_eq!(s, 200);
}

#[test]
fn rate_limit_and_scripted_faults() {
    let mut config = SandboxConfig {
        rate_limit: Some(RateLimit {
            per_second: 1.0,
            burst: 2,
        }),
        ..Default::default()
    };
    config.faults.scripted.push_back(FaultKind::RequestBlocked);
    config.faults.scripted.push_back(FaultKind::BadGateway);
    config.faults.revoke_token_after = Some(6);
    let e = engine(Board::demo(today()), config);
    let r = req("GET", &format!("/v1/databases/{DEMO_DATABASE_ID}"), None);
    let (s, v) = dispatch(&e, &r);
    assert_eq!(s, 429);
    assert_eq!(
        v["additional_data"]["rate_limit_reason"],
        "public_api_request_blocked"
    );
    match e.dispatch(&r) {
        Outcome::Reply(rep) => {
            assert_eq!(rep.status, 502);
            assert!(rep.body.contains("Bad Gateway"));
            assert_eq!(rep.content_type, "text/html");
        }
        o => panic!("{o:?}"),
    }
    assert_eq!(dispatch(&e, &r).0, 200);
    assert_eq!(dispatch(&e, &r).0, 200);
    match e.dispatch(&r) {
        Outcome::Reply(rep) => {
            assert_eq!(rep.status, 429);
            assert_eq!(rep.retry_after, Some(1));
        }
        o => panic!("{o:?}"),
    }
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(dispatch(&e, &r).0, 200);
    assert_eq!(dispatch(&e, &r).0, 401); // request 7: token revoked
    let statuses: Vec<u16> = e.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 502, 200, 200, 429, 200, 401]);
}

#[test]
fn scheduled_edits_and_drop() {
    let e = demo();
    let id = first_page(&e);
    e.faults()
        .schedule_edit(2, &id, "Status", PropertyValue::option("Done"));
    e.faults().push(FaultKind::DropConnection, 1);
    let r = req("GET", &format!("/v1/pages/{id}"), None);
    assert!(matches!(e.dispatch(&r), Outcome::Drop));
    let (_, v) = dispatch(&e, &r);
    assert_eq!(v["properties"]["Status"]["status"]["name"], "To Do");
    let (_, v) = dispatch(&e, &r);
    assert_eq!(v["properties"]["Status"]["status"]["name"], "Done");
    assert_eq!(e.requests()[0].status, 0);
}

#[test]
fn request_ids_are_random_v4_unless_seeded() {
    let id_of = |e: &Engine| {
        let (_, v) = call(e, "GET", "/v1/nope", None);
        v["request_id"].as_str().unwrap().to_string()
    };
    let (a, b) = (demo(), demo());
    let (x, y) = (id_of(&a), id_of(&b));
    assert_ne!(x, y);
    for id in [&x, &y] {
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4", "{id}");
        assert!("89ab".contains(&id[19..20]), "{id}");
    }
    let seeded = || {
        engine(
            Board::demo(today()),
            SandboxConfig {
                id_seed: Some(7),
                ..Default::default()
            },
        )
    };
    assert_eq!(id_of(&seeded()), id_of(&seeded()));
}
