//! The one list of the data folder's files (also read by `build.rs`, which compiles them into
//! the binary).

/// The files of a data folder the tool reads, each compiled into the binary: the first
/// [`INSTANCE_FILES`] make a plan's instance (hashed by role in `summary.json`), the last is
/// the real 2021–22 allocation (`cnfs-2021`).
pub const DATA_FILES: [&str; 10] = [
    "communes.csv",
    "ifn_communes.csv",
    "ifn_iris.csv.gz",
    "plm_arrondissements.csv",
    "plm_arrondissements.geojson",
    "inclusion_sites.csv",
    "islands.csv",
    "communes.geojson.gz",
    "departements.geojson",
    "cnfs_structures.csv",
];

/// How many of [`DATA_FILES`] make the instance.
pub const INSTANCE_FILES: usize = 9;
