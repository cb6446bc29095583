//! The demo board: a believable team board around a given day, with the
//! cases a sweep must get right (time zones, trashed rows, other statuses)
//! and those of the third round (exempt, snoozed and rescheduled tasks,
//! tasks due soon, stale ones, the day's edits, assignees). The rows are in
//! `demo_tasks`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::board::{
    Board, DataSource, Database, PageState, PropertyKind, PropertySchema, PropertyValue,
    StatusGroup,
};
use super::codecs::{day_at, to_minute};
use super::demo_tasks::{DemoTask, Due, Edited, DEMO_TASKS, PEOPLE, TAGS};
use super::ids::derived_uuid;
use super::users::User;

/// Database id of [`Board::demo`].
pub const DEMO_DATABASE_ID: &str = "2f26ee68-df30-4251-aad4-8ddc420cba3d";
/// Id of the "Tasks" data source of [`Board::demo`].
pub const DEMO_DATA_SOURCE_ID: &str = "248104cd-477e-80af-bc30-000bd28de8f9";
/// Id of the second ("Bugs") data source of [`Board::demo_multi_source`].
pub const DEMO_BUGS_DATA_SOURCE_ID: &str = "248104cd-477e-80b1-9c2e-00a3c5d1e7f2";
/// Property id of `Status` in the demo board (URL-encoded, as Notion sends it).
pub const DEMO_STATUS_PROPERTY_ID: &str = "fk%5EY";
/// Property id of `Due Date` in the demo board.
pub const DEMO_DATE_PROPERTY_ID: &str = "Pk%3Cr";

impl Board {
    /// A believable team board: database "Tasks" ([`DEMO_DATABASE_ID`]) with
    /// one data source "Tasks" ([`DEMO_DATA_SOURCE_ID`]), properties `Name`
    /// (title), `Status` (To Do / In Progress / Done / Overdue), `Due Date`,
    /// `Assignee` (people: Ada Lovelace, Grace Hopper, Linus Torvalds),
    /// `Priority` (select), `Tags` (multi_select), `On hold` (checkbox) and
    /// `Snoozed until` (date), and 42 tasks around `today`: 11 overdue with
    /// a date-only due in To Do, two datetime dues whose day depends on the
    /// time zone, three overdue in To Do but pinned, on hold or snoozed,
    /// overdue ones that are Done or In Progress, one in Overdue due again
    /// later, some due today or soon, some later, some without a date, In
    /// Progress ones nobody has edited for weeks, a few edited today, one
    /// trashed. docs/sandbox.md lists them.
    pub fn demo(today: NaiveDate) -> Board {
        let ds = demo_tasks_source(today);
        let mut board = Board {
            databases: vec![Database {
                id: DEMO_DATABASE_ID.to_string(),
                title: "Tasks".to_string(),
                shared: true,
                data_sources: vec![ds],
            }],
            today: None,
            users: PEOPLE
                .iter()
                .map(|(name, email)| User::person(name, email))
                .collect(),
        };
        // the builder's data is fixed: normalization cannot fail
        board.normalize().expect("demo board is valid");
        board
    }

    /// [`Board::demo`] with a second data source "Bugs"
    /// ([`DEMO_BUGS_DATA_SOURCE_ID`]) in the same database, with the same
    /// property names and a few rows of its own.
    pub fn demo_multi_source(today: NaiveDate) -> Board {
        let mut board = Board::demo(today);
        let mut bugs = DataSource {
            id: DEMO_BUGS_DATA_SOURCE_ID.to_string(),
            name: "Bugs".to_string(),
            shared: true,
            properties: demo_schema(),
            pages: Vec::new(),
        };
        let rows = [
            ("Crash on empty search", "To Do", Some(-2)),
            ("Dark mode contrast too low", "To Do", Some(3)),
            ("CSV export drops unicode", "In Progress", Some(-1)),
            ("Session expires too early", "Done", Some(-8)),
        ];
        for (i, (title, status, due)) in rows.iter().enumerate() {
            let mut props = BTreeMap::new();
            props.insert("Name".to_string(), PropertyValue::text(*title));
            props.insert("Status".to_string(), PropertyValue::option(*status));
            if let Some(d) = due {
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::day(today + Duration::days(*d)),
                );
            }
            let created = day_at(today, -20 + i as i64, 11);
            bugs.pages.push(PageState {
                id: derived_uuid(0xb065, &format!("bug{i}")),
                created_time: created,
                last_edited_time: created + Duration::hours(3),
                in_trash: false,
                properties: props,
                ..PageState::new("", created)
            });
        }
        board.add_data_source(DEMO_DATABASE_ID, bugs);
        board.normalize().expect("demo board is valid");
        board
    }
}

fn demo_schema() -> Vec<PropertySchema> {
    vec![
        PropertySchema::new("Name", PropertyKind::Title),
        PropertySchema::status("Status", &["To Do", "In Progress", "Done", "Overdue"])
            .with_id(DEMO_STATUS_PROPERTY_ID),
        PropertySchema::new("Due Date", PropertyKind::Date).with_id(DEMO_DATE_PROPERTY_ID),
        PropertySchema::new("Assignee", PropertyKind::People).with_id("%3BxQm"),
        PropertySchema::select("Priority", &["High", "Medium", "Low"]).with_id("Wv%40t"),
        PropertySchema::multi_select("Tags", TAGS).with_id("Tg%7Bs"),
        PropertySchema::new("On hold", PropertyKind::Checkbox).with_id("H%3Bld"),
        PropertySchema::new("Snoozed until", PropertyKind::Date).with_id("Sn%3Dz"),
    ]
}

/// The values of a demo task's properties.
fn demo_values(today: NaiveDate, task: &DemoTask) -> BTreeMap<String, PropertyValue> {
    let mut props = BTreeMap::new();
    let mut set = |name: &str, value: PropertyValue| {
        props.insert(name.to_string(), value);
    };
    set("Name", PropertyValue::text(task.title));
    set("Status", PropertyValue::option(task.status));
    set("Priority", PropertyValue::option(task.priority));
    let people = task
        .assignees
        .iter()
        .map(|&who| User::person(PEOPLE[who as usize].0, PEOPLE[who as usize].1).id);
    set("Assignee", PropertyValue::people(people));
    set("Tags", PropertyValue::options(task.tags.iter().copied()));
    set("On hold", PropertyValue::Checkbox(task.on_hold));
    if let Some(days) = task.snoozed {
        set(
            "Snoozed until",
            PropertyValue::day(today + Duration::days(days)),
        );
    }
    match task.due {
        Due::None => {}
        Due::Days(d) => set("Due Date", PropertyValue::day(today + Duration::days(d))),
        Due::At(d, time, offset) => {
            let day = (today + Duration::days(d)).format("%Y-%m-%d");
            set(
                "Due Date",
                PropertyValue::date(format!("{day}T{time}.000{offset}")),
            );
        }
    }
    props
}

/// When the `i`th demo task was last edited.
fn last_edited(today: NaiveDate, i: i64, when: Edited) -> DateTime<Utc> {
    match when {
        Edited::Lately => day_at(today, -2 - (i % 6), 14) + Duration::minutes(i * 3),
        Edited::Today(minutes) => day_at(today, 0, 0) + Duration::minutes(minutes),
        Edited::DaysAgo(days) => day_at(today, -days, 15) + Duration::minutes(i),
    }
}

fn demo_tasks_source(today: NaiveDate) -> DataSource {
    let mut schema = demo_schema();
    // Overdue belongs with the open states in the To-do group, as teams set it up
    schema[1].groups = vec![
        StatusGroup {
            name: "To-do".into(),
            id: String::new(),
            color: "gray".into(),
            options: vec!["To Do".into(), "Overdue".into()],
        },
        StatusGroup {
            name: "In progress".into(),
            id: String::new(),
            color: "blue".into(),
            options: vec!["In Progress".into()],
        },
        StatusGroup {
            name: "Complete".into(),
            id: String::new(),
            color: "green".into(),
            options: vec!["Done".into()],
        },
    ];
    schema[1].options[0].color = "default".into();
    schema[1].options[3].color = "red".into();
    let mut pages = Vec::with_capacity(DEMO_TASKS.len());
    for (i, task) in DEMO_TASKS.iter().enumerate() {
        let edited = to_minute(last_edited(today, i as i64, task.edited));
        let created = day_at(today, -45 + (i as i64 % 20), 9) + Duration::minutes(i as i64 * 7);
        let created = to_minute(created.min(edited - Duration::days(2)));
        pages.push(PageState {
            id: derived_uuid(0xde40, &format!("task{i}")),
            created_time: created,
            last_edited_time: edited,
            in_trash: task.trashed,
            properties: demo_values(today, task),
            ..PageState::new("", created)
        });
    }
    DataSource {
        id: DEMO_DATA_SOURCE_ID.to_string(),
        name: "Tasks".to_string(),
        shared: true,
        properties: schema,
        pages,
    }
}
