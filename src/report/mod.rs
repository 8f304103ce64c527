//! Output boundary: tables and summaries, written atomically.

mod atomic;
mod compare;
mod html;
mod maps;
mod need_table;
mod plan_files;

pub use atomic::{FAIL_WRITE_ENV, Staged, stage, write_all_atomic, write_atomic};
pub use compare::{
    Comparison, DepDiff, HEADLINE_KEYS, HeadlineDiff, SiteDiff, compare_plans, write_dep_diffs, write_site_diffs,
};
pub use html::{DATA_SOURCES, ReportInput, write_report};
pub use maps::{write_communes_geojson, write_sites_geojson};
pub use need_table::{NEED_COLUMNS, REACH_COLUMNS, Totals, need_totals, write_need_table, write_reach_table};
pub use plan_files::{
    DEP_COLUMNS, PLAN_COLUMNS, Reproduce, SiteRow, Summary, UNIT_COLUMNS, UnitRow, ZoneTotals, site_rows, unit_rows,
    write_deps_table, write_plan_table, write_summary, write_units_table,
};
