//! What the sandbox answers, one file per resource Notion serves: each
//! reads its request, checks it as Notion does, and answers from the
//! workspace. The engine routes to them; they know nothing of faults,
//! tokens or the network.

pub(crate) mod blocks;
pub(crate) mod comments;
pub(crate) mod databases;
pub(crate) mod pages;
pub(crate) mod properties;
pub(crate) mod search;
pub(crate) mod users;

mod objects;
mod paging;
mod people;
mod rich_text;
