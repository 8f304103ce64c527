//! `maillage frontier`: one sweep of posts, money or a coverage target, each point a plan on
//! the same instance (built once), written as `frontier.csv`, `frontier.svg` and
//! `report.html`.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use maillage::DataFiles;
use maillage::optimise::{self, Objective, Plan, Problem};
use maillage::report::{OutputSet, fr_euros, fr_number, fr_percent};
use maillage::spec::PlanSpec;

use super::instance::build_instance;
use super::plan::plan_problem;
use super::spec::{Origin, plan_spec_with};
use super::{list_written, load_dataset, spinner};
use crate::cli::{PlanArgs, Sweep};

/// The files of a frontier's folder.
pub const FRONTIER_SET: &[&str] = &["frontier.csv", "frontier.svg", "report.html"];

/// Where a frontier goes when neither the flags nor the scenario say.
const DEFAULT_OUT: &str = "maillage-frontier";

/// Most points a sweep may have.
const MAX_POINTS: usize = 200;

/// `frontier.csv`'s columns, as the issue names them (`status` last: `ok` or the error).
pub(super) const COLUMNS: [&str; 14] = [
    "posts",
    "cost_eur",
    "served",
    "weighted_served",
    "objective",
    "bound",
    "gap",
    "coverage_share",
    "coverage_20_share",
    "coverage_30_share",
    "min_dep_served_share",
    "gini_dep_served_share",
    "seconds",
    "status",
];

/// What is swept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swept {
    Posts,
    Budget,
    Target,
}

/// One plan's headline figures (a frontier's point, a sensitivity variant).
#[derive(Debug, Clone)]
pub(super) struct Point {
    pub x: f64,
    pub posts: u32,
    pub cost_eur: f64,
    pub served: f64,
    pub need: f64,
    pub weighted_served: f64,
    pub objective: f64,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub coverage_share: f64,
    pub coverage_20: Option<f64>,
    pub coverage_30: Option<f64>,
    pub min_dep: f64,
    pub gini_dep: f64,
    pub seconds: f64,
}

pub fn frontier(files: &DataFiles, args: &PlanArgs) -> Result<()> {
    let start = Instant::now();
    let (swept, values) = sweep_of(args)?;
    let (base, origin) = plan_spec_with(args, true)?;
    refuse_plan_outputs(&base, &origin)?;
    let points: Vec<PlanSpec> = values.iter().map(|&v| point_spec(&base, &origin, swept, v)).collect::<Result<_>>()?;
    let out = base.outputs.out.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    maillage::report::check_output_path(&out, maillage::report::OutputKind::Folder(FRONTIER_SET))?;
    let progress = spinner("chargement des données");
    let data = load_dataset(files)?;
    let inst = build_instance(files, &data, &base, &origin, &progress)?;
    let mut rows = Vec::new();
    // The points of a posts or budget sweep share one greedy run (optimise::Sweep), taken from
    // the smallest point to the largest, whose problem is built first (and serves its point).
    let largest = match (swept, points.last()) {
        (Swept::Posts | Swept::Budget, Some(spec)) => Some(plan_problem(&inst, spec)?),
        _ => None,
    };
    let mut sweep = match &largest {
        Some(p) => Some(optimise::Sweep::new(p).context("the sweep's largest point")?),
        None => None,
    };
    for (i, (spec, &x)) in points.iter().zip(&values).enumerate() {
        progress.set_message(format!("point {}/{} ({})", i + 1, points.len(), label(swept, x)));
        let clock = Instant::now();
        let built;
        let problem = match &largest {
            Some(p) if i + 1 == points.len() => p,
            _ => {
                built = plan_problem(&inst, spec).with_context(|| format!("point {}", label(swept, x)))?;
                &built
            }
        };
        let plan = match sweep.as_mut() {
            Some(sweep) => sweep.solve(problem, spec.solver),
            None => optimise::solve(problem, spec.solver),
        }
        .with_context(|| format!("point {}", label(swept, x)))?;
        rows.push(point(x, problem, &plan, spec.travel.bound_min, clock.elapsed().as_secs_f64()));
    }
    progress.finish_and_clear();
    let mut set = OutputSet::new(&out, FRONTIER_SET)?;
    set.write("frontier.csv", |w| write_csv(w, &rows))?;
    let svg = frontier_svg(&rows, swept, base.objective);
    set.write("frontier.svg", |w| w.write_all(svg.as_bytes()))?;
    set.write("report.html", |w| write_report(w, &rows, swept, &base, &svg))?;
    let paths = set.commit()?;
    println!("Frontière ({} points, {:.1} s)", rows.len(), start.elapsed().as_secs_f64());
    println!(
        "  {:>14} {:>7} {:>12} {:>14} {:>9} {:>8}",
        label_head(swept),
        "postes",
        "servis",
        "objectif",
        "écart",
        "durée"
    );
    for r in &rows {
        let gap = r.gap.map_or_else(|| "—".to_owned(), |g| format!("{:.3}%", 100.0 * g));
        println!(
            "  {:>14} {:>7} {:>12.0} {:>14.1} {gap:>9} {:>7.1}s",
            label(swept, r.x),
            r.posts,
            r.served,
            r.objective,
            r.seconds
        );
    }
    list_written(&paths);
    Ok(())
}

/// The one sweep among --posts, --budget-eur and --target-coverage, and its values.
fn sweep_of(args: &PlanArgs) -> Result<(Swept, Vec<f64>)> {
    let mut sweeps = Vec::new();
    if let Some(Sweep::Range(a, b, s)) = args.posts {
        sweeps.push((Swept::Posts, f64::from(a), f64::from(b), f64::from(s)));
    }
    if let Some(Sweep::Range(a, b, s)) = args.budget_eur {
        sweeps.push((Swept::Budget, a, b, s));
    }
    if let Some(Sweep::Range(a, b, s)) = args.target_coverage {
        sweeps.push((Swept::Target, a, b, s));
    }
    let [(swept, from, to, step)] = sweeps.as_slice() else {
        bail!(
            "frontier needs one sweep FROM:TO:STEP: --posts (e.g. 1000:6000:500), --budget-eur (e.g. 50e6:300e6:25e6) \
             or, with --objective min-posts, --target-coverage (e.g. 0.90:0.99:0.01); {} given",
            sweeps.len()
        );
    };
    let mut values = Vec::new();
    let mut i = 0.0;
    loop {
        // Decimal steps (0.01) must reach TO despite rounding: a millionth of a step of slack.
        let v = from + i * step;
        if v > to + 1e-6 * step {
            break;
        }
        values.push(if *swept == Swept::Target { (v * 1e9).round() / 1e9 } else { v });
        if values.len() > MAX_POINTS {
            bail!("the sweep has more than {MAX_POINTS} points: take a larger STEP");
        }
        i += 1.0;
    }
    Ok((*swept, values))
}

/// The spec of one point: the swept value, and what follows from it.
fn point_spec(base: &PlanSpec, origin: &Origin, swept: Swept, v: f64) -> Result<PlanSpec> {
    let mut spec = base.clone();
    let given = |key: &str| origin.cli_keys.contains(&key);
    match swept {
        Swept::Posts => {
            if given("budget_eur") {
                bail!("--budget-eur: a sweep of --posts sets the budget (posts × cost per post); drop --budget-eur");
            }
            spec.posts = v as u32;
            spec.budget_eur = f64::from(spec.posts) * spec.cost_per_post_eur;
        }
        Swept::Budget => {
            if given("posts") {
                bail!("--posts: a sweep of --budget-eur sets the posts (as many as the money pays for); drop --posts");
            }
            spec.budget_eur = v;
            spec.posts = ((v / spec.cost_per_post_eur) * (1.0 + 1e-12)).floor().max(1.0) as u32;
        }
        Swept::Target => {
            if spec.objective != Objective::MinPosts {
                bail!("--target-coverage: a sweep of the target needs --objective min-posts");
            }
            spec.target_coverage = v;
        }
    }
    spec.validate().map_err(|e| origin.place(e))?;
    Ok(spec)
}

/// A sweep checked as `frontier` checks it (the web app's door): the flag and its
/// `FROM:TO:STEP` through the same parser, the number of points, and the plan's output options
/// `frontier` refuses; the number of points.
pub fn check_sweep(flag: &str, range: &str, spec: &PlanSpec) -> Result<usize> {
    use clap::Parser;
    let cli = crate::cli::Cli::try_parse_from(["maillage", "frontier", flag, range]).map_err(|e| {
        let text = e.to_string();
        anyhow::anyhow!("{}", text.lines().next().unwrap_or("").trim_start_matches("error: ").to_owned())
    })?;
    let crate::cli::Command::Frontier(args) = cli.command else { bail!("{flag}: not a sweep of frontier") };
    let (_, values) = sweep_of(&args)?;
    refuse_plan_outputs(spec, &Origin::default())?;
    Ok(values.len())
}

/// `frontier` writes its own set (frontier.csv, frontier.svg, report.html), not a plan's: the
/// options of a plan's outputs are refused by name rather than dropped.
fn refuse_plan_outputs(spec: &PlanSpec, origin: &Origin) -> Result<()> {
    refuse_plan_outputs_of(
        spec,
        origin,
        "`maillage frontier` writes frontier.csv, frontier.svg and report.html for the whole of France",
    )
}

/// The options of a plan's outputs, refused by name by a command that writes its own set
/// (`writes` says which).
pub(super) fn refuse_plan_outputs_of(spec: &PlanSpec, origin: &Origin, writes: &str) -> Result<()> {
    let expected = format!("{writes}; this option is for the outputs of `maillage plan`");
    let refused = [
        ("outputs.departements", !spec.outputs.departements.is_empty(), spec.outputs.departements.join(",")),
        ("outputs.xlsx", !spec.outputs.xlsx, "false".to_owned()),
        ("outputs.pdf", spec.outputs.pdf, "true".to_owned()),
    ];
    match refused.into_iter().find(|(_, given, _)| *given) {
        Some((key, _, value)) => Err(origin.place(maillage::spec::SpecError::new(key, value, &expected))),
        None => Ok(()),
    }
}

impl Point {
    /// People served over the need.
    pub fn served_share(&self) -> f64 {
        self.served / self.need.max(f64::MIN_POSITIVE)
    }
}

/// A plan's headline figures.
pub(super) fn point(x: f64, problem: &Problem, plan: &Plan, bound_min: f64, seconds: f64) -> Point {
    let m = optimise::measure(problem, plan);
    let within = |minutes: f64| {
        (minutes <= bound_min + 1e-9).then(|| {
            let covered: f64 = (0..problem.unit_count())
                .filter(|&i| {
                    problem
                        .pairs_of(i)
                        .iter()
                        .any(|q| f64::from(q.minutes) <= minutes && plan.posts[q.site as usize] > 0)
                })
                .map(|i| problem.need[i])
                .sum();
            covered / m.need.max(f64::MIN_POSITIVE)
        })
    };
    Point {
        x,
        posts: m.posts,
        cost_eur: m.cost_eur,
        served: m.served,
        need: m.need,
        weighted_served: m.weighted_served,
        objective: plan.objective,
        bound: plan.bound,
        gap: plan.gap(),
        coverage_share: m.coverage_share,
        coverage_20: within(20.0),
        coverage_30: within(30.0),
        min_dep: m.min_dep_share,
        gini_dep: m.gini_dep_share,
        seconds,
    }
}

fn write_csv(w: &mut dyn Write, rows: &[Point]) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(COLUMNS)?;
    for r in rows {
        let mut row = point_fields(r);
        row.extend([format!("{:.1}", r.seconds), "ok".to_owned()]);
        csv.write_record(&row)?;
    }
    csv.flush()
}

/// The figures of a plan under the first 12 of [`COLUMNS`] (`posts` … `gini_dep_served_share`).
pub(super) fn point_fields(r: &Point) -> Vec<String> {
    let opt = |v: Option<f64>, digits: usize| v.map_or_else(String::new, |x| format!("{x:.digits$}"));
    vec![
        r.posts.to_string(),
        format!("{:.0}", r.cost_eur),
        format!("{:.3}", r.served),
        format!("{:.3}", r.weighted_served),
        format!("{:.6}", r.objective),
        opt(r.bound, 6),
        opt(r.gap, 6),
        format!("{:.6}", r.coverage_share),
        opt(r.coverage_20, 6),
        opt(r.coverage_30, 6),
        format!("{:.6}", r.min_dep),
        format!("{:.6}", r.gini_dep),
    ]
}

fn label_head(swept: Swept) -> &'static str {
    match swept {
        Swept::Posts => "postes",
        Swept::Budget => "budget",
        Swept::Target => "cible",
    }
}

fn label(swept: Swept, x: f64) -> String {
    match swept {
        Swept::Posts => format!("{} postes", fr_number(x, 0)),
        Swept::Budget => fr_euros(x),
        Swept::Target => fr_percent(x, 1),
    }
}

/// Two panels over the swept value: the objective and its bound; the shares of the need
/// within reach (the bound, 20 and 30 minutes) and served.
fn frontier_svg(rows: &[Point], swept: Swept, objective: Objective) -> String {
    let (w, h, left, right, top, panel) = (820.0, 560.0, 90.0, 190.0, 30.0, 220.0);
    let xs: Vec<f64> = rows.iter().map(|r| r.x).collect();
    let (x0, x1) =
        (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let span = if x1 > x0 { x1 - x0 } else { 1.0 };
    let px = |x: f64| left + (x - x0) / span * (w - left - right);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n"
    );
    let objectives: Vec<f64> = rows.iter().map(|r| r.objective).chain(rows.iter().filter_map(|r| r.bound)).collect();
    let (lo, hi) = (
        objectives.iter().copied().fold(f64::INFINITY, f64::min),
        objectives.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let title = format!("Objectif ({}) et borne", objective.as_str());
    panel_svg(
        &mut s,
        &title,
        top,
        panel,
        lo,
        hi,
        &px,
        &[
            ("objectif", "#1f5fa8", "", rows.iter().map(|r| Some(r.objective)).collect()),
            ("borne", "#1f5fa8", "6 4", rows.iter().map(|r| r.bound).collect()),
        ],
        &xs,
    );
    panel_svg(
        &mut s,
        "Part du besoin",
        top + panel + 60.0,
        panel,
        0.0,
        1.0,
        &px,
        &[
            ("à portée (borne)", "#2a8a4a", "", rows.iter().map(|r| Some(r.coverage_share)).collect()),
            ("à 20 min", "#d08a1e", "", rows.iter().map(|r| r.coverage_20).collect()),
            ("à 30 min", "#8a4ad0", "", rows.iter().map(|r| r.coverage_30).collect()),
            ("servi", "#c0392b", "", rows.iter().map(|r| Some(r.served_share())).collect()),
        ],
        &xs,
    );
    for &x in &xs {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
            px(x),
            h - 8.0,
            label(swept, x)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[allow(clippy::too_many_arguments)]
fn panel_svg(
    s: &mut String,
    title: &str,
    top: f64,
    height: f64,
    lo: f64,
    hi: f64,
    px: &dyn Fn(f64) -> f64,
    series: &[(&str, &str, &str, Vec<Option<f64>>)],
    xs: &[f64],
) {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let py = |v: f64| top + height - (v - lo) / span * height;
    let _ = writeln!(s, "<text x=\"90\" y=\"{:.1}\" font-weight=\"bold\">{title}</text>", top - 10.0);
    let _ = writeln!(
        s,
        "<line x1=\"90\" y1=\"{:.1}\" x2=\"630\" y2=\"{:.1}\" stroke=\"#888\"/>\n<line x1=\"90\" y1=\"{top:.1}\" x2=\"90\" y2=\"{:.1}\" stroke=\"#888\"/>",
        top + height,
        top + height,
        top + height
    );
    for i in 0..=4 {
        let v = lo + span * f64::from(i) / 4.0;
        let _ = writeln!(
            s,
            "<text x=\"84\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
            py(v) + 4.0,
            if hi <= 1.0 && lo >= 0.0 { fr_percent(v, 0) } else { fr_number(v, 0) }
        );
    }
    // Series with no value (30 minutes under a shorter bound) are neither drawn nor listed.
    let drawn: Vec<_> = series.iter().filter(|(_, _, _, values)| values.iter().any(Option::is_some)).collect();
    for (k, (name, colour, dash, values)) in drawn.iter().enumerate() {
        let points: Vec<String> =
            xs.iter().zip(values).filter_map(|(&x, v)| v.map(|v| format!("{:.1},{:.1}", px(x), py(v)))).collect();
        if points.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\" points=\"{}\"/>",
            points.join(" ")
        );
        for p in &points {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(s, "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"/>");
        }
        // The legend right of the panel, clear of the curves.
        let ly = top + height - 14.0 * (drawn.len() - k) as f64;
        let _ = writeln!(
            s,
            "<line x1=\"650\" y1=\"{ly:.1}\" x2=\"670\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>\
             <text x=\"676\" y=\"{:.1}\">{name}</text>",
            ly + 4.0
        );
    }
}

fn write_report(w: &mut dyn Write, rows: &[Point], swept: Swept, base: &PlanSpec, svg: &str) -> std::io::Result<()> {
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |x| fr_percent(x, 1));
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Frontière</title>\n\
         <style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}</style></head><body>\n\
         <h1>Frontière : {} points</h1>\n<p>Objectif {}, temps de trajet maximal {} min, chaque point un plan sur \
         la même instance.</p>\n{svg}",
        rows.len(),
        base.objective.as_str(),
        base.travel.bound_min
    )?;
    writeln!(
        w,
        "<table><thead><tr><th>{}</th><th>postes</th><th>coût (M€)</th><th>servis</th><th>objectif</th>\
         <th>borne</th><th>écart</th><th>couverture</th><th>à 20 min</th><th>à 30 min</th><th>durée (s)</th></tr></thead><tbody>",
        label_head(swept)
    )?;
    for r in rows {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            label(swept, r.x),
            fr_number(f64::from(r.posts), 0),
            fr_number(r.cost_eur / 1e6, 1),
            fr_number(r.served, 0),
            fr_number(r.objective, 1),
            r.bound.map_or_else(|| "—".to_owned(), |b| fr_number(b, 1)),
            pct(r.gap),
            pct(Some(r.coverage_share)),
            pct(r.coverage_20),
            pct(r.coverage_30),
            fr_number(r.seconds, 1)
        )?;
    }
    writeln!(w, "</tbody></table></body></html>")
}
