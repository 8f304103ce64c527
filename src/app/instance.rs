//! Everything a plan or an evaluation reads, loaded and checked before any solving: the
//! area's data, the need, the travel model and its reach (refused up front if it would not
//! fit in memory), and the polygons and names the maps need.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use geo::MultiPolygon;
use maillage::spatial::{Reach, SiteIndex, TravelTime, build_reach};
use maillage::spec::{PlanSpec, estimate_memory};
use maillage::{DataFiles, Dataset, NeedScores, load, score_need};

use super::spec::Origin;

/// A plan's instance: the data of the area solved, its need and its reach.
pub struct Instance {
    /// The data of the area solved.
    pub data: Dataset,
    /// Need of each unit.
    pub need: NeedScores,
    /// Unit → candidate pairs within the bound.
    pub reach: Reach,
    /// Polygons of the units, for the maps.
    pub shapes: Vec<Option<MultiPolygon<f64>>>,
    /// Département names, for the report.
    pub dep_names: BTreeMap<String, String>,
    /// Input files that make the instance, by role (`communes.csv`…, `need.file`, `travel.od`).
    pub inputs: Vec<(String, PathBuf)>,
}

/// Loads and checks the instance of `spec` on `full` (the whole data folder).
pub fn build_instance(
    files: &DataFiles,
    full: &Dataset,
    spec: &PlanSpec,
    origin: &Origin,
    progress: &indicatif::ProgressBar,
) -> Result<Instance> {
    spec.check_data(full).map_err(|e| origin.place(e))?;
    let data = area_data(full, spec);
    progress.set_message("polygones des communes");
    let shapes = load::load_unit_shapes(files, &data).context("reading the commune polygons")?;
    let dep_names = load::load_departement_names(files).context("reading the département names")?;
    let file = spec.need.file.as_deref().map(|p| load::load_need_file(p, &data).context("reading the need file"));
    let need = score_need(&data.units, &spec.need_model(), file.transpose()?.as_ref());
    progress.set_message("accessibilité (R-tree)");
    let reach = reach_only(&data, spec, origin)?;
    let mut inputs: Vec<(String, PathBuf)> = load::DATA_FILES[..load::INSTANCE_FILES]
        .iter()
        .map(|n| ((*n).to_owned(), files.file(n)))
        .filter(|(_, p)| load::input_exists(p))
        .collect();
    inputs.extend(spec.need.file.iter().map(|p| ("need.file".to_owned(), p.clone())));
    inputs.extend(spec.travel.od.iter().map(|p| ("travel.od".to_owned(), p.clone())));
    if let Some(od) = &spec.travel.od {
        // The answers a list names are inputs too: a changed answer is a changed instance.
        inputs.extend(load::answer_files(od)?.into_iter().map(|p| ("travel.od.answer".to_owned(), p)));
    }
    Ok(Instance { data, need, reach, shapes, dep_names, inputs })
}

/// The data of the spec's area (`area.within_departements`, `area.regions`): all of `full`,
/// or its units there and their candidates.
pub fn area_data(full: &Dataset, spec: &PlanSpec) -> Dataset {
    if spec.area.is_everywhere() {
        return full.clone();
    }
    let area = &spec.area;
    let kept = full.restrict(|u| area.within_departements.contains(&u.dep) || area.regions.contains(&u.reg));
    eprintln!("restricted to {} units and {} candidates", kept.units.len(), kept.candidates.len());
    kept
}

/// The travel model of the spec: the matrix of `travel.od`, else crow flies.
pub fn travel_model(data: &Dataset, spec: &PlanSpec, origin: &Origin) -> Result<Box<dyn TravelTime>> {
    Ok(match &spec.travel.od {
        Some(path) => {
            let m = load::load_od_matrix(path, data).context("reading the travel-time matrix")?;
            eprintln!("travel times: {} origin-destination pairs from {}", m.len(), path.display());
            Box::new(m)
        }
        None => Box::new(spec.crow_flies().map_err(|e| origin.place(e))?),
    })
}

/// The travel model of the spec, and the reach within its bound (refused first if it would
/// not fit in memory).
pub fn reach_only(data: &Dataset, spec: &PlanSpec, origin: &Origin) -> Result<Reach> {
    reach_scaled(data, spec, origin, 1.0)
}

/// The reach within the spec's bound with every travel time × `time_factor` (speeds −20%:
/// times × 1.25), refused first if it would not fit in memory.
pub fn reach_scaled(data: &Dataset, spec: &PlanSpec, origin: &Origin, time_factor: f64) -> Result<Reach> {
    let model = travel_model(data, spec, origin)?;
    let scaled = maillage::spatial::ScaledTime { inner: model.as_ref(), factor: time_factor };
    let travel: &dyn TravelTime = if (time_factor - 1.0).abs() < 1e-12 { model.as_ref() } else { &scaled };
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    spec.check_memory(&estimate_memory(spec, data, &index, travel)).map_err(|e| origin.place(e))?;
    Ok(build_reach(&data.units, &data.candidates, &index, travel, spec.travel.bound_min))
}
