//! notion-sweep: finds Notion tasks whose due date has passed while they are
//! still open, moves them to a late status, and posts one summary to Slack.
//!
//! The data flows one way: [`cli`] arguments become [`settings`]; the
//! [`notion`] client (one limiter, one retry policy) serves the [`sweep`];
//! the [`report`] and [`slack`] summary say what happened; [`report::Exit`]
//! is the exit code. The [`sandbox`] is a fake Notion for `demo`, tests and
//! benchmarks, and depends on nothing else here.

pub mod app;
pub mod cli;
pub mod demo;
pub mod due;
pub mod ids;
pub mod notion;
pub mod progress;
pub mod report;
pub mod schema;
pub mod settings;
pub mod slack;
pub mod stop;
pub mod sweep;
