//! Spatial engine: geodesy, the R-tree over candidates, travel times and unit → candidate reach.

mod geodesy;
mod index;
mod reach;
mod requests;
mod travel;

pub use geodesy::{
    EARTH_RADIUS_M, MIN_LOCAL_RADIUS_M, chord_m, great_circle_m, lambert93, local_radius_m, map_plane, to_sphere_xyz,
};
pub use index::{SiteIndex, SiteLocation};
pub use reach::{Link, Reach, build_reach, candidate_place, estimate_pair_count, unit_place};
pub use requests::{Request, destinations_within, pack_requests};
pub use travel::{
    CrowFlies, Place, ScaledTime, SpeedBand, TravelMatrix, TravelTime, format_speed_bands, parse_speed_bands,
};
