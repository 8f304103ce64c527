//! `maillage evaluate`: an existing allocation measured like a plan.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::Result;
use maillage::DataFiles;
use maillage::optimise::{self, PlanParams};

use super::instance::build_instance;
use super::outputs::{Outputs, reproduce};
use super::spec::flags_spec;
use super::{allocation_path, list_written, load_dataset, read_allocation, spinner};
use crate::cli::EvaluateArgs;

pub fn evaluate(files: &DataFiles, args: &EvaluateArgs) -> Result<()> {
    let start = Instant::now();
    let (spec, origin) = flags_spec(|spec, keys| {
        args.model.apply(spec, keys);
        args.scope.apply(spec, keys);
    })?;
    super::outputs::check_pdf(&spec, &origin)?;
    maillage::report::check_output_path(&args.out, maillage::report::OutputKind::Folder(maillage::report::PLAN_SET))?;
    let progress = spinner("chargement des données");
    let full = load_dataset(files)?;
    let allocation = read_allocation(&full, &args.allocation)?;
    let inst = build_instance(files, &full, &spec, &origin, &progress)?;
    // The allocation is mapped onto the area kept through candidate ids.
    let data = &inst.data;
    let index_of: HashMap<&str, u32> =
        data.candidates.iter().enumerate().map(|(j, c)| (c.id.as_str(), j as u32)).collect();
    let mut posts = vec![0u32; data.candidates.len()];
    let mut site_costs = BTreeMap::new();
    for (&j, &x) in &allocation.posts {
        if let Some(&k) = index_of.get(full.candidates[j as usize].id.as_str()) {
            posts[k as usize] = x;
            let cost = allocation.cost_eur.get(&j).copied().unwrap_or(spec.cost_per_post_eur * f64::from(x));
            site_costs.insert(k, cost / f64::from(x));
        }
    }
    let params = PlanParams {
        posts: posts.iter().sum(),
        budget_eur: f64::INFINITY,
        max_posts_per_site: posts.iter().copied().max().unwrap_or(0),
        site_costs,
        ..spec.model_params()
    };
    let problem = optimise::build_problem(data, &inst.need, &inst.reach, &params);
    progress.set_message("flux optimaux de l'allocation");
    let plan = optimise::evaluate_posts(&problem, &posts)?;
    let mut parameters = vec![
        ("Allocation".to_owned(), args.allocation.to_string()),
        ("Structures (lignes)".to_owned(), maillage::report::fr_number(allocation.rows as f64, 0)),
        ("Postes dans le fichier".to_owned(), maillage::report::fr_number(allocation.total_posts as f64, 0)),
        ("Coût dans le fichier".to_owned(), maillage::report::fr_euros(allocation.total_cost_eur)),
    ];
    parameters.extend(super::plan::travel_words(&spec));
    let command: Vec<String> = std::env::args().collect();
    let outputs = Outputs {
        instance: &inst,
        problem: &problem,
        plan: &plan,
        spec: &spec,
        reproduce: reproduce(&inst, command, &[allocation_path(&args.allocation)])?,
        title: "Évaluation d'une allocation",
        parameters: &parameters,
    };
    let written = outputs.write(&args.out, start, &progress)?;
    progress.finish_and_clear();
    println!("Allocation {}: {} structures, {} postes", args.allocation, allocation.rows, allocation.total_posts);
    let mut stdout = std::io::stdout().lock();
    maillage::report::write_console_summary(&mut stdout, &written.summary, spec.travel.bound_min)?;
    list_written(&written.paths);
    Ok(())
}
