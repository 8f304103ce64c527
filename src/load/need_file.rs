//! The user's own need estimates: a CSV `insee,need` (extra columns are ignored).

use std::collections::HashMap;
use std::path::Path;

use super::{Dataset, Table};
use crate::LoadError;
use crate::model::UnitIdx;

/// Largest need accepted for one unit: more people than live in France is a unit error.
pub const MAX_UNIT_NEED: f64 = 1e8;

/// Reads a need file into one value per listed unit.
///
/// # Errors
/// Unknown code, duplicate code, a need that is not a finite number in
/// `[0, MAX_UNIT_NEED]`, a missing column or an empty file, each naming the line and field.
pub fn load_need_file(path: &Path, data: &Dataset) -> Result<HashMap<UnitIdx, f64>, LoadError> {
    let mut table = Table::open(path, &["insee", "need"])?;
    let mut lines: HashMap<UnitIdx, u64> = HashMap::new();
    let mut need = HashMap::new();
    table.for_each_row(|row| {
        let unit = data.resolve_code(row, "insee")?;
        if let Some(&first_line) = lines.get(&unit) {
            return Err(LoadError::Duplicate {
                path: path.to_owned(),
                line: row.line(),
                field: "insee".to_owned(),
                value: row.str("insee").to_owned(),
                first_line,
            });
        }
        lines.insert(unit, row.line());
        need.insert(unit, row.f64_in("need", 0.0..=MAX_UNIT_NEED)?);
        Ok(())
    })?;
    Ok(need)
}
