//! Demand units from `communes.csv`, `plm_arrondissements.csv` and the IFN files.

use std::collections::HashMap;
use std::path::Path;

use super::table::{Row, Table};
use crate::LoadError;
use crate::model::{CommuneCode, DemandUnit, LonLat, Zone};

/// What loading the units left out or filled in, for the run's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitsReport {
    /// COM communes (collectivités d'outre-mer) left out: no polygons, no fragility data.
    pub com_left_out: usize,
    /// Cities replaced by their arrondissements.
    pub cities_split: usize,
    /// Units with no IFN score, whose fragility defaults to 100 (the regional mean).
    pub fragility_missing: usize,
    /// Islands without a fixed link (`islands.csv`), which crow flies does not leave.
    pub islands: usize,
}

pub(crate) fn point(row: &Row<'_>, lon: &str, lat: &str) -> Result<LonLat, LoadError> {
    let lon_v = row.f64_in(lon, -180.0..=180.0)?;
    let lat_v = row.f64_in(lat, -90.0..=90.0)?;
    LonLat::new(lon_v, lat_v).map_err(|e| row.error(lon, e.to_string()))
}

fn unique(
    row: &Row<'_>,
    seen: &mut HashMap<CommuneCode, u64>,
    code: &CommuneCode,
    field: &str,
    path: &Path,
) -> Result<(), LoadError> {
    if let Some(&first_line) = seen.get(code) {
        return Err(LoadError::Duplicate {
            path: path.to_owned(),
            line: row.line(),
            field: field.to_owned(),
            value: code.to_string(),
            first_line,
        });
    }
    seen.insert(code.clone(), row.line());
    Ok(())
}

/// Reads `communes.csv`: metro and DROM communes, COM counted and left out.
pub(crate) fn load_communes(path: &Path, report: &mut UnitsReport) -> Result<Vec<DemandUnit>, LoadError> {
    let mut table = Table::open(
        path,
        &["insee", "nom", "dep", "reg", "zone", "epci_siren", "population", "lat", "lon", "density_km2"],
    )?;
    let mut seen = HashMap::new();
    let mut units = Vec::new();
    table.for_each_row(|row| {
        let code = row.code("insee")?;
        unique(row, &mut seen, &code, "insee", path)?;
        let zone = match row.str("zone") {
            "metro" => Zone::Metro,
            "drom" => Zone::Drom,
            "com" => {
                report.com_left_out += 1;
                return Ok(());
            }
            _ => return Err(row.error("zone", "one of metro, drom, com")),
        };
        let dep = row.text("dep")?;
        if code.departement() != dep {
            return Err(row.error("dep", format!("the département of code {code}, {}", code.departement())));
        }
        units.push(DemandUnit {
            name: row.text("nom")?.to_owned(),
            dep: dep.to_owned(),
            reg: row.text("reg")?.to_owned(),
            zone,
            epci_siren: row.str("epci_siren").to_owned(),
            population: row.u64("population")?,
            point: point(row, "lon", "lat")?,
            density_km2: row.f64_in("density_km2", 0.0..=1e6)?,
            fragility: None,
            fragility_global: None,
            landmass: 0,
            city: None,
            code,
        });
        Ok(())
    })?;
    Ok(units)
}

/// A unit's two IFN scores: the component `competences_numeriques_scolaires` and, when the
/// file has the column, `score_global` (100 = regional mean for both).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Scores {
    skills: Option<f64>,
    global: Option<f64>,
}

/// Reads `ifn_communes.csv` into `code → scores` (`score_global` is optional).
pub(crate) fn load_fragility(
    path: &Path,
    known: &HashMap<CommuneCode, usize>,
) -> Result<HashMap<CommuneCode, Scores>, LoadError> {
    let mut table = Table::open(path, &["insee", "competences_numeriques_scolaires"])?;
    let mut seen = HashMap::new();
    let mut scores = HashMap::new();
    table.for_each_row(|row| {
        let code = row.code("insee")?;
        unique(row, &mut seen, &code, "insee", path)?;
        if !known.contains_key(&code) {
            return Err(row.error("insee", "a metro or DROM commune code present in communes.csv"));
        }
        let skills = row.opt_f64_in("competences_numeriques_scolaires", 0.0..=1000.0)?;
        let global = if row.has("score_global") { row.opt_f64_in("score_global", 0.0..=1000.0)? } else { None };
        scores.insert(code, Scores { skills, global });
        Ok(())
    })?;
    Ok(scores)
}

/// Aggregates the IRIS scores of `ifn_iris.csv.gz` to the arrondissements listed in `wanted`
/// (population-weighted means by `insee_src`, each score over the IRIS that have it).
pub(crate) fn load_arrondissement_fragility(
    path: &Path,
    wanted: &HashMap<CommuneCode, usize>,
) -> Result<HashMap<CommuneCode, Scores>, LoadError> {
    let mut table = Table::open(path, &["insee_src", "pop_iris", "competences_numeriques_scolaires"])?;
    // Per code: (Σ pop × skills, Σ pop) and (Σ pop × global, Σ pop).
    let mut sums: HashMap<CommuneCode, [(f64, f64); 2]> = HashMap::new();
    table.for_each_row(|row| {
        let Ok(code) = CommuneCode::parse(row.str("insee_src")) else { return Ok(()) };
        if !wanted.contains_key(&code) {
            return Ok(());
        }
        let pop = row.f64_in("pop_iris", 0.0..=1e7)?;
        let skills = row.opt_f64_in("competences_numeriques_scolaires", 0.0..=1000.0)?;
        let global = if row.has("score_global") { row.opt_f64_in("score_global", 0.0..=1000.0)? } else { None };
        let s = sums.entry(code).or_default();
        for (k, score) in [skills, global].into_iter().enumerate() {
            if let Some(score) = score {
                s[k].0 += pop * score;
                s[k].1 += pop;
            }
        }
        Ok(())
    })?;
    let mean = |(sw, w): (f64, f64)| (w > 0.0).then(|| sw / w);
    Ok(sums.into_iter().map(|(c, [a, b])| (c, Scores { skills: mean(a), global: mean(b) })).collect())
}

/// Reads `islands.csv` (`insee,nom,island`: each commune on an island without a fixed link,
/// and its island's id) into the units' `landmass` (islands numbered by id, from 1).
pub(crate) fn load_islands(path: &Path, units: &mut [DemandUnit]) -> Result<usize, LoadError> {
    let index: HashMap<CommuneCode, usize> = units.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
    let mut table = Table::open(path, &["insee", "island"])?;
    let mut seen = HashMap::new();
    let mut rows = Vec::new();
    table.for_each_row(|row| {
        let code = row.code("insee")?;
        unique(row, &mut seen, &code, "insee", path)?;
        let Some(&i) = index.get(&code) else {
            return Err(row.error("insee", "the code of a metro or DROM commune of communes.csv"));
        };
        rows.push((i, row.text("island")?.to_owned()));
        Ok(())
    })?;
    let mut ids: Vec<&str> = rows.iter().map(|(_, id)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for (i, id) in &rows {
        units[*i].landmass = ids.binary_search(&id.as_str()).map_or(0, |k| k as u32 + 1);
    }
    Ok(ids.len())
}

/// Reads `plm_arrondissements.csv` and returns the arrondissement units grouped by city.
pub(crate) fn load_arrondissements(
    path: &Path,
    cities: &HashMap<CommuneCode, usize>,
    communes: &[DemandUnit],
) -> Result<HashMap<CommuneCode, Vec<DemandUnit>>, LoadError> {
    let mut table = Table::open(path, &["code", "nom", "commune_insee", "population", "lat", "lon", "density_km2"])?;
    let mut seen = HashMap::new();
    let mut by_city: HashMap<CommuneCode, Vec<DemandUnit>> = HashMap::new();
    table.for_each_row(|row| {
        let code = row.code("code")?;
        unique(row, &mut seen, &code, "code", path)?;
        let city_code = row.code("commune_insee")?;
        let Some(&ci) = cities.get(&city_code) else {
            return Err(row.error("commune_insee", "the code of a commune present in communes.csv"));
        };
        if cities.contains_key(&code) {
            return Err(row.error("code", "an arrondissement code distinct from every commune code"));
        }
        let city = &communes[ci];
        by_city.entry(city_code.clone()).or_default().push(DemandUnit {
            name: row.text("nom")?.to_owned(),
            dep: city.dep.clone(),
            reg: city.reg.clone(),
            zone: city.zone,
            epci_siren: city.epci_siren.clone(),
            population: row.u64("population")?,
            point: point(row, "lon", "lat")?,
            density_km2: row.f64_in("density_km2", 0.0..=1e6)?,
            fragility: None,
            fragility_global: None,
            landmass: 0,
            city: Some(city_code),
            code,
        });
        Ok(())
    })?;
    for list in by_city.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    Ok(by_city)
}

/// Loads every demand unit from the data directory files.
pub(crate) fn load_units(
    communes_path: &Path,
    ifn_path: &Path,
    iris_path: &Path,
    plm_path: &Path,
) -> Result<(Vec<DemandUnit>, UnitsReport), LoadError> {
    let mut report = UnitsReport::default();
    let communes = load_communes(communes_path, &mut report)?;
    let commune_index: HashMap<CommuneCode, usize> =
        communes.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
    let scores = load_fragility(ifn_path, &commune_index)?;
    let mut arrondissements = load_arrondissements(plm_path, &commune_index, &communes)?;
    let wanted: HashMap<CommuneCode, usize> =
        arrondissements.values().flatten().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
    let arr_scores =
        if wanted.is_empty() { HashMap::new() } else { load_arrondissement_fragility(iris_path, &wanted)? };

    let mut units = Vec::with_capacity(communes.len() + wanted.len());
    for mut commune in communes {
        let own = scores.get(&commune.code).copied().unwrap_or_default();
        (commune.fragility, commune.fragility_global) = (own.skills, own.global);
        if let Some(mut parts) = arrondissements.remove(&commune.code) {
            report.cities_split += 1;
            for part in &mut parts {
                // An arrondissement with no IRIS score takes its city's.
                let iris = arr_scores.get(&part.code).copied().unwrap_or_default();
                part.fragility = iris.skills.or(commune.fragility);
                part.fragility_global = iris.global.or(commune.fragility_global);
            }
            units.extend(parts);
        } else {
            units.push(commune);
        }
    }
    report.fragility_missing = units.iter().filter(|u| u.fragility.is_none()).count();
    Ok((units, report))
}
