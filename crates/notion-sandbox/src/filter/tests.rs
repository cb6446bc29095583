//! Filters and sorts against the demo board.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::eval::{facts_of, page_date, Filter};
use super::parse::parse_filter;
use super::sort::{default_rank, order, parse_sorts};
use crate::model::{DataSource, PageState, PropertyValue, DEMO_DATA_SOURCE_ID};
use crate::tests::{demo_board, today};

fn pf(v: &Value, ds: &DataSource) -> Result<Filter, String> {
    parse_filter(v, ds, today())
}

/// Evaluates with facts, and checks the slow path agrees.
fn m(f: &Filter, ds: &DataSource, page: &PageState) -> bool {
    let mut facts = Vec::new();
    facts_of(ds, page, &mut facts);
    let fast = f.matches(page, &facts);
    assert_eq!(fast, f.matches(page, &[]), "fast and slow paths differ");
    fast
}

impl Filter {
    fn on(&self, page: &PageState) -> bool {
        let b = demo_board();
        m(self, &b.databases[0].data_sources[0], page)
    }
}

fn ranks(seed: u64, ds: &DataSource) -> Vec<u64> {
    ds.pages.iter().map(|p| default_rank(seed, p)).collect()
}

fn titles(ds: &DataSource, f: &Value) -> Vec<String> {
    let f = pf(f, ds).unwrap();
    ds.pages
        .iter()
        .filter(|p| !p.in_trash && m(&f, ds, p))
        .map(|p| p.get("Name").as_text().unwrap().to_string())
        .collect()
}

fn page(due: &str) -> PageState {
    let mut p = demo_board().databases[0].data_sources[0].pages[0].clone();
    p.properties
        .insert("Due Date".into(), PropertyValue::date(due.to_string()));
    p
}

fn date_filter(op: &str, v: &str) -> Filter {
    let b = demo_board();
    pf(
        &json!({"property": "Due Date", "date": {op: v}}),
        &b.databases[0].data_sources[0],
    )
    .unwrap()
}

#[test]
fn and_or_filter_finds_overdue_open_tasks() {
    let b = demo_board();
    let ds = b.data_source(DEMO_DATA_SOURCE_ID).unwrap();
    let f = json!({"and": [
        {"or": [
            {"property": "Status", "status": {"equals": "To Do"}},
            {"property": "fk%5EY", "status": {"equals": "Backlog"}}
        ]},
        {"property": "Due Date", "date": {"before": "2026-11-22"}}
    ]});
    let got = titles(ds, &f);
    assert!(got.contains(&"Fix login bug".to_string()));
    assert!(got.contains(&"Review PR #482: retry & backoff".to_string()));
    // east-of-UTC morning datetime falls on the previous UTC day: matches
    assert!(got.contains(&"Send invoice to Globex".to_string()));
    // west-of-UTC evening datetime is today in UTC: does not match
    assert!(!got.contains(&"Deploy hotfix to EU region".to_string()));
    assert!(!got.contains(&"Plan team offsite".to_string()));
    assert!(!got.contains(&"Clean up feature flags".to_string()));
    assert!(!got.contains(&"Write onboarding guide".to_string()));
    // the pinned, the one on hold and the snoozed one are overdue too
    assert_eq!(got.len(), 15, "{got:?}");
    // unless the filter leaves them out, as a sweep with exemptions does
    let mut exempt = f.clone();
    exempt["and"].as_array_mut().unwrap().extend([
        json!({"property": "Tags", "multi_select": {"does_not_contain": "pinned"}}),
        json!({"property": "On hold", "checkbox": {"equals": false}}),
        json!({"or": [
            {"property": "Snoozed until", "date": {"is_empty": true}},
            {"property": "Snoozed until", "date": {"before": "2026-11-22"}}
        ]}),
    ]);
    let got = titles(ds, &exempt);
    assert!(!got.contains(&"Keep the on-call rota current".to_string()));
    assert!(!got.contains(&"Migrate billing to the new provider".to_string()));
    assert!(!got.contains(&"Renew design tool licences".to_string()));
    // a snooze that is over is no snooze
    assert!(got.contains(&"Send contract draft to Initech".to_string()));
    assert_eq!(got.len(), 12, "{got:?}");
}

#[test]
fn date_only_filter_is_utc_day() {
    // 2026-11-21 22:30 at -08:00 is 2026-11-22 06:30 UTC
    let p = page("2026-11-21T22:30:00.000-08:00");
    assert!(!date_filter("before", "2026-11-22").on(&p));
    assert!(date_filter("equals", "2026-11-22").on(&p));
    assert!(date_filter("on_or_before", "2026-11-22").on(&p));
    assert!(date_filter("on_or_after", "2026-11-22").on(&p));
    assert!(!date_filter("after", "2026-11-22").on(&p));
    assert!(date_filter("after", "2026-11-21").on(&p));
    assert!(date_filter("before", "2026-11-23").on(&p));
    // a datetime filter value compares instants
    assert!(date_filter("after", "2026-11-22T06:00:00Z").on(&p));
    assert!(date_filter("before", "2026-11-22T07:00:00+00:00").on(&p));
    // date-only page values
    let d = page("2026-11-21");
    assert!(date_filter("before", "2026-11-22").on(&d));
    assert!(!date_filter("before", "2026-11-21").on(&d));
    assert!(date_filter("on_or_before", "2026-11-21").on(&d));
    assert!(date_filter("equals", "2026-11-21").on(&d));
    assert!(!date_filter("after", "2026-11-21").on(&d));
    // empty dates match nothing but is_empty
    let mut e = d.clone();
    e.properties.remove("Due Date");
    assert!(!date_filter("before", "2030-01-01").on(&e));
    assert!(!date_filter("after", "2000-01-01").on(&e));
    let b = demo_board();
    let ds = &b.databases[0].data_sources[0];
    let is_empty = pf(&json!({"property":"Due Date","date":{"is_empty":true}}), ds).unwrap();
    assert!(is_empty.on(&e));
    assert!(!is_empty.on(&d));
}

#[test]
fn filter_errors() {
    let b = demo_board();
    let ds = &b.databases[0].data_sources[0];
    let e = pf(
        &json!({"property":"Status","select":{"equals":"To Do"}}),
        ds,
    )
    .unwrap_err();
    assert!(e.contains("does not match filter select"), "{e}");
    let e = pf(&json!({"property":"status","status":{"equals":"x"}}), ds).unwrap_err();
    assert_eq!(e, "Could not find property with name or id: status");
    let e = pf(
        &json!({"and":[{"or":[{"and":[{"property":"Status","status":{"is_empty":true}}]}]}]}),
        ds,
    )
    .unwrap_err();
    assert!(e.contains("two levels"), "{e}");
    assert!(pf(
        &json!({"property":"Due Date","date":{"before":"yesterday"}}),
        ds
    )
    .is_err());
    assert!(pf(&json!({"property":"Status","status":{"contains":"To"}}), ds).is_err());
}

#[test]
fn text_select_and_negation() {
    let b = demo_board();
    let ds = &b.databases[0].data_sources[0];
    let got = titles(ds, &json!({"property":"Name","title":{"contains":"ssl"}}));
    assert_eq!(got, vec!["Renew SSL certificate for api.example.com"]);
    let high = titles(
        ds,
        &json!({"property":"Priority","select":{"equals":"High"}}),
    );
    let not_high = titles(
        ds,
        &json!({"property":"Priority","select":{"does_not_equal":"High"}}),
    );
    let live = ds.pages.iter().filter(|p| !p.in_trash).count();
    assert_eq!(high.len() + not_high.len(), live);
}

#[test]
fn sorts_put_empty_last_and_default_order_is_not_creation_order() {
    let b = demo_board();
    let ds = &b.databases[0].data_sources[0];
    let sorts = parse_sorts(
        &json!([{"property":"Due Date","direction":"descending"}]),
        ds,
        &[],
    )
    .unwrap();
    let mut rows: Vec<usize> = (0..ds.pages.len()).collect();
    order(&ds.pages, &mut rows, &sorts, &ranks(1, ds));
    let dates: Vec<Option<DateTime<Utc>>> = rows
        .iter()
        .map(|&i| page_date(ds.pages[i].get("Due Date")))
        .collect();
    let first_none = dates.iter().position(Option::is_none).unwrap();
    assert!(dates[first_none..].iter().all(Option::is_none));
    assert!(dates[..first_none].windows(2).all(|w| w[0] >= w[1]));

    let mut unsorted: Vec<usize> = (0..ds.pages.len()).collect();
    order(&ds.pages, &mut unsorted, &[], &ranks(1, ds));
    assert_ne!(unsorted, (0..ds.pages.len()).collect::<Vec<_>>());
    let mut again: Vec<usize> = (0..ds.pages.len()).collect();
    order(&ds.pages, &mut again, &[], &ranks(1, ds));
    assert_eq!(unsorted, again);
    assert!(parse_sorts(
        &json!([{"property":"Nope","direction":"ascending"}]),
        ds,
        &[]
    )
    .is_err());
    assert!(parse_sorts(
        &json!([{"timestamp":"created_time","direction":"up"}]),
        ds,
        &[]
    )
    .is_err());
}
