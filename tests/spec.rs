//! One plan specification: a value is refused with the same message from a flag and from its
//! scenario key; every input is checked before solving; the command written in
//! `reproduce.command` plans the same again; `scenario check` reports every file.

use std::fs;
use std::path::Path;

use crate::util::{cli_command, sample_copy, sample_dir};

/// The message after its location (`file:line: ` or `scenario …: `): from the first backtick.
fn message(stderr: &str) -> String {
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_default();
    line.find('`').map_or_else(|| line.to_owned(), |i| line[i..].to_owned())
}

/// Every option with an out-of-range value: TOML text and the flags that say the same.
const OUT_OF_RANGE: &[(&str, &str)] = &[
    ("posts = 0", "--posts 0"),
    ("posts = 2000000", "--posts 2000000"),
    ("budget_eur = -1.0", "--budget-eur -1"),
    ("budget_eur = nan", "--budget-eur NaN"),
    ("cost_per_post_eur = 0.0", "--cost-per-post-eur 0"),
    ("capacity_per_post = 0.5", "--capacity-per-post 0.5"),
    ("max_posts_per_site = 0", "--max-posts-per-site 0"),
    ("max_posts_per_site = 4294967295", "--max-posts-per-site 4294967295"),
    ("time_limit_s = inf", "--time-limit-s inf"),
    ("time_limit_s = 0.0", "--time-limit-s 0"),
    ("name = \"\"", "--name="),
    ("[travel]\nbound_min = 2000.0", "--bound 2000"),
    ("[travel]\ndetour = 0.5", "--detour 0.5"),
    ("[travel]\nspeeds = \"1:0\"", "--speeds 1:0"),
    ("[travel]\nod = \"no_such_od.csv\"", "--od no_such_od.csv"),
    ("[value]\ndecay_at_bound = 1.5", "--decay-at-bound 1.5"),
    ("[value]\ndecay = \"exponential\"\nhalf_life_min = -1.0", "--decay exponential --half-life-min -1"),
    ("[need]\nrate_pct = 101.0", "--rate 101"),
    ("[need]\nrate_drom_pct = -1.0", "--rate-drom -1"),
    ("[need]\nfile = \"no_such_need.csv\"", "--need no_such_need.csv"),
    ("[limits]\nfloors = { \"69\" = 5000 }", "--floor 69=5000"),
    ("[limits]\ncaps = { \"69\" = 2000000 }", "--cap 69=2000000"),
    ("[limits]\nfloors_from = \"no_such.csv\"", "--floors-from no_such.csv"),
    ("[limits]\nfixed_from = \"no_such.csv\"", "--fixed no_such.csv"),
    ("[area]\nwithin_departements = [\"9999\"]", "--within-departement 9999"),
    ("[area]\nregions = [\"99\"]", "--region 99"),
    ("[outputs]\ndepartements = [\"2C\"]", "--departement 2C"),
    ("[continuity]\nprevious = \"no_such_plan.csv\"", "--previous no_such_plan.csv"),
    ("[continuity]\nmax_moves = 3", "--max-moves 3"),
];

#[test]
fn every_option_out_of_range_fails_with_the_same_message_from_its_flag_and_its_key() {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (toml, flags)) in OUT_OF_RANGE.iter().enumerate() {
        let scenario = format!("s{i}.toml");
        fs::write(work.path().join(&scenario), format!("{toml}\n")).unwrap();
        let run = |args: Vec<String>| {
            let output = cli_command()
                .current_dir(work.path())
                .arg("--data")
                .arg(sample_dir())
                .arg("plan")
                .args(args)
                .args(["--out", "out"])
                .output()
                .unwrap();
            assert!(!output.status.success(), "{toml:?} / {flags}: exit 0");
            String::from_utf8_lossy(&output.stderr).into_owned()
        };
        let from_file = run(vec!["--scenario".into(), scenario.clone()]);
        let from_flag = run(flags.split(' ').map(str::to_owned).collect());
        let (a, b) = (message(&from_file), message(&from_flag));
        if a != b || !a.starts_with('`') || !from_file.contains(&format!("{scenario}:")) {
            failures.push(format!("{toml:?} / {flags}:\n  file: {from_file}\n  flag: {from_flag}"));
        }
        assert!(!work.path().join("out").exists(), "{flags}: output written");
    }
    assert!(failures.is_empty(), "{} options differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn flags_override_the_scenario_field_by_field() {
    let work = tempfile::tempdir().unwrap();
    let s = work.path().join("s.toml");
    fs::write(&s, "posts = 6\nsolver = \"greedy\"\n[travel]\nbound_min = 0\n").unwrap();
    // The file's bad bound is overridden by the flag: no error.
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--scenario"])
        .arg(&s)
        .args(["--bound", "20", "--out"])
        .arg(work.path().join("out"))
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(work.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["posts"], 6, "posts from the file");
    let command: Vec<String> = serde_json::from_value(summary["reproduce"]["command"].clone()).unwrap();
    let at = command.iter().position(|a| a == "--bound").unwrap();
    assert_eq!(command[at + 1], "20", "bound from the flag");
}

#[test]
fn the_command_written_in_reproduce_plans_the_same_again() {
    let work = tempfile::tempdir().unwrap();
    let s = work.path().join("s.toml");
    fs::write(&s, "posts = 7\nbudget_eur = 300000\n[value]\ndecay = \"exponential\"\nhalf_life_min = 12\n[limits]\ncaps = { \"69\" = 5 }\n").unwrap();
    let first = work.path().join("first");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--scenario"])
        .arg(&s)
        .arg("--out")
        .arg(&first)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(first.join("summary.json")).unwrap()).unwrap();
    let mut command: Vec<String> = serde_json::from_value(summary["reproduce"]["command"].clone()).unwrap();
    assert_eq!(command[..3], ["maillage".to_owned(), "--data".to_owned(), sample_dir().display().to_string()]);
    let again = work.path().join("again");
    let at = command.iter().position(|a| a == "--out").unwrap();
    command[at + 1] = again.display().to_string();
    cli_command().args(&command[1..]).assert().success();
    for name in ["plan.csv", "units.csv", "departements.csv", "sites.geojson", "communes.geojson"] {
        assert_eq!(fs::read(first.join(name)).unwrap(), fs::read(again.join(name)).unwrap(), "{name} differs");
    }
}

#[test]
fn scenario_check_reports_every_file_given() {
    let work = tempfile::tempdir().unwrap();
    let files = [
        ("a_good.toml", "posts = 5\n"),
        ("b_bad_value.toml", "posts = 5\n[value]\ndecay_at_bound = 3\n"),
        ("c_infeasible.toml", "posts = 5\n[limits]\nfloors = { \"69\" = 4, \"972\" = 4 }\n"),
        ("d_good.toml", "posts = 3\n"),
    ];
    for (name, text) in files {
        fs::write(work.path().join(name), text).unwrap();
    }
    let assert = cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["scenario", "check"])
        .args(files.iter().map(|(n, _)| work.path().join(n)))
        .assert()
        .failure();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok: ")).count(), 2, "{stdout}");
    assert!(stdout.contains("b_bad_value.toml:3: `value.decay_at_bound`"), "{stdout}");
    assert!(stdout.contains("c_infeasible.toml") && stdout.contains("8 posts but only 5"), "{stdout}");
    assert!(stderr.contains("2 of 4 scenario files failed"), "{stderr}");
}

#[test]
fn a_missing_map_file_is_found_before_solving() {
    let data = sample_copy();
    fs::remove_file(data.path().join("communes.geojson.gz")).unwrap();
    let out = data.path().join("out");
    let assert = cli_command()
        .env("MAILLAGE_LOG", "1")
        .arg("--data")
        .arg(data.path())
        .args(["plan", "--posts", "4", "--out"])
        .arg(&out)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("communes.geojson.gz"), "{stderr}");
    assert!(!stderr.contains("] greedy"), "the solver ran before the missing file was found:\n{stderr}");
    assert!(!out.exists());
}

#[test]
fn an_od_row_from_a_commune_to_itself_beyond_the_bound_is_out() {
    let work = tempfile::tempdir().unwrap();
    let od = work.path().join("od.csv");
    fs::write(&od, "origin,destination,minutes\n69029,69029,10080\n69029,69266,12\n69266,69266,3\n").unwrap();
    let out = work.path().join("reach.csv");
    cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["reach", "--od"])
        .arg(&od)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = fs::read_to_string(&out).unwrap();
    let from =
        |o: &str, d: &str| text.lines().any(|l| l.starts_with(&format!("{o},")) && l.split(',').nth(3) == Some(d));
    assert!(!from("69029", "69029"), "a 10,080-minute self-pair counts as reachable:\n{text}");
    assert!(from("69029", "69266") && from("69266", "69266"), "pairs within the bound are kept:\n{text}");
    // Without a row, a unit still reaches its own candidates (0 minutes).
    assert!(from("97201", "97201"), "{text}");
}

#[test]
fn floors_from_and_a_floor_keep_the_larger_and_say_so() {
    let work = tempfile::tempdir().unwrap();
    let alloc = work.path().join("alloc.csv");
    fs::write(&alloc, "insee,posts\n69029,2\n97201,1\n").unwrap();
    let assert = cli_command()
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--solver", "greedy", "--posts", "8", "--floor", "69=5", "--floors-from"])
        .arg(&alloc)
        .arg("--out")
        .arg(work.path().join("out"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("floor 69: limits.floors 5 and floors_from 2: keeping 5"), "{stderr}");
    let deps = fs::read_to_string(work.path().join("out/departements.csv")).unwrap();
    let posts = |dep: &str| {
        deps.lines()
            .find(|l| l.starts_with(&format!("{dep},")))
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert!(posts("69") >= 5 && posts("972") >= 1, "{deps}");
}

#[test]
fn a_national_bound_that_would_exhaust_memory_is_refused_up_front() {
    let out = tempfile::tempdir().unwrap();
    let assert = cli_command().args(["plan", "--bound", "1440", "--out"]).arg(out.path().join("p")).assert().failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("`travel.bound_min` (--bound) = 1440: at least"), "{stderr}");
    assert!(stderr.contains("M unit–site pairs") && stderr.contains("where a run may take 16 GB"), "{stderr}");
    assert!(!out.path().join("p").exists());
}

#[test]
fn the_example_scenarios_are_specs_that_survive_toml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let spec = maillage::spec::load_spec(&path).unwrap();
        assert_eq!(spec.validate(), Ok(()), "{}", path.display());
        let back = maillage::spec::spec_from_toml(&maillage::spec::spec_to_toml(&spec)).unwrap();
        assert_eq!(back, spec, "{}", path.display());
    }
}
