//! From the LP relaxation to an integer plan: round down, meet the floors, then round up the
//! largest fractions while posts, budget and limits allow.

use super::{Problem, SolveError};

/// Rounds relaxed posts to integers within every constraint.
///
/// # Errors
/// [`SolveError::Infeasible`] when a département floor cannot be met.
pub(crate) fn round_posts(p: &Problem, relaxed: &[f64]) -> Result<Vec<u32>, SolveError> {
    let mut x: Vec<u32> = relaxed
        .iter()
        .zip(&p.sites)
        .map(|(&v, s)| ((v + 1e-6).floor().max(0.0) as u32).clamp(s.fixed_posts, s.max_posts))
        .collect();
    let mut dep_posts = vec![0u32; p.deps.len()];
    for (j, s) in p.sites.iter().enumerate() {
        dep_posts[s.dep as usize] += x[j];
    }
    let mut posts = x.iter().sum::<u32>();
    let mut cost: f64 = x.iter().zip(&p.sites).map(|(&n, s)| f64::from(n) * s.cost_eur).sum();
    // Sites by decreasing fractional part (ties: lower index first, for determinism).
    let mut order: Vec<usize> = (0..p.sites.len()).filter(|&j| relaxed[j] - f64::from(x[j]) > 1e-6).collect();
    order.sort_by(|&a, &b| {
        let fa = relaxed[a] - f64::from(x[a]);
        let fb = relaxed[b] - f64::from(x[b]);
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let can_add = |j: usize, x: &[u32], dep_posts: &[u32], posts: u32, cost: f64| {
        let s = &p.sites[j];
        x[j] < s.max_posts
            && posts < p.posts
            && cost + s.cost_eur <= p.budget_eur + 1e-6
            && p.dep_caps.get(&s.dep).is_none_or(|&c| dep_posts[s.dep as usize] < c)
    };
    for (&d, &floor) in &p.dep_floors {
        for &j in order.iter().filter(|&&j| p.sites[j].dep == d) {
            if dep_posts[d as usize] >= floor {
                break;
            }
            if can_add(j, &x, &dep_posts, posts, cost) {
                x[j] += 1;
                dep_posts[d as usize] += 1;
                posts += 1;
                cost += p.sites[j].cost_eur;
            }
        }
        if dep_posts[d as usize] < floor {
            return Err(SolveError::Infeasible(format!(
                "the floor of {floor} posts in département {} cannot be met after rounding ({} placed)",
                p.deps[d as usize], dep_posts[d as usize]
            )));
        }
    }
    let target = (relaxed.iter().sum::<f64>() + 1e-6).floor() as u32;
    for &j in &order {
        if posts >= target {
            break;
        }
        if f64::from(x[j]) < relaxed[j] - 1e-6 && can_add(j, &x, &dep_posts, posts, cost) {
            x[j] += 1;
            dep_posts[p.sites[j].dep as usize] += 1;
            posts += 1;
            cost += p.sites[j].cost_eur;
        }
    }
    Ok(x)
}
