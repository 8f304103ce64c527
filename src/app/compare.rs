//! `maillage compare`: two plans side by side, refused across different inputs unless asked.

use anyhow::{Context, Result};
use maillage::load;
use maillage::report::{OutputSet, compare_plans, write_dep_diffs, write_site_diffs};

use super::list_written;
use crate::cli::CompareArgs;

pub fn compare(args: &CompareArgs) -> Result<()> {
    let a = load::load_plan_outputs(&args.a).with_context(|| format!("reading plan A in {}", args.a.display()))?;
    let b = load::load_plan_outputs(&args.b).with_context(|| format!("reading plan B in {}", args.b.display()))?;
    let differ = input_differences(&a, &b);
    if !differ.is_empty() {
        let list = differ.join("; ");
        anyhow::ensure!(
            args.allow_different_inputs,
            "A ({}) and B ({}) were made on different inputs ({list}): their figures are not comparable; \
             pass --allow-different-inputs to compare them anyway",
            args.a.display(),
            args.b.display()
        );
        eprintln!("warning: the plans were made on different inputs: {list}");
    }
    let c = compare_plans(&a, &b);
    let mut set = OutputSet::new(&args.out, maillage::report::COMPARE_SET)?;
    set.write("compare.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &c)?;
        w.write_all(b"\n")
    })?;
    set.write("compare_departements.csv", |w| write_dep_diffs(w, &c))?;
    set.write("compare_sites.csv", |w| write_site_diffs(w, &c))?;
    let book = compare_workbook(&c)?;
    set.write("compare.xlsx", |w| w.write_all(&book))?;
    let paths = set.commit()?;
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

/// The inputs (data files, need file, OD matrix) whose SHA-256 differ between the plans, or
/// that only one has; a plan whose summary has no hashes by role counts as different.
fn input_differences(a: &load::PlanOutputs, b: &load::PlanOutputs) -> Vec<String> {
    let (Some(da), Some(db)) = (&a.data_inputs, &b.data_inputs) else {
        return vec!["a summary.json without reproduce.data (made by an older maillage)".to_owned()];
    };
    let mut roles: Vec<&String> = da.keys().chain(db.keys()).collect();
    roles.sort();
    roles.dedup();
    roles
        .into_iter()
        .filter_map(|role| match (da.get(role), db.get(role)) {
            (Some(x), Some(y)) if x == y => None,
            (Some(x), Some(y)) => {
                Some(format!("{role} differs ({}… in A, {}… in B)", &x[..x.len().min(12)], &y[..y.len().min(12)]))
            }
            (Some(_), None) => Some(format!("{role} only in A")),
            (None, _) => Some(format!("{role} only in B")),
        })
        .collect()
}

/// `compare.xlsx`: the headline measures, the départements and the sites that differ.
fn compare_workbook(c: &maillage::report::Comparison) -> std::io::Result<Vec<u8>> {
    use maillage::report::{TableCell::Number, TableCell::Text, TableSheet, tables_workbook};
    let headers = |h: &[&str]| h.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let count = |v: u64| Number(Some(v as f64), 0);
    let signed = |a: u64, b: u64| Number(Some(b as f64 - a as f64), 0);
    tables_workbook(&[
        TableSheet {
            name: "Synthèse".into(),
            headers: headers(&["Mesure", "A", "B", "B − A"]),
            rows: c
                .headline
                .iter()
                .map(|h| vec![Text(h.key.clone()), Number(h.a, 4), Number(h.b, 4), Number(h.delta, 4)])
                .collect(),
        },
        TableSheet {
            name: "Départements".into(),
            headers: headers(&[
                "Code",
                "Postes A",
                "Postes B",
                "Écart",
                "Servis A",
                "Servis B",
                "Besoin à portée A",
                "Besoin à portée B",
            ]),
            rows: c
                .departements
                .iter()
                .map(|d| {
                    vec![
                        Text(d.dep.clone()),
                        count(d.posts_a),
                        count(d.posts_b),
                        signed(d.posts_a, d.posts_b),
                        Number(Some(d.served_a), 0),
                        Number(Some(d.served_b), 0),
                        Number(Some(d.covered_need_a), 0),
                        Number(Some(d.covered_need_b), 0),
                    ]
                })
                .collect(),
        },
        TableSheet {
            name: "Sites".into(),
            headers: headers(&["Identifiant", "Nom", "Code INSEE", "Département", "Postes A", "Postes B", "Écart"]),
            rows: c
                .sites
                .iter()
                .map(|s| {
                    vec![
                        Text(s.id.clone()),
                        Text(s.name.clone()),
                        Text(s.insee.clone()),
                        Text(s.dep.clone()),
                        count(s.posts_a),
                        count(s.posts_b),
                        signed(s.posts_a, s.posts_b),
                    ]
                })
                .collect(),
        },
    ])
}
