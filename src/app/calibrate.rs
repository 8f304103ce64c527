//! `maillage calibrate`: the travel model against published access figures, and the fit of
//! its speeds.

use std::io::Write;

use anyhow::{Result, bail};
use maillage::DataFiles;
use maillage::calibrate::{Calibration, PUBLISHED};
use maillage::report::{fr_percent, write_atomic};
use maillage::spatial::format_speed_bands;
use maillage::spec::SpecError;

use super::instance::travel_model;
use super::load_dataset;
use super::spec::flags_spec;
use crate::cli::CalibrateArgs;

pub fn calibrate(files: &DataFiles, args: &CalibrateArgs) -> Result<()> {
    let (spec, origin) = flags_spec(|spec, keys| args.travel.apply(spec, keys))?;
    if origin.cli_keys.contains(&"travel.bound_min") {
        let e = SpecError::new(
            "travel.bound_min",
            spec.travel.bound_min.to_string(),
            "calibrate checks each figure at its own minutes (20, 30): drop --bound",
        );
        return Err(origin.place(e));
    }
    if args.fit && spec.travel.od.is_some() {
        bail!("--fit: fits the speeds of the crow-flies model, which --od replaces; drop one of them");
    }
    if let Some(out) = &args.out {
        maillage::report::check_output_path(out, maillage::report::OutputKind::File)?;
    }
    let data = load_dataset(files)?;
    let travel = travel_model(&data, &spec, &origin)?;
    let calibration = Calibration::new(files, &data, &PUBLISHED)?;
    let before = calibration.shares(&PUBLISHED, travel.as_ref());
    let fit = if args.fit { Some(calibration.fit(&PUBLISHED, &spec.crow_flies()?)) } else { None };
    let after = fit.as_ref().map(|f| calibration.shares(&PUBLISHED, &f.model));
    println!("Part de la population à moins de N minutes d'une France Services (lieux fixes, antennes, multi-sites)");
    println!(
        "  {:<11} {:>4} {:>9} {:>9} {:>8}{}",
        "chiffre",
        "min",
        "publié",
        "modèle",
        "écart",
        if fit.is_some() { "   ajusté    écart" } else { "" }
    );
    for (k, f) in PUBLISHED.iter().enumerate() {
        let after = after
            .as_ref()
            .map_or_else(String::new, |a| format!(" {:>9} {:>+7.1} pt", fr_percent(a[k], 1), 100.0 * (a[k] - f.share)));
        println!(
            "  {:<11} {:>4} {:>9} {:>9} {:>+5.1} pt{after}{}",
            f.id,
            f.minutes,
            fr_percent(f.share, 0),
            fr_percent(before[k], 1),
            100.0 * (before[k] - f.share),
            if f.fitted { "" } else { "  (non ajusté)" }
        );
    }
    if let Some(fit) = &fit {
        println!(
            "Ajustement : vitesses × {:.2}, arrondies : --speeds {} (détour {}), écart quadratique moyen {:.2} pt",
            fit.factor,
            format_speed_bands(&fit.model.speeds),
            fit.model.detour,
            100.0 * fit.rmse
        );
    }
    if let Some(out) = &args.out {
        write_atomic(out, |w: &mut dyn Write| {
            let mut csv = csv::Writer::from_writer(w);
            let mut head = vec!["figure", "layer", "minutes", "published_share", "fitted", "model_share"];
            if after.is_some() {
                head.push("model_share_after_fit");
            }
            csv.write_record(&head)?;
            for (k, f) in PUBLISHED.iter().enumerate() {
                let mut row = vec![
                    f.id.to_owned(),
                    f.layer.as_str().to_owned(),
                    f.minutes.to_string(),
                    format!("{:.4}", f.share),
                    f.fitted.to_string(),
                    format!("{:.6}", before[k]),
                ];
                if let Some(a) = &after {
                    row.push(format!("{:.6}", a[k]));
                }
                csv.write_record(&row)?;
            }
            csv.flush()
        })?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
