//! The report's tables, sortable by a click on a header: the sites that host conseillers,
//! the communes (the worst served first) and the départements.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{ReportInput, escape};
use crate::report::french::{fr_minutes, fr_number, fr_percent};

/// Most communes the table lists when the page shows all of France (`units.csv` has them all).
const NATIONAL_COMMUNES: usize = 500;

/// A header row: (label, numeric); text columns are aligned left.
fn write_head(html: &mut String, id: &str, columns: &[(&str, bool)]) {
    let _ = write!(html, "<table class=\"sortable\" id=\"{id}\">\n<thead><tr>");
    for (label, numeric) in columns {
        let class = if *numeric { "" } else { " class=\"t\"" };
        let _ = write!(html, "<th data-num=\"{}\"{class}>{label}</th>", u8::from(*numeric));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
}

/// A numeric cell: its value for sorting, its text for reading.
fn num(v: f64, text: &str) -> String {
    format!("<td data-v=\"{v:.4}\">{text}</td>")
}

fn text(s: &str) -> String {
    format!("<td class=\"t\">{}</td>", escape(s))
}

/// Every site with posts in the perimeter: whom to call, how many conseillers, whom they serve.
pub(super) fn write_sites(html: &mut String, r: &ReportInput<'_>) {
    let commune: HashMap<&str, &str> = r.units.iter().map(|u| (u.insee.as_str(), u.nom.as_str())).collect();
    let mut rows: Vec<usize> = (0..r.sites.len()).filter(|&k| r.shown(&r.sites[k].dep)).collect();
    rows.sort_by(|&a, &b| {
        let (x, y) = (&r.sites[a], &r.sites[b]);
        y.posts.cmp(&x.posts).then(y.served.total_cmp(&x.served)).then(x.name.cmp(&y.name))
    });
    let _ = writeln!(
        html,
        "<h2 class=\"tables\">Sites avec conseillers ({} sites, {} postes)</h2>\n<p class=\"note\">Chaque lieu où le plan place des conseillers, avec les communes dont il sert le plus d'habitants. <span class=\"screen\">Cliquer sur un en-tête pour trier.</span></p>",
        fr_number(rows.len() as f64, 0),
        fr_number(f64::from(rows.iter().map(|&k| r.sites[k].posts).sum::<u32>()), 0)
    );
    write_head(
        html,
        "sites",
        &[
            ("Lieu", false),
            ("Commune", false),
            ("Type", false),
            ("Postes", true),
            ("Personnes servies", true),
            ("Communes les plus servies (personnes)", false),
        ],
    );
    for k in rows {
        let s = &r.sites[k];
        let main: Vec<String> = s
            .main_units
            .iter()
            .map(|&(i, flow)| format!("{} ({})", r.units.get(i).map_or("?", |u| u.nom.as_str()), fr_number(flow, 0)))
            .collect();
        let _ = writeln!(
            html,
            "<tr id=\"s{k}\">{}{}{}{}{}{}</tr>",
            text(&s.name),
            text(&format!("{} ({})", commune.get(s.insee.as_str()).copied().unwrap_or(""), s.insee)),
            text(s.kind.label()),
            num(f64::from(s.posts), &s.posts.to_string()),
            num(s.served, &fr_number(s.served, 0)),
            text(&main.join(", "))
        );
    }
    html.push_str("</tbody>\n</table>\n");
}

/// The communes of the perimeter, the largest unmet need first (all of France: the first
/// [`NATIONAL_COMMUNES`]).
pub(super) fn write_communes(html: &mut String, r: &ReportInput<'_>) {
    let mut rows: Vec<usize> = (0..r.units.len()).filter(|&i| r.shown(&r.units[i].dep)).collect();
    let all = rows.len();
    rows.sort_by(|&a, &b| {
        let (x, y) = (&r.units[a], &r.units[b]);
        y.unmet_need
            .total_cmp(&x.unmet_need)
            .then(x.served_share.total_cmp(&y.served_share))
            .then(x.insee.cmp(&y.insee))
    });
    if r.only_deps.is_empty() {
        rows.truncate(NATIONAL_COMMUNES);
    }
    let listed = if rows.len() < all {
        format!(
            "les {} communes au plus grand besoin non servi, sur {} (toutes sont dans units.csv)",
            fr_number(rows.len() as f64, 0),
            fr_number(all as f64, 0)
        )
    } else {
        format!("{} communes, le plus grand besoin non servi d'abord", fr_number(all as f64, 0))
    };
    let _ = writeln!(
        html,
        "<h2>Communes</h2>\n<p class=\"note\">{listed}. Besoin non servi = besoin − personnes servies. « Conseiller le plus proche » : temps de trajet jusqu'au lieu avec conseillers le plus proche, s'il est à moins de {}.</p>",
        fr_minutes(r.bound_min)
    );
    write_head(
        html,
        "communes",
        &[
            ("Commune", false),
            ("Code INSEE", false),
            ("Département", false),
            ("Besoin", true),
            ("Servis", true),
            ("Non servi", true),
            ("Part servie", true),
            ("Conseiller le plus proche", true),
        ],
    );
    for i in rows {
        let u = &r.units[i];
        let nearest = u.nearest_post_min.map_or_else(
            || format!("<td data-v=\"99999\">au-delà de {}</td>", fr_minutes(r.bound_min)),
            |t| num(t, &fr_minutes(t)),
        );
        let _ = writeln!(
            html,
            "<tr>{}{}{}{}{}{}{}{nearest}</tr>",
            text(&u.nom),
            text(&u.insee),
            text(&u.dep),
            num(u.need, &fr_number(u.need, 0)),
            num(u.served, &fr_number(u.served, 0)),
            num(u.unmet_need, &fr_number(u.unmet_need, 0)),
            num(u.served_share, &fr_percent(u.served_share, 1))
        );
    }
    html.push_str("</tbody>\n</table>\n");
}

/// The départements shown, with what one post more or fewer is worth there.
pub(super) fn write_deps(html: &mut String, r: &ReportInput<'_>) {
    html.push_str("<h2>Par département</h2>\n");
    write_head(
        html,
        "deps",
        &[
            ("Code", false),
            ("Département", false),
            ("Postes", true),
            ("Besoin", true),
            ("Servis", true),
            ("Part servie", true),
            ("Couverture", true),
            ("Un poste de plus", true),
            ("Un poste de moins", true),
        ],
    );
    let none = crate::optimise::DepMarginal::default();
    let signed = |v: Option<f64>, sign: &str| {
        v.map_or_else(|| "<td data-v=\"0\">—</td>".to_owned(), |v| num(v, &format!("{sign}{}", fr_number(v, 0))))
    };
    for (i, d) in r.deps.iter().enumerate().filter(|(_, d)| r.shown(&d.dep)) {
        let g = r.marginal.get(i).unwrap_or(&none);
        let share = |x: f64| if d.need > 0.0 { x / d.need } else { 0.0 };
        let _ = writeln!(
            html,
            "<tr>{}{}{}{}{}{}{}{}{}</tr>",
            text(&d.dep),
            text(r.dep_names.get(&d.dep).map_or("", String::as_str)),
            num(f64::from(d.posts), &d.posts.to_string()),
            num(d.need, &fr_number(d.need, 0)),
            num(d.served, &fr_number(d.served, 0)),
            num(share(d.served), &fr_percent(share(d.served), 1)),
            num(share(d.covered_need), &fr_percent(share(d.covered_need), 1)),
            signed(g.next_post_gain, "+"),
            signed(g.last_post_loss, "−")
        );
    }
    let _ = writeln!(
        html,
        "</tbody>\n</table>\n<p class=\"note\">Couverture : part du besoin à moins de {} d'un conseiller. Un poste de plus : ce qu'ajoute à l'objectif un poste de plus au meilleur site du département, les autres flux inchangés (au moins cela). Un poste de moins : ce que coûte le retrait du poste le moins utile (au plus cela).</p>",
        fr_minutes(r.bound_min)
    );
}
