#![no_main]
//! The data folder's communes.csv, through the whole dataset loader (units, IFN, sites).
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files = maillage::DataFiles { dir: scratch().to_path_buf() };
    put("communes.csv", data);
    let _ = maillage::Dataset::load(&files);
});
