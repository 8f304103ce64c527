//! The `maillage` binary: outputs on good input, one clear error and no file on bad input.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use sha2::Digest;

use crate::util::{cli_command, sample_dir};

fn write_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn need_writes_the_table_with_string_codes_and_a_summary() {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("need.csv");
    cli_command()
        .args(["need", "--out"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("34917").and(predicate::str::contains("drom")))
        .stderr(predicate::str::contains("94 COM communes left out"));
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("insee,nom,dep,reg,zone,epci_siren,population,need,"));
    assert_eq!(lines.clone().count(), 34_917);
    assert!(text.contains("\n01001,L'Abergement-Clémenciat,01,84,metro,"));
    assert!(text.contains("\n2A004,Ajaccio,2A,94,metro,"));
    assert!(text.contains("\n75101,"));
}

#[test]
fn need_rates_and_need_file_override_the_model() {
    let out = tempfile::tempdir().unwrap();
    let (a, b, c) = (out.path().join("a.csv"), out.path().join("b.csv"), out.path().join("c.csv"));
    cli_command().arg("--data").arg(sample_dir()).args(["need", "--out"]).arg(&a).assert().success();
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["need", "--rate", "16.5", "--rate-drom", "22", "--out"])
        .arg(&b)
        .assert()
        .success();
    let need = |p: &Path, code: &str| -> f64 {
        let text = fs::read_to_string(p).unwrap();
        let line = text.lines().find(|l| l.starts_with(&format!("{code},"))).unwrap();
        line.split(',').nth(7).unwrap().parse().unwrap()
    };
    assert!((need(&b, "69266") / need(&a, "69266") - 16.5 / 15.4).abs() < 1e-5);
    assert!((need(&b, "97201") / need(&a, "97201") - 22.0 / 20.0).abs() < 1e-4);
    let file = write_file(out.path(), "mine.csv", "insee,need,comment\n69266,1234.5,own survey\n97201,10,\n");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["need", "--need", &file, "--out"])
        .arg(&c)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 units given"));
    assert!((need(&c, "69266") - 1234.5).abs() < 1e-9);
    assert!((need(&c, "97201") - 10.0).abs() < 1e-9);
    assert!(need(&c, "69029").abs() < 1e-9);
}

#[test]
fn reach_with_an_od_matrix_writes_only_its_pairs() {
    let out = tempfile::tempdir().unwrap();
    let od = write_file(out.path(), "od.csv", "origin,destination,minutes\n69266,69381,5.5\n");
    let path = out.path().join("reach.csv");
    cli_command().arg("--data").arg(sample_dir()).args(["reach", "--od", &od, "--out"]).arg(&path).assert().success();
    let text = fs::read_to_string(&path).unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let ok = (f[0] == f[3] && f[4] == "0.00") || (f[0] == "69266" && f[3] == "69381" && f[4] == "5.50");
        assert!(ok, "unexpected pair {line}");
    }
    assert!(text.contains("\n69266,mairie:69381,mairie,69381,5.50\n"));
}

#[test]
fn failed_run_keeps_the_previous_output() {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("need.csv");
    fs::write(&path, "previous\n").unwrap();
    let bad = write_file(out.path(), "bad.csv", "insee,need\n69029,-1\n");
    cli_command().arg("--data").arg(sample_dir()).args(["need", "--need", &bad, "--out"]).arg(&path).assert().failure();
    assert_eq!(fs::read_to_string(&path).unwrap(), "previous\n");
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 2);
}

#[test]
fn a_write_failing_half_way_leaves_every_previous_output_intact() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plan");
    let run = |posts: &str| {
        let mut cmd = cli_command();
        cmd.arg("--data").arg(sample_dir()).args(["plan", "--solver", "greedy", "--posts", posts, "--out"]).arg(&dir);
        cmd
    };
    run("6").assert().success();
    let snapshot = || -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot();
    assert_eq!(before.len(), 8, "the seven files and plan.xlsx");
    // A different scenario whose writing fails on each output in turn (fault injection after
    // the file's content was written, before it is in place).
    for name in ["plan.csv", "units.csv", "communes.geojson", "report.html", "plan.xlsx"] {
        let assert = run("3").env(maillage::report::FAIL_WRITE_ENV, name).assert().failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains(name) && stderr.contains("cannot write"), "{stderr}");
        assert!(snapshot() == before, "a failure writing {name} changed the previous outputs");
    }
    // Without the fault, the new scenario replaces them all.
    run("3").assert().success();
    assert!(snapshot() != before);
}

#[test]
fn plan_writes_its_three_files_and_a_summary_for_scripts() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plan");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "12", "--budget-eur", "600000", "--out"])
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("borne LP"));
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    for key in
        ["posts", "cost_eur", "served", "weighted_served", "objective", "lp_bound", "gap", "coverage_share", "seconds"]
    {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert!(summary["posts"].as_u64().unwrap() <= 12);
    assert!(summary["cost_eur"].as_f64().unwrap() <= 600_000.0);
    let plan = fs::read_to_string(dir.join("plan.csv")).unwrap();
    assert!(plan.starts_with("id,kind,name,insee,dep,posts,cost,served\n"));
    let posts: u64 = plan.lines().skip(1).map(|l| l.rsplit(',').nth(2).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(posts, summary["posts"].as_u64().unwrap());
    assert_eq!(fs::read_to_string(dir.join("units.csv")).unwrap().lines().count(), 31);
}

#[test]
fn infeasible_plan_names_the_constraint_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plan");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "10", "--floor", "69=8", "--floor", "972=5", "--out"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("floors")
                .and(predicate::str::contains("13 posts"))
                .and(predicate::str::contains("3 short")),
        );
    assert!(!dir.exists());
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--floor", "59=8", "--out"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(predicate::str::contains("`limits.floors.59` (--floor) = \"59\": a département of the data"));
}

#[test]
fn plan_outputs_do_not_depend_on_the_thread_count() {
    let out = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["--threads", threads, "plan", "--posts", "12", "--budget-eur", "600000", "--out"])
            .arg(out.path().join(threads))
            .assert()
            .success();
    }
    for file in ["plan.csv", "units.csv", "departements.csv", "plan.xlsx", "report.html"] {
        let a = fs::read(out.path().join("1").join(file)).unwrap();
        let b = fs::read(out.path().join("2").join(file)).unwrap();
        assert_eq!(a, b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn the_binary_alone_in_an_empty_folder_plans_on_the_data_it_carries() {
    let work = tempfile::tempdir().unwrap();
    let lone = work.path().join("maillage");
    fs::copy(assert_cmd::cargo::cargo_bin("maillage"), &lone).unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(&lone)
            .current_dir(work.path())
            .env_remove("CARGO_MANIFEST_DIR")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(&["need", "--out", "n.csv"]);
    let need = fs::read_to_string(work.path().join("n.csv")).unwrap();
    assert_eq!(need.lines().count(), 34_917 + 1, "every national demand unit");
    run(&["plan", "--solver", "greedy", "--out", "p"]);
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(work.path().join("p/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["posts"], 4000);
    assert_eq!(summary["departements_served"], 101);
    // The data it carries is byte for byte the data/ folder it was built from.
    let data = summary["reproduce"]["data"].as_object().unwrap();
    for (name, sha) in data {
        let on_disk = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(name)).unwrap();

        assert_eq!(sha.as_str().unwrap(), format!("{:x}", sha2::Sha256::digest(&on_disk)), "{name}");
    }
}
