//! The one check of a [`PlanSpec`]: types are the serde and clap parsers' job; here are
//! finiteness, ranges, upper limits, cross-field consistency, what each mode supports, and
//! (with the data) codes and the memory a run would take.

use std::fmt;

use super::args::decay_name;
use super::{AllocationSource, DecayKind, Method, Objective, PlanSpec};
use crate::Dataset;

/// Most posts a plan may place (250 times the national programme).
pub const MAX_POSTS: u32 = 1_000_000;

/// Most posts one site may host (as in an allocation file's row).
pub const MAX_POSTS_PER_SITE: u32 = 10_000;

/// Memory a run may plan for: beyond it, a bound or a per-site maximum is refused up front.
const MAX_MEMORY_BYTES: f64 = 16.0 * GIB;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Bytes a unit–site pair takes through the pipeline (reach, problem, flow LP, Lagrangian),
/// with a margin over the national default plan's peak per pair (docs/benchmarks.md).
const BYTES_PER_PAIR: f64 = 200.0;

/// A value the specification refuses: the option (its TOML key, which names its flag too),
/// the value given and what was expected. The message is the same whichever door the value
/// came in by (flag, scenario key, web form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Dotted TOML key (`travel.bound_min`, `limits.floors.59`).
    pub key: String,
    /// The value as given.
    pub value: String,
    /// What was expected, or why the value cannot be honoured.
    pub expected: String,
}

impl SpecError {
    /// An error on `key` for `value`.
    #[must_use]
    pub fn new(key: &str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        Self { key: key.to_owned(), value: value.into(), expected: expected.into() }
    }

    /// The command-line flag of the key (`--bound` for `travel.bound_min`).
    #[must_use]
    pub fn flag(&self) -> &'static str {
        let base = self.key.split('.').take(2).collect::<Vec<_>>().join(".");
        super::args::flag_of(&base).or_else(|| super::args::flag_of(&self.key)).unwrap_or("")
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = self.flag();
        if flag.is_empty() {
            write!(f, "`{}` = {}: {}", self.key, self.value, self.expected)
        } else {
            write!(f, "`{}` ({flag}) = {}: {}", self.key, self.value, self.expected)
        }
    }
}

impl std::error::Error for SpecError {}

/// The range of a numeric option: `[lo, hi]`, or `(lo, hi]` when `open_low`; the one
/// table [`PlanSpec::validate`] checks against and the web form shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Dotted key.
    pub key: &'static str,
    /// Lowest value (excluded when `open_low`).
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
    /// Whether `lo` itself is refused.
    pub open_low: bool,
    /// What the number counts, as the message says it (`" of minutes"`).
    pub unit: &'static str,
}

const fn range(key: &'static str, lo: f64, hi: f64, open_low: bool, unit: &'static str) -> Range {
    Range { key, lo, hi, open_low, unit }
}

/// Every numeric option's range.
pub const RANGES: [Range; 16] = [
    range("posts", 1.0, MAX_POSTS as f64, false, "a number of posts"),
    range("cost_per_post_eur", 0.0, 1e9, true, " of euros"),
    range("budget_eur", 0.0, 1e12, false, " of euros"),
    range("capacity_per_post", 1.0, 1e7, false, " of people"),
    range("max_posts_per_site", 1.0, MAX_POSTS_PER_SITE as f64, false, "a number of posts"),
    range("time_limit_s", 0.0, 86_400.0, true, " of seconds"),
    range("travel.bound_min", 0.0, 1440.0, true, " of minutes"),
    range("travel.detour", 1.0, 5.0, false, ""),
    range("value.decay_at_bound", 0.0, 1.0, false, ""),
    range("value.half_life_min", 0.0, 10_000.0, true, " of minutes"),
    range("need.rate_pct", 0.0, 100.0, false, " (percent)"),
    range("need.rate_drom_pct", 0.0, 100.0, false, " (percent)"),
    range("target_coverage", 0.0, 1.0, true, " (a share of the need)"),
    range("limits.floors", 0.0, MAX_POSTS as f64, false, "a number of posts"),
    range("continuity.max_moves", 0.0, MAX_POSTS as f64, false, "a number of posts"),
    range("continuity.add", 1.0, MAX_POSTS as f64, false, "a number of posts"),
];

/// The range of numeric option `key` (the caps and a département's floor or cap have the
/// floors' range); `None` for an option that is not a number.
#[must_use]
pub fn range_of(key: &str) -> Option<Range> {
    let per_departement = ["limits.floors", "limits.caps"]
        .iter()
        .any(|m| key == *m || key.strip_prefix(m).is_some_and(|rest| rest.starts_with('.')));
    let base = if per_departement { "limits.floors" } else { key };
    RANGES.iter().copied().find(|r| r.key == base)
}

/// The range of a key the check knows to be numeric.
fn numeric(key: &str) -> Range {
    range_of(key).unwrap_or_else(|| panic!("no range for {key}"))
}

/// `v` must be finite and within the range of `key`.
fn in_range(key: &str, v: f64) -> Result<(), SpecError> {
    let r = numeric(key);
    number(key, v, r.lo, r.hi, r.open_low, r.unit)
}

/// `v` must be within the range of `key`, a whole number.
fn whole_in_range(key: &str, v: u32) -> Result<(), SpecError> {
    let r = numeric(key);
    whole(key, v, r.lo as u32, r.hi as u32, r.unit)
}

/// `v` must be finite and within `[lo, hi]` (`(lo, hi]` when `open_low`).
fn number(key: &str, v: f64, lo: f64, hi: f64, open_low: bool, unit: &str) -> Result<(), SpecError> {
    let low_ok = if open_low { v > lo } else { v >= lo };
    if v.is_finite() && low_ok && v <= hi {
        return Ok(());
    }
    let bracket = if open_low { "(" } else { "[" };
    Err(SpecError::new(key, format!("{v}"), format!("expected a finite number{unit} in {bracket}{lo}, {hi}]")))
}

fn whole(key: &str, v: u32, lo: u32, hi: u32, what: &str) -> Result<(), SpecError> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    Err(SpecError::new(key, v.to_string(), format!("expected {what} between {lo} and {hi}")))
}

impl PlanSpec {
    /// Checks every value and every combination that needs no data; the first refused
    /// value is returned.
    ///
    /// # Errors
    /// [`SpecError`] naming the option, the value and what was expected.
    pub fn validate(&self) -> Result<(), SpecError> {
        self.check_values()?;
        self.check_consistency()?;
        self.check_mode()
    }

    fn check_values(&self) -> Result<(), SpecError> {
        whole_in_range("posts", self.posts)?;
        in_range("cost_per_post_eur", self.cost_per_post_eur)?;
        in_range("budget_eur", self.budget_eur)?;
        if self.budget_eur < self.cost_per_post_eur {
            return Err(SpecError::new(
                "budget_eur",
                format!("{}", self.budget_eur),
                format!(
                    "expected at least the cost of one post ({} €): a smaller budget places nothing",
                    self.cost_per_post_eur
                ),
            ));
        }
        in_range("capacity_per_post", self.capacity_per_post)?;
        whole_in_range("max_posts_per_site", self.max_posts_per_site)?;
        in_range("time_limit_s", self.time_limit_s)?;
        in_range("travel.bound_min", self.travel.bound_min)?;
        in_range("travel.detour", self.travel.detour)?;
        crate::spatial::parse_speed_bands(&self.travel.speeds)
            .map_err(|e| SpecError::new("travel.speeds", format!("{:?}", self.travel.speeds), e))?;
        in_range("value.decay_at_bound", self.value.decay_at_bound)?;
        in_range("value.half_life_min", self.value.half_life_min)?;
        in_range("need.rate_pct", self.need.rate_pct)?;
        in_range("need.rate_drom_pct", self.need.rate_drom_pct)?;
        for (key, map) in [("limits.floors", &self.limits.floors), ("limits.caps", &self.limits.caps)] {
            for (dep, &n) in map {
                check_code(&format!("{key}.{dep}"), dep)?;
                whole_in_range(&format!("{key}.{dep}"), n)?;
            }
        }
        for (key, codes) in [
            ("area.within_departements", &self.area.within_departements),
            ("area.regions", &self.area.regions),
            ("outputs.departements", &self.outputs.departements),
        ] {
            for code in codes {
                check_code(key, code)?;
            }
        }
        self.check_files()?;
        if let Some(name) = &self.name
            && (name.trim().is_empty() || name.chars().count() > 100)
        {
            return Err(SpecError::new("name", format!("{name:?}"), "expected a name of 1 to 100 characters"));
        }
        Ok(())
    }

    /// Files the spec names must exist (their content is checked when they are read, before
    /// any solving).
    fn check_files(&self) -> Result<(), SpecError> {
        let allocation = |a: &Option<AllocationSource>| match a {
            Some(AllocationSource::File(p)) => Some(p.clone()),
            _ => None,
        };
        for (key, file) in [
            ("travel.od", self.travel.od.clone()),
            ("need.file", self.need.file.clone()),
            ("continuity.previous", self.continuity.previous.clone()),
            ("limits.floors_from", allocation(&self.limits.floors_from)),
            ("limits.fixed_from", allocation(&self.limits.fixed_from)),
        ] {
            if let Some(f) = file
                && !crate::load::input_exists(&f)
            {
                let expected =
                    if key.starts_with("limits") { "an existing file or cnfs-2021" } else { "an existing file" };
                return Err(SpecError::new(
                    key,
                    format!("{:?}", f.display().to_string()),
                    format!("expected {expected}"),
                ));
            }
        }
        Ok(())
    }

    // An option differs from its default exactly when another value was given: strict.
    #[allow(clippy::float_cmp)]
    fn check_consistency(&self) -> Result<(), SpecError> {
        for (dep, &floor) in &self.limits.floors {
            if floor > self.posts {
                return Err(SpecError::new(
                    &format!("limits.floors.{dep}"),
                    floor.to_string(),
                    format!("expected at most posts ({}): a floor above every post cannot be met", self.posts),
                ));
            }
            if let Some(&cap) = self.limits.caps.get(dep)
                && floor > cap
            {
                return Err(SpecError::new(
                    &format!("limits.floors.{dep}"),
                    floor.to_string(),
                    format!("expected at most the cap of département {dep} (limits.caps.{dep} = {cap})"),
                ));
            }
        }
        if let Some(m) = self.continuity.max_moves {
            if self.continuity.previous.is_none() {
                return Err(SpecError::new(
                    "continuity.max_moves",
                    m.to_string(),
                    "needs continuity.previous (--previous): the plan whose posts may move",
                ));
            }
            whole_in_range("continuity.max_moves", m)?;
        }
        self.check_add()?;
        let defaults = PlanSpec::default();
        let ignored = |key: &str, value: String, why: String| Err(SpecError::new(key, value, why));
        if self.value.decay != DecayKind::Linear && self.value.decay_at_bound != defaults.value.decay_at_bound {
            return ignored(
                "value.decay_at_bound",
                self.value.decay_at_bound.to_string(),
                format!("applies to decay = linear only (decay is {})", decay_name(self.value.decay)),
            );
        }
        if self.value.decay != DecayKind::Exponential && self.value.half_life_min != defaults.value.half_life_min {
            return ignored(
                "value.half_life_min",
                self.value.half_life_min.to_string(),
                format!("applies to decay = exponential only (decay is {})", decay_name(self.value.decay)),
            );
        }
        if self.travel.od.is_some() {
            if self.travel.detour != defaults.travel.detour {
                let why = "applies to the crow-flies model, which travel.od (--od) replaces".to_owned();
                return ignored("travel.detour", self.travel.detour.to_string(), why);
            }
            if self.travel.speeds != defaults.travel.speeds {
                let why = "applies to the crow-flies model, which travel.od (--od) replaces".to_owned();
                return ignored("travel.speeds", format!("{:?}", self.travel.speeds), why);
            }
        }
        if self.need.file.is_some() {
            for (key, v, d) in [
                ("need.rate_pct", self.need.rate_pct, defaults.need.rate_pct),
                ("need.rate_drom_pct", self.need.rate_drom_pct, defaults.need.rate_drom_pct),
            ] {
                if v != d {
                    return ignored(
                        key,
                        v.to_string(),
                        "applies to the need model, which need.file (--need) replaces".into(),
                    );
                }
            }
            if self.need.ifn_score != defaults.need.ifn_score {
                return ignored(
                    "need.ifn_score",
                    self.need.ifn_score.as_str().to_owned(),
                    "applies to the need model, which need.file (--need) replaces".into(),
                );
            }
        }
        Ok(())
    }

    /// What the objective and the solver cannot honour, refused by name.
    #[allow(clippy::float_cmp)]
    fn check_mode(&self) -> Result<(), SpecError> {
        in_range("target_coverage", self.target_coverage)?;
        if self.objective != Objective::MinPosts && self.target_coverage != PlanSpec::default().target_coverage {
            return Err(SpecError::new(
                "target_coverage",
                self.target_coverage.to_string(),
                format!("applies to objective = min-posts, not {}: drop it", self.objective.as_str()),
            ));
        }
        if self.objective.is_covering() {
            if let Some(n) = self.continuity.add {
                return Err(SpecError::new(
                    "continuity.add",
                    n.to_string(),
                    format!(
                        "objective = {} cannot honour it (it places posts where people are served): use objective = \
                         attendance, or continuity.previous with continuity.max_moves",
                        self.objective.as_str()
                    ),
                ));
            }
            if self.solver == Method::Greedy && self.objective != Objective::Coverage {
                return Err(SpecError::new(
                    "solver",
                    "greedy".to_owned(),
                    format!("objective = {} has no greedy: use solver = lp", self.objective.as_str()),
                ));
            }
        }
        if self.objective == Objective::Attendance && self.solver == Method::Mip && self.previous_limited() {
            return Err(SpecError::new(
                "continuity.max_moves",
                self.continuity.max_moves.unwrap_or(0).to_string(),
                "solver = mip cannot honour it (its model has no row for moved posts): use solver = lp",
            ));
        }
        if self.objective != Objective::Coverage || self.solver != Method::Greedy {
            return Ok(());
        }
        let refuse = |key: &str, value: String, what: &str| {
            Err(SpecError::new(
                key,
                value,
                format!(
                    "objective = coverage with solver = greedy cannot honour it ({what}): use solver = lp, or drop it"
                ),
            ))
        };
        let l = &self.limits;
        if let Some((dep, n)) = l.floors.iter().next() {
            return refuse(&format!("limits.floors.{dep}"), n.to_string(), "the greedy has no département rows");
        }
        if let Some((dep, n)) = l.caps.iter().next() {
            return refuse(&format!("limits.caps.{dep}"), n.to_string(), "the greedy has no département rows");
        }
        if let Some(f) = &l.floors_from {
            return refuse("limits.floors_from", format!("{:?}", f.to_string()), "no département rows");
        }
        if let Some(f) = &l.fixed_from {
            return refuse("limits.fixed_from", format!("{:?}", f.to_string()), "it opens town halls, one post each");
        }
        if !self.candidates.kinds.is_empty() {
            let kinds: Vec<&str> = self.candidates.kinds.iter().map(|k| k.as_str()).collect();
            return refuse("candidates.kinds", format!("{kinds:?}"), "it opens town halls only");
        }
        if let Some(p) = &self.continuity.previous {
            return refuse("continuity.previous", format!("{:?}", p.display().to_string()), "no continuity");
        }
        let affordable = (self.budget_eur / self.cost_per_post_eur * (1.0 + 1e-12)).floor();
        if affordable < f64::from(self.posts) {
            return refuse(
                "budget_eur",
                format!("{}", self.budget_eur),
                &format!(
                    "it has no budget row, and the budget pays for {affordable} posts, fewer than posts = {}; \
                     set posts to {affordable}",
                    self.posts
                ),
            );
        }
        Ok(())
    }

    /// `continuity.add`: N posts on top of the previous plan, which sets the posts.
    #[allow(clippy::float_cmp)]
    fn check_add(&self) -> Result<(), SpecError> {
        let Some(n) = self.continuity.add else { return Ok(()) };
        let refuse = |key: &str, value: String, why: &str| Err(SpecError::new(key, value, why));
        whole_in_range("continuity.add", n)?;
        if self.continuity.previous.is_none() {
            return refuse(
                "continuity.add",
                n.to_string(),
                "needs continuity.previous (--previous): the plan to add to",
            );
        }
        if let Some(m) = self.continuity.max_moves {
            return refuse("continuity.max_moves", m.to_string(), "continuity.add (--add) moves no previous post");
        }
        if self.posts != PlanSpec::default().posts {
            let why = "continuity.add (--add) sets the posts: the previous plan's, and N more";
            return refuse("posts", self.posts.to_string(), why);
        }
        if self.solver == Method::Mip {
            return refuse(
                "solver",
                "mip".into(),
                "cannot honour continuity.add (its model may move any post): use lp",
            );
        }
        Ok(())
    }

    fn previous_limited(&self) -> bool {
        self.continuity.previous.is_some() && self.continuity.max_moves.is_some()
    }

    /// Checks the codes the spec names against the data: every département and region exists,
    /// floors, caps and map départements lie in the area solved; and that the run fits in
    /// memory ([`estimate_memory`]).
    ///
    /// # Errors
    /// [`SpecError`] naming the option and the code.
    pub fn check_data(&self, data: &Dataset) -> Result<(), SpecError> {
        if self.need.ifn_score == crate::IfnScore::ScoreGlobal
            && data.units.iter().all(|u| u.fragility_global.is_none())
        {
            return Err(SpecError::new(
                "need.ifn_score",
                "score_global",
                "a data folder whose ifn_communes.csv has a score_global column (this one has none)",
            ));
        }
        let has_dep = |d: &str| data.units.iter().any(|u| u.dep == d);
        let absent = |key: &str, code: &str| {
            SpecError::new(key, format!("{code:?}"), "a département of the data (codes keep their zero: 01, 2A, 971)")
        };
        for d in &self.area.within_departements {
            if !has_dep(d) {
                return Err(absent("area.within_departements", d));
            }
        }
        for r in &self.area.regions {
            if !data.units.iter().any(|u| &u.reg == r) {
                return Err(SpecError::new(
                    "area.regions",
                    format!("{r:?}"),
                    "a region of the data (COG: 11, 32, 84…)",
                ));
            }
        }
        let in_area = |d: &str| {
            self.area.is_everywhere()
                || self.area.within_departements.iter().any(|w| w == d)
                || data.units.iter().any(|u| u.dep == d && self.area.regions.contains(&u.reg))
        };
        let named = self.limits.floors.keys().map(|d| ("limits.floors", d));
        let named = named.chain(self.limits.caps.keys().map(|d| ("limits.caps", d)));
        let named = named.chain(self.outputs.departements.iter().map(|d| ("outputs.departements", d)));
        for (key, d) in named {
            let key = if key == "outputs.departements" { key.to_owned() } else { format!("{key}.{d}") };
            if !has_dep(d) {
                return Err(absent(&key, d));
            }
            if !in_area(d) {
                return Err(SpecError::new(
                    &key,
                    format!("{d:?}"),
                    "a département inside the area solved (area.within_departements, area.regions)",
                ));
            }
        }
        Ok(())
    }

    /// Refuses a run whose estimated memory exceeds what a run may take.
    ///
    /// # Errors
    /// [`SpecError`] on `travel.bound_min` (too many pairs) or `max_posts_per_site`.
    pub fn check_memory(&self, estimate: &MemoryEstimate) -> Result<(), SpecError> {
        if estimate.bytes() <= MAX_MEMORY_BYTES {
            return Ok(());
        }
        let size = format!(
            "at least {:.1} M unit–site pairs and {:.1} M site-post values, {:.1} GB, where a run may take {:.0} GB",
            estimate.pairs / 1e6,
            estimate.site_values / 1e6,
            estimate.bytes() / GIB,
            MAX_MEMORY_BYTES / GIB
        );
        if estimate.pairs * BYTES_PER_PAIR > estimate.site_values * 8.0 {
            Err(SpecError::new(
                "travel.bound_min",
                self.travel.bound_min.to_string(),
                format!("{size}: lower the bound or restrict the area (area.within_departements, area.regions)"),
            ))
        } else {
            Err(SpecError::new("max_posts_per_site", self.max_posts_per_site.to_string(), format!("{size}: lower it")))
        }
    }
}

/// What a run would hold in memory, estimated before any of it is built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    /// Unit–site pairs within the bound.
    pub pairs: f64,
    /// Per-post values the Lagrangian may keep (sites × posts a site can take).
    pub site_values: f64,
}

impl MemoryEstimate {
    /// Estimated bytes.
    #[must_use]
    pub fn bytes(&self) -> f64 {
        self.pairs * BYTES_PER_PAIR + self.site_values * 8.0
    }
}

/// Estimates the memory of a plan on `data`: the pairs within the bound from one unit in 16
/// (the whole reach of those units, scaled; the count stops once it alone is over the
/// limit), the site values from the candidates' count.
#[must_use]
pub fn estimate_memory(
    spec: &PlanSpec,
    data: &Dataset,
    index: &crate::spatial::SiteIndex,
    travel: &dyn crate::spatial::TravelTime,
) -> MemoryEstimate {
    let units = &data.units;
    let stop = MAX_MEMORY_BYTES / BYTES_PER_PAIR;
    let pairs =
        crate::spatial::estimate_pair_count(units, &data.candidates, index, travel, spec.travel.bound_min, stop);
    let room = f64::from(spec.max_posts_per_site.min(spec.posts));
    MemoryEstimate { pairs, site_values: data.candidates.len() as f64 * room }
}

/// A département or region code as written: 1 to 3 characters, digits or 2A/2B.
fn check_code(key: &str, code: &str) -> Result<(), SpecError> {
    let ok = !code.is_empty() && code.len() <= 3 && code.chars().all(|c| c.is_ascii_digit() || c == 'A' || c == 'B');
    if ok {
        return Ok(());
    }
    Err(SpecError::new(key, format!("{code:?}"), "a département or region code (01, 2A, 59, 971; zeros kept)"))
}
