//! `maillage batch` and `batch merge`: many scenarios on data loaded once, in parallel, cut
//! into shards across machines and merged back, refusing a set that is incomplete or mixed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use maillage::DataFiles;
use maillage::report::{Summary, write_atomic};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::load_dataset;
use super::plan::plan_on;
use super::spec::file_spec;
use crate::cli::{BatchArgs, BatchCommand, Shard};

/// Columns of `batch_summary.csv`.
const BATCH_COLUMNS: [&str; 15] = [
    "scenario",
    "file",
    "status",
    "posts",
    "cost_eur",
    "served",
    "weighted_served",
    "objective",
    "lp_bound",
    "gap",
    "coverage_share",
    "departements_served",
    "min_dep_served_share",
    "gini_dep_served_share",
    "error",
];

/// One row of `batch_summary.csv`: a scenario and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct BatchRow {
    scenario: String,
    file: String,
    /// `ok`, `failed`, or `missing` (a shard left out of a partial merge).
    status: String,
    posts: Option<u32>,
    cost_eur: Option<String>,
    served: Option<String>,
    weighted_served: Option<String>,
    objective: Option<String>,
    lp_bound: Option<String>,
    gap: Option<String>,
    coverage_share: Option<String>,
    departements_served: Option<usize>,
    min_dep_served_share: Option<String>,
    gini_dep_served_share: Option<String>,
    error: String,
}

impl BatchRow {
    fn empty(file: &Path, status: &str, error: String) -> Self {
        Self {
            scenario: stem(file),
            file: file.display().to_string(),
            status: status.to_owned(),
            posts: None,
            cost_eur: None,
            served: None,
            weighted_served: None,
            objective: None,
            lp_bound: None,
            gap: None,
            coverage_share: None,
            departements_served: None,
            min_dep_served_share: None,
            gini_dep_served_share: None,
            error,
        }
    }

    fn ok(file: &Path, s: &Summary) -> Self {
        let f1 = |v: f64| Some(format!("{v:.1}"));
        let f5 = |v: f64| Some(format!("{v:.5}"));
        Self {
            status: "ok".to_owned(),
            posts: Some(s.posts),
            cost_eur: f1(s.cost_eur),
            served: f1(s.served),
            weighted_served: f1(s.weighted_served),
            objective: f1(s.objective),
            lp_bound: s.bound.and_then(f1),
            gap: s.gap.and_then(f5),
            coverage_share: f5(s.coverage_share),
            departements_served: Some(s.departements_served),
            min_dep_served_share: f5(s.min_dep_served_share),
            gini_dep_served_share: f5(s.gini_dep_served_share),
            ..Self::empty(file, "ok", String::new())
        }
    }
}

/// What a batch folder holds: which slice of which batch (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ShardRecord {
    /// This slice, from 1.
    k: usize,
    /// How many slices.
    n: usize,
    /// The scenarios this slice ran.
    scenarios: Vec<String>,
    /// Every scenario of the batch, in order.
    batch: Vec<String>,
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The scenario files of the inputs: files as given, folders' .toml files, sorted by path.
fn scenario_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            for entry in std::fs::read_dir(input).with_context(|| format!("reading {}", input.display()))? {
                let p = entry?.path();
                if p.extension().is_some_and(|e| e == "toml") {
                    files.push(p);
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    // By path text: the order a shard merge restores.
    files.sort_by_key(|p| p.display().to_string());
    files.dedup();
    let mut stems = std::collections::BTreeMap::new();
    for f in &files {
        if let Some(other) = stems.insert(stem(f), f.clone()) {
            anyhow::bail!("{} and {} would both write to {}/: rename one", other.display(), f.display(), stem(f));
        }
    }
    Ok(files)
}

pub fn batch(files: &DataFiles, args: &BatchArgs) -> Result<()> {
    if let Some(BatchCommand::Merge { dirs, out, partial }) = &args.merge {
        return merge(dirs, out, *partial);
    }
    let all = scenario_files(&args.inputs)?;
    let shard = args.shard.unwrap_or(Shard { k: 1, n: 1 });
    let scenarios: Vec<PathBuf> =
        all.iter().enumerate().filter(|(i, _)| i % shard.n == shard.k - 1).map(|(_, p)| p.clone()).collect();
    if args.shard.is_some() {
        eprintln!("shard {}/{}: {} scenarios", shard.k, shard.n, scenarios.len());
    }
    anyhow::ensure!(!scenarios.is_empty() || args.shard.is_some(), "no scenario (.toml) found in the inputs");
    let data = load_dataset(files)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    eprintln!("{} scenarios, {} at a time", scenarios.len(), rayon::current_num_threads());
    let rows: Vec<BatchRow> = scenarios
        .par_iter()
        .map(|path| {
            let out = args.out.join(stem(path));
            let result = file_spec(path).and_then(|(mut spec, origin)| {
                if let Some(own) = spec.outputs.out.replace(out.clone()) {
                    eprintln!(
                        "{}: outputs.out = \"{}\" not used: a batch writes into {}",
                        path.display(),
                        own.display(),
                        out.display()
                    );
                }
                super::outputs::check_pdf(&spec, &origin)?;
                plan_on(files, &data, &spec, &origin, &out, &indicatif::ProgressBar::hidden(), Instant::now())
            });
            match result {
                Ok(w) => BatchRow::ok(path, &w.summary),
                Err(e) => BatchRow::empty(path, "failed", format!("{e:#}").replace('\n', " ")),
            }
        })
        .collect();
    let names = |v: &[PathBuf]| v.iter().map(|p| p.display().to_string()).collect();
    let record = ShardRecord { k: shard.k, n: shard.n, scenarios: names(&scenarios), batch: names(&all) };
    write_atomic(&args.out.join("shard.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &record)?;
        w.write_all(b"\n")
    })?;
    let summary_path = write_batch_summary(&args.out, &rows)?;
    print_batch(&rows, &summary_path, None)
}

fn write_batch_summary(out: &Path, rows: &[BatchRow]) -> Result<PathBuf> {
    use maillage::report::{TableCell::Number, TableCell::Text, TableSheet, tables_workbook};
    let number = |v: &Option<String>, decimals: u8| Number(v.as_deref().and_then(|s| s.parse().ok()), decimals);
    let book = tables_workbook(&[TableSheet {
        name: "Scénarios".into(),
        headers: BATCH_COLUMNS.iter().map(|s| (*s).to_owned()).collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Text(r.scenario.clone()),
                    Text(r.file.clone()),
                    Text(r.status.clone()),
                    Number(r.posts.map(f64::from), 0),
                    number(&r.cost_eur, 0),
                    number(&r.served, 0),
                    number(&r.weighted_served, 0),
                    number(&r.objective, 1),
                    number(&r.lp_bound, 1),
                    number(&r.gap, 5),
                    number(&r.coverage_share, 5),
                    Number(r.departements_served.map(|d| d as f64), 0),
                    number(&r.min_dep_served_share, 5),
                    number(&r.gini_dep_served_share, 5),
                    Text(r.error.clone()),
                ]
            })
            .collect(),
    }])?;
    write_atomic(&out.join("batch_summary.xlsx"), |w| w.write_all(&book))?;
    let summary_path = out.join("batch_summary.csv");
    write_atomic(&summary_path, |w| {
        let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        out.write_record(BATCH_COLUMNS)?;
        for r in rows {
            out.serialize(r).map_err(std::io::Error::other)?;
        }
        out.flush()
    })?;
    Ok(summary_path)
}

/// Joins shard folders into the table one machine would write; refuses shards of different
/// batches, a shard given twice, and (unless `partial`) a missing shard.
fn merge(dirs: &[PathBuf], out: &Path, partial: bool) -> Result<()> {
    let mut shards: Vec<(ShardRecord, Vec<BatchRow>)> = Vec::new();
    for dir in dirs {
        let path = dir.join("shard.json");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let record: ShardRecord = serde_json::from_str(&text)
            .with_context(|| format!("{}: expected the shard.json of a batch", path.display()))?;
        let path = dir.join("batch_summary.csv");
        let mut r = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
        let header: Vec<String> = r.headers()?.iter().map(str::to_owned).collect();
        anyhow::ensure!(header == BATCH_COLUMNS, "{}: expected the header {}", path.display(), BATCH_COLUMNS.join(","));
        let rows = r
            .deserialize()
            .collect::<Result<Vec<BatchRow>, _>>()
            .with_context(|| format!("reading {}", path.display()))?;
        shards.push((record, rows));
    }
    let Some((first, _)) = shards.first() else { anyhow::bail!("no shard folder given") };
    let (n, batch) = (first.n, first.batch.clone());
    for (dir, (s, _)) in dirs.iter().zip(&shards) {
        anyhow::ensure!(
            s.n == n && s.batch == batch,
            "{} is shard {}/{} of another batch (other scenarios or another cut): shards must come from the same inputs",
            dir.display(),
            s.k,
            s.n
        );
    }
    let mut ks: Vec<usize> = shards.iter().map(|(s, _)| s.k).collect();
    ks.sort_unstable();
    if let Some(&[k, _]) = ks.windows(2).find(|w| w[0] == w[1]) {
        anyhow::bail!("shard {k}/{n} is given twice");
    }
    let missing: Vec<usize> = (1..=n).filter(|k| !ks.contains(k)).collect();
    let mut rows: Vec<BatchRow> = shards.into_iter().flat_map(|(_, rows)| rows).collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|k| format!("{k}/{n}")).collect();
        let lost: Vec<&String> =
            batch.iter().enumerate().filter(|(i, _)| missing.contains(&(i % n + 1))).map(|(_, f)| f).collect();
        anyhow::ensure!(
            partial,
            "shard {} missing ({} scenarios): merge every shard, or pass --partial to mark the table partial",
            names.join(", "),
            lost.len()
        );
        for f in lost {
            let why = format!("shard {}/{n} not merged", batch.iter().position(|b| b == f).unwrap_or(0) % n + 1);
            rows.push(BatchRow::empty(Path::new(f), "missing", why));
        }
    }
    rows.sort_by(|a, b| a.file.cmp(&b.file));
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let summary_path = write_batch_summary(out, &rows)?;
    let note = (!missing.is_empty()).then(|| format!("partial: shards {} of {n} missing", missing.len()));
    print_batch(&rows, &summary_path, note.as_deref())
}

fn print_batch(rows: &[BatchRow], summary_path: &Path, note: Option<&str>) -> Result<()> {
    let show = |v: &Option<String>| v.clone().unwrap_or_default();
    println!("{:<28} {:<7} {:>6} {:>12} {:>11} {:>8}", "scénario", "statut", "postes", "servis", "couverture", "écart");
    for r in rows {
        let posts = r.posts.map(|p| p.to_string()).unwrap_or_default();
        let (served, coverage, gap) = (show(&r.served), show(&r.coverage_share), show(&r.gap));
        println!("{:<28} {:<7} {posts:>6} {served:>12} {coverage:>11} {gap:>8}  {}", r.scenario, r.status, r.error);
    }
    if let Some(note) = note {
        println!("{note}");
    }
    println!("wrote {}", summary_path.display());
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    anyhow::ensure!(failed == 0, "{failed} of {} scenarios failed (see {})", rows.len(), summary_path.display());
    Ok(())
}
