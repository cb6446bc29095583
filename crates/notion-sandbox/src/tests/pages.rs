//! Pages: sharing and read-only integrations, the rules of an update,
//! strict bodies, icon, cover and lock, the clock of `last_edited_time`,
//! and creating a page.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{call, demo, engine, first_page, query_path, today};
use crate::engine::SandboxConfig;
use crate::model::{to_minute, Board, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID};

#[test]
fn unshared_and_read_only() {
    let mut b = Board::demo(today());
    b.set_shared(DEMO_DATA_SOURCE_ID, false);
    let page = b.databases[0].data_sources[0].pages[0].id.clone();
    let e = engine(
        b,
        SandboxConfig {
            read_only: true,
            ..Default::default()
        },
    );
    assert_eq!(
        call(
            &e,
            "GET",
            &format!("/v1/databases/{DEMO_DATABASE_ID}"),
            None
        )
        .0,
        200
    );
    assert_eq!(call(&e, "POST", &query_path(), Some(json!({}))).0, 404);
    assert_eq!(call(&e, "GET", &format!("/v1/pages/{page}"), None).0, 404);
    let (s, v) = call(
        &e,
        "PATCH",
        &format!("/v1/pages/{page}"),
        Some(json!({"properties":{}})),
    );
    assert_eq!((s, v["code"].as_str()), (403, Some("restricted_resource")));
}

#[test]
fn patch_rules() {
    let e = demo();
    let (id, trashed) = {
        let st = e.workspace.lock();
        let pages = &st.board.databases[0].data_sources[0].pages;
        (
            pages[0].id.clone(),
            pages.iter().find(|p| p.in_trash).unwrap().id.clone(),
        )
    };
    let before = e.workspace.lock().board.databases[0].data_sources[0].pages[0].last_edited_time;
    let patch = |id: &str, body: Value| call(&e, "PATCH", &format!("/v1/pages/{id}"), Some(body));
    let (s, v) = patch(
        &id,
        json!({"properties": {"Status": {"status": {"name": "Blocked"}}}}),
    );
    assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
    let (s, _) = patch(
        &id,
        json!({"properties": {"Status": {"select": {"name": "Done"}}}}),
    );
    assert_eq!(s, 400);
    let (s, v) = patch(
        &id,
        json!({"properties": {"Nope": {"status": {"name": "Done"}}}}),
    );
    assert_eq!(s, 400);
    assert_eq!(v["message"], "Nope is not a property that exists.");
    let (s, _) = patch(
        &trashed,
        json!({"properties": {"Status": {"status": {"name": "Done"}}}}),
    );
    assert_eq!(s, 400);
    let (s, v) = patch(
        &id.replace('-', ""),
        json!({"properties": {"fk%5EY": {"status": {"name": "Done"}}, "Priority": {"select": {"name": "Urgent"}}}}),
    );
    assert_eq!(s, 200);
    assert_eq!(v["properties"]["Status"]["status"]["name"], "Done");
    assert_eq!(v["properties"]["Priority"]["select"]["name"], "Urgent");
    let (_, ds) = call(
        &e,
        "GET",
        &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
        None,
    );
    let opts = ds["properties"]["Priority"]["select"]["options"]
        .as_array()
        .unwrap();
    assert!(opts.iter().any(|o| o["name"] == "Urgent"));
    let after = e.workspace.lock().board.databases[0].data_sources[0].pages[0].last_edited_time;
    assert!(after > before);
    // locked pages
    e.faults().lock_page(&id);
    let (s, _) = patch(
        &id,
        json!({"properties": {"Status": {"status": {"name": "Done"}}}}),
    );
    assert_eq!(s, 400);
}

#[test]
fn unknown_body_keys_are_refused() {
    let e = demo();
    let (s, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"sort": [{"property": "Name", "direction": "ascending"}]})),
    );
    assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
    assert_eq!(
        v["message"],
        "body failed validation: body.sort should be not present, instead was `[{\"direction\":\"ascending\",\"property\":\"Name\"}]`."
    );
    let (s, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter_properties": ["title"]})),
    );
    assert_eq!(s, 400);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("body failed validation: body.filter_properties should be not present"));
    let id = first_page(&e);
    let (s, v) = call(
        &e,
        "PATCH",
        &format!("/v1/pages/{id}"),
        Some(json!({"propertys": {}})),
    );
    assert_eq!(s, 400);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("body.propertys should be not present"));
}

#[test]
fn icon_cover_and_lock_are_applied() {
    let e = demo();
    let id = first_page(&e);
    let path = format!("/v1/pages/{id}");
    let (s, v) = call(
        &e,
        "PATCH",
        &path,
        Some(
            json!({"icon": {"emoji": "🎯"}, "cover": {"type": "external", "external": {"url": "https://example.com/c.png"}}, "is_locked": true}),
        ),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["icon"], json!({"type": "emoji", "emoji": "🎯"}));
    assert_eq!(v["cover"]["external"]["url"], "https://example.com/c.png");
    assert_eq!(v["is_locked"], true);
    let (_, again) = call(&e, "GET", &path, None);
    assert_eq!(again["icon"], v["icon"]);
    // locked: no edits, but unlocking works
    let edit = json!({"properties": {"Status": {"status": {"name": "Done"}}}});
    let (s, _) = call(&e, "PATCH", &path, Some(edit.clone()));
    assert_eq!(s, 400);
    let (s, v) = call(
        &e,
        "PATCH",
        &path,
        Some(json!({"is_locked": false, "icon": null})),
    );
    assert_eq!(
        (s, v["is_locked"].as_bool(), v["icon"].is_null()),
        (200, Some(false), true)
    );
    assert_eq!(call(&e, "PATCH", &path, Some(edit)).0, 200);
    let (s, _) = call(&e, "PATCH", &path, Some(json!({"icon": {"emoji": 3}})));
    assert_eq!(s, 400);
    let (s, _) = call(&e, "PATCH", &path, Some(json!({"in_trash": true})));
    assert_eq!(s, 200);
    assert!(e.workspace.lock().board.databases[0].data_sources[0].pages[0].in_trash);
}

#[test]
fn last_edited_time_is_the_current_minute() {
    let e = demo();
    let id = first_page(&e);
    let path = format!("/v1/pages/{id}");
    let body = |s: &str| Some(json!({"properties": {"Status": {"status": {"name": s}}}}));
    let (_, a) = call(&e, "PATCH", &path, body("Done"));
    let (_, b) = call(&e, "PATCH", &path, body("To Do"));
    let (_, c) = call(&e, "PATCH", &path, body("Done"));
    let now = to_minute(Utc::now());
    let t = |v: &Value| {
        DateTime::parse_from_rfc3339(v["last_edited_time"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    // the same minute, not one more per write (a minute may tick over)
    assert!(t(&a) == t(&c) || t(&c) - t(&a) == chrono::Duration::minutes(1));
    assert_eq!(t(&b).timestamp() % 60, 0);
    assert!((t(&c) - now).num_minutes().abs() <= 1);
}

#[test]
fn create_page_then_read_its_title_property() {
    let e = demo();
    let body = json!({
        "parent": {"data_source_id": DEMO_DATA_SOURCE_ID},
        "properties": {
            "Name": {"title": [{"text": {"content": "Write the report"}}]},
            "Status": {"status": {"name": "To Do"}},
            "Due Date": {"date": {"start": "2026-11-20"}}
        },
        "icon": {"emoji": "📝"},
        "children": [
            {"paragraph": {"rich_text": [{"text": {"content": "First"}}]}},
            {"type": "to_do", "to_do": {"rich_text": [{"text": {"content": "Check"}}], "checked": true}}
        ]
    });
    let (s, page) = call(&e, "POST", "/v1/pages", Some(body));
    assert_eq!(s, 200, "{page}");
    let id = page["id"].as_str().unwrap().to_string();
    assert_eq!(&id[14..15], "4");
    assert_eq!(page["properties"]["Status"]["status"]["name"], "To Do");
    assert_eq!(page["icon"]["emoji"], "📝");
    // it is a row now: the query sees it
    let (_, q) = call(
        &e,
        "POST",
        &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query"),
        Some(json!({"filter": {"property": "Name", "title": {"equals": "Write the report"}}})),
    );
    assert_eq!(q["results"][0]["id"], json!(id));
    let (s, t) = call(&e, "GET", &format!("/v1/pages/{id}/properties/title"), None);
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["object"], "list");
    assert_eq!(t["results"][0]["title"]["plain_text"], "Write the report");
    let (_, st) = call(
        &e,
        "GET",
        &format!("/v1/pages/{id}/properties/Status"),
        None,
    );
    assert_eq!(st["object"], "property_item");
    assert_eq!(st["status"]["name"], "To Do");
    let (_, kids) = call(&e, "GET", &format!("/v1/blocks/{id}/children"), None);
    let kids = kids["results"].as_array().unwrap();
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[1]["to_do"]["checked"], true);
    // refusals: no title, unknown key, a status that does not exist
    for (bad, code) in [
        (
            json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {}}),
            "validation_error",
        ),
        (
            json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {"Name": {"title": []}}, "propertys": {}}),
            "validation_error",
        ),
        (
            json!({"parent": {"data_source_id": DEMO_DATA_SOURCE_ID}, "properties": {"Name": {"title": []}, "Status": {"status": {"name": "Nope"}}}}),
            "validation_error",
        ),
        (
            json!({"parent": {"page_id": first_page(&e)}, "properties": {}}),
            "invalid_request",
        ),
    ] {
        let (s, v) = call(&e, "POST", "/v1/pages", Some(bad));
        assert_eq!((s, v["code"].as_str()), (400, Some(code)), "{v}");
    }
    // a database with one data source is a parent too
    let (s, _) = call(
        &e,
        "POST",
        "/v1/pages",
        Some(
            json!({"parent": {"database_id": DEMO_DATABASE_ID}, "properties": {"Name": {"title": []}}}),
        ),
    );
    assert_eq!(s, 200);
}
