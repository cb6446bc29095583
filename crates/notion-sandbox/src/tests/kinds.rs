//! multi_select and people over HTTP: the schema, the values a page
//! gives, the writes Notion takes and refuses, the filters (with checkbox,
//! nesting and the last-edited timestamp) and the sorts.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{api, team_board, ADA, BOT, DEPARTED, GRACE, TEAM_PAGES, TEAM_SOURCE};
use crate::model::to_minute;
use crate::{PropertyValue, Sandbox, SandboxConfig};

async fn team() -> Sandbox {
    Sandbox::start(team_board(), SandboxConfig::default())
        .await
        .unwrap()
}

/// The titles a filter finds, sorted.
async fn found(sb: &Sandbox, filter: Value) -> Vec<String> {
    let (s, v) = api(
        sb,
        "POST",
        &format!("/v1/data_sources/{TEAM_SOURCE}/query"),
        Some(json!({ "filter": filter })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let mut titles: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["properties"]["Name"]["title"][0]["plain_text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    titles.sort();
    titles
}

/// The error code of a query with this filter.
async fn refused(sb: &Sandbox, filter: Value) -> (u16, String) {
    let (s, v) = api(
        sb,
        "POST",
        &format!("/v1/data_sources/{TEAM_SOURCE}/query"),
        Some(json!({ "filter": filter })),
    )
    .await;
    (s, v["code"].as_str().unwrap_or("").to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_select_and_people_as_notion_sends_them() {
    let sb = team().await;
    let (s, ds) = api(&sb, "GET", &format!("/v1/data_sources/{TEAM_SOURCE}"), None).await;
    assert_eq!(s, 200);
    let tags = &ds["properties"]["Tags"];
    assert_eq!(tags["type"], "multi_select");
    assert_eq!(tags["multi_select"]["options"][0]["name"], "pinned");
    assert_eq!(tags["multi_select"]["options"][0]["color"], "red");
    assert_eq!(ds["properties"]["Assignee"]["people"], json!({}));

    let (_, page) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[1]), None).await;
    let values = &page["properties"];
    assert_eq!(values["Tags"]["type"], "multi_select");
    let tag = &values["Tags"]["multi_select"][0];
    assert_eq!(tag["name"], "docs");
    assert!(tag["id"].is_string() && tag["color"].is_string());
    let people = values["Assignee"]["people"].as_array().unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(
        people[0],
        json!({"object": "user", "id": ADA, "name": "Ada Lovelace", "avatar_url": null,
               "type": "person", "person": {"email": "ada@acme.com"}})
    );
    assert_eq!(people[1]["id"], GRACE);
    assert_eq!(values["On hold"]["checkbox"], true);

    // empty values are empty arrays; a bot is a bot; a departed user is an id
    let (_, page) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[2]), None).await;
    assert_eq!(page["properties"]["Tags"]["multi_select"], json!([]));
    assert_eq!(page["properties"]["Assignee"]["people"], json!([]));
    let (_, page) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[3]), None).await;
    let bot = &page["properties"]["Assignee"]["people"][0];
    assert_eq!(
        (bot["type"].as_str(), &bot["bot"]),
        (Some("bot"), &json!({}))
    );
    let (_, page) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[4]), None).await;
    assert_eq!(
        page["properties"]["Assignee"]["people"],
        json!([{"object": "user", "id": DEPARTED}])
    );

    // the export keeps them, and reads back the same
    let again = crate::Board::from_json(&sb.board_json()).unwrap();
    assert_eq!(again.users.len(), 3);
    assert_eq!(again, sb.board());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_as_notion_takes_them() {
    let sb = team().await;
    let path = format!("/v1/pages/{}", TEAM_PAGES[2]);
    let patch = |props: Value| Some(json!({ "properties": props }));
    let pinned_id = sb
        .board()
        .data_source(TEAM_SOURCE)
        .unwrap()
        .property("Tags")
        .unwrap()
        .options[0]
        .id
        .clone();
    let (s, v) = api(
        &sb,
        "PATCH",
        &path,
        patch(json!({"Tags": {"multi_select": [{"id": pinned_id}, {"name": "urgent"}, {"name": "urgent"}]},
                     "as": {"people": [{"object": "user", "id": GRACE}, {"id": ADA.replace('-', "")}]}})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let names: Vec<&str> = v["properties"]["Tags"]["multi_select"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pinned", "urgent"]);
    let page = sb.page(TEAM_PAGES[2]).unwrap();
    assert_eq!(
        page.get("Tags"),
        &PropertyValue::options(["pinned", "urgent"])
    );
    assert_eq!(page.get("Assignee"), &PropertyValue::people([GRACE, ADA]));
    // a new option joins the schema, as for select
    let schema = sb
        .board()
        .data_source(TEAM_SOURCE)
        .unwrap()
        .property("Tags")
        .unwrap()
        .clone();
    assert!(schema.option("urgent").is_some());
    // the write moved last_edited_time to the current minute of the day
    let edited: DateTime<Utc> =
        DateTime::parse_from_rfc3339(v["last_edited_time"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc);
    assert_eq!(edited.date_naive(), super::today());
    assert_eq!(edited, to_minute(edited));
    assert_eq!(page.last_edited_time, edited);

    // what Notion refuses
    let bad = [
        json!({"Tags": {"multi_select": [{"name": "a,b"}]}}),
        json!({"Tags": {"multi_select": [{"id": "nope"}]}}),
        json!({"Tags": {"multi_select": null}}),
        json!({"Tags": {"multi_select": [{"name": "x", "oops": 1}]}}),
        json!({"Tags": {"select": {"name": "x"}}}),
        json!({"Assignee": {"people": [{"id": "not-a-uuid"}]}}),
        json!({"Assignee": {"people": [{"id": "00000000-0000-4000-8000-00000000beef"}]}}),
        json!({"Assignee": {"people": [{"object": "group", "id": ADA}]}}),
        json!({"Assignee": {"people": {"id": ADA}}}),
    ];
    for props in bad {
        let (s, v) = api(&sb, "PATCH", &path, patch(props.clone())).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (400, Some("validation_error")),
            "{props}: {v}"
        );
    }
    // a user object as read is refused: only the id (and object) may be sent
    let (_, read) = api(&sb, "GET", &format!("/v1/pages/{}", TEAM_PAGES[0]), None).await;
    let as_read = read["properties"]["Assignee"]["people"].clone();
    let (s, v) = api(
        &sb,
        "PATCH",
        &path,
        patch(json!({"Assignee": {"people": as_read}})),
    )
    .await;
    assert_eq!(s, 400);
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("people[0].name should be not present"),
        "{message}"
    );
    assert!(
        message.contains("people[0].person should be not present"),
        "{message}"
    );
    // emptied
    let (s, _) = api(
        &sb,
        "PATCH",
        &path,
        patch(json!({"Tags": {"multi_select": []}, "Assignee": {"people": []}})),
    )
    .await;
    assert_eq!(s, 200);
    assert!(sb.page(TEAM_PAGES[2]).unwrap().get("Assignee").is_empty());
    // a page created with them
    let (s, v) = api(
        &sb,
        "POST",
        "/v1/pages",
        Some(
            json!({"parent": {"data_source_id": TEAM_SOURCE}, "properties": {
            "Name": {"title": [{"text": {"content": "New"}}]},
            "Tags": {"multi_select": [{"name": "docs"}]},
            "Assignee": {"people": [{"id": BOT}]}}}),
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["properties"]["Assignee"]["people"][0]["name"],
        "Build Bot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_select_people_and_checkbox_filters() {
    let sb = team().await;
    let tags = |c: Value| json!({"property": "Tags", "multi_select": c});
    let who = |c: Value| json!({"property": "as", "people": c});
    assert_eq!(
        found(&sb, tags(json!({"contains": "infra"}))).await,
        ["Pinned chore", "The bot's"]
    );
    // an option name, exactly: no substring, no other case
    assert!(found(&sb, tags(json!({"contains": "infr"})))
        .await
        .is_empty());
    assert!(found(&sb, tags(json!({"contains": "Infra"})))
        .await
        .is_empty());
    assert_eq!(
        found(&sb, tags(json!({"does_not_contain": "pinned"}))).await,
        ["Left behind", "Nothing set", "The bot's", "Write the docs"]
    );
    assert_eq!(
        found(&sb, tags(json!({"is_empty": true}))).await,
        ["Left behind", "Nothing set"]
    );
    assert_eq!(
        found(&sb, tags(json!({"is_not_empty": true}))).await.len(),
        3
    );
    assert_eq!(
        found(&sb, who(json!({"contains": ADA.replace('-', "")}))).await,
        ["Pinned chore", "Write the docs"]
    );
    assert_eq!(
        found(&sb, who(json!({"does_not_contain": GRACE}))).await,
        ["Left behind", "Nothing set", "Pinned chore", "The bot's"]
    );
    assert_eq!(
        found(&sb, who(json!({"is_empty": true}))).await,
        ["Nothing set"]
    );
    assert_eq!(
        found(&sb, who(json!({"is_not_empty": true}))).await.len(),
        4
    );
    let hold = |c: Value| json!({"property": "On hold", "checkbox": c});
    assert_eq!(
        found(&sb, hold(json!({"equals": true}))).await,
        ["Write the docs"]
    );
    // an unset checkbox is unchecked
    assert_eq!(found(&sb, hold(json!({"equals": false}))).await.len(), 4);
    assert_eq!(
        found(&sb, hold(json!({"does_not_equal": true})))
            .await
            .len(),
        4
    );
    // two levels of and/or, as a sweep sends them
    let nested = json!({"and": [
        {"or": [{"property": "Status", "status": {"equals": "To Do"}},
                {"property": "Status", "status": {"equals": "In Progress"}}]},
        tags(json!({"does_not_contain": "pinned"})),
        hold(json!({"equals": false})),
        {"or": [who(json!({"is_empty": true})), who(json!({"contains": DEPARTED}))]},
    ]});
    assert_eq!(found(&sb, nested).await, ["Left behind", "Nothing set"]);

    // what Notion refuses
    let deep = json!({"and": [{"or": [{"and": [hold(json!({"equals": true}))]}]}]});
    let wrong = [
        deep,
        tags(json!({"equals": "infra"})),
        tags(json!({"contains": 3})),
        who(json!({"contains": "ada@acme.com"})),
        hold(json!({"equals": "yes"})),
        hold(json!({"contains": true})),
        json!({"property": "Tags", "select": {"equals": "infra"}}),
        json!({"property": "as", "rich_text": {"contains": "Ada"}}),
    ];
    for filter in wrong {
        assert_eq!(
            refused(&sb, filter.clone()).await,
            (400, "validation_error".to_string()),
            "{filter}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_edited_time_filters_and_list_sorts() {
    let sb = team().await;
    let edited = |c: Value| json!({"timestamp": "last_edited_time", "last_edited_time": c});
    assert_eq!(
        found(&sb, edited(json!({"before": "2026-11-15T08:30:00.000Z"}))).await,
        ["Nothing set", "Write the docs"]
    );
    assert_eq!(
        found(&sb, edited(json!({"on_or_after": "2026-11-15T08:30:00Z"}))).await,
        ["Left behind", "Pinned chore", "The bot's"]
    );
    assert_eq!(
        found(&sb, edited(json!({"after": "2026-11-21"}))).await,
        ["The bot's"]
    );
    assert_eq!(
        found(&sb, edited(json!({"past_week": {}}))).await,
        ["Left behind", "Pinned chore", "The bot's"]
    );
    assert_eq!(
        refused(&sb, edited(json!({"before": "a while ago"}))).await,
        (400, "validation_error".to_string())
    );
    // a write moves a page into the last day
    sb.set_property(TEAM_PAGES[2], "On hold", PropertyValue::Checkbox(true));
    assert_eq!(
        found(&sb, edited(json!({"on_or_after": "2026-11-22"}))).await,
        ["Nothing set", "The bot's"]
    );

    // people sort by the first person's name, multi_select by the first
    // option's place; empty last
    let (s, v) = api(
        &sb,
        "POST",
        &format!("/v1/data_sources/{TEAM_SOURCE}/query"),
        Some(
            json!({"sorts": [{"property": "Assignee", "direction": "ascending"},
                               {"property": "Tags", "direction": "descending"}]}),
        ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let order: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["properties"]["Name"]["title"][0]["plain_text"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        order,
        [
            "Write the docs",
            "Pinned chore",
            "The bot's",
            "Left behind",
            "Nothing set"
        ]
    );
}
