//! The rows of the demo board: every case a sweep, a restore, a stale
//! check and a digest must get right, as a table. Their order is their
//! identity (page ids are derived from it): new rows go at the end.

/// Who does a task: the demo workspace's three people.
#[derive(Clone, Copy)]
pub(super) enum Who {
    Ada,
    Grace,
    Linus,
}

/// The demo workspace's people: name and email, in [`Who`] order.
pub(super) const PEOPLE: [(&str, &str); 3] = [
    ("Ada Lovelace", "ada@acme.com"),
    ("Grace Hopper", "grace@acme.com"),
    ("Linus Torvalds", "linus@acme.com"),
];

pub(super) enum Due {
    None,
    Days(i64),
    /// Days from today, local time and UTC offset (e.g. "22:30:00", "-08:00").
    At(i64, &'static str, &'static str),
}

/// When a task was last edited.
#[derive(Clone, Copy)]
pub(super) enum Edited {
    /// Two to seven days ago, in the afternoon (UTC).
    Lately,
    /// Today, this many minutes after midnight UTC.
    Today(i64),
    /// This many days ago, in the afternoon (UTC).
    DaysAgo(i64),
}

/// One row of the demo board.
pub(super) struct DemoTask {
    pub(super) title: &'static str,
    pub(super) status: &'static str,
    pub(super) due: Due,
    pub(super) assignees: &'static [Who],
    pub(super) priority: &'static str,
    pub(super) trashed: bool,
    pub(super) tags: &'static [&'static str],
    pub(super) on_hold: bool,
    /// `Snoozed until`, in days from today.
    pub(super) snoozed: Option<i64>,
    pub(super) edited: Edited,
}

const fn t(
    title: &'static str,
    status: &'static str,
    due: Due,
    assignees: &'static [Who],
) -> DemoTask {
    DemoTask {
        title,
        status,
        due,
        assignees,
        priority: "Medium",
        trashed: false,
        tags: &[],
        on_hold: false,
        snoozed: None,
        edited: Edited::Lately,
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

const fn tagged(tags: &'static [&'static str], mut task: DemoTask) -> DemoTask {
    task.tags = tags;
    task
}

const fn on_hold(mut task: DemoTask) -> DemoTask {
    task.on_hold = true;
    task
}

const fn snoozed(days: i64, mut task: DemoTask) -> DemoTask {
    task.snoozed = Some(days);
    task
}

const fn edited(when: Edited, mut task: DemoTask) -> DemoTask {
    task.edited = when;
    task
}

use Due::{At, Days};
use Edited::{DaysAgo, Today};
use Who::{Ada, Grace, Linus};

/// The options of `Tags`, in schema order.
pub(super) const TAGS: &[&str] = &["pinned", "customer", "infra", "docs"];

pub(super) const DEMO_TASKS: &[DemoTask] = &[
    // overdue, still open: the sweep moves these
    edited(Today(2), hi(t("Fix login bug", "To Do", Days(-3), &[Ada]))),
    t(
        "Review PR #482: retry & backoff",
        "To Do",
        Days(-1),
        &[Grace],
    ),
    tagged(
        &["docs"],
        t(
            "Update <Header> component docs",
            "To Do",
            Days(-7),
            &[Linus],
        ),
    ),
    // two assignees
    tagged(
        &["infra"],
        hi(t(
            "Renew SSL certificate for api.example.com",
            "To Do",
            Days(-12),
            &[Ada, Linus],
        )),
    ),
    t("Q3 budget: finance sign-off", "To Do", Days(-2), &[Ada]),
    tagged(
        &["infra"],
        lo(t("Migrate cron jobs to CI", "To Do", Days(-30), &[Grace])),
    ),
    t(
        "Write postmortem for the 14:02 outage",
        "To Do",
        Days(-6),
        &[Grace],
    ),
    tagged(
        &["infra"],
        hi(t(
            "Rotate leaked staging API keys",
            "To Do",
            Days(-15),
            &[Ada],
        )),
    ),
    lo(t("Fix typo in pricing page", "To Do", Days(-1), &[Linus])),
    // snoozed until yesterday: the snooze is over, it is overdue
    snoozed(
        -1,
        tagged(
            &["customer"],
            t(
                "Send contract draft to Initech",
                "To Do",
                Days(-4),
                &[Linus],
            ),
        ),
    ),
    t(
        "Reply to \"Q&A\" thread in #support",
        "To Do",
        Days(-2),
        &[Grace],
    ),
    // datetimes: due late in the evening west of UTC (UTC day is today), and
    // early in the morning east of UTC (UTC day is yesterday)
    hi(t(
        "Deploy hotfix to EU region",
        "To Do",
        At(-1, "22:30:00", "-08:00"),
        &[Grace],
    )),
    t(
        "Send invoice to Globex",
        "To Do",
        At(0, "01:00:00", "+09:00"),
        &[Linus],
    ),
    // overdue but done or in progress: left alone
    tagged(
        &["docs"],
        t("Write onboarding guide", "Done", Days(-5), &[Ada]),
    ),
    edited(
        Today(1),
        t("Ship v2.3 release notes", "Done", Days(-1), &[Grace]),
    ),
    lo(t("Close Q2 support tickets", "Done", Days(-20), &[Linus])),
    t("Update privacy policy", "Done", Days(-2), &[Linus]),
    // in progress, nobody has touched it for weeks: stale
    edited(
        DaysAgo(23),
        hi(t(
            "Refactor billing service",
            "In Progress",
            Days(-4),
            &[Ada],
        )),
    ),
    edited(
        Today(3),
        t(
            "Investigate flaky e2e test",
            "In Progress",
            Days(-1),
            &[Grace],
        ),
    ),
    // already overdue
    tagged(
        &["customer"],
        t("Customer call prep: Acme Corp", "Overdue", Days(-9), &[Ada]),
    ),
    lo(t(
        "Book venue for the meetup",
        "Overdue",
        Days(-3),
        &[Linus],
    )),
    // due today: not overdue yet (due soon)
    t("Plan team offsite", "To Do", Days(0), &[Grace]),
    edited(
        Today(4),
        hi(t("Triage new bug reports", "To Do", Days(0), &[Linus])),
    ),
    edited(
        DaysAgo(2),
        t("Update dependencies", "In Progress", Days(0), &[Ada]),
    ),
    // future; the first two are due soon (within three days)
    t("Design review: settings page", "To Do", Days(1), &[Ada]),
    t("Prepare sprint demo", "To Do", Days(2), &[Grace]),
    t("Interview loop: backend hire", "To Do", Days(4), &[Grace]),
    // stale
    edited(
        DaysAgo(26),
        t("Security audit follow-up", "In Progress", Days(5), &[Ada]),
    ),
    lo(t("Draft Q4 roadmap", "To Do", Days(7), &[Ada])),
    t("Quarterly OKR check-in", "To Do", Days(10), &[Linus]),
    lo(t("Localize checkout flow", "To Do", Days(14), &[Linus])),
    // unassigned
    lo(t("Archive old Slack channels", "To Do", Days(21), &[])),
    t("Set up status page", "Done", Days(3), &[Ada]),
    // no due date: never touched
    t("Clean up feature flags", "To Do", Due::None, &[]),
    lo(t("Research vector search options", "To Do", Due::None, &[])),
    // stale
    edited(
        DaysAgo(31),
        t("Improve error messages", "In Progress", Due::None, &[Linus]),
    ),
    lo(t("Brainstorm team names", "Done", Due::None, &[])),
    // trashed: never returned by queries
    trashed(t(
        "Old task from the previous board",
        "To Do",
        Days(-40),
        &[Grace],
    )),
    // overdue and open, but pinned: exempt (--exempt Tags=pinned)
    tagged(
        &["pinned", "infra"],
        hi(t(
            "Keep the on-call rota current",
            "To Do",
            Days(-5),
            &[Grace],
        )),
    ),
    // overdue and open, but on hold: exempt (--exempt "On hold=true")
    on_hold(t(
        "Migrate billing to the new provider",
        "To Do",
        Days(-8),
        &[Linus],
    )),
    // overdue and open, but snoozed until three days from now
    snoozed(
        3,
        t("Renew design tool licences", "To Do", Days(-2), &[Ada]),
    ),
    // late, but its due date moved on: to be restored (--restore)
    tagged(
        &["customer"],
        t("Publish the API changelog", "Overdue", Days(4), &[Grace]),
    ),
];
