//! Output boundary: tables and summaries, written atomically.

mod atomic;
mod need_table;
mod plan_files;

pub use atomic::write_atomic;
pub use need_table::{NEED_COLUMNS, REACH_COLUMNS, Totals, need_totals, write_need_table, write_reach_table};
pub use plan_files::{Summary, ZoneTotals, write_plan_table, write_summary, write_units_table};
