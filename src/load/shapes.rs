//! Polygons: GeoJSON feature collections (plain or gzipped) read into `geo` shapes.

use std::io::Read;
use std::path::Path;

use geo::MultiPolygon;

use super::{DataFiles, Dataset};
use crate::LoadError;
use crate::model::CommuneCode;

/// Reads the features of a GeoJSON `FeatureCollection` (gunzipped if the name ends in `.gz`).
pub(crate) fn read_features(path: &Path) -> Result<Vec<geojson::Feature>, LoadError> {
    let io = |source| LoadError::Io { path: path.to_owned(), source };
    let file = super::open_input(path).map_err(io)?;
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).map_err(io)?;
    } else {
        std::io::BufReader::new(file).read_to_string(&mut text).map_err(io)?;
    }
    let err = |message: String| LoadError::Feature { path: path.to_owned(), feature: "-".into(), message };
    let expected = "expected a GeoJSON FeatureCollection";
    let geojson = text.parse::<geojson::GeoJson>().map_err(|e| err(format!("{e}: {expected}")))?;
    let collection = geojson::FeatureCollection::try_from(geojson).map_err(|e| err(format!("{e}: {expected}")))?;
    Ok(collection.features)
}

/// The INSEE code in property `key` of feature `index`.
pub(crate) fn feature_code(
    path: &Path,
    index: usize,
    f: &geojson::Feature,
    key: &str,
) -> Result<CommuneCode, LoadError> {
    f.property(key).and_then(|v| v.as_str()).and_then(|s| CommuneCode::parse(s).ok()).ok_or_else(|| {
        LoadError::Feature {
            path: path.to_owned(),
            feature: index.to_string(),
            message: format!("property `{key}`: expected an INSEE code as a string (01001, 2A004, 75101)"),
        }
    })
}

/// The geometry of a feature as a multipolygon (a Polygon becomes a one-part multipolygon).
pub(crate) fn feature_shape(path: &Path, id: &str, f: geojson::Feature) -> Result<MultiPolygon<f64>, LoadError> {
    let err = |message: String| LoadError::Feature { path: path.to_owned(), feature: id.to_owned(), message };
    let geometry = f.geometry.ok_or_else(|| err("expected a geometry".into()))?;
    // Checked here: the geojson crate's conversion panics on a position without coordinates
    // (found by fuzzing).
    let polygons: Vec<&geojson::PolygonType> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        _ => return Err(err("expected a Polygon or MultiPolygon".into())),
    };
    for ring in polygons.into_iter().flatten() {
        if ring.len() < 4 {
            return Err(err(format!("a ring of {} positions: expected at least 4 (closed)", ring.len())));
        }
        for pos in ring {
            let c = pos.as_slice();
            if c.len() < 2
                || !c.iter().all(|v| v.is_finite())
                || !(-180.0..=180.0).contains(&c[0])
                || !(-90.0..=90.0).contains(&c[1])
            {
                return Err(err(format!("position {c:?}: expected [longitude, latitude] in WGS84 degrees")));
            }
        }
    }
    let shape: geo::Geometry<f64> = geometry.try_into().map_err(|e: geojson::Error| err(e.to_string()))?;
    match shape {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Ok(m),
        _ => Err(err("expected a Polygon or MultiPolygon".into())),
    }
}

/// The polygon of every unit of `data`: communes from `communes.geojson.gz` (property `insee`),
/// arrondissements from `plm_arrondissements.geojson` (property `code`). Units without a
/// polygon get `None`.
///
/// # Errors
/// A file that cannot be read, or a feature without a valid code or polygon.
pub fn load_unit_shapes(files: &DataFiles, data: &Dataset) -> Result<Vec<Option<MultiPolygon<f64>>>, LoadError> {
    let mut shapes = vec![None; data.units.len()];
    for (name, key) in [("communes.geojson.gz", "insee"), ("plm_arrondissements.geojson", "code")] {
        let path = files.file(name);
        for (index, f) in read_features(&path)?.into_iter().enumerate() {
            let code = feature_code(&path, index, &f, key)?;
            if let Some(unit) = data.unit_by_code(&code) {
                shapes[unit.get()] = Some(feature_shape(&path, code.as_str(), f)?);
            }
        }
    }
    Ok(shapes)
}

/// Département names by code, from `departements.geojson` (properties `code`, `nom`).
///
/// # Errors
/// A file that cannot be read, or a feature without a `code`.
pub fn load_departement_names(files: &DataFiles) -> Result<std::collections::BTreeMap<String, String>, LoadError> {
    Ok(read_departements(files, false)?.into_iter().map(|(code, name, _)| (code, name)).collect())
}

/// Each département's code, name and polygon, from `departements.geojson` (empty when the
/// optional file is absent).
///
/// # Errors
/// A file that cannot be read, or a feature without a `code` or a valid polygon.
pub fn load_departement_shapes(files: &DataFiles) -> Result<Vec<(String, String, MultiPolygon<f64>)>, LoadError> {
    Ok(read_departements(files, true)?.into_iter().filter_map(|(c, n, s)| Some((c, n, s?))).collect())
}

/// The features of `departements.geojson`: code, name and, if `shapes`, polygon.
fn read_departements(
    files: &DataFiles,
    shapes: bool,
) -> Result<Vec<(String, String, Option<MultiPolygon<f64>>)>, LoadError> {
    let path = files.file("departements.geojson");
    if !super::input_exists(&path) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (index, f) in read_features(&path)?.into_iter().enumerate() {
        let code = f.property("code").and_then(|v| v.as_str()).ok_or_else(|| LoadError::Feature {
            path: path.clone(),
            feature: index.to_string(),
            message: "property `code`: expected a département code as a string".into(),
        })?;
        let (code, name) = (code.to_owned(), f.property("nom").and_then(|v| v.as_str()).unwrap_or("").to_owned());
        let shape = if shapes { Some(feature_shape(&path, &code, f)?) } else { None };
        out.push((code, name, shape));
    }
    Ok(out)
}
