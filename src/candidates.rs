//! Candidate hosts: existing sites deduplicated within 50 m, plus every unit's town hall.

use std::collections::HashMap;

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::load::{ArrondissementShapes, SiteRecord};
use crate::model::{Candidate, CommuneCode, DemandUnit, SiteKind, UnitIdx};
use crate::spatial::{chord_m, great_circle_m, to_sphere_xyz};

/// Sites closer than this are one place (the same building listed by several sources).
pub const MERGE_RADIUS_M: f64 = 50.0;

/// What happened to the site records, for the run's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidatesReport {
    /// Rows read from `inclusion_sites.csv`.
    pub sites_read: usize,
    /// Rows without coordinates, left out.
    pub sites_without_point: usize,
    /// Rows whose commune is not a demand unit (COM, or no commune code), left out.
    pub sites_outside_units: usize,
    /// Rows merged into a site kept within [`MERGE_RADIUS_M`].
    pub sites_merged: usize,
    /// Distinct existing sites kept as candidates.
    pub sites_kept: usize,
    /// Town halls added (one per demand unit).
    pub mairies: usize,
}

/// Builds the candidate list: sites first (by kind priority, then file order), then town halls.
#[must_use]
pub fn build_candidates(
    units: &[DemandUnit],
    sites: &[SiteRecord],
    shapes: &ArrondissementShapes,
) -> (Vec<Candidate>, CandidatesReport) {
    let mut report = CandidatesReport { sites_read: sites.len(), ..CandidatesReport::default() };
    let by_code: HashMap<&CommuneCode, UnitIdx> =
        units.iter().enumerate().map(|(i, u)| (&u.code, UnitIdx(i as u32))).collect();
    let mut arrondissements: HashMap<&CommuneCode, Vec<UnitIdx>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if let Some(city) = &u.city {
            arrondissements.entry(city).or_default().push(UnitIdx(i as u32));
        }
    }

    let mut order: Vec<&SiteRecord> = sites.iter().collect();
    // Stable sort: kind priority first, file order within a kind.
    order.sort_by_key(|s| s.kind);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut kept: RTree<GeomWithData<[f64; 3], usize>> = RTree::new();
    let merge_chord2 = chord_m(MERGE_RADIUS_M).powi(2);
    for site in order {
        let Some(point) = site.point else {
            report.sites_without_point += 1;
            continue;
        };
        let unit = site.insee.as_ref().and_then(|code| {
            by_code.get(code).copied().or_else(|| {
                let parts = arrondissements.get(code)?;
                let located = shapes.locate(point).and_then(|c| by_code.get(c).copied());
                // Sites on the city's edge fall outside the simplified polygons: take the nearest.
                located.or_else(|| {
                    parts.iter().copied().min_by(|a, b| {
                        great_circle_m(point, units[a.get()].point)
                            .total_cmp(&great_circle_m(point, units[b.get()].point))
                    })
                })
            })
        });
        let Some(unit) = unit else {
            report.sites_outside_units += 1;
            continue;
        };
        let xyz = to_sphere_xyz(point);
        let near = kept
            .locate_within_distance(xyz, merge_chord2)
            .map(|n| (great_circle_m(point, candidates[n.data].point), n.data))
            .filter(|(d, _)| *d <= MERGE_RADIUS_M)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, near)) = near {
            candidates[near].source_ids.push(site.source_id.clone());
            report.sites_merged += 1;
            continue;
        }
        kept.insert(GeomWithData::new(xyz, candidates.len()));
        candidates.push(Candidate {
            id: format!("site:{}", site.source_id),
            kind: site.kind,
            name: site.name.clone(),
            unit,
            point,
            source_ids: vec![site.source_id.clone()],
        });
    }
    report.sites_kept = candidates.len();
    for (i, u) in units.iter().enumerate() {
        candidates.push(Candidate {
            id: format!("mairie:{}", u.code),
            kind: SiteKind::Mairie,
            name: format!("Mairie de {}", u.name),
            unit: UnitIdx(i as u32),
            point: u.point,
            source_ids: vec![format!("communes:{}", u.code)],
        });
    }
    report.mairies = units.len();
    (candidates, report)
}
