//! Compiles the national data into the binary: each file of `data/` the tool reads is gzipped
//! into `OUT_DIR/embedded/` (files already gzipped are copied), for `include_bytes!` in
//! `src/load/embedded.rs`. A binary copied anywhere then plans without `data/`.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The files the tool reads from its data folder (and `cnfs-2021`).
const FILES: [&str; 9] = [
    "communes.csv",
    "ifn_communes.csv",
    "ifn_iris.csv.gz",
    "plm_arrondissements.csv",
    "plm_arrondissements.geojson",
    "inclusion_sites.csv",
    "communes.geojson.gz",
    "departements.geojson",
    "cnfs_structures.csv",
];

fn main() {
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded");
    fs::create_dir_all(&out).expect("creating OUT_DIR/embedded");
    for name in FILES {
        let source = Path::new("data").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let bytes = fs::read(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        if Path::new(name).extension().is_some_and(|e| e == "gz") {
            fs::write(out.join(name), bytes).expect("copying a gzipped data file");
        } else {
            let file = fs::File::create(out.join(format!("{name}.gz"))).expect("creating an embedded file");
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
            gz.write_all(&bytes).expect("compressing a data file");
            gz.finish().expect("compressing a data file");
        }
    }
}
