//! The board and how it is written: what the fake workspace holds
//! (databases, data sources, schemas, pages), its ids and encodings, and the
//! boards that tests, benchmarks and the demo start from.

mod board;
mod codecs;
mod demo;
mod demo_tasks;
mod generated;
mod ids;
mod normalize;
#[cfg(test)]
mod tests;
mod users;

pub use board::{
    Board, DataSource, Database, DateValue, PageState, PropertyKind, PropertySchema, PropertyValue,
    SelectOption, StatusGroup,
};
pub use demo::{
    DEMO_BUGS_DATA_SOURCE_ID, DEMO_DATABASE_ID, DEMO_DATA_SOURCE_ID, DEMO_DATE_PROPERTY_ID,
    DEMO_STATUS_PROPERTY_ID,
};
pub use generated::GeneratedBoard;
pub use ids::normalize_id;
pub use users::{User, UserKind};

pub(crate) use codecs::{
    decode_cursor, encode_cursor, format_time, parse_date_start, parse_day, percent_decode,
    percent_decode_with, to_minute,
};
pub(crate) use ids::{derived_uuid, fnv, format_id, parse_id, uuid_from_bits};
pub(crate) use users::person_id;
