//! Command-line interface (clap derive). The `///` docs are the `--help` text.

// `///` docs here are --help text, where backticks would print as such.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use maillage::spatial::SpeedBand;

/// Plan where France places its conseillers numériques.
///
/// maillage scores the digitally excluded people of every commune (arrondissement in Paris,
/// Lyon and Marseille), finds which host sites they can reach within a travel bound, and
/// places the advisor posts. With no --data it uses the embedded national data.
#[derive(Debug, Parser)]
#[command(name = "maillage", version, args_override_self = true)]
pub struct Cli {
    /// Data directory holding communes.csv, `ifn_communes.csv`, `inclusion_sites.csv`… (default:
    /// the embedded national data, data/ next to the crate).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Worker threads (default: one per core). Outputs do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the need table: excluded people per commune (or arrondissement), with a summary.
    ///
    /// Need = 0.82 × population × rate × `competences_numeriques_scolaires` / 100, with rate
    /// 15.4% in metropolitan France and 20% in the DROM (INSEE Première 1953), unless --need
    /// gives your own estimates.
    Need(NeedArgs),

    /// Write every demand unit → candidate pair within the travel bound, with minutes.
    ///
    /// Candidates are the existing inclusion sites (merged within 50 m) and every unit's
    /// town hall. Travel is the crow-flies model unless --od imports a matrix.
    Reach(ReachArgs),

    /// Place the posts and the budget: the main job.
    ///
    /// With no option it plans 4,000 posts and 200 M€ (50 k€ a post, 1,200 people a post) on
    /// the embedded national data with a 30-minute bound, and writes plan.csv, units.csv and
    /// summary.json, departements.csv, the GeoJSON maps and report.html into --out.
    Plan(PlanArgs),

    /// Measure an existing allocation with the same measures as a plan.
    ///
    /// --allocation reads a CSV `insee,posts[,cost]`, a maillage plan.csv, or a list of host
    /// structures such as the real 2021–22 CnFS allocation (`insee_2026,postes_attribues,
    /// investissement_etat_eur`…), as is; `--allocation cnfs-2021` evaluates the embedded one.
    /// Writes the same files as `plan`.
    Evaluate(EvaluateArgs),

    /// Validate scenario files (TOML) without solving: `maillage scenario check FILE…`.
    #[command(subcommand)]
    Scenario(ScenarioCommand),

    /// Run many scenarios in parallel, each independent, and summarise them.
    ///
    /// Every .toml file given, or found in a folder given, is planned into --out/NAME/; a
    /// scenario that fails (bad file, infeasible) is reported and the others finish. Writes
    /// batch_summary.csv and prints the table; the exit code is non-zero if any failed.
    Batch(BatchArgs),

    /// Put two plans side by side: headline measures, per-département and per-site differences.
    ///
    /// A and B are output folders of `plan` or `evaluate`. Writes compare.json,
    /// compare_departements.csv and compare_sites.csv into --out.
    Compare(CompareArgs),
}

/// `maillage scenario …`.
#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Check scenario files: keys, types, ranges, files they name, département codes.
    Check {
        /// Scenario files.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
}

/// Options of `maillage batch`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BatchArgs {
    /// Scenario files, or folders whose .toml files are all run.
    #[arg(value_name = "DIR_OR_FILE", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output folder: one sub-folder per scenario, and batch_summary.csv.
    #[arg(long, value_name = "DIR", default_value = "maillage-batch")]
    pub out: PathBuf,

    /// Run only the K-th of N deterministic slices of the batch (scenarios sorted by path,
    /// every N-th from the K-th), e.g. --shard 2/3; join the slices with `batch merge`.
    #[arg(long, value_name = "K/N", value_parser = shard)]
    pub shard: Option<Shard>,

    #[command(subcommand)]
    pub merge: Option<BatchCommand>,
}

/// `maillage batch merge`.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Join the batch_summary.csv of shard runs into one table, identical to a one-machine run.
    Merge {
        /// Output folders of the shards.
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,

        /// Folder for the merged batch_summary.csv.
        #[arg(long, value_name = "DIR", default_value = "maillage-batch")]
        out: PathBuf,
    },
}

/// A slice of a batch: the K-th (1-based) of N.
#[derive(Debug, Clone, Copy)]
pub struct Shard {
    /// Which slice, from 1.
    pub k: usize,
    /// How many slices.
    pub n: usize,
}

fn shard(s: &str) -> Result<Shard, String> {
    let err = || format!("expected K/N with 1 <= K <= N, e.g. 2/3, got {s:?}");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| err())?, n.trim().parse().map_err(|_| err())?);
    if k == 0 || n == 0 || k > n {
        return Err(err());
    }
    Ok(Shard { k, n })
}

/// Options of `maillage evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The allocation: a CSV file, or `cnfs-2021` for the embedded real 2021–22 CnFS allocation.
    #[arg(long, value_name = "FILE|cnfs-2021")]
    pub allocation: String,

    /// Output directory (created if needed), with the same files as `plan`.
    #[arg(long, value_name = "DIR", default_value = "maillage-eval")]
    pub out: PathBuf,

    #[command(flatten)]
    pub model: ModelOptions,

    #[command(flatten)]
    pub scope: ScopeOptions,
}

/// Options of `maillage compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// First plan's output folder (the reference).
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// Second plan's output folder.
    #[arg(value_name = "B")]
    pub b: PathBuf,

    /// Output directory for compare.json, compare_departements.csv, compare_sites.csv.
    #[arg(long, value_name = "DIR", default_value = "maillage-compare")]
    pub out: PathBuf,
}

/// Options of `maillage plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Output directory (created if needed) for plan.csv, units.csv, departements.csv,
    /// summary.json, sites.geojson, communes.geojson and report.html.
    #[arg(long, value_name = "DIR", default_value = "maillage-out")]
    pub out: PathBuf,

    /// Posts to place (fixed ones included).
    #[arg(long, default_value_t = 4000)]
    pub posts: u32,

    /// Budget in euros.
    #[arg(long = "budget-eur", value_name = "EUR", default_value_t = 200e6)]
    pub budget_eur: f64,

    /// Most posts one site may host.
    #[arg(long = "max-posts-per-site", value_name = "N", default_value_t = 10)]
    pub max_posts_per_site: u32,

    #[command(flatten)]
    pub model: ModelOptions,

    /// Minimum posts in a département, as DEP=N (repeatable), e.g. --floor 59=40.
    #[arg(long = "floor", value_name = "DEP=N")]
    pub floors: Vec<String>,

    /// Posts already placed and kept where they are: an allocation file (insee,posts,
    /// plan.csv or a structure list, as `evaluate --allocation`) or cnfs-2021. They count
    /// within --posts and the budget.
    #[arg(long, value_name = "FILE|cnfs-2021")]
    pub fixed: Option<String>,

    /// Continuity: the current plan (a plan.csv, or any allocation format of `evaluate`); the
    /// new plan starts from it and writes changes.csv.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<String>,

    /// Continuity: posts that may leave their site of --previous, at most (default: any).
    /// --solver mip refuses it (its model has no row for moved posts).
    #[arg(long = "max-moves", value_name = "N", requires = "previous")]
    pub max_moves: Option<u32>,

    /// Scenario file (TOML) holding any of these options; flags given here override it
    /// (repeatable ones, such as --floor, add to its lists). See scenarios/.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    /// Only these kinds of host may receive posts (repeatable): france_services,
    /// conseiller_numerique, lieu_mediation, mairie. Default: all.
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<HostKind>,

    /// Floors from an allocation: each département gets at least the posts the allocation
    /// (same formats as `evaluate --allocation`, or cnfs-2021) has there.
    #[arg(long = "floors-from", value_name = "FILE|cnfs-2021")]
    pub floors_from: Option<String>,

    /// Maximum posts in a département, as DEP=N (repeatable).
    #[arg(long = "cap", value_name = "DEP=N")]
    pub caps: Vec<String>,

    /// What to maximise: attendance (decay-weighted people served by capacitated posts, with
    /// diminishing returns) or coverage (need within the bound of at least one of --posts
    /// open town halls: the maximal covering location problem, as PySAL spopt's MCLP).
    #[arg(long, value_name = "KIND", default_value = "attendance")]
    pub objective: ObjectiveKind,

    /// Time budget of the LP and MIP solves, seconds. Coverage mode keeps the best plan found
    /// by then; attendance mode keeps the greedy plan and its flows (and says so) if the flow
    /// LP is not solved, still bounded by the Lagrangian.
    #[arg(long = "time-limit-s", value_name = "SECONDS", default_value_t = 60.0)]
    pub time_limit_s: f64,

    /// Solver: lp (greedy posts, optimal flows with HiGHS, local search, LP or Lagrangian bound; never worse than greedy), greedy, or mip (lp, then HiGHS branch and cut over the sites the relaxation and the plan use for 3/4 of the time left, then over all sites for a bound that sees whole posts; above 400,000 pairs, one département at a time).
    #[arg(long, value_name = "SOLVER", default_value = "lp")]
    pub solver: SolverKind,

    #[command(flatten)]
    pub scope: ScopeOptions,
}

/// Travel, need, area and map options, shared by `plan` and `evaluate`.
#[derive(Debug, Args)]
pub struct ScopeOptions {
    #[command(flatten)]
    pub travel: TravelOptions,

    #[command(flatten)]
    pub need: NeedOptions,

    #[command(flatten)]
    pub area: AreaOptions,

    #[command(flatten)]
    pub map: MapOptions,
}

/// The cost, capacity and value of a post, shared by `plan` and `evaluate`.
#[derive(Debug, Args)]
pub struct ModelOptions {
    /// Cost of one post in euros (a minimum wage for two years), where nothing else gives it.
    #[arg(long = "cost-per-post-eur", value_name = "EUR", default_value_t = 50_000.0)]
    pub cost_per_post_eur: f64,

    /// People one post serves over the horizon (600 a year for 2 years, ANCT 2022).
    #[arg(long = "capacity-per-post", value_name = "PEOPLE", default_value_t = 1200.0)]
    pub capacity_per_post: f64,

    /// Distance decay: step, linear (to --decay-at-bound at the bound) or exponential.
    #[arg(long, value_name = "KIND", default_value = "linear")]
    pub decay: DecayKind,

    /// Weight of a trip at the bound with --decay linear.
    #[arg(long = "decay-at-bound", value_name = "W", default_value_t = 0.5)]
    pub decay_at_bound: f64,

    /// Half-life in minutes with --decay exponential.
    #[arg(long = "half-life-min", value_name = "MINUTES", default_value_t = 20.0)]
    pub half_life_min: f64,

    /// Switch off diminishing returns (each person served counts the same, wherever).
    #[arg(long = "no-diminishing-returns")]
    pub no_diminishing_returns: bool,
}

/// Restricts the whole run (need, candidates, optimisation) to some départements or regions.
#[derive(Debug, Args)]
pub struct AreaOptions {
    /// Solve only within this département (repeatable): its units and candidates alone, as if
    /// the rest of France did not exist. 59, 2A, 971…
    #[arg(long = "within-departement", value_name = "DEP")]
    pub within_departements: Vec<String>,

    /// Solve only within this region, by COG code (repeatable): 32 for Hauts-de-France…
    #[arg(long = "region", value_name = "REG")]
    pub regions: Vec<String>,
}

/// Which départements the maps and the report show.
#[derive(Debug, Args)]
pub struct MapOptions {
    /// Write sites.geojson, communes.geojson and report.html for this département only
    /// (repeatable; 59, 2A, 971…). The plan itself stays national: a prefecture's extract.
    #[arg(long = "departement", value_name = "DEP")]
    pub departements: Vec<String>,
}

/// Distance-decay kinds.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DecayKind {
    /// Weight 1 within the bound.
    Step,
    /// Linear fall to --decay-at-bound.
    Linear,
    /// Halves every --half-life-min minutes.
    Exponential,
}

/// Objectives.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ObjectiveKind {
    /// Decay-weighted people served.
    Attendance,
    /// Maximal covering.
    Coverage,
}

/// Host kinds, as in plan.csv.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum HostKind {
    /// France Services.
    FranceServices,
    /// Conseiller numérique permanence.
    ConseillerNumerique,
    /// Other mediation place.
    LieuMediation,
    /// Town hall.
    Mairie,
}

/// Solver choices.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SolverKind {
    /// Greedy posts, optimal flows (HiGHS), local search, LP or Lagrangian bound.
    Lp,
    /// Greedy baseline.
    Greedy,
    /// lp, then HiGHS's branch and cut within --time-limit-s: over the sites the relaxation
    /// and the plan use (a better plan), then over every site (a bound that sees whole posts).
    /// Above 400,000 pairs (a region, the nation) the first part runs one département at a
    /// time, the others' posts fixed, and the bound stays the Lagrangian's: give it about a
    /// minute per département. When the time limit stops it, the result depends on the machine.
    Mip,
}

/// Options of `maillage reach`.
#[derive(Debug, Args)]
pub struct ReachArgs {
    /// Output CSV (`insee,candidate,kind,candidate_insee,minutes`), written atomically.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub travel: TravelOptions,
}

/// Travel-model options shared by every command that needs reach.
#[derive(Debug, Args)]
pub struct TravelOptions {
    /// Travel bound in minutes: a site farther than this does not serve a unit.
    #[arg(long, value_name = "MINUTES", default_value_t = 30.0, value_parser = minutes)]
    pub bound: f64,

    /// Imported travel-time matrix: CSV origin,destination,minutes between INSEE codes (as
    /// produced by OSRM or Valhalla). Replaces the crow-flies model; absent pairs are unreachable.
    #[arg(long, value_name = "FILE")]
    pub od: Option<PathBuf>,

    /// Crow-flies model: road distance / great-circle distance.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.3, value_parser = detour)]
    pub detour: f64,

    /// Crow-flies model: speeds by density, as `MAX_DENSITY:KMH` pairs by increasing density
    /// (inhabitants/km², km/h); the last band applies above its bound too.
    #[arg(long, value_name = "BANDS", default_value = "100:60,1000:45,5000:30,inf:20", value_parser = speed_bands)]
    pub speeds: SpeedBands,
}

/// Options of `maillage need`.
#[derive(Debug, Args)]
pub struct NeedArgs {
    /// Output CSV (`insee,nom,dep,reg,zone,epci_siren,population,need`,…), written atomically.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub need: NeedOptions,
}

/// Need-model options shared by every command that scores need.
#[derive(Debug, Args)]
pub struct NeedOptions {
    /// Illectronisme rate of people aged 15+ in metropolitan France, in percent.
    #[arg(long, value_name = "PCT", default_value_t = 15.4, value_parser = percent)]
    pub rate: f64,

    /// Illectronisme rate of people aged 15+ in the DROM, in percent.
    #[arg(long = "rate-drom", value_name = "PCT", default_value_t = 20.0, value_parser = percent)]
    pub rate_drom: f64,

    /// Your own need estimates: CSV with columns insee,need (other columns ignored). Units it
    /// does not list get zero need.
    #[arg(long = "need", value_name = "FILE")]
    pub need_file: Option<PathBuf>,
}

fn percent(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a percentage between 0 and 100, got {s:?}")),
    }
}

/// Parsed `--speeds` value (a newtype so clap takes it as one value, not a list).
#[derive(Debug, Clone)]
pub struct SpeedBands(pub Vec<SpeedBand>);

fn minutes(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1440.0 => Ok(v),
        _ => Err(format!("expected a number of minutes in (0, 1440], got {s:?}")),
    }
}

fn detour(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (1.0..=5.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a detour factor between 1 and 5, got {s:?}")),
    }
}

fn speed_bands(s: &str) -> Result<SpeedBands, String> {
    maillage::spatial::parse_speed_bands(s).map(SpeedBands)
}
