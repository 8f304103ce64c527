//! Road matrices as routing engines answer them: OSRM's table and Valhalla's matrix (verbose
//! and concise), read into the same pairs as the CSV; and `od-requests`, which writes what
//! to ask them.

use std::collections::BTreeSet;
use std::path::Path;

use maillage::load::load_od_matrix;
use maillage::spatial::{Place, TravelTime, destinations_within, pack_requests};
use maillage::{Dataset, UnitIdx};

use crate::util::{cli_command, sample, sample_dir};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/od_answers").join(name)
}

/// Every unit pair's minutes under a travel model (None: unreachable).
fn all_minutes(data: &Dataset, travel: &dyn TravelTime) -> Vec<Option<f32>> {
    let place = |i: usize| Place { unit: UnitIdx(i as u32), point: data.units[i].point, density_km2: 1.0, landmass: 0 };
    let n = data.units.len();
    (0..n * n).map(|k| travel.minutes(&place(k / n), &place(k % n))).collect()
}

/// The hand-written answers (Bron and Villeurbanne to Bron, Villeurbanne and Lyon 1er: 612 s,
/// 618 s, 540 s, no route from Bron to Lyon 1er) give the CSV's minutes (10.2, 10.3, 9) and no
/// other pair.
#[test]
fn osrm_and_valhalla_answers_read_as_the_csv() {
    let data = sample();
    let csv = load_od_matrix(&fixture("matrix.csv"), &data).unwrap();
    let expected = all_minutes(&data, &csv);
    assert_eq!(expected.iter().filter(|m| m.is_some()).count(), data.units.len() + 3, "diagonal and 3 trips");
    for list in ["osrm.csv", "valhalla.csv"] {
        let m = load_od_matrix(&fixture(list), &data).unwrap();
        assert_eq!(m.len(), 5, "{list}: 5 pairs, the null left out");
        assert_eq!(all_minutes(&data, &m), expected, "{list}");
        assert!((m.search_radius_m(30.0) - csv.search_radius_m(30.0)).abs() < 1e-6, "{list}");
    }
}

/// `reach --od` on the OSRM answers writes the same file as on the CSV.
#[test]
fn reach_from_answers_is_reach_from_csv() {
    let out = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, od) in [("csv", "matrix.csv"), ("osrm", "osrm.csv"), ("valhalla", "valhalla.csv")] {
        let path = out.path().join(format!("{name}.csv"));
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["reach", "--od"])
            .arg(fixture(od))
            .arg("--out")
            .arg(&path)
            .assert()
            .success();
        files.push(std::fs::read(&path).unwrap());
    }
    assert!(files[0].len() > 100);
    assert_eq!(files[0], files[1]);
    assert_eq!(files[0], files[2]);
}

/// Each pair a unit needs (a unit holding a candidate within the radius) is in exactly one
/// request, no request has more locations than allowed, and a unit too wide for one request is
/// split over its own.
#[test]
fn requests_hold_every_needed_pair_once() {
    let data = sample();
    let destinations = destinations_within(&data, 8_000.0);
    for max in [2, 5, 12, 100] {
        let requests = pack_requests(&destinations, max);
        let mut seen = BTreeSet::new();
        for r in &requests {
            assert!(r.locations() <= max, "{} locations > {max}", r.locations());
            for s in &r.sources {
                for d in &r.destinations {
                    if destinations[s.get()].contains(d) {
                        assert!(seen.insert((*s, *d)), "pair {s:?} {d:?} asked twice (max {max})");
                    }
                }
            }
        }
        let needed: usize = destinations.iter().map(Vec::len).sum();
        assert_eq!(seen.len(), needed, "max {max}");
    }
    // A unit's own town hall is within any radius: every unit with need asks for itself.
    assert!(destinations.iter().enumerate().all(|(i, d)| d.contains(&UnitIdx(i as u32))));
    // Martinique and Lyon are never in one request's pairs.
    for (i, d) in destinations.iter().enumerate() {
        assert!(d.iter().all(|j| data.units[j.get()].territory() == data.units[i].territory()));
    }
}

/// `od-requests` writes a list whose codes are units of the data, one OSRM query and one
/// Valhalla body per request, with as many points as the list says.
#[test]
fn od_requests_writes_the_list_and_the_queries() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("req");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["od-requests", "--max-locations", "12", "--bound", "20", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let list = std::fs::read_to_string(dir.join("requests.csv")).unwrap();
    let osrm = std::fs::read_to_string(dir.join("osrm.tsv")).unwrap();
    let valhalla = std::fs::read_to_string(dir.join("valhalla.tsv")).unwrap();
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert!(rows.len() > 1);
    assert_eq!(osrm.lines().count(), rows.len());
    assert_eq!(valhalla.lines().count(), rows.len());
    let data = sample();
    for ((row, q), v) in rows.iter().zip(osrm.lines()).zip(valhalla.lines()) {
        let fields: Vec<&str> = row.split(',').collect();
        let (sources, destinations): (Vec<&str>, Vec<&str>) =
            (fields[2].split(' ').collect(), fields[3].split(' ').collect());
        assert!(sources.len() + destinations.len() <= 12);
        for c in sources.iter().chain(&destinations) {
            assert!(data.units.iter().any(|u| u.code.as_str() == *c), "{c}");
        }
        let coords = q.split("/table/v1/driving/").nth(1).unwrap().split('?').next().unwrap();
        assert_eq!(coords.split(';').count(), sources.len() + destinations.len());
        assert!(q.starts_with(fields[0]) && v.starts_with(fields[0]));
        let body: serde_json::Value = serde_json::from_str(v.split('\t').nth(1).unwrap()).unwrap();
        assert_eq!(body["sources"].as_array().unwrap().len(), sources.len());
        assert_eq!(body["targets"].as_array().unwrap().len(), destinations.len());
    }
    for f in ["points.csv", "fetch-osrm.sh", "fetch-valhalla.sh", "LISEZMOI.txt"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
}

/// `od-requests` refuses what it cannot honour, by name, and writes nothing.
#[test]
fn od_requests_refuses_a_matrix_and_a_bad_radius() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("req");
    let od = fixture("matrix.csv");
    for (args, needle) in [
        (vec!["--od", od.to_str().unwrap()], "--od: od-requests writes what a routing engine must compute"),
        (vec!["--radius-km", "0"], "--radius-km = 0: expected a radius in (0, 500] km"),
        (vec!["--max-locations", "1"], "--max-locations"),
        (vec!["--within-departement", "99"], "`area.within_departements` (--within-departement) = \"99\""),
    ] {
        let output = cli_command()
            .arg("--data")
            .arg(sample_dir())
            .arg("od-requests")
            .args(&args)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!dir.exists(), "{args:?}");
    }
}

/// `calibrate` on the sample: a share per published figure, in [0, 1], rising with the minutes;
/// `--bound` and `--fit` with `--od` are refused by name.
#[test]
fn calibrate_writes_a_share_per_figure() {
    let out = tempfile::tempdir().unwrap();
    let csv_path = out.path().join("calibration.csv");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["calibrate", "--fit", "--out"])
        .arg(&csv_path)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), maillage::calibrate::PUBLISHED.len());
    let share = |k: usize, col: usize| rows[k][col].parse::<f64>().unwrap();
    for k in 0..rows.len() {
        assert!((0.0..=1.0).contains(&share(k, 5)) && (0.0..=1.0).contains(&share(k, 6)));
    }
    // fs-20 ≤ fs-30 (same layer, more minutes).
    assert!(share(0, 5) <= share(1, 5));
    let od = fixture("matrix.csv").display().to_string();
    for (args, needle) in
        [(vec!["--bound", "20"], "drop --bound"), (vec!["--fit", "--od", &od], "--fit: fits the speeds")]
    {
        let output = cli_command().arg("--data").arg(sample_dir()).arg("calibrate").args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(needle), "{args:?}: {stderr}");
    }
}
