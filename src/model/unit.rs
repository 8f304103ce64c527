//! `DemandUnit`: a commune (or an arrondissement of Paris, Lyon, Marseille) whose people need help.

use super::{CommuneCode, LonLat};

/// Index of a demand unit in [`crate::Dataset::units`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitIdx(pub u32);

impl UnitIdx {
    /// The slot as a `usize`.
    #[must_use]
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Which part of France a unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    /// Metropolitan France, Corsica included.
    Metro,
    /// Départements et régions d'outre-mer: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte.
    Drom,
}

impl Zone {
    /// The code used in `communes.csv` and in every output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Metro => "metro",
            Zone::Drom => "drom",
        }
    }
}

/// One demand unit.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandUnit {
    /// INSEE code (arrondissement code for Paris, Lyon and Marseille).
    pub code: CommuneCode,
    /// Official name.
    pub name: String,
    /// Département code (`01`, `2A`, `971`…).
    pub dep: String,
    /// Region code (COG 2026).
    pub reg: String,
    /// Metropolitan France or overseas.
    pub zone: Zone,
    /// SIREN of the EPCI, empty for the few communes in none.
    pub epci_siren: String,
    /// Population municipale.
    pub population: u64,
    /// Representative point (town hall where it lies in the commune, else centroid).
    pub point: LonLat,
    /// Inhabitants per km².
    pub density_km2: f64,
    /// IFN component `competences_numeriques_scolaires` (100 = regional mean), `None` if unknown.
    pub fragility: Option<f64>,
    /// IFN `score_global` (100 = regional mean), `None` if unknown or not in the data.
    pub fragility_global: Option<f64>,
    /// For an arrondissement, the code of its city (75056, 69123, 13055).
    pub city: Option<CommuneCode>,
    /// The island without a fixed link the unit lies on (`islands.csv`), numbered from 1;
    /// 0 on its territory's main land (or an island joined to it by a bridge).
    pub landmass: u32,
}

impl DemandUnit {
    /// Units in different territories are never linked: the mainland with Corsica is one
    /// territory, each DROM département is its own.
    #[must_use]
    pub fn territory(&self) -> &str {
        match self.zone {
            Zone::Metro => "metro",
            Zone::Drom => &self.dep,
        }
    }
}
