//! Output boundary: tables and summaries, written atomically.

mod atomic;
mod compare;
mod french;
mod html;
mod maps;
mod need_table;
mod output_set;
mod pdf;
mod plan_files;
mod summary;
mod xlsx;

pub use atomic::{FAIL_WRITE_ENV, Staged, stage, write_all_atomic, write_atomic};
pub use compare::{
    Comparison, DepDiff, HEADLINE_KEYS, HeadlineDiff, SiteDiff, compare_plans, write_dep_diffs, write_site_diffs,
};
pub use french::{decay_words, fr_euros, fr_minutes, fr_number, fr_percent, fr_short, objective_words};
pub use html::{DATA_SOURCES, ReportInput, escape, svg_path, write_report};
pub use maps::{write_communes_geojson, write_sites_geojson};
pub use need_table::{NEED_COLUMNS, REACH_COLUMNS, Totals, need_totals, write_need_table, write_reach_table};
pub use output_set::{COMPARE_SET, HOLD_ENV, OutputKind, OutputSet, PLAN_SET, check_output_path, remove_staging};
pub use pdf::{CHROMIUM_ENV, INSTALL_HINT, find_chromium, print_to_pdf};
pub use plan_files::{
    DEP_COLUMNS, PLAN_COLUMNS, SiteRow, UNIT_COLUMNS, UnitRow, site_rows, unit_rows, write_deps_table,
    write_plan_table, write_units_table,
};
pub use summary::{Reproduce, Summary, ZoneTotals, summarise, write_console_summary, write_summary};
pub use xlsx::{TableCell, TableSheet, WorkbookInput, plan_workbook, tables_workbook};
