//! Input boundary: reads and validates the data directory into a [`Dataset`].

mod allocation;
mod data_files;
mod dialect;
mod embedded;
mod need_file;
mod od_answers;
mod od_matrix;
mod outputs;
mod shapes;
mod sites;
mod table;
mod units;

use std::collections::HashMap;
use std::path::PathBuf;

pub use allocation::{Allocation, AllocationFormat, load_allocation};
pub use data_files::{DATA_FILES, INSTANCE_FILES};
pub use embedded::{EMBEDDED_DIR, input_exists, open_input, read_input};
pub use need_file::{MAX_UNIT_NEED, load_need_file};
pub use od_answers::{ANSWERS_COLUMNS, answer_files, load_od_answers};
pub use od_matrix::{MAX_MINUTES, load_od_matrix};
pub use outputs::{DepRow, PlanOutputs, PlanSite, load_plan_outputs};
pub use shapes::{load_departement_names, load_departement_shapes, load_unit_shapes};
pub use sites::{ArrondissementShapes, SiteRecord};
pub(crate) use table::Table;
pub use units::UnitsReport;

use crate::LoadError;
use crate::candidates::{CandidatesReport, build_candidates};
use crate::model::{Candidate, CommuneCode, DemandUnit, UnitIdx};

/// The files of a data directory, by role.
#[derive(Debug, Clone)]
pub struct DataFiles {
    /// Directory holding the files.
    pub dir: PathBuf,
}

impl DataFiles {
    /// The national data compiled into the binary (the files of `data/` when it was built).
    #[must_use]
    pub fn embedded() -> Self {
        Self { dir: embedded::embedded_dir() }
    }

    /// Path of a file of the directory.
    #[must_use]
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Demand units and candidate hosts, validated and indexed by code.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Demand units: metro and DROM communes, Paris/Lyon/Marseille split into arrondissements.
    pub units: Vec<DemandUnit>,
    /// Candidate hosts: deduplicated existing sites, then one town hall per unit.
    pub candidates: Vec<Candidate>,
    /// What loading the units left out or filled in.
    pub units_report: UnitsReport,
    /// What happened to the site records.
    pub candidates_report: CandidatesReport,
    by_code: HashMap<CommuneCode, UnitIdx>,
    cities: HashMap<CommuneCode, Vec<UnitIdx>>,
}

impl Dataset {
    /// Loads `communes.csv`, `ifn_communes.csv`, `ifn_iris.csv.gz`, `plm_arrondissements.csv`,
    /// `plm_arrondissements.geojson` and `inclusion_sites.csv` from `files.dir`.
    ///
    /// # Errors
    /// The first file, line and field that does not hold what is expected.
    pub fn load(files: &DataFiles) -> Result<Self, LoadError> {
        let (mut units, mut units_report) = units::load_units(
            &files.file("communes.csv"),
            &files.file("ifn_communes.csv"),
            &files.file("ifn_iris.csv.gz"),
            &files.file("plm_arrondissements.csv"),
        )?;
        // Optional: a data folder without it lets crow flies cross the sea.
        let islands = files.file("islands.csv");
        if input_exists(&islands) {
            units_report.islands = units::load_islands(&islands, &mut units)?;
        }
        let shapes = sites::load_arrondissement_shapes(&files.file("plm_arrondissements.geojson"))?;
        let records = sites::load_sites(&files.file("inclusion_sites.csv"))?;
        let (candidates, candidates_report) = build_candidates(&units, &records, &shapes);
        Ok(Self::from_parts(units, candidates, units_report, candidates_report))
    }

    /// Assembles a dataset from units and candidates already built (tests, synthetic instances).
    #[must_use]
    pub fn from_parts(
        units: Vec<DemandUnit>,
        candidates: Vec<Candidate>,
        units_report: UnitsReport,
        candidates_report: CandidatesReport,
    ) -> Self {
        let by_code = units.iter().enumerate().map(|(i, u)| (u.code.clone(), UnitIdx(i as u32))).collect();
        let mut cities: HashMap<CommuneCode, Vec<UnitIdx>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if let Some(city) = &u.city {
                cities.entry(city.clone()).or_default().push(UnitIdx(i as u32));
            }
        }
        Self { units, candidates, units_report, candidates_report, by_code, cities }
    }

    /// Keeps the units for which `keep` is true and the candidates that lie in them
    /// (indices are renumbered; order is kept).
    #[must_use]
    pub fn restrict(&self, keep: impl Fn(&DemandUnit) -> bool) -> Self {
        let mut new_index = vec![None; self.units.len()];
        let mut units = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            if keep(u) {
                new_index[i] = Some(UnitIdx(units.len() as u32));
                units.push(u.clone());
            }
        }
        let candidates = self
            .candidates
            .iter()
            .filter_map(|c| new_index[c.unit.get()].map(|unit| Candidate { unit, ..c.clone() }))
            .collect();
        Self::from_parts(units, candidates, self.units_report.clone(), self.candidates_report.clone())
    }

    /// The unit with this INSEE code.
    #[must_use]
    pub fn unit_by_code(&self, code: &CommuneCode) -> Option<UnitIdx> {
        self.by_code.get(code).copied()
    }

    /// The arrondissement units of a split city (75056, 69123, 13055), empty otherwise.
    #[must_use]
    pub fn arrondissements_of(&self, city: &CommuneCode) -> &[UnitIdx] {
        self.cities.get(city).map_or(&[], Vec::as_slice)
    }

    /// The units a code read at `row` stands for: its own, or a split city's arrondissements
    /// (75056, 69123, 13055).
    pub(crate) fn resolve_units(&self, row: &table::Row<'_>, field: &str) -> Result<Vec<UnitIdx>, LoadError> {
        match self.units_of(&row.code(field)?) {
            Some(units) => Ok(units),
            // Not a unit: the lookup's own message (with a hint for a split city).
            None => self.resolve_code(row, field).map(|u| vec![u]),
        }
    }

    /// The units a code stands for: its own, or a split city's arrondissements (75056, 69123,
    /// 13055); `None` for a code that is not a unit of the data.
    pub(crate) fn units_of(&self, code: &CommuneCode) -> Option<Vec<UnitIdx>> {
        let arrs = self.arrondissements_of(code);
        if arrs.is_empty() { self.unit_by_code(code).map(|u| vec![u]) } else { Some(arrs.to_vec()) }
    }

    /// Looks up a code read at `row`, with a hint when a split city is given instead of its arrondissements.
    pub(crate) fn resolve_code(&self, row: &table::Row<'_>, field: &str) -> Result<UnitIdx, LoadError> {
        let code = row.code(field)?;
        self.unit_by_code(&code).ok_or_else(|| {
            if self.arrondissements_of(&code).is_empty() {
                row.error(field, "the code of a metro or DROM demand unit (see `maillage need`)")
            } else {
                row.error(field, "an arrondissement code (75101…, 69381…, 13201…): Paris, Lyon and Marseille are split")
            }
        })
    }
}
