//! `compare`: two plans side by side (headline measures, per-département and per-site
//! differences, B − A).

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use crate::load::PlanOutputs;

/// Headline keys compared, in order.
pub const HEADLINE_KEYS: [&str; 10] = [
    "posts",
    "cost_eur",
    "need",
    "served",
    "weighted_served",
    "objective",
    "coverage_share",
    "departements_served",
    "min_dep_served_share",
    "gini_dep_served_share",
];

/// One headline measure in both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadlineDiff {
    /// Summary key.
    pub key: String,
    /// Value in A.
    pub a: Option<f64>,
    /// Value in B.
    pub b: Option<f64>,
    /// B − A (when both exist).
    pub delta: Option<f64>,
}

/// One département in both plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepDiff {
    /// Code.
    pub dep: String,
    /// Posts in A and B.
    pub posts_a: u64,
    /// Posts in B.
    pub posts_b: u64,
    /// People served in A.
    pub served_a: f64,
    /// People served in B.
    pub served_b: f64,
    /// Need covered within the bound in A.
    pub covered_need_a: f64,
    /// Need covered within the bound in B.
    pub covered_need_b: f64,
}

/// A site whose posts differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteDiff {
    /// Candidate id.
    pub id: String,
    /// Name.
    pub name: String,
    /// INSEE code.
    pub insee: String,
    /// Département.
    pub dep: String,
    /// Posts in A.
    pub posts_a: u64,
    /// Posts in B.
    pub posts_b: u64,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Headline measures.
    pub headline: Vec<HeadlineDiff>,
    /// Every département of either plan.
    pub departements: Vec<DepDiff>,
    /// Sites whose posts differ.
    pub sites: Vec<SiteDiff>,
}

/// Compares A and B.
#[must_use]
pub fn compare_plans(a: &PlanOutputs, b: &PlanOutputs) -> Comparison {
    let headline = HEADLINE_KEYS
        .iter()
        .map(|&key| {
            let (va, vb) = (a.summary.get(key).copied(), b.summary.get(key).copied());
            HeadlineDiff { key: key.to_owned(), a: va, b: vb, delta: va.zip(vb).map(|(x, y)| y - x) }
        })
        .collect();
    let deps: BTreeSet<&String> = a.deps.keys().chain(b.deps.keys()).collect();
    let departements = deps
        .into_iter()
        .map(|d| {
            let (ra, rb) = (a.deps.get(d), b.deps.get(d));
            DepDiff {
                dep: d.clone(),
                posts_a: ra.map_or(0, |r| r.posts),
                posts_b: rb.map_or(0, |r| r.posts),
                served_a: ra.map_or(0.0, |r| r.served),
                served_b: rb.map_or(0.0, |r| r.served),
                covered_need_a: ra.map_or(0.0, |r| r.covered_need),
                covered_need_b: rb.map_or(0.0, |r| r.covered_need),
            }
        })
        .collect();
    let ids: BTreeSet<&String> = a.sites.keys().chain(b.sites.keys()).collect();
    let sites = ids
        .into_iter()
        .filter_map(|id| {
            let (sa, sb) = (a.sites.get(id), b.sites.get(id));
            let (pa, pb) = (sa.map_or(0, |s| s.posts), sb.map_or(0, |s| s.posts));
            let s = sa.or(sb)?;
            (pa != pb).then(|| SiteDiff {
                id: id.clone(),
                name: s.name.clone(),
                insee: s.insee.clone(),
                dep: s.dep.clone(),
                posts_a: pa,
                posts_b: pb,
            })
        })
        .collect();
    Comparison { headline, departements, sites }
}

/// Writes `compare_departements.csv`.
///
/// # Errors
/// Any write error.
pub fn write_dep_diffs(w: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "dep",
        "posts_a",
        "posts_b",
        "posts_delta",
        "served_a",
        "served_b",
        "served_delta",
        "covered_need_a",
        "covered_need_b",
        "covered_need_delta",
    ])?;
    for d in &c.departements {
        out.write_record([
            d.dep.clone(),
            d.posts_a.to_string(),
            d.posts_b.to_string(),
            (d.posts_b.cast_signed() - d.posts_a.cast_signed()).to_string(),
            format!("{:.1}", d.served_a),
            format!("{:.1}", d.served_b),
            format!("{:.1}", d.served_b - d.served_a),
            format!("{:.1}", d.covered_need_a),
            format!("{:.1}", d.covered_need_b),
            format!("{:.1}", d.covered_need_b - d.covered_need_a),
        ])?;
    }
    out.flush()
}

/// Writes `compare_sites.csv`: the sites whose posts differ.
///
/// # Errors
/// Any write error.
pub fn write_site_diffs(w: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["id", "name", "insee", "dep", "posts_a", "posts_b", "posts_delta"])?;
    for s in &c.sites {
        out.write_record([
            s.id.clone(),
            s.name.clone(),
            s.insee.clone(),
            s.dep.clone(),
            s.posts_a.to_string(),
            s.posts_b.to_string(),
            (s.posts_b.cast_signed() - s.posts_a.cast_signed()).to_string(),
        ])?;
    }
    out.flush()
}
