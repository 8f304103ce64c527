//! Coverage mode: the classic maximal covering location problem (Church & `ReVelle`, 1974),
//! as in `PySAL` spopt's MCLP: open `p` sites to maximise the need within the bound of at least
//! one open site. Solved exactly as a MIP with `HiGHS`.

use good_lp::solvers::highs::highs;
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, WithInitialSolution, WithMipGap,
    variable,
};

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
    let clock = std::time::Instant::now();
    let (greedy, _) = greedy_coverage(p, eligible);
    let (heuristic, heuristic_value) = swap_coverage(p, eligible, &greedy);
    super::log::stage(&format!("coverage: greedy + swaps cover {heuristic_value:.1}"), clock);
    let (_, lp_values, lp_bound) = solve_mclp(p, eligible, false, time_limit_s, None)?;
    super::log::stage(&format!("coverage: LP relaxation {lp_bound:.1}"), clock);
    // LP-guided start: the sites with the largest LP values, then swaps.
    let mut order: Vec<usize> = (0..p.sites.len()).filter(|&j| eligible[j]).collect();
    order.sort_by(|&a, &b| lp_values[b].total_cmp(&lp_values[a]).then(a.cmp(&b)));
    let mut guided = vec![0u32; p.sites.len()];
    for (j, s) in p.sites.iter().enumerate() {
        guided[j] = u32::from(s.fixed_posts > 0 && eligible[j]);
    }
    let already = guided.iter().sum::<u32>();
    let picks: Vec<usize> =
        order.iter().copied().filter(|&j| guided[j] == 0).take(p.posts.saturating_sub(already) as usize).collect();
    for j in picks {
        guided[j] = 1;
    }
    let (guided, guided_value) = swap_coverage(p, eligible, &guided);
    super::log::stage(&format!("coverage: LP-guided + swaps cover {guided_value:.1}"), clock);
    let (heuristic, heuristic_value) =
        if guided_value > heuristic_value { (guided, guided_value) } else { (heuristic, heuristic_value) };
    // A heuristic already within rounding of the LP bound is optimal: no MIP needed.
    if lp_bound - heuristic_value <= 1e-9 * lp_bound.max(1.0) {
        return Ok(CoveragePlan { lp_bound, objective: heuristic_value, open: heuristic });
    }
    // The optimum mostly opens sites the relaxation uses: a MIP over that support (and the
    // heuristic's sites) is small and fast, and gives the full MIP a strong incumbent.
    let support: Vec<bool> =
        (0..p.sites.len()).map(|j| eligible[j] && (lp_values[j] > 1e-6 || heuristic[j] > 0)).collect();
    let small = solve_mclp(p, &support, true, 0.75 * time_limit_s, Some(&heuristic))?;
    super::log::stage(
        &format!("coverage: MIP over the LP support ({} sites) {:.1}", support.iter().filter(|&&b| b).count(), small.2),
        clock,
    );
    let (mut open, mut objective) =
        if small.2 > heuristic_value { (small.0, small.2) } else { (heuristic, heuristic_value) };
    let left_s = (time_limit_s - clock.elapsed().as_secs_f64()).max(1.0);
    if lp_bound - objective > 1e-9 * lp_bound.max(1.0) {
        let mip = solve_mclp(p, eligible, true, left_s, Some(&open))?;
        super::log::stage(&format!("coverage: MIP {:.1}", mip.2), clock);
        if mip.2 > objective {
            (open, objective) = (mip.0, mip.2);
        }
    }
    Ok(CoveragePlan { lp_bound: lp_bound.max(objective), objective, open })
}

/// Solves the MCLP (or its relaxation): open sites, the value of each site's x, covered need.
fn solve_mclp(
    p: &Problem,
    eligible: &[bool],
    integer: bool,
    time_limit_s: f64,
    start: Option<&[u32]>,
) -> Result<(Vec<u32>, Vec<f64>, f64), SolveError> {
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
    // Units covered by the same set of sites share one y (with their needs added up): an
    // exact reduction that shrinks the MIP several times over.
    let mut groups: std::collections::BTreeMap<Vec<u32>, f64> = std::collections::BTreeMap::new();
    for i in 0..p.unit_count() {
        let mut sites: Vec<u32> =
            p.pairs_of(i).iter().map(|pair| pair.site).filter(|&j| x[j as usize].is_some()).collect();
        if p.need[i] > 0.0 && !sites.is_empty() {
            sites.sort_unstable();
            sites.dedup();
            *groups.entry(sites).or_default() += p.need[i];
        }
    }
    let covered: Vec<(Variable, &Vec<u32>, f64)> =
        groups.iter().map(|(sites, &need)| (vars.add(variable().min(0.0).max(1.0)), sites, need)).collect();
    let mut objective = Expression::default();
    for (y, _, need) in &covered {
        objective.add_mul(*need, y);
    }
    let started = std::time::Instant::now();
    let mut model = vars.maximise(objective).using(highs).set_time_limit(time_limit_s);
    if !integer {
        // The relaxation is large and degenerate: interior point beats simplex here.
        model = model.set_option("solver", "ipm");
    }
    if let Some(start) = start {
        // Start the branch and bound from the heuristic: open sites at 1, groups they cover at 1.
        let mut initial: Vec<(Variable, f64)> =
            x.iter().zip(start).filter_map(|(v, &o)| v.map(|v| (v, f64::from(o)))).collect();
        for (y, sites, _) in &covered {
            let on = sites.iter().any(|&j| start[j as usize] > 0);
            initial.push((*y, if on { 1.0 } else { 0.0 }));
        }
        model = model.with_initial_solution(initial);
    }
    if integer {
        model = model.with_mip_gap(0.0).map_err(|e| SolveError::Solver(e.to_string()))?;
    }
    for (y, sites, _) in &covered {
        let open: Expression = sites.iter().filter_map(|&j| x[j as usize]).sum();
        model = model.with(Expression::from(*y).leq(open));
    }
    let all: Expression = x.iter().flatten().copied().sum();
    model = model.with(all.leq(f64::from(p.posts)));
    let solution = model.solve().map_err(|e| match e {
        _ if !integer && clock_out(time_limit_s, &started) => SolveError::TimeLimit,
        ResolutionError::Infeasible => SolveError::Infeasible("coverage: no set of sites meets the limits".into()),
        other => SolveError::Solver(other.to_string()),
    })?;
    // A relaxation stopped early gives no valid bound.
    if !integer && !matches!(solution.status(), good_lp::solvers::SolutionStatus::Optimal) {
        return Err(SolveError::TimeLimit);
    }
    let values: Vec<f64> = x.iter().map(|v| v.map_or(0.0, |v| solution.value(v))).collect();
    let open: Vec<u32> = values.iter().map(|&v| u32::from(v > 0.5)).collect();
    let value = if integer {
        // Covered need of the chosen sites, counted exactly rather than read from y.
        (0..p.unit_count())
            .filter(|&i| p.pairs_of(i).iter().any(|pair| open[pair.site as usize] > 0))
            .map(|i| p.need[i])
            .sum()
    } else {
        covered.iter().map(|(y, _, need)| need * solution.value(*y)).sum()
    };
    Ok((open, values, value))
}

/// Greedy MCLP: open, one at a time, the site that covers the most need not yet covered.
pub(crate) fn greedy_coverage(p: &Problem, eligible: &[bool]) -> (Vec<u32>, f64) {
    let mut state = CoverState::new(p, eligible);
    for (j, s) in p.sites.iter().enumerate() {
        if s.fixed_posts > 0 && eligible[j] {
            state.open(j);
        }
    }
    while state.open_count < p.posts as usize {
        let best = (0..p.sites.len())
            .filter(|&j| eligible[j] && state.count_open[j] == 0)
            .map(|j| (state.gain(j), j))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((gain, j)) if gain > 0.0 => state.open(j),
            _ => break,
        }
    }
    (state.count_open.clone(), state.covered_need)
}

/// Improves an MCLP solution by swaps (close one open site, open a closed one) while any
/// swap covers more need (Teitz and Bart's interchange). Fixed sites stay open.
pub(crate) fn swap_coverage(p: &Problem, eligible: &[bool], start: &[u32]) -> (Vec<u32>, f64) {
    let mut state = CoverState::new(p, eligible);
    for (j, &o) in start.iter().enumerate() {
        if o > 0 {
            state.open(j);
        }
    }
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        let open: Vec<usize> =
            (0..p.sites.len()).filter(|&j| state.count_open[j] > 0 && p.sites[j].fixed_posts == 0).collect();
        for &k in &open {
            let loss = state.loss(k);
            state.close(k);
            for j in (0..p.sites.len()).filter(|&j| eligible[j] && state.count_open[j] == 0 && j != k) {
                let delta = state.gain(j) - loss;
                if delta > 1e-9 && best.is_none_or(|b| delta > b.0) {
                    best = Some((delta, k, j));
                }
            }
            state.open(k);
        }
        match best {
            Some((_, k, j)) => {
                state.close(k);
                state.open(j);
            }
            None => return (state.count_open.clone(), state.covered_need),
        }
    }
}

/// Which units each site covers and how many open sites cover each unit.
struct CoverState<'p> {
    p: &'p Problem,
    by_site: Vec<Vec<usize>>,
    cover_count: Vec<u32>,
    count_open: Vec<u32>,
    open_count: usize,
    covered_need: f64,
}

impl<'p> CoverState<'p> {
    fn new(p: &'p Problem, eligible: &[bool]) -> Self {
        let mut by_site: Vec<Vec<usize>> = vec![Vec::new(); p.sites.len()];
        for i in 0..p.unit_count() {
            for pair in p.pairs_of(i) {
                if eligible[pair.site as usize] && p.need[i] > 0.0 {
                    by_site[pair.site as usize].push(i);
                }
            }
        }
        Self {
            p,
            by_site,
            cover_count: vec![0; p.unit_count()],
            count_open: vec![0; p.sites.len()],
            open_count: 0,
            covered_need: 0.0,
        }
    }

    /// Need that opening `j` would newly cover.
    fn gain(&self, j: usize) -> f64 {
        self.by_site[j].iter().filter(|&&i| self.cover_count[i] == 0).map(|&i| self.p.need[i]).sum()
    }

    /// Need that closing `j` would uncover.
    fn loss(&self, j: usize) -> f64 {
        self.by_site[j].iter().filter(|&&i| self.cover_count[i] == 1).map(|&i| self.p.need[i]).sum()
    }

    fn open(&mut self, j: usize) {
        self.covered_need += self.gain(j);
        for &i in &self.by_site[j] {
            self.cover_count[i] += 1;
        }
        self.count_open[j] = 1;
        self.open_count += 1;
    }

    fn close(&mut self, j: usize) {
        self.covered_need -= self.loss(j);
        for &i in &self.by_site[j] {
            self.cover_count[i] -= 1;
        }
        self.count_open[j] = 0;
        self.open_count -= 1;
    }
}

fn clock_out(limit_s: f64, started: &std::time::Instant) -> bool {
    started.elapsed().as_secs_f64() >= limit_s
}
