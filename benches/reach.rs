//! Spatial engine on the embedded national data: R-tree build and all unit → candidate
//! pairs within 30 minutes (default crow-flies model).

use criterion::{Criterion, criterion_group, criterion_main};
use maillage::spatial::{CrowFlies, SiteIndex, build_reach};
use maillage::{DataFiles, Dataset};

fn reach(c: &mut Criterion) {
    let data = Dataset::load(&DataFiles::embedded()).expect("embedded data loads");
    let points: Vec<_> = data.candidates.iter().map(|c| c.point).collect();
    let index = SiteIndex::build(points.iter().copied());
    let travel = CrowFlies::default();
    let pairs = build_reach(&data.units, &data.candidates, &index, &travel, 30.0).pair_count();
    eprintln!("national: {} units, {} candidates, {pairs} pairs within 30 minutes", data.units.len(), points.len());

    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.bench_function("index_build", |b| b.iter(|| SiteIndex::build(points.iter().copied())));
    group.bench_function("reach_30min", |b| {
        b.iter(|| build_reach(&data.units, &data.candidates, &index, &travel, 30.0));
    });
    group.bench_function("load_dataset", |b| b.iter(|| Dataset::load(&DataFiles::embedded()).expect("loads")));
    group.finish();
}

criterion_group!(benches, reach);
criterion_main!(benches);
