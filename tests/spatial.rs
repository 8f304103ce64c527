//! Spatial engine: distances, the R-tree against brute force, reach, and the OD-matrix seam.

use std::collections::HashSet;

use maillage::spatial::{
    CrowFlies, SiteIndex, TravelTime, build_reach, candidate_place, great_circle_m, lambert93, unit_place,
};
use maillage::{CommuneCode, LonLat, UnitIdx, load};

use crate::util::{Rng, SEED_1, national, national_reach, sample};

fn commune_point(code: &str) -> LonLat {
    let mut r = csv::Reader::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/communes.csv")).unwrap();
    let rec = r.records().map(Result::unwrap).find(|r| &r[0] == code).unwrap();
    LonLat::new(rec[8].parse().unwrap(), rec[7].parse().unwrap()).unwrap()
}

#[test]
fn paris_marseille_great_circle_matches_geodesic_reference() {
    // Karney's geodesic on WGS84 (geographiclib 2.0, `Geodesic.WGS84.Inverse`) between the
    // representative points of 75056 and 13055 in communes.csv: 660,620.195 m.
    let reference_m = 660_620.195;
    let d = great_circle_m(commune_point("75056"), commune_point("13055"));
    println!("Paris-Marseille: {d:.1} m, reference {reference_m} m");
    assert!((d - reference_m).abs() / reference_m < 0.005, "{d} m");
}

#[test]
fn lambert93_agrees_with_great_circle_under_100_km_on_the_mainland() {
    let data = national();
    let mainland: Vec<LonLat> = data
        .units
        .iter()
        .filter(|u| u.zone == maillage::Zone::Metro && !u.dep.starts_with("2A") && !u.dep.starts_with("2B"))
        .map(|u| u.point)
        .collect();
    let index = SiteIndex::build(mainland.iter().copied());
    let mut rng = Rng(SEED_1);
    let mut checked = 0;
    let mut worst: f64 = 0.0;
    while checked < 2_000 {
        let a = mainland[rng.index(mainland.len())];
        let near: Vec<_> = index.within(a, 100_000.0).collect();
        let b = mainland[near[rng.index(near.len())].get()];
        let gc = great_circle_m(a, b);
        if gc < 1_000.0 {
            continue;
        }
        let ((ax, ay), (bx, by)) = (lambert93(a), lambert93(b));
        let planar = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
        worst = worst.max((planar - gc).abs() / gc);
        checked += 1;
    }
    println!("Lambert-93 vs great-circle, {checked} mainland pairs under 100 km: worst {:.3}%", worst * 100.0);
    assert!(worst < 0.005, "worst relative difference {worst}");
}

#[test]
fn rtree_radius_queries_equal_brute_force_on_random_national_queries() {
    let data = national();
    let points: Vec<LonLat> = data.candidates.iter().map(|c| c.point).collect();
    let index = SiteIndex::build(points.iter().copied());
    let mut rng = Rng(SEED_1 ^ 1);
    let mut total = 0usize;
    for _ in 0..3_000 {
        // Around a random unit (which spreads queries over every territory), off by up to ~20 km.
        let u = &data.units[rng.index(data.units.len())];
        let q = LonLat::new(u.point.lon() + rng.range(-0.25, 0.25), u.point.lat() + rng.range(-0.2, 0.2)).unwrap();
        let radius_m = rng.range(0.0, 40_000.0);
        let mut fast: Vec<u32> = index.within(q, radius_m).map(|c| c.0).collect();
        fast.sort_unstable();
        let slow: Vec<u32> =
            (0..points.len() as u32).filter(|&i| great_circle_m(q, points[i as usize]) <= radius_m).collect();
        assert_eq!(fast, slow, "query {q} radius {radius_m}");
        total += fast.len();
    }
    assert!(total > 100_000, "queries should find many candidates, found {total}");
}

#[test]
fn reach_never_crosses_territories_and_respects_the_bound() {
    let data = national();
    let reach = national_reach();
    assert_eq!(reach.unit_count(), data.units.len());
    let mut drom_pairs = 0;
    for (unit, link) in reach.pairs() {
        let u = &data.units[unit.get()];
        let c = &data.candidates[link.candidate.get()];
        assert_eq!(u.territory(), data.units[c.unit.get()].territory(), "{} linked to {}", u.code, c.id);
        assert!(c.unit == unit || f64::from(link.minutes) <= 30.0);
        if u.zone == maillage::Zone::Drom {
            drom_pairs += 1;
        }
    }
    assert!(drom_pairs > 0);
    // Every unit reaches its own town hall.
    for (i, u) in data.units.iter().enumerate() {
        let own = reach
            .of(UnitIdx(i as u32))
            .iter()
            .any(|l| data.candidates[l.candidate.get()].id == format!("mairie:{}", u.code));
        assert!(own, "{}", u.code);
    }
}

#[test]
fn reach_finds_every_candidate_within_the_bound() {
    // Completeness: on random units, brute force over all candidates finds nothing reach missed.
    let data = national();
    let reach = national_reach();
    let model = CrowFlies::default();
    let mut rng = Rng(SEED_1 ^ 2);
    for _ in 0..200 {
        let unit = UnitIdx(rng.index(data.units.len()) as u32);
        let from = unit_place(&data.units, unit);
        let expected: HashSet<u32> = data
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| data.units[c.unit.get()].territory() == data.units[unit.get()].territory())
            .filter(|(_, c)| {
                // No time across the sea (an island without a bridge): unreachable.
                c.unit == unit
                    || model.minutes(&from, &candidate_place(&data.units, c)).is_some_and(|m| f64::from(m) <= 30.0)
            })
            .map(|(i, _)| i as u32)
            .collect();
        let got: HashSet<u32> = reach.of(unit).iter().map(|l| l.candidate.0).collect();
        assert_eq!(got, expected, "unit {}", data.units[unit.get()].code);
    }
}

#[test]
fn od_matrix_replaces_the_default_travel_model() {
    let data = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("od.csv");
    // Villeurbanne → Lyon 1er in 5.5 min; Bron → Villeurbanne over the bound; a pair across
    // the ocean (never linked, whatever the matrix says).
    std::fs::write(&path, "origin,destination,minutes\n69266,69381,5.5\n69029,69266,45\n69266,97201,10\n").unwrap();
    let matrix = load::load_od_matrix(&path, &data).unwrap();
    assert_eq!(matrix.len(), 3);
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    let reach = build_reach(&data.units, &data.candidates, &index, &matrix, 30.0);
    let code = |u: UnitIdx| data.units[u.get()].code.as_str().to_owned();
    let unit = |c: &str| data.unit_by_code(&CommuneCode::parse(c).unwrap()).unwrap();
    let (villeurbanne, bron) = (unit("69266"), unit("69029"));
    for link in reach.of(villeurbanne) {
        let dest = data.candidates[link.candidate.get()].unit;
        match code(dest).as_str() {
            "69381" => assert!((link.minutes - 5.5).abs() < 1e-6),
            "69266" => assert!(link.minutes.abs() < 1e-6),
            other => panic!("Villeurbanne linked to {other}, absent from the matrix"),
        }
    }
    let lyon1: usize = data.candidates.iter().filter(|c| c.unit == unit("69381")).count();
    let own: usize = data.candidates.iter().filter(|c| c.unit == villeurbanne).count();
    assert_eq!(reach.of(villeurbanne).len(), lyon1 + own);
    // Bron reaches only its own candidates; the default model would reach Villeurbanne's.
    assert!(reach.of(bron).iter().all(|l| data.candidates[l.candidate.get()].unit == bron));
    let default = build_reach(&data.units, &data.candidates, &index, &CrowFlies::default(), 30.0);
    assert!(default.of(bron).iter().any(|l| data.candidates[l.candidate.get()].unit == villeurbanne));
}
