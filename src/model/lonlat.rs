//! `LonLat`: a validated WGS84 position.

use std::fmt;

/// A WGS84 longitude/latitude in decimal degrees (RFC 7946 order: lon first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    lon: f64,
    lat: f64,
}

/// Why a coordinate pair was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidLonLat {
    /// Longitude is NaN, infinite or outside [-180, 180].
    #[error("longitude must be a finite number in [-180, 180]")]
    Lon,
    /// Latitude is NaN, infinite or outside [-90, 90].
    #[error("latitude must be a finite number in [-90, 90]")]
    Lat,
}

impl LonLat {
    /// Builds a position, refusing NaN, infinities and out-of-range values.
    ///
    /// ```
    /// use maillage::LonLat;
    /// let p = LonLat::new(2.35, 48.85)?;
    /// assert_eq!(p.lat(), 48.85);
    /// assert!(LonLat::new(f64::NAN, 0.0).is_err());
    /// # Ok::<(), maillage::InvalidLonLat>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidLonLat`] names the coordinate that is out of range.
    pub fn new(lon: f64, lat: f64) -> Result<Self, InvalidLonLat> {
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(InvalidLonLat::Lon);
        }
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidLonLat::Lat);
        }
        Ok(Self { lon, lat })
    }

    /// Longitude in degrees.
    #[must_use]
    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Latitude in degrees.
    #[must_use]
    pub fn lat(self) -> f64 {
        self.lat
    }
}

impl fmt::Display for LonLat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:.5}, {:.5})", self.lon, self.lat)
    }
}
