//! `maillage need`: the need table of every demand unit, and its summary by zone.

use std::time::Instant;

use anyhow::{Context, Result};
use maillage::report::{need_totals, write_atomic, write_need_table};
use maillage::{DataFiles, NeedSource, load, score_need};

use super::load_dataset;
use super::spec::flags_spec;
use crate::cli::NeedArgs;

pub fn need(files: &DataFiles, args: &NeedArgs) -> Result<()> {
    let start = Instant::now();
    let (spec, _) = flags_spec(|spec, keys| args.need.apply(spec, keys))?;
    maillage::report::check_output_path(&args.out, maillage::report::OutputKind::File)?;
    let data = load_dataset(files)?;
    let file = spec.need.file.as_deref().map(|p| load::load_need_file(p, &data).context("reading the need file"));
    let need = score_need(&data.units, &spec.need_model(), file.transpose()?.as_ref());
    write_atomic(&args.out, |w| write_need_table(w, &data.units, &need))?;

    let (all, by_zone) = need_totals(&data.units, &need);
    println!("Besoin (personnes en situation d'illectronisme)");
    println!("  {:<8} {:>8} {:>12} {:>12} {:>7}", "zone", "unités", "population", "besoin", "taux");
    for (zone, t) in by_zone.iter().map(|(z, t)| (*z, t)).chain([("total", &all)]) {
        let share = if t.population > 0 { 100.0 * t.need / t.population as f64 } else { 0.0 };
        println!("  {zone:<8} {:>8} {:>12} {:>12.0} {share:>6.2}%", t.units, t.population, t.need);
    }
    if spec.need.file.is_some() {
        println!(
            "  need file: {} units given, {} units not listed (need 0)",
            need.count(NeedSource::File),
            need.count(NeedSource::NotInFile)
        );
    } else {
        println!(
            "  rates {:.2}% (metro), {:.2}% (DROM); {} units without IFN score counted at fragility 100",
            spec.need.rate_pct,
            spec.need.rate_drom_pct,
            need.count(NeedSource::ModelNoFragility)
        );
    }
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}
