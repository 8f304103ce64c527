//! Distances in metres: great-circle on the sphere, Lambert-93 for planar work, and 3-D
//! unit-sphere coordinates for the R-tree. Never raw degrees.

use geo::{Distance, HaversineMeasure, Point};

use crate::model::LonLat;

/// Mean Earth radius in metres (IUGG R1), the radius of the sphere the R-tree works on.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// GRS80 semi-major axis, metres.
const GRS80_A: f64 = 6_378_137.0;
/// GRS80 first eccentricity squared.
const GRS80_E2: f64 = 0.006_694_380_022_900_787;

/// Smallest local radius [`local_radius_m`] can return (at the equator), metres.
pub const MIN_LOCAL_RADIUS_M: f64 = 6_356_752.314_14;

/// Gaussian radius of curvature √(M·N) of the GRS80 ellipsoid at a latitude, in metres.
///
/// The sphere of this radius osculates the ellipsoid there, so great circles on it follow
/// the ellipsoid's geodesics to within ±0.2% over 100 km, in any direction, where the
/// mean-radius sphere errs by up to 0.3% at French latitudes.
#[must_use]
pub fn local_radius_m(lat_deg: f64) -> f64 {
    let s = lat_deg.to_radians().sin();
    GRS80_A * (1.0 - GRS80_E2).sqrt() / (1.0 - GRS80_E2 * s * s)
}

/// Great-circle distance between two points, in metres, on the sphere that osculates the
/// WGS84 ellipsoid at their mean latitude (haversine formula, geo's `HaversineMeasure`).
///
/// # Units
/// Metres.
#[must_use]
pub fn great_circle_m(a: LonLat, b: LonLat) -> f64 {
    HaversineMeasure::new(local_radius_m(f64::midpoint(a.lat(), b.lat())))
        .distance(Point::new(a.lon(), a.lat()), Point::new(b.lon(), b.lat()))
}

/// Cartesian coordinates on a sphere of radius [`EARTH_RADIUS_M`], in metres.
///
/// The straight-line (chord) distance between two such points grows monotonically with the
/// great-circle distance, so an R-tree over them answers radius queries exactly.
#[must_use]
pub fn to_sphere_xyz(p: LonLat) -> [f64; 3] {
    let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
    [EARTH_RADIUS_M * lat.cos() * lon.cos(), EARTH_RADIUS_M * lat.cos() * lon.sin(), EARTH_RADIUS_M * lat.sin()]
}

/// Chord length, in metres on the [`EARTH_RADIUS_M`] sphere, that bounds every pair of points
/// whose [`great_circle_m`] distance is at most `arc_m` (whatever their latitude).
#[must_use]
pub fn chord_m(arc_m: f64) -> f64 {
    let half_angle = (arc_m / MIN_LOCAL_RADIUS_M / 2.0).min(std::f64::consts::FRAC_PI_2);
    2.0 * EARTH_RADIUS_M * half_angle.sin()
}

/// A map's plane, metres east and north: Lambert-93 for mainland France and Corsica
/// (`mid_lat` `None`), equirectangular at latitude `mid_lat` for a DROM (a few tens of km
/// across, where it is true to scale within a fraction of a percent).
#[must_use]
pub fn map_plane(lon: f64, lat: f64, mid_lat: Option<f64>) -> (f64, f64) {
    match mid_lat {
        Some(mid) => (lon * mid.to_radians().cos() * 111_320.0, lat * 110_574.0),
        None => LonLat::new(lon, lat).map_or((0.0, 0.0), lambert93),
    }
}

/// Projects a WGS84 point to Lambert-93 (EPSG:2154), returning (easting, northing) in metres.
///
/// Lambert conformal conic with two standard parallels (49°, 44°) on the GRS80 ellipsoid
/// (Snyder, *Map Projections: A Working Manual*, 1987, eq. 15-1 to 15-9). Only meaningful for
/// mainland France and Corsica; the DROM are handled on the sphere.
#[must_use]
pub fn lambert93(p: LonLat) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const INV_F: f64 = 298.257_222_101;
    let f = 1.0 / INV_F;
    let e = (f * (2.0 - f)).sqrt();
    let m = |phi: f64| phi.cos() / (1.0 - (e * phi.sin()).powi(2)).sqrt();
    let t = |phi: f64| {
        let es = e * phi.sin();
        (std::f64::consts::FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(e / 2.0)
    };
    let (phi1, phi2, phi0) = (49f64.to_radians(), 44f64.to_radians(), 46.5f64.to_radians());
    let lambda0 = 3f64.to_radians();
    let n = (m(phi1).ln() - m(phi2).ln()) / (t(phi1).ln() - t(phi2).ln());
    let big_f = m(phi1) / (n * t(phi1).powf(n));
    let rho = |phi: f64| A * big_f * t(phi).powf(n);
    let theta = n * (p.lon().to_radians() - lambda0);
    let r = rho(p.lat().to_radians());
    (700_000.0 + r * theta.sin(), 6_600_000.0 + rho(phi0) - r * theta.cos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lon: f64, lat: f64) -> LonLat {
        LonLat::new(lon, lat).unwrap()
    }

    #[test]
    fn lambert93_matches_proj_reference_points() {
        // Reference values from PROJ 9 (pyproj 3.7 `Transformer.from_crs(4326, 2154, always_xy=True)`):
        // the origin, Paris, Marseille, Ajaccio, Dunkerque.
        let cases = [
            ((3.0, 46.5), (700_000.0, 6_600_000.0)),
            ((2.35222, 48.85661), (652_470.499, 6_862_036.359)),
            ((5.36978, 43.29648), (892_388.665, 6_247_032.986)),
            ((8.73812, 41.91920), (1_176_627.761, 6_108_270.386)),
            ((2.37767, 51.03438), (656_248.662, 7_104_470.212)),
        ];
        for ((lon, lat), (x, y)) in cases {
            let (px, py) = lambert93(ll(lon, lat));
            assert!((px - x).abs() < 0.05 && (py - y).abs() < 0.05, "{lon},{lat}: got {px},{py}");
        }
    }

    #[test]
    fn chord_bounds_the_arc_at_every_latitude() {
        for lat in [-21.0, 0.0, 14.6, 46.5, 51.0] {
            let a = ll(2.0, lat);
            let b = ll(2.3, lat + 0.2);
            let (pa, pb) = (to_sphere_xyz(a), to_sphere_xyz(b));
            let chord = ((pa[0] - pb[0]).powi(2) + (pa[1] - pb[1]).powi(2) + (pa[2] - pb[2]).powi(2)).sqrt();
            let bound = chord_m(great_circle_m(a, b));
            assert!(chord <= bound && chord > 0.99 * bound, "{lat}: {chord} vs {bound}");
        }
    }

    #[test]
    fn local_radius_spans_the_ellipsoid() {
        assert!((local_radius_m(0.0) - MIN_LOCAL_RADIUS_M).abs() < 1e-3);
        // Pole: a / sqrt(1 - e2).
        assert!((local_radius_m(90.0) - 6_399_593.626).abs() < 1e-2);
        assert!(local_radius_m(46.5) > EARTH_RADIUS_M);
    }
}
