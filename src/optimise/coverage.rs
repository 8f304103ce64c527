//! Coverage mode: the classic maximal covering location problem (Church & `ReVelle`, 1974),
//! as in `PySAL` spopt's MCLP: open `p` sites to maximise the need within the bound of at least
//! one open site. Solved exactly as a MIP with `HiGHS`.

use good_lp::solvers::highs::highs;
use good_lp::{Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, WithMipGap, variable};

use super::{Problem, SolveError};

/// Result of a coverage solve.
#[derive(Debug, Clone)]
pub(crate) struct CoveragePlan {
    /// 1 for open sites.
    pub open: Vec<u32>,
    /// Covered need of the integer solution.
    pub objective: f64,
    /// Covered need of the LP relaxation (an upper bound).
    pub lp_bound: f64,
}

/// Solves the MCLP over the sites where `eligible` is true, `p.posts` of them at most
/// (fixed posts open their site).
pub(crate) fn solve_coverage(p: &Problem, eligible: &[bool], time_limit_s: f64) -> Result<CoveragePlan, SolveError> {
    let lp = solve_mclp(p, eligible, false, time_limit_s)?;
    let mip = solve_mclp(p, eligible, true, time_limit_s)?;
    Ok(CoveragePlan { lp_bound: lp.1.max(mip.1), objective: mip.1, open: mip.0 })
}

fn solve_mclp(p: &Problem, eligible: &[bool], integer: bool, time_limit_s: f64) -> Result<(Vec<u32>, f64), SolveError> {
    let mut vars = ProblemVariables::new();
    let x: Vec<Option<Variable>> = p
        .sites
        .iter()
        .zip(eligible)
        .map(|(s, &ok)| {
            ok.then(|| {
                let lo = f64::from(s.fixed_posts.min(1));
                vars.add(if integer { variable().integer().min(lo).max(1.0) } else { variable().min(lo).max(1.0) })
            })
        })
        .collect();
    let covered: Vec<Option<Variable>> = (0..p.unit_count())
        .map(|i| {
            let reachable = p.pairs_of(i).iter().any(|pair| x[pair.site as usize].is_some());
            (p.need[i] > 0.0 && reachable).then(|| vars.add(variable().min(0.0).max(1.0)))
        })
        .collect();
    let mut objective = Expression::default();
    for (i, y) in covered.iter().enumerate() {
        if let Some(y) = y {
            objective.add_mul(p.need[i], y);
        }
    }
    let mut model = vars.maximise(objective).using(highs).set_time_limit(time_limit_s);
    if integer {
        model = model.with_mip_gap(0.0).map_err(|e| SolveError::Solver(e.to_string()))?;
    }
    for (i, y) in covered.iter().enumerate() {
        if let Some(y) = y {
            let open: Expression = p.pairs_of(i).iter().filter_map(|pair| x[pair.site as usize]).sum();
            model = model.with(Expression::from(*y).leq(open));
        }
    }
    let all: Expression = x.iter().flatten().copied().sum();
    model = model.with(all.leq(f64::from(p.posts)));
    let solution = model.solve().map_err(|e| match e {
        ResolutionError::Infeasible => SolveError::Infeasible("coverage: no set of sites meets the limits".into()),
        other => SolveError::Solver(other.to_string()),
    })?;
    let open: Vec<u32> = x.iter().map(|v| v.map_or(0, |v| u32::from(solution.value(v) > 0.5))).collect();
    let value = if integer {
        // Covered need of the chosen sites, counted exactly rather than read from y.
        (0..p.unit_count())
            .filter(|&i| p.pairs_of(i).iter().any(|pair| open[pair.site as usize] > 0))
            .map(|i| p.need[i])
            .sum()
    } else {
        covered.iter().enumerate().filter_map(|(i, y)| y.map(|y| p.need[i] * solution.value(y))).sum()
    };
    Ok((open, value))
}

/// Greedy MCLP: open, one at a time, the site that covers the most need not yet covered.
pub(crate) fn greedy_coverage(p: &Problem, eligible: &[bool]) -> (Vec<u32>, f64) {
    let mut by_site: Vec<Vec<usize>> = vec![Vec::new(); p.sites.len()];
    for i in 0..p.unit_count() {
        for pair in p.pairs_of(i) {
            by_site[pair.site as usize].push(i);
        }
    }
    let mut open = vec![0u32; p.sites.len()];
    let mut covered = vec![false; p.unit_count()];
    let mut total = 0.0;
    let mut cover = |j: usize, open: &mut Vec<u32>, covered: &mut Vec<bool>| {
        open[j] = 1;
        for &i in &by_site[j] {
            if !covered[i] {
                covered[i] = true;
                total += p.need[i];
            }
        }
    };
    for (j, s) in p.sites.iter().enumerate() {
        if s.fixed_posts > 0 && eligible[j] {
            cover(j, &mut open, &mut covered);
        }
    }
    while open.iter().sum::<u32>() < p.posts {
        let best = (0..p.sites.len())
            .filter(|&j| eligible[j] && open[j] == 0)
            .map(|j| (by_site[j].iter().filter(|&&i| !covered[i]).map(|&i| p.need[i]).sum::<f64>(), j))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((gain, j)) if gain > 0.0 => cover(j, &mut open, &mut covered),
            _ => break,
        }
    }
    (open, total)
}
