//! The per-unit need table (`maillage need --out`) and its national summary.

use std::collections::BTreeMap;
use std::io::Write;

use crate::Dataset;
use crate::model::DemandUnit;
use crate::need::NeedScores;
use crate::spatial::Reach;

/// Columns of the need table, in order.
pub const NEED_COLUMNS: [&str; 15] = [
    "insee",
    "nom",
    "dep",
    "reg",
    "zone",
    "epci_siren",
    "population",
    "need",
    "pop_15_plus",
    "rate_pct",
    "fragility",
    "need_source",
    "density_km2",
    "lon",
    "lat",
];

/// Writes one CSV row per unit. INSEE codes keep their leading zeros.
///
/// # Errors
/// Any write error.
pub fn write_need_table(w: &mut dyn Write, units: &[DemandUnit], need: &NeedScores) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(NEED_COLUMNS)?;
    for (u, n) in units.iter().zip(&need.units) {
        out.write_record([
            u.code.as_str(),
            &u.name,
            &u.dep,
            &u.reg,
            u.zone.as_str(),
            &u.epci_siren,
            &u.population.to_string(),
            &format!("{:.3}", n.need),
            &format!("{:.1}", n.pop_15_plus),
            &format!("{:.2}", n.rate * 100.0),
            &format!("{:.1}", n.fragility),
            n.source.as_str(),
            &format!("{:.1}", u.density_km2),
            &format!("{:.5}", u.point.lon()),
            &format!("{:.5}", u.point.lat()),
        ])?;
    }
    out.flush()
}

/// Totals over a set of units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Number of units.
    pub units: usize,
    /// Population.
    pub population: u64,
    /// Need (excluded people).
    pub need: f64,
}

/// National totals and totals by zone.
#[must_use]
pub fn need_totals(units: &[DemandUnit], need: &NeedScores) -> (Totals, BTreeMap<&'static str, Totals>) {
    let mut all = Totals::default();
    let mut by_zone: BTreeMap<&'static str, Totals> = BTreeMap::new();
    for (u, n) in units.iter().zip(&need.units) {
        for t in [&mut all, by_zone.entry(u.zone.as_str()).or_default()] {
            t.units += 1;
            t.population += u.population;
            t.need += n.need;
        }
    }
    (all, by_zone)
}

/// Columns of the reach table, in order.
pub const REACH_COLUMNS: [&str; 5] = ["insee", "candidate", "kind", "candidate_insee", "minutes"];

/// Writes one CSV row per unit → candidate pair.
///
/// # Errors
/// Any write error.
pub fn write_reach_table(w: &mut dyn Write, data: &Dataset, reach: &Reach) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(REACH_COLUMNS)?;
    for (unit, link) in reach.pairs() {
        let c = &data.candidates[link.candidate.get()];
        out.write_record([
            data.units[unit.get()].code.as_str(),
            &c.id,
            c.kind.as_str(),
            data.units[c.unit.get()].code.as_str(),
            &format!("{:.2}", link.minutes),
        ])?;
    }
    out.flush()
}
