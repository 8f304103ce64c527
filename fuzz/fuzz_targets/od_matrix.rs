#![no_main]
//! `--od FILE`: an imported travel-time matrix.
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = put("od_input.csv", data);
    let _ = maillage::load::load_od_matrix(&path, sample());
});
