//! Runs each subcommand: load, compute, write, print the summary.

use std::time::Instant;

use anyhow::{Context, Result};
use maillage::report::{need_totals, write_atomic, write_need_table, write_reach_table};
use maillage::spatial::{CrowFlies, Reach, SiteIndex, TravelTime, build_reach};
use maillage::{DataFiles, Dataset, NeedModel, NeedScores, NeedSource, load, score_need};

use crate::cli::{Cli, Command, NeedArgs, NeedOptions, ReachArgs, TravelOptions};

pub fn run(cli: Cli) -> Result<()> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("setting up worker threads")?;
    }
    let files = cli.data.map_or_else(DataFiles::embedded, |dir| DataFiles { dir });
    match cli.command {
        Command::Need(args) => need(&files, &args),
        Command::Reach(args) => reach(&files, &args),
    }
}

fn load_dataset(files: &DataFiles) -> Result<Dataset> {
    let data = Dataset::load(files).with_context(|| format!("loading the data directory {}", files.dir.display()))?;
    let r = &data.units_report;
    eprintln!(
        "{} demand units ({} cities split into arrondissements; {} COM communes left out: no polygons, no fragility data)",
        data.units.len(),
        r.cities_split,
        r.com_left_out
    );
    Ok(data)
}

fn score(data: &Dataset, opts: &NeedOptions) -> Result<NeedScores> {
    let model = NeedModel { rate_metro: opts.rate / 100.0, rate_drom: opts.rate_drom / 100.0, ..NeedModel::default() };
    let file = opts
        .need_file
        .as_deref()
        .map(|p| load::load_need_file(p, data).context("reading the need file"))
        .transpose()?;
    Ok(score_need(&data.units, &model, file.as_ref()))
}

fn need(files: &DataFiles, args: &NeedArgs) -> Result<()> {
    let start = Instant::now();
    let data = load_dataset(files)?;
    let need = score(&data, &args.need)?;
    write_atomic(&args.out, |w| write_need_table(w, &data.units, &need))?;

    let (all, by_zone) = need_totals(&data.units, &need);
    println!("Besoin (personnes en situation d'illectronisme)");
    println!("  {:<8} {:>8} {:>12} {:>12} {:>7}", "zone", "unités", "population", "besoin", "taux");
    for (zone, t) in by_zone.iter().map(|(z, t)| (*z, t)).chain([("total", &all)]) {
        let share = if t.population > 0 { 100.0 * t.need / t.population as f64 } else { 0.0 };
        println!("  {zone:<8} {:>8} {:>12} {:>12.0} {share:>6.2}%", t.units, t.population, t.need);
    }
    if args.need.need_file.is_some() {
        println!(
            "  need file: {} units given, {} units not listed (need 0)",
            need.count(NeedSource::File),
            need.count(NeedSource::NotInFile)
        );
    } else {
        println!(
            "  rates {:.2}% (metro), {:.2}% (DROM); {} units without IFN score counted at fragility 100",
            args.need.rate,
            args.need.rate_drom,
            need.count(NeedSource::ModelNoFragility)
        );
    }
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}

/// Builds the index and the unit → candidate reach with the chosen travel model.
fn reach_of(data: &Dataset, opts: &TravelOptions) -> Result<Reach> {
    let travel: Box<dyn TravelTime> = match &opts.od {
        Some(path) => {
            let m = load::load_od_matrix(path, data).context("reading the travel-time matrix")?;
            eprintln!("travel times: {} origin-destination pairs from {}", m.len(), path.display());
            Box::new(m)
        }
        None => Box::new(CrowFlies { detour: opts.detour, speeds: opts.speeds.0.clone() }),
    };
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    Ok(build_reach(&data.units, &data.candidates, &index, travel.as_ref(), opts.bound))
}

fn print_candidates(data: &Dataset) {
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
}

fn reach(files: &DataFiles, args: &ReachArgs) -> Result<()> {
    let start = Instant::now();
    let data = load_dataset(files)?;
    print_candidates(&data);
    let reach = reach_of(&data, &args.travel)?;
    write_atomic(&args.out, |w| write_reach_table(w, &data, &reach))?;
    let reached = (0..data.units.len()).filter(|&u| !reach.of(maillage::UnitIdx(u as u32)).is_empty()).count();
    println!(
        "{} unit → candidate pairs within {} minutes; {} of {} units reach at least one candidate",
        reach.pair_count(),
        args.travel.bound,
        reached,
        data.units.len()
    );
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}
