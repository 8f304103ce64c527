//! `maillage sensitivity`: the plan solved again under perturbed assumptions (speeds, need,
//! the IFN score, capacity per post), to show which measures and which posts hold and which
//! hinge on an assumption. Writes `sensitivity.csv`, `stability.csv`, `sites.csv` and
//! `report.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use maillage::optimise;
use maillage::report::{OutputSet, escape, fr_number, fr_percent, svg_path};
use maillage::spatial::map_plane;
use maillage::spec::PlanSpec;
use maillage::{DataFiles, Dataset, score_need};

use super::frontier::{COLUMNS as FRONTIER_COLUMNS, Point, point, point_fields, refuse_plan_outputs_of};
use super::instance::{Instance, build_instance, reach_scaled};
use super::plan::plan_problem;
use super::spec::{Origin, plan_spec};
use super::{list_written, load_dataset, spinner};
use crate::cli::PlanArgs;

/// The files of a sensitivity folder.
pub const SENSITIVITY_SET: &[&str] = &["sensitivity.csv", "stability.csv", "sites.csv", "report.html"];

/// Where the runs go when neither the flags nor the scenario say.
const DEFAULT_OUT: &str = "maillage-sensitivity";

/// How much each assumption is moved, either way.
const DELTA: f64 = 0.2;

/// What a variant changes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// Nothing: the plan of the scenario.
    Base,
    /// Every speed × the factor (times ÷ it).
    Speeds(f64),
    /// Every unit's need × the factor (the illectronisme rates, or the need file).
    Need(f64),
    /// The other IFN score modulates the rate.
    IfnSwap,
    /// Capacity per post × the factor.
    Capacity(f64),
}

/// One variant of the scenario.
#[derive(Debug, Clone)]
struct Variant {
    /// Short name (`speeds-20`), the column of `sites.csv`.
    key: String,
    /// What it changes, in French.
    label: String,
    change: Change,
}

fn variants(base: &PlanSpec) -> Vec<Variant> {
    let pct = (DELTA * 100.0).round();
    let other = base.need.ifn_score.other();
    let v = |key: String, label: String, change| Variant { key, label, change };
    vec![
        v("base".into(), "plan de référence".into(), Change::Base),
        v(format!("speeds-{pct}"), format!("vitesses −{pct} %"), Change::Speeds(1.0 - DELTA)),
        v(format!("speeds+{pct}"), format!("vitesses +{pct} %"), Change::Speeds(1.0 + DELTA)),
        v(format!("need-{pct}"), format!("besoin −{pct} % (taux d'illectronisme)"), Change::Need(1.0 - DELTA)),
        v(format!("need+{pct}"), format!("besoin +{pct} % (taux d'illectronisme)"), Change::Need(1.0 + DELTA)),
        v(format!("ifn-{}", other.as_str()), format!("indice de fragilité : {}", other.as_str()), Change::IfnSwap),
        v(format!("capacity-{pct}"), format!("personnes par poste −{pct} %"), Change::Capacity(1.0 - DELTA)),
        v(format!("capacity+{pct}"), format!("personnes par poste +{pct} %"), Change::Capacity(1.0 + DELTA)),
    ]
}

/// A variant solved: its figures and its posts per candidate, or why it was not solved.
struct Outcome {
    variant: Variant,
    result: std::result::Result<(Point, Vec<u32>), String>,
}

pub fn sensitivity(files: &DataFiles, args: &PlanArgs) -> Result<()> {
    let start = Instant::now();
    let (base, origin) = plan_spec(args)?;
    refuse_outputs(&base, &origin)?;
    let out = base.outputs.out.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    maillage::report::check_output_path(&out, maillage::report::OutputKind::Folder(SENSITIVITY_SET))?;
    let progress = spinner("chargement des données");
    let data = load_dataset(files)?;
    let mut inst = build_instance(files, &data, &base, &origin, &progress)?;
    let (base_need, base_reach) = (inst.need.clone(), inst.reach.clone());
    let list = variants(&base);
    let mut outcomes = Vec::new();
    for (k, v) in list.iter().enumerate() {
        progress.set_message(format!("variante {}/{} ({})", k + 1, list.len(), v.label));
        let clock = Instant::now();
        let result = solve_variant(&mut inst, &base, &origin, v, &base_need, &base_reach)
            .map(|(problem, plan)| {
                let p = point(0.0, &problem, &plan, base.travel.bound_min, clock.elapsed().as_secs_f64());
                (p, plan.posts)
            })
            .map_err(|e| format!("{e:#}"));
        if k == 0
            && let Err(e) = &result
        {
            anyhow::bail!("the base plan: {e}");
        }
        outcomes.push(Outcome { variant: v.clone(), result });
    }
    progress.finish_and_clear();
    let stability = Stability::of(&inst.data, &outcomes);
    let mut set = OutputSet::new(&out, SENSITIVITY_SET)?;
    set.write("sensitivity.csv", |w| write_sensitivity(w, &outcomes, &stability))?;
    set.write("stability.csv", |w| write_stability(w, &inst, &outcomes, &stability))?;
    set.write("sites.csv", |w| write_sites(w, &inst.data, &outcomes))?;
    let deps = maillage::load::load_departement_shapes(files).context("reading the départements")?;
    set.write("report.html", |w| write_report(w, &inst, &deps, &base, &outcomes, &stability))?;
    let paths = set.commit()?;
    println!("Sensibilité ({} variantes, {:.1} s)", outcomes.len(), start.elapsed().as_secs_f64());
    println!(
        "  {:<44} {:>12} {:>8} {:>9} {:>8} {:>8} {:>8}",
        "variante", "servis", "servis %", "à portée", "même lieu", "commune", "EPCI"
    );
    for (k, o) in outcomes.iter().enumerate() {
        match &o.result {
            Ok((p, _)) => println!(
                "  {:<44} {:>12.0} {:>8} {:>9} {:>8} {:>8} {:>8}",
                o.variant.label,
                p.served,
                fr_percent(p.served_share(), 1),
                fr_percent(p.coverage_share, 1),
                fr_percent(stability.national[k][0], 1),
                fr_percent(stability.national[k][1], 1),
                fr_percent(stability.national[k][2], 1)
            ),
            Err(e) => println!("  {:<44} non résolue : {e}", o.variant.label),
        }
    }
    list_written(&paths);
    Ok(())
}

/// The options of a plan's outputs, refused by name: sensitivity writes its own set.
fn refuse_outputs(spec: &PlanSpec, origin: &Origin) -> Result<()> {
    refuse_plan_outputs_of(
        spec,
        origin,
        "`maillage sensitivity` writes sensitivity.csv, stability.csv, sites.csv and report.html for the whole of France",
    )
}

/// A spec checked as `sensitivity` checks it before loading anything (the web app's door).
pub fn check_outputs(spec: &PlanSpec) -> Result<()> {
    refuse_outputs(spec, &Origin::default())
}

/// Solves one variant on the instance, whose need and reach it sets (from the base's).
fn solve_variant(
    inst: &mut Instance,
    base: &PlanSpec,
    origin: &Origin,
    v: &Variant,
    base_need: &maillage::NeedScores,
    base_reach: &maillage::spatial::Reach,
) -> Result<(optimise::Problem, optimise::Plan)> {
    let mut spec = base.clone();
    inst.need = base_need.clone();
    inst.reach = base_reach.clone();
    match v.change {
        Change::Base => {}
        Change::Speeds(f) => inst.reach = reach_scaled(&inst.data, base, origin, 1.0 / f)?,
        Change::Need(f) => {
            for u in &mut inst.need.units {
                u.need *= f;
            }
        }
        Change::IfnSwap => {
            if base.need.file.is_some() {
                anyhow::bail!("sans objet : need.file (--need) remplace le modèle de besoin");
            }
            spec.need.ifn_score = base.need.ifn_score.other();
            spec.check_data(&inst.data).map_err(|e| origin.place(e))?;
            inst.need = score_need(&inst.data.units, &spec.need_model(), None);
        }
        Change::Capacity(f) => {
            spec.capacity_per_post = base.capacity_per_post * f;
            spec.validate().map_err(|e| origin.place(e))?;
        }
    }
    let problem = plan_problem(inst, &spec).with_context(|| v.label.clone())?;
    let plan = optimise::solve(&problem, spec.solver).with_context(|| v.label.clone())?;
    Ok((problem, plan))
}

/// The share of the base plan's posts that each variant keeps at the same site, in the same
/// commune and in the same EPCI: Σ min(variant, base) over the places / Σ base.
struct Stability {
    /// Per variant: [site, commune, EPCI] over all of France.
    national: Vec<[f64; 3]>,
    /// Per département code: per variant, (posts, [site, commune, EPCI] shares; `NaN` when
    /// the base plan has no post there).
    by_dep: BTreeMap<String, Vec<(u32, [f64; 3])>>,
}

impl Stability {
    /// The lowest share of a département's base posts that a variant keeps at the same site,
    /// `None` when no variant gives one (no base post there).
    fn worst_site_share(&self, dep: &str) -> Option<f64> {
        let rows = self.by_dep.get(dep)?;
        rows.iter().skip(1).map(|r| r.1[0]).filter(|v| !v.is_nan()).reduce(f64::min)
    }

    fn of(data: &Dataset, outcomes: &[Outcome]) -> Self {
        let none = vec![0; data.candidates.len()];
        let posts_of = |o: &Outcome| o.result.as_ref().map_or(&none, |(_, p)| p).clone();
        let base = posts_of(&outcomes[0]);
        // Each candidate's place at the three levels: itself, its commune (a city for an
        // arrondissement), its EPCI (its commune when it has none).
        let unit = |j: usize| &data.units[data.candidates[j].unit.get()];
        let keys = |j: usize| -> [String; 3] {
            let u = unit(j);
            let commune = u.city.as_ref().unwrap_or(&u.code).as_str().to_owned();
            let epci = if u.epci_siren.is_empty() { format!("commune:{commune}") } else { u.epci_siren.clone() };
            [j.to_string(), commune, epci]
        };
        let deps: std::collections::BTreeSet<String> = data.units.iter().map(|u| u.dep.clone()).collect();
        let mut national = Vec::new();
        let mut by_dep: BTreeMap<String, Vec<(u32, [f64; 3])>> = deps.iter().map(|d| (d.clone(), Vec::new())).collect();
        for o in outcomes {
            let posts = posts_of(o);
            let used: Vec<usize> = (0..posts.len()).filter(|&j| posts[j] > 0 || base[j] > 0).collect();
            // (département or "" for France) → per level, place → (variant posts, base posts).
            let mut groups: BTreeMap<&str, [BTreeMap<String, (u32, u32)>; 3]> = BTreeMap::new();
            for &j in &used {
                let k = keys(j);
                for scope in ["", unit(j).dep.as_str()] {
                    let levels = groups.entry(scope).or_default();
                    for (level, key) in levels.iter_mut().zip(&k) {
                        let e = level.entry(key.clone()).or_default();
                        e.0 += posts[j];
                        e.1 += base[j];
                    }
                }
            }
            let shares = |scope: &str| -> (u32, [f64; 3]) {
                let Some(levels) = groups.get(scope) else { return (0, [f64::NAN; 3]) };
                let placed: u32 = levels[0].values().map(|v| v.0).sum();
                let total: u32 = levels[0].values().map(|v| v.1).sum();
                let mut out = [f64::NAN; 3];
                for (slot, level) in out.iter_mut().zip(levels) {
                    let kept: u32 = level.values().map(|&(v, b)| v.min(b)).sum();
                    if total > 0 {
                        *slot = f64::from(kept) / f64::from(total);
                    }
                }
                (placed, out)
            };
            national.push(shares("").1);
            for (d, rows) in &mut by_dep {
                rows.push(shares(d));
            }
        }
        Self { national, by_dep }
    }
}

fn share(v: f64) -> String {
    if v.is_nan() { String::new() } else { format!("{v:.6}") }
}

/// `sensitivity.csv`'s columns: the variant, what it changes, the figures of `frontier.csv`,
/// the need and served share, the stability shares, the time and the status.
fn sensitivity_columns() -> Vec<&'static str> {
    let mut head = vec!["variant", "change"];
    head.extend(&FRONTIER_COLUMNS[..12]);
    head.extend([
        "need",
        "served_share",
        "same_site_share",
        "same_commune_share",
        "same_epci_share",
        "seconds",
        "status",
    ]);
    head
}

fn write_sensitivity(w: &mut dyn Write, outcomes: &[Outcome], stability: &Stability) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let head = sensitivity_columns();
    csv.write_record(&head)?;
    for (k, o) in outcomes.iter().enumerate() {
        let mut row = vec![o.variant.key.clone(), o.variant.label.clone()];
        match &o.result {
            Ok((p, _)) => {
                let s = stability.national[k];
                row.extend(point_fields(p));
                row.extend([
                    format!("{:.3}", p.need),
                    format!("{:.6}", p.served_share()),
                    share(s[0]),
                    share(s[1]),
                    share(s[2]),
                    format!("{:.1}", p.seconds),
                    "ok".to_owned(),
                ]);
            }
            Err(e) => {
                row.extend(std::iter::repeat_n(String::new(), head.len() - 3));
                row.push(e.clone());
            }
        }
        csv.write_record(&row)?;
    }
    csv.flush()
}

fn write_stability(w: &mut dyn Write, inst: &Instance, outcomes: &[Outcome], s: &Stability) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "dep",
        "nom",
        "variant",
        "posts",
        "base_posts",
        "same_site_share",
        "same_commune_share",
        "same_epci_share",
    ])?;
    for (dep, rows) in &s.by_dep {
        let name = inst.dep_names.get(dep).cloned().unwrap_or_default();
        let base_posts = rows[0].0;
        for (o, (posts, shares)) in outcomes.iter().zip(rows).skip(1) {
            if o.result.is_err() {
                continue;
            }
            csv.write_record([
                dep.clone(),
                name.clone(),
                o.variant.key.clone(),
                posts.to_string(),
                base_posts.to_string(),
                share(shares[0]),
                share(shares[1]),
                share(shares[2]),
            ])?;
        }
    }
    csv.flush()
}

/// Posts of every variant at each candidate that has some in one of them.
fn site_rows(data: &Dataset, outcomes: &[Outcome]) -> Vec<(usize, Vec<Option<u32>>)> {
    (0..data.candidates.len())
        .map(|j| (j, outcomes.iter().map(|o| o.result.as_ref().ok().map(|(_, p)| p[j])).collect::<Vec<_>>()))
        .filter(|(_, posts)| posts.iter().any(|p| p.is_some_and(|n| n > 0)))
        .collect()
}

/// The fewest and the most posts a site gets over the variants solved.
fn posts_range(posts: &[Option<u32>]) -> (u32, u32) {
    let solved = || posts.iter().flatten().copied();
    (solved().min().unwrap_or(0), solved().max().unwrap_or(0))
}

fn write_sites(w: &mut dyn Write, data: &Dataset, outcomes: &[Outcome]) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let mut head: Vec<String> = ["candidate", "name", "insee", "commune", "dep", "kind"].map(str::to_owned).to_vec();
    head.extend(outcomes.iter().map(|o| format!("posts_{}", o.variant.key)));
    head.extend(["posts_min", "posts_max"].map(str::to_owned));
    csv.write_record(&head)?;
    for (j, posts) in site_rows(data, outcomes) {
        let c = &data.candidates[j];
        let u = &data.units[c.unit.get()];
        let (least, most) = posts_range(&posts);
        let mut row = vec![
            c.id.clone(),
            c.name.clone(),
            u.code.as_str().to_owned(),
            u.name.clone(),
            u.dep.clone(),
            c.kind.as_str().to_owned(),
        ];
        row.extend(posts.iter().map(|p| p.map_or_else(String::new, |n| n.to_string())));
        row.push(least.to_string());
        row.push(most.to_string());
        csv.write_record(&row)?;
    }
    csv.flush()
}

/// Horizontal bars: one row per variant, the measure's change from the base (points of share).
fn tornado_svg(title: &str, outcomes: &[Outcome], measure: &dyn Fn(&Point) -> Option<f64>) -> String {
    let Ok((base, _)) = &outcomes[0].result else { return String::new() };
    let Some(b) = measure(base) else { return String::new() };
    let deltas: Vec<Option<f64>> = outcomes
        .iter()
        .map(|o| o.result.as_ref().ok().and_then(|(p, _)| measure(p)).map(|v| 100.0 * (v - b)))
        .collect();
    let span = deltas.iter().flatten().fold(1.0f64, |m, d| m.max(d.abs()));
    let (w, row, left, mid) = (620.0, 22.0, 250.0, 435.0);
    let h = row * outcomes.len() as f64 + 40.0;
    let scale = (w - mid - 60.0) / span;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\
         <text x=\"0\" y=\"14\" font-weight=\"bold\">{title} : {} dans le plan de référence</text>\n",
        fr_percent(b, 1)
    );
    for (k, (o, d)) in outcomes.iter().zip(&deltas).enumerate() {
        let y = 26.0 + row * k as f64;
        let _ = write!(s, "<text x=\"{left}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>", y + 14.0, o.variant.label);
        if let Some(d) = d {
            let (x, width) = if *d < 0.0 { (mid + d * scale, -d * scale) } else { (mid, d * scale) };
            let colour = if *d < 0.0 { "#c0392b" } else { "#2a8a4a" };
            // Below the shown precision a change is no change (never "−0,0").
            let sign = if d.abs() < 0.05 {
                ""
            } else if *d < 0.0 {
                "−"
            } else {
                "+"
            };
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{colour}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}{} pt</text>",
                y + 3.0,
                width.max(0.5),
                if *d < 0.0 { x - 52.0 } else { mid + width + 4.0 },
                y + 14.0,
                sign,
                fr_number(d.abs(), 1)
            );
        } else {
            let _ = write!(s, "<text x=\"{}\" y=\"{:.1}\" fill=\"#888\">non résolue</text>", mid + 4.0, y + 14.0);
        }
    }
    let _ = writeln!(s, "<line x1=\"{mid}\" y1=\"24\" x2=\"{mid}\" y2=\"{:.1}\" stroke=\"#333\"/></svg>", h - 10.0);
    s
}

/// A département's code, name and polygon.
type DepShape = (String, String, geo::MultiPolygon<f64>);

/// Mainland France (Lambert-93): each département shaded by the lowest share of its base
/// posts that a variant keeps at the same site, and each site of the base plan a dot sized by
/// its posts, coloured by what the variants do with them (all kept, some, none in some
/// variant). The DROM are in the tables.
fn robustness_map(inst: &Instance, deps: &[DepShape], outcomes: &[Outcome], s: &Stability) -> String {
    if outcomes[0].result.is_err() {
        return String::new();
    }
    // The mainland départements of the area solved (all of them for France).
    let solved: std::collections::BTreeSet<&str> =
        inst.data.units.iter().filter(|u| u.zone == maillage::Zone::Metro).map(|u| u.dep.as_str()).collect();
    let shapes: Vec<&DepShape> = deps.iter().filter(|(code, _, _)| solved.contains(code.as_str())).collect();
    if shapes.is_empty() {
        return String::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (_, _, shape) in &shapes {
        for c in shape.0.iter().flat_map(|p| p.exterior().0.iter()) {
            let (x, y) = map_plane(c.x, c.y, None);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let (width, height) = (600.0, 600.0 * (y1 - y0) / (x1 - x0).max(1.0));
    let scale = width / (x1 - x0).max(1.0);
    let px = |lon: f64, lat: f64| {
        let (x, y) = map_plane(lon, lat, None);
        ((x - x0) * scale, (y1 - y) * scale)
    };
    let shade = |v: f64| match v {
        v if v.is_nan() => "#eeeeee",
        v if v < 0.4 => "#fcbba1",
        v if v < 0.55 => "#fee5d9",
        v if v < 0.7 => "#c6dbef",
        v if v < 0.85 => "#6baed6",
        _ => "#2171b5",
    };
    let mut svg = format!(
        "<h2>Où les postes tiennent</h2>\n<p>Département : la plus petite part de ses postes du plan de référence \
         qu'une variante garde au même lieu (rose foncé : moins de 40 % ; rose : 40 à 55 % ; bleus : 55 à 70 %, 70 à 85 %, \
         85 % ou plus). Point : un lieu du plan de référence, d'autant plus grand qu'il a de postes ; vert si toutes les \
         variantes y gardent tous ses postes, orange si certaines en retirent, rouge si une variante n'y en met aucun. \
         Survoler un point ou un département affiche ses chiffres.</p>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" \
         height=\"{height:.0}\" font-family=\"sans-serif\">\n"
    );
    for (code, name, shape) in &shapes {
        let v = s.worst_site_share(code).unwrap_or(f64::NAN);
        let figure = if v.is_nan() { "aucun poste".to_owned() } else { fr_percent(v, 0) };
        let _ = writeln!(
            svg,
            "<path d=\"{}\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.6\"><title>{} ({code}) : {figure} au même lieu \
             dans la variante la moins fidèle</title></path>",
            svg_path(shape, &px),
            shade(v),
            escape(name)
        );
    }
    for (j, posts_by_variant) in site_rows(&inst.data, outcomes) {
        let (c, posts) = (&inst.data.candidates[j], posts_by_variant[0].unwrap_or(0));
        if posts == 0 || inst.data.units[c.unit.get()].zone != maillage::Zone::Metro {
            continue;
        }
        let (kept, most) = posts_range(&posts_by_variant);
        let colour = if kept >= posts {
            "#1b7837"
        } else if kept > 0 {
            "#e08214"
        } else {
            "#c0392b"
        };
        let (x, y) = px(c.point.lon(), c.point.lat());
        let _ = writeln!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{:.1}\" fill=\"{colour}\" fill-opacity=\"0.8\"><title>{} : {posts} \
             poste(s), de {kept} à {most} selon les variantes</title></circle>",
            0.8 + f64::from(posts).sqrt() * 0.9,
            escape(&c.name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Grouped bars: per variant, the share of the base's posts kept at the same site, commune
/// and EPCI.
fn stability_svg(outcomes: &[Outcome], s: &Stability) -> String {
    let (w, row, left) = (620.0, 40.0, 250.0);
    let h = row * (outcomes.len() - 1) as f64 + 50.0;
    let scale = w - left - 70.0;
    let colours = [("même lieu", "#1f5fa8"), ("même commune", "#5b9bd5"), ("même EPCI", "#a9c8ea")];
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\
         <text x=\"0\" y=\"14\" font-weight=\"bold\">Postes du plan de référence retrouvés dans chaque variante</text>\n"
    );
    for (k, (name, colour)) in colours.iter().enumerate() {
        let x = left + 130.0 * k as f64;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"22\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"31\">{name}</text>",
            x + 14.0
        );
    }
    for (k, o) in outcomes.iter().enumerate().skip(1) {
        let y = 42.0 + row * (k - 1) as f64;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + 20.0,
            o.variant.label
        );
        if o.result.is_err() {
            let _ = write!(out, "<text x=\"{left}\" y=\"{:.1}\" fill=\"#888\">non résolue</text>", y + 20.0);
            continue;
        }
        for (m, (_, colour)) in colours.iter().enumerate() {
            let v = s.national[k][m];
            let yy = y + 11.0 * m as f64;
            let _ = write!(
                out,
                "<rect x=\"{left}\" y=\"{yy:.1}\" width=\"{:.1}\" height=\"10\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>",
                v * scale,
                left + v * scale + 4.0,
                yy + 9.0,
                fr_percent(v, 1)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn write_report(
    w: &mut dyn Write,
    inst: &Instance,
    deps: &[DepShape],
    base: &PlanSpec,
    outcomes: &[Outcome],
    s: &Stability,
) -> std::io::Result<()> {
    let title = base.name.as_deref().unwrap_or("Plan des conseillers numériques");
    let served = |p: &Point| Some(p.served_share());
    let within = |p: &Point| Some(p.coverage_share);
    let min_dep = |p: &Point| Some(p.min_dep);
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Sensibilité : {title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}\
         .charts{{display:flex;flex-wrap:wrap;gap:1em}}</style></head><body>\n\
         <h1>Sensibilité du plan aux hypothèses</h1>\n<p>{title} : le même scénario résolu {} fois, chaque fois avec une \
         hypothèse déplacée de {} % (vitesses, besoin, indice de fragilité, personnes par poste). Les barres donnent l'écart \
         à la variante de référence, en points ; la stabilité dit quelle part des postes du plan de référence chaque variante \
         place au même lieu, dans la même commune, dans le même EPCI.</p>",
        outcomes.len(),
        fr_number(DELTA * 100.0, 0)
    )?;
    writeln!(w, "<div class=\"charts\">")?;
    w.write_all(tornado_svg("Part du besoin servie", outcomes, &served).as_bytes())?;
    w.write_all(
        tornado_svg(
            &format!("Besoin à moins de {} min d'un poste", fr_number(base.travel.bound_min, 0)),
            outcomes,
            &within,
        )
        .as_bytes(),
    )?;
    w.write_all(tornado_svg("Part servie du département le moins servi", outcomes, &min_dep).as_bytes())?;
    w.write_all(stability_svg(outcomes, s).as_bytes())?;
    writeln!(w, "</div>")?;
    w.write_all(robustness_map(inst, deps, outcomes, s).as_bytes())?;
    writeln!(
        w,
        "<h2>Variantes</h2>\n<table><thead><tr><th>variante</th><th>postes</th><th>besoin</th><th>servis</th>\
                 <th>part servie</th><th>à portée</th><th>dép. le moins servi</th><th>écart à la borne</th><th>même lieu</th>\
                 <th>même commune</th><th>même EPCI</th></tr></thead><tbody>"
    )?;
    for (k, o) in outcomes.iter().enumerate() {
        match &o.result {
            Ok((p, _)) => writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                o.variant.label,
                fr_number(f64::from(p.posts), 0),
                fr_number(p.need, 0),
                fr_number(p.served, 0),
                fr_percent(p.served_share(), 1),
                fr_percent(p.coverage_share, 1),
                fr_percent(p.min_dep, 1),
                p.gap.map_or_else(|| "—".to_owned(), |g| fr_percent(g, 2)),
                fr_percent(s.national[k][0], 1),
                fr_percent(s.national[k][1], 1),
                fr_percent(s.national[k][2], 1)
            )?,
            Err(e) => {
                writeln!(
                    w,
                    "<tr><td>{}</td><td colspan=\"10\">non résolue : {}</td></tr>",
                    o.variant.label,
                    escape(e)
                )?;
            }
        }
    }
    writeln!(w, "</tbody></table>")?;
    write_departements(w, inst, outcomes, s)?;
    write_sites_table(w, inst, outcomes)?;
    writeln!(w, "</body></html>")
}

/// The départements whose posts move the most: the lowest same-site share in any variant.
fn write_departements(w: &mut dyn Write, inst: &Instance, outcomes: &[Outcome], s: &Stability) -> std::io::Result<()> {
    let mut deps: Vec<(&String, f64, &Vec<(u32, [f64; 3])>)> = s
        .by_dep
        .iter()
        .filter(|(_, rows)| rows[0].0 > 0)
        .map(|(d, rows)| (d, s.worst_site_share(d).unwrap_or(1.0), rows))
        .collect();
    deps.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    writeln!(
        w,
        "<h2>Départements</h2>\n<p>Postes par variante ; entre parenthèses, la part des postes du plan de référence \
         retrouvés au même lieu. Les départements dont les postes bougent le plus d'abord (stability.csv les donne tous, \
         avec les parts par commune et par EPCI).</p>\n<table><thead><tr><th>département</th>"
    )?;
    for o in outcomes {
        write!(w, "<th>{}</th>", o.variant.label)?;
    }
    writeln!(w, "</tr></thead><tbody>")?;
    for (d, _, rows) in deps.iter().take(40) {
        let name = inst.dep_names.get(*d).cloned().unwrap_or_default();
        write!(w, "<tr><td>{} ({d})</td>", escape(&name))?;
        for (k, (posts, shares)) in rows.iter().enumerate() {
            if k == 0 || shares[0].is_nan() {
                write!(w, "<td>{posts}</td>")?;
            } else {
                write!(w, "<td>{posts} ({})</td>", fr_percent(shares[0], 0))?;
            }
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</tbody></table>")?;
    Ok(())
}

/// The sites whose posts hinge on an assumption: the widest range across the variants.
fn write_sites_table(w: &mut dyn Write, inst: &Instance, outcomes: &[Outcome]) -> std::io::Result<()> {
    let mut sites = site_rows(&inst.data, outcomes);
    let range = |posts: &[Option<u32>]| {
        let (least, most) = posts_range(posts);
        most - least
    };
    let robust: u32 = sites.iter().map(|(_, p)| posts_range(p).0).sum();
    let base_total: u32 = sites.iter().map(|(_, p)| p[0].unwrap_or(0)).sum();
    sites.sort_by(|a, b| range(&b.1).cmp(&range(&a.1)).then(a.0.cmp(&b.0)));
    writeln!(
        w,
        "<h2>Lieux</h2>\n<p>{} des {} postes du plan de référence se retrouvent au même lieu dans chaque \
         variante : ceux-là ne dépendent d'aucune de ces hypothèses. Les lieux dont le nombre de postes varie le plus \
         d'une variante à l'autre (sites.csv les donne tous) :</p>\n<table><thead><tr><th>lieu</th><th>commune</th>",
        fr_number(f64::from(robust), 0),
        fr_number(f64::from(base_total), 0)
    )?;
    for o in outcomes {
        write!(w, "<th>{}</th>", o.variant.label)?;
    }
    writeln!(w, "</tr></thead><tbody>")?;
    for (j, posts) in sites.iter().take(30) {
        let c = &inst.data.candidates[*j];
        let u = &inst.data.units[c.unit.get()];
        write!(w, "<tr><td>{}</td><td>{} ({})</td>", escape(&c.name), escape(&u.name), u.code.as_str())?;
        for p in posts {
            write!(w, "<td>{}</td>", p.map_or_else(|| "—".to_owned(), |n| n.to_string()))?;
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</tbody></table>")
}
