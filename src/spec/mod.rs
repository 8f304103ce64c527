//! `PlanSpec`: every option of a plan as one typed field, with its default. The command line,
//! scenario files (TOML), batches and the web form all build one and call the same
//! [`PlanSpec::validate`], so a value gets the same answer wherever it came from.
//!
//! ```text
//! flags ─┐
//! TOML ──┼─► PlanSpec ─► validate() ─► check_data(&Dataset) ─► PlanParams ─► optimiser
//! form ──┘
//! ```

mod args;
mod check;
mod file;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::optimise::{Method, Objective};
pub use crate::{IfnScore, SiteKind};
pub use args::{ArgPair, FLAGS, to_args};
pub use check::{MAX_POSTS, MAX_POSTS_PER_SITE, MemoryEstimate, RANGES, Range, SpecError, estimate_memory, range_of};
pub use file::{load_spec, locate, spec_from_toml, spec_to_toml};

/// Every option of a plan. `Default` is the national default plan (4,000 posts, 200 M€).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSpec {
    /// Short name (a scenario file's default: its file name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the plan is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Posts to place, fixed ones included.
    pub posts: u32,
    /// Budget, euros (fixed posts included).
    pub budget_eur: f64,
    /// Cost of one post, euros (a minimum wage for two years).
    pub cost_per_post_eur: f64,
    /// People one post serves over the horizon (600 a year for 2 years, ANCT 2022).
    pub capacity_per_post: f64,
    /// Most posts one site may host.
    pub max_posts_per_site: u32,
    /// What to optimise.
    pub objective: Objective,
    /// Share of the need that `objective = "min-posts"` puts within the bound, in (0, 1].
    pub target_coverage: f64,
    /// How to solve.
    pub solver: Method,
    /// Time budget of the LP and MIP solves, seconds.
    pub time_limit_s: f64,
    /// Travel model.
    pub travel: TravelSpec,
    /// Value of a person served: distance decay, diminishing returns.
    pub value: ValueSpec,
    /// Need model.
    pub need: NeedSpec,
    /// Per-département floors and caps, fixed posts.
    pub limits: LimitsSpec,
    /// Which candidates may host posts.
    pub candidates: CandidatesSpec,
    /// Area solved.
    pub area: AreaSpec,
    /// Outputs.
    pub outputs: OutputsSpec,
    /// Starting from the current plan.
    pub continuity: ContinuitySpec,
}

impl Default for PlanSpec {
    /// The France Relance programme: 4,000 posts, 200 M€, 50 k€ and 1,200 people a post, at
    /// most 10 posts a site, 30 minutes, linear decay to 0.5, diminishing returns.
    fn default() -> Self {
        Self {
            name: None,
            description: None,
            posts: 4_000,
            budget_eur: 200e6,
            cost_per_post_eur: 50_000.0,
            capacity_per_post: 1_200.0,
            max_posts_per_site: 10,
            objective: Objective::Attendance,
            target_coverage: 1.0,
            solver: Method::Lp,
            time_limit_s: 60.0,
            travel: TravelSpec::default(),
            value: ValueSpec::default(),
            need: NeedSpec::default(),
            limits: LimitsSpec::default(),
            candidates: CandidatesSpec::default(),
            area: AreaSpec::default(),
            outputs: OutputsSpec::default(),
            continuity: ContinuitySpec::default(),
        }
    }
}

/// `[travel]`: how long a trip takes, and the bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TravelSpec {
    /// Travel bound, minutes: a site farther than this does not serve a unit.
    pub bound_min: f64,
    /// Imported travel-time matrix (CSV `origin,destination,minutes`); replaces crow flies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub od: Option<PathBuf>,
    /// Crow-flies model: road distance / great-circle distance.
    pub detour: f64,
    /// Crow-flies model: speeds by density, `MAX_DENSITY:KMH,…` by increasing density.
    pub speeds: String,
}

impl Default for TravelSpec {
    /// 30 minutes (the France Services standard), detour 1.3, 52/39/26/17 km/h by density
    /// (fitted to the published France Services access figures: `maillage calibrate`).
    fn default() -> Self {
        Self { bound_min: 30.0, od: None, detour: 1.3, speeds: "100:52,1000:39,5000:26,inf:17".to_owned() }
    }
}

/// Distance-decay kinds (`--decay`, `value.decay`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DecayKind {
    /// Weight 1 within the bound.
    Step,
    /// Linear fall to `decay_at_bound` at the bound.
    #[default]
    Linear,
    /// Halves every `half_life_min` minutes.
    Exponential,
}

/// `[value]`: what a person served is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValueSpec {
    /// Distance decay.
    pub decay: DecayKind,
    /// Weight of a trip at the bound with linear decay, in [0, 1].
    pub decay_at_bound: f64,
    /// Half-life with exponential decay, minutes.
    pub half_life_min: f64,
    /// Diminishing returns: each quarter of a unit's need is worth less than the one before.
    pub diminishing_returns: bool,
}

impl Default for ValueSpec {
    /// Linear decay to 0.5 at the bound, diminishing returns on.
    fn default() -> Self {
        Self { decay: DecayKind::Linear, decay_at_bound: 0.5, half_life_min: 20.0, diminishing_returns: true }
    }
}

/// `[need]`: how many people need an advisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeedSpec {
    /// Illectronisme rate of people aged 15+ in metropolitan France, percent.
    pub rate_pct: f64,
    /// Illectronisme rate of people aged 15+ in the DROM, percent.
    pub rate_drom_pct: f64,
    /// The IFN score that modulates the rate: `competences_numeriques_scolaires` (follows
    /// INSEE's measured rates) or `score_global`.
    pub ifn_score: IfnScore,
    /// Own need estimates, CSV `insee,need`; replaces the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

impl Default for NeedSpec {
    /// 15.4% in metropolitan France, 20% in the DROM (INSEE Première n°1953), modulated by the
    /// IFN component `competences_numeriques_scolaires`.
    fn default() -> Self {
        Self { rate_pct: 15.4, rate_drom_pct: 20.0, ifn_score: IfnScore::default(), file: None }
    }
}

/// An allocation read from a file, or the embedded real 2021–22 CnFS allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum AllocationSource {
    /// The embedded `cnfs_structures.csv` (`cnfs-2021` on the command line).
    Cnfs2021,
    /// A CSV file: `insee,posts[,cost]`, a maillage `plan.csv`, or a structure list.
    File(PathBuf),
}

impl AllocationSource {
    /// The name of the embedded allocation.
    pub const CNFS_2021: &'static str = "cnfs-2021";
}

impl From<String> for AllocationSource {
    fn from(s: String) -> Self {
        if s == Self::CNFS_2021 { Self::Cnfs2021 } else { Self::File(PathBuf::from(s)) }
    }
}

impl From<AllocationSource> for String {
    fn from(a: AllocationSource) -> Self {
        a.to_string()
    }
}

impl std::fmt::Display for AllocationSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cnfs2021 => f.write_str(Self::CNFS_2021),
            Self::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl std::str::FromStr for AllocationSource {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s.to_owned()))
    }
}

/// `[limits]`: per-département floors and caps, posts already placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSpec {
    /// Minimum posts by département code.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub floors: BTreeMap<String, u32>,
    /// Maximum posts by département code.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub caps: BTreeMap<String, u32>,
    /// Floors from an allocation: each département at least the posts it has there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floors_from: Option<AllocationSource>,
    /// Posts already placed, kept where they are (within `posts` and the budget).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_from: Option<AllocationSource>,
}

/// `[candidates]`: which hosts may receive posts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CandidatesSpec {
    /// Kinds of host that may receive posts (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<SiteKind>,
}

/// `[area]`: solve inside some départements or regions alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AreaSpec {
    /// Département codes (59, 2A, 971…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub within_departements: Vec<String>,
    /// Region COG codes (32 for Hauts-de-France…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
}

impl AreaSpec {
    /// Whether the whole data is solved.
    #[must_use]
    pub fn is_everywhere(&self) -> bool {
        self.within_departements.is_empty() && self.regions.is_empty()
    }
}

/// `[outputs]`: where the files go and which départements the maps show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputsSpec {
    /// Output folder (`batch` sets its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Maps and report only for these départements: a prefecture's extract.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub departements: Vec<String>,
    /// Write `plan.xlsx` beside the CSVs.
    pub xlsx: bool,
    /// Print `report.pdf` (A4) through headless Chromium.
    pub pdf: bool,
}

impl Default for OutputsSpec {
    /// No folder named, every département, `plan.xlsx` written, no PDF.
    fn default() -> Self {
        Self { out: None, departements: Vec::new(), xlsx: true, pdf: false }
    }
}

/// `[continuity]`: start from the current plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContinuitySpec {
    /// The current plan (a `plan.csv`, or any allocation format).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<PathBuf>,
    /// Posts that may leave their site of the previous plan, at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_moves: Option<u32>,
    /// Posts added to the previous plan, where they add the most, moving none of its posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<u32>,
}

impl PlanSpec {
    /// The distance decay as the optimiser weighs it.
    #[must_use]
    pub fn decay(&self) -> crate::optimise::Decay {
        use crate::optimise::Decay;
        match self.value.decay {
            DecayKind::Step => Decay::Step,
            DecayKind::Linear => Decay::Linear { at_bound: self.value.decay_at_bound },
            DecayKind::Exponential => Decay::Exponential { half_life_min: self.value.half_life_min },
        }
    }

    /// The need model of the rates (used unless `need.file` is given).
    #[must_use]
    pub fn need_model(&self) -> crate::NeedModel {
        crate::NeedModel {
            rate_metro: self.need.rate_pct / 100.0,
            rate_drom: self.need.rate_drom_pct / 100.0,
            score: self.need.ifn_score,
            ..crate::NeedModel::default()
        }
    }

    /// The crow-flies travel model (used unless `travel.od` is given).
    ///
    /// # Errors
    /// The speed bands do not parse (a spec that passed [`PlanSpec::validate`] always does).
    pub fn crow_flies(&self) -> Result<crate::spatial::CrowFlies, SpecError> {
        let speeds = crate::spatial::parse_speed_bands(&self.travel.speeds)
            .map_err(|e| SpecError::new("travel.speeds", format!("{:?}", self.travel.speeds), e))?;
        Ok(crate::spatial::CrowFlies { detour: self.travel.detour, speeds })
    }

    /// The optimiser's parameters that need no data (floors, caps, fixed and previous posts,
    /// which need the data's codes and files, are left empty).
    #[must_use]
    pub fn model_params(&self) -> crate::optimise::PlanParams {
        use crate::optimise::{PlanParams, default_returns};
        PlanParams {
            posts: self.posts,
            budget_eur: self.budget_eur,
            cost_per_post_eur: self.cost_per_post_eur,
            capacity_per_post: self.capacity_per_post,
            max_posts_per_site: self.max_posts_per_site,
            decay: self.decay(),
            returns: if self.value.diminishing_returns { default_returns() } else { Vec::new() },
            objective: self.objective,
            target_coverage: self.target_coverage,
            dep_floors: self.limits.floors.clone(),
            dep_caps: self.limits.caps.clone(),
            time_limit_s: self.time_limit_s,
            host_kinds: self.candidates.kinds.clone(),
            max_moves: if self.continuity.add.is_some() { Some(0) } else { self.continuity.max_moves },
            ..PlanParams::default()
        }
    }
}
