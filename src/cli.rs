//! Command-line interface (clap derive). The `///` docs are the `--help` text.

// `///` docs here are --help text, where backticks would print as such.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use maillage::SiteKind;
use maillage::spec::{AllocationSource, DecayKind, Method, Objective, PlanSpec};

/// Plan where France places its conseillers numériques.
///
/// maillage scores the digitally excluded people of every commune (arrondissement in Paris,
/// Lyon and Marseille), finds which host sites they can reach within a travel bound, and
/// places the advisor posts. With no --data it uses the embedded national data.
#[derive(Debug, Parser)]
#[command(name = "maillage", version, args_override_self = true)]
pub struct Cli {
    /// Data directory holding communes.csv, `ifn_communes.csv`, `inclusion_sites.csv`… (default:
    /// the national data compiled into the binary, as data/ was when it was built).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Worker threads, 1 to 1024 (default: one per core). Outputs do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

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
    Plan(Box<PlanArgs>),

    /// Measure an existing allocation with the same measures as a plan.
    ///
    /// --allocation reads a CSV `insee,posts[,cost]`, a maillage plan.csv, or a list of host
    /// structures such as the real 2021–22 CnFS allocation (`insee_2026,postes_attribues,
    /// investissement_etat_eur`…), as is; `--allocation cnfs-2021` evaluates the embedded one.
    /// Writes the same files as `plan`.
    Evaluate(Box<EvaluateArgs>),

    /// Validate scenario files (TOML) without solving: `maillage scenario check FILE…`.
    #[command(subcommand)]
    Scenario(ScenarioCommand),

    /// Run many scenarios in parallel, each independent, and summarise them.
    ///
    /// Every .toml file given, or found in a folder given, is planned into --out/NAME/; a
    /// scenario that fails (bad file, infeasible) is reported and the others finish. Writes
    /// batch_summary.csv and prints the table; the exit code is non-zero if any failed.
    Batch(BatchArgs),

    /// Sweep posts, money or a coverage target and plan each point: the trade-off curve.
    ///
    /// Takes the options of `plan`, one of them a sweep FROM:TO:STEP: `--posts 1000:6000:500`
    /// (the budget follows: posts × cost per post), `--budget-eur 50e6:300e6:25e6` (the posts
    /// follow: as many as the money pays for) or, with --objective min-posts,
    /// `--target-coverage 0.90:0.99:0.01`. Builds the instance once and writes frontier.csv
    /// (one row a point), frontier.svg and report.html into --out [default: maillage-frontier].
    /// A sweep of posts or money runs the greedy once (each point's plan is the one `plan
    /// --posts N` gives) and gives each point's bound 150 Lagrangian steps (a plan: 300).
    Frontier(Box<PlanArgs>),

    /// Solve the plan again under perturbed assumptions: which measures and posts hold.
    ///
    /// Takes the options of `plan` and solves 8 variants on the same instance: the plan
    /// itself, speeds −20% and +20%, need −20% and +20% (the illectronisme rates, or the need
    /// file), the other IFN score (score_global for competences_numeriques_scolaires), and
    /// capacity per post −20% and +20%. Writes into --out [default: maillage-sensitivity]
    /// sensitivity.csv (one row a variant: the headline measures, and the share of the
    /// plan's posts kept at the same site, commune and EPCI), stability.csv (the same per
    /// département), sites.csv (each site's posts in every variant) and report.html.
    Sensitivity(Box<PlanArgs>),

    /// Put two plans side by side: headline measures, per-département and per-site differences.
    ///
    /// A and B are output folders of `plan` or `evaluate`. Writes compare.json,
    /// compare_departements.csv and compare_sites.csv into --out.
    Compare(CompareArgs),

    /// Write what a routing engine (OSRM, Valhalla) must compute for a road matrix.
    ///
    /// For every commune, the communes whose candidate sites lie within the crow-fly radius
    /// the travel bound allows, packed into requests of at most --max-locations points.
    /// Writes into --out: requests.csv (each request's answer file and the INSEE codes of its
    /// rows and columns), points.csv, osrm.tsv and valhalla.tsv (the requests), and
    /// fetch-osrm.sh / fetch-valhalla.sh, which send them and save the answers in responses/.
    /// Then `maillage plan --od DIR/requests.csv` reads the answers.
    OdRequests(OdRequestsArgs),

    /// Check the travel model against published access figures, and fit its speeds.
    ///
    /// Recomputes, for each published share of the population within 20 or 30 minutes of a
    /// France Services site (sources in docs/travel.md), the model's share over every commune
    /// (its population at its point; a site in the commune is reached at once). With --fit,
    /// finds the factor on every speed band that comes closest to the fitted figures. Takes
    /// --detour and --speeds (or --od, to check a road matrix).
    Calibrate(CalibrateArgs),

    /// The web app: a local HTTP server with the scenario form, the runs, their maps and
    /// files, comparisons and a département's extract (open the address it prints).
    Serve(ServeArgs),
}

/// Options of `maillage od-requests`.
#[derive(Debug, Args)]
pub struct OdRequestsArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub travel: TravelOptions,

    /// Crow-fly radius in km. Default: what the bound allows at the travel model's fastest
    /// speed; a road network's motorways go farther (at 130 km/h, 30 minutes cover up to 65 km).
    #[arg(long = "radius-km", value_name = "KM")]
    pub radius_km: Option<f64>,

    /// Most points in one request (sources + destinations): 100 is osrm-routed's default
    /// --max-table-size.
    #[arg(long = "max-locations", value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub max_locations: u32,

    /// Only the communes of these départements (repeatable), as origins and destinations.
    #[arg(long = "within-departement", value_name = "DEP")]
    pub within_departements: Vec<String>,

    /// Only the communes of these regions (COG code, repeatable).
    #[arg(long = "region", value_name = "REG")]
    pub regions: Vec<String>,
}

/// Options of `maillage calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub travel: TravelOptions,

    /// Fit the speeds: every band × one factor, the one that minimises the squared error over
    /// the fitted figures (the detour is kept).
    #[arg(long)]
    pub fit: bool,

    /// Also write the table as CSV: figure, minutes, published, model[, fitted].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Options of `maillage serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Anything but a loopback address needs --token.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,

    /// Folder of the runs: one folder per run (its scenario.toml, run.json and outputs), listed
    /// again after a restart.
    #[arg(long, value_name = "DIR", default_value = "maillage-runs")]
    pub runs: PathBuf,

    /// Runs solved at the same time (default: one per 2 cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,

    /// Token every request must carry (header `Authorization: Bearer T`, or `?token=T` in the
    /// address opened in the browser); required with a non-loopback --bind. Default: the
    /// MAILLAGE_TOKEN environment variable.
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
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

        /// Merge an incomplete set of shards (refused otherwise, naming the missing ones);
        /// the table says which shards it holds and is marked partial.
        #[arg(long)]
        partial: bool,
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
    pub allocation: AllocationSource,

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

    /// Compare plans made on different inputs (data, need, travel times…: the SHA-256 in
    /// their summary.json differ); the inputs that differ are printed. Refused otherwise.
    #[arg(long = "allow-different-inputs")]
    pub allow_different_inputs: bool,
}

/// Options of `maillage plan`. Every value goes into one [`PlanSpec`] (over the scenario
/// file's, if any) and through its one check.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario file (TOML) holding any of these options; flags given here override it
    /// (repeatable ones, such as --floor, add to its lists). See scenarios/.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,

    /// Output directory for plan.csv, units.csv, departements.csv, summary.json,
    /// sites.geojson, communes.geojson and report.html, written as one set. [default: maillage-out]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Name of the plan: the report's title (a scenario file's default: its file name).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    /// What the plan is for (shown in the report).
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// Posts to place (fixed ones included). `maillage frontier` takes a sweep FROM:TO:STEP
    /// (the budget then follows: posts × cost per post).
    #[arg(long, value_name = "N", value_parser = sweep::<u32>)]
    pub posts: Option<Sweep<u32>>,

    /// Budget in euros (fixed posts included). `maillage frontier` takes a sweep
    /// FROM:TO:STEP (the posts then follow: as many as the budget pays for).
    #[arg(long = "budget-eur", value_name = "EUR", value_parser = sweep::<f64>)]
    pub budget_eur: Option<Sweep<f64>>,

    /// Most posts one site may host.
    #[arg(long = "max-posts-per-site", value_name = "N")]
    pub max_posts_per_site: Option<u32>,

    #[command(flatten)]
    pub model: ModelOptions,

    /// Minimum posts in a département, as DEP=N (repeatable), e.g. --floor 59=40.
    #[arg(long = "floor", value_name = "DEP=N", value_parser = dep_limit)]
    pub floors: Vec<(String, u32)>,

    /// Maximum posts in a département, as DEP=N (repeatable).
    #[arg(long = "cap", value_name = "DEP=N", value_parser = dep_limit)]
    pub caps: Vec<(String, u32)>,

    /// Floors from an allocation: each département gets at least the posts the allocation
    /// (same formats as `evaluate --allocation`, or cnfs-2021) has there; with --floor, the
    /// larger of the two.
    #[arg(long = "floors-from", value_name = "FILE|cnfs-2021")]
    pub floors_from: Option<AllocationSource>,

    /// Posts already placed and kept where they are: an allocation file (insee,posts,
    /// plan.csv or a structure list, as `evaluate --allocation`) or cnfs-2021. They count
    /// within --posts and the budget.
    #[arg(long, value_name = "FILE|cnfs-2021")]
    pub fixed: Option<AllocationSource>,

    /// Continuity: the current plan (a plan.csv, or any allocation format of `evaluate`); the
    /// new plan starts from it and writes changes.csv.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,

    /// Continuity: posts that may leave their site of --previous, at most (default: any).
    /// --solver mip refuses it (its model has no row for moved posts).
    #[arg(long = "max-moves", value_name = "N")]
    pub max_moves: Option<u32>,

    /// Continuity: place N more posts on top of --previous, where they add the most, moving
    /// none of its posts ("where do the next N posts go"). The posts are the previous plan's
    /// and N more; while --budget-eur is left at its default, the budget is the previous
    /// plan's posts and N more at --cost-per-post-eur.
    #[arg(long, value_name = "N")]
    pub add: Option<u32>,

    /// Only these kinds of host may receive posts (repeatable). Default: all.
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<SiteKind>,

    /// What to optimise. attendance: people served, capacitated; coverage (MCLP), min-posts
    /// (LSCP), travel (p-median) and max-travel (p-center) open sites of one post each (town
    /// halls unless --kind) through the exact covering engine, honouring posts, budget,
    /// floors, caps, fixed posts and continuity.
    #[arg(long, value_name = "KIND")]
    pub objective: Option<Objective>,

    /// With --objective min-posts: the share of the need to put within the bound of a post,
    /// in (0, 1]. `maillage frontier` takes a sweep FROM:TO:STEP. [default: 1]
    #[arg(long = "target-coverage", value_name = "SHARE", value_parser = sweep::<f64>)]
    pub target_coverage: Option<Sweep<f64>>,

    /// Time budget of the LP and MIP solves, seconds. The covering objectives need their
    /// relaxation solved within it (nationally, allow 120) and keep the best plan found by
    /// then; attendance mode keeps the greedy plan and its flows (and says so) if the flow LP
    /// is not solved, still bounded by the Lagrangian.
    #[arg(long = "time-limit-s", value_name = "SECONDS")]
    pub time_limit_s: Option<f64>,

    /// Solver. When --time-limit-s stops mip, the result depends on the machine.
    #[arg(long, value_name = "SOLVER")]
    pub solver: Option<Method>,

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
    #[arg(long = "cost-per-post-eur", value_name = "EUR")]
    pub cost_per_post_eur: Option<f64>,

    /// People one post serves over the horizon (600 a year for 2 years, ANCT 2022).
    #[arg(long = "capacity-per-post", value_name = "PEOPLE")]
    pub capacity_per_post: Option<f64>,

    /// Distance decay.
    #[arg(long, value_name = "KIND")]
    pub decay: Option<DecayKind>,

    /// Weight of a trip at the bound with --decay linear, in [0, 1].
    #[arg(long = "decay-at-bound", value_name = "W")]
    pub decay_at_bound: Option<f64>,

    /// Half-life in minutes with --decay exponential.
    #[arg(long = "half-life-min", value_name = "MINUTES")]
    pub half_life_min: Option<f64>,

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

    /// Do not write plan.xlsx (the tables as a spreadsheet, beside the CSVs).
    #[arg(long = "no-xlsx")]
    pub no_xlsx: bool,

    /// Also print report.pdf (A4 pages: the map first, then the tables) through headless
    /// Chromium, which must be installed (Debian package `chromium`, or MAILLAGE_CHROMIUM).
    #[arg(long = "pdf")]
    pub pdf: bool,
}

fn dep_limit(s: &str) -> Result<(String, u32), String> {
    let (dep, n) = s.split_once('=').ok_or_else(|| format!("expected DEP=N, e.g. 59=40, got {s:?}"))?;
    let n = n.trim().parse().map_err(|_| format!("expected a whole number of posts after '=', got {s:?}"))?;
    Ok((dep.trim().to_owned(), n))
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
    #[arg(long, value_name = "MINUTES")]
    pub bound: Option<f64>,

    /// Imported travel-time matrix: CSV origin,destination,minutes between INSEE codes, or a
    /// requests.csv listing OSRM table / Valhalla matrix JSON answers (`maillage od-requests`).
    /// Replaces the crow-flies model; absent pairs are unreachable.
    #[arg(long, value_name = "FILE")]
    pub od: Option<PathBuf>,

    /// Crow-flies model: road distance / great-circle distance.
    #[arg(long, value_name = "FACTOR")]
    pub detour: Option<f64>,

    /// Crow-flies model: speeds by density, as `MAX_DENSITY:KMH` pairs by increasing density
    /// (inhabitants/km², km/h); the last band applies above its bound too.
    #[arg(long, value_name = "BANDS")]
    pub speeds: Option<String>,
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
    #[arg(long, value_name = "PCT")]
    pub rate: Option<f64>,

    /// Illectronisme rate of people aged 15+ in the DROM, in percent.
    #[arg(long = "rate-drom", value_name = "PCT")]
    pub rate_drom: Option<f64>,

    /// The IFN score that modulates the rate: competences_numeriques_scolaires (built from
    /// the share of people aged 65+ and education; follows INSEE's measured rates) or
    /// score_global (adds broadband access and administrative skills).
    #[arg(long = "ifn-score", value_name = "SCORE")]
    pub ifn_score: Option<maillage::IfnScore>,

    /// Your own need estimates: CSV with columns insee,need (other columns ignored). Units it
    /// does not list get zero need.
    #[arg(long = "need", value_name = "FILE")]
    pub need_file: Option<PathBuf>,
}

/// The command line with each spec option's default shown in its help (the defaults are
/// [`PlanSpec::default`]'s, not a copy of them).
#[must_use]
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let defaults: Vec<(&str, String)> = maillage::spec::to_args(&PlanSpec::default())
        .into_iter()
        .filter_map(|(flag, v)| Some((flag.trim_start_matches('-'), v?)))
        .collect();
    let show = |mut cmd: clap::Command| {
        let ids: Vec<(clap::Id, String)> = cmd
            .get_arguments()
            .filter_map(|a| {
                let d = defaults.iter().find(|(long, _)| a.get_long() == Some(*long))?;
                Some((a.get_id().clone(), d.1.clone()))
            })
            .collect();
        for (id, default) in ids {
            cmd = cmd.mut_arg(id, |a| {
                let help = a.get_help().map(ToString::to_string).unwrap_or_default();
                a.help(format!("{help} [default: {default}]"))
            });
        }
        cmd
    };
    let mut cmd = Cli::command();
    // Negative values reach the spec's check, which names what is expected.
    for name in ["plan", "evaluate", "need", "reach"] {
        cmd = cmd.mut_subcommand(name, |c| show(c).allow_negative_numbers(true));
    }
    cmd
}

/// Keys of the options a command line sets, so that an error on one of them is not placed
/// in the scenario file.
pub type SetKeys = Vec<&'static str>;

/// One value, or a sweep `FROM:TO:STEP` (`maillage frontier`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sweep<T> {
    /// One value.
    One(T),
    /// From, to (included when the steps reach it), step.
    Range(T, T, T),
}

impl<T: Copy> Sweep<T> {
    /// The value, if one.
    pub fn single(self) -> Option<T> {
        match self {
            Sweep::One(v) => Some(v),
            Sweep::Range(..) => None,
        }
    }
}

/// Parses `V` or `FROM:TO:STEP` (FROM ≤ TO, STEP > 0).
fn sweep<T>(text: &str) -> Result<Sweep<T>, String>
where
    T: std::str::FromStr + PartialOrd + Default + Copy,
    T::Err: std::fmt::Display,
{
    let parse = |s: &str| s.trim().parse::<T>().map_err(|e| format!("{s:?}: {e}"));
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [one] => parse(one).map(Sweep::One),
        [from, to, step] => {
            let (from, to, step) = (parse(from)?, parse(to)?, parse(step)?);
            if !(from <= to && step > T::default()) {
                return Err(format!("{text:?}: expected FROM:TO:STEP with FROM ≤ TO and STEP > 0"));
            }
            Ok(Sweep::Range(from, to, step))
        }
        _ => Err(format!("{text:?}: expected a value, or FROM:TO:STEP")),
    }
}

fn set<T>(slot: &mut T, value: Option<T>, key: &'static str, keys: &mut SetKeys) {
    if let Some(v) = value {
        *slot = v;
        keys.push(key);
    }
}

impl PlanArgs {
    /// Writes the options given into `spec` (lists are added to).
    pub fn apply(&self, spec: &mut PlanSpec, keys: &mut SetKeys) {
        set(&mut spec.outputs.out, self.out.clone().map(Some), "outputs.out", keys);
        set(&mut spec.name, self.name.clone().map(Some), "name", keys);
        set(&mut spec.description, self.description.clone().map(Some), "description", keys);
        set(&mut spec.posts, self.posts.and_then(Sweep::single), "posts", keys);
        set(&mut spec.budget_eur, self.budget_eur.and_then(Sweep::single), "budget_eur", keys);
        set(&mut spec.max_posts_per_site, self.max_posts_per_site, "max_posts_per_site", keys);
        set(&mut spec.objective, self.objective, "objective", keys);
        set(&mut spec.target_coverage, self.target_coverage.and_then(Sweep::single), "target_coverage", keys);
        set(&mut spec.solver, self.solver, "solver", keys);
        set(&mut spec.time_limit_s, self.time_limit_s, "time_limit_s", keys);
        set(&mut spec.limits.floors_from, self.floors_from.clone().map(Some), "limits.floors_from", keys);
        set(&mut spec.limits.fixed_from, self.fixed.clone().map(Some), "limits.fixed_from", keys);
        set(&mut spec.continuity.previous, self.previous.clone().map(Some), "continuity.previous", keys);
        set(&mut spec.continuity.max_moves, self.max_moves.map(Some), "continuity.max_moves", keys);
        set(&mut spec.continuity.add, self.add.map(Some), "continuity.add", keys);
        for (key, list, given) in [
            ("limits.floors", &mut spec.limits.floors, &self.floors),
            ("limits.caps", &mut spec.limits.caps, &self.caps),
        ] {
            if !given.is_empty() {
                list.extend(given.iter().cloned());
                keys.push(key);
            }
        }
        if !self.kinds.is_empty() {
            spec.candidates.kinds.extend(self.kinds.iter().copied());
            keys.push("candidates.kinds");
        }
        self.model.apply(spec, keys);
        self.scope.apply(spec, keys);
    }
}

impl ModelOptions {
    /// Writes the options given into `spec`.
    pub fn apply(&self, spec: &mut PlanSpec, keys: &mut SetKeys) {
        set(&mut spec.cost_per_post_eur, self.cost_per_post_eur, "cost_per_post_eur", keys);
        set(&mut spec.capacity_per_post, self.capacity_per_post, "capacity_per_post", keys);
        set(&mut spec.value.decay, self.decay, "value.decay", keys);
        set(&mut spec.value.decay_at_bound, self.decay_at_bound, "value.decay_at_bound", keys);
        set(&mut spec.value.half_life_min, self.half_life_min, "value.half_life_min", keys);
        if self.no_diminishing_returns {
            spec.value.diminishing_returns = false;
            keys.push("value.diminishing_returns");
        }
    }
}

impl ScopeOptions {
    /// Writes the options given into `spec`.
    pub fn apply(&self, spec: &mut PlanSpec, keys: &mut SetKeys) {
        self.travel.apply(spec, keys);
        self.need.apply(spec, keys);
        for (key, list, given) in [
            ("area.within_departements", &mut spec.area.within_departements, &self.area.within_departements),
            ("area.regions", &mut spec.area.regions, &self.area.regions),
            ("outputs.departements", &mut spec.outputs.departements, &self.map.departements),
        ] {
            if !given.is_empty() {
                list.extend(given.iter().cloned());
                keys.push(key);
            }
        }
        if self.map.no_xlsx {
            spec.outputs.xlsx = false;
            keys.push("outputs.xlsx");
        }
        if self.map.pdf {
            spec.outputs.pdf = true;
            keys.push("outputs.pdf");
        }
    }
}

impl TravelOptions {
    /// Writes the options given into `spec`.
    pub fn apply(&self, spec: &mut PlanSpec, keys: &mut SetKeys) {
        set(&mut spec.travel.bound_min, self.bound, "travel.bound_min", keys);
        set(&mut spec.travel.od, self.od.clone().map(Some), "travel.od", keys);
        set(&mut spec.travel.detour, self.detour, "travel.detour", keys);
        set(&mut spec.travel.speeds, self.speeds.clone(), "travel.speeds", keys);
    }
}

impl NeedOptions {
    /// Writes the options given into `spec`.
    pub fn apply(&self, spec: &mut PlanSpec, keys: &mut SetKeys) {
        set(&mut spec.need.rate_pct, self.rate, "need.rate_pct", keys);
        set(&mut spec.need.rate_drom_pct, self.rate_drom, "need.rate_drom_pct", keys);
        set(&mut spec.need.ifn_score, self.ifn_score, "need.ifn_score", keys);
        set(&mut spec.need.file, self.need_file.clone().map(Some), "need.file", keys);
    }
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
