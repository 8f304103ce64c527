//! Optimiser: hand-solved instances for each constraint kind, and LP ≥ greedy on random ones.

use std::collections::BTreeMap;

use maillage::optimise::{Method, Objective, Pair, Plan, Problem, Segment, SiteSpec, solve};

use crate::util::{Rng, SEED_1};

/// Builds a problem from needs, sites (cost, max posts, fixed, dep) and pairs (unit, site, weight).
fn instance(
    need: &[f64],
    sites: &[(f64, u32, u32, u32)],
    pairs: &[(usize, u32, f64)],
    posts: u32,
    budget: f64,
) -> Problem {
    let mut sorted = pairs.to_vec();
    sorted.sort_by_key(|&(u, s, _)| (u, s));
    let mut unit_offsets = vec![0];
    let mut flat = Vec::new();
    for u in 0..need.len() {
        flat.extend(sorted.iter().filter(|p| p.0 == u).map(|&(_, site, weight)| Pair { site, weight, minutes: 0.0 }));
        unit_offsets.push(flat.len());
    }
    Problem {
        need: need.to_vec(),
        unit_dep: vec![0; need.len()],
        sites: sites
            .iter()
            .map(|&(cost_eur, max_posts, fixed_posts, dep)| SiteSpec {
                cost_eur,
                max_posts,
                fixed_posts,
                existing_capacity: 0.0,
                dep,
            })
            .collect(),
        pairs: flat,
        unit_offsets,
        deps: vec!["A".into(), "B".into()],
        posts,
        budget_eur: budget,
        capacity_per_post: 400.0,
        returns: Vec::new(),
        dep_floors: BTreeMap::new(),
        dep_caps: BTreeMap::new(),
        objective: Objective::Attendance,
        coverage_eligible: vec![true; sites.len()],
        target_coverage: 1.0,
        previous: None,
        max_moves: None,
        time_limit_s: 60.0,
    }
}

/// Two sites: s0 reaches u0 (need 700), s1 reaches u1 (300) and u2 (200). 400 people a post.
fn two_sites(posts: u32, budget: f64) -> Problem {
    instance(
        &[700.0, 300.0, 200.0],
        &[(1.0, 3, 0, 0), (1.0, 3, 0, 1)],
        &[(0, 0, 1.0), (1, 1, 1.0), (2, 1, 1.0)],
        posts,
        budget,
    )
}

/// Checks every constraint of the plan, returns its objective.
pub fn check(p: &Problem, plan: &Plan) -> f64 {
    let mut site_flow = vec![0.0; p.sites.len()];
    for i in 0..p.unit_count() {
        let served: f64 = (p.unit_offsets[i]..p.unit_offsets[i + 1]).map(|k| plan.flows[k]).sum();
        assert!(served <= p.need[i] + 1e-6, "unit {i} served {served} beyond its need {}", p.need[i]);
        for k in p.unit_offsets[i]..p.unit_offsets[i + 1] {
            assert!(plan.flows[k] >= -1e-9);
            site_flow[p.pairs[k].site as usize] += plan.flows[k];
        }
    }
    for (j, s) in p.sites.iter().enumerate() {
        assert!(site_flow[j] <= p.capacity_per_post * f64::from(plan.posts[j]) + s.existing_capacity + 1e-6);
        assert!(plan.posts[j] >= s.fixed_posts && plan.posts[j] <= s.max_posts);
    }
    assert!(plan.posts.iter().sum::<u32>() <= p.posts);
    let cost: f64 = p.sites.iter().zip(&plan.posts).map(|(s, &x)| s.cost_eur * f64::from(x)).sum();
    assert!(cost <= p.budget_eur + 1e-6);
    for (&d, &f) in &p.dep_floors {
        assert!(p.sites.iter().zip(&plan.posts).filter(|(s, _)| s.dep == d).map(|(_, &x)| x).sum::<u32>() >= f);
    }
    for (&d, &c) in &p.dep_caps {
        assert!(p.sites.iter().zip(&plan.posts).filter(|(s, _)| s.dep == d).map(|(_, &x)| x).sum::<u32>() <= c);
    }
    if let Some(bound) = plan.bound {
        assert!(bound >= plan.objective - 1e-6);
    }
    plan.objective
}

fn optimum(p: &Problem) -> f64 {
    let plan = solve(p, Method::Lp).unwrap();
    check(p, &plan)
}

#[test]
fn posts_limit_spreads_posts_when_one_site_saturates() {
    // 2 posts: both at s0 serve 700, both at s1 serve 500, one each serve 400 + 400 = 800.
    let p = two_sites(2, 1e9);
    assert!((optimum(&p) - 800.0).abs() < 1e-6);
    assert_eq!(solve(&p, Method::Lp).unwrap().posts, vec![1, 1]);
}

#[test]
fn budget_limit_is_respected_exactly() {
    // s1 costs 300, s0 100. Budget 400: one each (800). Budget 399: s1 unaffordable with s0,
    // the best is two posts at s0 (700).
    let mut p = two_sites(3, 400.0);
    p.sites[1].cost_eur = 300.0;
    p.sites[0].cost_eur = 100.0;
    assert!((optimum(&p) - 800.0).abs() < 1e-6);
    p.budget_eur = 399.0;
    assert!((optimum(&p) - 700.0).abs() < 1e-6);
}

#[test]
fn fixed_posts_are_kept() {
    // Free, 3 posts give s0×2 + s1×1 = 700 + 400 = 1100; with two posts fixed at s1: 500 + 400 = 900.
    let mut p = two_sites(3, 1e9);
    assert!((optimum(&p) - 1100.0).abs() < 1e-6);
    p.sites[1].fixed_posts = 2;
    assert!((optimum(&p) - 900.0).abs() < 1e-6);
}

#[test]
fn departement_floors_and_caps_bind() {
    // s0 in département A (index 0), s1 in B (index 1). 2 posts.
    let mut p = two_sites(2, 1e9);
    p.dep_floors.insert(1, 2);
    assert!((optimum(&p) - 500.0).abs() < 1e-6);
    p.dep_floors.clear();
    p.dep_caps.insert(1, 0);
    assert!((optimum(&p) - 700.0).abs() < 1e-6);
}

#[test]
fn site_maximum_binds() {
    // 3 posts but at most 1 per site: 400 + 400.
    let mut p = two_sites(3, 1e9);
    for s in &mut p.sites {
        s.max_posts = 1;
    }
    assert!((optimum(&p) - 800.0).abs() < 1e-6);
}

#[test]
fn distance_decay_prefers_the_near_site() {
    // u0 (need 1000) is near s0 (weight 1) and far from s1 (0.5); u1 (100) is near s1.
    // One post: at s0 400 × 1 = 400; at s1 100 × 1 + 300 × 0.5 = 250.
    let p =
        instance(&[1000.0, 100.0], &[(1.0, 1, 0, 0), (1.0, 1, 0, 0)], &[(0, 0, 1.0), (0, 1, 0.5), (1, 1, 1.0)], 1, 1e9);
    assert!((optimum(&p) - 400.0).abs() < 1e-6);
    // Weighted: s1's flows count 100 + 150.
    let p2 = instance(&[1000.0, 100.0], &[(1.0, 1, 0, 0), (1.0, 1, 0, 0)], &[(0, 1, 0.5), (1, 1, 1.0)], 1, 1e9);
    assert!((optimum(&p2) - 250.0).abs() < 1e-6);
}

#[test]
fn diminishing_returns_spread_the_posts() {
    // Halves worth 1 then 0.5. s0 reaches u0 (800) and u2 (400); s1 reaches u1 (800).
    // s0×2: 400 + 200 + 200 × 0.5 = 700; one each: 400 + 400 = 800; s1×2: 400 + 400 × 0.5 = 600.
    let mut p = instance(
        &[800.0, 800.0, 400.0],
        &[(1.0, 2, 0, 0), (1.0, 2, 0, 0)],
        &[(0, 0, 1.0), (1, 1, 1.0), (2, 0, 1.0)],
        2,
        1e9,
    );
    p.returns = vec![Segment { share: 0.5, value: 1.0 }, Segment { share: 0.5, value: 0.5 }];
    assert!((optimum(&p) - 800.0).abs() < 1e-6);
    assert_eq!(solve(&p, Method::Lp).unwrap().posts, vec![1, 1]);
}

#[test]
fn whole_posts_and_diminishing_returns_open_a_gap_no_plan_can_close() {
    // Two villages of 400 (quarters worth 1, 0.75, 0.5, 0.25), each reached by its own site,
    // one post of 400 places. Integer: one village served whole, 100 + 75 + 50 + 25 = 250.
    // Relaxation: half a post at each site serves 200 of each, 2 × (100 + 75) = 350. The gap
    // of the best plan to the LP bound is 100 / 350 = 28.6%: it measures the relaxation.
    let mut p = instance(&[400.0, 400.0], &[(1.0, 1, 0, 0), (1.0, 1, 0, 0)], &[(0, 0, 1.0), (1, 1, 1.0)], 1, 1e9);
    p.returns = maillage::optimise::default_returns();
    assert!((integer_optimum(&p) - 250.0).abs() < 1e-6);
    assert!((maillage::optimise::relaxation_value(&p).unwrap() - 350.0).abs() < 1e-6);
    let plan = solve(&p, Method::Lp).unwrap();
    assert!((plan.objective - 250.0).abs() < 1e-6);
    let gap = plan.gap().unwrap();
    assert!(gap > 0.28 && gap <= 100.0 / 350.0 + 1e-9, "gap {gap}");
}

#[test]
fn infeasible_scenarios_name_the_constraint() {
    let mut p = two_sites(2, 1e9);
    p.dep_floors.insert(0, 2);
    p.dep_floors.insert(1, 1);
    let err = solve(&p, Method::Lp).unwrap_err().to_string();
    assert!(err.contains("floors") && err.contains("3 posts") && err.contains("1 short"), "{err}");
    let mut p = two_sites(2, 1e9);
    p.sites[0].fixed_posts = 3;
    let err = solve(&p, Method::Lp).unwrap_err().to_string();
    assert!(err.contains("posts") && err.contains("1 too many"), "{err}");
    let mut p = two_sites(2, 150.0);
    p.sites[0].fixed_posts = 2;
    p.sites[0].cost_eur = 100.0;
    let err = solve(&p, Method::Lp).unwrap_err().to_string();
    assert!(err.contains("budget") && err.contains("50 € over"), "{err}");
}

/// A random instance (labelled synthetic): units and sites on a unit square, pairs within a radius.
fn random_instance(rng: &mut Rng) -> Problem {
    let n_units = 6 + rng.index(20);
    let n_sites = 3 + rng.index(8);
    let units: Vec<(f64, f64)> = (0..n_units).map(|_| (rng.range(0.0, 1.0), rng.range(0.0, 1.0))).collect();
    let sites: Vec<(f64, f64)> = (0..n_sites).map(|_| (rng.range(0.0, 1.0), rng.range(0.0, 1.0))).collect();
    let need: Vec<f64> = (0..n_units).map(|_| rng.range(50.0, 900.0).round()).collect();
    let mut pairs = Vec::new();
    for (i, u) in units.iter().enumerate() {
        for (j, s) in sites.iter().enumerate() {
            let d = ((u.0 - s.0).powi(2) + (u.1 - s.1).powi(2)).sqrt();
            if d < 0.45 {
                pairs.push((i, j as u32, 1.0 - d));
            }
        }
    }
    let site_specs: Vec<(f64, u32, u32, u32)> =
        (0..n_sites).map(|j| (rng.range(1.0, 3.0).round(), 1 + rng.index(3) as u32, 0, (j % 2) as u32)).collect();
    let mut p = instance(&need, &site_specs, &pairs, 2 + rng.index(6) as u32, rng.range(4.0, 12.0).round());
    p.returns = maillage::optimise::default_returns();
    p
}

#[test]
fn lp_plan_is_never_worse_than_greedy_on_random_instances() {
    let mut rng = Rng(SEED_1 ^ 3);
    for case in 0..20 {
        let p = random_instance(&mut rng);
        let lp = solve(&p, Method::Lp).unwrap();
        let greedy = solve(&p, Method::Greedy).unwrap();
        let (a, b) = (check(&p, &lp), check(&p, &greedy));
        assert!(a >= b - 1e-6, "case {case}: LP plan {a} < greedy {b}");
        assert!(lp.bound.unwrap() >= a - 1e-6);
    }
}

/// The best integer plan by enumeration: every maximal choice of posts (a post more never
/// lowers the objective, so only plans to which none can be added need a flow LP).
fn integer_optimum(p: &Problem) -> f64 {
    fn walk(p: &Problem, j: usize, x: &mut Vec<u32>, posts: u32, cost: f64, best: &mut f64) {
        if j == p.sites.len() {
            let maximal = p
                .sites
                .iter()
                .zip(x.iter())
                .all(|(s, &xj)| xj >= s.max_posts || posts >= p.posts || cost + s.cost_eur > p.budget_eur + 1e-9);
            if maximal {
                *best = best.max(maillage::optimise::evaluate_posts(p, x).unwrap().objective);
            }
            return;
        }
        let s = &p.sites[j];
        for k in s.fixed_posts..=s.max_posts.max(s.fixed_posts) {
            let (posts, cost) = (posts + k, cost + f64::from(k) * s.cost_eur);
            if posts > p.posts || cost > p.budget_eur + 1e-9 {
                break;
            }
            x.push(k);
            walk(p, j + 1, x, posts, cost, best);
            x.pop();
        }
    }
    let mut best = f64::NEG_INFINITY;
    walk(p, 0, &mut Vec::new(), 0, 0.0, &mut best);
    best
}

#[test]
fn lagrangian_bound_is_never_below_the_integer_optimum() {
    let mut rng = Rng(SEED_1 ^ 5);
    for case in 0..20 {
        let p = random_instance(&mut rng);
        let optimum = integer_optimum(&p);
        let exact = maillage::optimise::relaxation_value(&p).unwrap();
        let greedy = solve(&p, Method::Greedy).unwrap();
        assert!(optimum <= exact + 1e-6 * exact.max(1.0), "case {case}: integer {optimum} above LP {exact}");
        // From the first iterate to a converged one, every value bounds every integer plan.
        for iterations in [1, 10, 300] {
            let bound = maillage::optimise::lagrangian_bound(&p, &greedy.posts, iterations).unwrap();
            assert!(bound >= optimum - 1e-6 * optimum.max(1.0), "case {case}: Lagrangian {bound} < optimum {optimum}");
        }
        // And it gets close: at convergence it is at most the LP optimum (whole posts can only
        // cut the relaxation), so 3,000 steps bring it near.
        let bound = maillage::optimise::lagrangian_bound(&p, &greedy.posts, 3_000).unwrap();
        assert!(bound <= exact * 1.02 + 1e-6, "case {case}: Lagrangian {bound} far above LP {exact}");
    }
}

#[test]
fn a_plan_whose_flow_lp_runs_out_of_time_keeps_the_greedy_and_a_valid_bound() {
    // No time at all for the LP: the greedy plan stands with its own flows, and the Lagrangian,
    // started from prices read off those flows, still bounds every integer plan.
    let mut rng = Rng(SEED_1 ^ 9);
    let mut worst: f64 = 0.0;
    for case in 0..20 {
        let mut p = random_instance(&mut rng);
        let optimum = integer_optimum(&p);
        let exact = maillage::optimise::relaxation_value(&p).unwrap();
        let greedy = solve(&p, Method::Greedy).unwrap();
        p.time_limit_s = 0.0;
        let plan = solve(&p, Method::Lp).unwrap();
        assert_eq!(plan.source, maillage::optimise::PlanSource::GreedyNotReflowed, "case {case}");
        assert_eq!(plan.posts, greedy.posts, "case {case}");
        assert!((check(&p, &plan) - greedy.objective).abs() <= 1e-9 * greedy.objective.max(1.0), "case {case}");
        assert_eq!(plan.bound_source, Some(maillage::optimise::BoundSource::Lagrangian), "case {case}");
        let bound = plan.bound.unwrap();
        assert!(bound >= optimum - 1e-6 * optimum.max(1.0), "case {case}: bound {bound} below the optimum {optimum}");
        worst = worst.max(bound / exact);
    }
    // From those prices, 300 steps come near the LP (1.4% above it at worst here).
    assert!(worst <= 1.05, "the bound from the greedy's prices ends {worst} × the LP");
}

#[test]
fn mip_finds_the_integer_optimum_and_proves_it() {
    // The two villages above: the MIP proves 250 optimal, so the gap closes.
    let mut p = instance(&[400.0, 400.0], &[(1.0, 1, 0, 0), (1.0, 1, 0, 0)], &[(0, 0, 1.0), (1, 1, 1.0)], 1, 1e9);
    p.returns = maillage::optimise::default_returns();
    let plan = solve(&p, Method::Mip).unwrap();
    assert!((plan.objective - 250.0).abs() < 1e-6);
    assert!((plan.bound.unwrap() - 250.0).abs() < 1e-3, "bound {:?}", plan.bound);
    assert_eq!(plan.bound_source, Some(maillage::optimise::BoundSource::Mip));
    // Random instances: the same optimum as enumeration, a valid bound, never worse than lp.
    // Where the lp plan misses the optimum, the MIP over the kernel (the relaxation's sites and
    // the plan's) mostly finds it before the whole MIP starts.
    let mut rng = Rng(SEED_1 ^ 7);
    let (mut missed, mut found_in_kernel) = (0, 0);
    for case in 0..20 {
        let p = random_instance(&mut rng);
        let optimum = integer_optimum(&p);
        let mip = solve(&p, Method::Mip).unwrap();
        let lp = solve(&p, Method::Lp).unwrap();
        let value = check(&p, &mip);
        assert!((value - optimum).abs() <= 1e-3 * optimum.max(1.0), "case {case}: MIP {value}, optimum {optimum}");
        assert!(value >= lp.objective - 1e-6, "case {case}: MIP {value} < lp {}", lp.objective);
        assert!(mip.bound.unwrap() >= optimum - 1e-6 * optimum.max(1.0), "case {case}: bound below the optimum");
        if lp.objective < optimum - 1e-3 * optimum.max(1.0) {
            missed += 1;
            found_in_kernel += usize::from(mip.source == maillage::optimise::PlanSource::MipKernel);
        }
    }
    assert!(missed > 0 && 2 * found_in_kernel >= missed, "kernel found {found_in_kernel} of {missed} missed optima");
}

#[test]
fn mip_refuses_a_limit_on_moves_it_could_not_keep() {
    // The MIP has no row for moved posts: with --max-moves it would move what it likes.
    let mut p = two_sites(2, 1e9);
    p.previous = Some(vec![0, 2]);
    p.max_moves = Some(0);
    let err = solve(&p, Method::Mip).unwrap_err().to_string();
    assert!(err.contains("--max-moves") && err.contains("--solver lp"), "{err}");
    // Without a limit the previous plan (500: both posts at s1) is only a start, and the MIP
    // moves a post to s0: 400 + 400 = 800.
    p.max_moves = None;
    let plan = solve(&p, Method::Mip).unwrap();
    assert_eq!(plan.posts, vec![1, 1]);
    assert!((check(&p, &plan) - 800.0).abs() < 1e-6);
    // The lp method keeps the limit.
    p.max_moves = Some(0);
    assert_eq!(solve(&p, Method::Lp).unwrap().posts, vec![0, 2]);
}

#[test]
fn coverage_mode_solves_a_hand_made_mclp() {
    // Needs 100, 50, 60, 80, 30. Site a covers u0,u1; b covers u1,u2,u3; c covers u3,u4; d covers u0,u4.
    // p = 2: {a, b} 290 (all but u4), {b, d} 320 (everything), {a, c} 320 (everything) → 320.
    // p = 1: b covers 190, the best single site.
    let pairs = [
        (0, 0, 1.0),
        (1, 0, 1.0),
        (1, 1, 1.0),
        (2, 1, 1.0),
        (3, 1, 1.0),
        (3, 2, 1.0),
        (4, 2, 1.0),
        (0, 3, 1.0),
        (4, 3, 1.0),
    ];
    let mut p = instance(&[100.0, 50.0, 60.0, 80.0, 30.0], &[(1.0, 1, 0, 0); 4], &pairs, 2, 1e9);
    p.objective = Objective::Coverage;
    let plan = solve(&p, Method::Lp).unwrap();
    assert!((plan.objective - 320.0).abs() < 1e-9);
    assert_eq!(plan.posts.iter().sum::<u32>(), 2);
    p.posts = 1;
    let plan = solve(&p, Method::Lp).unwrap();
    assert!((plan.objective - 190.0).abs() < 1e-9);
    assert_eq!(plan.posts, vec![0, 1, 0, 0]);
    // The LP bound is at least the integer optimum; greedy is never better.
    assert!(plan.bound.unwrap() >= 190.0 - 1e-9);
    p.posts = 2;
    assert!(solve(&p, Method::Greedy).unwrap().objective <= 320.0 + 1e-9);
    // Only eligible sites open: without b and d, p = 2 gives {a, c} = 320 still; without a, c, d only b.
    p.coverage_eligible = vec![false, true, false, false];
    let plan = solve(&p, Method::Lp).unwrap();
    assert!((plan.objective - 190.0).abs() < 1e-9);
}

#[test]
fn national_plan_respects_every_constraint_and_serves_every_departement() {
    use maillage::optimise::{PlanParams, build_problem};
    let data = crate::util::national();
    let need = maillage::score_need(&data.units, &maillage::NeedModel::default(), None);
    let reach = crate::util::national_reach();
    let mut params = PlanParams::default();
    // A fixed site, a floor and a cap, to see them kept.
    let first_site = data.candidates.iter().position(|c| data.units[c.unit.get()].dep == "23").unwrap();
    params.fixed_posts.insert(first_site as u32, 3);
    params.dep_floors.insert("59".into(), 150);
    params.dep_caps.insert("75".into(), 40);
    let p = build_problem(data, &need, reach, &params);
    let greedy = solve(&p, Method::Greedy).unwrap();
    let plan = solve(&p, Method::Lp).unwrap();
    for plan in [&greedy, &plan] {
        check(&p, plan);
        assert_eq!(plan.posts.iter().sum::<u32>(), 4_000);
        assert!(plan.posts[first_site] >= 3);
        let m = maillage::optimise::measure(&p, plan);
        let posts_in = |d: &str| m.deps.iter().find(|x| x.dep == d).unwrap().posts;
        assert!(posts_in("59") >= 150 && posts_in("75") <= 40);
        // Diminishing returns spread the posts: every département with need gets some.
        for d in m.deps.iter().filter(|d| d.need > 0.0) {
            assert!(d.posts > 0, "département {} has no post", d.dep);
        }
        assert!(m.served <= 4_000.0 * 1_200.0 + 1e-3);
        assert!(m.coverage_share > 0.9, "coverage {}", m.coverage_share);
    }
    // The optimised plan is at least the greedy one, and its bound is reported and valid.
    assert!(plan.objective >= greedy.objective - 1e-6);
    let gap = plan.gap().expect("the national plan reports its gap");
    assert!(gap > 0.0 && gap < 0.10, "gap to the bound {gap}");
}

#[test]
fn what_one_post_more_or_fewer_is_worth_by_departement() {
    use maillage::optimise::{DepMarginal, marginal_posts};
    // Two posts: one at s0 (u0, 700) and one at s1 (u1 + u2, 500), 800 served.
    let p = two_sites(2, 100.0);
    let plan = solve(&p, Method::Lp).unwrap();
    assert_eq!(plan.posts, vec![1, 1]);
    let m = marginal_posts(&p, &plan);
    // A: one more post at s0 serves the 300 of u0 left; B: the 100 of u1 and u2 left. Removing
    // either post loses its 400 people.
    let expect = |gain: f64, site: u32| DepMarginal {
        next_post_gain: Some(gain),
        next_post_site: Some(site),
        last_post_loss: Some(400.0),
        last_post_site: Some(site),
    };
    assert_eq!(m, vec![expect(300.0, 0), expect(100.0, 1)]);
}

#[test]
fn the_marginal_posts_bound_what_re_optimised_flows_give() {
    use maillage::optimise::{evaluate_posts, marginal_posts};
    let mut rng = Rng(SEED_1 ^ 0x6d61_7267);
    let mut checked = 0;
    for case in 0..30 {
        let p = random_instance(&mut rng);
        let plan = solve(&p, Method::Lp).unwrap();
        for d in marginal_posts(&p, &plan) {
            // One more post: re-optimised flows gain at least what the plan's flows say.
            if let (Some(gain), Some(j)) = (d.next_post_gain, d.next_post_site) {
                let mut more = plan.posts.clone();
                more[j as usize] += 1;
                let after = evaluate_posts(&p, &more).unwrap().objective;
                assert!(
                    after - plan.objective >= gain - 1e-6 * (1.0 + gain),
                    "case {case}: +1 at {j}: {} < {gain}",
                    after - plan.objective
                );
                checked += 1;
            }
            // One fewer: re-optimised flows lose at most what dropping its flows loses.
            if let (Some(loss), Some(j)) = (d.last_post_loss, d.last_post_site) {
                let mut fewer = plan.posts.clone();
                fewer[j as usize] -= 1;
                let after = evaluate_posts(&p, &fewer).unwrap().objective;
                assert!(
                    plan.objective - after <= loss + 1e-6 * (1.0 + loss),
                    "case {case}: −1 at {j}: {} > {loss}",
                    plan.objective - after
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "only {checked} marginal posts checked");
}

/// A sweep of posts runs the greedy once and takes it further point by point: each point's
/// plan is exactly the plan solved alone (same posts, objective and bound), with uniform costs
/// (the shared greedy) as with several costs (each point its own greedy), floors and caps too.
#[test]
fn a_sweeps_points_are_the_plans_solved_alone() {
    let mut rng = Rng(SEED_1 ^ 0xb);
    for case in 0..12 {
        let mut p = random_instance(&mut rng);
        if case % 3 != 2 {
            p.sites.iter_mut().for_each(|s| s.cost_eur = 2.0);
        }
        if case % 4 == 1 {
            p.dep_floors.insert(0, 1);
            p.dep_caps.insert(1, 3);
        }
        let largest = Problem { posts: 8, budget_eur: 16.0, ..p.clone() };
        let mut sweep = maillage::optimise::Sweep::new(&largest).unwrap();
        for posts in [2, 3, 5, 8] {
            let point = Problem { posts, budget_eur: 2.0 * f64::from(posts), ..p.clone() };
            for method in [Method::Greedy, Method::Lp] {
                let alone = solve(&point, method).unwrap();
                let swept = sweep.solve(&point, method).unwrap();
                assert_eq!(swept.posts, alone.posts, "case {case}, {posts} posts, {method:?}");
                assert_eq!(swept.objective.to_bits(), alone.objective.to_bits(), "case {case}, {posts} posts");
                assert_eq!(swept.bound.map(f64::to_bits), alone.bound.map(f64::to_bits), "case {case}, {posts} posts");
                check(&point, &swept);
            }
        }
    }
}
