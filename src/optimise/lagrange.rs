//! An upper bound on the strong LP relaxation without solving it: Lagrangian relaxation of
//! the per-unit rows, minimised by a deflected subgradient method.
//!
//! The strong relaxation (see [`super::lp`]) is
//!
//! ```text
//! max Σ_ik v_k u_ik
//!   Σ_j z_ij ≤ n_i                 (need, multiplier π_i ≥ 0)
//!   Σ_k u_ik ≤ Σ_j w_ij z_ij       (weighted service, multiplier λ_i ≥ 0)
//!   0 ≤ u_ik ≤ s_k n_i
//!   Σ_i z_ij ≤ C x_j,  0 ≤ z_ij ≤ min(n_i, C) x_j
//!   Σ x_j ≤ P,  Σ c_j x_j ≤ B,  floors and caps per département,  f_j ≤ x_j ≤ M_j
//! ```
//!
//! With the two per-unit rows moved into the objective, the rest splits: each unit chooses
//! its `u` alone, each site earns per post what a fractional knapsack of its units' reduced
//! profits `λ_i w_ij − π_i` gives, and the posts go to the best sites under the posts,
//! budget, floors and caps (a greedy is exact there). For every `π, λ ≥ 0` the value is an
//! upper bound on the relaxation, hence on every integer plan; the method only decides how
//! tight it gets. No LP solver is involved, so it scales with the number of pairs.

use rayon::prelude::*;

use super::Problem;

/// The pairs seen from the sites: `units[offsets[j]..offsets[j + 1]]` reach site j.
pub(crate) struct SiteMajor {
    offsets: Vec<usize>,
    units: Vec<u32>,
    weights: Vec<f64>,
}

impl SiteMajor {
    pub(crate) fn new(p: &Problem) -> Self {
        let mut offsets = vec![0usize; p.sites.len() + 1];
        for pair in &p.pairs {
            offsets[pair.site as usize + 1] += 1;
        }
        for j in 0..p.sites.len() {
            offsets[j + 1] += offsets[j];
        }
        let mut next = offsets.clone();
        let mut units = vec![0u32; p.pairs.len()];
        let mut weights = vec![0.0; p.pairs.len()];
        for i in 0..p.unit_count() {
            for pair in p.pairs_of(i) {
                let slot = &mut next[pair.site as usize];
                units[*slot] = i as u32;
                weights[*slot] = pair.weight;
                *slot += 1;
            }
        }
        Self { offsets, units, weights }
    }

    fn of(&self, site: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[site]..self.offsets[site + 1];
        self.units[range.clone()].iter().map(|&i| i as usize).zip(self.weights[range].iter().copied())
    }
}

/// Result of the bound computation.
#[derive(Debug, Clone)]
pub(crate) struct LagrangeBound {
    /// Best (lowest) upper bound found.
    pub bound: f64,
    /// Subgradient iterations run.
    pub iterations: usize,
}

/// Iterations without a better bound before the step factor halves.
const PATIENCE: usize = 30;
/// Share of the previous direction kept in the next (deflected subgradient).
const DEFLECTION: f64 = 0.5;

/// Where the multipliers start.
#[derive(Clone, Copy)]
pub(crate) enum Start<'a> {
    /// Duals of the flow LP of an integer plan.
    Duals { need: &'a [f64], link: &'a [f64] },
}

/// Settings of the subgradient method.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Stop once (bound − incumbent) / bound falls below this.
    pub target_gap: f64,
    /// Iterations at most.
    pub max_iterations: usize,
    /// Stop at this instant.
    pub deadline: Option<std::time::Instant>,
}

/// Per-unit data: need `n`, the per-post limit `L = min(n, C)`, and the segment values.
struct Evaluation {
    value: f64,
    /// Subgradient with respect to π (need rows) and λ (weighted-service rows).
    grad_pi: Vec<f64>,
    grad_lambda: Vec<f64>,
}

/// Upper bound on the attendance relaxation, starting from the duals of an incumbent's flow LP. Returns `None` when sites have existing
/// capacity (the per-post split above does not hold then).
pub(crate) fn bound(
    p: &Problem,
    sm: &SiteMajor,
    incumbent: f64,
    start: Start,
    settings: Settings,
) -> Option<LagrangeBound> {
    if p.sites.iter().any(|s| s.existing_capacity > 0.0) {
        return None;
    }
    let n = p.unit_count();
    let segments = p.segments();
    let Start::Duals { need, link } = start;
    let (mut pi, mut lambda) = (need.to_vec(), link.to_vec());
    let mut best = f64::INFINITY;
    let mut theta = 1.0;
    let mut since_improved = 0;
    let mut dir_pi = vec![0.0; n];
    let mut dir_lambda = vec![0.0; n];
    let mut iterations = 0;
    while iterations < settings.max_iterations {
        if settings.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
        iterations += 1;
        let e = evaluate(p, sm, &segments, &pi, &lambda);
        if !best.is_finite() || e.value < best - 1e-9 * best.abs().max(1.0) {
            best = e.value;
            since_improved = 0;
        } else {
            since_improved += 1;
            if since_improved >= PATIENCE {
                theta /= 2.0;
                since_improved = 0;
            }
        }
        if std::env::var_os("MAILLAGE_LOG").is_some() && iterations % 10 == 1 {
            eprintln!("    lagrange {iterations}: L {:.1}, best {best:.1}, theta {theta:.4}", e.value);
        }
        if (best - incumbent) <= settings.target_gap * best.abs() || theta < 1e-6 {
            break;
        }
        // Deflected direction (less zig-zag), Polyak step towards the incumbent.
        for i in 0..n {
            dir_pi[i] = e.grad_pi[i] + DEFLECTION * dir_pi[i];
            dir_lambda[i] = e.grad_lambda[i] + DEFLECTION * dir_lambda[i];
        }
        let norm: f64 = dir_pi.iter().chain(&dir_lambda).map(|g| g * g).sum();
        if norm <= 1e-18 {
            break;
        }
        let step = theta * (e.value - incumbent).max(1e-9 * e.value.abs()) / norm;
        for i in 0..n {
            pi[i] = (pi[i] - step * dir_pi[i]).max(0.0);
            lambda[i] = (lambda[i] - step * dir_lambda[i]).max(0.0);
        }
    }
    Some(LagrangeBound { bound: best, iterations })
}

/// The Lagrangian value at (π, λ), its subgradient and the posts of its solution.
fn evaluate(p: &Problem, sm: &SiteMajor, segments: &[super::Segment], pi: &[f64], lambda: &[f64]) -> Evaluation {
    let n = p.unit_count();
    let cap = p.capacity_per_post;
    // Units: π_i n_i + max over u of Σ_k (v_k − λ_i) u_ik.
    let mut value = 0.0;
    let mut grad_pi = p.need.clone();
    let mut grad_lambda = vec![0.0; n];
    for i in 0..n {
        value += pi[i] * p.need[i];
        for s in segments {
            if s.value > lambda[i] {
                value += (s.value - lambda[i]) * s.share * p.need[i];
                grad_lambda[i] -= s.share * p.need[i];
            }
        }
    }
    // Sites: profit of one post (fractional knapsack of capacity C, items of size min(n_i, C)).
    let profit: Vec<f64> =
        (0..p.sites.len()).into_par_iter().map(|j| knapsack(p, sm, j, pi, lambda, cap, |_, _, _| {})).collect();
    let (placed, posts) = place(p, &profit);
    value += placed;
    for (j, &x) in posts.iter().enumerate() {
        if x <= 0.0 {
            continue;
        }
        knapsack(p, sm, j, pi, lambda, cap, |i, w, amount| {
            grad_pi[i] -= amount * x;
            grad_lambda[i] += w * amount * x;
        });
    }
    Evaluation { value, grad_pi, grad_lambda }
}

/// Profit of one post at site `j`: its best units by reduced profit, `min(n_i, C)` each, until
/// `C` people. `take(i, w, amount)` is told each unit drawn.
pub(crate) fn knapsack(
    p: &Problem,
    sm: &SiteMajor,
    j: usize,
    pi: &[f64],
    lambda: &[f64],
    cap: f64,
    mut take: impl FnMut(usize, f64, f64),
) -> f64 {
    let mut items: Vec<(f64, usize, f64)> =
        sm.of(j).map(|(i, w)| (lambda[i] * w - pi[i], i, w)).filter(|&(r, i, _)| r > 0.0 && p.need[i] > 0.0).collect();
    // Best first (ties by unit, so the result is deterministic). Only the best items until one
    // post is full matter: select a prefix large enough to fill it and sort that prefix alone.
    let order = |a: &(f64, usize, f64), b: &(f64, usize, f64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    let mut k = items.len().min(16);
    loop {
        if k < items.len() {
            items.select_nth_unstable_by(k, order);
        }
        let size: f64 = items[..k].iter().map(|&(_, i, _)| p.need[i].min(cap)).sum();
        if size >= cap || k == items.len() {
            items.truncate(k);
            break;
        }
        k = (2 * k).min(items.len());
    }
    items.sort_unstable_by(order);
    let (mut left, mut profit) = (cap, 0.0);
    for (r, i, w) in items {
        if left <= 0.0 {
            break;
        }
        let amount = p.need[i].min(cap).min(left);
        profit += r * amount;
        left -= amount;
        take(i, w, amount);
    }
    profit
}

/// An upper bound on `max Σ profit_j x_j` over the posts, budget, fixed posts, floors and
/// caps, with the posts of a solution. With one cost for every post the budget is a number of
/// posts and a greedy is exact; with several costs the budget row is priced at β and the
/// value `β B + max Σ (ρ_j − β c_j) x_j`, an upper bound for every β ≥ 0 and convex in β, is
/// minimised on a golden section.
fn place(p: &Problem, profit: &[f64]) -> (f64, Vec<f64>) {
    let cost0 = p.sites.first().map_or(1.0, |s| s.cost_eur);
    let uniform = p.sites.iter().all(|s| (s.cost_eur - cost0).abs() <= 1e-9 * cost0);
    if uniform {
        let posts = f64::from(p.posts).min(p.budget_eur / cost0);
        let x = place_greedy(p, profit, posts);
        let value = x.iter().zip(profit).map(|(x, r)| x * r).sum();
        return (value, x);
    }
    let eval = |beta: f64| {
        let adjusted: Vec<f64> = profit.iter().zip(&p.sites).map(|(r, s)| r - beta * s.cost_eur).collect();
        let x = place_greedy(p, &adjusted, f64::from(p.posts));
        let v: f64 = x.iter().zip(&adjusted).map(|(x, r)| x * r).sum::<f64>() + beta * p.budget_eur;
        (v, x)
    };
    let max_ratio = profit.iter().zip(&p.sites).map(|(r, s)| r / s.cost_eur).fold(0.0, f64::max);
    let (mut lo, mut hi) = (0.0, max_ratio);
    let phi = 0.618_033_988_75;
    for _ in 0..40 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if eval(a).0 <= eval(b).0 { hi = b } else { lo = a }
    }
    eval(0.5 * (lo + hi))
}

/// Greedy placement with one cost: fixed posts, then each floor from its département's best
/// sites, then the best remaining slots while their profit is positive.
fn place_greedy(p: &Problem, profit: &[f64], posts: f64) -> Vec<f64> {
    let mut x: Vec<f64> = p.sites.iter().map(|s| f64::from(s.fixed_posts)).collect();
    let mut dep_posts = vec![0.0; p.deps.len()];
    for s in &p.sites {
        dep_posts[s.dep as usize] += f64::from(s.fixed_posts);
    }
    let mut left = posts - x.iter().sum::<f64>();
    let mut order: Vec<usize> = (0..p.sites.len()).collect();
    order.sort_unstable_by(|&a, &b| profit[b].total_cmp(&profit[a]).then(a.cmp(&b)));
    let cap_room = |d: usize, dep_posts: &[f64]| {
        p.dep_caps.get(&(d as u32)).map_or(f64::INFINITY, |&c| f64::from(c) - dep_posts[d])
    };
    for (&d, &floor) in &p.dep_floors {
        let d = d as usize;
        for &j in order.iter().filter(|&&j| p.sites[j].dep as usize == d) {
            let want = f64::from(floor) - dep_posts[d];
            if want <= 0.0 {
                break;
            }
            let add = (f64::from(p.sites[j].max_posts) - x[j]).min(want);
            x[j] += add;
            dep_posts[d] += add;
            left -= add;
        }
    }
    for &j in &order {
        if left <= 0.0 || profit[j] <= 0.0 {
            break;
        }
        let d = p.sites[j].dep as usize;
        let add = (f64::from(p.sites[j].max_posts) - x[j]).min(left).min(cap_room(d, &dep_posts)).max(0.0);
        x[j] += add;
        dep_posts[d] += add;
        left -= add;
    }
    x
}
