//! An upper bound on every integer plan without solving the LP: Lagrangian relaxation of the
//! per-unit rows of the strong relaxation, minimised by a deflected subgradient method.
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
//! its `u` alone; each site values its posts by a fractional knapsack of its units' reduced
//! profits `λ_i w_ij − π_i` (capacity `C x_j`, at most `n_i` from a unit: the need row
//! implies it), which makes the site's value a concave function of its posts; and whole posts
//! go to the best of those per-post increments under the posts, budget, floors and caps (a
//! greedy is exact there: the values are concave and the limits nested). For every
//! `π, λ ≥ 0` the value bounds every integer plan from above, and, posts being whole, it is
//! never above the Lagrangian value of the LP relaxation with the same multipliers; the
//! method only decides how tight it gets. No LP solver is involved, so it scales with the
//! number of pairs.

use rayon::prelude::*;

use super::Problem;
use super::settings::SETTINGS;
pub(crate) use super::site_major::SiteMajor;
use super::site_major::{SortedSites, item_order};

/// Result of the bound computation.
#[derive(Debug, Clone)]
pub(crate) struct LagrangeBound {
    /// Best (lowest) upper bound found.
    pub bound: f64,
    /// Subgradient iterations run.
    pub iterations: usize,
    /// Sites that took posts in one of the last [`SETTINGS.lagrange_support_steps`] iterates: where the
    /// relaxation wants posts once its multipliers have settled. `--solver mip` searches
    /// these (with the incumbent's sites) first.
    pub support: Vec<bool>,
}

/// Where the multipliers start.
#[derive(Clone, Copy)]
pub(crate) enum Start<'a> {
    /// Multipliers of the need and weighted-service rows: the duals of an integer plan's flow
    /// LP, or prices read off a plan's flows when that LP could not be solved.
    Multipliers { need: &'a [f64], link: &'a [f64] },
}

/// Settings of the subgradient method.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Stop once (bound − incumbent) / bound falls below this.
    pub target_gap: f64,
    /// Iterations at most: the work is counted, not timed, so that the bound (and every output
    /// that shows it) does not depend on the machine or its load.
    pub max_iterations: usize,
}

/// Per-unit data: need `n`, the per-post limit `L = min(n, C)`, and the segment values.
struct Evaluation {
    value: f64,
    /// Subgradient with respect to π (need rows) and λ (weighted-service rows).
    grad_pi: Vec<f64>,
    grad_lambda: Vec<f64>,
    /// Posts per site of the Lagrangian solution.
    posts: Vec<u32>,
}

/// Upper bound on the attendance relaxation, starting from `start` (see [`Start`]). Returns
/// `None` when sites have existing capacity (the per-post split above does not hold then).
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
    let Start::Multipliers { need, link } = start;
    let (mut pi, mut lambda) = (need.to_vec(), link.to_vec());
    let mut best = f64::INFINITY;
    let mut theta = 1.0;
    let mut since_improved = 0;
    let mut dir_pi = vec![0.0; n];
    let mut dir_lambda = vec![0.0; n];
    let mut iterations = 0;
    let mut sorted = SortedSites::new(sm);
    let mut last_seen = vec![0; p.sites.len()];
    // Diagonal scaling: unit i's multipliers move by its violation divided by its need, so every
    // unit's prices move with its *share* of need left over or oversold. Unscaled, the largest
    // units (cities, arrondissements) set the step and the prices of the many small communes
    // barely move, and the bound converges far more slowly (docs/optimiser.md, the figures).
    let scale: Vec<f64> = p.need.iter().map(|&need| 1.0 / need.max(1.0)).collect();
    while iterations < settings.max_iterations {
        iterations += 1;
        sorted.resort(&pi, &lambda);
        let e = evaluate(p, &sorted, &segments, &pi, &lambda);
        for (seen, &x) in last_seen.iter_mut().zip(&e.posts) {
            if x > 0 {
                *seen = iterations;
            }
        }
        if !best.is_finite() || e.value < best - 1e-9 * best.abs().max(1.0) {
            best = e.value;
            since_improved = 0;
        } else {
            since_improved += 1;
            if since_improved >= SETTINGS.lagrange_patience {
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
        // Deflected direction (less zig-zag), scaled Polyak step towards the incumbent.
        for i in 0..n {
            dir_pi[i] = e.grad_pi[i] + SETTINGS.lagrange_deflection * dir_pi[i];
            dir_lambda[i] = e.grad_lambda[i] + SETTINGS.lagrange_deflection * dir_lambda[i];
        }
        let norm: f64 = (0..n).map(|i| scale[i] * (dir_pi[i] * dir_pi[i] + dir_lambda[i] * dir_lambda[i])).sum();
        if norm <= 1e-18 {
            break;
        }
        let step = theta * (e.value - incumbent).max(1e-9 * e.value.abs()) / norm;
        for i in 0..n {
            pi[i] = (pi[i] - step * scale[i] * dir_pi[i]).max(0.0);
            lambda[i] = (lambda[i] - step * scale[i] * dir_lambda[i]).max(0.0);
        }
    }
    let support = last_seen.iter().map(|&t| t > 0 && t + SETTINGS.lagrange_support_steps > iterations).collect();
    Some(LagrangeBound { bound: best, iterations, support })
}

/// The Lagrangian value at (π, λ), its subgradient and the posts of its solution.
fn evaluate(p: &Problem, sorted: &SortedSites, segments: &[super::Segment], pi: &[f64], lambda: &[f64]) -> Evaluation {
    let n = p.unit_count();
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
    // Sites: what each further post adds (a concave value of the site's posts).
    let increments = site_values(p, sorted);
    let (placed, posts) = place(p, &increments);
    value += placed;
    for (j, &x) in posts.iter().enumerate() {
        if x == 0 {
            continue;
        }
        site_increments(p, sorted, j, x, |i, w, amount| {
            grad_pi[i] -= amount;
            grad_lambda[i] += w * amount;
        });
    }
    Evaluation { value, grad_pi, grad_lambda, posts }
}

/// Sites whose further posts are valued in one parallel batch (lazy valuation).
const SITE_BATCH: usize = 512;

/// What each post adds at each site (see [`site_increments`]), as far as the placement can
/// look: every post of every site when floors, caps, several costs or fixed posts make the
/// placement look anywhere; otherwise every site's first post is computed, the sites whose
/// first post is below the last one the placement would take among first posts are left
/// empty, and the further posts are valued only for the sites whose first post is worth at
/// least the last post the placement would take among those known. A site's further posts
/// are worth no more than its first (the values are concave), so the placement is the same
/// as with every post valued: the lazy valuation saves work, not precision.
fn site_values(p: &Problem, sorted: &SortedSites) -> Vec<Vec<f64>> {
    let full = |j: usize| site_increments(p, sorted, j, site_room(p, j), |_, _, _| {});
    let posts = match p.budget_posts() {
        Some(posts)
            if p.dep_floors.is_empty() && p.dep_caps.is_empty() && p.sites.iter().all(|s| s.fixed_posts == 0) =>
        {
            posts as usize
        }
        _ => return (0..p.sites.len()).into_par_iter().map(full).collect(),
    };
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); p.sites.len()];
    if posts == 0 {
        return values;
    }
    let first: Vec<f64> = (0..p.sites.len())
        .into_par_iter()
        .map(|j| if site_room(p, j) == 0 { 0.0 } else { first_post(p, sorted, j) })
        .collect();
    let mut known: Vec<f64> = first.iter().copied().filter(|&g| g > 0.0).collect();
    // A site whose first post is below the last post taken among the first posts gets no
    // post (at least `posts` posts are worth more); only the others are valued.
    let first_threshold = nth_best(&mut known, posts);
    let mut order = Vec::new();
    for (j, &g) in first.iter().enumerate() {
        if g > 0.0 && g >= first_threshold {
            values[j].push(g);
            if site_room(p, j) > 1 {
                order.push(j);
            }
        }
    }
    order.sort_unstable_by(|&a, &b| first[b].total_cmp(&first[a]).then(a.cmp(&b)));
    for batch in order.chunks(SITE_BATCH) {
        // The value of the last post the placement takes among those known so far: it only
        // rises as more are known, so a site whose first post is below it adds nothing.
        let threshold = nth_best(&mut known, posts);
        if values[batch[0]][0] < threshold {
            break;
        }
        let more: Vec<Vec<f64>> = batch.par_iter().map(|&j| full(j)).collect();
        for (&j, v) in batch.iter().zip(more) {
            known.extend(v.iter().skip(1).copied().filter(|&g| g > 0.0));
            values[j] = v;
        }
    }
    values
}

/// What the first post of site `j` adds: `site_increments(…, 1)[0]` without its allocation
/// (the same sums in the same order).
fn first_post(p: &Problem, sorted: &SortedSites, j: usize) -> f64 {
    let (mut remaining, mut value) = (p.capacity_per_post, 0.0);
    for (r, i, _) in sorted.best(p, j) {
        if remaining <= 0.0 {
            break;
        }
        let amount = p.need[i].min(remaining);
        remaining -= amount;
        value += r * amount;
    }
    value
}

/// The `n`-th largest of `values` (reordered), or 0 if there are no more than `n` of them.
fn nth_best(values: &mut [f64], n: usize) -> f64 {
    if values.len() > n && n > 0 { *values.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a)).1 } else { 0.0 }
}

/// Posts site `j` may hold at most (its fixed posts count even above its maximum).
fn site_room(p: &Problem, j: usize) -> u32 {
    p.sites[j].max_posts.max(p.sites[j].fixed_posts)
}

/// What each of the first `posts` posts adds at site `j`, the k-th entry being
/// `g(k + 1) − g(k)` where `g(x)` is the best reduced profit `Σ (λ_i w_ij − π_i) z_ij` with
/// `Σ_i z_ij ≤ C x` and `z_ij ≤ n_i` (a fractional knapsack, best units first). The entries do
/// not increase. `take(i, w, amount)` is told each unit drawn for all `posts` posts.
fn site_increments(
    p: &Problem,
    sorted: &SortedSites,
    j: usize,
    posts: u32,
    mut take: impl FnMut(usize, f64, f64),
) -> Vec<f64> {
    let cap = p.capacity_per_post;
    let mut increments = vec![0.0; posts as usize];
    if posts == 0 {
        return increments;
    }
    let items = sorted.best(p, j);
    let mut remaining = cap * f64::from(posts);
    let (mut post, mut left) = (0usize, cap);
    for (r, i, w) in items {
        if remaining <= 0.0 {
            break;
        }
        let amount = p.need[i].min(remaining);
        take(i, w, amount);
        remaining -= amount;
        let mut rest = amount;
        while rest > 0.0 && post < increments.len() {
            let part = rest.min(left);
            increments[post] += r * part;
            rest -= part;
            left -= part;
            if left <= 0.0 {
                post += 1;
                left = cap;
            }
        }
    }
    // The sums above may break the order by a rounding error; the placement relies on it
    // (a site's second post never before its first), so raise an earlier post to a later
    // one (raising keeps the bound valid).
    for k in (1..increments.len()).rev() {
        increments[k - 1] = increments[k - 1].max(increments[k]);
    }
    increments
}

/// The units of site `j` with a positive reduced profit `λ_i w_ij − π_i`, best first (ties
/// by unit, so that the result is deterministic), as few as fill `capacity` with `size(i)`
/// each (all of them if they cannot).
fn best_items(
    p: &Problem,
    sm: &SiteMajor,
    j: usize,
    pi: &[f64],
    lambda: &[f64],
    capacity: f64,
    size: impl Fn(usize) -> f64,
) -> Vec<(f64, usize, f64)> {
    let order = |a: &(f64, usize, f64), b: &(f64, usize, f64)| item_order(a.0, a.1, b.0, b.1);
    let mut items: Vec<(f64, usize, f64)> =
        sm.of(j).map(|(i, w)| (lambda[i] * w - pi[i], i, w)).filter(|&(r, i, _)| r > 0.0 && p.need[i] > 0.0).collect();
    // Only the best items until the capacity is full matter: select a prefix large enough
    // (doubling its length) and sort that prefix alone.
    let mut k = items.len().min(16);
    loop {
        if k < items.len() {
            items.select_nth_unstable_by(k, order);
        }
        let filled: f64 = items[..k].iter().map(|&(_, i, _)| size(i)).sum();
        if filled >= capacity || k == items.len() {
            break;
        }
        k = (2 * k).min(items.len());
    }
    items.truncate(k);
    items.sort_unstable_by(order);
    items
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
    let items = best_items(p, sm, j, pi, lambda, cap, |i| p.need[i].min(cap));
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

/// The best integer posts `x` for the site values (`increments[j][k]`: what the (k+1)-th post
/// of site j adds, non-increasing in k) under the posts, budget, fixed posts, floors and caps:
/// the value `Σ_j Σ_{k<x_j} increments[j][k]` and `x`. With one cost for every post the budget
/// is a number of posts and a greedy on the increments is exact (the values are concave and
/// the limits nested); with several costs the budget row is priced at β and the value
/// `β B + max Σ_j Σ_k (increments[j][k] − β c_j)`, an upper bound for every β ≥ 0 and convex
/// in β, is minimised on a golden section.
fn place(p: &Problem, increments: &[Vec<f64>]) -> (f64, Vec<u32>) {
    if let Some(posts) = p.budget_posts() {
        return place_greedy(p, increments, |_| 0.0, posts);
    }
    let eval = |beta: f64| {
        let (v, x) = place_greedy(p, increments, |j| beta * p.sites[j].cost_eur, p.posts);
        (v + beta * p.budget_eur, x)
    };
    let max_ratio = increments
        .iter()
        .zip(&p.sites)
        .map(|(inc, s)| inc.first().copied().unwrap_or(0.0) / s.cost_eur)
        .fold(0.0, f64::max);
    let (mut lo, mut hi) = (0.0, max_ratio);
    let phi = 0.618_033_988_75;
    for _ in 0..40 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if eval(a).0 <= eval(b).0 { hi = b } else { lo = a }
    }
    eval(0.5 * (lo + hi))
}

/// Greedy placement on the increments less `price(j)` per post: fixed posts, then each floor
/// from its département's best increments, then the best remaining increments while they
/// are positive, up to `posts` posts and the caps. Returns the value and the posts.
fn place_greedy(p: &Problem, increments: &[Vec<f64>], price: impl Fn(usize) -> f64, posts: u32) -> (f64, Vec<u32>) {
    let mut x: Vec<u32> = p.sites.iter().map(|s| s.fixed_posts).collect();
    let mut dep_posts = vec![0u32; p.deps.len()];
    let mut value = 0.0;
    for (j, s) in p.sites.iter().enumerate() {
        dep_posts[s.dep as usize] += s.fixed_posts;
        value += increments[j][..s.fixed_posts as usize].iter().map(|g| g - price(j)).sum::<f64>();
    }
    let mut left = posts.saturating_sub(x.iter().sum());
    // (gain, site, post index): best first, then by site and post so that a site's posts
    // come in order.
    let order =
        |a: &(f64, usize, usize), b: &(f64, usize, usize)| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2)));
    let offers = |keep: &dyn Fn(usize) -> bool, x: &[u32]| -> Vec<(f64, usize, usize)> {
        (0..p.sites.len())
            .filter(|&j| keep(j))
            .flat_map(|j| (x[j] as usize..increments[j].len()).map(move |k| (j, k)))
            .map(|(j, k)| (increments[j][k] - price(j), j, k))
            .collect()
    };
    for (&d, &floor) in &p.dep_floors {
        let d = d as usize;
        let mut list = offers(&|j| p.sites[j].dep as usize == d, &x);
        list.sort_unstable_by(order);
        for (g, j, _) in list {
            if dep_posts[d] >= floor || left == 0 {
                break;
            }
            x[j] += 1;
            dep_posts[d] += 1;
            left -= 1;
            value += g;
        }
    }
    let mut list: Vec<(f64, usize, usize)> = offers(&|_| true, &x).into_iter().filter(|o| o.0 > 0.0).collect();
    if p.dep_caps.is_empty() && list.len() > left as usize {
        // Without caps the best `left` increments are the answer: select them, sort those.
        if left == 0 {
            list.clear();
        } else {
            list.select_nth_unstable_by(left as usize - 1, order);
            list.truncate(left as usize);
        }
    }
    list.sort_unstable_by(order);
    for (g, j, k) in list {
        if left == 0 {
            break;
        }
        let d = p.sites[j].dep as usize;
        if k != x[j] as usize || p.dep_caps.get(&(d as u32)).is_some_and(|&c| dep_posts[d] >= c) {
            continue;
        }
        x[j] += 1;
        dep_posts[d] += 1;
        left -= 1;
        value += g;
    }
    (value, x)
}
