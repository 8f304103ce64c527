#![no_main]
//! GeoJSON polygons: the input as plm_arrondissements.geojson (read by the dataset loader and
//! by the map writer) and as departements.geojson (département names).
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files = maillage::DataFiles { dir: scratch().to_path_buf() };
    put("plm_arrondissements.geojson", data);
    put("departements.geojson", data);
    let _ = maillage::load::load_unit_shapes(&files, sample());
    let _ = maillage::load::load_departement_names(&files);
    let _ = maillage::Dataset::load(&files);
});
