//! Plan outputs: `plan.csv` (sites with posts), `units.csv` (need, served, coverage per unit)
//! and `summary.json` (headline measures for scripts).

use std::io::Write;

use serde::Serialize;

use crate::Dataset;
use crate::optimise::{Measures, Plan, Problem};

/// Writes one row per candidate with posts.
///
/// # Errors
/// Any write error.
pub fn write_plan_table(w: &mut dyn Write, data: &Dataset, p: &Problem, plan: &Plan) -> std::io::Result<()> {
    let mut site_served = vec![0.0; p.sites.len()];
    for (k, pair) in p.pairs.iter().enumerate() {
        site_served[pair.site as usize] += plan.flows[k];
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["id", "kind", "name", "insee", "dep", "posts", "cost", "served"])?;
    for (j, &x) in plan.posts.iter().enumerate().filter(|(_, x)| **x > 0) {
        let c = &data.candidates[j];
        let u = &data.units[c.unit.get()];
        out.write_record([
            c.id.as_str(),
            c.kind.as_str(),
            &c.name,
            u.code.as_str(),
            &u.dep,
            &x.to_string(),
            &format!("{:.0}", p.sites[j].cost_eur * f64::from(x)),
            &format!("{:.1}", site_served[j]),
        ])?;
    }
    out.flush()
}

/// Writes one row per unit: need, served, served share, covered within the bound.
///
/// # Errors
/// Any write error.
pub fn write_units_table(w: &mut dyn Write, data: &Dataset, p: &Problem, m: &Measures) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["insee", "nom", "dep", "zone", "need", "served", "unmet_need", "served_share", "covered"])?;
    for (i, u) in data.units.iter().enumerate() {
        let need = p.need[i];
        let served = m.unit_served[i];
        out.write_record([
            u.code.as_str(),
            &u.name,
            &u.dep,
            u.zone.as_str(),
            &format!("{need:.1}"),
            &format!("{served:.1}"),
            &format!("{:.1}", (need - served).max(0.0)),
            &format!("{:.4}", if need > 0.0 { served / need } else { 0.0 }),
            if m.unit_covered[i] { "1" } else { "0" },
        ])?;
    }
    out.flush()
}

/// Headline figures, as written to `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Objective optimised (`attendance` or `coverage`).
    pub objective_kind: String,
    /// Method that produced the plan.
    pub method: String,
    /// Posts placed.
    pub posts: u32,
    /// Cost, euros.
    pub cost_eur: f64,
    /// Total need.
    pub need: f64,
    /// People served.
    pub served: f64,
    /// People served, decay-weighted.
    pub weighted_served: f64,
    /// Objective value of the integer plan.
    pub objective: f64,
    /// LP relaxation bound.
    pub lp_bound: Option<f64>,
    /// Relative gap to the bound.
    pub gap: Option<f64>,
    /// Share of need within the bound of a site with posts.
    pub coverage_share: f64,
    /// Départements with at least one post.
    pub departements_served: usize,
    /// Lowest served share among départements.
    pub min_dep_served_share: f64,
    /// Gini of served share across départements.
    pub gini_dep_served_share: f64,
    /// Totals by zone: posts, need, served.
    pub zones: std::collections::BTreeMap<String, ZoneTotals>,
    /// Flow columns in the final LP.
    pub lp_columns: usize,
    /// Column-generation rounds.
    pub lp_rounds: usize,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

/// Totals of one zone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ZoneTotals {
    /// Posts placed.
    pub posts: u32,
    /// Need.
    pub need: f64,
    /// Served.
    pub served: f64,
}

/// Writes the summary as pretty JSON.
///
/// # Errors
/// Any write error.
pub fn write_summary(w: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, s)?;
    w.write_all(b"\n")
}
