//! `--solver mip` beyond the reach of one MIP (more than [`super::Settings::mip_max_pairs`] pairs: a
//! region, the nation): the same kernel search as [`super::mip::solve_within`], one département
//! at a time, every other département's posts fixed.
//!
//! The sub-problem of département d holds the units that reach one of d's kernel sites (the
//! sites the relaxation and the plan use there), with all their pairs: their flows are all
//! re-optimised. d's kernel sites are free; every other site these units reach keeps its posts,
//! and the capacity that units outside the sub-problem draw from it is taken off (their flows
//! stay as they are). So every plan of the sub-problem, put back, is a plan of the whole
//! problem, and its gain there is its gain on the whole. Posts do not move between départements
//! (only posts left unused could join d).

use std::collections::BTreeMap;
use std::time::Instant;

use super::lagrange::SiteMajor;
use super::{Problem, SiteSpec, SolveError, greedy, log, mip};

/// Posts and flows of a plan, changed in place by [`improve`].
pub(crate) struct Current<'a> {
    /// Posts per site.
    pub posts: &'a mut [u32],
    /// Flow per pair.
    pub flows: &'a mut [f64],
}

/// Searches each département's kernel in turn (départements in code order), each for a share of
/// the time left proportional to its kernel; keeps what a sub-problem finds when it is worth
/// more. Returns the gain in objective and the number of départements improved.
///
/// # Errors
/// [`SolveError::Solver`] when `HiGHS` fails on a sub-problem.
pub(crate) fn improve(
    p: &Problem,
    sm: &SiteMajor,
    kernel: &[bool],
    current: Current,
    deadline: Instant,
    clock: Instant,
) -> Result<(f64, usize), SolveError> {
    let Current { posts, flows } = current;
    let mut load = vec![0.0; p.sites.len()];
    for (pair, &flow) in p.pairs.iter().zip(flows.iter()) {
        load[pair.site as usize] += flow;
    }
    let mut kernel_of_dep: Vec<Vec<usize>> = vec![Vec::new(); p.deps.len()];
    for (j, s) in p.sites.iter().enumerate() {
        if kernel[j] {
            kernel_of_dep[s.dep as usize].push(j);
        }
    }
    let mut kernel_left: usize = kernel_of_dep.iter().map(Vec::len).sum();
    let (mut gain, mut improved) = (0.0, 0);
    for (d, own) in kernel_of_dep.iter().enumerate() {
        if own.is_empty() {
            continue;
        }
        let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
        if left <= 0.0 {
            break;
        }
        let share = left * own.len() as f64 / kernel_left as f64;
        kernel_left -= own.len();
        let sub = Sub::new(p, d as u32, own, sm, posts, flows, &load);
        let start_value = value(&sub.problem, &sub.start_flows);
        let found = match mip::solve(&sub.problem, &sub.start_posts, &sub.start_flows, share) {
            Ok(found) => found,
            // A sub-problem is only a chance to do better: its failure keeps the plan as it is.
            Err(SolveError::Solver(why)) => {
                log::stage(&format!("MIP département {}: {why} (kept)", p.deps[d]), clock);
                continue;
            }
            Err(e) => return Err(e),
        };
        let better = found.objective > start_value + 1e-9 * start_value.max(1.0) && found.posts != sub.start_posts;
        if better {
            for (l, &j) in sub.sites.iter().enumerate() {
                posts[j] = found.posts[l];
            }
            let mut local = 0;
            for &i in &sub.units {
                for (k, pair) in (p.unit_offsets[i]..).zip(p.pairs_of(i)) {
                    load[pair.site as usize] += found.flows[local] - flows[k];
                    flows[k] = found.flows[local];
                    local += 1;
                }
            }
            gain += found.objective - start_value;
            improved += 1;
        }
        let outcome = if better { format!("{start_value:.1} → {:.1}", found.objective) } else { "kept".into() };
        let (sites, units) = (own.len(), sub.units.len());
        log::stage(&format!("MIP département {} ({sites} kernel sites, {units} units): {outcome}", p.deps[d]), clock);
    }
    Ok((gain, improved))
}

/// One département's sub-problem and the current plan's part in it.
struct Sub {
    problem: Problem,
    /// Units of the sub-problem (global indices, increasing).
    units: Vec<usize>,
    /// Sites of the sub-problem (global indices, increasing: pairs stay in site order).
    sites: Vec<usize>,
    start_posts: Vec<u32>,
    start_flows: Vec<f64>,
}

impl Sub {
    fn new(p: &Problem, dep: u32, own: &[usize], sm: &SiteMajor, posts: &[u32], flows: &[f64], load: &[f64]) -> Self {
        let mut units: Vec<usize> = own.iter().flat_map(|&j| sm.of(j).map(|(i, _)| i)).collect();
        units.sort_unstable();
        units.dedup();
        let mut local = vec![u32::MAX; p.sites.len()];
        let mut sites: Vec<usize> =
            units.iter().flat_map(|&i| p.pairs_of(i).iter().map(|pair| pair.site as usize)).collect();
        sites.sort_unstable();
        sites.dedup();
        for (l, &j) in sites.iter().enumerate() {
            local[j] = l as u32;
        }
        // What the sub-problem's units draw from each of its sites now; the rest of the site's
        // load comes from units outside, and stays.
        let mut inside = vec![0.0; sites.len()];
        let mut pairs = Vec::new();
        let mut unit_offsets = vec![0];
        let mut start_flows = Vec::new();
        for &i in &units {
            for (k, pair) in (p.unit_offsets[i]..).zip(p.pairs_of(i)) {
                let l = local[pair.site as usize];
                inside[l as usize] += flows[k];
                pairs.push(super::Pair { site: l, ..*pair });
                start_flows.push(flows[k]);
            }
            unit_offsets.push(pairs.len());
        }
        let is_own = |j: usize| own.binary_search(&j).is_ok();
        let spec = |(l, &j): (usize, &usize)| {
            let s = &p.sites[j];
            if is_own(j) {
                s.clone()
            } else {
                // Fixed: its posts, less what units outside draw (a hair of slack for the
                // solver's tolerance; the final flow LP re-checks the whole plan).
                let outside = (load[j] - inside[l]).max(0.0);
                SiteSpec {
                    fixed_posts: posts[j],
                    max_posts: posts[j],
                    existing_capacity: s.existing_capacity - outside + 1e-6 * p.capacity_per_post,
                    ..s.clone()
                }
            }
        };
        let sub_sites: Vec<SiteSpec> = sites.iter().enumerate().map(spec).collect();
        let posts_inside: u32 = sites.iter().map(|&j| posts[j]).sum();
        let cost_inside: f64 = sites.iter().map(|&j| f64::from(posts[j]) * p.sites[j].cost_eur).sum();
        let posts_total: u32 = posts.iter().sum();
        let cost_total: f64 = posts.iter().zip(&p.sites).map(|(&x, s)| f64::from(x) * s.cost_eur).sum();
        let only_dep = |m: &BTreeMap<u32, u32>| m.get(&dep).map(|&v| BTreeMap::from([(dep, v)])).unwrap_or_default();
        let problem = Problem {
            need: units.iter().map(|&i| p.need[i]).collect(),
            unit_dep: units.iter().map(|&i| p.unit_dep[i]).collect(),
            coverage_eligible: vec![false; sites.len()],
            target_coverage: 1.0,
            sites: sub_sites,
            pairs,
            unit_offsets,
            deps: p.deps.clone(),
            posts: p.posts - (posts_total - posts_inside),
            budget_eur: p.budget_eur - (cost_total - cost_inside),
            capacity_per_post: p.capacity_per_post,
            returns: p.returns.clone(),
            // Other départements' sites here are fixed, so only d's floor and cap can bind.
            dep_floors: only_dep(&p.dep_floors),
            dep_caps: only_dep(&p.dep_caps),
            objective: p.objective,
            previous: None,
            max_moves: None,
            time_limit_s: p.time_limit_s,
        };
        let start_posts = sites.iter().map(|&j| posts[j]).collect();
        Self { problem, units, sites, start_posts, start_flows }
    }
}

/// Objective of `flows` (per pair of `p`): each unit's value of its weighted service.
fn value(p: &Problem, flows: &[f64]) -> f64 {
    (0..p.unit_count())
        .map(|i| {
            let weighted: f64 = (p.unit_offsets[i]..p.unit_offsets[i + 1]).map(|k| p.pairs[k].weight * flows[k]).sum();
            greedy::segment_gain(p, p.need[i], 0.0, 1.0, weighted)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::lp::{self, Posts};
    use super::super::{Objective, Pair, default_returns};
    use super::*;

    /// 14 units and 6 sites on a unit square, département 0 left of x = 0.5 and 1 right;
    /// pairs within 0.45 (only within a département when `separable`), weight 1 − distance.
    fn instance(seed: u64, separable: bool) -> Problem {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let units: Vec<(f64, f64)> = (0..14).map(|_| (next(), next())).collect();
        let sites: Vec<(f64, f64)> = (0..6).map(|s| (0.1 + 0.16 * f64::from(s), next())).collect();
        let dep = |x: f64| u32::from(x >= 0.5);
        let (mut pairs, mut unit_offsets) = (Vec::new(), vec![0]);
        for u in &units {
            for (j, s) in sites.iter().enumerate() {
                let d = ((u.0 - s.0).powi(2) + (u.1 - s.1).powi(2)).sqrt();
                if d < 0.45 && (!separable || dep(u.0) == dep(s.0)) {
                    pairs.push(Pair { site: j as u32, weight: 1.0 - d, minutes: (30.0 * d) as f32 });
                }
            }
            unit_offsets.push(pairs.len());
        }
        Problem {
            need: (0..units.len()).map(|_| (50.0 + 850.0 * next()).round()).collect(),
            unit_dep: units.iter().map(|u| dep(u.0)).collect(),
            sites: sites
                .iter()
                .map(|s| SiteSpec {
                    cost_eur: 1.0,
                    max_posts: 3,
                    fixed_posts: 0,
                    existing_capacity: 0.0,
                    dep: dep(s.0),
                })
                .collect(),
            pairs,
            unit_offsets,
            deps: vec!["01".into(), "02".into()],
            posts: 4,
            budget_eur: 4.0,
            capacity_per_post: 400.0,
            returns: default_returns(),
            dep_floors: BTreeMap::new(),
            dep_caps: BTreeMap::new(),
            objective: Objective::Attendance,
            coverage_eligible: vec![true; sites.len()],
            target_coverage: 1.0,
            previous: None,
            max_moves: None,
            time_limit_s: 10.0,
        }
    }

    /// A poor start: two posts at the first site of each département, with its optimal flows.
    fn start(p: &Problem) -> lp::FlowSolution {
        lp::solve_flows(p, Posts::Fixed(&[2, 0, 0, 2, 0, 0]), None, None).unwrap()
    }

    /// From the poor start, every site in the kernel: the posts, flows and gain found.
    fn run(p: &Problem, start: &lp::FlowSolution) -> (Vec<u32>, Vec<f64>, f64) {
        let (mut posts, mut flows) = (vec![2, 0, 0, 2, 0, 0], start.flows.clone());
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        let kernel = vec![true; p.sites.len()];
        let current = Current { posts: &mut posts, flows: &mut flows };
        let gain = improve(p, &SiteMajor::new(p), &kernel, current, deadline, Instant::now()).unwrap().0;
        (posts, flows, gain)
    }

    #[test]
    fn separate_departements_reach_the_whole_mip_optimum_with_their_posts() {
        let mut improved = 0;
        for seed in 1..=6 {
            let p = instance(seed, true);
            let start = start(&p);
            let (posts, _, gain) = run(&p, &start);
            // Posts stay in their département: the whole MIP with those counts as floors and caps.
            let mut whole = p.clone();
            whole.dep_floors = BTreeMap::from([(0, 2), (1, 2)]);
            whole.dep_caps = whole.dep_floors.clone();
            let optimum = mip::solve(&whole, &[2, 0, 0, 2, 0, 0], &start.flows, 20.0).unwrap();
            assert!(optimum.proven, "seed {seed}");
            let reached = lp::solve_flows(&p, Posts::Fixed(&posts), None, None).unwrap().objective;
            let tol = 1e-6 * optimum.objective;
            assert!((reached - optimum.objective).abs() <= tol, "seed {seed}: {reached} vs {}", optimum.objective);
            assert!((start.objective + gain - reached).abs() <= tol, "seed {seed}: the gain is the gain on the whole");
            improved += usize::from(reached > start.objective + tol);
        }
        assert!(improved >= 3, "the poor start is improved in {improved} of 6 instances");
    }

    #[test]
    fn across_departements_every_gain_is_a_gain_of_the_whole_plan() {
        let mut improved = 0;
        for seed in 1..=6 {
            let p = instance(seed, false);
            let start = start(&p);
            let (posts, flows, gain) = run(&p, &start);
            // The flows put back are a plan of the whole problem worth start + gain: no unit
            // beyond its need, no site beyond its capacity.
            for i in 0..p.unit_count() {
                let served: f64 = (p.unit_offsets[i]..p.unit_offsets[i + 1]).map(|k| flows[k]).sum();
                assert!(served <= p.need[i] + 1e-6, "seed {seed}: unit {i} served {served} > {}", p.need[i]);
            }
            let mut load = vec![0.0; p.sites.len()];
            for i in 0..p.unit_count() {
                for (k, pair) in (p.unit_offsets[i]..).zip(p.pairs_of(i)) {
                    load[pair.site as usize] += flows[k];
                }
            }
            for (j, &l) in load.iter().enumerate() {
                assert!(l <= p.capacity_per_post * f64::from(posts[j]) + 1e-3, "seed {seed}: site {j} load {l}");
            }
            assert!((value(&p, &flows) - (start.objective + gain)).abs() <= 1e-6 * start.objective);
            let dep_posts =
                |d: u32| posts.iter().zip(&p.sites).filter(|(_, s)| s.dep == d).map(|(&x, _)| x).sum::<u32>();
            assert_eq!((dep_posts(0), dep_posts(1)), (2, 2), "seed {seed}");
            improved += usize::from(gain > 0.0);
        }
        assert!(improved > 0, "the poor start is improved somewhere");
    }
}
