//! What a routing engine must be asked for a road matrix: for each demand unit, the units whose
//! candidates lie within a crow-fly radius, packed into requests of at most N locations
//! (OSRM's `--max-table-size`, Valhalla's matrix limits).

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::SiteIndex;
use crate::load::Dataset;
use crate::model::UnitIdx;

/// One request: every source to every destination, in this order (an answer's rows and
/// columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Origins, by unit.
    pub sources: Vec<UnitIdx>,
    /// Destinations, by unit.
    pub destinations: Vec<UnitIdx>,
}

impl Request {
    /// Locations the request sends (sources and destinations, each listed once per side).
    #[must_use]
    pub fn locations(&self) -> usize {
        self.sources.len() + self.destinations.len()
    }
}

/// For each unit, the units holding a candidate within `radius_m` of its point, in the same
/// territory (the mainland with Corsica, or one DROM), by increasing index.
#[must_use]
pub fn destinations_within(data: &Dataset, radius_m: f64) -> Vec<Vec<UnitIdx>> {
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    (0..data.units.len())
        .into_par_iter()
        .map(|i| {
            let u = &data.units[i];
            let set: BTreeSet<UnitIdx> = index
                .within(u.point, radius_m)
                .map(|c| data.candidates[c.get()].unit)
                .filter(|d| data.units[d.get()].territory() == u.territory())
                .collect();
            set.into_iter().collect()
        })
        .collect()
}

/// Packs every pair (unit, one of its `destinations`) into requests of at most
/// `max_locations` locations (≥ 2): units in order, each joining the open request while the
/// sources and the union of destinations fit, and a unit whose destinations alone do not fit
/// split over requests of its own. Each of these pairs is in exactly one request (a request
/// also asks for its other sources × destinations, which the answer then gives too);
/// deterministic.
#[must_use]
pub fn pack_requests(destinations: &[Vec<UnitIdx>], max_locations: usize) -> Vec<Request> {
    let max_locations = max_locations.max(2);
    let mut requests = Vec::new();
    let mut open: Option<(Vec<UnitIdx>, BTreeSet<UnitIdx>)> = None;
    let close = |open: &mut Option<(Vec<UnitIdx>, BTreeSet<UnitIdx>)>, requests: &mut Vec<Request>| {
        if let Some((sources, dest)) = open.take() {
            requests.push(Request { sources, destinations: dest.into_iter().collect() });
        }
    };
    for (i, dest) in destinations.iter().enumerate() {
        if dest.is_empty() {
            continue;
        }
        let unit = UnitIdx(i as u32);
        if dest.len() + 1 > max_locations {
            close(&mut open, &mut requests);
            for chunk in dest.chunks(max_locations - 1) {
                requests.push(Request { sources: vec![unit], destinations: chunk.to_vec() });
            }
            continue;
        }
        let fits = open.as_ref().is_some_and(|(sources, union)| {
            let added = dest.iter().filter(|d| !union.contains(d)).count();
            sources.len() + 1 + union.len() + added <= max_locations
        });
        if !fits {
            close(&mut open, &mut requests);
            open = Some((Vec::new(), BTreeSet::new()));
        }
        if let Some((sources, union)) = open.as_mut() {
            sources.push(unit);
            union.extend(dest.iter().copied());
        }
    }
    close(&mut open, &mut requests);
    requests
}
