//! Scenario files (TOML): every parameter of `maillage plan` under a name, validated before
//! anything runs. Unknown keys are refused; each error names the file, the line, the key and
//! what was expected. A scenario becomes the `plan` flags it stands for, so that flags given
//! on the command line after it override it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::LoadError;

/// A scenario, as written in its file (every key optional; absent = the `plan` default).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (default: the file name without `.toml`).
    pub name: Option<String>,
    /// What the scenario is for.
    pub description: Option<String>,
    /// Posts to place.
    pub posts: Option<u32>,
    /// Budget, euros.
    pub budget_eur: Option<f64>,
    /// Cost of one post, euros.
    pub cost_per_post_eur: Option<f64>,
    /// People one post serves.
    pub capacity_per_post: Option<f64>,
    /// Most posts one site may host.
    pub max_posts_per_site: Option<u32>,
    /// `attendance` or `coverage`.
    pub objective: Option<ObjectiveName>,
    /// `lp`, `greedy` or `mip`.
    pub solver: Option<SolverName>,
    /// Solver time budget, seconds.
    pub time_limit_s: Option<f64>,
    /// Travel model.
    #[serde(default)]
    pub travel: Travel,
    /// Value of a person served: distance decay, diminishing returns.
    #[serde(default)]
    pub value: Value,
    /// Need model.
    #[serde(default)]
    pub need: Need,
    /// Per-département floors and caps, fixed posts.
    #[serde(default)]
    pub limits: Limits,
    /// Which candidates may host posts.
    #[serde(default)]
    pub candidates: Candidates,
    /// Area solved.
    #[serde(default)]
    pub area: Area,
    /// Outputs.
    #[serde(default)]
    pub outputs: Outputs,
    /// Starting from the current plan.
    #[serde(default)]
    pub continuity: Continuity,
}

/// `[continuity]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Continuity {
    /// The current plan (plan.csv or an allocation; path relative to the scenario file).
    pub previous: Option<PathBuf>,
    /// Posts that may leave their site, at most.
    pub max_moves: Option<u32>,
}

/// `[travel]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Travel {
    /// Travel bound, minutes.
    pub bound_min: Option<f64>,
    /// Imported OD matrix (path relative to the scenario file).
    pub od: Option<PathBuf>,
    /// Crow-flies detour factor.
    pub detour: Option<f64>,
    /// Crow-flies speed bands, `MAX_DENSITY:KMH,…`.
    pub speeds: Option<String>,
}

/// `[value]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// `step`, `linear` or `exponential`.
    pub decay: Option<DecayName>,
    /// Weight at the bound with linear decay.
    pub decay_at_bound: Option<f64>,
    /// Half-life with exponential decay, minutes.
    pub half_life_min: Option<f64>,
    /// Diminishing returns on (default) or off.
    pub diminishing_returns: Option<bool>,
}

/// `[need]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// Illectronisme rate in metropolitan France, percent.
    pub rate_pct: Option<f64>,
    /// Illectronisme rate in the DROM, percent.
    pub rate_drom_pct: Option<f64>,
    /// Own need estimates, CSV `insee,need` (path relative to the scenario file).
    pub file: Option<PathBuf>,
}

/// `[limits]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Minimum posts by département code.
    #[serde(default)]
    pub floors: BTreeMap<String, u32>,
    /// Maximum posts by département code.
    #[serde(default)]
    pub caps: BTreeMap<String, u32>,
    /// Floors from an allocation file, or `cnfs-2021`.
    pub floors_from: Option<String>,
    /// Posts already placed and kept: an allocation file, or `cnfs-2021`.
    pub fixed_from: Option<String>,
}

/// `[candidates]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Candidates {
    /// Kinds of host that may receive posts (default: all).
    #[serde(default)]
    pub kinds: Vec<KindName>,
}

/// `[area]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Solve only within these départements.
    #[serde(default)]
    pub within_departements: Vec<String>,
    /// Solve only within these regions.
    #[serde(default)]
    pub regions: Vec<String>,
}

/// `[outputs]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// Output folder (relative to the scenario file; `batch` sets its own).
    pub out: Option<PathBuf>,
    /// Maps and report only for these départements.
    #[serde(default)]
    pub departements: Vec<String>,
}

/// Objective names.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ObjectiveName {
    /// Decay-weighted attendance.
    Attendance,
    /// Maximal covering.
    Coverage,
}

/// Solver names.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SolverName {
    /// Greedy, optimal flows, local search, bound.
    Lp,
    /// Greedy only.
    Greedy,
    /// `lp`, then branch and cut (over a kernel of sites, then all; by département at scale).
    Mip,
}

/// Decay names.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DecayName {
    /// Weight 1 within the bound.
    Step,
    /// Linear.
    Linear,
    /// Exponential.
    Exponential,
}

/// Candidate kinds, as in `plan.csv`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// France Services.
    FranceServices,
    /// Conseiller numérique permanence.
    ConseillerNumerique,
    /// Other mediation place.
    LieuMediation,
    /// Town hall.
    Mairie,
}

impl KindName {
    /// The name used in outputs and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::FranceServices => "france_services",
            KindName::ConseillerNumerique => "conseiller_numerique",
            KindName::LieuMediation => "lieu_mediation",
            KindName::Mairie => "mairie",
        }
    }
}

/// Reads and validates a scenario file.
///
/// # Errors
/// [`LoadError::Key`] naming the file, line, key and expectation for a syntax error, an
/// unknown key, a value of the wrong type or out of range, or a file it names that is absent.
pub fn load_scenario(path: &Path) -> Result<Scenario, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    let de = toml::Deserializer::parse(&text).map_err(|e| toml_error(path, &text, &e, String::new()))?;
    let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        toml_error(path, &text, e.inner(), key)
    })?;
    scenario.validate(path, &text)?;
    Ok(scenario)
}

fn line_of(text: &str, offset: usize) -> u64 {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() as u64 + 1
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error, key: String) -> LoadError {
    let line = e.span().map_or(0, |s| line_of(text, s.start));
    let message = e.message().replace('\n', " ");
    LoadError::Key { path: path.to_owned(), line, key: if key == "." { String::new() } else { key }, message }
}

impl Scenario {
    /// Range checks the types cannot express; paths must exist (relative to the file).
    fn validate(&self, path: &Path, text: &str) -> Result<(), LoadError> {
        let err = |key: &str, expected: String| {
            // The line of the key's last segment, for the message.
            let leaf = key.rsplit('.').next().unwrap_or(key);
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(leaf) && l.contains('='))
                .map_or(0, |i| i as u64 + 1);
            LoadError::Key { path: path.to_owned(), line, key: key.to_owned(), message: expected }
        };
        let range = |key: &str, v: Option<f64>, lo: f64, hi: f64, open_low: bool| -> Result<(), LoadError> {
            match v {
                Some(x) if !x.is_finite() || x > hi || x < lo || (open_low && x <= lo) => {
                    let bracket = if open_low { "(" } else { "[" };
                    Err(err(key, format!("= {x}: expected a number in {bracket}{lo}, {hi}]")))
                }
                _ => Ok(()),
            }
        };
        range("budget_eur", self.budget_eur, 0.0, 1e12, false)?;
        range("cost_per_post_eur", self.cost_per_post_eur, 0.0, 1e9, true)?;
        range("capacity_per_post", self.capacity_per_post, 0.0, 1e7, true)?;
        range("time_limit_s", self.time_limit_s, 0.0, 86_400.0, true)?;
        range("travel.bound_min", self.travel.bound_min, 0.0, 1440.0, true)?;
        range("travel.detour", self.travel.detour, 1.0, 5.0, false)?;
        range("value.decay_at_bound", self.value.decay_at_bound, 0.0, 1.0, false)?;
        range("value.half_life_min", self.value.half_life_min, 0.0, 10_000.0, true)?;
        range("need.rate_pct", self.need.rate_pct, 0.0, 100.0, false)?;
        range("need.rate_drom_pct", self.need.rate_drom_pct, 0.0, 100.0, false)?;
        if self.posts.is_some_and(|p| p > 1_000_000) {
            return Err(err("posts", "expected at most 1000000 posts".into()));
        }
        if let Some(s) = &self.travel.speeds {
            crate::spatial::parse_speed_bands(s).map_err(|e| err("travel.speeds", e))?;
        }
        if self.continuity.max_moves.is_some() && self.continuity.previous.is_none() {
            return Err(err("continuity.max_moves", "needs continuity.previous (the current plan)".into()));
        }
        for (key, file) in [
            ("travel.od", &self.travel.od),
            ("need.file", &self.need.file),
            ("continuity.previous", &self.continuity.previous),
        ] {
            if let Some(f) = file
                && !self.resolve(path, f).is_file()
            {
                return Err(err(
                    key,
                    format!("= \"{}\": expected an existing file (relative to the scenario)", f.display()),
                ));
            }
        }
        for (key, file) in
            [("limits.floors_from", &self.limits.floors_from), ("limits.fixed_from", &self.limits.fixed_from)]
        {
            if let Some(f) = file
                && f != "cnfs-2021"
                && !self.resolve(path, Path::new(f)).is_file()
            {
                return Err(err(key, format!("= {f:?}: expected an existing file or cnfs-2021")));
            }
        }
        Ok(())
    }

    /// A path of the scenario, relative to its file's folder.
    #[must_use]
    pub fn resolve(&self, scenario_path: &Path, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_owned() } else { scenario_path.parent().unwrap_or(Path::new(".")).join(p) }
    }

    /// The scenario's name: `name`, else the file stem.
    #[must_use]
    pub fn display_name(&self, scenario_path: &Path) -> String {
        self.name.clone().unwrap_or_else(|| {
            scenario_path.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
        })
    }

    /// The `plan` flags this scenario stands for (flags given after them override them).
    #[must_use]
    pub fn plan_args(&self, scenario_path: &Path) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        let mut push = |flag: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{flag}"));
                a.push(v);
            }
        };
        push("posts", self.posts.map(|v| v.to_string()));
        push("budget-eur", self.budget_eur.map(|v| v.to_string()));
        push("cost-per-post-eur", self.cost_per_post_eur.map(|v| v.to_string()));
        push("capacity-per-post", self.capacity_per_post.map(|v| v.to_string()));
        push("max-posts-per-site", self.max_posts_per_site.map(|v| v.to_string()));
        push(
            "objective",
            self.objective.map(|o| match o {
                ObjectiveName::Attendance => "attendance".into(),
                ObjectiveName::Coverage => "coverage".into(),
            }),
        );
        push(
            "solver",
            self.solver.map(|s| match s {
                SolverName::Lp => "lp".into(),
                SolverName::Greedy => "greedy".into(),
                SolverName::Mip => "mip".into(),
            }),
        );
        push("time-limit-s", self.time_limit_s.map(|v| v.to_string()));
        push("bound", self.travel.bound_min.map(|v| v.to_string()));
        push("od", self.travel.od.as_ref().map(|p| self.resolve(scenario_path, p).to_string_lossy().into_owned()));
        push("detour", self.travel.detour.map(|v| v.to_string()));
        push("speeds", self.travel.speeds.clone());
        push(
            "decay",
            self.value.decay.map(|d| match d {
                DecayName::Step => "step".into(),
                DecayName::Linear => "linear".into(),
                DecayName::Exponential => "exponential".into(),
            }),
        );
        push("decay-at-bound", self.value.decay_at_bound.map(|v| v.to_string()));
        push("half-life-min", self.value.half_life_min.map(|v| v.to_string()));
        push("rate", self.need.rate_pct.map(|v| v.to_string()));
        push("rate-drom", self.need.rate_drom_pct.map(|v| v.to_string()));
        push("need", self.need.file.as_ref().map(|p| self.resolve(scenario_path, p).to_string_lossy().into_owned()));
        // An allocation source: the embedded cnfs-2021, or a path relative to the scenario.
        let allocation = |f: &Option<String>| {
            f.as_ref().map(|f| {
                if f == "cnfs-2021" {
                    f.clone()
                } else {
                    self.resolve(scenario_path, Path::new(f)).to_string_lossy().into_owned()
                }
            })
        };
        push("floors-from", allocation(&self.limits.floors_from));
        push("fixed", allocation(&self.limits.fixed_from));
        for (d, n) in &self.limits.floors {
            push("floor", Some(format!("{d}={n}")));
        }
        for (d, n) in &self.limits.caps {
            push("cap", Some(format!("{d}={n}")));
        }
        for k in &self.candidates.kinds {
            push("kind", Some(k.as_str().to_owned()));
        }
        for d in &self.area.within_departements {
            push("within-departement", Some(d.clone()));
        }
        for r in &self.area.regions {
            push("region", Some(r.clone()));
        }
        for d in &self.outputs.departements {
            push("departement", Some(d.clone()));
        }
        push("out", self.outputs.out.as_ref().map(|p| self.resolve(scenario_path, p).to_string_lossy().into_owned()));
        push(
            "previous",
            self.continuity.previous.as_ref().map(|p| self.resolve(scenario_path, p).to_string_lossy().into_owned()),
        );
        push("max-moves", self.continuity.max_moves.map(|v| v.to_string()));
        if self.value.diminishing_returns == Some(false) {
            a.push("--no-diminishing-returns".into());
        }
        a
    }
}
