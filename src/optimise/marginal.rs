//! What one post more or one post fewer is worth in each département, read off a plan's
//! flows. One more: the site of the département where a post adds the most, the other flows
//! unchanged (a lower bound on what re-optimised flows would give). One fewer: the post whose
//! removal loses the least, its excess flows dropped, none re-routed (an upper bound on the
//! loss). Both in the plan's objective (decay-weighted people, diminishing returns).

use rayon::prelude::*;

use super::{Plan, Problem};

/// One département's marginal posts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepMarginal {
    /// Objective one more post adds at its best site (`None`: no site can take one).
    pub next_post_gain: Option<f64>,
    /// That site (problem index).
    pub next_post_site: Option<u32>,
    /// Objective lost by removing the post that loses least (`None`: no post to remove;
    /// fixed posts stay).
    pub last_post_loss: Option<f64>,
    /// That post's site (problem index).
    pub last_post_site: Option<u32>,
}

/// The marginal posts of every département of `p.deps`, in order.
#[must_use]
pub fn marginal_posts(p: &Problem, plan: &Plan) -> Vec<DepMarginal> {
    let gains = super::greedy::next_post_values(p, &plan.posts, &plan.flows);
    let losses = last_post_losses(p, plan);
    let mut deps = vec![DepMarginal::default(); p.deps.len()];
    for (j, s) in p.sites.iter().enumerate() {
        let d = &mut deps[s.dep as usize];
        // Ties go to the lower site index: sites are visited in order, so strict comparisons.
        if let Some(g) = gains[j]
            && d.next_post_gain.is_none_or(|best| g > best)
        {
            (d.next_post_gain, d.next_post_site) = (Some(g), Some(j as u32));
        }
        if let Some(l) = losses[j]
            && d.last_post_loss.is_none_or(|least| l < least)
        {
            (d.last_post_loss, d.last_post_site) = (Some(l), Some(j as u32));
        }
    }
    deps
}

/// What removing one post at each site loses (`None` where no post may go): the flows over
/// the capacity left are dropped, least valuable first.
fn last_post_losses(p: &Problem, plan: &Plan) -> Vec<Option<f64>> {
    let mut by_site: Vec<Vec<(usize, usize)>> = vec![Vec::new(); p.sites.len()];
    let mut weighted = vec![0.0; p.unit_count()];
    for (i, w) in weighted.iter_mut().enumerate() {
        for k in p.unit_offsets[i]..p.unit_offsets[i + 1] {
            by_site[p.pairs[k].site as usize].push((i, k));
            *w += p.pairs[k].weight * plan.flows[k];
        }
    }
    let segments = p.segments();
    (0..p.sites.len())
        .into_par_iter()
        .map(|j| {
            let s = &p.sites[j];
            if plan.posts[j] <= s.fixed_posts || plan.posts[j] == 0 {
                return None;
            }
            let load: f64 = by_site[j].iter().map(|&(_, k)| plan.flows[k]).sum();
            let kept = p.capacity_per_post * f64::from(plan.posts[j] - 1) + s.existing_capacity;
            let excess = load - kept;
            if excess <= 1e-9 {
                return Some(0.0);
            }
            // (loss per person, pair, people): each pair's flow peeled from its unit's top.
            let mut pieces: Vec<(f64, usize, f64)> = Vec::new();
            for &(i, k) in &by_site[j] {
                let (w, mut flow) = (p.pairs[k].weight, plan.flows[k]);
                if flow <= 1e-12 || w <= 0.0 {
                    continue;
                }
                let mut level = weighted[i];
                let mut end = segments.iter().map(|g| g.share * p.need[i]).sum::<f64>();
                for g in segments.iter().rev() {
                    let start = end - g.share * p.need[i];
                    let filled = (level.min(end) - start).max(0.0);
                    let people = (filled / w).min(flow);
                    if people > 1e-12 {
                        pieces.push((w * g.value, k, people));
                        flow -= people;
                        level -= people * w;
                    }
                    end = start;
                }
            }
            pieces.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let (mut left, mut loss) = (excess, 0.0);
            for (v, _, people) in pieces {
                let q = people.min(left);
                loss += v * q;
                left -= q;
                if left <= 1e-9 {
                    break;
                }
            }
            Some(loss)
        })
        .collect()
}
