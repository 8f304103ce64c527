//! `maillage sensitivity` on the sample: the variants' measures follow from what each changes,
//! the stability shares are consistent, and the base variant is the plan itself.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{cli_command, sample_dir};

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| head.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
        .collect()
}

fn num(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap_or_else(|_| panic!("{key} = {:?}", row[key]))
}

#[test]
fn sensitivity_variants_change_what_they_say() {
    let work = tempfile::tempdir().unwrap();
    let (sens, plan) = (work.path().join("sens"), work.path().join("plan"));
    let args = ["--posts", "12", "--budget-eur", "600000"];
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .arg("sensitivity")
        .args(args)
        .arg("--out")
        .arg(&sens)
        .assert()
        .success();
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .arg("plan")
        .args(args)
        .args(["--no-xlsx", "--out"])
        .arg(&plan)
        .assert()
        .success();
    let variants = rows(&sens.join("sensitivity.csv"));
    let keys: Vec<&str> = variants.iter().map(|r| r["variant"].as_str()).collect();
    assert_eq!(
        keys,
        ["base", "speeds-20", "speeds+20", "need-20", "need+20", "ifn-score_global", "capacity-20", "capacity+20"]
    );
    let by: BTreeMap<&str, &BTreeMap<String, String>> = keys.iter().copied().zip(&variants).collect();
    assert!(variants.iter().all(|r| r["status"] == "ok"), "{variants:?}");
    // The base variant is the plan: same served, same objective.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan.join("summary.json")).unwrap()).unwrap();
    let base = by["base"];
    assert!((num(base, "served") - summary["served"].as_f64().unwrap()).abs() < 1e-3);
    assert!((num(base, "objective") - summary["objective"].as_f64().unwrap()).abs() < 1e-3);
    for s in ["same_site_share", "same_commune_share", "same_epci_share"] {
        assert!((num(base, s) - 1.0).abs() < 1e-12);
    }
    // Need ±20%: the need column scales exactly; capacity ±20%: served within 12 posts' capacity.
    for (key, f) in [("need-20", 0.8), ("need+20", 1.2)] {
        assert!((num(by[key], "need") - f * num(base, "need")).abs() < 1e-3 * num(base, "need"), "{key}");
    }
    for (key, cap) in [("capacity-20", 960.0), ("capacity+20", 1440.0), ("base", 1200.0)] {
        assert!(num(by[key], "served") <= 12.0 * cap + 1e-6, "{key}");
    }
    // Faster travel reaches at least as much need.
    assert!(num(by["speeds+20"], "coverage_share") >= num(by["speeds-20"], "coverage_share") - 1e-12);
    // Same site ⊂ same commune ⊂ same EPCI: the shares never fall as the place widens.
    for r in &variants {
        let (a, b, c) = (num(r, "same_site_share"), num(r, "same_commune_share"), num(r, "same_epci_share"));
        assert!(a <= b + 1e-12 && b <= c + 1e-12 && c <= 1.0 + 1e-12, "{}: {a} {b} {c}", r["variant"]);
    }
    // stability.csv: each variant's posts over the départements add up to its posts, and its
    // base posts to the base's.
    let stability = rows(&sens.join("stability.csv"));
    for key in keys.iter().skip(1) {
        let of: Vec<_> = stability.iter().filter(|r| r["variant"] == *key).collect();
        let posts: f64 = of.iter().map(|r| num(r, "posts")).sum();
        let base_posts: f64 = of.iter().map(|r| num(r, "base_posts")).sum();
        assert!((posts - num(by[key], "posts")).abs() < 1e-9, "{key}");
        assert!((base_posts - num(base, "posts")).abs() < 1e-9, "{key}");
    }
    // sites.csv: the base column holds the plan's posts, site by site.
    let plan_posts: BTreeMap<String, u32> =
        rows(&plan.join("plan.csv")).iter().map(|r| (r["id"].clone(), r["posts"].parse().unwrap())).collect();
    let sites = rows(&sens.join("sites.csv"));
    for s in &sites {
        let int = |key: &str| s[key].parse::<u32>().unwrap();
        let base_posts = int("posts_base");
        assert_eq!(base_posts, plan_posts.get(&s["candidate"]).copied().unwrap_or(0), "{}", s["candidate"]);
        assert!(int("posts_min") <= base_posts && base_posts <= int("posts_max"));
    }
    assert_eq!(sites.iter().map(|s| s["posts_base"].parse::<u32>().unwrap()).sum::<u32>(), 12);
    let report = std::fs::read_to_string(sens.join("report.html")).unwrap();
    assert!(report.contains("vitesses −20 %") && report.contains("<svg") && !report.contains("−0,0"));
}

/// The same scenario gives the same files with 1 thread or 2 (sensitivity.csv but its
/// `seconds` column).
#[test]
fn sensitivity_is_deterministic_across_threads() {
    let work = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = work.path().join(format!("t{threads}"));
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["--threads", threads, "sensitivity", "--posts", "12", "--budget-eur", "600000", "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (one, two) = (run("1"), run("2"));
    for f in ["stability.csv", "sites.csv", "report.html"] {
        assert_eq!(std::fs::read(one.join(f)).unwrap(), std::fs::read(two.join(f)).unwrap(), "{f}");
    }
    let strip = |dir: &Path| -> Vec<Vec<String>> {
        rows(&dir.join("sensitivity.csv"))
            .into_iter()
            .map(|r| r.into_iter().filter(|(k, _)| k != "seconds").map(|(_, v)| v).collect())
            .collect()
    };
    assert_eq!(strip(&one), strip(&two));
}

#[test]
fn sensitivity_refuses_plan_outputs_and_sweeps() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("s");
    for (args, needle) in [
        (vec!["--pdf"], "`outputs.pdf` (--pdf)"),
        (vec!["--departement", "69"], "`outputs.departements` (--departement)"),
        (vec!["--posts", "2:10:2"], "a sweep FROM:TO:STEP is for `maillage frontier`"),
    ] {
        let output = cli_command()
            .arg("--data")
            .arg(sample_dir())
            .arg("sensitivity")
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!out.exists());
    }
}
