//! Scenario files and batches: every shipped example validates; a batch with broken scenarios
//! finishes the others and reports each; a scenario gives the same bytes at 1 and 2 threads.

use std::fs;
use std::path::Path;

use crate::util::{cli_command, sample_dir};

#[test]
fn every_example_scenario_passes_scenario_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "national default, 20-minute bound, rural priority, one region, real floors");
    let assert = cli_command().args(["scenario", "check"]).args(&files).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok: ")).count(), files.len(), "{stdout}");
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

/// Ten scenarios on the sample, three of them broken (bad key, bad value, infeasible).
fn ten_scenarios(dir: &Path) {
    fs::create_dir(dir).unwrap();
    for (i, posts) in [3, 4, 5, 6, 8].into_iter().enumerate() {
        write(dir, &format!("good_{i}.toml"), &format!("posts = {posts}\nsolver = \"greedy\"\n"));
    }
    write(dir, "good_step.toml", "posts = 5\nsolver = \"greedy\"\n[value]\ndecay = \"step\"\n");
    write(dir, "good_bound.toml", "posts = 5\n[travel]\nbound_min = 15\n");
    write(dir, "broken_key.toml", "posts = 5\npostes = 6\n");
    write(dir, "broken_value.toml", "posts = 5\n[travel]\nbound_min = -4\n");
    write(dir, "broken_infeasible.toml", "posts = 5\n[limits]\nfloors = { \"69\" = 9 }\n");
}

#[test]
fn a_batch_finishes_the_good_scenarios_and_reports_the_broken_ones() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("scenarios");
    ten_scenarios(&dir);
    let out = work.path().join("batch");
    let assert =
        cli_command().arg("--data").arg(sample_dir()).arg("batch").arg(&dir).arg("--out").arg(&out).assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("3 of 10 scenarios failed"), "{stderr}");
    let mut r = csv::Reader::from_path(out.join("batch_summary.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10, "every scenario is listed");
    for row in &rows {
        let (name, status, error) = (&row[0], &row[2], &row[14]);
        if name.starts_with("broken") {
            assert_eq!(status, "failed", "{name}");
            assert!(!error.is_empty());
            assert!(!out.join(name).join("plan.csv").exists(), "{name} wrote a plan");
        } else {
            assert_eq!(status, "ok", "{name}: {error}");
            assert!(out.join(name).join("plan.csv").is_file() && out.join(name).join("summary.json").is_file());
            let posts: u32 = row[3].parse().unwrap();
            assert!(posts > 0);
        }
    }
    let error_of = |n: &str| rows.iter().find(|r| &r[0] == n).unwrap()[14].to_owned();
    assert!(error_of("broken_key").contains("unknown field `postes`"));
    assert!(error_of("broken_value").contains("travel.bound_min"));
    assert!(error_of("broken_infeasible").contains("infeasible"));
}

#[test]
fn a_scenario_gives_the_same_bytes_at_one_and_two_threads() {
    let work = tempfile::tempdir().unwrap();
    let scenario = work.path().join("s.toml");
    write(work.path(), "s.toml", "posts = 7\n[value]\ndecay = \"exponential\"\nhalf_life_min = 15\n");
    let run = |threads: &str, out: &Path| {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["--threads", threads, "plan", "--scenario"])
            .arg(&scenario)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let (a, b) = (work.path().join("a"), work.path().join("b"));
    run("1", &a);
    run("2", &b);
    for f in ["plan.csv", "units.csv", "departements.csv", "sites.geojson", "communes.geojson"] {
        assert!(fs::read(a.join(f)).unwrap() == fs::read(b.join(f)).unwrap(), "{f} differs between 1 and 2 threads");
    }
    // A flag given after the scenario overrides it.
    let c = work.path().join("c");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--scenario"])
        .arg(&scenario)
        .args(["--posts", "3", "--out"])
        .arg(&c)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(c.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["posts"].as_u64().unwrap(), 3);
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn continuity_keeps_the_plan_at_zero_moves_and_never_loses_with_more() {
    let work = tempfile::tempdir().unwrap();
    let plan = |extra: &[&str], out: &Path| {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["plan", "--posts", "8"])
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    // A plan, re-optimised from itself with no move allowed: the same plan.
    let first = work.path().join("first");
    plan(&[], &first);
    let same = work.path().join("same");
    let previous = first.join("plan.csv");
    plan(&["--previous", previous.to_str().unwrap(), "--max-moves", "0"], &same);
    assert_eq!(fs::read(first.join("plan.csv")).unwrap(), fs::read(same.join("plan.csv")).unwrap());
    assert_eq!(summary(&same)["posts_moved"].as_u64().unwrap(), 0);
    assert_eq!(fs::read_to_string(same.join("changes.csv")).unwrap().lines().count(), 1, "no change");

    // A poor current plan (every post in one commune of Martinique): a few moves gain, and
    // never more posts move than allowed.
    let poor = work.path().join("poor.csv");
    fs::write(&poor, "insee,posts\n97201,8\n").unwrap();
    let mut last_objective = f64::NEG_INFINITY;
    for max_moves in [0u64, 2, 50] {
        let out = work.path().join(format!("moves{max_moves}"));
        plan(&["--previous", poor.to_str().unwrap(), "--max-moves", &max_moves.to_string()], &out);
        let s = summary(&out);
        let moved = s["posts_moved"].as_u64().unwrap();
        assert!(moved <= max_moves, "{moved} posts moved with --max-moves {max_moves}");
        let (objective, previous_objective) =
            (s["objective"].as_f64().unwrap(), s["previous_objective"].as_f64().unwrap());
        assert!(objective >= previous_objective - 1e-6, "moves lost value: {objective} < {previous_objective}");
        assert!(objective >= last_objective - 1e-6, "more moves allowed, less value");
        last_objective = objective;
        // changes.csv adds up to the moves: posts leaving sites = posts moved.
        let mut r = csv::Reader::from_path(out.join("changes.csv")).unwrap();
        let left: i64 =
            r.records().map(|rec| rec.unwrap()[6].parse::<i64>().unwrap()).filter(|d| *d < 0).map(|d| -d).sum();
        assert_eq!(left as u64, moved);
        if max_moves == 50 {
            assert!(moved > 0 && objective > previous_objective, "moving posts out of one commune should help");
        }
    }
}

#[test]
fn a_batch_run_as_three_shards_merges_into_the_one_machine_summary() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("scenarios");
    ten_scenarios(&dir);
    let batch = |extra: &[&str], out: &Path| {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .arg("batch")
            .arg(&dir)
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .failure();
    };
    let whole = work.path().join("whole");
    batch(&[], &whole);
    let mut shard_dirs = Vec::new();
    let mut seen = 0;
    for k in 1..=3 {
        let out = work.path().join(format!("shard{k}"));
        batch(&["--shard", &format!("{k}/3")], &out);
        seen += fs::read_to_string(out.join("batch_summary.csv")).unwrap().lines().count() - 1;
        shard_dirs.push(out);
    }
    assert_eq!(seen, 10, "every scenario runs in exactly one shard");
    let merged = work.path().join("merged");
    cli_command().args(["batch", "merge"]).args(&shard_dirs).arg("--out").arg(&merged).assert().failure();
    assert_eq!(
        fs::read_to_string(merged.join("batch_summary.csv")).unwrap(),
        fs::read_to_string(whole.join("batch_summary.csv")).unwrap(),
        "the merged summary equals the one-machine summary"
    );
}

#[test]
fn fixed_posts_from_a_file_stay_where_they_are() {
    let work = tempfile::tempdir().unwrap();
    let fixed = work.path().join("kept.csv");
    fs::write(&fixed, "insee,posts\n97201,2\n69029,1\n").unwrap();
    let out = work.path().join("out");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "8", "--fixed"])
        .arg(&fixed)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut r = csv::Reader::from_path(out.join("plan.csv")).unwrap();
    let posts = |rows: &[csv::StringRecord], id: &str| {
        rows.iter().find(|r| &r[0] == id).map_or(0, |r| r[5].parse::<u32>().unwrap())
    };
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(posts(&rows, "mairie:97201") >= 2 && posts(&rows, "mairie:69029") >= 1, "fixed posts moved");
    assert_eq!(rows.iter().map(|r| r[5].parse::<u32>().unwrap()).sum::<u32>(), 8);
    // More fixed posts than posts: infeasible, named.
    let too_many = work.path().join("too_many.csv");
    fs::write(&too_many, "insee,posts\n97201,9\n").unwrap();
    let assert = cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "8", "--fixed"])
        .arg(&too_many)
        .arg("--out")
        .arg(work.path().join("bad"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("9 posts are already placed (fixed) but only 8 are available"), "{stderr}");
}

#[test]
fn add_places_more_posts_and_moves_none_of_the_previous() {
    let work = tempfile::tempdir().unwrap();
    let (before, after) = (work.path().join("before"), work.path().join("after"));
    let plan = |args: &[&str], out: &Path| {
        cli_command().arg("--data").arg(sample_dir()).arg("plan").args(args).arg("--out").arg(out).assert().success();
    };
    plan(&["--posts", "6"], &before);
    plan(&["--previous", before.join("plan.csv").to_str().unwrap(), "--add", "4"], &after);
    let posts = |dir: &Path| -> std::collections::BTreeMap<String, u32> {
        let mut r = csv::Reader::from_path(dir.join("plan.csv")).unwrap();
        r.records().map(|rec| rec.unwrap()).map(|rec| (rec[0].to_owned(), rec[5].parse().unwrap())).collect()
    };
    let (b, a) = (posts(&before), posts(&after));
    assert_eq!(a.values().sum::<u32>(), b.values().sum::<u32>() + 4, "4 new posts");
    for (id, &n) in &b {
        assert!(a.get(id).copied().unwrap_or(0) >= n, "{id} lost a post");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(after.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["posts_moved"], 0);
    let obj = |dir: &Path| -> f64 {
        let s: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        s["objective"].as_f64().unwrap()
    };
    assert!(obj(&after) > obj(&before), "more posts serve more");
}
