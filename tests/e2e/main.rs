//! End-to-end tests: the `notion-sweep` binary as a subprocess against the
//! sandbox Notion on loopback.

mod both_ways;
mod config;
mod demo;
mod digest;
mod faults;
mod fifos;
mod hostile;
mod layers;
mod lock;
mod newcomer;
mod notify;
mod openapi;
pub(crate) mod people;
mod posting;
mod proxy;
mod rails;
mod recipes;
mod secrets;
mod setup;
mod shells;
mod stale;
mod support;
mod surrogates;
mod sweep;
mod texts;
mod undo;
mod usage;
