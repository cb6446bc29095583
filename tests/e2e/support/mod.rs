//! Harnesses the end-to-end tests share: the binary run as cron runs it,
//! what a sweep must have done, generated boards served for a test, small
//! hostile servers, and the OpenAPI validator.

mod binary;
mod expected;
pub mod hostile;
pub mod openapi;
mod served;

pub use binary::*;
pub use expected::*;
pub use served::*;
