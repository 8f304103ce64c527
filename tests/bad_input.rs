//! The bad-input corpus (`tests/bad_input/`): every file there must make `maillage` stop with
//! exit ≠ 0, no panic, exactly one `error:` line naming the file (and, in `expect.tsv`, the
//! line, field, value and what was expected), and no output file.
//!
//! Where a file goes depends on its folder: `need/` (`need --need`), `od/` (`reach --od`),
//! `od-answers/` (a routing engine's answer, listed in a `requests.csv` for `reach --od`),
//! `allocation/` (`evaluate --allocation`), `floors-from/` (`plan --floors-from`), `args/`
//! (extra `plan` arguments, one file per scenario), `scenario/` (`plan --scenario`), `data/NAME/` (replaces NAME in a copy of the
//! sample data, then `plan`), `plan-dir/NAME/` (replaces NAME in a copy of a plan's outputs,
//! then `compare`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{cli_command, need_fails, sample_copy, sample_dir};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input")
}

/// Every corpus file, relative to the corpus folder, sorted.
fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&corpus_dir(), &mut files);
    let mut files: Vec<PathBuf> = files
        .into_iter()
        .map(|p| p.strip_prefix(corpus_dir()).unwrap().to_owned())
        .filter(|p| p.components().count() > 1)
        .collect();
    files.sort();
    files
}

/// `expect.tsv` (tab-separated, no quoting): file → the fragments its error message must hold,
/// separated by ` | `.
fn expectations() -> BTreeMap<String, Vec<String>> {
    let mut r =
        csv::ReaderBuilder::new().delimiter(b'\t').quoting(false).from_path(corpus_dir().join("expect.tsv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_owned(), rec[1].split(" | ").map(str::to_owned).collect())
        })
        .collect()
}

/// The command a corpus file feeds, and the name its error message must give.
fn command_for(rel: &Path, work: &Path, good_plan: &Path) -> (assert_cmd::Command, String, Option<tempfile::TempDir>) {
    let file = corpus_dir().join(rel);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let out = work.join("out");
    let file_name = parts.last().unwrap().clone();
    let mut cmd = cli_command();
    match parts[0].as_str() {
        "need" => {
            cmd.arg("--data").arg(sample_dir()).args(["need", "--need"]).arg(&file).arg("--out").arg(out.join("n.csv"));
        }
        "od" => {
            cmd.arg("--data").arg(sample_dir()).args(["reach", "--od"]).arg(&file).arg("--out").arg(out.join("r.csv"));
        }
        "od-answers" => {
            // The answer of a request from Bron and Villeurbanne to Bron, Villeurbanne and Lyon 1er.
            let list = work.join("requests.csv");
            fs::create_dir_all(work.join("responses")).unwrap();
            fs::copy(&file, work.join("responses").join(&file_name)).unwrap();
            let text = format!(
                "request,response,sources,destinations\n0001,responses/{file_name},69029 69266,69029 69266 69381\n"
            );
            fs::write(&list, text).unwrap();
            cmd.arg("--data").arg(sample_dir()).args(["reach", "--od"]).arg(&list).arg("--out").arg(out.join("r.csv"));
        }
        "allocation" => {
            cmd.arg("--data").arg(sample_dir()).args(["evaluate", "--allocation"]).arg(&file).arg("--out").arg(&out);
        }
        "floors-from" => {
            cmd.arg("--data").arg(sample_dir()).args(["plan", "--posts", "8", "--floors-from"]).arg(&file);
            cmd.arg("--out").arg(&out);
        }
        "scenario" => {
            cmd.arg("--data").arg(sample_dir()).args(["plan", "--solver", "greedy", "--scenario"]).arg(&file);
            cmd.arg("--out").arg(&out);
        }
        "args" => {
            let text = fs::read_to_string(&file).unwrap();
            cmd.arg("--data").arg(sample_dir()).args(["plan", "--solver", "greedy"]).args(text.split_whitespace());
            cmd.arg("--out").arg(&out);
            return (cmd, String::new(), None);
        }
        "data" => {
            let data = sample_copy();
            let target = data.path().join(&parts[1]);
            fs::copy(&file, &target).unwrap();
            cmd.arg("--data").arg(data.path()).args(["plan", "--solver", "greedy", "--posts", "4", "--out"]).arg(&out);
            return (cmd, parts[1].clone(), Some(data));
        }
        "plan-dir" => {
            let copy = work.join("plan-copy");
            fs::create_dir_all(&copy).unwrap();
            for entry in fs::read_dir(good_plan).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
            }
            fs::copy(&file, copy.join(&parts[1])).unwrap();
            cmd.arg("compare").arg(good_plan).arg(&copy).arg("--out").arg(&out);
            return (cmd, parts[1].clone(), None);
        }
        other => panic!("unknown corpus folder {other}"),
    }
    (cmd, file_name, None)
}

#[test]
fn every_bad_input_fails_with_one_clear_message_and_no_output() {
    let files = corpus_files();
    let expect = expectations();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let scratch = tempfile::tempdir().unwrap();
    let good_plan = scratch.path().join("good-plan");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--solver", "greedy", "--posts", "4", "--out"])
        .arg(&good_plan)
        .assert()
        .success();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for rel in files.iter().filter(|p| p.file_name().is_some_and(|n| n != "expect.tsv")) {
        let key = rel.to_string_lossy().into_owned();
        let work = tempfile::tempdir().unwrap();
        let (mut cmd, name, _data) = command_for(rel, work.path(), &good_plan);
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let mut problems = Vec::new();
        if output.status.success() {
            problems.push("exit 0".to_owned());
        }
        if stderr.contains("panicked") {
            problems.push("panic".to_owned());
        }
        let errors = stderr.lines().filter(|l| l.starts_with("error:")).count();
        if errors != 1 {
            problems.push(format!("{errors} error lines"));
        }
        if !name.is_empty() && !stderr.contains(&name) {
            problems.push(format!("does not name {name}"));
        }
        match expect.get(&key) {
            Some(needles) => {
                for n in needles.iter().filter(|n| !stderr.contains(n.as_str())) {
                    problems.push(format!("lacks {n:?}"));
                }
            }
            None => problems.push("no line in expect.tsv".to_owned()),
        }
        let out = work.path().join("out");
        if out.exists() && fs::read_dir(&out).map_or(true, |d| d.count() > 0) {
            problems.push("output written".to_owned());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{key}: {}\n    stderr: {}",
                problems.join(", "),
                stderr.trim().replace('\n', "\n            ")
            ));
        }
        *per_kind.entry(key.split('/').next().unwrap().to_owned()).or_default() += 1;
    }
    println!("cases per input kind: {per_kind:?}");
    assert!(failures.is_empty(), "{} corpus cases failed:\n{}", failures.len(), failures.join("\n"));
    // Every expectation matches a file (no stale lines).
    for key in expect.keys() {
        assert!(files.iter().any(|f| f.to_string_lossy() == key.as_str()), "expect.tsv names a missing file {key}");
    }
}

#[test]
fn a_100_mb_line_ends_in_an_error_not_in_memory() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one_long_line.csv");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    f.write_all(b"insee,need\n69029,").unwrap();
    let chunk = vec![b'9'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\n").unwrap();
    drop(f);
    let (stderr, out) = need_fails(dir.path(), &path);
    assert!(stderr.contains("one_long_line.csv") && stderr.contains("line 2 is longer than 1048576 bytes"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_quote_left_open_over_many_short_lines_ends_in_a_short_error() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open_quote.csv");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    f.write_all(b"insee,need\n69029,\"12\n").unwrap();
    for _ in 0..400_000 {
        f.write_all(b"69266,5\n").unwrap();
    }
    drop(f);
    let (stderr, out) = need_fails(dir.path(), &path);
    let error = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_default();
    assert!(
        error.contains("open_quote.csv") && error.contains("(a quote left open?) is longer than 1048576 bytes"),
        "{stderr}"
    );
    assert!(
        error.starts_with("error: reading the need file") && error.len() < 300,
        "the record is not echoed: {error}"
    );
    assert!(!out.exists());
}
