//! `SiteIndex`: an rstar R-tree over candidate points on the 3-D sphere, in metres.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::{chord_m, great_circle_m, to_sphere_xyz};
use crate::model::{CandidateIdx, LonLat};

/// A candidate's position in the index: sphere coordinates in metres, with its index.
pub type SiteLocation = GeomWithData<[f64; 3], CandidateIdx>;

/// Spatial index over candidate points.
///
/// Points are stored as 3-D coordinates on the sphere, so one tree serves the mainland and
/// every DROM without a projection seam, and radius queries are exact in great-circle metres.
#[derive(Debug, Clone)]
pub struct SiteIndex {
    tree: RTree<SiteLocation>,
    points: Vec<LonLat>,
}

impl SiteIndex {
    /// Bulk-loads the index from candidate points, in order (`CandidateIdx(i)` for the i-th).
    #[must_use]
    pub fn build(points: impl IntoIterator<Item = LonLat>) -> Self {
        let points: Vec<LonLat> = points.into_iter().collect();
        let items = points
            .iter()
            .enumerate()
            .map(|(i, &p)| GeomWithData::new(to_sphere_xyz(p), CandidateIdx(i as u32)))
            .collect();
        Self { tree: RTree::bulk_load(items), points }
    }

    /// Candidates within `radius_m` metres of `p` ([`great_circle_m`]), in no particular order.
    pub fn within(&self, p: LonLat, radius_m: f64) -> impl Iterator<Item = CandidateIdx> + '_ {
        // rstar takes a squared radius. The chord bound is a superset at every latitude; the
        // exact distance then decides.
        let max_squared_radius = chord_m(radius_m).powi(2);
        self.tree
            .locate_within_distance(to_sphere_xyz(p), max_squared_radius)
            .map(|s| s.data)
            .filter(move |c| great_circle_m(p, self.points[c.get()]) <= radius_m)
    }

    /// Number of indexed points.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether the index is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }
}
