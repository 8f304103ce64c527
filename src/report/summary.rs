//! `summary.json`: a plan's headline figures, what reproduces it, and their console print.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::Dataset;
use crate::optimise::{Measures, Plan, Problem};

/// Headline figures, as written to `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Objective optimised (`attendance`, `coverage`, `min-posts`, `travel`, `max-travel`).
    pub objective_kind: String,
    /// What `objective` and `bound` count (people, posts or euros, minutes).
    pub objective_unit: String,
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
    /// Bound on every plan of this scenario (above it when the objective is maximised, below
    /// for min-posts, travel and max-travel): the best valid one of the LP relaxation (solved
    /// exactly), the Lagrangian bound with whole posts, and `HiGHS`'s MIP bound.
    pub bound: Option<f64>,
    /// The same as `bound`, under its first name (kept for scripts).
    pub lp_bound: Option<f64>,
    /// Which one `bound` is.
    pub bound_source: Option<crate::optimise::BoundSource>,
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
    pub zones: BTreeMap<String, ZoneTotals>,
    /// Flow columns in the final LP.
    pub lp_columns: usize,
    /// Column-generation rounds.
    pub lp_rounds: usize,
    /// Subgradient iterations of the Lagrangian bound.
    pub lagrange_iterations: usize,
    /// Continuity: posts of the previous plan that left their site (null without --previous).
    pub posts_moved: Option<u32>,
    /// Continuity: objective of the previous plan's posts.
    pub previous_objective: Option<f64>,
    /// Continuity: objective gained by the moves (objective − previous objective).
    pub moves_gain: Option<f64>,
    /// What reproduces this plan: the command line and the SHA-256 of every input file.
    pub reproduce: Reproduce,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

/// The command and the input files' hashes behind a plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reproduce {
    /// Arguments of the run (for a batch scenario: the `plan` arguments it stands for).
    pub command: Vec<String>,
    /// SHA-256 (hex) of each input file, by path.
    pub inputs: BTreeMap<String, String>,
    /// SHA-256 of the inputs that make the instance, by role: each data file by name,
    /// `need.file` and `travel.od` when given. `compare` refuses plans whose differ.
    pub data: BTreeMap<String, String>,
    /// The scenario file's text, when the plan came from one.
    pub scenario: Option<String>,
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

/// The headline figures of a plan and its measures (`reproduce` left empty, `seconds` given).
#[must_use]
pub fn summarise(data: &Dataset, problem: &Problem, plan: &Plan, m: &Measures, seconds: f64) -> Summary {
    let mut zones: BTreeMap<String, ZoneTotals> = BTreeMap::new();
    for (i, u) in data.units.iter().enumerate() {
        let z = zones.entry(u.zone.as_str().to_owned()).or_default();
        z.need += problem.need[i];
        z.served += m.unit_served[i];
    }
    for (c, &x) in data.candidates.iter().zip(&plan.posts) {
        zones.entry(data.units[c.unit.get()].zone.as_str().to_owned()).or_default().posts += x;
    }
    Summary {
        objective_kind: problem.objective.as_str().to_owned(),
        objective_unit: problem.objective.unit().to_owned(),
        method: plan.source.as_str().to_owned(),
        posts: m.posts,
        cost_eur: m.cost_eur,
        need: m.need,
        served: m.served,
        weighted_served: m.weighted_served,
        objective: plan.objective,
        bound: plan.bound,
        lp_bound: plan.bound,
        bound_source: plan.bound_source,
        gap: plan.gap(),
        coverage_share: m.coverage_share,
        departements_served: m.deps.iter().filter(|d| d.posts > 0).count(),
        min_dep_served_share: m.min_dep_share,
        gini_dep_served_share: m.gini_dep_share,
        zones,
        lp_columns: plan.lp_columns,
        lp_rounds: plan.lp_rounds,
        lagrange_iterations: plan.lagrange_iterations,
        posts_moved: plan.posts_moved,
        previous_objective: plan.previous_objective,
        moves_gain: plan.previous_objective.map(|o| plan.objective - o),
        reproduce: Reproduce::default(),
        seconds,
    }
}

/// What a summary's objective counts, in French.
#[must_use]
pub fn objective_unit_fr(s: &Summary) -> &'static str {
    match s.objective_kind.as_str() {
        "coverage" => "personnes à portée d'un poste",
        // It counts posts when every post costs the same, euros otherwise.
        "min-posts" if (s.objective - f64::from(s.posts)).abs() < 0.5 => "postes",
        "min-posts" => "€",
        "travel" => "min en moyenne jusqu'au poste le plus proche",
        "max-travel" => "min au plus jusqu'au poste le plus proche",
        _ => "personnes servies, pondérées",
    }
}

/// Prints the summary for a person, in French (`bound_min`: the travel bound, minutes).
///
/// # Errors
/// Any write error.
pub fn write_console_summary(w: &mut dyn Write, s: &Summary, bound_min: f64) -> std::io::Result<()> {
    use crate::optimise::BoundSource;
    writeln!(w, "Plan ({}):", s.method)?;
    writeln!(w, "  conseillers     {:>12}", s.posts)?;
    writeln!(w, "  coût            {:>12.0} €", s.cost_eur)?;
    writeln!(w, "  besoin          {:>12.0}", s.need)?;
    writeln!(w, "  servis          {:>12.0}  ({:.1}% du besoin)", s.served, 100.0 * s.served / s.need.max(1.0))?;
    writeln!(w, "  servis pondérés {:>12.0}", s.weighted_served)?;
    let coverage = 100.0 * s.coverage_share;
    writeln!(w, "  couverture      {coverage:>11.1}%  (besoin à moins de {bound_min} min d'un conseiller)")?;
    writeln!(w, "  objectif        {:>12.1}  ({})", s.objective, objective_unit_fr(s))?;
    if let (Some(b), Some(g)) = (s.bound, s.gap) {
        let kind = match s.bound_source {
            Some(BoundSource::Lagrangian) => "lagrangienne",
            Some(BoundSource::Mip) => "MIP",
            _ => "LP",
        };
        writeln!(w, "  borne           {b:>12.1}  (écart {:.3}%, borne {kind})", 100.0 * g)?;
    } else {
        writeln!(w, "  borne           non calculée ({})", s.method)?;
    }
    writeln!(
        w,
        "  départements    {:>12}  servis; part servie min {:.1}%, Gini {:.3}",
        s.departements_served,
        100.0 * s.min_dep_served_share,
        s.gini_dep_served_share
    )?;
    for (zone, z) in &s.zones {
        writeln!(w, "  {zone:<6} {:>6} postes, besoin {:>10.0}, servis {:>10.0}", z.posts, z.need, z.served)?;
    }
    writeln!(w, "  durée           {:>12.1} s", s.seconds)
}
