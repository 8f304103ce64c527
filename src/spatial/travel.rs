//! Travel time between a demand unit and a candidate: the `TravelTime` seam, the default
//! crow-flies model and an imported matrix.

use std::collections::HashMap;

use crate::model::{LonLat, UnitIdx};

use super::great_circle_m;

/// One end of a trip: the unit it belongs to, its position and the unit's density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// Demand unit (commune) the place lies in.
    pub unit: UnitIdx,
    /// Position.
    pub point: LonLat,
    /// Density of the unit, inhabitants per km².
    pub density_km2: f64,
    /// The unit's island without a fixed link (0: its territory's main land).
    pub landmass: u32,
}

/// Minutes from a demand point to a site.
pub trait TravelTime: Sync {
    /// Travel time in minutes, or `None` if the model knows no route.
    fn minutes(&self, from: &Place, to: &Place) -> Option<f32>;

    /// Crow-fly radius in metres around the origin that holds every place reachable within
    /// `bound_minutes`: the spatial index searches this far, then calls [`Self::minutes`].
    fn search_radius_m(&self, bound_minutes: f64) -> f64;

    /// Whether a unit always reaches the candidates inside it, whatever [`Self::minutes`]
    /// says (the crow-flies model: one's own town hall). A matrix that gives a time for a
    /// unit to itself is taken at its word.
    fn own_unit_always_reachable(&self) -> bool {
        true
    }

    /// The units `origin` has a time to, when the model lists them (a matrix): then the
    /// reach reads them instead of searching the space around the origin.
    fn destinations(&self, _origin: UnitIdx) -> Option<&[UnitIdx]> {
        None
    }
}

/// A speed that applies up to a density.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeedBand {
    /// Upper density of the band, inhabitants per km² (inclusive).
    pub max_density_km2: f64,
    /// Average door-to-door speed, km/h.
    pub speed_kmh: f64,
}

/// Parses speed bands `MAX_DENSITY:KMH,…` (increasing densities, `inf` for the last band,
/// speeds in (0, 200] km/h).
///
/// # Errors
/// A message naming the part that is wrong and what was expected.
pub fn parse_speed_bands(s: &str) -> Result<Vec<SpeedBand>, String> {
    let expected =
        "expected MAX_DENSITY:KMH pairs such as 100:60,1000:45,inf:20 (increasing densities, speeds in (0, 200])";
    let mut bands: Vec<SpeedBand> = Vec::new();
    for part in s.split(',') {
        let (d, v) = part.split_once(':').ok_or_else(|| format!("{expected}, got {part:?}"))?;
        let max_density_km2 = if d.trim() == "inf" {
            f64::INFINITY
        } else {
            d.trim().parse().map_err(|_| format!("{expected}, got {d:?}"))?
        };
        let speed_kmh: f64 = v.trim().parse().map_err(|_| format!("{expected}, got {v:?}"))?;
        let increasing = bands.last().is_none_or(|b| max_density_km2 > b.max_density_km2);
        if !(speed_kmh.is_finite() && speed_kmh > 0.0 && speed_kmh <= 200.0 && increasing && max_density_km2 >= 0.0) {
            return Err(format!("{expected}, got {part:?}"));
        }
        bands.push(SpeedBand { max_density_km2, speed_kmh });
    }
    Ok(bands)
}

/// Speed bands as [`parse_speed_bands`] reads them (`100:52,1000:39,5000:26,inf:17`).
#[must_use]
pub fn format_speed_bands(bands: &[SpeedBand]) -> String {
    let band = |b: &SpeedBand| {
        if b.max_density_km2.is_finite() {
            format!("{}:{}", b.max_density_km2, b.speed_kmh)
        } else {
            format!("inf:{}", b.speed_kmh)
        }
    };
    bands.iter().map(band).collect::<Vec<_>>().join(",")
}

/// Default model: great-circle distance × a detour factor, at a speed that depends on density.
///
/// The trip is taken half at the origin's speed and half at the destination's, so times are
/// symmetric. Two places in the same unit are always reachable; two on different landmasses
/// (an island without a bridge and the main land, `islands.csv`) never are.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowFlies {
    /// Road distance / great-circle distance.
    pub detour: f64,
    /// Speed bands by increasing density; the last band applies above its bound too.
    pub speeds: Vec<SpeedBand>,
}

impl Default for CrowFlies {
    /// Detour 1.3 (DOMAIN.md); 52 km/h up to 100 inhabitants/km², 39 up to 1,000, 26 up to
    /// 5,000 and 17 km/h in the densest cities: the bands 60/45/30/20 × 0.86, the factor
    /// fitted to the published shares of the population within 20 and 30 minutes of a France
    /// Services site (`maillage calibrate --fit`, docs/travel.md).
    fn default() -> Self {
        let band = |max_density_km2, speed_kmh| SpeedBand { max_density_km2, speed_kmh };
        Self {
            detour: 1.3,
            speeds: vec![band(100.0, 52.0), band(1000.0, 39.0), band(5000.0, 26.0), band(f64::INFINITY, 17.0)],
        }
    }
}

impl CrowFlies {
    /// Speed for a density, km/h.
    #[must_use]
    pub fn speed_kmh(&self, density_km2: f64) -> f64 {
        self.speeds
            .iter()
            .find(|b| density_km2 <= b.max_density_km2)
            .or(self.speeds.last())
            .map_or(1.0, |b| b.speed_kmh)
    }

    fn max_speed_kmh(&self) -> f64 {
        self.speeds.iter().map(|b| b.speed_kmh).fold(0.0, f64::max)
    }
}

impl TravelTime for CrowFlies {
    fn minutes(&self, from: &Place, to: &Place) -> Option<f32> {
        // No road crosses the sea to an island without a bridge (the ferry is not a road).
        if from.landmass != to.landmass && from.unit != to.unit {
            return None;
        }
        let road_km = great_circle_m(from.point, to.point) / 1000.0 * self.detour;
        let hours = road_km * (0.5 / self.speed_kmh(from.density_km2) + 0.5 / self.speed_kmh(to.density_km2));
        Some((hours * 60.0) as f32)
    }

    fn search_radius_m(&self, bound_minutes: f64) -> f64 {
        // At the fastest speed, `bound` minutes cover this much road, hence this much crow-fly.
        self.max_speed_kmh() * 1000.0 * bound_minutes / 60.0 / self.detour
    }
}

/// Another model's times × a factor: speeds −20% are times × 1.25 (`maillage sensitivity`).
pub struct ScaledTime<'a> {
    /// The model scaled.
    pub inner: &'a dyn TravelTime,
    /// Factor on every time, > 0.
    pub factor: f64,
}

impl TravelTime for ScaledTime<'_> {
    fn minutes(&self, from: &Place, to: &Place) -> Option<f32> {
        self.inner.minutes(from, to).map(|m| (f64::from(m) * self.factor) as f32)
    }

    fn search_radius_m(&self, bound_minutes: f64) -> f64 {
        // A trip within the bound once scaled took at most bound / factor before.
        self.inner.search_radius_m(bound_minutes / self.factor)
    }

    fn own_unit_always_reachable(&self) -> bool {
        self.inner.own_unit_always_reachable()
    }

    fn destinations(&self, origin: UnitIdx) -> Option<&[UnitIdx]> {
        self.inner.destinations(origin)
    }
}

/// Imported travel times between demand units (commune to commune), as produced by a routing
/// engine. Pairs absent from the matrix are unreachable, except within one unit (0 minutes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TravelMatrix {
    minutes: HashMap<(UnitIdx, UnitIdx), f32>,
    /// Per whole minute of travel, the farthest crow-fly metres an entry of that minute spans
    /// (origin unit's point to the farthest candidate of the destination unit): a few
    /// kilobytes however long the matrix.
    reach_by_minute: Vec<f64>,
    /// Destinations of each origin that has any.
    destinations: HashMap<UnitIdx, Vec<UnitIdx>>,
}

impl TravelMatrix {
    /// Builds a matrix from entries `(origin, destination, minutes, reach_m)`; a repeated pair
    /// keeps its last minutes.
    #[must_use]
    pub fn new(entries: impl IntoIterator<Item = (UnitIdx, UnitIdx, f32, f64)>) -> Self {
        let mut m = Self::default();
        for (o, d, t, r) in entries {
            m.insert(o, d, t, r);
        }
        m
    }

    /// Adds a pair; returns the minutes it had if it was already there.
    pub fn insert(&mut self, origin: UnitIdx, destination: UnitIdx, minutes: f32, reach_m: f64) -> Option<f32> {
        let bucket = minutes.max(0.0).floor() as usize;
        if self.reach_by_minute.len() <= bucket {
            self.reach_by_minute.resize(bucket + 1, 0.0);
        }
        self.reach_by_minute[bucket] = self.reach_by_minute[bucket].max(reach_m);
        let before = self.minutes.insert((origin, destination), minutes);
        if before.is_none() {
            self.destinations.entry(origin).or_default().push(destination);
        }
        before
    }

    /// Number of origin–destination pairs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.minutes.len()
    }

    /// Whether the matrix has no pair.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }
}

impl TravelTime for TravelMatrix {
    fn minutes(&self, from: &Place, to: &Place) -> Option<f32> {
        self.minutes.get(&(from.unit, to.unit)).copied().or((from.unit == to.unit).then_some(0.0))
    }

    fn search_radius_m(&self, bound_minutes: f64) -> f64 {
        // Whole-minute buckets up to the bound's: a bucket may hold trips a little over the
        // bound, which only widens the search (the exact minutes filter afterwards).
        let last = bound_minutes.max(0.0).floor() as usize;
        self.reach_by_minute.iter().take(last + 1).copied().fold(0.0, f64::max) + 1.0
    }

    fn own_unit_always_reachable(&self) -> bool {
        false
    }

    fn destinations(&self, origin: UnitIdx) -> Option<&[UnitIdx]> {
        Some(self.destinations.get(&origin).map_or(&[], Vec::as_slice))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(unit: u32, lon: f64, lat: f64, density_km2: f64) -> Place {
        Place { unit: UnitIdx(unit), point: LonLat::new(lon, lat).unwrap(), density_km2, landmass: 0 }
    }

    #[test]
    fn crow_flies_applies_detour_and_density_speeds() {
        let model = CrowFlies::default();
        let a = place(0, 2.0, 48.0, 50.0);
        let b = place(1, 2.0, 48.1, 50.0);
        let km = great_circle_m(a.point, b.point) / 1000.0;
        // Rural both ends: 52 km/h.
        let t = f64::from(model.minutes(&a, &b).unwrap());
        assert!((t - km * 1.3 / 52.0 * 60.0).abs() < 1e-3, "{t}");
        // One end in a dense city (17 km/h): half the trip at each speed.
        let c = place(2, 2.0, 48.1, 20_000.0);
        let t = f64::from(model.minutes(&a, &c).unwrap());
        assert!((t - km * 1.3 * (0.5 / 52.0 + 0.5 / 17.0) * 60.0).abs() < 1e-3, "{t}");
        assert_eq!(model.minutes(&a, &c), model.minutes(&c, &a));
    }

    #[test]
    fn crow_flies_does_not_cross_to_another_landmass() {
        let model = CrowFlies::default();
        let a = place(0, 2.0, 48.0, 50.0);
        let island = Place { landmass: 3, ..place(1, 2.0, 48.01, 50.0) };
        assert_eq!(model.minutes(&a, &island), None);
        assert_eq!(model.minutes(&island, &a), None);
        // Within the island, and within one unit, trips are as usual.
        let other = Place { landmass: 3, ..place(2, 2.01, 48.01, 50.0) };
        assert!(model.minutes(&island, &other).is_some());
    }

    #[test]
    fn speed_bands_read_back_as_written() {
        let bands = CrowFlies::default().speeds;
        assert_eq!(format_speed_bands(&bands), crate::spec::PlanSpec::default().travel.speeds);
        assert_eq!(parse_speed_bands(&format_speed_bands(&bands)).unwrap(), bands);
    }

    #[test]
    fn default_model_is_the_default_spec() {
        let spec = crate::spec::PlanSpec::default();
        assert_eq!(spec.crow_flies().unwrap(), CrowFlies::default());
    }

    #[test]
    fn scaled_time_multiplies_minutes_and_widens_the_search() {
        let model = CrowFlies::default();
        let slower = ScaledTime { inner: &model, factor: 1.25 };
        let (a, b) = (place(0, 2.0, 48.0, 50.0), place(1, 2.0, 48.1, 50.0));
        let t = f64::from(model.minutes(&a, &b).unwrap());
        assert!((f64::from(slower.minutes(&a, &b).unwrap()) - 1.25 * t).abs() < 1e-4);
        // 30 minutes at times × 1.25 reach as far as 24 minutes did.
        assert!((slower.search_radius_m(30.0) - model.search_radius_m(24.0)).abs() < 1e-6);
    }

    #[test]
    fn search_radius_covers_the_fastest_trip() {
        let model = CrowFlies::default();
        // 30 minutes at 52 km/h is 26 km of road, 20 km crow-fly with a 1.3 detour.
        assert!((model.search_radius_m(30.0) - 26_000.0 / 1.3).abs() < 1e-6);
    }

    #[test]
    fn matrix_knows_only_its_pairs_and_same_unit() {
        let m = TravelMatrix::new([(UnitIdx(0), UnitIdx(1), 12.5, 9_000.0), (UnitIdx(1), UnitIdx(0), 40.0, 30_000.0)]);
        let (a, b, c) = (place(0, 2.0, 48.0, 1.0), place(1, 2.1, 48.0, 1.0), place(2, 2.2, 48.0, 1.0));
        assert_eq!(m.minutes(&a, &b), Some(12.5));
        assert_eq!(m.minutes(&b, &a), Some(40.0));
        assert_eq!(m.minutes(&a, &c), None);
        assert_eq!(m.minutes(&c, &c), Some(0.0));
        assert!((m.search_radius_m(30.0) - 9_001.0).abs() < 1e-9);
    }
}
