//! Pure domain types: codes, positions, demand units and candidates. No I/O.

mod candidate;
mod code;
mod lonlat;
mod unit;

pub use candidate::{Candidate, CandidateIdx, SiteKind};
pub use code::{CODE_EXPECTED, CommuneCode};
pub use lonlat::{InvalidLonLat, LonLat};
pub use unit::{DemandUnit, UnitIdx, Zone};
