//! Optimiser: places the posts. A greedy plan, its optimal flows (`HiGHS`), a local search on
//! regions, the exact LP relaxation and its rounding on small instances, a Lagrangian bound at
//! any size, and with `--solver mip` branch and cut over a kernel of sites (by département at
//! scale). The plan is the best found; its bound the lowest valid one.

mod cover;
mod coverage;
mod decompose;
mod greedy;
mod lagrange;
mod log;
mod lp;
mod marginal;
mod measures;
mod mip;
mod plan;
mod problem;
mod round;
mod search;
mod settings;
mod site_major;

pub use marginal::{DepMarginal, marginal_posts};
pub use measures::{DepMeasure, Measures, gini, measure};
pub use plan::{BoundSource, Plan, PlanSource};
pub use problem::{Decay, Objective, Pair, PlanParams, Problem, Segment, SiteSpec, build_problem, default_returns};
pub use settings::{SETTINGS, Settings};

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
    /// The chosen method cannot do what the scenario asks; the message says what to do.
    #[error("{0}")]
    Unsupported(String),
}

/// How the plan is solved (`--solver`, scenario key `solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Greedy posts, optimal flows (HiGHS), local search, LP or Lagrangian bound; never worse
    /// than greedy.
    #[default]
    Lp,
    /// The greedy plan alone, no bound.
    Greedy,
    /// lp, then HiGHS's branch and cut within the time limit: over the sites the relaxation
    /// and the plan use, then over every site (a bound that sees whole posts); above 400,000
    /// pairs, one département at a time.
    Mip,
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
    solve_point(p, method, None)
}

/// What the points of one sweep of posts or money share (`maillage frontier`): one greedy
/// run, taken further from one point to the next (the plan at n posts is exactly the greedy's
/// with `posts = n`, see [`greedy::GreedyRun`]); and each point's Lagrangian bound takes
/// [`SETTINGS.sweep_lagrange_iterations`] steps (a point's bound is a little higher than a
/// single plan's: docs/covering.md, the figures). Points are solved in increasing posts; the
/// same sweep gives the same plans and bounds on any machine.
pub struct Sweep<'p> {
    greedy: Option<greedy::GreedyRun<'p>>,
}

impl<'p> Sweep<'p> {
    /// A sweep whose points are `largest` with fewer posts or less money (and nothing else
    /// changed). The greedy is shared when every post costs the same and there is no previous
    /// plan; otherwise each point runs its own.
    ///
    /// # Errors
    /// [`SolveError::Infeasible`] when the floors cannot be met.
    pub fn new(largest: &'p Problem) -> Result<Self, SolveError> {
        let shared = !largest.objective.is_covering() && largest.previous.is_none() && largest.budget_posts().is_some();
        let greedy = if shared { Some(greedy::GreedyRun::new(largest)?) } else { None };
        Ok(Self { greedy })
    }

    /// Solves one point of the sweep (`p`: the sweep's problem with its own posts and budget),
    /// as [`solve`] does but from the shared work.
    ///
    /// # Errors
    /// As [`solve`].
    pub fn solve(&mut self, p: &Problem, method: Method) -> Result<Plan, SolveError> {
        solve_point(p, method, Some(self))
    }

    /// The greedy plan of `p` from the shared run, if it can give it (one cost per post, at
    /// least as many posts as the run has placed).
    fn greedy_plan(&mut self, p: &Problem) -> Option<greedy::GreedyPlan> {
        let posts = p.budget_posts()?;
        let run = self.greedy.as_mut()?;
        (p.previous.is_none() && posts >= run.placed()).then(|| run.advance_to(posts))
    }
}

fn solve_point(p: &Problem, method: Method, mut sweep: Option<&mut Sweep>) -> Result<Plan, SolveError> {
    check_feasible(p)?;
    if p.objective.is_covering() {
        return solve_coverage_plan(p, method);
    }
    check_method(p, method)?;
    let clock = std::time::Instant::now();
    let previous = match &p.previous {
        Some(prev) => Some(check_previous(p, prev)?),
        None => None,
    };
    let greedy = match sweep.as_deref_mut().and_then(|s| s.greedy_plan(p)) {
        Some(g) => g,
        None => greedy_start(p, previous.as_deref())?,
    };
    log::stage("greedy", clock);
    let greedy_plan = |note: PlanSource| Plan {
        objective: greedy.objective,
        lp_columns: 0,
        lp_rounds: 0,
        lagrange_iterations: 0,
        posts: greedy.posts.clone(),
        flows: greedy.flows.clone(),
        bound: None,
        bound_source: None,
        source: note,
        previous_objective: None,
        posts_moved: previous
            .as_ref()
            .map(|prev| search::MoveLimit { previous: prev, max_moves: 0 }.moved(&greedy.posts)),
    };
    if method == Method::Greedy {
        return Ok(greedy_plan(PlanSource::Greedy));
    }
    // The time limit is the LP and MIP solves' budget: it starts after the greedy.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs_f64(p.time_limit_s);
    let sm = lagrange::SiteMajor::new(p);
    let iterations =
        if sweep.is_some() { SETTINGS.sweep_lagrange_iterations } else { SETTINGS.lagrange_max_iterations };
    let (reflowed, early) = reflow(p, &sm, &greedy, iterations, deadline);
    let reflowed = match reflowed {
        Ok(r) => r,
        Err(SolveError::TimeLimit) => {
            let lag = early.or_else(|| greedy_lagrangian(p, &sm, &greedy, iterations));
            return Ok(with_bound(greedy_plan(PlanSource::GreedyNotReflowed), lag, clock));
        }
        Err(e) => return Err(e),
    };
    log::stage("greedy posts, optimal flows", clock);
    // Local search: move posts where the flow duals say they are worth more. Its work is
    // counted (rounds, rejections), not timed, so that a plan does not depend on the machine;
    // above SETTINGS.search_max_pairs each verification costs seconds and it is skipped (nationally it
    // found nothing in the time a round takes). The deadline is only a safety net.
    let limit =
        previous.as_ref().map(|prev| search::MoveLimit { previous: prev, max_moves: p.max_moves.unwrap_or(u32::MAX) });
    let previous_objective = match &previous {
        Some(prev) if prev != &greedy.posts => Some(lp::solve_flows(p, lp::Posts::Fixed(prev), None, None)?.objective),
        Some(_) => Some(reflowed.objective),
        None => None,
    };
    let improved = if p.pairs.len() <= SETTINGS.search_max_pairs || limit.is_some() {
        search::improve(p, &sm, greedy.posts.clone(), reflowed, limit, deadline)?
    } else {
        search::Improved { posts: greedy.posts.clone(), flows: reflowed, moves: 0 }
    };
    log::stage(&format!("local search: {} posts moved", improved.moves), clock);
    let source = if improved.moves > 0 { PlanSource::GreedyLocalSearch } else { PlanSource::GreedyLpFlows };
    let mut best = Incumbent { posts: improved.posts, flows: improved.flows, source };
    let Bounds { mut bound, mut bound_source, lp_columns, lp_rounds, lagrange_iterations, support } =
        bounds(p, &sm, &mut best, early, (limit.is_none(), iterations), deadline, clock)?;
    if method == Method::Mip {
        improve_with_mip(p, &sm, &mut best, &support, (&mut bound, &mut bound_source), deadline, clock)?;
    }
    Ok(Plan {
        objective: best.flows.objective,
        lp_columns,
        lp_rounds,
        lagrange_iterations,
        previous_objective,
        posts_moved: limit.map(|l| l.moved(&best.posts)),
        posts: best.posts,
        flows: best.flows.flows,
        bound: bound.is_finite().then_some(bound.max(best.flows.objective)),
        bound_source: bound.is_finite().then_some(bound_source),
        source: best.source,
    })
}

/// The greedy plan; with a previous plan, its posts are kept as a start (the extra posts, if
/// any, placed greedily around them) and the local search may later move some of them.
fn greedy_start(p: &Problem, previous: Option<&[u32]>) -> Result<greedy::GreedyPlan, SolveError> {
    let Some(prev) = previous else { return greedy::greedy_posts(p) };
    let mut kept = p.clone();
    for (s, &x) in kept.sites.iter_mut().zip(prev.iter()) {
        s.fixed_posts = s.fixed_posts.max(x);
        s.max_posts = s.max_posts.max(x);
    }
    greedy::greedy_posts(&kept)
}

/// The best upper bound found on every integer plan, and the sites the relaxations use.
struct Bounds {
    bound: f64,
    bound_source: BoundSource,
    lp_columns: usize,
    lp_rounds: usize,
    lagrange_iterations: usize,
    support: Vec<bool>,
}

/// Small instances: the exact relaxation (column generation) and its rounding, which may
/// improve `best` (not with a previous plan: rounding knows nothing of the moves). Any size:
/// a Lagrangian bound on every integer plan (whole posts), from `early` or the incumbent's
/// duals. Its work is a count of steps, never cut by the deadline: the bound printed and
/// written must not depend on the machine.
fn bounds(
    p: &Problem,
    sm: &lagrange::SiteMajor,
    best: &mut Incumbent,
    early: Option<lagrange::LagrangeBound>,
    (may_round, iterations): (bool, usize),
    deadline: std::time::Instant,
    clock: std::time::Instant,
) -> Result<Bounds, SolveError> {
    let (bound, lp_columns, lp_rounds, support) = if p.pairs.len() <= SETTINGS.exact_lp_max_pairs {
        exact_relaxation(p, best, may_round, deadline, clock)?
    } else {
        (f64::INFINITY, 0, 0, vec![false; p.sites.len()])
    };
    let mut b = Bounds { bound, bound_source: BoundSource::Lp, lp_columns, lp_rounds, lagrange_iterations: 0, support };
    if !b.bound.is_finite() || b.bound - best.flows.objective > SETTINGS.lagrange_target_gap * b.bound {
        let f = &best.flows;
        if let Some(lag) = early.or_else(|| lagrangian(p, sm, f.objective, (&f.need_dual, &f.link_dual), iterations)) {
            if lag.bound < b.bound {
                (b.bound, b.bound_source) = (lag.bound, BoundSource::Lagrangian);
            }
            b.lagrange_iterations = lag.iterations;
            b.support.iter_mut().zip(lag.support).for_each(|(s, l)| *s |= l);
        }
        log::stage("Lagrangian bound", clock);
    }
    Ok(b)
}

/// The greedy posts with their best flows (an LP with the posts fixed). Above
/// [`SETTINGS.exact_lp_max_pairs`] the bound is the Lagrangian's whatever happens next, so it runs
/// beside that LP, from prices read off the greedy's flows ([`greedy_lagrangian`]): HiGHS's
/// dual simplex holds one core, the subgradient steps take the others (faster, and from those
/// prices the bound ends a little lower: docs/benchmarks.md). Both are deterministic, so the
/// outputs do not depend on the threads. The second result is that bound (`None` if not run
/// here, or if the Lagrangian does not apply).
fn reflow(
    p: &Problem,
    sm: &lagrange::SiteMajor,
    greedy: &greedy::GreedyPlan,
    iterations: usize,
    deadline: std::time::Instant,
) -> (Result<lp::FlowSolution, SolveError>, Option<lagrange::LagrangeBound>) {
    let flows_lp = || lp::solve_flows(p, lp::Posts::Fixed(&greedy.posts), None, Some(deadline));
    // With step decay those prices are a poor start (the bound ends far above the optimum):
    // there the Lagrangian waits for the flow LP's duals.
    if p.pairs.len() > SETTINGS.exact_lp_max_pairs && !p.uniform_weights() {
        rayon::join(flows_lp, || greedy_lagrangian(p, sm, greedy, iterations))
    } else {
        (flows_lp(), None)
    }
}

/// A Lagrangian bound started from prices read off the greedy's flows (no LP needed): each
/// unit's weighted service is worth the value of the segment it has reached, its need row is
/// free. With the default decay it ends where the flow LP's duals lead, or a little lower;
/// with step decay, whose flow LP is the slow one, far above the optimum.
fn greedy_lagrangian(
    p: &Problem,
    sm: &lagrange::SiteMajor,
    greedy: &greedy::GreedyPlan,
    iterations: usize,
) -> Option<lagrange::LagrangeBound> {
    let segments = p.segments();
    let link: Vec<f64> = (0..p.unit_count())
        .map(|i| {
            let weighted: f64 =
                (p.unit_offsets[i]..p.unit_offsets[i + 1]).map(|k| p.pairs[k].weight * greedy.flows[k]).sum();
            let mut end = 0.0;
            segments
                .iter()
                .find(|s| {
                    end += s.share * p.need[i];
                    weighted < end * (1.0 - 1e-9)
                })
                .map_or(0.0, |s| s.value)
        })
        .collect();
    lagrangian(p, sm, greedy.objective, (&vec![0.0; p.unit_count()], &link), iterations)
}

/// The greedy plan as it stands, its flows as the greedy placed them (feasible, a little below
/// the best flows for its posts), when the flow LP did not finish in time, with the bound of
/// [`greedy_lagrangian`].
fn with_bound(mut plan: Plan, lag: Option<lagrange::LagrangeBound>, clock: std::time::Instant) -> Plan {
    if let Some(lag) = lag {
        plan.bound = Some(lag.bound.max(plan.objective));
        plan.bound_source = Some(BoundSource::Lagrangian);
        plan.lagrange_iterations = lag.iterations;
    }
    log::stage("Lagrangian bound (from the greedy's flows)", clock);
    plan
}

/// The plan's Lagrangian bound (at most `iterations` steps, stopping within
/// `lagrange_target_gap` of `incumbent`, [`SETTINGS`]) from the
/// multipliers `need` and `link`.
fn lagrangian(
    p: &Problem,
    sm: &lagrange::SiteMajor,
    incumbent: f64,
    (need, link): (&[f64], &[f64]),
    iterations: usize,
) -> Option<lagrange::LagrangeBound> {
    let settings = lagrange::Settings { target_gap: SETTINGS.lagrange_target_gap, max_iterations: iterations };
    lagrange::bound(p, sm, incumbent, lagrange::Start::Multipliers { need, link }, settings)
}

/// `--solver mip` refuses (before any work) a limit on moved posts, which its model does not
/// have (the lp method's local search keeps it).
fn check_method(p: &Problem, method: Method) -> Result<(), SolveError> {
    if method == Method::Mip && p.previous.is_some() && p.max_moves.is_some() {
        return Err(SolveError::Unsupported(
            "--solver mip does not limit the posts it moves: with --max-moves use --solver lp, whose local search \
             keeps the limit"
                .into(),
        ));
    }
    Ok(())
}

/// `--solver mip`: `HiGHS`'s branch and cut, first over a kernel (the sites the relaxation puts
/// posts on and the plan's own) for [`SETTINGS.kernel_share`] of the time left, which finds the better
/// plans (its bound holds only in the kernel and is not used); then on the whole program from
/// the best plan so far for the rest, for a bound that sees whole posts (kept if lower) and
/// perhaps a better plan.
fn improve_with_mip(
    p: &Problem,
    sm: &lagrange::SiteMajor,
    best: &mut Incumbent,
    relaxation_support: &[bool],
    (bound, bound_source): (&mut f64, &mut BoundSource),
    deadline: std::time::Instant,
    clock: std::time::Instant,
) -> Result<(), SolveError> {
    let left = || deadline.saturating_duration_since(std::time::Instant::now()).as_secs_f64();
    if left() <= 0.0 {
        return Ok(());
    }
    let kernel: Vec<bool> = relaxation_support.iter().zip(&best.posts).map(|(&s, &x)| s || x > 0).collect();
    if p.pairs.len() > SETTINGS.mip_max_pairs {
        // Beyond one MIP: the kernel one département at a time, then the flows of the whole.
        let (mut posts, mut flows) = (best.posts.clone(), best.flows.flows.clone());
        let current = decompose::Current { posts: &mut posts, flows: &mut flows };
        let (gain, improved) = decompose::improve(p, sm, &kernel, current, deadline, clock)?;
        log::stage(&format!("MIP by département: {improved} improved, +{gain:.1}"), clock);
        return keep_if_better(p, best, posts, best.flows.objective + gain, PlanSource::MipDepartements);
    }
    let sites = kernel.iter().filter(|&&k| k).count();
    let within = mip::solve_within(p, &kernel, &best.posts, &best.flows.flows, SETTINGS.kernel_share * left())?;
    log::stage(
        &format!("MIP over {sites} sites (the relaxation's and the plan's): plan {:.1}", within.objective),
        clock,
    );
    keep_if_better(p, best, within.posts, within.objective, PlanSource::MipKernel)?;
    let left = left();
    if left <= 0.0 {
        return Ok(());
    }
    let mip = mip::solve(p, &best.posts, &best.flows.flows, left)?;
    let status = if mip.proven { " (optimal)" } else { " (time limit)" };
    log::stage(&format!("MIP: plan {:.1}, bound {:.1}{status}", mip.objective, mip.dual_bound), clock);
    if mip.dual_bound < *bound {
        (*bound, *bound_source) = (mip.dual_bound, BoundSource::Mip);
    }
    let source = if mip.proven { PlanSource::Mip } else { PlanSource::MipTimeLimit };
    keep_if_better(p, best, mip.posts, mip.objective, source)
}

/// Makes `posts` the incumbent, with its optimal flows, if it is worth more (the MIP's own
/// objective says whether the flow LP is worth solving).
fn keep_if_better(
    p: &Problem,
    best: &mut Incumbent,
    posts: Vec<u32>,
    objective: f64,
    source: PlanSource,
) -> Result<(), SolveError> {
    if posts != best.posts && objective > best.flows.objective + 1e-9 * best.flows.objective.abs() {
        let flows = lp::solve_flows(p, lp::Posts::Fixed(&posts), None, None)?;
        if flows.objective > best.flows.objective {
            *best = Incumbent { posts, flows, source };
        }
    }
    Ok(())
}

/// The exact relaxation by column generation (its bound, columns, rounds and the sites where it
/// puts posts), and its rounding kept in `best` if better and `may_round`.
fn exact_relaxation(
    p: &Problem,
    best: &mut Incumbent,
    may_round: bool,
    deadline: std::time::Instant,
    clock: std::time::Instant,
) -> Result<(f64, usize, usize, Vec<bool>), SolveError> {
    let relaxed = match lp::solve_flows(p, lp::Posts::Relaxed, None, Some(deadline)) {
        Ok(r) => r,
        Err(SolveError::TimeLimit) => return Ok((f64::INFINITY, 0, 0, vec![false; p.sites.len()])),
        Err(e) => return Err(e),
    };
    log::stage("LP relaxation", clock);
    let rounded_x = round::round_posts(p, &relaxed.posts)?;
    match lp::solve_flows(p, lp::Posts::Fixed(&rounded_x), Some(&relaxed.active), Some(deadline)) {
        Ok(rounded) if may_round && rounded.objective > best.flows.objective + 1e-9 => {
            *best = Incumbent { posts: rounded_x, flows: rounded, source: PlanSource::LpRounding };
        }
        Ok(_) | Err(SolveError::TimeLimit) => {}
        Err(e) => return Err(e),
    }
    log::stage("rounded plan evaluated (flow LP)", clock);
    let support = relaxed.posts.iter().map(|&x| x > 1e-6).collect();
    Ok((relaxed.bound, relaxed.columns, relaxed.rounds, support))
}

/// The previous plan's posts, checked against the posts and the budget.
fn check_previous(p: &Problem, prev: &[u32]) -> Result<Vec<u32>, SolveError> {
    let total: u32 = prev.iter().sum();
    if total > p.posts {
        return Err(SolveError::Infeasible(format!(
            "posts: the previous plan has {total} posts but only {} are available, {} too many",
            p.posts,
            total - p.posts
        )));
    }
    let cost: f64 = prev.iter().zip(&p.sites).map(|(&x, s)| f64::from(x) * s.cost_eur).sum();
    if cost > p.budget_eur + 1e-6 {
        return Err(SolveError::Infeasible(format!(
            "budget: the previous plan costs {cost:.0} € but the budget is {:.0} €, {:.0} € over",
            p.budget_eur,
            cost - p.budget_eur
        )));
    }
    Ok(prev.to_vec())
}

/// The best integer plan so far with its optimal flows.
struct Incumbent {
    posts: Vec<u32>,
    flows: lp::FlowSolution,
    source: PlanSource,
}

/// The optimal flows of a given allocation `posts` (nothing is optimised but the flows), as a
/// plan with the same measures as any other. No bound.
///
/// # Errors
/// [`SolveError`] when the flow LP fails.
pub fn evaluate_posts(p: &Problem, posts: &[u32]) -> Result<Plan, SolveError> {
    let flows = lp::solve_flows(p, lp::Posts::Fixed(posts), None, None)?;
    Ok(Plan {
        objective: flows.objective,
        posts: posts.to_vec(),
        flows: flows.flows,
        bound: None,
        bound_source: None,
        source: PlanSource::Evaluate,
        lp_columns: flows.columns,
        lp_rounds: flows.rounds,
        lagrange_iterations: 0,
        previous_objective: None,
        posts_moved: None,
    })
}

/// The attendance LP relaxation solved exactly (column generation with `HiGHS`): its optimum
/// bounds every integer plan. Practical up to a few tens of thousands of pairs.
///
/// # Errors
/// [`SolveError`] when the LP fails.
pub fn relaxation_value(p: &Problem) -> Result<f64, SolveError> {
    lp::solve_flows(p, lp::Posts::Relaxed, None, None).map(|r| r.objective)
}

/// The Lagrangian upper bound on every integer attendance plan, started from the duals of the
/// optimal flows of `posts` and run for at most `iterations` subgradient steps. Its posts are
/// whole, so at convergence it is at most the LP optimum (see `lagrange`).
///
/// # Errors
/// [`SolveError`] when the flow LP of `posts` fails; [`SolveError::Solver`] if sites have
/// existing capacity (not covered by this bound).
pub fn lagrangian_bound(p: &Problem, posts: &[u32], iterations: usize) -> Result<f64, SolveError> {
    let flows = lp::solve_flows(p, lp::Posts::Fixed(posts), None, None)?;
    let sm = lagrange::SiteMajor::new(p);
    let settings = lagrange::Settings { target_gap: 0.0, max_iterations: iterations };
    let start = lagrange::Start::Multipliers { need: &flows.need_dual, link: &flows.link_dual };
    lagrange::bound(p, &sm, flows.objective, start, settings)
        .map(|b| b.bound)
        .ok_or_else(|| SolveError::Solver("the Lagrangian bound does not cover existing capacity".into()))
}

fn solve_coverage_plan(p: &Problem, method: Method) -> Result<Plan, SolveError> {
    let (open, objective, bound, source) = if method == Method::Greedy {
        let (open, value) = coverage::greedy_coverage(p, &p.coverage_eligible);
        (open, value, None, PlanSource::MclpGreedy)
    } else {
        let c = solve_covering(p)?;
        let source = match p.objective {
            Objective::MinPosts => PlanSource::Lscp,
            Objective::Travel => PlanSource::PMedian,
            Objective::MaxTravel => PlanSource::PCenter,
            Objective::Attendance | Objective::Coverage => PlanSource::Mclp,
        };
        let bound_source = if c.from_mip { BoundSource::Mip } else { BoundSource::Lp };
        (c.posts, c.objective, Some((c.bound, bound_source)), source)
    };
    // The same measures as every plan: capacitated flows of the open sites.
    let flows = lp::solve_flows(p, lp::Posts::Fixed(&open), None, None)?;
    Ok(Plan {
        objective,
        lp_columns: flows.columns,
        lp_rounds: flows.rounds,
        lagrange_iterations: 0,
        previous_objective: None,
        posts_moved: p.previous.as_ref().map(|prev| prev.iter().zip(&open).map(|(&a, &b)| a.saturating_sub(b)).sum()),
        posts: open,
        flows: flows.flows,
        bound_source: bound.map(|b| b.1),
        bound: bound.map(|b| b.0),
        source,
    })
}

/// The covering objectives through the covering engine, their value in the objective's unit
/// (people, posts or euros, mean minutes, minutes).
fn solve_covering(p: &Problem) -> Result<cover::CoverResult, SolveError> {
    let eligible = &p.coverage_eligible;
    let clock = std::time::Instant::now();
    let engine = cover::Engine::new(p, eligible, f64::INFINITY);
    let result = match p.objective {
        Objective::MaxTravel => cover::solve_center(&engine, p.time_limit_s)?,
        Objective::Travel => {
            let r = engine.solve(cover::Goal::Median, None, p.time_limit_s)?;
            let need = engine.median_need().max(f64::MIN_POSITIVE);
            cover::CoverResult { objective: r.objective / need, bound: r.bound / need, ..r }
        }
        Objective::MinPosts => {
            let need = p.target_coverage * p.need.iter().sum::<f64>();
            if need > engine.coverable_need() * (1.0 + 1e-12) {
                return Err(SolveError::Infeasible(format!(
                    "target_coverage (--target-coverage) = {}: at most {:.4} of the need has a site within the bound",
                    p.target_coverage,
                    engine.coverable_need() / p.need.iter().sum::<f64>()
                )));
            }
            engine.solve(cover::Goal::MinCost { need }, None, p.time_limit_s)?
        }
        Objective::Attendance | Objective::Coverage => {
            let (greedy, _) = coverage::greedy_coverage(p, eligible);
            let (start, value) = coverage::swap_coverage(p, eligible, &greedy);
            log::stage(&format!("coverage: greedy + swaps {value:.1}"), clock);
            engine.solve(cover::Goal::MaxCover, Some(&start), p.time_limit_s)?
        }
    };
    if engine.unreachable_units() > 0 && matches!(p.objective, Objective::Travel | Objective::MaxTravel) {
        eprintln!(
            "{}: {} communes with need have no site within the bound and are left out",
            p.objective.as_str(),
            engine.unreachable_units()
        );
    }
    log::stage(&format!("{}: {} of {} sites fixed", p.objective.as_str(), result.fixed_sites, result.sites), clock);
    Ok(result)
}
