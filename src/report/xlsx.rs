//! `plan.xlsx`: the plan's tables as a French spreadsheet opens them (the CSVs stay comma,
//! UTF-8, for scripts): sheets Synthèse, Sites, Communes, Départements, French headers, number
//! formats, frozen header rows and filters. Its bytes depend only on the plan.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::plan_files::{SiteRow, UnitRow};
use super::summary::Summary;
use crate::optimise::{DepMarginal, DepMeasure};

/// What `plan.xlsx` shows.
pub struct WorkbookInput<'a> {
    /// Headline figures.
    pub summary: &'a Summary,
    /// Sites with posts.
    pub sites: &'a [SiteRow],
    /// Every unit.
    pub units: &'a [UnitRow],
    /// Per département, and what one post more or fewer is worth there (same order, or empty).
    pub deps: &'a [DepMeasure],
    /// See `deps`.
    pub marginal: &'a [DepMarginal],
    /// Département names by code.
    pub dep_names: &'a BTreeMap<String, String>,
}

/// A column: French header, width, and how its cells read.
#[derive(Clone, Copy)]
enum Cell {
    Text,
    Count,
    Share,
    Euros,
    Minutes,
    Ratio,
}

struct Formats {
    header: Format,
    count: Format,
    share: Format,
    euros: Format,
    minutes: Format,
    ratio: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new().set_bold().set_background_color("DDE6F0"),
        // Format codes use the file's separators; a French spreadsheet shows "1 234,5 %".
        count: Format::new().set_num_format("#,##0"),
        share: Format::new().set_num_format("0.0%"),
        euros: Format::new().set_num_format("#,##0 \"€\""),
        minutes: Format::new().set_num_format("0.0"),
        ratio: Format::new().set_num_format("0.000"),
    }
}

/// A value of a row: text or number (`None`: empty cell).
enum Value {
    Text(String),
    Number(Option<f64>),
}

fn sheet(
    book: &mut Workbook,
    f: &Formats,
    name: &str,
    columns: &[(&str, f64, Cell)],
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<(), XlsxError> {
    let ws: &mut Worksheet = book.add_worksheet();
    ws.set_name(name)?;
    for (c, (header, width, _)) in columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *header, &f.header)?;
        ws.set_column_width(c, *width)?;
    }
    let mut last = 0;
    for (r, row) in rows.enumerate() {
        let r = r as u32 + 1;
        last = r;
        for (c, (value, (_, _, kind))) in row.into_iter().zip(columns).enumerate() {
            let c = c as u16;
            match (value, kind) {
                (Value::Text(s), _) => {
                    ws.write_string(r, c, s)?;
                }
                (Value::Number(None), _) => {}
                (Value::Number(Some(v)), Cell::Text | Cell::Count) => {
                    ws.write_number_with_format(r, c, v, &f.count)?;
                }
                (Value::Number(Some(v)), Cell::Share) => {
                    ws.write_number_with_format(r, c, v, &f.share)?;
                }
                (Value::Number(Some(v)), Cell::Euros) => {
                    ws.write_number_with_format(r, c, v, &f.euros)?;
                }
                (Value::Number(Some(v)), Cell::Minutes) => {
                    ws.write_number_with_format(r, c, v, &f.minutes)?;
                }
                (Value::Number(Some(v)), Cell::Ratio) => {
                    ws.write_number_with_format(r, c, v, &f.ratio)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, last.max(1), columns.len().saturating_sub(1) as u16)?;
    Ok(())
}

/// The workbook's bytes.
///
/// # Errors
/// The writer's error, as an I/O error.
pub fn plan_workbook(input: &WorkbookInput<'_>) -> std::io::Result<Vec<u8>> {
    build(input).map_err(std::io::Error::other)
}

fn build(input: &WorkbookInput<'_>) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    // A fixed creation date: the same plan gives the same bytes.
    let date = ExcelDateTime::from_ymd(2021, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date).set_title("maillage"));
    synthese_sheet(&mut book, &f, input.summary)?;
    sites_sheet(&mut book, &f, input.sites)?;
    units_sheet(&mut book, &f, input.units)?;
    deps_sheet(&mut book, &f, input)?;
    book.save_to_buffer()
}

/// Sheet Synthèse: the headline figures, one a row.
fn synthese_sheet(book: &mut Workbook, f: &Formats, s: &Summary) -> Result<(), XlsxError> {
    use Value::{Number, Text};
    let synthese: Vec<(&str, Value, Cell)> = vec![
        ("Conseillers", Number(Some(f64::from(s.posts))), Cell::Count),
        ("Coût", Number(Some(s.cost_eur)), Cell::Euros),
        ("Besoin (personnes)", Number(Some(s.need)), Cell::Count),
        ("Personnes servies", Number(Some(s.served)), Cell::Count),
        ("Part du besoin servie", Number(Some(if s.need > 0.0 { s.served / s.need } else { 0.0 })), Cell::Share),
        ("Servies pondérées (distance)", Number(Some(s.weighted_served)), Cell::Count),
        ("Couverture (besoin à portée d'un poste)", Number(Some(s.coverage_share)), Cell::Share),
        ("Objectif", Number(Some(s.objective)), Cell::Count),
        ("Borne", Number(s.bound), Cell::Count),
        ("Écart à la borne", Number(s.gap), Cell::Share),
        ("Départements servis", Number(Some(s.departements_served as f64)), Cell::Count),
        ("Part servie du département le moins servi", Number(Some(s.min_dep_served_share)), Cell::Share),
        ("Gini des parts servies", Number(Some(s.gini_dep_served_share)), Cell::Ratio),
        ("Méthode", Text(s.method.clone()), Cell::Text),
    ];
    {
        let ws = book.add_worksheet();
        ws.set_name("Synthèse")?;
        ws.write_string_with_format(0, 0, "Mesure", &f.header)?;
        ws.write_string_with_format(0, 1, "Valeur", &f.header)?;
        ws.set_column_width(0, 44)?;
        ws.set_column_width(1, 18)?;
        for (r, (label, value, kind)) in synthese.into_iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, label)?;
            match (value, kind) {
                (Text(t), _) => {
                    ws.write_string(r, 1, t)?;
                }
                (Number(None), _) => {
                    ws.write_string(r, 1, "non calculé")?;
                }
                (Number(Some(v)), Cell::Share) => {
                    ws.write_number_with_format(r, 1, v, &f.share)?;
                }
                (Number(Some(v)), Cell::Euros) => {
                    ws.write_number_with_format(r, 1, v, &f.euros)?;
                }
                (Number(Some(v)), Cell::Minutes) => {
                    ws.write_number_with_format(r, 1, v, &f.minutes)?;
                }
                (Number(Some(v)), Cell::Ratio) => {
                    ws.write_number_with_format(r, 1, v, &f.ratio)?;
                }
                (Number(Some(v)), _) => {
                    ws.write_number_with_format(r, 1, v, &f.count)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(())
}

/// Sheet Sites: the sites with posts, as `plan.csv`.
fn sites_sheet(book: &mut Workbook, f: &Formats, sites: &[SiteRow]) -> Result<(), XlsxError> {
    use Value::{Number, Text};
    let site_columns = [
        ("Identifiant", 28.0, Cell::Text),
        ("Type", 20.0, Cell::Text),
        ("Nom", 40.0, Cell::Text),
        ("Code INSEE", 12.0, Cell::Text),
        ("Département", 12.0, Cell::Text),
        ("Postes", 10.0, Cell::Count),
        ("Coût", 14.0, Cell::Euros),
        ("Personnes servies", 16.0, Cell::Count),
    ];
    let rows = sites.iter().map(|r| {
        vec![
            Text(r.id.clone()),
            Text(r.kind.as_str().to_owned()),
            Text(r.name.clone()),
            Text(r.insee.clone()),
            Text(r.dep.clone()),
            Number(Some(f64::from(r.posts))),
            Number(Some(r.cost)),
            Number(Some(r.served)),
        ]
    });
    sheet(book, f, "Sites", &site_columns, rows)
}

/// Sheet Communes: every unit, as `units.csv`.
fn units_sheet(book: &mut Workbook, f: &Formats, units: &[UnitRow]) -> Result<(), XlsxError> {
    use Value::{Number, Text};
    let unit_columns = [
        ("Code INSEE", 12.0, Cell::Text),
        ("Commune", 32.0, Cell::Text),
        ("Département", 12.0, Cell::Text),
        ("Zone", 8.0, Cell::Text),
        ("Besoin", 12.0, Cell::Count),
        ("Personnes servies", 16.0, Cell::Count),
        ("Besoin non servi", 16.0, Cell::Count),
        ("Part servie", 12.0, Cell::Share),
        ("À portée d'un poste", 10.0, Cell::Text),
        ("Minutes jusqu'au poste le plus proche", 18.0, Cell::Minutes),
    ];
    let rows = units.iter().map(|u| {
        vec![
            Text(u.insee.clone()),
            Text(u.nom.clone()),
            Text(u.dep.clone()),
            Text(u.zone.to_owned()),
            Number(Some(u.need)),
            Number(Some(u.served)),
            Number(Some(u.unmet_need)),
            Number(Some(u.served_share)),
            Text(if u.covered { "oui" } else { "non" }.to_owned()),
            Number(u.nearest_post_min),
        ]
    });
    sheet(book, f, "Communes", &unit_columns, rows)
}

/// Sheet Départements: as `departements.csv`, with the names.
fn deps_sheet(book: &mut Workbook, f: &Formats, input: &WorkbookInput<'_>) -> Result<(), XlsxError> {
    use Value::{Number, Text};
    let dep_columns = [
        ("Code", 8.0, Cell::Text),
        ("Département", 24.0, Cell::Text),
        ("Postes", 10.0, Cell::Count),
        ("Besoin", 12.0, Cell::Count),
        ("Personnes servies", 16.0, Cell::Count),
        ("Part servie", 12.0, Cell::Share),
        ("Besoin à portée d'un poste", 16.0, Cell::Count),
        ("Couverture", 12.0, Cell::Share),
        ("Un poste de plus (objectif)", 16.0, Cell::Count),
        ("Un poste de moins (objectif)", 16.0, Cell::Count),
    ];
    let none = DepMarginal::default();
    let deps = input.deps.iter().enumerate().map(|(i, d)| {
        let share = |x: f64| if d.need > 0.0 { x / d.need } else { 0.0 };
        let g = input.marginal.get(i).unwrap_or(&none);
        vec![
            Text(d.dep.clone()),
            Text(input.dep_names.get(&d.dep).cloned().unwrap_or_default()),
            Number(Some(f64::from(d.posts))),
            Number(Some(d.need)),
            Number(Some(d.served)),
            Number(Some(share(d.served))),
            Number(Some(d.covered_need)),
            Number(Some(share(d.covered_need))),
            Number(g.next_post_gain),
            Number(g.last_post_loss),
        ]
    });
    sheet(book, f, "Départements", &dep_columns, deps)
}

/// A cell of [`tables_workbook`].
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    /// Text (codes, names, statuses).
    Text(String),
    /// A number, shown with thousands separators and `decimals` decimals (`None`: empty).
    Number(Option<f64>, u8),
}

/// A sheet of [`tables_workbook`]: a header row and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSheet {
    /// Sheet name.
    pub name: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, as long as the header.
    pub rows: Vec<Vec<TableCell>>,
}

/// A workbook of plain tables (`compare.xlsx`, `batch_summary.xlsx`): bold frozen headers,
/// filters, numbers with thousands separators; its bytes depend only on the tables.
///
/// # Errors
/// The writer's error, as an I/O error.
pub fn tables_workbook(sheets: &[TableSheet]) -> std::io::Result<Vec<u8>> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        book.set_properties(&DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2021, 1, 1)?));
        let header = formats().header;
        for s in sheets {
            let ws = book.add_worksheet();
            ws.set_name(&s.name)?;
            for (c, h) in s.headers.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &header)?;
                ws.set_column_width(c as u16, (h.chars().count() as f64 + 4.0).max(12.0))?;
            }
            for (r, row) in s.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32 + 1, c as u16);
                    match cell {
                        TableCell::Text(t) => {
                            ws.write_string(r, c, t)?;
                        }
                        TableCell::Number(None, _) => {}
                        TableCell::Number(Some(v), decimals) => {
                            let code = if *decimals == 0 {
                                "#,##0".to_owned()
                            } else {
                                format!("#,##0.{}", "0".repeat(usize::from(*decimals)))
                            };
                            {
                                ws.write_number_with_format(r, c, *v, &Format::new().set_num_format(&code))?;
                            };
                        }
                    }
                }
            }
            ws.set_freeze_panes(1, 0)?;
            ws.autofilter(0, 0, (s.rows.len() as u32).max(1), s.headers.len().saturating_sub(1) as u16)?;
        }
        book.save_to_buffer()
    };
    build().map_err(std::io::Error::other)
}
