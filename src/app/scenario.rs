//! `maillage scenario check`: every check `plan` makes before solving, on every file given.

use std::path::PathBuf;

use anyhow::Result;
use maillage::DataFiles;

use super::instance::build_instance;
use super::load_dataset;
use super::plan::{output_folder, plan_problem};
use super::spec::file_spec;

pub fn check(files: &DataFiles, scenarios: &[PathBuf]) -> Result<()> {
    let data = load_dataset(files)?;
    let mut failed = Vec::new();
    for path in scenarios {
        let outcome = file_spec(path).and_then(|(spec, origin)| {
            super::outputs::check_pdf(&spec, &origin)?;
            maillage::report::check_output_path(
                &output_folder(&spec),
                maillage::report::OutputKind::Folder(maillage::report::PLAN_SET),
            )?;
            let inst = build_instance(files, &data, &spec, &origin, &indicatif::ProgressBar::hidden())?;
            plan_problem(&inst, &spec)?;
            Ok(spec.name.unwrap_or_default())
        });
        match outcome {
            Ok(name) => println!("ok: {} ({name})", path.display()),
            Err(e) => {
                println!("fail: {}: {e:#}", path.display());
                failed.push(path.display().to_string());
            }
        }
    }
    anyhow::ensure!(
        failed.is_empty(),
        "{} of {} scenario files failed: {}",
        failed.len(),
        scenarios.len(),
        failed.join(", ")
    );
    Ok(())
}
