//! `Problem`: the placement model as plain numbers (units, sites, pairs, limits), built from
//! a dataset, its need and its reach. No solver here.

use std::collections::BTreeMap;

use crate::Dataset;
use crate::need::NeedScores;
use crate::spatial::Reach;

/// How much a flow counts as a function of travel time (1 at 0 minutes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decay {
    /// Every flow within the bound counts fully.
    Step,
    /// Falls linearly to `at_bound` at the travel bound.
    Linear {
        /// Weight at the bound, in [0, 1].
        at_bound: f64,
    },
    /// Halves every `half_life_min` minutes.
    Exponential {
        /// Minutes for the weight to halve.
        half_life_min: f64,
    },
}

impl Default for Decay {
    /// Linear, 0.5 at the bound: someone 30 minutes away comes half as often as a neighbour.
    fn default() -> Self {
        Decay::Linear { at_bound: 0.5 }
    }
}

impl Decay {
    /// Weight of a flow of `minutes` under a `bound` (same-commune trips beyond it are clamped).
    #[must_use]
    pub fn weight(self, minutes: f64, bound: f64) -> f64 {
        let t = minutes.clamp(0.0, bound);
        match self {
            Decay::Step => 1.0,
            Decay::Linear { at_bound } => 1.0 - (1.0 - at_bound) * t / bound,
            Decay::Exponential { half_life_min } => 0.5f64.powf(t / half_life_min),
        }
    }
}

/// One piece of the concave value of the served share of a unit's need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Share of the unit's need this piece covers.
    pub share: f64,
    /// Value of one (decay-weighted) person served in this piece.
    pub value: f64,
}

/// Default diminishing returns: each quarter of a unit's need is worth less than the one before.
#[must_use]
pub fn default_returns() -> Vec<Segment> {
    [1.0, 0.75, 0.5, 0.25].into_iter().map(|value| Segment { share: 0.25, value }).collect()
}

/// What the optimiser maximises (`--objective`, scenario key `objective`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Decay-weighted people served by capacitated posts, with diminishing returns per unit.
    #[default]
    Attendance,
    /// The most need within the bound of at least one of `posts` open sites (maximal
    /// covering, as PySAL spopt's MCLP).
    Coverage,
    /// The fewest posts (the least money when sites cost differently) that put
    /// `target_coverage` of the need within the bound of a post (set covering, spopt's LSCP).
    MinPosts,
    /// The least need-weighted travel time to the nearest post, every commune with need
    /// having a post within the bound (p-median, spopt's `PMedian`).
    Travel,
    /// The least worst travel time to the nearest post (p-center, spopt's `PCenter`).
    MaxTravel,
}

impl Objective {
    /// Its name in scenario files, on the command line and in `summary.json`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Attendance => "attendance",
            Objective::Coverage => "coverage",
            Objective::MinPosts => "min-posts",
            Objective::Travel => "travel",
            Objective::MaxTravel => "max-travel",
        }
    }

    /// Whether the covering engine solves it (one post a site, town halls by default).
    #[must_use]
    pub fn is_covering(self) -> bool {
        self != Objective::Attendance
    }

    /// What its value counts, in words (`summary.json`'s `objective_unit`).
    #[must_use]
    pub fn unit(self) -> &'static str {
        match self {
            Objective::Attendance => "decay-weighted people served",
            Objective::Coverage => "people within the bound of a post",
            Objective::MinPosts => "posts (euros when sites cost differently)",
            Objective::Travel => "need-weighted mean minutes to the nearest post",
            Objective::MaxTravel => "minutes to the nearest post, at worst",
        }
    }
}

/// A candidate host as the optimiser sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSpec {
    /// Cost of one post, euros.
    pub cost_eur: f64,
    /// Most posts the site can host.
    pub max_posts: u32,
    /// Posts already placed, kept.
    pub fixed_posts: u32,
    /// People the site already serves without new posts.
    pub existing_capacity: f64,
    /// Index of its département in [`Problem::deps`].
    pub dep: u32,
}

/// A unit → site pair within the bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Site index.
    pub site: u32,
    /// Decay weight of a flow on this pair.
    pub weight: f64,
    /// Travel time, minutes.
    pub minutes: f32,
}

/// The whole placement problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Need of each unit, people.
    pub need: Vec<f64>,
    /// Département index of each unit.
    pub unit_dep: Vec<u32>,
    /// Candidate hosts.
    pub sites: Vec<SiteSpec>,
    /// `pairs[unit_offsets[i]..unit_offsets[i+1]]` are unit i's pairs, by increasing site.
    pub pairs: Vec<Pair>,
    /// Offsets into `pairs`, one more than units.
    pub unit_offsets: Vec<usize>,
    /// Département codes, sorted.
    pub deps: Vec<String>,
    /// Total posts available (fixed ones included).
    pub posts: u32,
    /// Budget, euros (fixed posts included).
    pub budget_eur: f64,
    /// People one post serves over the horizon.
    pub capacity_per_post: f64,
    /// Concave value of the served share (empty: linear, value 1).
    pub returns: Vec<Segment>,
    /// Minimum posts per département index.
    pub dep_floors: BTreeMap<u32, u32>,
    /// Maximum posts per département index.
    pub dep_caps: BTreeMap<u32, u32>,
    /// What to maximise.
    pub objective: Objective,
    /// Sites that the covering objectives may open (by default one per commune: its town
    /// hall; with host kinds, the sites of those kinds).
    pub coverage_eligible: Vec<bool>,
    /// Share of the need that `min-posts` must put within the bound.
    pub target_coverage: f64,
    /// Posts per site of the previous plan (continuity), if any.
    pub previous: Option<Vec<u32>>,
    /// Posts that may leave their previous site (None: any number).
    pub max_moves: Option<u32>,
    /// Time budget of the LP and MIP solves, seconds. In coverage mode the best solution found
    /// by then is kept; in attendance mode the greedy plan is kept if the LP is not solved.
    pub time_limit_s: f64,
}

impl Problem {
    /// Pairs of unit `i`.
    #[must_use]
    pub fn pairs_of(&self, unit: usize) -> &[Pair] {
        &self.pairs[self.unit_offsets[unit]..self.unit_offsets[unit + 1]]
    }

    /// Number of units.
    #[must_use]
    pub fn unit_count(&self) -> usize {
        self.need.len()
    }

    /// Whether every pair weighs the same (step decay): then any site with room serves a unit
    /// as well as another, and the flow LP and the prices read off a plan's flows are
    /// degenerate.
    #[must_use]
    pub fn uniform_weights(&self) -> bool {
        self.pairs.first().is_some_and(|first| self.pairs.iter().all(|q| (q.weight - first.weight).abs() <= 1e-12))
    }

    /// With one cost for every post, the posts a plan may take: the posts limit or the whole
    /// posts the budget pays, floor(B / c), whichever is lower. `None` with several costs.
    #[must_use]
    pub fn budget_posts(&self) -> Option<u32> {
        let cost0 = self.sites.first().map_or(1.0, |s| s.cost_eur);
        let uniform = self.sites.iter().all(|s| (s.cost_eur - cost0).abs() <= 1e-9 * cost0);
        uniform.then(|| self.posts.min(((self.budget_eur / cost0) * (1.0 + 1e-12)).floor() as u32))
    }

    /// Segments in force (a single linear piece when diminishing returns are off).
    #[must_use]
    pub fn segments(&self) -> Vec<Segment> {
        if self.returns.is_empty() { vec![Segment { share: 1.0, value: 1.0 }] } else { self.returns.clone() }
    }
}

/// Scenario parameters the problem is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanParams {
    /// Posts to place (default 4,000).
    pub posts: u32,
    /// Budget, euros (default 200 M€).
    pub budget_eur: f64,
    /// Cost of one post, euros (default 50 k€: a minimum wage for two years).
    pub cost_per_post_eur: f64,
    /// People served by one post over the horizon (default 1,200: 600 a year for 2 years, ANCT 2022).
    pub capacity_per_post: f64,
    /// Most posts one site may host (default 10).
    pub max_posts_per_site: u32,
    /// Distance decay.
    pub decay: Decay,
    /// Diminishing returns (empty: off).
    pub returns: Vec<Segment>,
    /// Objective.
    pub objective: Objective,
    /// Posts already placed, by candidate index.
    pub fixed_posts: BTreeMap<u32, u32>,
    /// Minimum posts per département code.
    pub dep_floors: BTreeMap<String, u32>,
    /// Time limit of a MIP solve, seconds.
    pub time_limit_s: f64,
    /// Maximum posts per département code.
    pub dep_caps: BTreeMap<String, u32>,
    /// Cost of one post at some candidates (by index), overriding `cost_per_post_eur`.
    pub site_costs: BTreeMap<u32, f64>,
    /// Kinds of host that may receive posts (empty: all). Fixed posts stay where they are.
    pub host_kinds: Vec<crate::SiteKind>,
    /// The current plan's posts by candidate index (continuity: the search starts from it).
    pub previous: Option<BTreeMap<u32, u32>>,
    /// Posts that may leave their site of the previous plan (None: any number).
    pub max_moves: Option<u32>,
    /// Share of the need that `min-posts` must cover.
    pub target_coverage: f64,
}

impl Default for PlanParams {
    /// The France Relance programme: 4,000 posts, 200 M€, 50 k€ a post, 1,200 people a post.
    fn default() -> Self {
        Self {
            posts: 4_000,
            budget_eur: 200e6,
            cost_per_post_eur: 50_000.0,
            capacity_per_post: 1_200.0,
            max_posts_per_site: 10,
            decay: Decay::default(),
            returns: default_returns(),
            objective: Objective::Attendance,
            fixed_posts: BTreeMap::new(),
            dep_floors: BTreeMap::new(),
            dep_caps: BTreeMap::new(),
            site_costs: BTreeMap::new(),
            host_kinds: Vec::new(),
            previous: None,
            max_moves: None,
            time_limit_s: 60.0,
            target_coverage: 1.0,
        }
    }
}

/// Builds the problem from a dataset, its need and its reach.
#[must_use]
pub fn build_problem(data: &Dataset, need: &NeedScores, reach: &Reach, params: &PlanParams) -> Problem {
    let mut deps: Vec<String> = data.units.iter().map(|u| u.dep.clone()).collect();
    deps.sort();
    deps.dedup();
    let dep_index = |d: &str| deps.binary_search_by(|x| x.as_str().cmp(d)).map_or(0, |i| i as u32);
    let unit_dep: Vec<u32> = data.units.iter().map(|u| dep_index(&u.dep)).collect();
    let sites = data
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| SiteSpec {
            cost_eur: params.site_costs.get(&(i as u32)).copied().unwrap_or(params.cost_per_post_eur),
            // No site can hold more than every post: this bounds the per-post tables.
            max_posts: if params.host_kinds.is_empty() || params.host_kinds.contains(&c.kind) {
                params.max_posts_per_site.min(params.posts)
            } else {
                0
            }
            .max(params.fixed_posts.get(&(i as u32)).copied().unwrap_or(0)),
            fixed_posts: params.fixed_posts.get(&(i as u32)).copied().unwrap_or(0),
            existing_capacity: 0.0,
            dep: unit_dep[c.unit.get()],
        })
        .collect();
    let mut pairs = Vec::with_capacity(reach.pair_count());
    let mut unit_offsets = Vec::with_capacity(data.units.len() + 1);
    unit_offsets.push(0);
    for u in 0..data.units.len() {
        for link in reach.of(crate::UnitIdx(u as u32)) {
            let weight = params.decay.weight(f64::from(link.minutes), reach.bound_minutes);
            pairs.push(Pair { site: link.candidate.0, weight, minutes: link.minutes });
        }
        unit_offsets.push(pairs.len());
    }
    let map_deps = |m: &BTreeMap<String, u32>| m.iter().map(|(d, &n)| (dep_index(d), n)).collect();
    Problem {
        need: need.units.iter().map(|n| n.need).collect(),
        unit_dep,
        sites,
        pairs,
        unit_offsets,
        dep_floors: map_deps(&params.dep_floors),
        dep_caps: map_deps(&params.dep_caps),
        deps,
        posts: params.posts,
        budget_eur: params.budget_eur,
        capacity_per_post: params.capacity_per_post,
        returns: params.returns.clone(),
        objective: params.objective,
        coverage_eligible: data
            .candidates
            .iter()
            .map(|c| {
                if params.host_kinds.is_empty() {
                    c.kind == crate::SiteKind::Mairie
                } else {
                    params.host_kinds.contains(&c.kind)
                }
            })
            .collect(),
        target_coverage: params.target_coverage,
        previous: params.previous.as_ref().map(|m| {
            let mut v = vec![0u32; data.candidates.len()];
            for (&j, &x) in m {
                v[j as usize] = x;
            }
            v
        }),
        max_moves: params.max_moves,
        time_limit_s: params.time_limit_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_weights_fall_from_one() {
        assert!((Decay::Step.weight(29.0, 30.0) - 1.0).abs() < 1e-12);
        assert!((Decay::Linear { at_bound: 0.5 }.weight(15.0, 30.0) - 0.75).abs() < 1e-12);
        assert!((Decay::Linear { at_bound: 0.5 }.weight(45.0, 30.0) - 0.5).abs() < 1e-12);
        assert!((Decay::Exponential { half_life_min: 10.0 }.weight(20.0, 30.0) - 0.25).abs() < 1e-12);
    }
}
