//! The communes' outlines for the web map, built once: projected (Lambert-93 for
//! metropolitan France, equirectangular at its latitude for each DROM), simplified
//! (Ramer–Douglas–Peucker at [`TOLERANCE_M`]) and written as whole hectometres, then gzipped.
//! Sites are projected the same way ([`Projector`]).

use std::collections::BTreeMap;
use std::io::Write;

use geo::{Coord, LineString, MultiPolygon, Polygon, Simplify};
use maillage::Dataset;
use maillage::spatial::map_plane;
use serde_json::json;

/// Simplification tolerance, metres: under a pixel of a département's map.
const TOLERANCE_M: f64 = 80.0;

/// Metres per unit of the coordinates sent.
const UNIT_M: f64 = 100.0;

/// Projects WGS84 points of a territory to the map's units.
#[derive(Debug, Clone)]
pub struct Projector {
    /// Mean latitude of each DROM territory (metropolitan France is Lambert-93).
    mid_lat: BTreeMap<String, f64>,
}

impl Projector {
    /// The projector of the dataset's territories.
    pub fn new(data: &Dataset) -> Self {
        let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for u in &data.units {
            let t = u.territory();
            if t != "metro" {
                let s = sums.entry(t.to_owned()).or_default();
                *s = (s.0 + u.point.lat(), s.1 + 1.0);
            }
        }
        Self { mid_lat: sums.into_iter().map(|(t, (sum, n))| (t, sum / n)).collect() }
    }

    /// Metres east and north in the territory's plane.
    fn metres(&self, territory: &str, lon: f64, lat: f64) -> (f64, f64) {
        map_plane(lon, lat, self.mid_lat.get(territory).copied())
    }

    /// The map's units: hectometres east and south (y grows downwards, as on a screen).
    pub fn project(&self, territory: &str, lon: f64, lat: f64) -> (i64, i64) {
        let (x, y) = self.metres(territory, lon, lat);
        ((x / UNIT_M).round() as i64, (-y / UNIT_M).round() as i64)
    }
}

/// The gzipped JSON of every unit's outline:
/// `{"territories": [{"id", "name"}], "units": [{"c": insee, "n": name, "d": dep, "t": territory, "r": [[x0, y0, dx1, dy1, …], …]}]}`
/// (each ring's first point absolute, the next ones relative to the previous).
pub fn geometry_gz(
    data: &Dataset,
    shapes: &[Option<MultiPolygon<f64>>],
    dep_names: &BTreeMap<String, String>,
    projector: &Projector,
) -> std::io::Result<Vec<u8>> {
    let mut territories: Vec<&str> = data.units.iter().map(maillage::DemandUnit::territory).collect();
    territories.sort_unstable_by_key(|t| (*t != "metro", *t));
    territories.dedup();
    let named: Vec<serde_json::Value> = territories
        .iter()
        .map(|t| {
            let name = if *t == "metro" {
                "France métropolitaine".to_owned()
            } else {
                dep_names.get(*t).map_or_else(|| (*t).to_owned(), |n| format!("{n} ({t})"))
            };
            json!({"id": t, "name": name})
        })
        .collect();
    let units: Vec<serde_json::Value> = data
        .units
        .iter()
        .zip(shapes)
        .map(|(u, shape)| {
            let t = u.territory();
            let rings = shape.as_ref().map(|s| rings(s, t, projector)).unwrap_or_default();
            json!({"c": u.code.as_str(), "n": u.name, "d": u.dep, "t": t, "r": rings})
        })
        .collect();
    let body = serde_json::to_vec(&json!({"territories": named, "units": units}))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body)?;
    gz.finish()
}

/// A multipolygon's rings, projected, simplified, delta-encoded.
fn rings(shape: &MultiPolygon<f64>, territory: &str, projector: &Projector) -> Vec<Vec<i64>> {
    let metres = |ring: &LineString<f64>| -> LineString<f64> {
        ring.0
            .iter()
            .map(|c| {
                let (x, y) = projector.metres(territory, c.x, c.y);
                Coord { x, y }
            })
            .collect()
    };
    let projected = MultiPolygon::new(
        shape
            .0
            .iter()
            .map(|p| Polygon::new(metres(p.exterior()), p.interiors().iter().map(metres).collect()))
            .collect(),
    );
    let simple = projected.simplify(TOLERANCE_M);
    let mut out = Vec::new();
    for poly in &simple.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            if ring.0.len() < 4 {
                continue;
            }
            let mut coded = Vec::with_capacity(2 * ring.0.len());
            let mut last = (0, 0);
            for c in &ring.0 {
                let p = ((c.x / UNIT_M).round() as i64, (-c.y / UNIT_M).round() as i64);
                if coded.is_empty() {
                    coded.extend([p.0, p.1]);
                } else if p != last {
                    coded.extend([p.0 - last.0, p.1 - last.1]);
                }
                last = p;
            }
            if coded.len() >= 6 {
                out.push(coded);
            }
        }
    }
    out
}
