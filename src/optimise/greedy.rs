//! Greedy baseline: add one post at a time where it serves the most value, lazily
//! re-evaluating gains (they only fall as need is served).

use std::collections::{BinaryHeap, HashMap};

use rayon::prelude::*;

use super::{Problem, SolveError};

/// Value of serving `people` more from a unit already at `weighted` (decay-weighted people)
/// through a pair of weight `w`, following the unit's concave segments.
pub(super) fn segment_gain(p: &Problem, need: f64, weighted: f64, w: f64, people: f64) -> f64 {
    let mut gain = 0.0;
    let mut start = 0.0;
    let mut left = w * people;
    for s in p.segments() {
        let end = start + s.share * need;
        let room = (end - weighted.max(start)).max(0.0);
        let take = room.min(left);
        gain += take * s.value;
        left -= take;
        start = end;
        if left <= 0.0 {
            break;
        }
    }
    gain
}

/// What one post takes: the capacity left, the value served and the flows (pair, people).
struct Taken {
    left: f64,
    value: f64,
    flows: Vec<(usize, f64)>,
}

struct State<'p> {
    p: &'p Problem,
    /// For each site, the (unit, pair index) it reaches.
    by_site: Vec<Vec<(usize, usize)>>,
    remaining: Vec<f64>,
    weighted: Vec<f64>,
    flows: Vec<f64>,
}

impl State<'_> {
    /// Value of `capacity` more people served at `site`, and the flows it would carry
    /// (pair index, people). Each unit's unmet need is cut into the pieces of its concave
    /// value (a unit half served is worth less than an unserved one), and the post takes the
    /// most valuable pieces first: the best use of one post given the flows so far.
    fn gain(&self, site: usize, capacity: f64) -> (f64, Vec<(usize, f64)>) {
        let segments = self.p.segments();
        // (value per person, local unit, pair, people, rank pushed)
        let mut pieces: Vec<(f64, usize, usize, f64, usize)> = Vec::new();
        let mut units: Vec<usize> = Vec::new();
        for &(i, k) in &self.by_site[site] {
            if self.remaining[i] <= 1e-9 {
                continue;
            }
            let w = self.p.pairs[k].weight;
            let local = units.len();
            units.push(i);
            let mut start = 0.0;
            for s in &segments {
                let end = start + s.share * self.p.need[i];
                let room = end - self.weighted[i].max(start);
                if room > 1e-12 && w > 0.0 {
                    pieces.push((w * s.value, local, k, room / w, pieces.len()));
                }
                start = end;
            }
        }
        // Best value first, then by unit, then as pushed (a unit's segments in order): a total
        // order. Only the best pieces until the capacity is full matter: sort a prefix large
        // enough (doubling it until it fills the post).
        let order = |a: &(f64, usize, usize, f64, usize), b: &(f64, usize, usize, f64, usize)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.4.cmp(&b.4))
        };
        let mut prefix = pieces.len().min(64);
        loop {
            if prefix < pieces.len() {
                pieces.select_nth_unstable_by(prefix, order);
            }
            pieces[..prefix].sort_unstable_by(order);
            let taken = self.take(&pieces[..prefix], &units, capacity);
            if taken.left <= 1e-9 || prefix == pieces.len() {
                return (taken.value, taken.flows);
            }
            prefix = (2 * prefix).min(pieces.len());
        }
    }

    /// Serves `capacity` people from `pieces` (value per person, local unit, pair, people, _),
    /// best first, within each unit's remaining need.
    fn take(&self, pieces: &[(f64, usize, usize, f64, usize)], units: &[usize], capacity: f64) -> Taken {
        let mut taken = vec![0.0; units.len()];
        let (mut left, mut value) = (capacity, 0.0);
        let mut flows: Vec<(usize, f64)> = Vec::new();
        for &(v, local, k, people, _) in pieces {
            if left <= 1e-9 {
                break;
            }
            let q = people.min(left).min(self.remaining[units[local]] - taken[local]);
            if q <= 1e-12 {
                continue;
            }
            taken[local] += q;
            value += v * q;
            left -= q;
            match flows.last_mut() {
                Some((last, amount)) if *last == k => *amount += q,
                _ => flows.push((k, q)),
            }
        }
        Taken { left, value, flows }
    }

    fn commit(&mut self, flows: &[(usize, f64)], unit_of: &[usize]) {
        for &(k, q) in flows {
            let i = unit_of[k];
            self.remaining[i] -= q;
            self.weighted[i] += self.p.pairs[k].weight * q;
            self.flows[k] += q;
        }
    }

    /// Objective of the flows committed so far.
    fn objective(&self) -> f64 {
        (0..self.p.unit_count()).map(|i| segment_gain(self.p, self.p.need[i], 0.0, 1.0, self.weighted[i])).sum()
    }
}

/// The value of one more post at each site, given `flows` (other flows unchanged): the best
/// use of `capacity_per_post` more people there, plus any capacity the site leaves unused.
/// `None` for a site that cannot take one more post.
pub(crate) fn next_post_values(p: &Problem, posts: &[u32], flows: &[f64]) -> Vec<Option<f64>> {
    let mut by_site: Vec<Vec<(usize, usize)>> = vec![Vec::new(); p.sites.len()];
    let mut st = State {
        p,
        by_site: Vec::new(),
        remaining: p.need.clone(),
        weighted: vec![0.0; p.unit_count()],
        flows: flows.to_vec(),
    };
    let mut load = vec![0.0; p.sites.len()];
    for i in 0..p.unit_count() {
        let range = p.unit_offsets[i]..p.unit_offsets[i + 1];
        for (k, (pair, &flow)) in range.clone().zip(p.pairs[range.clone()].iter().zip(&flows[range])) {
            let j = pair.site as usize;
            by_site[j].push((i, k));
            st.remaining[i] -= flow;
            st.weighted[i] += pair.weight * flow;
            load[j] += flow;
        }
    }
    st.by_site = by_site;
    (0..p.sites.len())
        .into_par_iter()
        .map(|j| {
            let s = &p.sites[j];
            (posts[j] < s.max_posts.max(s.fixed_posts)).then(|| {
                let unused = (p.capacity_per_post * f64::from(posts[j]) + s.existing_capacity - load[j]).max(0.0);
                st.gain(j, p.capacity_per_post + unused).0
            })
        })
        .collect()
}

/// A greedy plan with the flows it assigned as it went.
pub(crate) struct GreedyPlan {
    /// Posts per site.
    pub posts: Vec<u32>,
    /// Flow per pair.
    pub flows: Vec<f64>,
    /// Objective of those flows (a lower bound on the best flows for these posts).
    pub objective: f64,
}

/// Places posts one by one at the site of highest gain, within every limit.
///
/// # Errors
/// [`SolveError::Infeasible`] when floors cannot be met within the posts and budget.
pub(crate) fn greedy_posts(p: &Problem) -> Result<GreedyPlan, SolveError> {
    let mut run = GreedyRun::new(p)?;
    Ok(run.advance_to(p.posts))
}

/// The greedy as a run that can be taken further: [`GreedyRun::advance_to`]`(n)` stops once
/// `n` posts are placed, and a later call goes on from there. With one cost for every post and
/// a budget that pays for the posts, the greedy's choices never depend on how many posts are
/// left (only whether one is), so the plan at `n` posts is exactly [`greedy_posts`]' with
/// `posts = n`: a sweep of posts runs the greedy once (`maillage frontier`).
pub(crate) struct GreedyRun<'p> {
    st: State<'p>,
    unit_of: Vec<usize>,
    x: Vec<u32>,
    /// Posts placed in all (fixed ones included).
    placed: u32,
    dep_posts: Vec<u32>,
    budget_left: f64,
    heap: BinaryHeap<(Ordered, std::cmp::Reverse<usize>)>,
    /// Gains computed since the last commit (exact until the next one): the sites just below
    /// the top are valued in parallel with it, as the loop is likely to ask for them next.
    /// Only exact values are kept, so the plan is the same on any number of threads.
    fresh: HashMap<usize, (f64, Vec<(usize, f64)>)>,
    /// No post is worth placing any more.
    done: bool,
}

impl<'p> GreedyRun<'p> {
    /// The run with the fixed posts and existing capacity committed and the département
    /// floors met (first, département by département), within `p`'s limits.
    ///
    /// # Errors
    /// [`SolveError::Infeasible`] when floors cannot be met within the posts and budget.
    pub(crate) fn new(p: &'p Problem) -> Result<Self, SolveError> {
        let mut by_site: Vec<Vec<(usize, usize)>> = vec![Vec::new(); p.sites.len()];
        let mut unit_of = vec![0; p.pairs.len()];
        for i in 0..p.unit_count() {
            for k in p.unit_offsets[i]..p.unit_offsets[i + 1] {
                by_site[p.pairs[k].site as usize].push((i, k));
                unit_of[k] = i;
            }
        }
        let mut st = State {
            p,
            by_site,
            remaining: p.need.clone(),
            weighted: vec![0.0; p.unit_count()],
            flows: vec![0.0; p.pairs.len()],
        };
        let x: Vec<u32> = p.sites.iter().map(|s| s.fixed_posts).collect();
        let mut dep_posts = vec![0u32; p.deps.len()];
        for (j, s) in p.sites.iter().enumerate() {
            dep_posts[s.dep as usize] += s.fixed_posts;
            if s.existing_capacity > 0.0 || s.fixed_posts > 0 {
                let cap = s.existing_capacity + p.capacity_per_post * f64::from(s.fixed_posts);
                let (_, flows) = st.gain(j, cap);
                st.commit(&flows, &unit_of);
            }
        }
        let budget_left = p.budget_eur - p.sites.iter().map(|s| s.cost_eur * f64::from(s.fixed_posts)).sum::<f64>();
        let mut run = Self {
            st,
            unit_of,
            placed: x.iter().sum(),
            x,
            dep_posts,
            budget_left,
            heap: BinaryHeap::new(),
            fresh: HashMap::new(),
            done: false,
        };
        for (&d, &floor) in &p.dep_floors {
            run.start_phase(Some(d));
            run.place(Some(d), p.posts);
            if run.dep_posts[d as usize] < floor {
                return Err(SolveError::Infeasible(format!(
                    "the floor of {floor} posts in département {} cannot be met: {} placed before posts, budget or site limits ran out",
                    p.deps[d as usize], run.dep_posts[d as usize]
                )));
            }
        }
        run.start_phase(None);
        Ok(run)
    }

    /// Posts placed so far (fixed ones included).
    pub(crate) fn placed(&self) -> u32 {
        self.placed
    }

    /// The plan once `posts` posts are placed in all (fewer if no further post serves anyone
    /// or the limits of the run's problem stop it).
    pub(crate) fn advance_to(&mut self, posts: u32) -> GreedyPlan {
        self.place(None, posts.min(self.st.p.posts));
        GreedyPlan { objective: self.st.objective(), posts: self.x.clone(), flows: self.st.flows.clone() }
    }

    /// Every allowed site's first-post gain in the heap: the floors of `phase`'s
    /// département, or (`None`) the rest.
    fn start_phase(&mut self, phase: Option<u32>) {
        let (p, st) = (self.st.p, &self.st);
        let first: Vec<(Ordered, std::cmp::Reverse<usize>)> = (0..p.sites.len())
            .into_par_iter()
            .filter(|&j| phase.is_none_or(|d| p.sites[j].dep == d))
            .map(|j| (Ordered(st.gain(j, p.capacity_per_post).0), std::cmp::Reverse(j)))
            .collect();
        self.heap = BinaryHeap::from(first);
        self.fresh.clear();
        self.done = false;
    }

    /// Places posts from the heap until `posts` are placed in all, `phase`'s floor is met, or
    /// no site can take one.
    fn place(&mut self, phase: Option<u32>, posts: u32) {
        let p = self.st.p;
        let ahead = 4 * rayon::current_num_threads();
        while !self.done && self.placed < posts {
            if let Some(d) = phase
                && self.dep_posts[d as usize] >= p.dep_floors[&d]
            {
                break;
            }
            let Some((Ordered(stale), std::cmp::Reverse(j))) = self.heap.pop() else {
                self.done = true;
                break;
            };
            let s = &p.sites[j];
            let capped = p.dep_caps.get(&s.dep).is_some_and(|&c| self.dep_posts[s.dep as usize] >= c);
            if self.x[j] >= s.max_posts || capped || s.cost_eur > self.budget_left + 1e-6 {
                continue;
            }
            if !self.fresh.contains_key(&j) {
                let next: Vec<(Ordered, std::cmp::Reverse<usize>)> =
                    std::iter::from_fn(|| self.heap.pop()).take(ahead.saturating_sub(1)).collect();
                let sites: Vec<usize> = std::iter::once(j)
                    .chain(next.iter().map(|e| e.1.0))
                    .filter(|s| !self.fresh.contains_key(s))
                    .collect();
                let st = &self.st;
                let gains: Vec<(f64, Vec<(usize, f64)>)> =
                    sites.par_iter().map(|&s| st.gain(s, p.capacity_per_post)).collect();
                self.heap.extend(next);
                self.fresh.extend(sites.into_iter().zip(gains));
            }
            let (gain, flows) = self.fresh[&j].clone();
            if gain < stale - 1e-9 && self.heap.peek().is_some_and(|(Ordered(next), _)| gain < *next - 1e-9) {
                self.heap.push((Ordered(gain), std::cmp::Reverse(j)));
                continue;
            }
            // Outside floors, a post that serves nobody is not worth its money.
            if phase.is_none() && gain <= 1e-9 {
                self.done = true;
                break;
            }
            self.st.commit(&flows, &self.unit_of);
            self.fresh.clear();
            self.x[j] += 1;
            self.placed += 1;
            self.dep_posts[s.dep as usize] += 1;
            self.budget_left -= s.cost_eur;
            let again = self.st.gain(j, p.capacity_per_post);
            self.heap.push((Ordered(again.0), std::cmp::Reverse(j)));
            self.fresh.insert(j, again);
        }
    }
}

/// f64 with a total order, for the greedies' heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ordered(pub f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
