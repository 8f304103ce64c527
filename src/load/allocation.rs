//! Existing allocations of posts: `insee,posts[,cost]`, a maillage `plan.csv`
//! (`id,…,insee,…,posts,cost`), or a list of host structures such as the real 2021–22 CnFS
//! allocation (`insee_2026`, `postes_attribues`, `investissement_etat_eur`), read as is.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{Dataset, Table};
use crate::LoadError;
use crate::model::{CommuneCode, SiteKind};

/// Code prefixes of the collectivités d'outre-mer, which are not demand units.
const COM_PREFIXES: [&str; 8] = ["975", "977", "978", "984", "986", "987", "988", "989"];
/// Most posts one row may hold.
const MAX_ROW_POSTS: u64 = 10_000;

/// The file formats recognised from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationFormat {
    /// `insee,posts[,cost]`.
    Simple,
    /// A maillage `plan.csv`: posts at the candidate `id`.
    Plan,
    /// A structure list: `insee_2026,postes_attribues[,investissement_etat_eur,commune_lat,commune_lon]`.
    Structures,
}

/// An allocation mapped onto the candidates of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Format read.
    pub format: AllocationFormat,
    /// Posts per candidate index (town hall of the unit, or the plan's candidate).
    pub posts: BTreeMap<u32, u32>,
    /// Cost per candidate index, euros, where the file gives it.
    pub cost_eur: BTreeMap<u32, f64>,
    /// Data rows read (structures, for a structure list).
    pub rows: usize,
    /// Posts in all rows read, including those left out.
    pub total_posts: u64,
    /// Cost in all rows read, euros (rows without cost count 0).
    pub total_cost_eur: f64,
    /// Posts left out: in COM communes, which are not demand units.
    pub posts_outside: u64,
    /// Posts of a split city (Paris, Lyon, Marseille) placed in the arrondissement nearest the
    /// row's point (or the first one without a point): the source gives no address.
    pub posts_at_city_point: u64,
}

/// Reads an allocation against `data`.
///
/// # Errors
/// A header of no known format, or a row with an unknown code, a bad count or cost, or an
/// unknown plan id, naming the line and field.
pub fn load_allocation(path: &Path, data: &Dataset) -> Result<Allocation, LoadError> {
    let mut table = Table::open(path, &[])?;
    let format = if table.has("insee_2026") && table.has("postes_attribues") {
        AllocationFormat::Structures
    } else if table.has("id") && table.has("insee") && table.has("posts") {
        AllocationFormat::Plan
    } else if table.has("insee") && table.has("posts") {
        AllocationFormat::Simple
    } else {
        return Err(LoadError::MissingColumn {
            path: path.to_owned(),
            column: "insee,posts (or insee_2026,postes_attribues)".to_owned(),
            found: table.header_text(),
        });
    };
    let (code_col, posts_col, cost_col) = match format {
        AllocationFormat::Structures => ("insee_2026", "postes_attribues", "investissement_etat_eur"),
        AllocationFormat::Plan | AllocationFormat::Simple => ("insee", "posts", "cost"),
    };
    let town_hall: HashMap<u32, u32> = data
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == SiteKind::Mairie)
        .map(|(j, c)| (c.unit.0, j as u32))
        .collect();
    let by_id: HashMap<&str, u32> =
        data.candidates.iter().enumerate().map(|(j, c)| (c.id.as_str(), j as u32)).collect();
    let mut out = Allocation {
        format,
        posts: BTreeMap::new(),
        cost_eur: BTreeMap::new(),
        rows: 0,
        total_posts: 0,
        total_cost_eur: 0.0,
        posts_outside: 0,
        posts_at_city_point: 0,
    };
    table.for_each_row(|row| {
        out.rows += 1;
        let posts = row.u64(posts_col)?;
        if posts > MAX_ROW_POSTS {
            return Err(row.error(posts_col, format!("a number of posts between 0 and {MAX_ROW_POSTS}")));
        }
        let cost = if row.has(cost_col) { row.opt_f64_in(cost_col, 0.0..=1e10)? } else { None };
        out.total_posts += posts;
        out.total_cost_eur += cost.unwrap_or(0.0);
        let code = row.code(code_col)?;
        if COM_PREFIXES.iter().any(|p| code.as_str().starts_with(p)) {
            out.posts_outside += posts;
            return Ok(());
        }
        let candidate = if format == AllocationFormat::Plan {
            let id = row.text("id")?;
            *by_id
                .get(id)
                .ok_or_else(|| row.error("id", "a candidate id of this data (was the plan made with other data?)"))?
        } else if !data.arrondissements_of(&code).is_empty() {
            out.posts_at_city_point += posts;
            let unit = nearest_arrondissement(data, &code, row)?;
            town_hall[&unit]
        } else {
            let unit = data.resolve_code(row, code_col)?;
            town_hall[&unit.0]
        };
        if posts > 0 {
            *out.posts.entry(candidate).or_insert(0) += u32::try_from(posts).unwrap_or(u32::MAX);
            if let Some(c) = cost {
                *out.cost_eur.entry(candidate).or_insert(0.0) += c;
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// The arrondissement of a split city nearest the row's `commune_lat`/`commune_lon`, or, when
/// the row has no point, nearest the city's point (its arrondissements' points weighted by
/// population).
fn nearest_arrondissement(data: &Dataset, city: &CommuneCode, row: &super::table::Row<'_>) -> Result<u32, LoadError> {
    let arrs = data.arrondissements_of(city);
    let target = if row.has("commune_lat") && row.has("commune_lon") && !row.str("commune_lat").is_empty() {
        Some(super::units::point(row, "commune_lon", "commune_lat")?)
    } else {
        let population: f64 = arrs.iter().map(|a| data.units[a.get()].population as f64).sum::<f64>().max(1.0);
        let (lon, lat) = arrs.iter().fold((0.0, 0.0), |(lon, lat), a| {
            let u = &data.units[a.get()];
            let w = u.population as f64 / population;
            (lon + w * u.point.lon(), lat + w * u.point.lat())
        });
        crate::LonLat::new(lon, lat).ok()
    };
    let distance =
        |u: &crate::UnitIdx| target.map_or(0.0, |t| crate::spatial::great_circle_m(t, data.units[u.get()].point));
    let best = arrs.iter().copied().min_by(|a, b| distance(a).total_cmp(&distance(b)).then(a.0.cmp(&b.0)));
    Ok(best.map_or(0, |u| u.0))
}
