//! An imported travel-time matrix: CSV `origin,destination,minutes` between demand units.

use std::collections::HashMap;
use std::path::Path;

use super::{Dataset, Table};
use crate::LoadError;
use crate::model::UnitIdx;
use crate::spatial::{TravelMatrix, great_circle_m};

/// Longest trip accepted, in minutes (one week): anything above is a unit error.
pub const MAX_MINUTES: f64 = 10_080.0;

/// Reads an OD matrix whose codes are demand units of `data`. The file is streamed row by row.
///
/// # Errors
/// Unknown origin or destination code, minutes that are not a finite number in
/// `[0, MAX_MINUTES]`, a repeated pair, a missing column or an empty file.
pub fn load_od_matrix(path: &Path, data: &Dataset) -> Result<TravelMatrix, LoadError> {
    let mut table = Table::open(path, &["origin", "destination", "minutes"])?;
    // How far each unit's candidates lie from its point, so the index searches far enough.
    let mut offset_m = vec![0.0f64; data.units.len()];
    for c in &data.candidates {
        let o = &mut offset_m[c.unit.get()];
        *o = o.max(great_circle_m(c.point, data.units[c.unit.get()].point));
    }
    let mut first_line: HashMap<(UnitIdx, UnitIdx), u64> = HashMap::new();
    let mut entries = Vec::new();
    table.for_each_row(|row| {
        let origin = data.resolve_code(row, "origin")?;
        let destination = data.resolve_code(row, "destination")?;
        let minutes = row.f64_in("minutes", 0.0..=MAX_MINUTES)?;
        if let Some(&first) = first_line.get(&(origin, destination)) {
            return Err(LoadError::Duplicate {
                path: path.to_owned(),
                line: row.line(),
                field: "origin,destination".to_owned(),
                value: format!("{},{}", row.str("origin"), row.str("destination")),
                first_line: first,
            });
        }
        first_line.insert((origin, destination), row.line());
        let reach = great_circle_m(data.units[origin.get()].point, data.units[destination.get()].point)
            + offset_m[destination.get()];
        entries.push((origin, destination, minutes as f32, reach));
        Ok(())
    })?;
    Ok(TravelMatrix::new(entries))
}
