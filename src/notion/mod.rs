//! Talking to Notion: wire types, the client with its limiter, errors and retry policy.

pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod limiter;
pub(crate) mod retry;
pub(crate) mod wire;

pub(crate) use client::{ClientConfig, NotionClient, RequestCounts};
pub(crate) use error::NotionError;
