//! Output boundary: tables and summaries, written atomically.

mod atomic;
mod need_table;

pub use atomic::write_atomic;
pub use need_table::{NEED_COLUMNS, Totals, need_totals, write_need_table};
