//! The covering engine: hand-solved instances of every covering objective and of every
//! constraint kind it honours, and the same optima as PySAL spopt on a real instance.
//!
//! The hand instance: five communes on a line, 10 minutes apart (u0 … u4, need 100, 50, 60,
//! 80, 30, in all 320), a town hall in each (s0 … s4), s0 and s1 in département A, s2, s3
//! and s4 in B.

use std::collections::BTreeMap;

use maillage::optimise::{Method, Objective, Pair, Plan, Problem, SiteSpec, solve};

const NEED: [f64; 5] = [100.0, 50.0, 60.0, 80.0, 30.0];

/// The line instance: pairs up to `reach_min` minutes, `posts` posts.
fn line(objective: Objective, reach_min: f64, posts: u32) -> Problem {
    let (mut pairs, mut unit_offsets) = (Vec::new(), vec![0]);
    for u in 0..5u32 {
        for s in 0..5u32 {
            let minutes = 10.0 * f64::from(u.abs_diff(s));
            if minutes <= reach_min {
                pairs.push(Pair { site: s, weight: 1.0, minutes: minutes as f32 });
            }
        }
        unit_offsets.push(pairs.len());
    }
    Problem {
        need: NEED.to_vec(),
        unit_dep: vec![0, 0, 1, 1, 1],
        sites: (0..5)
            .map(|s| SiteSpec {
                cost_eur: 1.0,
                max_posts: 1,
                fixed_posts: 0,
                existing_capacity: 0.0,
                dep: u32::from(s >= 2),
            })
            .collect(),
        pairs,
        unit_offsets,
        deps: vec!["A".into(), "B".into()],
        posts,
        budget_eur: 1e9,
        capacity_per_post: 1_000.0,
        returns: Vec::new(),
        dep_floors: BTreeMap::new(),
        dep_caps: BTreeMap::new(),
        objective,
        coverage_eligible: vec![true; 5],
        target_coverage: 1.0,
        previous: None,
        max_moves: None,
        time_limit_s: 60.0,
    }
}

fn solved(p: &Problem) -> Plan {
    let plan = solve(p, Method::Lp).unwrap();
    // Every limit kept, and the bound proves the plan optimal on instances this small.
    let total: u32 = plan.posts.iter().sum();
    assert!(total <= p.posts, "{total} posts for {}", p.posts);
    for (j, s) in p.sites.iter().enumerate() {
        assert!(plan.posts[j] >= s.fixed_posts && plan.posts[j] <= s.max_posts.max(s.fixed_posts));
    }
    let gap = plan.gap().unwrap();
    assert!(gap <= 1e-9, "gap {gap}");
    plan
}

fn open(plan: &Plan) -> Vec<usize> {
    (0..plan.posts.len()).filter(|&j| plan.posts[j] > 0).collect()
}

fn assert_near(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} is not {b}");
}

#[test]
fn coverage_opens_the_sites_that_cover_the_most_need() {
    // Within 10 minutes s1 covers u0, u1, u2 (210), the most of any one site; s1 and s3
    // cover everyone (320).
    let plan = solved(&line(Objective::Coverage, 10.0, 1));
    assert_near(plan.objective, 210.0);
    assert_eq!(open(&plan), vec![1]);
    assert_near(solved(&line(Objective::Coverage, 10.0, 2)).objective, 320.0);
}

#[test]
fn min_posts_finds_the_fewest_posts_for_a_target() {
    // Everyone within 10 minutes takes two posts; 60% (192) one, at s1 (210); 70% (224) two.
    let mut p = line(Objective::MinPosts, 10.0, 10);
    assert_near(solved(&p).objective, 2.0);
    p.target_coverage = 0.6;
    let plan = solved(&p);
    assert_near(plan.objective, 1.0);
    assert_eq!(open(&plan), vec![1]);
    p.target_coverage = 0.7;
    assert_near(solved(&p).objective, 2.0);
    // With costs, the least money: s1 and s3 cost 3 €, so {s0, s3} (4 €) loses to
    // {s0, s2, s4} (3 €), the only cheaper cover.
    p.target_coverage = 1.0;
    p.sites[1].cost_eur = 3.0;
    p.sites[3].cost_eur = 3.0;
    let plan = solved(&p);
    assert_near(plan.objective, 3.0);
    assert_eq!(open(&plan), vec![0, 2, 4]);
}

#[test]
fn min_posts_says_what_share_the_bound_allows() {
    // Within 0 minutes each commune is covered by its own town hall only; with 2 posts
    // allowed, everyone cannot be covered; the message names the limit.
    let p = line(Objective::MinPosts, 0.0, 2);
    let err = solve(&p, Method::Lp).unwrap_err().to_string();
    assert!(err.contains("posts"), "{err}");
}

#[test]
fn travel_is_the_p_median() {
    // One post: Σ need × minutes is 5,300, 4,100, 3,900, 4,900, 7,500 at s0 … s4: s2, 3,900
    // person-minutes, 12.1875 minutes on average. Two: {s0, s3}, 1,400 (4.375 minutes).
    let plan = solved(&line(Objective::Travel, 40.0, 1));
    assert_eq!(open(&plan), vec![2]);
    assert_near(plan.objective, 3_900.0 / 320.0);
    let plan = solved(&line(Objective::Travel, 40.0, 2));
    assert_eq!(open(&plan), vec![0, 3]);
    assert_near(plan.objective, 1_400.0 / 320.0);
}

#[test]
fn max_travel_is_the_p_center() {
    // One post: s2, 20 minutes at worst; two: 10 minutes (e.g. {s1, s3}); five: 0.
    assert_near(solved(&line(Objective::MaxTravel, 40.0, 1)).objective, 20.0);
    assert_near(solved(&line(Objective::MaxTravel, 40.0, 2)).objective, 10.0);
    assert_near(solved(&line(Objective::MaxTravel, 40.0, 5)).objective, 0.0);
}

#[test]
fn a_budget_with_per_site_costs_binds() {
    // s1 and s3 cost 3 €, the rest 1 €, budget 3 €: s1 alone covers 210, s3 alone 170,
    // {s0, s2} 290, {s0, s4} 260, {s2, s4} 220: {s0, s2}.
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.sites[1].cost_eur = 3.0;
    p.sites[3].cost_eur = 3.0;
    p.budget_eur = 3.0;
    let plan = solved(&p);
    assert_near(plan.objective, 290.0);
    assert_eq!(open(&plan), vec![0, 2]);
}

#[test]
fn a_dominated_site_gives_way_unless_it_costs_less() {
    // Within 10 minutes s1 covers u0, u1, u2 and s0 only u0, u1: s0 is dominated, and so is s4
    // by s3. Two posts: {s1, s3} covers all 320 (every other pair covers less).
    let plan = solved(&line(Objective::Coverage, 10.0, 2));
    assert_near(plan.objective, 320.0);
    assert_eq!(open(&plan), vec![1, 3]);
    // s1, s2 and s3 cost 3 €, the budget 1 €: s0 (u0, u1: 150) is not dominated by the dearer
    // s1, and is the best a budget of 1 € buys (s4: 110).
    let mut p = line(Objective::Coverage, 10.0, 1);
    for s in 1..4 {
        p.sites[s].cost_eur = 3.0;
    }
    p.budget_eur = 1.0;
    let plan = solved(&p);
    assert_near(plan.objective, 150.0);
    assert_eq!(open(&plan), vec![0]);
    // Fewest posts covering everything: two (s1, s3); the dominated s0 and s4 never needed.
    let plan = solved(&line(Objective::MinPosts, 10.0, 5));
    assert_near(plan.objective, 2.0);
    assert_eq!(open(&plan), vec![1, 3]);
}

#[test]
fn fixed_posts_stay_open() {
    // s2 fixed (u1, u2, u3: 190): the second post adds u0 at s0 or s1 (100), or u4 at s3 or
    // s4 (30): 290, with s1 (s0 covers nothing s1 does not: it gives way).
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.sites[2].fixed_posts = 1;
    let plan = solved(&p);
    assert_near(plan.objective, 290.0);
    assert_eq!(open(&plan), vec![1, 2]);
    // The p-center keeps it too: s4 fixed, s1 beside it, 10 minutes at worst.
    let mut p = line(Objective::MaxTravel, 40.0, 2);
    p.sites[4].fixed_posts = 1;
    let plan = solved(&p);
    assert!(plan.posts[4] == 1);
    assert_near(plan.objective, 10.0);
}

#[test]
fn departement_floors_and_caps_bind() {
    // No post in A: the best two of s2, s3, s4 cover 220.
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.dep_caps.insert(0, 0);
    assert_near(solved(&p).objective, 220.0);
    // The p-median without A: {s2, s3}, 2,000 + 500 + 300 person-minutes.
    let mut m = line(Objective::Travel, 40.0, 2);
    m.dep_caps.insert(0, 0);
    assert_near(solved(&m).objective, 2_800.0 / 320.0);
    // Both posts in A: {s0, s1}, 210.
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.dep_floors.insert(0, 2);
    let plan = solved(&p);
    assert_near(plan.objective, 210.0);
    assert_eq!(open(&plan), vec![0, 1]);
    // A floor of three posts in B with two posts a site: three posts in B, whatever they
    // cover (220 at best).
    let mut p = line(Objective::Coverage, 10.0, 3);
    p.dep_floors.insert(1, 3);
    for s in &mut p.sites {
        s.max_posts = 2;
    }
    let plan = solved(&p);
    assert_near(plan.objective, 220.0);
    assert_eq!(plan.posts[2] + plan.posts[3] + plan.posts[4], 3);
}

#[test]
fn only_the_allowed_hosts_open() {
    // Only s0 and s4 may host: two posts cover u0, u1 and u3, u4 (260).
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.coverage_eligible = vec![true, false, false, false, true];
    let plan = solved(&p);
    assert_near(plan.objective, 260.0);
    assert_eq!(open(&plan), vec![0, 4]);
}

#[test]
fn continuity_limits_the_posts_that_move() {
    // The previous plan had s2 and s4 (220). No move: 220; one move: keep s4, move s2 to
    // s1 (320).
    let mut p = line(Objective::Coverage, 10.0, 2);
    p.previous = Some(vec![0, 0, 1, 0, 1]);
    p.max_moves = Some(0);
    let plan = solved(&p);
    assert_near(plan.objective, 220.0);
    assert_eq!(open(&plan), vec![2, 4]);
    p.max_moves = Some(1);
    let plan = solved(&p);
    assert_near(plan.objective, 320.0);
    assert_eq!(open(&plan), vec![1, 4]);
    assert_eq!(plan.posts_moved, Some(1));
}

#[test]
fn covering_engine_matches_brute_force_on_random_instances() {
    // Random instances small enough to enumerate every set of sites: the engine's coverage
    // and p-median optima are the enumerated ones, under a budget and a cap.
    let mut rng = crate::util::Rng(crate::util::SEED_1);
    for _ in 0..20 {
        let units = 9;
        let sites = 7;
        let xy: Vec<(f64, f64)> = (0..units + sites).map(|_| (rng.range(0.0, 1.0), rng.range(0.0, 1.0))).collect();
        let minutes = |u: usize, s: usize| {
            let (a, b) = (xy[u], xy[units + s]);
            (60.0 * ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()).round()
        };
        let mut p = line(Objective::Coverage, 0.0, 3);
        p.need = (0..units).map(|_| (rng.range(0.0, 1.0) * 100.0).round() + 1.0).collect();
        p.unit_dep = vec![0; units];
        p.sites = (0..sites)
            .map(|s| SiteSpec {
                cost_eur: 1.0 + (s % 3) as f64,
                max_posts: 1,
                fixed_posts: 0,
                existing_capacity: 0.0,
                dep: u32::from(s % 2 == 1),
            })
            .collect();
        p.coverage_eligible = vec![true; sites];
        p.budget_eur = 6.0;
        p.dep_caps.insert(1, 1);
        let (mut pairs, mut offsets) = (Vec::new(), vec![0]);
        for u in 0..units {
            for s in 0..sites {
                pairs.push(Pair { site: s as u32, weight: 1.0, minutes: minutes(u, s) as f32 });
            }
            offsets.push(pairs.len());
        }
        let bound = 20.0;
        let mut cover = p.clone();
        cover.pairs =
            pairs.iter().copied().enumerate().filter(|(_, q)| f64::from(q.minutes) <= bound).map(|(_, q)| q).collect();
        cover.unit_offsets = vec![0];
        for u in 0..units {
            let n = (0..sites).filter(|&s| minutes(u, s) <= bound).count();
            cover.unit_offsets.push(cover.unit_offsets[u] + n);
        }
        let mut median = p.clone();
        median.objective = Objective::Travel;
        median.pairs = pairs;
        median.unit_offsets = offsets;
        let (mut best_cover, mut best_median) = (0.0f64, f64::INFINITY);
        for mask in 1u32..(1 << sites) {
            let chosen: Vec<usize> = (0..sites).filter(|&s| mask >> s & 1 == 1).collect();
            let cost: f64 = chosen.iter().map(|&s| p.sites[s].cost_eur).sum();
            let in_b = chosen.iter().filter(|&&s| s % 2 == 1).count();
            if chosen.len() > 3 || cost > 6.0 || in_b > 1 {
                continue;
            }
            let covered: f64 =
                (0..units).filter(|&u| chosen.iter().any(|&s| minutes(u, s) <= bound)).map(|u| p.need[u]).sum();
            best_cover = best_cover.max(covered);
            let travel: f64 = (0..units)
                .map(|u| p.need[u] * chosen.iter().map(|&s| minutes(u, s)).fold(f64::INFINITY, f64::min))
                .sum();
            best_median = best_median.min(travel);
        }
        assert_near(solved(&cover).objective, best_cover);
        assert_near(solved(&median).objective, best_median / p.need.iter().sum::<f64>());
    }
}

/// The Python that has spopt: `MAILLAGE_SPOPT_PYTHON`, else `python3` if it imports spopt.
fn spopt_python() -> Option<String> {
    let python = std::env::var("MAILLAGE_SPOPT_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let ok = std::process::Command::new(&python)
        .args(["-c", "import spopt.locate, pulp"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn the_same_optima_as_spopt_on_martinique() {
    // Martinique's 34 communes, every pair (`tests/fixtures/spopt/972`, written by
    // shared/tools/spopt_anchor.py --reg 02 --bound 200): spopt's MCLP and LSCP at 15
    // minutes, its p-median and p-center, 5 posts; maillage must find the same optima.
    let Some(python) = spopt_python() else {
        eprintln!("skipped: PySAL spopt is not installed (set MAILLAGE_SPOPT_PYTHON to a Python that has it)");
        return;
    };
    let dir = format!("{}/tests/fixtures/spopt/972", env!("CARGO_MANIFEST_DIR"));
    let script = format!("{}/tests/spopt/solve.py", env!("CARGO_MANIFEST_DIR"));
    let out =
        std::process::Command::new(&python).args([script.as_str(), dir.as_str(), "15", "5", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let spopt: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    for (objective, flags, key) in [
        ("coverage", ["--posts", "5", "--bound", "15"], "coverage"),
        ("min-posts", ["--posts", "34", "--bound", "15"], "min_posts"),
        ("travel", ["--posts", "5", "--bound", "200"], "travel_mean_min"),
        ("max-travel", ["--posts", "5", "--bound", "200"], "max_travel_min"),
    ] {
        let folder = tmp.path().join(objective);
        let need = format!("{dir}/need.csv");
        let od = format!("{dir}/od.csv");
        let mut args = vec!["plan", "--objective", objective, "--need", &need, "--od", &od, "--no-xlsx"];
        args.extend(flags);
        args.extend(["--out", folder.to_str().unwrap()]);
        crate::util::cli_command().args(&args).assert().success();
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
        let ours = summary["objective"].as_f64().unwrap();
        let theirs = spopt[key].as_f64().unwrap();
        assert!((ours - theirs).abs() <= 1e-6 * theirs.abs().max(1.0), "{objective}: maillage {ours}, spopt {theirs}");
        eprintln!("{objective}: maillage {ours}, spopt {theirs}");
    }
}

#[test]
fn frontier_writes_one_row_a_point_served_never_falling() {
    // Posts 2, 4, …, 10 on the sample data: five points, the budget following the posts.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("f");
    crate::util::cli_command()
        .arg("--data")
        .arg(crate::util::sample_dir())
        .args(["frontier", "--posts", "2:10:2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("frontier.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    assert_eq!(
        header.iter().take(13).collect::<Vec<_>>(),
        [
            "posts",
            "cost_eur",
            "served",
            "weighted_served",
            "objective",
            "bound",
            "gap",
            "coverage_share",
            "coverage_20_share",
            "coverage_30_share",
            "min_dep_served_share",
            "gini_dep_served_share",
            "seconds"
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 5);
    let field = |r: &csv::StringRecord, name: &str| -> f64 {
        r[header.iter().position(|h| h == name).unwrap()].parse().unwrap()
    };
    for (k, r) in records.iter().enumerate() {
        assert_near(field(r, "posts"), 2.0 * (k as f64 + 1.0));
        assert_near(field(r, "cost_eur"), field(r, "posts") * 50_000.0);
        // The bound is above the plan; more posts never serve fewer.
        assert!(field(r, "bound") >= field(r, "objective") - 1e-6);
        if k > 0 {
            assert!(field(r, "served") >= field(&records[k - 1], "served") - 1e-6);
        }
        assert!(field(r, "coverage_20_share") <= field(r, "coverage_30_share") + 1e-12);
    }
    let svg = std::fs::read_to_string(out.join("frontier.svg")).unwrap();
    assert_eq!(svg.matches("<circle").count(), 5 * 2 + 5 * 4);
    assert!(std::fs::read_to_string(out.join("report.html")).unwrap().contains("<svg"));
    // plan refuses a sweep, and frontier one without a sweep.
    let fails = |args: &[&str]| {
        let o = crate::util::cli_command().arg("--data").arg(crate::util::sample_dir()).args(args).output().unwrap();
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    assert!(fails(&["plan", "--posts", "2:10:2"]).contains("a sweep FROM:TO:STEP is for `maillage frontier`"));
    assert!(fails(&["frontier", "--posts", "4"]).contains("frontier needs one sweep"));
    assert!(fails(&["frontier", "--target-coverage", "0.9:0.99:0.01"]).contains("needs --objective min-posts"));
}
