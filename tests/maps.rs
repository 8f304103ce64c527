//! Maps, report, `evaluate` and `compare`: GeoJSON that parses, winds right and opens in
//! GDAL; the real CnFS allocation read as is; comparisons that add up.

use std::fs;
use std::path::Path;

use crate::util::{cli_command, sample_dir};

/// Twice the signed area of a ring (positive: counter-clockwise in lon/lat).
fn signed_area(ring: &[geojson::Position]) -> f64 {
    ring.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum()
}

/// Parses a GeoJSON file with the geojson crate and checks RFC 7946: a `FeatureCollection`
/// without `crs`, WGS84 coordinates, INSEE codes as strings, polygons with the right-hand
/// rule. Returns the feature count.
fn check_geojson(path: &Path) -> usize {
    let text = fs::read_to_string(path).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(raw.get("crs").is_none(), "{}: RFC 7946 has no crs member", path.display());
    let collection = geojson::FeatureCollection::try_from(text.parse::<geojson::GeoJson>().unwrap()).unwrap();
    for f in &collection.features {
        assert!(f.property("insee").unwrap().is_string(), "INSEE codes are strings");
        match &f.geometry.as_ref().unwrap().value {
            geojson::GeometryValue::Point { coordinates: p } => {
                assert!((-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1]));
            }
            geojson::GeometryValue::MultiPolygon { coordinates: polys } => {
                assert!(!polys.is_empty());
                for poly in polys {
                    for (r, ring) in poly.iter().enumerate() {
                        assert!(ring.len() >= 4 && ring.first() == ring.last(), "closed ring");
                        let area = signed_area(ring);
                        if r == 0 {
                            assert!(area > 0.0, "{:?}: exterior ring not counter-clockwise", f.property("insee"));
                        } else {
                            assert!(area < 0.0, "{:?}: hole not clockwise", f.property("insee"));
                        }
                    }
                }
            }
            other => panic!("unexpected geometry {other:?}"),
        }
    }
    collection.features.len()
}

/// `ogrinfo -al -so` opens the file and reports `count` features (GDAL, from gdal-bin).
fn check_ogrinfo(path: &Path, count: usize) {
    let out = std::process::Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(path)
        .output()
        .expect("ogrinfo (apt-get install gdal-bin) is needed by this test");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "ogrinfo failed on {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("Feature Count: {count}")), "{}: {text}", path.display());
}

fn csv_rows(path: &Path) -> usize {
    fs::read_to_string(path).unwrap().lines().count() - 1
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// `plan` on the sample with 8 posts into `dir`.
fn plan_sample(dir: &Path) {
    cli_command().arg("--data").arg(sample_dir()).args(["plan", "--posts", "8", "--out"]).arg(dir).assert().success();
}

/// `evaluate` of the sample's real CnFS structures into `dir`.
fn evaluate_sample(dir: &Path) {
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["evaluate", "--allocation"])
        .arg(sample_dir().join("cnfs_structures.csv"))
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn plan_and_evaluate_write_geojson_that_parses_winds_right_and_opens_in_gdal() {
    let out = tempfile::tempdir().unwrap();
    let plan = out.path().join("plan");
    plan_sample(&plan);
    let eval = out.path().join("eval");
    evaluate_sample(&eval);
    for dir in [&plan, &eval] {
        let communes = check_geojson(&dir.join("communes.geojson"));
        assert_eq!(communes, csv_rows(&dir.join("units.csv")), "one polygon per unit");
        check_ogrinfo(&dir.join("communes.geojson"), communes);
        let sites = check_geojson(&dir.join("sites.geojson"));
        assert_eq!(sites, csv_rows(&dir.join("plan.csv")), "one point per site with posts");
        assert!(sites > 0);
        check_ogrinfo(&dir.join("sites.geojson"), sites);
        let html = fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
        for needle in ["<link", "src=\"http", "url(http", "@import"] {
            assert!(!html.contains(needle), "the report loads nothing from the network ({needle})");
        }
    }
    // --departement keeps the maps to that département; the tables stay whole.
    let only = out.path().join("only");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "8", "--departement", "972", "--out"])
        .arg(&only)
        .assert()
        .success();
    assert_eq!(check_geojson(&only.join("communes.geojson")), 6, "the 6 communes of Martinique in the sample");
    assert_eq!(csv_rows(&only.join("units.csv")), csv_rows(&plan.join("units.csv")));
}

#[test]
fn the_real_cnfs_allocation_is_read_as_is() {
    let data = crate::util::national();
    let a =
        maillage::load::load_allocation(&maillage::DataFiles::embedded().file("cnfs_structures.csv"), data).unwrap();
    assert_eq!(a.format, maillage::load::AllocationFormat::Structures);
    assert_eq!(a.rows, 2_485, "structures");
    assert_eq!(a.total_posts, 3_437, "posts attributed");
    assert!((a.total_cost_eur / 1e6 - 171.1).abs() < 0.05, "{} M€", a.total_cost_eur / 1e6);
    // Every post is placed on a candidate except those of COM communes, which are not units.
    let placed: u64 = a.posts.values().map(|&x| u64::from(x)).sum();
    assert_eq!(placed + a.posts_outside, a.total_posts);
    assert!(a.posts_outside <= 5);
}

#[test]
fn national_evaluation_maps_stay_within_their_size_limits() {
    let out = tempfile::tempdir().unwrap();
    let all = out.path().join("all");
    cli_command().args(["evaluate", "--allocation", "cnfs-2021", "--out"]).arg(&all).assert().success();
    let s = summary(&all);
    assert_eq!(s["posts"].as_u64().unwrap(), 3_435, "3,437 posts less the 2 of COM communes");
    assert!((s["cost_eur"].as_f64().unwrap() / 1e6 - 171.0).abs() < 0.1);
    assert_eq!(check_geojson(&all.join("communes.geojson")), 34_917);
    check_ogrinfo(&all.join("communes.geojson"), 34_917);
    let report = fs::metadata(all.join("report.html")).unwrap().len();
    assert!(report < 15_000_000, "national report {report} bytes");
    let nord = out.path().join("59");
    cli_command()
        .args(["evaluate", "--allocation", "cnfs-2021", "--departement", "59", "--out"])
        .arg(&nord)
        .assert()
        .success();
    assert_eq!(check_geojson(&nord.join("communes.geojson")), 647);
    let report = fs::metadata(nord.join("report.html")).unwrap().len();
    assert!(report < 1_000_000, "département report {report} bytes");
}

fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
        .collect()
}

#[test]
// A plan against itself must differ by exactly zero, not nearly.
#[allow(clippy::float_cmp)]
fn compare_shows_no_difference_with_itself_and_differences_that_add_up() {
    let out = tempfile::tempdir().unwrap();
    let a = out.path().join("a");
    plan_sample(&a);
    let b = out.path().join("b");
    evaluate_sample(&b);

    let same = out.path().join("same");
    cli_command().arg("compare").arg(&a).arg(&a).arg("--out").arg(&same).assert().success();
    assert_eq!(csv_rows(&same.join("compare_sites.csv")), 0, "no site differs");
    for row in read_csv(&same.join("compare_departements.csv")) {
        for key in ["posts_delta", "served_delta", "covered_need_delta"] {
            assert_eq!(row[key].parse::<f64>().unwrap(), 0.0, "{key} in {}", row["dep"]);
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(same.join("compare.json")).unwrap()).unwrap();
    for h in json["headline"].as_array().unwrap() {
        assert_eq!(h["delta"].as_f64().unwrap(), 0.0, "{}", h["key"]);
    }

    let diff = out.path().join("diff");
    cli_command().arg("compare").arg(&a).arg(&b).arg("--out").arg(&diff).assert().success();
    let (sa, sb) = (summary(&a), summary(&b));
    let posts_delta = sb["posts"].as_i64().unwrap() - sa["posts"].as_i64().unwrap();
    let served_delta = sb["served"].as_f64().unwrap() - sa["served"].as_f64().unwrap();
    let deps = read_csv(&diff.join("compare_departements.csv"));
    let sum_i = |rows: &[std::collections::HashMap<String, String>], key: &str| -> i64 {
        rows.iter().map(|r| r[key].parse::<i64>().unwrap()).sum()
    };
    assert_eq!(sum_i(&deps, "posts_delta"), posts_delta);
    let dep_served: f64 = deps.iter().map(|r| r["served_delta"].parse::<f64>().unwrap()).sum();
    assert!((dep_served - served_delta).abs() <= 0.1 * deps.len() as f64 + 1e-6, "{dep_served} vs {served_delta}");
    let sites = read_csv(&diff.join("compare_sites.csv"));
    assert!(!sites.is_empty());
    assert_eq!(sum_i(&sites, "posts_delta"), posts_delta, "site differences add up to the posts difference");
}

#[test]
fn floors_from_an_allocation_keep_its_posts_per_departement() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plan");
    let allocation = sample_dir().join("cnfs_structures.csv");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "80", "--floors-from"])
        .arg(&allocation)
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let mut wanted: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for row in read_csv(&allocation) {
        let dep = if row["insee_2026"].starts_with("97") { &row["insee_2026"][..3] } else { &row["insee_2026"][..2] };
        *wanted.entry(dep.to_owned()).or_insert(0) += row["postes_attribues"].parse::<i64>().unwrap();
    }
    assert!(!wanted.is_empty());
    let got: std::collections::HashMap<String, i64> = read_csv(&dir.join("departements.csv"))
        .into_iter()
        .map(|r| (r["dep"].clone(), r["posts"].parse().unwrap()))
        .collect();
    for (dep, n) in wanted {
        assert!(got[&dep] >= n, "département {dep}: {} posts, floor {n}", got[&dep]);
    }
}
