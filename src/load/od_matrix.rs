//! An imported travel-time matrix: CSV `origin,destination,minutes` between demand units, or a
//! list of a routing engine's answers ([`super::od_answers`]). A row from or to a split city's
//! code (75056, 69123, 13055) applies to each arrondissement.

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
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        return Err(LoadError::Json {
            path: path.to_owned(),
            line: 1,
            message: "a routing engine's answer names no commune (it keeps the order of the request): give the \
                      requests.csv that lists it with the INSEE codes of its rows and columns, as `maillage \
                      od-requests` writes it; expected a CSV origin,destination,minutes or such a list"
                .to_owned(),
        });
    }
    if super::od_answers::is_answer_list(path)? {
        return super::od_answers::load_od_answers(path, data);
    }
    let mut table = Table::open(path, &["origin", "destination", "minutes"])?;
    let reach = EntryReach::new(data);
    // Streamed into the matrix itself: a few bytes a pair, whatever the file's size.
    let mut matrix = TravelMatrix::default();
    table.for_each_row(|row| {
        let origins = data.resolve_units(row, "origin")?;
        let destinations = data.resolve_units(row, "destination")?;
        let minutes = row.f64_in("minutes", 0.0..=MAX_MINUTES)?;
        for &origin in &origins {
            for &destination in &destinations {
                if matrix.insert(origin, destination, minutes as f32, reach.of(origin, destination)).is_some() {
                    let (o, d) = (row.str("origin").to_owned(), row.str("destination").to_owned());
                    return Err(LoadError::Duplicate {
                        path: path.to_owned(),
                        line: row.line(),
                        field: "origin,destination".to_owned(),
                        value: format!("{o},{d}"),
                        first_line: first_line_of(path, data, origin, destination)?,
                    });
                }
            }
        }
        Ok(())
    })?;
    Ok(matrix)
}

/// How far a matrix entry reaches, crow-fly: from the origin unit's point to the farthest
/// candidate of the destination unit, so that the index searches far enough.
pub(crate) struct EntryReach<'d> {
    data: &'d Dataset,
    /// How far each unit's candidates lie from its point.
    offset_m: Vec<f64>,
}

impl<'d> EntryReach<'d> {
    pub(crate) fn new(data: &'d Dataset) -> Self {
        let mut offset_m = vec![0.0f64; data.units.len()];
        for c in &data.candidates {
            let o = &mut offset_m[c.unit.get()];
            *o = o.max(great_circle_m(c.point, data.units[c.unit.get()].point));
        }
        Self { data, offset_m }
    }

    /// Metres from `origin`'s point to the farthest candidate of `destination`.
    pub(crate) fn of(&self, origin: UnitIdx, destination: UnitIdx) -> f64 {
        let units = &self.data.units;
        great_circle_m(units[origin.get()].point, units[destination.get()].point) + self.offset_m[destination.get()]
    }
}

/// The line where the pair first appears (read again: only on the error path, so that the
/// matrix need not keep a line number per pair).
fn first_line_of(path: &Path, data: &Dataset, origin: UnitIdx, destination: UnitIdx) -> Result<u64, LoadError> {
    let mut table = Table::open(path, &["origin", "destination", "minutes"])?;
    let mut found = None;
    table.for_each_row(|row| {
        if found.is_none()
            && data.resolve_units(row, "origin")?.contains(&origin)
            && data.resolve_units(row, "destination")?.contains(&destination)
        {
            found = Some(row.line());
        }
        Ok(())
    })?;
    Ok(found.unwrap_or(0))
}
