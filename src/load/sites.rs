//! Existing inclusion sites from `inclusion_sites.csv`, and the arrondissement polygons used
//! to place the sites of Paris, Lyon and Marseille.

use std::path::Path;

use geo::{Contains, MultiPolygon, Point};

use super::table::Table;
use super::units::point;
use crate::LoadError;
use crate::model::{CommuneCode, LonLat, SiteKind};

/// One row of `inclusion_sites.csv` that maillage can use.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRecord {
    /// `source:source_id`, unique in the file.
    pub source_id: String,
    /// Name of the place.
    pub name: String,
    /// Host kind.
    pub kind: SiteKind,
    /// Location, if the source gives one.
    pub point: Option<LonLat>,
    /// COG-2026 commune, if known.
    pub insee: Option<CommuneCode>,
}

/// Reads `inclusion_sites.csv`. Rows with an empty `lat`/`lon` or `insee_2026` are kept with
/// `None`; malformed values are errors.
pub(crate) fn load_sites(path: &Path) -> Result<Vec<SiteRecord>, LoadError> {
    let mut table = Table::open(path, &["source", "source_id", "name", "kind", "lat", "lon", "insee_2026"])?;
    let mut seen = std::collections::HashMap::new();
    let mut sites = Vec::new();
    table.for_each_row(|row| {
        let source_id = format!("{}:{}", row.text("source")?, row.text("source_id")?);
        if let Some(first_line) = seen.insert(source_id.clone(), row.line()) {
            return Err(LoadError::Duplicate {
                path: path.to_owned(),
                line: row.line(),
                field: "source_id".to_owned(),
                value: source_id,
                first_line,
            });
        }
        let kind = SiteKind::from_source_kind(row.str("kind")).ok_or_else(|| {
            row.error(
                "kind",
                "france_services:…, conseiller_numerique, lieu_mediation_numerique[:…] or lieu_inclusion:…",
            )
        })?;
        let point =
            if row.str("lat").is_empty() && row.str("lon").is_empty() { None } else { Some(point(row, "lon", "lat")?) };
        let insee = if row.str("insee_2026").is_empty() { None } else { Some(row.code("insee_2026")?) };
        sites.push(SiteRecord { source_id, name: row.str("name").to_owned(), kind, point, insee });
        Ok(())
    })?;
    Ok(sites)
}

/// Arrondissement polygons, to find which arrondissement a city site lies in.
#[derive(Debug, Clone, Default)]
pub struct ArrondissementShapes {
    shapes: Vec<(CommuneCode, MultiPolygon<f64>)>,
}

impl ArrondissementShapes {
    /// The arrondissement containing `p`, if any.
    #[must_use]
    pub fn locate(&self, p: LonLat) -> Option<&CommuneCode> {
        let pt = Point::new(p.lon(), p.lat());
        self.shapes.iter().find(|(_, poly)| poly.contains(&pt)).map(|(c, _)| c)
    }
}

/// Reads `plm_arrondissements.geojson` (property `code`, Polygon or `MultiPolygon` geometry).
pub(crate) fn load_arrondissement_shapes(path: &Path) -> Result<ArrondissementShapes, LoadError> {
    let mut shapes = Vec::new();
    for (index, f) in super::shapes::read_features(path)?.into_iter().enumerate() {
        let code = super::shapes::feature_code(path, index, &f, "code")?;
        let multi = super::shapes::feature_shape(path, code.as_str(), f)?;
        shapes.push((code, multi));
    }
    Ok(ArrondissementShapes { shapes })
}
