//! Local search on an integer plan: move posts from the sites where the last post is worth
//! least to the sites where one more post would be worth most, both priced by the duals of
//! the plan's flow LP. A batch of independent moves is kept only if re-optimised flows confirm
//! the gain; a rejected batch is halved.

use super::settings::SETTINGS;
use rayon::prelude::*;

use super::lagrange::{SiteMajor, knapsack};
use super::lp::{self, FlowSolution, Posts};
use super::{Problem, SolveError};

/// Continuity: posts that leave a site of the previous plan are counted against a budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoveLimit<'a> {
    /// Posts per site in the previous plan.
    pub previous: &'a [u32],
    /// Posts that may leave their previous site, at most.
    pub max_moves: u32,
}

impl MoveLimit<'_> {
    /// Posts of the previous plan no longer at their site in `x`.
    pub(crate) fn moved(&self, x: &[u32]) -> u32 {
        self.previous.iter().zip(x).map(|(&p, &n)| p.saturating_sub(n)).sum()
    }
}

/// Result of the search.
pub(crate) struct Improved {
    /// Posts per site.
    pub posts: Vec<u32>,
    /// Optimal flows for them.
    pub flows: FlowSolution,
    /// Posts moved from one site to another in the accepted batches.
    pub moves: usize,
}

/// Improves `posts` (whose optimal flows are `flows`) until no batch helps or `deadline`.
///
/// # Errors
/// A solver failure other than the time limit.
pub(crate) fn improve(
    p: &Problem,
    sm: &SiteMajor,
    posts: Vec<u32>,
    flows: FlowSolution,
    limit: Option<MoveLimit<'_>>,
    deadline: std::time::Instant,
) -> Result<Improved, SolveError> {
    let mut current = Improved { posts, flows, moves: 0 };
    let placed: u32 = current.posts.iter().sum();
    let max_batch = (placed as usize / 16).clamp(1, 256);
    let mut batch = max_batch;
    // Sites whose single move was rejected: not proposed again.
    let mut tabu = vec![false; p.sites.len()];
    let mut rejected_in_a_row = 0;
    let mut round = 0;
    while rejected_in_a_row < SETTINGS.search_max_rejections_in_a_row
        && round < SETTINGS.search_max_rounds
        && std::time::Instant::now() < deadline
    {
        round += 1;
        let clock = std::time::Instant::now();
        let room = limit.map(|l| l.max_moves.saturating_sub(l.moved(&current.posts)));
        let moves = propose(p, sm, &current, batch, &tabu, limit.map(|l| l.previous), room);
        if moves.is_empty() {
            break;
        }
        let mut x = current.posts.clone();
        for &(from, to) in &moves {
            x[from] -= 1;
            x[to] += 1;
        }
        let trial = match lp::solve_flows(p, Posts::Fixed(&x), None, Some(deadline)) {
            Ok(t) => t,
            Err(SolveError::TimeLimit) => break,
            Err(e) => return Err(e),
        };
        let better = trial.objective > current.flows.objective * (1.0 + 1e-7) + 1e-9;
        super::log::stage(
            &format!(
                "  local search {round}: {} moves, objective {:.1} → {:.1}{}",
                moves.len(),
                current.flows.objective,
                trial.objective,
                if better { "" } else { " (rejected)" }
            ),
            clock,
        );
        if better {
            current = Improved { posts: x, flows: trial, moves: current.moves + moves.len() };
            batch = (batch * 2).min(max_batch);
            rejected_in_a_row = 0;
        } else if moves.len() > 1 {
            batch = moves.len() / 2;
        } else {
            tabu[moves[0].1] = true;
            rejected_in_a_row += 1;
        }
    }
    Ok(current)
}

/// Up to `batch` moves (from, to) whose estimated gain is positive, touching disjoint units
/// and keeping every limit (site maximum, fixed posts, floors, caps, budget).
fn propose(
    p: &Problem,
    sm: &SiteMajor,
    current: &Improved,
    batch: usize,
    tabu: &[bool],
    previous: Option<&[u32]>,
    mut room: Option<u32>,
) -> Vec<(usize, usize)> {
    let f = &current.flows;
    let x = &current.posts;
    let cap = p.capacity_per_post;
    // Value of one more post at each site that can take one.
    let mut adds: Vec<(f64, usize)> = (0..p.sites.len())
        .into_par_iter()
        .filter(|&j| x[j] < p.sites[j].max_posts && !tabu[j])
        .map(|j| (knapsack(p, sm, j, &f.need_dual, &f.link_dual, cap, |_, _, _| {}), j))
        .filter(|&(g, _)| g > 0.0)
        .collect();
    adds.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // First-order loss of one post less at each site that has a movable post.
    let mut removes: Vec<(f64, usize)> =
        (0..p.sites.len()).filter(|&j| x[j] > p.sites[j].fixed_posts).map(|j| (cap * f.cap_dual[j], j)).collect();
    removes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));

    let mut dep_posts = vec![0u32; p.deps.len()];
    for (s, &n) in p.sites.iter().zip(x) {
        dep_posts[s.dep as usize] += n;
    }
    let mut cost: f64 = p.sites.iter().zip(x).map(|(s, &n)| s.cost_eur * f64::from(n)).sum();
    let mut touched_unit = vec![false; p.unit_count()];
    let mut touched_site = vec![false; p.sites.len()];
    let units_of_add = |j: usize| {
        let mut units = Vec::new();
        knapsack(p, sm, j, &f.need_dual, &f.link_dual, cap, |i, _, _| units.push(i));
        units
    };
    let mut moves = Vec::new();
    let mut next_remove = 0;
    for &(gain, to) in &adds {
        if moves.len() >= batch || next_remove >= removes.len() {
            break;
        }
        if touched_site[to] {
            continue;
        }
        let add_units = units_of_add(to);
        if add_units.iter().any(|&i| touched_unit[i]) {
            continue;
        }
        // The cheapest removal that keeps the limits.
        let mut chosen = None;
        for (r, &(loss, from)) in removes.iter().enumerate().skip(next_remove) {
            if gain - loss <= 1e-9 * gain.abs().max(1.0) {
                break;
            }
            if from == to || touched_site[from] || !move_keeps_limits(p, &dep_posts, cost, from, to) {
                continue;
            }
            // A post leaving a site of the previous plan is a move; the budget may be spent.
            let counted = previous.is_some_and(|prev| x[from] <= prev[from]);
            if counted && room == Some(0) {
                continue;
            }
            chosen = Some((r, from));
            break;
        }
        let Some((r, from)) = chosen else { continue };
        if r == next_remove {
            next_remove += 1;
        }
        touched_site[to] = true;
        touched_site[from] = true;
        for &i in &add_units {
            touched_unit[i] = true;
        }
        dep_posts[p.sites[from].dep as usize] -= 1;
        dep_posts[p.sites[to].dep as usize] += 1;
        cost += p.sites[to].cost_eur - p.sites[from].cost_eur;
        if previous.is_some_and(|prev| x[from] <= prev[from])
            && let Some(r) = room.as_mut()
        {
            *r -= 1;
        }
        moves.push((from, to));
    }
    moves
}

/// Whether moving one post from `from` to `to` keeps floors, caps and the budget.
fn move_keeps_limits(p: &Problem, dep_posts: &[u32], cost: f64, from: usize, to: usize) -> bool {
    let (df, dt) = (p.sites[from].dep, p.sites[to].dep);
    if df != dt {
        if p.dep_floors.get(&df).is_some_and(|&fl| dep_posts[df as usize] <= fl) {
            return false;
        }
        if p.dep_caps.get(&dt).is_some_and(|&c| dep_posts[dt as usize] >= c) {
            return false;
        }
    }
    cost + p.sites[to].cost_eur - p.sites[from].cost_eur <= p.budget_eur + 1e-6
}
