//! Coverage mode's heuristics: the greedy maximal covering (Church & `ReVelle`, 1974) and
//! Teitz and Bart's swaps. The exact solve is the covering engine's (`cover`).

use super::Problem;
use super::greedy::Ordered;

/// Greedy MCLP: open, one at a time, the site that covers the most need not yet covered
/// (lazily: a site's gain only falls as others open, so a stale gain bounds the true one;
/// ties to the lowest index).
pub(crate) fn greedy_coverage(p: &Problem, eligible: &[bool]) -> (Vec<u32>, f64) {
    use std::cmp::Reverse;
    let mut state = CoverState::new(p, eligible);
    for (j, s) in p.sites.iter().enumerate() {
        if s.fixed_posts > 0 && eligible[j] {
            state.open(j);
        }
    }
    let mut heap: std::collections::BinaryHeap<(Ordered, Reverse<usize>)> = (0..p.sites.len())
        .filter(|&j| eligible[j] && state.count_open[j] == 0)
        .map(|j| (Ordered(state.gain(j)), Reverse(j)))
        .collect();
    while state.open_count < p.posts as usize {
        let Some((Ordered(bound), Reverse(j))) = heap.pop() else { break };
        let gain = state.gain(j);
        if gain <= 0.0 {
            continue;
        }
        if gain < bound && heap.peek().is_some_and(|top| (top.0.0, Reverse(top.1.0)) > (gain, Reverse(j))) {
            heap.push((Ordered(gain), Reverse(j)));
            continue;
        }
        state.open(j);
    }
    (state.count_open.clone(), state.covered_need)
}

/// Improves an MCLP solution by swaps (close one open site, open a closed one) while a swap
/// covers more need (Teitz and Bart's interchange), fixed sites kept open. For each open site
/// in turn, the best site to open instead is found without trying them all: a closed site's
/// gain once `k` closes is its gain now plus the need only `k` covers that it covers too, so
/// the best is either the best gain overall or one of the sites near `k`.
pub(crate) fn swap_coverage(p: &Problem, eligible: &[bool], start: &[u32]) -> (Vec<u32>, f64) {
    let mut state = CoverState::new(p, eligible);
    for (j, &o) in start.iter().enumerate() {
        if o > 0 {
            state.open(j);
        }
    }
    let n = p.sites.len();
    let mut extra = vec![0.0; n];
    let mut touched: Vec<usize> = Vec::new();
    loop {
        let gains: Vec<f64> = (0..n)
            .map(|j| if eligible[j] && state.count_open[j] == 0 { state.gain(j) } else { f64::NEG_INFINITY })
            .collect();
        let top = (0..n)
            .filter(|&j| gains[j] > f64::NEG_INFINITY)
            .max_by(|&a, &b| gains[a].total_cmp(&gains[b]).then(b.cmp(&a)));
        // The best swap of all (Teitz and Bart's best improvement): (gain, closed k, opened j).
        let mut best: Option<(f64, usize, usize)> = None;
        for k in (0..n).filter(|&k| state.count_open[k] > 0 && p.sites[k].fixed_posts == 0) {
            // Need only k covers, and which closed sites cover it too.
            let mut loss = 0.0;
            for &i in &state.by_site[k] {
                if state.cover_count[i] == 1 {
                    loss += p.need[i];
                    for pair in p.pairs_of(i) {
                        let j = pair.site as usize;
                        if eligible[j] && state.count_open[j] == 0 {
                            if extra[j] == 0.0 {
                                touched.push(j);
                            }
                            extra[j] += p.need[i];
                        }
                    }
                }
            }
            for j in top.into_iter().chain(touched.iter().copied()) {
                let delta = gains[j] + extra[j] - loss;
                let better = best.is_none_or(|(b, bk, bj)| delta.total_cmp(&b).then((bk, bj).cmp(&(k, j))).is_gt());
                if delta > 1e-9 * state.covered_need.max(1.0) && better {
                    best = Some((delta, k, j));
                }
            }
            for &j in &touched {
                extra[j] = 0.0;
            }
            touched.clear();
        }
        let Some((_, k, j)) = best else { break };
        state.close(k);
        state.open(j);
    }
    (state.count_open.clone(), state.covered_need)
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
