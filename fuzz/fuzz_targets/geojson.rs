#![no_main]
//! GeoJSON polygons: the input as plm_arrondissements.geojson (read for the maps, and by the
//! dataset loader through the same function) and as departements.geojson (names).
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files = maillage::DataFiles { dir: scratch().to_path_buf() };
    put("plm_arrondissements.geojson", data);
    put("departements.geojson", data);
    let _ = maillage::load::load_unit_shapes(&files, sample());
    let _ = maillage::load::load_departement_names(&files);
});
