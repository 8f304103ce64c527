//! The linear program: built with `good_lp`, solved with `HiGHS`, over a growing set of flow
//! columns (column generation: start with each unit's best pairs, add the pairs whose
//! reduced cost says they help, until none does). Also evaluates a fixed integer plan.

use super::settings::SETTINGS;
use good_lp::solvers::DualValues;
use good_lp::solvers::highs::highs;
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolutionWithDual, SolverModel, Variable, variable,
};

use super::{Problem, SolveError};

/// Posts per site: either free in [fixed, max] (the relaxation) or fixed to a plan.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Posts<'a> {
    /// Continuous posts, the LP relaxation.
    Relaxed,
    /// Posts fixed to these integers.
    Fixed(&'a [u32]),
}

/// An optimal flow solution over the full pair set.
#[derive(Debug, Clone)]
pub(crate) struct FlowSolution {
    /// Objective value (achieved by `posts` and `flows`).
    pub objective: f64,
    /// Upper bound on the objective over every pair: the objective plus what the columns
    /// not generated could add at most (each unit's need × its best reduced cost).
    pub bound: f64,
    /// Posts per site (fractional in the relaxation).
    pub posts: Vec<f64>,
    /// Flow per pair of the problem (people), zero for pairs never generated.
    pub flows: Vec<f64>,
    /// Flow columns in the final LP.
    pub columns: usize,
    /// Rounds of column generation.
    pub rounds: usize,
    /// Pair indices in the final LP, per unit.
    pub active: Vec<Vec<usize>>,
    /// Duals of the need rows (value of one more person of need served, per unit).
    pub need_dual: Vec<f64>,
    /// Duals of the weighted-service rows (value of one more weighted person, per unit).
    pub link_dual: Vec<f64>,
    /// Duals of the capacity rows (value of one more person of capacity, per site).
    pub cap_dual: Vec<f64>,
}

/// Solves the attendance LP (relaxed or with fixed posts) to optimality over all pairs.
/// Solves the attendance LP; `deadline` bounds the time spent (`HiGHS` is told the time left,
/// and [`SolveError::TimeLimit`] is returned when it runs out before optimality).
pub(crate) fn solve_flows(
    p: &Problem,
    posts: Posts<'_>,
    start: Option<&[Vec<usize>]>,
    deadline: Option<std::time::Instant>,
) -> Result<FlowSolution, SolveError> {
    let n_units = p.unit_count();
    // Start from the given columns, or from each unit's highest-weight pairs.
    // With posts fixed, only pairs to sites with posts (or existing capacity) can carry flow.
    let usable = |k: usize| match posts {
        Posts::Relaxed => true,
        Posts::Fixed(v) => {
            let j = p.pairs[k].site as usize;
            v[j] > 0 || p.sites[j].existing_capacity > 0.0
        }
    };
    let mut active: Vec<Vec<usize>> = if let Some(s) = start {
        s.iter().map(|cols| cols.iter().copied().filter(|&k| usable(k)).collect()).collect()
    } else if matches!(posts, Posts::Fixed(_)) {
        (0..n_units).map(|i| (p.unit_offsets[i]..p.unit_offsets[i + 1]).filter(|&k| usable(k)).collect()).collect()
    } else {
        (0..n_units)
            .map(|i| {
                let base = p.unit_offsets[i];
                let mut idx: Vec<usize> = (base..p.unit_offsets[i + 1]).collect();
                idx.sort_by(|&a, &b| p.pairs[b].weight.total_cmp(&p.pairs[a].weight).then(a.cmp(&b)));
                idx.truncate(SETTINGS.lp_initial_pairs_per_unit);
                idx.sort_unstable();
                idx
            })
            .collect()
    };
    let mut rounds = 0;
    loop {
        rounds += 1;
        let clock = std::time::Instant::now();
        let solved = solve_restricted(p, posts, &active, deadline)?;
        let mut added = 0;
        let mut missing = 0.0;
        for (i, cols) in active.iter_mut().enumerate() {
            let (pi, lambda) = (solved.need_dual[i], solved.link_dual[i]);
            let mut candidates: Vec<(f64, usize)> = (p.unit_offsets[i]..p.unit_offsets[i + 1])
                .filter(|&k| usable(k) && cols.binary_search(&k).is_err())
                .map(|k| (p.pairs[k].weight * lambda - pi - solved.cap_dual[p.pairs[k].site as usize], k))
                .filter(|(rc, _)| *rc > SETTINGS.lp_pricing_tolerance)
                .collect();
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            // Flows out of unit i add up to at most its need: that bounds what they can add.
            missing += p.need[i] * candidates.first().map_or(0.0, |c| c.0);
            if rounds < SETTINGS.lp_max_rounds {
                for &(_, k) in candidates.iter().take(SETTINGS.lp_pairs_added_per_unit) {
                    cols.push(k);
                    added += 1;
                }
                cols.sort_unstable();
            }
        }
        super::log::stage(
            &format!(
                "  column generation round {rounds}: objective {:.1}, missing columns could add {missing:.1}, {added} added",
                solved.objective
            ),
            clock,
        );
        if added == 0 || missing <= SETTINGS.lp_bound_tolerance * solved.objective.abs() {
            return Ok(solved.into_solution(p, &active, rounds, missing));
        }
    }
}

struct Restricted {
    objective: f64,
    posts: Vec<f64>,
    flow_values: Vec<Vec<f64>>,
    need_dual: Vec<f64>,
    link_dual: Vec<f64>,
    cap_dual: Vec<f64>,
}

impl Restricted {
    fn into_solution(self, p: &Problem, active: &[Vec<usize>], rounds: usize, missing: f64) -> FlowSolution {
        let mut flows = vec![0.0; p.pairs.len()];
        let mut columns = 0;
        for (cols, vals) in active.iter().zip(&self.flow_values) {
            for (&k, &v) in cols.iter().zip(vals) {
                flows[k] = v;
                columns += 1;
            }
        }
        FlowSolution {
            objective: self.objective,
            bound: self.objective + missing,
            posts: self.posts,
            flows,
            columns,
            rounds,
            active: active.to_vec(),
            need_dual: self.need_dual,
            link_dual: self.link_dual,
            cap_dual: self.cap_dual,
        }
    }
}

/// The attendance model over the `active` pairs, built with `good_lp` for `HiGHS`: its variables
/// (posts `x`, flows `z` per unit in `active` order, served segments `u` per unit) and rows.
pub(crate) struct Model {
    pub problem: good_lp::solvers::highs::HighsProblem,
    pub x: Vec<Variable>,
    pub z: Vec<Vec<Variable>>,
    pub u: Vec<Vec<Variable>>,
    need_rows: Vec<good_lp::constraint::ConstraintReference>,
    link_rows: Vec<good_lp::constraint::ConstraintReference>,
    cap_rows: Vec<good_lp::constraint::ConstraintReference>,
}

/// Builds the model; `integer` makes the posts integer variables (the MIP), which only makes
/// sense with [`Posts::Relaxed`] bounds and every pair active.
pub(crate) fn build_model(p: &Problem, posts: Posts<'_>, active: &[Vec<usize>], integer: bool) -> Model {
    let segments = p.segments();
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = p
        .sites
        .iter()
        .enumerate()
        .map(|(j, s)| match posts {
            Posts::Relaxed => {
                let v = variable().min(f64::from(s.fixed_posts)).max(f64::from(s.max_posts.max(s.fixed_posts)));
                vars.add(if integer { v.integer() } else { v })
            }
            Posts::Fixed(v) => vars.add(variable().min(f64::from(v[j])).max(f64::from(v[j]))),
        })
        .collect();
    let z: Vec<Vec<Variable>> =
        active.iter().map(|cols| cols.iter().map(|_| vars.add(variable().min(0.0))).collect()).collect();
    let u: Vec<Vec<Variable>> = p
        .need
        .iter()
        .map(|&need| segments.iter().map(|s| vars.add(variable().min(0.0).max(s.share * need))).collect())
        .collect();
    let mut objective = Expression::default();
    for row in &u {
        for (var, s) in row.iter().zip(&segments) {
            objective.add_mul(s.value, var);
        }
    }
    let mut model = vars.maximise(objective).using(highs).set_option("presolve", "on");
    // Interior point for the relaxation: its duals are central, so column generation prices
    // the right pairs and stops in a few rounds (simplex's degenerate vertex duals kept
    // column generation going to its round limit). With posts fixed the flow LP is a
    // transportation problem that dual simplex solves several times faster, unless every pair
    // weighs the same (step decay): then any site with room serves a unit as well as another,
    // the vertices are massively degenerate and simplex stalls where interior point does not
    // (docs/optimiser.md has the times).
    if matches!(posts, Posts::Relaxed) || p.uniform_weights() {
        model = model.set_option("solver", "ipm");
    }
    for (k, v) in expert_options() {
        model = model.set_option(&k, v.as_str());
    }

    let mut site_flow: Vec<Expression> = vec![Expression::default(); p.sites.len()];
    let mut need_rows = Vec::with_capacity(active.len());
    let mut link_rows = Vec::with_capacity(active.len());
    for (i, cols) in active.iter().enumerate() {
        let mut served = Expression::default();
        let mut weighted = Expression::default();
        for (&k, var) in cols.iter().zip(&z[i]) {
            served.add_mul(1.0, var);
            weighted.add_mul(-p.pairs[k].weight, var);
            site_flow[p.pairs[k].site as usize].add_mul(1.0, var);
        }
        need_rows.push(model.add_constraint(served.leq(p.need[i])));
        for var in &u[i] {
            weighted.add_mul(1.0, var);
        }
        link_rows.push(model.add_constraint(weighted.leq(0.0)));
    }
    let mut cap_rows = Vec::with_capacity(p.sites.len());
    for (j, flow) in site_flow.into_iter().enumerate() {
        let mut e = flow;
        e.add_mul(-p.capacity_per_post, x[j]);
        cap_rows.push(model.add_constraint(e.leq(p.sites[j].existing_capacity)));
    }
    if matches!(posts, Posts::Relaxed) {
        model = add_placement_rows(model, p, active, &x, &z);
    }
    Model { problem: model, x, z, u, need_rows, link_rows, cap_rows }
}

fn solve_restricted(
    p: &Problem,
    posts: Posts<'_>,
    active: &[Vec<usize>],
    deadline: Option<std::time::Instant>,
) -> Result<Restricted, SolveError> {
    let clock = std::time::Instant::now();
    let segments = p.segments();
    let Model { problem: mut model, x, z, u, need_rows, link_rows, cap_rows } = build_model(p, posts, active, false);
    super::log::stage("    model built", clock);
    if let Some(deadline) = deadline {
        let left = deadline.saturating_duration_since(std::time::Instant::now()).as_secs_f64();
        if left <= 0.0 {
            return Err(SolveError::TimeLimit);
        }
        model = model.set_time_limit(left);
    }
    let mut solution = model.solve().map_err(|e| match e {
        ResolutionError::Infeasible => SolveError::Infeasible("the linear program has no solution".into()),
        _ if deadline.is_some_and(|d| std::time::Instant::now() >= d) => SolveError::TimeLimit,
        other => SolveError::Solver(other.to_string()),
    })?;
    // Only an optimal solution gives valid duals, hence a valid bound.
    if !matches!(solution.status(), good_lp::solvers::SolutionStatus::Optimal) {
        return Err(SolveError::TimeLimit);
    }
    let objective = u.iter().flat_map(|row| row.iter().zip(&segments).map(|(v, s)| s.value * solution.value(*v))).sum();
    let posts_v: Vec<f64> = x.iter().map(|v| solution.value(*v)).collect();
    let flow_values: Vec<Vec<f64>> =
        z.iter().map(|row| row.iter().map(|v| solution.value(*v).max(0.0)).collect()).collect();
    super::log::stage("    solved", clock);
    let duals = solution.compute_dual();
    // Duals of `≤` rows in a maximisation are non-negative; HiGHS may report them negated.
    let need_dual = need_rows.iter().map(|r| duals.dual(r.clone()).abs()).collect();
    let link_dual = link_rows.iter().map(|r| duals.dual(r.clone()).abs()).collect();
    let cap_dual = cap_rows.iter().map(|r| duals.dual(r.clone()).abs()).collect();
    Ok(Restricted { objective, posts: posts_v, flow_values, need_dual, link_dual, cap_dual })
}

/// Rows that only the relaxation has (posts are variables there): the strong
/// facility-location rows, posts, budget and département floors and caps.
fn add_placement_rows(
    mut model: good_lp::solvers::highs::HighsProblem,
    p: &Problem,
    active: &[Vec<usize>],
    x: &[Variable],
    z: &[Vec<Variable>],
) -> good_lp::solvers::highs::HighsProblem {
    // Strong formulation: a unit cannot draw more from a site than the site's share of
    // one post could give it (z_ij ≤ min(need_i, capacity) · x_j). Without it the
    // relaxation spreads hundredths of a post over every village and its bound is weak.
    for (i, cols) in active.iter().enumerate() {
        let limit = p.need[i].min(p.capacity_per_post);
        for (&k, var) in cols.iter().zip(&z[i]) {
            let site = p.pairs[k].site as usize;
            model = model.with(Expression::from(*var).leq(limit * x[site]));
        }
    }
    let total: Expression = x.iter().copied().sum();
    model = model.with(total.leq(f64::from(p.posts)));
    // In units of the dearest post: euros (5e4 per post) would leave the matrix badly scaled.
    let unit_eur = p.sites.iter().map(|s| s.cost_eur).fold(1.0, f64::max);
    let mut cost = Expression::default();
    for (var, s) in x.iter().zip(&p.sites) {
        cost.add_mul(s.cost_eur / unit_eur, var);
    }
    model = model.with(cost.leq(p.budget_eur / unit_eur));
    for (&d, &floor) in &p.dep_floors {
        let e: Expression = x.iter().zip(&p.sites).filter(|(_, s)| s.dep == d).map(|(v, _)| *v).sum();
        model = model.with(e.geq(f64::from(floor)));
    }
    for (&d, &cap) in &p.dep_caps {
        let e: Expression = x.iter().zip(&p.sites).filter(|(_, s)| s.dep == d).map(|(v, _)| *v).sum();
        model = model.with(e.leq(f64::from(cap)));
    }
    model
}

/// Expert knob for profiling, read by every `HiGHS` model the optimiser builds:
/// `MAILLAGE_HIGHS_OPTS="solver=simplex,run_crossover=off"`.
pub(super) fn expert_options() -> Vec<(String, String)> {
    std::env::var("MAILLAGE_HIGHS_OPTS")
        .map(|opts| {
            opts.split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}
