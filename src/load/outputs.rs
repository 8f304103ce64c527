//! Reads back the outputs of `plan` or `evaluate` (for `compare`).

use std::collections::BTreeMap;
use std::path::Path;

use super::Table;
use crate::LoadError;

/// One département row of `departements.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct DepRow {
    /// Posts.
    pub posts: u64,
    /// Need.
    pub need: f64,
    /// Served.
    pub served: f64,
    /// Need within the bound of a post.
    pub covered_need: f64,
}

/// One site row of `plan.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSite {
    /// Name.
    pub name: String,
    /// INSEE code.
    pub insee: String,
    /// Département.
    pub dep: String,
    /// Posts.
    pub posts: u64,
}

/// A plan's outputs folder, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOutputs {
    /// `summary.json` numbers by key (numbers only).
    pub summary: BTreeMap<String, f64>,
    /// `departements.csv` by code.
    pub deps: BTreeMap<String, DepRow>,
    /// `plan.csv` by site id.
    pub sites: BTreeMap<String, PlanSite>,
    /// SHA-256 of the inputs that make the instance (data files, need file, OD matrix), by
    /// role, from `reproduce.data` (`None` in a summary written before it existed).
    pub data_inputs: Option<BTreeMap<String, String>>,
}

/// Reads `summary.json`, `departements.csv` and `plan.csv` from `dir`.
///
/// # Errors
/// A missing or malformed file, naming it (and the line and field for the CSVs).
pub fn load_plan_outputs(dir: &Path) -> Result<PlanOutputs, LoadError> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io { path: path.clone(), source })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| LoadError::Json {
        path: path.clone(),
        line: e.line() as u64,
        message: format!("{e}: expected the summary.json of a maillage plan"),
    })?;
    let data_inputs = value
        .pointer("/reproduce/data")
        .and_then(|d| d.as_object())
        .map(|d| d.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect());
    let summary = value
        .as_object()
        .ok_or_else(|| LoadError::Json { path: path.clone(), line: 1, message: "expected a JSON object".into() })?
        .iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
        .collect();

    let path = dir.join("departements.csv");
    let mut table = Table::open(&path, &["dep", "posts", "need", "served", "covered_need"])?;
    let mut deps = BTreeMap::new();
    table.for_each_row(|row| {
        let dep = row.text("dep")?.to_owned();
        let r = DepRow {
            posts: row.u64("posts")?,
            need: row.f64_in("need", 0.0..=1e12)?,
            served: row.f64_in("served", 0.0..=1e12)?,
            covered_need: row.f64_in("covered_need", 0.0..=1e12)?,
        };
        deps.insert(dep, r);
        Ok(())
    })?;

    let path = dir.join("plan.csv");
    let mut table = Table::open(&path, &["id", "name", "insee", "dep", "posts"])?;
    let mut sites = BTreeMap::new();
    table.for_each_row(|row| {
        let id = row.text("id")?.to_owned();
        let site = PlanSite {
            name: row.str("name").to_owned(),
            insee: row.code("insee")?.as_str().to_owned(),
            dep: row.text("dep")?.to_owned(),
            posts: row.u64("posts")?,
        };
        if sites.insert(id, site).is_some() {
            return Err(row.error("id", "each site once"));
        }
        Ok(())
    })?;
    Ok(PlanOutputs { summary, deps, sites, data_inputs })
}
