//! # maillage
//!
//! Plans where France places its conseillers numériques: which host sites should receive
//! the posts so that the largest number of digitally excluded people can reach an advisor
//! within a travel bound.
//!
//! ```text
//! flags, scenario TOML ─► spec::PlanSpec ─► validate() ─► check_data(&Dataset), check_memory
//! data/ (or the copy compiled in) ─► load::Dataset ─► need::score_need ─► NeedScores
//!        │
//!        └─► spatial::SiteIndex ─► spatial::build_reach(TravelTime) ─► Reach
//!              ─► optimise::build_problem(PlanParams) ─► optimise::solve ─► Plan
//!                    ─► report::{tables, summary, maps, html} ─► OutputSet (staged, swapped in)
//! ```
//!
//! The middle of the pipeline is pure: it takes slices and returns values. Files are read in
//! [`load`] and written in [`report`], as one set swapped in whole.
//!
//! ```no_run
//! use maillage::{DataFiles, Dataset, NeedModel, score_need};
//! let data = Dataset::load(&DataFiles::embedded())?;
//! let need = score_need(&data.units, &NeedModel::default(), None);
//! println!("{} units, {:.0} excluded people", data.units.len(), need.total());
//! # Ok::<(), maillage::LoadError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod calibrate;
mod candidates;
mod error;
pub mod load;
mod model;
mod need;
pub mod optimise;
pub mod report;
pub mod spatial;
pub mod spec;

pub use candidates::{CandidatesReport, MERGE_RADIUS_M, build_candidates};
pub use error::{LoadError, WriteError};
pub use load::{DataFiles, Dataset, UnitsReport};
pub use model::{
    CODE_EXPECTED, Candidate, CandidateIdx, CommuneCode, DemandUnit, InvalidLonLat, LonLat, SiteKind, UnitIdx, Zone,
};
pub use need::{IfnScore, NeedModel, NeedScores, NeedSource, UnitNeed, score_need};
