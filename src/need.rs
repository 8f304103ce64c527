//! Need: how many digitally excluded people each demand unit holds.
//!
//! Default model (DOMAIN.md): people aged 15+ (0.82 × population, no age table is available)
//! × the national illectronisme rate (15.4% in 2021, 20% in the DROM; INSEE Première 1953)
//! × the IFN component `competences_numeriques_scolaires` / 100 (100 where it is missing), or
//! the IFN's `score_global` when asked (`need.ifn_score`).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::model::{DemandUnit, UnitIdx, Zone};

/// Parameters of the default need model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeedModel {
    /// Share of the population aged 15 or more.
    pub adult_share: f64,
    /// Illectronisme rate of people aged 15+ in metropolitan France (fraction, not percent).
    pub rate_metro: f64,
    /// Illectronisme rate in the DROM (fraction).
    pub rate_drom: f64,
    /// Which IFN score modulates the rate.
    pub score: IfnScore,
}

impl Default for NeedModel {
    /// 0.82 aged 15+, 15.4% (INSEE Première 1953, 2021), 20% in the DROM (same source), the
    /// IFN component `competences_numeriques_scolaires`.
    fn default() -> Self {
        Self { adult_share: 0.82, rate_metro: 0.154, rate_drom: 0.20, score: IfnScore::default() }
    }
}

/// The IFN score that modulates the illectronisme rate (`need.ifn_score`, `--ifn-score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
pub enum IfnScore {
    /// The component built from the share of people aged 65+ and education, which follows
    /// INSEE's measured illectronisme rates closely.
    #[default]
    #[serde(rename = "competences_numeriques_scolaires")]
    #[value(name = "competences_numeriques_scolaires")]
    CompetencesNumeriquesScolaires,
    /// The global score, which adds broadband access and administrative skills.
    #[serde(rename = "score_global")]
    #[value(name = "score_global")]
    ScoreGlobal,
}

impl IfnScore {
    /// Its name: the column of `ifn_communes.csv`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CompetencesNumeriquesScolaires => "competences_numeriques_scolaires",
            Self::ScoreGlobal => "score_global",
        }
    }

    /// The other score (the sensitivity run's swap).
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::CompetencesNumeriquesScolaires => Self::ScoreGlobal,
            Self::ScoreGlobal => Self::CompetencesNumeriquesScolaires,
        }
    }

    /// The unit's score of this kind.
    #[must_use]
    pub fn of(self, unit: &DemandUnit) -> Option<f64> {
        match self {
            Self::CompetencesNumeriquesScolaires => unit.fragility,
            Self::ScoreGlobal => unit.fragility_global,
        }
    }
}

/// Where a unit's need comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeedSource {
    /// The model, with the unit's IFN score.
    Model,
    /// The model, with fragility 100 because the unit has no IFN score.
    ModelNoFragility,
    /// The user's need file.
    File,
    /// Not listed in the user's need file: zero.
    NotInFile,
}

impl NeedSource {
    /// Code used in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NeedSource::Model => "ifn",
            NeedSource::ModelNoFragility => "ifn_missing",
            NeedSource::File => "need_file",
            NeedSource::NotInFile => "not_in_need_file",
        }
    }
}

/// Need of one unit, with the terms that make it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitNeed {
    /// People aged 15+.
    pub pop_15_plus: f64,
    /// Rate applied (fraction).
    pub rate: f64,
    /// Fragility score used (100 = regional mean).
    pub fragility: f64,
    /// Excluded people.
    pub need: f64,
    /// Where it comes from.
    pub source: NeedSource,
}

/// Need of every unit, in unit order.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedScores {
    /// One entry per unit.
    pub units: Vec<UnitNeed>,
}

impl NeedScores {
    /// Total need.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.units.iter().map(|u| u.need).sum()
    }

    /// Number of units whose need has `source`.
    #[must_use]
    pub fn count(&self, source: NeedSource) -> usize {
        self.units.iter().filter(|u| u.source == source).count()
    }
}

/// Scores every unit with `model`, or with the user's `file` values when given (units the
/// file does not list then have zero need).
#[must_use]
pub fn score_need(units: &[DemandUnit], model: &NeedModel, file: Option<&HashMap<UnitIdx, f64>>) -> NeedScores {
    let units = units
        .par_iter()
        .enumerate()
        .map(|(i, u)| {
            let pop_15_plus = model.adult_share * u.population as f64;
            let rate = match u.zone {
                Zone::Metro => model.rate_metro,
                Zone::Drom => model.rate_drom,
            };
            let score = model.score.of(u);
            let fragility = score.unwrap_or(100.0);
            let modelled = pop_15_plus * rate * fragility / 100.0;
            let (need, source) = match file {
                Some(f) => f.get(&UnitIdx(i as u32)).map_or((0.0, NeedSource::NotInFile), |&n| (n, NeedSource::File)),
                None if score.is_some() => (modelled, NeedSource::Model),
                None => (modelled, NeedSource::ModelNoFragility),
            };
            UnitNeed { pop_15_plus, rate, fragility, need, source }
        })
        .collect();
    NeedScores { units }
}
