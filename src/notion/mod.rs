//! Talking to Notion: the client with its one limiter and one retry policy
//! (the retry policy serves every webhook too), Notion's JSON, its errors,
//! and the IDs users paste.

pub(crate) mod client;
pub(crate) mod error;
pub(crate) mod ids;
pub(crate) mod limiter;
pub(crate) mod retry;
pub(crate) mod wire;

pub(crate) use client::{ClientConfig, NotionClient, RequestCounts};
pub(crate) use error::NotionError;
