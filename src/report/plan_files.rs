//! Plan outputs: `plan.csv` (sites with posts), `units.csv` (need, served, coverage per unit)
//! and `summary.json` (headline measures for scripts).

use std::io::Write;

use crate::Dataset;
use crate::optimise::{Measures, Plan, Problem};
use crate::spatial::Reach;

/// One site with posts, as in `plan.csv` and `sites.geojson`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRow {
    /// Candidate id.
    pub id: String,
    /// Kind of host.
    pub kind: crate::SiteKind,
    /// Name.
    pub name: String,
    /// INSEE code of its unit.
    pub insee: String,
    /// Département code.
    pub dep: String,
    /// Posts placed.
    pub posts: u32,
    /// Cost of the posts, euros.
    pub cost: f64,
    /// People served.
    pub served: f64,
    /// Position, WGS84.
    pub lon: f64,
    /// Position, WGS84.
    pub lat: f64,
    /// The units it serves most (unit index, people served), largest first, at most
    /// [`MAIN_UNITS`].
    pub main_units: Vec<(usize, f64)>,
}

/// How many of the units a site serves most its row keeps.
pub const MAIN_UNITS: usize = 3;

/// Columns of `plan.csv` (and properties of `sites.geojson`).
pub const PLAN_COLUMNS: [&str; 8] = ["id", "kind", "name", "insee", "dep", "posts", "cost", "served"];

/// The sites with posts, in candidate order.
#[must_use]
pub fn site_rows(data: &Dataset, p: &Problem, plan: &Plan) -> Vec<SiteRow> {
    let mut site_served = vec![0.0; p.sites.len()];
    let mut main_units: Vec<Vec<(usize, f64)>> = vec![Vec::new(); p.sites.len()];
    for i in 0..p.unit_count() {
        let start = p.unit_offsets[i];
        for (k, pair) in p.pairs_of(i).iter().enumerate() {
            let flow = plan.flows[start + k];
            site_served[pair.site as usize] += flow;
            if flow > 0.0 {
                main_units[pair.site as usize].push((i, flow));
            }
        }
    }
    plan.posts
        .iter()
        .enumerate()
        .filter(|(_, x)| **x > 0)
        .map(|(j, &x)| {
            let c = &data.candidates[j];
            let u = &data.units[c.unit.get()];
            let mut main = std::mem::take(&mut main_units[j]);
            main.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            main.truncate(MAIN_UNITS);
            SiteRow {
                id: c.id.clone(),
                kind: c.kind,
                name: c.name.clone(),
                insee: u.code.as_str().to_owned(),
                dep: u.dep.clone(),
                posts: x,
                cost: p.sites[j].cost_eur * f64::from(x),
                served: site_served[j],
                lon: c.point.lon(),
                lat: c.point.lat(),
                main_units: main,
            }
        })
        .collect()
}

/// Writes `plan.csv`: one row per candidate with posts.
///
/// # Errors
/// Any write error.
pub fn write_plan_table(w: &mut dyn Write, rows: &[SiteRow]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PLAN_COLUMNS)?;
    for r in rows {
        out.write_record([
            r.id.as_str(),
            r.kind.as_str(),
            &r.name,
            &r.insee,
            &r.dep,
            &r.posts.to_string(),
            &format!("{:.0}", r.cost),
            &format!("{:.1}", r.served),
        ])?;
    }
    out.flush()
}

/// One demand unit, as in `units.csv` and `communes.geojson`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    /// INSEE code.
    pub insee: String,
    /// Name.
    pub nom: String,
    /// Département code.
    pub dep: String,
    /// Population (for the report's town labels).
    pub population: u64,
    /// `metro` or `drom`.
    pub zone: &'static str,
    /// Need, people.
    pub need: f64,
    /// People served.
    pub served: f64,
    /// Need not served.
    pub unmet_need: f64,
    /// Served / need (0 without need).
    pub served_share: f64,
    /// Within the bound of a site with posts.
    pub covered: bool,
    /// Minutes to the nearest site with posts within the bound (`None`: none within it).
    pub nearest_post_min: Option<f64>,
}

/// Columns of `units.csv` (and properties of `communes.geojson`).
pub const UNIT_COLUMNS: [&str; 10] =
    ["insee", "nom", "dep", "zone", "need", "served", "unmet_need", "served_share", "covered", "nearest_post_min"];

/// Every unit's row.
#[must_use]
pub fn unit_rows(data: &Dataset, p: &Problem, m: &Measures, reach: &Reach, posts: &[u32]) -> Vec<UnitRow> {
    data.units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (need, served) = (p.need[i], m.unit_served[i]);
            let nearest = reach
                .of(crate::UnitIdx(i as u32))
                .iter()
                .filter(|l| posts[l.candidate.get()] > 0)
                .map(|l| f64::from(l.minutes))
                .min_by(f64::total_cmp);
            UnitRow {
                insee: u.code.as_str().to_owned(),
                nom: u.name.clone(),
                dep: u.dep.clone(),
                population: u.population,
                zone: u.zone.as_str(),
                need,
                served,
                unmet_need: (need - served).max(0.0),
                served_share: if need > 0.0 { served / need } else { 0.0 },
                covered: m.unit_covered[i],
                nearest_post_min: nearest,
            }
        })
        .collect()
}

/// Writes `units.csv`: one row per unit.
///
/// # Errors
/// Any write error.
pub fn write_units_table(w: &mut dyn Write, rows: &[UnitRow]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(UNIT_COLUMNS)?;
    for r in rows {
        out.write_record([
            r.insee.as_str(),
            &r.nom,
            &r.dep,
            r.zone,
            &format!("{:.1}", r.need),
            &format!("{:.1}", r.served),
            &format!("{:.1}", r.unmet_need),
            &format!("{:.4}", r.served_share),
            if r.covered { "1" } else { "0" },
            &r.nearest_post_min.map_or(String::new(), |t| format!("{t:.1}")),
        ])?;
    }
    out.flush()
}

/// Columns of `departements.csv`.
pub const DEP_COLUMNS: [&str; 11] = [
    "dep",
    "posts",
    "need",
    "served",
    "served_share",
    "covered_need",
    "coverage_share",
    "next_post_gain",
    "next_post_site",
    "last_post_loss",
    "last_post_site",
];

/// Writes `departements.csv`: posts, need, served and coverage per département, and what one
/// post more or fewer is worth there (`marginal`, same order; blank where it does not apply).
///
/// # Errors
/// Any write error.
pub fn write_deps_table(
    w: &mut dyn Write,
    data: &Dataset,
    m: &Measures,
    marginal: &[crate::optimise::DepMarginal],
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(DEP_COLUMNS)?;
    let value = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
    let site = |j: Option<u32>| j.map_or_else(String::new, |j| data.candidates[j as usize].id.clone());
    for (d, g) in m.deps.iter().zip(marginal.iter().chain(std::iter::repeat(&crate::optimise::DepMarginal::default())))
    {
        let share = |x: f64| if d.need > 0.0 { x / d.need } else { 0.0 };
        out.write_record([
            d.dep.as_str(),
            &d.posts.to_string(),
            &format!("{:.1}", d.need),
            &format!("{:.1}", d.served),
            &format!("{:.4}", share(d.served)),
            &format!("{:.1}", d.covered_need),
            &format!("{:.4}", share(d.covered_need)),
            &value(g.next_post_gain),
            &site(g.next_post_site),
            &value(g.last_post_loss),
            &site(g.last_post_site),
        ])?;
    }
    out.flush()
}
