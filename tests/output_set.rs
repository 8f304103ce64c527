//! Outputs written as a set: refused destinations, interrupts, concurrent runs, shards that
//! cannot merge, and plans made on different inputs.

use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{cli_command, sample_dir};

fn maillage() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("maillage"))
}

/// A greedy plan on the sample into `out`, held once staged while `hold` exists.
fn held_plan(out: &Path, posts: u32, hold: &Path) -> Child {
    maillage()
        .env(maillage::report::HOLD_ENV, hold)
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--solver", "greedy", "--posts", &posts.to_string(), "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < Duration::from_mins(1), "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Files whose name starts with a dot in `dir` (staging folders, temporary files).
fn hidden(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

fn summary_posts(out: &Path) -> u64 {
    let s: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    s["posts"].as_u64().unwrap()
}

fn plan_csv_posts(out: &Path) -> u64 {
    let mut r = csv::Reader::from_path(out.join("plan.csv")).unwrap();
    r.records().map(|rec| rec.unwrap()[5].parse::<u64>().unwrap()).sum()
}

#[test]
fn an_interrupt_removes_the_staging_files_and_keeps_the_previous_set() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--solver", "greedy", "--posts", "3", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before: Vec<(PathBuf, Vec<u8>)> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).map(|p| (p.clone(), fs::read(&p).unwrap())).collect();
    for signal in ["INT", "TERM"] {
        let hold = work.path().join(format!("hold-{signal}"));
        let child = held_plan(&out, 6, &hold);
        wait_for(&hold);
        let staging = PathBuf::from(fs::read_to_string(&hold).unwrap());
        assert!(staging.join("plan.csv").exists(), "the set is staged beside --out");
        Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "SIG{signal}: exit 0");
        assert!(stderr.contains("error: interrupted; 1 staging path(s) removed, previous outputs kept"), "{stderr}");
        assert!(!staging.exists() && hidden(work.path()).is_empty(), "SIG{signal} left {:?}", hidden(work.path()));
        for (path, bytes) in &before {
            assert_eq!(&fs::read(path).unwrap(), bytes, "{} changed", path.display());
        }
    }
}

#[test]
fn two_runs_on_the_same_folder_end_with_one_whole_set() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let (hold_a, hold_b) = (work.path().join("a"), work.path().join("b"));
    let a = held_plan(&out, 3, &hold_a);
    let b = held_plan(&out, 7, &hold_b);
    wait_for(&hold_a);
    wait_for(&hold_b);
    // Both staged; A swaps in first, then B over it.
    fs::remove_file(&hold_a).unwrap();
    assert!(a.wait_with_output().unwrap().status.success());
    assert_eq!((summary_posts(&out), plan_csv_posts(&out)), (3, 3));
    fs::remove_file(&hold_b).unwrap();
    assert!(b.wait_with_output().unwrap().status.success());
    assert_eq!((summary_posts(&out), plan_csv_posts(&out)), (7, 7), "one run's summary with the other's plan");
    assert!(hidden(work.path()).is_empty(), "left {:?}", hidden(work.path()));
}

#[test]
fn an_output_that_is_a_device_a_fifo_or_a_symlink_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let target = work.path().join("target.csv");
    fs::write(&target, "keep me\n").unwrap();
    let link = work.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = work.path().join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let folder_link = work.path().join("folder-link");
    std::os::unix::fs::symlink(work.path(), &folder_link).unwrap();
    let cases: Vec<(Vec<&str>, &Path)> = vec![
        (vec!["need", "--out"], Path::new("/dev/null")),
        (vec!["need", "--out"], &link),
        (vec!["reach", "--out"], &fifo),
        (vec!["plan", "--solver", "greedy", "--posts", "3", "--out"], &folder_link),
        (vec!["plan", "--solver", "greedy", "--posts", "3", "--out"], &target),
    ];
    for (args, path) in cases {
        let assert = cli_command().arg("--data").arg(sample_dir()).args(&args).arg(path).assert().failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains(&format!("{}: refused as an output: it is", path.display())), "{args:?}: {stderr}");
    }
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null was replaced");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn a_folder_holding_other_files_is_not_replaced() {
    let work = tempfile::tempdir().unwrap();
    let notes = work.path().join("notes.txt");
    fs::write(&notes, "mine\n").unwrap();
    let assert = cli_command()
        .env("MAILLAGE_LOG", "1")
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--solver", "greedy", "--posts", "3", "--out"])
        .arg(work.path())
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("holds files this run does not write (notes.txt)"), "{stderr}");
    assert!(!stderr.contains("] greedy"), "refused only after solving:\n{stderr}");
    assert_eq!(fs::read_to_string(&notes).unwrap(), "mine\n");
    assert!(hidden(work.path()).is_empty(), "left {:?}", hidden(work.path()));
}

fn scenarios(dir: &Path) {
    fs::create_dir(dir).unwrap();
    for (i, posts) in [3, 4, 5, 6].into_iter().enumerate() {
        fs::write(dir.join(format!("s{i}.toml")), format!("posts = {posts}\nsolver = \"greedy\"\n")).unwrap();
    }
}

#[test]
fn a_merge_refuses_a_missing_or_repeated_shard_unless_partial() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("scenarios");
    scenarios(&dir);
    let shard = |k: u32| {
        let out = work.path().join(format!("shard{k}"));
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .arg("batch")
            .arg(&dir)
            .args(["--shard", &format!("{k}/3"), "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (s1, s3) = (shard(1), shard(3));
    let record: serde_json::Value = serde_json::from_str(&fs::read_to_string(s1.join("shard.json")).unwrap()).unwrap();
    assert_eq!((record["k"].as_u64(), record["n"].as_u64()), (Some(1), Some(3)));
    assert_eq!(record["scenarios"].as_array().unwrap().len(), 2, "s0 and s3");
    let merged = work.path().join("merged");
    let merge = |dirs: &[&PathBuf], extra: &[&str]| {
        cli_command().args(["batch", "merge"]).args(dirs).args(extra).arg("--out").arg(&merged).assert()
    };
    let assert = merge(&[&s1, &s3], &[]).failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("shard 2/3 missing (1 scenarios)"), "{stderr}");
    assert!(!merged.exists(), "a refused merge wrote a table");
    let assert = merge(&[&s1, &s3, &s1], &[]).failure();
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("shard 1/3 is given twice"));
    let assert = merge(&[&s1, &s3], &["--partial"]).success();
    assert!(String::from_utf8_lossy(&assert.get_output().stdout).contains("partial: shards 1 of 3 missing"));
    let table = fs::read_to_string(merged.join("batch_summary.csv")).unwrap();
    assert_eq!(table.lines().count(), 5, "{table}");
    assert!(
        table.lines().any(|l| l.starts_with("s1,") && l.contains(",missing,") && l.ends_with("shard 2/3 not merged")),
        "{table}"
    );
}

#[test]
fn compare_refuses_plans_made_on_different_inputs_unless_allowed() {
    let work = tempfile::tempdir().unwrap();
    let need = work.path().join("need.csv");
    fs::write(&need, "insee,need\n69029,5000\n69266,12000\n").unwrap();
    let plan = |out: &str, extra: &[&std::ffi::OsStr]| {
        let out = work.path().join(out);
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["plan", "--solver", "greedy", "--posts", "3"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        out
    };
    let a = plan("a", &[]);
    let b = plan("b", &["--need".as_ref(), need.as_os_str()]);
    let c = plan("c", &["--posts".as_ref(), "4".as_ref()]);
    let compare = |x: &Path, y: &Path, extra: &[&str]| {
        cli_command().arg("compare").arg(x).arg(y).args(extra).arg("--out").arg(work.path().join("cmp")).assert()
    };
    compare(&a, &c, &[]).success();
    // Its --out is a folder of compare files: a plan's folder is not replaced by one.
    let assert = cli_command().arg("compare").arg(&a).arg(&c).arg("--out").arg(&a).assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("holds files this run does not write (communes.geojson, departements.csv"), "{stderr}");
    assert!(a.join("plan.csv").exists());
    let assert = compare(&a, &b, &[]).failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("were made on different inputs (need.file only in B)"), "{stderr}");
    let assert = compare(&a, &b, &["--allow-different-inputs"]).success();
    assert!(
        String::from_utf8_lossy(&assert.get_output().stderr)
            .contains("warning: the plans were made on different inputs: need.file only in B")
    );
}
