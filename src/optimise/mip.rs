//! The whole integer program handed to `HiGHS`'s branch and cut (`--solver mip`): every pair,
//! integer posts, the strong rows. Started from the best plan found so far, it returns a plan
//! at least as good and a bound on every integer plan, tighter than the LP's once its cuts
//! have had time (they see whole posts; measured in `docs/optimiser.md`). Meant for a
//! département or two: nationally the model alone would not fit in memory.
//! Its plan comes first from the same program over a kernel of sites ([`solve_within`]).

use highs::HighsModelStatus;

use super::lp::{self, Posts};
use super::{Problem, SolveError};

/// What the branch and cut returned.
pub(crate) struct MipResult {
    /// Best integer posts found (the start if nothing better).
    pub posts: Vec<u32>,
    /// Flow per pair of that plan.
    pub flows: Vec<f64>,
    /// Their objective as `HiGHS` computed it.
    pub objective: f64,
    /// `HiGHS`'s dual bound: no integer plan is worth more.
    pub dual_bound: f64,
    /// Whether the optimum was proven (else the time limit stopped the search).
    pub proven: bool,
}

/// The integer program restricted to the sites of `kernel` (every other site gets no post),
/// from the plan `start`, whose sites must be in the kernel. Its plan is a plan of the whole
/// problem; its dual bound holds only within the kernel.
///
/// Why: the optimum mostly uses sites the relaxation wants, and a kernel of a few hundred
/// sites is a MIP `HiGHS` can search where the whole one is not (on Nord it finds better
/// plans within a minute, where the whole MIP had not in ten: `docs/optimiser.md`).
///
/// # Errors
/// As [`solve`].
pub(crate) fn solve_within(
    p: &Problem,
    kernel: &[bool],
    start: &[u32],
    start_flows: &[f64],
    time_limit_s: f64,
) -> Result<MipResult, SolveError> {
    debug_assert!(start.iter().zip(kernel).all(|(&x, &k)| x == 0 || k));
    let mut restricted = p.clone();
    for (site, &keep) in restricted.sites.iter_mut().zip(kernel) {
        if !keep {
            site.max_posts = 0;
        }
    }
    solve(&restricted, start, start_flows, time_limit_s)
}

/// Solves the integer program for at most `time_limit_s` seconds, from the plan `start`
/// (posts and their optimal flows over all pairs).
///
/// # Errors
/// [`SolveError::Solver`] when `HiGHS` fails or returns no feasible plan.
pub(crate) fn solve(
    p: &Problem,
    start: &[u32],
    start_flows: &[f64],
    time_limit_s: f64,
) -> Result<MipResult, SolveError> {
    let active: Vec<Vec<usize>> =
        (0..p.unit_count()).map(|i| (p.unit_offsets[i]..p.unit_offsets[i + 1]).collect()).collect();
    let model = lp::build_model(p, Posts::Relaxed, &active, true);
    debug_assert_eq!(model.x.len(), p.sites.len());
    // good_lp numbers the columns in the order `build_model` adds the variables: the posts
    // per site, the flows per unit and pair, then the served segments per unit.
    let segments = p.segments();
    let mut initial: Vec<f64> = start.iter().map(|&x| f64::from(x)).collect();
    initial.extend_from_slice(start_flows);
    for i in 0..p.unit_count() {
        let mut weighted: f64 =
            (p.unit_offsets[i]..p.unit_offsets[i + 1]).map(|k| p.pairs[k].weight * start_flows[k]).sum();
        // The segments fill in order (their values decrease), as in the flow LP's optimum.
        for s in &segments {
            let take = weighted.min(s.share * p.need[i]).max(0.0);
            initial.push(take);
            weighted -= take;
        }
    }
    let n_cols = initial.len();
    let mut highs = model.problem.try_into_inner().map_err(|e| SolveError::Solver(e.to_string()))?;
    highs.make_quiet();
    highs.set_option("time_limit", time_limit_s.max(1.0));
    highs.set_option("mip_rel_gap", 1e-4);
    highs
        .try_set_solution(Some(&initial), None, None, None)
        .map_err(|e| SolveError::Solver(format!("HiGHS MIP start: {e:?}")))?;
    let solved = highs.try_solve().map_err(|e| SolveError::Solver(format!("HiGHS MIP: {e:?}")))?;
    let status = solved.status();
    let proven = status == HighsModelStatus::Optimal;
    if !proven && status != HighsModelStatus::ReachedTimeLimit {
        return Err(SolveError::Solver(format!("HiGHS MIP ended with status {status:?}")));
    }
    let values = solved.get_solution();
    let cols = values.columns();
    if cols.len() != n_cols {
        return Err(SolveError::Solver("HiGHS MIP returned no plan".into()));
    }
    let posts = cols[..p.sites.len()].iter().map(|v| v.round().max(0.0) as u32).collect();
    let flows = cols[p.sites.len()..p.sites.len() + p.pairs.len()].iter().map(|v| v.max(0.0)).collect();
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .map_err(|e| SolveError::Solver(format!("HiGHS MIP dual bound: {e:?}")))?;
    Ok(MipResult { posts, flows, objective: solved.objective_value(), dual_bound: bound, proven })
}
