//! `Reach`: for every demand unit, the candidates within the travel bound, with minutes.

use rayon::prelude::*;

use super::{Place, SiteIndex, TravelTime};
use crate::model::{Candidate, CandidateIdx, DemandUnit, UnitIdx};

/// A candidate reachable from a unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// The candidate.
    pub candidate: CandidateIdx,
    /// Travel time from the unit's point, minutes.
    pub minutes: f32,
}

/// Unit → reachable candidates, stored compactly (one slice per unit, sorted by candidate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    offsets: Vec<usize>,
    links: Vec<Link>,
    /// The travel bound used, minutes.
    pub bound_minutes: f64,
}

impl Reach {
    /// Candidates reachable from `unit`, by increasing candidate index.
    #[must_use]
    pub fn of(&self, unit: UnitIdx) -> &[Link] {
        &self.links[self.offsets[unit.get()]..self.offsets[unit.get() + 1]]
    }

    /// Number of units.
    #[must_use]
    pub fn unit_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Total number of unit → candidate pairs.
    #[must_use]
    pub fn pair_count(&self) -> usize {
        self.links.len()
    }

    /// Iterates `(unit, link)` over every pair.
    pub fn pairs(&self) -> impl Iterator<Item = (UnitIdx, &Link)> + '_ {
        (0..self.unit_count()).flat_map(move |u| self.of(UnitIdx(u as u32)).iter().map(move |l| (UnitIdx(u as u32), l)))
    }
}

/// Where a unit or candidate stands, for the travel model.
#[must_use]
pub fn unit_place(units: &[DemandUnit], unit: UnitIdx) -> Place {
    let u = &units[unit.get()];
    Place { unit, point: u.point, density_km2: u.density_km2 }
}

/// Where a candidate stands (its own point, in its unit).
#[must_use]
pub fn candidate_place(units: &[DemandUnit], c: &Candidate) -> Place {
    Place { unit: c.unit, point: c.point, density_km2: units[c.unit.get()].density_km2 }
}

/// Finds, for every unit, the candidates it reaches within `bound_minutes`.
///
/// A candidate is kept if it lies in the same unit (always reachable) or if `travel` gives a
/// time within the bound; it is never kept across territories (the DROM are linked neither to
/// each other nor to the mainland). Runs in parallel; the result does not depend on the
/// number of threads.
#[must_use]
pub fn build_reach(
    units: &[DemandUnit],
    candidates: &[Candidate],
    index: &SiteIndex,
    travel: &dyn TravelTime,
    bound_minutes: f64,
) -> Reach {
    let radius_m = travel.search_radius_m(bound_minutes);
    let mut in_unit: Vec<Vec<CandidateIdx>> = vec![Vec::new(); units.len()];
    for (i, c) in candidates.iter().enumerate() {
        in_unit[c.unit.get()].push(CandidateIdx(i as u32));
    }
    let per_unit: Vec<Vec<Link>> = (0..units.len())
        .into_par_iter()
        .map(|u| {
            let unit = UnitIdx(u as u32);
            let from = unit_place(units, unit);
            let territory = units[u].territory();
            let mut found: Vec<CandidateIdx> = index.within(from.point, radius_m).collect();
            found.extend_from_slice(&in_unit[u]);
            found.sort_unstable();
            found.dedup();
            found
                .into_iter()
                .filter_map(|ci| {
                    let c = &candidates[ci.get()];
                    if units[c.unit.get()].territory() != territory {
                        return None;
                    }
                    let minutes = travel.minutes(&from, &candidate_place(units, c))?;
                    (c.unit == unit || f64::from(minutes) <= bound_minutes).then_some(Link { candidate: ci, minutes })
                })
                .collect()
        })
        .collect();
    let mut offsets = Vec::with_capacity(units.len() + 1);
    offsets.push(0);
    for links in &per_unit {
        offsets.push(offsets.last().copied().unwrap_or(0) + links.len());
    }
    Reach { offsets, links: per_unit.into_iter().flatten().collect(), bound_minutes }
}
