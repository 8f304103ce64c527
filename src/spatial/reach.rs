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
    Place { unit, point: u.point, density_km2: u.density_km2, landmass: u.landmass }
}

/// Where a candidate stands (its own point, in its unit).
#[must_use]
pub fn candidate_place(units: &[DemandUnit], c: &Candidate) -> Place {
    let u = &units[c.unit.get()];
    Place { unit: c.unit, point: c.point, density_km2: u.density_km2, landmass: u.landmass }
}

/// Finds, for every unit, the candidates it reaches within `bound_minutes`.
///
/// A candidate is kept if `travel` gives a time within the bound, or if it lies in the same
/// unit and the model says a unit always reaches its own candidates
/// ([`TravelTime::own_unit_always_reachable`]); it is never kept across territories (the
/// DROM are linked neither to each other nor to the mainland). Runs in parallel; the result
/// does not depend on the number of threads.
#[must_use]
pub fn build_reach(
    units: &[DemandUnit],
    candidates: &[Candidate],
    index: &SiteIndex,
    travel: &dyn TravelTime,
    bound_minutes: f64,
) -> Reach {
    let search = Search::new(units, candidates, index, travel, bound_minutes);
    let per_unit: Vec<Vec<Link>> = (0..units.len()).into_par_iter().map(|u| search.links_of(u)).collect();
    let mut offsets = Vec::with_capacity(units.len() + 1);
    offsets.push(0);
    for links in &per_unit {
        offsets.push(offsets.last().copied().unwrap_or(0) + links.len());
    }
    Reach { offsets, links: per_unit.into_iter().flatten().collect(), bound_minutes }
}

/// Estimates the pairs [`build_reach`] would find, from the whole reach of one unit in 16,
/// scaled, so that a travel bound that would exhaust memory is refused before it is built.
/// The sample is read in chunks and the estimate stops as soon as it exceeds `stop_above`
/// (then it is a lower bound, above `stop_above`).
#[must_use]
pub fn estimate_pair_count(
    units: &[DemandUnit],
    candidates: &[Candidate],
    index: &SiteIndex,
    travel: &dyn TravelTime,
    bound_minutes: f64,
    stop_above: f64,
) -> f64 {
    const STRIDE: usize = 16;
    const CHUNK: usize = 64;
    let search = Search::new(units, candidates, index, travel, bound_minutes);
    let sampled: Vec<usize> = (0..units.len()).step_by(STRIDE).collect();
    let scale = if sampled.is_empty() { 0.0 } else { units.len() as f64 / sampled.len() as f64 };
    let mut found = 0usize;
    for chunk in sampled.chunks(CHUNK) {
        found += chunk.par_iter().map(|&u| search.links_of(u).len()).sum::<usize>();
        if found as f64 * scale > stop_above {
            break;
        }
    }
    found as f64 * scale
}

/// What the search of one unit's links needs.
struct Search<'a> {
    units: &'a [DemandUnit],
    candidates: &'a [Candidate],
    index: &'a SiteIndex,
    travel: &'a dyn TravelTime,
    bound_minutes: f64,
    radius_m: f64,
    in_unit: Vec<Vec<CandidateIdx>>,
}

impl<'a> Search<'a> {
    fn new(
        units: &'a [DemandUnit],
        candidates: &'a [Candidate],
        index: &'a SiteIndex,
        travel: &'a dyn TravelTime,
        bound_minutes: f64,
    ) -> Self {
        let mut in_unit: Vec<Vec<CandidateIdx>> = vec![Vec::new(); units.len()];
        for (i, c) in candidates.iter().enumerate() {
            in_unit[c.unit.get()].push(CandidateIdx(i as u32));
        }
        let radius_m = travel.search_radius_m(bound_minutes);
        Self { units, candidates, index, travel, bound_minutes, radius_m, in_unit }
    }

    /// The candidates unit `u` reaches, by increasing index.
    fn links_of(&self, u: usize) -> Vec<Link> {
        let (units, candidates) = (self.units, self.candidates);
        let unit = UnitIdx(u as u32);
        let from = unit_place(units, unit);
        let territory = units[u].territory();
        let own_always = self.travel.own_unit_always_reachable();
        // A matrix lists the units each origin reaches: their candidates, no spatial search
        // (on 1.45 M pairs the search took minutes).
        let mut found: Vec<CandidateIdx> = match self.travel.destinations(unit) {
            Some(units) => units.iter().flat_map(|d| self.in_unit[d.get()].iter().copied()).collect(),
            None => self.index.within(from.point, self.radius_m).collect(),
        };
        found.extend_from_slice(&self.in_unit[u]);
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|ci| {
                let c = &candidates[ci.get()];
                if units[c.unit.get()].territory() != territory {
                    return None;
                }
                let minutes = self.travel.minutes(&from, &candidate_place(units, c))?;
                let within = f64::from(minutes) <= self.bound_minutes;
                (within || (own_always && c.unit == unit)).then_some(Link { candidate: ci, minutes })
            })
            .collect()
    }
}
