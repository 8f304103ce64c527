//! The user's own need estimates: a CSV `insee,need` (extra columns are ignored). A split
//! city's code (75056, 69123, 13055) spreads its need over its arrondissements by population.

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
/// Unknown code, duplicate code, a city given with one of its arrondissements (double
/// counting), a need that is not a finite number in `[0, MAX_UNIT_NEED]`, a missing column
/// or an empty file, each naming the line and field.
pub fn load_need_file(path: &Path, data: &Dataset) -> Result<HashMap<UnitIdx, f64>, LoadError> {
    let mut table = Table::open(path, &["insee", "need"])?;
    // The line that gave each unit, and whether it was a whole city's.
    let mut lines: HashMap<UnitIdx, (u64, bool)> = HashMap::new();
    let mut need = HashMap::new();
    let mut cities = Vec::new();
    table.for_each_row(|row| {
        let units = data.resolve_units(row, "insee")?;
        let city = units.len() > 1 || data.unit_by_code(&row.code("insee")?).is_none();
        let value = row.f64_in("need", 0.0..=MAX_UNIT_NEED)?;
        if let Some(&(first_line, first_city)) = units.iter().find_map(|u| lines.get(u)) {
            if city || first_city {
                return Err(row.error(
                    "insee",
                    format!(
                        "a city or its arrondissements, not both (line {first_line} gives the other: double counting)"
                    ),
                ));
            }
            return Err(LoadError::Duplicate {
                path: path.to_owned(),
                line: row.line(),
                field: "insee".to_owned(),
                value: row.str("insee").to_owned(),
                first_line,
            });
        }
        let population: u64 = units.iter().map(|u| data.units[u.get()].population).sum();
        for u in &units {
            let share = if city && population > 0 {
                data.units[u.get()].population as f64 / population as f64
            } else {
                1.0 / units.len() as f64
            };
            lines.insert(*u, (row.line(), city));
            need.insert(*u, value * share);
        }
        if city {
            cities.push(format!("{} over {} arrondissements", row.str("insee"), units.len()));
        }
        Ok(())
    })?;
    if !cities.is_empty() {
        eprintln!("{}: need of {} split by population", path.display(), cities.join(", "));
    }
    Ok(need)
}
