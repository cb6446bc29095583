//! The workspace's users over HTTP, with and without the capability to
//! read email addresses; a people property item; comments, with and
//! without the capability to insert them.

use serde_json::{json, Value};

use super::{api, team_board, ADA, BOT, GRACE, TEAM_PAGES};
use crate::{Sandbox, SandboxConfig};

async fn team(config: SandboxConfig) -> Sandbox {
    Sandbox::start(team_board(), config).await.unwrap()
}

/// Every user `GET /v1/users` lists, following its cursor.
async fn all_users(sb: &Sandbox) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/users?page_size=2&start_cursor={c}"),
            None => "/v1/users?page_size=2".to_string(),
        };
        let (s, v) = api(sb, "GET", &path, None).await;
        assert_eq!((s, &v["type"]), (200, &json!("user")), "{v}");
        out.extend(v["results"].as_array().unwrap().iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_with_their_emails() {
    let sb = team(SandboxConfig::default()).await;
    let users = all_users(&sb).await;
    // the integration, the sandbox's own person, then the board's users
    let names: Vec<&str> = users.iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "notion-sandbox",
            "Sandbox Person",
            "Ada Lovelace",
            "Grace Hopper",
            "Build Bot"
        ]
    );
    assert_eq!(users[0]["bot"]["owner"]["workspace"], true);
    assert_eq!(users[2]["person"], json!({"email": "ada@acme.com"}));
    assert_eq!(users[4]["type"], "bot");
    assert_eq!(users[4]["bot"], json!({}));
    assert!(users.iter().all(|u| u["object"] == "user"));
    let (s, grace) = api(
        &sb,
        "GET",
        &format!("/v1/users/{}", GRACE.replace('-', "")),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(grace["person"]["email"], "grace@acme.com");
    let (s, bot) = api(&sb, "GET", &format!("/v1/users/{BOT}"), None).await;
    assert_eq!((s, bot["name"].as_str()), (200, Some("Build Bot")));
    let (s, v) = api(
        &sb,
        "GET",
        "/v1/users/00000000-0000-4000-8000-000000000000",
        None,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("object_not_found")));
    let (s, _) = api(&sb, "GET", "/v1/users?page_size=101", None).await;
    assert_eq!(s, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_email_capability_people_come_without_emails() {
    let sb = team(SandboxConfig {
        user_emails: false,
        ..Default::default()
    })
    .await;
    let users = all_users(&sb).await;
    for u in users.iter().filter(|u| u["type"] == "person") {
        assert_eq!(u["person"], json!({}), "{u}");
        assert!(u["name"].is_string());
    }
    let (_, ada) = api(&sb, "GET", &format!("/v1/users/{ADA}"), None).await;
    assert_eq!(ada["person"], json!({}));
    let (_, page) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[1]), None).await;
    let people = page["properties"]["Assignee"]["people"].as_array().unwrap();
    assert_eq!(people[0]["name"], "Ada Lovelace");
    assert_eq!(people[0]["person"], json!({}));
    assert!(!page.to_string().contains("@acme.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_people_property_item_is_a_paginated_list() {
    let sb = team(SandboxConfig::default()).await;
    let path = format!("/v1/pages/{}/properties/as", TEAM_PAGES[1]);
    let (s, first) = api(&sb, "GET", &format!("{path}?page_size=1"), None).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["object"], "list");
    assert_eq!(first["type"], "property_item");
    assert_eq!(first["property_item"]["type"], "people");
    assert_eq!(first["results"][0]["object"], "property_item");
    assert_eq!(first["results"][0]["people"]["id"], ADA);
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, rest) = api(&sb, "GET", &format!("{path}?start_cursor={cursor}"), None).await;
    assert_eq!(rest["results"][0]["people"]["email"], Value::Null);
    assert_eq!(
        rest["results"][0]["people"]["person"]["email"],
        "grace@acme.com"
    );
    assert_eq!(rest["has_more"], false);
    // a multi_select is one item
    let (s, tags) = api(
        &sb,
        "GET",
        &format!("/v1/pages/{}/properties/tg", TEAM_PAGES[0]),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(tags["object"], "property_item");
    assert_eq!(tags["multi_select"][1]["name"], "infra");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_leave_last_edited_time_alone() {
    let sb = team(SandboxConfig::default()).await;
    let page = TEAM_PAGES[2];
    let before = sb.page(page).unwrap().last_edited_time;
    let (s, c) = api(
        &sb,
        "POST",
        "/v1/comments",
        Some(json!({"parent": {"page_id": page}, "rich_text": [{"text": {"content": "Moved to Overdue"}}]})),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["object"], "comment");
    assert_eq!(c["parent"], json!({"type": "page_id", "page_id": page}));
    // Notion does not count a comment as an edit of the page
    assert_eq!(sb.page(page).unwrap().last_edited_time, before);
    let (_, listed) = api(&sb, "GET", &format!("/v1/comments?block_id={page}"), None).await;
    assert_eq!(listed["results"][0]["id"], c["id"]);
    let kept = sb.comments(&page.replace('-', ""));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["rich_text"][0]["plain_text"], "Moved to Overdue");
    assert!(sb
        .comments("00000000-0000-4000-8000-000000000000")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_comment_capability_a_comment_is_403() {
    let sb = team(SandboxConfig {
        can_comment: false,
        ..Default::default()
    })
    .await;
    let body =
        json!({"parent": {"page_id": TEAM_PAGES[0]}, "rich_text": [{"text": {"content": "x"}}]});
    let (s, v) = api(&sb, "POST", "/v1/comments", Some(body)).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("restricted_resource")));
    assert_eq!(v["object"], "error");
    assert!(sb.comments(TEAM_PAGES[0]).is_empty());
    // reading comments and writing properties still work
    let (s, _) = api(
        &sb,
        "GET",
        &format!("/v1/comments?block_id={}", TEAM_PAGES[0]),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api(
        &sb,
        "PATCH",
        &format!("/v1/pages/{}", TEAM_PAGES[0]),
        Some(json!({"properties": {"On hold": {"checkbox": true}}})),
    )
    .await;
    assert_eq!(s, 200);
}
