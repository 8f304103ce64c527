//! `Candidate`: a place that can host conseillers (an existing site or a town hall).

use super::{LonLat, UnitIdx};

/// Index of a candidate in [`crate::Dataset::candidates`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CandidateIdx(pub u32);

impl CandidateIdx {
    /// The slot as a `usize`.
    #[must_use]
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// The kind of host structure. Its names (`france_services`…) are the same in `plan.csv`,
/// on the command line (`--kind`) and in scenario files (`candidates.kinds`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum SiteKind {
    /// A France Services site (fixed, antenna, multi-site or bus home base).
    FranceServices,
    /// A permanence where conseillers numériques already work.
    ConseillerNumerique,
    /// Any other lieu de médiation or d'inclusion numérique.
    LieuMediation,
    /// The town hall of a demand unit.
    Mairie,
}

impl SiteKind {
    /// All kinds, in priority order (the first kept when sites are merged).
    pub const ALL: [SiteKind; 4] =
        [SiteKind::FranceServices, SiteKind::ConseillerNumerique, SiteKind::LieuMediation, SiteKind::Mairie];

    /// Code used in outputs and scenario files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::FranceServices => "france_services",
            SiteKind::ConseillerNumerique => "conseiller_numerique",
            SiteKind::LieuMediation => "lieu_mediation",
            SiteKind::Mairie => "mairie",
        }
    }

    /// Its name for a French reader (`France Services`, `Mairie`…).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SiteKind::FranceServices => "France Services",
            SiteKind::ConseillerNumerique => "Permanence de conseiller numérique",
            SiteKind::LieuMediation => "Lieu de médiation numérique",
            SiteKind::Mairie => "Mairie",
        }
    }

    /// Maps the `kind` column of `inclusion_sites.csv` to a kind.
    #[must_use]
    pub fn from_source_kind(kind: &str) -> Option<Self> {
        let (head, tail) = kind.split_once(':').unwrap_or((kind, ""));
        match (head, tail) {
            ("france_services", _) | ("lieu_inclusion", "france-services") => Some(Self::FranceServices),
            ("conseiller_numerique", _) | ("lieu_inclusion", "conseiller-numerique") => Some(Self::ConseillerNumerique),
            ("lieu_mediation_numerique" | "lieu_inclusion", _) => Some(Self::LieuMediation),
            _ => None,
        }
    }
}

/// A candidate host.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Stable identifier: `mairie:<insee>` or `site:<source>:<source_id>` of its first source.
    pub id: String,
    /// Host kind.
    pub kind: SiteKind,
    /// Name of the place.
    pub name: String,
    /// Demand unit the candidate lies in.
    pub unit: UnitIdx,
    /// Location.
    pub point: LonLat,
    /// `source:source_id` of every record merged into this candidate.
    pub source_ids: Vec<String>,
}
