//! The covering engine: one integer model for every covering objective (the most need
//! covered, the fewest posts for a target, the least travel, the least worst travel), which
//! honours what a plan may ask (posts, budget with per-site costs, host kinds, fixed posts,
//! département floors and caps, continuity) and proves its optimum.
//!
//! How: units covered by the same set of sites are one group (an exact reduction); the LP
//! relaxation gives a bound and reduced costs; a site whose reduced cost says that flipping it
//! cannot beat the best plan known is fixed (reduced-cost fixing, as in Cordeau, Furini &
//! Ljubić 2019's preprocessing); `HiGHS`'s branch and cut then solves what is left, from the
//! best plan known. What fixing removes is worse than that plan, so the model that is left
//! holds the optimum and its dual bound is valid for the whole problem.
//!
//! ```text
//! sites, groups ─► LP (bound, reduced costs) ─► fix sites ─► MIP on the rest ─► plan, bound
//!                        ▲ incumbent (greedy, swaps, a MIP over the LP's support) ┘
//! ```

use highs::{Col, HighsModelStatus, RowProblem, Sense};

use super::greedy::Ordered;
use super::{Problem, SolveError};

/// Relative gap at which the branch and cut stops: the optimum, to rounding.
const EXACT: f64 = 1e-7;

/// What a covering solve optimises.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Goal {
    /// The most need within reach of an open site (maximal covering, MCLP).
    MaxCover,
    /// The least cost (posts, or euros when sites cost differently) that puts `need` people
    /// within reach of an open site (set covering, LSCP, and its partial form).
    MinCost {
        /// People to cover.
        need: f64,
    },
    /// The least need-weighted travel to the nearest open site, every unit with need served
    /// (p-median).
    Median,
}

impl Goal {
    fn sense(self) -> Sense {
        match self {
            Goal::MaxCover => Sense::Maximise,
            Goal::MinCost { .. } | Goal::Median => Sense::Minimise,
        }
    }

    /// Whether `a` is strictly better than `b` by more than `tol`.
    fn better(self, a: f64, b: f64, tol: f64) -> bool {
        match self.sense() {
            Sense::Maximise => a > b + tol,
            Sense::Minimise => a < b - tol,
        }
    }
}

/// A site the engine may give posts.
#[derive(Debug, Clone)]
struct EngineSite {
    /// Problem site index.
    site: usize,
    cost: f64,
    /// Posts it must keep (fixed).
    lo: u32,
    /// Most posts it may take.
    hi: u32,
    dep: u32,
    /// Posts it had in the previous plan.
    prev: u32,
    /// Whether it may take more than one post (only worth it for floors, fixed posts or
    /// continuity: one post covers as much as ten).
    extras: bool,
}

/// Units covered by exactly the same engine sites.
#[derive(Debug, Clone)]
struct Group {
    need: f64,
    sites: Vec<u32>,
}

/// A unit of the p-median: its need and its (engine site, minutes) pairs.
#[derive(Debug, Clone)]
struct MedianUnit {
    need: f64,
    pairs: Vec<(u32, f64)>,
}

/// Whether a site is left to the solver or fixed by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fix {
    Free,
    Closed,
    Open,
}

/// The result of a covering solve.
#[derive(Debug, Clone)]
pub(crate) struct CoverResult {
    /// Posts per problem site.
    pub posts: Vec<u32>,
    /// The plan's value (people covered, posts or euros, person-minutes).
    pub objective: f64,
    /// The best bound: no plan does better.
    pub bound: f64,
    /// Sites fixed by reduced costs, of those the engine holds.
    pub fixed_sites: usize,
    /// Sites the engine holds.
    pub sites: usize,
    /// Whether the bound is the branch and cut's (else the LP's).
    pub from_mip: bool,
}

/// The covering model of one problem.
pub(crate) struct Engine<'p> {
    p: &'p Problem,
    sites: Vec<EngineSite>,
    groups: Vec<Group>,
    median: Vec<MedianUnit>,
    /// Previous posts at sites the engine cannot open: moved whatever it does.
    moved_outside: u32,
    /// Whether every post costs the same (the min-cost objective then counts posts).
    uniform_cost: bool,
    /// Problem sites the engine may open.
    eligible: Vec<bool>,
}

/// `HiGHS`'s model of a built problem (which moves into it, no copy), quiet, with its time
/// limit.
fn highs_model(built: &mut Built, sense: Sense, time_limit_s: f64) -> Result<highs::Model, SolveError> {
    let mut model = std::mem::take(&mut built.problem)
        .try_optimise(sense)
        .map_err(|e| SolveError::Solver(format!("HiGHS: {e:?}")))?;
    model.make_quiet();
    model.set_option("time_limit", time_limit_s.max(1.0));
    Ok(model)
}

/// The LP relaxation's value, and its open value and reduced cost per engine site (0 for a
/// site the model left out).
struct Relaxation {
    value: f64,
    x: Vec<f64>,
    reduced: Vec<f64>,
}

/// Rows and columns of one built model.
struct Built {
    problem: RowProblem,
    x: Vec<Option<Col>>,
    e: Vec<Option<Col>>,
    m: Vec<Option<Col>>,
    /// Cover or median demand columns with what they stand for.
    demand: Vec<(Col, Demand)>,
    /// Objective value the model does not see (groups covered by sites fixed open).
    constant: f64,
    columns: usize,
}

#[derive(Debug, Clone, Copy)]
enum Demand {
    /// y of a group.
    Group(usize),
    /// z of a median unit and one of its pairs.
    Assign(usize, usize),
}

impl<'p> Engine<'p> {
    /// The engine over the sites where `eligible` is true (and every site with fixed posts),
    /// counting a unit covered by a site within `within_min` minutes.
    pub(crate) fn new(p: &'p Problem, eligible: &[bool], within_min: f64) -> Self {
        let floors = !p.dep_floors.is_empty();
        // A site within reach of no unit with need covers nothing: only floors, fixed posts
        // or continuity can want it.
        let mut useful = vec![floors; p.sites.len()];
        for i in (0..p.unit_count()).filter(|&i| p.need[i] > 0.0) {
            for q in p.pairs_of(i).iter().filter(|q| f64::from(q.minutes) <= within_min) {
                useful[q.site as usize] = true;
            }
        }
        let prev = |j: usize| p.previous.as_ref().map_or(0, |v| v[j]);
        let mut index: Vec<Option<u32>> = vec![None; p.sites.len()];
        let mut sites = Vec::new();
        let mut moved_outside = 0;
        for (j, s) in p.sites.iter().enumerate() {
            let hi = s.max_posts.max(s.fixed_posts);
            if (eligible[j] && hi > 0 && (useful[j] || prev(j) > 0)) || s.fixed_posts > 0 {
                index[j] = Some(sites.len() as u32);
                let (lo, prev) = (s.fixed_posts, prev(j));
                sites.push(EngineSite {
                    site: j,
                    cost: s.cost_eur,
                    lo,
                    hi,
                    dep: s.dep,
                    prev,
                    extras: hi > 1 && (floors || lo > 1 || prev > 1),
                });
            } else {
                moved_outside += prev(j);
            }
        }
        let mut by_set: std::collections::BTreeMap<Vec<u32>, f64> = std::collections::BTreeMap::new();
        let mut median = Vec::new();
        for i in 0..p.unit_count() {
            if p.need[i] <= 0.0 {
                continue;
            }
            let mut pairs: Vec<(u32, f64)> = p
                .pairs_of(i)
                .iter()
                .filter(|q| f64::from(q.minutes) <= within_min)
                .filter_map(|q| index[q.site as usize].map(|k| (k, f64::from(q.minutes))))
                .collect();
            if pairs.is_empty() {
                continue;
            }
            pairs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            pairs.dedup_by_key(|q| q.0);
            *by_set.entry(pairs.iter().map(|q| q.0).collect()).or_default() += p.need[i];
            median.push(MedianUnit { need: p.need[i], pairs });
        }
        let groups = by_set.into_iter().map(|(sites, need)| Group { need, sites }).collect();
        let first = sites.first().map_or(0.0, |s| s.cost);
        let uniform_cost = sites.iter().all(|s| (s.cost - first).abs() <= 1e-9 * first.abs());
        Self { p, sites, groups, median, moved_outside, uniform_cost, eligible: eligible.to_vec() }
    }

    /// Need of the units the p-median serves (those with a site within reach).
    pub(crate) fn median_need(&self) -> f64 {
        self.median.iter().map(|u| u.need).sum()
    }

    /// Need the engine can cover at all (units with a site within reach).
    pub(crate) fn coverable_need(&self) -> f64 {
        self.groups.iter().map(|g| g.need).sum()
    }

    /// Units with need but no site within reach (left out of the p-median and p-center).
    pub(crate) fn unreachable_units(&self) -> usize {
        (0..self.p.unit_count()).filter(|&i| self.p.need[i] > 0.0).count() - self.median.len()
    }

    /// Cost of one post at engine site `k` in the min-cost objective: 1 when all posts cost
    /// the same (it counts posts), else euros.
    fn unit_cost(&self, k: usize) -> f64 {
        if self.uniform_cost { 1.0 } else { self.sites[k].cost }
    }

    /// Builds the model: `fix` per engine site, integer posts or their relaxation.
    fn build(&self, goal: Goal, fix: &[Fix], integer: bool) -> Built {
        let p = self.p;
        let mut pb = RowProblem::default();
        let mut columns = 0;
        let mut col = |pb: &mut RowProblem, cost: f64, lo: f64, hi: f64, int: bool| {
            columns += 1;
            pb.add_column_with_integrality(cost, lo..=hi, int)
        };
        let post_cost = |k: usize| match goal {
            Goal::MinCost { .. } => self.unit_cost(k),
            Goal::MaxCover | Goal::Median => 0.0,
        };
        let n = self.sites.len();
        let (mut x, mut e, mut m) = (vec![None; n], vec![None; n], vec![None; n]);
        let mut moves_left = i64::from(self.p.max_moves.unwrap_or(u32::MAX)) - i64::from(self.moved_outside);
        for (k, s) in self.sites.iter().enumerate() {
            if fix[k] == Fix::Closed {
                moves_left -= i64::from(s.prev);
                continue;
            }
            let open_lo = if fix[k] == Fix::Open || s.lo > 0 { 1.0 } else { 0.0 };
            x[k] = Some(col(&mut pb, post_cost(k), open_lo, 1.0, integer));
            if s.extras {
                let extra = col(&mut pb, post_cost(k), f64::from(s.lo.saturating_sub(1)), f64::from(s.hi - 1), integer);
                e[k] = Some(extra);
                pb.add_row(..=0.0, [(extra, 1.0), (x[k].expect("added"), -f64::from(s.hi - 1))]);
            }
            if s.prev > 0 && p.max_moves.is_some() {
                let moved = col(&mut pb, 0.0, 0.0, f64::from(s.prev), false);
                m[k] = Some(moved);
                let mut terms = vec![(moved, 1.0), (x[k].expect("added"), 1.0)];
                terms.extend(e[k].map(|c| (c, 1.0)));
                pb.add_row(f64::from(s.prev).., terms);
            }
        }
        let posts_of = |k: usize, w: f64| x[k].map(|c| (c, w)).into_iter().chain(e[k].map(|c| (c, w)));
        pb.add_row(..=f64::from(p.posts), (0..n).flat_map(|k| posts_of(k, 1.0)).collect::<Vec<_>>());
        let most_cost: f64 = self.sites.iter().map(|s| s.cost * f64::from(s.hi)).sum();
        if p.budget_eur < most_cost {
            pb.add_row(..=p.budget_eur, (0..n).flat_map(|k| posts_of(k, self.sites[k].cost)).collect::<Vec<_>>());
        }
        let deps: std::collections::BTreeSet<u32> = p.dep_floors.keys().chain(p.dep_caps.keys()).copied().collect();
        for d in deps {
            let lo = f64::from(p.dep_floors.get(&d).copied().unwrap_or(0));
            let hi = p.dep_caps.get(&d).map_or(f64::INFINITY, |&c| f64::from(c));
            let terms: Vec<(Col, f64)> =
                (0..n).filter(|&k| self.sites[k].dep == d).flat_map(|k| posts_of(k, 1.0)).collect();
            pb.add_row(lo..=hi, terms);
        }
        if p.max_moves.is_some() {
            pb.add_row(..=moves_left as f64, m.iter().flatten().map(|&c| (c, 1.0)).collect::<Vec<_>>());
        }
        let mut demand = Vec::new();
        let mut constant = 0.0;
        match goal {
            Goal::MaxCover | Goal::MinCost { .. } => {
                let mut covered_terms = Vec::new();
                for (g, group) in self.groups.iter().enumerate() {
                    if group.sites.iter().any(|&k| fix[k as usize] == Fix::Open || self.sites[k as usize].lo > 0) {
                        constant += group.need;
                        continue;
                    }
                    let open: Vec<(Col, f64)> =
                        group.sites.iter().filter_map(|&k| x[k as usize].map(|c| (c, -1.0))).collect();
                    if open.is_empty() {
                        continue;
                    }
                    let objective = if goal == Goal::MaxCover { group.need } else { 0.0 };
                    let y = col(&mut pb, objective, 0.0, 1.0, false);
                    let mut terms = open;
                    terms.push((y, 1.0));
                    pb.add_row(..=0.0, terms);
                    covered_terms.push((y, group.need));
                    demand.push((y, Demand::Group(g)));
                }
                if let Goal::MinCost { need } = goal {
                    pb.add_row((need - constant).., covered_terms);
                }
            }
            Goal::Median => {
                for (u, unit) in self.median.iter().enumerate() {
                    let mut assign = Vec::new();
                    for (q, &(k, minutes)) in unit.pairs.iter().enumerate() {
                        let Some(xk) = x[k as usize] else { continue };
                        let z = col(&mut pb, unit.need * minutes, 0.0, 1.0, false);
                        pb.add_row(..=0.0, [(z, 1.0), (xk, -1.0)]);
                        assign.push((z, 1.0));
                        demand.push((z, Demand::Assign(u, q)));
                    }
                    pb.add_row(1.0..=1.0, assign);
                }
            }
        }
        Built { problem: pb, x, e, m, demand, constant, columns }
    }

    /// The column values of the plan `posts` (per engine site) in `built`: a MIP start.
    fn start_values(&self, built: &Built, posts: &[u32]) -> Vec<f64> {
        let mut v = vec![0.0; built.columns];
        for (k, s) in self.sites.iter().enumerate() {
            let n = posts[k];
            if let Some(c) = built.x[k] {
                v[c.index()] = f64::from(n.min(1));
            }
            if let Some(c) = built.e[k] {
                v[c.index()] = f64::from(n.saturating_sub(1));
            }
            if let Some(c) = built.m[k] {
                v[c.index()] = f64::from(s.prev.saturating_sub(n));
            }
        }
        let mut best: Vec<Option<(usize, f64)>> = vec![None; self.median.len()];
        for (u, unit) in self.median.iter().enumerate() {
            best[u] = unit
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| posts[*k as usize] > 0)
                .min_by(|a, b| (a.1).1.total_cmp(&(b.1).1))
                .map(|(q, &(_, t))| (q, t));
        }
        for &(c, d) in &built.demand {
            v[c.index()] = match d {
                Demand::Group(g) => f64::from(u8::from(self.groups[g].sites.iter().any(|&k| posts[k as usize] > 0))),
                Demand::Assign(u, q) => f64::from(u8::from(best[u].is_some_and(|b| b.0 == q))),
            };
        }
        v
    }

    /// The value of a plan (posts per engine site), or `None` if a median unit is unserved or
    /// a min-cost target is missed.
    pub(crate) fn value(&self, goal: Goal, posts: &[u32]) -> Option<f64> {
        let covered = || -> f64 {
            self.groups.iter().filter(|g| g.sites.iter().any(|&k| posts[k as usize] > 0)).map(|g| g.need).sum()
        };
        match goal {
            Goal::MaxCover => Some(covered()),
            Goal::MinCost { need } => (covered() >= need * (1.0 - 1e-12))
                .then(|| posts.iter().enumerate().map(|(k, &n)| self.unit_cost(k) * f64::from(n)).sum()),
            Goal::Median => self.median.iter().try_fold(0.0, |acc, unit| {
                let t = unit.pairs.iter().filter(|(k, _)| posts[*k as usize] > 0).map(|q| q.1).reduce(f64::min)?;
                Some(acc + unit.need * t)
            }),
        }
    }

    /// Posts per engine site from a solved model's columns.
    fn posts_of(&self, built: &Built, cols: &[f64]) -> Vec<u32> {
        (0..self.sites.len())
            .map(|k| {
                let whole = |c: Option<Col>| c.map_or(0, |c| cols[c.index()].round().max(0.0) as u32);
                whole(built.x[k]) + whole(built.e[k])
            })
            .collect()
    }

    /// Posts per problem site from posts per engine site.
    pub(crate) fn problem_posts(&self, posts: &[u32]) -> Vec<u32> {
        let mut out = vec![0; self.p.sites.len()];
        for (s, &n) in self.sites.iter().zip(posts) {
            out[s.site] = n;
        }
        out
    }

    /// Posts per engine site from posts per problem site.
    pub(crate) fn engine_posts(&self, posts: &[u32]) -> Vec<u32> {
        self.sites.iter().map(|s| posts[s.site]).collect()
    }

    /// Solves `goal` exactly (or to the time limit), from the plan `start` (posts per
    /// problem site, feasible) if any.
    ///
    /// # Errors
    /// [`SolveError::Infeasible`] when no plan meets the limits; [`SolveError::Solver`] when
    /// `HiGHS` fails.
    pub(crate) fn solve(
        &self,
        goal: Goal,
        start: Option<&[u32]>,
        time_limit_s: f64,
    ) -> Result<CoverResult, SolveError> {
        let clock = std::time::Instant::now();
        let dominated = self.dominated(goal);
        let base: Vec<Fix> = dominated.iter().map(|d| if d.is_some() { Fix::Closed } else { Fix::Free }).collect();
        let dropped = dominated.iter().flatten().count();
        super::log::stage(&format!("cover: {dropped} of {} sites dominated", self.sites.len()), clock);
        let lp = self.relax(goal, &base, time_limit_s)?;
        super::log::stage(&format!("cover: LP relaxation {:.3}", lp.value), clock);
        let tol = 1e-7 * lp.value.abs().max(1.0);
        // Whole posts: the least cost is a whole number of posts.
        let whole = matches!(goal, Goal::MinCost { .. }) && self.uniform_cost;
        let lp_bound = if whole { (lp.value - 1e-6).ceil() } else { lp.value };
        // The support's branch and cut gets 70% of the time limit, or what the relaxation left.
        let support_s = (0.7 * time_limit_s).min(time_limit_s - clock.elapsed().as_secs_f64());
        let Some((mut best, mut best_value)) =
            self.first_plan(goal, start, (&lp, &dominated), lp_bound, support_s.max(1.0))
        else {
            // No plan from the heuristics: the whole MIP must find one.
            let left = (time_limit_s - clock.elapsed().as_secs_f64()).max(1.0);
            let (posts, value, bound) = self.mip(goal, &base, None, left, EXACT)?;
            return Ok(self.result(&posts, value, bound, 0, true));
        };
        super::log::stage(&format!("cover: first plan {best_value:.3}"), clock);
        if !goal.better(lp_bound, best_value, tol) {
            return Ok(self.result(&best, best_value, best_value, 0, false));
        }
        let fix = self.reduced_cost_fixes(&lp, &base, best_value, whole);
        let fixed = fix.iter().filter(|&&f| f != Fix::Free).count();
        super::log::stage(&format!("cover: {fixed} of {} sites fixed by reduced costs", self.sites.len()), clock);
        let left = (time_limit_s - clock.elapsed().as_secs_f64()).max(1.0);
        // Out of time without a better plan: the best known stands, bounded by the LP.
        let (posts, value, bound, from_mip) = match self.mip(goal, &fix, Some(&best), left, EXACT) {
            Err(SolveError::TimeLimit) => (best.clone(), best_value, lp_bound, false),
            other => {
                let (posts, value, bound) = other?;
                (posts, value, bound, true)
            }
        };
        if goal.better(value, best_value, 0.0) {
            (best, best_value) = (posts, value);
        }
        // The fixed model holds every plan better than the incumbent, so its bound holds for
        // all; it can be no better than the LP's.
        let bound = match goal.sense() {
            Sense::Maximise => bound.max(best_value).min(lp_bound),
            Sense::Minimise => bound.min(best_value).max(lp_bound),
        };
        super::log::stage(&format!("cover: MIP {best_value:.3}, bound {bound:.3}"), clock);
        Ok(self.result(&best, best_value, bound, fixed, from_mip))
    }

    /// The LP relaxation: its value, columns and reduced costs.
    fn relax(&self, goal: Goal, base: &[Fix], time_limit_s: f64) -> Result<Relaxation, SolveError> {
        let mut built = self.build(goal, base, false);
        let mut model = highs_model(&mut built, goal.sense(), time_limit_s)?;
        // The relaxation is large and degenerate: interior point (then crossover, for a
        // vertex and its reduced costs) beats simplex here.
        model.set_option("solver", "ipm");
        for (k, v) in super::lp::expert_options() {
            model.set_option(k.as_str(), v.as_str());
        }
        let solved = model.try_solve().map_err(|e| SolveError::Solver(format!("HiGHS LP: {e:?}")))?;
        match solved.status() {
            HighsModelStatus::Optimal => {}
            HighsModelStatus::Infeasible => return Err(self.infeasible(goal)),
            HighsModelStatus::ReachedTimeLimit => return Err(SolveError::TimeLimit),
            other => return Err(SolveError::Solver(format!("HiGHS LP ended with status {other:?}"))),
        }
        let sol = solved.get_solution();
        let x = |values: &[f64]| built.x.iter().map(|c| c.map_or(0.0, |c| values[c.index()])).collect();
        Ok(Relaxation {
            value: solved.objective_value() + built.constant,
            x: x(sol.columns()),
            reduced: x(sol.dual_columns()),
        })
    }

    /// The best of the plans the heuristics give: the start, the greedy cover (min-cost),
    /// the relaxation's most valued sites and their swaps (max-cover), and a branch and cut
    /// over the sites the relaxation uses, for `seconds` at most, unless one already meets
    /// the bound.
    fn first_plan(
        &self,
        goal: Goal,
        start: Option<&[u32]>,
        (lp, dominated): (&Relaxation, &[Option<u32>]),
        lp_bound: f64,
        seconds: f64,
    ) -> Option<(Vec<u32>, f64)> {
        let clock = std::time::Instant::now();
        let n = self.sites.len();
        let mut incumbent: Option<(Vec<u32>, f64)> = None;
        // A plan's dominated sites give way to the sites that dominate them (no worse).
        let offer = |mut posts: Vec<u32>, inc: &mut Option<(Vec<u32>, f64)>| {
            for k in 0..n {
                if let Some(d) = dominated[k]
                    && posts[k] > 0
                {
                    posts[k] = 0;
                    posts[d as usize] = posts[d as usize].max(1);
                }
            }
            if let Some(v) = self.feasible_value(goal, &posts)
                && inc.as_ref().is_none_or(|(_, b)| goal.better(v, *b, 0.0))
            {
                *inc = Some((posts, v));
            }
        };
        if let Some(s) = start {
            offer(self.engine_posts(s), &mut incumbent);
        }
        if let Goal::MinCost { need } = goal {
            // The greedy alone, and seeded with the sites the relaxation opens most.
            offer(self.greedy_cover(need, &vec![0.0; n], f64::INFINITY), &mut incumbent);
            for threshold in [0.99, 0.5, 0.25] {
                offer(self.greedy_cover(need, &lp.x, threshold), &mut incumbent);
            }
            super::log::stage(&format!("cover: greedy covers {:?}", incumbent.as_ref().map(|i| i.1)), clock);
        }
        if goal == Goal::MaxCover {
            // The sites the relaxation values most, as many as there are posts.
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| lp.x[b].total_cmp(&lp.x[a]).then(a.cmp(&b)));
            let mut posts = vec![0u32; n];
            for &k in order.iter().take(self.p.posts as usize) {
                posts[k] = 1;
            }
            // Then Teitz and Bart's swaps, while one covers more.
            let (swapped, value) = super::coverage::swap_coverage(self.p, &self.eligible, &self.problem_posts(&posts));
            super::log::stage(&format!("cover: LP-guided + swaps {value:.1}"), clock);
            offer(self.engine_posts(&swapped), &mut incumbent);
            offer(posts, &mut incumbent);
        }
        let tol = 1e-7 * lp_bound.abs().max(1.0);
        // The support's branch and cut finds better coverings; the greedy covers are as good as
        // it for min-posts (measured), whose time goes to the whole branch and cut instead.
        let wanted = incumbent.is_none()
            || (goal == Goal::MaxCover && incumbent.as_ref().is_some_and(|(_, v)| goal.better(lp_bound, *v, tol)));
        if wanted {
            let support: Vec<Fix> = (0..n)
                .map(|k| {
                    let used = incumbent.as_ref().is_some_and(|(posts, _)| posts[k] > 0);
                    if lp.x[k] > 1e-6 || used || self.sites[k].lo > 0 { Fix::Free } else { Fix::Closed }
                })
                .collect();
            let start = incumbent.as_ref().map(|(posts, _)| posts.clone());
            if let Ok((posts, _, _)) = self.mip(goal, &support, start.as_deref(), seconds, 1e-4) {
                offer(posts, &mut incumbent);
            }
            super::log::stage(&format!("cover: MIP over the LP support {:?}", incumbent.as_ref().map(|i| i.1)), clock);
        }
        incumbent
    }

    /// Reduced-cost fixing: flipping site k moves the LP value by at least its reduced cost,
    /// so a site whose flip cannot beat `best` (by a whole post when the objective counts
    /// posts) keeps its LP value.
    fn reduced_cost_fixes(&self, lp: &Relaxation, base: &[Fix], best: f64, whole: bool) -> Vec<Fix> {
        let tol = 1e-7 * lp.value.abs().max(1.0);
        let slack = (lp.value - best).abs();
        let needed = if whole { slack - 1.0 + 1e-6 } else { slack };
        self.sites
            .iter()
            .enumerate()
            .map(|(k, s)| {
                if base[k] == Fix::Closed {
                    Fix::Closed
                } else if s.lo > 0 || s.extras || lp.reduced[k].abs() <= needed + tol {
                    Fix::Free
                } else if lp.x[k] < 0.5 {
                    Fix::Closed
                } else {
                    Fix::Open
                }
            })
            .collect()
    }

    /// Dominated sites (Cordeau, Furini & Ljubić 2019; Lv et al. 2025's dominance reduction):
    /// site j is dominated by site k when k covers every group j covers, costs no more, sits in
    /// the same département when caps count posts by département, and j has no fixed, previous
    /// or extra posts. Some optimal plan then opens no dominated site (open k instead of j:
    /// nothing less is covered, nothing more is spent), so they are closed for the covering
    /// goals. Each dominated site names a site that dominates it and is not dominated itself
    /// (the relation is transitive; equal coverings give way to the lowest index). None for
    /// the p-median (times matter there, not only coverage) or when floors count posts.
    fn dominated(&self, goal: Goal) -> Vec<Option<u32>> {
        let n = self.sites.len();
        let mut out = vec![None; n];
        if goal == Goal::Median || !self.p.dep_floors.is_empty() {
            return out;
        }
        let covers = self.groups_by_site();
        let caps = !self.p.dep_caps.is_empty();
        let may_yield = |s: &EngineSite| s.lo == 0 && s.prev == 0 && !s.extras;
        for j in 0..n {
            let sj = &self.sites[j];
            if !may_yield(sj) {
                continue;
            }
            // The group of j that the fewest sites cover: every dominating site covers it.
            let Some(&rare) = covers[j].iter().min_by_key(|&&g| (self.groups[g as usize].sites.len(), g)) else {
                continue;
            };
            let subset = |k: usize| covers[j].iter().all(|g| covers[k].binary_search(g).is_ok());
            out[j] = self.groups[rare as usize]
                .sites
                .iter()
                .map(|&k| k as usize)
                .filter(|&k| {
                    k != j && (covers[k].len() > covers[j].len() || (covers[k].len() == covers[j].len() && k < j))
                })
                .filter(|&k| self.sites[k].cost <= sj.cost && (!caps || self.sites[k].dep == sj.dep))
                .find(|&k| subset(k))
                .map(|k| k as u32);
        }
        // Follow each chain to a site that is not dominated (strictly larger coverings or lower
        // indices: no cycle).
        for j in 0..n {
            let mut d = out[j];
            while let Some(k) = d.and_then(|k| out[k as usize]) {
                d = Some(k);
            }
            out[j] = d;
        }
        out
    }

    /// The groups each engine site covers, in increasing order.
    fn groups_by_site(&self) -> Vec<Vec<u32>> {
        let mut by_site: Vec<Vec<u32>> = vec![Vec::new(); self.sites.len()];
        for (g, group) in self.groups.iter().enumerate() {
            for &k in &group.sites {
                by_site[k as usize].push(g as u32);
            }
        }
        by_site
    }

    fn result(&self, posts: &[u32], objective: f64, bound: f64, fixed_sites: usize, from_mip: bool) -> CoverResult {
        CoverResult {
            posts: self.problem_posts(posts),
            objective,
            bound,
            fixed_sites,
            sites: self.sites.len(),
            from_mip,
        }
    }

    /// The value of `posts` if it meets every limit.
    fn feasible_value(&self, goal: Goal, posts: &[u32]) -> Option<f64> {
        let p = self.p;
        let total: u32 = posts.iter().sum();
        let cost: f64 = posts.iter().zip(&self.sites).map(|(&n, s)| f64::from(n) * s.cost).sum();
        let mut per_dep: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
        for (&n, s) in posts.iter().zip(&self.sites) {
            *per_dep.entry(s.dep).or_default() += n;
        }
        let moved =
            self.moved_outside + posts.iter().zip(&self.sites).map(|(&n, s)| s.prev.saturating_sub(n)).sum::<u32>();
        let ok = total <= p.posts
            && cost <= p.budget_eur * (1.0 + 1e-12)
            && posts.iter().zip(&self.sites).all(|(&n, s)| n >= s.lo && n <= s.hi && (n <= 1 || s.extras))
            && p.dep_floors.iter().all(|(d, &f)| per_dep.get(d).copied().unwrap_or(0) >= f)
            && p.dep_caps.iter().all(|(d, &c)| per_dep.get(d).copied().unwrap_or(0) <= c)
            && p.max_moves.is_none_or(|m| moved <= m);
        if ok { self.value(goal, posts) } else { None }
    }

    /// Branch and cut over the model with `fix`, from `start`: posts, value, dual bound.
    fn mip(
        &self,
        goal: Goal,
        fix: &[Fix],
        start: Option<&[u32]>,
        time_limit_s: f64,
        rel_gap: f64,
    ) -> Result<(Vec<u32>, f64, f64), SolveError> {
        let mut built = self.build(goal, fix, true);
        let mut model = highs_model(&mut built, goal.sense(), time_limit_s)?;
        model.set_option("mip_rel_gap", rel_gap);
        if let Some(start) = start {
            let values = self.start_values(&built, start);
            model
                .try_set_solution(Some(&values), None, None, None)
                .map_err(|e| SolveError::Solver(format!("HiGHS MIP start: {e:?}")))?;
        }
        let solved = model.try_solve().map_err(|e| SolveError::Solver(format!("HiGHS MIP: {e:?}")))?;
        match solved.status() {
            HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit => {}
            HighsModelStatus::Infeasible => return Err(self.infeasible(goal)),
            other => return Err(SolveError::Solver(format!("HiGHS MIP ended with status {other:?}"))),
        }
        let sol = solved.get_solution();
        if sol.columns().len() != built.columns {
            return Err(SolveError::TimeLimit);
        }
        let posts = self.posts_of(&built, sol.columns());
        let value = self.feasible_value(goal, &posts).ok_or(SolveError::TimeLimit)?;
        let bound = solved
            .double_info_value(c"mip_dual_bound")
            .map_err(|e| SolveError::Solver(format!("HiGHS MIP dual bound: {e:?}")))?
            + built.constant;
        Ok((posts, value, bound))
    }

    /// Why no plan meets the limits, in the words of the objective.
    fn infeasible(&self, goal: Goal) -> SolveError {
        let p = self.p;
        SolveError::Infeasible(match goal {
            Goal::MinCost { need } => {
                let total: f64 = p.need.iter().sum();
                format!(
                    "target: covering {:.1}% of the need takes more than the {} posts and {:.0} € allowed (with the other limits); \
                     the bound allows at most {:.1}% (need with a site within reach); raise posts (--posts) or budget_eur \
                     (--budget-eur), or lower the target",
                    100.0 * need / total,
                    p.posts,
                    p.budget_eur,
                    100.0 * self.coverable_need() / total
                )
            }
            Goal::Median => format!(
                "every commune with need must have a post within the bound, and {} posts cannot do it with the other limits; \
                 raise posts (--posts) or the bound (--bound)",
                p.posts
            ),
            Goal::MaxCover => {
                "no set of sites meets the limits (posts, budget, floors, caps, fixed posts, moves)".into()
            }
        })
    }
}

/// The p-center: the least worst travel time to the nearest open site, every unit with need
/// and a site within the bound served. Exact by bisection on the pairs' distinct times, each
/// step a set-covering feasibility question to the engine (Minieka's method); `whole` is the engine
/// over every pair.
///
/// # Errors
/// [`SolveError::Infeasible`] when even the bound cannot be met; as [`Engine::solve`].
pub(crate) fn solve_center(whole: &Engine, time_limit_s: f64) -> Result<CoverResult, SolveError> {
    let clock = std::time::Instant::now();
    let (p, eligible) = (whole.p, whole.eligible.as_slice());
    let all = whole.coverable_need();
    // Every unit needs at least its nearest site: the largest of those is a lower bound.
    let lowest =
        whole.median.iter().map(|u| u.pairs.iter().map(|q| q.1).fold(f64::INFINITY, f64::min)).fold(0.0, f64::max);
    let mut times: Vec<f64> =
        whole.median.iter().flat_map(|u| u.pairs.iter().map(|q| q.1)).filter(|&t| t >= lowest).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let feasible = |t: f64, start: Option<&[u32]>| -> Result<Option<CoverResult>, SolveError> {
        let engine = Engine::new(p, eligible, t);
        if engine.coverable_need() < all * (1.0 - 1e-12) {
            return Ok(None);
        }
        let left = (time_limit_s - clock.elapsed().as_secs_f64()).max(1.0);
        match engine.solve(Goal::MinCost { need: all }, start, left) {
            Ok(r) => Ok(Some(r)),
            Err(SolveError::Infeasible(_)) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let (mut lo, mut hi) = (0, times.len().saturating_sub(1));
    let mut best = feasible(times[hi], None)?.ok_or_else(|| whole.infeasible(Goal::Median))?;
    while lo < hi {
        let mid = usize::midpoint(lo, hi);
        super::log::stage(&format!("p-center: is {:.3} min within reach?", times[mid]), clock);
        match feasible(times[mid], None)? {
            Some(r) => {
                best = r;
                hi = mid;
            }
            None => lo = mid + 1,
        }
    }
    let engine_posts = whole.engine_posts(&best.posts);
    let worst = whole
        .median
        .iter()
        .map(|u| {
            u.pairs.iter().filter(|(k, _)| engine_posts[*k as usize] > 0).map(|q| q.1).fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max);
    Ok(CoverResult { objective: worst, bound: worst, from_mip: true, ..best })
}

impl Engine<'_> {
    /// Greedy set covering (Chvátal 1979): open the sites whose `seed` (their LP value) is
    /// at least `threshold`, then the site that covers the most uncovered need per euro
    /// (lazily re-evaluated: a site's gain only falls) until `need` is covered; then close
    /// every site the target can do without, the least seeded first.
    fn greedy_cover(&self, need: f64, seed: &[f64], threshold: f64) -> Vec<u32> {
        let n = self.sites.len();
        let by_site = self.groups_by_site();
        let mut count = vec![0u32; self.groups.len()];
        let mut posts = vec![0u32; n];
        let mut covered = 0.0;
        let open = |k: usize, posts: &mut Vec<u32>, count: &mut Vec<u32>| -> f64 {
            posts[k] = 1;
            let mut gained = 0.0;
            for &g in &by_site[k] {
                if count[g as usize] == 0 {
                    gained += self.groups[g as usize].need;
                }
                count[g as usize] += 1;
            }
            gained
        };
        for k in (0..n).filter(|&k| self.sites[k].lo > 0 || seed[k] >= threshold) {
            covered += open(k, &mut posts, &mut count);
            posts[k] = self.sites[k].lo.max(1);
        }
        let gain = |k: usize, count: &[u32]| -> f64 {
            by_site[k].iter().filter(|&&g| count[g as usize] == 0).map(|&g| self.groups[g as usize].need).sum::<f64>()
                / self.unit_cost(k)
        };
        let mut heap: std::collections::BinaryHeap<(Ordered, std::cmp::Reverse<usize>)> =
            (0..n).filter(|&k| posts[k] == 0).map(|k| (Ordered(gain(k, &count)), std::cmp::Reverse(k))).collect();
        let target = need * (1.0 - 1e-12);
        while covered < target {
            let Some((Ordered(g), std::cmp::Reverse(k))) = heap.pop() else { break };
            let now = gain(k, &count);
            if now <= 0.0 {
                continue;
            }
            if now < g && heap.peek().is_some_and(|top| top.0.0 > now) {
                heap.push((Ordered(now), std::cmp::Reverse(k)));
                continue;
            }
            covered += open(k, &mut posts, &mut count);
        }
        // Close each site the target can do without, the least seeded first (then by
        // decreasing index: deterministic).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| seed[a].total_cmp(&seed[b]).then(b.cmp(&a)));
        for k in order {
            if posts[k] != 1 || self.sites[k].lo > 0 {
                continue;
            }
            let lost: f64 =
                by_site[k].iter().filter(|&&g| count[g as usize] == 1).map(|&g| self.groups[g as usize].need).sum();
            if covered - lost >= target {
                covered -= lost;
                posts[k] = 0;
                for &g in &by_site[k] {
                    count[g as usize] -= 1;
                }
            }
        }
        posts
    }
}
