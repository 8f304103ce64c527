#![no_main]
//! `--need FILE`: the user's need estimates.
include!("common.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = put("need_input.csv", data);
    let _ = maillage::load::load_need_file(&path, sample());
});
