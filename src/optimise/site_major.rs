//! The pairs seen from the sites, and each site's units kept sorted by reduced profit from
//! one subgradient step to the next (the Lagrangian's inner loop, [`super::lagrange`]).

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

    /// The units that reach `site`, with their pair's weight.
    pub(crate) fn of(&self, site: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[site]..self.offsets[site + 1];
        self.units[range.clone()].iter().map(|&i| i as usize).zip(self.weights[range].iter().copied())
    }
}

/// Each site's units by decreasing reduced profit `λ_i w_ij − π_i` (ties by unit), kept from
/// one subgradient step to the next: the multipliers move a little at each step, so the
/// previous order is nearly right and an insertion sort restores it in about one pass (a full
/// sort where it moved a lot). The order is a total one, so the result does not depend on the
/// order it starts from.
pub(crate) struct SortedSites {
    offsets: Vec<usize>,
    keys: Vec<f64>,
    units: Vec<u32>,
    weights: Vec<f64>,
}

impl SortedSites {
    pub(crate) fn new(sm: &SiteMajor) -> Self {
        Self {
            offsets: sm.offsets.clone(),
            keys: vec![0.0; sm.units.len()],
            units: sm.units.clone(),
            weights: sm.weights.clone(),
        }
    }

    /// Re-sorts every site for the multipliers `π, λ`.
    pub(crate) fn resort(&mut self, pi: &[f64], lambda: &[f64]) {
        let mut slices = Vec::with_capacity(self.offsets.len() - 1);
        let (mut keys, mut units, mut weights) = (&mut self.keys[..], &mut self.units[..], &mut self.weights[..]);
        for w in self.offsets.windows(2) {
            let len = w[1] - w[0];
            let (k, k_rest) = std::mem::take(&mut keys).split_at_mut(len);
            let (u, u_rest) = std::mem::take(&mut units).split_at_mut(len);
            let (g, g_rest) = std::mem::take(&mut weights).split_at_mut(len);
            slices.push((k, u, g));
            (keys, units, weights) = (k_rest, u_rest, g_rest);
        }
        slices.into_par_iter().for_each(|(k, u, g)| {
            for ((key, &i), &w) in k.iter_mut().zip(u.iter()).zip(g.iter()) {
                // Units that the valuation skips (no positive profit) all count as 0: they
                // stay in unit order and cost the sort nothing from one step to the next.
                let r = lambda[i as usize] * w - pi[i as usize];
                *key = if r > 0.0 { r } else { 0.0 };
            }
            sort_site(k, u, g);
        });
    }

    /// The units of site `j` with a positive reduced profit and some need, best first:
    /// (reduced profit, unit, weight).
    pub(crate) fn best<'a>(&'a self, p: &'a Problem, j: usize) -> impl Iterator<Item = (f64, usize, f64)> + 'a {
        let range = self.offsets[j]..self.offsets[j + 1];
        self.keys[range.clone()]
            .iter()
            .zip(&self.units[range.clone()])
            .zip(&self.weights[range])
            .map(|((&r, &i), &w)| (r, i as usize, w))
            .take_while(|&(r, _, _)| r > 0.0)
            .filter(|&(_, i, _)| p.need[i] > 0.0)
    }
}

/// The order of a site's items (reduced profit `a` of unit `ua` against `b` of `ub`): higher
/// profit first, then lower unit. A total order, so the sorted sites and [`best_items`] give
/// the same sequence whatever order they start from.
pub(crate) fn item_order(a: f64, ua: usize, b: f64, ub: usize) -> std::cmp::Ordering {
    b.total_cmp(&a).then(ua.cmp(&ub))
}

/// Sorts one site's items by [`item_order`]: insertion sort (about one pass on a nearly sorted
/// site), or a full sort once it has shifted more than a few times the site's length.
pub(crate) fn sort_site(keys: &mut [f64], units: &mut [u32], weights: &mut [f64]) {
    let n = keys.len();
    let mut shifts = 0;
    for a in 1..n {
        let (k, u, w) = (keys[a], units[a], weights[a]);
        let mut b = a;
        while b > 0 && item_order(k, u as usize, keys[b - 1], units[b - 1] as usize).is_lt() {
            keys[b] = keys[b - 1];
            units[b] = units[b - 1];
            weights[b] = weights[b - 1];
            b -= 1;
        }
        keys[b] = k;
        units[b] = u;
        weights[b] = w;
        shifts += a - b;
        if shifts > 8 * n {
            let mut items: Vec<(f64, u32, f64)> =
                keys.iter().zip(units.iter()).zip(weights.iter()).map(|((&k, &u), &w)| (k, u, w)).collect();
            items.sort_unstable_by(|x, y| item_order(x.0, x.1 as usize, y.0, y.1 as usize));
            for (slot, (k, u, w)) in items.into_iter().enumerate() {
                (keys[slot], units[slot], weights[slot]) = (k, u, w);
            }
            return;
        }
    }
}

#[cfg(test)]
#[path = "site_major_tests.rs"]
mod tests;
