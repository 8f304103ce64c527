//! Optimiser on the embedded national data: the national plan end to end from reach (the
//! default method: greedy, optimal flows, Lagrangian bound; about 27 s a run on 2 cores, so few samples)
//! and the greedy alone, and coverage mode on one region (Hauts-de-France, 20 minutes, 40
//! sites; greedy MCLP). `covering`: the covering engine on the instances of
//! `shared/tools/spopt_anchor.py` (crow flies × 1.3 at 50 km/h, 20 minutes): Hauts-de-France
//! with 40 sites and metropolitan France with 400, to their time limit (60 s) or optimum.

use criterion::{Criterion, criterion_group, criterion_main};
use maillage::optimise::{Method, Objective, PlanParams, build_problem, solve};
use maillage::spatial::{CrowFlies, SiteIndex, build_reach};
use maillage::{DataFiles, Dataset, NeedModel, score_need};

fn optimise(c: &mut Criterion) {
    let data = Dataset::load(&DataFiles::embedded()).expect("embedded data loads");
    let need = score_need(&data.units, &NeedModel::default(), None);
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    let reach = build_reach(&data.units, &data.candidates, &index, &CrowFlies::default(), 30.0);

    let region = data.restrict(|u| u.reg == "32");
    let region_need = score_need(&region.units, &NeedModel::default(), None);
    let region_index = SiteIndex::build(region.candidates.iter().map(|c| c.point));
    let region_reach = build_reach(&region.units, &region.candidates, &region_index, &CrowFlies::default(), 20.0);
    let coverage = PlanParams { posts: 40, objective: Objective::Coverage, ..PlanParams::default() };

    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.bench_function("national_greedy_4000_posts", |b| {
        b.iter(|| {
            let p = build_problem(&data, &need, &reach, &PlanParams::default());
            solve(&p, Method::Greedy).expect("feasible")
        });
    });
    group.bench_function("region32_coverage_greedy_40_sites", |b| {
        b.iter(|| {
            let p = build_problem(&region, &region_need, &region_reach, &coverage);
            solve(&p, Method::Greedy).expect("feasible")
        });
    });
    group.finish();

    // The spopt anchor's travel model: 1.3 × great circle at 50 km/h everywhere.
    let anchor = CrowFlies { detour: 1.3, speeds: maillage::spatial::parse_speed_bands("inf:50").expect("one band") };
    let anchor_reach = build_reach(&region.units, &region.candidates, &region_index, &anchor, 20.0);
    let metro = data.restrict(|u| u.zone.as_str() == "metro");
    let metro_need = score_need(&metro.units, &NeedModel::default(), None);
    let metro_index = SiteIndex::build(metro.candidates.iter().map(|c| c.point));
    let metro_reach = build_reach(&metro.units, &metro.candidates, &metro_index, &anchor, 20.0);
    let mut covering = c.benchmark_group("covering");
    covering.sample_size(10).measurement_time(std::time::Duration::from_mins(10));
    covering.bench_function("region32_mclp_40_sites_exact", |b| {
        b.iter(|| {
            let p = build_problem(&region, &region_need, &anchor_reach, &coverage);
            solve(&p, Method::Lp).expect("feasible")
        });
    });
    let metro_coverage = PlanParams { posts: 400, budget_eur: 400.0 * 50_000.0, ..coverage.clone() };
    covering.bench_function("metro_mclp_400_sites", |b| {
        b.iter(|| {
            let p = build_problem(&metro, &metro_need, &metro_reach, &metro_coverage);
            solve(&p, Method::Lp).expect("feasible")
        });
    });
    covering.finish();

    let mut full = c.benchmark_group("plan_full");
    full.sample_size(10).measurement_time(std::time::Duration::from_secs(400));
    full.bench_function("national_default_4000_posts", |b| {
        b.iter(|| {
            let p = build_problem(&data, &need, &reach, &PlanParams::default());
            solve(&p, Method::Lp).expect("feasible")
        });
    });
    full.finish();
}

criterion_group!(benches, optimise);
criterion_main!(benches);
