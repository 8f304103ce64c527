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
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.to_owned(), source })?;
    let feature_err = |feature: String, message: String| LoadError::Feature { path: path.to_owned(), feature, message };
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .map_err(|e| feature_err("-".into(), e.to_string()))
        .and_then(|g| geojson::FeatureCollection::try_from(g).map_err(|e| feature_err("-".into(), e.to_string())))?;
    let mut shapes = Vec::new();
    for (i, f) in collection.features.into_iter().enumerate() {
        let code =
            f.property("code").and_then(|v| v.as_str()).and_then(|s| CommuneCode::parse(s).ok()).ok_or_else(|| {
                feature_err(i.to_string(), "property `code`: expected an INSEE arrondissement code".into())
            })?;
        let geometry = f.geometry.ok_or_else(|| feature_err(code.to_string(), "expected a geometry".into()))?;
        let shape: geo::Geometry<f64> =
            geometry.try_into().map_err(|e: geojson::Error| feature_err(code.to_string(), e.to_string()))?;
        let multi = match shape {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => return Err(feature_err(code.to_string(), "expected a Polygon or MultiPolygon".into())),
        };
        shapes.push((code, multi));
    }
    Ok(ArrondissementShapes { shapes })
}
