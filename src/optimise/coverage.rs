//! Coverage mode's heuristics: the greedy maximal covering (Church & `ReVelle`, 1974) and
//! Teitz and Bart's swaps. The exact solve is the covering engine's (`cover`).

use super::Problem;

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
