//! Runs each subcommand: load, compute, write, print the summary.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, Result};
use maillage::report::{need_totals, write_atomic, write_need_table, write_reach_table};
use maillage::spatial::{CrowFlies, Reach, SiteIndex, TravelTime, build_reach};
use maillage::{DataFiles, Dataset, NeedModel, NeedScores, NeedSource, load, score_need};

use crate::cli::{
    AreaOptions, BatchArgs, Cli, Command, CompareArgs, DecayKind, EvaluateArgs, HostKind, MapOptions, ModelOptions,
    NeedArgs, NeedOptions, ObjectiveKind, PlanArgs, ReachArgs, ScenarioCommand, SolverKind, TravelOptions,
};

pub fn run(cli: Cli) -> Result<()> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("setting up worker threads")?;
    }
    let files = cli.data.map_or_else(DataFiles::embedded, |dir| DataFiles { dir });
    match cli.command {
        Command::Need(args) => need(&files, &args),
        Command::Reach(args) => reach(&files, &args),
        Command::Plan(args) => plan(&files, &args),
        Command::Evaluate(args) => evaluate(&files, &args),
        Command::Compare(args) => compare(&args),
        Command::Scenario(ScenarioCommand::Check { files: scenarios }) => check_scenarios(&files, &scenarios),
        Command::Batch(args) => batch(&files, &args),
    }
}

fn load_dataset(files: &DataFiles) -> Result<Dataset> {
    let data = Dataset::load(files).with_context(|| format!("loading the data directory {}", files.dir.display()))?;
    let r = &data.units_report;
    eprintln!(
        "{} demand units ({} cities split into arrondissements; {} COM communes left out: no polygons, no fragility data)",
        data.units.len(),
        r.cities_split,
        r.com_left_out
    );
    Ok(data)
}

fn score(data: &Dataset, opts: &NeedOptions) -> Result<NeedScores> {
    let model = NeedModel { rate_metro: opts.rate / 100.0, rate_drom: opts.rate_drom / 100.0, ..NeedModel::default() };
    let file = opts
        .need_file
        .as_deref()
        .map(|p| load::load_need_file(p, data).context("reading the need file"))
        .transpose()?;
    Ok(score_need(&data.units, &model, file.as_ref()))
}

fn need(files: &DataFiles, args: &NeedArgs) -> Result<()> {
    let start = Instant::now();
    let data = load_dataset(files)?;
    let need = score(&data, &args.need)?;
    write_atomic(&args.out, |w| write_need_table(w, &data.units, &need))?;

    let (all, by_zone) = need_totals(&data.units, &need);
    println!("Besoin (personnes en situation d'illectronisme)");
    println!("  {:<8} {:>8} {:>12} {:>12} {:>7}", "zone", "unités", "population", "besoin", "taux");
    for (zone, t) in by_zone.iter().map(|(z, t)| (*z, t)).chain([("total", &all)]) {
        let share = if t.population > 0 { 100.0 * t.need / t.population as f64 } else { 0.0 };
        println!("  {zone:<8} {:>8} {:>12} {:>12.0} {share:>6.2}%", t.units, t.population, t.need);
    }
    if args.need.need_file.is_some() {
        println!(
            "  need file: {} units given, {} units not listed (need 0)",
            need.count(NeedSource::File),
            need.count(NeedSource::NotInFile)
        );
    } else {
        println!(
            "  rates {:.2}% (metro), {:.2}% (DROM); {} units without IFN score counted at fragility 100",
            args.need.rate,
            args.need.rate_drom,
            need.count(NeedSource::ModelNoFragility)
        );
    }
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}

/// Builds the index and the unit → candidate reach with the chosen travel model.
fn reach_of(data: &Dataset, opts: &TravelOptions) -> Result<Reach> {
    let travel: Box<dyn TravelTime> = match &opts.od {
        Some(path) => {
            let m = load::load_od_matrix(path, data).context("reading the travel-time matrix")?;
            eprintln!("travel times: {} origin-destination pairs from {}", m.len(), path.display());
            Box::new(m)
        }
        None => Box::new(CrowFlies { detour: opts.detour, speeds: opts.speeds.0.clone() }),
    };
    let index = SiteIndex::build(data.candidates.iter().map(|c| c.point));
    Ok(build_reach(&data.units, &data.candidates, &index, travel.as_ref(), opts.bound))
}

fn print_candidates(data: &Dataset) {
    let r = &data.candidates_report;
    eprintln!(
        "{} candidates: {} existing sites ({} records merged within 50 m, {} without coordinates, {} outside the units) and {} town halls",
        data.candidates.len(),
        r.sites_kept,
        r.sites_merged,
        r.sites_without_point,
        r.sites_outside_units,
        r.mairies
    );
}

fn reach(files: &DataFiles, args: &ReachArgs) -> Result<()> {
    let start = Instant::now();
    let data = load_dataset(files)?;
    print_candidates(&data);
    let reach = reach_of(&data, &args.travel)?;
    write_atomic(&args.out, |w| write_reach_table(w, &data, &reach))?;
    let reached = (0..data.units.len()).filter(|&u| !reach.of(maillage::UnitIdx(u as u32)).is_empty()).count();
    println!(
        "{} unit → candidate pairs within {} minutes; {} of {} units reach at least one candidate",
        reach.pair_count(),
        args.travel.bound,
        reached,
        data.units.len()
    );
    println!("wrote {} ({:.1} s)", args.out.display(), start.elapsed().as_secs_f64());
    Ok(())
}

fn dep_limits(data: &Dataset, flag: &str, values: &[String]) -> Result<std::collections::BTreeMap<String, u32>> {
    let mut out = std::collections::BTreeMap::new();
    for v in values {
        let (dep, n) =
            v.split_once('=').with_context(|| format!("--{flag} {v:?}: expected DEP=N, e.g. --{flag} 59=40"))?;
        let n: u32 =
            n.trim().parse().with_context(|| format!("--{flag} {v:?}: expected a whole number of posts after '='"))?;
        anyhow::ensure!(
            data.units.iter().any(|u| u.dep == dep.trim()),
            "--{flag} {v:?}: département {:?} is not in the data (codes keep their zero: 01, 2A, 971)",
            dep.trim()
        );
        out.insert(dep.trim().to_owned(), n);
    }
    Ok(out)
}

/// The plan parameters the model options set (the rest at their defaults).
fn model_params(m: &ModelOptions) -> maillage::optimise::PlanParams {
    use maillage::optimise::{Decay, PlanParams, default_returns};
    PlanParams {
        cost_per_post_eur: m.cost_per_post_eur,
        capacity_per_post: m.capacity_per_post,
        decay: match m.decay {
            DecayKind::Step => Decay::Step,
            DecayKind::Linear => Decay::Linear { at_bound: m.decay_at_bound },
            DecayKind::Exponential => Decay::Exponential { half_life_min: m.half_life_min },
        },
        returns: if m.no_diminishing_returns { Vec::new() } else { default_returns() },
        ..PlanParams::default()
    }
}

fn plan_params(data: &Dataset, args: &PlanArgs) -> Result<maillage::optimise::PlanParams> {
    use maillage::optimise::{self, PlanParams};
    Ok(PlanParams {
        posts: args.posts,
        budget_eur: args.budget_eur,
        max_posts_per_site: args.max_posts_per_site,
        dep_floors: dep_limits(data, "floor", &args.floors)?,
        dep_caps: dep_limits(data, "cap", &args.caps)?,
        time_limit_s: args.time_limit_s,
        objective: match args.objective {
            ObjectiveKind::Attendance => optimise::Objective::Attendance,
            ObjectiveKind::Coverage => optimise::Objective::Coverage,
        },
        host_kinds: args
            .kinds
            .iter()
            .map(|k| match k {
                HostKind::FranceServices => maillage::SiteKind::FranceServices,
                HostKind::ConseillerNumerique => maillage::SiteKind::ConseillerNumerique,
                HostKind::LieuMediation => maillage::SiteKind::LieuMediation,
                HostKind::Mairie => maillage::SiteKind::Mairie,
            })
            .collect(),
        ..model_params(&args.model)
    })
}

fn plan(files: &DataFiles, args: &PlanArgs) -> Result<()> {
    let start = Instant::now();
    let progress = spinner("chargement des données");
    let data = load_dataset(files)?;
    print_candidates(&data);
    let command: Vec<String> = std::env::args().collect();
    let written = plan_on(files, &data, args, &command, &progress, start).with_context(|| match &args.scenario {
        Some(path) => format!("scenario {}", path.display()),
        None => "plan".to_owned(),
    })?;
    progress.finish_and_clear();
    print_summary(&written.summary, args.scope.travel.bound);
    list_written(&written.paths);
    Ok(())
}

/// Plans on data already loaded (`batch` loads it once for every scenario).
fn plan_on(
    files: &DataFiles,
    full: &Dataset,
    args: &PlanArgs,
    command: &[String],
    progress: &indicatif::ProgressBar,
    start: Instant,
) -> Result<Written> {
    use maillage::optimise::{self, Method};

    let data = restrict_area(full.clone(), &args.scope.area)?;
    check_map_departements(&data, &args.scope.map)?;
    let need = score(&data, &args.scope.need)?;
    progress.set_message("accessibilité (R-tree)");
    let reach = reach_of(&data, &args.scope.travel)?;
    let mut params = plan_params(&data, args)?;
    if let Some(source) = &args.floors_from {
        let allocation = read_allocation(&data, source)?;
        for (&j, &x) in &allocation.posts {
            let dep = &data.units[data.candidates[j as usize].unit.get()].dep;
            *params.dep_floors.entry(dep.clone()).or_insert(0) += x;
        }
    }
    if let Some(source) = &args.fixed {
        params.fixed_posts = read_allocation(&data, source)?.posts;
    }
    if let Some(source) = &args.previous {
        params.previous = Some(read_allocation(&data, source)?.posts);
        params.max_moves = args.max_moves;
    }
    let problem = optimise::build_problem(&data, &need, &reach, &params);
    progress.set_message(format!("optimisation ({} paires)", problem.pairs.len()));
    let method = match args.solver {
        SolverKind::Lp => Method::Lp,
        SolverKind::Greedy => Method::Greedy,
        SolverKind::Mip => Method::Mip,
    };
    let plan = optimise::solve(&problem, method)?;
    progress.set_message("cartes et rapport");
    let objective_kind = match args.objective {
        ObjectiveKind::Attendance => "attendance",
        ObjectiveKind::Coverage => "coverage",
    };
    let parameters = vec![
        ("Conseillers".to_owned(), args.posts.to_string()),
        ("Budget".to_owned(), format!("{:.1} M€", args.budget_eur / 1e6)),
        ("Coût d'un poste".to_owned(), format!("{:.0} €", args.model.cost_per_post_eur)),
        ("Personnes par poste".to_owned(), format!("{:.0}", args.model.capacity_per_post)),
        ("Postes par site au plus".to_owned(), args.max_posts_per_site.to_string()),
        ("Temps de trajet maximal".to_owned(), format!("{} min", args.scope.travel.bound)),
        ("Décroissance avec la distance".to_owned(), format!("{:?}", params.decay)),
        (
            "Rendements décroissants".to_owned(),
            if args.model.no_diminishing_returns { "non" } else { "oui" }.to_owned(),
        ),
        ("Objectif".to_owned(), objective_kind.to_owned()),
        ("Planchers".to_owned(), limits_text(&params.dep_floors)),
        ("Plafonds".to_owned(), limits_text(&params.dep_caps)),
    ];
    let extra: Vec<&str> = [&args.scope.need.need_file, &args.scope.travel.od]
        .into_iter()
        .flatten()
        .filter_map(|p| p.to_str())
        .chain([&args.previous, &args.floors_from, &args.fixed].into_iter().flatten().map(String::as_str))
        .chain(args.scenario.iter().filter_map(|p| p.to_str()))
        .collect();
    let mut reproduce = reproduce(files, command, &extra)?;
    if let Some(path) = &args.scenario {
        reproduce.scenario = std::fs::read_to_string(path).ok();
    }
    let outputs =
        Outputs { files, reproduce, data: &data, problem: &problem, plan: &plan, reach: &reach, map: &args.scope.map };
    outputs.write(&args.out, "Plan des conseillers numériques", &parameters, objective_kind, start, progress)
}

fn limits_text(limits: &std::collections::BTreeMap<String, u32>) -> String {
    if limits.is_empty() {
        return "aucun".to_owned();
    }
    limits.iter().map(|(d, n)| format!("{d}={n}")).collect::<Vec<_>>().join(", ")
}

fn spinner(message: &'static str) -> indicatif::ProgressBar {
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    progress.set_message(message);
    progress
}

fn list_written(paths: &[std::path::PathBuf]) {
    for p in paths {
        println!("wrote {}", p.display());
    }
}

/// The embedded real allocation's name on the command line.
const CNFS_2021: &str = "cnfs-2021";

fn read_allocation(data: &Dataset, source: &str) -> Result<load::Allocation> {
    let path = if source == CNFS_2021 {
        DataFiles::embedded().file("cnfs_structures.csv")
    } else {
        std::path::PathBuf::from(source)
    };
    let allocation = load::load_allocation(&path, data).context("reading the allocation")?;
    eprintln!(
        "allocation {}: {} rows, {} posts, {:.1} M€{}{}",
        path.display(),
        allocation.rows,
        allocation.total_posts,
        allocation.total_cost_eur / 1e6,
        if allocation.posts_outside > 0 {
            format!("; {} posts in COM communes left out", allocation.posts_outside)
        } else {
            String::new()
        },
        if allocation.posts_at_city_point > 0 {
            format!(
                "; {} posts of Paris, Lyon, Marseille placed in the arrondissement nearest the city's point (no address in the file)",
                allocation.posts_at_city_point
            )
        } else {
            String::new()
        }
    );
    Ok(allocation)
}

fn evaluate(files: &DataFiles, args: &EvaluateArgs) -> Result<()> {
    use maillage::optimise::{self, PlanParams};

    let start = Instant::now();
    let progress = spinner("chargement des données");
    let full = load_dataset(files)?;
    let allocation = read_allocation(&full, &args.allocation)?;
    // Map the allocation onto the area kept, through candidate ids.
    let data = restrict_area(full.clone(), &args.scope.area)?;
    check_map_departements(&data, &args.scope.map)?;
    let index_of: std::collections::HashMap<&str, u32> =
        data.candidates.iter().enumerate().map(|(j, c)| (c.id.as_str(), j as u32)).collect();
    let mut posts = vec![0u32; data.candidates.len()];
    let mut site_costs = std::collections::BTreeMap::new();
    for (&j, &x) in &allocation.posts {
        if let Some(&k) = index_of.get(full.candidates[j as usize].id.as_str()) {
            posts[k as usize] = x;
            let cost = allocation.cost_eur.get(&j).copied().unwrap_or(args.model.cost_per_post_eur * f64::from(x));
            site_costs.insert(k, cost / f64::from(x));
        }
    }
    let need = score(&data, &args.scope.need)?;
    progress.set_message("accessibilité (R-tree)");
    let reach = reach_of(&data, &args.scope.travel)?;
    let params = PlanParams {
        posts: posts.iter().sum(),
        budget_eur: f64::INFINITY,
        max_posts_per_site: posts.iter().copied().max().unwrap_or(0),
        site_costs,
        ..model_params(&args.model)
    };
    let problem = optimise::build_problem(&data, &need, &reach, &params);
    progress.set_message("flux optimaux de l'allocation");
    let plan = optimise::evaluate_posts(&problem, &posts)?;
    let parameters = vec![
        ("Allocation".to_owned(), args.allocation.clone()),
        ("Structures (lignes)".to_owned(), allocation.rows.to_string()),
        ("Postes dans le fichier".to_owned(), allocation.total_posts.to_string()),
        ("Coût dans le fichier".to_owned(), format!("{:.1} M€", allocation.total_cost_eur / 1e6)),
        ("Personnes par poste".to_owned(), format!("{:.0}", args.model.capacity_per_post)),
        ("Temps de trajet maximal".to_owned(), format!("{} min", args.scope.travel.bound)),
        ("Décroissance avec la distance".to_owned(), format!("{:?}", params.decay)),
    ];
    let command: Vec<String> = std::env::args().collect();
    let extra: Vec<&str> = [&args.scope.need.need_file, &args.scope.travel.od]
        .into_iter()
        .flatten()
        .filter_map(|p| p.to_str())
        .chain(std::iter::once(args.allocation.as_str()))
        .collect();
    let outputs = Outputs {
        files,
        reproduce: reproduce(files, &command, &extra)?,
        data: &data,
        problem: &problem,
        plan: &plan,
        reach: &reach,
        map: &args.scope.map,
    };
    let written =
        outputs.write(&args.out, "Évaluation d'une allocation", &parameters, "attendance", start, &progress)?;
    progress.finish_and_clear();
    println!("Allocation {}: {} structures, {} postes", args.allocation, allocation.rows, allocation.total_posts);
    print_summary(&written.summary, args.scope.travel.bound);
    list_written(&written.paths);
    Ok(())
}

fn compare(args: &CompareArgs) -> Result<()> {
    use maillage::report::{compare_plans, write_dep_diffs, write_site_diffs};
    let a = load::load_plan_outputs(&args.a).with_context(|| format!("reading plan A in {}", args.a.display()))?;
    let b = load::load_plan_outputs(&args.b).with_context(|| format!("reading plan B in {}", args.b.display()))?;
    let c = compare_plans(&a, &b);
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let paths =
        [args.out.join("compare.json"), args.out.join("compare_departements.csv"), args.out.join("compare_sites.csv")];
    maillage::report::write_all_atomic(vec![
        (
            &paths[0],
            Box::new(|w| {
                serde_json::to_writer_pretty(&mut *w, &c)?;
                w.write_all(b"\n")
            }),
        ),
        (&paths[1], Box::new(|w| write_dep_diffs(w, &c))),
        (&paths[2], Box::new(|w| write_site_diffs(w, &c))),
    ])?;
    println!("Comparaison  A = {}  B = {}", args.a.display(), args.b.display());
    println!("  {:<24} {:>14} {:>14} {:>14}", "mesure", "A", "B", "B − A");
    let show = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |x| format!("{x:.4}"));
    for h in &c.headline {
        println!("  {:<24} {:>14} {:>14} {:>14}", h.key, show(h.a), show(h.b), show(h.delta));
    }
    let moved: i64 = c.sites.iter().map(|s| (s.posts_b.cast_signed() - s.posts_a.cast_signed()).abs()).sum();
    let deps_changed = c.departements.iter().filter(|d| d.posts_a != d.posts_b).count();
    println!(
        "  {} sites differ ({moved} posts in absolute difference), {deps_changed} départements change posts",
        c.sites.len()
    );
    list_written(&paths);
    Ok(())
}

/// Checks the --departement codes of the maps against the data.
fn check_map_departements(data: &Dataset, map: &MapOptions) -> Result<()> {
    for d in &map.departements {
        anyhow::ensure!(
            data.units.iter().any(|u| &u.dep == d),
            "--departement {d:?}: no such département in the data (codes keep their zero: 01, 2A, 971)"
        );
    }
    Ok(())
}

/// `changes.csv`: the sites whose posts differ from the previous plan.
fn write_changes(w: &mut dyn Write, data: &Dataset, previous: &[u32], posts: &[u32]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(["id", "name", "insee", "dep", "posts_before", "posts_after", "delta"])?;
    for (j, (&before, &after)) in previous.iter().zip(posts).enumerate().filter(|(_, (b, a))| b != a) {
        let c = &data.candidates[j];
        let u = &data.units[c.unit.get()];
        out.write_record([
            c.id.as_str(),
            &c.name,
            u.code.as_str(),
            &u.dep,
            &before.to_string(),
            &after.to_string(),
            &(i64::from(after) - i64::from(before)).to_string(),
        ])?;
    }
    out.flush()
}

/// The command and the SHA-256 of the data files and of the other input files (`cnfs-2021`
/// stands for the embedded allocation).
fn reproduce(files: &DataFiles, command: &[String], extra: &[&str]) -> Result<maillage::report::Reproduce> {
    use sha2::Digest;
    let mut paths: Vec<std::path::PathBuf> = [
        "communes.csv",
        "ifn_communes.csv",
        "ifn_iris.csv.gz",
        "plm_arrondissements.csv",
        "plm_arrondissements.geojson",
        "inclusion_sites.csv",
        "communes.geojson.gz",
        "departements.geojson",
    ]
    .iter()
    .map(|n| files.file(n))
    .filter(|p| p.is_file())
    .collect();
    for e in extra {
        paths.push(if *e == CNFS_2021 { DataFiles::embedded().file("cnfs_structures.csv") } else { (*e).into() });
    }
    let mut inputs = std::collections::BTreeMap::new();
    for p in paths {
        let bytes = std::fs::read(&p).with_context(|| format!("reading {} to hash it", p.display()))?;
        let hex = format!("{:x}", sha2::Sha256::digest(&bytes));
        inputs.insert(p.display().to_string(), hex);
    }
    Ok(maillage::report::Reproduce { command: command.to_vec(), inputs, scenario: None })
}

/// What `plan` and `evaluate` write.
struct Outputs<'a> {
    files: &'a DataFiles,
    /// Command and input hashes, for summary.json.
    reproduce: maillage::report::Reproduce,
    data: &'a Dataset,
    problem: &'a maillage::optimise::Problem,
    plan: &'a maillage::optimise::Plan,
    reach: &'a Reach,
    map: &'a MapOptions,
}

struct Written {
    summary: maillage::report::Summary,
    paths: Vec<std::path::PathBuf>,
}

impl Outputs<'_> {
    fn write(
        &self,
        out: &std::path::Path,
        title: &str,
        parameters: &[(String, String)],
        objective_kind: &str,
        start: Instant,
        progress: &indicatif::ProgressBar,
    ) -> Result<Written> {
        use maillage::report::{
            ReportInput, site_rows, unit_rows, write_communes_geojson, write_deps_table, write_plan_table,
            write_report, write_sites_geojson, write_summary, write_units_table,
        };
        let (data, problem, plan) = (self.data, self.problem, self.plan);
        let m = maillage::optimise::measure(problem, plan);
        let sites = site_rows(data, problem, plan);
        let units = unit_rows(data, problem, &m, self.reach, &plan.posts);
        progress.set_message("polygones des communes");
        let shapes = load::load_unit_shapes(self.files, data).context("reading the commune polygons")?;
        let dep_names = load::load_departement_names(self.files).context("reading the département names")?;
        let only = &self.map.departements;
        let shown = |dep: &str| only.is_empty() || only.iter().any(|d| d == dep);
        let mut summary = summarise(data, problem, plan, &m, objective_kind, start);
        summary.reproduce = self.reproduce.clone();
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let path = |name: &str| out.join(name);
        let shown_sites: Vec<maillage::report::SiteRow> = sites.iter().filter(|s| shown(&s.dep)).cloned().collect();
        let territories: Vec<&str> = data.units.iter().map(maillage::DemandUnit::territory).collect();
        // Everything is computed before the first file is written.
        let mut html = Vec::new();
        write_report(
            &mut html,
            &ReportInput {
                title,
                parameters,
                summary: &summary,
                bound_min: self.reach.bound_minutes,
                units: &units,
                shapes: &shapes,
                territories: &territories,
                sites: &sites,
                deps: &m.deps,
                dep_names: &dep_names,
                only_deps: only,
                sources: maillage::report::DATA_SOURCES,
            },
        )?;
        let mut paths = vec![
            path("plan.csv"),
            path("units.csv"),
            path("departements.csv"),
            path("summary.json"),
            path("sites.geojson"),
            path("communes.geojson"),
            path("report.html"),
        ];
        let mut files: Vec<(&std::path::Path, Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + '_>)> = vec![
            (&paths[0], Box::new(|w| write_plan_table(w, &sites))),
            (&paths[1], Box::new(|w| write_units_table(w, &units))),
            (&paths[2], Box::new(|w| write_deps_table(w, &m))),
            (&paths[3], Box::new(|w| write_summary(w, &summary))),
            (&paths[4], Box::new(|w| write_sites_geojson(w, &shown_sites))),
            (&paths[5], Box::new(|w| write_communes_geojson(w, &units, &shapes, &|i| shown(&units[i].dep)))),
            (&paths[6], Box::new(|w| w.write_all(&html))),
        ];
        let changes_path = path("changes.csv");
        if let Some(previous) = &problem.previous {
            files.push((&changes_path, Box::new(move |w| write_changes(w, data, previous, &plan.posts))));
        }
        maillage::report::write_all_atomic(files)?;
        if problem.previous.is_some() {
            paths.push(changes_path.clone());
        }
        Ok(Written { summary, paths })
    }
}

fn summarise(
    data: &Dataset,
    problem: &maillage::optimise::Problem,
    plan: &maillage::optimise::Plan,
    m: &maillage::optimise::Measures,
    objective_kind: &str,
    start: Instant,
) -> maillage::report::Summary {
    let mut zones: std::collections::BTreeMap<String, maillage::report::ZoneTotals> = std::collections::BTreeMap::new();
    for (i, u) in data.units.iter().enumerate() {
        let z = zones.entry(u.zone.as_str().to_owned()).or_default();
        z.need += problem.need[i];
        z.served += m.unit_served[i];
    }
    for (c, &x) in data.candidates.iter().zip(&plan.posts) {
        zones.entry(data.units[c.unit.get()].zone.as_str().to_owned()).or_default().posts += x;
    }
    maillage::report::Summary {
        objective_kind: objective_kind.to_owned(),
        method: plan.source.into(),
        posts: m.posts,
        cost_eur: m.cost_eur,
        need: m.need,
        served: m.served,
        weighted_served: m.weighted_served,
        objective: plan.objective,
        lp_bound: plan.lp_bound,
        bound_source: plan.bound_source.map(str::to_owned),
        gap: plan.gap(),
        coverage_share: m.coverage_share,
        departements_served: m.deps.iter().filter(|d| d.posts > 0).count(),
        min_dep_served_share: m.min_dep_share,
        gini_dep_served_share: m.gini_dep_share,
        zones,
        lp_columns: plan.lp_columns,
        lp_rounds: plan.lp_rounds,
        lagrange_iterations: plan.lagrange_iterations,
        posts_moved: plan.posts_moved,
        previous_objective: plan.previous_objective,
        moves_gain: plan.previous_objective.map(|o| plan.objective - o),
        reproduce: maillage::report::Reproduce::default(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn print_summary(s: &maillage::report::Summary, bound: f64) {
    println!("Plan ({}):", s.method);
    println!("  conseillers     {:>12}", s.posts);
    println!("  coût            {:>12.0} €", s.cost_eur);
    println!("  besoin          {:>12.0}", s.need);
    println!("  servis          {:>12.0}  ({:.1}% du besoin)", s.served, 100.0 * s.served / s.need.max(1.0));
    println!("  servis pondérés {:>12.0}", s.weighted_served);
    println!("  couverture      {:>11.1}%  (besoin à moins de {bound} min d'un conseiller)", 100.0 * s.coverage_share);
    println!("  objectif        {:>12.1}", s.objective);
    if let (Some(b), Some(g)) = (s.lp_bound, s.gap) {
        let kind = match s.bound_source.as_deref() {
            Some("lagrangian") => "lagrangienne",
            Some("mip") => "MIP",
            _ => "LP",
        };
        println!("  borne LP        {b:>12.1}  (écart {:.3}%, borne {kind})", 100.0 * g);
    } else {
        println!("  borne LP        non calculée ({})", s.method);
    }
    println!(
        "  départements    {:>12}  servis; part servie min {:.1}%, Gini {:.3}",
        s.departements_served,
        100.0 * s.min_dep_served_share,
        s.gini_dep_served_share
    );
    for (zone, z) in &s.zones {
        println!("  {zone:<6} {:>6} postes, besoin {:>10.0}, servis {:>10.0}", z.posts, z.need, z.served);
    }
    println!("  durée           {:>12.1} s", s.seconds);
}

/// Applies --departement / --region, refusing codes absent from the data.
fn restrict_area(data: Dataset, area: &AreaOptions) -> Result<Dataset> {
    if area.within_departements.is_empty() && area.regions.is_empty() {
        return Ok(data);
    }
    for d in &area.within_departements {
        anyhow::ensure!(
            data.units.iter().any(|u| &u.dep == d),
            "--within-departement {d:?}: no such département in the data (codes keep their zero: 01, 2A, 971)"
        );
    }
    for r in &area.regions {
        anyhow::ensure!(
            data.units.iter().any(|u| &u.reg == r),
            "--region {r:?}: no such region in the data (COG codes: 11, 32, 84, 01…)"
        );
    }
    let kept = data.restrict(|u| area.within_departements.contains(&u.dep) || area.regions.contains(&u.reg));
    eprintln!("restricted to {} units and {} candidates", kept.units.len(), kept.candidates.len());
    Ok(kept)
}

/// The `plan` options a scenario file stands for, with `--out` set.
fn scenario_plan_args(path: &std::path::Path, out: Option<&std::path::Path>) -> Result<(Vec<String>, PlanArgs)> {
    use clap::Parser;
    let scenario = maillage::scenario::load_scenario(path)?;
    let mut argv: Vec<std::ffi::OsString> = vec!["maillage".into(), "plan".into()];
    argv.extend(scenario.plan_args(path).into_iter().map(Into::into));
    if let Some(out) = out {
        argv.push("--out".into());
        argv.push(out.as_os_str().to_owned());
    }
    let command: Vec<String> = argv.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let cli = crate::cli::Cli::try_parse_from(argv).map_err(|e| {
        let first = e.to_string().lines().next().unwrap_or("").trim_start_matches("error: ").to_owned();
        anyhow::anyhow!("{}: {first}", path.display())
    })?;
    let Command::Plan(plan_args) = cli.command else { unreachable!("the first argument is plan") };
    Ok((command, plan_args))
}

/// `scenario check`: every check `plan` makes before solving, without solving.
fn check_scenarios(files: &DataFiles, scenarios: &[std::path::PathBuf]) -> Result<()> {
    let data = load_dataset(files)?;
    for path in scenarios {
        let name = maillage::scenario::load_scenario(path)?.display_name(path);
        let (_, args) = scenario_plan_args(path, None)?;
        let area = restrict_area(data.clone(), &args.scope.area).with_context(|| path.display().to_string())?;
        check_map_departements(&area, &args.scope.map).with_context(|| path.display().to_string())?;
        plan_params(&area, &args).with_context(|| path.display().to_string())?;
        if let Some(source) = &args.floors_from {
            read_allocation(&area, source).with_context(|| path.display().to_string())?;
        }
        println!("ok: {} ({name})", path.display());
    }
    Ok(())
}

/// Columns of `batch_summary.csv`.
const BATCH_COLUMNS: [&str; 15] = [
    "scenario",
    "file",
    "status",
    "posts",
    "cost_eur",
    "served",
    "weighted_served",
    "objective",
    "lp_bound",
    "gap",
    "coverage_share",
    "departements_served",
    "min_dep_served_share",
    "gini_dep_served_share",
    "error",
];

/// The scenario files of the inputs: files as given, folders' .toml files, sorted by path.
fn scenario_files(inputs: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            for entry in std::fs::read_dir(input).with_context(|| format!("reading {}", input.display()))? {
                let p = entry?.path();
                if p.extension().is_some_and(|e| e == "toml") {
                    files.push(p);
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    // By path text: the order a shard merge restores.
    files.sort_by_key(|p| p.display().to_string());
    files.dedup();
    let mut stems = std::collections::BTreeMap::new();
    for f in &files {
        let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(other) = stems.insert(stem.clone(), f.clone()) {
            anyhow::bail!("{} and {} would both write to {stem}/: rename one", other.display(), f.display());
        }
    }
    Ok(files)
}

fn batch(files: &DataFiles, args: &BatchArgs) -> Result<()> {
    use rayon::prelude::*;
    if let Some(crate::cli::BatchCommand::Merge { dirs, out }) = &args.merge {
        return merge_batches(dirs, out);
    }
    let mut scenarios = scenario_files(&args.inputs)?;
    if let Some(s) = args.shard {
        scenarios = scenarios.into_iter().enumerate().filter(|(i, _)| i % s.n == s.k - 1).map(|(_, p)| p).collect();
        eprintln!("shard {}/{}: {} scenarios", s.k, s.n, scenarios.len());
    }
    anyhow::ensure!(!scenarios.is_empty() || args.shard.is_some(), "no scenario (.toml) found in the inputs");
    let data = load_dataset(files)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    eprintln!("{} scenarios, {} at a time", scenarios.len(), rayon::current_num_threads());
    let rows: Vec<Vec<String>> = scenarios
        .par_iter()
        .map(|path| {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let out = args.out.join(&stem);
            let result = scenario_plan_args(path, Some(&out)).and_then(|(command, plan_args)| {
                plan_on(files, &data, &plan_args, &command, &indicatif::ProgressBar::hidden(), Instant::now())
            });
            let mut row = vec![stem, path.display().to_string()];
            match result {
                Ok(w) => {
                    let s = &w.summary;
                    row.push("ok".into());
                    for v in [s.cost_eur, s.served, s.weighted_served, s.objective] {
                        row.push(format!("{v:.1}"));
                    }
                    row.insert(3, s.posts.to_string());
                    row.push(s.lp_bound.map_or(String::new(), |b| format!("{b:.1}")));
                    row.push(s.gap.map_or(String::new(), |g| format!("{g:.5}")));
                    row.push(format!("{:.5}", s.coverage_share));
                    row.push(s.departements_served.to_string());
                    row.push(format!("{:.5}", s.min_dep_served_share));
                    row.push(format!("{:.5}", s.gini_dep_served_share));
                    row.push(String::new());
                }
                Err(e) => {
                    row.push("failed".into());
                    row.extend(std::iter::repeat_n(String::new(), 11));
                    row.push(format!("{e:#}").replace('\n', " "));
                }
            }
            row
        })
        .collect();
    let summary_path = write_batch_summary(&args.out, &rows)?;
    print_batch(&rows, &summary_path)
}

fn write_batch_summary(out: &std::path::Path, rows: &[Vec<String>]) -> Result<std::path::PathBuf> {
    let summary_path = out.join("batch_summary.csv");
    write_atomic(&summary_path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(BATCH_COLUMNS)?;
        for r in rows {
            out.write_record(r)?;
        }
        out.flush()
    })?;
    Ok(summary_path)
}

/// Joins shard summaries: rows sorted by scenario file, as one run sorts them.
fn merge_batches(dirs: &[std::path::PathBuf], out: &std::path::Path) -> Result<()> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for dir in dirs {
        let path = dir.join("batch_summary.csv");
        let mut r = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
        let header: Vec<String> = r.headers()?.iter().map(str::to_owned).collect();
        anyhow::ensure!(header == BATCH_COLUMNS, "{}: expected the header {}", path.display(), BATCH_COLUMNS.join(","));
        for rec in r.records() {
            rows.push(rec.with_context(|| format!("reading {}", path.display()))?.iter().map(str::to_owned).collect());
        }
    }
    rows.sort_by(|a, b| a[1].cmp(&b[1]));
    if let Some(w) = rows.windows(2).find(|w| w[0][1] == w[1][1]) {
        anyhow::bail!("scenario {} appears in two shards: were the shards cut from the same inputs?", w[0][1]);
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let summary_path = write_batch_summary(out, &rows)?;
    print_batch(&rows, &summary_path)
}

fn print_batch(rows: &[Vec<String>], summary_path: &std::path::Path) -> Result<()> {
    println!("{:<28} {:<7} {:>6} {:>12} {:>11} {:>8}", "scénario", "statut", "postes", "servis", "couverture", "écart");
    for r in rows {
        println!("{:<28} {:<7} {:>6} {:>12} {:>11} {:>8}  {}", r[0], r[2], r[3], r[5], r[10], r[9], r[14]);
    }
    println!("wrote {}", summary_path.display());
    let failed = rows.iter().filter(|r| r[2] != "ok").count();
    anyhow::ensure!(failed == 0, "{failed} of {} scenarios failed (see {})", rows.len(), summary_path.display());
    Ok(())
}
