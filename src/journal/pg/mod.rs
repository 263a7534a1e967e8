//! Team mode's store: a run shared by several cockpits in PostgreSQL. The same records and
//! hash chain as the file journal (see `record`), so `journal verify`, `report` and resume read
//! both alike.

pub mod connect;
pub mod db;
pub mod journal;
pub mod lease;
pub mod listen;
pub mod runs;
pub mod schema;
pub mod seat;

pub use connect::{Target, is_database_url};
pub use db::Db;
pub use journal::PgJournal;
