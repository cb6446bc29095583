//! Talking to Notion: wire types, the client, its errors and retry policy.

pub mod client;
pub mod error;
pub mod retry;
pub mod wire;

pub use client::{ClientConfig, NotionClient, RequestCounts};
pub use error::{ApiError, NotionError, StopReason};

/// The API version notion-sweep speaks, sent as `Notion-Version` unless overridden.
pub const NOTION_VERSION: &str = "2025-09-03";
