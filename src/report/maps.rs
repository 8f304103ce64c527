//! GeoJSON maps (RFC 7946): `sites.geojson` (points) and `communes.geojson` (polygons), with
//! the same property names as `plan.csv` and `units.csv`. WGS84 longitude/latitude, no `crs`
//! member, polygon exteriors counter-clockwise and holes clockwise (the right-hand rule).

use std::io::Write;

use geo::{MultiPolygon, Orient, orient::Direction};
use serde_json::{Map, Value, json};

use super::plan_files::{SiteRow, UnitRow};

/// Decimal places of written coordinates (1e-5° ≈ 1 m).
const COORD_DECIMALS: i32 = 5;

fn round(x: f64) -> f64 {
    let f = 10f64.powi(COORD_DECIMALS);
    (x * f).round() / f
}

/// Writes the features one per line inside a `FeatureCollection`.
fn write_collection(w: &mut dyn Write, features: impl Iterator<Item = Value>) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (n, f) in features.enumerate() {
        if n > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *w, &f)?;
    }
    w.write_all(b"\n]}\n")
}

fn feature(geometry: Value, properties: Map<String, Value>) -> Value {
    let mut f = Map::new();
    f.insert("type".into(), json!("Feature"));
    f.insert("geometry".into(), geometry);
    f.insert("properties".into(), Value::Object(properties));
    Value::Object(f)
}

/// Writes `sites.geojson`: one point per site with posts.
///
/// # Errors
/// Any write error.
pub fn write_sites_geojson(w: &mut dyn Write, rows: &[SiteRow]) -> std::io::Result<()> {
    write_collection(
        w,
        rows.iter().map(|r| {
            let mut props = Map::new();
            props.insert("id".into(), json!(r.id));
            props.insert("kind".into(), json!(r.kind.as_str()));
            props.insert("name".into(), json!(r.name));
            props.insert("insee".into(), json!(r.insee));
            props.insert("dep".into(), json!(r.dep));
            props.insert("posts".into(), json!(r.posts));
            props.insert("cost".into(), json!(r.cost.round()));
            props.insert("served".into(), json!((r.served * 10.0).round() / 10.0));
            feature(json!({"type": "Point", "coordinates": [round(r.lon), round(r.lat)]}), props)
        }),
    )
}

/// A multipolygon as RFC 7946 coordinates: right-hand winding, rounded, without the
/// consecutive duplicate points rounding creates; rings that collapse are dropped.
fn polygon_coordinates(shape: &MultiPolygon<f64>) -> Value {
    let oriented = shape.orient(Direction::Default);
    let ring = |ls: &geo::LineString<f64>| -> Option<Vec<[f64; 2]>> {
        let mut pts: Vec<[f64; 2]> = Vec::with_capacity(ls.0.len());
        for c in &ls.0 {
            let p = [round(c.x), round(c.y)];
            if pts.last() != Some(&p) {
                pts.push(p);
            }
        }
        if pts.first() != pts.last() {
            let first = pts[0];
            pts.push(first);
        }
        (pts.len() >= 4).then_some(pts)
    };
    let polygons: Vec<Vec<Vec<[f64; 2]>>> = oriented
        .0
        .iter()
        .filter_map(|poly| {
            let exterior = ring(poly.exterior())?;
            Some(std::iter::once(exterior).chain(poly.interiors().iter().filter_map(ring)).collect())
        })
        .collect();
    json!({"type": "MultiPolygon", "coordinates": polygons})
}

/// Writes `communes.geojson`: the polygon of each kept unit with its row's figures.
/// Units without a polygon are left out (none in the embedded data).
///
/// # Errors
/// Any write error.
pub fn write_communes_geojson(
    w: &mut dyn Write,
    rows: &[UnitRow],
    shapes: &[Option<MultiPolygon<f64>>],
    keep: &dyn Fn(usize) -> bool,
) -> std::io::Result<()> {
    write_collection(
        w,
        rows.iter().enumerate().filter(|&(i, _)| keep(i)).filter_map(|(i, r)| {
            let shape = shapes[i].as_ref()?;
            let mut props = Map::new();
            props.insert("insee".into(), json!(r.insee));
            props.insert("nom".into(), json!(r.nom));
            props.insert("dep".into(), json!(r.dep));
            props.insert("zone".into(), json!(r.zone));
            props.insert("need".into(), json!((r.need * 10.0).round() / 10.0));
            props.insert("served".into(), json!((r.served * 10.0).round() / 10.0));
            props.insert("unmet_need".into(), json!((r.unmet_need * 10.0).round() / 10.0));
            props.insert("served_share".into(), json!((r.served_share * 1e4).round() / 1e4));
            props.insert("covered".into(), json!(r.covered));
            props.insert("nearest_post_min".into(), json!(r.nearest_post_min.map(|t| (t * 10.0).round() / 10.0)));
            Some(feature(polygon_coordinates(shape), props))
        }),
    )
}
