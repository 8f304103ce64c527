//! The binary's commands, one module each: they turn the command line into a
//! [`PlanSpec`](maillage::spec::PlanSpec), load and check every input, call the library and
//! write the outputs.

mod batch;
mod calibrate;
mod compare;
mod evaluate;
mod frontier;
mod instance;
mod need;
mod od_requests;
mod outputs;
mod plan;
mod reach;
mod scenario;
mod sensitivity;
mod serve;
mod spec;

use std::path::PathBuf;

use anyhow::{Context, Result};
use maillage::{DataFiles, Dataset, load};

use crate::cli::{Cli, Command, ScenarioCommand};

/// Runs the command.
pub fn run(cli: Cli) -> Result<()> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build_global()
            .context("setting up worker threads")?;
    }
    let files = cli.data.map_or_else(DataFiles::embedded, |dir| DataFiles { dir });
    match cli.command {
        Command::Need(args) => need::need(&files, &args),
        Command::Reach(args) => reach::reach(&files, &args),
        Command::Plan(args) => plan::plan(&files, &args),
        Command::Evaluate(args) => evaluate::evaluate(&files, &args),
        Command::Compare(args) => compare::compare(&args),
        Command::Frontier(args) => frontier::frontier(&files, &args),
        Command::Scenario(ScenarioCommand::Check { files: scenarios }) => scenario::check(&files, &scenarios),
        Command::Batch(args) => batch::batch(&files, &args),
        Command::Serve(args) => serve::serve(&files, &args),
        Command::Calibrate(args) => calibrate::calibrate(&files, &args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&files, &args),
        Command::OdRequests(args) => od_requests::od_requests(&files, &args),
    }
}

/// Loads and checks the data folder, and says what it holds.
fn load_dataset(files: &DataFiles) -> Result<Dataset> {
    let data = Dataset::load(files).with_context(|| format!("loading the data directory {}", files.dir.display()))?;
    let r = &data.units_report;
    eprintln!(
        "{} demand units ({} cities split into arrondissements; {} COM communes left out: no polygons, no fragility data; {})",
        data.units.len(),
        r.cities_split,
        r.com_left_out,
        if r.islands > 0 {
            format!("{} islands without a bridge, which crow flies does not leave", r.islands)
        } else {
            "no islands.csv: crow flies crosses the sea".to_owned()
        }
    );
    let r = &data.candidates_report;
    eprintln!(
        "{} candidates: {} existing sites ({} records merged within 50 m, {} without coordinates, {} outside the units) and {} town halls",
        data.candidates.len(),
        r.sites_kept,
        r.sites_merged,
        r.sites_without_point,
        r.sites_outside_units,
        r.mairies
    );
    Ok(data)
}

/// With this variable set to `lines`, the spinner's stages are printed to stderr as
/// `maillage-stage: …` lines instead (`maillage serve` reads them from its runs).
pub const PROGRESS_ENV: &str = "MAILLAGE_PROGRESS";

/// The prefix of a stage line.
pub const STAGE_PREFIX: &str = "maillage-stage: ";

fn spinner(message: &'static str) -> indicatif::ProgressBar {
    if std::env::var(PROGRESS_ENV).is_ok_and(|v| v == "lines") {
        let progress = indicatif::ProgressBar::hidden();
        progress.set_message(message);
        let watched = progress.clone();
        std::thread::spawn(move || {
            let mut said = String::new();
            while !watched.is_finished() {
                let now = watched.message();
                if now != said {
                    eprintln!("{STAGE_PREFIX}{now}");
                    said = now;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        return progress;
    }
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    progress.set_message(message);
    progress
}

fn list_written(paths: &[PathBuf]) {
    for p in paths {
        println!("wrote {}", p.display());
    }
}

/// The path of an allocation source (the embedded file for `cnfs-2021`).
fn allocation_path(source: &maillage::spec::AllocationSource) -> PathBuf {
    match source {
        maillage::spec::AllocationSource::Cnfs2021 => DataFiles::embedded().file("cnfs_structures.csv"),
        maillage::spec::AllocationSource::File(p) => p.clone(),
    }
}

/// Reads an allocation and says what it holds.
fn read_allocation(data: &Dataset, source: &maillage::spec::AllocationSource) -> Result<load::Allocation> {
    let path = allocation_path(source);
    let allocation = load::load_allocation(&path, data).context("reading the allocation")?;
    let mut notes = Vec::new();
    if allocation.posts_outside > 0 {
        notes.push(format!("; {} posts in COM communes left out", allocation.posts_outside));
    }
    if allocation.posts_at_city_point > 0 {
        notes.push(format!(
            "; {} posts of Paris, Lyon, Marseille placed in the arrondissement nearest the city's point (no address in the file)",
            allocation.posts_at_city_point
        ));
    }
    eprintln!(
        "allocation {}: {} rows, {} posts, {:.1} M€{}",
        path.display(),
        allocation.rows,
        allocation.total_posts,
        allocation.total_cost_eur / 1e6,
        notes.concat()
    );
    Ok(allocation)
}
