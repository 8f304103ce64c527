//! Runs each subcommand: load, compute, write, print the summary.

use std::time::Instant;

use anyhow::{Context, Result};
use maillage::report::{need_totals, write_atomic, write_need_table, write_reach_table};
use maillage::spatial::{CrowFlies, Reach, SiteIndex, TravelTime, build_reach};
use maillage::{DataFiles, Dataset, NeedModel, NeedScores, NeedSource, load, score_need};

use crate::cli::{
    AreaOptions, Cli, Command, DecayKind, NeedArgs, NeedOptions, ObjectiveKind, PlanArgs, ReachArgs, SolverKind,
    TravelOptions,
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

fn plan_params(data: &Dataset, args: &PlanArgs) -> Result<maillage::optimise::PlanParams> {
    use maillage::optimise::{self, Decay, PlanParams};
    Ok(PlanParams {
        posts: args.posts,
        budget_eur: args.budget_eur,
        cost_per_post_eur: args.cost_per_post_eur,
        capacity_per_post: args.capacity_per_post,
        max_posts_per_site: args.max_posts_per_site,
        decay: match args.decay {
            DecayKind::Step => Decay::Step,
            DecayKind::Linear => Decay::Linear { at_bound: args.decay_at_bound },
            DecayKind::Exponential => Decay::Exponential { half_life_min: args.half_life_min },
        },
        returns: if args.no_diminishing_returns { Vec::new() } else { optimise::default_returns() },
        dep_floors: dep_limits(data, "floor", &args.floors)?,
        dep_caps: dep_limits(data, "cap", &args.caps)?,
        time_limit_s: args.time_limit_s,
        objective: match args.objective {
            ObjectiveKind::Attendance => optimise::Objective::Attendance,
            ObjectiveKind::Coverage => optimise::Objective::Coverage,
        },
        ..PlanParams::default()
    })
}

fn plan(files: &DataFiles, args: &PlanArgs) -> Result<()> {
    use maillage::optimise::{self, Method};
    use maillage::report::{write_plan_table, write_summary, write_units_table};

    let start = Instant::now();
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    progress.set_message("chargement des données");
    let data = restrict_area(load_dataset(files)?, &args.area)?;
    print_candidates(&data);
    let need = score(&data, &args.need)?;
    progress.set_message("accessibilité (R-tree)");
    let reach = reach_of(&data, &args.travel)?;
    let problem = optimise::build_problem(&data, &need, &reach, &plan_params(&data, args)?);
    progress.set_message(format!("optimisation ({} paires)", problem.pairs.len()));
    let method = match args.solver {
        SolverKind::Lp => Method::Lp,
        SolverKind::Greedy => Method::Greedy,
    };
    let plan = optimise::solve(&problem, method)?;
    let m = optimise::measure(&problem, &plan);
    progress.finish_and_clear();
    let summary = summarise(&data, &problem, &plan, &m, args, start);

    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let plan_path = args.out.join("plan.csv");
    let units_path = args.out.join("units.csv");
    let summary_path = args.out.join("summary.json");
    write_atomic(&plan_path, |w| write_plan_table(w, &data, &problem, &plan))?;
    write_atomic(&units_path, |w| write_units_table(w, &data, &problem, &m))?;
    write_atomic(&summary_path, |w| write_summary(w, &summary))?;
    print_summary(&summary, args.travel.bound);
    for p in [&plan_path, &units_path, &summary_path] {
        println!("wrote {}", p.display());
    }
    Ok(())
}

fn summarise(
    data: &Dataset,
    problem: &maillage::optimise::Problem,
    plan: &maillage::optimise::Plan,
    m: &maillage::optimise::Measures,
    args: &PlanArgs,
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
        objective_kind: match args.objective {
            ObjectiveKind::Attendance => "attendance".into(),
            ObjectiveKind::Coverage => "coverage".into(),
        },
        method: plan.source.into(),
        posts: m.posts,
        cost_eur: m.cost_eur,
        need: m.need,
        served: m.served,
        weighted_served: m.weighted_served,
        objective: plan.objective,
        lp_bound: plan.lp_bound,
        gap: plan.gap(),
        coverage_share: m.coverage_share,
        departements_served: m.deps.iter().filter(|d| d.posts > 0).count(),
        min_dep_served_share: m.min_dep_share,
        gini_dep_served_share: m.gini_dep_share,
        zones,
        lp_columns: plan.lp_columns,
        lp_rounds: plan.lp_rounds,
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
        println!("  borne LP        {b:>12.1}  (écart {:.3}%)", 100.0 * g);
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
    if area.departements.is_empty() && area.regions.is_empty() {
        return Ok(data);
    }
    for d in &area.departements {
        anyhow::ensure!(
            data.units.iter().any(|u| &u.dep == d),
            "--departement {d:?}: no such département in the data (codes keep their zero: 01, 2A, 971)"
        );
    }
    for r in &area.regions {
        anyhow::ensure!(
            data.units.iter().any(|u| &u.reg == r),
            "--region {r:?}: no such region in the data (COG codes: 11, 32, 84, 01…)"
        );
    }
    let kept = data.restrict(|u| area.departements.contains(&u.dep) || area.regions.contains(&u.reg));
    eprintln!("restricted to {} units and {} candidates", kept.units.len(), kept.candidates.len());
    Ok(kept)
}
