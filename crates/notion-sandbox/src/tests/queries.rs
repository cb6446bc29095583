//! Querying a data source: cursors, `filter_properties`, the row cap,
//! result types, relative date filters and sorts.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{call, demo, engine, query_path, today};
use crate::engine::SandboxConfig;
use crate::model::{
    encode_cursor, parse_date_start, Board, GeneratedBoard, PageState, DEMO_DATA_SOURCE_ID,
};

#[test]
fn query_pages_with_cursor_and_filter_properties() {
    let e = demo();
    let path = format!(
        "{}?filter_properties=title&filter_properties=fk%5EY",
        query_path()
    );
    let (s, v) = call(&e, "POST", &path, Some(json!({"page_size": 10})));
    assert_eq!(s, 200);
    assert_eq!(v["results"].as_array().unwrap().len(), 10);
    assert_eq!(v["has_more"], true);
    let first = &v["results"][0];
    assert_eq!(first["object"], "page");
    let props = first["properties"].as_object().unwrap();
    assert_eq!(props.len(), 2, "{props:?}");
    assert!(props.contains_key("Name") && props.contains_key("Status"));
    assert_eq!(first["parent"]["data_source_id"], DEMO_DATA_SOURCE_ID);
    let mut seen = 10;
    let mut cursor = v["next_cursor"].clone();
    while !cursor.is_null() {
        let (s, v) = call(
            &e,
            "POST",
            &query_path(),
            Some(json!({"page_size": 10, "start_cursor": cursor})),
        );
        assert_eq!(s, 200);
        seen += v["results"].as_array().unwrap().len();
        cursor = v["next_cursor"].clone();
    }
    assert_eq!(seen, 41); // 42 tasks, one trashed
    for bad in [
        json!({"page_size": 101}),
        json!({"page_size": 0}),
        json!({"start_cursor": "abc"}),
    ] {
        let (s, v) = call(&e, "POST", &query_path(), Some(bad));
        assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
    }
    let (s, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter": {"property": "Nope", "status": {"equals": "x"}}})),
    );
    assert_eq!(s, 400);
    assert_eq!(
        v["message"],
        "Could not find property with name or id: Nope"
    );
}

#[test]
fn filter_properties_wants_the_id_encoded_once() {
    let e = demo();
    let body = Some(json!({"page_size": 1}));
    // as the official SDK sends it: `fk^Y` encoded once
    let path = format!(
        "{}?filter_properties=fk%5EY&filter_properties=Name",
        query_path()
    );
    let (s, v) = call(&e, "POST", &path, body.clone());
    assert_eq!(s, 200, "{v}");
    let props = v["results"][0]["properties"].as_object().unwrap();
    assert!(props.contains_key("Status") && props.contains_key("Name"));
    // the id as shown, encoded again: Notion cannot find it
    let path = format!("{}?filter_properties=fk%255EY", query_path());
    let (s, v) = call(&e, "POST", &path, body);
    assert_eq!((s, v["code"].as_str()), (400, Some("validation_error")));
}

#[test]
fn cursor_is_an_offset_into_current_results() {
    let e = demo();
    let filter = json!({"property": "Status", "status": {"equals": "To Do"}});
    let (_, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter": filter, "page_size": 5})),
    );
    let first: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    // move the first page out of the filter, as a sweep does
    for id in &first {
        let (s, _) = call(
            &e,
            "PATCH",
            &format!("/v1/pages/{id}"),
            Some(json!({"properties": {"Status": {"status": {"name": "Overdue"}}}})),
        );
        assert_eq!(s, 200);
    }
    let (_, v2) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter": filter, "page_size": 5, "start_cursor": v["next_cursor"]})),
    );
    // a fresh query from the start shows what the naive client skipped
    let (_, fresh) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter": filter, "page_size": 5})),
    );
    let skipped: Vec<&Value> = fresh["results"].as_array().unwrap().iter().collect();
    let second: Vec<&Value> = v2["results"].as_array().unwrap().iter().collect();
    assert_ne!(skipped[0]["id"], second[0]["id"]);
    assert!(second
        .iter()
        .all(|p| !skipped.iter().any(|q| q["id"] == p["id"])));
}

#[test]
fn row_cap_stops_the_chain() {
    let spec = GeneratedBoard {
        tasks: 300,
        overdue_fraction: 0.5,
        ..GeneratedBoard::new(300, today())
    };
    let e = engine(
        Board::generated(&spec),
        SandboxConfig {
            row_cap: 120,
            ..Default::default()
        },
    );
    let path = format!("/v1/data_sources/{}/query", spec.data_source_id());
    let mut cursor = Value::Null;
    let mut pages = Vec::new();
    loop {
        let (s, v) = call(
            &e,
            "POST",
            &path,
            Some(json!({"page_size": 50, "start_cursor": cursor})),
        );
        assert_eq!(s, 200);
        pages.push(v.clone());
        cursor = v["next_cursor"].clone();
        if v["has_more"] == false {
            break;
        }
    }
    let sizes: Vec<usize> = pages
        .iter()
        .map(|v| v["results"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![50, 50, 20]);
    let last = pages.last().unwrap();
    assert!(last["next_cursor"].is_null());
    assert_eq!(
        last["request_status"]["incomplete_reason"],
        "query_result_limit_reached"
    );
    assert!(pages[0].get("request_status").is_none());
    // exactly at the cap with nothing beyond: complete
    let e = engine(
        Board::generated(&spec),
        SandboxConfig {
            row_cap: 300,
            ..Default::default()
        },
    );
    let (_, v) = call(
        &e,
        "POST",
        &path,
        Some(json!({"page_size": 100, "start_cursor": encode_cursor(0, 200)})),
    );
    assert_eq!(v["results"].as_array().unwrap().len(), 100);
    assert!(v.get("request_status").is_none());
}

#[test]
fn query_result_type_and_trash_flags() {
    let e = demo();
    let (s, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"result_type": "page", "in_trash": false})),
    );
    assert_eq!(s, 200);
    assert_eq!(v["results"].as_array().unwrap().len(), 41);
    let (s, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"result_type": "data_source"})),
    );
    assert_eq!((s, v["results"].as_array().unwrap().len()), (200, 0));
    let (s, v) = call(&e, "POST", &query_path(), Some(json!({"in_trash": true})));
    assert_eq!((s, v["code"].as_str()), (400, Some("invalid_request")));
    let (s, _) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"result_type": "database"})),
    );
    assert_eq!(s, 400);
}

#[test]
fn pinned_today_moves_the_clock_and_relative_filters() {
    let pinned = NaiveDate::from_ymd_opt(2030, 1, 15).unwrap();
    let e = engine(
        Board::demo(pinned),
        SandboxConfig {
            today: Some(pinned),
            ..Default::default()
        },
    );
    let (d, id) = {
        let st = e.workspace.lock();
        (
            st.today(),
            st.board.databases[0].data_sources[0].pages[0].id.clone(),
        )
    };
    assert_eq!(d, pinned);
    let (_, v) = call(
        &e,
        "PATCH",
        &format!("/v1/pages/{id}"),
        Some(json!({"properties": {}})),
    );
    assert!(v["last_edited_time"]
        .as_str()
        .unwrap()
        .starts_with("2030-01-15T"));
    let board = e.workspace.lock().board.clone();
    let ds = &board.databases[0].data_sources[0];
    let due = |p: &PageState| {
        p.get("Due Date")
            .as_date()
            .and_then(|d| parse_date_start(&d.start))
            .map(|t| t.date_naive())
    };
    for (op, from, to) in [
        ("past_week", pinned - chrono::Duration::days(7), pinned),
        ("next_week", pinned, pinned + chrono::Duration::days(7)),
        (
            "this_week",
            NaiveDate::from_ymd_opt(2030, 1, 14).unwrap(),
            NaiveDate::from_ymd_opt(2030, 1, 20).unwrap(),
        ),
        (
            "past_month",
            NaiveDate::from_ymd_opt(2029, 12, 15).unwrap(),
            pinned,
        ),
        (
            "next_year",
            pinned,
            NaiveDate::from_ymd_opt(2031, 1, 15).unwrap(),
        ),
    ] {
        let mut want: Vec<String> = ds
            .pages
            .iter()
            .filter(|p| !p.in_trash && due(p).is_some_and(|d| from <= d && d <= to))
            .map(|p| p.id.clone())
            .collect();
        want.sort();
        let (s, v) = call(
            &e,
            "POST",
            &query_path(),
            Some(json!({"filter": {"property": "Due Date", "date": {op: {}}}})),
        );
        assert_eq!(s, 200, "{op}: {v}");
        let mut got: Vec<String> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, want, "{op}");
        assert!(!want.is_empty() || op == "this_week", "{op} finds nothing");
    }
    let (s, _) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"filter": {"property": "Due Date", "date": {"past_week": true}}})),
    );
    assert_eq!(s, 400);
}

#[test]
fn status_and_select_sort_by_option_order() {
    let e = demo();
    let (_, v) = call(
        &e,
        "POST",
        &query_path(),
        Some(json!({"sorts": [{"property": "Priority", "direction": "ascending"}]})),
    );
    let (_, ds) = call(
        &e,
        "GET",
        &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}"),
        None,
    );
    let order: Vec<&str> = ds["properties"]["Priority"]["select"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    let ranks: Vec<usize> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["properties"]["Priority"]["select"]["name"].as_str())
        .map(|n| order.iter().position(|o| *o == n).unwrap())
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "{ranks:?} by {order:?}"
    );
    assert!(ranks.first() < ranks.last());
}
