//! End-to-end tests: the `notion-sweep` binary as a subprocess against the
//! sandbox Notion on loopback.

mod config;
mod demo;
mod faults;
mod hostile;
mod notify;
mod openapi;
mod recipes;
mod secrets;
mod setup;
mod support;
mod sweep;
mod usage;
