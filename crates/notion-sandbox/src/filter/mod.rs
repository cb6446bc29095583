//! Server-side evaluation of query filters and sorts, checked against the
//! data source's schema the way Notion checks them (400 `validation_error`
//! messages are returned as `Err(String)`).

mod eval;
mod parse;
mod sort;
#[cfg(test)]
mod tests;

pub(crate) use eval::{facts_of, Fact, Filter};
pub(crate) use parse::parse_filter;
pub(crate) use sort::{default_rank, order, parse_sorts, Sort};
