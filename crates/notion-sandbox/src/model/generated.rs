//! Generated boards: any number of tasks, with an exact share overdue, for
//! tests and benchmarks.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::board::{
    Board, DataSource, Database, PageState, PropertyKind, PropertySchema, PropertyValue,
};
use super::codecs::{day_at, to_minute};
use super::ids::{derived_uuid, uuid_from_bits};
use super::users::User;

impl Board {
    /// A generated board (see [`GeneratedBoard`]); cheap for 100,000 tasks.
    pub fn generated(spec: &GeneratedBoard) -> Board {
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let n = spec.tasks;
        let overdue = ((n as f64) * spec.overdue_fraction.clamp(0.0, 1.0)).round() as usize;
        let mut flags = vec![false; n];
        for f in flags.iter_mut().take(overdue) {
            *f = true;
        }
        rng.shuffle(&mut flags);

        let mut statuses: Vec<&str> = Vec::new();
        statuses.extend(spec.open_statuses.iter().map(String::as_str));
        statuses.extend(spec.other_statuses.iter().map(String::as_str));
        if !statuses.contains(&spec.late_status.as_str()) {
            statuses.push(&spec.late_status);
        }
        let mut status_prop = PropertySchema::status(&spec.status_property, &statuses);
        status_prop.kind = spec.status_kind;
        let ds_id = spec.data_source_id();
        let mut ds = DataSource {
            id: ds_id.clone(),
            name: spec.database_title.clone(),
            shared: true,
            properties: vec![
                PropertySchema::new(&spec.title_property, PropertyKind::Title),
                status_prop,
                PropertySchema::new(&spec.date_property, PropertyKind::Date),
                PropertySchema::select("Priority", &["High", "Medium", "Low"]),
            ],
            pages: Vec::with_capacity(n),
        };
        // what a spec adds is drawn apart, so that the rest of the board
        // is the same with it or without it
        let people = spec.people();
        if !people.is_empty() {
            ds.properties
                .push(PropertySchema::new("Assignee", PropertyKind::People));
        }
        let mut extra = fastrand::Rng::with_seed(spec.seed ^ 0x1d1e_a551);
        let mut idle = vec![false; n];
        for f in idle.iter_mut().take(spec.idle_count()) {
            *f = true;
        }
        extra.shuffle(&mut idle);
        let open = |rng: &mut fastrand::Rng| -> String {
            match spec.open_statuses.len() {
                0 => spec.late_status.clone(),
                k => spec.open_statuses[rng.usize(..k)].clone(),
            }
        };
        let base = day_at(spec.today, -400, 8);
        for (i, is_overdue) in flags.into_iter().enumerate() {
            let trashed = !is_overdue && rng.f64() < spec.trashed_fraction;
            let (status, due) = if is_overdue {
                (open(&mut rng), Some(-1 - rng.i64(0..60)))
            } else {
                let r = rng.f64();
                if r < spec.no_date_fraction {
                    (open(&mut rng), None)
                } else if r < spec.no_date_fraction + 0.35 || spec.other_statuses.is_empty() {
                    (open(&mut rng), Some(rng.i64(0..45)))
                } else if r < 0.95 {
                    let k = spec.other_statuses.len();
                    (
                        spec.other_statuses[rng.usize(..k)].clone(),
                        Some(rng.i64(-60..45)),
                    )
                } else {
                    (spec.late_status.clone(), Some(-1 - rng.i64(0..30)))
                }
            };
            let mut props = BTreeMap::new();
            props.insert(
                spec.title_property.clone(),
                PropertyValue::Text(generated_title(&mut rng, i)),
            );
            props.insert(spec.status_property.clone(), PropertyValue::Text(status));
            if let Some(d) = due {
                props.insert(
                    spec.date_property.clone(),
                    PropertyValue::day(spec.today + Duration::days(d)),
                );
            }
            props.insert(
                "Priority".to_string(),
                PropertyValue::option(["High", "Medium", "Low"][rng.usize(..3)]),
            );
            let created = base + Duration::minutes(rng.i64(0..60 * 24 * 300));
            let mut edited = to_minute(created + Duration::minutes(rng.i64(0..60 * 24 * 90)));
            if spec.idle_fraction.is_some() {
                // idle: 20 to 60 days before today; else within the 6 days before it
                let minutes = if idle[i] {
                    extra.i64(60 * 24 * 20..60 * 24 * 60)
                } else {
                    extra.i64(1..60 * 24 * 6)
                };
                edited = to_minute(day_at(spec.today, 0, 0) - Duration::minutes(minutes));
            }
            if !people.is_empty() && extra.usize(..10) > 0 {
                let who = &people[extra.usize(..people.len())];
                props.insert(
                    "Assignee".to_string(),
                    PropertyValue::people([who.id.clone()]),
                );
            }
            ds.pages.push(PageState {
                id: uuid_from_bits(rng.u128(..)),
                created_time: to_minute(created),
                last_edited_time: edited,
                in_trash: trashed,
                properties: props,
                ..PageState::new("", created)
            });
        }
        let mut board = Board {
            databases: vec![Database {
                id: spec.database_id(),
                title: spec.database_title.clone(),
                shared: true,
                data_sources: vec![ds],
            }],
            today: None,
            users: people,
        };
        if let Err(e) = board.normalize() {
            panic!("generated board is invalid (check the spec's names): {e}");
        }
        board
    }
}

const VERBS: &[&str] = &[
    "Fix",
    "Review",
    "Update",
    "Write",
    "Refactor",
    "Investigate",
    "Migrate",
    "Document",
    "Test",
    "Deploy",
    "Design",
    "Plan",
    "Clean up",
    "Benchmark",
    "Automate",
];
const OBJECTS: &[&str] = &[
    "login flow",
    "billing service",
    "onboarding guide",
    "search index",
    "checkout page",
    "CI pipeline",
    "release notes",
    "API rate limiter",
    "settings page",
    "email templates",
    "R&D backlog",
    "<Header> component",
    "data export",
    "mobile push",
    "audit log",
];

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Edsger",
    "Katherine",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen",
    "Thompson", "Perlman", "Dijkstra", "Johnson",
];

fn generated_title(rng: &mut fastrand::Rng, i: usize) -> String {
    format!(
        "{} {} #{}",
        VERBS[rng.usize(..VERBS.len())],
        OBJECTS[rng.usize(..OBJECTS.len())],
        i + 1
    )
}

/// Recipe for [`Board::generated`].
#[derive(Clone, Debug)]
pub struct GeneratedBoard {
    /// Seed: same seed, same board (ids included).
    pub seed: u64,
    /// Number of tasks.
    pub tasks: usize,
    /// Fraction of tasks that are overdue (an open status and a due date
    /// before `today`); exactly `round(tasks * fraction)`, none trashed.
    /// No other task is both open and due before `today`.
    pub overdue_fraction: f64,
    /// Fraction of the rest that have an open status and no due date.
    pub no_date_fraction: f64,
    /// Fraction of the non-overdue tasks that are trashed.
    pub trashed_fraction: f64,
    /// The day due dates are relative to.
    pub today: NaiveDate,
    /// Database title (also the data source's name).
    pub database_title: String,
    /// Name of the title property.
    pub title_property: String,
    /// Name of the status property.
    pub status_property: String,
    /// Name of the date property.
    pub date_property: String,
    /// Type of the status property: `Status` or `Select`.
    pub status_kind: PropertyKind,
    /// Open states (the sweep's `--from`).
    pub open_statuses: Vec<String>,
    /// The late state (the sweep's `--to`); added to the options if absent.
    pub late_status: String,
    /// Other states (in progress, done…).
    pub other_statuses: Vec<String>,
    /// How many people the tasks are assigned to. With n > 0 the board
    /// lists n people (see [`GeneratedBoard::people`]) and has a `people`
    /// property `Assignee`: each task has one of them, one in ten none.
    /// 0 (the default): neither.
    pub assignees: usize,
    /// With `Some(f)`, exactly `round(tasks * f)` tasks (any status) were
    /// last edited 20 to 60 days before `today`, and every other one within
    /// the 6 days before it: a stale check of up to 20 idle days finds
    /// exactly the first. `None` (the default): edited 10 to 400 days
    /// before `today`, as ever.
    pub idle_fraction: Option<f64>,
}

impl Default for GeneratedBoard {
    fn default() -> Self {
        GeneratedBoard {
            seed: 1,
            tasks: 100,
            overdue_fraction: 0.3,
            no_date_fraction: 0.05,
            trashed_fraction: 0.0,
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            database_title: "Tasks".into(),
            title_property: "Name".into(),
            status_property: "Status".into(),
            date_property: "Due Date".into(),
            status_kind: PropertyKind::Status,
            open_statuses: vec!["To Do".into()],
            late_status: "Overdue".into(),
            other_statuses: vec!["In Progress".into(), "Done".into()],
            assignees: 0,
            idle_fraction: None,
        }
    }
}

impl GeneratedBoard {
    /// `tasks` tasks around `today`, other fields default.
    pub fn new(tasks: usize, today: NaiveDate) -> Self {
        GeneratedBoard {
            tasks,
            today,
            ..Default::default()
        }
    }
    /// The database id this spec produces (derived from the seed).
    pub fn database_id(&self) -> String {
        derived_uuid(self.seed, "database")
    }
    /// The data source id this spec produces (derived from the seed).
    pub fn data_source_id(&self) -> String {
        derived_uuid(self.seed, "data_source")
    }
    /// How many tasks are idle (see [`GeneratedBoard::idle_fraction`]).
    pub fn idle_count(&self) -> usize {
        self.idle_fraction.map_or(0, |f| {
            ((self.tasks as f64) * f.clamp(0.0, 1.0)).round() as usize
        })
    }
    /// The people tasks are assigned to (see [`GeneratedBoard::assignees`]):
    /// names from a list, emails `first.last@example.com` (with a number
    /// past the list's 144 pairs).
    pub fn people(&self) -> Vec<User> {
        (0..self.assignees)
            .map(|k| {
                let first = FIRST_NAMES[k % FIRST_NAMES.len()];
                let last = LAST_NAMES[(k / FIRST_NAMES.len()) % LAST_NAMES.len()];
                let round = k / (FIRST_NAMES.len() * LAST_NAMES.len());
                let suffix = if round == 0 {
                    String::new()
                } else {
                    round.to_string()
                };
                User::person(
                    &format!("{first} {last}"),
                    &format!(
                        "{}.{}{suffix}@example.com",
                        first.to_lowercase(),
                        last.to_lowercase()
                    ),
                )
            })
            .collect()
    }
    /// How many tasks are overdue.
    pub fn overdue_count(&self) -> usize {
        ((self.tasks as f64) * self.overdue_fraction.clamp(0.0, 1.0)).round() as usize
    }
}
