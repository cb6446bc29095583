//! The board's own checks: ids, the demo board, hand-written JSON,
//! generated boards, percent coding.

use chrono::NaiveTime;

use super::codecs::{
    decode_cursor, encode_cursor, parse_date_start, percent_decode, percent_decode_with,
    percent_encode,
};
use super::ids::{format_id, parse_id};
use super::*;
use crate::tests::today;

#[test]
fn ids_parse_with_and_without_dashes() {
    let a = parse_id(DEMO_DATABASE_ID).unwrap();
    let b = parse_id(&DEMO_DATABASE_ID.replace('-', "").to_uppercase()).unwrap();
    assert_eq!(a, b);
    assert_eq!(format_id(a), DEMO_DATABASE_ID);
    assert!(parse_id("2f26ee68df304251aad48ddc420cba3").is_none());
    assert!(parse_id("2f26ee68-df304251-aad4-8ddc420cba3d").is_none());
    assert!(parse_id("zf26ee68df304251aad48ddc420cba3d").is_none());
}

#[test]
fn demo_board_is_consistent() {
    let b = Board::demo(today());
    let ds = b.data_source(DEMO_DATA_SOURCE_ID).unwrap();
    assert_ne!(DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID);
    assert_eq!(ds.property("Status").unwrap().id, DEMO_STATUS_PROPERTY_ID);
    assert_eq!(ds.property("fk^Y").unwrap().name, "Status");
    assert_eq!(ds.property("title").unwrap().name, "Name");
    assert!(ds.pages.iter().any(|p| p.in_trash));
    assert!(ds
        .pages
        .iter()
        .any(|p| p.get("Name").as_text().is_some_and(|t| t.contains('&'))));
    // round trip through the JSON format
    let again = Board::from_json(&b.to_json()).unwrap();
    assert_eq!(again, b);
    let multi = Board::demo_multi_source(today());
    assert_eq!(multi.databases[0].data_sources.len(), 2);
}

#[test]
fn hand_written_json_is_normalized() {
    let json = r#"{"databases":[{"id":"11111111111141118111111111111111","title":"T",
      "data_sources":[{"id":"22222222-2222-4222-8222-222222222222","name":"T","shared":false,
      "properties":[{"name":"Task","type":"title"},
                    {"name":"State","type":"select","options":[{"name":"Open"}]},
                    {"name":"Due","type":"date"},
                    {"name":"Done","type":"checkbox"}],
      "pages":[{"id":"33333333333343338333333333333333",
                "properties":{"Task":"Hello","State":"Open","Due":"2026-11-20","Done":true}},
               {"id":"44444444444444448444444444444444","in_trash":true,
                "properties":{"Task":"","State":null,"Due":null}}]}]}]}"#;
    let b = Board::from_json(json).unwrap();
    let ds = &b.databases[0].data_sources[0];
    assert!(!ds.shared);
    assert_eq!(b.databases[0].id, "11111111-1111-4111-8111-111111111111");
    assert!(ds.properties[1].id.contains('%') || !ds.properties[1].id.is_empty());
    assert_eq!(
        ds.pages[0].get("Due"),
        &PropertyValue::date("2026-11-20".to_string())
    );
    assert_eq!(ds.pages[0].get("Done"), &PropertyValue::Checkbox(true));
    assert_eq!(ds.pages[1].get("State"), &PropertyValue::Empty);
    assert!(ds.pages[1].in_trash);
    let bad = json.replace("\"Due\":\"2026-11-20\"", "\"Nope\":1");
    assert!(Board::from_json(&bad).is_err());
}

#[test]
fn generated_board_has_exact_overdue_count() {
    let spec = GeneratedBoard {
        tasks: 2_000,
        overdue_fraction: 0.25,
        trashed_fraction: 0.01,
        status_kind: PropertyKind::Select,
        status_property: "State".into(),
        ..GeneratedBoard::new(2_000, today())
    };
    let b = Board::generated(&spec);
    let ds = b.data_source(&spec.data_source_id()).unwrap();
    assert_eq!(ds.pages.len(), 2_000);
    let cutoff = today().and_time(NaiveTime::MIN).and_utc();
    let overdue = ds
        .pages
        .iter()
        .filter(|p| !p.in_trash)
        .filter(|p| p.get("State").as_text() == Some("To Do"))
        .filter(|p| {
            p.get("Due Date")
                .as_date()
                .and_then(|d| parse_date_start(&d.start))
                .is_some_and(|d| d < cutoff)
        })
        .count();
    assert_eq!(overdue, spec.overdue_count());
    assert_eq!(Board::generated(&spec), b);
}

#[test]
fn generated_board_with_assignees_and_idle_tasks() {
    let plain = GeneratedBoard::new(400, today());
    let spec = GeneratedBoard {
        assignees: 5,
        idle_fraction: Some(0.2),
        ..plain.clone()
    };
    let (a, b) = (Board::generated(&plain), Board::generated(&spec));
    assert!(a.users.is_empty());
    assert_eq!(b.users.len(), 5);
    assert_eq!(
        b.users[1].email.as_deref(),
        Some("grace.lovelace@example.com")
    );
    let (pa, pb) = (
        &a.databases[0].data_sources[0],
        &b.databases[0].data_sources[0],
    );
    assert!(pa.property("Assignee").is_none());
    assert_eq!(pb.property("Assignee").unwrap().kind, PropertyKind::People);
    // the rest of the board is the same
    for (x, y) in pa.pages.iter().zip(&pb.pages) {
        assert_eq!(
            (&x.id, x.get("Status"), x.get("Due Date")),
            (&y.id, y.get("Status"), y.get("Due Date"))
        );
    }
    let midnight = today().and_time(NaiveTime::MIN).and_utc();
    let idle = pb
        .pages
        .iter()
        .filter(|p| p.last_edited_time < midnight - chrono::Duration::days(20))
        .count();
    assert_eq!((idle, spec.idle_count()), (80, 80));
    assert!(pb.pages.iter().all(|p| p.last_edited_time < midnight
        && p.last_edited_time >= midnight - chrono::Duration::days(60)
        && p.created_time <= p.last_edited_time));
    let assigned = pb
        .pages
        .iter()
        .filter(|p| !p.get("Assignee").is_empty())
        .count();
    assert!((320..=400).contains(&assigned), "{assigned}");
    assert!(pb
        .pages
        .iter()
        .filter_map(|p| p.get("Assignee").as_people())
        .all(|ids| ids.len() == 1 && b.user(&ids[0]).is_some()));
    // the same seed, the same board
    assert_eq!(Board::generated(&spec), b);
    assert_eq!(Board::from_json(&b.to_json()).unwrap(), b);
}

#[test]
fn percent_coding() {
    assert_eq!(percent_encode("fk^Y"), "fk%5EY");
    assert_eq!(percent_decode("fk%5EY"), "fk^Y");
    assert_eq!(percent_decode_with("Due+Date%", true), "Due Date%");
}

#[test]
fn cursor_round_trip() {
    for off in [0, 1, 99, 10_000, 123_456] {
        assert_eq!(decode_cursor(5, &encode_cursor(5, off)), Some(off));
    }
    assert_eq!(decode_cursor(6, &encode_cursor(5, 10)), None);
    assert_eq!(decode_cursor(5, "!!"), None);
}
