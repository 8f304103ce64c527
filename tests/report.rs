//! The prefecture's report: its département's figures first, every site it hosts listed,
//! the scenario in words and French numbers, and A4 pages printed by Chromium.

use std::fs;
use std::path::Path;

use maillage::report::fr_number;
use predicates::prelude::PredicateBooleanExt;

use crate::util::{cli_command, sample_dir};

/// The text a reader sees: the page without its style, script and tags, entities decoded.
fn visible_text(html: &str) -> String {
    let mut rest = html.to_owned();
    for tag in ["style", "script"] {
        while let Some(start) = rest.find(&format!("<{tag}>")) {
            let end = rest[start..].find(&format!("</{tag}>")).map_or(rest.len(), |e| start + e + tag.len() + 3);
            rest.replace_range(start..end, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// The HTML between `start` and the next `end` after it.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("{start} not in the report"));
    let to = html[from..].find(end).map_or(html.len(), |e| from + e);
    &html[from..to]
}

/// The cells' text of a table row.
fn cells(row: &str) -> Vec<String> {
    row.split("<t")
        .skip(1)
        .filter(|c| c.starts_with('d') || c.starts_with('h'))
        .map(|c| visible_text(&c[c.find('>').map_or(0, |n| n + 1)..]).trim().to_owned())
        .collect()
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path).unwrap().records().map(Result::unwrap).collect()
}

#[test]
fn a_departements_report_leads_with_its_figures_and_lists_its_sites() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("59");
    cli_command().args(["plan", "--solver", "greedy", "--departement", "59", "--out"]).arg(&dir).assert().success();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let deps = csv_rows(&dir.join("departements.csv"));
    let nord = deps.iter().find(|r| &r[0] == "59").expect("59 in departements.csv");
    let (posts, need): (f64, f64) = (nord[1].parse().unwrap(), nord[2].parse().unwrap());

    // The headline is the perimeter's, beside the nation's.
    let headline = section(&html, "<table class=\"versus\">", "</table>");
    assert!(headline.contains("Nord (59)") && headline.contains("France entière"), "{headline}");
    let rows: Vec<Vec<String>> = headline.split("<tr>").skip(2).map(cells).collect();
    let value =
        |label: &str| rows.iter().find(|r| r[0] == label).unwrap_or_else(|| panic!("{label}: {rows:?}")).clone();
    assert_eq!(value("Conseillers numériques")[1], fr_number(posts, 0));
    assert_eq!(value("Conseillers numériques")[2], "4\u{202f}000");
    assert_eq!(value("Besoin (personnes)")[1], fr_number(need, 0), "need {need}");
    assert!(html.find("class=\"versus\"") < html.find("<h2>Carte"), "the headline comes first");

    // One row in the sites table per plan.csv row of 59, with its posts.
    let plan: Vec<csv::StringRecord> = csv_rows(&dir.join("plan.csv")).into_iter().filter(|r| &r[4] == "59").collect();
    let table = section(&html, "<table class=\"sortable\" id=\"sites\">", "</table>");
    let site_rows: Vec<Vec<String>> = table.split("<tr id=").skip(1).map(cells).collect();
    assert_eq!(site_rows.len(), plan.len(), "one row per site of 59");
    assert!(!plan.is_empty());
    for r in &plan {
        let row = site_rows.iter().find(|c| c[0] == r[2] && c[1].ends_with(&format!("({})", &r[3])));
        let row = row.unwrap_or_else(|| panic!("{} ({}) not in the sites table", &r[2], &r[3]));
        assert_eq!(row[3], r[5].to_string(), "posts of {}", &r[2]);
    }
    let listed: u32 = site_rows.iter().map(|c| c[3].parse::<u32>().unwrap()).sum();
    assert_eq!(listed.to_string(), nord[1].to_string(), "the sites hold the département's posts");

    // The communes of 59, the largest unmet need first.
    let units: Vec<csv::StringRecord> =
        csv_rows(&dir.join("units.csv")).into_iter().filter(|r| &r[2] == "59").collect();
    let table = section(&html, "<table class=\"sortable\" id=\"communes\">", "</table>");
    let commune_rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(commune_rows.len(), units.len());
    let unmet: Vec<f64> = commune_rows
        .iter()
        .map(|r| r.split("data-v=\"").nth(3).and_then(|v| v.split('"').next()).unwrap().parse().unwrap())
        .collect();
    assert!(unmet.windows(2).all(|w| w[0] >= w[1]), "worst served first");

    // Names and figures on hover; no Rust debug text and French numbers in what is read.
    assert_eq!(html.matches("<path ").count(), html.matches("</title></path>").count());
    assert!(html.contains("<title>Lille (59350) : besoin "));
    let text = visible_text(&html);
    for debug in ["{", "}", "Some(", "None", "Linear", "at_bound"] {
        assert!(!text.contains(debug), "visible text holds {debug:?}");
    }
    assert!(text.contains("linéaire, poids 0,5 à 30\u{202f}min"), "the decay in words");
    assert!(text.contains(&format!("{}\u{202f}%", fr_number(100.0 * nord[4].parse::<f64>().unwrap(), 1))));
}

#[test]
fn pdf_without_chromium_is_refused_before_any_work() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("p");
    cli_command()
        .env("MAILLAGE_CHROMIUM", out.path().join("no-chromium-here"))
        .arg("--data")
        .arg(sample_dir())
        .args(["plan", "--posts", "8", "--pdf", "--out"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("`outputs.pdf` (--pdf) = true")
                .and(predicates::str::contains("apt-get install chromium")),
        );
    assert!(!dir.exists());
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0, "nothing left behind");
}

#[test]
fn pdf_is_printed_on_a4_pages_and_is_the_same_twice() {
    if maillage::report::find_chromium().is_none() {
        eprintln!("skipped: no Chromium to print with (apt-get install chromium)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    for run in ["a", "b"] {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["plan", "--posts", "8", "--departement", "69", "--pdf", "--out"])
            .arg(out.path().join(run))
            .assert()
            .success();
    }
    let pdf = fs::read(out.path().join("a/report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("/MediaBox [0 0 595"), "A4 pages");
    assert_eq!(pdf, fs::read(out.path().join("b/report.pdf")).unwrap(), "the same plan prints the same PDF");
    let leftovers: Vec<_> = fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no staging or profile left: {leftovers:?}");
}

#[test]
fn frontier_refuses_the_options_of_a_plans_outputs() {
    for flag in ["--pdf", "--no-xlsx"] {
        cli_command()
            .arg("--data")
            .arg(sample_dir())
            .args(["frontier", "--posts", "2:4:2", flag, "--out"])
            .arg(tempfile::tempdir().unwrap().path().join("f"))
            .assert()
            .failure()
            .stderr(predicates::str::contains(format!("({flag})")).and(predicates::str::contains("maillage plan")));
    }
}
