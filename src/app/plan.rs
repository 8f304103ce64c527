//! `maillage plan`: the spec, every input checked, the solve, the outputs as one set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use maillage::optimise::{self, Problem};
use maillage::spec::{PlanSpec, to_args};
use maillage::{DataFiles, Dataset};

use super::instance::{Instance, build_instance};
use super::outputs::{Outputs, Written, reproduce};
use super::spec::{Origin, plan_spec};
use super::{allocation_path, list_written, load_dataset, read_allocation, spinner};
use crate::cli::PlanArgs;

/// Where a plan goes when neither the flags nor the scenario say.
const DEFAULT_OUT: &str = "maillage-out";

pub fn plan(files: &DataFiles, args: &PlanArgs) -> Result<()> {
    let start = Instant::now();
    let (spec, origin) = plan_spec(args)?;
    super::outputs::check_pdf(&spec, &origin)?;
    let out = output_folder(&spec);
    maillage::report::check_output_path(&out, maillage::report::OutputKind::Folder(maillage::report::PLAN_SET))?;
    let progress = spinner("chargement des données");
    let data = load_dataset(files)?;
    let written =
        plan_on(files, &data, &spec, &origin, &out, &progress, start).with_context(|| match &origin.file {
            Some(path) => format!("scenario {}", path.display()),
            None => "plan".to_owned(),
        })?;
    progress.finish_and_clear();
    let mut stdout = std::io::stdout().lock();
    maillage::report::write_console_summary(&mut stdout, &written.summary, spec.travel.bound_min)?;
    list_written(&written.paths);
    Ok(())
}

/// The output folder of a spec.
pub fn output_folder(spec: &PlanSpec) -> PathBuf {
    spec.outputs.out.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUT))
}

/// The problem of a spec on its instance: floors (with `floors_from`, the larger of the two
/// for each département, and said), fixed and previous posts; infeasible limits refused.
pub fn plan_problem(inst: &Instance, spec: &PlanSpec) -> Result<Problem> {
    let data = &inst.data;
    let mut params = spec.model_params();
    if let Some(source) = &spec.limits.floors_from {
        for (dep, n) in dep_posts(data, &read_allocation(data, source)?.posts) {
            let floor = params.dep_floors.entry(dep.clone()).or_insert(0);
            if *floor > 0 && *floor != n {
                eprintln!("floor {dep}: limits.floors {} and floors_from {n}: keeping {}", *floor, n.max(*floor));
            }
            *floor = n.max(*floor);
        }
    }
    if let Some(source) = &spec.limits.fixed_from {
        params.fixed_posts = read_allocation(data, source)?.posts;
    }
    if let Some(path) = &spec.continuity.previous {
        let source = maillage::spec::AllocationSource::File(path.clone());
        let previous = read_allocation(data, &source)?.posts;
        if let Some(n) = spec.continuity.add {
            // N more posts on top: the posts follow, and the budget unless it was given.
            let kept: u32 = previous.values().sum();
            params.posts = kept + n;
            if spec.budget_eur.to_bits() == PlanSpec::default().budget_eur.to_bits() {
                params.budget_eur = f64::from(kept + n) * spec.cost_per_post_eur;
            }
            eprintln!(
                "adding {n} posts to the {kept} of {}: {} posts, {:.0} €",
                path.display(),
                params.posts,
                params.budget_eur
            );
        }
        params.previous = Some(previous);
    }
    let problem = optimise::build_problem(data, &inst.need, &inst.reach, &params);
    optimise::check_feasible(&problem)?;
    Ok(problem)
}

/// Posts of an allocation by département code.
fn dep_posts(data: &Dataset, posts: &BTreeMap<u32, u32>) -> BTreeMap<String, u32> {
    let mut by_dep = BTreeMap::new();
    for (&j, &x) in posts {
        *by_dep.entry(data.units[data.candidates[j as usize].unit.get()].dep.clone()).or_insert(0) += x;
    }
    by_dep
}

/// Plans `spec` on data already loaded (`batch` loads it once for every scenario) into `out`.
pub fn plan_on(
    files: &DataFiles,
    full: &Dataset,
    spec: &PlanSpec,
    origin: &Origin,
    out: &Path,
    progress: &indicatif::ProgressBar,
    start: Instant,
) -> Result<Written> {
    let inst = build_instance(files, full, spec, origin, progress)?;
    let problem = plan_problem(&inst, spec)?;
    progress.set_message(format!("optimisation ({} paires)", problem.pairs.len()));
    let plan = optimise::solve(&problem, spec.solver)?;
    let mut command = vec!["maillage".to_owned()];
    if files.dir != DataFiles::embedded().dir {
        command.extend(["--data".to_owned(), files.dir.display().to_string()]);
    }
    command.push("plan".to_owned());
    for (flag, value) in to_args(spec) {
        command.push(flag.to_owned());
        command.extend(value);
    }
    let others: Vec<PathBuf> = [&spec.limits.floors_from, &spec.limits.fixed_from]
        .into_iter()
        .flatten()
        .map(allocation_path)
        .chain(spec.continuity.previous.iter().cloned())
        .chain(origin.file.iter().cloned())
        .collect();
    let mut reproduce = reproduce(&inst, command, &others)?;
    reproduce.scenario = origin.file.as_ref().and_then(|p| std::fs::read_to_string(p).ok());
    let parameters = parameters(spec, &problem);
    let title = spec.name.as_deref().unwrap_or("Plan des conseillers numériques");
    let outputs =
        Outputs { instance: &inst, problem: &problem, plan: &plan, spec, reproduce, title, parameters: &parameters };
    outputs.write(out, start, progress)
}

/// The parameters the report shows, in a planner's words.
fn parameters(spec: &PlanSpec, problem: &Problem) -> Vec<(String, String)> {
    use maillage::report::{fr_euros, fr_number, objective_words};
    let limits = |m: &BTreeMap<u32, u32>| {
        if m.is_empty() {
            return "aucun".to_owned();
        }
        m.iter().map(|(&d, n)| format!("{} : {n}", problem.deps[d as usize])).collect::<Vec<_>>().join(", ")
    };
    let mut rows: Vec<(String, String)> =
        spec.description.iter().map(|d| ("Description".to_owned(), d.clone())).collect();
    rows.extend([
        ("Objectif".to_owned(), objective_words(spec.objective, spec.target_coverage)),
        ("Conseillers au plus".to_owned(), fr_number(f64::from(spec.posts), 0)),
        ("Budget".to_owned(), fr_euros(spec.budget_eur)),
        ("Coût d'un poste".to_owned(), fr_euros(spec.cost_per_post_eur)),
        ("Postes par lieu au plus".to_owned(), spec.max_posts_per_site.to_string()),
    ]);
    rows.extend(travel_words(spec));
    rows.extend([
        ("Rendements décroissants".to_owned(), if spec.value.diminishing_returns { "oui" } else { "non" }.to_owned()),
        ("Planchers par département".to_owned(), limits(&problem.dep_floors)),
        ("Plafonds par département".to_owned(), limits(&problem.dep_caps)),
        (
            "Lieux d'accueil possibles".to_owned(),
            if spec.candidates.kinds.is_empty() {
                "tous (lieux existants et mairies)".to_owned()
            } else {
                spec.candidates.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
            },
        ),
    ]);
    let area: Vec<String> = spec
        .area
        .within_departements
        .iter()
        .map(|d| format!("département {d}"))
        .chain(spec.area.regions.iter().map(|r| format!("région {r}")))
        .collect();
    if !area.is_empty() {
        rows.push(("Calcul limité à".to_owned(), area.join(", ")));
    }
    if let Some(previous) = &spec.continuity.previous {
        let moves = spec.continuity.max_moves.map_or_else(|| "sans limite".to_owned(), |m| format!("{m} au plus"));
        rows.push(("Plan précédent".to_owned(), format!("{} (déplacements : {moves})", previous.display())));
    }
    rows
}

/// The travel and need parameters, in words (shared with `evaluate`'s report).
pub(super) fn travel_words(spec: &PlanSpec) -> Vec<(String, String)> {
    use maillage::report::{decay_words, fr_minutes, fr_number, fr_short};
    let travel = if let Some(od) = &spec.travel.od {
        format!("matrice de temps de trajet {}", od.display())
    } else {
        let bands = spec.crow_flies().map(|c| c.speeds).unwrap_or_default();
        let speeds: Vec<String> = bands
            .iter()
            .map(|b| {
                if b.max_density_km2.is_finite() {
                    format!("{} km/h jusqu'à {} hab./km²", fr_short(b.speed_kmh, 1), fr_number(b.max_density_km2, 0))
                } else {
                    format!("{} km/h au-delà", fr_short(b.speed_kmh, 1))
                }
            })
            .collect();
        format!(
            "distance à vol d'oiseau × {} (détours), à une vitesse selon la densité de la commune : {}",
            fr_short(spec.travel.detour, 2),
            speeds.join(", ")
        )
    };
    let need = match &spec.need.file {
        Some(file) => format!("fichier {}", file.display()),
        None => format!(
            "population × {} % (DROM {} %), modulé par l'indice de fragilité numérique",
            fr_short(spec.need.rate_pct, 2),
            fr_short(spec.need.rate_drom_pct, 2)
        ),
    };
    vec![
        ("Personnes accompagnées par poste".to_owned(), fr_number(spec.capacity_per_post, 0)),
        ("Temps de trajet maximal".to_owned(), fr_minutes(spec.travel.bound_min)),
        ("Temps de trajet".to_owned(), travel),
        ("Décroissance avec la distance".to_owned(), decay_words(spec.decay(), spec.travel.bound_min)),
        ("Besoin".to_owned(), need),
    ]
}
