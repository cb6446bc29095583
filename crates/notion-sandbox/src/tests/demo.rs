//! The demo board over HTTP: what each job of the third round finds in it
//! (docs/sandbox.md, "The demo board"); and a generated board's stale
//! tasks and assignees.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use super::{api, today};
use crate::{Board, GeneratedBoard, Sandbox, SandboxConfig, DEMO_DATA_SOURCE_ID};

/// The titles a query with this filter finds, sorted.
async fn titles(sb: &Sandbox, filter: Value) -> Vec<String> {
    let (s, v) = api(
        sb,
        "POST",
        &format!("/v1/data_sources/{DEMO_DATA_SOURCE_ID}/query"),
        Some(json!({ "filter": filter })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let mut out: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["properties"]["Name"]["title"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["plain_text"].as_str().unwrap())
                .collect()
        })
        .collect();
    out.sort();
    out
}

fn status(name: &str) -> Value {
    json!({"property": "Status", "status": {"equals": name}})
}

fn due(condition: Value) -> Value {
    json!({"property": "Due Date", "date": condition})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_board_has_every_case_of_the_third_round() {
    let day = today();
    let sb = Sandbox::start(
        Board::demo(day),
        SandboxConfig {
            today: Some(day),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let now = day.and_time(Utc::now().time()).and_utc();

    // exempt: pinned, on hold; snoozed until three days from now
    assert_eq!(
        titles(
            &sb,
            json!({"property": "Tags", "multi_select": {"contains": "pinned"}})
        )
        .await,
        ["Keep the on-call rota current"]
    );
    assert_eq!(
        titles(
            &sb,
            json!({"property": "On hold", "checkbox": {"equals": true}})
        )
        .await,
        ["Migrate billing to the new provider"]
    );
    assert_eq!(
        titles(
            &sb,
            json!({"property": "Snoozed until", "date": {"on_or_after": iso(day)}})
        )
        .await,
        ["Renew design tool licences"]
    );
    // rescheduled: in Overdue, due again later
    assert_eq!(
        titles(
            &sb,
            json!({"and": [status("Overdue"), due(json!({"on_or_after": iso(day)}))]})
        )
        .await,
        ["Publish the API changelog"]
    );
    // due soon: open, due today or within three days (in UTC, the hotfix
    // due yesterday evening in Los Angeles is due today)
    assert_eq!(
        titles(
            &sb,
            json!({"and": [status("To Do"), due(json!({"on_or_after": iso(day)})),
                           due(json!({"before": iso(day + Duration::days(3))}))]})
        )
        .await,
        [
            "Deploy hotfix to EU region",
            "Design review: settings page",
            "Plan team offsite",
            "Prepare sprint demo",
            "Triage new bug reports"
        ]
    );
    // stale: in progress, untouched for a week
    let week_ago = (now - Duration::days(7)).to_rfc3339();
    assert_eq!(
        titles(
            &sb,
            json!({"and": [status("In Progress"),
                {"timestamp": "last_edited_time", "last_edited_time": {"before": week_ago}}]})
        )
        .await,
        [
            "Improve error messages",
            "Refactor billing service",
            "Security audit follow-up"
        ]
    );
    // the day's edits
    let day_ago = (now - Duration::hours(24)).to_rfc3339();
    assert_eq!(
        titles(
            &sb,
            json!({"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": day_ago}})
        )
        .await,
        [
            "Fix login bug",
            "Investigate flaky e2e test",
            "Ship v2.3 release notes",
            "Triage new bug reports"
        ]
    );
    // assignees: three people, one task with two, a few with none
    let (_, users) = api(&sb, "GET", "/v1/users", None).await;
    let emails: Vec<&str> = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["person"]["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        [
            "person@sandbox.invalid",
            "ada@acme.com",
            "grace@acme.com",
            "linus@acme.com"
        ]
    );
    let ada = users["results"][2]["id"].as_str().unwrap();
    let linus = users["results"][4]["id"].as_str().unwrap();
    let who = |c: Value| json!({"property": "Assignee", "people": c});
    assert_eq!(
        titles(
            &sb,
            json!({"and": [who(json!({"contains": ada})), who(json!({"contains": linus}))]})
        )
        .await,
        ["Renew SSL certificate for api.example.com"]
    );
    assert_eq!(
        titles(&sb, who(json!({"is_empty": true}))).await,
        [
            "Archive old Slack channels",
            "Brainstorm team names",
            "Clean up feature flags",
            "Research vector search options"
        ]
    );
    let (_, page) = api(
        &sb,
        "GET",
        &format!("/v1/pages/{}", sb.pages(DEMO_DATA_SOURCE_ID)[0].id),
        None,
    )
    .await;
    assert_eq!(
        page["properties"]["Assignee"]["people"][0]["name"],
        "Ada Lovelace"
    );
    assert_eq!(page["properties"]["Tags"]["type"], "multi_select");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_board_with_idle_tasks_and_assignees() {
    let spec = GeneratedBoard {
        assignees: 3,
        idle_fraction: Some(0.25),
        ..GeneratedBoard::new(240, today())
    };
    let sb = Sandbox::start(
        Board::generated(&spec),
        SandboxConfig {
            today: Some(today()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let now = today().and_time(Utc::now().time()).and_utc();
    let query = format!("/v1/data_sources/{}/query", spec.data_source_id());
    let mut idle = 0;
    let mut cursor = Value::Null;
    loop {
        let (s, v) = api(
            &sb,
            "POST",
            &query,
            Some(
                json!({"start_cursor": cursor, "filter": {"timestamp": "last_edited_time",
                "last_edited_time": {"before": (now - Duration::days(7)).to_rfc3339()}}}),
            ),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        idle += v["results"].as_array().unwrap().len();
        cursor = v["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(idle, spec.idle_count());
    let (_, users) = api(&sb, "GET", "/v1/users", None).await;
    assert_eq!(users["results"].as_array().unwrap().len(), 2 + 3);
    let (_, v) = api(
        &sb,
        "POST",
        &query,
        Some(json!({"page_size": 1, "filter": {"property": "Assignee", "people": {"is_not_empty": true}}})),
    )
    .await;
    let person = &v["results"][0]["properties"]["Assignee"]["people"][0];
    assert!(person["person"]["email"]
        .as_str()
        .unwrap()
        .ends_with("@example.com"));
}
