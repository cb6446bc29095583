//! The demo board: a believable team board around a given day, with the
//! cases a sweep must get right (time zones, trashed rows, other statuses).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::board::{
    Board, DataSource, Database, PageState, PropertyKind, PropertySchema, PropertyValue,
    StatusGroup,
};
use super::codecs::{day_at, to_minute};
use super::ids::derived_uuid;

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

/// One row of the demo board: title, status, due, assignee, priority.
struct DemoTask {
    title: &'static str,
    status: &'static str,
    due: Due,
    assignee: &'static str,
    priority: &'static str,
    trashed: bool,
}

enum Due {
    None,
    Days(i64),
    /// Days from today, local time and UTC offset (e.g. "22:30:00", "-08:00").
    At(i64, &'static str, &'static str),
}

const fn t(title: &'static str, status: &'static str, due: Due, who: &'static str) -> DemoTask {
    DemoTask {
        title,
        status,
        due,
        assignee: who,
        priority: "Medium",
        trashed: false,
    }
}

const fn hi(mut task: DemoTask) -> DemoTask {
    task.priority = "High";
    task
}

const fn lo(mut task: DemoTask) -> DemoTask {
    task.priority = "Low";
    task
}

const fn trashed(mut task: DemoTask) -> DemoTask {
    task.trashed = true;
    task
}

use Due::{At, Days};

const DEMO_TASKS: &[DemoTask] = &[
    // overdue, still open: the sweep moves these
    hi(t("Fix login bug", "To Do", Days(-3), "Ana Silva")),
    t(
        "Review PR #482: retry & backoff",
        "To Do",
        Days(-1),
        "Ben Okafor",
    ),
    t(
        "Update <Header> component docs",
        "To Do",
        Days(-7),
        "Chloé Martin",
    ),
    hi(t(
        "Renew SSL certificate for api.example.com",
        "To Do",
        Days(-12),
        "Dev Patel",
    )),
    t(
        "Q3 budget: finance sign-off",
        "To Do",
        Days(-2),
        "Ana Silva",
    ),
    lo(t(
        "Migrate cron jobs to CI",
        "To Do",
        Days(-30),
        "Erik Lund",
    )),
    t(
        "Write postmortem for the 14:02 outage",
        "To Do",
        Days(-6),
        "Ben Okafor",
    ),
    hi(t(
        "Rotate leaked staging API keys",
        "To Do",
        Days(-15),
        "Dev Patel",
    )),
    lo(t(
        "Fix typo in pricing page",
        "To Do",
        Days(-1),
        "Chloé Martin",
    )),
    t(
        "Send contract draft to Initech",
        "To Do",
        Days(-4),
        "Fatima Zahra",
    ),
    t(
        "Reply to \"Q&A\" thread in #support",
        "To Do",
        Days(-2),
        "Erik Lund",
    ),
    // datetimes: due late in the evening west of UTC (UTC day is today), and
    // early in the morning east of UTC (UTC day is yesterday)
    hi(t(
        "Deploy hotfix to EU region",
        "To Do",
        At(-1, "22:30:00", "-08:00"),
        "Erik Lund",
    )),
    t(
        "Send invoice to Globex",
        "To Do",
        At(0, "01:00:00", "+09:00"),
        "Fatima Zahra",
    ),
    // overdue but done or in progress: left alone
    t("Write onboarding guide", "Done", Days(-5), "Ana Silva"),
    t("Ship v2.3 release notes", "Done", Days(-1), "Ben Okafor"),
    lo(t(
        "Close Q2 support tickets",
        "Done",
        Days(-20),
        "Fatima Zahra",
    )),
    t("Update privacy policy", "Done", Days(-2), "Chloé Martin"),
    hi(t(
        "Refactor billing service",
        "In Progress",
        Days(-4),
        "Dev Patel",
    )),
    t(
        "Investigate flaky e2e test",
        "In Progress",
        Days(-1),
        "Erik Lund",
    ),
    // already overdue
    t(
        "Customer call prep: Acme Corp",
        "Overdue",
        Days(-9),
        "Ana Silva",
    ),
    lo(t(
        "Book venue for the meetup",
        "Overdue",
        Days(-3),
        "Fatima Zahra",
    )),
    // due today: not overdue yet
    t("Plan team offsite", "To Do", Days(0), "Ben Okafor"),
    hi(t(
        "Triage new bug reports",
        "To Do",
        Days(0),
        "Chloé Martin",
    )),
    t("Update dependencies", "In Progress", Days(0), "Dev Patel"),
    // future
    t(
        "Design review: settings page",
        "To Do",
        Days(1),
        "Ana Silva",
    ),
    t("Prepare sprint demo", "To Do", Days(2), "Ben Okafor"),
    t(
        "Interview loop: backend hire",
        "To Do",
        Days(4),
        "Erik Lund",
    ),
    t(
        "Security audit follow-up",
        "In Progress",
        Days(5),
        "Dev Patel",
    ),
    lo(t("Draft Q4 roadmap", "To Do", Days(7), "Ana Silva")),
    t("Quarterly OKR check-in", "To Do", Days(10), "Fatima Zahra"),
    lo(t(
        "Localize checkout flow",
        "To Do",
        Days(14),
        "Chloé Martin",
    )),
    lo(t(
        "Archive old Slack channels",
        "To Do",
        Days(21),
        "Erik Lund",
    )),
    t("Set up status page", "Done", Days(3), "Dev Patel"),
    // no due date: never touched
    t("Clean up feature flags", "To Do", Due::None, "Ben Okafor"),
    lo(t(
        "Research vector search options",
        "To Do",
        Due::None,
        "Dev Patel",
    )),
    t(
        "Improve error messages",
        "In Progress",
        Due::None,
        "Chloé Martin",
    ),
    lo(t("Brainstorm team names", "Done", Due::None, "Ana Silva")),
    // trashed: never returned by queries
    trashed(t(
        "Old task from the previous board",
        "To Do",
        Days(-40),
        "Erik Lund",
    )),
];

impl Board {
    /// A believable team board: database "Tasks" ([`DEMO_DATABASE_ID`]) with
    /// one data source "Tasks" ([`DEMO_DATA_SOURCE_ID`]), properties `Name`
    /// (title), `Status` (To Do / In Progress / Done / Overdue), `Due Date`,
    /// `Assignee` (rich_text) and `Priority` (select), and 38 tasks around
    /// `today`: 11 overdue with a date-only due in To Do, two datetime dues
    /// whose day depends on the time zone, overdue ones that are Done or In
    /// Progress, some due today, some later, some without a date, one trashed.
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
            users: Vec::new(),
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
        PropertySchema::new("Assignee", PropertyKind::RichText).with_id("%3BxQm"),
        PropertySchema::select("Priority", &["High", "Medium", "Low"]).with_id("Wv%40t"),
    ]
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
        let mut props = BTreeMap::new();
        props.insert("Name".to_string(), PropertyValue::text(task.title));
        props.insert("Status".to_string(), PropertyValue::option(task.status));
        props.insert("Assignee".to_string(), PropertyValue::text(task.assignee));
        props.insert("Priority".to_string(), PropertyValue::option(task.priority));
        match task.due {
            Due::None => {}
            Due::Days(d) => {
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::day(today + Duration::days(d)),
                );
            }
            Due::At(d, time, offset) => {
                let day = (today + Duration::days(d)).format("%Y-%m-%d");
                props.insert(
                    "Due Date".to_string(),
                    PropertyValue::date(format!("{day}T{time}.000{offset}")),
                );
            }
        }
        let created = day_at(today, -45 + (i as i64 % 20), 9) + Duration::minutes(i as i64 * 7);
        let edited = day_at(today, -1 - (i as i64 % 6), 14) + Duration::minutes(i as i64 * 3);
        pages.push(PageState {
            id: derived_uuid(0xde40, &format!("task{i}")),
            created_time: to_minute(created),
            last_edited_time: to_minute(edited.max(created)),
            in_trash: task.trashed,
            properties: props,
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
