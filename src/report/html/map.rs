//! The report's map: one SVG panel per territory shown (metropolitan France in Lambert-93,
//! each DROM equirectangular at its latitude), communes coloured by unmet need with their
//! name and figures on hover, the main towns labelled, and the sites hosting conseillers as
//! dots sized by posts that lead to their row in the sites table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{Centroid, MultiPolygon};

use super::{ReportInput, escape};
use crate::report::french::{fr_minutes, fr_number, fr_percent};
use crate::spatial::map_plane;

/// Unmet share classes (upper bounds) and their colours, light to dark.
const CLASSES: [(f64, &str); 5] =
    [(0.2, "#fef0d9"), (0.4, "#fdcc8a"), (0.6, "#fc8d59"), (0.8, "#e34a33"), (f64::INFINITY, "#b30000")];
/// Colour of units without need.
const NO_NEED: &str = "#dddddd";

/// The colour classes of the map, and the dots, for a reader who has never seen a
/// choropleth.
pub(super) fn write_legend(html: &mut String) {
    html.push_str("<p class=\"legend\">Couleur d'une commune : part de son besoin <b>sans</b> conseiller accessible. ");
    let mut lower = 0.0;
    for (upper, colour) in CLASSES {
        let label = if upper.is_finite() {
            format!("de {} à {}", fr_percent(lower, 0), fr_percent(upper, 0))
        } else {
            format!("{} ou plus", fr_percent(lower, 0))
        };
        let _ = write!(html, "<span><i style=\"background:{colour}\"></i>{label}</span> ");
        lower = upper;
    }
    let _ = writeln!(
        html,
        "<span><i style=\"background:{NO_NEED}\"></i>aucun besoin estimé.</span><br><i class=\"dot\"></i>Lieu accueillant des conseillers : plus le point est grand, plus il y a de postes. <span class=\"screen\">Survoler une commune ou un lieu affiche ses chiffres ; cliquer sur un lieu le montre dans la liste des sites.</span></p>"
    );
}

/// One panel per territory shown, each fitted to the units shown.
pub(super) fn write_maps(html: &mut String, r: &ReportInput<'_>) {
    let mut territories: Vec<&str> =
        (0..r.units.len()).filter(|&i| r.shown(&r.units[i].dep)).map(|i| r.territories[i]).collect();
    territories.sort_unstable_by_key(|t| (*t != "metro", *t));
    territories.dedup();
    let territory_of: std::collections::HashMap<&str, &str> =
        r.units.iter().zip(r.territories).map(|(u, t)| (u.insee.as_str(), *t)).collect();
    for territory in territories {
        let members: Vec<usize> =
            (0..r.units.len()).filter(|&i| r.territories[i] == territory && r.shown(&r.units[i].dep)).collect();
        let Some(panel) = Panel::fit(r, territory, &members) else { continue };
        let label = match territory {
            "metro" if r.only_deps.is_empty() => "France métropolitaine".to_owned(),
            "metro" => {
                let in_metro =
                    |d: &String| r.units.iter().zip(r.territories).any(|(u, t)| u.dep == *d && *t == "metro");
                let metro_deps: Vec<&String> = r.only_deps.iter().filter(|d| in_metro(d)).collect();
                let named: Vec<String> = metro_deps
                    .iter()
                    .map(|d| r.dep_names.get(*d).map_or_else(|| (*d).clone(), |n| format!("{n} ({d})")))
                    .collect();
                named.join(", ")
            }
            drom => format!("{} ({drom})", r.dep_names.get(drom).map_or("DROM", String::as_str)),
        };
        let _ = writeln!(
            html,
            "<figure><figcaption>{}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0} {:.0}\" width=\"{:.0}\" height=\"{:.0}\">",
            escape(&label),
            panel.width,
            panel.height,
            panel.width,
            panel.height
        );
        for &i in &members {
            write_unit(html, r, i, &panel);
        }
        // The dot of one post is 3 pixels wide at least on a département's map.
        let dot = if r.only_deps.is_empty() { 1.3 } else { 3.5 } * (panel.width / 900.0).max(0.6);
        for (k, site) in r.sites.iter().enumerate().filter(|(_, s)| r.shown(&s.dep)) {
            if territory_of.get(site.insee.as_str()).copied() != Some(territory) {
                continue;
            }
            let (x, y) = panel.px(site.lon, site.lat);
            let radius = dot * f64::from(site.posts).sqrt();
            let _ = writeln!(
                html,
                "<a href=\"#s{k}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{radius:.1}\"><title>{} ({}) : {} poste(s), {} personnes servies</title></circle></a>",
                escape(&site.name),
                escape(site.kind.label()),
                site.posts,
                fr_number(site.served, 0)
            );
        }
        write_town_labels(html, r, &members, &panel);
        html.push_str("</svg></figure>\n");
    }
}

/// A commune's polygon, coloured by its unmet share, with its figures on hover.
fn write_unit(html: &mut String, r: &ReportInput<'_>, i: usize, panel: &Panel) {
    let u = &r.units[i];
    let Some(shape) = &r.shapes[i] else { return };
    let d = svg_path(shape, &|lon, lat| panel.px(lon, lat));
    if d.is_empty() {
        return;
    }
    let class = if u.need <= 0.0 {
        "n".to_owned()
    } else {
        let unmet = 1.0 - u.served_share;
        format!("c{}", CLASSES.iter().position(|(upper, _)| unmet < *upper).unwrap_or(CLASSES.len() - 1))
    };
    let nearest = u.nearest_post_min.map_or_else(
        || format!("aucun conseiller à moins de {}", fr_minutes(r.bound_min)),
        |t| format!("conseiller le plus proche à {}", fr_minutes(t)),
    );
    let _ = writeln!(
        html,
        "<path class=\"{class}\" d=\"{d}\"><title>{} ({}) : besoin {}, servis {} ({}), {nearest}</title></path>",
        escape(&u.nom),
        u.insee,
        fr_number(u.need, 0),
        fr_number(u.served, 0),
        fr_percent(u.served_share, 0)
    );
}

/// Labels of the most populous towns of the panel (a split city's arrondissements counted
/// as one town, labelled at their population-weighted centre).
fn write_town_labels(html: &mut String, r: &ReportInput<'_>, members: &[usize], panel: &Panel) {
    let count = match (panel.metro, r.only_deps.is_empty()) {
        (true, true) => 12,
        (true, false) => 5 + 3 * r.only_deps.len().min(5),
        (false, true) => 3,
        (false, false) => 6,
    };
    // Town → (population, Σ population × x, Σ population × y).
    let mut towns: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for &i in members {
        let u = &r.units[i];
        let Some(centre) = r.shapes[i].as_ref().and_then(Centroid::centroid) else { continue };
        let (x, y) = panel.px(centre.x(), centre.y());
        let pop = u.population as f64;
        let t = towns.entry(town_name(&u.nom).to_owned()).or_default();
        *t = (t.0 + pop, t.1 + pop * x, t.2 + pop * y);
    }
    let mut ranked: Vec<(&String, &(f64, f64, f64))> = towns.iter().filter(|(_, t)| t.0 > 0.0).collect();
    ranked.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then(a.0.cmp(b.0)));
    let size = if panel.metro || !r.only_deps.is_empty() { 12.0 * (panel.width / 900.0) } else { 9.0 };
    // Placed labels' boxes (centre x, baseline y, half width): a town whose label would
    // overlap one already placed is skipped for the next.
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    for (name, (pop, sx, sy)) in ranked {
        if placed.len() == count {
            break;
        }
        let (x, y, half) = (sx / pop, sy / pop - 4.0, 0.3 * size * name.chars().count() as f64);
        if placed.iter().any(|&(px, py, ph)| (x - px).abs() < half + ph + 2.0 && (y - py).abs() < size + 1.0) {
            continue;
        }
        placed.push((x, y, half));
        let _ = writeln!(
            html,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size:.0}\" text-anchor=\"middle\">{}</text>",
            escape(name)
        );
    }
}

/// The town of a unit: « Marseille » for « Marseille 1er Arrondissement », the name itself
/// otherwise.
fn town_name(nom: &str) -> &str {
    match nom.find(" Arrondissement") {
        Some(end) => nom[..end].rsplit_once(' ').map_or(nom, |(town, _)| town),
        None => nom,
    }
}

/// A panel's projection to pixels.
struct Panel {
    metro: bool,
    mid_lat: f64,
    x0: f64,
    y0: f64,
    scale: f64,
    width: f64,
    height: f64,
}

impl Panel {
    /// The panel fitted to `members`' polygons, with a small margin so that coasts and dots
    /// at the edge are not cut; `None` when they have no extent.
    fn fit(r: &ReportInput<'_>, territory: &str, members: &[usize]) -> Option<Self> {
        let mid_lat = mean_lat(r, members)?;
        let mut panel =
            Self { metro: territory == "metro", mid_lat, x0: 0.0, y0: 0.0, scale: 1.0, width: 0.0, height: 0.0 };
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for shape in members.iter().filter_map(|&i| r.shapes[i].as_ref()) {
            for c in shape.0.iter().flat_map(|poly| &poly.exterior().0) {
                let (x, y) = panel.project(c.x, c.y);
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let margin = 0.02 * (x1 - x0).max(y1 - y0);
        (x0, y0, x1, y1) = (x0 - margin, y0 - margin, x1 + margin, y1 + margin);
        panel.width = if panel.metro {
            900.0
        } else if r.only_deps.is_empty() {
            260.0
        } else {
            700.0
        };
        panel.scale = panel.width / (x1 - x0);
        panel.height = (y1 - y0) * panel.scale;
        (panel.x0, panel.y0) = (x0, y0);
        Some(panel)
    }

    /// Metres east and south.
    fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = map_plane(lon, lat, (!self.metro).then_some(self.mid_lat));
        (x, -y)
    }

    /// Pixels.
    fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = self.project(lon, lat);
        ((x - self.x0) * self.scale, (y - self.y0) * self.scale)
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
/// An SVG path of a multipolygon through the projection `px` (relative moves, a tenth of a unit).
#[must_use]
pub fn svg_path(shape: &MultiPolygon<f64>, px: &dyn Fn(f64, f64) -> (f64, f64)) -> String {
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

#[cfg(test)]
mod tests {
    use super::town_name;

    #[test]
    fn a_split_citys_arrondissements_are_one_town() {
        assert_eq!(town_name("Marseille 1er Arrondissement"), "Marseille");
        assert_eq!(town_name("Paris 16e Arrondissement"), "Paris");
        assert_eq!(town_name("Villeneuve-d'Ascq"), "Villeneuve-d'Ascq");
    }
}
