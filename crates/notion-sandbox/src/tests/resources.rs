//! Databases and data sources, users, search, blocks and comments.

use serde_json::json;

use super::{call, demo, first_page};
use crate::model::{DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID};

#[test]
fn database_and_data_source_ids_are_not_interchangeable() {
    let e = demo();
    let (s, v) = call(
        &e,
        "GET",
        &format!("/v1/databases/{}", DEMO_DATABASE_ID.replace('-', "")),
        None,
    );
    assert_eq!(s, 200);
    assert!(v.get("properties").is_none());
    assert_eq!(v["data_sources"][0]["id"], DEMO_DATA_SOURCE_ID);
    let (s, v) = call(
        &e,
        "GET",
        &format!("/v1/databases/{DEMO_DATA_SOURCE_ID}"),
        None,
    );
    assert_eq!((s, v["code"].as_str()), (404, Some("object_not_found")));
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("shared with your integration"));
    let (s, v) = call(
        &e,
        "GET",
        &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
        None,
    );
    assert_eq!(s, 200);
    assert_eq!(v["properties"]["Status"]["id"], "fk%5EY");
    assert_eq!(v["properties"]["Name"]["id"], "title");
    assert_eq!(v["parent"]["database_id"], DEMO_DATABASE_ID);
    let groups = v["properties"]["Status"]["status"]["groups"]
        .as_array()
        .unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(
        call(
            &e,
            "GET",
            &format!("/v1/data_sources/{DEMO_DATABASE_ID}"),
            None
        )
        .0,
        404
    );
    assert_eq!(call(&e, "GET", "/v1/data_sources/not-an-id", None).0, 400);
}

#[test]
fn users() {
    let e = demo();
    let (s, me) = call(&e, "GET", "/v1/users/me", None);
    assert_eq!((s, me["type"].as_str()), (200, Some("bot")));
    assert_eq!(me["bot"]["owner"]["workspace"], true);
    let (_, all) = call(&e, "GET", "/v1/users?page_size=1", None);
    assert_eq!(all["results"].as_array().unwrap().len(), 1);
    assert_eq!(all["type"], "user");
    let (_, rest) = call(
        &e,
        "GET",
        &format!(
            "/v1/users?start_cursor={}",
            all["next_cursor"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(rest["results"][0]["type"], "person");
    assert_eq!(rest["has_more"], false);
    let pid = rest["results"][0]["id"].as_str().unwrap();
    let (s, u) = call(&e, "GET", &format!("/v1/users/{pid}"), None);
    assert_eq!((s, &u["id"]), (200, &json!(pid)));
    let (s, _) = call(
        &e,
        "GET",
        "/v1/users/00000000-0000-4000-8000-000000000000",
        None,
    );
    assert_eq!(s, 404);
}

#[test]
fn search_pages_and_data_sources() {
    let e = demo();
    let (s, v) = call(&e, "POST", "/v1/search", Some(json!({"query": "tasks"})));
    assert_eq!(s, 200, "{v}");
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["object"] == "data_source" && r["id"] == DEMO_DATA_SOURCE_ID));
    let (_, v) = call(
        &e,
        "POST",
        "/v1/search",
        Some(
            json!({"filter": {"property": "object", "value": "page"}, "page_size": 5,
                    "sort": {"direction": "ascending", "timestamp": "last_edited_time"}}),
        ),
    );
    let pages = v["results"].as_array().unwrap();
    assert_eq!(pages.len(), 5);
    assert!(pages.iter().all(|p| p["object"] == "page"));
    let times: Vec<&str> = pages
        .iter()
        .map(|p| p["last_edited_time"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(v["has_more"], true);
    let (s, v) = call(
        &e,
        "POST",
        "/v1/search",
        Some(json!({"filter": {"property": "object", "value": "database"}})),
    );
    assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
    let (s, _) = call(&e, "POST", "/v1/search", Some(json!({"sorts": []})));
    assert_eq!(s, 400);
}

#[test]
fn blocks_append_and_list() {
    let e = demo();
    let page = first_page(&e);
    let path = format!("/v1/blocks/{page}/children");
    let para = |t: &str| json!({"paragraph": {"rich_text": [{"text": {"content": t}}]}});
    let (s, v) = call(
        &e,
        "PATCH",
        &path,
        Some(json!({"children": [para("a"), para("c")]})),
    );
    assert_eq!(s, 200, "{v}");
    let a = v["results"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = call(
        &e,
        "PATCH",
        &path,
        Some(
            json!({"children": [{"heading_2": {"rich_text": [{"text": {"content": "b"}}]}}], "after": a}),
        ),
    );
    assert_eq!(s, 200);
    let (_, v) = call(&e, "GET", &format!("{path}?page_size=2"), None);
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    assert_eq!(v["results"][1]["type"], "heading_2");
    assert_eq!(v["has_more"], true);
    let (s, v) = call(
        &e,
        "PATCH",
        &path,
        Some(json!({"children": [{"image": {}}]})),
    );
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
    let (s, _) = call(
        &e,
        "PATCH",
        &path,
        Some(json!({"children": [para("x")], "oops": 1})),
    );
    assert_eq!(s, 400);
    let (s, v) = call(&e, "GET", &format!("/v1/blocks/{a}/children"), None);
    assert_eq!((s, v["results"].as_array().unwrap().len()), (200, 0));
}

#[test]
fn comments() {
    let e = demo();
    let page = first_page(&e);
    let (s, c) = call(
        &e,
        "POST",
        "/v1/comments",
        Some(
            json!({"parent": {"page_id": page}, "rich_text": [{"text": {"content": "Looks late"}}]}),
        ),
    );
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["object"], "comment");
    let (s, _) = call(
        &e,
        "POST",
        "/v1/comments",
        Some(
            json!({"discussion_id": c["discussion_id"], "rich_text": [{"text": {"content": "Agreed"}}]}),
        ),
    );
    assert_eq!(s, 200);
    let (_, v) = call(&e, "GET", &format!("/v1/comments?block_id={page}"), None);
    let all = v["results"].as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1]["rich_text"][0]["plain_text"], "Agreed");
    assert_eq!(all[0]["discussion_id"], all[1]["discussion_id"]);
    let (s, _) = call(&e, "GET", "/v1/comments", None);
    assert_eq!(s, 400);
    let (s, _) = call(
        &e,
        "POST",
        "/v1/comments",
        Some(
            json!({"parent": {"page_id": page}, "rich_text": [{"text": {"content": "x"}}], "text": "x"}),
        ),
    );
    assert_eq!(s, 400);
}
