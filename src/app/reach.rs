//! `maillage reach`: every unit → candidate pair within the travel bound, with minutes.

use std::time::Instant;

use anyhow::Result;
use maillage::DataFiles;
use maillage::report::{write_atomic, write_reach_table};

use super::spec::flags_spec;
use super::{instance, load_dataset};
use crate::cli::ReachArgs;

pub fn reach(files: &DataFiles, args: &ReachArgs) -> Result<()> {
    let start = Instant::now();
    let (spec, origin) = flags_spec(|spec, keys| args.travel.apply(spec, keys))?;
    maillage::report::check_output_path(&args.out, maillage::report::OutputKind::File)?;
    let data = load_dataset(files)?;
    let reach = instance::reach_only(&data, &spec, &origin)?;
    write_atomic(&args.out, |w| write_reach_table(w, &data, &reach))?;
    let reached = (0..data.units.len()).filter(|&u| !reach.of(maillage::UnitIdx(u as u32)).is_empty()).count();
    println!(
        "{} unit → candidate pairs within {} minutes; {} of {} units reach at least one candidate",
        reach.pair_count(),
        spec.travel.bound_min,
        reached,
        data.units.len()
    );
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}
