//! Optimiser on the embedded national data: the national plan end to end from reach (the
//! default method: greedy, optimal flows, Lagrangian bound; about 27 s a run on 2 cores, so few samples)
//! and the greedy alone, and coverage mode on one region (Hauts-de-France, 20 minutes, 40
//! sites; greedy MCLP).

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
