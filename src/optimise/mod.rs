//! Optimiser: places the posts. LP relaxation (`HiGHS`) for the bound, rounding for an
//! integer plan, a greedy baseline, and the best of them as the plan.

mod coverage;
mod greedy;
mod log;
mod lp;
mod measures;
mod problem;
mod round;

pub use measures::{DepMeasure, Measures, gini, measure};
pub use problem::{Decay, Objective, Pair, PlanParams, Problem, Segment, SiteSpec, build_problem, default_returns};

/// The optimiser could not produce a plan.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolveError {
    /// A constraint cannot be met; the message names it and by how much. Relax the scenario.
    #[error("infeasible scenario: {0}")]
    Infeasible(String),
    /// The LP solver failed. Check the problem size and the solver's message.
    #[error("LP solver: {0}")]
    Solver(String),
    /// The time limit ran out before the LP was solved to optimality. Raise `--time-limit-s`.
    #[error("the time limit ran out before the LP was solved")]
    TimeLimit,
}

/// Which method produced the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// LP relaxation rounded to integers (or greedy if better).
    Lp,
    /// Greedy only.
    Greedy,
}

/// An integer plan and its flows.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Posts per site.
    pub posts: Vec<u32>,
    /// Flow per problem pair, people.
    pub flows: Vec<f64>,
    /// Objective of the integer plan.
    pub objective: f64,
    /// LP relaxation bound (`None` with the greedy solver alone).
    pub lp_bound: Option<f64>,
    /// Where the plan comes from: `lp-rounding` or `greedy`.
    pub source: &'static str,
    /// Flow columns in the final relaxation LP.
    pub lp_columns: usize,
    /// Column-generation rounds of the relaxation.
    pub lp_rounds: usize,
}

impl Plan {
    /// Relative gap to the LP bound: (bound − objective) / bound.
    #[must_use]
    pub fn gap(&self) -> Option<f64> {
        self.lp_bound.map(|b| if b > 0.0 { ((b - self.objective) / b).max(0.0) } else { 0.0 })
    }
}

/// Checks limits that no plan can meet, naming the constraint and by how much.
///
/// # Errors
/// [`SolveError::Infeasible`].
pub fn check_feasible(p: &Problem) -> Result<(), SolveError> {
    let fixed: u32 = p.sites.iter().map(|s| s.fixed_posts).sum();
    let fixed_cost: f64 = p.sites.iter().map(|s| s.cost_eur * f64::from(s.fixed_posts)).sum();
    if fixed > p.posts {
        return Err(SolveError::Infeasible(format!(
            "posts: {fixed} posts are already placed (fixed) but only {} are available, {} too many",
            p.posts,
            fixed - p.posts
        )));
    }
    if fixed_cost > p.budget_eur + 1e-6 {
        return Err(SolveError::Infeasible(format!(
            "budget: fixed posts cost {fixed_cost:.0} € but the budget is {:.0} €, {:.0} € over",
            p.budget_eur,
            fixed_cost - p.budget_eur
        )));
    }
    let floors: u32 = p.dep_floors.values().sum();
    if floors > p.posts {
        return Err(SolveError::Infeasible(format!(
            "département floors: they add up to {floors} posts but only {} are available, {} short",
            p.posts,
            floors - p.posts
        )));
    }
    for (&d, &floor) in &p.dep_floors {
        if let Some(&cap) = p.dep_caps.get(&d)
            && floor > cap
        {
            return Err(SolveError::Infeasible(format!(
                "département {}: floor {floor} above cap {cap}",
                p.deps[d as usize]
            )));
        }
        let room: u32 = p.sites.iter().filter(|s| s.dep == d).map(|s| s.max_posts).sum();
        if room < floor {
            return Err(SolveError::Infeasible(format!(
                "département {}: floor {floor} but its sites can host only {room} posts",
                p.deps[d as usize]
            )));
        }
    }
    for (&d, &cap) in &p.dep_caps {
        let fixed_d: u32 = p.sites.iter().filter(|s| s.dep == d).map(|s| s.fixed_posts).sum();
        if fixed_d > cap {
            return Err(SolveError::Infeasible(format!(
                "département {}: {fixed_d} fixed posts above its cap of {cap}, {} too many",
                p.deps[d as usize],
                fixed_d - cap
            )));
        }
    }
    Ok(())
}

/// Solves the problem with `method`.
///
/// # Errors
/// [`SolveError`] when the scenario is infeasible or the solver fails.
pub fn solve(p: &Problem, method: Method) -> Result<Plan, SolveError> {
    check_feasible(p)?;
    if p.objective == problem::Objective::Coverage {
        return solve_coverage_plan(p, method);
    }
    let clock = std::time::Instant::now();
    let greedy = greedy::greedy_posts(p)?;
    log::stage("greedy", clock);
    let greedy_plan = |note: &'static str| Plan {
        objective: greedy.objective,
        lp_columns: 0,
        lp_rounds: 0,
        posts: greedy.posts.clone(),
        flows: greedy.flows.clone(),
        lp_bound: None,
        source: note,
    };
    if method == Method::Greedy {
        return Ok(greedy_plan("greedy"));
    }
    let deadline = clock + std::time::Duration::from_secs_f64(p.time_limit_s);
    let relaxed = match lp::solve_flows(p, lp::Posts::Relaxed, None, Some(deadline)) {
        Ok(r) => r,
        Err(SolveError::TimeLimit) => return Ok(greedy_plan("greedy (LP bound not reached within the time limit)")),
        Err(e) => return Err(e),
    };
    log::stage("LP relaxation", clock);
    let rounded_x = round::round_posts(p, &relaxed.posts)?;
    // The relaxation's columns are a good start for the flows of the rounded plan.
    let rounded = match lp::solve_flows(p, lp::Posts::Fixed(&rounded_x), Some(&relaxed.active), Some(deadline)) {
        Ok(r) => r,
        Err(SolveError::TimeLimit) => {
            let mut plan = greedy_plan("greedy (rounded LP plan not evaluated within the time limit)");
            plan.lp_bound = Some(relaxed.bound.max(greedy.objective));
            plan.lp_columns = relaxed.columns;
            plan.lp_rounds = relaxed.rounds;
            return Ok(plan);
        }
        Err(e) => return Err(e),
    };
    log::stage("rounded plan evaluated (flow LP)", clock);
    let bound = relaxed.bound.max(rounded.objective);
    // Keep the better integer plan; the greedy one is a valid incumbent too.
    let (posts, flows, objective, source) = if rounded.objective + 1e-9 >= greedy.objective {
        (rounded_x, rounded.flows, rounded.objective, "lp-rounding")
    } else {
        (greedy.posts, greedy.flows, greedy.objective, "greedy")
    };
    Ok(Plan {
        objective,
        lp_columns: relaxed.columns,
        lp_rounds: relaxed.rounds,
        posts,
        flows,
        lp_bound: Some(bound),
        source,
    })
}

fn solve_coverage_plan(p: &Problem, method: Method) -> Result<Plan, SolveError> {
    let (open, objective, lp_bound, source) = if method == Method::Greedy {
        let (open, value) = coverage::greedy_coverage(p, &p.coverage_eligible);
        (open, value, None, "mclp-greedy")
    } else {
        let c = coverage::solve_coverage(p, &p.coverage_eligible, p.time_limit_s)?;
        (c.open, c.objective, Some(c.lp_bound), "mclp")
    };
    // The same measures as every plan: capacitated flows of the open sites.
    let flows = lp::solve_flows(p, lp::Posts::Fixed(&open), None, None)?;
    Ok(Plan {
        objective,
        lp_columns: flows.columns,
        lp_rounds: flows.rounds,
        posts: open,
        flows: flows.flows,
        lp_bound,
        source,
    })
}
