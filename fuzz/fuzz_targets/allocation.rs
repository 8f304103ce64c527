#![no_main]
//! `evaluate --allocation FILE` / `plan --floors-from FILE`: an allocation, a plan.csv or a
//! structure list.
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = put("allocation_input.csv", data);
    let _ = maillage::load::load_allocation(&path, sample());
});
